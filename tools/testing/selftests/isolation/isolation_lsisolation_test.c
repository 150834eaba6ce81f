// SPDX-License-Identifier: GPL-2.0
/*
 * lsisolation (tools/isolation) checked against sysfs: its JSON, parsed
 * here, must describe the groups and members that this test reads from
 * /sys/isolation itself; its tree output, -g and -d must show the same; bad
 * input and missing state must give one line on stderr, a non-zero exit and
 * nothing on stdout; entries that vanish while it reads must be left out.
 *
 * The tool is $LSISOLATION, or lsisolation in $PATH.  With
 * ISOLATION_LSISOLATION_UNTIL=<file>, the test "runs_during_hotplug" keeps
 * running the tool until <file> exists, so that it reads while devices come
 * and go; every run must succeed with a well-formed document.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "isolation.h"

#define MAX_GROUPS	256
#define MAX_MEMBERS	64
#define NAME_LEN	128
#define FAKE_ROOT	"/tmp/lsisolation-fake"

/* A JSON value, parsed from the tool's output. */
enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jval {
	enum jtype type;
	bool b;
	double num;
	char *str;
	int n;			/* items of an array or object */
	struct jval *items;
	char **keys;		/* object keys */
};

struct jparser {
	const char *p;
	int depth;
};

static void jskip(struct jparser *jp)
{
	while (isspace((unsigned char)*jp->p))
		jp->p++;
}

static int jparse(struct jparser *jp, struct jval *v);

static int jstring(struct jparser *jp, char **out)
{
	size_t cap = 16, len = 0;
	char *s;

	if (*jp->p != '"')
		return -1;
	jp->p++;
	s = malloc(cap);
	if (!s)
		return -1;
	while (*jp->p != '"') {
		char c = *jp->p++;

		if (!c || (unsigned char)c < 0x20)
			goto bad;
		if (c == '\\') {
			c = *jp->p++;
			if (c == 'u') {
				unsigned int u;

				if (sscanf(jp->p, "%4x", &u) != 1 || u > 0x7f)
					goto bad;
				jp->p += 4;
				c = u;
			} else if (c == 'n') {
				c = '\n';
			} else if (c == 't') {
				c = '\t';
			} else if (c != '"' && c != '\\' && c != '/') {
				goto bad;
			}
		}
		if (len + 2 > cap) {
			char *t = realloc(s, cap *= 2);

			if (!t)
				goto bad;
			s = t;
		}
		s[len++] = c;
	}
	jp->p++;
	s[len] = '\0';
	*out = s;
	return 0;
bad:
	free(s);
	return -1;
}

/* Arrays and objects: items separated by commas between @open and @close. */
static int jlist(struct jparser *jp, struct jval *v, char close)
{
	jp->p++;
	jskip(jp);
	if (*jp->p == close) {
		jp->p++;
		return 0;
	}
	for (;;) {
		char *key = NULL;

		jskip(jp);
		if (v->type == J_OBJ) {
			if (jstring(jp, &key))
				return -1;
			jskip(jp);
			if (*jp->p++ != ':') {
				free(key);
				return -1;
			}
		}
		v->items = realloc(v->items, (v->n + 1) * sizeof(*v->items));
		v->keys = realloc(v->keys, (v->n + 1) * sizeof(*v->keys));
		if (!v->items || !v->keys)
			return -1;
		v->keys[v->n] = key;
		if (jparse(jp, &v->items[v->n]))
			return -1;
		v->n++;
		jskip(jp);
		if (*jp->p == ',') {
			jp->p++;
			continue;
		}
		if (*jp->p++ != close)
			return -1;
		return 0;
	}
}

static int jvalue(struct jparser *jp, struct jval *v)
{
	char *end;

	jskip(jp);
	switch (*jp->p) {
	case '{':
		v->type = J_OBJ;
		return jlist(jp, v, '}');
	case '[':
		v->type = J_ARR;
		return jlist(jp, v, ']');
	case '"':
		v->type = J_STR;
		return jstring(jp, &v->str);
	case 't':
	case 'f':
		v->type = J_BOOL;
		v->b = *jp->p == 't';
		if (strncmp(jp->p, v->b ? "true" : "false", v->b ? 4 : 5))
			return -1;
		jp->p += v->b ? 4 : 5;
		return 0;
	case 'n':
		v->type = J_NULL;
		if (strncmp(jp->p, "null", 4))
			return -1;
		jp->p += 4;
		return 0;
	default:
		v->type = J_NUM;
		v->num = strtod(jp->p, &end);
		if (end == jp->p)
			return -1;
		jp->p = end;
		return 0;
	}
}

