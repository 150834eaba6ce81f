// SPDX-License-Identifier: GPL-2.0
/*
 * VFIO as the manager of isolation groups, through real VFIO on real
 * (emulated) PCI devices: the handover of a group by writing "vfio" to
 * /sys/isolation/<id>/manager and its give-back by an empty write, the
 * legacy container (type1) and the iommufd device cdev on a handed-over
 * group, a host driver refused in a vfio-managed group, the implicit take
 * of the driver_override flow (libvirt, driverctl) and libvirt's reattach,
 * a port without ACS that keeps pcieport, vfio-pci refused in a group that
 * another manager holds, and a device hot-plugged into a group that
 * userspace holds.
 *
 * It runs on its own topology only; /init names the devices:
 *
 *   ISOLATION_VFIO_ENDPOINT=<bdf>       an e1000e alone in its group
 *   ISOLATION_VFIO_NOACS=<bdf>          an e1000e below a root port without
 *   ISOLATION_VFIO_NOACS_PORT=<bdf>     ACS (that port): one group
 *   ISOLATION_VFIO_HOTPLUG_GROUP=<bdf>  an endpoint of a group with another
 *                                       endpoint on a host driver (behind a
 *                                       PCIe-to-PCI bridge)
 *   ISOLATION_VFIO_HOTPLUG_NEW=<bdf>    the device the host hot-plugs into
 *                                       that group
 *   ISOLATION_VFIO_PAIR=<bdf>           function 0 of a two-function device
 *                                       whose functions share a group
 *   ISOLATION_VFIO_DELEGATE=<bdf>       the group delegated_user_session
 *                                       delegates (make demo); without it,
 *                                       ISOLATION_VFIO_TRIO's
 *   ISOLATION_VFIO_TRIO=<bdf>           an endpoint of a group with three
 *                                       endpoints on host drivers
 *
 * The multi-device cases (the manager contract of
 * Documentation/isolation.txt on groups of two and three devices): the
 * per-device flow of libvirt and driverctl reattached in every order,
 * with Debian's driverctl itself too; a sibling whose host driver arrives
 * late; a hold refusing a host driver and giving the device back; a give
 * back with an administrator's override left; a give back racing a user
 * of the group; a handover failed at each fault point in turn.
 *
 * With ISOLATION_VFIO_SHOW=1 and LSISOLATION=<path>, the handover and the
 * give-back also show the group with lsisolation (make demo).
 *
 * A missing variable fails the test that needs it.  hotplug_into_held_group
 * prints "ISOLATION-PHASE-READY 1" when the group is held and waits for the
 * host to plug the device; run it on its own (-t hotplug_into_held_group)
 * and the others with -T hotplug_into_held_group.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/iommufd.h>
#include <linux/vfio.h>

#include "../kselftest_harness.h"
#include "isolation.h"

#define PCI_DRIVERS	"/sys/bus/pci/drivers"
#define VFIO_MANAGER	"vfio"
#define VFIO_DRIVER	"vfio-pci"
#define PORT_DRIVER	"pcieport"
#define NAME_LEN	64
/* How long asynchronous binds and manager releases may take. */
#define SETTLE_MS	5000
#define HOTPLUG_MS	60000
/* The test module's manager (lib/test_isolation.c), registered in test mode. */
#define OTHER_MANAGER	"isolation-test"
#define DMA_IOVA	0x100000UL
#define DMA_SIZE	0x100000UL
#define PCI_VENDOR_INTEL 0x8086

/* A PCI device named by /init, as the test found it. */
struct dev {
	const char *bdf;
	char group[PATH_MAX];	/* /sys/isolation/<id> */
	char host[NAME_LEN];	/* its driver when the test started */
	int iommu_group;	/* /dev/vfio/<iommu_group> */
};

/* What a test holds of VFIO; closed by the fixture's teardown too. */
struct vfio_fds {
	int container;
	int group;
	int device;
	int iommufd;
	void *dma;
};

FIXTURE(vfio) {
	struct vfio_fds v;
	/* Groups to give back, whatever the test left, by a member. */
	const char *restore[2];
};

/* @path = /sys/bus/pci/devices/<bdf>/<attr>; asserts that it fits. */
static void dev_path(struct __test_metadata *_metadata, char *path,
		     const char *bdf, const char *attr)
{
	ASSERT_EQ(0, pathf(path, "%s/%s/%s", PCI_DEVICES, bdf, attr));
}

/* The driver bound to @bdf into @buf (NAME_LEN bytes), "" if none. */
static char *driver_of(const char *bdf, char *buf)
{
	return pci_driver_of(bdf, buf, NAME_LEN);
}

/* Wait up to @ms for @bdf's driver to be @want ("" for none). */
static int wait_driver(const char *bdf, const char *want, int ms)
{
	char path[PATH_MAX];

	return !pathf(path, "%s/%s/driver", PCI_DEVICES, bdf) &&
	       wait_link(path, want, ms);
}

/* Unbind @bdf from its driver through the driver's unbind file. */
static int unbind_dev(const char *bdf)
{
	return dev_write(bdf, "driver/unbind", bdf);
}

/* Offer @bdf to the drivers, as drivers_probe does for libvirt. */
static int probe_dev(const char *bdf)
{
	return write_path("/sys/bus/pci/drivers_probe", bdf);
}

/* Read attribute @attr of @bdf's isolation group into @buf (NAME_LEN). */
static char *group_attr(const struct dev *d, const char *attr, char *buf)
{
	if (read_attr(d->group, attr, buf, NAME_LEN) < 0)
		snprintf(buf, NAME_LEN, "?");
	return buf;
}

static int set_manager(const struct dev *d, const char *val)
{
	char path[PATH_MAX];

	if (pathf(path, "%s/manager", d->group))
		return -1;	/* no errno: fails every expectation */
	return write_path(path, val);
}

/* The PCI device named by environment variable @var, with its groups. */
static void dev_init(struct __test_metadata *_metadata, struct dev *d,
		     const char *var)
{
	char path[PATH_MAX], buf[NAME_LEN];

	d->bdf = getenv(var);
	ASSERT_NE(NULL, d->bdf)
		TH_LOG("%s is not set: this test needs its own topology", var);
	ASSERT_NE(0, d->bdf[0]) TH_LOG("%s is empty", var);
	dev_path(_metadata, path, d->bdf, "iommu_group");
	ASSERT_LT(0, link_base(path, buf, sizeof(buf)))
		TH_LOG("%s=%s: no IOMMU group", var, d->bdf);
	d->iommu_group = atoi(buf);
	dev_path(_metadata, path, d->bdf, "isolation_group");
	ASSERT_LT(0, link_base(path, buf, sizeof(buf)))
		TH_LOG("%s=%s: no isolation group", var, d->bdf);
	ASSERT_EQ(0, pathf(d->group, "%s/%s", ISOLATION_ROOT, buf));
	driver_of(d->bdf, d->host);
	ksft_print_msg("%s=%s: isolation group %s, IOMMU group %d, driver %s\n",
		       var, d->bdf, d->group, d->iommu_group,
		       d->host[0] ? d->host : "(none)");
}

/*
 * Wait for @d's driver to be @driver and its group's manager to be
 * @manager, then print and check the state: manager, locked, driver.
 */
static void check_state(struct __test_metadata *_metadata,
			const struct dev *d, const char *manager,
			const char *locked, const char *driver,
			const char *when)
{
	char m[NAME_LEN], l[NAME_LEN], drv[NAME_LEN];

	wait_driver(d->bdf, driver, SETTLE_MS);
	wait_attr(d->group, "manager", manager, SETTLE_MS);
	group_attr(d, "manager", m);
	group_attr(d, "locked", l);
	driver_of(d->bdf, drv);
	ksft_print_msg("%s: %s: manager '%s' locked %s driver '%s'\n",
		       when, d->bdf, m, l, drv);
	ASSERT_STREQ(manager, m) TH_LOG("%s: manager of %s", when, d->group);
	ASSERT_STREQ(locked, l) TH_LOG("%s: locked of %s", when, d->group);
	ASSERT_STREQ(driver, drv) TH_LOG("%s: driver of %s", when, d->bdf);
}

/* At the start: the group unmanaged, @d on its host driver. */
static void check_host(struct __test_metadata *_metadata, const struct dev *d,
		       const char *when)
{
	ASSERT_NE(0, d->host[0]) TH_LOG("%s has no host driver", d->bdf);
	ASSERT_STRNE(VFIO_DRIVER, d->host)
		TH_LOG("%s is on vfio-pci: a previous test left it", d->bdf);
	check_state(_metadata, d, "", "0", d->host, when);
}

/* @d from @var, given back by the teardown, on its host driver now. */
static void start_dev(struct __test_metadata *_metadata, struct dev *d,
		      const char *var, const char **restore)
{
	dev_init(_metadata, d, var);
	*restore = d->bdf;
	check_host(_metadata, d, "before");
}

