# helpers.bash - shared by the CLI tests.  Fixtures are built once per
# file by tests/gen/mkfixtures.py; kensa runs single-threaded and without
# colour so output is deterministic.

make_fixtures() {
    export FX="$BATS_FILE_TMPDIR/fx"
    [ -d "$FX" ] || python3 "$KENSA_TOP/tests/gen/mkfixtures.py" "$FX" >/dev/null
}

k() {
    "$KENSA" "$@" --threads 1 --color never --no-summary
}

# alerts FILE|-: "verdict version" per finding, sorted
alerts() {
    jq -r 'select(.event.kind=="alert") | "\(.kensa.verdict) \(.package.version)"' | sort
}

count_alerts() {
    jq -r 'select(.event.kind=="alert") | .kensa.path' | wc -l | tr -d ' '
}

# jq_alerts EXPR: there is at least one finding, and EXPR holds for all.
# (jq 1.6's -e looks only at the last input, so inputs are slurped.)
jq_alerts() {
    jq -e -s "[.[] | select(.event.kind==\"alert\")] | length > 0 and all($1)" >/dev/null
}

# jq_any [jq options] EXPR: EXPR holds for at least one record.
jq_any() {
    local expr=${*: -1}
    jq -e -s "${@:1:$#-1}" "any(.[]; $expr)" >/dev/null
}