static int jparse(struct jparser *jp, struct jval *v)
{
	int ret = -1;

	memset(v, 0, sizeof(*v));
	if (jp->depth < 16) {
		jp->depth++;
		ret = jvalue(jp, v);
		jp->depth--;
	}
	return ret;
}

/* One JSON document and nothing but whitespace after it. */
static int jparse_doc(const char *text, struct jval *v)
{
	struct jparser jp = { .p = text };

	if (jparse(&jp, v))
		return -1;
	jskip(&jp);
	return *jp.p ? -1 : 0;
}

static void jfree(struct jval *v)
{
	int i;

	for (i = 0; i < v->n; i++) {
		jfree(&v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->str);
}

static const struct jval *jget(const struct jval *obj, const char *key)
{
	int i;

	for (i = 0; obj->type == J_OBJ && i < obj->n; i++)
		if (obj->keys[i] && !strcmp(obj->keys[i], key))
			return &obj->items[i];
	return NULL;
}

/* A string member, "" for null; NULL if missing or of another type. */
static const char *jstr(const struct jval *obj, const char *key)
{
	const struct jval *v = jget(obj, key);

	if (v && v->type == J_NULL)
		return "";
	return v && v->type == J_STR ? v->str : NULL;
}

/* The state of /sys/isolation as this test reads it. */
struct smember {
	char name[NAME_LEN], driver[NAME_LEN];
	char reason[NAME_LEN], reason_dev[NAME_LEN];
	char vendor[8], device[8];	/* "" when the device has none */
};

struct sgroup {
	int id;
	char name[NAME_LEN], provider[NAME_LEN], manager[NAME_LEN];
	char owner[NAME_LEN], reserved[NAME_LEN];	/* "" for none */
	bool locked;
	int n;
	struct smember m[MAX_MEMBERS];
};

struct sstate {
	int n;
	struct sgroup g[MAX_GROUPS];
};

static void last_component(const char *path, char *buf, size_t len)
{
	const char *b = strrchr(path, '/');
	size_t n;

	b = b ? b + 1 : path;
	n = strnlen(b, len - 1);
	memcpy(buf, b, n);
	buf[n] = '\0';
}

/* "0x8086" from sysfs as the tool prints it: "8086". */
static void hex4(const char *dir, const char *attr, char *buf)
{
	char v[32];

	buf[0] = '\0';
	if (read_attr(dir, attr, v, sizeof(v)) > 0)
		snprintf(buf, 8, "%04lx", strtoul(v, NULL, 16));
}

/* Read the whole state; -1 if it changed meanwhile or could not be read. */
static int read_state(struct sstate *s)
{
	char dir[PATH_MAX], devs[PATH_MAX], path[PATH_MAX], real[PATH_MAX];
	char locked[8], link[PATH_MAX];
	struct dirent **ids;
	int i, nids;

	memset(s, 0, sizeof(*s));
	nids = scandir(ISOLATION_ROOT, &ids, NULL, alphasort);
	if (nids < 0)
		return -1;
	for (i = 0; i < nids; i++) {
		struct sgroup *g = &s->g[s->n];
		struct dirent *de;
		DIR *d;

		if (!isdigit((unsigned char)ids[i]->d_name[0]) || s->n == MAX_GROUPS)
			continue;
		g->id = atoi(ids[i]->d_name);
		if (pathf(dir, ISOLATION_ROOT "/%d", g->id) ||
		    read_attr(dir, "name", g->name, NAME_LEN) < 0 ||
		    read_attr(dir, "provider", g->provider, NAME_LEN) < 0 ||
		    read_attr(dir, "manager", g->manager, NAME_LEN) < 0 ||
		    read_attr(dir, "locked", locked, sizeof(locked)) < 0 ||
		    read_attr(dir, "owner", g->owner, NAME_LEN) < 0 ||
		    read_attr(dir, "reserved", g->reserved, NAME_LEN) < 0)
			goto changed;
		g->locked = !strcmp(locked, "1");
		if (pathf(devs, "%s/devices", dir))
			goto changed;
		d = opendir(devs);
		if (!d)
			goto changed;
		while ((de = readdir(d)) && g->n < MAX_MEMBERS) {
			struct smember *m = &g->m[g->n];
			ssize_t l;

			if (de->d_name[0] == '.')
				continue;
			if (pathf(path, "%s/%s", devs, de->d_name) ||
			    !realpath(path, real) ||
			    read_attr(real, "isolation_reason", m->reason, NAME_LEN) < 0 ||
			    read_attr(real, "isolation_reason_device", m->reason_dev,
				      NAME_LEN) < 0) {
				closedir(d);
				goto changed;
			}
			last_component(real, m->name, NAME_LEN);
			if (pathf(path, "%s/driver", real))
				continue;
			l = readlink(path, link, sizeof(link) - 1);
			m->driver[0] = '\0';
			if (l > 0) {
				link[l] = '\0';
				last_component(link, m->driver, NAME_LEN);
			}
			hex4(real, "vendor", m->vendor);
			hex4(real, "device", m->device);
			g->n++;
		}
		closedir(d);
		s->n++;
	}
	for (i = 0; i < nids; i++)
		free(ids[i]);
	free(ids);
	return 0;
changed:
	for (i = 0; i < nids; i++)
		free(ids[i]);
	free(ids);
	return -1;
}

static bool same_state(const struct sstate *a, const struct sstate *b)
{
	int i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (a->g[i].n != b->g[i].n ||
		    memcmp(&a->g[i], &b->g[i], offsetof(struct sgroup, m) +
			   a->g[i].n * sizeof(struct smember)))
			return false;
	return true;
}

/* Output and exit status of one run of the tool. */
struct run {
	char *out, *err;
	int status;		/* exit status, or -1 if it did not exit */
	int err_lines;
};

static char *slurp(FILE *f)
{
	size_t len = 0, cap = 4096, n;
	char *buf = malloc(cap);

	rewind(f);
	while (buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (len + 1 == cap)
			buf = realloc(buf, cap *= 2);
	}
	if (buf)
		buf[len] = '\0';
	return buf;
}

static const char *tool(void)
{
	const char *t = getenv("LSISOLATION");

	return t && *t ? t : "lsisolation";
}

/* Run the tool with up to 6 arguments (NULL-terminated). */
static int run_tool(struct run *r, const char *a0, ...)
{
	const char *argv[8] = { tool(), a0 };
	FILE *out = tmpfile(), *err = tmpfile();
	int i = 1, wstatus;
	va_list ap;
	pid_t pid;
	char *p;

	memset(r, 0, sizeof(*r));
	va_start(ap, a0);
	while (argv[i] && i < 7)
		argv[++i] = va_arg(ap, const char *);
	va_end(ap);
	argv[7] = NULL;
	if (!out || !err)
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		dup2(fileno(out), 1);
		dup2(fileno(err), 2);
		execvp(argv[0], (char **)argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &wstatus, 0) != pid)
		return -1;
	r->status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
	r->out = slurp(out);
	r->err = slurp(err);
	fclose(out);
	fclose(err);
	if (!r->out || !r->err)
		return -1;
	for (p = r->err; *p; p++)
		r->err_lines += *p == '\n';
	return 0;
}

