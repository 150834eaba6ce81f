// SPDX-License-Identifier: GPL-2.0
/*
 * The manager contract of isolation groups (Documentation/isolation.txt,
 * "Used, held, handed over") as a small reference model, driven by a
 * seeded random sequence of what administrators, libvirt, driverctl and
 * a VFIO user do through sysfs and /dev/vfio, on real devices with real
 * drivers: vfio-pci, e1000 and e1000e.  It is the sysfs-level twin of the
 * KUnit suite isolation-manager-model
 * (drivers/base/test/isolation/isolation-model-test.c).
 *
 * The groups: a three-endpoint group behind a PCIe-to-PCI bridge
 * (ISOLATION_VFIO_TRIO, whose endpoints are also hot-removed and added
 * again by a rescan), a two-function device (ISOLATION_VFIO_PAIR) and an
 * endpoint alone in its group (ISOLATION_VFIO_ENDPOINT), all of
 * vfio.topo.  The operations: drivers_probe, unbind, the bind file of the
 * host driver and of vfio-pci, driver_override set and cleared, the
 * handover (writing "vfio" to manager), the give back (an empty write), a
 * handover with a fault injected at a random point (fail-nth), a VFIO
 * user that opens the group, sets a type1 container, maps 1 MiB of DMA,
 * reads the vendor ID through the device and keeps the container (the
 * hold) until a later step closes it, and the hot removal and re-add of
 * an endpoint.
 *
 * The model keeps, per endpoint, its driver (none, host, vfio-pci), its
 * override, whether the handover set that override, and whether a hold or
 * handover kept it from its driver; per group, whether it has a manager,
 * whether it was handed over, the VFIO user's hold, the locked state and
 * the number of ISOLATION_LOCKED uevents.  After every step the real
 * state (each endpoint's driver and override, the group's manager and
 * locked, and the KOBJ_CHANGE uevents with ISOLATION_LOCKED of each
 * group, counted and the last one compared) must match the model within
 * a few seconds (re-probes after a hold run from a workqueue).  On a
 * mismatch the test prints the seed, the step and the last steps;
 * ISOLATION_MODEL_SEED= and ISOLATION_MODEL_STEPS= reproduce a run.
 * Manager unregistration is the KUnit model's: vfio-pci is built in here.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/vfio.h>

#include "isolation.h"

#define PCI_DRIVERS	"/sys/bus/pci/drivers"
#define VFIO_MANAGER	"vfio"
#define VFIO_DRIVER	"vfio-pci"
#define NAME_LEN	64
#define MAX_GROUPS	3
#define MAX_DEVS	8
#define LOG_STEPS	40
#define SETTLE_MS	8000
#define DMA_IOVA	0x100000UL
#define DMA_SIZE	0x100000UL
#define PCI_VENDOR_INTEL 0x8086
#define FAIL_NTH_MAX	12

enum drv { DRV_NONE, DRV_HOST, DRV_MGR, DRV_OTHER };
static const char * const drv_names[] = { "none", "host", "vfio-pci", "other" };

/* An endpoint: where it is, and the model of it. */
struct mdev {
	char bdf[NAME_LEN];
	char host[NAME_LEN];	/* its driver when the test started */
	int g;
	bool present;
	enum drv drv;
	bool override;
	bool taken;		/* the handover set the override */
	bool kept;		/* a hold or the handover kept it from its driver */
};

/* A group: where it is, the model of it, and its VFIO user. */
struct mgroup {
	const char *var;
	char dir[PATH_MAX];	/* /sys/isolation/<id> */
	char name[NAME_LEN];
	int iommu_group;
	bool hotplug;		/* its endpoints are removed and added again */
	bool managed;
	bool handed_over;
	bool held;		/* the user's container holds it */
	bool reported;		/* the last ISOLATION_LOCKED value sent */
	unsigned int events;
	/* seen */
	unsigned int real_events;
	int last_locked;
	/* the VFIO user */
	int container;
	int group_fd;
	void *dma;
};

struct model {
	struct mgroup g[MAX_GROUPS];
	unsigned int ng;
	struct mdev d[MAX_DEVS];
	unsigned int nd;
	int uevent_fd;
	int nth_fd;
	unsigned int seed;
	unsigned int step;
	char log[LOG_STEPS][160];
	unsigned int ops[16];
	unsigned int holds, refused_holds, faults_failed, faults_absorbed;
	unsigned int faults_unfired, faults_driverless, faults_overridden;
	unsigned int waited;
};

static unsigned int rnd_state;

static unsigned int rnd(unsigned int n)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return (rnd_state >> 8) % n;
}

