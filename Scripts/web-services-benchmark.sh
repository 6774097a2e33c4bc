#!/usr/bin/env bash
# The web services connector's benchmark, one command: builds attrmap, the two sample applications
# and the benchmark in release mode, then measures creates through `attrmap serve` into the HR
# sample (beside the host on its embedded SQLite store) and the host's first full import of an
# application holding 100,000 users: the HR sample from whole-record pages and with a detail call
# each, and the SAP sample over SOAP (keyset pages and a detail call each).
# Extra arguments go to the benchmark (--writes 5000 --clients 8 --import 100000).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product attrmap >&2
swift build -c release --product sample-hr-app >&2
swift build -c release --product sample-sap-app >&2
swift build -c release --product attrmap-benchmark >&2
.build/release/attrmap-benchmark webservice --attrmap .build/release/attrmap --hr-app .build/release/sample-hr-app \
    --sap-app .build/release/sample-sap-app "$@"
