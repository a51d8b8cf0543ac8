#!/bin/bash
# poolctl against the real poolnetd: every command, its tables and JSON,
# its error messages and exit codes, --help everywhere, the bash completion,
# and the curl examples of docs/api.md (each one is run here, verbatim).
#
#   usage: test_poolctl.sh POOLNETD POOLCTL
#
#   port a1 (access) ─ namespace vm (one MAC, learned)
#   port a2 (access)   tenant red: red-a@a1, red-b@a2.100, VTEP 192.168.50.2
#   port up0 (uplink)  tenant blue: blue-a@a2.200

# Helpers run through check/expect look unreachable to shellcheck.
# shellcheck disable=SC2317
TAG=pc
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh" "$@"

POOLCTL=$(readlink -f "${2:?usage: $0 POOLNETD POOLCTL}")
[ -x "$POOLCTL" ] || abort "no poolctl at $POOLCTL"
SOCK="$TMP/s.sock"
OUT="$TMP/out"
ERR="$TMP/err"
VM=02:00:00:00:01:05
STATIC=02:00:00:00:aa:01
DOC="$POOLNET_SRC/docs/api.md"
SELF=$(readlink -f "$0")

# --- helpers -----------------------------------------------------------------

pc() { "$POOLCTL" --socket "$SOCK" "$@"; }

# expect EXIT DESCRIPTION COMMAND...: runs the command (stdout in $OUT,
# stderr in $ERR) and passes when it exits with EXIT.
expect() {
	local want=$1 desc=$2 rc
	shift 2
	"$@" >"$OUT" 2>"$ERR"
	rc=$?
	if [ "$rc" -eq "$want" ]; then
		pass "$desc (exit $rc)"
		return 0
	fi
	fail "$desc (exit $rc, expected $want)"
	sed 's/^/#   /' "$ERR" | head -n 5
	return 1
}

out_has() { grep -Eq -- "$1" "$OUT"; }
err_has() { grep -Fq -- "$1" "$ERR"; }
is_json() { "$PY" -c 'import json, sys; json.load(open(sys.argv[1]))' "$1"; }
json_has() { "$PY" -c 'import json, sys; sys.exit(sys.argv[2] not in json.load(open(sys.argv[1])))' "$@"; }

# doc_curl STATUS CURL_COMMAND...: runs one of docs/api.md's examples (the
# test's line holds it verbatim), the reply in $OUT; passes on STATUS.
doc_curl() {
	local want=$1 got
	shift
	got=$("$@" -o "$OUT" -w '%{http_code}')
	if [ "$got" = "$want" ]; then
		pass "api.md: ${*:5} → $got"
	else
		fail "api.md: ${*:5} → $got, expected $want"
		head -c 300 "$OUT" | sed 's/^/#   /'
	fi
}

# --- the daemon ----------------------------------------------------------------

ports_json() {
	cat <<EOF
  "poolnet:ports": {"port": [
    {"name": "a1", "devargs": "$(tap_devargs 0 "${ID}a1")", "role": "access"},
    {"name": "a2", "devargs": "$(tap_devargs 1 "${ID}a2")", "role": "access"},
    {"name": "up0", "devargs": "$(tap_devargs 2 "${ID}u0")", "role": "uplink"}]},
  "poolnet:underlay": {"local-vtep": "192.168.50.1", "uplink-port": "up0"},
EOF
}

cat >"$TMP/config.json" <<EOF
{
$(ports_json)
  "poolnet:tenants": {"tenant": [
    {"name": "red", "id": 1, "vni": 5001,
     "attachment": [{"name": "red-a", "port": "a1"},
                    {"name": "red-b", "port": "a2", "vlan": 100}],
     "remote-vtep": ["192.168.50.2"],
     "static-mac": [{"mac": "$STATIC", "attachment": "red-b"}]},
    {"name": "blue", "id": 2, "vni": 5002,
     "attachment": [{"name": "blue-a", "port": "a2", "vlan": 200}]}]}
}
EOF

# A free loopback port for the TCP listener (the kernel picks it).
TCP=127.0.0.1:$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
daemon_start "$TMP/config.json" --restconf-socket "$SOCK" --restconf-tcp "$TCP" --state-dir "$TMP"
wait_for 10 test -S "$SOCK" || abort "no RESTCONF socket at $SOCK"

