#!/bin/bash
# End-to-end: terminal types and job control.  vt100, xterm-256color and
# screen get the full view and quit cleanly on q; Ctrl-Z stops leaktop and
# fg redraws it; TERM=dumb (no cursor addressing) and an unknown TERM get a
# one-line reason and status 1, not a smear of text.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${E2E_LIB:-$(dirname "$0")/lib.sh}"
e2e_init
need_tmux

for term in vt100 xterm-256color screen; do
	infocmp "$term" >/dev/null 2>&1 || { note "no terminfo for $term: skipped"; continue; }
	start_tmux 100 30 env TERM="$term" "$LEAKTOP" -d 5 -p 1
	wait_for '^ *PID .*Command' 10 "TERM=$term: the table header"
	wait_for '^F1Help' 5 "TERM=$term: the function-key bar"
	send q
	wait_until 10 pane_dead || { show_screen; fail "TERM=$term: q did not quit"; }
	st=$(pane_status)
	[ "$st" = 0 ] || fail "TERM=$term: exit status $st after q"
done

# Ctrl-Z hands the terminal back to the shell; fg redraws the view.
start_tmux 100 30 env "PS1=READY\$ " HISTFILE=/dev/null bash --norc --noprofile -i
wait_for '^READY\$' 10 "bash prompt"
send_text "$(printf '%q' "$LEAKTOP") -d 5 -p 1"
send Enter
wait_for '^F1Help' 15 "leaktop under bash"
send C-z
wait_for 'Stopped +.*leaktop' 5 "Ctrl-Z: the shell reports leaktop stopped"
wait_for '^READY\$ *$' 5 "Ctrl-Z: the shell prompt is back"
send_text fg
send Enter
wait_for '^ *PID .*Command' 10 "fg: the view is redrawn"
wait_for '^F1Help' 5 "fg: the function-key bar is back"
send q
wait_for '^READY\$ *$' 5 "q after fg: back at the prompt"

# On a pty from script(1): tmux can drop the output of a pane whose
# program exits at once.
command -v script >/dev/null || skip "script (bsdutils) is not installed"
for term in dumb no-such-terminal; do
	out=$(TERM=$term timeout 10 script -qec "$(printf '%q' "$LEAKTOP") -d 5 -p 1" /dev/null)
	st=$?
	[ "$st" = 1 ] || fail "TERM=$term: exit status $st, expected 1: $out"
	grep -qE "leaktop: terminal '$term' (cannot place the cursor|is unknown); set TERM .* or use --batch" <<<"$out" ||
		fail "TERM=$term: no clear reason: $out"
done

echo "PASS: terms"
