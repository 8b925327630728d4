#!/bin/bash
# End-to-end: the real binary under valgrind's memcheck, in every headless
# mode that has no terminal: live batch (text, JSON), --record, --replay
# (batch), --snapshot (file and -), --maps, --textfile.  Any memcheck error
# or definite/indirect leak fails.  Skipped where valgrind is missing or the
# binary is built with AddressSanitizer (the two do not mix).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${E2E_LIB:-$(dirname "$0")/lib.sh}"
e2e_init
command -v valgrind >/dev/null 2>&1 || skip "valgrind is not installed"
if grep -qa __asan_init "$LEAKTOP"; then
	skip "built with AddressSanitizer"
fi

start_leaker --rate 1M --name "e2evg$$"
VG="valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect"
run() {   # WHAT ARGS...
	local what=$1
	shift
	$VG "$LEAKTOP" "$@" >"$E2E_TMP/out" 2>"$E2E_TMP/err"
	local st=$?
	[ "$st" = 0 ] || { tail -40 "$E2E_TMP/err" >&2; fail "$what under memcheck: exit $st"; }
}
run "batch text" --batch -n 3 -d 3
run "batch json" --batch -n 2 -d 3 --format json --window 10s
run "record" --record "$E2E_TMP/r.rec" --interval 0.3 -n 5
run "replay csv" --replay "$E2E_TMP/r.rec" --batch --format csv
run "replay json of one pid" --replay "$E2E_TMP/r.rec" --batch --format json -p "$LEAKER_PID"
run "snapshot" --snapshot "$E2E_TMP/s.json.gz" -n 2 -d 3
run "snapshot to stdout" --snapshot - -n 1
run "replay of a snapshot" --replay "$E2E_TMP/s.json.gz" --batch --format json
run "maps" --maps "$LEAKER_PID" --format json
mkdir -p "$E2E_TMP/prom"
run "textfile" --textfile "$E2E_TMP/prom" -n 2 -d 3
[ -s "$E2E_TMP/prom/leaktop.prom" ] || fail "no leaktop.prom written"
# Damaged input, too: a recording cut short and a truncated snapshot.
head -c $(( $(stat -c %s "$E2E_TMP/r.rec") - 100 )) "$E2E_TMP/r.rec" >"$E2E_TMP/cut.rec"
run "replay of a cut recording" --replay "$E2E_TMP/cut.rec" --batch
head -c 200 "$E2E_TMP/s.json.gz" >"$E2E_TMP/cut.json.gz"
$VG "$LEAKTOP" --replay "$E2E_TMP/cut.json.gz" --batch >/dev/null 2>"$E2E_TMP/err"
[ $? = 1 ] || { tail -20 "$E2E_TMP/err" >&2; fail "truncated snapshot under memcheck: not a clean refusal"; }
exit 0
