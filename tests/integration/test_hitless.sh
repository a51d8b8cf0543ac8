#!/bin/bash
# Hitless configuration: tenant red's sequenced UDP stream (vm1 → vm2,
# untagged) loses, reorders and duplicates nothing while
#   phase 0 (control) nothing changes — proves the rate is sustainable here;
#   phase 1 200 RESTCONF changes create, grow, shrink and delete tenant blue
#           (attachments, VLANs, remote VTEPs, static MACs, MAC ageing; one
#           in 20 a PUT of the whole datastore) and add and remove blue's
#           ports (net_tap devargs);
#   phase 2 80 changes add and remove red's *other* attachments (another
#           port, a VLAN on the sender's own port, a port created for it;
#           one in 8 a PUT of red as a whole).
# The receiver's kernel counters (/proc/net/snmp Udp InErrors/RcvbufErrors,
# the interface's rx drops) are read before and after each phase, so a drop
# in the VM's kernel is neither blamed on the switch nor hidden.
#
#   vm1 10.0.0.1 ── a1 ┐                 ┌ b1, b2 ── ns blue (quiet)
#   vm2 10.0.0.2 ── a2 ┼─ poolnetd ──────┼ b3, b4   created by the changes
#   vm3 10.0.0.3 ── a3 ┘  (a4 created)   └ u0 ── ns host2 (underlay, quiet)
TAG=hl
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh" "$@"
set -eE
# (in the main shell only: a command substitution just fails)
trap '[ "$BASHPID" = $$ ] && { fail "unexpected error (exit $?) at line $LINENO: $BASH_COMMAND"; finish; }' ERR
trap 'trap - ERR; set +e; cleanup' EXIT

RATE=${HITLESS_RATE:-2000}       # datagrams per second
CONTROL_COUNT=$((RATE * 5))      # phase 0: 5 s
STREAM_MIN=${HITLESS_COUNT:-20000} # phases 1 and 2 send at least this many
CHANGES=200     # phase 1, to blue (a multiple of 20)
RED_CHANGES=80  # phase 2, to red's other attachments (a multiple of 8)
UDP_PORT=9000
SOCK="$TMP/restconf.sock"
VM1=02:00:00:00:0a:01
VM2=02:00:00:00:0a:02
VM3=02:00:00:00:0a:03

cat >"$TMP/config.json" <<EOF
{
  "poolnet:ports": {"port": [
    {"name": "a1", "devargs": "$(tap_devargs 0 "${ID}a1")", "role": "access"},
    {"name": "a2", "devargs": "$(tap_devargs 1 "${ID}a2")", "role": "access"},
    {"name": "a3", "devargs": "$(tap_devargs 2 "${ID}a3")", "role": "access"},
    {"name": "b1", "devargs": "$(tap_devargs 3 "${ID}b1")", "role": "access"},
    {"name": "b2", "devargs": "$(tap_devargs 4 "${ID}b2")", "role": "access"},
    {"name": "u0", "devargs": "$(tap_devargs 5 "${ID}u0")", "role": "uplink"}]},
  "poolnet:underlay": {"local-vtep": "192.168.50.1", "prefix-length": 24,
                       "uplink-port": "u0"},
  "poolnet:tenants": {"tenant": [
    {"name": "red", "id": 1, "vni": 5001, "attachment": [
      {"name": "vm1", "port": "a1"},
      {"name": "vm2", "port": "a2"}]}]}
}
EOF

