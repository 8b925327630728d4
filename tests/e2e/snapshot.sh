#!/bin/bash
# End-to-end: snapshot files.  `leaktop --snapshot FILE` next to a batch run
# of the same ticks: a valid gzip holding the leaker with its RSS and flag
# as batch JSON shows them, and read back (tests/helpers/snapread, through
# leaktop's reader) the same processes, figures and flags; mode 0600; a
# symlink planted at the destination replaced, its target untouched; an
# unwritable directory a clear message and exit 1; `--snapshot -` plain
# JSON for jq; damaged files one message each, never a crash.  In the TUI:
# Enter on the leaker (mappings), Esc, s writes a snapshot holding those
# mappings; s inside the mappings view too.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${E2E_LIB:-$(dirname "$0")/lib.sh}"
e2e_init
need_tmux
command -v jq >/dev/null 2>&1 || skip "jq is not installed"
command -v gzip >/dev/null 2>&1 || skip "gzip is not installed"

MiB=$((1024 * 1024))
start_leaker --rate 2M --name "e2esnap$$"
LEAK=$LEAKER_PID
start_leaker --rate 32M --max 16M --hold --name "e2eflat$$"
FLAT=$LEAKER_PID
wait_full "$FLAT" 10
PIDS="$LEAK,$FLAT"
snap="$E2E_TMP/snap.json.gz" batch="$E2E_TMP/batch.json" err="$E2E_TMP/err"

# --- the same 28 ticks (0.5 s apart, 20 s window) as a snapshot and batch ----
"$LEAKTOP" --batch -n 28 -d 5 --window 20s --format json -p "$PIDS" >"$batch" 2>"$E2E_TMP/batch.err" &
bpid=$!
timeout 60 "$LEAKTOP" --snapshot "$snap" -n 28 -d 5 --window 20s -p "$PIDS" 2>"$err"
rc=$?
wait "$bpid" || { cat "$E2E_TMP/batch.err" >&2; fail "the batch run beside the snapshot failed"; }
[ "$rc" = 0 ] || { cat "$err" >&2; fail "--snapshot exited $rc"; }
grep -qF "leaktop: snapshot written to $snap (2 processes, " "$err" ||
	fail "--snapshot did not say where it wrote: $(cat "$err")"
gzip -t "$snap" || fail "the snapshot is not valid gzip"
[ "$(stat -c %a "$snap")" = 600 ] || fail "snapshot mode is $(stat -c %a "$snap"), not 600"
json=$(zcat "$snap")
jq -e --arg h "$(hostname)" '.format == "leaktop-snapshot" and .version == 1 and
	.host == $h and (.kernel.release | type == "string") and .tick == 28 and
	(.ticks | length) == 28 and (.uptime_seconds | type == "number") and
	(.system.mem_total_bytes > 0) and (.processes | length) == 2 and
	(.drilldowns == [])' >/dev/null <<<"$json" ||
	fail "snapshot top level is not as documented: $(jq -c 'del(.processes, .ticks)' <<<"$json" | head -c 2000)"
sp=$(jq -c --argjson p "$LEAK" '.processes[] | select(.pid == $p)' <<<"$json")
bp=$(tail -1 "$batch" | jq -c --argjson p "$LEAK" '.processes[] | select(.pid == $p)')
[ -n "$sp" ] || fail "the leaker $LEAK is not in the snapshot"
[ -n "$bp" ] || fail "the leaker $LEAK is not in the batch output"
# Taken at nearly the same moments, at 2 MiB/s: within 4 MiB.
s_rss=$(jq .rss_bytes <<<"$sp") b_rss=$(jq .rss_bytes <<<"$bp")
d=$((s_rss - b_rss))
[ "${d#-}" -le $((4 * MiB)) ] || fail "leaker RSS in the snapshot $s_rss, in batch JSON $b_rss: more than 4 MiB apart"
jq -e '.flag == "alert"' >/dev/null <<<"$bp" || fail "batch did not flag the leaker (the test needs it): $bp"
jq -e '.flag == "alert" and (.rss_slope_bytes_per_second > 0.8 * 2097152) and
	(.growing_since | type == "string") and (.time_to_limit_seconds > 0)' >/dev/null <<<"$sp" ||
	fail "snapshot: the leaker is not flagged alert with slope, since and time to limit: $sp"
