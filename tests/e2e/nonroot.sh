#!/bin/bash
# End-to-end: leaktop run as an unprivileged user (needs root to set up).
# Other users' PSS is unreadable without root: it must be null (JSON), an
# empty cell (CSV) and n/a (text, TUI) with a reason, never a made-up 0;
# RSS stays readable; the user's own processes keep their PSS.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${E2E_LIB:-$(dirname "$0")/lib.sh}"
e2e_init

[ "$(id -u)" = 0 ] || skip "needs root (creates and switches to the user leaktoptest)"
command -v runuser >/dev/null 2>&1 || skip "runuser is not installed"
command -v jq >/dev/null 2>&1 || skip "jq is not installed"
TU=leaktoptest
if ! id -u "$TU" >/dev/null 2>&1; then
	command -v useradd >/dev/null 2>&1 || skip "useradd is not installed"
	useradd -M -s /bin/sh "$TU" || skip "could not create the user $TU"
fi
TUID=$(id -u "$TU")

# Everything the user runs lives in a directory it can read.
UHOME="$E2E_TMP/home"
mkdir -p "$UHOME/config"
chown -R "$TU" "$UHOME"
cp "$HELPERS/leaker" "$E2E_TMP/leaker"
chmod 755 "$E2E_TMP/leaker"
HELPERS_ORIG=$HELPERS
HELPERS=$E2E_TMP
if ! runuser -u "$TU" -- test -x "$LEAKTOP"; then
	skip "$LEAKTOP is not executable by $TU (a parent directory not searchable?)"
fi

as_user() {
	timeout 60 runuser -u "$TU" -- env HOME="$UHOME" XDG_CONFIG_HOME="$UHOME/config" \
		LANG=C.UTF-8 LC_ALL=C.UTF-8 "$@"
}

out="$E2E_TMP/out" err="$E2E_TMP/err"
dump() {
	echo "----- stdout -----" >&2
	head -c 4000 "$out" >&2
	echo "----- stderr -----" >&2
	head -c 2000 "$err" >&2
}

# A root-owned leaker and one owned by the test user.
start_leaker --rate 32M --max 16M --name "e2erootlk$$"
RLEAK=$LEAKER_PID
LEAKER_RUNAS=$TU start_leaker --rate 32M --max 16M --name "e2euserlk$$"
ULEAK=$LEAKER_PID
LEAKER_RUNAS=
[ "$(stat -c %u "/proc/$ULEAK")" = "$TUID" ] || fail "the user's leaker $ULEAK is not owned by $TU"
wait_full "$RLEAK" 15
wait_full "$ULEAK" 15

# --- json ------------------------------------------------------------------
as_user "$LEAKTOP" --batch -n 1 --format json >"$out" 2>"$err"
rc=$?
[ "$rc" = 0 ] || { dump; fail "leaktop --batch --format json as $TU exited $rc"; }
[ "$(wc -l <"$out")" = 1 ] || { dump; fail "json as $TU: expected one line"; }
jq -e . "$out" >/dev/null 2>&1 || { dump; fail "json as $TU is not valid JSON"; }

proc() { jq -c --argjson p "$1" '.processes[] | select(.pid == $p)' "$out"; }
for p in 1 "$RLEAK"; do
	o=$(proc "$p")
	[ -n "$o" ] || fail "json as $TU: root-owned pid $p is not listed"
	jq -e '.pss_bytes == null' >/dev/null <<<"$o" ||
		fail "json as $TU: root-owned pid $p has pss_bytes $(jq .pss_bytes <<<"$o"), expected null: $o"
	jq -e '(.pss_unavailable_reason | type) == "string" and (.pss_unavailable_reason | length) > 0' \
		>/dev/null <<<"$o" || fail "json as $TU: pid $p lacks a pss_unavailable_reason: $o"
	jq -e '(.rss_bytes | type) == "number" and .rss_bytes > 0' >/dev/null <<<"$o" ||
		fail "json as $TU: root-owned pid $p has no rss_bytes: $o"
	jq -e '.uid == 0 and .user == "root"' >/dev/null <<<"$o" ||
		fail "json as $TU: pid $p is not shown as root's: $o"
done
o=$(proc "$RLEAK")
jq -e '.rss_bytes >= 15 * 1024 * 1024' >/dev/null <<<"$o" ||
	fail "json as $TU: the root leaker's rss_bytes is below 15 MiB: $o"
o=$(proc "$ULEAK")
[ -n "$o" ] || fail "json as $TU: its own leaker $ULEAK is not listed"
jq -e --argjson u "$TUID" --arg n "$TU" '.uid == $u and .user == $n' >/dev/null <<<"$o" ||
	fail "json as $TU: its leaker is not shown as its own: $o"
