#!/usr/bin/env bash
# The quick start: build attrmap, evaluate the mappings of Microsoft's ECMA web-services guide for
# a sample user, lint a file of expressions, and run a test-case file.
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product attrmap >&2
attrmap=.build/release/attrmap
user=Examples/quick-start/alice.json

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
