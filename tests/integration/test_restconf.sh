#!/bin/bash
# RESTCONF (RFC 8040) against the real poolnetd with curl: discovery, every
# method, ETag/If-Match, and bad requests, each of which must get its RFC 8040
# error and leave the running config (GET content=config) and the persisted
# running.json byte-identical.
TAG=rc
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh" "$@"

SOCK="$TMP/restconf.sock"
STATE="$TMP/state"
TCP="127.0.0.1:$((18470 + WORKERS))"
DATA=/restconf/data
RED=$DATA/poolnet:tenants/tenant=red
JSON='Content-Type: application/yang-data+json'

cat >"$TMP/config.json" <<EOF
{
  "poolnet:ports": {"port": [
    {"name": "red1", "devargs": "$(tap_devargs 0 "${ID}r1")", "role": "access"},
    {"name": "blue1", "devargs": "$(tap_devargs 1 "${ID}b1")", "role": "access"},
    {"name": "up0", "devargs": "$(tap_devargs 2 "${ID}u0")", "role": "uplink"}]},
  "poolnet:underlay": {"local-vtep": "192.168.50.1", "uplink-port": "up0"},
  "poolnet:tenants": {"tenant": [
    {"name": "red", "id": 1, "vni": 5001, "attachment": [
      {"name": "red-a", "port": "red1", "vlan": 100}],
     "remote-vtep": ["192.168.50.2"]},
    {"name": "blue", "id": 2, "vni": 5002, "attachment": [
      {"name": "blue-a", "port": "blue1", "vlan": 200}]}]}
}
EOF

# --- helpers ---------------------------------------------------------------

# http METHOD PATH [CURL_ARGS...]: one request over the unix socket; sets
# STATUS, and leaves the body in $TMP/body and the headers in $TMP/headers.
http() {
	local method=$1 path=$2
	shift 2
	local how=(-X "$method")
	[ "$method" = HEAD ] && how=(-I)
	STATUS=$(curl -s --max-time 10 --unix-socket "$SOCK" -o "$TMP/body" \
		-D "$TMP/headers" -w '%{http_code}' "${how[@]}" "$@" "http://localhost$path")
}

# header NAME: a header of the last reply.
header() {
	awk -v name="$1" 'BEGIN { IGNORECASE = 1 }
		index(tolower($0), tolower(name) ":") == 1 {
			sub(/^[^:]*:[ \t]*/, ""); sub(/\r$/, ""); print }' "$TMP/headers"
}

# body_has TEXT: the last reply's body contains TEXT.
body_has() { grep -qF -- "$1" "$TMP/body"; }

# error_is TAG: the last reply is an RFC 8040 error document with TAG.
error_is() {
	"$PY" - "$1" "$TMP/body" <<'PYEOF'
import json, sys
error = json.load(open(sys.argv[2]))["ietf-restconf:errors"]["error"][0]
assert error["error-tag"] == sys.argv[1], error
assert error["error-type"] in ("transport", "rpc", "protocol", "application"), error
assert error["error-message"], error
PYEOF
}

config_snapshot() {
	curl -s --max-time 10 --unix-socket "$SOCK" -o "$1.get" \
		"http://localhost$DATA?content=config" && cp "$STATE/running.json" "$1.file"
}

unchanged() {
	cmp -s "$TMP/before.get" "$TMP/after.get" && cmp -s "$TMP/before.file" "$TMP/after.file"
}

# good DESC STATUS METHOD PATH [CURL_ARGS...]: the request gets STATUS.
good() {
	local desc=$1 want=$2
	shift 2
	http "$@"
	if [ "$STATUS" = "$want" ]; then
		pass "$desc ($want)"
	else
		fail "$desc: status $STATUS, want $want: $(head -c 300 "$TMP/body")"
	fi
}

# bad DESC STATUS TAG METHOD PATH [CURL_ARGS...]: the request gets STATUS
# with an error document holding TAG, and the config stays as it was.
bad() {
	local desc=$1 want=$2 tag=$3
	shift 3
	config_snapshot "$TMP/before" || abort "read the config before: $desc"
	http "$@"
	config_snapshot "$TMP/after" || abort "read the config after: $desc"
	if [ "$STATUS" != "$want" ]; then
		fail "$desc: status $STATUS, want $want: $(head -c 300 "$TMP/body")"
	elif ! error_is "$tag" 2>/dev/null; then
		fail "$desc: no $tag error document: $(head -c 300 "$TMP/body")"
	elif ! unchanged; then
		fail "$desc: the running config changed"
	else
		pass "$desc ($want $tag, config unchanged)"
	fi
}

