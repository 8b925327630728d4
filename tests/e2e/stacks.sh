#!/bin/bash
# End-to-end: sampling call stacks with ptrace (leaktop --stacks).
# A helper with a known call chain in named functions is sampled: its
# stacks hold those names in order, the same names eu-stack prints; the
# folded file is whole, 0600 and flamegraph-shaped; the target runs on
# after leaktop ends, is interrupted or is killed with SIGKILL mid-sample;
# zombie, kernel thread, exited and already-traced targets get a reason.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${E2E_LIB:-$(dirname "$0")/lib.sh}"
e2e_init

CHAIN="thread_main;chain_alpha;chain_bravo;chain_charlie;chain_delta;leaf_spin"

# start_stacker ARGS...: the helper, its stdin a fifo kept open by fd 7;
# sets STACKER_PID and STACKER_OUT.
start_stacker() {
	local fifo="$E2E_TMP/stacker.in"
	rm -f "$fifo"
	mkfifo "$fifo"
	STACKER_OUT="$E2E_TMP/stacker.out"
	: >"$STACKER_OUT"
	exec 7<>"$fifo"     # read-write: opening never blocks, and it keeps a writer
	# Redirected on the command itself: a background command's stdin
	# would otherwise be /dev/null.
	"$HELPERS/stacker" "$@" <"$fifo" >"$STACKER_OUT" 7>&- &
	STACKER_PID=$!
	E2E_PIDS+=" $STACKER_PID"
	wait_until 10 grep -q ' ready$' "$STACKER_OUT" || fail "stacker did not start"
}
# gap_count: the helper's count of stalls so far (it answers each line)
gap_count() {
	local before
	before=$(grep -c '^gaps' "$STACKER_OUT")
	echo >&7
	wait_until 5 eval '[ "$(grep -c "^gaps" "$STACKER_OUT")" -gt "$before" ]' ||
		fail "the helper stopped answering: is it stopped?"
	grep '^gaps' "$STACKER_OUT" | tail -1 | awk '{print $2}'
}
# running_ok PID: no thread stopped and no tracer left
running_ok() {
	local st
	st=$(cat /proc/"$1"/task/*/stat 2>/dev/null | awk '{print $3}' | sort -u | tr -d '\n')
	[[ $st != *t* && $st != *T* ]] || fail "a thread of $1 was left stopped (states: $st)"
	grep -q '^TracerPid:[[:space:]]*0$' /proc/"$1"/status ||
		fail "$1 is still traced: $(grep TracerPid /proc/"$1"/status)"
}

start_stacker --threads 2
P=$STACKER_PID

# quit_tui: q, then the session goes.  Killing the server under a running
# leaktop would leave the sanitizer build's leak check spinning in an
# orphaned process group.
quit_tui() {
	send q
	wait_until 10 pane_dead || { show_screen; fail "q did not quit"; }
	tm kill-server 2>/dev/null
}

# --- names in order, in JSON and in the folded file -----------------------
json="$E2E_TMP/stacks.json"
folded="$E2E_TMP/out.folded"
"$LEAKTOP" --stacks "$P" --samples 40 --hz 100 --format json --folded "$folded" >"$json" ||
	fail "--stacks exited $?"
jq -e '.samples == 40 and .threads_seen == 3' "$json" >/dev/null ||
	fail "--stacks: not 40 samples of 3 threads: $(jq -c '{samples, threads_seen}' "$json")"
# Each spinning thread's path, outermost first, from the JSON tree.
paths=$(jq -r '.threads[] | select(.function | startswith("spin-")) |
	[paths(type == "object" and has("function")) as $p | getpath($p).function] |
	join(";")' "$json")
for t in 0 1; do
	jq -e --arg n "spin-$t" '.threads[] | select(.function | startswith($n)) | .samples == 40' \
		"$json" >/dev/null || fail "thread spin-$t does not have 40 samples"
done
grep -q "$CHAIN" <<<"$paths" || fail "the spinning threads' stacks lack $CHAIN: $paths"
[ "$(stat -c %a "$folded")" = 600 ] || fail "folded file mode $(stat -c %a "$folded"), not 600"
grep -vqE '^[^ ].* [0-9]+$' "$folded" && fail "a folded line is not 'frames count': $(grep -vE '^[^ ].* [0-9]+$' "$folded" | head -1)"
grep -q "^spin-0 [0-9]*;.*;$CHAIN;" "$folded" || fail "folded lacks spin-0's chain: $(head -3 "$folded")"
# Nearly every sample of a spinning thread unwinds through the whole chain.
full=$(grep "^spin-0 [0-9]*;.*;$CHAIN;" "$folded" | awk '{s += $NF} END {print s + 0}')
[ "$full" -ge 36 ] || fail "only $full of spin-0's 40 samples unwind through $CHAIN"
total=$(awk '{s += $NF} END {print s}' "$folded")
[ "$total" = 120 ] || fail "folded counts sum to $total, not 3 threads x 40 samples"
grep -q '^stacker [0-9]*;.*;main;.*\[sleeping' "$folded" ||
	fail "the main thread is not shown sleeping under main: $(grep '^stacker' "$folded" | head -2)"

# --- the same names as eu-stack, innermost first ------------------------------
if command -v eu-stack >/dev/null; then
	tid=$(ls /proc/"$P"/task | sort -n | sed -n 2p)
	eu=$(eu-stack -p "$P" 2>/dev/null | awk -v t="TID $tid:" '
		$0 == t { on = 1; next } /^TID/ { on = 0 } on && /^#/ { print $3 }' |
		sed 's/@.*//' | grep -E '^(leaf_spin|chain_|thread_main|start_thread|clone)' | tr '\n' ';')
	# Our most sampled path for that thread, innermost first, same filter.
	# (One sample in a few hundred, seen under ASan, unwinds short; the
	# count of full chains is checked above.)
	ours=$(grep "^spin-[01] $tid;" "$folded" | awk '$NF > n { n = $NF; l = $0 } END { print l }' |
		sed 's/ [0-9]*$//' | tr ';' '\n' | tac |
		grep -E '^(leaf_spin|chain_|thread_main|start_thread|clone)' | tr '\n' ';')
	[ -n "$eu" ] || fail "eu-stack printed nothing for TID $tid"
	[ "$ours" = "$eu" ] || fail "frames differ from eu-stack's: leaktop $ours, eu-stack $eu"
else
	note "eu-stack not installed: comparison skipped"
fi

# --- the target runs on: after the end, a SIGINT, a SIGKILL ----------------
running_ok "$P"
g0=$(gap_count)
"$LEAKTOP" --stacks "$P" --samples 100000 --hz 200 >"$E2E_TMP/int.txt" 2>&1 &
LT=$!
sleep 1
kill -INT "$LT"
wait "$LT"; rc=$?
[ "$rc" = 0 ] || fail "--stacks after SIGINT exited $rc"
grep -q "Stopped early: interrupted by signal 2" "$E2E_TMP/int.txt" ||
	fail "SIGINT: no partial report: $(head -3 "$E2E_TMP/int.txt")"
grep -q "chain_delta" "$E2E_TMP/int.txt" || fail "SIGINT: the partial report lacks the chain"
running_ok "$P"
for sig in TERM HUP; do
	"$LEAKTOP" --stacks "$P" --samples 100000 --hz 200 >/dev/null 2>&1 &
	LT=$!
	sleep 0.5
	kill -"$sig" "$LT"
	wait "$LT"
	running_ok "$P"
done
for i in 1 2 3 4 5; do     # SIGKILL at any point of a sample
	"$LEAKTOP" --stacks "$P" --samples 100000 --hz 1000 >/dev/null 2>&1 &
	LT=$!
	sleep 0.$((RANDOM % 5 + 2))
	kill -KILL "$LT"
	wait "$LT" 2>/dev/null
	sleep 0.1
	running_ok "$P"
done
g1=$(gap_count)
[ "$g1" -ge "$g0" ] || fail "the helper's meter went back"
[ "$(awk '{print $3}' /proc/"$P"/stat)" != Z ] || fail "the helper died"

# --- the TUI: S opens the stack view; Esc stops sampling, Esc again leaves -------
need_tmux
cd "$E2E_TMP"      # F saves into the current directory
start_tmux 120 40 "$LEAKTOP" -d 5 -p "$P" --samples 60 --hz 50
wait_for "^[ !+X]* *$P " 10 "the helper's row"
send S
wait_for "^Stacks of PID $P \\(stacker\\)" 5 "the stack view's title"
wait_for "^60 samples of 3 threads" 10 "the finished summary"
wait_for "chain_alpha  \\(stacker\\)" 5 "the chain, opened along the hot path"
wait_for "leaf_spin  \\(stacker\\)" 5 "the leaf function"
running_ok "$P"
send i
wait_for "inverted tree" 5 "the inverted tree"
send f
wait_for "top frames" 5 "the top frames list"
send F
wait_for "saved 180 stacks to .*leaktop-$P-[0-9]{8}-[0-9]{6}\\.folded" 5 "the folded file's path"
saved=$(capture | grep -oE "leaktop-$P-[0-9]{8}-[0-9]{6}\\.folded" | head -1)
[ -f "$saved" ] || fail "the saved folded file $saved is not in the current directory"
[ "$(stat -c %a "$saved")" = 600 ] || fail "saved folded file mode $(stat -c %a "$saved")"
rm -f "$saved"
send Escape
wait_for "^ *PID " 5 "the process table again"
quit_tui
start_tmux 120 40 "$LEAKTOP" -d 5 -p "$P" --samples 100000 --hz 20
wait_for "^[ !+X]* *$P " 10 "the helper's row"
send S
wait_for "^Sampling \\[" 5 "the progress bar"
# Resizing while it samples: the view follows the size, a too small pane
# says so, and sampling goes on.
samples_done() { capture | sed -nE 's/^Sampling \[[^]]*\] ([0-9]+)\/.*/\1/p' | head -1; }
tm resize-window -t "$E2E_SESSION" -x 80 -y 24 || fail "tmux resize-window failed"
wait_for "^Sampling \\[" 5 "the progress bar at 80x24"
w=$(capture | LC_ALL=C.UTF-8 wc -L)
[ "$w" -le 80 ] || { show_screen; fail "a line is $w characters wide in an 80-column pane while sampling"; }
n1=$(samples_done)
[ -n "$n1" ] || { show_screen; fail "no sample count on the progress bar at 80x24"; }
tm resize-window -t "$E2E_SESSION" -x 40 -y 8 || fail "tmux resize-window failed"
wait_for "Terminal too small" 5 "the too-small notice while sampling"
tm resize-window -t "$E2E_SESSION" -x 120 -y 40 || fail "tmux resize-window failed"
wait_for "^Sampling \\[" 5 "the progress bar back at 120x40"
_more_samples() { [ "$(samples_done)" -gt "${n1:-0}" ]; }
wait_until 5 _more_samples || { show_screen; fail "sampling stopped after the resizes (at ${n1:-?})"; }
send Escape
wait_for "stopped after [0-9]+ samples; detached" 5 "the cancel note"
running_ok "$P"
send S    # from the stack view: sample again
wait_for "^Sampling \\[" 5 "the progress bar again"
send q    # quitting while sampling detaches too
wait_until 5 eval '! grep -q "^TracerPid:[[:space:]]*[1-9]" /proc/$P/status' || fail "q left the target traced"
running_ok "$P"
tm kill-server 2>/dev/null
# SIGTERM to the TUI while it samples: the terminal is restored and the
# target detached.
start_tmux 120 40 "$LEAKTOP" -d 5 -p "$P" --samples 100000 --hz 21
wait_for "^[ !+X]* *$P " 10 "the helper's row"
send S
wait_for "^Sampling \\[" 5 "the progress bar"
pkill -TERM -f -- "-p $P --samples 100000 --hz 21" || fail "no TUI to send SIGTERM to"
wait_until 5 eval '! grep -q "^TracerPid:[[:space:]]*[1-9]" /proc/$P/status' || fail "SIGTERM left the target traced"
running_ok "$P"
tm kill-server 2>/dev/null

# --- where memory grows: the leaking function first, the churn netted out ---
exec 7>&-
wait_until 5 eval '! kill -0 "$P" 2>/dev/null' || fail "the helper did not exit at end of input"
start_stacker --grow
G=$STACKER_PID
gfold="$E2E_TMP/grow.folded"
"$LEAKTOP" --stacks "$G" --grow=3 --folded "$gfold" >"$E2E_TMP/grow.txt" ||
	fail "--stacks --grow exited $?"
grep -q "every thread stopped at every system call" "$E2E_TMP/grow.txt" ||
	fail "--grow does not warn of the slowdown"
leak=$(awk '/;leak_here;/ {s += $NF} END {print s + 0}' "$gfold")
churn=$(awk '/;churn_here;/ {s += $NF} END {print s + 0}' "$gfold")
[ "$leak" -ge $((8 << 20)) ] || fail "leak_here kept $leak bytes in 3 s, expected about 36 MiB: $(head -3 "$E2E_TMP/grow.txt")"
[ "$churn" -le $((1 << 20)) ] || fail "churn_here kept $churn bytes: its munmaps were not netted out"
sed -n '/all threads merged/,/^$/p' "$E2E_TMP/grow.txt" | grep -m1 "leak_here" | grep -q '+[0-9.]*M' ||
	fail "the merged tree does not show leak_here with megabytes kept"
running_ok "$G"
start_tmux 120 40 "$LEAKTOP" -d 5 -p "$G"
wait_for "^[ !+X]* *$G " 10 "the growth helper's row"
send A
wait_for "where memory grows" 5 "the growth view's title"
wait_for "^Tracing \\[" 5 "the tracing progress bar"
wait_for "^Warning: while tracing, the target stops at every system call" 5 "the slowdown warning"
send Escape
wait_for "stopped after" 5 "the cancel note"
wait_for "leak_here  \\(stacker\\)" 5 "leak_here in the growth tree"
running_ok "$G"
quit_tui
P=$G

# --- threads that start and end while sampled are followed -----------------
exec 7>&-
wait_until 5 eval '! kill -0 "$P" 2>/dev/null' || fail "the helper did not exit at end of input"
start_stacker --spawn
S=$STACKER_PID
"$LEAKTOP" --stacks "$S" --samples 60 --hz 50 --format json >"$E2E_TMP/spawn.json" ||
	fail "--stacks of a process starting threads exited $?"
nthreads=$(jq '.threads | length' "$E2E_TMP/spawn.json")
[ "$nthreads" -ge 4 ] || fail "only $nthreads threads sampled: the short-lived ones were not followed"
jq -e '[.. | objects | select(.function? == "short_thread")] | length > 0' "$E2E_TMP/spawn.json" >/dev/null ||
	fail "no sample in short_thread"
running_ok "$S"
[ "$(ls /proc/"$S"/task | wc -l)" -le 3 ] || fail "threads of the helper are left over: $(ls /proc/"$S"/task)"
P=$S

# --- hundreds of threads: bounded work per sample, and said so --------------
exec 7>&-          # end of input: the helper exits
wait_until 5 eval '! kill -0 "$P" 2>/dev/null' || fail "the helper did not exit at end of input"
start_stacker --threads 200 --sleep
POOL=$STACKER_PID
"$LEAKTOP" --stacks "$POOL" --samples 20 --threads 50 >"$E2E_TMP/pool.txt" ||
	fail "--stacks of a 201-thread process exited $?"
grep -q "Only 50 of 201 threads were stopped per sample" "$E2E_TMP/pool.txt" ||
	fail "the thread cap is not reported: $(head -2 "$E2E_TMP/pool.txt")"
grep -qE "^PID $POOL: 20 samples of 201 threads" "$E2E_TMP/pool.txt" ||
	fail "pool summary: $(head -1 "$E2E_TMP/pool.txt")"
grep -q "sleeping in hrtimer_nanosleep\|sleeping in do_nanosleep\|\[sleeping" "$E2E_TMP/pool.txt" ||
	fail "the pool's threads are not shown sleeping"
running_ok "$POOL"
P=$POOL

# --- reasons ---------------------------------------------------------------
expect_refusal() {   # PID REGEX WHAT
	"$LEAKTOP" --stacks "$1" --samples 5 >"$E2E_TMP/r.out" 2>"$E2E_TMP/r.err" &&
		fail "--stacks of $3 succeeded"
	grep -qE "$2" "$E2E_TMP/r.err" || fail "--stacks of $3: $(cat "$E2E_TMP/r.err")"
}
expect_refusal 999999999 "has exited" "no process"
if grep -q '^Kthread:[[:space:]]*1' /proc/2/status 2>/dev/null; then
	expect_refusal 2 "kernel thread" "a kernel thread"
fi
# A zombie: a child its parent never reaps.
start_bg bash -c 'sleep 0.2 & exec sleep 30'
sleep 1
Z=$(ps -o pid=,stat= --ppid "$BG_PID" | awk '$2 ~ /^Z/ {print $1}')
[ -n "$Z" ] || fail "could not make a zombie"
expect_refusal "$Z" "zombie" "a zombie"
if command -v strace >/dev/null; then
	start_bg strace -p "$P" -e trace=none -o /dev/null
	ST=$BG_PID
	wait_until 5 eval '! grep -q "^TracerPid:[[:space:]]*0$" /proc/$P/status' || fail "strace did not attach"
	expect_refusal "$P" "already traced by PID $ST \(strace\)" "a process strace traces"
	kill "$ST"; wait "$ST" 2>/dev/null
else
	note "strace not installed: the already-traced case is skipped"
fi
# Not root, another user's process.
if [ "$(id -u)" != 0 ]; then
	[ "$(stat -c %u /proc/1)" = 0 ] || skip "PID 1 is not root's: no other user's process to try"
	"$LEAKTOP" --stacks 1 --samples 5 >/dev/null 2>"$E2E_TMP/nr.err" &&
		fail "a non-root user sampled root's PID 1"
	grep -q "belongs to another user (run as root)" "$E2E_TMP/nr.err" ||
		fail "non-root: $(cat "$E2E_TMP/nr.err")"
elif id leaktoptest >/dev/null 2>&1; then
	runuser -u leaktoptest -- "$LEAKTOP" --stacks "$P" --samples 5 >/dev/null 2>"$E2E_TMP/nr.err" &&
		fail "a non-root user sampled root's process"
	grep -q "belongs to another user (run as root)" "$E2E_TMP/nr.err" ||
		fail "non-root: $(cat "$E2E_TMP/nr.err")"
else
	note "user leaktoptest missing (nonroot.sh creates it): non-root refusal not tested"
fi
running_ok "$P"
exit 0
