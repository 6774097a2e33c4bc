#!/usr/bin/env bash
# The quick start: build attrmap, run the mapping set of Microsoft's ECMA web-services guide over
# sample users (the SCIM requests Entra would send, first to an empty application, then to one
# that already holds some of them), lint it, evaluate single expressions, and run a test-case file.
#
# It builds attrmap without the SCIM host (the `Server` trait), which is what the example needs and
# a third of the whole build, so the first results come in minutes; `swift build -c release`
# builds the whole tool afterwards.
set -euo pipefail
cd "$(dirname "$0")/../.."
started=$SECONDS

. Scripts/build-step.sh

echo "[1/3] system packages: Scripts/install-system-packages.sh installs what is missing"
./Scripts/install-system-packages.sh

# The compiler's hundreds of lines go to a log; on a terminal the stage line counts the build's steps.
log=.build/quick-start-build.log
build_step "[2/3] building attrmap (release, without the SCIM host; the first build takes about 2 minutes on 2 cores; log: $log)" "$log" \
    swift build -c release --product attrmap --disable-default-traits

attrmap=.build/release/attrmap
user=Examples/quick-start/alice.json
example=Examples/quick-start
echo "[3/3] the example"
echo

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

echo
echo "Quick start done in $(elapsed "$started")."
echo "Try the REPL: $attrmap repl --user $user --mapping $example/mapping.yaml"
echo "The SCIM host (attrmap serve) is not in this build: swift build -c release --product attrmap builds the whole tool."
