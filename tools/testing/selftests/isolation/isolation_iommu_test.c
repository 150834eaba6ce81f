// SPDX-License-Identifier: GPL-2.0
/*
 * The groups of the IOMMU's isolation provider, checked against the IOMMU
 * core: every device in /sys/kernel/iommu_groups is in exactly one group of
 * the provider ("intel-iommu" under VT-d, "amd-iommu" under AMD-Vi) in
 * /sys/isolation and the two partitions are equal; every member says why it
 * is in its group, and what it says is coherent.
 *
 * With ISOLATION_IOMMU_EXPECT=<file>, the groups must also be the ones a
 * known topology implies.  Each line of the file is one expectation:
 *
 *   group <name> <device>...   a group of that name with exactly these
 *                              members
 *   reason <device> <keyword> [<device>]
 *                              the member's isolation_reason and
 *                              isolation_reason_device
 *   nogroup <name>             no group of that name
 *   gone <device>              no such device, and no member of that name
 *   groups <n>                 exactly n groups of the provider
 *   missing <device>           the device is translated (in an IOMMU
 *                              group) but the provider could not group it:
 *                              the partition test reports it and, being
 *                              expected, leaves it out of the comparison
 *   events <add> <del>         the test module's notifier listener has seen
 *                              exactly these device events since it loaded
 *
 * Without VT-d or AMD-Vi (no /sys/class/iommu/dmar* or ivhd*) every test is
 * skipped.
 *
 * Empty lines and lines starting with '#' are ignored.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "isolation.h"

#define IOMMU_GROUPS "/sys/kernel/iommu_groups"
/* The kselftests' own provider, lib/test_isolation.c, when it is loaded. */
#define TEST_PROVIDER "isolation-test"
#define MAX_DEVS 512
#define NAME_LEN 128

/*
 * The provider of the active IOMMU, from its units in /sys/class/iommu
 * (VT-d's DMAR units, AMD-Vi's IVHD units), or NULL.
 */
static const char *iommu_provider(void)
{
	const char *provider = NULL;
	struct dirent *de;
	DIR *d;

	d = opendir("/sys/class/iommu");
	while (d && !provider && (de = readdir(d))) {
		if (!strncmp(de->d_name, "dmar", 4))
			provider = "intel-iommu";
		else if (!strncmp(de->d_name, "ivhd", 4))
			provider = "amd-iommu";
	}
	if (d)
		closedir(d);
	return provider;
}

struct member {
	char path[PATH_MAX];	/* resolved sysfs path of the device */
	char name[NAME_LEN];	/* link name in devices/ */
	int group;		/* /sys/isolation/<id> or iommu group id */
};

struct partition {
	int count;
	struct member m[MAX_DEVS];
	int groups;			/* the provider's groups, members or not */
	int id[MAX_DEVS];
	char name[MAX_DEVS][NAME_LEN];
};

/* Group @id's name, if it is the IOMMU provider's; 0 if not; -1 on error. */
static int provider_group(struct __test_metadata *_metadata, int id, char *name)
{
	char dir[PATH_MAX], provider[NAME_LEN];

	ASSERT_EQ(0, pathf(dir, "%s/%d", ISOLATION_ROOT, id));
	if (read_attr(dir, "provider", provider, sizeof(provider)) < 0 ||
	    read_attr(dir, "name", name, NAME_LEN) <= 0) {
		EXPECT_TRUE(0) TH_LOG("%s: provider or name unreadable", dir);
		return -1;
	}
	if (!strcmp(provider, iommu_provider()))
		return 1;
	EXPECT_STREQ(TEST_PROVIDER, provider)
		TH_LOG("group %d (%s) has provider %s", id, name, provider);
	return 0;
}

/* Add the members listed in @dir/devices to @p as group @id. */
static void read_members(struct __test_metadata *_metadata, const char *dir,
			 int id, struct partition *p)
{
	char devices[PATH_MAX], link[PATH_MAX];
	struct member *m;
	struct dirent *de;
	DIR *d;

	ASSERT_EQ(0, pathf(devices, "%s/devices", dir));
	d = opendir(devices);
	ASSERT_NE(NULL, d) TH_LOG("opendir %s: %s", devices, strerror(errno));
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		ASSERT_LT(p->count, MAX_DEVS);
		m = &p->m[p->count];
		ASSERT_EQ(0, pathf(link, "%s/%s", devices, de->d_name));
		ASSERT_NE(NULL, realpath(link, m->path))
			TH_LOG("%s: dangling link: %s", link, strerror(errno));
		ASSERT_LT(snprintf(m->name, NAME_LEN, "%s", de->d_name),
			  NAME_LEN);
		m->group = id;
		p->count++;
	}
	closedir(d);
}

static int numeric_entry(const struct dirent *de)
{
	return de->d_name[0] >= '0' && de->d_name[0] <= '9';
}

