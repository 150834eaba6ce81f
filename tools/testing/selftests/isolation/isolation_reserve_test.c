// SPDX-License-Identifier: GPL-2.0
/*
 * A group reserved from boot (isolation.reserve=<group name>=<manager>),
 * on its own topology (vm/topologies/reserve.topo), which names:
 *
 *   ISOLATION_RESERVE_DEV=<bdf>     an endpoint of the reserved group
 *   ISOLATION_RESERVE_HOST=<drv>    the host driver of its endpoints
 *   ISOLATION_RESERVE_OTHER=<bdf>   an endpoint of a group not reserved
 *   ISOLATION_RESERVE_NEW=<bdf>     the endpoint the host hot-plugs into
 *                                   the reserved group (phase 1)
 *
 * The cases run in the order of the boot: reserved_at_boot,
 * unreserved_sibling and bad_parameter at once; hotplug_stays_reserved
 * after the hot-plug; given_back last.  A missing variable fails the case.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "isolation.h"

#define NAME_LEN	64
#define VFIO_DRIVER	"vfio-pci"
#define LOG_SIZE	0x100000
#define SETTLE_MS	5000

static const char *env(struct __test_metadata *_metadata, const char *var)
{
	const char *v = getenv(var);

	if (!v || !*v) {
		TH_LOG("%s is not set (reserve.topo sets it)", var);
		_metadata->exit_code = KSFT_FAIL;
		return NULL;
	}
	return v;
}

/* The driver of @bdf, or "" */
static char *driver_of(const char *bdf, char *buf)
{
	return pci_driver_of(bdf, buf, NAME_LEN);
}

/* /sys/isolation/<id> of @bdf's group into @dir. */
static int group_dir(const char *bdf, char *dir)
{
	char path[PATH_MAX], id[NAME_LEN];

	if (pathf(path, "%s/%s/isolation_group", PCI_DEVICES, bdf) ||
	    link_base(path, id, sizeof(id)) <= 0)
		return -1;
	return pathf(dir, "%s/%s", ISOLATION_ROOT, id);
}

/* The kernel log so far, NUL-terminated; from /dev/kmsg, without waiting. */
static char *kernel_log(void)
{
	char *log = calloc(1, LOG_SIZE), rec[2048];
	size_t len = 0;
	ssize_t n;
	int fd;

	if (!log)
		return NULL;
	fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (fd < 0) {
		free(log);
		return NULL;
	}
	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* overwritten records: go on */
		if (n <= 0)
			break;
		if (len + n >= LOG_SIZE - 1)
			break;
		memcpy(log + len, rec, n);
		len += n;
	}
	close(fd);
	return log;
}

static int count(const char *log, const char *what)
{
	int n = 0;

	for (; (log = strstr(log, what)); log++)
		n++;
	return n;
}

/* Each endpoint (not a bridge) of @dir's group: on @want, into @bad. */
static int endpoints_on(const char *dir, const char *want, char *bad)
{
	char path[PATH_MAX], class[NAME_LEN], drv[NAME_LEN], ovr[NAME_LEN];
	struct dirent *de;
	int n = 0;
	DIR *d;

	if (pathf(path, "%s/devices", dir))
		return -1;
	d = opendir(path);
	if (!d)
		return -1;
	bad[0] = '\0';
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' ||
		    pathf(path, "%s/%s", PCI_DEVICES, de->d_name) ||
		    read_attr(path, "class", class, sizeof(class)) < 0 ||
		    !strncmp(class, "0x06", 4))
			continue;
		if (read_attr(path, "driver_override", ovr, sizeof(ovr)) < 0)
			snprintf(ovr, sizeof(ovr), "?");
		ksft_print_msg("%s: driver '%s', driver_override %s\n",
			       de->d_name, driver_of(de->d_name, drv), ovr);
		if (strcmp(drv, want))
			snprintf(bad, NAME_LEN, "%.32s on '%.24s'", de->d_name, drv);
		n++;
	}
	closedir(d);
	return n;
}

/* The host driver never probed @bdf: none of its lines in the log. */
static void never_probed(struct __test_metadata *_metadata, const char *log,
			 const char *host, const char *bdf)
{
	char what[NAME_LEN * 2];

	snprintf(what, sizeof(what), "%s %s", host, bdf);
	EXPECT_EQ(0, count(log, what)) TH_LOG("the log has '%s'", what);
}

