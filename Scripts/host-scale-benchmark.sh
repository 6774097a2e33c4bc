#!/usr/bin/env bash
# The host-at-scale benchmark, one command: builds attrmap and the benchmark in release mode, then
# serves embedded SQLite stores of 10,000, 100,000 and 1,000,000 users and prints, for each, the
# time to the first answer, the host's peak memory, the matching queries' p99 at 8 clients, and
# POST, PATCH and DELETE throughput. Extra arguments go to the benchmark (--users 10000,100000).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product attrmap >&2
swift build -c release --product attrmap-benchmark >&2
.build/release/attrmap-benchmark host-scale --attrmap .build/release/attrmap "$@"