/* The members of every group of the provider, or of every IOMMU group. */
static void read_partition(struct __test_metadata *_metadata, int provider,
			   struct partition *p)
{
	const char *root = provider ? ISOLATION_ROOT : IOMMU_GROUPS;
	char dir[PATH_MAX], name[NAME_LEN];
	struct dirent **de;
	int i, n, id;

	p->count = 0;
	p->groups = 0;
	n = scandir(root, &de, numeric_entry, versionsort);
	ASSERT_GE(n, 0) TH_LOG("scandir %s: %s", root, strerror(errno));
	for (i = 0; i < n; i++) {
		id = atoi(de[i]->d_name);
		free(de[i]);
		if (provider && provider_group(_metadata, id, name) != 1)
			continue;
		ASSERT_LT(p->groups, MAX_DEVS);
		p->id[p->groups] = id;
		snprintf(p->name[p->groups++], NAME_LEN, "%s", provider ? name : "");
		ASSERT_EQ(0, pathf(dir, "%s/%d", root, id));
		read_members(_metadata, dir, id, p);
	}
	free(de);
}

static struct member *find_path(struct partition *p, const char *path)
{
	int i;

	for (i = 0; i < p->count; i++)
		if (!strcmp(p->m[i].path, path))
			return &p->m[i];
	return NULL;
}

static struct partition iso, iommu;

#define NO_IOMMU "no VT-d or AMD-Vi unit is active (/sys/class/iommu)"

/* Is @path's device named in a "missing <device>" expectation? */
static int expected_missing(const char *path)
{
	const char *file = getenv("ISOLATION_IOMMU_EXPECT");
	const char *dev = strrchr(path, '/') + 1;
	char buf[512], *kw, *arg;
	int found = 0;
	FILE *f;

	f = file ? fopen(file, "r") : NULL;
	while (f && !found && fgets(buf, sizeof(buf), f)) {
		kw = strtok(buf, " \t\n");
		arg = strtok(NULL, " \t\n");
		found = kw && arg && !strcmp(kw, "missing") && !strcmp(arg, dev);
	}
	if (f)
		fclose(f);
	return found;
}

TEST(iommu_is_active)
{
	if (!iommu_provider())
		SKIP(return, NO_IOMMU);
	read_partition(_metadata, 0, &iommu);
	ASSERT_GT(iommu.count, 0)
		TH_LOG("no device in %s: the IOMMU is not active", IOMMU_GROUPS);
	read_partition(_metadata, 1, &iso);
	ASSERT_GT(iso.count, 0) TH_LOG("no group of provider %s", iommu_provider());
}

/*
 * Same devices, and two devices share an isolation group exactly when they
 * share an IOMMU group.
 */
TEST(partition_equals_iommu_groups)
{
	struct member *a, *b, *ia, *ib;
	int i, j, missing = 0;

	if (!iommu_provider())
		SKIP(return, NO_IOMMU);
	read_partition(_metadata, 0, &iommu);
	read_partition(_metadata, 1, &iso);
	for (i = 0; i < iommu.count; i++) {
		if (find_path(&iso, iommu.m[i].path))
			continue;
		missing++;
		/* Reported either way; a failure unless the topology expects it. */
		TH_LOG("%s (IOMMU group %d) is in no isolation group",
		       iommu.m[i].path, iommu.m[i].group);
		EXPECT_TRUE(expected_missing(iommu.m[i].path));
	}
	EXPECT_EQ(iommu.count - missing, iso.count);
	for (i = 0; i < iso.count; i++) {
		a = &iso.m[i];
		ia = find_path(&iommu, a->path);
		EXPECT_NE(NULL, ia)
			TH_LOG("%s (isolation group %d) is in no IOMMU group",
			       a->path, a->group);
		if (!ia)
			continue;
		for (j = i + 1; j < iso.count; j++) {
			b = &iso.m[j];
			ib = find_path(&iommu, b->path);
			if (!ib)
				continue;
			EXPECT_EQ(a->group == b->group, ia->group == ib->group)
				TH_LOG("%s and %s: isolation groups %d, %d; IOMMU groups %d, %d",
				       a->name, b->name, a->group, b->group,
				       ia->group, ib->group);
		}
	}
}

static const char * const reasons[] = {
	"boundary", "dma-alias", "pci-bridge", "no-acs", "multifunction",
	"provider",
};

static int known_reason(const char *r)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(reasons); i++)
		if (!strcmp(r, reasons[i]))
			return 1;
	return 0;
}

/* Member @name of any group of the provider, by its name in devices/. */
static struct member *find_name(struct partition *p, const char *name)
{
	int i;

	for (i = 0; i < p->count; i++)
		if (!strcmp(p->m[i].name, name))
			return &p->m[i];
	return NULL;
}

