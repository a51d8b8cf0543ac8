#!/bin/bash
# Hitless rule updates: tenant red's sequenced UDP stream (vm1 → vm2 port
# 9000) passes through security groups on both attachments — vm1's group
# accepts it in egress (egress-default drop), vm2's in ingress (ingress-
# default drop) — and loses, reorders and duplicates nothing while
#   phase 0 (control) nothing changes — proves the rate is sustainable here;
#   phase 1 230 RESTCONF commits change the rules under it, each changing
#           what the classifier does (so a new rte_acl context is built, the
#           stream's session re-checked by the rules on its next packet):
#           unrelated rules added and removed in front of and behind the
#           accepting ones (near misses: the same port from another
#           address, the neighbouring ports; a drop-all behind the accept),
#           a second accepting rule that takes over and goes, a second group
#           attached in front or behind and removed, the groups' order
#           swapped, groups replaced whole by PUT (renumbered rules moving
#           across the accepting one, which keeps its sequence), the
#           defaults of the directions the stream does not use changed;
#   phase 2 (negative control) vm2's accepting rule is made a drop: the
#           receiver must get nothing sent later than 1 s after the commit,
#           while the sender keeps sending — the rules are in the path.
# The accepting rules' hits and the attachments' accepted statistics must
# grow through phase 1 with dropped, rejected and invalid unmoved, and the
# groups' generation must move at every commit (read over RESTCONF and
# telemetry). The receiver's kernel counters are read around each phase so
# that a drop in the VM's kernel is neither blamed on the switch nor hidden.
# Both VMs announce themselves first (gratuitous ARP, which groups do not
# filter), so that the stream's first datagram is not flooded to an unknown
# destination and its session is opened by both accepting rules.
#
#   vm1 10.0.0.1 ── a1 ─┐            ┌─ a2 ── vm2 10.0.0.2
#    group out-vm1      └─ poolnetd ─┘      group in-vm2
#    egress 100 accept udp → 10.0.0.2:9000  ingress 100 accept udp
#    egress-default drop                    10.0.0.1 → 9000; default drop
#   group extra: attached to either now and then
TAG=hr
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh" "$@"
set -eE
# (in the main shell only: a command substitution just fails)
trap '[ "$BASHPID" = $$ ] && { fail "unexpected error (exit $?) at line $LINENO: $BASH_COMMAND"; finish; }' ERR
trap 'trap - ERR; set +e; cleanup' EXIT

RATE=${HITLESS_RATE:-2000}         # datagrams per second
CONTROL_COUNT=$((RATE * 5))        # phase 0: 5 s
STREAM_MIN=${HITLESS_COUNT:-20000} # phase 1 sends at least this many
CYCLES=10                          # of rule_cycle's 23 commits
PER_CYCLE=23
CHANGES=$((CYCLES * PER_CYCLE))
UDP_PORT=9000
SOCK="$TMP/restconf.sock"
RED=poolnet:tenants/tenant=red
G1=$RED/security-group=out-vm1
G2=$RED/security-group=in-vm2
GX=$RED/security-group=extra
S1=$RED/attachment=vm1/security
S2=$RED/attachment=vm2/security

# rule SEQ DIRECTION ACTION [PROTOCOL [SOURCE [DESTINATION [PORT [UPPER]]]]]:
# one rule as JSON; "-" leaves a match field out.
rule() {
	local j="\"sequence\":$1,\"direction\":\"$2\",\"action\":\"$3\""
	if [ "${4:--}" != - ]; then j+=",\"protocol\":\"$4\""; fi
	if [ "${5:--}" != - ]; then j+=",\"source-prefix\":\"$5\""; fi
	if [ "${6:--}" != - ]; then j+=",\"destination-prefix\":\"$6\""; fi
	if [ "${7:--}" != - ]; then j+=",\"destination-port\":{\"lower\":$7${8:+,\"upper\":$8}}"; fi
	echo "{$j}"
}

# The accepting rules: the only ones that match the stream until phase 2.
ALLOW1=$(rule 100 egress accept udp - 10.0.0.2/32 $UDP_PORT)
ALLOW2=$(rule 100 ingress accept udp 10.0.0.1/32 - $UDP_PORT)
# The groups as the configuration starts them, and as each cycle ends.
OUT_VM1="$(rule 10 egress drop tcp - - 22),$(rule 20 egress drop udp - 10.0.0.3/32 $UDP_PORT),$ALLOW1"
IN_VM2="$(rule 10 ingress drop udp 10.0.0.3/32 - $UDP_PORT),$(rule 20 ingress drop udp - - 9001 9100),$ALLOW2"
EXTRA="$(rule 10 ingress drop tcp - - 23),$(rule 20 egress drop udp - - 53)"

