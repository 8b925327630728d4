/* test_metrics.c - the model as Prometheus metrics: which processes get
 * series, what their lines say, hostile process names as label values,
 * unknown figures left out (never 0), and --serve's address forms.
 *
 * Models are built by hand as the sampler and assess.c would fill them;
 * rendering goes to a memory stream and is checked line by line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "metricsserver.h"
#include "model.h"

#define MiB (1024ULL * 1024)

static struct proc *add(struct model *m, pid_t pid, const char *comm,
                        uint64_t rss)
{
	struct proc *p = model_add(m, pid);
	assert_non_null(p);
	snprintf(p->comm, sizeof p->comm, "%s", comm);
	snprintf(p->user, sizeof p->user, "root");
	p->rss = rss;
	return p;
}

static void setup(struct model *m)
{
	model_init(m);
	model_begin_tick(m, (struct timespec){ 1700000000, 0 }, 100.0);
	m->page_size = 4096;
	m->sys.mem_total = 8192 * MiB;
	m->sys.mem_available = 4096 * MiB;
	m->sys.swap_total = 1024 * MiB;
	m->sys.swap_used = 16 * MiB;
	m->sys.pswpin = 10;
}

/* Renders all of m's processes that metrics_select keeps with top_n;
 * cgroup labels from cgs (per selected process) when given. */
static char *render(const struct model *m, size_t top_n, const char *const *cgs,
                    const struct metrics_cgroup *groups, size_t ngroups)
{
	const struct proc **sel = calloc(m->nprocs + 1, sizeof *sel);
	assert_non_null(sel);
	size_t n = metrics_select(m, top_n, sel);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	struct metrics_input in = { .m = m, .procs = sel, .nprocs = n,
	                            .proc_cgroups = cgs, .cgroups = groups,
	                            .ncgroups = ngroups,
	                            .self = { 0.004, -1 } };
	metrics_render(f, &in);
	assert_int_equal(fclose(f), 0);
	free(sel);
	return buf;
}

/* The whole line that starts with prefix, or fail. */
static void expect_line(const char *doc, const char *line)
{
	size_t n = strlen(line);
	for (const char *p = doc; *p; p = strchr(p, '\n') + 1) {
		if (!strncmp(p, line, n) && p[n] == '\n')
			return;
		if (!strchr(p, '\n'))
			break;
	}
	fail_msg("no line '%s' in:\n%s", line, doc);
}

static void expect_no(const char *doc, const char *text)
{
	if (strstr(doc, text))
		fail_msg("'%s' should not appear in:\n%s", text, doc);
}