static void free_run(struct run *r)
{
	free(r->out);
	free(r->err);
}

/*
 * Compare one group of the tool's JSON with the state read from sysfs.
 * Returns NULL if equal, else what differs (static buffer).
 */
static const char *diff_group(const struct jval *jg, const struct sstate *s)
{
	static char why[512];
	const struct jval *id = jget(jg, "id"), *locked = jget(jg, "locked");
	const struct jval *devs = jget(jg, "devices");
	const struct sgroup *g = NULL;
	int i, j;

	if (!id || id->type != J_NUM || !locked || locked->type != J_BOOL ||
	    !devs || devs->type != J_ARR || !jstr(jg, "name") ||
	    !jstr(jg, "provider") || !jstr(jg, "manager") ||
	    !jstr(jg, "owner") || !jstr(jg, "reserved"))
		return "a group lacks one of its keys";
	for (i = 0; i < s->n; i++)
		if (s->g[i].id == (int)id->num)
			g = &s->g[i];
	if (!g) {
		snprintf(why, sizeof(why), "group %d is not in sysfs", (int)id->num);
		return why;
	}
	if (strcmp(jstr(jg, "name"), g->name) ||
	    strcmp(jstr(jg, "provider"), g->provider) ||
	    strcmp(jstr(jg, "manager"), g->manager) || locked->b != g->locked) {
		snprintf(why, sizeof(why),
			 "group %d: tool says %s/%s/%s/%d, sysfs %s/%s/%s/%d", g->id,
			 jstr(jg, "name"), jstr(jg, "provider"), jstr(jg, "manager"),
			 locked->b, g->name, g->provider, g->manager, g->locked);
		return why;
	}
	if (strcmp(jstr(jg, "owner"), g->owner) ||
	    strcmp(jstr(jg, "reserved"), g->reserved)) {
		snprintf(why, sizeof(why),
			 "group %d: tool says owner '%s' reserved '%s', sysfs '%s' '%s'",
			 g->id, jstr(jg, "owner"), jstr(jg, "reserved"), g->owner,
			 g->reserved);
		return why;
	}
	if (devs->n != g->n) {
		snprintf(why, sizeof(why), "group %d: tool lists %d devices, sysfs %d",
			 g->id, devs->n, g->n);
		return why;
	}
	for (j = 0; j < devs->n; j++) {
		const struct jval *d = &devs->items[j];
		const struct smember *m = NULL;
		const char *name = jstr(d, "name");

		for (i = 0; name && i < g->n; i++)
			if (!strcmp(g->m[i].name, name))
				m = &g->m[i];
		if (!m || !jstr(d, "driver") || !jstr(d, "reason") ||
		    !jstr(d, "reason_device")) {
			snprintf(why, sizeof(why), "group %d: device %s unknown or incomplete",
				 g->id, name ? name : "(no name)");
			return why;
		}
		if (strcmp(jstr(d, "driver"), m->driver) ||
		    strcmp(jstr(d, "reason"), m->reason) ||
		    strcmp(jstr(d, "reason_device"), m->reason_dev) ||
		    strcmp(jstr(d, "vendor") ?: "", m->vendor) ||
		    strcmp(jstr(d, "device") ?: "", m->device)) {
			snprintf(why, sizeof(why),
				 "%s: tool says %s/%s/%s, sysfs %s/%s/%s", name,
				 jstr(d, "driver"), jstr(d, "reason"),
				 jstr(d, "reason_device"), m->driver, m->reason,
				 m->reason_dev);
			return why;
		}
	}
	return NULL;
}