ns_add vm
attach "${ID}a1" vm eth0 $VM
in_ns vm "$PY" "$HERE/send_frame.py" eth0 --count 3 >/dev/null 2>&1

# --- show ------------------------------------------------------------------------

expect 0 "show tenants" pc show tenants
check "show tenants: header" out_has '^NAME +ID +VNI +ATTACHMENTS +REMOTE-VTEPS +RX +TX +FLOODED +DROPS'
check "show tenants: red's id, VNI, attachments, VTEP" \
	out_has '^red +1 +5001 +red-a@a1,red-b@a2\.100 +192\.168\.50\.2 +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+$'
check "show tenants: blue without VTEPs" out_has '^blue +2 +5002 +blue-a@a2\.200 +- '

expect 0 "show ports" pc show ports
check "show ports: header" out_has '^NAME +ROLE +DEVARGS +MTU +RX +TX +DROPS$'
check "show ports: a1 with its devargs and default MTU" \
	out_has "^a1 +access +net_tap0,iface=${ID}a1 +1500 +[0-9]+ +[0-9]+ +[0-9]+$"
check "show ports: up0 is the uplink" out_has '^up0 +uplink '

wait_for 5 bash -c "'$POOLCTL' --socket '$SOCK' show macs red | grep -q '$VM'"
expect 0 "show macs" pc show macs
check "show macs: header" out_has '^TENANT +MAC +WHERE +STATIC +AGE$'
check "show macs: the static MAC at red-b" out_has "^red +$STATIC +red-b +yes "
check "show macs: the VM's MAC learned at red-a" out_has "^red +$VM +red-a +no +[0-9]+$"
expect 0 "show macs red" pc show macs red
check_not "show macs red: no other tenant" out_has '^blue '
expect 1 "show macs of an unknown tenant" pc show macs nosuch
check "show macs nosuch: names the tenant" err_has "/poolnet:tenants/tenant[name='nosuch']"

expect 0 "show counters" pc show counters
check "show counters: per port" out_has '^PORT +RX +TX +DROPS +DROP-REASONS$'
check "show counters: a1 received the VM's frames" out_has '^a1 +[1-9][0-9]* '
check "show counters: per tenant" out_has '^TENANT +RX +TX +FLOODED +DROPS +DROP-REASONS$'
check "show counters: red received them" out_has '^red +[1-9][0-9]* '

expect 0 "show tenants --names" pc show tenants --names
check "show tenants --names: one a line" diff <(printf 'red\nblue\n') "$OUT"

for what in tenants ports macs counters; do
	expect 0 "show $what --json" pc show "$what" --json
	check "show $what --json is JSON" is_json "$OUT"
done
pc show tenants --json >"$OUT"
check "show tenants --json: RFC 7951 module-qualified" json_has "$OUT" poolnet:tenants
pc show counters --json >"$OUT"
check "show counters --json: ports and tenants" json_has "$OUT" poolnet:ports
pc show macs red --json >"$OUT"
check "show macs red --json: red's list entry" json_has "$OUT" poolnet:tenant

expect 0 "--tcp HOST:PORT" "$POOLCTL" --tcp "$TCP" show tenants --names
check "--tcp: the same daemon" diff <(printf 'red\nblue\n') "$OUT"

# --- get, set, apply, edit, delete ------------------------------------------

expect 0 "get a leaf" pc get poolnet:tenants/tenant=red/vni
check "get: the leaf's JSON" out_has '"poolnet:vni": ?5001'
expect 0 "set a number" pc set poolnet:tenants/tenant=red/vni 5101
pc get poolnet:tenants/tenant=red/vni >"$OUT"
check "get shows the new number" out_has '"poolnet:vni": ?5101'
expect 0 "set a string (an IPv4 address)" pc set poolnet:underlay/gateway 192.168.50.254
pc get poolnet:underlay/gateway >"$OUT"
check "get shows the new string" out_has '"poolnet:gateway": ?"192\.168\.50\.254"'
expect 0 "set a leaf-list entry" pc set poolnet:tenants/tenant=red/remote-vtep=192.168.50.3 \
	192.168.50.3