# --- start -----------------------------------------------------------------

daemon_start "$TMP/config.json" --state-dir "$STATE" --restconf-socket "$SOCK" \
	--restconf-tcp "$TCP"
check "the unix socket is mode 0660" [ "$(stat -c %a "$SOCK")" = 660 ]
check "running.json is saved" test -s "$STATE/running.json"

# --- discovery -------------------------------------------------------------

good "GET /.well-known/host-meta" 200 GET /.well-known/host-meta
check "host-meta links to /restconf" body_has "<Link rel='restconf' href='/restconf'/>"
good "GET /restconf" 200 GET /restconf
check "/restconf names yang-library-version 2019-01-04" \
	body_has '"yang-library-version":"2019-01-04"'
good "GET /restconf/yang-library-version" 200 GET /restconf/yang-library-version
good "GET the YANG library" 200 GET "$DATA/ietf-yang-library:yang-library"
check "the YANG library lists poolnet" body_has '"name": "poolnet"'
good "GET module poolnet from the YANG library" 200 GET \
	"$DATA/ietf-yang-library:yang-library/module-set=complete/module=poolnet"
good "OPTIONS on a data resource" 200 OPTIONS "$RED"
check "OPTIONS lists the methods" [ "$(header Allow)" = "GET, HEAD, OPTIONS, PUT, POST, PATCH, DELETE" ]

# --- reads -----------------------------------------------------------------

good "GET /restconf/data" 200 GET "$DATA"
check "GET carries an ETag" [ -n "$(header ETag)" ]
check "GET carries a Last-Modified date" [ -n "$(header Last-Modified)" ]
check "GET is application/yang-data+json" [ "$(header Content-Type)" = application/yang-data+json ]
check "GET includes state" body_has '"statistics"'
good "GET content=config" 200 GET "$DATA?content=config"
check_not "content=config has no state" body_has '"statistics"'
good "GET content=nonconfig" 200 GET "$DATA/poolnet:ports?content=nonconfig"
check "content=nonconfig has state" body_has '"statistics"'
check_not "content=nonconfig has no config" body_has '"devargs"'
good "GET depth=2" 200 GET "$DATA/poolnet:tenants?depth=2"
check_not "depth=2 stops at the tenant entries" body_has '"attachment"'
check "depth keeps the keys" body_has '"name": "red"'
good "GET a leaf" 200 GET "$RED/attachment=red-a/vlan"
check "the leaf reads 100" body_has '"poolnet:vlan": 100'
good "GET a leaf-list value" 200 GET "$RED/remote-vtep=192.168.50.2"
check "GET over TCP" curl -sf --max-time 10 -o /dev/null "http://$TCP$RED"
good "HEAD" 200 HEAD "$RED"
check_not "HEAD sends no body" body_has '"poolnet:tenant"'
bad "GET of a tenant that does not exist" 404 data-missing GET "$DATA/poolnet:tenants/tenant=green"

# --- writes ----------------------------------------------------------------

etag0=$(header ETag)
good "PUT a leaf" 204 PUT "$RED/attachment=red-a/vlan" -H "$JSON" -d '{"poolnet:vlan": 101}'
check "PUT replies with a new ETag" [ -n "$(header ETag)" ] && [ "$(header ETag)" != "$etag0" ]
check "running.json holds the new VLAN" grep -q '"vlan": 101' "$STATE/running.json"
good "POST a tenant" 201 POST "$DATA/poolnet:tenants" -H "$JSON" \
	-d '{"poolnet:tenant": [{"name": "green", "id": 3}]}'
location=$(header Location)
check "POST gives its Location" [ "$location" = "$DATA/poolnet:tenants/tenant=green" ]
good "GET the Location" 200 GET "$location"
good "PATCH merges into the tenant" 204 PATCH "$location" -H "$JSON" \
	-d '{"poolnet:tenant": [{"name": "green", "vni": 5003}]}'
good "GET after PATCH" 200 GET "$location/vni"
check "PATCH set the VNI" body_has '"poolnet:vni": 5003'
good "PUT creates an attachment" 201 PUT "$location/attachment=green-a" -H "$JSON" \
	-d '{"poolnet:attachment": [{"name": "green-a", "port": "red1", "vlan": 300}]}'
good "PUT replaces it" 204 PUT "$location/attachment=green-a" \
	-H 'Content-Type: application/json; charset=utf-8' \
	-d '{"poolnet:attachment": [{"name": "green-a", "port": "red1", "vlan": 301}]}'