/*
 * Run the tool with @args and read sysfs before and after; retry while the
 * state changes under the run (drivers still binding).  Fills @s and @r.
 */
static int stable_run(struct __test_metadata *_metadata, struct sstate *s,
		      struct run *r, const char *a0, const char *a1,
		      const char *a2)
{
	static struct sstate after;
	int tries;

	for (tries = 0; tries < 20; tries++) {
		if (read_state(s) || run_tool(r, a0, a1, a2, NULL))
			goto again;
		if (!read_state(&after) && same_state(s, &after))
			return 0;
		free_run(r);
again:
		usleep(100 * 1000);
	}
	TH_LOG("sysfs kept changing while lsisolation ran");
	return -1;
}

static struct sstate state;

TEST(json_matches_sysfs)
{
	struct jval doc;
	struct run r;
	int i;

	ASSERT_EQ(0, stable_run(_metadata, &state, &r, "--json", NULL, NULL));
	ASSERT_EQ(0, r.status) TH_LOG("exit %d, stderr: %s", r.status, r.err);
	ASSERT_EQ(0, jparse_doc(r.out, &doc)) TH_LOG("not one JSON document:\n%s", r.out);
	ASSERT_EQ(J_ARR, doc.type);
	ASSERT_EQ(state.n, doc.n) TH_LOG("tool lists %d groups, sysfs has %d", doc.n, state.n);
	for (i = 0; i < doc.n; i++) {
		const char *why = diff_group(&doc.items[i], &state);

		EXPECT_EQ(NULL, why) TH_LOG("%s", why);
	}
	ASSERT_LT(0, state.n) TH_LOG("no isolation groups to check");
	jfree(&doc);
	free_run(&r);
}

