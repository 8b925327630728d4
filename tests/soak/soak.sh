#!/bin/bash
# Soak: three leaktops run for SOAK_SECONDS while the host churns PIDs:
# batch JSON and the TUI under tmux (both at 2 ticks a second) and a
# recorder (a record a second, rotating at SOAK_RECORD_MAX).  A fourth
# leaktop watches them with its own slope code.
#
# The churn: batches of 50 /bin/true four times a second, forker
# (tests/helpers) using up to SOAK_FORK_RATE PIDs a second (default 1000;
# on the 2-core VM, with all the rest, about 350 PIDs a second were used
# in all: a wrap every 90 s at pid_max 32768), and pidswap, whose
# 100 processes are replaced 20 times a second by new ones at the same
# PIDs (as root): the case where history could be attached to the wrong
# process.
#
# Checks: none of the three dies; leaktop's own RSS slope over the last
# half is under 64 KiB/min; its CPU in the second half is at most 1.5
# times the first's plus 0.5 % of a core; open descriptors rise by no
# more than the host's process count did (at the start's descriptors per
# process) plus 8; every snapshot the TUI writes (one
# every SOAK_SNAPSHOT_EVERY seconds, `s`) and one from a replay of the
# recording pass reuse.jq (no history begins before its process); the
# recording replays without damage.
#
#   LEAKTOP=build/leaktop SOAK_SECONDS=180 tests/soak/soak.sh
set -u
LEAKTOP=${LEAKTOP:?set LEAKTOP to the leaktop binary}
HELPERS=${HELPERS:?set HELPERS to the directory of the built test helpers}
SECS=${SOAK_SECONDS:-300}
EVERY=${SOAK_SNAPSHOT_EVERY:-20}
RECORD_MAX=${SOAK_RECORD_MAX:-4M}
HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d /tmp/leaktop-soak.XXXXXX)
SOCK="leaktop-soak-$$"
PIDS=""
fail=0
cleanup() {
	tmux -L "$SOCK" kill-server 2>/dev/null
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	if [ "$fail" = 0 ]; then
		rm -rf "$TMP"
	else
		echo "soak: snapshots, recording and logs kept in $TMP"
	fi
}
trap cleanup EXIT
for tool in jq tmux gzip; do
	command -v $tool >/dev/null || { echo "soak: needs $tool"; exit 1; }
done
PID_MAX=$(cat /proc/sys/kernel/pid_max)
last_pid() { local a; read -r _ _ _ _ a </proc/loadavg; echo "$a"; }

# The churn: short-lived programs (exec'd, so each has a name and command
# line to read), and forker using up PIDs so that they wrap.
( while :; do for _ in $(seq 50); do /bin/true & done; wait; sleep 0.25; done ) &
PIDS+=" $!"
"$HELPERS/forker" "${SOAK_FORK_RATE:-1000}" &
PIDS+=" $!"
# PIDs that change hands at once: 100 processes, one a 50 ms replaced by
# a new process at its PID (so each lives 5 s, 10 ticks).
touch "$TMP/swapped.log"
"$HELPERS/pidswap" 100 50 "$TMP/swapped.log" >"$TMP/pidswap.out" 2>&1 &
SWAP=$!
PIDS+=" $SWAP"

"$LEAKTOP" --batch -d 5 -n 0 --format json >/dev/null 2>"$TMP/batch.err" &
BATCH=$!
PIDS+=" $BATCH"
"$LEAKTOP" --record "$TMP/soak.rec" --interval 1s --max-size "$RECORD_MAX" \
	2>"$TMP/record.err" &
REC=$!
PIDS+=" $REC"
mkdir -p "$TMP/snaps"
tmux -L "$SOCK" -f /dev/null new-session -d -s soak -x 200 -y 50 -c "$TMP/snaps" \
	"env TERM=tmux-256color XDG_CONFIG_HOME=$TMP $LEAKTOP -d 5"
sleep 1
TUI=$(tmux -L "$SOCK" display-message -p -t soak '#{pane_pid}')
[ -n "$TUI" ] && kill -0 "$TUI" || { echo "soak: the TUI did not start"; exit 1; }

