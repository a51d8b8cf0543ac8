#!/bin/bash
# Restart: poolnetd started without --config comes back with the last
# committed configuration after kill -9 at any moment, never a partial file,
# and forwards again within one second of its ports coming up.
#
# part 1  commits through RESTCONF, kill -9 at once after the last reply:
#         the restarted daemon's config is exactly the last committed one.
# part 2  ROUNDS × kill -9 at a random moment of a burst of commits (POST,
#         PATCH, PUT, DELETE; ports too): the config is the last acknowledged
#         commit's or the one in flight, running.json is valid JSON, and a
#         stale running.json.tmp (left by the kill, or planted) changes nothing.
# part 3  kill -9, restart, taps back in the VMs' namespaces and up → first
#         ping reply between the VMs in under 1 s (measured, 3 times).
#
#   vm1 10.0.0.1 ── v1 ┐
#   vm2 10.0.0.2 ── v2 ┼─ poolnetd      x1: VLAN attachments of the burst's
#                   x1 ┘                tenants; xp: a port the burst adds/removes
TAG=rs
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh" "$@"
set -eE
# (in the main shell only: a command substitution just fails)
trap '[ "$BASHPID" = $$ ] && { fail "unexpected error (exit $?) at line $LINENO: $BASH_COMMAND"; finish; }' ERR
trap 'trap - ERR; set +e; cleanup' EXIT

ROUNDS=${RESTART_ROUNDS:-10}
SOCK="$TMP/restconf.sock"
STATE="$TMP/state"
LOGF="$TMP/commits.log"
VM1=02:00:00:00:0c:01
VM2=02:00:00:00:0c:02

cat >"$TMP/config.json" <<EOF
{
  "poolnet:ports": {"port": [
    {"name": "v1", "devargs": "$(tap_devargs 0 "${ID}v1")", "role": "access"},
    {"name": "v2", "devargs": "$(tap_devargs 1 "${ID}v2")", "role": "access"},
    {"name": "x1", "devargs": "$(tap_devargs 2 "${ID}x1")", "role": "access"}]},
  "poolnet:tenants": {"tenant": [
    {"name": "red", "id": 1, "vni": 5001, "attachment": [
      {"name": "vm1", "port": "v1"},
      {"name": "vm2", "port": "v2"}]}]}
}
EOF

# get_config FILE: GET /restconf/data?content=config into FILE; fails unless 200.
get_config() {
	local code
	code=$(curl -sS -m 10 -o "$1" -w '%{http_code}' --unix-socket "$SOCK" \
		'http://localhost/restconf/data?content=config' 2>/dev/null) || return 1
	[ "$code" = 200 ]
}

# is_json FILE: the file holds one complete JSON document.
is_json() { "$PY" -c 'import json, sys; json.load(open(sys.argv[1]))' "$1" 2>/dev/null; }

# same_config A B: equal once normalised (json sort_keys, lists by key, YANG
# defaults dropped).
same_config() {
	[ "$("$PY" "$HERE/seq_commits.py" norm "$1")" = "$("$PY" "$HERE/seq_commits.py" norm "$2")" ]
}

commits() { "$PY" "$HERE/seq_commits.py" "$@"; }
last_k() { "$PY" -c 'import json, sys; print(max(json.loads(l)["k"] for l in open(sys.argv[1])))' "$LOGF"; }
acks() { grep -c '"ev": "ack"' "$LOGF" || true; }

# restart: poolnetd again, without --config, same state directory.
restart() {
	daemon_start_saved --restconf-socket "$SOCK"
	wait_for 10 test -S "$SOCK" || abort "no RESTCONF socket after restart"
}

# vms_up: the recreated taps into the VMs' namespaces, up, addressed.
vms_up() {
	attach "${ID}v1" vm1 eth0 $VM1
	attach "${ID}v2" vm2 eth0 $VM2
	vm_addr vm1 eth0 10.0.0.1/24
	vm_addr vm2 eth0 10.0.0.2/24
}

elapsed_ms() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%d", (b - a) * 1000}'; }

# --- start -----------------------------------------------------------------
mkdir -p "$STATE"
daemon_start "$TMP/config.json" --restconf-socket "$SOCK"
wait_for 10 test -S "$SOCK" || abort "no RESTCONF socket at $SOCK"
ns_add vm1 vm2
vms_up
check "vm1 → vm2 ping before any restart" ping_ok vm1 10.0.0.2
get_config "$TMP/model.json" || abort "GET the running config"
check "state dir holds running.json after the start" is_json "$STATE/running.json"
XP="$(tap_devargs 9 "${ID}xp")"

# --- part 1: kill -9 right after a commit's reply --------------------------
log "part 1: 6 commits, kill -9 at once after the last reply"
: >"$LOGF"
rc=0
commits burst --socket "$SOCK" --model "$TMP/model.json" --log "$LOGF" --start 1 \
	--count 6 --xp-devargs "$XP" || rc=$?
daemon_kill9
check "part 1: 6 commits acknowledged (driver exit $rc, $(acks) acks)" \
	test "$rc" -eq 0 -a "$(acks)" -eq 6
