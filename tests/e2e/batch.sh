#!/bin/bash
# End-to-end: leaktop --batch in text, csv and json, against a leaker whose
# memory grows at a known rate.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${E2E_LIB:-$(dirname "$0")/lib.sh}"
e2e_init
command -v jq >/dev/null 2>&1 || skip "jq is not installed"

MiB=$((1024 * 1024))
NAME="e2eleak$$"
NAME=${NAME:0:15}
RFC3339='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$'
out="$E2E_TMP/out" err="$E2E_TMP/err"

# run_lt ARGS...: leaktop with stdout in $out, stderr in $err; sets rc.
run_lt() {
	timeout 60 "$LEAKTOP" "$@" >"$out" 2>"$err"
	rc=$?
	[ "$rc" = 124 ] && fail "leaktop $* did not finish within 60 s"
	return 0
}

dump() {
	echo "----- stdout of leaktop $* -----" >&2
	head -c 4000 "$out" >&2
	echo "----- stderr -----" >&2
	head -c 2000 "$err" >&2
}

start_leaker --rate 8M --max 64M --name "$NAME"
LEAK=$LEAKER_PID
wait_rss "$LEAK" 8192 15

# --- json ------------------------------------------------------------------
run_lt --batch -n 2 -d 10 --format json --pid "$LEAK"
[ "$rc" = 0 ] || { dump --batch -n 2 --format json; fail "json batch exited $rc"; }
lines=$(wc -l <"$out")
[ "$lines" = 2 ] || { dump; fail "json: expected 2 lines (one per tick), got $lines"; }
i=0
rss_at=() time_at=()
while IFS= read -r line; do
	i=$((i + 1))
	jq -e . >/dev/null 2>&1 <<<"$line" || { dump; fail "json line $i is not valid JSON"; }
	t=$(jq -r '.time' <<<"$line")
	[[ $t =~ $RFC3339 ]] || fail "json line $i: time '$t' is not RFC 3339"
	jq -e '.system | type == "object"
		and (.mem_total_bytes | type == "number") and .mem_total_bytes > 0
		and (.mem_available_bytes | type == "number")
		and (.swap_total_bytes | type == "number")
		and (.swap_used_bytes | type == "number")' >/dev/null <<<"$line" ||
		fail "json line $i: bad system object: $(jq -c .system <<<"$line")"
	n=$(jq '.processes | length' <<<"$line")
	[ "$n" = 1 ] || fail "json line $i: --pid $LEAK gave $n processes, expected 1"
	p=$(jq -c '.processes[0]' <<<"$line")
	[ "$(jq -r .pid <<<"$p")" = "$LEAK" ] || fail "json line $i: pid is not $LEAK: $p"
	[ "$(jq -r .comm <<<"$p")" = "$NAME" ] || fail "json line $i: comm is not $NAME: $p"
	jq -e '(.ppid | type == "number") and (.user | type == "string")
		and (.cmdline | type == "string")
		and (.rss_bytes | type == "number")
		and (.shared_bytes | type == "number")
		and (has("pss_bytes")) and (has("swap_bytes"))' >/dev/null <<<"$p" ||
		fail "json line $i: missing or mistyped process fields: $p"
	rss=$(jq -r .rss_bytes <<<"$p")
	[ "$rss" -ge $((8 * MiB)) ] || fail "json line $i: rss_bytes $rss < 8 MiB for a leaker holding more: $p"
	if [ "$(id -u)" = 0 ]; then
		jq -e '.pss_bytes | type == "number"' >/dev/null <<<"$p" ||
			fail "json line $i: pss_bytes is not a number as root: $p"
	fi
	if jq -e '.pss_bytes == null' >/dev/null <<<"$p"; then
		jq -e '.pss_unavailable_reason | type == "string" and length > 0' >/dev/null <<<"$p" ||
			fail "json line $i: pss_bytes null without pss_unavailable_reason: $p"
	fi
	rss_at[i]=$rss
	time_at[i]=$t
done <"$out"
[ "${rss_at[2]}" -gt "${rss_at[1]}" ] ||
	fail "json: rss_bytes did not grow between ticks (${rss_at[1]} -> ${rss_at[2]}) for a leaker at 8 MiB/s"
[[ ${time_at[2]} > ${time_at[1]} ]] || fail "json: tick times not increasing (${time_at[1]}, ${time_at[2]})"

# Every unreadable PSS in a full run comes with a reason, never a fake 0.
run_lt --batch -n 1 --format json
[ "$rc" = 0 ] || { dump; fail "json batch (all processes) exited $rc"; }
jq -e . "$out" >/dev/null 2>&1 || { dump; fail "json (all processes) is not valid JSON"; }
bad=$(jq -c '.processes[] | select(.pss_bytes == null and
	((.pss_unavailable_reason | type) != "string" or .pss_unavailable_reason == ""))' "$out")
[ -z "$bad" ] || fail "json: pss_bytes null without a reason: $(head -c 600 <<<"$bad")"
jq -e --argjson p "$LEAK" '[.processes[] | select(.pid == $p)] | length == 1' "$out" >/dev/null ||
	fail "json (all processes): the leaker $LEAK is not listed exactly once"
jq -e --argjson p "$$" '[.processes[] | select(.pid == $p)] | length == 1' "$out" >/dev/null ||
	fail "json (all processes): this test's shell $$ is not listed"