TEST(reserved_at_boot)
{
	const char *dev = env(_metadata, "ISOLATION_RESERVE_DEV");
	const char *host = env(_metadata, "ISOLATION_RESERVE_HOST");
	const char *other = env(_metadata, "ISOLATION_RESERVE_OTHER");
	char dir[PATH_MAX], buf[NAME_LEN], bad[NAME_LEN], what[2 * NAME_LEN];
	char *log;

	ASSERT_TRUE(dev && host && other);
	ASSERT_EQ(0, group_dir(dev, dir)) TH_LOG("%s is in no group", dev);
	EXPECT_EQ(4, read_attr(dir, "reserved", buf, sizeof(buf)));
	EXPECT_STREQ("vfio", buf);
	EXPECT_LT(0, read_attr(dir, "manager", buf, sizeof(buf)));
	EXPECT_STREQ("vfio", buf);
	EXPECT_LT(0, read_attr(dir, "locked", buf, sizeof(buf)));
	EXPECT_STREQ("1", buf);
	EXPECT_LT(0, endpoints_on(dir, VFIO_DRIVER, bad));
	EXPECT_STREQ("", bad);

	log = kernel_log();
	ASSERT_NE(NULL, log);
	/* The log is whole: the unreserved sibling's probe is in it. */
	snprintf(what, sizeof(what), "%s %s", "e1000e", other);
	EXPECT_LT(0, count(log, what)) TH_LOG("no '%s' in the log", what);
	never_probed(_metadata, log, host, dev);
	free(log);
}

TEST(unreserved_sibling)
{
	const char *other = env(_metadata, "ISOLATION_RESERVE_OTHER");
	char dir[PATH_MAX], buf[NAME_LEN];

	ASSERT_NE(NULL, other);
	ASSERT_EQ(0, group_dir(other, dir));
	EXPECT_EQ(0, read_attr(dir, "reserved", buf, sizeof(buf)));
	EXPECT_EQ(0, read_attr(dir, "manager", buf, sizeof(buf)));
	EXPECT_STREQ("e1000e", driver_of(other, buf));
}

TEST(bad_parameter)
{
	char *log = kernel_log();

	ASSERT_NE(NULL, log);
	EXPECT_EQ(1, count(log, "isolation.reserve=malformed ignored"));
	EXPECT_EQ(1, count(log, "no group is named no-such-group"));
	EXPECT_EQ(1, count(log, "=other ignored: the group is reserved for vfio"));
	/* The boot went on: the test runs. */
	free(log);
}

TEST(hotplug_stays_reserved)
{
	const char *dev = env(_metadata, "ISOLATION_RESERVE_DEV");
	const char *host = env(_metadata, "ISOLATION_RESERVE_HOST");
	const char *new = env(_metadata, "ISOLATION_RESERVE_NEW");
	char dir[PATH_MAX], ndir[PATH_MAX], buf[NAME_LEN], bad[NAME_LEN];
	char *log;
	int i;

	ASSERT_TRUE(dev && host && new);
	ASSERT_EQ(0, group_dir(dev, dir));
	ASSERT_EQ(0, group_dir(new, ndir)) TH_LOG("%s is in no group", new);
	EXPECT_STREQ(dir, ndir);
	/* The manager takes it from a work item: give it a moment. */
	for (i = 0; i < 50 && strcmp(driver_of(new, buf), VFIO_DRIVER); i++)
		usleep(100 * 1000);
	EXPECT_STREQ(VFIO_DRIVER, driver_of(new, buf));
	EXPECT_LT(0, endpoints_on(dir, VFIO_DRIVER, bad));
	EXPECT_STREQ("", bad);
	EXPECT_LT(0, read_attr(dir, "locked", buf, sizeof(buf)));
	EXPECT_STREQ("1", buf);
	log = kernel_log();
	ASSERT_NE(NULL, log);
	never_probed(_metadata, log, host, new);
	free(log);
}

TEST(given_back)
{
	const char *dev = env(_metadata, "ISOLATION_RESERVE_DEV");
	const char *host = env(_metadata, "ISOLATION_RESERVE_HOST");
	char dir[PATH_MAX], path[PATH_MAX], buf[NAME_LEN], bad[NAME_LEN];
	char what[2 * NAME_LEN], *log;
	int i;

	ASSERT_TRUE(dev && host);
	ASSERT_EQ(0, group_dir(dev, dir));
	ASSERT_EQ(0, pathf(path, "%s/manager", dir));
	ASSERT_EQ(0, write_path(path, "\n"));
	EXPECT_EQ(0, read_attr(dir, "reserved", buf, sizeof(buf)));
	EXPECT_EQ(0, read_attr(dir, "manager", buf, sizeof(buf)));
	for (i = 0; i < SETTLE_MS / 100; i++) {
		if (endpoints_on(dir, host, bad) > 0 && !bad[0])
			break;
		usleep(100 * 1000);
	}
	EXPECT_STREQ("", bad) TH_LOG("after the give back");
	/*
	 * The host driver's probe prints lines that never_probed() looks
	 * for: now that it probed, they are there.  Without them the
	 * earlier cases would prove nothing.
	 */
	log = kernel_log();
	ASSERT_NE(NULL, log);
	snprintf(what, sizeof(what), "%s %s", host, dev);
	EXPECT_LT(0, count(log, what)) TH_LOG("no '%s' in the log", what);
	free(log);
}

TEST_HARNESS_MAIN