TEST(tree_output)
{
	char line[512];
	struct run r;
	int i, j;

	ASSERT_EQ(0, stable_run(_metadata, &state, &r, NULL, NULL, NULL));
	ASSERT_EQ(0, r.status) TH_LOG("exit %d, stderr: %s", r.status, r.err);
	ASSERT_LT(0, state.n);
	for (i = 0; i < state.n; i++) {
		const struct sgroup *g = &state.g[i];

		/* Owner and reservation only when the group has them. */
		snprintf(line, sizeof(line),
			 "group %d: %s  provider %s  manager %s  %s%s%s%s%s\n",
			 g->id, g->name, g->provider, *g->manager ? g->manager : "none",
			 g->locked ? "locked" : "unlocked",
			 *g->owner ? "  owner " : "", g->owner,
			 *g->reserved ? "  reserved for " : "", g->reserved);
		EXPECT_NE(NULL, strstr(r.out, line)) TH_LOG("no line '%s'", line);
		for (j = 0; j < g->n; j++) {
			const struct smember *m = &g->m[j];
			char *l, *eol;

			/* A device line: "  |-- <name> ..." or "  `-- <name> ..." */
			snprintf(line, sizeof(line), "-- %s ", m->name);
			l = strstr(r.out, line);
			ASSERT_NE(NULL, l) TH_LOG("%s not listed", m->name);
			eol = strchr(l, '\n');
			ASSERT_NE(NULL, eol);
			*eol = '\0';
			EXPECT_NE(NULL, strstr(l, *m->driver ? m->driver : "(no driver)"))
				TH_LOG("%s: driver %s missing in '%s'", m->name, m->driver, l);
			if (*m->reason_dev)
				EXPECT_NE(NULL, strstr(l, m->reason_dev))
					TH_LOG("%s: reason device missing in '%s'", m->name, l);
			snprintf(line, sizeof(line), "[%s:%s]", m->vendor, m->device);
			if (*m->vendor)
				EXPECT_NE(NULL, strstr(l, line))
					TH_LOG("%s: ids %s missing in '%s'", m->name, line, l);
			*eol = '\n';
		}
	}
	free_run(&r);
}

/* -g by id and by name: exactly the groups that have that id or name. */
TEST(group_selection)
{
	char id[16];
	struct jval doc;
	struct run r;
	int i, k, named;

	ASSERT_EQ(0, read_state(&state));
	ASSERT_LT(0, state.n);
	for (i = 0; i < state.n; i++) {
		const struct sgroup *g = &state.g[i];

		snprintf(id, sizeof(id), "%d", g->id);
		ASSERT_EQ(0, run_tool(&r, "--json", "-g", id, NULL));
		ASSERT_EQ(0, r.status) TH_LOG("-g %s: exit %d: %s", id, r.status, r.err);
		ASSERT_EQ(0, jparse_doc(r.out, &doc));
		ASSERT_EQ(1, doc.n) TH_LOG("-g %s gives %d groups", id, doc.n);
		EXPECT_EQ(g->id, (int)jget(&doc.items[0], "id")->num);
		jfree(&doc);
		free_run(&r);

		for (k = 0, named = 0; k < state.n; k++)
			named += !strcmp(state.g[k].name, g->name);
		ASSERT_EQ(0, run_tool(&r, "--json", "--group", g->name, NULL));
		ASSERT_EQ(0, r.status) TH_LOG("-g %s: exit %d: %s", g->name, r.status, r.err);
		ASSERT_EQ(0, jparse_doc(r.out, &doc));
		EXPECT_EQ(named, doc.n) TH_LOG("-g %s gives %d groups", g->name, doc.n);
		for (k = 0; k < doc.n; k++)
			EXPECT_STREQ(g->name, jstr(&doc.items[k], "name"));
		jfree(&doc);
		free_run(&r);
	}
}

