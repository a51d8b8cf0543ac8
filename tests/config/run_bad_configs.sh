#!/bin/sh
# Usage: run_bad_configs.sh POOLNETD
# Every tests/config/bad/NAME.json must be rejected by `POOLNETD --check`
# with an error naming the path in NAME.expect; yang/demo.json must pass.
set -u

poolnetd=${1:?usage: run_bad_configs.sh POOLNETD}
here=$(cd "$(dirname "$0")" && pwd)
demo="$here/../../yang/demo.json"
stderr_file=$(mktemp)
trap 'rm -f "$stderr_file"' EXIT
passed=0
failed=0

pass() {
	echo "PASS $1"
	passed=$((passed + 1))
}

fail() {
	echo "FAIL $1: $2"
	sed 's/^/    /' "$stderr_file"
	failed=$((failed + 1))
}

for config in "$here"/bad/*.json; do
	name=$(basename "$config" .json)
	: >"$stderr_file"
	if [ ! -f "$here/bad/$name.expect" ]; then
		fail "$name" "no $name.expect"
		continue
	fi
	expected=$(cat "$here/bad/$name.expect")
	"$poolnetd" --check --config "$config" >/dev/null 2>"$stderr_file"
	status=$?
	if [ "$status" -eq 0 ]; then
		fail "$name" "accepted"
	elif ! grep -qF -- "poolnetd: config error: " "$stderr_file"; then
		fail "$name" "exit $status without a config error"
	elif ! grep -qF -- "$expected" "$stderr_file"; then
		fail "$name" "error does not name $expected"
	else
		pass "$name"
	fi
done

"$poolnetd" --check --config "$demo" >/dev/null 2>"$stderr_file"
status=$?
if [ "$status" -eq 0 ]; then
	pass demo
else
	fail demo "rejected with exit $status"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
