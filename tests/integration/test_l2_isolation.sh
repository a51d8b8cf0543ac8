#!/bin/bash
# Two tenants with the same 10.0.0.0/24: same-tenant pings pass (untagged and
# on a VLAN attachment), and nothing of red ever reaches blue.
#
#   red-a  10.0.0.1  port red1 untagged     blue-a 10.0.0.1  port blue1 untagged
#   red-b  10.0.0.2  port red2 VLAN 100     blue-b 10.0.0.2  port blue2 VLAN 200
#                                                  10.0.0.20 (blue only)
TAG=l2
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh" "$@"

RED_A=02:00:00:00:01:01
RED_B=02:00:00:00:01:02
BLUE_A=02:00:00:00:02:01
BLUE_B=02:00:00:00:02:02

cat >"$TMP/config.json" <<EOF
{
  "poolnet:ports": {"port": [
    {"name": "red1", "devargs": "$(tap_devargs 0 "${ID}r1")", "role": "access"},
    {"name": "red2", "devargs": "$(tap_devargs 1 "${ID}r2")", "role": "access"},
    {"name": "blue1", "devargs": "$(tap_devargs 2 "${ID}b1")", "role": "access"},
    {"name": "blue2", "devargs": "$(tap_devargs 3 "${ID}b2")", "role": "access"}]},
  "poolnet:tenants": {"tenant": [
    {"name": "red", "id": 1, "vni": 5001, "attachment": [
      {"name": "red-a", "port": "red1"},
      {"name": "red-b", "port": "red2", "vlan": 100}]},
    {"name": "blue", "id": 2, "vni": 5002, "attachment": [
      {"name": "blue-a", "port": "blue1"},
      {"name": "blue-b", "port": "blue2", "vlan": 200}]}]}
}
EOF

daemon_start "$TMP/config.json"

ns_add red-a red-b blue-a blue-b
attach "${ID}r1" red-a eth0 $RED_A
attach "${ID}r2" red-b eth0 $RED_B
attach "${ID}b1" blue-a eth0 $BLUE_A
attach "${ID}b2" blue-b eth0 $BLUE_B
vm_addr red-a eth0 10.0.0.1/24
vm_addr red-b eth0 10.0.0.2/24 100
vm_addr blue-a eth0 10.0.0.1/24
vm_addr blue-b eth0 10.0.0.2/24 200
vm_addr blue-b eth0.200 10.0.0.20/24

tenant() { counter /poolnet/tenants "$@"; }

# --- phase 1: red talks while blue is silent and listens -----------------
blue_rx0=$(tenant blue rx)
blue_tx0=$(tenant blue tx)
red_rx0=$(tenant red rx)
red_tx0=$(tenant red tx)
{ [ -n "$blue_rx0" ] && [ -n "$red_rx0" ]; } ||
	abort "read /poolnet/tenants: $(telemetry /poolnet/tenants 2>&1)"

capture_start blue-a eth0 "$TMP/blue-a-1.pcap"
capture_start blue-b eth0 "$TMP/blue-b-1.pcap"

check "red-a → red-b ping (untagged → VLAN 100)" ping_ok red-a 10.0.0.2
check "red-a's 10.0.0.2 is red-b's MAC" \
	[ "$(neigh_mac red-a 10.0.0.2)" = "$RED_B" ]
check "red-b → red-a ping (VLAN 100 → untagged)" ping_ok red-b 10.0.0.1
check "red-b's 10.0.0.1 is red-a's MAC" \
	[ "$(neigh_mac red-b 10.0.0.1)" = "$RED_A" ]
check "red-a cannot reach blue's 10.0.0.20" ping_fails red-a 10.0.0.20

capture_stop_all
red_frames="eth.src == $RED_A || eth.src == $RED_B"
check "blue-a saw no frame from red ($(count_frames "$TMP/blue-a-1.pcap") frames in all)" \
	[ "$(count_frames "$TMP/blue-a-1.pcap" "$red_frames")" -eq 0 ]
check "blue-b saw no frame from red ($(count_frames "$TMP/blue-b-1.pcap") frames in all)" \
	[ "$(count_frames "$TMP/blue-b-1.pcap" "$red_frames")" -eq 0 ]
check "tenant red rx moved ($red_rx0 → $(tenant red rx))" \
	[ "$(tenant red rx)" -gt "$red_rx0" ]
check "tenant red tx moved ($red_tx0 → $(tenant red tx))" \
	[ "$(tenant red tx)" -gt "$red_tx0" ]
check "tenant blue rx did not move ($blue_rx0 → $(tenant blue rx))" \
	[ "$(tenant blue rx)" -eq "$blue_rx0" ]
check "tenant blue tx did not move ($blue_tx0 → $(tenant blue tx))" \
	[ "$(tenant blue tx)" -eq "$blue_tx0" ]

# --- phase 2: blue, on the very same addresses ----------------------------
check "blue-a → blue-b ping (untagged → VLAN 200)" ping_ok blue-a 10.0.0.2
check "blue-a's 10.0.0.2 is blue-b's MAC" \
	[ "$(neigh_mac blue-a 10.0.0.2)" = "$BLUE_B" ]
check "blue-b → blue-a ping (VLAN 200 → untagged)" ping_ok blue-b 10.0.0.1
check "blue-a → blue-b's 10.0.0.20 ping" ping_ok blue-a 10.0.0.20

# --- phase 3: red aims unicast at blue-b's MAC, which blue has learned ----
capture_start blue-b eth0 "$TMP/blue-b-3.pcap"
ip -n "$(ns red-a)" neigh replace 10.0.0.20 lladdr $BLUE_B dev eth0 nud permanent
check "red-a → blue-b's MAC unicast is not answered" ping_fails red-a 10.0.0.20
capture_stop_all
check "blue-b saw no frame from red-a" \
	[ "$(count_frames "$TMP/blue-b-3.pcap" "eth.src == $RED_A")" -eq 0 ]

# --- counters and tables ---------------------------------------------------
for t in red blue; do
	for c in rx tx flooded; do
		v=$(tenant $t $c)
		check "tenant $t $c = $v > 0" is_positive "$v"
	done
done
for p in red1 red2 blue1 blue2; do
	v=$(counter /poolnet/ports $p rx)
	check "port $p rx = $v > 0" is_positive "$v"
done
macs_red=$(telemetry /poolnet/macs,red)
macs_blue=$(telemetry /poolnet/macs,blue)
log "red MACs: $macs_red"
log "blue MACs: $macs_blue"
check "red's MAC table holds red-a and red-b" \
	bash -c "grep -qi '$RED_A' <<<'$macs_red' && grep -qi '$RED_B' <<<'$macs_red'"
check "red's MAC table holds no blue MAC" \
	bash -c "! grep -qiE '$BLUE_A|$BLUE_B' <<<'$macs_red'"
check "blue's MAC table holds no red MAC" \
	bash -c "! grep -qiE '$RED_A|$RED_B' <<<'$macs_blue'"

daemon_stop
finish