static __printf(2, 3) void note(struct model *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m->log[m->step % LOG_STEPS], sizeof(m->log[0]), fmt, ap);
	va_end(ap);
}

/* Say what differs, with the seed and the last steps; returns false. */
static __printf(2, 3) bool mismatch(struct model *m, const char *fmt, ...)
{
	unsigned int s = m->step >= LOG_STEPS ? m->step - LOG_STEPS + 1 : 0;
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	ksft_print_msg("model mismatch: %s\n", what);
	ksft_print_msg("seed %u, step %u\n", m->seed, m->step);
	ksft_print_msg("ISOLATION_MODEL_SEED=%u ISOLATION_MODEL_STEPS=%u reproduces it\n",
		       m->seed, m->step + 1);
	ksft_print_msg("the last steps:\n");
	for (; s <= m->step; s++)
		ksft_print_msg("  %u: %s\n", s, m->log[s % LOG_STEPS]);
	return false;
}

/* the model: the contract, as the KUnit model states it */

/* The next endpoint of group @gi present after @d (NULL: the first). */
static struct mdev *next_member(struct model *m, int gi, struct mdev *d)
{
	for (d = d ? d + 1 : m->d; d < m->d + m->nd; d++)
		if (d->g == gi && d->present)
			return d;
	return NULL;
}

static bool mm_holds(struct model *m, int gi)
{
	struct mgroup *g = &m->g[gi];

	return g->managed && (g->handed_over || g->held);
}

static bool mm_locked(struct model *m, int gi)
{
	struct mdev *d;

	if (!m->g[gi].managed)
		return false;
	for (d = next_member(m, gi, NULL); d; d = next_member(m, gi, d))
		if (d->drv == DRV_HOST)
			return false;
	return true;
}

static bool mm_any_mgr(struct model *m, int gi)
{
	struct mdev *d;

	for (d = next_member(m, gi, NULL); d; d = next_member(m, gi, d))
		if (d->drv == DRV_MGR)
			return true;
	return false;
}

/* Every change of the locked state is announced once. */
static void mm_note(struct model *m, int gi)
{
	struct mgroup *g = &m->g[gi];
	bool locked = mm_locked(m, gi);

	if (locked != g->reported) {
		g->reported = locked;
		g->events++;
	}
}

/* A use ends when vfio-pci's last device left and nobody holds it. */
static void mm_use_check(struct model *m, int gi)
{
	struct mgroup *g = &m->g[gi];

	if (!g->managed || g->handed_over || g->held || mm_any_mgr(m, gi))
		return;
	g->managed = false;
}

/* Driver @drv, whose match said yes, probes the driverless @d. */
static bool mm_try(struct model *m, struct mdev *d, enum drv drv,
		   bool giving_back)
{
	struct mgroup *g = &m->g[d->g];

	if (giving_back && drv == DRV_MGR)
		return false;
	if (mm_holds(m, d->g) && drv != DRV_MGR) {
		d->kept = true;
		return false;
	}
	d->drv = drv;
	if (drv == DRV_MGR && !g->managed) {
		g->managed = true;
		g->handed_over = false;
	}
	mm_note(m, d->g);
	return true;
}

/* drivers_probe, a re-probe: the one driver that matches tries. */
static void mm_probe(struct model *m, struct mdev *d, bool giving_back)
{
	if (d->drv == DRV_NONE)
		mm_try(m, d, d->override ? DRV_MGR : DRV_HOST, giving_back);
}

/* The bind file: match (refused in a group that holds), then bind. */
static bool mm_bind_file(struct model *m, struct mdev *d, enum drv drv)
{
	bool mgr = drv == DRV_MGR;

	if (mgr != d->override)
		return false;
	if (mm_holds(m, d->g) && drv != DRV_MGR) {
		d->kept = true;
		return false;
	}
	if (d->drv != DRV_NONE)
		return false;
	return mm_try(m, d, drv, false);
}

static void mm_reprobe_kept(struct model *m, int gi, bool giving_back)
{
	struct mdev *d;

	for (d = next_member(m, gi, NULL); d; d = next_member(m, gi, d)) {
		if (!d->kept)
			continue;
		d->kept = false;
		mm_probe(m, d, giving_back);
	}
}

/* The user's hold ends: its close, or VFIO's when its last device left. */
static void mm_unhold(struct model *m, int gi)
{
	m->g[gi].held = false;
	mm_use_check(m, gi);
	mm_note(m, gi);
	if (!mm_holds(m, gi))
		mm_reprobe_kept(m, gi, false);
}

