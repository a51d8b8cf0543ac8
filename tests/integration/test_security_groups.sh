#!/bin/bash
# Stateful security groups, the kernel stack as the VMs: vm-a's group lets
# vm-b (and only vm-b) reach its TCP 80 and ping it, over IPv4 and IPv6;
# everything else to vm-a is dropped by the ingress default, or rejected at
# once (TCP RST, ICMP unreachable) where a rule says reject. vm-a's own
# connections and pings get their replies with no rule, through the
# sessions they opened; an unsolicited ACK is dropped as invalid. A rule
# removed over RESTCONF stops its open connection within 1 s. The verdicts
# are counted (rule hits, attachment statistics, sessions, drop reasons on
# the tenant and the ports), and a bad rule set is refused with 400 and
# changes neither the config nor the forwarding.
#
#   vm-a 10.0.0.1 fd00::1 port a, group web, ingress-default drop
#        servers: http 80, 81, 82; nc 8080 (the long connection); udp 5353
#   vm-b 10.0.0.2 fd00::2 port b, no group (the client web names); http 8000
#   vm-c 10.0.0.3 fd00::3 port c, no group (a client web does not name)
#
# Every server on vm-a listens, so a connect that fails was stopped by the
# switch, not refused by vm-a's kernel.
TAG=sg
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh" "$@"

SOCK="$TMP/restconf.sock"
JSON='Content-Type: application/yang-data+json'
RED=poolnet:tenants/tenant=red
WEB=$RED/security-group=web
A_SG=$RED/attachment=vm-a/security
MARK="poolnet-sg-$ID" # what the http servers answer

cat >"$TMP/config.json" <<EOF
{
  "poolnet:ports": {"port": [
    {"name": "a", "devargs": "$(tap_devargs 0 "${ID}a")", "role": "access"},
    {"name": "b", "devargs": "$(tap_devargs 1 "${ID}b")", "role": "access"},
    {"name": "c", "devargs": "$(tap_devargs 2 "${ID}c")", "role": "access"}]},
  "poolnet:tenants": {"tenant": [
    {"name": "red", "id": 1,
     "security-group": [{"name": "web", "rule": [
       {"sequence": 10, "direction": "ingress", "action": "accept", "protocol": "tcp",
        "source-prefix": "10.0.0.2/32", "destination-port": {"lower": 80}},
       {"sequence": 11, "direction": "ingress", "action": "accept", "protocol": "tcp",
        "source-prefix": "fd00::2/128", "destination-port": {"lower": 80}},
       {"sequence": 20, "direction": "ingress", "action": "accept", "protocol": "icmp",
        "source-prefix": "10.0.0.2/32", "icmp": {"type": 8}},
       {"sequence": 21, "direction": "ingress", "action": "accept", "protocol": "icmpv6",
        "source-prefix": "fd00::2/128", "icmp": {"type": 128}},
       {"sequence": 30, "direction": "ingress", "action": "reject", "protocol": "tcp",
        "destination-port": {"lower": 82}},
       {"sequence": 31, "direction": "ingress", "action": "reject", "protocol": "udp",
        "destination-port": {"lower": 5353}},
       {"sequence": 40, "direction": "ingress", "action": "accept", "protocol": "tcp",
        "source-prefix": "10.0.0.2/32", "destination-port": {"lower": 8080}}]}],
     "connection-tracking": {"session-limit": 1024},
     "attachment": [
       {"name": "vm-a", "port": "a", "security": {"group": ["web"],
        "ingress-default": "drop", "egress-default": "accept"}},
       {"name": "vm-b", "port": "b"},
       {"name": "vm-c", "port": "c"}]}]}
}
EOF

# --- RESTCONF --------------------------------------------------------------