pc show tenants >"$OUT"
check "show tenants shows the new VTEP" out_has '^red .*192\.168\.50\.2,192\.168\.50\.3'

expect 0 "get --etag" pc get poolnet:tenants --etag
check "get --etag prints the ETag" err_has 'ETag: "'
etag=$(sed -n 's/^ETag: //p' "$ERR")
expect 0 "set with the current ETag" pc --if-match "$etag" set poolnet:tenants/tenant=red/vni 5001
expect 1 "set with a stale ETag" pc --if-match "$etag" set poolnet:tenants/tenant=red/vni 5002
check "stale ETag: HTTP 412" err_has "(HTTP 412 "

cat >"$TMP/apply.json" <<EOF
{
$(ports_json)
  "poolnet:tenants": {"tenant": [
    {"name": "red", "id": 1, "vni": 5001,
     "attachment": [{"name": "red-a", "port": "a1"}]},
    {"name": "green", "id": 3, "vni": 5003,
     "attachment": [{"name": "green-a", "port": "a2", "vlan": 300}]}]}
}
EOF
expect 0 "apply FILE" pc apply "$TMP/apply.json"
pc show tenants --names >"$OUT"
check "apply replaced the tenants" diff <(printf 'red\ngreen\n') "$OUT"
pc show tenants >"$OUT"
check "apply replaced red's attachments" out_has '^red +1 +5001 +red-a@a1 +- '

cat >"$TMP/edit.json" <<'EOF'
{"poolnet:tenants": {"tenant": [
  {"name": "blue", "id": 2, "vni": 5002,
   "attachment": [{"name": "blue-a", "port": "a2", "vlan": 200}]}]}}
EOF
expect 0 "edit FILE" pc edit "$TMP/edit.json"
pc show tenants --names >"$OUT"
check "edit merged blue in, kept the others" diff <(printf 'red\ngreen\nblue\n') "$OUT"
expect 0 "edit from stdin" pc edit - <<'EOF'
{"poolnet:tenants": {"tenant": [{"name": "blue", "mac-ageing-time": 600}]}}
EOF
pc get poolnet:tenants/tenant=blue/mac-ageing-time >"$OUT"
check "edit from stdin changed blue" out_has '600'

expect 0 "delete PATH" pc delete poolnet:tenants/tenant=green
pc show tenants --names >"$OUT"
check "delete removed green" diff <(printf 'red\nblue\n') "$OUT"

# --- watch -------------------------------------------------------------------

expect 0 "watch counters --count 2" pc watch counters --interval 0.2 --count 2
check "watch: two refreshes" test "$(grep -c '^PORT +RX pps' -E "$OUT")" -eq 2
check "watch: rates per tenant" out_has '^red +[0-9]+\.[0-9] +[0-9]+\.[0-9] '

# --- errors -------------------------------------------------------------------

RED_VNI="/poolnet:tenants/tenant[name='red']/vni"
expect 1 "set a bad value" pc set poolnet:tenants/tenant=red/vni abc
check "bad value: the path in the message" err_has "poolctl: $RED_VNI: "
check "bad value: status and tag" err_has "(HTTP 400 invalid-value)"
expect 1 "set a value out of range" pc set poolnet:tenants/tenant=red/vni 0
check "out of range: the path in the message" err_has "$RED_VNI"
expect 1 "set an unknown leaf" pc set poolnet:tenants/tenant=red/colour blue
check "unknown leaf: named in the message" err_has "colour"
expect 1 "get a bad path" pc get poolnet:nosuch
check "bad path: HTTP 400" err_has "(HTTP 400 "
expect 1 "get what does not exist" pc get poolnet:tenants/tenant=nosuch
check "no such data: HTTP 404" err_has "(HTTP 404 "
expect 1 "delete what does not exist" pc delete poolnet:tenants/tenant=nosuch
check "delete of nothing: the path" err_has "nosuch"