static void mm_unbind(struct model *m, struct mdev *d)
{
	struct mgroup *g = &m->g[d->g];

	if (d->drv == DRV_NONE)
		return;
	d->drv = DRV_NONE;
	/* vfio-pci's last device gone: VFIO detaches the container. */
	if (g->held && !mm_any_mgr(m, d->g))
		mm_unhold(m, d->g);
	mm_use_check(m, d->g);
	mm_note(m, d->g);
}

static void mm_handover(struct model *m, int gi)
{
	struct mgroup *g = &m->g[gi];
	struct mdev *d;

	g->managed = true;
	g->handed_over = true;
	mm_note(m, gi);
	for (d = next_member(m, gi, NULL); d; d = next_member(m, gi, d)) {
		if (d->drv != DRV_NONE)
			d->kept = true;
		if (d->drv == DRV_HOST) {
			d->drv = DRV_NONE;
			mm_note(m, gi);
		}
	}
	for (d = next_member(m, gi, NULL); d; d = next_member(m, gi, d)) {
		if (d->drv == DRV_NONE && !d->override) {
			d->override = true;
			d->taken = true;
		}
	}
	for (d = next_member(m, gi, NULL); d; d = next_member(m, gi, d))
		mm_probe(m, d, false);
}

/* The give back; true if it is refused (EBUSY). */
static bool mm_give_back_refused(struct model *m, int gi)
{
	struct mgroup *g = &m->g[gi];
	struct mdev *d;

	if (!g->managed)
		return false;
	if (g->held)
		return true;
	g->managed = false;
	g->handed_over = false;
	mm_note(m, gi);
	for (d = next_member(m, gi, NULL); d; d = next_member(m, gi, d))
		if (d->drv == DRV_MGR)
			d->drv = DRV_NONE;
	for (d = next_member(m, gi, NULL); d; d = next_member(m, gi, d)) {
		if (d->taken) {
			d->taken = false;
			d->override = false;
		}
	}
	mm_reprobe_kept(m, gi, true);
	return false;
}

static void mm_remove(struct model *m, struct mdev *d)
{
	mm_unbind(m, d);
	d->present = false;
	mm_use_check(m, d->g);
	mm_note(m, d->g);
}

static void mm_add(struct model *m, struct mdev *d)
{
	d->present = true;
	d->drv = DRV_NONE;
	d->override = false;
	d->taken = false;
	d->kept = false;
	mm_use_check(m, d->g);
	mm_note(m, d->g);
	mm_probe(m, d, false);
}

/* the real side */

static int drv_write(const char *drv, const char *attr, const char *val)
{
	char path[PATH_MAX];

	if (pathf(path, "%s/%s/%s", PCI_DRIVERS, drv, attr))
		return -1;	/* no errno: fails every expectation */
	return write_path(path, val);
}

static int set_manager(struct mgroup *g, const char *val)
{
	char path[PATH_MAX];

	if (pathf(path, "%s/manager", g->dir))
		return -1;	/* no errno: fails every expectation */
	return write_path(path, val);
}

static enum drv real_drv(const struct mdev *d)
{
	char path[PATH_MAX], buf[NAME_LEN];

	if (pathf(path, "%s/%s/driver", PCI_DEVICES, d->bdf) ||
	    link_base(path, buf, sizeof(buf)) < 0)
		return DRV_OTHER;
	if (!buf[0])
		return DRV_NONE;
	if (!strcmp(buf, d->host))
		return DRV_HOST;
	return strcmp(buf, VFIO_DRIVER) ? DRV_OTHER : DRV_MGR;
}

static int real_override(const struct mdev *d)
{
	char path[PATH_MAX], buf[NAME_LEN];

	if (pathf(path, "%s/%s", PCI_DEVICES, d->bdf) ||
	    read_attr(path, "driver_override", buf, sizeof(buf)) < 0)
		return -1;
	if (!strcmp(buf, "(null)"))
		return 0;
	return strcmp(buf, VFIO_DRIVER) ? -1 : 1;
}

/* Count the ISOLATION_LOCKED change uevents of each group. */
static void read_uevents(struct model *m)
{
	char buf[8192], *p, *end;
	const char *name, *locked;
	bool change;
	unsigned int i;
	ssize_t n;

	while ((n = recv(m->uevent_fd, buf, sizeof(buf) - 1, MSG_DONTWAIT)) > 0) {
		buf[n] = '\0';
		name = NULL;
		locked = NULL;
		change = false;
		end = buf + n;
		for (p = buf; p < end; p += strlen(p) + 1) {
			if (!strcmp(p, "ACTION=change"))
				change = true;
			else if (!strncmp(p, "ISOLATION_NAME=", 15))
				name = p + 15;
			else if (!strncmp(p, "ISOLATION_LOCKED=", 17))
				locked = p + 17;
		}
		if (!change || !name || !locked)
			continue;
		for (i = 0; i < m->ng; i++) {
			if (strcmp(m->g[i].name, name))
				continue;
			m->g[i].real_events++;
			m->g[i].last_locked = atoi(locked);
		}
	}
}

