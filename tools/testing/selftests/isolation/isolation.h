/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by the isolation selftests. */
#ifndef __SELFTESTS_ISOLATION_H
#define __SELFTESTS_ISOLATION_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../kselftest.h"

#define ISOLATION_ROOT "/sys/isolation"

/* Format a path into @buf (PATH_MAX bytes); -1 if it does not fit. */
static inline __printf(2, 3) int pathf(char *buf, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, PATH_MAX, fmt, ap);
	va_end(ap);
	return n >= 0 && n < PATH_MAX ? 0 : -1;
}

/*
 * Read attribute @attr of directory @dir, which must hold exactly one value
 * and a newline.  Returns the value's length without the newline, which is
 * stripped, or a negative errno.
 */
static inline int read_attr(const char *dir, const char *attr, char *buf,
			    size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	if (pathf(path, "%s/%s", dir, attr))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	if (n == 0 || buf[n - 1] != '\n' || strchr(buf, '\n') != &buf[n - 1])
		return -EINVAL;
	buf[n - 1] = '\0';
	return n - 1;
}

/*
 * The last component of the target of symlink @path (a device's driver or
 * group) into @buf.  Returns its length, 0 with an empty @buf if there is
 * no such link, or a negative errno.
 */
static inline int link_base(const char *path, char *buf, size_t len)
{
	char target[PATH_MAX];
	const char *base;
	ssize_t n;
	int ret;

	buf[0] = '\0';
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return errno == ENOENT ? 0 : -errno;
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	ret = snprintf(buf, len, "%s", base);
	return ret >= 0 && (size_t)ret < len ? ret : -ENAMETOOLONG;
}

/*
 * The driver bound to PCI device @bdf into @buf of @len bytes: "" for none,
 * "?" if the link cannot be read.  Returns @buf.
 */
static inline char *pci_driver_of(const char *bdf, char *buf, size_t len)
{
	char path[PATH_MAX];

	if (pathf(path, "/sys/bus/pci/devices/%s/driver", bdf) ||
	    link_base(path, buf, len) < 0)
		snprintf(buf, len, "?");
	return buf;
}

/* Write @val to @path in one write(); returns 0 or the errno of the failure. */
static inline int write_path(const char *path, const char *val)
{
	size_t len = strlen(val);
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY);
	if (fd < 0)
		return errno;
	n = write(fd, val, len);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n < 0)
		return -n;
	return (size_t)n == len ? 0 : EIO;
}

#define PCI_DEVICES "/sys/bus/pci/devices"

/*
 * Write @val to attribute @attr of PCI device @bdf: 0 or the errno; -1,
 * which fails every expectation, if the path does not fit.
 */
static inline int dev_write(const char *bdf, const char *attr, const char *val)
{
	char path[PATH_MAX];

	if (pathf(path, "%s/%s/%s", PCI_DEVICES, bdf, attr))
		return -1;
	return write_path(path, val);
}

/*
 * Poll, up to @ms milliseconds, until attribute @attr of @dir reads @want
 * (read_attr()).  Returns 1 if it did, 0 on timeout.
 */
static inline int wait_attr(const char *dir, const char *attr, const char *want,
			    int ms)
{
	char buf[256];

	for (;; ms -= 50) {
		if (read_attr(dir, attr, buf, sizeof(buf)) >= 0 && !strcmp(buf, want))
			return 1;
		if (ms <= 0)
			return 0;
		usleep(50 * 1000);
	}
}

/*
 * Poll, up to @ms milliseconds, until the last component of symlink @path's
 * target is @want; "" waits for the link to go.  Returns 1 if it did, 0 on
 * timeout.
 */
static inline int wait_link(const char *path, const char *want, int ms)
{
	char buf[256];

	for (;; ms -= 50) {
		if (link_base(path, buf, sizeof(buf)) >= 0 && !strcmp(buf, want))
			return 1;
		if (ms <= 0)
			return 0;
		usleep(50 * 1000);
	}
}

#endif /* __SELFTESTS_ISOLATION_H */
