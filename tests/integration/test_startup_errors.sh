#!/bin/bash
# Start-up failures end with one clear line naming what and why, a non-zero
# exit, and nothing left behind: a port that will not probe (after one that
# did), a port with fewer tx queues than the workers need, and no hugepages.
TAG=se
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh" "$@"

# start_fails CONFIG WORKERS TEXT [ARGS...]: poolnetd exits non-zero, its
# last line starts with "poolnetd: " and holds TEXT.
start_fails() {
	local config=$1 workers=$2 text=$3 rc=0 last
	shift 3
	timeout 60 "$POOLNETD" --config "$config" --workers "$workers" "$@" \
		--file-prefix "$DPDK_PREFIX" --state-dir "$TMP/state" \
		--restconf-socket "$TMP/s.sock" >"$TMP/out.log" 2>&1 || rc=$?
	last=$(tail -n 1 "$TMP/out.log")
	log "exit $rc: $last"
	[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && [[ "$last" == "poolnetd: "*"$text"* ]]
}

cat >"$TMP/bad-driver.json" <<EOF
{"poolnet:ports": {"port": [
  {"name": "good", "devargs": "$(tap_devargs 0 "${ID}g")", "role": "access"},
  {"name": "bad", "devargs": "net_nosuchdriver0", "role": "access"}]}}
EOF
check "a port that does not probe is named in the last line" \
	start_fails "$TMP/bad-driver.json" 1 "port bad: cannot probe" --no-huge
check "the port started before it was removed again" bash -c "! ip link show ${ID}g"
check "nothing was saved as the running config" bash -c "[ ! -s $TMP/state/running.json ]"

cat >"$TMP/few-queues.json" <<EOF
{"poolnet:ports": {"port": [
  {"name": "null", "devargs": "net_null0,no-rx=1", "role": "access"},
  {"name": "ring", "devargs": "net_pcap0,rx_iface=lo,tx_iface=lo", "role": "access"}]}}
EOF
check "too few tx queues for the workers is named in the last line" \
	start_fails "$TMP/few-queues.json" 2 "tx queues" --no-huge

if [ "$(cat /proc/sys/vm/nr_hugepages)" = 0 ]; then
	check "no hugepages and no --no-huge is named in the last line" \
		start_fails "$TMP/few-queues.json" 1 "cannot start DPDK"
else
	log "skipped the no-hugepages case: this machine has hugepages"
fi

finish
