#!/bin/bash
# MAC move: a VM (10.0.0.2, one MAC) leaves port vm1 for port vm2, then
# leaves this host for a remote one behind VXLAN. A peer whose ARP entry is
# pinned (so only the switch's learning can fix the path) reaches it again
# once the VM has sent its first frame from the new place.
#
#   peer 10.0.0.1 port peer1 ─┬─ vm1 (attachment vm-a) ─┐
#                              ├─ vm2 (attachment vm-b) ─┼─ namespace vm
#                              └─ up0 ── host2 ── VXLAN 5001 ┘
TAG=mm
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh" "$@"

PEER=02:00:00:00:01:01
VM=02:00:00:00:01:02

cat >"$TMP/config.json" <<EOF
{
  "poolnet:ports": {"port": [
    {"name": "peer1", "devargs": "$(tap_devargs 0 "${ID}p1")", "role": "access"},
    {"name": "vm1", "devargs": "$(tap_devargs 1 "${ID}v1")", "role": "access"},
    {"name": "vm2", "devargs": "$(tap_devargs 2 "${ID}v2")", "role": "access"},
    {"name": "up0", "devargs": "$(tap_devargs 3 "${ID}u0")", "role": "uplink"}]},
  "poolnet:underlay": {"local-vtep": "192.168.50.1", "prefix-length": 24,
                       "uplink-port": "up0"},
  "poolnet:tenants": {"tenant": [
    {"name": "red", "id": 1, "vni": 5001, "attachment": [
      {"name": "peer", "port": "peer1"},
      {"name": "vm-a", "port": "vm1"},
      {"name": "vm-b", "port": "vm2"}],
     "remote-vtep": ["192.168.50.2"]}]}
}
EOF

daemon_start "$TMP/config.json"

ns_add peer vm spare host2
attach "${ID}p1" peer eth0 $PEER
attach "${ID}v1" vm eth0 $VM
attach "${ID}v2" spare eth1 # the VM's next port, waiting (quiet) elsewhere
attach "${ID}u0" host2 eth0 02:00:00:00:50:02
vm_addr peer eth0 10.0.0.1/24
vm_addr vm eth0 10.0.0.2/24
vm_addr host2 eth0 192.168.50.2/24

# mac_place: where red's MAC table puts the VM ("vm-a", "192.168.50.2", ...).
mac_place() {
	telemetry /poolnet/macs,red | "$PY" -c '
import json, sys
macs = json.load(sys.stdin) or []
for e in macs.values() if isinstance(macs, dict) else macs:
    if e.get("mac", "").lower() == sys.argv[1]:
        print(e.get("attachment") or e.get("vtep") or "?")
' "$VM"
}
mac_at() { [ "$(mac_place)" = "$1" ]; }
# first_frame IFNAME: the VM announces itself (gratuitous ARP); arping exits
# 1 because nobody answers a gratuitous ARP.
first_frame() {
	in_ns vm arping -U -c 1 -w 1 -q -i "$1" -S 10.0.0.2 10.0.0.2 >/dev/null 2>&1
	true
}

check "peer → vm on port vm1" ping_ok peer 10.0.0.2
check "VM's MAC learned at vm-a" wait_for 5 mac_at vm-a
ip -n "$(ns peer)" neigh replace 10.0.0.2 lladdr $VM dev eth0 nud permanent

# --- move 1: port vm1 → port vm2 ------------------------------------------
ip -n "$(ns vm)" link set eth0 down
ip -n "$(ns vm)" addr flush dev eth0
ip -n "$(ns spare)" link set eth1 netns "$(ns vm)"
ip -n "$(ns vm)" link set eth1 address $VM up
ip -n "$(ns vm)" addr add 10.0.0.2/24 dev eth1
if ping_once peer 10.0.0.2; then
	log "note: reachable before the VM spoke (flooded, or learned already)"
else
	log "before the VM's first frame the peer's ping is lost, as expected"
fi
first_frame eth1
check "VM's MAC moved to vm-b after its first frame" wait_for 5 mac_at vm-b
check "peer → vm again after the move to port vm2" ping_ok peer 10.0.0.2

# --- move 2: port vm2 → the remote host over VXLAN 5001 -------------------
ip -n "$(ns vm)" link set eth1 down
ip -n "$(ns vm)" addr flush dev eth1
ip -n "$(ns host2)" link add vx5001 type vxlan id 5001 local 192.168.50.2 \
	remote 192.168.50.1 dstport 4789 dev eth0 nolearning ||
	abort "kernel vxlan 5001"
ip -n "$(ns host2)" link set vx5001 netns "$(ns vm)"
ip -n "$(ns vm)" link set vx5001 name eth2 address $VM
ip -n "$(ns vm)" link set eth2 up
ip -n "$(ns vm)" addr add 10.0.0.2/24 dev eth2
first_frame eth2
check "VM's MAC moved to VTEP 192.168.50.2 after its first frame" \
	wait_for 10 mac_at 192.168.50.2
check "peer → vm again after the move behind VXLAN" ping_ok peer 10.0.0.2

# --- and back to port vm1 ---------------------------------------------------
ip -n "$(ns vm)" link set eth2 down
ip -n "$(ns vm)" addr flush dev eth2
ip -n "$(ns vm)" link set eth0 up
ip -n "$(ns vm)" addr add 10.0.0.2/24 dev eth0
first_frame eth0
check "VM's MAC back at vm-a after its first frame" wait_for 5 mac_at vm-a
check "peer → vm again after moving back to port vm1" ping_ok peer 10.0.0.2
log "red MACs: $(telemetry /poolnet/macs,red)"

daemon_stop
finish
