// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/isolation/<id>/manager and locked, from userspace, on the group that
 * lib/test_isolation.c creates (CONFIG_TEST_ISOLATION,
 * test_isolation.groups=1): reads, refused writes that change nothing, and
 * the handover of the group to a manager by writing its name, and that
 * write with each of its fault points failing in turn.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netlink.h>
#include <poll.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "isolation.h"

#define TEST_PROVIDER	"isolation-test"
#define TEST_MANAGER	"isolation-test"
#define HOST_DRIVER	"isolation-test-host"
#define MANAGED_DRIVER	"isolation-test-managed"
#define NOBODY		65534
#define DEBUGFS		"/sys/kernel/debug"

static char group_dir[PATH_MAX];

/* Write to an attribute; returns 0 or the errno of the failure. */
static int write_attr(const char *attr, const char *val, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	if (pathf(path, "%s/%s", group_dir, attr))
		return -1;	/* no errno: fails every expectation */
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return errno;
	n = write(fd, val, len);
	close(fd);
	if (n < 0)
		return errno;
	return n == (ssize_t)len ? 0 : EIO;
}

/* Find the test group by its provider and name. */
static int find_test_group(void)
{
	struct dirent *de;
	char buf[128];
	int found = 0;
	DIR *d;

	d = opendir(ISOLATION_ROOT);
	if (!d)
		return 0;
	while (!found && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (pathf(group_dir, "%s/%s", ISOLATION_ROOT, de->d_name))
			continue;
		found = read_attr(group_dir, "provider", buf, sizeof(buf)) >= 0 &&
			!strcmp(buf, TEST_PROVIDER) &&
			read_attr(group_dir, "name", buf, sizeof(buf)) >= 0 &&
			!strcmp(buf, "test-0");
	}
	closedir(d);
	return found;
}

/* How many members are bound to @driver; -1 if a member has another one. */
static int members_bound_to(const char *driver)
{
	char path[PATH_MAX], link[PATH_MAX];
	struct dirent *de;
	int n = 0;
	ssize_t len;
	DIR *d;

	if (pathf(path, "%s/devices", group_dir))
		return -1;
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (pathf(path, "%s/devices/%s/driver", group_dir, de->d_name)) {
			n = -1;
			break;
		}
		len = readlink(path, link, sizeof(link) - 1);
		if (len < 0)
			continue;	/* no driver */
		link[len] = '\0';
		if (strcmp(strrchr(link, '/') + 1, driver)) {
			n = -1;
			break;
		}
		n++;
	}
	closedir(d);
	return n;
}

