#!/bin/bash
# End-to-end: metrics for fleets.  leaktop --serve on a free loopback port
# with a leaker running: /metrics passes `promtool check metrics` and holds
# the leaker; other paths are 404, other methods 405; a silent client does
# not hold up others; a port in use and a bad address exit 1 with a reason;
# SIGTERM ends it.  --textfile writes DIR/leaktop.prom (mode 0644, whole).
# The example rules and dashboard in docs/ are valid.  A real Prometheus on
# loopback scrapes leaktop and its HTTP API returns the leaker's series.
# As an unprivileged user: it serves, and other users' PSS is left out.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${E2E_LIB:-$(dirname "$0")/lib.sh}"
e2e_init

command -v promtool >/dev/null 2>&1 || skip "promtool is not installed (Debian package prometheus)"
command -v curl >/dev/null 2>&1 || skip "curl is not installed"
command -v jq >/dev/null 2>&1 || skip "jq is not installed"
DOCS=$(cd "$(dirname "${E2E_LIB:-$0}")/../../docs" && pwd)

err="$E2E_TMP/err" body="$E2E_TMP/body" hdr="$E2E_TMP/hdr"

# serve ERRFILE ARGS...: leaktop --serve in the background; sets LT_PID and
# LT_ADDR (from the "serving http://ADDR/metrics" line).
serve() {
	local e=$1
	shift
	"$@" 2>"$e" &
	LT_PID=$!
	E2E_PIDS+=" $LT_PID"
	_served() { grep -q 'serving http://' "$e"; }
	wait_until 15 _served || { cat "$e" >&2; fail "leaktop $* did not start serving"; }
	LT_ADDR=$(sed -n 's|^leaktop: serving http://\(.*\)/metrics$|\1|p' "$e")
	[ -n "$LT_ADDR" ] || fail "no address in: $(cat "$e")"
}

# status URL [CURL ARGS...]: the HTTP status code.
status() {
	local url=$1
	shift
	curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$@" "$url"
}

start_leaker --rate 16M --max 48M --name "e2emetr$$"
LEAK=$LEAKER_PID
wait_full "$LEAK" 15

# --- --serve -------------------------------------------------------------
serve "$err" "$LEAKTOP" --serve 127.0.0.1:0 -d 5 --metrics-top 5
URL="http://$LT_ADDR/metrics"
case $LT_ADDR in 127.0.0.1:[1-9]*) ;; *) fail "--serve 127.0.0.1:0 bound '$LT_ADDR'" ;; esac

# The leaker is among the top 5 by RSS once PSS has been read.
_has_leaker() {
	curl -s --max-time 5 -D "$hdr" -o "$body" "$URL" &&
		grep -q "^leaktop_process_pss_bytes{pid=\"$LEAK\"," "$body"
}
wait_until 15 _has_leaker || { head -c 3000 "$body" >&2; fail "/metrics: no PSS series for the leaker $LEAK"; }
grep -qi '^content-type: text/plain; version=0.0.4; charset=utf-8' "$hdr" ||
	fail "/metrics Content-Type: $(grep -i content-type "$hdr")"
promtool check metrics <"$body" >"$E2E_TMP/promtool.out" 2>&1 ||
	{ cat "$E2E_TMP/promtool.out" >&2; fail "promtool check metrics failed on /metrics"; }
line=$(grep "^leaktop_process_rss_bytes{pid=\"$LEAK\"," "$body")
[[ $line == *"comm=\"e2emetr$$\""* && $line == *"user=\"$(id -un)\""* && $line == *'cgroup="'* ]] ||
	fail "leaker's RSS series lacks its labels: $line"
