# Shared helpers for the end-to-end tests (bash; sourced, not run).
#
# Environment (set by `make check`): LEAKTOP (the binary), HELPERS (dir with
# the built `leaker`), LEAKTOP_THEMES, E2E_LIB (this file).
#
#   e2e_init            fresh temp dir, XDG_CONFIG_HOME, C.UTF-8 locale,
#                       EXIT trap that kills helpers and the tmux server
#   need_tmux           skip (77) unless tmux is installed
#   start_tmux COLS ROWS CMD...
#                       run CMD (words are shell-quoted) in a detached tmux
#                       session on this test's own socket
#   tm ARGS...          tmux on this test's socket
#   capture             the visible screen as text
#   capture_e           the same with escape sequences (attributes, colours)
#   send KEYS...        tmux send-keys (key names: Enter Escape F1 Up ...)
#   send_text TEXT      send TEXT literally
#   wait_for REGEX [TIMEOUT]
#                       poll the screen every 0.2 s until a line matches the
#                       extended REGEX; fail with the last screen on timeout
#   wait_gone REGEX [TIMEOUT]
#                       until no line matches
#   start_leaker ARGS...
#                       $HELPERS/leaker ARGS in the background; sets
#                       LEAKER_PID.  Call it directly, never in $(...): the
#                       leaker dies with its parent.  LEAKER_RUNAS=USER runs
#                       it through runuser.
#   fail MSG / skip MSG exit 1 / 77 with a message on stderr

[ -n "${BASH_VERSION:-}" ] || { echo "lib.sh needs bash" >&2; exit 99; }

E2E_SOCK="leaktop-e2e-$$"
E2E_SESSION="e2e"
E2E_TMP=""
E2E_PIDS=""
E2E_TMUX_STARTED=0
E2E_TIMEOUT_SCALE=${E2E_TIMEOUT_SCALE:-1}
LEAKER_PID=""
LEAKER_RUNAS=${LEAKER_RUNAS:-}

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

skip() {
	echo "SKIP: $*" >&2
	exit 77
}

note() {
	echo "# $*" >&2
}

# descendants PID...: the given processes and all their descendants.
descendants() {
	ps -e -o pid=,ppid= 2>/dev/null | awk -v roots="$*" '
		BEGIN { n = split(roots, r, " "); for (i = 1; i <= n; i++) keep[r[i]] = 1 }
		{ parent[$1] = $2; pids[++m] = $1 }
		END {
			do {
				changed = 0
				for (i = 1; i <= m; i++)
					if (!(pids[i] in keep) && (parent[pids[i]] in keep)) {
						keep[pids[i]] = 1; changed = 1
					}
			} while (changed)
			for (p in keep) print p
		}'
}

# tmux_kill_server: kill this test's tmux server and whatever still runs in
# its panes (a program that ignores the hangup must not outlive the test).
tmux_kill_server() {
	local panes procs p
	panes=$(tm list-panes -a -F '#{pane_pid}' 2>/dev/null)
	procs=""
	[ -n "$panes" ] && procs=$(descendants $panes)
	tm kill-server >/dev/null 2>&1
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$E2E_SOCK"
	[ -n "$procs" ] || return 0
	for p in $procs; do kill -0 "$p" 2>/dev/null || continue; sleep 0.3; break; done
	for p in $procs; do kill -TERM "$p" 2>/dev/null; done
	for p in $procs; do kill -0 "$p" 2>/dev/null || continue; sleep 0.5; break; done
	for p in $procs; do kill -KILL "$p" 2>/dev/null; done
	return 0
}

e2e_cleanup() {
	local p
	if [ "$E2E_TMUX_STARTED" = 1 ]; then
		tmux_kill_server
	fi
	for p in $E2E_PIDS; do
		kill -TERM "$p" 2>/dev/null
	done
	sleep 0.1
	for p in $E2E_PIDS; do
		kill -KILL "$p" 2>/dev/null
	done
	wait 2>/dev/null
	[ -n "$E2E_TMP" ] && rm -rf "$E2E_TMP"
}

