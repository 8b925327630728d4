#!/bin/bash
# End-to-end: leaktop's keys under tmux: sort keys (M, I, < >, F6), search,
# filter, help, resizing, quitting.  Two leakers of different sizes and a
# sleep, selected with -p so the table stays small; -C so the selected row is
# drawn in reverse video.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${E2E_LIB:-$(dirname "$0")/lib.sh}"
e2e_init
need_tmux

SMALL_NAME="e2esmall$$"
BIG_NAME="e2ebig$$"
start_leaker --rate 64M --max 16M --name "$SMALL_NAME"
SMALL=$LEAKER_PID
start_leaker --rate 64M --max 96M --name "$BIG_NAME"
BIG=$LEAKER_PID
start_bg sleep 600
SLP=$BG_PID
wait_full "$SMALL" 20
wait_full "$BIG" 20

# sort_col: the column name carrying the sort marker in the header.
sort_col() {
	header_line | grep -oE '[A-Za-z~]+ ?(▼|▲)' | head -1 | tr -d ' ▼▲'
}
sort_dir() {
	header_line | grep -oE '▼|▲' | head -1
}

expect_order() { # expect_order WHAT PID...
	local what=$1
	shift
	local want
	want=$(printf '%s\n' "$@")
	_order_ok() { [ "$(data_pids)" = "$want" ]; }
	if ! wait_until 10 _order_ok; then
		show_screen
		fail "$what: rows are [$(data_pids | paste -sd' ')], expected [$*]"
	fi
}

expect_selected() { # expect_selected WHAT PID
	local what=$1 want=$2
	_sel_ok() { [ "$(selected_pids)" = "$want" ]; }
	if ! wait_until 10 _sel_ok; then
		show_screen
		fail "$what: selected (reverse-video) rows are [$(selected_pids | paste -sd' ')], expected [$want]"
	fi
}

expect_sort() { # expect_sort WHAT COLUMN
	local what=$1 want=$2
	_sort_ok() { [ "$(sort_col)" = "$want" ]; }
	if ! wait_until 10 _sort_ok; then
		show_screen
		fail "$what: sort marker on '$(sort_col)', expected '$want' (header: $(header_line))"
	fi
}

bottom_line() {
	capture | tail -n 1
}

start_tmux 200 50 "$LEAKTOP" -d 5 -C --sort-key pid -p "$SMALL,$BIG,$SLP"
wait_for "^ *$SMALL " 20 "small leaker row"
wait_for "^ *$BIG " 10 "big leaker row"
wait_for "^ *$SLP " 10 "sleep row"
wait_for '^F1Help' 5 "function-key bar"
expect_order "--sort-key pid" "$SMALL" "$BIG" "$SLP"
expect_selected "at start" "$SMALL"

# M: by RSS, largest first.
send M
expect_sort "M" RSS
expect_order "M (sort by RSS)" "$BIG" "$SMALL" "$SLP"
# I: inverted.
send I
expect_order "I (invert)" "$SLP" "$SMALL" "$BIG"
d1=$(sort_dir)
send I
expect_order "I again" "$BIG" "$SMALL" "$SLP"
[ "$(sort_dir)" != "$d1" ] || fail "I did not flip the sort marker ($d1)"

# Arrows move the selection; Home/End.
send Home
expect_selected "Home" "$BIG"
send Down
expect_selected "Down" "$SMALL"
send End
expect_selected "End" "$SLP"
send Up
expect_selected "Up" "$SMALL"
send Home
expect_selected "Home" "$BIG"

# < and >: the sort column moves; back again.
send '>'
expect_sort "> (next sort column)" PSS
send '<'
expect_sort "< (previous sort column)" RSS
expect_order "back on RSS" "$BIG" "$SMALL" "$SLP"
# P sorts by PSS, W by swap (G, growth, is checked at the end).
send P
expect_sort "P" PSS
send W
expect_sort "W" SWAP
send M
expect_sort "M" RSS
expect_order "M again" "$BIG" "$SMALL" "$SLP"

# Search: / NAME moves the selection to that process; Enter keeps it.
send Home
expect_selected "Home before search" "$BIG"
send /
wait_for '^Search:' 5 "search prompt after /"
send_text "$SMALL_NAME"
expect_selected "search '$SMALL_NAME'" "$SMALL"
send Enter
wait_gone '^Search:' 5 "search prompt after Enter"
wait_for '^F1Help' 5 "function-key bar after search"
expect_selected "after search + Enter" "$SMALL"
expect_order "search does not filter" "$BIG" "$SMALL" "$SLP"
# F3 opens the search too; Esc cancels (prompt gone, table intact).
send Home
expect_selected "Home" "$BIG"
send F3
wait_for '^Search:' 5 "search prompt after F3"
send_text "sleep"
expect_selected "search 'sleep'" "$SLP"
send Escape
wait_gone '^Search:' 5 "search prompt after Esc"
expect_order "after search Esc" "$BIG" "$SMALL" "$SLP"