/* The name of the provider's group with id @id, or NULL. */
static const char *group_name(int id)
{
	int i;

	for (i = 0; i < iso.groups; i++)
		if (iso.id[i] == id)
			return iso.name[i];
	return NULL;
}

/* Read @m's isolation_reason and isolation_reason_device. */
static void read_reason(struct __test_metadata *_metadata,
			const struct member *m, char *reason, char *why)
{
	ASSERT_GT(read_attr(m->path, "isolation_reason", reason, NAME_LEN), 0);
	ASSERT_GE(read_attr(m->path, "isolation_reason_device", why,
			    NAME_LEN), 0);
}

/*
 * Every member has a known reason; the reasons that name a device name one
 * in the same group; a group's boundary is the member it is named after.
 */
TEST(reasons_are_coherent)
{
	char reason[NAME_LEN], why[NAME_LEN];
	struct member *m, *w;
	const char *name;
	int i;

	if (!iommu_provider())
		SKIP(return, NO_IOMMU);
	read_partition(_metadata, 1, &iso);
	for (i = 0; i < iso.count; i++) {
		m = &iso.m[i];
		read_reason(_metadata, m, reason, why);
		EXPECT_TRUE(known_reason(reason))
			TH_LOG("%s: unknown reason %s", m->name, reason);
		/* The IOMMU providers always know why. */
		EXPECT_STRNE("provider", reason) TH_LOG("%s", m->name);
		if (!strcmp(reason, "boundary") || !strcmp(reason, "provider")) {
			EXPECT_STREQ("", why) TH_LOG("%s", m->name);
		} else {
			EXPECT_STRNE("", why) TH_LOG("%s: %s of nothing",
						     m->name, reason);
			EXPECT_STRNE(m->name, why) TH_LOG("%s: %s of itself",
							  m->name, reason);
			w = find_name(&iso, why);
			EXPECT_NE(NULL, w)
				TH_LOG("%s: %s %s, which is in no group",
				       m->name, reason, why);
			if (w)
				EXPECT_EQ(m->group, w->group)
					TH_LOG("%s: %s %s, in another group",
					       m->name, reason, why);
		}
		name = group_name(m->group);
		ASSERT_NE(NULL, name);
		EXPECT_EQ(!strcmp(reason, "boundary"), !strcmp(name, m->name))
			TH_LOG("%s (%s) in group %s", m->name, reason, name);
	}
}

/* The id of the provider's group called @name, or -1. */
static int group_named(const char *name)
{
	int i;

	for (i = 0; i < iso.groups; i++)
		if (!strcmp(iso.name[i], name))
			return iso.id[i];
	return -1;
}

/* The next word of the expectation line being parsed, or NULL. */
static char *word(void)
{
	return strtok(NULL, " \t");
}

static void expect_group(struct __test_metadata *_metadata, int line)
{
	char *name = word(), *dev;
	int id, i, listed = 0, members = 0;
	struct member *m;

	ASSERT_NE(NULL, name) TH_LOG("line %d: group without a name", line);
	id = group_named(name);
	ASSERT_GE(id, 0) TH_LOG("line %d: no group named %s", line, name);
	while ((dev = word())) {
		listed++;
		m = find_name(&iso, dev);
		EXPECT_NE(NULL, m) TH_LOG("line %d: %s is in no group", line, dev);
		if (m)
			EXPECT_EQ(id, m->group)
				TH_LOG("line %d: %s is not in group %s", line,
				       dev, name);
	}
	for (i = 0; i < iso.count; i++)
		members += iso.m[i].group == id;
	EXPECT_EQ(listed, members)
		TH_LOG("line %d: group %s has %d members, expected %d", line,
		       name, members, listed);
}

static void expect_reason(struct __test_metadata *_metadata, int line)
{
	char *dev = word(), *want = word(), *want_why = word();
	char reason[NAME_LEN], why[NAME_LEN];
	struct member *m;

	ASSERT_NE(NULL, want) TH_LOG("line %d: reason <device> <keyword>", line);
	m = find_name(&iso, dev);
	ASSERT_NE(NULL, m) TH_LOG("line %d: %s is in no group", line, dev);
	read_reason(_metadata, m, reason, why);
	EXPECT_STREQ(want, reason) TH_LOG("line %d: reason of %s", line, dev);
	EXPECT_STREQ(want_why ? want_why : "", why)
		TH_LOG("line %d: reason device of %s", line, dev);
}

#define LISTENER "/sys/module/test_isolation/parameters"

/* A counter of the test module's listener, or -1 if it is not there. */
static int listened(const char *what)
{
	char buf[32];

	if (read_attr(LISTENER, what, buf, sizeof(buf)) <= 0)
		return -1;
	return atoi(buf);
}