e2e_init() {
	[ -n "${LEAKTOP:-}" ] || fail "LEAKTOP is not set (path of the leaktop binary)"
	[ -x "$LEAKTOP" ] || fail "LEAKTOP=$LEAKTOP is not an executable file"
	[ -n "${HELPERS:-}" ] || fail "HELPERS is not set (dir with the leaker helper)"
	[ -x "$HELPERS/leaker" ] || fail "$HELPERS/leaker is missing (not built?)"
	E2E_TMP=$(mktemp -d "${TMPDIR:-/tmp}/leaktop-e2e.XXXXXX") ||
		fail "mktemp -d failed"
	chmod 755 "$E2E_TMP"
	trap e2e_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	export XDG_CONFIG_HOME="$E2E_TMP/config"
	mkdir -p "$XDG_CONFIG_HOME"
	export LANG=C.UTF-8 LC_ALL=C.UTF-8
	unset LC_CTYPE LANGUAGE
	export HOME="${HOME:-/root}"
	if [ -n "${LEAKTOP_THEMES:-}" ]; then export LEAKTOP_THEMES; fi
}

need_tmux() {
	command -v tmux >/dev/null 2>&1 || skip "tmux is not installed"
}

tm() {
	tmux -L "$E2E_SOCK" "$@"
}

# start_tmux COLS ROWS CMD...
start_tmux() {
	local cols=$1 rows=$2
	shift 2
	local conf="$E2E_TMP/tmux.conf" cmd="" w
	for w in "$@"; do
		cmd+="${cmd:+ }$(printf '%q' "$w")"
	done
	if [ "$E2E_TMUX_STARTED" = 1 ]; then
		tmux_kill_server
	fi
	cat >"$conf" <<-'EOF'
		set -g status off
		set -g remain-on-exit on
		set -g default-terminal "tmux-256color"
		set -g history-limit 100
		set -g escape-time 0
	EOF
	infocmp tmux-256color >/dev/null 2>&1 ||
		echo 'set -g default-terminal "screen"' >>"$conf"
	E2E_TMUX_STARTED=1
	# tmux 3.3a does not always learn a dead pane's exit status (seen here:
	# #{pane_dead_status} stayed empty in 3 of 8 runs), so a small shell
	# records it in a file; pane_pid names the command, not that shell.
	# E2E_BARE=1 runs the command as the pane's own process instead, for
	# hangup tests: there the shell, as session leader, leaves the command
	# in an orphaned process group, where LeakSanitizer's exit-time check
	# spun forever in the sanitizer build (seen in 5 of 10 runs).
	rm -f "$E2E_TMP/pane.status"
	E2E_PANE_BARE=${E2E_BARE:-0}
	[ "$E2E_PANE_BARE" = 1 ] || cmd="$cmd; echo \$? >$(printf '%q' "$E2E_TMP/pane.status")"
	tm -f "$conf" new-session -d -s "$E2E_SESSION" -x "$cols" -y "$rows" "$cmd" ||
		fail "could not start tmux"
}

capture() {
	tm capture-pane -p -t "$E2E_SESSION"
}

capture_e() {
	tm capture-pane -p -e -t "$E2E_SESSION"
}

send() {
	tm send-keys -t "$E2E_SESSION" "$@"
}

send_text() {
	tm send-keys -t "$E2E_SESSION" -l "$1"
}

pane_dead() {
	[ "$(tm display-message -p -t "$E2E_SESSION" '#{pane_dead}' 2>/dev/null)" = 1 ]
}

# pane_pid: the pid of the command start_tmux ran (a child of the pane's
# recording shell).
pane_pid() {
	local sh
	sh=$(tm display-message -p -t "$E2E_SESSION" '#{pane_pid}' 2>/dev/null)
	if [ "${E2E_PANE_BARE:-0}" = 1 ]; then
		echo "$sh"
	else
		[ -n "$sh" ] && pgrep -P "$sh" | head -1
	fi
}

# pane_status: the command's exit status, or "signal N" when a signal
# killed it (the shell reports 128+N), as start_tmux's shell recorded it.
pane_status() {
	local st="" f="$E2E_TMP/pane.status"
	for _ in $(seq 25); do
		[ -s "$f" ] && st=$(cat "$f") && break
		sleep 0.2
	done
	if [ -n "$st" ] && [ "$st" -gt 128 ]; then
		echo "signal $((st - 128))"
	else
		echo "$st"
	fi
}

show_screen() {
	echo "----- screen -----" >&2
	capture >&2 2>/dev/null || echo "(no tmux pane)" >&2
	echo "------------------" >&2
	if pane_dead; then
		echo "(the pane's program exited, status $(pane_status))" >&2
	fi
}