# group NAME RULES / security GROUPS INGRESS EGRESS: a group or an
# attachment's security container, as JSON.
group() { echo "{\"name\":\"$1\",\"rule\":[$2]}"; }
security() { echo "{\"group\":[$1],\"ingress-default\":\"$2\",\"egress-default\":\"$3\"}"; }

cat >"$TMP/config.json" <<EOF
{
  "poolnet:ports": {"port": [
    {"name": "a1", "devargs": "$(tap_devargs 0 "${ID}a1")", "role": "access"},
    {"name": "a2", "devargs": "$(tap_devargs 1 "${ID}a2")", "role": "access"}]},
  "poolnet:tenants": {"tenant": [
    {"name": "red", "id": 1,
     "security-group": [$(group out-vm1 "$OUT_VM1"), $(group in-vm2 "$IN_VM2"),
                        $(group extra "$EXTRA")],
     "attachment": [
       {"name": "vm1", "port": "a1", "security": $(security '"out-vm1"' drop drop)},
       {"name": "vm2", "port": "a2", "security": $(security '"in-vm2"' drop accept)}]}]}
}
EOF

# sg_state: red's security counters from one GET ?content=nonconfig, as
# "name=value" words: hits1 and hits2 (the accepting rules 100 of out-vm1
# and in-vm2), vm1_accepted ... vm2_invalid, drops (all of red's, every
# reason), sg_denied and ct_invalid. Fails when the server does not answer.
sg_state() {
	curl -sf -m 10 --unix-socket "$SOCK" -o "$TMP/state.json" \
		"http://localhost/restconf/data/$RED?content=nonconfig" || return 1
	"$PY" - "$TMP/state.json" <<'PYEOF'
import json, sys
(t,) = json.load(open(sys.argv[1]))["poolnet:tenant"]
out = {}
for g, key in (("out-vm1", "hits1"), ("in-vm2", "hits2")):
    for grp in t.get("security-group", []):
        for r in grp.get("rule", []) if grp["name"] == g else []:
            if r["sequence"] == 100:
                out[key] = int(r.get("hits", 0))
for a in t.get("attachment", []):
    st = a.get("security", {}).get("statistics", {})
    for f in ("accepted", "dropped", "rejected", "invalid"):
        out["%s_%s" % (a["name"], f)] = int(st.get(f, 0))
drops = t.get("statistics", {}).get("drop", [])
out["drops"] = sum(int(d.get("packets", 0)) for d in drops)
for reason in ("sg_denied", "ct_invalid"):
    out[reason] = sum(int(d.get("packets", 0)) for d in drops if d["reason"] == reason)
print(" ".join("%s=%d" % kv for kv in sorted(out.items())))
PYEOF
}

# field NAME STATE: one value of an sg_state line (empty if absent).
field() { tr ' ' '\n' <<<"$2" | awk -F= -v n="$1" '$1 == n {print $2}'; }

# red_config FILE: red's configuration (GET ?content=config), normalised:
# keys sorted, list entries by their key (a leaf-list keeps its order).
red_config() {
	curl -sf -m 10 --unix-socket "$SOCK" -o "$1.raw" \
		"http://localhost/restconf/data/$RED?content=config" || return 1
	"$PY" - "$1.raw" "$1" <<'PYEOF'
import json, sys

def norm(v):
    if isinstance(v, dict):
        return {k: norm(x) for k, x in v.items()}
    if isinstance(v, list) and v and isinstance(v[0], dict):
        return sorted((norm(x) for x in v), key=lambda d: str(d.get("name", d.get("sequence"))))
    return v

json.dump(norm(json.load(open(sys.argv[1]))), open(sys.argv[2], "w"), sort_keys=True)
PYEOF
}

# generation: the published security groups' generation (telemetry): it
# moves whenever a commit changes what the rules do.
generation() { counter /poolnet/security,red generation; }

# --- the changes -----------------------------------------------------------

rule_body() { echo "{\"poolnet:rule\":[$1]}"; }
group_body() { echo "{\"poolnet:security-group\":[$(group "$1" "$2")]}"; }
security_body() { echo "{\"poolnet:security\":$(security "$@")}"; }
defaults_body() { echo "{\"poolnet:security\":{\"$1-default\":\"$2\"}}"; }

