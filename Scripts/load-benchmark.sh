#!/usr/bin/env bash
# The SCIM host load benchmark, one command: builds attrmap in release mode, installs the peer
# scim2-server from PyPI (in a virtual environment under .build/), and runs the same bounded load
# against both on loopback. Extra arguments go to the benchmark (--users N, --clients N).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.build/conformance-venv
if [ ! -x "$venv/bin/python" ]; then python3 -m venv "$venv"; fi
"$venv/bin/pip" install --quiet --disable-pip-version-check scim2-server==0.8.3 >&2
swift build -c release --product attrmap >&2
swift build -c release --product attrmap-benchmark >&2
.build/release/attrmap-benchmark scim-load --attrmap .build/release/attrmap --peer "$venv/bin/scim2-server" "$@"