/*
 * The test module listens to the notifier within the documented context
 * rules, and counts the device events whose promise did not hold (device
 * not in the group the event names); lockdep and the sleep checks of the
 * kernel judge the rest.
 */
TEST(listener_promises_kept)
{
	if (listened("listened_bad") < 0)
		SKIP(return, "test_isolation is not loaded");
	EXPECT_EQ(0, listened("listened_bad"));
	TH_LOG("listener: %d add, %d del events", listened("listened_add"),
	       listened("listened_del"));
}

static void expect_events(struct __test_metadata *_metadata, int line)
{
	char *add = word(), *del = word();

	ASSERT_TRUE(add && del) TH_LOG("line %d: events <add> <del>", line);
	ASSERT_LE(0, listened("listened_add"))
		TH_LOG("line %d: test_isolation is not loaded", line);
	EXPECT_EQ(atoi(add), listened("listened_add"))
		TH_LOG("line %d: ADD_DEVICE events", line);
	EXPECT_EQ(atoi(del), listened("listened_del"))
		TH_LOG("line %d: DEL_DEVICE events", line);
}

/* Translated by the IOMMU, in no group (the provider could not add it). */
static void expect_missing(struct __test_metadata *_metadata, int line)
{
	char *dev = word(), path[PATH_MAX], real[PATH_MAX];
	struct stat st;

	ASSERT_NE(NULL, dev) TH_LOG("line %d: missing <device>", line);
	ASSERT_EQ(0, pathf(path, "/sys/bus/pci/devices/%s/iommu_group", dev));
	EXPECT_EQ(0, stat(path, &st))
		TH_LOG("line %d: %s has no IOMMU group: its DMA is broken", line, dev);
	ASSERT_EQ(0, pathf(path, "/sys/bus/pci/devices/%s", dev));
	ASSERT_NE(NULL, realpath(path, real)) TH_LOG("line %d: no %s", line, dev);
	EXPECT_EQ(NULL, find_path(&iso, real))
		TH_LOG("line %d: %s is in a group of the provider", line, dev);
}

static void expect_gone(struct __test_metadata *_metadata, int line)
{
	char *dev = word(), path[PATH_MAX];
	struct stat st;

	ASSERT_NE(NULL, dev) TH_LOG("line %d: gone <device>", line);
	ASSERT_EQ(0, pathf(path, "/sys/bus/pci/devices/%s", dev));
	EXPECT_NE(0, lstat(path, &st)) TH_LOG("line %d: %s exists", line, dev);
	EXPECT_EQ(NULL, find_name(&iso, dev))
		TH_LOG("line %d: %s is still in a group", line, dev);
}

TEST(topology_expectations)
{
	const char *file = getenv("ISOLATION_IOMMU_EXPECT");
	char buf[4096], *kw, *arg;
	int line = 0, checked = 0;
	FILE *f;

	if (!iommu_provider())
		SKIP(return, NO_IOMMU);
	if (!file)
		SKIP(return, "ISOLATION_IOMMU_EXPECT not set: no topology to compare with");
	f = fopen(file, "r");
	ASSERT_NE(NULL, f) TH_LOG("%s: %s", file, strerror(errno));
	read_partition(_metadata, 1, &iso);
	while (fgets(buf, sizeof(buf), f)) {
		line++;
		buf[strcspn(buf, "\n")] = '\0';
		kw = strtok(buf, " \t");
		if (!kw || kw[0] == '#')
			continue;
		checked++;
		if (!strcmp(kw, "group")) {
			expect_group(_metadata, line);
		} else if (!strcmp(kw, "reason")) {
			expect_reason(_metadata, line);
		} else if (!strcmp(kw, "nogroup")) {
			arg = word();
			ASSERT_NE(NULL, arg) TH_LOG("line %d: nogroup <name>", line);
			EXPECT_EQ(-1, group_named(arg))
				TH_LOG("line %d: group %s exists", line, arg);
		} else if (!strcmp(kw, "gone")) {
			expect_gone(_metadata, line);
		} else if (!strcmp(kw, "missing")) {
			expect_missing(_metadata, line);
		} else if (!strcmp(kw, "events")) {
			expect_events(_metadata, line);
		} else if (!strcmp(kw, "groups")) {
			arg = word();
			ASSERT_NE(NULL, arg) TH_LOG("line %d: groups <n>", line);
			EXPECT_EQ(atoi(arg), iso.groups)
				TH_LOG("line %d: number of groups", line);
		} else {
			EXPECT_TRUE(0) TH_LOG("%s:%d: unknown expectation %s",
					      file, line, kw);
		}
	}
	fclose(f);
	ASSERT_GT(checked, 0) TH_LOG("%s holds no expectation", file);
	TH_LOG("%d expectations from %s", checked, file);
}

TEST_HARNESS_MAIN