# rule_cycle C: 23 commits, each changing what the classifier does for vm1
# or vm2 and none denying the stream; the rules, groups and defaults are as
# the configuration started them after the last one. C varies the ports of
# the unrelated rules from cycle to cycle.
rule_cycle() {
	local p=$((9100 + $1))
	# unrelated drops in front of the accepting rules, a drop-all behind
	apply POST "$G2" "$(rule_body "$(rule 30 ingress drop udp - - $p)")"
	apply POST "$G1" "$(rule_body "$(rule 30 egress drop udp - - $p)")"
	apply POST "$G2" "$(rule_body "$(rule 150 ingress drop udp)")"
	apply POST "$G1" "$(rule_body "$(rule 150 egress drop)")"
	# the defaults of the directions the stream does not use
	apply PATCH "$S2" "$(defaults_body egress drop)"
	apply PATCH "$S1" "$(defaults_body ingress reject)"
	# a second accepting rule, in front: it decides while it exists
	apply POST "$G2" "$(rule_body "$(rule 60 ingress accept udp 10.0.0.0/24 - $UDP_PORT 9001)")"
	apply DELETE "$G2/rule=60"
	# group extra attached in front of vm2's own group, behind vm1's
	apply PUT "$S2" "$(security_body '"extra","in-vm2"' drop drop)"
	apply PUT "$S1" "$(security_body '"out-vm1","extra"' reject drop)"
	apply POST "$GX" "$(rule_body "$(rule 40 ingress drop udp 10.0.0.1/32 - 9001)")"
	apply DELETE "$GX/rule=40"
	apply PUT "$S2" "$(security_body '"in-vm2","extra"' drop drop)" # order swapped
	# whole groups replaced: renumbered rules move across the accepting one
	apply PUT "$G2" "$(group_body in-vm2 "$(rule 15 ingress drop udp 10.0.0.3/32 - $UDP_PORT),$ALLOW2,$(rule 120 ingress drop udp - - 9001 9100),$(rule 150 ingress drop udp),$(rule 200 ingress drop tcp - - $p)")"
	apply PUT "$G1" "$(group_body out-vm1 "$(rule 20 egress drop udp - 10.0.0.3/32 $UDP_PORT),$(rule 40 egress drop udp - - $p),$ALLOW1,$(rule 110 egress drop tcp - - 22),$(rule 150 egress drop)")"
	# extra detached, the other defaults changed again
	apply PUT "$S2" "$(security_body '"in-vm2"' drop reject)"
	apply PUT "$S1" "$(security_body '"out-vm1"' accept drop)"
	apply DELETE "$G2/rule=150"
	apply DELETE "$G1/rule=150"
	# back to the start
	apply PUT "$G2" "$(group_body in-vm2 "$IN_VM2")"
	apply PUT "$G1" "$(group_body out-vm1 "$OUT_VM1")"
	apply PATCH "$S2" "$(defaults_body egress accept)"
	apply PATCH "$S1" "$(defaults_body ingress drop)"
}

# --- the stream ------------------------------------------------------------

# udp_stat NS FIELD: a field of the Udp line of the namespace's /proc/net/snmp.
udp_stat() {
	in_ns "$1" awk -v f="$2" '$1 == "Udp:" && !h {for (i = 2; i <= NF; i++) n[i] = $i; h = 1; next}
		$1 == "Udp:" {for (i = 2; i <= NF; i++) if (n[i] == f) print $i}' /proc/net/snmp
}
# if_stat NS IFNAME rx|tx FIELD: an interface counter (statistics/FIELD).
if_stat() { in_ns "$1" cat "/sys/class/net/$2/statistics/$3_$4"; }

# kernel_drops: vm2's kernel-side drops so far, one number per kind.
kernel_drops() {
	echo "$(udp_stat vm2 InErrors) $(udp_stat vm2 RcvbufErrors) $(if_stat vm2 eth0 rx dropped)"
}

# mac_known MAC ATTACHMENT: red's MAC table has MAC (upper case) on ATTACHMENT.
mac_known() {
	telemetry /poolnet/macs,red | "$PY" -c '
import json, sys
e = json.load(sys.stdin).get(sys.argv[1].replace(":", "_"), {})
sys.exit(e.get("attachment") != sys.argv[2])' "$1" "$2"
}

# announce NS ADDR: one gratuitous ARP from the VM (not IP: no verdict);
# arping exits 1 because nobody answers it.
announce() { in_ns "$1" arping -U -c 1 -w 1 -q -i eth0 -S "$2" "$2" >/dev/null 2>&1 || true; }

