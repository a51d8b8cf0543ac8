#!/bin/bash
# A second host reached over VXLAN is played by Linux: namespace host2 holds
# the uplink tap (192.168.50.2) and kernel VXLAN devices, each moved into its
# own "remote VM" namespace. Pings cross VXLAN both ways for both tenants, the
# underlay capture decodes as VXLAN with the right VNI and inner addresses,
# and red cannot reach blue. Tenant green lists no VTEPs: it takes VXLAN from
# any VTEP and learns where to send the replies.
#
#   red-a  10.0.0.1 port red1  ── VNI 5001 ── rvm-red  10.0.0.3
#   blue-a 10.0.0.1 port blue1 ── VNI 5002 ── rvm-blue 10.0.0.3, 10.0.0.30
#   green-a 10.0.0.1 port green1 ─ VNI 5003 ── rvm-green 10.0.0.3 (VTEP learned)
#   local VTEP 192.168.50.1 (uplink up0)      host2 192.168.50.2
TAG=vx
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh" "$@"

RED_A=02:00:00:00:01:01
BLUE_A=02:00:00:00:02:01
RVM_RED=02:00:00:00:01:03
RVM_BLUE=02:00:00:00:02:03
GREEN_A=02:00:00:00:03:01
RVM_GREEN=02:00:00:00:03:03
HOST2=02:00:00:00:50:02

cat >"$TMP/config.json" <<EOF
{
  "poolnet:ports": {"port": [
    {"name": "red1", "devargs": "$(tap_devargs 0 "${ID}r1")", "role": "access"},
    {"name": "blue1", "devargs": "$(tap_devargs 1 "${ID}b1")", "role": "access"},
    {"name": "up0", "devargs": "$(tap_devargs 2 "${ID}u0")", "role": "uplink"},
    {"name": "green1", "devargs": "$(tap_devargs 3 "${ID}g1")", "role": "access"}]},
  "poolnet:underlay": {"local-vtep": "192.168.50.1", "prefix-length": 24,
                       "uplink-port": "up0"},
  "poolnet:tenants": {"tenant": [
    {"name": "red", "id": 1, "vni": 5001,
     "attachment": [{"name": "red-a", "port": "red1"}],
     "remote-vtep": ["192.168.50.2"]},
    {"name": "blue", "id": 2, "vni": 5002,
     "attachment": [{"name": "blue-a", "port": "blue1"}],
     "remote-vtep": ["192.168.50.2"]},
    {"name": "green", "id": 3, "vni": 5003,
     "attachment": [{"name": "green-a", "port": "green1"}]}]}
}
EOF

daemon_start "$TMP/config.json"

ns_add red-a blue-a green-a host2 rvm-red rvm-blue rvm-green
attach "${ID}r1" red-a eth0 $RED_A
attach "${ID}b1" blue-a eth0 $BLUE_A
attach "${ID}u0" host2 eth0 $HOST2
attach "${ID}g1" green-a eth0 $GREEN_A
vm_addr red-a eth0 10.0.0.1/24
vm_addr blue-a eth0 10.0.0.1/24
vm_addr green-a eth0 10.0.0.1/24
vm_addr host2 eth0 192.168.50.2/24

# remote_vm NS VNI MAC LEARNING: a kernel VXLAN device made in host2 (so its
# UDP socket lives there) and moved into the remote VM's namespace as eth0.
remote_vm() {
	local n=$1 vni=$2 mac=$3 learning=$4
	ip -n "$(ns "$n")" link del eth0 2>/dev/null
	ip -n "$(ns host2)" link add "vx$vni" type vxlan id "$vni" \
		local 192.168.50.2 remote 192.168.50.1 dstport 4789 dev eth0 \
		"$learning" || abort "kernel vxlan $vni ($learning)"
	ip -n "$(ns host2)" link set "vx$vni" netns "$(ns "$n")"
	ip -n "$(ns "$n")" link set "vx$vni" name eth0 address "$mac"
	ip -n "$(ns "$n")" link set eth0 up
	ip -n "$(ns "$n")" addr add 10.0.0.3/24 dev eth0
}

capture_start host2 eth0 "$TMP/underlay.pcap" udp port 4789

remote_vm rvm-red 5001 $RVM_RED nolearning
remote_vm rvm-blue 5002 $RVM_BLUE nolearning
ip -n "$(ns rvm-blue)" addr add 10.0.0.30/24 dev eth0

if ! ping_ok red-a 10.0.0.3; then
	log "no answer with nolearning VXLAN peers: trying learning"
	remote_vm rvm-red 5001 $RVM_RED learning
	remote_vm rvm-blue 5002 $RVM_BLUE learning
	ip -n "$(ns rvm-blue)" addr add 10.0.0.30/24 dev eth0
fi