/* -d: the group of each member, and the line that says why. */
TEST(device_lookup)
{
	const struct jval *devs;
	char want[512];
	struct jval doc;
	struct run r;
	int i, j, k;
	bool found;

	ASSERT_EQ(0, read_state(&state));
	for (i = 0; i < state.n; i++) {
		for (j = 0; j < state.g[i].n; j++) {
			const struct sgroup *g = &state.g[i];
			const char *dev = g->m[j].name;

			ASSERT_EQ(0, run_tool(&r, "-j", "-d", dev, NULL));
			ASSERT_EQ(0, r.status) TH_LOG("-d %s: %s", dev, r.err);
			ASSERT_EQ(0, jparse_doc(r.out, &doc));
			ASSERT_EQ(1, doc.n);
			EXPECT_EQ(g->id, (int)jget(&doc.items[0], "id")->num);
			devs = jget(&doc.items[0], "devices");
			found = false;
			for (k = 0; k < devs->n; k++)
				found |= !strcmp(dev, jstr(&devs->items[k], "name"));
			EXPECT_TRUE(found) TH_LOG("-d %s: device not in the group shown", dev);
			jfree(&doc);
			free_run(&r);

			ASSERT_EQ(0, run_tool(&r, "--device", dev, NULL));
			ASSERT_EQ(0, r.status);
			snprintf(want, sizeof(want), "\n%s is in group %d (%s): ", dev,
				 g->id, g->name);
			EXPECT_NE(NULL, strstr(r.out, want))
				TH_LOG("no '%s' in:\n%s", want + 1, r.out);
			free_run(&r);
		}
	}
}

/* A device of any bus that is in no group, into @name; false if none. */
static bool ungrouped_device(char *name)
{
	char path[PATH_MAX];
	struct dirent *bus, *dev;
	bool found = false;
	DIR *b, *d;

	b = opendir("/sys/bus");
	while (b && !found && (bus = readdir(b))) {
		if (bus->d_name[0] == '.' ||
		    pathf(path, "/sys/bus/%s/devices", bus->d_name))
			continue;
		d = opendir(path);
		while (d && !found && (dev = readdir(d))) {
			char link[PATH_MAX];
			struct stat st;

			if (dev->d_name[0] == '.' || strlen(dev->d_name) >= NAME_LEN ||
			    pathf(link, "%s/%s/isolation_group", path, dev->d_name))
				continue;
			if (lstat(link, &st) && errno == ENOENT) {
				memcpy(name, dev->d_name, strlen(dev->d_name) + 1);
				found = true;
			}
		}
		if (d)
			closedir(d);
	}
	if (b)
		closedir(b);
	return found;
}

/* One line on stderr, nothing on stdout, exit status @want. */
#define EXPECT_REFUSED(want, ...) do {					\
	struct run _r;							\
	ASSERT_EQ(0, run_tool(&_r, __VA_ARGS__, NULL));			\
	EXPECT_EQ(want, _r.status) TH_LOG("exit %d", _r.status);	\
	EXPECT_STREQ("", _r.out);					\
	EXPECT_EQ(1, _r.err_lines) TH_LOG("stderr: '%s'", _r.err);	\
	free_run(&_r);							\
} while (0)

TEST(bad_input)
{
	char dev[NAME_LEN];
	struct run r;

	EXPECT_REFUSED(2, "--bogus");
	EXPECT_REFUSED(2, "-x");
	EXPECT_REFUSED(2, "-g");
	EXPECT_REFUSED(2, "--device");
	EXPECT_REFUSED(2, "-g", "0", "-d", "x");
	EXPECT_REFUSED(2, "stray-argument");
	EXPECT_REFUSED(1, "-g", "no-such-group");
	EXPECT_REFUSED(1, "-g", "99999", "--json");
	EXPECT_REFUSED(1, "-d", "0000:ff:1f.7");
	EXPECT_REFUSED(1, "-d", "/sys/devices/no-such-device", "--json");
	EXPECT_REFUSED(1, "-d", "");
	EXPECT_REFUSED(3, "--sysfs", "/nonexistent");
	EXPECT_REFUSED(3, "--json", "--sysfs", "/proc");
	ASSERT_TRUE(ungrouped_device(dev)) TH_LOG("no device outside the groups");
	EXPECT_REFUSED(1, "-d", dev);

	/* The message names the cause. */
	ASSERT_EQ(0, run_tool(&r, "--sysfs", "/nonexistent", NULL));
	EXPECT_NE(NULL, strstr(r.err, "CONFIG_ISOLATION_GROUPS")) TH_LOG("%s", r.err);
	free_run(&r);
	ASSERT_EQ(0, run_tool(&r, "-h", NULL));
	EXPECT_EQ(0, r.status);
	EXPECT_NE(NULL, strstr(r.out, "Usage:"));
	free_run(&r);
}

/* Write @text into @root/@rel, creating directories. */
static void fake_file(const char *root, const char *rel, const char *text)
{
	char path[PATH_MAX], cmd[PATH_MAX + 64];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
	if (system(cmd))
		return;
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void fake_dir(const char *root, const char *rel)
{
	char cmd[PATH_MAX + 64];

	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/%s'", root, rel);
	if (system(cmd))
		return;
}

static int fake_link(const char *root, const char *rel, const char *target)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	return symlink(target, path);
}