/* For make demo: show @d's group as an administrator sees it. */
static void show_group(const struct dev *d, const char *what)
{
	const char *ls = getenv("LSISOLATION");
	char cmd[PATH_MAX];

	if (!getenv("ISOLATION_VFIO_SHOW") || !ls ||
	    snprintf(cmd, sizeof(cmd), "%s -d %s", ls, d->bdf) >= (int)sizeof(cmd))
		return;
	printf("\n# %s\n", what);
	fflush(stdout);
	if (system(cmd))
		ksft_print_msg("%s failed\n", cmd);
}

/* Hand @d's group to VFIO: its endpoints on vfio-pci, locked. */
static void hand_over(struct __test_metadata *_metadata, const struct dev *d)
{
	show_group(d, "before: the host drivers have the group");
	ASSERT_EQ(0, set_manager(d, VFIO_MANAGER "\n"))
		TH_LOG("writing vfio to %s/manager", d->group);
	show_group(d, "echo vfio > manager: vfio has it, locked");
	check_state(_metadata, d, VFIO_MANAGER, "1", VFIO_DRIVER,
		    "handed over");
}

/* Give @d's group back: manager empty, the host driver back on @d. */
static void give_back(struct __test_metadata *_metadata, const struct dev *d)
{
	ASSERT_EQ(0, set_manager(d, "\n"))
		TH_LOG("giving back %s", d->group);
	show_group(d, "echo > manager: given back, the host driver returns");
	check_state(_metadata, d, "", "0", d->host, "given back");
}

/* The give-back is refused while VFIO holds the group; nothing changes. */
static void give_back_refused(struct __test_metadata *_metadata,
			      const struct dev *d, const char *holder)
{
	int err = set_manager(d, "\n");

	ksft_print_msg("give-back with %s open: %s\n", holder, strerror(err));
	ASSERT_EQ(EBUSY, err) TH_LOG("give-back with %s open", holder);
	check_state(_metadata, d, VFIO_MANAGER, "1", VFIO_DRIVER,
		    "give-back refused");
}

static int open_group(const struct dev *d)
{
	char path[PATH_MAX];

	if (pathf(path, "/dev/vfio/%d", d->iommu_group))
		return -1;
	return open(path, O_RDWR);
}

/* VFIO_GROUP_GET_STATUS flags of @group, printed; -1 on failure. */
static int group_status(int group)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };

	if (ioctl(group, VFIO_GROUP_GET_STATUS, &status))
		return -1;
	ksft_print_msg("group status:%s%s\n",
		       status.flags & VFIO_GROUP_FLAGS_VIABLE ? " VIABLE" : "",
		       status.flags & VFIO_GROUP_FLAGS_CONTAINER_SET ?
		       " CONTAINER_SET" : "");
	return status.flags;
}

/* Open the container and check the API, as every VFIO user does first. */
static int open_container(struct __test_metadata *_metadata)
{
	int fd = open("/dev/vfio/vfio", O_RDWR);

	ASSERT_LE(0, fd) TH_LOG("/dev/vfio/vfio: %s", strerror(errno));
	ASSERT_EQ(VFIO_API_VERSION, ioctl(fd, VFIO_GET_API_VERSION));
	ASSERT_LT(0, ioctl(fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU))
		TH_LOG("no type1v2 IOMMU");
	return fd;
}

/* Open @d's group, check it is viable, set a type1v2 container. */
static void attach_type1(struct __test_metadata *_metadata,
			 struct vfio_fds *v, const struct dev *d)
{
	v->container = open_container(_metadata);
	v->group = open_group(d);
	ASSERT_LE(0, v->group)
		TH_LOG("/dev/vfio/%d: %s", d->iommu_group, strerror(errno));
	ASSERT_EQ(VFIO_GROUP_FLAGS_VIABLE, group_status(v->group));
	ASSERT_EQ(0, ioctl(v->group, VFIO_GROUP_SET_CONTAINER, &v->container))
		TH_LOG("SET_CONTAINER: %s", strerror(errno));
	ASSERT_EQ(0, ioctl(v->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		TH_LOG("SET_IOMMU: %s", strerror(errno));
	ASSERT_EQ(VFIO_GROUP_FLAGS_VIABLE | VFIO_GROUP_FLAGS_CONTAINER_SET,
		  group_status(v->group));
}

static void *dma_buffer(struct __test_metadata *_metadata)
{
	void *p = mmap(NULL, DMA_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, p) TH_LOG("mmap: %s", strerror(errno));
	memset(p, 0x5a, DMA_SIZE);
	return p;
}

/* Map the DMA buffer at DMA_IOVA in the type1 container. */
static void map_type1(struct __test_metadata *_metadata,
		      struct vfio_fds *v)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.iova = DMA_IOVA,
		.size = DMA_SIZE,
	};

	v->dma = dma_buffer(_metadata);
	map.vaddr = (unsigned long)v->dma;
	ASSERT_EQ(0, ioctl(v->container, VFIO_IOMMU_MAP_DMA, &map))
		TH_LOG("MAP_DMA: %s", strerror(errno));
	ksft_print_msg("type1 MAP_DMA: %lu KiB at IOVA 0x%llx\n", DMA_SIZE / 1024,
		       (unsigned long long)DMA_IOVA);
}

/* The vendor ID, read through the device's config space region. */
static void check_vendor(struct __test_metadata *_metadata, int device)
{
	struct vfio_region_info info = {
		.argsz = sizeof(info),
		.index = VFIO_PCI_CONFIG_REGION_INDEX,
	};
	unsigned char id[2];

	ASSERT_EQ(0, ioctl(device, VFIO_DEVICE_GET_REGION_INFO, &info))
		TH_LOG("GET_REGION_INFO: %s", strerror(errno));
	ASSERT_EQ(2, pread(device, id, sizeof(id), info.offset))
		TH_LOG("config read: %s", strerror(errno));
	ksft_print_msg("vendor ID through VFIO: %04x\n", id[0] | id[1] << 8);
	ASSERT_EQ(PCI_VENDOR_INTEL, id[0] | id[1] << 8);
}

/* /dev/vfio/devices/vfioN of @bdf, from its vfio-dev directory. */
static void cdev_path(struct __test_metadata *_metadata, const char *bdf,
		      char *path)
{
	struct dirent *de;
	char dir[PATH_MAX];
	DIR *d;

	dev_path(_metadata, dir, bdf, "vfio-dev");
	d = opendir(dir);
	ASSERT_NE(NULL, d) TH_LOG("%s: %s", dir, strerror(errno));
	while ((de = readdir(d)) && strncmp(de->d_name, "vfio", 4))
		;
	if (de)
		snprintf(path, PATH_MAX, "/dev/vfio/devices/%s", de->d_name);
	closedir(d);
	ASSERT_NE(NULL, de) TH_LOG("no vfioN in %s", dir);
}

/* Open @bdf's cdev and /dev/iommu, and bind them; 0 or the errno. */
static int bind_cdev(struct __test_metadata *_metadata,
		     struct vfio_fds *v, const char *bdf)
{
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	char path[PATH_MAX];

	cdev_path(_metadata, bdf, path);
	v->device = open(path, O_RDWR);
	ASSERT_LE(0, v->device) TH_LOG("%s: %s", path, strerror(errno));
	v->iommufd = open("/dev/iommu", O_RDWR);
	ASSERT_LE(0, v->iommufd) TH_LOG("/dev/iommu: %s", strerror(errno));
	bind.iommufd = v->iommufd;
	if (ioctl(v->device, VFIO_DEVICE_BIND_IOMMUFD, &bind))
		return errno;
	ksft_print_msg("%s bound to iommufd, devid %u\n", path, bind.out_devid);
	return 0;
}

/* Another endpoint on a host driver in @d's group, into @bdf. */
static void other_endpoint(struct __test_metadata *_metadata,
			   const struct dev *d, char *bdf)
{
	char path[PATH_MAX], class[NAME_LEN], drv[NAME_LEN];
	struct dirent *de;
	DIR *dir;

	bdf[0] = '\0';
	ASSERT_EQ(0, pathf(path, "%s/devices", d->group));
	dir = opendir(path);
	ASSERT_NE(NULL, dir) TH_LOG("%s: %s", path, strerror(errno));
	while (!bdf[0] && (de = readdir(dir))) {
		if (de->d_name[0] == '.' || !strcmp(de->d_name, d->bdf) ||
		    pathf(path, "%s/%s", PCI_DEVICES, de->d_name) ||
		    read_attr(path, "class", class, sizeof(class)) < 0 ||
		    !strncmp(class, "0x06", 4) || !driver_of(de->d_name, drv)[0])
			continue;
		snprintf(bdf, NAME_LEN, "%.*s", NAME_LEN - 1, de->d_name);
	}
	closedir(dir);
	ASSERT_NE(0, bdf[0])
		TH_LOG("%s: no other endpoint on a host driver", d->group);
	ksft_print_msg("other endpoint in %s: %s on %s\n", d->group, bdf, drv);
}

/*
 * Put @bdf's group back as the test found it, whatever the test left:
 * clear driver_override, take vfio-pci off, give the group back, and
 * offer every driverless endpoint to the drivers.  Best effort.
 */
