#!/bin/bash
# Soak: leaktop (batch JSON and the TUI under tmux, both at 2 ticks a
# second) runs for SOAK_SECONDS while a churner starts and reaps hundreds of
# short-lived processes a second, wrapping PIDs.  A third leaktop watches
# the two with its own slope code.  Reports RSS, open descriptors and CPU of
# both at the start and the end, and fails when RSS or descriptors grow:
# leaktop's own RSS slope over the last half must be under 64 KiB/min and
# descriptors may not rise by more than the host's process count plus 4.
# The default 300 s wraps PIDs (pid_max 32768) at least once here.
#
#   LEAKTOP=build/leaktop SOAK_SECONDS=180 tests/soak/soak.sh
set -u
LEAKTOP=${LEAKTOP:?set LEAKTOP to the leaktop binary}
SECS=${SOAK_SECONDS:-300}
TMP=$(mktemp -d /tmp/leaktop-soak.XXXXXX)
SOCK="leaktop-soak-$$"
PIDS=""
cleanup() {
	tmux -L "$SOCK" kill-server 2>/dev/null
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

# The churner: batches of 50 short-lived processes, as fast as they go.
( while :; do for _ in $(seq 50); do /bin/true & done; wait; done ) &
PIDS+=" $!"

"$LEAKTOP" --batch -d 5 -n 0 --format json >/dev/null 2>"$TMP/batch.err" &
BATCH=$!
PIDS+=" $BATCH"
tmux -L "$SOCK" -f /dev/null new-session -d -s soak -x 200 -y 50 \
	"env TERM=tmux-256color XDG_CONFIG_HOME=$TMP $LEAKTOP -d 5"
sleep 1
TUI=$(tmux -L "$SOCK" display-message -p -t soak '#{pane_pid}')
[ -n "$TUI" ] && kill -0 "$TUI" || { echo "soak: the TUI did not start"; exit 1; }

# The watcher: slope over half the run, from leaktop's own estimator.
WIN=$(( SECS / 2 > 10 ? SECS / 2 : 10 ))
"$LEAKTOP" --batch -d 10 -n 0 --window "${WIN}s" --format json -p "$BATCH,$TUI" \
	>"$TMP/watch.json" 2>/dev/null &
PIDS+=" $!"

figures() {   # PID -> "rss_kib fds cpu_ticks"
	local rss fds cpu
	rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null)
	fds=$(ls "/proc/$1/fd" 2>/dev/null | wc -l)
	cpu=$(awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null)
	echo "${rss:-0} $fds ${cpu:-0}"
}
nprocs() { ls -d /proc/[0-9]* 2>/dev/null | wc -l; }
sleep 10   # warm-up: first PSS wave, descriptors opened
read -r b_rss0 b_fd0 b_cpu0 <<<"$(figures "$BATCH")"
read -r t_rss0 t_fd0 t_cpu0 <<<"$(figures "$TUI")"
n0=$(nprocs)
# Count PID wraps: the newest PID going down.
wraps=0 last=$(awk '{ print $5 }' /proc/loadavg) end=$(( $(date +%s) + SECS ))
while [ "$(date +%s)" -lt "$end" ]; do
	sleep 2
	now=$(awk '{ print $5 }' /proc/loadavg)
	[ "$now" -lt "$last" ] && wraps=$((wraps + 1))
	last=$now
done
read -r b_rss1 b_fd1 b_cpu1 <<<"$(figures "$BATCH")"
read -r t_rss1 t_fd1 t_cpu1 <<<"$(figures "$TUI")"
n1=$(nprocs)
hz=$(getconf CLK_TCK)
slope() { tail -1 "$TMP/watch.json" | jq --argjson p "$1" \
	'.processes[] | select(.pid == $p) | .rss_slope_bytes_per_second // "null"'; }

echo "soak: ${SECS} s after a 10 s warm-up, $(nproc) CPUs, $wraps PID wrap(s) (pid_max $(cat /proc/sys/kernel/pid_max)), $n0 -> $n1 processes"
# Descriptors follow the processes alive (one kept statm each): allow what
# the host's process count grew by, plus 4.
slack=$(( n1 > n0 ? n1 - n0 + 4 : 4 ))
printf '%-6s %10s %10s %6s %6s %9s %22s\n' "" "RSS start" "RSS end" "fds" "fds" "CPU %" "RSS slope (leaktop's)"
fail=0
for w in batch tui; do
	if [ $w = batch ]; then p=$BATCH r0=$b_rss0 r1=$b_rss1 f0=$b_fd0 f1=$b_fd1 c0=$b_cpu0 c1=$b_cpu1
	else p=$TUI r0=$t_rss0 r1=$t_rss1 f0=$t_fd0 f1=$t_fd1 c0=$t_cpu0 c1=$t_cpu1; fi
	s=$(slope "$p")
	cpu=$(awk -v a="$c0" -v b="$c1" -v hz="$hz" -v t="$SECS" 'BEGIN { printf "%.2f", (b - a) / hz / t * 100 }')
	printf '%-6s %8s K %8s K %6s %6s %9s %18s B/s\n' "$w" "$r0" "$r1" "$f0" "$f1" "$cpu" "$s"
	kill -0 "$p" 2>/dev/null || { echo "soak: $w leaktop died"; fail=1; }
	[ "$s" != null ] && awk -v s="$s" 'BEGIN { exit !(s > 65536 / 60) }' &&
		{ echo "soak: $w leaktop's RSS grows ($s B/s)"; fail=1; }
	[ $((f1 - f0)) -le "$slack" ] || { echo "soak: $w leaktop's descriptors grew $f0 -> $f1"; fail=1; }
done
[ -s "$TMP/batch.err" ] && { echo "soak: batch leaktop wrote to stderr:"; head -5 "$TMP/batch.err"; }
echo "soak: $([ $fail = 0 ] && echo flat || echo NOT flat)"
exit $fail
