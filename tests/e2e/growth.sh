#!/bin/bash
# End-to-end: growth detection on real processes.  A steady leaker, a
# sawtooth (1.8 s period, not a multiple of the 0.5 s tick) that frees back to the same floor, and a process that holds a
# fixed amount: with a 20 s slope window (10 s in text and CSV) only the leaker is flagged, in the
# TUI (marker, SLOPE, detail line, G, g) and in batch JSON, text and CSV.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${E2E_LIB:-$(dirname "$0")/lib.sh}"
e2e_init
need_tmux

start_leaker --rate 2M --name "e2eleak$$"
LEAK=$LEAKER_PID
start_leaker --rate 7M --max 12M --sawtooth --name "e2esaw$$"
SAW=$LEAKER_PID
start_leaker --rate 32M --max 16M --hold --name "e2eflat$$"
FLAT=$LEAKER_PID
# Allocates and frees at the leaker's rate: 2 MiB/s in 200 KiB chunks,
# everything freed every second chunk.
start_leaker --rate 2M --max 400K --sawtooth --name "e2echurn$$"
CHURN=$LEAKER_PID
wait_full "$FLAT" 10
PIDS="$LEAK,$SAW,$FLAT,$CHURN"

# --- batch JSON: 2 ticks a second for 14 s, window 20 s (judged from 10 s) ---
out="$E2E_TMP/growth.json"
"$LEAKTOP" --batch -d 5 -n 28 --window 20s --format json -p "$PIDS" >"$out" 2>"$E2E_TMP/err" ||
	{ cat "$E2E_TMP/err" >&2; fail "leaktop --batch --format json exited $?"; }
last=$(tail -1 "$out")
proc() { jq -c --argjson p "$1" '.processes[] | select(.pid == $p)' <<<"$last"; }
o=$(proc "$LEAK")
# 2 MiB/s: the floor slope must be within 20 % of it.
jq -e '.rss_slope_bytes_per_second > 0.8 * 2097152 and .rss_slope_bytes_per_second < 1.2 * 2097152' \
	>/dev/null <<<"$o" || fail "json: leaker's rss slope is not 2 MiB/s within 20 %: $o"
jq -e '.flag == "alert" and (.growing_since | type) == "string" and
       (.time_to_limit_seconds | type) == "number" and .time_to_limit_seconds > 0' \
	>/dev/null <<<"$o" || fail "json: leaker not flagged alert with since and time to limit: $o"
for p in "$SAW" "$FLAT" "$CHURN"; do
	o=$(proc "$p")
	jq -e '.flag == "ok" and .growing_since == null and .time_to_limit_seconds == null' \
		>/dev/null <<<"$o" || fail "json: pid $p (sawtooth or flat) is flagged: $o"
	jq -e '(.rss_slope_bytes_per_second | fabs) < 65536' >/dev/null <<<"$o" ||
		fail "json: pid $p (sawtooth or flat) has an RSS slope: $o"
done
# Before half the window has data, slopes are null, never a made-up 0.
first=$(head -1 "$out")
jq -e --argjson p "$LEAK" '.processes[] | select(.pid == $p) |
	.rss_slope_bytes_per_second == null and .flag == "ok"' >/dev/null <<<"$first" ||
	fail "json: first tick has a slope already: $first"

# --- batch text and CSV show the flag and slope -----------------------------
txt="$E2E_TMP/growth.txt"
"$LEAKTOP" --batch -d 5 -n 16 --window 10s -p "$PIDS" >"$txt" 2>&1 ||
	fail "leaktop --batch (text) exited $?"
tail -n 4 "$txt" | grep -qE "^ *$LEAK .* alert +\+[0-9.]+M/m " ||
	{ tail -n 5 "$txt" >&2; fail "text: no 'alert' flag and +M/m slope on the leaker's row"; }
csv="$E2E_TMP/growth.csv"
"$LEAKTOP" --batch -d 5 -n 16 --window 10s --format csv -p "$PIDS" >"$csv" 2>&1 ||
	fail "leaktop --batch --format csv exited $?"
head -1 "$csv" | grep -q ',flag,rss_slope_bytes_per_second,' || fail "csv: header lacks flag/slope: $(head -1 "$csv")"
tail -n 4 "$csv" | grep -qE "^[^,]*,$LEAK,.*,alert,[0-9.]+," ||
	{ tail -n 4 "$csv" >&2; fail "csv: leaker's row is not flagged alert with a slope"; }

# --- TUI ---------------------------------------------------------------------
start_tmux 132 30 "$LEAKTOP" -d 5 --window 20s -p "$PIDS"
tm set -g monitor-bell on >/dev/null
bell_flag() { tm display-message -p -t "$E2E_SESSION" '#{window_bell_flag}'; }
wait_for "^! *$LEAK " 20 "TUI: alert marker on the leaker's row"
row=$(row_of "$LEAK")
[[ $row =~ \+([0-9.]+)M/m ]] || { show_screen; fail "TUI: no +M/m slope in the leaker's row: $row"; }
# 2 MiB/s is 120 MiB/min: the shown slope within 20 %.
awk -v s="${BASH_REMATCH[1]}" 'BEGIN { exit !(s >= 96 && s <= 144) }' ||
	{ show_screen; fail "TUI: the leaker's slope ${BASH_REMATCH[1]}M/m is not 120M/m within 20 %"; }
for p in "$SAW" "$FLAT" "$CHURN"; do
	row=$(row_of "$p")
	[[ $row =~ ^\ ( )*$p\  ]] || { show_screen; fail "TUI: pid $p (sawtooth or flat) is marked: $row"; }
done
# G puts the fastest grower first and marks SLOPE as the sort column.
send G
_top_is_leak() { capture | sed -n 5p | grep -qE "^! *$LEAK "; }
wait_until 5 _top_is_leak || { show_screen; fail "G: the leaker is not the first row"; }
header_line | grep -qE 'SLOPE(▼|v)' || { show_screen; fail "G: SLOPE does not carry the sort marker"; }
# The detail line explains the selected process.
send Home
wait_for "^PID $LEAK e2eleak[0-9]*: RSS \+[0-9.]+M/min since [0-9]{2}:[0-9]{2} \([0-9]+s\)  limit in ~" 5 \
	"TUI: detail line of the leaker"
# g keeps only the growing ones.
send g
wait_for "growing only" 5 "g: header says growing only"
wait_gone "^[ !+X] *$SAW " 5 "g: the sawtooth row should be hidden"
wait_gone "^[ !+X] *$FLAT " 5 "g: the flat row should be hidden"
row_of "$LEAK" | grep -q . || { show_screen; fail "g: the leaker's row is gone"; }
send g
wait_for "^ *$FLAT " 5 "g again: every process shown"
# + and - change the sparklines' time scale.
send -- -
wait_for "spark: 30s/col" 5 "-: coarser sparklines"
send +
wait_for "spark: 1 tick/col" 5 "+: finer sparklines"
[ "$(bell_flag)" = 0 ] || fail "the terminal bell rang without --bell"
send q
wait_until 10 pane_dead || { show_screen; fail "q did not quit"; }

# --bell: the terminal bell rings when the leaker first reaches alert.
start_tmux 132 30 "$LEAKTOP" -d 5 --window 10s --bell -p "$LEAK"
tm set -g monitor-bell on >/dev/null
wait_for "^! *$LEAK " 15 "--bell: the leaker reaches alert"
_rang() { [ "$(bell_flag)" = 1 ]; }
wait_until 3 _rang || { show_screen; fail "--bell: no bell when the leaker reached alert"; }

echo "PASS: growth"