static void restore_group(const char *bdf)
{
	char path[PATH_MAX], dir[PATH_MAX], buf[NAME_LEN];
	struct dirent *de;
	DIR *d;

	if (pathf(path, "%s/%s/isolation_group", PCI_DEVICES, bdf) ||
	    link_base(path, buf, sizeof(buf)) <= 0 ||
	    pathf(dir, "%s/%s/devices", ISOLATION_ROOT, buf))
		return;
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' ||
		    pathf(path, "%s/%s", PCI_DEVICES, de->d_name))
			continue;
		if (read_attr(path, "driver_override", buf, sizeof(buf)) >= 0 &&
		    strcmp(buf, "(null)"))
			dev_write(de->d_name, "driver_override", "\n");
		if (!strcmp(driver_of(de->d_name, buf), VFIO_DRIVER))
			unbind_dev(de->d_name);
	}
	dir[strlen(dir) - strlen("/devices")] = '\0';
	/* Delegation ends with the test (no owner file: an older kernel). */
	if (read_attr(dir, "owner", buf, sizeof(buf)) > 0 &&
	    (pathf(path, "%s/owner", dir) || write_path(path, "\n")))
		ksft_print_msg("teardown: %s keeps its owner\n", dir);
	if (read_attr(dir, "manager", buf, sizeof(buf)) > 0) {
		ksft_print_msg("teardown: giving back %s (manager %s)\n", dir, buf);
		if (pathf(path, "%s/manager", dir) || write_path(path, "\n"))
			ksft_print_msg("teardown: %s not given back\n", dir);
		wait_attr(dir, "manager", "", SETTLE_MS);
	}
	rewinddir(d);
	while ((de = readdir(d))) {
		if (de->d_name[0] != '.' && !driver_of(de->d_name, buf)[0] &&
		    !pathf(path, "%s/%s", PCI_DEVICES, de->d_name) &&
		    read_attr(path, "class", buf, sizeof(buf)) >= 0 &&
		    strncmp(buf, "0x06", 4))
			probe_dev(de->d_name);
	}
	closedir(d);
}

FIXTURE_SETUP(vfio)
{
	self->v.container = -1;
	self->v.group = -1;
	self->v.device = -1;
	self->v.iommufd = -1;
	self->v.dma = MAP_FAILED;
}

/* Close what VFIO holds; the order releases the device before the group. */
static void close_all(struct vfio_fds *v)
{
	int *fds[] = { &v->device, &v->iommufd, &v->group,
		       &v->container };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(fds); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
	if (v->dma != MAP_FAILED)
		munmap(v->dma, DMA_SIZE);
	v->dma = MAP_FAILED;
}

FIXTURE_TEARDOWN(vfio)
{
	unsigned int i;

	close_all(&self->v);
	for (i = 0; i < ARRAY_SIZE(self->restore); i++)
		if (self->restore[i])
			restore_group(self->restore[i]);
}

/* The handover, then the legacy container (type1) on the group. */
TEST_F_TIMEOUT(vfio, handover_type1, 90)
{
	struct dev d;

	start_dev(_metadata, &d, "ISOLATION_VFIO_ENDPOINT", &self->restore[0]);
	hand_over(_metadata, &d);

	attach_type1(_metadata, &self->v, &d);
	map_type1(_metadata, &self->v);
	self->v.device = ioctl(self->v.group, VFIO_GROUP_GET_DEVICE_FD, d.bdf);
	ASSERT_LE(0, self->v.device) TH_LOG("GET_DEVICE_FD: %s", strerror(errno));
	check_vendor(_metadata, self->v.device);

	/* A user holds the group: it cannot be given back. */
	give_back_refused(_metadata, &d, "container, group and device");
	close(self->v.device);
	self->v.device = -1;
	close(self->v.container);
	self->v.container = -1;
	give_back_refused(_metadata, &d, "the group");

	close_all(&self->v);
	give_back(_metadata, &d);
}

/* The handover, then the device cdev bound to iommufd. */
TEST_F_TIMEOUT(vfio, handover_iommufd_cdev, 90)
{
	struct vfio_device_attach_iommufd_pt attach = {
		.argsz = sizeof(attach),
	};
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_ioas_map map = {
		.size = sizeof(map),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.length = DMA_SIZE,
		.iova = DMA_IOVA,
	};
	struct dev d;
	int err;

	start_dev(_metadata, &d, "ISOLATION_VFIO_ENDPOINT", &self->restore[0]);
	hand_over(_metadata, &d);

	err = bind_cdev(_metadata, &self->v, d.bdf);
	ASSERT_EQ(0, err) TH_LOG("BIND_IOMMUFD: %s", strerror(err));
	ASSERT_EQ(0, ioctl(self->v.iommufd, IOMMU_IOAS_ALLOC, &alloc))
		TH_LOG("IOAS_ALLOC: %s", strerror(errno));
	attach.pt_id = alloc.out_ioas_id;
	ASSERT_EQ(0, ioctl(self->v.device, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach))
		TH_LOG("ATTACH_IOMMUFD_PT: %s", strerror(errno));
	self->v.dma = dma_buffer(_metadata);
	map.ioas_id = alloc.out_ioas_id;
	map.user_va = (unsigned long)self->v.dma;
	ASSERT_EQ(0, ioctl(self->v.iommufd, IOMMU_IOAS_MAP, &map))
		TH_LOG("IOAS_MAP: %s", strerror(errno));
	ASSERT_EQ(DMA_IOVA, map.iova);
	check_vendor(_metadata, self->v.device);

	give_back_refused(_metadata, &d, "the device cdev");
	close_all(&self->v);
	give_back(_metadata, &d);
}

/*
 * @driver binds to the driverless @d neither through its bind file nor
 * through drivers_probe: @d's group stays @manager's, locked.
 */
static void no_bind(struct __test_metadata *_metadata, const struct dev *d,
		    const char *driver, const char *manager)
{
	char path[PATH_MAX];
	int err;

	ASSERT_EQ(0, pathf(path, "%s/%s/bind", PCI_DRIVERS, driver));
	err = write_path(path, d->bdf);
	ksft_print_msg("%s bind of %s: %s\n", driver, d->bdf, strerror(err));
	ASSERT_NE(0, err) TH_LOG("%s bound in a group of %s", driver, manager);
	check_state(_metadata, d, manager, "1", "", "bind refused");

	err = probe_dev(d->bdf);
	ksft_print_msg("drivers_probe of %s: %s\n", d->bdf, strerror(err));
	check_state(_metadata, d, manager, "1", "", "drivers_probe");
}

/*
 * A host driver cannot bind in a vfio-managed group, even to a device left
 * driverless and without a driver override: neither through its bind file
 * nor through drivers_probe.
 */
TEST_F_TIMEOUT(vfio, host_bind_refused, 90)
{
	struct dev d;

	start_dev(_metadata, &d, "ISOLATION_VFIO_ENDPOINT", &self->restore[0]);
	hand_over(_metadata, &d);

	ASSERT_EQ(0, unbind_dev(d.bdf)) TH_LOG("unbinding vfio-pci");
	/* Only the group's lock is left to refuse the host driver. */
	ASSERT_EQ(0, dev_write(d.bdf, "driver_override", "\n"));
	check_state(_metadata, &d, VFIO_MANAGER, "1", "", "vfio-pci unbound");

	no_bind(_metadata, &d, d.host, VFIO_MANAGER);
	give_back(_metadata, &d);
}

/*
 * A group that another manager holds (the test module's "isolation-test",
 * which has no driver for a PCI device): vfio-pci cannot bind there, by
 * driver_override and drivers_probe nor through its bind file.
 */
TEST_F_TIMEOUT(vfio, other_manager_refuses_vfio, 90)
{
	struct dev d;

	start_dev(_metadata, &d, "ISOLATION_VFIO_ENDPOINT", &self->restore[0]);
	ASSERT_EQ(0, set_manager(&d, OTHER_MANAGER "\n"))
		TH_LOG("handing %s to %s (test_isolation.groups=1)", d.group,
		       OTHER_MANAGER);
	check_state(_metadata, &d, OTHER_MANAGER, "1", "", "other manager");

	ASSERT_EQ(0, dev_write(d.bdf, "driver_override", VFIO_DRIVER));
	no_bind(_metadata, &d, VFIO_DRIVER, OTHER_MANAGER);

	ASSERT_EQ(0, dev_write(d.bdf, "driver_override", "\n"));
	give_back(_metadata, &d);
}

/*
 * One endpoint of a group on vfio-pci by driver_override, the other on its
 * host driver: the implicit take unbinds nothing, and the group is not
 * viable, for the container and the cdev alike.  Then libvirt's reattach.
 */
