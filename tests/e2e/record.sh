#!/bin/bash
# End-to-end: --record and --replay on real processes.  A recording made
# while a leaker leaks and a holder holds, replayed in batch JSON and CSV
# and in the TUI, shows the same processes, figures and flagged leak as a
# live batch run beside it; --from/--to and --pid cut the export; damaged
# files (cut short, a flipped bit, empty, another version, not leaktop's)
# give a clear message and never a crash; a recorder killed mid-write
# loses at most a record and the next run cuts the torn tail off;
# rotation bounds the disk used; the file is 0600 and a symlink planted at
# its path is refused.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${E2E_LIB:-$(dirname "$0")/lib.sh}"
e2e_init
need_tmux
command -v jq >/dev/null 2>&1 || skip "jq is not installed"

start_leaker --rate 2M --name "e2erecleak$$"
LEAK=$LEAKER_PID
start_leaker --rate 32M --max 16M --hold --name "=e2ehold$$"
HOLD=$LEAKER_PID
wait_full "$HOLD" 10
PIDS="$LEAK,$HOLD"
R="$E2E_TMP/host.rec"

# --- record and watch live side by side: 2 ticks a second for 14 s --------
"$LEAKTOP" --record "$R" --interval 0.5 -n 28 2>"$E2E_TMP/rec.err" &
REC=$!
"$LEAKTOP" --batch -d 5 -n 28 --window 20s --format json >"$E2E_TMP/live.json" 2>&1 ||
	fail "live batch exited $?"
wait "$REC" || { cat "$E2E_TMP/rec.err" >&2; fail "leaktop --record exited $?"; }
grep -q "recorded 28 records" "$E2E_TMP/rec.err" ||
	{ cat "$E2E_TMP/rec.err" >&2; fail "the recorder does not report 28 records"; }
[ "$(stat -c %a "$R")" = 600 ] || fail "the recording is mode $(stat -c %a "$R"), not 600"

"$LEAKTOP" --replay "$R" --batch --format json --window 20s >"$E2E_TMP/replay.json" \
	2>"$E2E_TMP/replay.err" || { cat "$E2E_TMP/replay.err" >&2; fail "replay exited $?"; }
[ "$(wc -l <"$E2E_TMP/replay.json")" = 28 ] ||
	fail "replay printed $(wc -l <"$E2E_TMP/replay.json") ticks, not 28"
[ -s "$E2E_TMP/replay.err" ] && { cat "$E2E_TMP/replay.err" >&2; fail "replay of a sound file complains"; }
live=$(tail -1 "$E2E_TMP/live.json")
rep=$(tail -1 "$E2E_TMP/replay.json")
proc() { jq -c --argjson p "$2" '.processes[] | select(.pid == $p)' <<<"$1"; }

# The leak is flagged from the recorded figures, with the live slope.
o=$(proc "$rep" "$LEAK")
jq -e '.flag == "alert" and .rss_slope_bytes_per_second > 0.8 * 2097152 and
       .rss_slope_bytes_per_second < 1.2 * 2097152 and (.growing_since | type) == "string"' \
	>/dev/null <<<"$o" || fail "replay: the leaker is not flagged at 2 MiB/s: $o"
jq -e --argjson p "$LEAK" '.processes[] | select(.pid == $p) | .flag == "alert"' \
	>/dev/null <<<"$live" || fail "live: the leaker is not flagged (test setup): $(proc "$live" "$LEAK")"
o=$(proc "$rep" "$HOLD")
jq -e '.flag == "ok"' >/dev/null <<<"$o" || fail "replay: the holder is flagged: $o"
# Same figures: the holder's identity exactly, its sizes nearly, the
# leaker's within half a second of leaking (the two runs tick apart).
for f in swap_bytes comm cmdline user uid ppid; do
	a=$(proc "$live" "$HOLD" | jq -c ".$f") b=$(proc "$rep" "$HOLD" | jq -c ".$f")
	[ "$a" = "$b" ] || fail "holder's $f: live $a, replayed $b"
done
# Sizes within 64 KiB: pages shared with processes that come and go (PSS)
# or libraries faulted in move a little between the two runs' readings.
for f in rss_bytes pss_bytes shared_bytes; do
	a=$(proc "$live" "$HOLD" | jq ".$f") b=$(proc "$rep" "$HOLD" | jq ".$f")
	awk -v a="$a" -v b="$b" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a > 0 && d <= 65536) }' ||
		fail "holder's $f: live $a, replayed $b"
done
a=$(proc "$live" "$LEAK" | jq .rss_bytes) b=$(proc "$rep" "$LEAK" | jq .rss_bytes)
awk -v a="$a" -v b="$b" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= 1572864) }' ||
	fail "leaker's RSS: live $a, replayed $b (more than 1.5 MiB apart)"
