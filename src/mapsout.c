/* mapsout.c - see mapsout.h. */
#include "mapsout.h"

#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "escape.h"
#include "format.h"
#include "modeljson.h"
#include "procfs.h"

/* pmap -X's columns: the mapping's sizes as the kernel names them. */
static bool shown_field(const struct smaps *s, int f)
{
	return (s->present >> f) & 1u;
}

void mapsout_text(FILE *out, pid_t pid, const struct smaps *s, bool utf8)
{
	fprintf(out, "%d: %zu mappings (sizes in KiB, as pmap -X)\n", (int)pid, s->n);
	fprintf(out, "%16s %4s %8s %6s %10s", "Address", "Perm", "Offset", "Device", "Inode");
	for (int f = 0; f < SMAPS_FIELD_COUNT; f++)
		if (shown_field(s, f))
			fprintf(out, " %*s", (int)strlen(smaps_fields[f].kernel) > 8
			        ? (int)strlen(smaps_fields[f].kernel) : 8, smaps_fields[f].kernel);
	fputs(" Mapping\n", out);
	for (size_t i = 0; i < s->n; i++) {
		const struct mapping *m = &s->maps[i];
		char dev[16];
		snprintf(dev, sizeof dev, "%02x:%02x", m->dev_major, m->dev_minor);
		fprintf(out, "%16llx %4s %08llx %6s %10llu", (unsigned long long)m->start,
		        m->perms, (unsigned long long)m->offset, dev,
		        (unsigned long long)m->inode);
		for (int f = 0; f < SMAPS_FIELD_COUNT; f++) {
			if (!shown_field(s, f))
				continue;
			int w = (int)strlen(smaps_fields[f].kernel) > 8
			      ? (int)strlen(smaps_fields[f].kernel) : 8;
			if ((m->present >> f) & 1u)
				fprintf(out, " %*llu", w, (unsigned long long)(m->v[f] / 1024));
			else
				fprintf(out, " %*s", w, "-");
		}
		char *name = escape_dup(m->name[0] ? m->name : "[anon]", !utf8);
		fprintf(out, " %s\n", name ? name : "");
		free(name);
	}
	fprintf(out, "%16s %4s %8s %6s %10s", "total", "", "", "", "");
	for (int f = 0; f < SMAPS_FIELD_COUNT; f++)
		if (shown_field(s, f))
			fprintf(out, " %*llu", (int)strlen(smaps_fields[f].kernel) > 8
			        ? (int)strlen(smaps_fields[f].kernel) : 8,
			        (unsigned long long)(s->total[f] / 1024));
	fputs(" KiB\n", out);
}

static json_t *hex(uint64_t v)
{
	char buf[24];
	snprintf(buf, sizeof buf, "0x%llx", (unsigned long long)v);
	return json_string(buf);
}

static void sizes(json_t *o, const uint64_t *v, uint32_t present)
{
	for (int f = 0; f < SMAPS_FIELD_COUNT; f++)
		json_object_set_new(o, smaps_fields[f].json, (present >> f) & 1u
		                    ? json_integer((json_int_t)v[f]) : json_null());
}

json_t *mapsout_object(pid_t pid, const struct smaps *s)
{
	json_t *root = json_object();
	json_object_set_new(root, "pid", json_integer(pid));
	json_t *maps = json_array();
	for (size_t i = 0; i < s->n; i++) {
		const struct mapping *m = &s->maps[i];
		char dev[16];
		snprintf(dev, sizeof dev, "%02x:%02x", m->dev_major, m->dev_minor);
		json_t *o = json_object();
		json_object_set_new(o, "start", hex(m->start));
		json_object_set_new(o, "end", hex(m->end));
		json_object_set_new(o, "perms", json_string(m->perms));
		json_object_set_new(o, "offset", hex(m->offset));
		json_object_set_new(o, "device", json_string(dev));
		json_object_set_new(o, "inode", json_integer((json_int_t)m->inode));
		json_object_set_new(o, "name", modeljson_text(m->name));
		json_object_set_new(o, "deleted", json_boolean(m->deleted));
		json_object_set_new(o, "kind", json_string(map_kind_names[smaps_kind(m)]));
		sizes(o, m->v, m->present);
		json_object_set_new(o, "thp_eligible", m->thp_eligible < 0 ? json_null()
		                    : json_boolean(m->thp_eligible));
		json_array_append_new(maps, o);
	}
	json_object_set_new(root, "mappings", maps);
	json_t *tot = json_object();
	sizes(tot, s->total, s->present);
	json_object_set_new(root, "totals", tot);
	return root;
}

void mapsout_json(FILE *out, pid_t pid, const struct smaps *s)
{
	json_t *root = mapsout_object(pid, s);
	json_dumpf(root, out, JSON_COMPACT | JSON_PRESERVE_ORDER);
	fputc('\n', out);
	json_decref(root);
}

/* What can still be said about a process whose smaps is closed to us. */
static void explain(pid_t pid, int err)
{
	if (err == ENOENT || err == ESRCH) {
		fprintf(stderr, "leaktop: no process with PID %d\n", (int)pid);
		return;
	}
	fprintf(stderr, "leaktop: cannot read /proc/%d/smaps: %s%s\n", (int)pid,
	        strerror(err), err == EACCES || err == EPERM
	            ? " (another user's process: run as root)" : "");
	char path[64], buf[256];
	snprintf(path, sizeof path, "/proc/%d/statm", (int)pid);
	FILE *f = fopen(path, "r");
	struct statm st;
	size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
	if (f)
		fclose(f);
	if (n && procfs_parse_statm(buf, n, &st) == PROCFS_OK) {
		char a[16], b[16];
		long page = sysconf(_SC_PAGESIZE);
		fprintf(stderr, "leaktop: statm of %d: size %s, resident %s\n", (int)pid,
		        format_size(a, sizeof a, st.size * (uint64_t)page),
		        format_size(b, sizeof b, st.resident * (uint64_t)page));
	}
}

int mapsout_run(pid_t pid, const struct options *o, bool utf8)
{
	char *buf = NULL;
	size_t cap = 0;
	struct smaps s = { 0 };
	signal(SIGPIPE, SIG_IGN);
	long len = smaps_read_file((int)pid, &buf, &cap);
	int status = 0;
	if (len < 0) {
		explain(pid, errno);
		status = 1;
	} else if (smaps_parse(buf, (size_t)len, &s) != PROCFS_OK) {
		fprintf(stderr, "leaktop: /proc/%d/smaps could not be parsed\n", (int)pid);
		status = 1;
	} else if (o->format == FORMAT_JSON) {
		mapsout_json(stdout, pid, &s);
	} else if (o->format == FORMAT_TEXT) {
		mapsout_text(stdout, pid, &s, utf8);
	} else {
		fprintf(stderr, "leaktop: --maps prints text or json\n");
		status = 2;
	}
	if (fflush(stdout) != 0 && errno != EPIPE)
		status = 1;
	smaps_free(&s);
	free(buf);
	return status;
}
