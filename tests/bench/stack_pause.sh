#!/bin/bash
# stack_pause.sh - how long a stack sample stops the target, measured from
# inside it, for leaktop and for eu-stack in the same run.
#
# The target (tests/helpers/stacker) spins in threads that time every gap
# over 20 us between two clock reads.  First its baseline (gaps the machine
# makes anyway), then leaktop --stacks taking N samples, then eu-stack run
# N times; each phase's gaps minus the baseline for its duration, divided
# by the samples, is the pause per sample.  Then the sample rate leaktop
# reaches on a 10-thread and a 200-thread target.
#
# Needs root (or ptrace rights over the helper), eu-stack (elfutils).
# Usage: stack_pause.sh [SAMPLES]   with LEAKTOP and HELPERS set.
set -u
N=${1:-200}
: "${LEAKTOP:?}" "${HELPERS:?}"
command -v eu-stack >/dev/null || { echo "eu-stack not found (apt-get install elfutils)"; exit 1; }

now() { date +%s.%N; }

# start_target THREADS: coprocess T; sets TPID
start_target() {
	coproc T { exec "$HELPERS/stacker" --threads "$@"; }
	read -r TPID _ <&"${T[0]}"
}
# gaps: prints "COUNT SUM_NS MAX_NS" so far
gaps() {
	echo >&"${T[1]}"
	local w c s m
	read -r w c s m <&"${T[0]}"
	echo "$c $s $m"
}
stop_target() {
	exec {T[1]}>&-
	wait "$T_PID" 2>/dev/null
}

# phase NAME COMMAND...: runs COMMAND, prints the gap sum (ns) and seconds
phase() {
	local before after t0 t1
	before=$(gaps); t0=$(now)
	"$@" >/dev/null 2>&1
	t1=$(now); after=$(gaps)
	set -- $before $after
	echo "$(( $5 - $2 )) $(echo "$t1 - $t0" | bc -l) $6"
}

eu_stack_n() {
	for ((i = 0; i < N; i++)); do eu-stack -p "$TPID" >/dev/null 2>&1; done
}

for threads in 1 10; do
	start_target "$threads"
	sleep 0.5
	read -r base_ns base_s _ < <(phase sleep 4)
	read -r lt_ns lt_s lt_max < <(phase "$LEAKTOP" --stacks "$TPID" --samples "$N" --hz 50 --threads 1000)
	read -r eu_ns eu_s eu_max < <(phase eu_stack_n)
	stop_target
	awk -v n="$N" -v th="$threads" -v bn="$base_ns" -v bs="$base_s" \
	    -v ln="$lt_ns" -v ls="$lt_s" -v en="$eu_ns" -v es="$eu_s" \
	    -v lm="$lt_max" -v em="$eu_max" 'BEGIN {
		rate = bn / bs                     # baseline gap ns per second
		lp = (ln - rate * ls) / n / 1000   # us per sample, all spinning threads
		ep = (en - rate * es) / n / 1000
		printf "%d spinning thread(s), %d samples: baseline %.1f us/s of gaps\n", th, n, rate / 1000
		printf "  leaktop   pause %8.1f us/sample  %6.1f us/thread/sample  (%.1f s, max gap %.0f us)\n", lp, lp / th, ls, lm / 1000
		printf "  eu-stack  pause %8.1f us/sample  %6.1f us/thread/sample  (%.1f s, max gap %.0f us)\n", ep, ep / th, es, em / 1000
		printf "  ratio leaktop/eu-stack %.2f\n", ep > 0 ? lp / ep : 0
	}'
done

# Sample rate reachable: 10 spinning threads, and 200 threads of a pool
# that sleeps (200 spinning threads on this machine's 2 cores measure the
# scheduler, not the sampler).
for spec in "10" "200 --sleep"; do
	start_target $spec
	sleep 2
	out=$("$LEAKTOP" --stacks "$TPID" --samples 200 --hz 1000 --threads 1000 | head -1)
	stop_target
	echo "$out" | sed -nE 's/^PID [0-9]+: ([0-9]+) samples of ([0-9]+) threads? in ([0-9.]+) s.*/\1 \2 \3/p' |
		awk -v spec="$spec" '{ printf "%s threads (%s), asked for 1000 Hz: %d samples of %d threads in %.2f s = %.0f samples/s\n",
		                        $2 - 1, spec ~ /sleep/ ? "sleeping" : "spinning", $1, $2, $3, $1 / $3 }'
done