# Same processes: every process that lived through the live run's last two
# ticks, bar what the test itself ran, is in one of the last three replayed
# records (the runs tick apart; other tests start and end processes).
missing=$(tail -2 "$E2E_TMP/live.json" | jq -r '.processes[].pid' | sort | uniq -d >"$E2E_TMP/lp"
          tail -3 "$E2E_TMP/replay.json" | jq -r '.processes[].pid' | sort -u >"$E2E_TMP/rp"
          comm -23 "$E2E_TMP/lp" "$E2E_TMP/rp" | wc -l)
[ "$missing" -le 3 ] || fail "$missing live processes are missing from the replay: $(
	comm -23 "$E2E_TMP/lp" "$E2E_TMP/rp" | while read -r p; do proc "$live" "$p" | jq -c '[.pid, .comm, .cmdline]'; done)"
n_live=$(jq '.processes | length' <<<"$live") n_rep=$(jq '.processes | length' <<<"$rep")
note "processes: live $n_live, replayed $n_rep; leaker RSS live $a, replayed $b"

# --- --pid, --from/--to, CSV ---------------------------------------------
"$LEAKTOP" --replay "$R" --batch --format json -p "$LEAK" | tail -1 |
	jq -e --argjson p "$LEAK" '.processes | length == 1 and .[0].pid == $p' >/dev/null ||
	fail "--replay --pid does not keep only the leaker"
t10=$(sed -n 10p "$E2E_TMP/replay.json" | jq -r .time)
t20=$(sed -n 20p "$E2E_TMP/replay.json" | jq -r .time)
from=$(date -u -d "$t10" +%Y-%m-%dT%H:%M:%SZ) to=$(date -u -d "$t20" +%Y-%m-%dT%H:%M:%SZ)
"$LEAKTOP" --replay "$R" --batch --format json --from "$from" --to "$to" >"$E2E_TMP/range.json" ||
	fail "--from/--to exited $?"
first=$(head -1 "$E2E_TMP/range.json" | jq -r .time) last=$(tail -1 "$E2E_TMP/range.json" | jq -r .time)
[[ ! $first < ${from%Z} && ! $last > ${to%Z}.999Z ]] && [ "$(wc -l <"$E2E_TMP/range.json")" -ge 6 ] ||
	fail "--from $from --to $to printed $first .. $last ($(wc -l <"$E2E_TMP/range.json") ticks)"
"$LEAKTOP" --replay "$R" --batch --from 25:99 >/dev/null 2>"$E2E_TMP/err" && fail "--from 25:99 accepted"
grep -q "is not a time" "$E2E_TMP/err" || fail "--from 25:99: $(cat "$E2E_TMP/err")"
"$LEAKTOP" --replay "$R" --batch --format csv --window 20s -p "$PIDS" >"$E2E_TMP/replay.csv" || fail "CSV exited $?"
grep -q ",\"'=e2ehold$$\"," "$E2E_TMP/replay.csv" ||
	fail "CSV: the name starting with = is not quoted and defused: $(grep e2ehold "$E2E_TMP/replay.csv" | head -1)"
grep -qE "^[^,]*,$LEAK,.*,alert," <(tail -2 "$E2E_TMP/replay.csv") || fail "CSV: leaker not alert at the end"

# --- the TUI over the recording ----------------------------------------------
start_tmux 132 30 "$LEAKTOP" --replay "$R" --window 20s -p "$PIDS"
wait_for "Replay [0-9-]+ [0-9:]+  28/28 paused" 15 "TUI: replay header at the last record"
wait_for "^! *$LEAK " 5 "TUI: the leaker flagged in replay"
send '['
wait_for "Replay .* 27/28 paused" 5 "[ steps back one record"
send '{'
wait_for "Replay .* 1/28 paused" 5 "{ goes back a minute (to the start)"
row=$(row_of "$LEAK")
[[ $row =~ ^\ +$LEAK ]] || { show_screen; fail "the leaker is flagged at the first record: $row"; }
send ']'
wait_for "Replay .* 2/28 paused" 5 "] steps forward"
t15=$(sed -n 15p "$E2E_TMP/replay.json" | jq -r .time)
send T
send_text "$(date -d "$t15" +%H:%M:%S)"
send Enter
wait_for "Replay .* 1[4-6]/28 paused" 5 "T goes to a time (the last record in that second)"
send Enter
wait_for "not live: mappings" 5 "Enter says a recording holds no mappings"
send Space
wait_for "Replay .* 28/28" 20 "space plays to the end"
send q
wait_until 5 pane_dead || fail "q did not quit the replay"

