#!/bin/bash
# VLAN hopping: a double-tagged frame whose outer tag is the sender's own
# VLAN and whose inner tag is another tenant's must reach no one and be
# counted as double_tagged; a frame on a VLAN the port does not carry is
# counted as vlan_unknown.
#
#   port trunk: red-t on VLAN 100, blue-t on VLAN 200   (namespace trunk)
#   port red1:  red-a untagged                           (namespace red-a)
#   port blue1: blue-a untagged                          (namespace blue-a)
#   port blue2: blue-b on VLAN 200                       (namespace blue-b)
TAG=vh
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh" "$@"

cat >"$TMP/config.json" <<EOF
{
  "poolnet:ports": {"port": [
    {"name": "trunk", "devargs": "$(tap_devargs 0 "${ID}tr")", "role": "access"},
    {"name": "red1", "devargs": "$(tap_devargs 1 "${ID}r1")", "role": "access"},
    {"name": "blue1", "devargs": "$(tap_devargs 2 "${ID}b1")", "role": "access"},
    {"name": "blue2", "devargs": "$(tap_devargs 3 "${ID}b2")", "role": "access"}]},
  "poolnet:tenants": {"tenant": [
    {"name": "red", "id": 1, "vni": 5001, "attachment": [
      {"name": "red-t", "port": "trunk", "vlan": 100},
      {"name": "red-a", "port": "red1"}]},
    {"name": "blue", "id": 2, "vni": 5002, "attachment": [
      {"name": "blue-t", "port": "trunk", "vlan": 200},
      {"name": "blue-a", "port": "blue1"},
      {"name": "blue-b", "port": "blue2", "vlan": 200}]}]}
}
EOF

daemon_start "$TMP/config.json"

ns_add trunk red-a blue-a blue-b
attach "${ID}tr" trunk eth0 02:00:00:00:00:99
attach "${ID}r1" red-a eth0 02:00:00:00:01:01
attach "${ID}b1" blue-a eth0 02:00:00:00:02:01
attach "${ID}b2" blue-b eth0 02:00:00:00:02:02

# drops PORT TENANT REASON: the reason's count on the port plus on the tenant
# (frames dropped before a tenant is known count on the port only).
drops() {
	local p t
	p=$(counter /poolnet/ports "$1" drop "$3") || return 1
	t=$(counter /poolnet/tenants "$2" drop "$3") || return 1
	echo $((p + t))
}
send() { in_ns "$1" "$PY" "$HERE/send_frame.py" eth0 "${@:2}"; }
seen() { count_frames "$TMP/$1.pcap" "frame contains \"$2\""; }

dt0=$(drops trunk red double_tagged) || abort "read telemetry counters"
vu_trunk0=$(drops trunk red vlan_unknown)
vu_red0=$(drops red1 red vlan_unknown)

# Inbound only where frames are sent from: a VM's own frames are no evidence.
capture_start trunk eth0 "$TMP/trunk.pcap" -Q in
capture_start red-a eth0 "$TMP/red-a.pcap" -Q in
capture_start blue-a eth0 "$TMP/blue-a.pcap"
capture_start blue-b eth0 "$TMP/blue-b.pcap"

# A control frame: properly tagged VLAN 100, flooded to red-a only.
send trunk --vlan 100 --payload PNCONTROL
check "control frame (VLAN 100) reaches red-a" \
	wait_for 5 at_least 1 seen red-a PNCONTROL

# The hop: outer VLAN 100 (red, the sender's), inner VLAN 200 (blue).
send trunk --vlan 100 --vlan 200 --payload PNHOP --count 3
check "double_tagged counts the 3 hopping frames" \
	wait_for 5 at_least $((dt0 + 3)) drops trunk red double_tagged

# An untagged-only port given a frame tagged with blue's VLAN.
send red-a --vlan 200 --payload PNRED200 --count 2
check "VLAN 200 on red1 (untagged only) counts vlan_unknown" \
	wait_for 5 at_least $((vu_red0 + 2)) drops red1 red vlan_unknown

# The trunk given a VLAN nobody configured.
send trunk --vlan 300 --payload PNV300 --count 2
check "VLAN 300 on the trunk counts vlan_unknown" \
	wait_for 5 at_least $((vu_trunk0 + 2)) drops trunk red vlan_unknown

# A last control frame, so everything sent before it has passed the switch.
send trunk --vlan 100 --payload PNLAST
wait_for 5 at_least 1 seen red-a PNLAST ||
	log "last control frame not seen on red-a"
capture_stop_all

check "control frame did not reach blue-a" [ "$(seen blue-a PNCONTROL)" -eq 0 ]
check "control frame did not reach blue-b" [ "$(seen blue-b PNCONTROL)" -eq 0 ]
for n in blue-a blue-b red-a trunk; do
	check "hopping frame never appeared on $n" [ "$(seen $n PNHOP)" -eq 0 ]
	check "VLAN 200 frame from red1 never appeared on $n" [ "$(seen $n PNRED200)" -eq 0 ]
	check "VLAN 300 frame never appeared on $n" [ "$(seen $n PNV300)" -eq 0 ]
done
log "ports: $(telemetry /poolnet/ports)"
log "tenants: $(telemetry /poolnet/tenants)"

daemon_stop
finish
