// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the manager contract of isolation groups as a small reference
 * model, and seeded random sequences of operations run against the model
 * and the real driver core side by side (drivers/base/isolation-manager.c).
 *
 * The model keeps, per member, its driver (none, host, the manager's), its
 * driver override (only the manager's driver matches, as vfio-pci's
 * driver_override does), whether a handover set that override, and whether
 * the member was kept from its driver; per group, the manager, whether it
 * is handed over, the pins, and the locked state with the number of
 * locked/unlocked announcements.  The operations: drivers_probe, unbind,
 * the bind file of either driver, override set and clear, handover (the
 * sysfs write), give back, a VFIO hold and its release, hot-add and
 * removal of a member, unregistering and registering the manager and its
 * driver again, and a handover that fails (the manager cannot take a
 * device) and must leave everything as it was.  After every step the real
 * state is compared with the model; on a mismatch the test prints the
 * seed and the last steps.
 *
 * isolation_model_test.seeds=, .steps= and .seed= choose the runs (make
 * model-soak runs many).
 */
#include <kunit/test.h>
#include <linux/device.h>
#include <linux/isolation.h>
#include <linux/module.h>
#include <linux/notifier.h>
#include <linux/prandom.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include "../../base.h"
#include "../../isolation-internal.h"

static unsigned int seeds = 5;
module_param(seeds, uint, 0444);
MODULE_PARM_DESC(seeds, "number of seeds to run");
static unsigned int steps = 4000;
module_param(steps, uint, 0444);
MODULE_PARM_DESC(steps, "steps per seed");
static unsigned int seed = 1;
module_param(seed, uint, 0444);
MODULE_PARM_DESC(seed, "first seed");

#define MT_MAX_DEVS	5
#define MT_MAX_HOLDS	3
#define MT_LOG		48

enum mt_drv { MT_NONE, MT_HOST, MT_MGR };

static const char * const mt_drv_names[] = { "none", "host", "mgr" };

/* The model of a member. */
struct mt_member {
	enum mt_drv drv;
	bool override;
	bool taken;
	bool kept;
};

/* The model of the group: the contract of Documentation/isolation.txt. */
struct mt_model {
	struct mt_member m[MT_MAX_DEVS];
	unsigned int n;
	bool managed;
	bool handed_over;
	unsigned int pins;
	bool reported;
	unsigned int events;
};

struct mt_ctx {
	struct kunit *test;
	struct isolation_provider provider;
	struct isolation_manager mgr;
	bool mgr_registered;
	struct isolation_group *group;
	struct device *devs[MT_MAX_DEVS];
	bool override[MT_MAX_DEVS];	/* the real devices' override */
	unsigned int ndevs;
	int take_fail;			/* take_device fails on this call */
	char mdrv_name[32];		/* new for each registration */
	char host_name[32];
	char provider_name[32];
	struct device_driver host;
	struct device_driver mdrv;
	bool mdrv_registered;
	struct notifier_block nb;
	unsigned int events;
	int last_locked;
	struct isolation_group *holds[MT_MAX_HOLDS];
	unsigned int nholds;
	struct mt_model model;
	struct rnd_state rnd;
	u32 seed;
	unsigned int step;
	unsigned int seq;
	char log[MT_LOG][48];
};

static struct mt_ctx *mt_cur;

static int mt_index(struct mt_ctx *c, struct device *dev)
{
	unsigned int i;

	for (i = 0; i < c->ndevs; i++)
		if (c->devs[i] == dev)
			return i;
	return -1;
}

/* vfio-pci's rule: the manager's driver matches by override only. */
static int mt_match(struct device *dev, const struct device_driver *drv)
{
	struct mt_ctx *c = mt_cur;
	int i = c ? mt_index(c, dev) : -1;

	if (i < 0)
		return 0;
	return drv == &c->mdrv ? c->override[i] : !c->override[i];
}

static const struct bus_type mt_bus = {
	.name = "isolation-model",
	.match = mt_match,
};

static int mt_probe(struct device *dev)
{
	return 0;
}

static int mt_take_device(struct device *dev)
{
	struct mt_ctx *c = mt_cur;
	int i = mt_index(c, dev);

	if (c->take_fail && !--c->take_fail)
		return -EIO;
	if (i < 0 || c->override[i])
		return 0;
	c->override[i] = true;
	return 1;
}

static void mt_return_device(struct device *dev)
{
	struct mt_ctx *c = mt_cur;
	int i = mt_index(c, dev);

	if (i >= 0)
		c->override[i] = false;
}

static int mt_bus_notify(struct notifier_block *nb, unsigned long action,
			 void *data)
{
	struct mt_ctx *c = mt_cur;

	if (action == BUS_NOTIFY_ADD_DEVICE && c && c->group)
		WARN_ON(isolation_group_add_device(c->group, data));
	return NOTIFY_DONE;
}

static struct notifier_block mt_bus_nb = {
	.notifier_call = mt_bus_notify,
};

static int mt_notify(struct notifier_block *nb, unsigned long event,
		     void *data)
{
	struct mt_ctx *c = container_of(nb, struct mt_ctx, nb);
	struct isolation_notifier_data *d = data;

	if (d->group != c->group)
		return NOTIFY_DONE;
	if (event == ISOLATION_NOTIFY_LOCKED ||
	    event == ISOLATION_NOTIFY_UNLOCKED) {
		c->events++;
		c->last_locked = event == ISOLATION_NOTIFY_LOCKED;
	}
	return NOTIFY_DONE;
}

/* the model */

static bool mm_holds(const struct mt_model *m)
{
	return m->managed && (m->handed_over || m->pins);
}

static bool mm_locked(const struct mt_model *m)
{
	unsigned int i;

	if (!m->managed)
		return false;
	for (i = 0; i < m->n; i++)
		if (m->m[i].drv == MT_HOST)
			return false;
	return true;
}

/* Every change of the locked state is announced once. */
static void mm_note(struct mt_model *m)
{
	bool locked = mm_locked(m);

	if (locked != m->reported) {
		m->reported = locked;
		m->events++;
	}
}

/* A use ends when the manager's last driver left and nobody holds it. */
static void mm_use_check(struct mt_model *m)
{
	unsigned int i;

	if (!m->managed || m->handed_over || m->pins)
		return;
	for (i = 0; i < m->n; i++)
		if (m->m[i].drv == MT_MGR)
			return;
	m->managed = false;
}

static bool mm_match(const struct mt_model *m, unsigned int i, enum mt_drv d)
{
	return d == MT_MGR ? m->m[i].override : !m->m[i].override;
}

/* Driver @d, whose match said yes, probes the driverless member @i. */
static bool mm_try(struct mt_model *m, unsigned int i, enum mt_drv d,
		   bool giving_back)
{
	if (giving_back && d == MT_MGR)
		return false;
	if (mm_holds(m) && d != MT_MGR) {
		m->m[i].kept = true;
		return false;
	}
	m->m[i].drv = d;
	if (d == MT_MGR && !m->managed) {
		m->managed = true;
		m->handed_over = false;
	}
	mm_note(m);
	return true;
}

/* drivers_probe, a re-probe: the one driver that matches tries. */
static void mm_probe(struct mt_model *m, unsigned int i, bool giving_back)
{
	if (m->m[i].drv == MT_NONE)
		mm_try(m, i, m->m[i].override ? MT_MGR : MT_HOST, giving_back);
}

/* The bind file: match (which refuses in a group that holds), then bind. */
static bool mm_bind_file(struct mt_model *m, unsigned int i, enum mt_drv d)
{
	if (!mm_match(m, i, d))
		return false;
	if (mm_holds(m) && d != MT_MGR) {
		m->m[i].kept = true;
		return false;
	}
	if (m->m[i].drv != MT_NONE)
		return false;
	return mm_try(m, i, d, false);
}

static void mm_unbind(struct mt_model *m, unsigned int i)
{
	if (m->m[i].drv == MT_NONE)
		return;
	m->m[i].drv = MT_NONE;
	mm_use_check(m);
	mm_note(m);
}

static void mm_reprobe_kept(struct mt_model *m, bool giving_back)
{
	unsigned int i;

	for (i = 0; i < m->n; i++) {
		if (!m->m[i].kept)
			continue;
		m->m[i].kept = false;
		mm_probe(m, i, giving_back);
	}
}

static void mm_handover(struct mt_model *m)
{
	unsigned int i;

	m->managed = true;
	m->handed_over = true;
	mm_note(m);
	for (i = 0; i < m->n; i++) {
		if (m->m[i].drv != MT_NONE)
			m->m[i].kept = true;
		if (m->m[i].drv == MT_HOST) {
			m->m[i].drv = MT_NONE;
			mm_note(m);
		}
	}
	for (i = 0; i < m->n; i++) {
		if (m->m[i].drv == MT_NONE && !m->m[i].override) {
			m->m[i].override = true;
			m->m[i].taken = true;
		}
	}
	for (i = 0; i < m->n; i++)
		mm_probe(m, i, false);
}

/* The manager's drivers go, what it took is returned, the kept re-probed. */
static void mm_release(struct mt_model *m)
{
	unsigned int i;

	m->managed = false;
	m->handed_over = false;
	mm_note(m);
	for (i = 0; i < m->n; i++)
		if (m->m[i].drv == MT_MGR)
			m->m[i].drv = MT_NONE;
	for (i = 0; i < m->n; i++) {
		if (m->m[i].taken) {
			m->m[i].taken = false;
			m->m[i].override = false;
		}
	}
	mm_reprobe_kept(m, true);
}

static int mm_give_back(struct mt_model *m)
{
	if (!m->managed)
		return -ENOENT;
	if (m->pins)
		return -EBUSY;
	mm_release(m);
	return 0;
}

static void mm_unhold(struct mt_model *m)
{
	if (--m->pins)
		return;
	mm_use_check(m);
	mm_note(m);
	if (!mm_holds(m))
		mm_reprobe_kept(m, false);
}

static void mm_remove(struct mt_model *m, unsigned int i)
{
	mm_unbind(m, i);
	memmove(&m->m[i], &m->m[i + 1], (m->n - i - 1) * sizeof(m->m[0]));
	m->n--;
	mm_use_check(m);
	mm_note(m);
}

/* the real side */

static __printf(2, 3) void mt_log(struct mt_ctx *c, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vsnprintf(c->log[c->step % MT_LOG], sizeof(c->log[0]), fmt, args);
	va_end(args);
}

static void mt_dump(struct mt_ctx *c, const char *what)
{
	unsigned int s = c->step >= MT_LOG ? c->step - MT_LOG + 1 : 0;

	kunit_err(c->test, "model mismatch: %s; seed %u, step %u (isolation_model_test.seed=%u steps=%u reproduces it); last steps:\n",
		  what, c->seed, c->step, c->seed, c->step + 1);
	for (; s <= c->step; s++)
		kunit_err(c->test, "  %u: %s\n", s, c->log[s % MT_LOG]);
}

static enum mt_drv mt_real_drv(struct mt_ctx *c, struct device *dev)
{
	const struct device_driver *drv = READ_ONCE(dev->driver);

	return drv == &c->mdrv ? MT_MGR : drv == &c->host ? MT_HOST : MT_NONE;
}

/* Compare everything the model says with the real state. */
static bool mt_check(struct mt_ctx *c, bool exact_events)
{
	struct mt_model *m = &c->model;
	struct isolation_member *member;
	char what[96];
	bool locked = isolation_group_locked(c->group);
	unsigned int i;

	what[0] = '\0';
	if (c->ndevs != m->n)
		snprintf(what, sizeof(what), "%u devices, model %u", c->ndevs, m->n);
	for (i = 0; i < m->n && !what[0]; i++) {
		struct mt_member *mm = &m->m[i];
		enum mt_drv real = mt_real_drv(c, c->devs[i]);
		bool kept, taken;

		mutex_lock(&isolation_mutex);
		spin_lock(&isolation_lock);
		member = c->devs[i]->p->isolation_member;
		kept = member && member->kept;
		taken = member && member->taken;
		spin_unlock(&isolation_lock);
		mutex_unlock(&isolation_mutex);
		if (real != mm->drv)
			snprintf(what, sizeof(what), "device %u on %s, model %s",
				 i, mt_drv_names[real], mt_drv_names[mm->drv]);
		else if (c->override[i] != mm->override)
			snprintf(what, sizeof(what), "device %u override %d, model %d",
				 i, c->override[i], mm->override);
		else if (kept != mm->kept || taken != mm->taken)
			snprintf(what, sizeof(what), "device %u kept %d taken %d, model %d %d",
				 i, kept, taken, mm->kept, mm->taken);
	}
	if (what[0])
		goto mismatch;
	if (!!isolation_group_manager(c->group) != m->managed ||
	    READ_ONCE(c->group->handed_over) != m->handed_over ||
	    READ_ONCE(c->group->pins) != m->pins)
		snprintf(what, sizeof(what), "manager %d handed over %d pins %u, model %d %d %u",
			 !!isolation_group_manager(c->group),
			 READ_ONCE(c->group->handed_over),
			 READ_ONCE(c->group->pins), m->managed,
			 m->handed_over, m->pins);
	else if (locked != mm_locked(m))
		snprintf(what, sizeof(what), "locked %d, model %d", locked,
			 mm_locked(m));
	else if (isolation_group_verify(c->group))
		snprintf(what, sizeof(what), "the group's counters disagree");
	else if (exact_events && c->events != m->events)
		snprintf(what, sizeof(what), "%u lock events, model %u",
			 c->events, m->events);
	else if (c->events && c->last_locked != locked)
		snprintf(what, sizeof(what), "last lock event %d, locked %d",
			 c->last_locked, locked);
	if (!what[0])
		return true;
mismatch:
	mt_dump(c, what);
	return false;
}

/* What the bind file does (drivers/base/bus.c, bind_store()). */
static int mt_bind_file(struct device_driver *drv, struct device *dev)
{
	if (driver_match_device(drv, dev) <= 0)
		return -ENODEV;
	return device_driver_attach(drv, dev);
}

static void mt_dev_release(struct device *dev)
{
	kfree(dev);
}

static int mt_add_device(struct mt_ctx *c)
{
	struct device *dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	int ret;

	if (!dev)
		return -ENOMEM;
	device_initialize(dev);
	dev->bus = &mt_bus;
	dev->release = mt_dev_release;
	c->devs[c->ndevs] = dev;
	c->override[c->ndevs] = false;
	c->ndevs++;
	ret = dev_set_name(dev, "model-%u-%u", c->seed, c->seq++);
	if (!ret)
		ret = device_add(dev);
	if (ret) {
		c->ndevs--;
		put_device(dev);
	}
	return ret;
}

static void mt_del_device(struct mt_ctx *c, unsigned int i)
{
	struct device *dev = c->devs[i];

	device_del(dev);
	memmove(&c->devs[i], &c->devs[i + 1], (c->ndevs - i - 1) * sizeof(c->devs[0]));
	memmove(&c->override[i], &c->override[i + 1],
		(c->ndevs - i - 1) * sizeof(c->override[0]));
	c->ndevs--;
	put_device(dev);
}

static void mt_flush_hold_work(struct mt_ctx *c)
{
	flush_work(&c->group->hold_work);
}

enum mt_op {
	MT_OP_PROBE, MT_OP_UNBIND, MT_OP_OVERRIDE, MT_OP_BIND_HOST,
	MT_OP_BIND_MGR, MT_OP_HANDOVER, MT_OP_GIVE_BACK, MT_OP_HOLD,
	MT_OP_UNHOLD, MT_OP_ADD, MT_OP_REMOVE, MT_OP_REREGISTER,
	MT_OP_FAILED_HANDOVER, MT_OP_MAX
};

static const unsigned int mt_weights[MT_OP_MAX] = {
	[MT_OP_PROBE] = 14, [MT_OP_UNBIND] = 14, [MT_OP_OVERRIDE] = 14,
	[MT_OP_BIND_HOST] = 8, [MT_OP_BIND_MGR] = 8, [MT_OP_HANDOVER] = 8,
	[MT_OP_GIVE_BACK] = 8, [MT_OP_HOLD] = 7, [MT_OP_UNHOLD] = 7,
	[MT_OP_ADD] = 3, [MT_OP_REMOVE] = 3, [MT_OP_REREGISTER] = 2,
	[MT_OP_FAILED_HANDOVER] = 4,
};

static enum mt_op mt_pick(struct mt_ctx *c)
{
	unsigned int total = 0, r, op;

	for (op = 0; op < MT_OP_MAX; op++)
		total += mt_weights[op];
	r = prandom_u32_state(&c->rnd) % total;
	for (op = 0; r >= mt_weights[op]; op++)
		r -= mt_weights[op];
	return op;
}

/* One random step on both sides; false on a mismatch. */
static bool mt_step(struct mt_ctx *c)
{
	struct mt_model *m = &c->model;
	struct mt_model before;
	unsigned int i = prandom_u32_state(&c->rnd) % max(c->ndevs, 1U);
	bool exact = true;
	int ret, want;

	switch (mt_pick(c)) {
	case MT_OP_PROBE:
		mt_log(c, "drivers_probe %u", i);
		ret = device_attach(c->devs[i]);
		mm_probe(m, i, false);
		break;
	case MT_OP_UNBIND:
		mt_log(c, "unbind %u", i);
		device_release_driver(c->devs[i]);
		mm_unbind(m, i);
		break;
	case MT_OP_OVERRIDE:
		c->override[i] = !c->override[i];
		m->m[i].override = c->override[i];
		mt_log(c, "override %u %s", i, c->override[i] ? "mgr" : "none");
		break;
	case MT_OP_BIND_HOST:
	case MT_OP_BIND_MGR: {
		bool mgr = prandom_u32_state(&c->rnd) & 1;
		bool bound;

		mt_log(c, "bind file %s %u", mgr ? "mgr" : "host", i);
		ret = mt_bind_file(mgr ? &c->mdrv : &c->host, c->devs[i]);
		want = mm_bind_file(m, i, mgr ? MT_MGR : MT_HOST);
		bound = !ret;
		if (bound != want) {
			mt_dump(c, "bind file result");
			return false;
		}
		break;
	}
	case MT_OP_HANDOVER:
		mt_log(c, "handover");
		if (!c->mgr_registered)
			break;
		ret = isolation_group_handover(c->group, &c->mgr);
		if (ret) {
			mt_log(c, "handover: %d", ret);
			mt_dump(c, "handover failed");
			return false;
		}
		mm_handover(m);
		break;
	case MT_OP_FAILED_HANDOVER:
		if (!c->mgr_registered)
			break;
		before = *m;
		/* Fail on the k-th device the manager takes, if it takes k. */
		c->take_fail = 1 + prandom_u32_state(&c->rnd) % max(c->ndevs, 1U);
		mt_log(c, "handover, take %d fails", c->take_fail);
		ret = isolation_group_handover(c->group, &c->mgr);
		if (c->take_fail) {	/* took fewer: it succeeded */
			c->take_fail = 0;
			if (ret) {
				mt_dump(c, "handover failed");
				return false;
			}
			mm_handover(m);
			break;
		}
		if (ret != -EIO) {
			mt_dump(c, "failed handover's error");
			return false;
		}
		/* Everything as before; the lock events in between not modelled. */
		*m = before;
		m->events = c->events;
		m->reported = mm_locked(m);
		exact = false;
		break;
	case MT_OP_GIVE_BACK:
		mt_log(c, "give back");
		ret = isolation_group_clear_manager(c->group, &c->mgr);
		want = mm_give_back(m);
		if (ret != want) {
			mt_log(c, "give back: %d, model %d", ret, want);
			mt_dump(c, "give back result");
			return false;
		}
		break;
	case MT_OP_HOLD: {
		struct isolation_group *g;

		if (c->nholds == MT_MAX_HOLDS)
			break;
		mt_log(c, "hold %u", i);
		g = isolation_device_hold(c->devs[i], &c->mgr);
		want = m->managed && mm_locked(m);
		if (IS_ERR_OR_NULL(g) == want) {
			mt_dump(c, "hold result");
			return false;
		}
		if (!IS_ERR_OR_NULL(g)) {
			c->holds[c->nholds++] = g;
			m->pins++;
		}
		break;
	}
	case MT_OP_UNHOLD:
		if (!c->nholds)
			break;
		mt_log(c, "unhold");
		isolation_group_unhold(c->holds[--c->nholds]);
		mt_flush_hold_work(c);
		mm_unhold(m);
		break;
	case MT_OP_ADD:
		if (c->ndevs == MT_MAX_DEVS)
			break;
		mt_log(c, "hot-add %u", c->ndevs);
		m->m[m->n++] = (struct mt_member){ };
		ret = mt_add_device(c);
		if (ret) {
			mt_dump(c, "device_add failed");
			return false;
		}
		mm_use_check(m);
		mm_note(m);
		mm_probe(m, m->n - 1, false);
		break;
	case MT_OP_REMOVE:
		if (c->ndevs == 1)
			break;
		mt_log(c, "remove %u", i);
		mt_del_device(c, i);
		mm_remove(m, i);
		break;
	case MT_OP_REREGISTER:
		/* A manager goes only once its users have let go. */
		while (c->nholds) {
			isolation_group_unhold(c->holds[--c->nholds]);
			mt_flush_hold_work(c);
			mm_unhold(m);
		}
		mt_log(c, "holds released, manager and its driver unregistered, registered");
		driver_unregister(&c->mdrv);
		for (i = 0; i < m->n; i++)
			if (m->m[i].drv == MT_MGR)
				mm_unbind(m, i);
		isolation_manager_unregister(&c->mgr);
		if (m->managed)
			mm_release(m);
		ret = isolation_manager_register(&c->mgr);
		c->mgr_registered = !ret;
		/* The old name's sysfs entry may outlive its kobject_put(). */
		snprintf(c->mdrv_name, sizeof(c->mdrv_name), "model-mgr-%u-%u",
			 c->seed, c->step);
		ret = ret ?: driver_register(&c->mdrv);
		c->mdrv_registered = !ret;
		if (ret) {
			mt_dump(c, "registering again failed");
			return false;
		}
		for (i = 0; i < m->n; i++)
			if (m->m[i].drv == MT_NONE && m->m[i].override)
				mm_try(m, i, MT_MGR, false);
		break;
	default:
		break;
	}
	return mt_check(c, exact);
}

static void mt_teardown(struct mt_ctx *c)
{
	while (c->nholds)
		isolation_group_unhold(c->holds[--c->nholds]);
	if (c->group) {
		isolation_group_clear_manager(c->group, &c->mgr);
		flush_work(&c->group->hold_work);
	}
	if (c->mdrv_registered)
		driver_unregister(&c->mdrv);
	driver_unregister(&c->host);
	while (c->ndevs)
		mt_del_device(c, c->ndevs - 1);
	isolation_unregister_notifier(&c->nb);
	if (c->mgr_registered)
		isolation_manager_unregister(&c->mgr);
	isolation_group_put(c->group);
	isolation_provider_unregister(&c->provider);
}

/* One seed: a group of three devices, driven for @nsteps steps. */
static bool mt_run(struct kunit *test, u32 s, unsigned int nsteps)
{
	struct mt_ctx *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	bool ok = true;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, c);
	c->test = test;
	c->seed = s;
	prandom_seed_state(&c->rnd, s);
	snprintf(c->provider_name, sizeof(c->provider_name), "model-%u", s);
	c->provider.name = c->provider_name;
	c->mgr.name = "isolation-model";
	c->mgr.take_device = mt_take_device;
	c->mgr.return_device = mt_return_device;
	snprintf(c->host_name, sizeof(c->host_name), "model-host-%u", s);
	c->host = (struct device_driver){ .name = c->host_name, .bus = &mt_bus,
					  .probe = mt_probe };
	snprintf(c->mdrv_name, sizeof(c->mdrv_name), "model-mgr-%u", s);
	c->mdrv = (struct device_driver){ .name = c->mdrv_name, .bus = &mt_bus,
					  .probe = mt_probe,
					  .isolation_manager = &c->mgr };
	c->nb.notifier_call = mt_notify;
	mt_cur = c;

	KUNIT_ASSERT_EQ(test, isolation_provider_register(&c->provider), 0);
	KUNIT_ASSERT_EQ(test, isolation_manager_register(&c->mgr), 0);
	c->mgr_registered = true;
	c->group = isolation_group_alloc(&c->provider, "model");
	KUNIT_ASSERT_FALSE(test, IS_ERR(c->group));
	KUNIT_ASSERT_EQ(test, isolation_register_notifier(&c->nb), 0);
	KUNIT_ASSERT_EQ(test, driver_register(&c->host), 0);
	KUNIT_ASSERT_EQ(test, driver_register(&c->mdrv), 0);
	c->mdrv_registered = true;
	/* Three devices, each on its host driver. */
	for (i = 0; i < 3; i++) {
		KUNIT_ASSERT_EQ(test, mt_add_device(c), 0);
		c->model.m[c->model.n++].drv = MT_HOST;
	}
	ok = mt_check(c, true);
	for (c->step = 0; ok && c->step < nsteps; c->step++)
		ok = mt_step(c);
	if (!ok)
		KUNIT_FAIL(test, "seed %u failed at step %u", s, c->step);
	mt_teardown(c);
	mt_cur = NULL;
	return ok;
}

