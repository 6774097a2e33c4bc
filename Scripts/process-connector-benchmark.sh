#!/usr/bin/env bash
# The process connectors' benchmark, one command: builds attrmap, the Swift example connector and
# the benchmark in release mode, then measures creates through `attrmap serve` into the Python
# example connector and into the Swift one, beside the host on its embedded SQLite store: the cost
# of the process boundary.
# Extra arguments go to the benchmark (--writes 5000 --python-writes 1000 --clients 8).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product attrmap >&2
swift build -c release --product swift-users-connector >&2
swift build -c release --product attrmap-benchmark >&2
.build/release/attrmap-benchmark process --attrmap .build/release/attrmap --swift-connector .build/release/swift-users-connector "$@"