jq -e --argjson p "$FLAT" '.processes[] | select(.pid == $p) | .flag == "ok"' >/dev/null <<<"$json" ||
	fail "snapshot: the flat process is flagged"
# History: 28 tick samples, the last one the current RSS (KiB).
jq -e '.history.ticks.first == 1 and (.history.ticks.rss_kib | length) == 28 and
	.history.ticks.rss_kib[-1] == (.rss_bytes / 1024 | floor) and
	(.history.buckets_30s.rss_min_kib | length) >= 1' >/dev/null <<<"$sp" ||
	fail "snapshot: the leaker's history is not 28 tick samples ending at its RSS: $(jq -c .history.ticks <<<"$sp")"

# --- read back: the same processes, figures and flags -------------------------
back=$("$HELPERS/snapread" "$snap" 2>"$err") || fail "snapread: $(cat "$err")"
for p in "$LEAK" "$FLAT"; do
	a=$(jq -c --argjson p "$p" '.processes[] | select(.pid == $p) | del(.history, .start_ticks,
		.kernel_thread, .pss_errno, .swap_errno, .flag_metric, .alerted, .oom_kill_time)' <<<"$json")
	b=$(jq -c --argjson p "$p" '.processes[] | select(.pid == $p)' <<<"$back")
	# Times go through milliseconds and back: compare to the second.
	norm='del(.growing_since) | with_entries(if (.value | type) == "number" then .value |= (. * 1000 | round) else . end)'
	[ "$(jq -cS "$norm" <<<"$a")" = "$(jq -cS "$norm" <<<"$b")" ] ||
		fail "pid $p read back differs:
written: $a
read:    $b"
	[ "$(jq -r '.growing_since // "" | .[0:19]' <<<"$a")" = "$(jq -r '.growing_since // "" | .[0:19]' <<<"$b")" ] ||
		fail "pid $p: growing_since differs after reading back"
done

# --- a symlink planted at the destination is replaced, not followed ----------
echo precious >"$E2E_TMP/target"
ln -s "$E2E_TMP/target" "$E2E_TMP/planted.json.gz"
"$LEAKTOP" --snapshot "$E2E_TMP/planted.json.gz" -p "$LEAK" 2>"$err" || fail "--snapshot over a symlink: $(cat "$err")"
[ "$(cat "$E2E_TMP/target")" = precious ] || fail "the symlink's target was written through"
[ -L "$E2E_TMP/planted.json.gz" ] && fail "the symlink is still there"
gzip -t "$E2E_TMP/planted.json.gz" || fail "the snapshot over the symlink is not valid gzip"
[ -z "$(find "$E2E_TMP" -name '*.tmp.*')" ] || fail "temporary files left behind: $(find "$E2E_TMP" -name '*.tmp.*')"

# --- an unwritable directory: a message naming the file, exit 1 ----------------
ro="$E2E_TMP/ro"
mkdir "$ro"
chmod 555 "$ro"
as_user=()
if [ "$(id -u)" = 0 ]; then
	command -v runuser >/dev/null && id nobody >/dev/null 2>&1 || skip "root without runuser/nobody: cannot make a directory unwritable"
	as_user=(runuser -u nobody --)
fi
"${as_user[@]}" "$LEAKTOP" --snapshot "$ro/x.json.gz" -p "$LEAK" 2>"$err"
rc=$?
[ "$rc" = 1 ] || fail "--snapshot into an unwritable directory exited $rc, not 1"
grep -qxF "leaktop: cannot write snapshot $ro/x.json.gz: Permission denied" "$err" ||
	fail "unwritable directory: message was: $(cat "$err")"
[ -z "$(ls -A "$ro")" ] || fail "something was left in the unwritable directory"