good "PUT a leaf-list value" 201 PUT "$location/remote-vtep=192.168.50.3" -H "$JSON" \
	-d '{"poolnet:remote-vtep": ["192.168.50.3"]}'
good "DELETE the leaf-list value" 204 DELETE "$location/remote-vtep=192.168.50.3"
good "DELETE the tenant" 204 DELETE "$location"
good "GET the deleted tenant" 404 GET "$location"
etag=$(curl -s -I --unix-socket "$SOCK" "http://localhost$DATA" |
	awk 'tolower($1) == "etag:" { sub(/\r$/, ""); print $2 }')
good "If-Match with the current ETag" 204 PUT "$RED/vni" -H "$JSON" -H "If-Match: $etag" \
	-d '{"poolnet:vni": 5001}'
good "If-Match: *" 204 PUT "$RED/vni" -H "$JSON" -H 'If-Match: *' -d '{"poolnet:vni": 5001}'
good "PUT /restconf/data restores the first config" 204 PUT "$DATA" -H "$JSON" \
	--data-binary "@$TMP/config.json"
good "GET after the restore" 200 GET "$RED/attachment=red-a/vlan"
check "the restore put VLAN 100 back" body_has '"poolnet:vlan": 100'

# --- bad requests: each leaves everything as it was --------------------------

bad "malformed JSON" 400 malformed-message PATCH "$RED" -H "$JSON" \
	-d '{"poolnet:tenant": [{"name": "red",'
bad "malformed JSON at the root" 400 malformed-message PUT "$DATA" -H "$JSON" -d 'nonsense'
bad "empty body" 400 malformed-message PUT "$RED/vni" -H "$JSON"
bad "wrong type" 400 invalid-value PATCH "$RED" -H "$JSON" \
	-d '{"poolnet:tenant": [{"name": "red", "id": "one"}]}'
bad "value out of range" 400 invalid-value PUT "$RED/attachment=red-a/vlan" -H "$JSON" \
	-d '{"poolnet:vlan": 5000}'
bad "unknown node in the body" 400 invalid-value PATCH "$RED" -H "$JSON" \
	-d '{"poolnet:tenant": [{"name": "red", "colour": "red"}]}'
bad "state in the body" 400 invalid-value PATCH "$DATA/poolnet:ports/port=red1" -H "$JSON" \
	-d '{"poolnet:port": [{"name": "red1", "statistics": {"rx-packets": "1"}}]}'
bad "body naming another node" 400 invalid-value PUT "$RED/vni" -H "$JSON" -d '{"poolnet:id": 9}'
bad "PUT with a key unlike the URI's" 400 invalid-value PUT "$RED" -H "$JSON" \
	-d '{"poolnet:tenant": [{"name": "blue", "id": 1}]}'
bad "POST of two resources" 400 invalid-value POST "$RED" -H "$JSON" \
	-d '{"poolnet:attachment": [{"name": "x", "port": "red1", "vlan": 7},
	                            {"name": "y", "port": "red1", "vlan": 8}]}'
bad "a mandatory leaf missing" 400 invalid-value POST "$DATA/poolnet:tenants" -H "$JSON" \
	-d '{"poolnet:tenant": [{"name": "green"}]}'
bad "writing a list key" 400 invalid-value PUT "$RED/name" -H "$JSON" -d '{"poolnet:name": "x"}'
bad "unknown node in the path" 400 invalid-value GET "$DATA/poolnet:tenants/colour"
bad "path without a module" 400 invalid-value GET "$DATA/tenants"
bad "path with an unknown module" 400 invalid-value GET "$DATA/nosuch:tenants"
bad "list without its key" 400 invalid-value PUT "$DATA/poolnet:tenants/tenant" -H "$JSON" \
	-d '{"poolnet:tenant": [{"name": "x", "id": 9}]}'
bad "bad percent-encoding" 400 invalid-value DELETE "$DATA/poolnet:tenants/tenant=r%zz"
bad "unsupported query parameter" 400 invalid-value GET "$DATA?fields=poolnet:tenants"
bad "bad depth" 400 invalid-value GET "$DATA?depth=0"
bad "bad content" 400 invalid-value GET "$DATA?content=everything"
bad "duplicate port+VLAN across tenants (semantic check)" 400 invalid-value \
	PUT "$RED/attachment=red-b" -H "$JSON" \
	-d '{"poolnet:attachment": [{"name": "red-b", "port": "blue1", "vlan": 200}]}'