# state PATH: the operational state at /restconf/data/PATH, as JSON; fails
# (saying why on stderr) when the server has none there.
state() {
	local out status
	out=$(curl -s --max-time 5 --unix-socket "$SOCK" -w '\n%{http_code}' \
		"http://localhost/restconf/data/$1?content=nonconfig")
	status=${out##*$'\n'}
	out=${out%$'\n'*}
	if [ "$status" != 200 ]; then
		log "GET $1: status $status: $(head -c 300 <<<"$out")" >&2
		return 1
	fi
	printf '%s\n' "$out"
}

# num PATH: the number in the state leaf PATH (nothing, failing, if absent).
num() {
	state "$1" | "$PY" -c '
import json, sys
(v,) = json.load(sys.stdin).values()
print(int(v))' 2>/dev/null
}

hits() { num "$WEB/rule=$1/hits"; }
a_stat() { num "$A_SG/statistics/$1"; }
# a_denied: vm-a's dropped and invalid packets (a connection its new rules
# deny is dropped, then, if its session is gone, invalid).
a_denied() {
	local d i
	d=$(a_stat dropped) && i=$(a_stat invalid) && echo $((d + i))
}
tenant_drop() { num "$RED/statistics/drop=$1/packets"; }

# ports_drop REASON: the packets dropped for REASON, summed over the ports.
ports_drop() {
	state poolnet:ports | "$PY" -c '
import json, sys
ports = json.load(sys.stdin)["poolnet:ports"]["port"]
print(sum(int(d["packets"]) for p in ports
          for d in p.get("statistics", {}).get("drop", []) if d["reason"] == sys.argv[1]))' \
		"$1" 2>/dev/null
}

# session_of PROTO SRC DST DPORT STATE: red tracks such a session. (A
# RESTCONF path names a list entry by its key: GET the container.)
session_of() {
	state "$RED/connection-tracking" | "$PY" -c '
import json, sys
proto, src, dst, dport, st = sys.argv[1:]
for s in json.load(sys.stdin)["poolnet:connection-tracking"].get("session", []):
    if (str(s.get("protocol")) == proto and s.get("source-address") == src and
            s.get("destination-address") == dst and
            str(s.get("destination-port")) == dport and s.get("state") == st):
        sys.exit(0)
sys.exit(1)' "$@" 2>/dev/null
}

# config_snapshot FILE: the running config (GET content=config) and the
# saved running.json, as FILE.get and FILE.file.
config_snapshot() {
	curl -sf --max-time 5 --unix-socket "$SOCK" -o "$1.get" \
		"http://localhost/restconf/data?content=config" &&
		cp "$TMP/state/running.json" "$1.file"
}
config_unchanged() {
	cmp -s "$TMP/before.get" "$TMP/after.get" && cmp -s "$TMP/before.file" "$TMP/after.file"
}

# error_at NODE: the last reply is an invalid-value error whose error-path
# ends in NODE.
error_at() {
	"$PY" - "$1" "$TMP/rc.out" <<'PYEOF'
import json, sys
error = json.load(open(sys.argv[2]))["ietf-restconf:errors"]["error"][0]
assert error["error-tag"] == "invalid-value", error
assert error["error-path"].endswith(sys.argv[1]), error
PYEOF
}

# refused DESC METHOD PATH BODY NODE: the write gets 400 invalid-value at
# NODE, and leaves the running and the saved config as they were.
refused() {
	local desc=$1 method=$2 path=$3 body=$4 node=$5 status
	config_snapshot "$TMP/before" || abort "read the config before: $desc"
	status=$(rc "$method" "$path" "$body")
	config_snapshot "$TMP/after" || abort "read the config after: $desc"
	if [ "$status" != 400 ]; then
		fail "$desc: status $status, want 400: $(head -c 300 "$TMP/rc.out")"
	elif ! error_at "$node" 2>/dev/null; then
		fail "$desc: no invalid-value error at $node: $(head -c 300 "$TMP/rc.out")"
	elif ! config_unchanged; then
		fail "$desc: the running config changed"
	else
		pass "$desc (400 at .../$node, config unchanged)"
	fi
}

# --- traffic ---------------------------------------------------------------

# now_us: the time in microseconds (EPOCHREALTIME without its separator).
now_us() {
	local t=$EPOCHREALTIME
	echo "${t//[!0-9]/}"
}

# listening NS PROTO PORT: something in the namespace listens there.
listening() {
	local flag=-t
	[ "$2" = udp ] && flag=-u
	[ -n "$(in_ns "$1" ss -Hln "$flag" "sport = :$3")" ]
}

# serve NS PORT: a dual-stack http server answering $MARK on PORT.
serve() {
	in_ns "$1" "$PY" -m http.server "$2" --bind :: --directory "$TMP/www" \
		>"$TMP/http-$1-$2.log" 2>&1 &
	BG_PIDS+=($!)
	disown # killed by cleanup, unreported
	wait_for 10 listening "$1" tcp "$2" || abort "http server on $1:$2 did not start"
}

# http_ok NS URL: an http GET gets $MARK back.
http_ok() {
	[[ "$(in_ns "$1" curl -s -g --noproxy '*' --max-time 3 "$2")" == *"$MARK"* ]]
}

# connect NS ADDR PORT: one TCP connect with a 2 s timeout; sets CONNECT to
# open, refused, timeout or the error, and CONNECT_MS to how long it took.
connect() {
	local t0 out
	t0=$(now_us)
	out=$(in_ns "$1" nc -v -z -w 2 "$2" "$3" 2>&1)
	CONNECT_MS=$((($(now_us) - t0) / 1000))
	case "$out" in
	*succeeded*) CONNECT=open ;;
	*refused*) CONNECT=refused ;;
	*"timed out"*) CONNECT=timeout ;;
	*) CONNECT="error: $out" ;;
	esac
}