/*
 * The contract against the model: isolation_model_test.seeds seeds from
 * isolation_model_test.seed, each isolation_model_test.steps steps.
 */
static void mt_random_test(struct kunit *test)
{
	unsigned int i, passed = 0;

	for (i = 0; i < seeds; i++)
		passed += mt_run(test, seed + i, steps);
	kunit_info(test, "isolation-model: %u of %u seeds, %u steps each, %u steps matched the model\n",
		   passed, seeds, steps, passed * steps);
}

static int mt_suite_init(struct kunit_suite *suite)
{
	int ret = bus_register(&mt_bus);

	if (ret)
		return ret;
	ret = bus_register_notifier(&mt_bus, &mt_bus_nb);
	if (ret)
		bus_unregister(&mt_bus);
	return ret;
}

static void mt_suite_exit(struct kunit_suite *suite)
{
	bus_unregister_notifier(&mt_bus, &mt_bus_nb);
	bus_unregister(&mt_bus);
}

static struct kunit_case mt_cases[] = {
	KUNIT_CASE_SLOW(mt_random_test),
	{}
};

static struct kunit_suite isolation_model_test_suite = {
	.name = "isolation-manager-model",
	.suite_init = mt_suite_init,
	.suite_exit = mt_suite_exit,
	.test_cases = mt_cases,
};

kunit_test_suite(isolation_model_test_suite);

MODULE_DESCRIPTION("KUnit: isolation group managers against a reference model");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