# --- standard output: plain JSON, every process ------------------------------
"$LEAKTOP" --snapshot - >"$E2E_TMP/all.json" 2>"$err" || fail "--snapshot - exited $?: $(cat "$err")"
jq -e --argjson p "$LEAK" '.format == "leaktop-snapshot" and (.processes | length) > 2 and
	any(.processes[]; .pid == $p)' "$E2E_TMP/all.json" >/dev/null ||
	fail "--snapshot - is not a snapshot of every process with the leaker"
grep -q "snapshot written to standard output" "$err" || fail "--snapshot -: $(cat "$err")"

# --- damaged files: one message naming the file, never a crash ----------------
dmg="$E2E_TMP/dmg"
mkdir "$dmg"
: >"$dmg/empty"
head -c 300 "$snap" >"$dmg/truncated.gz"
cp "$snap" "$dmg/flipped.gz"
size=$(stat -c %s "$snap")
printf '\x55' | dd of="$dmg/flipped.gz" bs=1 seek=$((size - 7)) conv=notrunc status=none
jq -c '.version = 7' "$E2E_TMP/all.json" >"$dmg/newer.json"
echo '{"name": "not leaktop"}' >"$dmg/other.json"
check_damaged() {
	local f=$1 want=$2 out rc
	out=$("$HELPERS/snapread" "$dmg/$f" 2>&1)
	rc=$?
	[ "$rc" = 1 ] || fail "reading $f exited $rc (want 1): $out"
	grep -qF "snapread: $dmg/$f: $want" <<<"$out" || fail "reading $f: message was: $out"
}
check_damaged empty "empty file"
check_damaged truncated.gz "the gzip data ends early: the file was cut short"
check_damaged flipped.gz "damaged gzip data"
check_damaged newer.json "snapshot version 7 is newer than this leaktop reads (1)"
check_damaged other.json "not a leaktop snapshot"

# --- TUI: s after a drill-down, and inside the mappings view -----------------
tui="$E2E_TMP/tui"
mkdir "$tui"
cd "$tui" || fail "cd $tui"
# Wide: the status note shares the tasks line.
start_tmux 200 40 "$LEAKTOP" -d 5 -p "$LEAK"
wait_for "^[ !+X] *$LEAK " 15 "the leaker's row"
VIEW='mappings \([0-9]+ new, [0-9]+ vanished'
send Enter
wait_for "$VIEW" 10 "the mappings view"
send Escape
wait_gone "$VIEW" 10 "back to the table"
send s
wait_for "snapshot written to leaktop-[^ ]+\\.json\\.gz \\(1 process, [0-9.]+[BKMG]?\\)" 10 "the status line after s"
f=$(capture | grep -oE "leaktop-[^ ]+\\.json\\.gz" | head -1)
[ -f "$tui/$f" ] || fail "the TUI named $f, which is not in $tui"
[ "$(stat -c %a "$tui/$f")" = 600 ] || fail "TUI snapshot mode is $(stat -c %a "$tui/$f")"
zcat "$tui/$f" | jq -e --argjson p "$LEAK" '.drilldowns | length == 1 and .[0].pid == $p and
	(.[0].mappings.mappings | length) > 3 and (.[0].mappings.totals.rss > 0) and
	any(.[0].mappings.mappings[]; .name == "[stack]") and .[0].stacks == null' >/dev/null ||
	fail "the TUI snapshot does not hold the leaker's mappings: $(zcat "$tui/$f" | jq -c '.drilldowns' | head -c 600)"
rm -f "$tui"/leaktop-*.json.gz
send Enter
wait_for "$VIEW" 10 "the mappings view, again"
send s
wait_for "snapshot written to leaktop-" 10 "the status line after s in the mappings view"
wait_until 5 compgen -G "$tui/leaktop-*.json.gz" >/dev/null || fail "no snapshot file after s in the mappings view"
f=$(compgen -G "$tui/leaktop-*.json.gz" | head -1)
zcat "$f" | jq -e --argjson p "$LEAK" '.drilldowns[0].pid == $p and (.drilldowns[0].mappings.mappings | length) > 3' >/dev/null ||
	fail "s in the mappings view: the open drill-down is missing"
send q
wait_until 5 pane_dead || fail "leaktop did not quit on q"
echo "PASS"
