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
    jq -r 'select(.event.kind!="event") | "\(.kensa.verdict) \(.package.version // .kensa.version_range)"' | sort
}

count_alerts() {
    jq -r 'select(.event.kind!="event") | .kensa.path' | wc -l | tr -d ' '
}

# jq_alerts EXPR: there is at least one finding, and EXPR holds for all.
# (jq 1.6's -e looks only at the last input, so inputs are slurped.)
jq_alerts() {
    jq -e -s "[.[] | select(.event.kind!=\"event\")] | length > 0 and all($1)" >/dev/null
}

# jq_any [jq options] EXPR: EXPR holds for at least one record.
jq_any() {
    local expr=${*: -1}
    jq -e -s "${@:1:$#-1}" "any(.[]; $expr)" >/dev/null
}

# no_run: the records of a JSON report but its closing run record
no_run() {
    jq -c 'select(.event.action != "scan-completed")'
}

# only_run_record: the JSON report on stdin is one record, the run's
# (what a scan that found nothing writes)
only_run_record() {
    jq -e -s 'length == 1 and .[0].event.action == "scan-completed"' >/dev/null
}

# jqe ARGS...: jq -e over stdin that fails on empty input too (jq -e
# alone exits 0 when it reads nothing: a kensa that printed nothing
# would pass)
jqe() {
    local in
    in=$(cat)
    [ -n "$in" ] || { echo "jqe: no input" >&2; return 1; }
    printf '%s\n' "$in" | jq -e "$@" >/dev/null
}