TEST_F_TIMEOUT(vfio, not_viable_with_host_driver, 90)
{
	char other[NAME_LEN], drv[NAME_LEN], host[NAME_LEN], m[NAME_LEN];
	char l[NAME_LEN];
	struct dev d;
	int err;

	start_dev(_metadata, &d, "ISOLATION_VFIO_HOTPLUG_GROUP", &self->restore[0]);
	other_endpoint(_metadata, &d, other);
	driver_of(other, host);

	ASSERT_EQ(0, dev_write(d.bdf, "driver_override", VFIO_DRIVER));
	ASSERT_EQ(0, unbind_dev(d.bdf));
	ASSERT_EQ(0, probe_dev(d.bdf));
	ASSERT_TRUE(wait_driver(d.bdf, VFIO_DRIVER, SETTLE_MS))
		TH_LOG("%s on '%s', not vfio-pci", d.bdf, driver_of(d.bdf, drv));
	ksft_print_msg("%s on vfio-pci: manager '%s' locked %s; %s on '%s'\n",
		       d.bdf, group_attr(&d, "manager", m),
		       group_attr(&d, "locked", l), other, driver_of(other, drv));
	ASSERT_STREQ(host, drv) TH_LOG("the implicit take changed %s", other);
	ASSERT_STREQ("0", l) TH_LOG("locked with a host driver bound");

	self->v.container = open_container(_metadata);
	self->v.group = open_group(&d);
	ASSERT_LE(0, self->v.group)
		TH_LOG("/dev/vfio/%d: %s", d.iommu_group, strerror(errno));
	ASSERT_EQ(0, group_status(self->v.group));
	err = ioctl(self->v.group, VFIO_GROUP_SET_CONTAINER, &self->v.container) ? errno : 0;
	ASSERT_EQ(EPERM, err) TH_LOG("SET_CONTAINER: %s", strerror(err));
	close_all(&self->v);
	err = bind_cdev(_metadata, &self->v, d.bdf);
	ASSERT_EQ(EPERM, err) TH_LOG("BIND_IOMMUFD: %s", strerror(err));
	close_all(&self->v);

	/* libvirt's reattach. */
	ASSERT_EQ(0, unbind_dev(d.bdf));
	ASSERT_EQ(0, dev_write(d.bdf, "driver_override", "\n"));
	ASSERT_EQ(0, probe_dev(d.bdf));
	check_state(_metadata, &d, "", "0", d.host, "reattached");
	ASSERT_STREQ(host, driver_of(other, drv));
}

/* libvirt's and driverctl's way: driver_override, then the reattach. */
TEST_F_TIMEOUT(vfio, driver_override_flow_and_reattach, 90)
{
	struct dev d;

	start_dev(_metadata, &d, "ISOLATION_VFIO_ENDPOINT", &self->restore[0]);

	ASSERT_EQ(0, dev_write(d.bdf, "driver_override", VFIO_DRIVER));
	ASSERT_EQ(0, unbind_dev(d.bdf));
	ASSERT_EQ(0, probe_dev(d.bdf));
	check_state(_metadata, &d, VFIO_MANAGER, "1", VFIO_DRIVER,
		    "bound by driver_override");
	attach_type1(_metadata, &self->v, &d);
	close_all(&self->v);

	ASSERT_EQ(0, unbind_dev(d.bdf));
	ASSERT_EQ(0, dev_write(d.bdf, "driver_override", "\n"));
	ASSERT_EQ(0, probe_dev(d.bdf));
	check_state(_metadata, &d, "", "0", d.host, "reattached");
}

/* A port without ACS keeps pcieport in its handed-over group. */
TEST_F_TIMEOUT(vfio, noacs_port_kept, 90)
{
	char drv[NAME_LEN];
	struct dev d, port;

	dev_init(_metadata, &d, "ISOLATION_VFIO_NOACS");
	dev_init(_metadata, &port, "ISOLATION_VFIO_NOACS_PORT");
	self->restore[0] = d.bdf;
	ASSERT_STREQ(d.group, port.group)
		TH_LOG("%s and %s are not in one group", d.bdf, port.bdf);
	ASSERT_STREQ(PORT_DRIVER, port.host);
	check_host(_metadata, &d, "before");

	hand_over(_metadata, &d);
	ASSERT_STREQ(PORT_DRIVER, driver_of(port.bdf, drv));
	attach_type1(_metadata, &self->v, &d);
	close_all(&self->v);

	give_back(_metadata, &d);
	ASSERT_STREQ(PORT_DRIVER, driver_of(port.bdf, drv));
}

/*
 * A device hot-plugged into a group that userspace holds binds no host
 * driver, and the group stays locked and viable with its DMA mapping.
 */
TEST_F_TIMEOUT(vfio, hotplug_into_held_group, 150)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.iova = DMA_IOVA,
		.size = DMA_SIZE,
	};
	char path[PATH_MAX], drv[NAME_LEN], group[NAME_LEN];
	const char *new;
	struct dev d;
	int i;

	dev_init(_metadata, &d, "ISOLATION_VFIO_HOTPLUG_GROUP");
	self->restore[0] = d.bdf;
	new = getenv("ISOLATION_VFIO_HOTPLUG_NEW");
	ASSERT_NE(NULL, new) TH_LOG("ISOLATION_VFIO_HOTPLUG_NEW is not set");
	ASSERT_NE(0, new[0]) TH_LOG("ISOLATION_VFIO_HOTPLUG_NEW is empty");
	ASSERT_EQ(0, pathf(path, "%s/%s", PCI_DEVICES, new));
	ASSERT_NE(0, access(path, F_OK)) TH_LOG("%s is present already", new);
	check_host(_metadata, &d, "before");
	hand_over(_metadata, &d);
	attach_type1(_metadata, &self->v, &d);
	map_type1(_metadata, &self->v);

	printf("ISOLATION-PHASE-READY 1\n");
	fflush(stdout);
	dev_path(_metadata, path, new, "iommu_group");
	for (i = 0; i < HOTPLUG_MS / 100 && access(path, F_OK); i++)
		usleep(100 * 1000);
	ASSERT_EQ(0, access(path, F_OK)) TH_LOG("%s did not appear", new);
	ksft_print_msg("%s appeared after %d.%d s\n", new, i / 10, i % 10);

	/* The link comes before the drivers are asked: give one 3 s. */
	for (i = 0; i < 30 && !driver_of(new, drv)[0]; i++)
		usleep(100 * 1000);
	dev_path(_metadata, path, new, "isolation_group");
	ASSERT_LT(0, link_base(path, group, sizeof(group)))
		TH_LOG("%s is in no isolation group", new);
	ksft_print_msg("%s: isolation group %s, driver '%s'\n", new, group, drv);
	ASSERT_STREQ("", drv) TH_LOG("a driver bound to %s in a held group", new);
	ASSERT_STREQ(strrchr(d.group, '/') + 1, group);
	check_state(_metadata, &d, VFIO_MANAGER, "1", VFIO_DRIVER, "hot-plugged");
	ASSERT_EQ(VFIO_GROUP_FLAGS_VIABLE | VFIO_GROUP_FLAGS_CONTAINER_SET,
		  group_status(self->v.group));
	ASSERT_EQ(0, ioctl(self->v.container, VFIO_IOMMU_UNMAP_DMA, &unmap))
		TH_LOG("UNMAP_DMA: %s", strerror(errno));
	ksft_print_msg("unmapped %llu bytes\n", (unsigned long long)unmap.size);
	ASSERT_EQ(DMA_SIZE, unmap.size);

	close_all(&self->v);
	give_back(_metadata, &d);
	ASSERT_TRUE(wait_driver(new, d.host, SETTLE_MS))
		TH_LOG("%s on '%s' after the give-back", new, driver_of(new, drv));
}

/* Multi-device groups */

#define MAX_EPS	4

/* The endpoints (not bridges) of @d's group, sorted, into @eps. */
static int endpoints(struct __test_metadata *_metadata, const struct dev *d,
		     char eps[MAX_EPS][NAME_LEN])
{
	char path[PATH_MAX], class[NAME_LEN], tmp[NAME_LEN];
	struct dirent *de;
	int n = 0, i, j;
	DIR *dir;

	ASSERT_EQ(0, pathf(path, "%s/devices", d->group));
	dir = opendir(path);
	ASSERT_NE(NULL, dir) TH_LOG("%s: %s", path, strerror(errno));
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.' ||
		    pathf(path, "%s/%s", PCI_DEVICES, de->d_name) ||
		    read_attr(path, "class", class, sizeof(class)) < 0 ||
		    !strncmp(class, "0x06", 4))
			continue;
		ASSERT_GT(MAX_EPS, n) TH_LOG("%s: more than %d members", d->group, MAX_EPS);
		snprintf(eps[n++], NAME_LEN, "%.*s", NAME_LEN - 1, de->d_name);
	}
	closedir(dir);
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (strcmp(eps[i], eps[j]) > 0) {
				memcpy(tmp, eps[i], NAME_LEN);
				memcpy(eps[i], eps[j], NAME_LEN);
				memcpy(eps[j], tmp, NAME_LEN);
			}
	return n;
}