/* Compare the real state with the model; a description of the difference. */
static bool differs(struct model *m, char *what, size_t len, bool events)
{
	char mgr[NAME_LEN], locked[NAME_LEN];
	unsigned int i;
	struct mdev *d;
	enum drv drv;
	int ovr;

	for (d = m->d; d < m->d + m->nd; d++) {
		if (!d->present)
			continue;
		drv = real_drv(d);
		ovr = real_override(d);
		if (drv != d->drv) {
			snprintf(what, len, "%s on %s, model %s", d->bdf,
				 drv_names[drv], drv_names[d->drv]);
			return true;
		}
		if (ovr != d->override) {
			snprintf(what, len, "%s override %d, model %d", d->bdf,
				 ovr, d->override);
			return true;
		}
	}
	read_uevents(m);
	for (i = 0; i < m->ng; i++) {
		struct mgroup *g = &m->g[i];
		bool lk = mm_locked(m, i);

		if (read_attr(g->dir, "manager", mgr, sizeof(mgr)) < 0 ||
		    read_attr(g->dir, "locked", locked, sizeof(locked)) < 0) {
			snprintf(what, len, "%s unreadable", g->dir);
			return true;
		}
		if (strcmp(mgr, g->managed ? VFIO_MANAGER : "") ||
		    strcmp(locked, lk ? "1" : "0")) {
			snprintf(what, len, "%s (%s): manager '%s' locked %s, model '%s' %d",
				 g->name, g->var, mgr, locked,
				 g->managed ? VFIO_MANAGER : "", lk);
			return true;
		}
		if (events && g->real_events != g->events) {
			snprintf(what, len, "%s (%s): %u ISOLATION_LOCKED uevents, model %u",
				 g->name, g->var, g->real_events, g->events);
			return true;
		}
		if (g->real_events && g->last_locked != lk) {
			snprintf(what, len, "%s (%s): last uevent ISOLATION_LOCKED=%d, locked %d",
				 g->name, g->var, g->last_locked, lk);
			return true;
		}
	}
	return false;
}

/* Wait until the real state is the model's; false (and a dump) if never. */
static bool settle(struct model *m, bool events)
{
	char what[256];
	int ms;

	for (ms = 0; differs(m, what, sizeof(what), events); ms += 5) {
		if (ms >= SETTLE_MS)
			return mismatch(m, "%s", what);
		usleep(5000);
	}
	if (ms)
		m->waited++;
	return true;
}

static void close_user(struct mgroup *g)
{
	if (g->group_fd >= 0)
		close(g->group_fd);
	if (g->container >= 0)
		close(g->container);
	if (g->dma != MAP_FAILED)
		munmap(g->dma, DMA_SIZE);
	g->group_fd = -1;
	g->container = -1;
	g->dma = MAP_FAILED;
}

/* The vendor ID of @d through a device file of @g's VFIO group. */
static int read_vendor(struct mgroup *g, struct mdev *d)
{
	struct vfio_region_info info = {
		.argsz = sizeof(info),
		.index = VFIO_PCI_CONFIG_REGION_INDEX,
	};
	unsigned char id[2] = { 0, 0 };
	int fd, ret = -1;

	fd = ioctl(g->group_fd, VFIO_GROUP_GET_DEVICE_FD, d->bdf);
	if (fd < 0)
		return -1;
	if (!ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, &info) &&
	    pread(fd, id, sizeof(id), info.offset) == 2)
		ret = id[0] | id[1] << 8;
	close(fd);	/* vfio-pci's remove would wait for it */
	return ret;
}

/*
 * A VFIO user takes @g: opens the group, sets a type1 container, maps
 * 1 MiB, reads the vendor ID of a vfio-pci endpoint.  0 if it holds the
 * group now, or the errno that refused it (and nothing is held).
 */
