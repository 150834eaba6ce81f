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

#endif /* __SELFTESTS_ISOLATION_H */