# The whole configuration after blue_cycle's 5th change.
cat >"$TMP/step6.json" <<EOF
{
  "poolnet:ports": {"port": [
    {"name": "a1", "devargs": "$(tap_devargs 0 "${ID}a1")", "role": "access"},
    {"name": "a2", "devargs": "$(tap_devargs 1 "${ID}a2")", "role": "access"},
    {"name": "a3", "devargs": "$(tap_devargs 2 "${ID}a3")", "role": "access"},
    {"name": "b1", "devargs": "$(tap_devargs 3 "${ID}b1")", "role": "access"},
    {"name": "b2", "devargs": "$(tap_devargs 4 "${ID}b2")", "role": "access"},
    {"name": "u0", "devargs": "$(tap_devargs 5 "${ID}u0")", "role": "uplink"},
    {"name": "b3", "devargs": "$(tap_devargs 6 "${ID}b3")", "role": "access"}]},
  "poolnet:underlay": {"local-vtep": "192.168.50.1", "prefix-length": 24,
                       "uplink-port": "u0"},
  "poolnet:tenants": {"tenant": [
    {"name": "red", "id": 1, "vni": 5001, "attachment": [
      {"name": "vm1", "port": "a1"},
      {"name": "vm2", "port": "a2"}]},
    {"name": "blue", "id": 2, "vni": 5002, "attachment": [
      {"name": "blue-1", "port": "b1"},
      {"name": "blue-2", "port": "b2", "vlan": 20},
      {"name": "blue-3", "port": "b3", "vlan": 30}],
     "remote-vtep": ["192.168.50.2"]}]}
}
EOF

# --- the changes -----------------------------------------------------------

T=poolnet:tenants
P=poolnet:ports
port_json() { # NAME TAPINDEX IFNAME
	echo "{\"poolnet:port\":[{\"name\":\"$1\",\"devargs\":\"$(tap_devargs "$2" "$3")\",\"role\":\"access\"}]}"
}
blue() { echo "{\"poolnet:tenant\":[{\"name\":\"blue\",$1}]}"; }
attachment() { # NAME PORT [VLAN]
	echo "{\"poolnet:attachment\":[{\"name\":\"$1\",\"port\":\"$2\"${3:+,\"vlan\":$3}}]}"
}

# blue_cycle C: 20 changes; tenant blue is absent before and after, ports b3
# and b4 too.
blue_cycle() {
	local c=$1
	apply POST "$P" "$(port_json b3 6 "${ID}b3")"
	apply POST "$T" "$(blue '"id":2,"vni":5002,"attachment":[{"name":"blue-1","port":"b1"}]')"
	apply POST "$T/tenant=blue" "$(attachment blue-2 b2 20)"
	apply PATCH "$T/tenant=blue" "$(blue '"attachment":[{"name":"blue-3","port":"b3","vlan":30}]')"
	apply PATCH "$T/tenant=blue" "$(blue '"remote-vtep":["192.168.50.2"]')"
	# the whole datastore replaced, as a controller does: only blue differs
	apply PUT "" "$(sed 's/"192.168.50.2"\]/"192.168.50.2", "192.168.50.3"]/' "$TMP/step6.json")"
	apply PATCH "$T/tenant=blue" "$(blue '"static-mac":[{"mac":"02:00:00:0b:00:01","attachment":"blue-1"}]')"
	apply PATCH "$T/tenant=blue" "$(blue '"static-mac":[{"mac":"02:00:00:0b:00:02","remote-vtep":"192.168.50.2"}]')"
	apply PATCH "$T/tenant=blue" "$(blue "\"mac-ageing-time\":$((60 + c))")"
	apply PUT "$T/tenant=blue/attachment=blue-2" "$(attachment blue-2 b2 21)"
	apply POST "$P" "$(port_json b4 7 "${ID}b4")"
	apply PUT "$T/tenant=blue/attachment=blue-3" "$(attachment blue-3 b4 31)"
	apply DELETE "$P/port=b3"
	apply DELETE "$T/tenant=blue/static-mac=02%3A00%3A00%3A0b%3A00%3A02"
	apply DELETE "$T/tenant=blue/remote-vtep=192.168.50.2"
	apply DELETE "$T/tenant=blue/static-mac=02%3A00%3A00%3A0b%3A00%3A01"
	apply DELETE "$T/tenant=blue/attachment=blue-3"
	apply DELETE "$P/port=b4"
	apply DELETE "$T/tenant=blue/attachment=blue-2"
	apply DELETE "$T/tenant=blue"
}

