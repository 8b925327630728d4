#!/bin/bash
# End-to-end: the drill-down into one process's mappings.  Batch --maps
# totals equal pmap -X's for the same process; the TUI view (Enter) of a
# process that grows shows its growing anonymous region at the top of the
# change sort (G) with a positive change; grouping (g) shows the kinds with
# totals; Esc returns; a process that exits keeps its last data, marked.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${E2E_LIB:-$(dirname "$0")/lib.sh}"
e2e_init
need_tmux
command -v pmap >/dev/null || skip "pmap (procps) is not installed"

# --- batch: totals against pmap -X of a process that holds still ----------
start_leaker --rate 64M --max 16M --hold --name "e2emaps$$"
HOLD=$LEAKER_PID
wait_full "$HOLD" 10
json="$E2E_TMP/maps.json"
"$LEAKTOP" --maps "$HOLD" --format json >"$json" || fail "--maps --format json exited $?"
pm=$(pmap -X "$HOLD" | tail -1)
read -r p_size p_rss p_pss _ <<<"$pm"
[[ $p_size =~ ^[0-9]+$ ]] || fail "could not read pmap -X totals: $pm"
t_size=$(jq '.totals.size / 1024' "$json")
t_rss=$(jq '.totals.rss / 1024' "$json")
t_pss=$(jq '.totals.pss / 1024' "$json")
[ "$t_size" = "$p_size" ] || fail "--maps Size total $t_size KiB, pmap -X says $p_size"
[ "$t_rss" = "$p_rss" ] || fail "--maps Rss total $t_rss KiB, pmap -X says $p_rss"
# PSS moves only through shared pages, as other processes map or unmap
# the same libraries between the two reads: the difference must stay within
# the shared part (Rss minus private pages).
t_shared=$(jq '(.totals.rss - .totals.private_clean - .totals.private_dirty) / 1024' "$json")
awk -v a="$t_pss" -v b="$p_pss" -v s="$t_shared" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= s) }' ||
	fail "--maps Pss total $t_pss KiB, pmap -X says $p_pss (more apart than the $t_shared KiB shared)"
n_maps=$(jq '.mappings | length' "$json")
n_pmap=$(pmap -X "$HOLD" | awk '$2 ~ /^[r-][w-][x-][sp]$/' | wc -l)
[ "$n_maps" = "$n_pmap" ] || fail "--maps lists $n_maps mappings, pmap -X $n_pmap"
jq -e '.mappings[] | select(.name == "[stack]") | .kind == "stacks"' "$json" >/dev/null ||
	fail "--maps: [stack] is not of kind stacks"
txt="$E2E_TMP/maps.txt"
"$LEAKTOP" --maps "$HOLD" >"$txt" || fail "--maps (text) exited $?"
tail -1 "$txt" | grep -qE "^ +total .* KiB$" || fail "--maps text: no totals line: $(tail -1 "$txt")"
"$LEAKTOP" --maps 999999999 >/dev/null 2>"$E2E_TMP/err" && fail "--maps of no process succeeded"
grep -q "no process with PID" "$E2E_TMP/err" || fail "--maps of no process: $(cat "$E2E_TMP/err")"

# --- TUI: the growing region leads the change sort --------------------------
start_leaker --rate 2M --name "e2egrow$$"
GROW=$LEAKER_PID
start_tmux 132 40 "$LEAKTOP" -d 5 -p "$GROW,$HOLD"
wait_for "^[ !+X] *$GROW " 15 "the growing process's row"
send M
_sel_grow() { [ "$(capture | sed -n 5p | awk '{print $1 == "!" || $1 == "+" ? $2 : $1}')" = "$GROW" ]; }
wait_until 10 _sel_grow || { show_screen; fail "the growing process is not the first row by RSS"; }
send Home
send Enter
wait_for "^PID $GROW " 10 "the mappings view's header"
wait_for "mappings \\([0-9]+ new, [0-9]+ vanished since the view opened\\)" 5 "the summary line"
send G
sleep 3   # a few readings, so the region has grown since the view opened
_growing_top() {
	capture | sed -n 6p | grep -qE '\+[0-9.]+[KMG] .*\[anon\]'
}
wait_until 10 _growing_top || { show_screen; fail "G: the growing [anon] region is not first with a positive change"; }
capture | grep -qE "^ +total " || { show_screen; fail "no totals row in the mappings view"; }
send g
wait_for "grouped by kind" 5 "g: grouped by kind"
capture | grep -qE "anonymous" || { show_screen; fail "g: no anonymous group"; }
send g
wait_for "grouped by file" 5 "g again: grouped by file"
send g
wait_gone "grouped by" 5 "g a third time: one row per mapping"
# w shows every field; < and > walk the sort across the columns on screen.
send w
wait_for "ShClean +ShDirty +PrClean +PrDirty" 5 "w: every smaps field"
send '>'
wait_for "sort Mapping" 5 ">: from Change to the name column"
send '<'
send '<'
wait_for "sort Locked" 5 "< <: back past Change to Locked, the last field"
send Escape
wait_for "^[ !+X] *$GROW " 5 "Esc: back to the process table"
# The view of a process that exits keeps the last data.
send Home
send Enter
wait_for "^PID $GROW " 10 "the mappings view again"
kill -TERM "$GROW"
wait_for "process exited: last data" 10 "the view says the process exited"
capture | grep -qE "^ +total " || { show_screen; fail "an exited process's view lost its totals"; }
send Left
wait_for "F1Help" 5 "Left: back to the table"
send q
wait_until 10 pane_dead || { show_screen; fail "q did not quit"; }

echo "PASS: maps"