# Filter: \ NAME lists only that process; Enter keeps it.
send '\'
wait_for '^Filter:' 5 "filter prompt after \\"
send_text "$SMALL_NAME"
expect_order "filter '$SMALL_NAME'" "$SMALL"
send Enter
wait_gone '^Filter:' 5 "filter prompt after Enter"
expect_order "filter kept after Enter" "$SMALL"
# Esc in the filter prompt clears the filter.
send F4
wait_for '^Filter:' 5 "filter prompt after F4"
send Escape
wait_gone '^Filter:' 5 "filter prompt after Esc"
expect_order "filter cleared by Esc" "$BIG" "$SMALL" "$SLP"
# Typing then Esc without Enter: no filter either.
send '\'
wait_for '^Filter:' 5 "filter prompt"
send_text "$BIG_NAME"
expect_order "filter '$BIG_NAME'" "$BIG"
send Escape
expect_order "filter typed then Esc" "$BIG" "$SMALL" "$SLP"
# A filter matching nothing: empty table, no crash.
send '\'
wait_for '^Filter:' 5 "filter prompt"
send_text "no-such-process-$$"
_empty() { [ -z "$(data_pids)" ]; }
wait_until 10 _empty || { show_screen; fail "a filter matching nothing still lists rows"; }
wait_for '^ *PID.*Command' 5 "header with an empty table"
send Escape
expect_order "after the empty filter" "$BIG" "$SMALL" "$SLP"

# F6: the sort-column list; Down + Enter picks the next column.
send F6
wait_for '^Sort by' 5 "sort list after F6"
for col in PID USER RSS PSS SWAP GROWTH; do
	capture | grep -qE "^$col( |$)" || { show_screen; fail "F6 list does not list $col"; }
done
send Down
send Enter
wait_gone '^Sort by' 5 "sort list after Enter"
expect_sort "F6, Down, Enter from RSS" PSS
send F6
wait_for '^Sort by' 5 "sort list after F6"
send Escape
wait_gone '^Sort by' 5 "sort list after Esc"
expect_sort "F6 + Esc keeps the column" PSS
send M
expect_sort "M" RSS

# Help opens and closes over the table.
send F1
wait_for 'leaktop help' 5 "help after F1"
send Escape
wait_gone 'leaktop help' 5 "help after Esc"
expect_order "table after help" "$BIG" "$SMALL" "$SLP"

# Resize to 80x24: header, table and function-key bar still there.
check_layout() { # check_layout COLS ROWS
	local cols=$1 rows=$2 scr n w
	_layout_ok() {
		scr=$(capture)
		n=$(wc -l <<<"$scr")
		[ "$n" = "$rows" ] || return 1
		grep -qE '^ *PID +USER' <<<"$scr" || return 1
		grep -q 'Mem\[' <<<"$scr" || return 1
		[[ $(tail -n 1 <<<"$scr") == F1Help* ]] || return 1
		grep -qE "^ *$BIG " <<<"$scr" || return 1
		return 0
	}
	if ! wait_until 10 _layout_ok; then
		show_screen
		fail "after resizing to ${cols}x${rows}: no Mem[ meter, PID header, $BIG row or F1Help bar on the last line"
	fi
	w=$(capture | LC_ALL=C.UTF-8 wc -L)
	[ "$w" -le "$cols" ] || { show_screen; fail "a line is $w characters wide in a $cols-column pane"; }
}
tm resize-window -t "$E2E_SESSION" -x 80 -y 24 || fail "tmux resize-window failed"
check_layout 80 24
tm resize-window -t "$E2E_SESSION" -x 60 -y 12 || fail "tmux resize-window failed"
_alive() { ! pane_dead; }
wait_until 3 _alive || { show_screen; fail "leaktop exited after resizing to 60x12"; }
tm resize-window -t "$E2E_SESSION" -x 132 -y 40 || fail "tmux resize-window failed"
check_layout 132 40
tm resize-window -t "$E2E_SESSION" -x 80 -y 24 || fail "tmux resize-window failed"
check_layout 80 24

# G: by growth rate (SLOPE); the header marks the sort column like every other one.
send G
expect_sort "G (sort by growth rate)" SLOPE
send M
expect_sort "M" RSS

# q quits with status 0.
send q
wait_until 10 pane_dead || { show_screen; fail "q did not quit leaktop"; }
st=$(pane_status)
[ "$st" = 0 ] || { show_screen; fail "leaktop exited with status $st after q"; }

# F10 quits too.
start_tmux 100 30 "$LEAKTOP" -d 5 -p "$SMALL,$BIG"
wait_for "^ *$BIG " 20 "big leaker row"
send F10
wait_until 10 pane_dead || { show_screen; fail "F10 did not quit leaktop"; }
st=$(pane_status)
[ "$st" = 0 ] || { show_screen; fail "leaktop exited with status $st after F10"; }

echo "PASS: tui_keys"
exit 0