# The watcher: slope over half the run, from leaktop's own estimator.
WIN=$(( SECS / 2 > 10 ? SECS / 2 : 10 ))
"$LEAKTOP" --batch -d 10 -n 0 --window "${WIN}s" --format json -p "$BATCH,$TUI,$REC" \
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
declare -A P R0 F0 C0
P=([batch]=$BATCH [tui]=$TUI [record]=$REC)
for w in batch tui record; do read -r R0[$w] F0[$w] C0[$w] <<<"$(figures "${P[$w]}")"; done
n0=$(nprocs)
# Count PID wraps (the newest PID going down) and snapshot now and then.
wraps=0 used=0 last=$(last_pid) start=$(date +%s)
end=$(( start + SECS )) next_snap=$(( start + EVERY )) mid=$(( start + SECS / 2 ))
declare -A CM   # CPU ticks at half time
while [ "$(date +%s)" -lt "$end" ]; do
	sleep 2
	now=$(last_pid)
	d=$(( now - last ))
	[ "$d" -lt 0 ] && { wraps=$((wraps + 1)); d=$(( d + PID_MAX - 300 )); }
	used=$(( used + d )) last=$now
	if [ "$(date +%s)" -ge "$next_snap" ]; then
		tmux -L "$SOCK" send-keys -t soak s
		next_snap=$(( next_snap + EVERY ))
	fi
	if [ -z "${CM[batch]:-}" ] && [ "$(date +%s)" -ge "$mid" ]; then
		for w in batch tui record; do read -r _ _ CM[$w] <<<"$(figures "${P[$w]}")"; done
	fi
done
declare -A R1 F1 C1
for w in batch tui record; do read -r R1[$w] F1[$w] C1[$w] <<<"$(figures "${P[$w]}")"; done
n1=$(nprocs)
tmux -L "$SOCK" send-keys -t soak s
sleep 2
hz=$(getconf CLK_TCK)
slope() { tail -1 "$TMP/watch.json" | jq --argjson p "$1" \
	'.processes[] | select(.pid == $p) | .rss_slope_bytes_per_second // "null"'; }

echo "soak: ${SECS} s after a 10 s warm-up, $(nproc) CPUs, $wraps PID wrap(s) (pid_max $PID_MAX, about $((used / SECS)) new PIDs a second), $n0 -> $n1 processes"
printf '%-7s %10s %10s %6s %6s %14s %22s\n' "" "RSS start" "RSS end" "fds" "fds" "CPU % (halves)" "RSS slope (leaktop's)"
for w in batch tui record; do
	p=${P[$w]}
	s=$(slope "$p")
	# CPU, % of a core, in each half of the run.
	read -r cpu1 cpu2 <<<"$(awk -v a="${C0[$w]}" -v m="${CM[$w]}" -v b="${C1[$w]}" \
		-v hz="$hz" -v t="$SECS" 'BEGIN { h = t / 2 * hz / 100
		printf "%.2f %.2f", (m - a) / h, (b - m) / h }')"
	printf '%-7s %8s K %8s K %6s %6s %6s %6s %18s B/s\n' "$w" "${R0[$w]}" "${R1[$w]}" \
		"${F0[$w]}" "${F1[$w]}" "$cpu1" "$cpu2" "$s"
	# CPU stays flat: the second half costs at most 1.5 times the first,
	# plus half a percent of a core (tick jitter on a busy host).
	awk -v a="$cpu1" -v b="$cpu2" 'BEGIN { exit !(b > a * 1.5 + 0.5) }' &&
		{ echo "soak: $w leaktop's CPU grows ($cpu1 -> $cpu2 % of a core)"; fail=1; }
	kill -0 "$p" 2>/dev/null || { echo "soak: $w leaktop died"; fail=1; }
	[ "$s" != null ] && awk -v s="$s" 'BEGIN { exit !(s > 65536 / 60) }' &&
		{ echo "soak: $w leaktop's RSS grows ($s B/s)"; fail=1; }
	# Descriptors follow the processes alive (statm kept open for each,
	# some more): allow as many more as the host's process count grew by,
	# at the start's descriptors per process, plus 8.
	slack=$(( n1 > n0 ? (n1 - n0) * F0[$w] / n0 + 8 : 8 ))
	[ $((F1[$w] - F0[$w])) -le "$slack" ] ||
		{ echo "soak: $w leaktop's descriptors grew ${F0[$w]} -> ${F1[$w]}"; fail=1; }