static void fake_group(const char *root, int id, const char *name)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "isolation/%d/name", id);
	fake_file(root, rel, name);
	snprintf(rel, sizeof(rel), "isolation/%d/provider", id);
	fake_file(root, rel, "fake\n");
	snprintf(rel, sizeof(rel), "isolation/%d/manager", id);
	fake_file(root, rel, "\n");
	snprintf(rel, sizeof(rel), "isolation/%d/locked", id);
	fake_file(root, rel, "0\n");
	snprintf(rel, sizeof(rel), "isolation/%d/devices", id);
	fake_dir(root, rel);
}

/*
 * Hot removal frozen in a fake sysfs: group 1 lost its attributes (it went
 * away between the listing and the read), a link of group 0 dangles (its
 * device is gone), a member of group 2 has no isolation_reason any more (it
 * left the group).  The rest must still be shown, as valid JSON.
 */
TEST(vanished_entries)
{
	char root[] = FAKE_ROOT;
	struct jval doc;
	struct run r;
	const struct jval *devs;

	ASSERT_EQ(0, system("rm -rf " FAKE_ROOT));
	fake_group(root, 0, "zero\n");
	fake_group(root, 2, "two\n");
	fake_dir(root, "isolation/1/devices");
	fake_file(root, "devices/a/isolation_reason", "boundary\n");
	fake_file(root, "devices/a/isolation_reason_device", "\n");
	fake_file(root, "devices/b/isolation_reason_device", "\n");
	ASSERT_EQ(0, fake_link(root, "isolation/0/devices/a", FAKE_ROOT "/devices/a"));
	ASSERT_EQ(0, fake_link(root, "isolation/0/devices/gone", FAKE_ROOT "/devices/gone"));
	ASSERT_EQ(0, fake_link(root, "isolation/2/devices/b", FAKE_ROOT "/devices/b"));

	ASSERT_EQ(0, run_tool(&r, "--json", "--sysfs", root, NULL));
	ASSERT_EQ(0, r.status) TH_LOG("exit %d: %s", r.status, r.err);
	ASSERT_EQ(0, jparse_doc(r.out, &doc)) TH_LOG("%s", r.out);
	ASSERT_EQ(2, doc.n) TH_LOG("%s", r.out);
	EXPECT_STREQ("zero", jstr(&doc.items[0], "name"));
	EXPECT_STREQ("two", jstr(&doc.items[1], "name"));
	devs = jget(&doc.items[0], "devices");
	ASSERT_EQ(1, devs->n);
	EXPECT_STREQ("a", jstr(&devs->items[0], "name"));
	EXPECT_STREQ("", jstr(&devs->items[0], "driver"));
	EXPECT_EQ(0, jget(&doc.items[1], "devices")->n);
	jfree(&doc);
	free_run(&r);

	/* A device whose group went away: one line, nothing on stdout. */
	EXPECT_REFUSED(1, "--sysfs", root, "-g", "1");
	ASSERT_EQ(0, system("rm -rf " FAKE_ROOT));
}

/*
 * A misc character device minor that no driver has: opening a node of it
 * fails with -ENODEV, what sysfs answers for a file of a kobject being
 * removed.  Returns the minor, or -1 if /proc/misc cannot be read.
 */
static int unused_misc_minor(void)
{
	bool used[256] = { false };
	char line[128], *end;
	long minor;
	FILE *f;

	f = fopen("/proc/misc", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		minor = strtol(line, &end, 10);
		if (end != line && minor >= 0 && minor < 256)
			used[minor] = true;
	}
	fclose(f);
	for (minor = 200; minor < 255; minor++)
		if (!used[minor])
			return minor;
	return -1;
}

/*
 * A group or member file that answers -ENODEV (its kobject is on the way
 * out) counts as vanished; any other read error fails the run with one line.
 */