jq -e '(.pss_bytes | type) == "number" and .pss_bytes >= 15 * 1024 * 1024' >/dev/null <<<"$o" ||
	fail "json as $TU: its own leaker's pss_bytes is not readable (>= 15 MiB): $o"
jq -e 'has("pss_unavailable_reason") | not' >/dev/null <<<"$o" ||
	fail "json as $TU: pss_unavailable_reason present though pss_bytes was read: $o"
# No process anywhere with an unexplained null, and no other user's PSS read.
bad=$(jq -c '.processes[] | select(.pss_bytes == null and
	((.pss_unavailable_reason | type) != "string" or .pss_unavailable_reason == ""))' "$out")
[ -z "$bad" ] || fail "json as $TU: pss_bytes null without a reason: $(head -c 600 <<<"$bad")"
bad=$(jq -c --argjson u "$TUID" '.processes[] | select(.uid != $u and .pss_bytes != null)' "$out")
[ -z "$bad" ] || fail "json as $TU: PSS of another user's process was read (or made up): $(head -c 600 <<<"$bad")"
bad=$(jq -c '.processes[] | select((.rss_bytes | type) != "number")' "$out")
[ -z "$bad" ] || fail "json as $TU: rss_bytes missing: $(head -c 600 <<<"$bad")"

# The kernel log is closed to ordinary users here (dmesg_restrict): OOM
# counts are null with the reason, never a made-up 0.
if [ "$(cat /proc/sys/kernel/dmesg_restrict 2>/dev/null)" = 1 ]; then
	jq -e '.system.oom_kills == null and
	       (.system.oom_kills_unavailable_reason | test("/dev/kmsg"))' "$out" >/dev/null ||
		fail "json as $TU: oom_kills should be null with a /dev/kmsg reason: $(jq -c .system "$out")"
fi

# --maps of a root process: refused with the reason, and what statm tells.
as_user "$LEAKTOP" --maps "$RLEAK" >"$out" 2>"$err" && fail "--maps $RLEAK as $TU succeeded"
grep -q "cannot read /proc/$RLEAK/smaps: Permission denied (another user's process: run as root)" "$err" ||
	{ dump; fail "--maps as $TU: no permission message"; }
grep -qE "statm of $RLEAK: size [0-9.]+[KMGTP]?, resident [0-9.]+[KMGTP]?" "$err" ||
	{ dump; fail "--maps as $TU: no statm figures for the unreadable process"; }
as_user "$LEAKTOP" --maps "$ULEAK" --format json >"$out" 2>"$err" ||
	{ dump; fail "--maps of its own process as $TU failed"; }
jq -e '.totals.rss > 15 * 1048576' "$out" >/dev/null || { dump; fail "--maps as $TU: its own leaker's totals"; }

# --- csv: an empty cell, not 0 -----------------------------------------------
as_user "$LEAKTOP" --batch -n 1 --format csv --pid "$RLEAK,$ULEAK" >"$out" 2>"$err"
rc=$?
[ "$rc" = 0 ] || { dump; fail "csv as $TU exited $rc"; }
row=$(awk -F, -v p="$RLEAK" '$2 == p' "$out")
[ -n "$row" ] || { dump; fail "csv as $TU: no row for the root leaker $RLEAK"; }
[ "$(awk -F, '{ print $8 }' <<<"$row")" = "" ] ||
	fail "csv as $TU: root leaker's pss_bytes cell is not empty: $row"
[[ $(awk -F, '{ print $7 }' <<<"$row") =~ ^[0-9]+$ ]] ||
	fail "csv as $TU: root leaker's rss_bytes cell is not a number: $row"
row=$(awk -F, -v p="$ULEAK" '$2 == p' "$out")
[[ $(awk -F, '{ print $8 }' <<<"$row") =~ ^[0-9]+$ ]] ||
	fail "csv as $TU: its own leaker's pss_bytes cell is not a number: $row"

# --- text: n/a -------------------------------------------------------------
as_user "$LEAKTOP" --batch -n 1 --pid "$RLEAK,$ULEAK" >"$out" 2>"$err"
rc=$?
[ "$rc" = 0 ] || { dump; fail "text as $TU exited $rc"; }
read -r _ _ _ pss _ < <(grep -E "^ *$RLEAK " "$out")
[ "$pss" = n/a ] || { dump; fail "text as $TU: root leaker's PSS is '$pss', expected n/a"; }
read -r _ _ _ pss _ < <(grep -E "^ *$ULEAK " "$out")
[[ $pss =~ ^[0-9.]+[KMG]$ ]] || { dump; fail "text as $TU: its own leaker's PSS is '$pss'"; }

