# shellcheck shell=bash
# Shared helpers for poolnet's integration tests; sourced by test_*.sh.
#
# A test sets TAG (a short name, at most 4 characters: it prefixes tap and
# namespace names) and sources this file with poolnetd's path as $1. Every
# name a test creates carries "$TAG" and the worker count, so a test can run
# beside another one and a crashed run's leftovers are found and removed.
#
#   TAG=l2; . "$(dirname "$0")/lib.sh" "$@"
#
# Synchronisation is always by polling a condition with a bound (wait_for),
# never by a bare sleep.

set -uo pipefail

POOLNETD=${1:?usage: $0 PATH_TO_POOLNETD}
POOLNETD=$(readlink -f "$POOLNETD")
POOLNET_SRC=${POOLNET_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
WORKERS=${POOLNET_WORKERS:-1}
# How long an idle worker sleeps (poolnetd's default unless set): the VMs
# are the kernel stack, on the same few cores.
IDLE_SLEEP_US=${POOLNET_IDLE_SLEEP_US:-}
PY=/usr/bin/python3 # Debian's, with scapy (python3 on PATH may be pyenv's)
TELEMETRY="$POOLNET_SRC/scripts/pn-telemetry"
# shellcheck disable=SC2034 # used by the tests
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

: "${TAG:?TAG must be set before sourcing lib.sh}"
ID="${TAG}w${WORKERS}"         # prefix of taps and namespaces, e.g. l2w1
DPDK_PREFIX="poolnet-test-$ID" # EAL --file-prefix
TMP=$(mktemp -d "/tmp/poolnet-$ID.XXXXXX")
DAEMON_PID=
DAEMON_LOG="$TMP/poolnetd.log"
CAPTURE_PIDS=()
BG_PIDS=() # helpers running in namespaces (vlan_vm.py)
PASSED=0
FAILED=0

log() { echo "# $*"; }

# --- results ---------------------------------------------------------------

pass() {
	PASSED=$((PASSED + 1))
	echo "ok   - $*"
}

fail() {
	FAILED=$((FAILED + 1))
	echo "FAIL - $*"
}

# check DESCRIPTION COMMAND...: passes when the command succeeds.
check() {
	local desc=$1
	shift
	if "$@"; then pass "$desc"; else fail "$desc"; fi
}

# check_not DESCRIPTION COMMAND...: passes when the command fails.
check_not() {
	local desc=$1
	shift
	if "$@"; then fail "$desc"; else pass "$desc"; fi
}

# finish: prints the tally and exits non-zero if anything failed.
finish() {
	echo "$PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ] && [ "$PASSED" -gt 0 ]
	exit $?
}

# abort MESSAGE: a step the rest of the test depends on failed.
abort() {
	fail "$*"
	if [ -s "$DAEMON_LOG" ]; then
		log "poolnetd log (last 30 lines):"
		tail -n 30 "$DAEMON_LOG" | sed 's/^/#   /'
	fi
	finish
}

# --- polling ---------------------------------------------------------------

# wait_for SECONDS COMMAND...: polls the command every 0.1 s until it
# succeeds (returns 0) or the time is up (returns 1).
wait_for() {
	local deadline=$((SECONDS + $1))
	shift
	while true; do
		"$@" >/dev/null 2>&1 && return 0
		[ "$SECONDS" -ge "$deadline" ] && return 1
		sleep 0.1
	done
}

# --- namespaces ------------------------------------------------------------

# ns NAME: the full namespace name of a test's short name.
ns() { echo "$ID-$1"; }

# in_ns NAME COMMAND...: runs a command inside the test's namespace NAME.
in_ns() {
	local n=$1
	shift
	ip netns exec "$ID-$n" "$@"
}

# ns_add NAME...: creates quiet namespaces: loopback up, IPv6 off (so no
# router solicitations or MLD reports move the counters under test).
ns_add() {
	local n
	for n in "$@"; do
		ip netns add "$ID-$n" || abort "create namespace $ID-$n"
		ip -n "$ID-$n" link set lo up
		in_ns "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 >/dev/null
	done
}

# ns_cleanup: removes every namespace of this test (also a crashed run's).
ns_cleanup() {
	local n
	for n in $(ip netns list | awk '{print $1}' | grep "^$ID-" || true); do
		ip netns pids "$n" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$n" 2>/dev/null
	done
}

iface_exists() { ip link show dev "$1" >/dev/null 2>&1; }

# attach TAP NS IFNAME [MAC]: moves a tap poolnetd created into namespace NS,
# renames it IFNAME and brings it up (a moved interface arrives down).
attach() {
	local tap=$1 n=$2 ifname=$3 mac=${4:-}
	wait_for 10 iface_exists "$tap" || abort "tap $tap does not exist"
	ip link set dev "$tap" netns "$ID-$n" || abort "move $tap to $ID-$n"
	ip -n "$ID-$n" link set dev "$tap" name "$ifname" || abort "rename $tap"
	in_ns "$n" sysctl -qw "net.ipv6.conf.$ifname.disable_ipv6=1" >/dev/null 2>&1
	if [ -n "$mac" ]; then
		ip -n "$ID-$n" link set dev "$ifname" address "$mac"
	fi
	ip -n "$ID-$n" link set dev "$ifname" up || abort "bring $ifname up in $n"
}

ns_iface_exists() { ip -n "$ID-$1" link show dev "$2" >/dev/null 2>&1; }

# vm_addr NS IFNAME ADDR/LEN [VLAN]: gives the VM its address, on a VLAN
# subinterface IFNAME.VLAN (with IFNAME's MAC) when VLAN is given.
# This kernel has no 802.1Q module, so the subinterface is vlan_vm.py's tap.
vm_addr() {
	local n=$1 ifname=$2 addr=$3 vlan=${4:-} mac
	if [ -n "$vlan" ]; then
		in_ns "$n" "$PY" "$HERE/vlan_vm.py" "$ifname" "$vlan" "$ifname.$vlan" &
		BG_PIDS+=($!)
		wait_for 10 ns_iface_exists "$n" "$ifname.$vlan" ||
			abort "vlan $vlan on $n/$ifname"
		mac=$(vm_mac "$n" "$ifname")
		ifname="$ifname.$vlan"
		ip -n "$ID-$n" link set dev "$ifname" address "$mac" up
	fi
	ip -n "$ID-$n" addr add "$addr" dev "$ifname" || abort "address $addr on $n"
}

# vm_mac NS IFNAME: the MAC address of an interface in a namespace.
vm_mac() { ip -n "$ID-$1" -br link show dev "$2" | awk '{print $3}'; }

# --- the daemon ------------------------------------------------------------

daemon_ready() { grep -q '^poolnetd: ready' "$DAEMON_LOG"; }

# daemon_launch [ARGS...]: starts poolnetd in the background with the test's
# prefix, workers and state directory, and waits (bounded, polling every
# 10 ms) until it prints "poolnetd: ready"; DAEMON_READY_AT is then the time
# (date +%s.%N) the ready line was first seen.
daemon_launch() {
	rm -rf "/var/run/dpdk/$DPDK_PREFIX"
	: >"$DAEMON_LOG"
	"$POOLNETD" --workers "$WORKERS" --no-huge \
		--file-prefix "$DPDK_PREFIX" --state-dir "${STATE_DIR:-$TMP/state}" \
		${IDLE_SLEEP_US:+--idle-sleep-us "$IDLE_SLEEP_US"} \
		"$@" >"$DAEMON_LOG" 2>&1 &
	DAEMON_PID=$!
	local deadline=$((SECONDS + 30))
	until daemon_ready; do
		if ! kill -0 "$DAEMON_PID" 2>/dev/null; then
			wait "$DAEMON_PID"
			local rc=$?
			DAEMON_PID=
			abort "poolnetd exited with $rc before it was ready"
		fi
		[ "$SECONDS" -ge "$deadline" ] && abort "poolnetd not ready within 30 s"
		sleep 0.01
	done
	DAEMON_READY_AT=$(date +%s.%N)
}

# daemon_start CONFIG [ARGS...]: daemon_launch with that configuration.
daemon_start() {
	local config=$1
	shift
	log "poolnetd --config $config --workers $WORKERS"
	daemon_launch --config "$config" "$@"
	pass "poolnetd started ($WORKERS worker(s))"
}

# daemon_stop: SIGTERM, then checks that poolnetd exits 0 within 10 s.
daemon_stop() {
	[ -n "$DAEMON_PID" ] || return 0
	local pid=$DAEMON_PID rc
	DAEMON_PID=
	kill -TERM "$pid" 2>/dev/null
	if wait_for 10 bash -c "! kill -0 $pid"; then
		wait "$pid"
		rc=$?
		if [ "$rc" -eq 0 ]; then
			pass "poolnetd exits 0 on SIGTERM"
		else
			fail "poolnetd exits 0 on SIGTERM (exit $rc)"
			tail -n 20 "$DAEMON_LOG" | sed 's/^/#   /'
		fi
	else
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		fail "poolnetd exits within 10 s of SIGTERM"
	fi
}

# --- telemetry -------------------------------------------------------------

# telemetry COMMAND[,PARAM]: the reply's value as one line of JSON.
telemetry() { "$PY" "$TELEMETRY" --prefix "$DPDK_PREFIX" "$1"; }

# counter COMMAND KEY...: one number from a telemetry reply, e.g.
# `counter /poolnet/tenants red drop double_tagged`. A missing key reads 0
# (a reason that never happened may be absent); no reply prints nothing and
# fails.
counter() {
	local cmd=$1
	shift
	telemetry "$cmd" | "$PY" -c '
import json, sys
v = json.load(sys.stdin)
for k in sys.argv[1:]:
    v = v.get(k, 0) if isinstance(v, dict) else 0
print(int(v))
' "$@"
}

# at_least MIN COMMAND...: the number the command prints is >= MIN; for
# wait_for, e.g. `wait_for 5 at_least 3 counter /poolnet/ports p1 rx`.
at_least() {
	local min=$1 v
	shift
	v=$("$@") || return 1
	[ -n "$v" ] && [ "$v" -ge "$min" ]
}

# is_positive N: N is a number above 0.
is_positive() { [ "${1:-0}" -gt 0 ] 2>/dev/null; }

# --- traffic ---------------------------------------------------------------

# ping_ok NS DST [ARGS...]: one ping answered within a bounded wait (the first
# ones may be lost to ARP and learning).
ping_once() {
	local n=$1 dst=$2
	shift 2
	in_ns "$n" ping -c 1 -W 1 -q "$@" "$dst" >/dev/null 2>&1
}
ping_ok() { wait_for 10 ping_once "$@"; }

# ping_fails NS DST [ARGS...]: three pings, none answered.
ping_fails() {
	local n=$1 dst=$2
	shift 2
	! in_ns "$n" ping -c 3 -i 0.3 -W 1 -q "$@" "$dst" >/dev/null 2>&1
}

# neigh_mac NS IP: the MAC a namespace resolved IP to (empty if none).
neigh_mac() {
	ip -n "$ID-$1" neigh show "$2" |
		awk '{for (i = 1; i < NF; i++) if ($i == "lladdr") {print $(i + 1); exit}}'
}

# capture_start NS IFNAME FILE [FILTER...]: starts tcpdump in a namespace and
# waits until it listens.
capture_start() {
	local n=$1 ifname=$2 file=$3
	shift 3
	in_ns "$n" tcpdump -i "$ifname" -U -n -w "$file" "$@" \
		>"$file.log" 2>&1 &
	CAPTURE_PIDS+=($!)
	wait_for 10 grep -q 'listening on' "$file.log" ||
		abort "tcpdump on $n/$ifname did not start"
}

# capture_stop_all: stops every capture and waits for its file to be flushed.
capture_stop_all() {
	local pid
	for pid in "${CAPTURE_PIDS[@]}"; do
		kill -INT "$pid" 2>/dev/null
	done
	for pid in "${CAPTURE_PIDS[@]}"; do
		wait_for 5 bash -c "! kill -0 $pid" || kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	CAPTURE_PIDS=()
}

# count_frames FILE [TSHARK_FILTER]: how many frames of a capture match.
count_frames() {
	local file=$1 filter=${2:-}
	if [ -n "$filter" ]; then
		tshark -r "$file" -Y "$filter" 2>/dev/null | wc -l
	else
		tshark -r "$file" 2>/dev/null | wc -l
	fi
}

# --- config ----------------------------------------------------------------

# --- RESTCONF (tests that set SOCK to poolnetd's --restconf-socket) ---------

# rc METHOD PATH [BODY]: one RESTCONF request on /restconf/data/PATH; prints
# the HTTP status (000 when there was no reply), keeps the body in $TMP/rc.out.
rc() {
	local method=$1 path=$2 body=${3:-}
	local args=(-sS -m 20 -o "$TMP/rc.out" -w '%{http_code}' --unix-socket "$SOCK"
		-X "$method")
	if [ -n "$body" ]; then
		args+=(-H 'Content-Type: application/yang-data+json' --data "$body")
	fi
	curl "${args[@]}" "http://localhost/restconf/data${path:+/$path}" 2>>"$TMP/curl.err" || true
}

# apply METHOD PATH [BODY]: one change; counts it in OK or BAD, logs the
# first failures with the server's reply, records its duration.
OK=0
BAD=0
apply() {
	local t0 t1 code
	t0=$(date +%s%N)
	code=$(rc "$@")
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000000)) >>"$TMP/durations"
	if [[ "$code" == 2?? ]]; then
		OK=$((OK + 1))
	else
		BAD=$((BAD + 1))
		if [ "$BAD" -le 5 ]; then
			log "change failed: $1 /$2 ${3:-} → $code $(head -c 400 "$TMP/rc.out" 2>/dev/null)"
		fi
	fi
}