# connect_is WANT NS ADDR PORT: the connect ends as WANT (open, refused,
# timeout); fails with what happened instead.
connect_is() {
	local want=$1
	shift
	connect "$@"
	[ "$CONNECT" = "$want" ] && return 0
	log "$1 → $2 port $3: $CONNECT after $CONNECT_MS ms, want $want"
	return 1
}

# refused_within MS: the last connect was refused in less than MS ms.
refused_within() { [ "$CONNECT" = refused ] && [ "$CONNECT_MS" -lt "$1" ]; }

probe() { in_ns "$1" "$PY" "$HERE/sg_probe.py" "${@:2}"; }

# v6_on NS ADDR/LEN: IPv6 on the VM's eth0 with ADDR, no DAD, no router
# solicitations (lib.sh's namespaces start with IPv6 off).
v6_on() {
	in_ns "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 \
		net.ipv6.conf.eth0.accept_dad=0 net.ipv6.conf.eth0.router_solicitations=0 \
		net.ipv6.conf.eth0.disable_ipv6=0 >/dev/null || abort "enable IPv6 in $1"
	ip -n "$(ns "$1")" -6 addr add "$2" dev eth0 nodad || abort "address $2 on $1"
}

# --- start -----------------------------------------------------------------

check "poolnetd --check accepts the config" \
	bash -c "'$POOLNETD' --check --config '$TMP/config.json' >'$TMP/check.log' 2>&1"
daemon_start "$TMP/config.json" --restconf-socket "$SOCK"

ns_add a b c
attach "${ID}a" a eth0 02:00:00:00:05:01
attach "${ID}b" b eth0 02:00:00:00:05:02
attach "${ID}c" c eth0 02:00:00:00:05:03
vm_addr a eth0 10.0.0.1/24
vm_addr b eth0 10.0.0.2/24
vm_addr c eth0 10.0.0.3/24

mkdir -p "$TMP/www" && echo "$MARK" >"$TMP/www/index.html"
for port in 80 81 82; do serve a $port; done
serve b 8000
in_ns a nc -lk 8080 >"$TMP/stream.txt" 2>/dev/null &
BG_PIDS+=($!)
disown # killed by cleanup, unreported
in_ns a nc -lu 5353 >"$TMP/udp.txt" 2>/dev/null &
BG_PIDS+=($!)
disown # killed by cleanup, unreported
wait_for 10 listening a tcp 8080 || abort "nc on a:8080 did not start"
wait_for 10 listening a udp 5353 || abort "nc on a:5353 did not start"

# --- 1. ingress to vm-a: accept, drop, reject --------------------------------
log "1. ingress rules of vm-a"
check "vm-b pings vm-a (rule 20: icmp echo from 10.0.0.2)" ping_ok b 10.0.0.1
check "vm-b → vm-a:80 gets the server's answer (rule 10)" \
	wait_for 10 http_ok b http://10.0.0.1:80/
check "vm-c → vm-a:80 times out (10.0.0.3 is not in rule 10)" connect_is timeout c 10.0.0.1 80
check "vm-c → vm-b:8000 connects (vm-b has no group: not filtered)" \
	connect_is open c 10.0.0.2 8000

