#!/bin/bash
# record_cost.sh - what `leaktop --record` costs: CPU and disk per hour of
# recording at the default 10 s interval with N processes on the host,
# against plain sampling (`--batch --format json` to /dev/null, the same
# live source at the same interval) measured in the same run.
#
#   tests/bench/record_cost.sh [-n N] [-r RECORDS]
#
# N (default 2000) sleepers are started; each run takes RECORDS (default
# 30) ticks at 1 s (the per-record cost does not depend on the interval;
# fdatasync is included).  Per hour = per record x 360.  CPU is the
# children's user+system time as bash's `times` reports it.
# Exits non-zero when a figure could not be measured, never because it is
# high.  See tests/bench/README.md.
set -u
N=2000 RECS=30
while getopts n:r:d:i: opt; do
	case $opt in
	n) N=$OPTARG ;;
	r) RECS=$OPTARG ;;
	d | i) ;;      # other benchmarks' options, from BENCH_ARGS
	*) echo "usage: record_cost.sh [-n PROCESSES] [-r RECORDS]" >&2; exit 2 ;;
	esac
done
LEAKTOP=${LEAKTOP:-./leaktop}
case $LEAKTOP in /*) ;; *) LEAKTOP=$(pwd)/$LEAKTOP ;; esac
[ -x "$LEAKTOP" ] || { echo "record_cost: no leaktop at $LEAKTOP" >&2; exit 1; }
HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/record_cost.XXXXXX") || exit 1
SLEEPERS_PID=
cleanup() {
	exec 3>&- 2>/dev/null
	[ -n "$SLEEPERS_PID" ] && { kill "$SLEEPERS_PID" 2>/dev/null; wait "$SLEEPERS_PID" 2>/dev/null; }
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT

SLEEPERS=${HELPERS:+$HELPERS/sleepers}
if [ ! -x "${SLEEPERS:-}" ]; then
	${CC:-cc} -std=c11 -O2 -o "$TMP/sleepers" "$HERE/../helpers/sleepers.c" ||
		{ echo "record_cost: cannot build the sleepers helper" >&2; exit 1; }
	SLEEPERS=$TMP/sleepers
fi
mkfifo "$TMP/in"
"$SLEEPERS" "$N" <"$TMP/in" >"$TMP/sleepers.out" &
SLEEPERS_PID=$!
exec 3>"$TMP/in"
for _ in $(seq 1200); do grep -qx ready "$TMP/sleepers.out" 2>/dev/null && break; sleep 0.1; done
grep -qx ready "$TMP/sleepers.out" || { echo "record_cost: sleepers not ready" >&2; exit 1; }
NPROCS=$(find /proc -mindepth 1 -maxdepth 1 -name '[1-9]*' | wc -l)

# cpu CMD...: runs CMD in a subshell and prints its user+system seconds.
cpu() {
	( "$@"; times ) 2>/dev/null | tail -1 |
		awk '{ split($1, u, /[ms]/); split($2, s, /[ms]/); printf "%.3f\n", u[1] * 60 + u[2] + s[1] * 60 + s[2] }'
}
XDG_CONFIG_HOME=$TMP export XDG_CONFIG_HOME
base=$(cpu sh -c "'$LEAKTOP' --batch --format json -d 10 -n $RECS >/dev/null")
rec=$(cpu "$LEAKTOP" --record "$TMP/r.rec" --interval 1 -n "$RECS")
bytes=$(stat -c %s "$TMP/r.rec")
[ -n "$base" ] && [ -n "$rec" ] && [ "$bytes" -gt 0 ] || { echo "record_cost: no figure" >&2; exit 1; }
rep=$(cpu sh -c "'$LEAKTOP' --replay '$TMP/r.rec' --batch --format json >/dev/null")
# Applying records without printing any (a --from after the end), less
# applying the first alone (a --to before it: start-up and the key frame):
# what a step back in the view costs per record it rebuilds.
app=$(cpu "$LEAKTOP" --replay "$TMP/r.rec" --batch --from @99999999999)
one=$(cpu "$LEAKTOP" --replay "$TMP/r.rec" --batch --to @1)
awk -v n="$NPROCS" -v r="$RECS" -v b="$base" -v c="$rec" -v by="$bytes" -v rp="$rep" -v ap="$app" -v one="$one" 'BEGIN {
	printf "record_cost: %d processes, %d records of each run\n", n, r
	printf "  sampling alone (batch json > /dev/null): %.1f ms CPU a tick\n", b / r * 1000
	printf "  recording:                               %.1f ms CPU a record  (ratio %.2f)\n", c / r * 1000, c / b
	printf "  replaying (batch json > /dev/null):      %.1f ms CPU a record\n", rp / r * 1000
	printf "  replaying without output: start-up and the first record %.0f ms, then %.2f ms a record\n", one * 1000, (ap - one) / (r - 1) * 1000
	printf "    a step back rebuilding 2 h of 10 s records (720): about %.2f s\n", one + (ap - one) / (r - 1) * 719
	printf "  disk: %d bytes, %.1f KiB a record\n", by, by / r / 1024
	printf "  per hour at --interval 10s (360 records): %.1f s CPU (%.3f%% of a core), %.1f MiB\n",
		c / r * 360, c / r * 360 / 36, by / r * 360 / 1048576
	printf "  200M (the default --max-size) holds %.1f hours\n", 200 * 1048576 / (by / r * 360)
}'