/* The group's manager and locked state, checked with a message. */
static void check_group(struct __test_metadata *_metadata, const struct dev *d,
			const char *manager, const char *locked,
			const char *when)
{
	char m[NAME_LEN], l[NAME_LEN];

	wait_attr(d->group, "manager", manager, SETTLE_MS);
	wait_attr(d->group, "locked", locked, SETTLE_MS);
	group_attr(d, "manager", m);
	group_attr(d, "locked", l);
	ksft_print_msg("%s: %s manager '%s' locked %s\n", when, d->group, m, l);
	ASSERT_STREQ(manager, m) TH_LOG("%s: manager", when);
	ASSERT_STREQ(locked, l) TH_LOG("%s: locked", when);
}

static void check_driver(struct __test_metadata *_metadata, const char *bdf,
			 const char *want, const char *when)
{
	char drv[NAME_LEN];

	wait_driver(bdf, want, SETTLE_MS);
	ASSERT_STREQ(want, driver_of(bdf, drv))
		TH_LOG("%s: %s on '%s', not '%s'", when, bdf, drv, want);
}

/* libvirt's detach of one device: override, unbind, drivers_probe. */
static void override_flow(struct __test_metadata *_metadata, const char *bdf)
{
	char drv[NAME_LEN];

	ASSERT_EQ(0, dev_write(bdf, "driver_override", VFIO_DRIVER));
	if (driver_of(bdf, drv)[0])
		ASSERT_EQ(0, unbind_dev(bdf));
	ASSERT_EQ(0, probe_dev(bdf));
	check_driver(_metadata, bdf, VFIO_DRIVER, "driver_override");
}

/* libvirt's reattach of one device: unbind, clear, drivers_probe. */
static void reattach(struct __test_metadata *_metadata, const char *bdf,
		     const char *host)
{
	ASSERT_EQ(0, unbind_dev(bdf));
	ASSERT_EQ(0, dev_write(bdf, "driver_override", "\n"));
	ASSERT_EQ(0, probe_dev(bdf)) TH_LOG("drivers_probe %s", bdf);
	check_driver(_metadata, bdf, host, "reattached");
}

/*
 * Every endpoint of @d's group to vfio-pci the per-device way, then back
 * in @order: each reattach gets its host driver, whatever is still on
 * vfio-pci; the last leaves the group without a manager.
 */
static void flow_and_reattach(struct __test_metadata *_metadata,
			      const struct dev *d, const int *order, int n)
{
	char eps[MAX_EPS][NAME_LEN], hosts[MAX_EPS][NAME_LEN];
	int i, k;

	ASSERT_EQ(n, endpoints(_metadata, d, eps));
	for (i = 0; i < n; i++) {
		ASSERT_NE(0, driver_of(eps[i], hosts[i])[0])
			TH_LOG("%s has no host driver", eps[i]);
		ASSERT_STRNE(VFIO_DRIVER, hosts[i]);
	}
	for (i = 0; i < n; i++) {
		override_flow(_metadata, eps[i]);
		check_group(_metadata, d, VFIO_MANAGER, i == n - 1 ? "1" : "0",
			    eps[i]);
	}
	for (i = 0; i < n; i++) {
		k = order[i];
		ksft_print_msg("reattach %s\n", eps[k]);
		reattach(_metadata, eps[k], hosts[k]);
		check_group(_metadata, d, i == n - 1 ? "" : VFIO_MANAGER, "0",
			    "reattach");
	}
	for (i = 0; i < n; i++)
		check_driver(_metadata, eps[i], hosts[i], "all reattached");
}

/*
 * Delegation: an unprivileged user runs the VFIO flow on its own group, one
 * of three endpoints behind a PCIe-to-PCI bridge.
 */

#define OWNER_UID	1000
#define OWNER_GID	1000
#define OTHER_UID	1001

/*
 * The steps of a session in a process of its own, as its exit status: the
 * harness's assertions belong to the test's process, so the session
 * returns the step that failed, with errno printed.
 */
enum user_step {
	STEP_OK,
	STEP_CREDS,		/* could not become the user */
	STEP_STILL_PRIVILEGED,	/* the user could still do root's things */
	STEP_HANDOVER,
	STEP_NODE_OWNER,	/* a VFIO node not the owner's, 0600 */
	STEP_GROUP_OPEN,
	STEP_DEVICE_NODE,	/* opening /dev/vfio/devices/vfio<N> */
	STEP_CONTAINER,
	STEP_SET_CONTAINER,
	STEP_SET_IOMMU,
	STEP_MAP,
	STEP_DEVICE,
	STEP_VENDOR,
	STEP_GIVE_BACK,
	STEP_NOT_REFUSED,	/* an open that had to fail with EACCES */
	STEP_USERNS,
};

static const char * const step_names[] = {
	"ok", "becoming the user", "dropping root's rights", "handover",
	"owner of a VFIO node", "opening the group", "opening a device node",
	"the container", "SET_CONTAINER", "SET_IOMMU", "MAP_DMA",
	"GET_DEVICE_FD", "vendor ID", "give back",
	"an open that must fail with EACCES", "a user namespace",
};

/* What a session works on: the group, its endpoints and their nodes. */
struct session {
	const struct dev *d;
	const char *other;		/* another group's directory */
	int n;				/* endpoints */
	char eps[MAX_EPS][NAME_LEN];
	char nodes[MAX_EPS][PATH_MAX];	/* /dev/vfio/devices/vfio<N> */
	char group_node[PATH_MAX];	/* /dev/vfio/<IOMMU group> */
};

static int step_fail(enum user_step step, const char *what)
{
	ksft_print_msg("user %d: %s: %s: %s\n", (int)getuid(), step_names[step],
		       what, strerror(errno));
	return step;
}

/* An open of @path with @flags must fail with EACCES. */
static int refused(const char *path, int flags)
{
	int fd = open(path, flags);

	if (fd >= 0) {
		close(fd);
		errno = 0;
		return step_fail(STEP_NOT_REFUSED, path);
	}
	if (errno != EACCES)
		return step_fail(STEP_NOT_REFUSED, path);
	ksft_print_msg("user %d: %s: EACCES\n", (int)getuid(), path);
	return STEP_OK;
}

/* The node @path is the user's, mode 0600. */
static int node_is_mine(const char *path)
{
	struct stat st;

	if (stat(path, &st))
		return step_fail(STEP_NODE_OWNER, path);
	ksft_print_msg("%s: uid %u gid %u mode %o\n", path, st.st_uid,
		       st.st_gid, st.st_mode & 0777);
	if (st.st_uid != getuid() || (st.st_mode & 0777) != 0600) {
		errno = EPERM;
		return step_fail(STEP_NODE_OWNER, path);
	}
	return STEP_OK;
}

/* The owner hands its group over, as root would. */
static int owner_hand_over(const struct session *s)
{
	char path[PATH_MAX];
	struct stat st;
	int fd;

	/* Opening and writing apart, so that a failure says which. */
	if (pathf(path, "%s/manager", s->d->group) || stat(path, &st))
		return step_fail(STEP_HANDOVER, path);
	fd = open(path, O_WRONLY);
	if (fd < 0) {
		ksft_print_msg("user %d: %s is uid %u gid %u mode %o\n",
			       (int)getuid(), path, st.st_uid, st.st_gid,
			       st.st_mode & 0777);
		return step_fail(STEP_HANDOVER, "open");
	}
	if (write(fd, VFIO_MANAGER "\n", strlen(VFIO_MANAGER) + 1) < 0) {
		close(fd);
		return step_fail(STEP_HANDOVER, "write");
	}
	close(fd);
	ksft_print_msg("user %d: echo vfio > %s/manager: done\n",
		       (int)getuid(), s->d->group);
	/* Nothing else: not another group, not the owner file. */
	if (pathf(path, "%s/manager", s->other) || refused(path, O_WRONLY) ||
	    pathf(path, "%s/owner", s->d->group) || refused(path, O_WRONLY))
		return STEP_NOT_REFUSED;
	return STEP_OK;
}

/* Read @bdf's vendor ID through VFIO, from @group; an Intel one. */
static int user_vendor(int group, const char *bdf)
{
	struct vfio_region_info info = {
		.argsz = sizeof(info),
		.index = VFIO_PCI_CONFIG_REGION_INDEX,
	};
	unsigned char id[2];
	int device, ret = STEP_OK;

	device = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, bdf);
	if (device < 0)
		return step_fail(STEP_DEVICE, bdf);
	if (ioctl(device, VFIO_DEVICE_GET_REGION_INFO, &info) ||
	    pread(device, id, sizeof(id), info.offset) != sizeof(id)) {
		ret = step_fail(STEP_VENDOR, bdf);
	} else {
		ksft_print_msg("user %d: %s: vendor ID through VFIO: %04x\n",
			       (int)getuid(), bdf, id[0] | id[1] << 8);
		if ((id[0] | id[1] << 8) != PCI_VENDOR_INTEL) {
			errno = EIO;
			ret = step_fail(STEP_VENDOR, bdf);
		}
	}
	close(device);
	return ret;
}

