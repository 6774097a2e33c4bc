#!/usr/bin/env bash
# The LDAP connector's benchmark, one command: installs slapd and ldap-utils when missing, builds
# attrmap and the benchmark in release mode, then measures creates through `attrmap serve` into a
# real slapd beside slapd's own rate for the same entries through ldapadd, and the host's first
# full import of a directory of 100,000 entries (its time and peak memory).
# Extra arguments go to the benchmark (--writes 5000 --clients 8 --import 100000).
set -euo pipefail
cd "$(dirname "$0")/.."
./Scripts/install-system-packages.sh
swift build -c release --product attrmap >&2
swift build -c release --product attrmap-benchmark >&2
.build/release/attrmap-benchmark ldap --attrmap .build/release/attrmap "$@"
