#!/usr/bin/env bash
# Builds the DocC documentation of the library products (JSONValues, SCIM, MappingExpressions,
# Provisioning, ConnectorKit and its ConnectorWire) and fails on any warning: a broken symbol link, a topic that names nothing.
# The archives land in .build/plugins/Swift-DocC/outputs; `--output-path DIR` (with
# `--allow-writing-to-directory DIR` before `generate-documentation`) puts them elsewhere.
#
#   ./Scripts/documentation.sh
#   swift package --disable-sandbox preview-documentation --target Provisioning   # browse one
set -euo pipefail
cd "$(dirname "$0")/.."
swift package generate-documentation \
    --target JSONValues --target SCIM --target MappingExpressions --target Provisioning --target ConnectorWire --target ConnectorKit \
    --warnings-as-errors "$@"
