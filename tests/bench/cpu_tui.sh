#!/bin/sh
# cpu_tui.sh - CPU share of the real full-screen leaktop at 1 Hz, with N idle
# processes on the host, next to htop measured the same way in the same run.
#
#   tests/bench/cpu_tui.sh [-n N] [-d SECONDS]
#
# N (default 2000) sleepers are started with the sleepers helper; leaktop
# ($LEAKTOP, default ./leaktop) runs in a detached 200x50 tmux session with
# -d 10 (one refresh a second).  After a warm-up ($WARMUP, default 5 s) its
# utime+stime from /proc/PID/stat are read, again SECONDS (default 60) later;
# the difference over the elapsed time is its average share of one core.
# If htop is installed, `htop -d 10` is measured the same way, and the ratio
# leaktop/htop printed.  Settings of both go to a temporary XDG_CONFIG_HOME.
# The environment variables N, D, WARMUP, LEAKTOP, HELPERS (directory of
# the sleepers helper) and HTOP (path, or "none" to skip) are honoured too;
# options win.  -r and -i (bench_tick's) are accepted and ignored, so that
# `make bench BENCH_ARGS=...` can hand both programs the same arguments.
#
# Exits non-zero when a figure could not be measured, never because it is
# high.  See tests/bench/README.md.

set -u

N=${N:-2000}
D=${D:-60}
WARMUP=${WARMUP:-5}
LEAKTOP=${LEAKTOP:-./leaktop}
HTOP=${HTOP:-}

usage() {
	echo "usage: cpu_tui.sh [-n PROCESSES] [-d SECONDS]" >&2
	exit 2
}

while getopts n:d:r:i: opt; do
	case $opt in
	n) N=$OPTARG ;;
	d) D=$OPTARG ;;
	r | i) ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || usage
case $N$D$WARMUP in *[!0-9]*) usage ;; esac

die() {
	echo "cpu_tui: $*" >&2
	exit 1
}