/* The whole VFIO flow on the owner's group, then the give back. */
static int owner_session(const struct session *s)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.iova = DMA_IOVA,
		.size = DMA_SIZE,
	};
	int container, group, fd, i, step;
	void *buf;

	step = node_is_mine(s->group_node);
	for (i = 0; !step && i < s->n; i++)
		step = node_is_mine(s->nodes[i]);
	if (step)
		return step;
	/* Each device node opens (its iommufd bind is another story). */
	for (i = 0; i < s->n; i++) {
		fd = open(s->nodes[i], O_RDWR);
		if (fd < 0)
			return step_fail(STEP_DEVICE_NODE, s->nodes[i]);
		close(fd);
	}
	group = open(s->group_node, O_RDWR);
	if (group < 0)
		return step_fail(STEP_GROUP_OPEN, s->group_node);
	container = open("/dev/vfio/vfio", O_RDWR);
	if (container < 0)
		return step_fail(STEP_CONTAINER, "/dev/vfio/vfio");
	if (ioctl(group, VFIO_GROUP_SET_CONTAINER, &container))
		return step_fail(STEP_SET_CONTAINER, s->group_node);
	if (ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		return step_fail(STEP_SET_IOMMU, "type1v2");
	buf = mmap(NULL, DMA_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		return step_fail(STEP_MAP, "mmap");
	memset(buf, 0x5a, DMA_SIZE);
	map.vaddr = (unsigned long)buf;
	if (ioctl(container, VFIO_IOMMU_MAP_DMA, &map))
		return step_fail(STEP_MAP, "1 MiB (RLIMIT_MEMLOCK?)");
	ksft_print_msg("user %d: MAP_DMA %lu KiB at IOVA 0x%lx\n", (int)getuid(),
		       DMA_SIZE / 1024, DMA_IOVA);
	for (i = 0; !step && i < s->n; i++)
		step = user_vendor(group, s->eps[i]);
	if (step)
		return step;
	close(container);
	close(group);
	munmap(buf, DMA_SIZE);
	if (set_manager(s->d, "\n"))
		return step_fail(STEP_GIVE_BACK, s->d->group);
	ksft_print_msg("user %d: echo > %s/manager: given back\n", (int)getuid(),
		       s->d->group);
	return STEP_OK;
}

/* Someone else gets nothing: not the files, not the group's VFIO nodes. */
static int stranger(const struct session *s)
{
	char path[PATH_MAX];
	int i;

	if (pathf(path, "%s/manager", s->d->group) || refused(path, O_WRONLY) ||
	    pathf(path, "%s/owner", s->d->group) || refused(path, O_WRONLY) ||
	    refused(s->group_node, O_RDWR))
		return STEP_NOT_REFUSED;
	for (i = 0; i < s->n; i++)
		if (refused(s->nodes[i], O_RDWR))
			return STEP_NOT_REFUSED;
	return STEP_OK;
}

/* The stranger as root of a user namespace of its own: still nothing. */
static int userns_root(const struct session *s)
{
	char map[32];
	int fd;

	/*
	 * setresuid() made the process undumpable, which gives its /proc
	 * files to root: the maps below need them to be its own.
	 */
	if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0))
		return step_fail(STEP_USERNS, "PR_SET_DUMPABLE");
	if (unshare(CLONE_NEWUSER))
		return step_fail(STEP_USERNS, "unshare");
	fd = open("/proc/self/setgroups", O_WRONLY);
	if (fd < 0 || write(fd, "deny", 4) != 4)
		return step_fail(STEP_USERNS, "setgroups");
	close(fd);
	snprintf(map, sizeof(map), "0 %d 1", OTHER_UID);
	fd = open("/proc/self/uid_map", O_WRONLY);
	if (fd < 0 || write(fd, map, strlen(map)) != (ssize_t)strlen(map))
		return step_fail(STEP_USERNS, "uid_map");
	close(fd);
	ksft_print_msg("user %d in a user namespace: uid %d there\n", OTHER_UID,
		       (int)getuid());
	return stranger(s);
}

/* Run @fn(@s) as @uid, without any capability; its step. */
static int as_user(uid_t uid, gid_t gid, int (*fn)(const struct session *s),
		   const struct session *s)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return STEP_CREDS;
	if (!pid) {
		if (setgroups(0, NULL) || setresgid(gid, gid, gid) ||
		    setresuid(uid, uid, uid))
			_exit(step_fail(STEP_CREDS, "setresuid"));
		/* No capability left: writing root's files must fail. */
		if (!access("/proc/sys/kernel/hostname", W_OK)) {
			errno = EPERM;
			_exit(step_fail(STEP_STILL_PRIVILEGED, "hostname"));
		}
		_exit(fn(s));
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return STEP_CREDS;
	return WEXITSTATUS(status);
}

/* Another group than @d's: /sys/isolation/<id> into @dir. */
static void other_group(struct __test_metadata *_metadata, const struct dev *d,
			char *dir)
{
	struct dirent *de;
	DIR *root = opendir(ISOLATION_ROOT);

	ASSERT_NE(NULL, root);
	dir[0] = '\0';
	while (!dir[0] && (de = readdir(root)))
		if (de->d_name[0] != '.' &&
		    !pathf(dir, "%s/%s", ISOLATION_ROOT, de->d_name) &&
		    !strcmp(dir, d->group))
			dir[0] = '\0';
	closedir(root);
	ASSERT_NE(0, dir[0]) TH_LOG("no group but %s", d->group);
}

/* /dev/vfio/devices/vfio<N> of @bdf, on vfio-pci, into @node. */
static void device_node(struct __test_metadata *_metadata, const char *bdf,
			char *node)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *dir;

	node[0] = '\0';
	ASSERT_EQ(0, pathf(path, "%s/%s/vfio-dev", PCI_DEVICES, bdf));
	dir = opendir(path);
	ASSERT_NE(NULL, dir) TH_LOG("%s: %s", path, strerror(errno));
	while ((de = readdir(dir)))
		if (!strncmp(de->d_name, "vfio", 4))
			pathf(node, "/dev/vfio/devices/%s", de->d_name);
	closedir(dir);
	ASSERT_NE(0, node[0]) TH_LOG("%s has no VFIO device node", bdf);
}

/* A session's step, named when it is not the one expected. */
static void expect_step(struct __test_metadata *_metadata, int want, int step)
{
	EXPECT_EQ(want, step) TH_LOG("failed at: %s", step_names[step]);
}

TEST_F_TIMEOUT(vfio, delegated_user_session, 150)
{
	static const char * const junk[] = {
		"-1", "4294967295", "4294967296", "abc", "root", "1000:",
		":1000", "1000x", "1000 1000", "+1000", "1000:1000:1",
		"1000\n\n", " 1000",
	};
	struct rlimit lim = { 64 << 20, 64 << 20 };
	char path[PATH_MAX], other[PATH_MAX], buf[NAME_LEN];
	char hosts[MAX_EPS][NAME_LEN];
	struct session s = { 0 };
	unsigned int j;
	struct dev d;
	int i;
	/* make demo names the group of its topology; tests take the trio. */
	const char *var = getenv("ISOLATION_VFIO_DELEGATE") ?
			  "ISOLATION_VFIO_DELEGATE" : "ISOLATION_VFIO_TRIO";

	start_dev(_metadata, &d, var, &self->restore[0]);
	other_group(_metadata, &d, other);
	s.d = &d;
	s.other = other;
	s.n = endpoints(_metadata, &d, s.eps);
	ASSERT_LT(0, s.n) TH_LOG("%s: no endpoint", d.group);
	if (!strcmp(var, "ISOLATION_VFIO_TRIO"))
		ASSERT_EQ(3, s.n) TH_LOG("%s: not three endpoints", d.group);
	for (i = 0; i < s.n; i++)
		driver_of(s.eps[i], hosts[i]);
	ASSERT_EQ(0, pathf(s.group_node, "/dev/vfio/%d", d.iommu_group));
	ASSERT_EQ(0, pathf(path, "%s/owner", d.group));
	/* Bad input changes nothing. */
	for (j = 0; j < ARRAY_SIZE(junk); j++) {
		EXPECT_EQ(EINVAL, write_path(path, junk[j])) TH_LOG("'%s'", junk[j]);
		EXPECT_STREQ("", group_attr(&d, "owner", buf));
	}
	/* Without an owner, the user can do nothing. */
	expect_step(_metadata, STEP_HANDOVER,
		    as_user(OWNER_UID, OWNER_GID, owner_hand_over, &s));
	EXPECT_STREQ("", group_attr(&d, "manager", buf));

	/* Root delegates the group, and lets the user lock 64 MiB. */
	ASSERT_EQ(0, write_path(path, "1000\n"));
	EXPECT_STREQ("1000", group_attr(&d, "owner", buf));
	ASSERT_EQ(0, setrlimit(RLIMIT_MEMLOCK, &lim));
	show_group(&d, "echo 1000 > owner: delegated to uid 1000");
	expect_step(_metadata, STEP_OK,
		    as_user(OWNER_UID, OWNER_GID, owner_hand_over, &s));
	check_group(_metadata, &d, VFIO_MANAGER, "1", "handed over by its owner");
	for (i = 0; i < s.n; i++) {
		check_driver(_metadata, s.eps[i], VFIO_DRIVER, "handed over");
		device_node(_metadata, s.eps[i], s.nodes[i]);
	}
	show_group(&d, "uid 1000 wrote vfio to manager");
	expect_step(_metadata, STEP_OK,
		    as_user(OTHER_UID, OTHER_UID, stranger, &s));
	expect_step(_metadata, STEP_OK,
		    as_user(OTHER_UID, OTHER_UID, userns_root, &s));
	expect_step(_metadata, STEP_OK,
		    as_user(OWNER_UID, OWNER_GID, owner_session, &s));
	check_group(_metadata, &d, "", "0", "given back by its owner");
	for (i = 0; i < s.n; i++)
		check_driver(_metadata, s.eps[i], hosts[i], "given back");
	show_group(&d, "uid 1000 gave it back: the host drivers return");

	ASSERT_EQ(0, write_path(path, "\n"));
	EXPECT_STREQ("", group_attr(&d, "owner", buf));
}

