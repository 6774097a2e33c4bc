# Sourced by the examples' run.sh: `build_step LINE LOG COMMAND…` runs a build with its output in
# LOG and one line on the screen, LINE, which on a terminal counts the build's steps and the time;
# on failure it shows the end of the log and exits.

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
