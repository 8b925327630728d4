#!/bin/bash
# End-to-end: the real binary under valgrind's memcheck, in every headless
# mode that has no terminal: live batch (text, JSON), --record, --replay
# (batch), --snapshot (file and -), --maps, --textfile; then the
# full-screen view under tmux through the table, help, the mappings view
# (grouped), the stack view (sampling), a snapshot and the replay view.
# Any memcheck error or definite/indirect leak fails.  Skipped where valgrind is missing or the
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

# The full-screen view.  Memcheck runs it ~20 times slower: waits are long.
need_tmux
cd "$E2E_TMP" || fail "cd $E2E_TMP"   # s writes its snapshot here
tui() {   # WHAT LOG ARGS...: start the view under memcheck
	TUI_WHAT=$1 TUI_LOG=$2
	shift 2
	start_tmux 120 40 $VG --log-file="$TUI_LOG" "$LEAKTOP" "$@"
}
tui_done() {   # q, then the exit status and memcheck's log
	send q
	wait_until 60 pane_dead || { show_screen; fail "$TUI_WHAT under memcheck: q did not end it"; }
	[ "$(pane_status)" = 0 ] ||
		{ cat "$TUI_LOG" >&2; fail "$TUI_WHAT under memcheck: exit $(pane_status)"; }
	[ ! -s "$TUI_LOG" ] || { cat "$TUI_LOG" >&2; fail "$TUI_WHAT under memcheck: it reported"; }
}
tui "the live view" "$E2E_TMP/vg-tui.log" -d 5 -p "$LEAKER_PID" --samples 20 --hz 20
wait_for "^[ !+X]* *$LEAKER_PID " 60 "the leaker's row under memcheck"
send F1
wait_for 'leaktop help' 30 "help under memcheck"
send Escape
wait_for '^F1Help' 30 "the table again after help"
send Enter
wait_for "^PID $LEAKER_PID " 30 "the mappings view under memcheck"
send g
wait_for "grouped by kind" 30 "grouped mappings under memcheck"
send Escape
wait_for '^F1Help' 30 "the table again after the mappings"
send S
wait_for "^20 samples of 1 thread" 60 "the stack view's finished sampling under memcheck"
send Escape
send Escape
wait_for '^F1Help' 30 "the table again after the stacks"
send s
wait_for "snapshot written to" 60 "a snapshot from the view under memcheck"
tui_done
tui "the replay view" "$E2E_TMP/vg-replay.log" --replay "$E2E_TMP/r.rec"
wait_for "Replay " 60 "the replay view under memcheck"
send '['
send '['
send ']'
wait_for "Replay .* [0-9]+/[0-9]+" 30 "stepping through the recording under memcheck"
tui_done
exit 0
