#!/bin/bash
# End-to-end: a process whose name and command line are hostile: an escape
# sequence, a newline, a right-to-left override, an invalid UTF-8 byte, a
# spreadsheet formula and 300 more characters.  Every output shows them
# escaped (\x1b, \u{202e}, \xff), on one line, and the TUI cuts the long
# line at the screen's edge; CSV quotes the formula so a spreadsheet does
# not run it.  Raw ESC, U+202E or 0xff bytes anywhere fail the test.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${E2E_LIB:-$(dirname "$0")/lib.sh}"
e2e_init
need_tmux

ARGV0=$'=1+1\e[31mRED\nline2\u202eevil\xff'"$(printf 'L%.0s' $(seq 300))"
NAME=$'\e[31mX\nY'
out="$E2E_TMP/hostile.out"
(bash -c 'exec -a "$1" "$2" --rate 64K --max 64K --hold --name "$3"' _ \
	"$ARGV0" "$HELPERS/leaker" "$NAME" >"$out" 2>&1 &)
wait_until 10 grep -q ' ready$' "$out" || fail "the hostile helper did not start: $(cat "$out")"
P=$(awk '/ ready$/ { print $1; exit }' "$out")
E2E_PIDS+=" $P"

raw_bytes() {   # FILE: fail on a raw ESC, U+202E or 0xff byte
	if LC_ALL=C grep -q $'\e' "$1" || LC_ALL=C grep -q $'\xe2\x80\xae' "$1" ||
	   LC_ALL=C grep -q $'\xff' "$1"; then
		od -c "$1" | head -20 >&2
		fail "$2: raw control or bidi bytes in the output"
	fi
}

for fmt in text csv json; do
	f="$E2E_TMP/out.$fmt"
	"$LEAKTOP" --batch -n 1 --format "$fmt" -p "$P" >"$f" 2>"$E2E_TMP/err" ||
		fail "--format $fmt exited $?: $(cat "$E2E_TMP/err")"
	raw_bytes "$f" "--format $fmt"
done
grep -c "^ *$P " "$E2E_TMP/out.text" | grep -qx 1 || fail "text: the row is not exactly one line"
grep -qF '=1+1\x1b[31mRED' "$E2E_TMP/out.text" || fail "text: ESC not shown as \\x1b"
grep -qF '\u{202e}evil\xff' "$E2E_TMP/out.text" || fail "text: bidi override or 0xff not escaped"
[ "$(wc -l <"$E2E_TMP/out.csv")" = 2 ] || fail "csv: header and one row expected: $(cat "$E2E_TMP/out.csv")"
tail -1 "$E2E_TMP/out.csv" | grep -qF ",\"'=1+1\\x1b[31mRED" ||
	fail "csv: the formula is not neutralised (want \"'=...\"): $(tail -1 "$E2E_TMP/out.csv" | cut -c1-120)"
jq -e '.processes[0].cmdline | startswith("=1+1\\x1b[31mRED") and contains("\\u{202e}evil\\xff")' \
	"$E2E_TMP/out.json" >/dev/null || fail "json: cmdline not escaped: $(head -c 300 "$E2E_TMP/out.json")"
jq -e '.processes[0].comm | test("^[[:print:]]+$")' "$E2E_TMP/out.json" >/dev/null ||
	fail "json: comm holds unprintable characters: $(jq .processes[0].comm "$E2E_TMP/out.json")"

# Stacks: the thread name (the hostile comm) in the report and the folded
# file, escaped, one stack a line.
if [ "$(id -u)" = 0 ]; then
	for fmt in text json; do
		f="$E2E_TMP/stacks.$fmt"
		"$LEAKTOP" --stacks "$P" --samples 3 --format "$fmt" --folded "$E2E_TMP/h.folded" \
			>"$f" 2>"$E2E_TMP/err" || fail "--stacks --format $fmt exited $?: $(cat "$E2E_TMP/err")"
		raw_bytes "$f" "--stacks --format $fmt"
		raw_bytes "$E2E_TMP/h.folded" "--folded"
	done
	grep -qF '\x1b[31mX' "$E2E_TMP/h.folded" || fail "folded: the thread name is not shown escaped"
	grep -vqE '^[^ ].* [0-9]+$' "$E2E_TMP/h.folded" && fail "folded: a line is not 'frames count'"
fi

# TUI: the row on one line, cut at the edge, escapes shown.
start_tmux 100 30 "$LEAKTOP" -d 5 -p "$P"
wait_for "^ *$P " 15 "the hostile process's row"
scr="$E2E_TMP/screen"
capture >"$scr"
raw_bytes "$scr" "TUI"
grep -qF '=1+1\x1b[31' "$scr" || { show_screen; fail "TUI: the command is not shown escaped"; }
[ "$(LC_ALL=C.UTF-8 wc -L <"$scr")" -le 100 ] || { show_screen; fail "TUI: a line is wider than the screen"; }
[ "$(wc -l <"$scr")" = 30 ] || { show_screen; fail "TUI: the screen is not 30 lines"; }
send q
wait_until 10 pane_dead || { show_screen; fail "q did not quit"; }

echo "PASS: hostile"