# durations: min/median/max of the recorded change durations, then forgets them.
durations() {
	sort -n "$TMP/durations" | awk '{a[NR] = $1} END {
		if (NR) printf "min %d ms, median %d ms, max %d ms", a[1], a[int((NR + 1) / 2)], a[NR]}'
	rm -f "$TMP/durations"
}

# tap_devargs N IFNAME: devargs of the test's Nth tap port.
tap_devargs() { echo "net_tap$1,iface=$2"; }

# --- cleanup ---------------------------------------------------------------

cleanup() {
	local pid
	for pid in "${CAPTURE_PIDS[@]}" "${BG_PIDS[@]}"; do
		kill -KILL "$pid" 2>/dev/null
	done
	if [ -n "$DAEMON_PID" ]; then
		kill -TERM "$DAEMON_PID" 2>/dev/null
		wait_for 5 bash -c "! kill -0 $DAEMON_PID" ||
			kill -KILL "$DAEMON_PID" 2>/dev/null
		wait "$DAEMON_PID" 2>/dev/null
		DAEMON_PID=
	fi
	ns_cleanup
	rm -rf "/var/run/dpdk/$DPDK_PREFIX"
	if [ "${POOLNET_KEEP_TMP:-0}" = 1 ]; then
		echo "# kept $TMP"
	else
		rm -rf "$TMP"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" -eq 0 ] || {
	echo "SKIP: integration tests need root"
	exit 77
}
[ -x "$POOLNETD" ] || abort "no poolnetd at $POOLNETD"
ns_cleanup # leftovers of a crashed run

# daemon_start_saved [ARGS...]: daemon_launch without --config, so poolnetd
# loads the configuration saved in the state directory.
daemon_start_saved() {
	log "poolnetd (saved config in ${STATE_DIR:-$TMP/state}) --workers $WORKERS"
	daemon_launch "$@"
}

# daemon_kill9: kills poolnetd with SIGKILL at once and reaps it.
daemon_kill9() {
	[ -n "$DAEMON_PID" ] || return 0
	kill -KILL "$DAEMON_PID" 2>/dev/null || true
	wait "$DAEMON_PID" 2>/dev/null || true
	DAEMON_PID=
}
