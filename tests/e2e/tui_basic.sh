#!/bin/bash
# End-to-end: leaktop's full-screen view under tmux, inside an interactive
# bash: the layout at 80x24 and 200x50, a growing leaker's row and
# sparklines (Unicode blocks, --ascii, and a non-UTF-8 locale), help opening
# and closing, and the terminal handed back intact after q (or Ctrl-C).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${E2E_LIB:-$(dirname "$0")/lib.sh}"
e2e_init
need_tmux

NAME="e2eleak$$"
NAME=${NAME:0:15}
ME=$(id -un)
# The USER column is 8 wide; a longer name is cut to 7 and a '+'.
[ ${#ME} -le 8 ] && ME_SHOWN=$ME || ME_SHOWN="${ME:0:7}+"
BLOCKS='[▁▂▃▄▅▆▇█]'
RISING='[▂▃▄▅▆▇█]'

# A leaker that keeps growing for the whole test (4 MiB/s; the cap is
# never reached in practice), so it sorts first by growth.
start_leaker --rate 4M --max 1G --name "$NAME"
LEAK=$LEAKER_PID

# phase COLS ROWS MODE QUIT [EXTRA OPTIONS...]
#   MODE: utf8 | ascii (--ascii) | clocale (LC_ALL=C)
#   QUIT: q | ctrl-c
phase() {
	local cols=$1 rows=$2 mode=$3 quit=$4
	shift 4
	local what="${cols}x${rows} $mode $*"
	local cmd scr row last

	start_tmux "$cols" "$rows" env "PS1=READY\$ " HISTFILE=/dev/null \
		bash --norc --noprofile -i
	wait_for '^READY\$' 10 "$what: bash prompt"

	cmd="$(printf '%q' "$LEAKTOP") -d 5 --sort-key growth $*"
	case $mode in
	ascii) cmd+=" --ascii" ;;
	clocale) cmd="LC_ALL=C LANG=C $cmd" ;;
	esac
	send_text "$cmd"
	send Enter

	# Layout.
	wait_for '^F1Help' 15 "$what: function-key bar"
	# From 100 columns every default column fits; at 80, SHR and the PSS
	# and swap sparklines give way (table.c's drop order).
	wait_for '^ *PID.* USER +RSS.* PSS.* SWAP.* GROWTH.* SLOPE.* TTL.* RSS~ .*Command' 10 \
		"$what: table header with PID USER RSS PSS SWAP GROWTH SLOPE TTL RSS~ Command"
	local wide=0
	if [ "$cols" -ge 100 ]; then
		wide=1
		wait_for '^ *PID.* USER +RSS.* PSS.* SWAP.* SHR.* GROWTH.* SLOPE.* TTL.* RSS~ .*PSS~ .*SWAP~ .*Command' 5 \
			"$what: all default columns at $cols columns"
	fi
	scr=$(capture)
	grep -q '^Mem\[' <<<"$scr" || { show_screen; fail "$what: no Mem[ meter on the first lines"; }
	grep -q 'Swp\[' <<<"$scr" || { show_screen; fail "$what: no Swp[ meter"; }
	head -n 4 <<<"$scr" | grep -qE 'Tasks:? *[0-9]+' ||
		{ show_screen; fail "$what: no tasks count above the table"; }
	last=$(tail -n 1 <<<"$scr")
	[[ $last == F1Help* ]] || { show_screen; fail "$what: last line is '$last', not the F1Help bar"; }
	[ "$(wc -l <<<"$scr")" = "$rows" ] || { show_screen; fail "$what: screen is not $rows lines"; }
	[ "$(LC_ALL=C.UTF-8 wc -L <<<"$scr")" -le "$cols" ] ||
		{ show_screen; fail "$what: a line is wider than $cols columns"; }

	# The leaker's row: pid, user, sizes, sparklines that rise.
	wait_row_home "$LEAK" 30 "$what: leaker $LEAK at the top of the table (sorted by growth)"
	case $mode in
	utf8)
		wait_row_home "$LEAK" 20 "$what: a rising Unicode sparkline on the leaker's row" "$RISING"
		;;
	ascii | clocale)
		wait_row_home "$LEAK" 20 "$what: a rising ASCII sparkline on the leaker's row" '[#%@]'
		if capture | grep -qE "$BLOCKS"; then
			show_screen
			fail "$what: Unicode block characters on the screen"
		fi
		;;
	esac
	if [ "$mode" = clocale ] && capture | LC_ALL=C grep -q '[^ -~]'; then
		show_screen
		fail "$what: non-ASCII characters on the screen in the C locale"
	fi
	row=$(row_of "$LEAK")
	if [ "$wide" = 1 ]; then
		read -r _ f_user f_rss f_pss f_swap f_shr f_growth _ <<<"$row"
	else
		read -r _ f_user f_rss f_pss f_swap f_growth _ <<<"$row"
		f_shr=0
	fi
	[ "$f_user" = "$ME_SHOWN" ] || fail "$what: user column '$f_user', expected '$ME_SHOWN': $row"
	local sz='^[0-9]+(\.[0-9]+)?[KMGTP]?$'
	[[ $f_rss =~ $sz ]] || fail "$what: RSS '$f_rss' is not a size like 12M: $row"
	[[ $f_rss =~ [MG]$ ]] || fail "$what: RSS '$f_rss' of a leaker holding megabytes: $row"
	[[ $f_pss =~ $sz || $f_pss == n/a ]] || fail "$what: PSS '$f_pss' is neither a size nor n/a: $row"
	if [ "$(id -u)" = 0 ]; then
		[[ $f_pss =~ $sz ]] || fail "$what: PSS '$f_pss' unreadable as root: $row"
	fi
	[[ $f_swap =~ $sz || $f_swap == n/a ]] || fail "$what: SWAP '$f_swap' is neither a size nor n/a: $row"
	[[ $f_shr =~ $sz ]] || fail "$what: SHR '$f_shr' is not a size: $row"
	[[ $f_growth =~ ^\+[0-9] ]] || wait_row_home "$LEAK" 10 \
		"$what: positive GROWTH for the leaker (row: $row)" ' \+[0-9.]+[KMG]? '
	# The command column may be narrow: its start at least.
	local cmdstart="$HELPERS/leaker"
	[[ $row == *"${cmdstart:0:8}"* ]] || fail "$what: the leaker's command is not shown: $row"

	# Help: F1, h and ? open it; Esc and q close it (q must not quit).
	local key close
	for key in F1 h '?'; do
		send "$key"
		wait_for 'leaktop help' 5 "$what: help after $key"
		scr=$(capture)
		for w in M P W G F6 I '/' q; do
			grep -qE "(^|[ ,])$(printf '%s' "$w" | sed 's/[]\/$*.^[]/\\&/g')([ ,]|$)" <<<"$scr" ||
				{ show_screen; fail "$what: help does not list the key '$w'"; }
		done
		close=Escape
		[ "$key" = h ] && close=q
		send "$close"
		wait_gone 'leaktop help' 5 "$what: help closed by $close"
		wait_for '^ *PID.*Command' 5 "$what: table back after closing help with $close"
		wait_for '^F1Help' 5 "$what: F1Help bar back after help"
		wait_row_home "$LEAK" 10 "$what: leaker row back after help"
	done

	# Quit: the shell gets the terminal back intact.
	case $quit in
	q) send q ;;
	ctrl-c) send C-c ;;
	esac
	wait_gone '^F1Help' 10 "$what: leaktop still on screen after $quit"
	wait_for '^READY\$ ?$' 10 "$what: a fresh shell prompt after $quit"
	[ "$(tm display-message -p -t "$E2E_SESSION" '#{alternate_on}')" = 0 ] ||
		{ show_screen; fail "$what: still on the alternate screen after $quit"; }
	[ "$(tm display-message -p -t "$E2E_SESSION" '#{cursor_flag}')" = 1 ] ||
		{ show_screen; fail "$what: cursor left invisible after $quit"; }
	send_text "echo rc=\$? alive-$$"
	send Enter
	wait_for "^rc=[0-9]+ alive-$$\$" 10 "$what: the shell runs commands after $quit"
	local rc
	rc=$(capture | sed -n "s/^rc=\([0-9]*\) alive-$$\$/\1/p" | tail -1)
	[ "$rc" = 0 ] || { show_screen; fail "$what: leaktop exited with status $rc after $quit"; }
	send_text "stty -a | tr ' ;' '\n\n' | grep -xE -- '-?(icanon|echo|isig|icrnl|opost)' | paste -sd' ' | sed 's/^/MODES: /'"
	send Enter
	wait_for '^MODES: ' 10 "$what: stty output"
	local modes
	modes=$(capture | grep '^MODES: ' | tail -1)
	if [[ " $modes " == *" -"* ]]; then
		show_screen
		fail "$what: terminal modes not restored after $quit: $modes"
	fi
	[[ " $modes " == *" icanon "* && " $modes " == *" echo "* ]] ||
		{ show_screen; fail "$what: unexpected terminal modes after $quit: $modes"; }
	note "$what: ok ($modes)"
	kill -0 "$LEAK" 2>/dev/null || fail "the leaker died"
}

phase 80 24 utf8 q
phase 200 50 utf8 ctrl-c --theme light
phase 80 24 ascii q
phase 100 30 clocale q -C

# Closing the terminal (tmux server gone) ends leaktop.
E2E_BARE=1 start_tmux 100 30 "$LEAKTOP" -d 5
wait_for '^F1Help' 15 "leaktop for the hangup check"
expect_exit_on_hangup "hangup" "$(pane_pid)"

echo "PASS: tui_basic"
exit 0