static int vfio_user_open(struct model *m, int gi, char *what, size_t len)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.iova = DMA_IOVA,
		.size = DMA_SIZE,
	};
	struct mgroup *g = &m->g[gi];
	char path[PATH_MAX];
	struct mdev *d;
	int err, vendor;

	snprintf(path, sizeof(path), "/dev/vfio/%d", g->iommu_group);
	g->container = open("/dev/vfio/vfio", O_RDWR);
	if (g->container < 0) {
		snprintf(what, len, "/dev/vfio/vfio: %s", strerror(errno));
		return -1;
	}
	g->group_fd = open(path, O_RDWR);
	if (g->group_fd < 0) {
		err = errno;
		close_user(g);
		return err;
	}
	if (ioctl(g->group_fd, VFIO_GROUP_SET_CONTAINER, &g->container)) {
		err = errno;
		close_user(g);
		return err;
	}
	if (ioctl(g->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU)) {
		snprintf(what, len, "SET_IOMMU: %s", strerror(errno));
		return -1;
	}
	g->dma = mmap(NULL, DMA_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g->dma == MAP_FAILED) {
		snprintf(what, len, "mmap: %s", strerror(errno));
		return -1;
	}
	memset(g->dma, 0x5a, DMA_SIZE);
	map.vaddr = (unsigned long)g->dma;
	if (ioctl(g->container, VFIO_IOMMU_MAP_DMA, &map)) {
		snprintf(what, len, "MAP_DMA: %s", strerror(errno));
		return -1;
	}
	for (d = next_member(m, gi, NULL); d; d = next_member(m, gi, d)) {
		if (d->drv != DRV_MGR)
			continue;
		vendor = read_vendor(g, d);
		if (vendor != PCI_VENDOR_INTEL) {
			snprintf(what, len, "vendor ID of %s through VFIO: %d",
				 d->bdf, vendor);
			return -1;
		}
		break;
	}
	return 0;
}

enum op {
	OP_PROBE, OP_UNBIND, OP_OVERRIDE, OP_BIND, OP_HANDOVER, OP_GIVE_BACK,
	OP_FAULT, OP_HOLD, OP_RELEASE, OP_REMOVE, OP_RESCAN, OP_MAX
};

static const char * const op_names[] = {
	"drivers_probe", "unbind", "override", "bind file", "handover",
	"give back", "handover with a fault", "VFIO hold", "VFIO release",
	"hot remove", "rescan",
};

static const unsigned int weights[OP_MAX] = {
	[OP_PROBE] = 14, [OP_UNBIND] = 14, [OP_OVERRIDE] = 14, [OP_BIND] = 12,
	[OP_HANDOVER] = 8, [OP_GIVE_BACK] = 8, [OP_FAULT] = 4, [OP_HOLD] = 7,
	[OP_RELEASE] = 7, [OP_REMOVE] = 3, [OP_RESCAN] = 3,
};

static enum op pick(void)
{
	unsigned int total = 0, r, op;

	for (op = 0; op < OP_MAX; op++)
		total += weights[op];
	r = rnd(total);
	for (op = 0; r >= weights[op]; op++)
		r -= weights[op];
	return op;
}

/* The model's part of @m: what a failed handover must leave as it was. */
struct snapshot {
	struct mdev d[MAX_DEVS];
	bool managed[MAX_GROUPS];
	bool handed_over[MAX_GROUPS];
	bool held[MAX_GROUPS];
};

static void take_snapshot(const struct model *m, struct snapshot *s)
{
	unsigned int i;

	memcpy(s->d, m->d, sizeof(s->d));
	for (i = 0; i < m->ng; i++) {
		s->managed[i] = m->g[i].managed;
		s->handed_over[i] = m->g[i].handed_over;
		s->held[i] = m->g[i].held;
	}
}

static void put_snapshot(struct model *m, const struct snapshot *s)
{
	unsigned int i;

	memcpy(m->d, s->d, sizeof(m->d));
	for (i = 0; i < m->ng; i++) {
		m->g[i].managed = s->managed[i];
		m->g[i].handed_over = s->handed_over[i];
		m->g[i].held = s->held[i];
	}
}

/*
 * A handover with fault point @k of the writer armed (fail-nth): the
 * handover's own points (fail_isolation) and the atomic allocations on
 * its way; failslab skips sleeping ones here (ignore-gfp-wait).  A failed
 * write must leave everything as it was; the uevents in between are not
 * modelled, so the caller takes the count from what was seen.
 */