TEST(entries_going_away)
{
	char root[] = FAKE_ROOT, path[PATH_MAX];
	int minor = unused_misc_minor();
	struct jval doc;
	struct run r;
	const struct jval *devs;

	ASSERT_LE(0, minor) TH_LOG("no free misc minor in /proc/misc");
	ASSERT_EQ(0, system("rm -rf " FAKE_ROOT));
	fake_group(root, 0, "zero\n");
	fake_group(root, 1, "one\n");
	fake_file(root, "devices/a/isolation_reason", "boundary\n");
	fake_file(root, "devices/a/isolation_reason_device", "\n");
	fake_file(root, "devices/b/isolation_reason_device", "\n");
	ASSERT_EQ(0, fake_link(root, "isolation/0/devices/a", FAKE_ROOT "/devices/a"));
	ASSERT_EQ(0, fake_link(root, "isolation/0/devices/b", FAKE_ROOT "/devices/b"));
	snprintf(path, sizeof(path), "%s/devices/b/isolation_reason", root);
	ASSERT_EQ(0, mknod(path, S_IFCHR | 0444, makedev(10, minor)));
	snprintf(path, sizeof(path), "%s/isolation/1/name", root);
	ASSERT_EQ(0, unlink(path));
	ASSERT_EQ(0, mknod(path, S_IFCHR | 0444, makedev(10, minor)));

	ASSERT_EQ(0, run_tool(&r, "--json", "--sysfs", root, NULL));
	ASSERT_EQ(0, r.status) TH_LOG("exit %d: %s", r.status, r.err);
	ASSERT_EQ(0, jparse_doc(r.out, &doc)) TH_LOG("%s", r.out);
	ASSERT_EQ(1, doc.n) TH_LOG("%s", r.out);
	EXPECT_STREQ("zero", jstr(&doc.items[0], "name"));
	devs = jget(&doc.items[0], "devices");
	ASSERT_EQ(1, devs->n);
	EXPECT_STREQ("a", jstr(&devs->items[0], "name"));
	jfree(&doc);
	free_run(&r);

	/* A file that cannot be read for another reason is an error. */
	ASSERT_EQ(0, unlink(path));
	ASSERT_EQ(0, mkdir(path, 0755));
	EXPECT_REFUSED(3, "--json", "--sysfs", root);
	ASSERT_EQ(0, run_tool(&r, "--sysfs", root, NULL));
	EXPECT_NE(NULL, strstr(r.err, "Is a directory")) TH_LOG("%s", r.err);
	free_run(&r);
	ASSERT_EQ(0, system("rm -rf " FAKE_ROOT));
}

static bool known_reason(const char *r)
{
	static const char * const known[] = {
		"boundary", "dma-alias", "pci-bridge", "no-acs",
		"multifunction", "provider",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(known); i++)
		if (!strcmp(r, known[i]))
			return true;
	return false;
}

FIXTURE(hotplug) {
};

FIXTURE_SETUP(hotplug)
{
}

FIXTURE_TEARDOWN(hotplug)
{
}

/*
 * Keep reading while the host adds and removes devices (until the file in
 * ISOLATION_LSISOLATION_UNTIL exists; without it, 20 runs): every run exits
 * 0 with one well-formed document whose groups and devices are complete.
 * The guest waits up to 60 s for a device to come or go.
 */
TEST_F_TIMEOUT(hotplug, runs_during_hotplug, 180)
{
	const char *until = getenv("ISOLATION_LSISOLATION_UNTIL");
	int runs = 0, i, j;

	while (until ? runs == 0 || access(until, F_OK) : runs < 20) {
		struct jval doc;
		struct run r;

		ASSERT_EQ(0, run_tool(&r, "--json", NULL));
		runs++;
		ASSERT_EQ(0, r.status) TH_LOG("run %d: exit %d: %s", runs, r.status, r.err);
		ASSERT_EQ(0, jparse_doc(r.out, &doc)) TH_LOG("run %d:\n%s", runs, r.out);
		ASSERT_EQ(J_ARR, doc.type);
		for (i = 0; i < doc.n; i++) {
			const struct jval *g = &doc.items[i], *devs = jget(g, "devices");

			ASSERT_TRUE(jstr(g, "name") && *jstr(g, "name") &&
				    jstr(g, "provider") && devs && devs->type == J_ARR);
			for (j = 0; j < devs->n; j++) {
				const char *reason = jstr(&devs->items[j], "reason");

				ASSERT_TRUE(reason && known_reason(reason))
					TH_LOG("run %d: reason %s", runs, reason);
			}
		}
		jfree(&doc);
		free_run(&r);
	}
	TH_LOG("%d runs of lsisolation --json", runs);
}

TEST_HARNESS_MAIN
