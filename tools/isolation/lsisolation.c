// SPDX-License-Identifier: GPL-2.0
/*
 * lsisolation - list isolation groups and why each device is in its group
 *
 * Reads /sys/isolation and the sysfs files of the member devices (see
 * Documentation/ABI/testing/sysfs-isolation) and prints, for every group,
 * its id, name, provider, manager and locked state, its owner and the
 * manager it is reserved for if it has them, and under it every
 * device with its bound driver, its PCI vendor:device and class where it has
 * them, and the reason the provider gave for putting it there.
 *
 *   lsisolation                every group, as a tree
 *   lsisolation -g ID|NAME     one group, by id or by name
 *   lsisolation -d DEVICE      the group of one device, and why it is there
 *   lsisolation --json ...     the same as one JSON document (an array of
 *                              groups; schema in Documentation/isolation.txt)
 *
 * Groups and devices come and go while the tool reads (hot-plug): an entry
 * that vanishes midway is left out and the rest is still printed.  The
 * output is assembled in memory and written at once, so it is never cut
 * short; every other failure is one line on stderr and a non-zero exit.
 *
 * Libc only, one source file: "gcc -static lsisolation.c" builds it for
 * any initramfs.
 *
 * Copyright (C) 2026 Isolation Groups Developers
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ATTR_LEN	256

/* Exit statuses: found and printed; nothing to show; bad use; failure. */
enum { EXIT_OK = 0, EXIT_NOT_FOUND = 1, EXIT_USAGE = 2, EXIT_FAIL = 3 };

struct member {
	char name[NAME_MAX + 1];	/* the device's own name */
	char driver[NAME_MAX + 1];	/* empty: no driver bound */
	char reason[ATTR_LEN];
	char reason_dev[ATTR_LEN];	/* empty: none */
	char vendor[8], device[8];	/* "8086", "10d3"; empty if none */
	char class[8];			/* "0200" (class and subclass) */
};

struct group {
	int id;
	char name[ATTR_LEN];
	char provider[ATTR_LEN];
	char manager[ATTR_LEN];		/* empty: no manager */
	bool locked;
	char owner[ATTR_LEN];		/* empty: no owner; uid or uid:gid */
	char reserved[ATTR_LEN];	/* empty: not reserved from boot */
	struct member *members;
	int nr_members;
};

static const char *sysfs = "/sys";

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p) {
		warnx("out of memory");
		exit(EXIT_FAIL);
	}
	return p;
}

/*
 * -errno of the last failed call on an entry that may be going away.  sysfs
 * answers -ENODEV, not -ENOENT, to a read of a file whose kobject is being
 * removed (kernfs deactivates the node before it unlinks it); both mean
 * "gone" here.
 */
static int entry_errno(void)
{
	return errno == ENODEV ? -ENOENT : -errno;
}

/*
 * Read a one-value sysfs attribute into @buf without its newline.
 * Returns 0, or -errno (-ENOENT when the file or its directory is gone).
 */