json_field() { "$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$@"; }

# stream_start NAME MIN_COUNT [UNTIL_FILE]: receiver in vm2, sender in vm1;
# returns once the stream reaches the switch.
stream_start() {
	local name=$1 count=$2 until=${3:-} rx0
	KDROPS0=$(kernel_drops)
	SNDERR0=$(udp_stat vm1 SndbufErrors)
	TXDROP0=$(if_stat vm1 eth0 tx dropped)
	rx0=$(counter /poolnet/tenants red rx)
	# ip netns exec, not in_ns: a function would run the job in a subshell
	# with the ERR trap
	ip netns exec "$(ns vm2)" "$PY" "$HERE/seq_udp.py" recv $UDP_PORT --report "$TMP/$name.recv" \
		--ready "$TMP/$name.ready" &
	RECV_PID=$!
	BG_PIDS+=("$RECV_PID")
	wait_for 10 test -s "$TMP/$name.ready" || abort "receiver in vm2 did not start"
	ip netns exec "$(ns vm1)" "$PY" "$HERE/seq_udp.py" send 10.0.0.2 $UDP_PORT --report "$TMP/$name.send" \
		--rate "$RATE" --count "$count" ${until:+--until-file "$until"} --max-seconds 150 &
	SEND_PID=$!
	BG_PIDS+=("$SEND_PID")
	wait_for 10 at_least $((rx0 + RATE / 10)) counter /poolnet/tenants red rx ||
		abort "$name: the stream does not reach the switch"
}

# stream_check NAME: waits for both ends and checks the receiver's report.
stream_check() {
	local name=$1 sent got lost reord dups snderr txdrop
	local -a kd0 kd1
	wait "$SEND_PID" || abort "$name: sender failed"
	wait_for 15 test -s "$TMP/$name.recv" || { kill -TERM "$RECV_PID" 2>/dev/null || true; }
	wait "$RECV_PID" || true
	[ -s "$TMP/$name.recv" ] || abort "$name: no receiver report"
	log "$name sender:   $(cat "$TMP/$name.send")"
	log "$name receiver: $(cat "$TMP/$name.recv")"
	sent=$(json_field "$TMP/$name.send" sent)
	# From the sender's count: without END the receiver counts no loss
	# after the highest number it got.
	got=$(($(json_field "$TMP/$name.recv" unique) - $(json_field "$TMP/$name.recv" beyond_end)))
	lost=$((sent - got))
	reord=$(json_field "$TMP/$name.recv" reordered)
	dups=$(json_field "$TMP/$name.recv" duplicates)
	read -ra kd0 <<<"$KDROPS0"
	read -ra kd1 <<<"$(kernel_drops)"
	snderr=$(($(udp_stat vm1 SndbufErrors) - SNDERR0))
	txdrop=$(($(if_stat vm1 eth0 tx dropped) - TXDROP0))
	log "$name vm2 kernel: Udp InErrors +$((kd1[0] - kd0[0])), RcvbufErrors +$((kd1[1] - kd0[1])), eth0 rx dropped +$((kd1[2] - kd0[2])); vm1 kernel: SndbufErrors +$snderr, eth0 tx dropped +$txdrop"
	check "$name: the receiver saw the END of the stream" \
		[ "$(json_field "$TMP/$name.recv" end_seen)" = True ]
	check "$name: vm2's kernel dropped nothing (InErrors +$((kd1[0] - kd0[0])), RcvbufErrors +$((kd1[1] - kd0[1])), rx dropped +$((kd1[2] - kd0[2])))" \
		test "${kd1[0]}" -eq "${kd0[0]}" -a "${kd1[1]}" -eq "${kd0[1]}" -a "${kd1[2]}" -eq "${kd0[2]}"
	check "$name: $sent datagrams sent, $lost lost" [ "$lost" -eq 0 ]
	check "$name: $reord reordered" [ "$reord" -eq 0 ]
	check "$name: $dups duplicated" [ "$dups" -eq 0 ]
	STREAM_SENT=$sent
}

# grew NAME BEFORE AFTER: how much a value of sg_state grew in between.
grew() { echo $(($(field "$1" "$3") - $(field "$1" "$2"))); }

