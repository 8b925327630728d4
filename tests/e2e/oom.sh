#!/bin/bash
# End-to-end: a real OOM kill.  A leaker in a memory cgroup limited to
# 64 MiB grows 4 MiB/s until the kernel kills it.  Before: leaktop flags it
# and its time to limit comes from the cgroup.  After: the header counts the
# kill, the row stays marked X until dismissed, and O lists the kill with
# its cgroup; batch JSON counts it.  Needs root, /dev/kmsg and a memory
# cgroup (v2 or v1): skipped otherwise.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${E2E_LIB:-$(dirname "$0")/lib.sh}"
e2e_init
need_tmux

[ "$(id -u)" = 0 ] || skip "needs root to create a memory cgroup"
[ -r /dev/kmsg ] || skip "/dev/kmsg is not readable"

CGNAME="leaktop-e2e-$$"
CG=""
if grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
	echo +memory >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null
	mkdir "/sys/fs/cgroup/$CGNAME" 2>/dev/null &&
		echo $((64 << 20)) >"/sys/fs/cgroup/$CGNAME/memory.max" &&
		echo 0 >"/sys/fs/cgroup/$CGNAME/memory.swap.max" 2>/dev/null
	[ -f "/sys/fs/cgroup/$CGNAME/memory.max" ] && CG="/sys/fs/cgroup/$CGNAME"
fi
if [ -z "$CG" ] && [ -d /sys/fs/cgroup/memory ]; then
	mkdir "/sys/fs/cgroup/memory/$CGNAME" 2>/dev/null &&
		echo $((64 << 20)) >"/sys/fs/cgroup/memory/$CGNAME/memory.limit_in_bytes" &&
		CG="/sys/fs/cgroup/memory/$CGNAME"
fi
[ -n "$CG" ] || skip "no memory cgroup could be created (v2 memory controller or v1 memory hierarchy)"
# The victim leaves the cgroup only once reaped: retry for a while.
remove_cg() { wait_until 10 rmdir "$CG" 2>/dev/null; }
trap 'e2e_cleanup; remove_cg' EXIT

NAME="e2eoom$$"
NAME=${NAME:0:15}
vout="$E2E_TMP/victim.out"
# In a subshell, so bash does not report the kill as a job's death.
(bash -c 'echo $$ >"$1/cgroup.procs" && exec "$2" --rate 4M --name "$3"' _ \
	"$CG" "$HELPERS/leaker" "$NAME" >"$vout" 2>&1 &)
wait_until 10 grep -q ' ready$' "$vout" || fail "the victim did not start: $(cat "$vout")"
VICTIM=$(awk '/ ready$/ { print $1; exit }' "$vout")
E2E_PIDS+=" $VICTIM"
grep -q "$CGNAME" "/proc/$VICTIM/cgroup" || fail "the victim $VICTIM is not in $CG"
start_bg sleep 600
SLP=$BG_PID

start_tmux 132 30 "$LEAKTOP" -d 5 --window 10s -p "$VICTIM,$SLP"
# Flagged, with the time to the cgroup's limit (a few seconds at 4 MiB/s).
wait_for "^! *$VICTIM .* ~[0-9]+s " 20 "the victim flagged, with a TTL in seconds"
wait_for "^PID $VICTIM $NAME: RSS .*limit in ~[0-9]+s \\(cgroup [0-9.]+M/64M\\)" 10 \
	"detail line: TTL from the cgroup's 64M limit"

# Killed: its row stays, marked X; the header counts the kill.
wait_for "^X *$VICTIM " 40 "the victim's row marked X after the OOM kill"
proc_alive "$VICTIM" && fail "the victim $VICTIM is still alive"
wait_for "OOM [1-9][0-9]*( |$)" 5 "header: the OOM kill counted since start"
send Home
wait_for "^PID $VICTIM $NAME: OOM-killed at [0-9:]{8}" 5 "detail line of the killed row"
send O
wait_for "^OOM kills: [1-9][0-9]* since leaktop started" 5 "O: the OOM list"
capture | grep -E " $VICTIM .*$NAME +/$CGNAME" >/dev/null ||
	{ show_screen; fail "O: no line with pid $VICTIM, $NAME and cgroup /$CGNAME"; }
send Escape
wait_for "^X *$VICTIM " 5 "back to the table"
# x on the killed row dismisses it; the sleep stays.
send Home
send x
wait_gone "^X *$VICTIM " 5 "x: the killed row should go"
row_of "$SLP" | grep -q . || { show_screen; fail "x removed more than the killed row"; }
send q
wait_until 10 pane_dead || { show_screen; fail "q did not quit"; }

# Batch JSON sees the kill in the kernel log (logged before this run).
out="$E2E_TMP/oom.json"
"$LEAKTOP" --batch -n 1 --format json -p "$SLP" >"$out" || fail "batch json exited $?"
jq -e '.system.oom_kills >= 1 and .system.oom_kills_since_start == 0' "$out" >/dev/null ||
	fail "json: system.oom_kills should count the kill, since_start 0: $(jq -c .system "$out")"

echo "PASS: oom"