check "red-a → rvm-red ping across VXLAN 5001" ping_ok red-a 10.0.0.3
check "red-a's 10.0.0.3 is rvm-red's MAC" \
	[ "$(neigh_mac red-a 10.0.0.3)" = "$RVM_RED" ]
check "rvm-red → red-a ping across VXLAN 5001" ping_ok rvm-red 10.0.0.1
check "rvm-red's 10.0.0.1 is red-a's MAC" \
	[ "$(neigh_mac rvm-red 10.0.0.1)" = "$RED_A" ]
check "blue-a → rvm-blue ping across VXLAN 5002" ping_ok blue-a 10.0.0.3
check "blue-a's 10.0.0.3 is rvm-blue's MAC" \
	[ "$(neigh_mac blue-a 10.0.0.3)" = "$RVM_BLUE" ]
check "rvm-blue → blue-a ping across VXLAN 5002" ping_ok rvm-blue 10.0.0.1
check "rvm-blue's 10.0.0.1 is blue-a's MAC" \
	[ "$(neigh_mac rvm-blue 10.0.0.1)" = "$BLUE_A" ]
check "blue-a → rvm-blue's 10.0.0.30 ping" ping_ok blue-a 10.0.0.30
check "red-a cannot reach blue's 10.0.0.30 (remote)" ping_fails red-a 10.0.0.30
check "rvm-red cannot reach blue's 10.0.0.30 through poolnet" \
	ping_fails rvm-red 10.0.0.30
remote_vm rvm-green 5003 $RVM_GREEN nolearning
check "rvm-green → green-a across VXLAN 5003 (green lists no VTEP)" ping_ok rvm-green 10.0.0.1
check "rvm-green's 10.0.0.1 is green-a's MAC" \
	[ "$(neigh_mac rvm-green 10.0.0.1)" = "$GREEN_A" ]
check "green-a → rvm-green through the learned VTEP" ping_ok green-a 10.0.0.3
# Unicast at a MAC blue has learned, from red: still nothing.
ip -n "$(ns red-a)" neigh replace 10.0.0.30 lladdr $RVM_BLUE dev eth0 nud permanent
check "red-a → rvm-blue's MAC unicast is not answered" ping_fails red-a 10.0.0.30

capture_stop_all

pcap="$TMP/underlay.pcap"
vx() { count_frames "$pcap" "vxlan && ($1)"; }
log "underlay: $(count_frames "$pcap") frames; VNI, outer/inner IPs of the ICMP ones:"
tshark -r "$pcap" -d udp.port==4789,vxlan -Y icmp -T fields \
	-e vxlan.vni -e ip.src -e ip.dst 2>/dev/null | sort | uniq -c | sed 's/^/#   /'
check "tshark decodes VXLAN on the underlay" [ "$(count_frames "$pcap" vxlan)" -gt 0 ]
check "VNI 5001 carries red-a 10.0.0.1 → 10.0.0.3, outer 192.168.50.1 → .2" \
	[ "$(vx 'vxlan.vni == 5001 && ip.src == 192.168.50.1 && ip.dst == 192.168.50.2 && ip.src == 10.0.0.1 && ip.dst == 10.0.0.3 && icmp.type == 8')" -gt 0 ]
check "VNI 5001 carries the reply 10.0.0.3 → 10.0.0.1 from host2" \
	[ "$(vx 'vxlan.vni == 5001 && ip.src == 192.168.50.2 && ip.src == 10.0.0.3 && ip.dst == 10.0.0.1 && icmp.type == 0')" -gt 0 ]
check "VNI 5002 carries blue-a 10.0.0.1 → 10.0.0.3" \
	[ "$(vx 'vxlan.vni == 5002 && ip.src == 192.168.50.1 && ip.src == 10.0.0.1 && ip.dst == 10.0.0.3 && icmp.type == 8')" -gt 0 ]
check "no frame of red-a in VNI 5002" \
	[ "$(vx "vxlan.vni == 5002 && eth.src == $RED_A")" -eq 0 ]
check "no frame of blue-a in VNI 5001" \
	[ "$(vx "vxlan.vni == 5001 && eth.src == $BLUE_A")" -eq 0 ]
check "every VXLAN frame poolnet sent has VNI 5001, 5002 or 5003" \
	[ "$(vx 'ip.src == 192.168.50.1 && !(vxlan.vni == 5001 || vxlan.vni == 5002 || vxlan.vni == 5003)')" -eq 0 ]

for t in red blue; do
	for c in rx tx; do
		v=$(counter /poolnet/tenants $t $c)
		check "tenant $t $c = $v > 0" is_positive "$v"
	done
done
for c in rx tx; do
	v=$(counter /poolnet/ports up0 $c)
	check "uplink up0 $c = $v > 0" is_positive "$v"
done
log "red MACs: $(telemetry /poolnet/macs,red)"
log "neighbours: $(telemetry /poolnet/neighbours)"

daemon_stop
finish
