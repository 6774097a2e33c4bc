#!/usr/bin/env bash
# The web services walkthrough, from a fresh clone: build attrmap and the sample HR application,
# start the application (its own SQLite storage, 250 employees), discover its OpenAPI document
# into a starter template, try the shipped template one operation at a time, serve it through `attrmap serve`, provision users through the host as Entra would
# (create, read, query, update, a role added and one removed, a password, disable, delete, a
# refusal) and read each result back from the application's own API. Exits 0 only if every
# step worked.
set -euo pipefail
cd "$(dirname "$0")/../.."
started=$SECONDS
example=Examples/web-services

. Scripts/build-step.sh

echo "[1/4] system packages: Scripts/install-system-packages.sh installs what is missing"
./Scripts/install-system-packages.sh

log=.build/web-services-build.log
build_step "[2/4] building attrmap and the sample HR application (release; a first build takes 10 to 20 minutes on 2 cores; log: $log)" "$log" \
    sh -c 'swift build -c release --product attrmap && swift build -c release --product sample-hr-app'
attrmap=.build/release/attrmap

work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done
    wait 2> /dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# Secrets live in the environment only; these are made up for the walkthrough.
export HR_API_KEY="hr-key-$RANDOM$RANDOM$RANDOM"
export ATTRMAP_HR_TOKEN="host-token-$RANDOM$RANDOM$RANDOM"


echo "[3/4] the sample HR application and the template"
.build/release/sample-hr-app --port 0 --database "$work/hr.sqlite" --seed 250 > "$work/hr.out" 2>&1 &
pids+=($!)
export HR_URL=$(wait_for "$work/hr.out" 'http://127\.0\.0\.1:[0-9]+/api/v1')
echo "  the application listens on $HR_URL"
echo
echo "== attrmap discover rest --openapi ${HR_URL%/api/v1}/openapi.json --template …   (the application's own OpenAPI document)"
"$attrmap" discover rest --openapi "${HR_URL%/api/v1}/openapi.json" --template "$work/discovered.yaml" > "$work/tree.txt"
head -n 12 "$work/tree.txt"
echo "  …"
echo "  the starter template differs from the shipped one ($example/templates/hr-app.yaml, discovered then edited) in:"
diff <(grep -v '^ *#' "$work/discovered.yaml" | sed 's/ *#.*//') <(grep -v '^ *#' "$example/templates/hr-app.yaml" | sed 's/ *#.*//') > "$work/diff.txt" || true
sed 's/^/    /' "$work/diff.txt"
echo
echo "== attrmap webservice call $example/templates/hr-app.yaml test --send"
"$attrmap" webservice call "$example/templates/hr-app.yaml" test --send
echo
echo "== attrmap webservice call $example/templates/hr-app.yaml update --object … --previous …   (a dry run: nothing is sent)"
echo '{"login": "alice.martin", "jobTitle": "Account Manager", "roles": ["Employee", "Sales Lead"]}' > "$work/before.json"
echo '{"login": "alice.martin", "jobTitle": "Sales Director", "roles": ["Employee", "Approver"]}' > "$work/after.json"
"$attrmap" webservice call "$example/templates/hr-app.yaml" update --object "$work/after.json" --previous "$work/before.json"

echo "[4/4] attrmap serve --config $example/serve.yaml, and users provisioned through it"
"$attrmap" serve --config "$example/serve.yaml" --port 0 --cache "$work/cache" --log-level warning 2> "$work/host.log" &
pids+=($!)
host=$(wait_for "$work/host.log" 'http://127\.0\.0\.1:[0-9]+/ecma2host_hr/scim')
origin=${host%/ecma2host_hr/scim}
for _ in $(seq 1 300); do
    if curl -fs "$origin/ready" > /dev/null; then break; fi
    sleep 0.1
done
echo "  the host serves $host; its first import read the application's $(curl -fs -H "Authorization: Bearer $ATTRMAP_HR_TOKEN" "$host/Users?count=0" | python3 -c 'import json, sys; print(json.load(sys.stdin)["totalResults"])') employees"
python3 "$example/walkthrough.py" "$attrmap" "$host" "$HR_URL"
echo
echo "The walkthrough worked, in $(elapsed "$started")."