static bool fault_step(struct model *m, int gi)
{
	char nth[16], left[16] = "", path[PATH_MAX];
	int err = 0, fd, k = 1 + rnd(FAIL_NTH_MAX);
	struct snapshot before;
	struct mdev *d;

	take_snapshot(m, &before);
	note(m, "handover of %s, fault point %d", m->g[gi].var, k);
	snprintf(nth, sizeof(nth), "%d", k);
	if (pathf(path, "%s/manager", m->g[gi].dir))
		return false;
	fd = open(path, O_WRONLY);
	if (fd < 0 || pwrite(m->nth_fd, nth, strlen(nth), 0) != (ssize_t)strlen(nth))
		return mismatch(m, "cannot open manager or arm fail-nth");
	if (write(fd, VFIO_MANAGER "\n", 5) != 5)
		err = errno;
	if (pread(m->nth_fd, left, sizeof(left) - 1, 0) < 0 ||
	    pwrite(m->nth_fd, "0", 1, 0) != 1) {
		close(fd);
		return mismatch(m, "cannot read fail-nth");
	}
	close(fd);
	if (err) {
		m->faults_failed++;
		note(m, "handover of %s, fault point %d: %s, rolled back",
		     m->g[gi].var, k, strerror(err));
		if (err != ENOMEM && err != EBUSY)
			return mismatch(m, "a failed handover's error");
		put_snapshot(m, &before);
		/*
		 * A host driver released before the failure is bound again
		 * through the bus's probe, which honours an override that an
		 * administrator set while it was bound: such an endpoint is
		 * left without a driver (Documentation/isolation.txt).
		 */
		for (d = next_member(m, gi, NULL); d; d = next_member(m, gi, d)) {
			if (d->drv == DRV_HOST && d->override &&
			    real_drv(d) == DRV_NONE) {
				d->drv = DRV_NONE;
				m->faults_overridden++;
			}
		}
		return true;
	}
	mm_handover(m, gi);
	if (strcmp(left, "0\n")) {
		m->faults_unfired++;
		return true;
	}
	m->faults_absorbed++;
	/*
	 * An absorbed fault may have cost an endpoint its vfio-pci probe:
	 * the contract leaves it driverless in a group that stays locked.
	 */
	for (d = next_member(m, gi, NULL); d; d = next_member(m, gi, d)) {
		if (d->drv == DRV_MGR && real_drv(d) == DRV_NONE) {
			d->drv = DRV_NONE;
			m->faults_driverless++;
		}
	}
	return true;
}

/* One random step on both sides; false on a mismatch. */
static bool step(struct model *m)
{
	struct mdev *d = &m->d[rnd(m->nd)];
	int gi = d->g, err, want;
	struct mgroup *g = &m->g[gi];
	char what[160] = "";
	enum op op = pick();
	enum drv which;

	m->ops[op]++;
	if (!d->present && op != OP_RESCAN) {
		note(m, "%s %s: absent, skipped", op_names[op], d->bdf);
		return true;
	}
	switch (op) {
	case OP_PROBE:
		note(m, "drivers_probe %s", d->bdf);
		write_path("/sys/bus/pci/drivers_probe", d->bdf);
		mm_probe(m, d, false);
		break;
	case OP_UNBIND:
		note(m, "unbind %s from %s", d->bdf, drv_names[d->drv]);
		if (d->drv == DRV_NONE)
			break;
		err = dev_write(d->bdf, "driver/unbind", d->bdf);
		if (err)
			return mismatch(m, "unbind: %s", strerror(err));
		mm_unbind(m, d);
		break;
	case OP_OVERRIDE:
		d->override = !d->override;
		note(m, "driver_override %s %s", d->bdf,
		     d->override ? VFIO_DRIVER : "(cleared)");
		err = dev_write(d->bdf, "driver_override",
				d->override ? VFIO_DRIVER "\n" : "\n");
		if (err)
			return mismatch(m, "driver_override: %s", strerror(err));
		break;
	case OP_BIND:
		which = rnd(2) ? DRV_MGR : DRV_HOST;
		note(m, "bind file of %s: %s", drv_names[which], d->bdf);
		err = drv_write(which == DRV_MGR ? VFIO_DRIVER : d->host, "bind",
				d->bdf);
		want = mm_bind_file(m, d, which);
		if (!err != !!want)
			return mismatch(m, "bind file: %s, model %s",
					err ? strerror(err) : "bound",
					want ? "bound" : "refused");
		break;
	case OP_HANDOVER:
		note(m, "handover of %s", g->var);
		err = set_manager(g, VFIO_MANAGER "\n");
		if (err)
			return mismatch(m, "handover: %s", strerror(err));
		mm_handover(m, gi);
		break;
	case OP_GIVE_BACK:
		note(m, "give back %s", g->var);
		err = set_manager(g, "\n");
		want = mm_give_back_refused(m, gi) ? EBUSY : 0;
		if (err != want)
			return mismatch(m, "give back: %s, model %s",
					strerror(err), strerror(want));
		break;
	case OP_FAULT:
		if (!fault_step(m, gi))
			return false;
		if (!settle(m, false))
			return false;
		/* Which lock changes a failed attempt made is not modelled. */
		g->events = g->real_events;
		g->reported = mm_locked(m, gi);
		return true;
	case OP_HOLD:
		if (g->group_fd >= 0) {
			note(m, "VFIO hold of %s: the user has it open", g->var);
			break;
		}
		want = g->managed && mm_locked(m, gi) && mm_any_mgr(m, gi);
		note(m, "VFIO hold of %s (model: %s)", g->var,
		     want ? "held" : "refused");
		err = vfio_user_open(m, gi, what, sizeof(what));
		if (err < 0)
			return mismatch(m, "%s", what);
		if (!err != !!want)
			return mismatch(m, "VFIO hold: %s, model %s",
					err ? strerror(err) : "held",
					want ? "held" : "refused");
		if (err) {
			m->refused_holds++;
			break;
		}
		m->holds++;
		g->held = true;
		break;
	case OP_RELEASE:
		note(m, "VFIO release of %s (%s)", g->var,
		     g->group_fd < 0 ? "not open" :
		     g->held ? "held" : "VFIO detached it");
		if (g->group_fd < 0)
			break;
		close_user(g);
		if (g->held)
			mm_unhold(m, gi);
		break;
	case OP_REMOVE:
		if (!g->hotplug) {
			note(m, "hot remove %s: not in the hot-plug group", d->bdf);
			break;
		}
		note(m, "hot remove %s", d->bdf);
		err = dev_write(d->bdf, "remove", "1\n");
		if (err)
			return mismatch(m, "remove: %s", strerror(err));
		mm_remove(m, d);
		break;
	case OP_RESCAN:
		note(m, "rescan");
		err = write_path("/sys/bus/pci/rescan", "1\n");
		if (err)
			return mismatch(m, "rescan: %s", strerror(err));
		for (d = m->d; d < m->d + m->nd; d++)
			if (!d->present)
				mm_add(m, d);
		break;
	default:
		break;
	}
	return settle(m, true);
}