# --- csv -------------------------------------------------------------------
run_lt --batch -n 1 --format csv --pid "$LEAK"
[ "$rc" = 0 ] || { dump; fail "csv batch exited $rc"; }
header=$(head -1 "$out")
want='time,pid,ppid,user,comm,cmdline,rss_bytes,pss_bytes,swap_bytes,shared_bytes,growth_bytes,flag,rss_slope_bytes_per_second,pss_slope_bytes_per_second,swap_slope_bytes_per_second,growing_since,time_to_limit_seconds'
[ "$header" = "$want" ] || fail "csv header is
  '$header', expected
  '$want'"
row=$(awk -F, -v p="$LEAK" 'NR > 1 && $2 == p' "$out")
[ -n "$row" ] || { dump; fail "csv: no row with pid $LEAK"; }
[ "$(awk 'NR > 1' "$out" | wc -l)" = 1 ] || { dump; fail "csv: --pid $LEAK gave more than one row"; }
grep -q "$NAME" <<<"$row" || fail "csv: row for $LEAK lacks the name $NAME: $row"
[[ $(cut -d, -f1 <<<"$row") =~ $RFC3339 ]] || fail "csv: time column not RFC 3339: $row"

# --- text ------------------------------------------------------------------
run_lt --batch -n 1 --pid "$LEAK"
[ "$rc" = 0 ] || { dump; fail "text batch exited $rc"; }
grep -qE '^ *PID ' "$out" || { dump; fail "text: no header line starting with PID"; }
grep -qE "^ *$LEAK .*$NAME" "$out" || { dump; fail "text: no row with pid $LEAK and $NAME"; }
# USER is 8 wide: a longer name is cut to 7 and a '+' (as in top).
me=$(id -un)
[ ${#me} -le 8 ] || me="${me:0:7}+"
read -r _ user _ < <(grep -E "^ *$LEAK " "$out")
[ "$user" = "$me" ] || { dump; fail "text: user column '$user', expected '$me'"; }

# --- two pids: exactly those ----------------------------------------------
start_bg sleep 600
SLP=$BG_PID
wait_until 5 grep -q '^sleep' "/proc/$SLP/comm" 2>/dev/null || true
run_lt --batch -n 1 --format json --pid "$LEAK,$SLP"
[ "$rc" = 0 ] || { dump; fail "json --pid A,B exited $rc"; }
got=$(jq -r '[.processes[].pid] | sort | map(tostring) | join(",")' "$out")
want=$(printf '%s\n' "$LEAK" "$SLP" | sort -n | paste -sd,)
[ "$got" = "$want" ] || fail "--pid $LEAK,$SLP listed pids '$got', expected '$want'"
run_lt --batch -n 1 --pid "$LEAK,$SLP"
[ "$rc" = 0 ] || { dump; fail "text --pid A,B exited $rc"; }
rows=$(grep -cE '^ *[0-9]+ ' "$out")
[ "$rows" = 2 ] || { dump; fail "text --pid $LEAK,$SLP: $rows rows, expected 2"; }
grep -qE "^ *$SLP .*sleep" "$out" || { dump; fail "text: no row for the sleep $SLP"; }
# --pid given twice as -p, and an unknown pid: no crash
run_lt --batch -n 1 --format json -p "$LEAK"
[ "$rc" = 0 ] || { dump; fail "-p $LEAK exited $rc"; }
[ "$(jq '.processes | length' "$out")" = 1 ] || { dump; fail "-p $LEAK did not list exactly one process"; }

# --- a closed pipe: quiet exit ----------------------------------------------
timeout 30 "$LEAKTOP" --batch -n 0 -d 1 --format json 2>"$err" | head -c 100 >/dev/null
st=("${PIPESTATUS[@]}")
[ "${st[0]}" = 124 ] && fail "--batch -n 0 | head -c 100: leaktop kept running after its reader left"
if grep -qiE 'broken pipe|write error|error' "$err"; then
	fail "--batch | head -c 100 printed to stderr: $(head -c 500 "$err")"
fi
[ -s "$err" ] && fail "--batch | head -c 100: unexpected stderr: $(head -c 500 "$err")"
timeout 30 "$LEAKTOP" --batch -n 1 --format text 2>"$err" | head -c 10 >/dev/null
[ -s "$err" ] && fail "--batch --format text | head -c 10: unexpected stderr: $(head -c 500 "$err")"

# --- --help, --version, bad options ------------------------------------------
run_lt --help
[ "$rc" = 0 ] || fail "--help exited $rc"
grep -qi 'usage' "$out" || { dump; fail "--help printed no usage on stdout"; }
grep -q -- '--batch' "$out" || { dump; fail "--help does not mention --batch"; }
run_lt --version
[ "$rc" = 0 ] || fail "--version exited $rc"
grep -qi 'leaktop' "$out" || { dump; fail "--version does not print the program name"; }
grep -qE '[0-9]+\.[0-9]+' "$out" || { dump; fail "--version prints no version number"; }

for bad in "--no-such-option" "--format=xml" "--sort-key=bogus" "-d abc" "-n -3" "--pid=notapid"; do
	# shellcheck disable=SC2086  # split "-d abc" into two words on purpose
	run_lt --batch $bad
	[ "$rc" != 0 ] || { dump; fail "leaktop --batch $bad exited 0"; }
	[ -s "$err" ] || fail "leaktop --batch $bad exited $rc without a message on stderr"
done

echo "PASS: batch"
exit 0