red() { echo "{\"poolnet:tenant\":[{\"name\":\"red\",$1}]}"; }

# red_cycle: 8 changes to red's attachments other than vm1 and vm2 (one on
# the sender's own port, on a VLAN), and a port created and removed for red.
red_cycle() {
	# red replaced as a whole: vm1 and vm2 as they are, vm3 added
	apply PUT "$T/tenant=red" "$(red '"id":1,"vni":5001,"attachment":[{"name":"vm1","port":"a1"},{"name":"vm2","port":"a2"},{"name":"vm3","port":"a3"}]')"
	apply POST "$T/tenant=red" "$(attachment vm1-v10 a1 10)"
	apply POST "$P" "$(port_json a4 8 "${ID}a4")"
	apply PATCH "$T/tenant=red" "$(red '"attachment":[{"name":"vm4","port":"a4","vlan":40}]')"
	apply DELETE "$T/tenant=red/attachment=vm1-v10"
	apply DELETE "$T/tenant=red/attachment=vm4"
	apply DELETE "$P/port=a4"
	apply DELETE "$T/tenant=red/attachment=vm3"
}

# --- the stream ------------------------------------------------------------

# udp_stat NS FIELD: a field of the Udp line of the namespace's /proc/net/snmp.
udp_stat() {
	in_ns "$1" awk -v f="$2" '$1 == "Udp:" && !h {for (i = 2; i <= NF; i++) n[i] = $i; h = 1; next}
		$1 == "Udp:" {for (i = 2; i <= NF; i++) if (n[i] == f) print $i}' /proc/net/snmp
}
# if_stat NS IFNAME rx|tx FIELD: an interface counter (statistics/FIELD).
if_stat() { in_ns "$1" cat "/sys/class/net/$2/statistics/$3_$4"; }

# kernel_drops: VM2's kernel-side drops so far, one number per kind.
kernel_drops() {
	echo "$(udp_stat vm2 InErrors) $(udp_stat vm2 RcvbufErrors) $(if_stat vm2 eth0 rx dropped)"
}

json_field() { "$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$@"; }

# stream_start NAME MIN_COUNT [UNTIL_FILE]: receiver in vm2, sender in vm1.
stream_start() {
	local name=$1 count=$2 until=${3:-}
	KDROPS0=$(kernel_drops)
	RED_RX0=$(counter /poolnet/tenants red rx)
	RED_DROPS0=$(counter /poolnet/tenants red drops)
	SNDERR0=$(udp_stat vm1 SndbufErrors)
	TXDROP0=$(if_stat vm1 eth0 tx dropped)
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
	# the changes start once the stream flows through the switch
	wait_for 10 at_least $((RED_RX0 + RATE / 10)) counter /poolnet/tenants red rx ||
		abort "$name: the stream does not reach the switch"
}

# stream_check NAME: waits for both ends and checks the receiver's report.
stream_check() {
	local name=$1 sent lost reord dups snderr txdrop drops
	local -a kd0 kd1
	wait "$SEND_PID" || abort "$name: sender failed"
	wait_for 15 test -s "$TMP/$name.recv" || { kill -TERM "$RECV_PID" 2>/dev/null || true; }
	wait "$RECV_PID" || true
	[ -s "$TMP/$name.recv" ] || abort "$name: no receiver report"
	log "$name sender:   $(cat "$TMP/$name.send")"
	log "$name receiver: $(cat "$TMP/$name.recv")"
	sent=$(json_field "$TMP/$name.send" sent)
	lost=$(json_field "$TMP/$name.recv" lost)
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
	drops=$(counter /poolnet/tenants red drops)
	check "$name: poolnetd dropped none of red's packets ($RED_DROPS0 → $drops)" \
		[ "$drops" -eq "$RED_DROPS0" ]
	check "$name: $reord reordered" [ "$reord" -eq 0 ]
	check "$name: $dups duplicated" [ "$dups" -eq 0 ]
}

