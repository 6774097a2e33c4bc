#!/usr/bin/env bash
# SCIM conformance: starts a fresh `attrmap serve` (the embedded SQLite connector) on loopback
# and runs every scim2-tester check against it (scim2-tester comes from PyPI, in a virtual
# environment under .build/). Exits non-zero when a check fails that the README does not list as
# excluded.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.build/conformance-venv
if [ ! -x "$venv/bin/python" ]; then python3 -m venv "$venv"; fi
"$venv/bin/pip" install --quiet --disable-pip-version-check scim2-tester==0.5.2 scim2-cli==0.6.0
swift build --product attrmap >&2
data=$(mktemp -d)
token="conformance-$RANDOM-$RANDOM-token"
.build/debug/attrmap serve --port 0 --data "$data" --token "$token" --log-level warning 2> "$data/serve.log" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data"' EXIT
url=""
for _ in $(seq 1 100); do
    url=$(grep -o 'http://127.0.0.1:[0-9]*/ecma2host_APP1/scim' "$data/serve.log" | head -1 || true)
    [ -n "$url" ] && break
    sleep 0.1
done
[ -n "$url" ] || { echo "attrmap serve did not start:" >&2; cat "$data/serve.log" >&2; exit 1; }
"$venv/bin/python" Scripts/conformance.py --url "$url" --token "$token"