# --- TUI as the user ---------------------------------------------------------
need_tmux
# tui_as_user COLS ROWS ARGS...: leaktop as the user in tmux, through a
# shell that records runuser's exit status in $E2E_TMP/status (tmux itself
# does not always learn a runuser pane's status).
tui_as_user() {
	local cols=$1 rows=$2
	shift 2
	rm -f "$E2E_TMP/status"
	start_tmux "$cols" "$rows" sh -c '"$@"; echo $? >"$0"' "$E2E_TMP/status" \
		runuser -u "$TU" -- env HOME="$UHOME" \
		XDG_CONFIG_HOME="$UHOME/config" LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=tmux-256color \
		"$LEAKTOP" -d 5 "$@"
}

# user_exit WHAT: wait for leaktop (as the user) to exit, require status 0.
user_exit() {
	local what=$1 st
	_st_ready() { [ -s "$E2E_TMP/status" ]; }
	wait_until 10 _st_ready || { show_screen; fail "$what: leaktop did not quit"; }
	st=$(cat "$E2E_TMP/status")
	[ "$st" = 0 ] || { show_screen; fail "$what: leaktop exited with status $st"; }
}

tui_as_user 120 30 -p "1,$RLEAK,$ULEAK"
wait_for "^ *$RLEAK " 20 "TUI as $TU: root leaker row"
wait_for "^ *$ULEAK " 10 "TUI as $TU: own leaker row"
wait_for '^F1Help' 5 "TUI as $TU: function-key bar"
wait_for "^ *$RLEAK +root +[^ ]+ +n/a " 10 "TUI as $TU: n/a in the PSS column of the root leaker"
wait_for "^ *1 +root +[^ ]+ +n/a " 10 "TUI as $TU: n/a in the PSS column of pid 1"
wait_for "^ *$ULEAK +${TU:0:6}[^ ]* +[0-9.]+[KMG] +[0-9.]+[KMG] " 10 "TUI as $TU: a PSS size for its own leaker"
# Sorting on columns full of n/a, the sort list, help: no crash.
for k in P W G I M I '>' '<' F6 Enter; do
	send "$k"
	sleep 0.2
	[ -e "$E2E_TMP/status" ] && { show_screen; fail "TUI as $TU: leaktop exited after key $k"; }
done
send P
wait_for '^ *PID.*Command' 5 "TUI as $TU: header after sorting by PSS"
wait_for "^ *$RLEAK " 5 "TUI as $TU: root leaker row sorted by PSS"
send F1
wait_for 'leaktop help' 5 "TUI as $TU: help"
send Escape
wait_gone 'leaktop help' 5 "TUI as $TU: help closed"
# The mappings view of the root leaker: why it cannot be read, and statm.
send /
send_text "e2erootlk"
send Enter
send Enter
wait_for "^PID $RLEAK " 10 "TUI as $TU: mappings view of the root leaker"
wait_for "smaps of PID $RLEAK cannot be read: Permission denied \\(another user's process" 5 \
	"TUI as $TU: the reason smaps is closed"
wait_for "^From statm: size [0-9.]+[KMGTP]?, resident [0-9.]+[KMGTP]?" 5 "TUI as $TU: statm figures instead"
send Escape
wait_for "^ *$ULEAK " 5 "TUI as $TU: back to the table"
send q
user_exit "TUI as $TU, q"

# The whole process list as the user, sorted by PSS (mostly n/a).
tui_as_user 200 50 --sort-key pss
wait_for '^F1Help' 15 "TUI as $TU (all processes): function-key bar"
wait_for ' n/a ' 10 "TUI as $TU (all processes): n/a for other users' PSS"
for k in End Home PPage NPage Down Up I W; do
	send "$k"
	sleep 0.2
	[ -e "$E2E_TMP/status" ] && { show_screen; fail "TUI as $TU (all processes): leaktop exited after key $k"; }
done
wait_for '^ *PID.*Command' 5 "TUI as $TU (all processes): header"
send F10
user_exit "TUI as $TU (all processes), F10"

# Closing the terminal ends leaktop even when it is not the session leader
# (runuser is) and so gets no SIGHUP: it must notice the hangup on its input.
E2E_BARE=1 start_tmux 100 30 runuser -u "$TU" -- env HOME="$UHOME" \
	XDG_CONFIG_HOME="$UHOME/config" LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=tmux-256color \
	"$LEAKTOP" -d 5 -p "$ULEAK"
wait_for "^ *$ULEAK " 15 "TUI as $TU: own leaker row (hangup check)"
rpid=$(pane_pid)
lpid=$(pgrep -P "$rpid" | head -1)
[ -n "$lpid" ] || fail "could not find leaktop under runuser (pid $rpid)"
expect_exit_on_hangup "TUI as $TU under runuser, terminal closed" "$lpid"

HELPERS=$HELPERS_ORIG
echo "PASS: nonroot"
exit 0