/* Fork, become nobody, and run @fn; returns what @fn returned. */
static int as_nobody(int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (!pid) {
		if (setresgid(NOBODY, NOBODY, NOBODY) ||
		    setresuid(NOBODY, NOBODY, NOBODY))
			_exit(255);
		_exit(fn(arg));
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static int nobody_opens_manager(void *arg)
{
	char path[PATH_MAX];
	int fd;

	if (pathf(path, "%s/manager", group_dir))
		return -1;	/* no errno: fails every expectation */
	fd = open(path, O_WRONLY);
	if (fd >= 0)
		return 0;
	return errno;
}

static int nobody_writes_fd(void *arg)
{
	int fd = *(int *)arg;

	if (write(fd, TEST_MANAGER, strlen(TEST_MANAGER)) >= 0)
		return 0;
	return errno;
}

/* A socket that receives the kernel's uevents. */
static int uevent_socket(void)
{
	struct sockaddr_nl addr = {
		.nl_family = AF_NETLINK,
		.nl_groups = 1,
	};
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC,
			NETLINK_KOBJECT_UEVENT);

	if (fd >= 0 && bind(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/*
 * Wait up to a second for a uevent of @action on @devpath carrying every
 * variable in @vars (NULL-terminated).  Returns 1 if one came.
 */
static int saw_uevent(int fd, const char *action, const char *devpath,
		      const char * const *vars)
{
	char buf[8192], head[PATH_MAX];
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	const char * const *v;
	const char *p;
	ssize_t n;
	int found;

	if (pathf(head, "%s@%s", action, devpath))
		return 0;
	while (poll(&pfd, 1, 1000) > 0) {
		n = recv(fd, buf, sizeof(buf) - 1, 0);
		if (n <= 0)
			return 0;
		buf[n] = '\0';
		if (strcmp(buf, head))
			continue;
		for (v = vars; *v; v++) {
			found = 0;
			for (p = buf; p < buf + n; p += strlen(p) + 1)
				found |= !strcmp(p, *v);
			if (!found)
				break;
		}
		if (!*v)
			return 1;
	}
	return 0;
}

static void expect_unchanged(struct __test_metadata *_metadata,
			     const char *what)
{
	char buf[128];

	ASSERT_LE(0, read_attr(group_dir, "manager", buf, sizeof(buf)));
	EXPECT_STREQ("", buf) TH_LOG("manager changed by %s", what);
	ASSERT_LE(0, read_attr(group_dir, "locked", buf, sizeof(buf)));
	EXPECT_STREQ("0", buf) TH_LOG("locked changed by %s", what);
	EXPECT_EQ(2, members_bound_to(HOST_DRIVER))
		TH_LOG("bindings changed by %s", what);
}

TEST(manager_lifecycle)
{
	static const char * const junk[] = {
		"no-such-manager\n", "isolation test\n", "\n\n",
		"\x01\x02\x03", TEST_MANAGER "\n\n",
	};
	char buf[128], too_long[200], path[PATH_MAX], var[64];
	unsigned int i;
	int fd, uevents;

	ASSERT_TRUE(find_test_group())
		TH_LOG("no group test-0 of provider %s (%s)", TEST_PROVIDER,
		       "CONFIG_TEST_ISOLATION=y, test_isolation.groups=1");
	TH_LOG("test group: %s", group_dir);

	/* Unmanaged, both devices with the host driver. */
	expect_unchanged(_metadata, "nothing");

	/* Junk: refused with EINVAL, nothing changes. */
	for (i = 0; i < ARRAY_SIZE(junk); i++) {
		EXPECT_EQ(EINVAL, write_attr("manager", junk[i], strlen(junk[i])))
			TH_LOG("junk %u accepted", i);
		expect_unchanged(_metadata, "junk");
	}
	memset(too_long, 'm', sizeof(too_long));
	EXPECT_EQ(EINVAL, write_attr("manager", too_long, sizeof(too_long)));
	expect_unchanged(_metadata, "a long name");

	/* An empty line gives back a group that has no manager: nothing. */
	EXPECT_EQ(0, write_attr("manager", "\n", 1));
	expect_unchanged(_metadata, "giving back nothing");

	/* Not root: cannot open it for writing. */
	EXPECT_EQ(EACCES, as_nobody(nobody_opens_manager, NULL));
	expect_unchanged(_metadata, "nobody");
	/*
	 * A write is judged on the credentials of whoever opened the file,
	 * as sysfs writes are: root's open file, written by nobody, hands
	 * the group over (and nobody's open file, written by root, would
	 * not: the KUnit case im_owner_may_manage checks that).
	 */
	ASSERT_FALSE(pathf(path, "%s/manager", group_dir));
	fd = open(path, O_WRONLY);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(0, as_nobody(nobody_writes_fd, &fd));
	close(fd);
	ASSERT_LE(0, read_attr(group_dir, "manager", buf, sizeof(buf)));
	EXPECT_STREQ(TEST_MANAGER, buf) TH_LOG("root's file written by nobody");
	EXPECT_EQ(0, write_attr("manager", "\n", 1));
	expect_unchanged(_metadata, "the give back");

	/* locked is read-only, for root too. */
	EXPECT_EQ(EACCES, write_attr("locked", "1", 1));
	expect_unchanged(_metadata, "writing locked");

	/* The manager's name hands the group over, and userspace hears it. */
	uevents = uevent_socket();
	ASSERT_GE(uevents, 0) TH_LOG("uevent socket: %s", strerror(errno));
	ASSERT_EQ(0, write_attr("manager", TEST_MANAGER "\n",
				strlen(TEST_MANAGER) + 1));
	ASSERT_LT(snprintf(var, sizeof(var), "ISOLATION_GROUP=%s",
			   strrchr(group_dir, '/') + 1), (int)sizeof(var));
	EXPECT_TRUE(saw_uevent(uevents, "change", group_dir + strlen("/sys"),
			       (const char * const []){ "ISOLATION_LOCKED=1",
							var, NULL }))
		TH_LOG("no KOBJ_CHANGE uevent with ISOLATION_LOCKED=1, %s", var);
	close(uevents);
	ASSERT_LE(0, read_attr(group_dir, "manager", buf, sizeof(buf)));
	EXPECT_STREQ(TEST_MANAGER, buf);
	ASSERT_LE(0, read_attr(group_dir, "locked", buf, sizeof(buf)));
	EXPECT_STREQ("1", buf);
	EXPECT_EQ(2, members_bound_to(MANAGED_DRIVER));

	/* A host driver cannot come back through its bind file. */
	ASSERT_FALSE(pathf(path, "/sys/bus/platform/drivers/%s/bind", HOST_DRIVER));
	fd = open(path, O_WRONLY);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(-1, write(fd, "isolation-test.0", 16));
	close(fd);
	ASSERT_LE(0, read_attr(group_dir, "locked", buf, sizeof(buf)));
	EXPECT_STREQ("1", buf);
	EXPECT_EQ(2, members_bound_to(MANAGED_DRIVER));

	/* Writing the same manager again is a no-op that succeeds. */
	EXPECT_EQ(0, write_attr("manager", TEST_MANAGER, strlen(TEST_MANAGER)));
	ASSERT_LE(0, read_attr(group_dir, "locked", buf, sizeof(buf)));
	EXPECT_STREQ("1", buf);

	/* An empty line gives it back: the host driver returns to both. */
	EXPECT_EQ(0, write_attr("manager", "\n", 1));
	expect_unchanged(_metadata, "giving back");
}

/* Write @val to @path; returns 0 or the errno of the failure. */
static int write_file(const char *path, const char *val)
{
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY);
	if (fd < 0)
		return errno;
	n = write(fd, val, strlen(val));
	close(fd);
	if (n < 0)
		return errno;
	return n == (ssize_t)strlen(val) ? 0 : EIO;
}

/* Give the test group back: the host driver returns to both devices. */
static int give_back(void)
{
	return write_attr("manager", "\n", 1);
}

/*
 * Let failslab fail GFP_KERNEL allocations, and keep failslab and
 * fail_isolation quiet: a stack dump per fault would fail the run.  As
 * iommufd_fail_nth does, this is not undone.
 */
static int setup_fault_injection(void)
{
	if (access(DEBUGFS "/failslab", F_OK) &&
	    mount("debugfs", DEBUGFS, "debugfs", 0, NULL))
		return errno;
	return write_file(DEBUGFS "/failslab/ignore-gfp-wait", "N") ?:
	       write_file(DEBUGFS "/failslab/verbose", "0") ?:
	       write_file(DEBUGFS "/fail_isolation/verbose", "0");
}

/*
 * The test group handed over: manager set, locked, no other driver bound.
 * @bound devices are on the manager's driver; after an absorbed fault (the
 * manager driver's probe failed) a device may have none.
 */
static void expect_handed_over(struct __test_metadata *_metadata, int nth,
			       int bound)
{
	char buf[128];
	int n;

	ASSERT_LE(0, read_attr(group_dir, "manager", buf, sizeof(buf)));
	EXPECT_STREQ(TEST_MANAGER, buf) TH_LOG("fault point %d", nth);
	ASSERT_LE(0, read_attr(group_dir, "locked", buf, sizeof(buf)));
	EXPECT_STREQ("1", buf) TH_LOG("fault point %d", nth);
	n = members_bound_to(MANAGED_DRIVER);
	EXPECT_LE(bound, n) TH_LOG("fault point %d", nth);
	EXPECT_GE(2, n) TH_LOG("fault point %d", nth);
}

/*
 * The manager write with its 1st, 2nd, ... fault point failing, through
 * /proc/thread-self/fail-nth (as tools/testing/selftests/iommu/
 * iommufd_fail_nth.c does), until the write runs without reaching the
 * armed one.  A failed write changes nothing; one whose fault was absorbed
 * (a uevent not sent) has handed the group over.  The kernel log is
 * checked for reports by the harness that boots the guest.
 */
TEST(manager_write_fail_nth)
{
	int nth, fd, nth_fd, err, failed = 0, absorbed = 0;
	char path[PATH_MAX], what[64], left[32];
	ssize_t n, len = strlen(TEST_MANAGER);

	ASSERT_TRUE(find_test_group())
		TH_LOG("no group test-0 of provider %s", TEST_PROVIDER);
	ASSERT_EQ(0, setup_fault_injection())
		TH_LOG("no failslab or fail_isolation in debugfs (%s)",
		       "CONFIG_FAILSLAB, CONFIG_FAULT_INJECTION_DEBUG_FS");
	ASSERT_EQ(0, give_back()) TH_LOG("writing an empty line to manager");
	expect_unchanged(_metadata, "giving back");
	nth_fd = open("/proc/thread-self/fail-nth", O_RDWR);
	ASSERT_LE(0, nth_fd) TH_LOG("no fail-nth: CONFIG_FAULT_INJECTION");
	ASSERT_FALSE(pathf(path, "%s/manager", group_dir));

	for (nth = 1; nth < 1000; nth++) {
		fd = open(path, O_WRONLY);
		ASSERT_LE(0, fd);
		snprintf(what, sizeof(what), "%d", nth);
		ASSERT_EQ((ssize_t)strlen(what),
			  pwrite(nth_fd, what, strlen(what), 0));
		n = write(fd, TEST_MANAGER, len);
		err = errno;
		memset(left, 0, sizeof(left));
		ASSERT_LT(0, pread(nth_fd, left, sizeof(left) - 1, 0));
		ASSERT_EQ(1, pwrite(nth_fd, "0", 1, 0));
		close(fd);
		snprintf(what, sizeof(what), "fault point %d", nth);
		if (strcmp(left, "0\n")) {
			/* Not reached: the write ran without a fault. */
			EXPECT_EQ(len, n) TH_LOG("%s", strerror(err));
			expect_handed_over(_metadata, nth, 2);
			break;
		}
		if (n < 0) {
			failed++;
			EXPECT_TRUE(err == ENOMEM || err == EBUSY)
				TH_LOG("%s: %s", what, strerror(err));
			expect_unchanged(_metadata, what);
			continue;
		}
		absorbed++;
		EXPECT_EQ(len, n);
		expect_handed_over(_metadata, nth, 0);
		ASSERT_EQ(0, give_back());
		expect_unchanged(_metadata, what);
	}
	close(nth_fd);
	EXPECT_LT(nth, 1000) TH_LOG("the fault points did not run out");
	EXPECT_LT(0, failed);
	ksft_print_msg("fault sweep: manager write: %d fault points, %d failed, %d absorbed\n",
		       nth - 1, failed, absorbed);
	ASSERT_EQ(0, give_back());
	expect_unchanged(_metadata, "giving back at the end");
}

/* The owner of @attr of the test group: uid, gid and mode into @st. */
static int attr_stat(const char *attr, struct stat *st)
{
	char path[PATH_MAX];

	if (pathf(path, "%s/%s", group_dir, attr))
		return -1;
	return stat(path, st);
}

/*
 * Delegation as userspace sees it: root sets the owner, the manager file
 * becomes the owner's, and udev hears the owner in a KOBJ_CHANGE uevent;
 * cleared, all goes back to root.  Bad input changes nothing.
 */
TEST(owner_file_and_uevent)
{
	static const char * const junk[] = {
		"1000:", ":1000", "-5", "1000:1000:1", "alice", "1000 ",
	};
	char buf[128], var[64];
	unsigned int i;
	struct stat st;
	int uevents;

	ASSERT_TRUE(find_test_group())
		TH_LOG("no group test-0 of provider %s", TEST_PROVIDER);
	ASSERT_LE(0, read_attr(group_dir, "owner", buf, sizeof(buf)));
	ASSERT_STREQ("", buf);
	ASSERT_EQ(0, attr_stat("owner", &st));
	EXPECT_EQ(0644, st.st_mode & 0777);
	EXPECT_EQ(0, st.st_uid);
	ASSERT_LT(snprintf(var, sizeof(var), "ISOLATION_GROUP=%s",
			   strrchr(group_dir, '/') + 1), (int)sizeof(var));

	uevents = uevent_socket();
	ASSERT_GE(uevents, 0) TH_LOG("uevent socket: %s", strerror(errno));
	ASSERT_EQ(0, write_attr("owner", "1000:1001\n", 10));
	EXPECT_TRUE(saw_uevent(uevents, "change", group_dir + strlen("/sys"),
			       (const char * const []){
					"ISOLATION_OWNER=1000:1001", var, NULL }))
		TH_LOG("no KOBJ_CHANGE uevent with ISOLATION_OWNER=1000:1001");
	ASSERT_LE(0, read_attr(group_dir, "owner", buf, sizeof(buf)));
	EXPECT_STREQ("1000:1001", buf);
	ASSERT_EQ(0, attr_stat("manager", &st));
	EXPECT_EQ(1000, st.st_uid);
	EXPECT_EQ(1001, st.st_gid);
	EXPECT_EQ(0664, st.st_mode & 0777);
	/* owner stays root's. */
	ASSERT_EQ(0, attr_stat("owner", &st));
	EXPECT_EQ(0, st.st_uid);
	EXPECT_EQ(0644, st.st_mode & 0777);

	for (i = 0; i < ARRAY_SIZE(junk); i++) {
		EXPECT_EQ(EINVAL, write_attr("owner", junk[i], strlen(junk[i])))
			TH_LOG("'%s' accepted", junk[i]);
		ASSERT_LE(0, read_attr(group_dir, "owner", buf, sizeof(buf)));
		EXPECT_STREQ("1000:1001", buf);
	}

	ASSERT_EQ(0, write_attr("owner", "\n", 1));
	EXPECT_TRUE(saw_uevent(uevents, "change", group_dir + strlen("/sys"),
			       (const char * const []){
					"ISOLATION_OWNER=", var, NULL }))
		TH_LOG("no KOBJ_CHANGE uevent with ISOLATION_OWNER= (cleared)");
	close(uevents);
	ASSERT_LE(0, read_attr(group_dir, "owner", buf, sizeof(buf)));
	EXPECT_STREQ("", buf);
	ASSERT_EQ(0, attr_stat("manager", &st));
	EXPECT_EQ(0, st.st_uid);
	EXPECT_EQ(0, st.st_gid);
	EXPECT_EQ(0644, st.st_mode & 0777);
}

TEST_HARNESS_MAIN