/* The order of the report: function 1 first (libvirt's). */
TEST_F_TIMEOUT(vfio, pair_reattach_fn1_first, 90)
{
	static const int order[] = { 1, 0 };
	struct dev d;

	start_dev(_metadata, &d, "ISOLATION_VFIO_PAIR", &self->restore[0]);
	flow_and_reattach(_metadata, &d, order, 2);
}

TEST_F_TIMEOUT(vfio, pair_reattach_fn0_first, 90)
{
	static const int order[] = { 0, 1 };
	struct dev d;

	start_dev(_metadata, &d, "ISOLATION_VFIO_PAIR", &self->restore[0]);
	flow_and_reattach(_metadata, &d, order, 2);
}

TEST_F_TIMEOUT(vfio, trio_reattach_orders, 240)
{
	static const int orders[][3] = { { 0, 1, 2 }, { 2, 0, 1 }, { 1, 2, 0 } };
	unsigned int o;
	struct dev d;

	start_dev(_metadata, &d, "ISOLATION_VFIO_TRIO", &self->restore[0]);
	for (o = 0; o < ARRAY_SIZE(orders); o++)
		flow_and_reattach(_metadata, &d, orders[o], 3);
}

/* Run Debian's driverctl; 0 or its exit status. */
static int run_driverctl(const char *cmd, const char *bdf, const char *drv)
{
	char line[PATH_MAX];
	int st;

	snprintf(line, sizeof(line), "driverctl --nosave %s %s %s", cmd, bdf,
		 drv);
	st = system(line);
	ksft_print_msg("%s: %s\n", line, st ? "failed" : "ok");
	return st;
}

/* The same with driverctl itself, in both orders. */
TEST_F_TIMEOUT(vfio, driverctl_pair_both_orders, 120)
{
	char eps[MAX_EPS][NAME_LEN], hosts[MAX_EPS][NAME_LEN];
	static const int orders[][2] = { { 1, 0 }, { 0, 1 } };
	unsigned int o;
	int i;
	struct dev d;

	ASSERT_EQ(0, system("command -v driverctl >/dev/null"))
		TH_LOG("driverctl is not installed in the guest");
	start_dev(_metadata, &d, "ISOLATION_VFIO_PAIR", &self->restore[0]);
	ASSERT_EQ(2, endpoints(_metadata, &d, eps));
	for (i = 0; i < 2; i++)
		driver_of(eps[i], hosts[i]);
	for (o = 0; o < ARRAY_SIZE(orders); o++) {
		for (i = 0; i < 2; i++)
			ASSERT_EQ(0, run_driverctl("set-override", eps[i], VFIO_DRIVER));
		check_group(_metadata, &d, VFIO_MANAGER, "1", "driverctl set");
		for (i = 0; i < 2; i++) {
			const char *bdf = eps[orders[o][i]];

			ASSERT_EQ(0, run_driverctl("unset-override", bdf, ""))
				TH_LOG("driverctl could not bind %s again", bdf);
		}
		for (i = 0; i < 2; i++)
			check_driver(_metadata, eps[i], hosts[i], "driverctl unset");
		check_group(_metadata, &d, "", "0", "driverctl unset");
	}
}

/*
 * Using is not handing over: a sibling whose host driver arrives after
 * vfio-pci bound function 0 binds it, and the group is then not viable.
 */
TEST_F_TIMEOUT(vfio, late_sibling, 90)
{
	char eps[MAX_EPS][NAME_LEN], hosts[MAX_EPS][NAME_LEN];
	struct dev d;
	int err;

	start_dev(_metadata, &d, "ISOLATION_VFIO_PAIR", &self->restore[0]);
	ASSERT_EQ(2, endpoints(_metadata, &d, eps));
	driver_of(eps[0], hosts[0]);
	driver_of(eps[1], hosts[1]);
	ASSERT_EQ(0, unbind_dev(eps[1]));
	override_flow(_metadata, eps[0]);
	check_group(_metadata, &d, VFIO_MANAGER, "1", "function 1 driverless");
	ASSERT_EQ(0, probe_dev(eps[1]));
	check_driver(_metadata, eps[1], hosts[1], "late sibling");
	check_group(_metadata, &d, VFIO_MANAGER, "0", "late sibling bound");

	self->v.container = open_container(_metadata);
	self->v.group = open_group(&d);
	ASSERT_LE(0, self->v.group);
	ASSERT_EQ(0, group_status(self->v.group));
	err = ioctl(self->v.group, VFIO_GROUP_SET_CONTAINER, &self->v.container) ?
	      errno : 0;
	ASSERT_EQ(EPERM, err) TH_LOG("SET_CONTAINER: %s", strerror(err));
	close_all(&self->v);
	reattach(_metadata, eps[0], hosts[0]);
	check_group(_metadata, &d, "", "0", "reattached");
}

/*
 * A user holds a used group: the sibling's host driver is refused while
 * the container is set, and bound when the user lets go.
 */
TEST_F_TIMEOUT(vfio, hold_refuses_then_returns, 90)
{
	char eps[MAX_EPS][NAME_LEN], hosts[MAX_EPS][NAME_LEN];
	struct dev d;

	start_dev(_metadata, &d, "ISOLATION_VFIO_PAIR", &self->restore[0]);
	ASSERT_EQ(2, endpoints(_metadata, &d, eps));
	driver_of(eps[0], hosts[0]);
	driver_of(eps[1], hosts[1]);
	ASSERT_EQ(0, unbind_dev(eps[1]));
	override_flow(_metadata, eps[0]);
	attach_type1(_metadata, &self->v, &d);
	ASSERT_EQ(0, probe_dev(eps[1]));
	usleep(200 * 1000);
	check_driver(_metadata, eps[1], "", "held: host driver refused");
	check_group(_metadata, &d, VFIO_MANAGER, "1", "held");
	close_all(&self->v);
	check_driver(_metadata, eps[1], hosts[1], "hold ended");
	check_group(_metadata, &d, VFIO_MANAGER, "0", "hold ended");
	reattach(_metadata, eps[0], hosts[0]);
	check_group(_metadata, &d, "", "0", "reattached");
}

/*
 * A give back with the administrator's override left on function 0: the
 * group stays given back, function 0 stays without a driver, function 1
 * gets its host driver.
 */
