#!/usr/bin/env bash
# The quick start: build attrmap, run the mapping set of Microsoft's ECMA web-services guide over
# sample users (the SCIM requests Entra would send, first to an empty application, then to one
# that already holds some of them), lint it, evaluate single expressions, and run a test-case file.
set -euo pipefail
cd "$(dirname "$0")/../.."
./Scripts/install-system-packages.sh
swift build -c release --product attrmap >&2
attrmap=.build/release/attrmap
user=Examples/quick-start/alice.json
example=Examples/quick-start

echo "== attrmap check --mapping $example/mapping.yaml"
"$attrmap" check --mapping "$example/mapping.yaml"

echo
echo "== attrmap transform --mapping $example/mapping.yaml $example/users.json --format text"
"$attrmap" transform --mapping "$example/mapping.yaml" "$example/users.json" --format text --no-steps --now 2026-11-23T00:00:00Z

echo "== the same users, against the objects already in the application ($example/target.json)"
"$attrmap" transform --mapping "$example/mapping.yaml" --target-state "$example/target.json" "$example/users.json" \
    --format text --no-steps --now 2026-11-23T00:00:00Z

echo "== NDJSON output compared with the golden files in $example/expected/"
"$attrmap" transform --mapping "$example/mapping.yaml" "$example/users.json" --now 2026-11-23T00:00:00Z 2>/dev/null |
    diff -u "$example/expected/transform.ndjson" - && echo "transform.ndjson: identical"
"$attrmap" transform --mapping "$example/mapping.yaml" --target-state "$example/target.json" "$example/users.json" \
    --now 2026-11-23T00:00:00Z 2>/dev/null |
    diff -u "$example/expected/transform-update.ndjson" - && echo "transform-update.ndjson: identical"
echo

echo "== attrmap eval (user: $user)"
for expression in \
    'ToUpper(Word([userPrincipalName], 1, "@"), )' \
    '[city]' \
    'Switch([IsSoftDeleted], , "False", "9999-12-31", "True", "1990-01-01")' \
    'Join(" ", [givenName], [surname])' \
    'Replace([mail], , "(?<user>[^@]+)@(?<domain>.+)", , "${user}", , )'; do
    printf '%-75s => ' "$expression"
    "$attrmap" eval "$expression" --user "$user"
done

echo
echo "== attrmap check --file Examples/quick-start/expressions.txt (two lines have problems)"
"$attrmap" check --file Examples/quick-start/expressions.txt --color never || true

echo "== attrmap test Examples/quick-start/cases.json"
"$attrmap" test Examples/quick-start/cases.json
