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
# Usage: stack_pause.sh [SAMPLES] (eu-stack runs a tenth as many)   with LEAKTOP and HELPERS set.
set -u
N=${1:-1000}
: "${LEAKTOP:?}" "${HELPERS:?}"
command -v eu-stack >/dev/null || { echo "eu-stack not found (apt-get install elfutils)"; exit 1; }

now() { date +%s.%N; }

PIN_TARGET= PIN_TRACER=
D=$(mktemp -d)
trap 'exec 7>&- 2>/dev/null; rm -rf "$D"' EXIT

# start_target STACKER-ARGS...: the helper, its stdin a fifo held by fd 7;
# sets TPID
start_target() {
	rm -f "$D/in" "$D/out"
	mkfifo "$D/in"
	exec 7<>"$D/in"
	$PIN_TARGET "$HELPERS/stacker" "$@" <"$D/in" >"$D/out" 7>&- &
	TPID=$!
	until grep -q ' ready$' "$D/out" 2>/dev/null; do sleep 0.05; done
}
# gaps: prints "COUNT SUM_NS MAX_NS CALLS" so far
gaps() {
	local n
	n=$(grep -c '^gaps' "$D/out")
	echo >&7
	until [ "$(grep -c '^gaps' "$D/out")" -gt "$n" ]; do sleep 0.01; done
	grep '^gaps' "$D/out" | tail -1 | awk '{print $2, $3, $4, $6}'
}
stop_target() {
	exec 7>&-
	wait "$TPID" 2>/dev/null
}

# phase NAME COMMAND...: runs COMMAND, prints the gap sum (ns) and seconds
phase() {
	local before after t0 t1
	before=$(gaps); t0=$(now)
	"$@" >/dev/null 2>&1
	t1=$(now); after=$(gaps)
	set -- $before $after
	echo "$(( $6 - $2 )) $(echo "$t1 - $t0" | bc -l) $7 $(( $8 - $4 ))"
}

NE=$(( N / 10 ))
eu_stack_n() {
	for ((i = 0; i < NE; i++)); do $PIN_TRACER eu-stack -p "$TPID" >/dev/null 2>&1; done
}

# The pause: one spinning thread alone on CPU 1, the tracers on CPU 0, so
# what the meter sees is the stop and not two programs sharing a core.
PIN_TARGET="taskset -c 1"
PIN_TRACER="taskset -c 0"
# This machine's own stalls (timer ticks of a virtual machine are tens of
# microseconds each) are large against a sample's pause: measure them
# before and after each tracer, and take long phases.
start_target --threads 1
sleep 0.5
read -r b1_ns b1_s _ < <(phase sleep 10)
read -r lt_ns lt_s lt_max < <(phase $PIN_TRACER "$LEAKTOP" --stacks "$TPID" --samples "$N" --hz 100 --threads 1000)
read -r b2_ns b2_s _ < <(phase sleep 10)
read -r eu_ns eu_s eu_max < <(phase eu_stack_n)
read -r b3_ns b3_s _ < <(phase sleep 10)
report=$($PIN_TRACER "$LEAKTOP" --stacks "$TPID" --samples 200 --hz 100 | head -2)
held=$(echo "$report" | head -1 | sed -nE 's/.*(each thread stopped.*at most).*/\1/p')
steps=$(echo "$report" | sed -n 's/^Each stop: //p')
stop_target
awk -v n="$N" -v ne="$NE" -v b1="$b1_ns" -v s1="$b1_s" -v b2="$b2_ns" -v s2="$b2_s" \
    -v b3="$b3_ns" -v s3="$b3_s" -v ln="$lt_ns" -v ls="$lt_s" -v en="$eu_ns" -v es="$eu_s" \
    -v lm="$lt_max" -v em="$eu_max" 'BEGIN {
	rl = (b1 + b2) / (s1 + s2)          # machine stalls, ns per second
	re = (b2 + b3) / (s2 + s3)
	lp = (ln - rl * ls) / n / 1000      # us per sample
	ep = (en - re * es) / ne / 1000
	printf "1 spinning thread (CPU 1), tracers on CPU 0; machine stalls %.1f / %.1f / %.1f ms/s\n", b1 / s1 / 1e6, b2 / s2 / 1e6, b3 / s3 / 1e6
	printf "  leaktop  %5d samples: pause %7.1f us/sample (max stall %.0f us)\n", n, lp, lm / 1000
	printf "  eu-stack %5d samples: pause %7.1f us/sample (max stall %.0f us)\n", ne, ep, em / 1000
	printf "  ratio leaktop/eu-stack %.3f\n", (ep > 0 ? lp / ep : 0)
}'
echo "  leaktop's own clock (stop seen to resume), 2 threads: $held"
echo "  its steps: $steps"

PIN_TARGET=
# Sample rate reachable: 10 spinning threads, and 200 threads of a pool
# that sleeps (200 spinning threads on this machine's 2 cores measure the
# scheduler, not the sampler).
for spec in "10" "200 --sleep"; do
	start_target --threads $spec
	sleep 2
	out=$("$LEAKTOP" --stacks "$TPID" --samples 200 --hz 1000 --threads 1000 | head -1)
	echo "  ($(echo "$out" | sed -nE 's/.*(each thread stopped.*at most).*/\1/p') by leaktop's clock)"
	stop_target
	echo "$out" | sed -nE 's/^PID [0-9]+: ([0-9]+) samples of ([0-9]+) threads? in ([0-9.]+) s.*/\1 \2 \3/p' |
		awk -v spec="$spec" '{ printf "%s threads (%s), asked for 1000 Hz: %d samples of %d threads in %.2f s = %.0f samples/s\n",
		                        $2 - 1, spec ~ /sleep/ ? "sleeping" : "spinning", $1, $2, $3, $1 / $3 }'
done

# Growth tracing stops every thread at every system call: the cost to a
# process that makes nothing but system calls (getppid in a loop).
start_target --syscalls
sleep 0.5
read -r _ free_s _ free_calls < <(phase sleep 5)
read -r _ traced_s _ traced_calls < <(phase "$LEAKTOP" --stacks "$TPID" --grow=5)
stop_target
awk -v fc="$free_calls" -v fs="$free_s" -v tc="$traced_calls" -v ts="$traced_s" 'BEGIN {
	a = fc / fs; b = tc / ts
	printf "syscall-heavy target: %.0f getppid/s alone, %.0f/s under --grow: %.1fx slower\n", a, b, (b > 0 ? a / b : 0)
}'