rss=${line##* }
[ "$rss" -ge $((48 * 1024 * 1024)) ] || fail "leaker's RSS $rss is below its 48 MiB"
for m in leaktop_memory_total_bytes leaktop_memory_available_bytes leaktop_swap_used_bytes \
	leaktop_exporter_processes_exported leaktop_cgroup_memory_usage_bytes; do
	grep -qE "^$m(\\{| )" "$body" || fail "/metrics has no $m"
done
[ -r /proc/pressure/memory ] && ! grep -q '^leaktop_pressure_memory_some_avg10_ratio ' "$body" &&
	fail "/proc/pressure/memory is readable but no PSI metric"
# Cardinality: top 5 plus the growing ones, never every process.
exported=$(awk '/^leaktop_exporter_processes_exported / { print $2 }' "$body")
series=$(grep -c '^leaktop_process_rss_bytes{' "$body")
[ "$series" = "$exported" ] || fail "$series RSS series but $exported exported"
flagged=$(grep '^leaktop_process_growth_state{' "$body" | grep -vc ' 0$')
[ "$series" -le $((5 + flagged)) ] || fail "$series RSS series with --metrics-top 5 and $flagged growing"
note "scrape: $(wc -c <"$body") bytes, $(grep -vc '^#' "$body") samples, $series processes"

# Only /metrics, only GET.
for path in / /metricsx /metrics/ /debug/pprof /../metrics; do
	st=$(status "http://$LT_ADDR$path" --path-as-is)
	[ "$st" = 404 ] || fail "GET $path answered $st, expected 404"
done
[ "$(status "$URL?x=1")" = 200 ] || fail "GET /metrics?x=1 is not 200"
for meth in POST PUT DELETE HEAD; do
	if [ "$meth" = HEAD ]; then st=$(status "$URL" -I); else st=$(status "$URL" -X "$meth"); fi
	[ "$st" = 405 ] || fail "$meth /metrics answered $st, expected 405"
done
big=$(head -c 9000 /dev/zero | tr '\0' a)
st=$(status "$URL" -H "X-Big: $big")
[ "$st" = 431 ] || fail "a 9 KB request head answered $st, expected 431"
# Garbage instead of HTTP: 400, and leaktop keeps serving.
exec 3<>"/dev/tcp/${LT_ADDR%:*}/${LT_ADDR##*:}" || fail "cannot connect to $LT_ADDR"
printf 'hello\r\n\r\n' >&3
IFS= read -r -t 5 reply <&3
exec 3<&-
[[ $reply == "HTTP/1.1 400 "* ]] || fail "garbage answered '$reply', expected 400"
# Silent clients (they connect and send nothing) do not hold up a scrape.
for fd in 4 5 6; do
	eval "exec $fd<>/dev/tcp/${LT_ADDR%:*}/${LT_ADDR##*:}" || fail "cannot connect to $LT_ADDR"
done
t0=$(date +%s%N)
[ "$(status "$URL")" = 200 ] || fail "/metrics not 200 while three clients sit silent"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$ms" -lt 2000 ] || fail "/metrics took ${ms} ms while three clients sat silent"
exec 4<&- 5<&- 6<&-

# The port is taken: exit 1 with the reason.  A bad address: the same.
"$LEAKTOP" --serve "$LT_ADDR" -n 1 >/dev/null 2>"$E2E_TMP/err2"
rc=$?
[ "$rc" = 1 ] || fail "--serve on a port in use exited $rc, expected 1"
grep -q "cannot listen on $LT_ADDR: Address already in use" "$E2E_TMP/err2" ||
	fail "--serve on a port in use: $(cat "$E2E_TMP/err2")"
for bad in "::1:9753" "127.0.0.1:99999" "127.0.0.1:" "[::1]9753"; do
	"$LEAKTOP" --serve "$bad" -n 1 >/dev/null 2>"$E2E_TMP/err2"
	rc=$?
	[ "$rc" = 1 ] && [ -s "$E2E_TMP/err2" ] || fail "--serve '$bad' exited $rc: $(cat "$E2E_TMP/err2")"
done
"$LEAKTOP" --serve 127.0.0.1:0 --batch >/dev/null 2>"$E2E_TMP/err2" && fail "--serve with --batch was accepted"

# --- a real Prometheus scrapes it ------------------------------------------
if command -v prometheus >/dev/null 2>&1; then
	cat >"$E2E_TMP/prometheus.yml" <<-EOF
		global:
		  scrape_interval: 1s
		  evaluation_interval: 1s
		scrape_configs:
		  - job_name: leaktop
		    static_configs:
		      - targets: ['$LT_ADDR']
	EOF
	PPORT=""
	for _ in 1 2 3 4 5; do
		port=$((20000 + RANDOM % 20000))
		prometheus --config.file="$E2E_TMP/prometheus.yml" --storage.tsdb.path="$E2E_TMP/tsdb" \
			--web.listen-address="127.0.0.1:$port" --log.level=warn >"$E2E_TMP/prom.log" 2>&1 &
		PROM=$!
		E2E_PIDS+=" $PROM"
		_prom_ready() { curl -sf --max-time 2 "http://127.0.0.1:$port/-/ready" >/dev/null; }
		if wait_until 30 _prom_ready; then PPORT=$port; break; fi
		kill "$PROM" 2>/dev/null
		wait "$PROM" 2>/dev/null
	done
	[ -n "$PPORT" ] || { tail -20 "$E2E_TMP/prom.log" >&2; fail "prometheus did not start"; }
	_prom_has_leaker() {
		curl -sf --max-time 5 "http://127.0.0.1:$PPORT/api/v1/query" \
			--data-urlencode "query=leaktop_process_rss_bytes" >"$E2E_TMP/q.json" &&
			jq -e --arg p "$LEAK" '.status == "success" and
				any(.data.result[]; .metric.pid == $p and .metric.job == "leaktop")' \
				"$E2E_TMP/q.json" >/dev/null
	}
	wait_until 40 _prom_has_leaker || {
		head -c 2000 "$E2E_TMP/q.json" >&2
		tail -20 "$E2E_TMP/prom.log" >&2
		fail "Prometheus's API has no leaktop_process_rss_bytes for the leaker $LEAK"
	}
	curl -sf --max-time 5 "http://127.0.0.1:$PPORT/api/v1/targets" >"$E2E_TMP/t.json"
	jq -e '.data.activeTargets[0].health == "up"' "$E2E_TMP/t.json" >/dev/null ||
		fail "Prometheus's target is not up: $(head -c 1000 "$E2E_TMP/t.json")"
	kill "$PROM"
	wait "$PROM" 2>/dev/null
else
	note "prometheus is not installed: the scrape by a real Prometheus was not tested"
fi

# SIGTERM ends it, status 0.
kill -TERM "$LT_PID"
_gone() { ! kill -0 "$LT_PID" 2>/dev/null; }
wait_until 5 _gone || fail "leaktop --serve did not exit on SIGTERM"
wait "$LT_PID"
rc=$?
[ "$rc" = 0 ] || fail "leaktop --serve exited $rc on SIGTERM"

# --- --textfile ----------------------------------------------------------
TF="$E2E_TMP/textfile"
mkdir "$TF"
"$LEAKTOP" --textfile "$TF" -n 2 -d 2 --metrics-top 5 2>"$err" || fail "--textfile exited $?: $(cat "$err")"
[ -s "$TF/leaktop.prom" ] || fail "--textfile wrote no $TF/leaktop.prom"
[ "$(stat -c %a "$TF/leaktop.prom")" = 644 ] ||
	fail "leaktop.prom has mode $(stat -c %a "$TF/leaktop.prom"), expected 644 (node_exporter reads it as another user)"
[ "$(ls -A "$TF")" = leaktop.prom ] || fail "--textfile left other files: $(ls -A "$TF")"
promtool check metrics <"$TF/leaktop.prom" >"$E2E_TMP/promtool.out" 2>&1 ||
	{ cat "$E2E_TMP/promtool.out" >&2; fail "promtool check metrics failed on leaktop.prom"; }
grep -q "^leaktop_process_rss_bytes{pid=\"$LEAK\"," "$TF/leaktop.prom" || fail "leaktop.prom lacks the leaker"
"$LEAKTOP" --textfile "$E2E_TMP/nonexistent" -n 1 2>"$err"
rc=$?
[ "$rc" = 1 ] && grep -q 'textfile .*nonexistent: No such file' "$err" ||
	fail "--textfile to a missing directory exited $rc: $(cat "$err")"
# Both at once.
serve "$err" "$LEAKTOP" --serve 0 --textfile "$TF" -d 2
case $LT_ADDR in 127.0.0.1:*) ;; *) fail "--serve 0 bound '$LT_ADDR', expected loopback" ;; esac
[ "$(status "http://$LT_ADDR/metrics")" = 200 ] || fail "--serve with --textfile does not serve"
kill -TERM "$LT_PID"
wait "$LT_PID"

# --- docs: example rules and dashboard -------------------------------------
promtool check rules "$DOCS/prometheus-alerts.yml" >"$E2E_TMP/rules.out" 2>&1 ||
	{ cat "$E2E_TMP/rules.out" >&2; fail "promtool check rules docs/prometheus-alerts.yml"; }
grep -q 'predict_linear(' "$DOCS/prometheus-alerts.yml" || fail "no predict_linear rule in the examples"
grep -q 'leaktop_process_rss_growth_bytes_per_second' "$DOCS/prometheus-alerts.yml" ||
	fail "no rule on the slope in the examples"
jq -e '(.panels | length) >= 6 and
	any(.templating.list[]; .type == "datasource") and
	all(.panels[]; .datasource.uid == "${datasource}")' "$DOCS/grafana-dashboard.json" >/dev/null ||
	fail "docs/grafana-dashboard.json is not a dashboard with a datasource variable"
# Every metric the docs name exists in a scrape, and every one scraped is documented.
for m in $(grep -v '^#' "$TF/leaktop.prom" | sed 's/[{ ].*//' | sort -u); do
	grep -q "\`$m\`" "$DOCS/metrics.md" || fail "$m is not documented in docs/metrics.md"
done

# --- as an unprivileged user ---------------------------------------------
TU=leaktoptest
if [ "$(id -u)" != 0 ] || ! id -u "$TU" >/dev/null 2>&1 || ! command -v runuser >/dev/null 2>&1; then
	note "not root or no user $TU: the unprivileged run was not tested"
elif ! runuser -u "$TU" -- test -x "$LEAKTOP"; then
	note "$LEAKTOP is not executable by $TU: the unprivileged run was not tested"
else
	cp "$HELPERS/leaker" "$E2E_TMP/leaker"
	chmod 755 "$E2E_TMP/leaker"
	HELPERS=$E2E_TMP LEAKER_RUNAS=$TU start_leaker --rate 16M --max 24M --name "e2emetu$$"
	ULEAK=$LEAKER_PID
	wait_full "$ULEAK" 15
	serve "$err" runuser -u "$TU" -- env LANG=C.UTF-8 HOME="$E2E_TMP" \
		XDG_CONFIG_HOME="$E2E_TMP/config" "$LEAKTOP" --serve 127.0.0.1:0 -d 5 --metrics-top 5
	URL="http://$LT_ADDR/metrics"
	_user_pss() {
		curl -s --max-time 5 -o "$body" "$URL" &&
			grep -q "^leaktop_process_pss_bytes{pid=\"$ULEAK\"," "$body"
	}
	wait_until 15 _user_pss || { head -c 3000 "$body" >&2; fail "as $TU: no PSS for its own leaker"; }
	promtool check metrics <"$body" >/dev/null 2>&1 || fail "as $TU: promtool check metrics failed"
	grep -q "^leaktop_process_rss_bytes{pid=\"$LEAK\"," "$body" || fail "as $TU: no RSS for root's leaker"
	grep -q "^leaktop_process_pss_bytes{pid=\"$LEAK\"," "$body" &&
		fail "as $TU: root's leaker has a PSS series (unreadable: it must be left out, not 0)"
	grep -q "^leaktop_process_pss_bytes{pid=\"1\"," "$body" && fail "as $TU: pid 1 has a PSS series"
	if [ "$(cat /proc/sys/kernel/dmesg_restrict 2>/dev/null)" = 1 ]; then
		grep -q '^leaktop_oom_kills_total ' "$body" && fail "as $TU: an OOM count without the kernel log"
	fi
	kill -TERM "$LT_PID"
fi

echo "PASS: metrics"
exit 0
