// SPDX-License-Identifier: GPL-2.0
/*
 * The /sys/isolation layout, as Documentation/ABI/testing/sysfs-isolation
 * describes it: one directory per group with name, provider and devices/,
 * every devices/ link resolving to a device that links back, and every
 * device that links to a group listed by that group.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "isolation.h"

/* Is @name a group id: a decimal number without sign or leading zero? */
static int is_group_id(const char *name)
{
	const char *p;

	if (!name[0] || (name[0] == '0' && name[1]))
		return 0;
	for (p = name; *p; p++)
		if (*p < '0' || *p > '9')
			return 0;
	return 1;
}

struct groups {
	int count;
	int ids[1024];
};

static void list_groups(struct __test_metadata *_metadata, struct groups *g)
{
	struct dirent *de;
	DIR *d = opendir(ISOLATION_ROOT);

	ASSERT_NE(NULL, d) TH_LOG("opendir %s: %s", ISOLATION_ROOT, strerror(errno));
	g->count = 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		EXPECT_TRUE(is_group_id(de->d_name))
			TH_LOG("unexpected entry %s/%s", ISOLATION_ROOT, de->d_name);
		if (g->count < 1024 && is_group_id(de->d_name))
			g->ids[g->count++] = atoi(de->d_name);
	}
	closedir(d);
	TH_LOG("%d isolation group(s)", g->count);
	/* Nothing checked is no pass: without a provider, say so. */
	if (!g->count)
		SKIP(return, "no isolation groups: nothing to check");
}

TEST(root_exists)
{
	struct stat st;

	ASSERT_EQ(0, stat(ISOLATION_ROOT, &st))
		TH_LOG("%s: %s (CONFIG_ISOLATION_GROUPS?)", ISOLATION_ROOT,
		       strerror(errno));
	ASSERT_TRUE(S_ISDIR(st.st_mode));
}

TEST(group_attributes)
{
	struct groups g;
	char dir[PATH_MAX], buf[PATH_MAX];
	struct stat st;
	int i;

	list_groups(_metadata, &g);
	for (i = 0; i < g.count; i++) {
		ASSERT_EQ(0, pathf(dir, "%s/%d", ISOLATION_ROOT, g.ids[i]));
		EXPECT_GT(read_attr(dir, "name", buf, sizeof(buf)), 0)
			TH_LOG("%s/name", dir);
		EXPECT_GT(read_attr(dir, "provider", buf, sizeof(buf)), 0)
			TH_LOG("%s/provider", dir);
		ASSERT_EQ(0, pathf(buf, "%s/devices", dir));
		EXPECT_EQ(0, stat(buf, &st)) TH_LOG("%s: %s", buf, strerror(errno));
		EXPECT_TRUE(S_ISDIR(st.st_mode)) TH_LOG("%s", buf);
	}
}

TEST(attributes_read_only)
{
	static const char * const attrs[] = { "name", "provider" };
	struct groups g;
	char path[PATH_MAX];
	unsigned int a;
	int i, fd;

	list_groups(_metadata, &g);
	for (i = 0; i < g.count; i++) {
		for (a = 0; a < ARRAY_SIZE(attrs); a++) {
			ASSERT_EQ(0, pathf(path, "%s/%d/%s", ISOLATION_ROOT,
					   g.ids[i], attrs[a]));
			fd = open(path, O_WRONLY);
			EXPECT_EQ(-1, fd) TH_LOG("%s opened for writing", path);
			if (fd >= 0)
				close(fd);
			else
				EXPECT_EQ(EACCES, errno) TH_LOG("%s", path);
		}
	}
}

TEST(device_links_resolve_and_point_back)
{
	char dir[PATH_MAX], link[PATH_MAX], back[PATH_MAX];
	char *group_real, *back_real;
	struct dirent *de;
	struct groups g;
	struct stat st;
	int i, devices = 0;
	DIR *d;

	list_groups(_metadata, &g);
	for (i = 0; i < g.count; i++) {
		ASSERT_EQ(0, pathf(dir, "%s/%d", ISOLATION_ROOT, g.ids[i]));
		group_real = realpath(dir, NULL);
		ASSERT_NE(NULL, group_real);
		ASSERT_EQ(0, pathf(link, "%s/devices", dir));
		d = opendir(link);
		ASSERT_NE(NULL, d) TH_LOG("%s: %s", link, strerror(errno));
		while ((de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			devices++;
			ASSERT_EQ(0, pathf(link, "%s/devices/%s", dir, de->d_name));
			EXPECT_EQ(0, lstat(link, &st));
			EXPECT_TRUE(S_ISLNK(st.st_mode)) TH_LOG("%s is no link", link);
			EXPECT_EQ(0, stat(link, &st))
				TH_LOG("%s does not resolve", link);
			ASSERT_EQ(0, pathf(back, "%s/isolation_group", link));
			back_real = realpath(back, NULL);
			EXPECT_NE(NULL, back_real)
				TH_LOG("%s: %s", back, strerror(errno));
			if (back_real)
				EXPECT_STREQ(group_real, back_real)
					TH_LOG("%s points elsewhere", back);
			free(back_real);
		}
		closedir(d);
		free(group_real);
	}
	TH_LOG("%d member device(s)", devices);
}

/* Every device's isolation_group link must be matched by its group. */
static int orphan_links;

static int check_device(const char *path, const struct stat *st, int flag,
			struct FTW *ftw)
{
	char group[PATH_MAX], *group_real, *dev_real, *member_real;
	char *dev_dir, *base;
	struct dirent *de;
	int found = 0;
	DIR *d;

	base = strrchr(path, '/');
	if (flag != FTW_SL || !base || strcmp(base, "/isolation_group"))
		return 0;
	group_real = realpath(path, NULL);
	dev_dir = strndup(path, base - path);
	dev_real = dev_dir ? realpath(dev_dir, NULL) : NULL;
	if (!group_real || !dev_real)
		goto orphan;
	d = pathf(group, "%s/devices", group_real) ? NULL : opendir(group);
	while (d && (de = readdir(d)) && !found) {
		if (de->d_name[0] == '.')
			continue;
		member_real = pathf(group, "%s/devices/%s", group_real, de->d_name) ?
			      NULL : realpath(group, NULL);
		found = member_real && !strcmp(member_real, dev_real);
		free(member_real);
	}
	if (d)
		closedir(d);
orphan:
	if (!found) {
		fprintf(stderr, "# %s is not listed by its group\n", path);
		orphan_links++;
	}
	free(group_real);
	free(dev_real);
	free(dev_dir);
	return 0;
}

TEST(no_orphan_device_links)
{
	orphan_links = 0;
	ASSERT_EQ(0, nftw("/sys/devices", check_device, 32, FTW_PHYS));
	EXPECT_EQ(0, orphan_links);
}

TEST_HARNESS_MAIN