cat >"$TMP/clash.json" <<EOF
{
$(ports_json)
  "poolnet:tenants": {"tenant": [
    {"name": "red", "id": 1, "attachment": [{"name": "x", "port": "a2", "vlan": 7}]},
    {"name": "blue", "id": 2, "attachment": [{"name": "y", "port": "a2", "vlan": 7}]}]}
}
EOF
expect 1 "apply a config that fails a semantic check" pc apply "$TMP/clash.json"
check "semantic error: the path in the message" err_has "poolctl: /poolnet:tenants/tenant"
pc show tenants >"$OUT"
check "refused apply left the config alone" out_has '^red +1 +5001 '
echo '{"poolnet:tenants": {' >"$TMP/broken.json"
expect 1 "apply malformed JSON" pc apply "$TMP/broken.json"
check "malformed JSON: HTTP 400" err_has "(HTTP 400 "

expect 3 "daemon unreachable" "$POOLCTL" --socket "$TMP/none.sock" show tenants
check "unreachable: names the socket" err_has "$TMP/none.sock"
expect 3 "POOLNET_SOCKET selects the socket" env POOLNET_SOCKET="$TMP/env.sock" \
	"$POOLCTL" get poolnet:tenants
check "POOLNET_SOCKET: names it" err_has "$TMP/env.sock"

expect 2 "no command" pc
expect 2 "unknown command" pc frobnicate
expect 2 "unknown global option" pc --frob show tenants
expect 2 "show without a target" pc show
expect 2 "show of an unknown target" pc show everything
expect 2 "set without a value" pc set poolnet:tenants/tenant=red/vni
expect 2 "set of a container" pc set poolnet:tenants 1
expect 2 "apply of a missing file" pc apply "$TMP/none.json"
expect 2 "watch --count 0" pc watch counters --count 0
expect 2 "watch without counters" pc watch
check "usage errors print the usage" err_has "usage: poolctl watch"

# --- help ------------------------------------------------------------------------

expect 0 "poolctl --help" "$POOLCTL" --help
check "--help lists the commands and exit codes" out_has '^  watch +counters'
for cmd in show get set apply edit delete watch help; do
	expect 0 "poolctl help $cmd" "$POOLCTL" help "$cmd"
	check "help $cmd: its usage" out_has "^usage: poolctl $cmd "
	[ "$cmd" = help ] && continue
	expect 0 "poolctl $cmd --help" "$POOLCTL" "$cmd" --help
	check "$cmd --help: its usage" out_has "^usage: poolctl $cmd "
done

# --- bash completion ---------------------------------------------------------