# verdicts_check NAME BEFORE AFTER: the stream's packets were accepted by
# both attachments, and none of red's packets was dropped, rejected or
# invalid in between. (Not absolute zeros: each tap's MLD reports, sent
# while it is still in the root namespace, are verdicts too.)
verdicts_check() {
	local name=$1 before=$2 after=$3 vm f d
	for vm in vm1 vm2; do
		d=$(grew "${vm}_accepted" "$before" "$after")
		check "$name: $vm's accepted statistic grew by $d ≥ $STREAM_SENT datagrams sent" \
			[ "$d" -ge "$STREAM_SENT" ]
		for f in dropped rejected invalid; do
			d=$(grew "${vm}_$f" "$before" "$after")
			check "$name: $vm's $f statistic did not move (+$d)" [ "$d" -eq 0 ]
		done
	done
	d=$(grew drops "$before" "$after")
	check "$name: poolnetd dropped none of red's packets (+$d)" [ "$d" -eq 0 ]
}

# --- setup -----------------------------------------------------------------

check "poolnetd --check accepts the config" \
	bash -c "'$POOLNETD' --check --config '$TMP/config.json' >'$TMP/check.log' 2>&1"
daemon_start "$TMP/config.json" --restconf-socket "$SOCK"
wait_for 10 test -S "$SOCK" || abort "no RESTCONF socket at $SOCK"

ns_add vm1 vm2
attach "${ID}a1" vm1 eth0 02:00:00:00:0b:01
attach "${ID}a2" vm2 eth0 02:00:00:00:0b:02
vm_addr vm1 eth0 10.0.0.1/24
vm_addr vm2 eth0 10.0.0.2/24
# Both MACs learned before the stream, so that its first datagram is not
# flooded: the session is then opened by both VMs' rules.
announce vm1 10.0.0.1
announce vm2 10.0.0.2
wait_for 10 mac_known 02:00:00:00:0B:01 vm1 || abort "vm1's MAC is not learned"
wait_for 10 mac_known 02:00:00:00:0B:02 vm2 || abort "vm2's MAC is not learned"

S_START=$(sg_state) || abort "GET red's state"
log "red's security state at start: $S_START"
for k in hits1 hits2 vm1_accepted vm2_accepted; do
	[ -n "$(field $k "$S_START")" ] || abort "no $k in red's state"
done

# --- phase 0: the stream alone ---------------------------------------------
log "phase 0: $CONTROL_COUNT datagrams at $RATE/s, no changes"
stream_start control "$CONTROL_COUNT"
stream_check control
S0=$(sg_state) || abort "GET red's state after phase 0"
log "after phase 0: $S0"
verdicts_check control "$S_START" "$S0"
for k in hits1 hits2; do
	d=$(grew $k "$S_START" "$S0")
	check "control: the accepting rule ($k) opened the stream's session (+$d hits)" [ "$d" -ge 1 ]
done

# --- phase 1: 230 rule changes ---------------------------------------------
log "phase 1: stream of at least $STREAM_MIN datagrams at $RATE/s, $CHANGES rule changes"
GEN1=$(generation) || abort "telemetry: no security generation"
red_config "$TMP/red.start.json" || abort "GET red's config before phase 1"
S1_BEFORE=$(sg_state) || abort "GET red's state before phase 1"
stream_start rules "$STREAM_MIN" "$TMP/rules.done"
t0=$SECONDS
for c in $(seq 1 $CYCLES); do
	rule_cycle "$c"
done
touch "$TMP/rules.done"
log "phase 1: $OK commits answered 2xx, $BAD not, in $((SECONDS - t0)) s; $(durations)"
check "phase 1: all $CHANGES rule changes applied ($OK 2xx, $BAD failed)" \
	test "$OK" -eq "$CHANGES" -a "$BAD" -eq 0
GEN2=$(generation) || abort "telemetry: no security generation"
check "phase 1: every commit changed the rules in force (generation $GEN1 → $GEN2, $CHANGES commits)" \
	[ $((GEN2 - GEN1)) -ge "$CHANGES" ]
stream_check rules
S1_AFTER=$(sg_state) || abort "GET red's state after phase 1"
log "after phase 1: $S1_AFTER"
verdicts_check rules "$S1_BEFORE" "$S1_AFTER"
# A session is re-checked by the rules on its first packet after each
# commit, and that counts a hit on the rule that accepts it: rule 100
# decides all but one of a cycle's commits in in-vm2 (rule 60 the other),
# all of them in out-vm1. At 2 datagrams a millisecond, a datagram follows
# nearly every commit: half of them is a loose floor.
for k in hits1 hits2; do
	d=$(grew $k "$S1_BEFORE" "$S1_AFTER")
	check "phase 1: the accepting rule's hits ($k) grew by $d ≥ $((CHANGES / 2)) re-checks" \
		[ "$d" -ge $((CHANGES / 2)) ]