TEST_F_TIMEOUT(vfio, give_back_override_left, 90)
{
	char eps[MAX_EPS][NAME_LEN], hosts[MAX_EPS][NAME_LEN];
	struct dev d;

	start_dev(_metadata, &d, "ISOLATION_VFIO_PAIR", &self->restore[0]);
	ASSERT_EQ(2, endpoints(_metadata, &d, eps));
	driver_of(eps[0], hosts[0]);
	driver_of(eps[1], hosts[1]);
	ASSERT_EQ(0, dev_write(eps[0], "driver_override", VFIO_DRIVER));
	ASSERT_EQ(0, set_manager(&d, VFIO_MANAGER "\n"));
	check_driver(_metadata, eps[0], VFIO_DRIVER, "handed over");
	check_driver(_metadata, eps[1], VFIO_DRIVER, "handed over");
	check_group(_metadata, &d, VFIO_MANAGER, "1", "handed over");
	ASSERT_EQ(0, set_manager(&d, "\n"));
	check_driver(_metadata, eps[1], hosts[1], "given back");
	check_driver(_metadata, eps[0], "", "given back, override left");
	usleep(500 * 1000);
	check_group(_metadata, &d, "", "0", "given back, override left");
	ASSERT_EQ(0, dev_write(eps[0], "driver_override", "\n"));
	ASSERT_EQ(0, probe_dev(eps[0]));
	check_driver(_metadata, eps[0], hosts[0], "override cleared");
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/*
 * A child sets a container on the handed-over group again and again while
 * the parent gives the group back: while a container is set, the group
 * must stay vfio's and locked; after the give back, no container can be
 * set.  The child's exit status counts the violations.
 */
static int racing_user(const struct dev *d, double until)
{
	char m[NAME_LEN], l[NAME_LEN];
	int holds = 0, refused = 0, bad = 0;
	int container, group, ret;

	while (now_ms() < until) {
		container = open("/dev/vfio/vfio", O_RDWR);
		if (container < 0)
			return 100;
		group = open_group(d);
		if (group < 0) {
			/* Given back: vfio-pci and its VFIO group are gone. */
			refused++;
			close(container);
			usleep(1000);
			continue;
		}
		ret = ioctl(group, VFIO_GROUP_SET_CONTAINER, &container);
		if (!ret) {
			holds++;
			group_attr(d, "manager", m);
			group_attr(d, "locked", l);
			bad += strcmp(m, VFIO_MANAGER) || strcmp(l, "1");
			usleep(1000);
			group_attr(d, "manager", m);
			bad += strcmp(m, VFIO_MANAGER) != 0;
		} else if (errno == EPERM || errno == ENODEV) {
			refused++;
		} else {
			bad++;
		}
		close(group);
		close(container);
	}
	ksft_print_msg("racing user: %d holds, %d refused, %d violations\n",
		       holds, refused, bad);
	return bad ? 1 : 0;
}

TEST_F_TIMEOUT(vfio, give_back_racing_user, 120)
{
	int busy = 0, st, rounds;
	struct dev d;
	pid_t pid;

	start_dev(_metadata, &d, "ISOLATION_VFIO_PAIR", &self->restore[0]);
	for (rounds = 0; rounds < 5; rounds++) {
		hand_over(_metadata, &d);
		pid = fork();
		ASSERT_LE(0, pid);
		if (!pid)
			_exit(racing_user(&d, now_ms() + 1500));
		usleep(5000 * rounds);
		while (set_manager(&d, "\n") == EBUSY)
			busy++;
		ASSERT_EQ(pid, waitpid(pid, &st, 0));
		ASSERT_TRUE(WIFEXITED(st));
		ASSERT_EQ(0, WEXITSTATUS(st)) TH_LOG("a user held a group given back");
		check_state(_metadata, &d, "", "0", d.host, "given back");
	}
	ksft_print_msg("give back refused %d times while the user held it\n", busy);
}

/*
 * The handover of a three-endpoint group failed at each fault point in
 * turn (/proc/thread-self/fail-nth): every failure leaves each endpoint on
 * the driver it had, and the group without a manager.  The points are
 * the handover's own (fail_isolation: a host driver bound again after its
 * release, the check after vfio-pci bound) and the atomic allocations on
 * the way; failslab skips sleeping allocations here (ignore-gfp-wait), of
 * which vfio-pci's probe makes hundreds: isolation_manager_test and the
 * KUnit sweeps fail those.
 */
TEST_F_TIMEOUT(vfio, trio_handover_fail_nth, 300)
{
	char eps[MAX_EPS][NAME_LEN], hosts[MAX_EPS][NAME_LEN];
	char path[PATH_MAX], what[32], left[32];
	int i, nth, fd, nth_fd, err, failed = 0, absorbed = 0;
	ssize_t n;
	struct dev d;

	start_dev(_metadata, &d, "ISOLATION_VFIO_TRIO", &self->restore[0]);
	ASSERT_EQ(3, endpoints(_metadata, &d, eps));
	for (i = 0; i < 3; i++)
		driver_of(eps[i], hosts[i]);
	ASSERT_EQ(0, write_path("/sys/kernel/debug/failslab/ignore-gfp-wait", "Y"))
		TH_LOG("debugfs with failslab (isolation_manager_test mounts it)");
	ASSERT_EQ(0, write_path("/sys/kernel/debug/failslab/verbose", "0"));
	ASSERT_EQ(0, write_path("/sys/kernel/debug/fail_isolation/verbose", "0"));
	nth_fd = open("/proc/thread-self/fail-nth", O_RDWR);
	ASSERT_LE(0, nth_fd);
	ASSERT_EQ(0, pathf(path, "%s/manager", d.group));
	for (nth = 1; nth < 2000; nth++) {
		fd = open(path, O_WRONLY);
		ASSERT_LE(0, fd);
		snprintf(what, sizeof(what), "%d", nth);
		ASSERT_EQ((ssize_t)strlen(what), pwrite(nth_fd, what, strlen(what), 0));
		n = write(fd, VFIO_MANAGER "\n", 5);
		err = errno;
		memset(left, 0, sizeof(left));
		ASSERT_LT(0, pread(nth_fd, left, sizeof(left) - 1, 0));
		ASSERT_EQ(1, pwrite(nth_fd, "0", 1, 0));
		close(fd);
		snprintf(what, sizeof(what), "fault point %d", nth);
		if (n < 0) {
			failed++;
			ASSERT_TRUE(err == ENOMEM || err == EBUSY)
				TH_LOG("%s: %s", what, strerror(err));
			check_group(_metadata, &d, "", "0", what);
			for (i = 0; i < 3; i++)
				check_driver(_metadata, eps[i], hosts[i], what);
			continue;
		}
		check_group(_metadata, &d, VFIO_MANAGER, "1", what);
		ASSERT_EQ(0, set_manager(&d, "\n"));
		for (i = 0; i < 3; i++)
			check_driver(_metadata, eps[i], hosts[i], "given back");
		if (strcmp(left, "0\n"))
			break;	/* not reached: no fault point left */
		absorbed++;
	}
	close(nth_fd);
	write_path("/sys/kernel/debug/failslab/ignore-gfp-wait", "N");
	ksft_print_msg("trio handover: %d fault points, %d failed %s, %d absorbed\n",
		       nth - 1, failed, "the write (each rolled back)", absorbed);
	ASSERT_GT(2000, nth);
	ASSERT_LT(0, failed);
}

#define QEMU	"/usr/bin/qemu-system-x86_64"

/* Wait up to @ms for @file to contain @what. */
static int wait_output(const char *file, const char *what, int ms)
{
	char buf[8192];
	ssize_t n;
	int fd;

	for (; ms > 0; ms -= 100) {
		fd = open(file, O_RDONLY);
		if (fd >= 0) {
			n = read(fd, buf, sizeof(buf) - 1);
			close(fd);
			buf[n > 0 ? n : 0] = '\0';
			if (strstr(buf, what))
				return 1;
		}
		usleep(100 * 1000);
	}
	return 0;
}

/*
 * QEMU itself as the VFIO user, as libvirt starts it: the handed-over
 * pair goes to a (stopped) guest with both functions; while QEMU runs,
 * the group cannot be given back; when it quits, it can, and the host
 * drivers return.
 */
TEST_F_TIMEOUT(vfio, qemu_vfio_user, 240)
{
	char eps[MAX_EPS][NAME_LEN], hosts[MAX_EPS][NAME_LEN];
	char dev0[128], dev1[128];
	const char *out = "/tmp/qemu-vfio.out";
	int in[2], st, fd, i, up;
	struct dev d;
	pid_t pid;

	ASSERT_EQ(0, access(QEMU, X_OK)) TH_LOG("%s is not in the guest", QEMU);
	start_dev(_metadata, &d, "ISOLATION_VFIO_PAIR", &self->restore[0]);
	ASSERT_EQ(2, endpoints(_metadata, &d, eps));
	for (i = 0; i < 2; i++)
		driver_of(eps[i], hosts[i]);
	hand_over(_metadata, &d);
	snprintf(dev0, sizeof(dev0), "vfio-pci,host=%s,rombar=0", eps[0]);
	snprintf(dev1, sizeof(dev1), "vfio-pci,host=%s,rombar=0", eps[1]);
	ASSERT_EQ(0, pipe(in));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd < 0 || dup2(in[0], 0) < 0 || dup2(fd, 1) < 0 ||
		    dup2(fd, 2) < 0)
			_exit(127);
		close(in[1]);
		execl(QEMU, QEMU, "-S", "-display", "none", "-nodefaults",
		      "-M", "q35", "-m", "64", "-accel", "tcg,tb-size=16",
		      "-device", dev0, "-device", dev1, "-monitor", "stdio",
		      (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	/* The monitor answers once the machine, with its devices, is up. */
	ASSERT_EQ(9, write(in[1], "info pci\n", 9));
	up = wait_output(out, "Ethernet controller", 120000);
	if (!up && system("cat /tmp/qemu-vfio.out"))
		ksft_print_msg("no %s\n", out);
	ASSERT_TRUE(up) TH_LOG("QEMU's info pci shows no Ethernet controller");
	ksft_print_msg("QEMU (pid %d) has both functions of %s\n", pid, d.group);
	give_back_refused(_metadata, &d, "QEMU");
	ASSERT_EQ(5, write(in[1], "quit\n", 5));
	close(in[1]);
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_TRUE(WIFEXITED(st) && !WEXITSTATUS(st))
		TH_LOG("QEMU failed; see %s", out);
	ksft_print_msg("QEMU quit\n");
	ASSERT_EQ(0, set_manager(&d, "\n"));
	for (i = 0; i < 2; i++)
		check_driver(_metadata, eps[i], hosts[i], "given back after QEMU");
	check_group(_metadata, &d, "", "0", "given back after QEMU");
}

TEST_HARNESS_MAIN