dropped0=$(a_stat dropped)
check "vm-b → vm-a:81 times out (ingress default drop)" connect_is timeout b 10.0.0.1 81
check "vm-a's dropped statistic moved" \
	wait_for 3 at_least $((${dropped0:-0} + 1)) a_stat dropped

rejected0=$(a_stat rejected)
connect b 10.0.0.1 82
check "vm-b → vm-a:82 is refused at once by a RST (rule 30): $CONNECT after $CONNECT_MS ms" \
	refused_within 500
check "vm-a's rejected statistic moved" \
	wait_for 3 at_least $((${rejected0:-0} + 1)) a_stat rejected

answer=$(probe b udp 10.0.0.1 5353)
log "udp to vm-a:5353 answered: $answer"
check "vm-b's UDP to vm-a:5353 gets an ICMP port unreachable from 10.0.0.1 (rule 31)" \
	[ "$answer" = "icmp 3 3 10.0.0.1" ]
check "vm-a's UDP server on 5353 received nothing" [ ! -s "$TMP/udp.txt" ]
check "vm-a's rejected statistic counts both rejects" \
	wait_for 3 at_least $((${rejected0:-0} + 2)) a_stat rejected

# --- 2. vm-a's own connections: replies through their sessions ----------------
log "2. return traffic with no rule"
check "vm-a → vm-b:8000 gets the answer (egress accept, reply by session)" \
	wait_for 10 http_ok a http://10.0.0.2:8000/
check "vm-a pings vm-b: the echo replies need no ingress rule" ping_ok a 10.0.0.2
check "vm-c cannot ping vm-a (no rule for 10.0.0.3)" ping_fails c 10.0.0.1

invalid0=$(a_stat invalid)
ct_invalid0=$(tenant_drop ct_invalid)
answer=$(probe b ack 10.0.0.1 80 --timeout 1)
check "an ACK of no connection to vm-a:80 does not reach vm-a (answer: $answer)" \
	[ "$answer" = none ]
check "vm-a's invalid statistic moved" \
	wait_for 3 at_least $((${invalid0:-0} + 1)) a_stat invalid
check "tenant red counts it as ct_invalid" \
	wait_for 3 at_least $((${ct_invalid0:-0} + 1)) tenant_drop ct_invalid

# --- 3. IPv6: the same rules ---------------------------------------------------
log "3. IPv6"
v6_on a fd00::1/64
v6_on b fd00::2/64
v6_on c fd00::3/64
check "vm-b pings6 vm-a (rule 21: icmpv6 echo from fd00::2)" ping_ok b fd00::1
check "vm-b → [fd00::1]:80 gets the server's answer (rule 11)" \
	wait_for 10 http_ok b 'http://[fd00::1]:80/'
check "vm-b → [fd00::1]:81 times out (ingress default drop)" connect_is timeout b fd00::1 81
check "vm-c → [fd00::1]:80 times out (fd00::3 is not in rule 11)" \
	connect_is timeout c fd00::1 80
check "vm-a → [fd00::2]:8000 gets the answer (reply by session)" \
	wait_for 10 http_ok a 'http://[fd00::2]:8000/'
check "vm-a pings6 vm-b: the echo replies need no ingress rule" ping_ok a fd00::2
check "vm-c cannot ping6 vm-a (no rule for fd00::3)" ping_fails c fd00::1

# --- 4. a long connection, then its rule removed -------------------------------
log "4. vm-b → vm-a:8080, a line every 100 ms (rule 40)"
in_ns b bash -c 'while :; do echo "$EPOCHREALTIME"; sleep 0.1; done | nc 10.0.0.1 8080' \
	2>/dev/null &
STREAM_PID=$!
BG_PIDS+=("$STREAM_PID")
disown # killed by cleanup, unreported

# last_sent: when the newest line vm-a received was sent, in microseconds.
last_sent() {
	local t
	t=$(tail -n 2 "$TMP/stream.txt" | grep -E '^[0-9]+[.,][0-9]{6}$' | tail -n 1)
	[ -n "$t" ] && echo "${t//[!0-9]/}"
}
stream_flows() {
	local t
	t=$(last_sent) && [ $(($(now_us) - t)) -lt 500000 ] &&
		[ "$(wc -l <"$TMP/stream.txt")" -ge 10 ]
}
check "the stream flows: 10 lines, the newest sent less than 0.5 s ago" \
	wait_for 10 stream_flows

