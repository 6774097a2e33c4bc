#!/usr/bin/env bash
# The web services walkthrough, from a fresh clone: build attrmap and the two sample applications,
# start them (each with its own SQLite storage and 250 users), discover the HR application's
# OpenAPI document and the SAP service's WSDL into starter templates, try the shipped templates
# one operation at a time, serve both through `attrmap serve`, provision users through the host
# as Entra would (create, read, query, update, a role change, a password, disable, delete, a
# refusal) and read each result back from each application's own API. Exits 0 only if every
# step worked.
set -euo pipefail
cd "$(dirname "$0")/../.."
started=$SECONDS
example=Examples/web-services

. Scripts/build-step.sh

echo "[1/4] system packages: Scripts/install-system-packages.sh installs what is missing"
./Scripts/install-system-packages.sh

log=.build/web-services-build.log
build_step "[2/4] building attrmap and the sample applications (release; a first build takes 10 to 20 minutes on 2 cores; log: $log)" "$log" \
    sh -c 'swift build -c release --product attrmap && swift build -c release --product sample-hr-app && swift build -c release --product sample-sap-app'
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
export SAP_USER=RFC_USER
export SAP_PASSWORD="sap-password-$RANDOM$RANDOM$RANDOM"
export ATTRMAP_SAP_TOKEN="host-token-$RANDOM$RANDOM$RANDOM"


echo "[3/4] the sample applications and their templates"
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


.build/release/sample-sap-app --port 0 --database "$work/sap.sqlite" --seed 250 > "$work/sap.out" 2>&1 &
pids+=($!)
export SAP_URL=$(wait_for "$work/sap.out" 'http://127\.0\.0\.1:[0-9]+/sap/bc/srt/rfc/sap/zusers/001/zusers/zusers_binding')
echo "  the SAP service listens on $SAP_URL"
echo
echo "== attrmap discover soap --wsdl '$SAP_URL?wsdl' --template …   (the service's own WSDL)"
"$attrmap" discover soap --wsdl "$SAP_URL?wsdl" --template "$work/sap-discovered.yaml" > "$work/sap-tree.txt"
head -n 14 "$work/sap-tree.txt"
echo "  …"
echo "  the starter template works as it is; the shipped one ($example/templates/sap-app.yaml, discovered then edited) gives"
echo "  the attributes Entra's names, adds the roles (BAPI_USER_ACTGROUPS_ASSIGN) and SAP's password numbers;"
echo "  $(diff <(grep -v '^ *#' "$work/sap-discovered.yaml" | sed 's/ *#.*//') <(grep -v '^ *#' "$example/templates/sap-app.yaml" | sed 's/ *#.*//') | grep -c '^[<>]' || true) lines differ"
echo
echo "== attrmap webservice call $example/templates/sap-app.yaml import --send   (two pages by key, a detail call per user; the last lines)"
"$attrmap" webservice call "$example/templates/sap-app.yaml" import --send > "$work/sap-import.txt"
tail -n 2 "$work/sap-import.txt"
echo
echo "== attrmap webservice call $example/templates/sap-app.yaml update --object … --previous …   (a dry run: the change flags)"
echo '{"userName": "ALICE.MARTIN", "lastName": "Martin", "department": "Sales", "roles": ["Employee"]}' > "$work/sap-before.json"
echo '{"userName": "ALICE.MARTIN", "lastName": "Martin", "department": "Finance", "roles": ["Employee"]}' > "$work/sap-after.json"
"$attrmap" webservice call "$example/templates/sap-app.yaml" update --object "$work/sap-after.json" --previous "$work/sap-before.json" | grep -o '<rfc:BAPI_USER_CHANGE .*</rfc:BAPI_USER_CHANGE>'
echo

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
sap_host=$origin/ecma2host_sap/scim
for _ in $(seq 1 300); do
    if curl -fs -H "Authorization: Bearer $ATTRMAP_SAP_TOKEN" "$sap_host/Users?count=0" > /dev/null; then break; fi
    sleep 0.1
done
echo "  and $sap_host; its first import read the SAP service's $(curl -fs -H "Authorization: Bearer $ATTRMAP_SAP_TOKEN" "$sap_host/Users?count=0" | python3 -c 'import json, sys; print(json.load(sys.stdin)["totalResults"])') users"
python3 "$example/walkthrough.py" "$attrmap" "$host" "$HR_URL" "$sap_host" "$SAP_URL"
echo
echo "The walkthrough worked, in $(elapsed "$started")."