check "part 1: running.json is valid JSON after kill -9" is_json "$STATE/running.json"
restart
get_config "$TMP/got.json" || abort "GET after restart"
commits check --log "$LOGF" --got "$TMP/got.json" --out "$TMP/model.json" >"$TMP/check.out" || true
log "part 1: $(cat "$TMP/check.out")"
check "part 1: config after restart = the last committed one (commit 6)" \
	grep -q '^acknowledged commit 6 ' "$TMP/check.out"
check "part 1: running.json = the config the daemon serves" \
	same_config "$STATE/running.json" "$TMP/got.json"

# --- part 2: kill -9 at random moments of a burst --------------------------
K=$(($(last_k) + 1))
inflight=0
acked=0
for r in $(seq 1 "$ROUNDS"); do
	: >"$LOGF"
	# (the program itself, not the commits function: no ERR trap in the job)
	"$PY" "$HERE/seq_commits.py" burst --socket "$SOCK" --model "$TMP/model.json" \
		--log "$LOGF" --start "$K" --count 1000 --xp-devargs "$XP" 2>"$TMP/burst.err" &
	BURST=$!
	BG_PIDS+=("$BURST")
	wait_for 10 grep -q '"ev": "ack"' "$LOGF" || abort "round $r: no commit acknowledged"
	delay=$(printf '0.%03d' $((RANDOM % 400)))
	sleep "$delay" # a random moment of the burst, not a synchronisation
	daemon_kill9
	rc=0
	wait "$BURST" || rc=$?
	tmpnote="no running.json.tmp"
	if [ -e "$STATE/running.json.tmp" ]; then
		tmpnote="running.json.tmp left ($(stat -c %s "$STATE/running.json.tmp") bytes)"
	elif [ $((r % 2)) -eq 0 ]; then
		# A partial write of another config, as a crash mid-persist leaves it.
		printf '{"poolnet:tenants": {"tenant": [{"name": "partial", "id": 7' \
			>"$STATE/running.json.tmp"
		tmpnote="planted a partial running.json.tmp"
	fi
	check_not "round $r: no commit refused during the burst $(cat "$TMP/burst.err")" \
		test "$rc" -eq 1
	check "round $r: running.json is valid JSON after kill -9 (+$delay s, $(acks) acks, driver exit $rc; $tmpnote)" \
		is_json "$STATE/running.json"
	restart
	if ! get_config "$TMP/got.json"; then
		fail "round $r: GET config after restart"
		continue
	fi
	if commits check --log "$LOGF" --got "$TMP/got.json" --out "$TMP/model.json" >"$TMP/check.out"; then
		pass "round $r: config after restart is $(cat "$TMP/check.out")"
		grep -q '^in flight' "$TMP/check.out" && inflight=$((inflight + 1))
		grep -q '^acknowledged' "$TMP/check.out" && acked=$((acked + 1))
	else
		fail "round $r: config after restart is no committed one: $(cat "$TMP/check.out")"
		get_config "$TMP/model.json" || abort "GET config"
	fi
	check "round $r: running.json = the config the daemon serves" \
		same_config "$STATE/running.json" "$TMP/got.json"
	check "round $r: the restarted daemon loaded no partial tenant" \
		bash -c "! grep -q '\"partial\"' '$TMP/got.json'"
	K=$(($(last_k) + 1))
done
log "part 2: $ROUNDS kills; the config was the last acknowledged one $acked times, the one in flight $inflight times; $((K - 1)) commits in all"
check "part 2: the daemon commits after the last restart" \
	bash -c "[ \"\$(curl -sS -o /dev/null -w '%{http_code}' --unix-socket '$SOCK' -X PATCH \
		-H 'Content-Type: application/yang-data+json' \
		--data '{\"poolnet:tenant\":[{\"name\":\"red\",\"mac-ageing-time\":77}]}' \
		http://localhost/restconf/data/poolnet:tenants/tenant=red)\" = 204 ]"

# --- part 3: traffic within one second of the ports coming up --------------
for i in 1 2 3; do
	t_kill=$(date +%s.%N)
	daemon_kill9
	restart
	vms_up
	t_up=$(date +%s.%N)
	reply=$(in_ns vm1 ping -D -n -i 0.01 -c 1 -w 5 10.0.0.2 2>/dev/null |
		sed -n 's/^\[\([0-9.]*\)\].*bytes from.*/\1/p' | head -n 1) || true
	if [ -z "$reply" ]; then
		fail "restart $i: no ping reply within 5 s of the taps coming up"
		continue
	fi
	up_ms=$(elapsed_ms "$t_up" "$reply")
	ready_ms=$(elapsed_ms "$DAEMON_READY_AT" "$reply")
	log "restart $i: kill → ready $(elapsed_ms "$t_kill" "$DAEMON_READY_AT") ms, ready → taps up in the VMs $(elapsed_ms "$DAEMON_READY_AT" "$t_up") ms, taps up → first reply $up_ms ms (ready → first reply $ready_ms ms)"
	check "restart $i: first ping reply $up_ms ms after the taps came up (< 1000 ms)" \
		[ "$up_ms" -lt 1000 ]
done

daemon_stop
finish