# --- 5. counters, while the stream's connection is open ------------------------
log "5. counters over RESTCONF"
for r in 10 11 20 21 30 31 40; do
	v=$(hits $r)
	check "rule $r hits = ${v:-none} > 0" is_positive "$v"
done
lines=$(wc -l <"$TMP/stream.txt")
v=$(hits 40)
check "rule 40 decided the connection's SYN only: ${v:-none} hits for $lines lines" \
	bash -c '[ -n "$1" ] && [ "$1" -le 3 ] && [ "$2" -ge 10 ]' _ "$v" "$lines"
for s in accepted dropped rejected invalid; do
	v=$(a_stat $s)
	check "vm-a's $s = ${v:-none} > 0" is_positive "$v"
done
v=$(num "$RED/connection-tracking/session-count")
check "session-count = ${v:-none} > 0 while the stream is open" is_positive "$v"
check "the stream's session is listed, established" \
	session_of 6 10.0.0.2 10.0.0.1 8080 established
for reason in sg_denied sg_rejected ct_invalid; do
	v=$(tenant_drop $reason)
	check "tenant red drop $reason = ${v:-none} > 0" is_positive "$v"
done
for reason in sg_denied sg_rejected; do
	v=$(ports_drop $reason)
	check "the ports' drop $reason = ${v:-none} > 0" is_positive "$v"
done
for reason in sg_denied sg_rejected ct_invalid ct_full; do
	log "port drops $reason: $(ports_drop $reason)"
done

# --- 4, continued: rule 40 removed under the open connection --------------------
log "4. rule 40 removed over RESTCONF"
denied0=$(a_denied)
t_req=$(now_us)
status=$(rc DELETE "$WEB/rule=40")
t_del=$(now_us)
check "DELETE rule 40: 204 in $(((t_del - t_req) / 1000)) ms" [ "$status" = 204 ]
cutoff=$((t_del + 1000000))
# Watch 2.5 s: a line sent more than 1 s after the change must never arrive.
late=0
while [ "$(now_us)" -lt $((t_del + 2500000)) ]; do
	t=$(last_sent) && [ "$t" -gt "$cutoff" ] && late=1 && break
	sleep 0.1
done
t=$(last_sent)
log "the last line vm-a received was sent $(((${t:-0} - t_del) / 1000)) ms after the change"
if kill -0 "$STREAM_PID" 2>/dev/null; then
	log "vm-b is still sending"
else
	log "vm-b's connection ended"
fi
check "no line sent later than 1 s after the change reached vm-a" [ "$late" = 0 ]
check "vm-a's dropped or invalid statistic moved (vm-b's segments)" \
	wait_for 3 at_least $((${denied0:-0} + 1)) a_denied
check "a new connect to vm-a:8080 times out" connect_is timeout b 10.0.0.1 8080

# --- 6. bad rule sets ------------------------------------------------------------
log "6. bad rule sets over RESTCONF"
# Valid rules (one opening vm-a:81 to the whole subnet) around a bad one: a
# partial apply would open 81.
refused "a rule set with a prefix with host bits" PUT "$WEB" '{"poolnet:security-group": [
	{"name": "web", "rule": [
	  {"sequence": 5, "direction": "ingress", "protocol": "tcp",
	   "source-prefix": "10.0.0.0/24", "destination-port": {"lower": 81}},
	  {"sequence": 10, "direction": "ingress", "protocol": "tcp",
	   "source-prefix": "10.0.0.2/16", "destination-port": {"lower": 80}}]}]}' \
	"rule[sequence='10']/source-prefix"
refused "a rule with ports but protocol icmp" PATCH "$WEB" '{"poolnet:security-group": [
	{"name": "web", "rule": [
	  {"sequence": 5, "direction": "ingress", "protocol": "icmp",
	   "destination-port": {"lower": 81}}]}]}' \
	"rule[sequence='5']/destination-port"
check "vm-b → vm-a:80 still gets the answer" wait_for 10 http_ok b http://10.0.0.1:80/
check "vm-b → vm-a:81 still times out" connect_is timeout b 10.0.0.1 81

daemon_stop
finish
