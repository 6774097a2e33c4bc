#!/usr/bin/env bash
# The web services samples against their own documents, checked by independent tools from PyPI
# (in a virtual environment under .build/): the sample HR application's OpenAPI document by
# openapi-spec-validator and every request and response of a tour of its API by openapi-core;
# its HTTP Digest authentication by requests; the sample SAP user service through its WSDL by
# zeep, a SOAP client of its own.
set -euo pipefail
cd "$(dirname "$0")/.."
. Scripts/build-step.sh
venv=.build/conformance-venv
if [ ! -x "$venv/bin/python" ]; then python3 -m venv "$venv"; fi
"$venv/bin/pip" install --quiet --disable-pip-version-check openapi-core==0.23.1 openapi-spec-validator==0.8.5 zeep==4.3.3
swift build --product sample-hr-app >&2
swift build --product sample-sap-app >&2
work=$(mktemp -d)
pids=()
trap 'for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$work"' EXIT


export HR_API_KEY="check-$RANDOM-$RANDOM-key" HR_CLIENT_ID=checker HR_CLIENT_SECRET="check-$RANDOM-secret"
.build/debug/sample-hr-app --port 0 --database "$work/hr.sqlite" > "$work/hr.out" 2>&1 &
pids+=($!)
"$venv/bin/python" Scripts/openapi_check.py "$(wait_for "$work/hr.out" 'http://127\.0\.0\.1:[0-9]+')"

# HTTP Digest, by requests' HTTPDigestAuth: an instance that asks for Digest only, per algorithm.
digest_password="check-$RANDOM-$RANDOM-digest"
for algorithm in SHA-256 MD5; do
    env -u HR_API_KEY -u HR_CLIENT_ID -u HR_CLIENT_SECRET HR_DIGEST_USER=digest-check HR_DIGEST_PASSWORD="$digest_password" \
        .build/debug/sample-hr-app --port 0 --database "$work/digest-$algorithm.sqlite" --digest-algorithm "$algorithm" > "$work/digest-$algorithm.out" 2>&1 &
    pids+=($!)
    HR_DIGEST_USER=digest-check HR_DIGEST_PASSWORD="$digest_password" \
        "$venv/bin/python" Scripts/digest_check.py "$(wait_for "$work/digest-$algorithm.out" 'http://127\.0\.0\.1:[0-9]+/api/v1')" "$algorithm"
done

export SAP_USER=RFC_CHECK SAP_PASSWORD="check-$RANDOM-$RANDOM"
.build/debug/sample-sap-app --port 0 --database "$work/sap.sqlite" --seed 3 > "$work/sap.out" 2>&1 &
pids+=($!)
"$venv/bin/python" Scripts/soap_check.py "$(wait_for "$work/sap.out" 'http://127\.0\.0\.1:[0-9]+/sap/bc/srt/rfc/sap/[a-z0-9/_]+')"