# completes LINE WORD: the completion of LINE offers WORD.
completes() {
	POOLCTL_BIN=$POOLCTL bash -c '
poolctl() { "$POOLCTL_BIN" "$@"; }
. "$1"
COMP_LINE=$2
COMP_POINT=${#2}
_poolctl
printf "%s\n" "${COMPREPLY[@]}"' _ "$POOLNET_SRC/scripts/poolctl.bash-completion" "$1" |
		grep -qxF -- "$2"
}
check "completion: commands" completes "poolctl wa" watch
check "completion: show targets" completes "poolctl show " counters
check "completion: tenant names from the daemon" completes "poolctl --socket $SOCK show macs " blue
check "completion: api-paths (after the ':')" \
	completes "poolctl --socket $SOCK get poolnet:tenants/tenant=red/v" tenants/tenant=red/vni
check "completion: values" completes "poolctl set poolnet:ports/port=a1/role " uplink

# --- the curl examples of docs/api.md ------------------------------------------

cd "$TMP" || abort "cd $TMP"
cat >running.json <<EOF
{
$(ports_json)
  "poolnet:tenants": {"tenant": [
    {"name": "red", "id": 1, "vni": 5001,
     "attachment": [{"name": "red-a", "port": "a1"}]}]}
}
EOF
cat >green.json <<'EOF'
{"poolnet:tenants": {"tenant": [
  {"name": "green", "id": 3, "vni": 5003,
   "attachment": [{"name": "green-a", "port": "a2", "vlan": 300}]}]}}
EOF
cat >tenant-blue.json <<'EOF'
{"poolnet:tenant": [
  {"name": "blue", "id": 2, "vni": 5002,
   "attachment": [{"name": "blue-a", "port": "a2", "vlan": 200}]}]}
EOF

doc_curl 200 curl -s --unix-socket "$SOCK" http://localhost/.well-known/host-meta
check "host-meta names the RESTCONF root" grep -q "rel=['\"]restconf['\"]" "$OUT"
doc_curl 200 curl -s --unix-socket "$SOCK" http://localhost/restconf
check "/restconf: the API resource" grep -q 'ietf-restconf:restconf' "$OUT"
doc_curl 200 curl -s --unix-socket "$SOCK" http://localhost/restconf/yang-library-version
doc_curl 200 curl -s --unix-socket "$SOCK" http://localhost/restconf/data/ietf-yang-library:yang-library
check "yang-library lists poolnet" grep -q '"poolnet"' "$OUT"
doc_curl 200 curl -s --unix-socket "$SOCK" 'http://localhost/restconf/data/poolnet:tenants?content=config'
doc_curl 200 curl -s --unix-socket "$SOCK" 'http://localhost/restconf/data/poolnet:tenants/tenant=red/statistics?content=nonconfig'
doc_curl 204 curl -s --unix-socket "$SOCK" -X PUT -H 'Content-Type: application/yang-data+json' --data-binary @running.json http://localhost/restconf/data
doc_curl 204 curl -s --unix-socket "$SOCK" -X PATCH -H 'Content-Type: application/yang-data+json' --data-binary @green.json http://localhost/restconf/data
doc_curl 201 curl -s --unix-socket "$SOCK" -X POST -H 'Content-Type: application/yang-data+json' --data-binary @tenant-blue.json http://localhost/restconf/data/poolnet:tenants
doc_curl 409 curl -s --unix-socket "$SOCK" -X POST -H 'Content-Type: application/yang-data+json' --data-binary @tenant-blue.json http://localhost/restconf/data/poolnet:tenants
check "409: data-exists" grep -q '"data-exists"' "$OUT"
doc_curl 204 curl -s --unix-socket "$SOCK" -X PUT -H 'Content-Type: application/yang-data+json' -d '{"poolnet:vni": 5101}' http://localhost/restconf/data/poolnet:tenants/tenant=red/vni
doc_curl 204 curl -s --unix-socket "$SOCK" -X DELETE http://localhost/restconf/data/poolnet:tenants/tenant=green
doc_curl 400 curl -s --unix-socket "$SOCK" -X PUT -H 'Content-Type: application/yang-data+json' -d '{"poolnet:vni": 0}' http://localhost/restconf/data/poolnet:tenants/tenant=red/vni
check "400: error-path of the leaf" grep -qF "\"error-path\":\"$RED_VNI\"" <(tr -d ' \n' <"$OUT")
ETAG=$(curl -s --unix-socket "$SOCK" -o /dev/null -w '%header{etag}' http://localhost/restconf/data)
check "the datastore has an ETag" test -n "$ETAG"
doc_curl 204 curl -s --unix-socket "$SOCK" -X PUT -H 'Content-Type: application/yang-data+json' -H "If-Match: $ETAG" -d '{"poolnet:vni": 5001}' http://localhost/restconf/data/poolnet:tenants/tenant=red/vni
doc_curl 412 curl -s --unix-socket "$SOCK" -X PUT -H 'Content-Type: application/yang-data+json' -H "If-Match: $ETAG" -d '{"poolnet:vni": 5002}' http://localhost/restconf/data/poolnet:tenants/tenant=red/vni
pc show tenants --names >"$OUT"
check "after the examples: red and blue" diff <(printf 'red\nblue\n') "$OUT"

# doc_examples: the lines of docs/api.md's ```sh blocks.
# shellcheck disable=SC2016 # the fences are literal
doc_examples() { sed -n '/^```sh$/,/^```$/p' "$DOC"; }

# Every curl line of docs/api.md is one this file runs.
doc_lines_run() {
	local line missing=0
	while IFS= read -r line; do
		grep -qF -- "$line" "$SELF" || {
			log "not run by this test: $line"
			missing=1
		}
	done < <(doc_examples | grep 'curl ')
	return "$missing"
}
check "every curl example of docs/api.md is run here" doc_lines_run

daemon_stop
finish
