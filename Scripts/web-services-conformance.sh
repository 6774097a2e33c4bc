#!/usr/bin/env bash
# The web services samples against their own documents, checked by independent tools from PyPI
# (in a virtual environment under .build/): the sample HR application's OpenAPI document by
# openapi-spec-validator, and every request and response of a tour of its API by openapi-core.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.build/conformance-venv
if [ ! -x "$venv/bin/python" ]; then python3 -m venv "$venv"; fi
"$venv/bin/pip" install --quiet --disable-pip-version-check openapi-core==0.23.1 openapi-spec-validator==0.8.5
swift build --product sample-hr-app >&2
work=$(mktemp -d)
export HR_API_KEY="check-$RANDOM-$RANDOM-key" HR_CLIENT_ID=checker HR_CLIENT_SECRET="check-$RANDOM-secret"
.build/debug/sample-hr-app --port 0 --database "$work/hr.sqlite" > "$work/hr.out" 2>&1 &
app=$!
trap 'kill $app 2>/dev/null; wait $app 2>/dev/null; rm -rf "$work"' EXIT
url=""
for _ in $(seq 1 100); do
    url=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$work/hr.out" | head -1 || true)
    [ -n "$url" ] && break
    sleep 0.1
done
[ -n "$url" ] || { echo "sample-hr-app did not start:" >&2; cat "$work/hr.out" >&2; exit 1; }
"$venv/bin/python" Scripts/openapi_check.py "$url"