# --- --replay also opens a snapshot: one moment, the same rows -------------
"$LEAKTOP" --snapshot "$E2E_TMP/s.json.gz" -p "$PIDS" 2>/dev/null || fail "--snapshot exited $?"
"$LEAKTOP" --replay "$E2E_TMP/s.json.gz" --batch --format json -n 0 >"$E2E_TMP/s.json" ||
	fail "--replay of a snapshot exited $?"
[ "$(wc -l <"$E2E_TMP/s.json")" = 1 ] || fail "a replayed snapshot printed $(wc -l <"$E2E_TMP/s.json") ticks, not 1"
a=$(zcat "$E2E_TMP/s.json.gz" | jq -c --argjson p "$HOLD" '.processes[] | select(.pid == $p) | [.rss_bytes, .comm]')
b=$(jq -c --argjson p "$HOLD" '.processes[] | select(.pid == $p) | [.rss_bytes, .comm]' <"$E2E_TMP/s.json")
[ -n "$a" ] && [ "$a" = "$b" ] || fail "the holder in the snapshot ($a) and replayed ($b) differ"

# --- damaged and wrong files ------------------------------------------------
check_refused() {   # FILE PATTERN WHAT
	"$LEAKTOP" --replay "$1" --batch >/dev/null 2>"$E2E_TMP/err"
	local st=$?
	[ "$st" = 1 ] || fail "$3: exit status $st, not 1: $(cat "$E2E_TMP/err")"
	grep -q "$2" "$E2E_TMP/err" || fail "$3: message '$(cat "$E2E_TMP/err")' lacks '$2'"
}
: >"$E2E_TMP/empty.rec"
check_refused "$E2E_TMP/empty.rec" "empty file, not a leaktop recording" "empty file"
echo '{"format":"leaktop-snapshot"}' >"$E2E_TMP/other.rec"
check_refused "$E2E_TMP/other.rec" "other.rec: snapshot" "JSON file (read as a snapshot)"
check_refused "$E2E_TMP/nonexistent.rec" "cannot open .*No such file" "missing file"
# A newer format version, with its header checksum right (gzip's trailer
# holds the CRC-32 of its input, little-endian, as the header does).
{ printf 'LTRECORD\x02\x00\x00\x00'
  printf 'LTRECORD\x02\x00\x00\x00' | gzip -c | tail -c 8 | head -c 4
  tail -c +17 "$R"; } >"$E2E_TMP/v2.rec"
check_refused "$E2E_TMP/v2.rec" "recording format version 2; this leaktop reads version 1" "version 2"
size=$(stat -c %s "$R")
head -c $((size - 100)) "$R" >"$E2E_TMP/cut.rec"
"$LEAKTOP" --replay "$E2E_TMP/cut.rec" --batch --format json >"$E2E_TMP/cut.json" 2>"$E2E_TMP/err" ||
	fail "cut-short file: exit $? ($(cat "$E2E_TMP/err"))"
[ "$(wc -l <"$E2E_TMP/cut.json")" = 27 ] || fail "cut-short file: $(wc -l <"$E2E_TMP/cut.json") ticks, not 27"
grep -q "are not a whole record" "$E2E_TMP/err" || fail "cut-short file: $(cat "$E2E_TMP/err")"
cp "$R" "$E2E_TMP/flip.rec"
printf '\x5a' | dd of="$E2E_TMP/flip.rec" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
"$LEAKTOP" --replay "$E2E_TMP/flip.rec" --batch --format json >"$E2E_TMP/flip.json" 2>"$E2E_TMP/err" ||
	fail "bit-flipped file: exit $?"
[ "$(wc -l <"$E2E_TMP/flip.json")" = 27 ] || fail "bit-flipped file: $(wc -l <"$E2E_TMP/flip.json") ticks, not 27"
grep -q "damaged bytes at offset" "$E2E_TMP/err" || fail "bit-flipped file: $(cat "$E2E_TMP/err")"
# The TUI says it too.
start_tmux 250 30 "$LEAKTOP" --replay "$E2E_TMP/flip.rec"
wait_for "damaged bytes at offset" 10 "TUI: damage told in the header"
send q