bad "duplicate VNI (YANG unique)" 400 invalid-value PUT "$RED/vni" -H "$JSON" \
	-d '{"poolnet:vni": 5002}'
bad "attachment to a port that does not exist" 400 invalid-value PATCH "$RED" -H "$JSON" \
	-d '{"poolnet:tenant": [{"name": "red", "attachment": [{"name": "z", "port": "nope"}]}]}'
bad "attachment on the uplink port" 400 invalid-value PATCH "$RED" -H "$JSON" \
	-d '{"poolnet:tenant": [{"name": "red", "attachment": [{"name": "z", "port": "up0"}]}]}'
bad "state data at the root" 400 invalid-value PUT "$DATA" -H "$JSON" \
	-d '{"poolnet:ports": {"port": [{"name": "p", "statistics": {}}]}}'
bad "deleting what does not exist" 404 data-missing DELETE "$DATA/poolnet:tenants/tenant=green"
bad "PATCH of what does not exist" 404 data-missing PATCH "$DATA/poolnet:tenants/tenant=green" \
	-H "$JSON" -d '{"poolnet:tenant": [{"name": "green", "id": 3}]}'
bad "POST under what does not exist" 404 data-missing POST "$DATA/poolnet:tenants/tenant=green" \
	-H "$JSON" -d '{"poolnet:attachment": [{"name": "g", "port": "red1"}]}'
bad "creating what exists" 409 data-exists POST "$DATA/poolnet:tenants" -H "$JSON" \
	-d '{"poolnet:tenant": [{"name": "red", "id": 1}]}'
bad "creating the underlay again" 409 data-exists POST "$DATA" -H "$JSON" \
	-d '{"poolnet:underlay": {"local-vtep": "10.0.0.1", "uplink-port": "up0"}}'
bad "deleting a port in use" 409 in-use DELETE "$DATA/poolnet:ports/port=red1"
bad "If-Match mismatch" 412 operation-failed PUT "$RED/vni" -H "$JSON" -H 'If-Match: "0"' \
	-d '{"poolnet:vni": 5009}'
bad "If-Unmodified-Since before the last change" 412 operation-failed PUT "$RED/vni" \
	-H "$JSON" -H 'If-Unmodified-Since: Mon, 01 Jan 2001 00:00:00 GMT' -d '{"poolnet:vni": 5009}'
head -c 1100000 /dev/zero | tr '\0' ' ' >"$TMP/big.json"
echo '{"poolnet:vni": 5009}' >>"$TMP/big.json"
bad "oversized body" 413 too-big PUT "$RED/vni" -H "$JSON" --data-binary "@$TMP/big.json"
bad "oversized chunked body" 413 too-big PUT "$RED/vni" -H "$JSON" \
	-H 'Transfer-Encoding: chunked' --data-binary "@$TMP/big.json"
bad "form content type" 415 invalid-value PUT "$RED/vni" -d '{"poolnet:vni": 5009}'
bad "XML content type" 415 invalid-value PUT "$RED/vni" \
	-H 'Content-Type: application/yang-data+xml' -d '<vni>5009</vni>'
bad "XML only in Accept" 406 invalid-value GET "$RED" -H 'Accept: application/yang-data+xml'
bad "DELETE of the datastore" 405 operation-not-supported DELETE "$DATA"
check "405 gives Allow" [ -n "$(header Allow)" ]
bad "PUT on /restconf" 405 operation-not-supported PUT /restconf -H "$JSON" -d '{}'
bad "writing operational state" 405 operation-not-supported \
	PUT "$DATA/poolnet:ports/port=red1/statistics" -H "$JSON" -d '{"poolnet:statistics": {}}'
bad "unknown method" 405 operation-not-supported TRACE "$RED"
bad "unknown resource" 404 invalid-value GET /restconf/nosuch
# The device refuses the request: refused, and the running port untouched.
bad "an MTU the device refuses" 400 invalid-value PATCH "$DATA/poolnet:ports/port=red1" \
	-H "$JSON" -d '{"poolnet:port": [{"name": "red1", "mtu": 9000}]}'
bad "a port taking a running port's device" 409 in-use PUT "$DATA/poolnet:ports/port=red1" \
	-H "$JSON" -d "{\"poolnet:port\": [{\"name\": \"red1\", \"role\": \"access\",
	    \"devargs\": \"$(tap_devargs 0 "${ID}rx")\"}]}"
check "the refused port change left the running tap" ip link show "${ID}r1"

daemon_stop
finish