done
# The recorder says where it records, once; anything else is news.
for w in batch record; do
	grep -v '^leaktop: recording to ' "$TMP/$w.err" >"$TMP/$w.news"
	[ -s "$TMP/$w.news" ] && { echo "soak: $w leaktop wrote to stderr:"; head -5 "$TMP/$w.news"; }
done

# The recording: stop the recorder, replay it whole in batch (no damage
# may be reported) and snapshot its end from the TUI.
kill -TERM "$REC"; wait "$REC" 2>/dev/null
rec_files=$(ls "$TMP"/soak.rec* | wc -l)
rec_bytes=$(cat "$TMP"/soak.rec* | wc -c)
records=$("$LEAKTOP" --replay "$TMP/soak.rec" --batch --format csv 2>"$TMP/replay.err" |
	cut -d, -f1 | sort -u | wc -l)
echo "soak: recording: $rec_files file(s), $rec_bytes bytes, $((records - 1)) records replayed"
[ -s "$TMP/replay.err" ] && { echo "soak: replaying the recording said:"; head -5 "$TMP/replay.err"; fail=1; }
mkdir -p "$TMP/replay"
tmux -L "$SOCK" new-window -t soak -c "$TMP/replay" \
	"env TERM=tmux-256color XDG_CONFIG_HOME=$TMP $LEAKTOP --replay $TMP/soak.rec"
for _ in $(seq 50); do
	tmux -L "$SOCK" capture-pane -p -t soak | grep -q 'Replay' && break
	sleep 0.2
done
tmux -L "$SOCK" send-keys -t soak s
for _ in $(seq 50); do ls "$TMP"/replay/*.json.gz >/dev/null 2>&1 && break; sleep 0.2; done

# PID reuse: every snapshot, live and replayed, against pidswap's log.
kill -TERM "$SWAP"; wait "$SWAP" 2>/dev/null
swaps=$(wc -l <"$TMP/swapped.log")
# As a JSON object in a file: an hour's swaps are too many for argv.
awk '{ t[$1] = t[$1] (t[$1] == "" ? "" : ",") $2 }
	END { printf "{"; for (p in t) printf "%s\"%s\":[%s]", (n++ ? "," : ""), p, t[p]; printf "}" }' \
	"$TMP/swapped.log" >"$TMP/swapped.json"
nsnap=0 checked=0 reused=0
for f in "$TMP"/snaps/*.json.gz "$TMP"/replay/*.json.gz; do
	[ -f "$f" ] || continue
	r=$(gzip -dc "$f" | jq -c --argjson hz "$hz" --slurpfile swapped "$TMP/swapped.json" \
		-f "$HERE/reuse.jq") ||
		{ echo "soak: cannot read $f"; fail=1; continue; }
	nsnap=$((nsnap + 1))
	checked=$((checked + $(jq .checked <<<"$r")))
	reused=$((reused + $(jq .reused <<<"$r")))
	if [ "$(jq '.wrong | length' <<<"$r")" != 0 ]; then
		echo "soak: history older than its process in ${f##*/}:"
		jq -c '.wrong[:5][]' <<<"$r"
		fail=1
	fi
done
ls "$TMP"/replay/*.json.gz >/dev/null 2>&1 ||
	{ echo "soak: the replay of the recording wrote no snapshot"; fail=1; }
echo "soak: $swaps PIDs passed to a new process at once; $nsnap snapshots, $checked process histories checked against their start times, $reused of them at a swapped PID"
[ -s "$TMP/pidswap.out" ] && grep -v 'ready\|swaps' "$TMP/pidswap.out" | head -3
[ "$nsnap" -ge 2 ] || { echo "soak: too few snapshots"; fail=1; }
if [ "$(id -u)" = 0 ] && [ "$reused" = 0 ]; then
	echo "soak: no snapshot held a process at a swapped PID"; fail=1
fi
echo "soak: $([ $fail = 0 ] && echo flat || echo NOT flat)"
exit $fail