static int read_attr(const char *dir, const char *attr, char *buf, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	if (snprintf(path, sizeof(path), "%s/%s", dir, attr) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return entry_errno();
	n = read(fd, buf, len - 1);
	if (n < 0)
		n = entry_errno();
	close(fd);
	if (n < 0)
		return n;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* As read_attr(), but an attribute the kernel lacks reads empty. */
static int read_optional_attr(const char *dir, const char *attr, char *buf,
			      size_t len)
{
	char path[PATH_MAX];
	int ret = read_attr(dir, attr, buf, len);

	if (ret != -ENOENT)
		return ret;
	/* -ENOENT is also what a vanished group gives: tell them apart. */
	if (snprintf(path, sizeof(path), "%s/name", dir) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	if (access(path, F_OK))
		return -ENOENT;
	buf[0] = '\0';
	return 0;
}

/* The last component of symbolic link @dir/@link into @buf; -errno. */
static int read_link_name(const char *dir, const char *link, char *buf,
			  size_t len)
{
	char path[PATH_MAX], target[PATH_MAX];
	const char *base;
	ssize_t n;

	if (snprintf(path, sizeof(path), "%s/%s", dir, link) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return entry_errno();
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	n = strlen(base);
	if ((size_t)n >= len)
		return -ENAMETOOLONG;
	memcpy(buf, base, n + 1);
	return 0;
}

/* "0x8086" -> "8086"; @width hex digits of the value, or "" if none. */
static void read_hex(const char *dir, const char *attr, int shift, int width,
		     char *buf, size_t len)
{
	char val[ATTR_LEN];
	unsigned long v;
	char *end;

	buf[0] = '\0';
	if (read_attr(dir, attr, val, sizeof(val)))
		return;
	errno = 0;
	v = strtoul(val, &end, 16);
	if (errno || end == val || *end)
		return;
	snprintf(buf, len, "%0*lx", width, v >> shift);
}

/*
 * Read one member from its link @link in @devices.  Returns 0, -ENOENT if
 * the device or its membership vanished meanwhile, or another -errno.
 */
static int read_member(const char *devices, const char *link, struct member *m)
{
	char path[PATH_MAX], dir[PATH_MAX];
	int ret;

	memset(m, 0, sizeof(*m));
	if (snprintf(path, sizeof(path), "%s/%s", devices, link) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	if (!realpath(path, dir))
		return entry_errno();
	ret = read_link_name(devices, link, m->name, sizeof(m->name));
	if (ret)
		return ret;
	ret = read_attr(dir, "isolation_reason", m->reason, sizeof(m->reason));
	if (!ret)
		ret = read_attr(dir, "isolation_reason_device", m->reason_dev,
				sizeof(m->reason_dev));
	if (ret)
		return ret;
	ret = read_link_name(dir, "driver", m->driver, sizeof(m->driver));
	if (ret == -ENOENT)
		m->driver[0] = '\0';
	else if (ret)
		return ret;
	read_hex(dir, "vendor", 0, 4, m->vendor, sizeof(m->vendor));
	read_hex(dir, "device", 0, 4, m->device, sizeof(m->device));
	read_hex(dir, "class", 8, 4, m->class, sizeof(m->class));
	return 0;
}

static int cmp_member(const void *a, const void *b)
{
	return strcmp(((const struct member *)a)->name,
		      ((const struct member *)b)->name);
}

static void free_group(struct group *g)
{
	free(g->members);
	g->members = NULL;
	g->nr_members = 0;
}

/*
 * Read group @id.  Returns 0, -ENOENT if the group vanished meanwhile, or
 * another -errno.  Members that vanish meanwhile are left out.
 */
static int read_group(int id, struct group *g)
{
	char dir[PATH_MAX], devices[PATH_MAX + 8], locked[ATTR_LEN];
	struct dirent *de;
	int ret, cap = 0;
	DIR *d;

	memset(g, 0, sizeof(*g));
	g->id = id;
	snprintf(dir, sizeof(dir), "%s/isolation/%d", sysfs, id);
	ret = read_attr(dir, "name", g->name, sizeof(g->name));
	if (!ret)
		ret = read_attr(dir, "provider", g->provider, sizeof(g->provider));
	if (!ret)
		ret = read_attr(dir, "manager", g->manager, sizeof(g->manager));
	if (!ret)
		ret = read_attr(dir, "locked", locked, sizeof(locked));
	if (ret)
		return ret;
	g->locked = !strcmp(locked, "1");
	/* Kernels before delegation and reservation lack these two. */
	ret = read_optional_attr(dir, "owner", g->owner, sizeof(g->owner));
	if (!ret)
		ret = read_optional_attr(dir, "reserved", g->reserved,
					 sizeof(g->reserved));
	if (ret)
		return ret;

	snprintf(devices, sizeof(devices), "%s/devices", dir);
	d = opendir(devices);
	if (!d)
		return entry_errno();
	while ((errno = 0, de = readdir(d))) {
		struct member m;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		ret = read_member(devices, de->d_name, &m);
		if (ret == -ENOENT) {
			ret = 0;
			continue;	/* left the group or went away */
		}
		if (ret) {
			warnx("%s/%s: %s", devices, de->d_name, strerror(-ret));
			break;
		}
		if (g->nr_members == cap) {
			struct member *n;

			cap = cap ? 2 * cap : 8;
			n = realloc(g->members, cap * sizeof(*n));
			if (!n) {
				ret = -ENOMEM;
				break;
			}
			g->members = n;
		}
		g->members[g->nr_members++] = m;
	}
	if (!ret && errno)
		ret = entry_errno();
	closedir(d);
	if (ret) {
		free_group(g);
		return ret;
	}
	qsort(g->members, g->nr_members, sizeof(*g->members), cmp_member);
	return 0;
}

/* A directory entry that is a group id: digits only. */
static int parse_id(const char *s)
{
	long v;
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v > INT_MAX)
		return -1;
	return v;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* The ids under /sys/isolation, sorted.  Returns their number or -errno. */
static int list_ids(int **ids)
{
	char dir[PATH_MAX];
	struct dirent *de;
	int n = 0, cap = 16, ret = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/isolation", sysfs);
	d = opendir(dir);
	if (!d)
		return -errno;
	*ids = xcalloc(cap, sizeof(**ids));
	while ((errno = 0, de = readdir(d))) {
		int id = parse_id(de->d_name);

		if (id < 0)
			continue;
		if (n == cap) {
			int *p = realloc(*ids, 2 * cap * sizeof(*p));

			if (!p) {
				ret = -ENOMEM;
				break;
			}
			*ids = p;
			cap *= 2;
		}
		(*ids)[n++] = id;
	}
	if (!ret && errno)
		ret = -errno;
	closedir(d);
	if (ret) {
		free(*ids);
		*ids = NULL;
		return ret;
	}
	qsort(*ids, n, sizeof(**ids), cmp_int);
	return n;
}

/* The reason of @m in words. */
static void reason_words(const struct member *m, char *buf, size_t len)
{
	const char *r = m->reason, *x = m->reason_dev;

	if (!strcmp(r, "boundary"))
		snprintf(buf, len, "boundary of the group");
	else if (!strcmp(r, "dma-alias"))
		snprintf(buf, len, "DMA alias of %s", x);
	else if (!strcmp(r, "pci-bridge"))
		snprintf(buf, len, "behind PCIe-to-PCI/PCI-X bridge %s", x);
	else if (!strcmp(r, "no-acs"))
		snprintf(buf, len, "no isolating ACS at %s", x);
	else if (!strcmp(r, "multifunction"))
		snprintf(buf, len, "multifunction sibling of %s, no ACS between them", x);
	else if (!strcmp(r, "provider"))
		snprintf(buf, len, "placed there by the provider");
	else	/* a keyword newer than this tool: show it as it is */
		snprintf(buf, len, "%s%s%s", r, *x ? " " : "", x);
}

static void print_tree(FILE *out, const struct group *g, const char *mark)
{
	int i;

	fprintf(out, "group %d: %s  provider %s  manager %s  %s", g->id,
		g->name, g->provider, *g->manager ? g->manager : "none",
		g->locked ? "locked" : "unlocked");
	if (*g->owner)
		fprintf(out, "  owner %s", g->owner);
	if (*g->reserved)
		fprintf(out, "  reserved for %s", g->reserved);
	fputc('\n', out);
	for (i = 0; i < g->nr_members; i++) {
		const struct member *m = &g->members[i];
		char ids[32] = "", why[2 * ATTR_LEN];

		if (*m->vendor && *m->device)
			snprintf(ids, sizeof(ids), "[%s:%s]", m->vendor, m->device);
		if (*m->class)
			snprintf(ids + strlen(ids), sizeof(ids) - strlen(ids),
				 "%sclass %s", *ids ? " " : "", m->class);
		reason_words(m, why, sizeof(why));
		fprintf(out, "  %s %-14s %-12s %-24s %s%s\n",
			i == g->nr_members - 1 ? "`--" : "|--", m->name,
			*m->driver ? m->driver : "(no driver)", ids, why,
			mark && !strcmp(mark, m->name) ? "   <==" : "");
	}
	if (!g->nr_members)
		fprintf(out, "  (no devices)\n");
}

/* A JSON string, or null for an empty one if @null_if_empty. */
static void json_str(FILE *out, const char *s, bool null_if_empty)
{
	if (null_if_empty && !*s) {
		fputs("null", out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static void print_json(FILE *out, const struct group *g, bool first)
{
	int i;

	fprintf(out, "%s\n  {\"id\": %d, \"name\": ", first ? "" : ",", g->id);
	json_str(out, g->name, false);
	fputs(", \"provider\": ", out);
	json_str(out, g->provider, false);
	fputs(", \"manager\": ", out);
	json_str(out, g->manager, true);
	fprintf(out, ", \"locked\": %s, \"owner\": ",
		g->locked ? "true" : "false");
	json_str(out, g->owner, true);
	fputs(", \"reserved\": ", out);
	json_str(out, g->reserved, true);
	fputs(",\n   \"devices\": [", out);
	for (i = 0; i < g->nr_members; i++) {
		const struct member *m = &g->members[i];

		fprintf(out, "%s\n    {\"name\": ", i ? "," : "");
		json_str(out, m->name, false);
		fputs(", \"driver\": ", out);
		json_str(out, m->driver, true);
		fputs(", \"reason\": ", out);
		json_str(out, m->reason, false);
		fputs(", \"reason_device\": ", out);
		json_str(out, m->reason_dev, true);
		if (*m->vendor && *m->device) {
			fputs(", \"vendor\": ", out);
			json_str(out, m->vendor, false);
			fputs(", \"device\": ", out);
			json_str(out, m->device, false);
		}
		if (*m->class) {
			fputs(", \"class\": ", out);
			json_str(out, m->class, false);
		}
		fputc('}', out);
	}
	fputs(i ? "\n   ]}" : "]}", out);
}

/*
 * The group that device @arg is in: @arg is a device name (looked up on
 * every bus) or a path into sysfs.  Returns the group id, or -1 after
 * saying why on stderr; *@name gets the device's name.
 */
static int device_group(const char *arg, char *name, size_t len)
{
	char path[PATH_MAX], dir[PATH_MAX], grp[NAME_MAX + 1];
	struct dirent *de;
	bool found = false;
	DIR *d;
	int ret;

	if (strchr(arg, '/')) {
		found = realpath(arg, dir);
	} else if (*arg && strcmp(arg, ".") && strcmp(arg, "..")) {
		snprintf(path, sizeof(path), "%s/bus", sysfs);
		d = opendir(path);
		while (d && !found && (de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			if (snprintf(path, sizeof(path), "%s/bus/%s/devices/%s",
				     sysfs, de->d_name, arg) >= (int)sizeof(path))
				continue;
			found = realpath(path, dir);
		}
		if (d)
			closedir(d);
	}
	if (!found) {
		warnx("%s: no such device", arg);
		return -1;
	}
	snprintf(name, len, "%s", strrchr(dir, '/') + 1);
	ret = read_link_name(dir, "isolation_group", grp, sizeof(grp));
	if (ret == -ENOENT) {
		warnx("%s: in no isolation group", name);
		return -1;
	}
	if (ret) {
		warnx("%s/isolation_group: %s", dir, strerror(-ret));
		return -1;
	}
	return parse_id(grp);
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [--json] [-g ID|NAME | -d DEVICE] [--sysfs DIR]\n"
		"List the isolation groups (/sys/isolation): each group's id, name,\n"
		"provider, manager and locked state, and each device's driver,\n"
		"PCI ids and why it is in its group.\n"
		"  -g, --group ID|NAME    only the group with this id or name\n"
		"  -d, --device DEVICE    the group of this device (a name such as\n"
		"                         0000:01:00.0, or a sysfs path), and why\n"
		"  -j, --json             one JSON document: an array of groups\n"
		"      --sysfs DIR        read DIR instead of /sys\n"
		"  -h, --help             this text\n", program_invocation_short_name);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "group", required_argument, NULL, 'g' },
		{ "device", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "sysfs", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	const char *me = program_invocation_short_name;
	const char *want_group = NULL, *want_dev = NULL;
	char dev_name[NAME_MAX + 1] = "", dir[PATH_MAX];
	int c, i, j, n, ret, dev_id = -1, shown = 0;
	bool json = false;
	struct stat st;
	char *buf = NULL;
	size_t buflen = 0;
	int *ids = NULL;
	FILE *out;

	opterr = 0;	/* one line of our own instead of getopt's */
	while ((c = getopt_long(argc, argv, ":g:d:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'g':
			want_group = optarg;
			break;
		case 'd':
			want_dev = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 's':
			sysfs = optarg;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case ':':
			warnx("option '%s' needs an argument; try '%s --help'",
			      argv[optind - 1], me);
			return EXIT_USAGE;
		default:
			if (optopt)
				warnx("unknown option '-%c'; try '%s --help'",
				      optopt, me);
			else
				warnx("unknown option '%s'; try '%s --help'",
				      argv[optind - 1], me);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		warnx("unexpected argument '%s'; try '%s --help'",
		      argv[optind], me);
		return EXIT_USAGE;
	}
	if (want_group && want_dev) {
		warnx("-g and -d exclude each other");
		return EXIT_USAGE;
	}

	snprintf(dir, sizeof(dir), "%s/isolation", sysfs);
	if (stat(dir, &st) || !S_ISDIR(st.st_mode)) {
		warnx("%s: %s (kernel without CONFIG_ISOLATION_GROUPS?)", dir,
		      errno ? strerror(errno) : "not a directory");
		return EXIT_FAIL;
	}
	if (want_dev) {
		dev_id = device_group(want_dev, dev_name, sizeof(dev_name));
		if (dev_id < 0)
			return EXIT_NOT_FOUND;
	}

	n = list_ids(&ids);
	if (n < 0) {
		warnx("%s: %s", dir, strerror(-n));
		return EXIT_FAIL;
	}
	out = open_memstream(&buf, &buflen);
	if (!out) {
		warnx("out of memory");
		return EXIT_FAIL;
	}
	if (json)
		fputc('[', out);
	for (i = 0; i < n; i++) {
		struct group g;

		if (dev_id >= 0 && ids[i] != dev_id)
			continue;
		ret = read_group(ids[i], &g);
		if (ret == -ENOENT)
			continue;	/* the group went away meanwhile */
		if (ret) {
			warnx("%s/%d: %s", dir, ids[i], strerror(-ret));
			goto fail;
		}
		if (want_group && strcmp(want_group, g.name) &&
		    parse_id(want_group) != g.id) {
			free_group(&g);
			continue;
		}
		if (json)
			print_json(out, &g, !shown);
		else
			print_tree(out, &g, want_dev ? dev_name : NULL);
		if (want_dev && !json) {
			for (j = 0; j < g.nr_members; j++) {
				char why[2 * ATTR_LEN];

				if (strcmp(g.members[j].name, dev_name))
					continue;
				reason_words(&g.members[j], why, sizeof(why));
				fprintf(out, "%s is in group %d (%s): %s\n",
					dev_name, g.id, g.name, why);
			}
		}
		shown++;
		free_group(&g);
	}
	if (json)
		fputs(shown ? "\n]\n" : "]\n", out);
	if (fclose(out)) {
		warnx("out of memory");
		goto fail_closed;
	}
	free(ids);
	if (want_group && !shown) {
		warnx("no isolation group with id or name '%s'", want_group);
		free(buf);
		return EXIT_NOT_FOUND;
	}
	if (want_dev && !shown) {
		warnx("%s: its group %d went away while reading", dev_name, dev_id);
		free(buf);
		return EXIT_NOT_FOUND;
	}
	if (!json && !shown)
		fputs("no isolation groups\n", stderr);
	if (fwrite(buf, 1, buflen, stdout) != buflen || fflush(stdout)) {
		warnx("write error: %s", strerror(errno));
		free(buf);
		return EXIT_FAIL;
	}
	free(buf);
	return EXIT_OK;

fail:
	fclose(out);
fail_closed:
	free(buf);
	free(ids);
	return EXIT_FAIL;
}