/* The endpoints (not bridges) of group @gi, named by /init's @var. */
static bool init_group(struct model *m, int gi, const char *var, bool hotplug)
{
	char path[PATH_MAX], buf[NAME_LEN], class[NAME_LEN];
	struct mgroup *g = &m->g[gi];
	const char *bdf = getenv(var);
	struct dirent *de;
	struct mdev *d;
	DIR *dir;

	if (!bdf || !bdf[0]) {
		ksft_print_msg("%s is not set: this test needs vfio.topo\n", var);
		return false;
	}
	g->var = var;
	g->hotplug = hotplug;
	g->container = -1;
	g->group_fd = -1;
	g->dma = MAP_FAILED;
	if (pathf(path, "%s/%s/isolation_group", PCI_DEVICES, bdf) ||
	    link_base(path, buf, sizeof(buf)) <= 0 ||
	    pathf(g->dir, "%s/%s", ISOLATION_ROOT, buf) ||
	    read_attr(g->dir, "name", g->name, sizeof(g->name)) < 0) {
		ksft_print_msg("%s=%s: no isolation group\n", var, bdf);
		return false;
	}
	if (pathf(path, "%s/%s/iommu_group", PCI_DEVICES, bdf) ||
	    link_base(path, buf, sizeof(buf)) <= 0) {
		ksft_print_msg("%s=%s: no IOMMU group\n", var, bdf);
		return false;
	}
	g->iommu_group = atoi(buf);
	if (pathf(path, "%s/devices", g->dir))
		return false;
	dir = opendir(path);
	if (!dir)
		return false;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.' ||
		    pathf(path, "%s/%s", PCI_DEVICES, de->d_name) ||
		    read_attr(path, "class", class, sizeof(class)) < 0 ||
		    !strncmp(class, "0x06", 4))
			continue;
		if (m->nd == MAX_DEVS)
			break;
		d = &m->d[m->nd++];
		snprintf(d->bdf, sizeof(d->bdf), "%.*s", NAME_LEN - 1, de->d_name);
		d->g = gi;
		d->present = true;
		if (pathf(path, "%s/%s/driver", PCI_DEVICES, d->bdf) ||
		    link_base(path, d->host, sizeof(d->host)) <= 0 ||
		    !strcmp(d->host, VFIO_DRIVER)) {
			ksft_print_msg("%s: not on a host driver\n", d->bdf);
			closedir(dir);
			return false;
		}
		d->drv = DRV_HOST;
		ksft_print_msg("%s %s: %s in group %s, IOMMU group %d\n", var,
			       d->bdf, d->host, g->name, g->iommu_group);
	}
	closedir(dir);
	m->ng++;
	return true;
}