command -v tmux >/dev/null 2>&1 || die "tmux is not installed"
[ -x "$LEAKTOP" ] || die "no leaktop at $LEAKTOP (build it, or set LEAKTOP)"
case $LEAKTOP in /*) ;; *) LEAKTOP=$(pwd)/$LEAKTOP ;; esac
if [ -z "$HTOP" ]; then
	HTOP=$(command -v htop 2>/dev/null || echo none)
fi

HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/cpu_tui.XXXXXX") || die "mktemp failed"
SOCK=$TMP/tmux.sock
SLEEPERS_PID=
FIFO_OPEN=

# shellcheck disable=SC2317  # called by the trap
cleanup() {
	tmux -S "$SOCK" kill-server >/dev/null 2>&1
	if [ -n "$FIFO_OPEN" ]; then
		exec 3>&-      # end of file on its stdin: sleepers kills its children
		FIFO_OPEN=
	fi
	if [ -n "$SLEEPERS_PID" ]; then
		kill "$SLEEPERS_PID" 2>/dev/null
		wait "$SLEEPERS_PID" 2>/dev/null
		SLEEPERS_PID=
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# --- the sleepers helper ------------------------------------------------
SLEEPERS=
for cand in ${HELPERS:+"$HELPERS/sleepers"} ./tests/helpers/sleepers \
	"$HERE/../helpers/sleepers"; do
	if [ -x "$cand" ]; then
		SLEEPERS=$cand
		break
	fi
done
if [ -z "$SLEEPERS" ]; then
	# `make bench` does not build check programs: build it here.
	src=$HERE/../helpers/sleepers.c
	[ -f "$src" ] || die "no sleepers helper (set HELPERS)"
	${CC:-cc} -std=c11 -O2 -o "$TMP/sleepers" "$src" ||
		die "could not build $src"
	SLEEPERS=$TMP/sleepers
fi

mkfifo "$TMP/in" || die "mkfifo failed"
"$SLEEPERS" "$N" <"$TMP/in" >"$TMP/sleepers.out" &
SLEEPERS_PID=$!
exec 3>"$TMP/in"
FIFO_OPEN=1
i=0
until grep -qx ready "$TMP/sleepers.out" 2>/dev/null; do
	kill -0 "$SLEEPERS_PID" 2>/dev/null || die "sleepers exited early"
	i=$((i + 1))
	[ $i -le 1200 ] || die "sleepers not ready after 120 s"
	sleep 0.1
done
NPROCS=$(find /proc -mindepth 1 -maxdepth 1 -name '[1-9]*' | wc -l)

HZ=$(getconf CLK_TCK 2>/dev/null || echo 100)

# utime+stime (clock ticks) and start time of PID: "TICKS START".
cpu_ticks() {
	# comm may hold spaces and parentheses: cut after the last ")".
	sed 's/.*) //' "/proc/$1/stat" 2>/dev/null |
		awk '{ print $12 + $13, $20 }'
}

# Monotonic-enough seconds since boot.
uptime_s() {
	cut -d' ' -f1 /proc/uptime
}

# measure NAME COMMAND... : prints the average % of one core.
measure() {
	name=$1
	shift
	mkdir -p "$TMP/config-$name"
	tmux -S "$SOCK" -f /dev/null new-session -d -s "$name" -x 200 -y 50 \
		env XDG_CONFIG_HOME="$TMP/config-$name" "$@" ||
		{ echo "cpu_tui: tmux could not start $name" >&2; return 1; }
	pid=$(tmux -S "$SOCK" list-panes -t "$name" -F '#{pane_pid}')
	sleep "$WARMUP"
	comm=$(cat "/proc/$pid/comm" 2>/dev/null)
	if [ -z "$comm" ]; then
		echo "cpu_tui: $name exited during the warm-up:" >&2
		tmux -S "$SOCK" capture-pane -p -t "$name" 2>/dev/null | head -5 >&2
		return 1
	fi
	s=$(cpu_ticks "$pid")
	t0=${s% *} start0=${s#* }
	u0=$(uptime_s)
	sleep "$D"
	s=$(cpu_ticks "$pid")
	t1=${s% *} start1=${s#* }
	u1=$(uptime_s)
	if [ -z "$t1" ] || [ "$start1" != "$start0" ]; then
		echo "cpu_tui: $name exited during the measurement" >&2
		return 1
	fi
	tmux -S "$SOCK" capture-pane -p -t "$name" >"$TMP/screen-$name.txt"
	if ! grep -q '[^[:space:]]' "$TMP/screen-$name.txt"; then
		echo "cpu_tui: $name drew nothing" >&2
		return 1
	fi
	tmux -S "$SOCK" kill-session -t "$name" >/dev/null 2>&1
	awk -v t0="$t0" -v t1="$t1" -v u0="$u0" -v u1="$u1" -v hz="$HZ" \
		'BEGIN { printf "%.2f %d %.1f\n",
		         (t1 - t0) / hz / (u1 - u0) * 100, t1 - t0, u1 - u0 }'
}

echo "cpu_tui: $N sleepers, $NPROCS processes on the host, ${D} s after" \
	"${WARMUP} s warm-up, refresh every second, 200x50 tmux"

status=0
if L=$(measure leaktop "$LEAKTOP" -d 10); then
	read -r LPCT ticks secs <<EOF
$L
EOF
	printf '%-8s %6s %% of one core  (%s ticks of CPU in %s s)  %s -d 10\n' \
		leaktop "$LPCT" "$ticks" "$secs" "$LEAKTOP"
else
	LPCT=
	status=1
fi

if [ "$HTOP" = none ] || [ ! -x "$HTOP" ]; then
	echo "htop     not installed: no comparison"
elif H=$(measure htop "$HTOP" -d 10); then
	read -r HPCT ticks secs <<EOF
$H
EOF
	printf '%-8s %6s %% of one core  (%s ticks of CPU in %s s)  %s -d 10\n' \
		htop "$HPCT" "$ticks" "$secs" "$HTOP"
	if [ -n "$LPCT" ]; then
		awk -v l="$LPCT" -v h="$HPCT" 'BEGIN {
			if (h > 0) printf "ratio leaktop/htop: %.2f\n", l / h
			else print "ratio leaktop/htop: - (htop used no measurable CPU)"
		}'
	fi
else
	status=1
fi
exit $status
