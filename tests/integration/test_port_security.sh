#!/bin/bash
# Anti-spoofing and the MAC limit: a VM whose attachment declares its
# addresses cannot send with another source MAC or IP, nor answer ARP for
# another address (each dropped and counted); a VM inventing MAC addresses
# fills no more than its tenant's mac-limit, while another tenant's traffic
# keeps flowing.
#
#   red-a  10.0.0.1 port a, port security: its MAC and 10.0.0.1
#   red-b  10.0.0.2 port b, no port security (the flooder)
#   blue-c 10.0.0.1 port c, blue-d 10.0.0.2 port d
TAG=ps
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh" "$@"

RED_A_MAC=02:00:00:00:01:01
MAC_LIMIT=64

cat >"$TMP/config.json" <<EOF
{
  "poolnet:ports": {"port": [
    {"name": "a", "devargs": "$(tap_devargs 0 "${ID}a")", "role": "access"},
    {"name": "b", "devargs": "$(tap_devargs 1 "${ID}b")", "role": "access"},
    {"name": "c", "devargs": "$(tap_devargs 2 "${ID}c")", "role": "access"},
    {"name": "d", "devargs": "$(tap_devargs 3 "${ID}d")", "role": "access"}]},
  "poolnet:tenants": {"tenant": [
    {"name": "red", "id": 1, "mac-limit": $MAC_LIMIT, "attachment": [
      {"name": "red-a", "port": "a", "port-security": {
        "allowed-mac": ["$RED_A_MAC"], "allowed-ip": ["10.0.0.1"]}},
      {"name": "red-b", "port": "b"}]},
    {"name": "blue", "id": 2, "attachment": [
      {"name": "blue-c", "port": "c"},
      {"name": "blue-d", "port": "d"}]}]}
}
EOF

daemon_start "$TMP/config.json"

ns_add red-a red-b blue-c blue-d
attach "${ID}a" red-a eth0 "$RED_A_MAC"
attach "${ID}b" red-b eth0 02:00:00:00:01:02
attach "${ID}c" blue-c eth0 02:00:00:00:02:01
attach "${ID}d" blue-d eth0 02:00:00:00:02:02
vm_addr red-a eth0 10.0.0.1/24
vm_addr red-b eth0 10.0.0.2/24
vm_addr blue-c eth0 10.0.0.1/24
vm_addr blue-d eth0 10.0.0.2/24

check "red-a reaches red-b with its own addresses" ping_ok red-a 10.0.0.2
check "blue-c reaches blue-d" ping_ok blue-c 10.0.0.2

spoof() { in_ns "$1" "$PY" "$HERE/spoof_frames.py" eth0 "${@:2}"; }
drops() { counter /poolnet/tenants red drop "$1"; }
seen_on_b() { count_frames "$TMP/red-b.pcap" 'frame contains "PNSPOOF" or arp.src.proto_ipv4 == 10.0.0.2'; }

mac0=$(drops spoofed_mac) || abort "read telemetry counters"
ip0=$(drops spoofed_ip)
arp0=$(drops spoofed_arp)
capture_start red-b eth0 "$TMP/red-b.pcap" -Q in

spoof red-a mac --count 3
check "a foreign source MAC is dropped as spoofed_mac" \
	wait_for 5 at_least $((mac0 + 3)) drops spoofed_mac
spoof red-a ip --count 3
check "a foreign source IP is dropped as spoofed_ip" \
	wait_for 5 at_least $((ip0 + 3)) drops spoofed_ip
spoof red-a arp --count 3
check "an ARP reply for another address is dropped as spoofed_arp" \
	wait_for 5 at_least $((arp0 + 3)) drops spoofed_arp
check "red-a still reaches red-b" ping_ok red-a 10.0.0.2
capture_stop_all
check "none of the spoofed frames reached red-b" [ "$(seen_on_b)" = 0 ]

# A MAC flood from red-b: 2,000 invented source MACs.
spoof red-b flood --count 2000 &
flooder=$!
check "blue keeps flowing during red's MAC flood" ping_ok blue-c 10.0.0.2
wait "$flooder"
check "the flood is refused beyond mac-limit" \
	wait_for 5 at_least 1 counter /poolnet/tenants red macs_refused
macs=$(counter /poolnet/tenants red macs)
check "red holds at most $MAC_LIMIT learned MACs (has $macs)" [ "${macs:-0}" -le "$MAC_LIMIT" ]
check "red's learned MACs reached the limit" [ "${macs:-0}" -ge $((MAC_LIMIT - 2)) ]
check "blue is unaffected: its MACs are learned" at_least 2 counter /poolnet/tenants blue macs

daemon_stop
finish