/* System figures with their units, every family with HELP and TYPE. */
static void test_system_and_process_lines(void **state)
{
	(void)state;
	struct model m;
	setup(&m);
	m.sys.psi_known = true;
	m.sys.psi_some_avg10 = 12.5;
	m.sys.psi_full_avg10 = -1;      /* kernel without "full": absent */
	m.oom_watch = true;
	m.oom_total = 3;
	struct proc *p = add(&m, 100, "svc", 64 * MiB);
	p->pss.known = true;
	p->pss.bytes = 32 * MiB;
	p->growth.slope_known[METRIC_RSS] = true;
	p->growth.slope[METRIC_RSS] = 174762.5;
	p->growth.flag = FLAG_ALERT;
	p->growth.ttl_s = 3600;
	const char *cg[] = { "/system.slice/svc.service" };
	struct metrics_cgroup groups[] = {
		{ "/system.slice/svc.service", { 70 * MiB, 128 * MiB, true } },
	};
	char *doc = render(&m, 50, cg, groups, 1);

	expect_line(doc, "# TYPE leaktop_memory_total_bytes gauge");
	expect_line(doc, "leaktop_memory_total_bytes 8589934592");
	expect_line(doc, "leaktop_memory_available_bytes 4294967296");
	expect_line(doc, "leaktop_swap_used_bytes 16777216");
	expect_line(doc, "# TYPE leaktop_swap_in_bytes_total counter");
	expect_line(doc, "leaktop_swap_in_bytes_total 40960");
	expect_line(doc, "leaktop_pressure_memory_some_avg10_ratio 0.125");
	expect_no(doc, "leaktop_pressure_memory_full_avg10_ratio");
	expect_line(doc, "# TYPE leaktop_oom_kills_total counter");
	expect_line(doc, "leaktop_oom_kills_total 3");
	const char *l = "{pid=\"100\",comm=\"svc\",user=\"root\","
	                "cgroup=\"/system.slice/svc.service\"}";
	char want[256];
	snprintf(want, sizeof want, "leaktop_process_rss_bytes%s 67108864", l);
	expect_line(doc, want);
	snprintf(want, sizeof want, "leaktop_process_pss_bytes%s 33554432", l);
	expect_line(doc, want);
	snprintf(want, sizeof want, "leaktop_process_rss_growth_bytes_per_second%s 174762.5", l);
	expect_line(doc, want);
	snprintf(want, sizeof want, "leaktop_process_growth_state%s 2", l);
	expect_line(doc, want);
	snprintf(want, sizeof want, "leaktop_process_time_to_limit_seconds%s 3600", l);
	expect_line(doc, want);
	expect_line(doc, "leaktop_cgroup_memory_usage_bytes{cgroup=\"/system.slice/svc.service\"} 73400320");
	expect_line(doc, "leaktop_cgroup_memory_limit_bytes{cgroup=\"/system.slice/svc.service\"} 134217728");
	expect_line(doc, "leaktop_exporter_processes_exported 1");
	expect_line(doc, "leaktop_exporter_tick_duration_seconds 0.004");
	expect_no(doc, "leaktop_exporter_render_duration_seconds ");
	/* Every sample's family was announced, with HELP first. */
	for (const char *s = doc; *s; s = strchr(s, '\n') + 1) {
		if (*s != '#') {
			char name[128], type[160];
			size_t n = strcspn(s, "{ ");
			assert_true(n < sizeof name);
			memcpy(name, s, n);
			name[n] = '\0';
			snprintf(type, sizeof type, "# TYPE %s ", name);
			if (!strstr(doc, type))
				fail_msg("no TYPE line for %s", name);
			snprintf(type, sizeof type, "# HELP %s ", name);
			if (!strstr(doc, type))
				fail_msg("no HELP line for %s", name);
		}
	}
	free(doc);
	model_free(&m);
}

/* PSS, swap, slopes and time to limit that are not known are left out:
 * a 0 would read as a real, reassuring figure.  So are PSI and OOM kills
 * when they cannot be read, and cgroup limits that are "max". */
static void test_unknown_figures_omitted(void **state)
{
	(void)state;
	struct model m;
	setup(&m);
	struct proc *p = add(&m, 200, "other", 10 * MiB);
	p->pss.known = false;
	p->pss.bytes = 12345;          /* stale garbage must not leak out */
	p->pss.err = 13;
	p->swap.known = false;
	struct metrics_cgroup groups[] = { { "/u", { 5 * MiB, 0, false } } };
	char *doc = render(&m, 50, NULL, groups, 1);
	expect_line(doc, "leaktop_process_rss_bytes{pid=\"200\",comm=\"other\",user=\"root\",cgroup=\"\"} 10485760");
	expect_no(doc, "leaktop_process_pss_bytes{");
	expect_no(doc, "leaktop_process_swap_bytes{");
	expect_no(doc, "leaktop_process_rss_growth_bytes_per_second{");
	expect_no(doc, "leaktop_process_time_to_limit_seconds{");
	expect_no(doc, "12345");
	expect_no(doc, "leaktop_pressure_memory_some_avg10_ratio ");
	expect_no(doc, "leaktop_oom_kills_total ");
	expect_line(doc, "leaktop_cgroup_memory_usage_bytes{cgroup=\"/u\"} 5242880");
	expect_no(doc, "leaktop_cgroup_memory_limit_bytes{");
	expect_line(doc, "leaktop_process_growth_state{pid=\"200\",comm=\"other\",user=\"root\",cgroup=\"\"} 0");
	free(doc);
	model_free(&m);
}

/* A name with ESC, quote, backslash, newline and an invalid byte: one
 * label value, escaped as batch output shows it, then for the format; the
 * document holds no control byte but newlines and only valid UTF-8. */