# red_counters: red's counters in poolnetd, and its drop reasons that are not 0.
red_counters() { telemetry /poolnet/tenants | "$PY" -c '
import json, sys
t = json.load(sys.stdin).get("red", {})
drops = {k: v for k, v in (t.get("drop") or {}).items() if v}
print("rx %s, tx %s, flooded %s, drops %s %s" % (t.get("rx"), t.get("tx"),
      t.get("flooded"), t.get("drops"), drops or ""))'; }

# --- setup -----------------------------------------------------------------

daemon_start "$TMP/config.json" --restconf-socket "$SOCK"
wait_for 10 test -S "$SOCK" || abort "no RESTCONF socket at $SOCK"

ns_add vm1 vm2 vm3 blue host2
attach "${ID}a1" vm1 eth0 $VM1
attach "${ID}a2" vm2 eth0 $VM2
attach "${ID}a3" vm3 eth0 $VM3
attach "${ID}b1" blue eth0
attach "${ID}b2" blue eth1
attach "${ID}u0" host2 eth0
vm_addr vm1 eth0 10.0.0.1/24
vm_addr vm2 eth0 10.0.0.2/24
vm_addr vm3 eth0 10.0.0.3/24

check "vm1 → vm2 ping" ping_ok vm1 10.0.0.2
check "vm2 → vm1 ping" ping_ok vm2 10.0.0.1
code=$(rc GET "$T?content=config")
check "GET tenants answers 200 ($code)" [ "$code" = 200 ]
log "red before: $(red_counters)"

# --- phase 0: the stream alone ---------------------------------------------
log "phase 0: $CONTROL_COUNT datagrams at $RATE/s, no changes"
stream_start control "$CONTROL_COUNT"
stream_check control

# --- phase 1: 200 changes to tenant blue -----------------------------------
log "phase 1: stream of at least $STREAM_MIN datagrams at $RATE/s, $CHANGES changes to blue"
stream_start blue "$STREAM_MIN" "$TMP/blue.done"
t0=$SECONDS
for c in $(seq 1 $((CHANGES / 20))); do
	blue_cycle "$c"
done
touch "$TMP/blue.done"
log "phase 1: $OK changes answered 2xx, $BAD not, in $((SECONDS - t0)) s; $(durations)"
check "phase 1: all $CHANGES changes to blue applied ($OK 2xx, $BAD failed)" \
	test "$OK" -eq "$CHANGES" -a "$BAD" -eq 0
stream_check blue
code=$(rc GET "$T/tenant=blue?content=config")
check "blue is gone at the end of the cycles (GET → $code)" [ "$code" = 404 ]
code=$(rc GET "$P/port=b3?content=config")
check "port b3 is gone at the end of the cycles (GET → $code)" [ "$code" = 404 ]
check "the tap of port b3 is gone" wait_for 5 bash -c "! ip link show dev ${ID}b3"
log "red after phase 1: $(red_counters)"

# --- phase 2: red's other attachments --------------------------------------
OK=0
BAD=0
log "phase 2: stream of at least $STREAM_MIN datagrams, $RED_CHANGES changes to red's other attachments"
stream_start red "$STREAM_MIN" "$TMP/red.done"
t0=$SECONDS
for c in $(seq 1 $((RED_CHANGES / 8))); do
	red_cycle
done
touch "$TMP/red.done"
log "phase 2: $OK changes answered 2xx, $BAD not, in $((SECONDS - t0)) s; $(durations)"
check "phase 2: all $RED_CHANGES changes to red applied ($OK 2xx, $BAD failed)" \
	test "$OK" -eq "$RED_CHANGES" -a "$BAD" -eq 0
stream_check red
log "red after phase 2: $(red_counters)"

check "vm1 → vm2 ping after all changes" ping_ok vm1 10.0.0.2
daemon_stop
finish