# wait_for REGEX [TIMEOUT_SECONDS] [WHAT]
wait_for() {
	local re=$1 timeout=${2:-10} what=${3:-}
	local end=$(( $(date +%s%N) / 1000000 + timeout * 1000 * E2E_TIMEOUT_SCALE ))
	local screen
	while :; do
		screen=$(capture 2>/dev/null)
		if grep -qE -- "$re" <<<"$screen"; then
			return 0
		fi
		if pane_dead; then
			show_screen
			fail "${what:-waiting for /$re/}: the program in the pane exited"
		fi
		if [ $(( $(date +%s%N) / 1000000 )) -ge "$end" ]; then
			show_screen
			fail "${what:-timed out} after ${timeout}s waiting for /$re/ on the screen"
		fi
		sleep 0.2
	done
}

# wait_gone REGEX [TIMEOUT_SECONDS] [WHAT]
wait_gone() {
	local re=$1 timeout=${2:-10} what=${3:-}
	local end=$(( $(date +%s%N) / 1000000 + timeout * 1000 * E2E_TIMEOUT_SCALE ))
	while :; do
		if ! capture 2>/dev/null | grep -qE -- "$re"; then
			return 0
		fi
		if [ $(( $(date +%s%N) / 1000000 )) -ge "$end" ]; then
			show_screen
			fail "${what:-timed out} after ${timeout}s waiting for /$re/ to leave the screen"
		fi
		sleep 0.2
	done
}

# wait_until TIMEOUT CMD...: poll CMD every 0.2 s; returns 1 on timeout.
wait_until() {
	local timeout=$1
	shift
	local end=$(( $(date +%s%N) / 1000000 + timeout * 1000 * E2E_TIMEOUT_SCALE ))
	until "$@"; do
		[ $(( $(date +%s%N) / 1000000 )) -ge "$end" ] && return 1
		sleep 0.2
	done
	return 0
}

# A row starts with its marker (blank, ! alert, + warn, X OOM-killed),
# then the PID right-aligned.
ROW_START='^[ !+X] *'

# The screen line (text) of the table row whose PID column is PID.
row_of() {
	capture | grep -E "$ROW_START$1 " | head -1
}

# 1-based screen line number of PID's row, empty when not shown.
line_of() {
	capture | grep -nE "$ROW_START$1 " | head -1 | cut -d: -f1
}

# start_leaker ARGS...: sets LEAKER_PID.
start_leaker() {
	local n=${#E2E_LEAKERS[@]}
	local out="$E2E_TMP/leaker.$n.$RANDOM.out"
	: >"$out"
	chmod 666 "$out"
	if [ -n "$LEAKER_RUNAS" ]; then
		runuser -u "$LEAKER_RUNAS" -- "$HELPERS/leaker" "$@" >"$out" 2>&1 &
	else
		"$HELPERS/leaker" "$@" >"$out" 2>&1 &
	fi
	local bg=$!
	E2E_PIDS+=" $bg"
	E2E_LEAKERS+=("$bg")
	if ! wait_until 10 grep -q ' ready$' "$out"; then
		cat "$out" >&2
		fail "leaker $* did not print 'ready'"
	fi
	LEAKER_PID=$(awk '/ ready$/ { print $1; exit }' "$out")
	case $LEAKER_PID in
	'' | *[!0-9]*) cat "$out" >&2; fail "could not read the leaker's pid" ;;
	esac
	E2E_LEAKER_OUT[$LEAKER_PID]=$out
	[ "$LEAKER_PID" != "$bg" ] && E2E_PIDS+=" $LEAKER_PID"
	kill -0 "$LEAKER_PID" 2>/dev/null || fail "leaker $LEAKER_PID is not running"
}
E2E_LEAKERS=()
declare -A E2E_LEAKER_OUT=()

# wait_full PID [TIMEOUT]: until leaker PID holds its --max (it prints
# "PID full"); RSS alone cannot tell, as libraries and, in the sanitizer
# build, ASan's own pages count in it.
wait_full() {
	local pid=$1 timeout=${2:-20} out=${E2E_LEAKER_OUT[$1]:-}
	[ -n "$out" ] || fail "wait_full: $pid is not a leaker started by start_leaker"
	wait_until "$timeout" grep -q "^$pid full\$" "$out" ||
		fail "leaker $pid did not reach its --max within ${timeout}s (RSS $(rss_kib "$pid") KiB)"
}

# rss_kib PID: VmRSS of PID in KiB (0 when gone).
rss_kib() {
	local v
	v=$(awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null)
	echo "${v:-0}"
}