/* Leave every group as the run found it; false if that fails. */
static bool restore(struct model *m)
{
	bool ok = true;
	unsigned int i;
	struct mdev *d;

	for (i = 0; i < m->ng; i++)
		close_user(&m->g[i]);
	write_path("/sys/bus/pci/rescan", "1\n");
	for (d = m->d; d < m->d + m->nd; d++) {
		dev_write(d->bdf, "driver_override", "\n");
		if (real_drv(d) == DRV_MGR)
			dev_write(d->bdf, "driver/unbind", d->bdf);
	}
	for (i = 0; i < m->ng; i++)
		if (set_manager(&m->g[i], "\n"))
			ok = false;
	for (d = m->d; d < m->d + m->nd; d++) {
		char path[PATH_MAX];

		if (real_drv(d) == DRV_NONE)
			write_path("/sys/bus/pci/drivers_probe", d->bdf);
		if (pathf(path, "%s/%s/driver", PCI_DEVICES, d->bdf) ||
		    !wait_link(path, d->host, SETTLE_MS)) {
			ksft_print_msg("after the run: %s not back on %s\n",
				       d->bdf, d->host);
			ok = false;
		}
	}
	return ok;
}

static unsigned int env_uint(const char *var, unsigned int def)
{
	const char *v = getenv(var);

	return v && *v ? strtoul(v, NULL, 0) : def;
}

int main(void)
{
	struct sockaddr_nl addr = {
		.nl_family = AF_NETLINK,
		.nl_groups = 1,
	};
	int rcvbuf = 8 << 20;
	unsigned int steps, i, events = 0;
	static struct model m;
	bool ok = true;

	ksft_print_header();
	ksft_set_plan(1);
	m.seed = env_uint("ISOLATION_MODEL_SEED", 1);
	steps = env_uint("ISOLATION_MODEL_STEPS", 1000);
	rnd_state = m.seed;
	if (!init_group(&m, 0, "ISOLATION_VFIO_TRIO", true) ||
	    !init_group(&m, 1, "ISOLATION_VFIO_PAIR", false) ||
	    !init_group(&m, 2, "ISOLATION_VFIO_ENDPOINT", false))
		ksft_exit_fail_msg("the topology's groups are not there\n");
	if (access("/sys/kernel/debug/failslab", F_OK))
		mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	if (write_path("/sys/kernel/debug/failslab/ignore-gfp-wait", "Y") ||
	    write_path("/sys/kernel/debug/failslab/verbose", "0") ||
	    write_path("/sys/kernel/debug/fail_isolation/verbose", "0"))
		ksft_exit_fail_msg("debugfs: failslab and fail_isolation\n");
	m.nth_fd = open("/proc/thread-self/fail-nth", O_RDWR);
	m.uevent_fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC,
			     NETLINK_KOBJECT_UEVENT);
	if (m.nth_fd < 0 || m.uevent_fd < 0 ||
	    setsockopt(m.uevent_fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
		       sizeof(rcvbuf)) ||
	    bind(m.uevent_fd, (struct sockaddr *)&addr, sizeof(addr)))
		ksft_exit_fail_msg("fail-nth or the uevent socket: %s\n",
				   strerror(errno));
	note(&m, "start: every endpoint on its host driver");
	if (!settle(&m, true))
		ksft_exit_fail_msg("the groups are not as the test starts them\n");
	ksft_print_msg("seed %u, %u steps on %u endpoints in %u groups\n",
		       m.seed, steps, m.nd, m.ng);
	for (m.step = 1; m.step <= steps && ok; m.step++)
		ok = step(&m);
	m.step--;	/* the steps run, the last one the failed one */
	write_path("/sys/kernel/debug/failslab/ignore-gfp-wait", "N");
	for (i = 0; i < m.ng; i++)
		events += m.g[i].real_events;
	ksft_print_msg("%u steps of seed %u run against the model\n", m.step, m.seed);
	ksft_print_msg("%u uevents ISOLATION_LOCKED; %u steps waited for a re-probe\n",
		       events, m.waited);
	for (i = 0; i < OP_MAX; i++)
		ksft_print_msg("  %-24s %u\n", op_names[i], m.ops[i]);
	ksft_print_msg("VFIO user: %u holds (1 MiB mapped, vendor ID read), %u refused\n",
		       m.holds, m.refused_holds);
	ksft_print_msg("faults: %u handovers failed and rolled back, %u not reached\n",
		       m.faults_failed, m.faults_unfired);
	ksft_print_msg("  %u endpoints kept off their host driver by an override\n",
		       m.faults_overridden);
	ksft_print_msg("  %u absorbed, %u endpoints left driverless by them\n",
		       m.faults_absorbed, m.faults_driverless);
	if (!restore(&m))
		ok = false;
	ksft_test_result(ok, "random_model_vfio (seed %u, %u steps)\n", m.seed,
			 m.step);
	ksft_finished();
}
