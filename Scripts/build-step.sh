# Sourced by the examples' run.sh and the conformance scripts: `build_step LINE LOG COMMAND…` runs
# a build with its output in LOG and one line on the screen, LINE, which on a terminal counts the
# build's steps and the time; on failure it shows the end of the log and exits. `wait_for FILE
# PATTERN` waits until a started process's output names where it listens.

elapsed() {
    local seconds=$((SECONDS - $1))
    if [ "$seconds" -ge 60 ]; then printf '%dm %02ds' $((seconds / 60)) $((seconds % 60)); else printf '%ds' "$seconds"; fi
}

build_step() {
    local line=$1 log=$2
    shift 2
    mkdir -p "$(dirname "$log")"
    local started=$SECONDS
    "$@" > "$log" 2>&1 &
    local build=$!
    if [ -t 1 ]; then
        while kill -0 "$build" 2> /dev/null; do
            local progress
            progress=$(grep -o '^\[[0-9]*/[0-9]*\]' "$log" | tail -n 1 || true)
            printf '\r%s %s %s ' "$line" "${progress:-…}" "$(elapsed "$started")"
            sleep 1
        done
        printf '\r%s' "$line"
    else
        printf '%s' "$line"
    fi
    if ! wait "$build"; then
        echo " failed after $(elapsed "$started"):"
        tail -n 40 "$log"
        exit 1
    fi
    echo " done in $(elapsed "$started")"
}

# Waits (30 s at most) until FILE holds text matching PATTERN and prints the match.
wait_for() {
    local file=$1 pattern=$2
    for _ in $(seq 1 300); do
        if grep -oE "$pattern" "$file" 2> /dev/null | head -n 1; then return 0; fi
        sleep 0.1
    done
    echo "timed out waiting for $pattern in $file:" >&2
    cat "$file" >&2
    return 1
}