done
red_config "$TMP/red.end.json" || abort "GET red's config after phase 1"
check "phase 1: red's config is back to the start after the cycles" \
	cmp -s "$TMP/red.start.json" "$TMP/red.end.json"

# --- phase 2: the negative control -----------------------------------------
log "phase 2: vm2's accepting rule becomes a drop under the stream"
stream_start deny "$RATE" "$TMP/deny.done"
in0=$(udp_stat vm2 InDatagrams)
wait_for 5 at_least $((in0 + RATE / 10)) udp_stat vm2 InDatagrams ||
	abort "deny: the stream does not reach vm2"
S2_BEFORE=$(sg_state) || abort "GET red's state before the denying commit"
a1_rx0=$(counter /poolnet/ports a1 rx)
t_req=$(date +%s%N)
code=$(rc PATCH "$G2/rule=100" "$(rule_body '{"sequence":100,"action":"drop"}')")
t_done=$(date +%s%N)
check "deny: PATCH in-vm2 rule 100 action drop answers 2xx ($code in $(((t_done - t_req) / 1000000)) ms)" \
	[ "${code:0:1}" = 2 ]
# Watch vm2's UDP InDatagrams for 2.5 s; note when it last moved.
in_commit=$(udp_stat vm2 InDatagrams)
in_prev=$in_commit
last_move=$t_done
while [ "$(date +%s%N)" -lt $((t_done + 2500000000)) ]; do
	v=$(udp_stat vm2 InDatagrams)
	if [ "$v" != "$in_prev" ]; then
		in_prev=$v
		last_move=$(date +%s%N)
	fi
	sleep 0.05
done
a1_rx=$(counter /poolnet/ports a1 rx)
log "deny: vm2's Udp InDatagrams moved by $((in_prev - in_commit)) after the commit's reply$([ "$last_move" = "$t_done" ] || echo ", the last time $(((last_move - t_done) / 1000000)) ms after it"); port a1 received $((a1_rx - a1_rx0)) packets meanwhile"
check "deny: vm2 received nothing later than 1 s after the commit ($([ "$last_move" = "$t_done" ] && echo "nothing after the reply" || echo "the last $(((last_move - t_done) / 1000000)) ms after"))" \
	[ $((last_move - t_done)) -lt 1000000000 ]
check "deny: vm1 kept sending ($((a1_rx - a1_rx0)) packets into port a1 in the 2.5 s)" \
	[ $((a1_rx - a1_rx0)) -ge "$RATE" ]
S2_AFTER=$(sg_state) || abort "GET red's state after the denying commit"
log "after the denying commit: $S2_AFTER"
# The first datagram after the commit is re-checked and denied by rule 100,
# which kills the session; the later ones meet the killed session and are
# refused as invalid for it.
d=$(grew vm2_dropped "$S2_BEFORE" "$S2_AFTER")
check "deny: vm2's dropped statistic moved (+$d: the re-check)" [ "$d" -ge 1 ]
d=$(($(grew vm2_dropped "$S2_BEFORE" "$S2_AFTER") + $(grew vm2_invalid "$S2_BEFORE" "$S2_AFTER")))
check "deny: vm2's dropped and invalid statistics count the refused datagrams (+$d)" \
	[ "$d" -ge "$RATE" ]
d=$(($(grew sg_denied "$S2_BEFORE" "$S2_AFTER") + $(grew ct_invalid "$S2_BEFORE" "$S2_AFTER")))
check "deny: red's drops sg_denied and ct_invalid count them (+$d)" [ "$d" -ge "$RATE" ]
touch "$TMP/deny.done"
wait "$SEND_PID" || abort "deny: sender failed"
# END is denied too: the receiver stops on SIGTERM.
kill -TERM "$RECV_PID" 2>/dev/null || true
wait "$RECV_PID" || true
[ -s "$TMP/deny.recv" ] || abort "deny: no receiver report"
log "deny sender:   $(cat "$TMP/deny.send")"
log "deny receiver: $(cat "$TMP/deny.recv")"
sent=$(json_field "$TMP/deny.send" sent)
unique=$(json_field "$TMP/deny.recv" unique)
check "deny: $((sent - unique)) of $sent datagrams denied, none before the cut (lost $(json_field "$TMP/deny.recv" lost) below the highest received)" \
	[ "$(json_field "$TMP/deny.recv" lost)" -eq 0 -a "$unique" -lt "$sent" ]

daemon_stop
finish