# --- a recorder killed mid-run; appending cuts a torn tail -------------------
K="$E2E_TMP/killed.rec"
"$LEAKTOP" --record "$K" --interval 0.2 2>/dev/null &
KREC=$!
sleep 2
kill -KILL "$KREC"; wait "$KREC" 2>/dev/null
"$LEAKTOP" --replay "$K" --batch --format json >"$E2E_TMP/k.json" 2>"$E2E_TMP/err" || fail "killed recording: exit $?"
n1=$(wc -l <"$E2E_TMP/k.json")
[ "$n1" -ge 5 ] || fail "killed recording: only $n1 records after 2 s"
ksize=$(stat -c %s "$K")
head -c $((ksize - 5)) "$K" >"$K.tmp" && mv "$K.tmp" "$K"   # a torn last write
"$LEAKTOP" --record "$K" --interval 0.2 -n 2 2>"$E2E_TMP/err" || fail "appending: exit $?"
grep -q "cutting [0-9]* unreadable bytes off its end" "$E2E_TMP/err" || fail "appending: $(cat "$E2E_TMP/err")"
"$LEAKTOP" --replay "$K" --batch --format json >"$E2E_TMP/k.json" 2>"$E2E_TMP/err" || fail "appended: exit $?"
[ -s "$E2E_TMP/err" ] && fail "appended recording still damaged: $(cat "$E2E_TMP/err")"
[ "$(wc -l <"$E2E_TMP/k.json")" = $((n1 + 1)) ] ||
	fail "appended: $(wc -l <"$E2E_TMP/k.json") records, expected $n1 - 1 + 2"
"$LEAKTOP" --record "$E2E_TMP/other.rec" -n 1 2>"$E2E_TMP/err" && fail "appended to a non-recording"
grep -q "not a leaktop recording.*not appending" "$E2E_TMP/err" || fail "non-recording: $(cat "$E2E_TMP/err")"
grep -q leaktop-snapshot "$E2E_TMP/other.rec" || fail "the non-recording was changed"

# --- SIGTERM ends a recording cleanly ----------------------------------------
"$LEAKTOP" --record "$E2E_TMP/term.rec" --interval 0.2 2>"$E2E_TMP/err" &
TREC=$!
sleep 1
kill -TERM "$TREC"
wait "$TREC" || fail "SIGTERM: recorder exit $?"
grep -q "recorded [1-9][0-9]* records" "$E2E_TMP/err" || fail "SIGTERM: $(cat "$E2E_TMP/err")"

# --- rotation: FILE and FILE.1 stay under --max-size together -----------------
ROT="$E2E_TMP/rot.rec"
"$LEAKTOP" --record "$ROT" --interval 0.1 --max-size 64K -n 150 2>"$E2E_TMP/err" || fail "rotation run: exit $?"
grep -q "recorded 150 records, [0-9]* bytes, [1-9][0-9]* rotations" "$E2E_TMP/err" ||
	fail "no rotation with --max-size 64K: $(cat "$E2E_TMP/err")"
total=$(( $(stat -c %s "$ROT") + $(stat -c %s "$ROT.1") ))
[ "$total" -le 65536 ] || fail "rotated files take $total bytes, more than 64K"
"$LEAKTOP" --replay "$ROT" --batch --format json >"$E2E_TMP/rot.json" 2>"$E2E_TMP/err" || fail "rotated replay: exit $?"
[ -s "$E2E_TMP/err" ] && fail "rotated replay complains: $(cat "$E2E_TMP/err")"
jq -e '.processes | length > 0 and all(.[]; .comm != "?")' <"$E2E_TMP/rot.json" >/dev/null ||
	fail "rotated replay: a tick without processes or a nameless process"
note "rotation: $total bytes in $ROT and .1, $(wc -l <"$E2E_TMP/rot.json") records readable"

# --- a symlink planted at the destination is refused ---------------------------
echo keep >"$E2E_TMP/target"
ln -s "$E2E_TMP/target" "$E2E_TMP/link.rec"
"$LEAKTOP" --record "$E2E_TMP/link.rec" -n 1 2>"$E2E_TMP/err" && fail "recorded through a symlink"
grep -q "a symlink: refused" "$E2E_TMP/err" || fail "symlink: $(cat "$E2E_TMP/err")"
[ "$(cat "$E2E_TMP/target")" = keep ] || fail "the symlink's target was written"

# --- non-root: another user's 0600 recording is refused plainly --------------
if [ "$(id -u)" = 0 ] && id -u leaktoptest >/dev/null 2>&1 &&
   runuser -u leaktoptest -- test -x "$LEAKTOP" && runuser -u leaktoptest -- test -x "$E2E_TMP"; then
	runuser -u leaktoptest -- "$LEAKTOP" --replay "$R" --batch >/dev/null 2>"$E2E_TMP/err" &&
		fail "leaktoptest read root's 0600 recording"
	grep -q "cannot open .*Permission denied" "$E2E_TMP/err" || fail "non-root: $(cat "$E2E_TMP/err")"
fi
exit 0