# wait_rss PID MIN_KIB [TIMEOUT]: until PID's RSS is at least MIN_KIB.
wait_rss() {
	local pid=$1 min=$2 timeout=${3:-20}
	_rss_ge() { [ "$(rss_kib "$pid")" -ge "$min" ]; }
	wait_until "$timeout" _rss_ge || fail "pid $pid did not reach ${min} KiB RSS (now $(rss_kib "$pid") KiB)"
}

# start_bg CMD...: any other helper process, pid in BG_PID.
start_bg() {
	"$@" &
	BG_PID=$!
	E2E_PIDS+=" $BG_PID"
}

# reverse_map: for each screen line, "LINE REV" where REV is 1 when the
# line's first non-blank character is drawn in reverse video (SGR 7), 0 when
# not, - for a blank line.  tmux's capture -e only emits attribute changes,
# so the SGR state is carried from line to line.
reverse_map() {
	capture_e | awk '
	function apply(params,    a, n, i, v) {
		n = split(params, a, /[;:]/)
		if (n == 0) { rev = 0; return }
		for (i = 1; i <= n; i++) {
			v = a[i] + 0
			if (a[i] == "" || v == 0) rev = 0
			else if (v == 7) rev = 1
			else if (v == 27) rev = 0
			else if (v == 38 || v == 48 || v == 58) {
				if (a[i + 1] + 0 == 5) i += 2
				else if (a[i + 1] + 0 == 2) i += 4
			}
		}
	}
	BEGIN { esc = sprintf("%c", 27); rev = 0 }
	{
		line = $0; found = 0
		while (length(line) > 0) {
			c = substr(line, 1, 1)
			if (c == esc) {
				if (substr(line, 2, 1) == "[") {
					j = 3
					while (j <= length(line) && substr(line, j, 1) ~ /[0-9;:?<=>]/) j++
					fin = substr(line, j, 1)
					if (fin == "m") apply(substr(line, 3, j - 3))
					line = substr(line, j + 1)
				} else {
					line = substr(line, 3)
				}
				continue
			}
			if (c != " " && !found) { found = 1; print NR, rev }
			line = substr(line, 2)
		}
		if (!found) print NR, "-"
	}'
}

# selected_pids: PIDs of the table rows drawn in reverse video (the
# selection, in -C mode).
selected_pids() {
	local scr map
	scr=$(capture)
	map=$(reverse_map)
	awk 'NR == FNR { rev[$1] = $2; next }
	     hdr && $1 ~ /^[0-9]+$/ && rev[FNR] == 1 { print $1 }
	     /^ *PID/ && /Command/ { hdr = 1 }' <(echo "$map") <(echo "$scr")
}

# data_pids: the PIDs of the table rows, top to bottom.
data_pids() {
	capture | awk 'hdr && $1 ~ /^[0-9]+$/ { print $1 }
		       /^ *PID/ && /Command/ { hdr = 1 }'
}

# header_line: the table's column header.
header_line() {
	capture | grep -E '^ *PID.*Command' | head -1
}

# proc_alive PID: running (a zombie counts as gone).
proc_alive() {
	local st
	st=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# expect_exit_on_hangup WHAT PID: close the terminal (kill the tmux server)
# and require PID to exit within 5 s; a survivor is killed and reported.
expect_exit_on_hangup() {
	local what=$1 pid=$2 cpu
	E2E_PIDS+=" $pid"
	tm kill-server >/dev/null 2>&1
	_hup_gone() { ! proc_alive "$pid"; }
	if ! wait_until 5 _hup_gone; then
		cpu=$(ps -o pcpu= -p "$pid" 2>/dev/null)
		kill -KILL "$pid" 2>/dev/null
		fail "$what: leaktop (pid $pid) still running 5 s after its terminal closed (CPU ${cpu:-?}%)"
	fi
}

# wait_row_home PID [TIMEOUT] [WHAT]: press Home (select the first row, so
# the view shows the top of the table) until PID's row is on the screen.
# leaktop's selection follows a process as the table re-sorts, which can
# scroll the top of a busy table out of view.
# With REGEX, until PID's row also matches REGEX (after the pid).
wait_row_home() {
	local pid=$1 timeout=${2:-20} what=${3:-} re=${4:-}
	_row_shown() {
		capture | grep -qE "^ *$pid ${re:+.*$re}" && return 0
		send Home
		sleep 0.3
		capture | grep -qE "^ *$pid ${re:+.*$re}"
	}
	if ! wait_until "$timeout" _row_shown; then
		show_screen
		fail "${what:-timed out} after ${timeout}s waiting for the row of pid $pid${re:+ matching /$re/}"
	fi
}