static void test_hostile_comm(void **state)
{
	(void)state;
	struct model m;
	setup(&m);
	add(&m, 300, "\x1b[31m\"q\\b\nx\xff", MiB);
	struct proc *u = add(&m, 301, "caf\xc3\xa9\xe2\x80\xae", MiB);
	snprintf(u->user, sizeof u->user, "a\"b");
	const char *cg[] = { "/x\ny", NULL };
	char *doc = render(&m, 50, cg, NULL, 0);
	expect_line(doc, "leaktop_process_rss_bytes{pid=\"300\",comm="
	            "\"\\\\x1b[31m\\\"q\\\\\\\\b\\\\nx\\\\xff\",user=\"root\","
	            "cgroup=\"/x\\\\ny\"} 1048576");
	/* é is kept, the right-to-left override is not. */
	expect_line(doc, "leaktop_process_rss_bytes{pid=\"301\",comm="
	            "\"caf\xc3\xa9\\\\u{202e}\",user=\"a\\\"b\",cgroup=\"\"} 1048576");
	for (const unsigned char *s = (const unsigned char *)doc; *s; s++) {
		if (*s < 0x20 && *s != '\n')
			fail_msg("control byte 0x%02x in the output", *s);
		if (*s == 0xff)
			fail_msg("invalid UTF-8 byte in the output");
	}
	free(doc);
	model_free(&m);
}

/* Top N by RSS plus every growing process, never kernel threads or
 * OOM-killed rows, in PID order. */
static void test_selection(void **state)
{
	(void)state;
	struct model m;
	setup(&m);
	for (int i = 1; i <= 6; i++)
		add(&m, 10 * i, "p", (uint64_t)i * MiB);
	add(&m, 5, "kthr", 900 * MiB)->kthread = true;
	add(&m, 7, "killed", 800 * MiB)->oom_killed = true;
	model_find(&m, 10)->growth.flag = FLAG_WARN;    /* the smallest */
	model_find(&m, 20)->growth.flag = FLAG_ALERT;
	const struct proc *sel[16];
	size_t n = metrics_select(&m, 2, sel);
	assert_int_equal(n, 4);
	assert_int_equal(sel[0]->pid, 10);
	assert_int_equal(sel[1]->pid, 20);
	assert_int_equal(sel[2]->pid, 50);
	assert_int_equal(sel[3]->pid, 60);
	/* Only growing ones with top 0; all with a large N. */
	assert_int_equal(metrics_select(&m, 0, sel), 2);
	assert_int_equal(metrics_select(&m, 1000, sel), 6);
	/* Equal RSS: the lower PID wins the last place. */
	model_find(&m, 50)->rss = 6 * MiB;
	n = metrics_select(&m, 1, sel);
	assert_int_equal(n, 3);
	assert_int_equal(sel[2]->pid, 50);
	char *doc = render(&m, 1, NULL, NULL, 0);
	expect_line(doc, "leaktop_exporter_processes_exported 3");
	expect_line(doc, "leaktop_exporter_processes 8");
	expect_no(doc, "pid=\"60\"");
	expect_no(doc, "pid=\"5\"");
	expect_no(doc, "pid=\"7\"");
	free(doc);
	model_free(&m);
}

static void addr_ok(const char *spec, const char *host, const char *port)
{
	char h[64], p[8], err[160];
	if (!metricsserver_parse_addr(spec, h, sizeof h, p, sizeof p, err, sizeof err))
		fail_msg("'%s' refused: %s", spec, err);
	assert_string_equal(h, host);
	assert_string_equal(p, port);
}

static void addr_bad(const char *spec)
{
	char h[64], p[8], err[160] = "";
	if (metricsserver_parse_addr(spec, h, sizeof h, p, sizeof p, err, sizeof err))
		fail_msg("'%s' accepted as %s port %s", spec, h, p);
	assert_true(err[0] != '\0');
}

/* Loopback unless an address is given. */
static void test_serve_address(void **state)
{
	(void)state;
	addr_ok("9753", "127.0.0.1", "9753");
	addr_ok(":9753", "127.0.0.1", "9753");
	addr_ok("0.0.0.0:9753", "0.0.0.0", "9753");
	addr_ok("localhost:1", "localhost", "1");
	addr_ok("[::1]:9753", "::1", "9753");
	addr_ok("[::]:0", "::", "0");
	addr_bad("::1:9753");
	addr_bad("[::1]9753");
	addr_bad("[::1");
	addr_bad("127.0.0.1:");
	addr_bad("127.0.0.1:65536");
	addr_bad("127.0.0.1:-1");
	addr_bad("127.0.0.1:http");
	addr_bad("");
	addr_bad("[]:80");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_system_and_process_lines),
		cmocka_unit_test(test_unknown_figures_omitted),
		cmocka_unit_test(test_hostile_comm),
		cmocka_unit_test(test_selection),
		cmocka_unit_test(test_serve_address),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
