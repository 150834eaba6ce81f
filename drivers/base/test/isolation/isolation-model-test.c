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
 * A second case runs the same on several groups at once, one kthread per
 * group, each with its model and a seed of its own, all sharing the manager
 * and the two drivers: operations on different groups run concurrently, and
 * each group must still match its model after every step.  Unregistering
 * the manager would give back every group, so that operation is left out.
 *
 * isolation_model_test.seeds=, .steps= and .seed= choose the runs (make
 * model-soak runs many); .threads=, .threaded_seeds= and .threaded_steps=
 * the concurrent ones (from the same first seed).
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/isolation.h>
#include <linux/kthread.h>
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
static unsigned int threads = 2;
module_param(threads, uint, 0444);
MODULE_PARM_DESC(threads, "groups driven at once by the concurrent case");
static unsigned int threaded_seeds = 2;
module_param(threaded_seeds, uint, 0444);
MODULE_PARM_DESC(threaded_seeds, "seeds of the concurrent case");
static unsigned int threaded_steps = 2000;
module_param(threaded_steps, uint, 0444);
MODULE_PARM_DESC(threaded_steps, "steps per group and seed of the concurrent case");

#define MT_MAX_DEVS	5
#define MT_MAX_HOLDS	3
#define MT_LOG		48
#define MT_MAX_THREADS	8

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

/* The manager and its two drivers, shared by the groups of a run. */
struct mt_shared {
	struct isolation_manager mgr;
	bool mgr_registered;
	char mdrv_name[32];		/* new for each registration */
	char host_name[32];
	struct device_driver host;
	struct device_driver mdrv;
	bool host_registered;
	bool mdrv_registered;
	atomic_t steps_done;		/* by every group of the run */
};

struct mt_ctx {
	struct kunit *test;
	struct mt_shared *sh;
	struct isolation_provider provider;
	bool provider_registered;
	struct isolation_group *group;
	struct device *devs[MT_MAX_DEVS];
	unsigned int ndevs;
	int take_fail;			/* take_device fails on this call */
	char provider_name[32];
	struct notifier_block nb;
	bool nb_registered;
	unsigned int events;
	int last_locked;
	struct isolation_group *holds[MT_MAX_HOLDS];
	unsigned int nholds;
	struct mt_model model;
	const unsigned int *weights;	/* of the operations */
	struct rnd_state rnd;
	u32 seed;
	u32 base_seed;			/* of the concurrent run, or @seed */
	int thread;			/* in the concurrent run, or -1 */
	unsigned int step;
	unsigned int matched;		/* steps that matched the model */
	unsigned int overlapped;	/* another group's step ended meanwhile */
	unsigned int seq;
	struct completion *go;		/* concurrent: all threads start */
	bool ok;
	struct completion done;
	char log[MT_LOG][48];
};

/* A device of the model: its context, and the real driver override. */
struct mt_dev {
	struct device dev;
	struct mt_ctx *ctx;
	bool override;
};

#define to_mt_dev(d) container_of(d, struct mt_dev, dev)

static bool mt_override(struct mt_ctx *c, unsigned int i)
{
	return to_mt_dev(c->devs[i])->override;
}

/*
 * vfio-pci's rule: the manager's driver matches by override only.  Only
 * the drivers of the device's own run match it.
 */
static int mt_match(struct device *dev, const struct device_driver *drv)
{
	struct mt_dev *md = to_mt_dev(dev);
	struct mt_shared *sh = md->ctx->sh;

	if (drv == &sh->mdrv)
		return READ_ONCE(md->override);
	if (drv == &sh->host)
		return !READ_ONCE(md->override);
	return 0;
}

static const struct bus_type mt_bus = {
	.name = "isolation-model",
	.match = mt_match,
};

static int mt_probe(struct device *dev)
{
	/* Concurrent: let the other groups run in the middle of this step. */
	if (to_mt_dev(dev)->ctx->thread >= 0)
		usleep_range(10, 50);
	return 0;
}

/* Called by the handover of the device's group, in its run's thread. */
static int mt_take_device(struct device *dev)
{
	struct mt_dev *md = to_mt_dev(dev);
	struct mt_ctx *c = md->ctx;

	if (c->take_fail && !--c->take_fail)
		return -EIO;
	if (md->override)
		return 0;
	WRITE_ONCE(md->override, true);
	return 1;
}

static void mt_return_device(struct device *dev)
{
	WRITE_ONCE(to_mt_dev(dev)->override, false);
}

static int mt_bus_notify(struct notifier_block *nb, unsigned long action,
			 void *data)
{
	struct mt_ctx *c = to_mt_dev(data)->ctx;

	if (action == BUS_NOTIFY_ADD_DEVICE && c->group)
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

	if (c->thread < 0)
		kunit_err(c->test, "model mismatch: %s; seed %u, step %u (isolation_model_test.seed=%u steps=%u reproduces it); last steps:\n",
			  what, c->seed, c->step, c->seed, c->step + 1);
	else
		kunit_err(c->test, "model mismatch: %s; seed %u, step %u, thread %d of the concurrent run of seed %u (isolation_model_test.seed=%u threads=%u threaded_seeds=1 threaded_steps=%u runs the same steps, in another interleaving); last steps:\n",
			  what, c->seed, c->step, c->thread, c->base_seed,
			  c->base_seed, threads, c->step + 1);
	for (; s <= c->step; s++)
		kunit_err(c->test, "  %u: %s\n", s, c->log[s % MT_LOG]);
}

static enum mt_drv mt_real_drv(struct mt_ctx *c, struct device *dev)
{
	const struct device_driver *drv = READ_ONCE(dev->driver);

	return drv == &c->sh->mdrv ? MT_MGR :
	       drv == &c->sh->host ? MT_HOST : MT_NONE;
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
		else if (mt_override(c, i) != mm->override)
			snprintf(what, sizeof(what), "device %u override %d, model %d",
				 i, mt_override(c, i), mm->override);
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
	kfree(to_mt_dev(dev));
}

static int mt_add_device(struct mt_ctx *c)
{
	struct mt_dev *md = kzalloc(sizeof(*md), GFP_KERNEL);
	struct device *dev;
	int ret;

	if (!md)
		return -ENOMEM;
	md->ctx = c;
	dev = &md->dev;
	device_initialize(dev);
	dev->bus = &mt_bus;
	dev->release = mt_dev_release;
	c->devs[c->ndevs] = dev;
	c->ndevs++;
	if (c->thread < 0)
		ret = dev_set_name(dev, "model-%u-%u", c->seed, c->seq++);
	else
		ret = dev_set_name(dev, "model-t%u-%u", c->seed, c->seq++);
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

/* Concurrent: the manager is shared, so it is never unregistered. */
static const unsigned int mt_threaded_weights[MT_OP_MAX] = {
	[MT_OP_PROBE] = 14, [MT_OP_UNBIND] = 14, [MT_OP_OVERRIDE] = 14,
	[MT_OP_BIND_HOST] = 8, [MT_OP_BIND_MGR] = 8, [MT_OP_HANDOVER] = 8,
	[MT_OP_GIVE_BACK] = 8, [MT_OP_HOLD] = 7, [MT_OP_UNHOLD] = 7,
	[MT_OP_ADD] = 3, [MT_OP_REMOVE] = 3, [MT_OP_REREGISTER] = 0,
	[MT_OP_FAILED_HANDOVER] = 4,
};

static enum mt_op mt_pick(struct mt_ctx *c)
{
	const unsigned int *w = c->weights;
	unsigned int total = 0, r, op;

	for (op = 0; op < MT_OP_MAX; op++)
		total += w[op];
	r = prandom_u32_state(&c->rnd) % total;
	for (op = 0; r >= w[op]; op++)
		r -= w[op];
	return op;
}

/* One random step on both sides; false on a mismatch. */
static bool mt_step(struct mt_ctx *c)
{
	struct mt_shared *sh = c->sh;
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
		WRITE_ONCE(to_mt_dev(c->devs[i])->override, !mt_override(c, i));
		m->m[i].override = mt_override(c, i);
		mt_log(c, "override %u %s", i, mt_override(c, i) ? "mgr" : "none");
		break;
	case MT_OP_BIND_HOST:
	case MT_OP_BIND_MGR: {
		bool mgr = prandom_u32_state(&c->rnd) & 1;
		bool bound;

		mt_log(c, "bind file %s %u", mgr ? "mgr" : "host", i);
		ret = mt_bind_file(mgr ? &sh->mdrv : &sh->host, c->devs[i]);
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
		if (!sh->mgr_registered)
			break;
		ret = isolation_group_handover(c->group, &sh->mgr);
		if (ret) {
			mt_log(c, "handover: %d", ret);
			mt_dump(c, "handover failed");
			return false;
		}
		mm_handover(m);
		break;
	case MT_OP_FAILED_HANDOVER:
		if (!sh->mgr_registered)
			break;
		before = *m;
		/* Fail on the k-th device the manager takes, if it takes k. */
		c->take_fail = 1 + prandom_u32_state(&c->rnd) % max(c->ndevs, 1U);
		mt_log(c, "handover, take %d fails", c->take_fail);
		ret = isolation_group_handover(c->group, &sh->mgr);
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
		ret = isolation_group_clear_manager(c->group, &sh->mgr);
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
		g = isolation_device_hold(c->devs[i], &sh->mgr);
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
		driver_unregister(&sh->mdrv);
		sh->mdrv_registered = false;
		for (i = 0; i < m->n; i++)
			if (m->m[i].drv == MT_MGR)
				mm_unbind(m, i);
		isolation_manager_unregister(&sh->mgr);
		if (m->managed)
			mm_release(m);
		ret = isolation_manager_register(&sh->mgr);
		sh->mgr_registered = !ret;
		/* The old name's sysfs entry may outlive its kobject_put(). */
		snprintf(sh->mdrv_name, sizeof(sh->mdrv_name), "model-mgr-%u-%u",
			 c->seed, c->step);
		ret = ret ?: driver_register(&sh->mdrv);
		sh->mdrv_registered = !ret;
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

/* The manager and its drivers, for seed @s, or the concurrent run of @s. */
static int mt_shared_up(struct mt_shared *sh, u32 s, bool threaded)
{
	int ret;

	sh->mgr.name = "isolation-model";
	sh->mgr.take_device = mt_take_device;
	sh->mgr.return_device = mt_return_device;
	/* Names of their own: an old one's sysfs entry may outlive it. */
	snprintf(sh->host_name, sizeof(sh->host_name), "model-%shost-%u",
		 threaded ? "c" : "", s);
	snprintf(sh->mdrv_name, sizeof(sh->mdrv_name), "model-%smgr-%u",
		 threaded ? "c" : "", s);
	sh->host = (struct device_driver){ .name = sh->host_name,
					   .bus = &mt_bus, .probe = mt_probe };
	sh->mdrv = (struct device_driver){ .name = sh->mdrv_name,
					   .bus = &mt_bus, .probe = mt_probe,
					   .isolation_manager = &sh->mgr };
	ret = isolation_manager_register(&sh->mgr);
	if (ret)
		return ret;
	sh->mgr_registered = true;
	ret = driver_register(&sh->host);
	if (ret)
		return ret;
	sh->host_registered = true;
	ret = driver_register(&sh->mdrv);
	if (ret)
		return ret;
	sh->mdrv_registered = true;
	return 0;
}

/*
 * A group of three devices, each on the host driver, with its model, for
 * seed @s; @thread is its place in a concurrent run of seed @base, or -1.
 */
static int mt_ctx_up(struct mt_ctx *c, struct kunit *test,
		     struct mt_shared *sh, u32 s, u32 base, int thread)
{
	unsigned int i;
	int ret;

	c->test = test;
	c->sh = sh;
	c->seed = s;
	c->base_seed = base;
	c->thread = thread;
	c->weights = thread < 0 ? mt_weights : mt_threaded_weights;
	init_completion(&c->done);
	prandom_seed_state(&c->rnd, s);
	if (thread < 0)
		snprintf(c->provider_name, sizeof(c->provider_name), "model-%u", s);
	else
		snprintf(c->provider_name, sizeof(c->provider_name), "model-t%u", s);
	c->provider.name = c->provider_name;
	c->nb.notifier_call = mt_notify;

	ret = isolation_provider_register(&c->provider);
	if (ret)
		return ret;
	c->provider_registered = true;
	c->group = isolation_group_alloc(&c->provider, "model");
	if (IS_ERR(c->group)) {
		ret = PTR_ERR(c->group);
		c->group = NULL;
		return ret;
	}
	ret = isolation_register_notifier(&c->nb);
	if (ret)
		return ret;
	c->nb_registered = true;
	for (i = 0; i < 3; i++) {
		ret = mt_add_device(c);
		if (ret)
			return ret;
		c->model.m[c->model.n++].drv = MT_HOST;
	}
	return 0;
}

/* Drive @c for @nsteps steps, or to the first mismatch. */
static bool mt_ctx_run(struct mt_ctx *c, unsigned int nsteps)
{
	bool ok = mt_check(c, true);
	unsigned int before;

	for (c->step = 0; ok && c->step < nsteps; c->step++) {
		before = atomic_read(&c->sh->steps_done);
		ok = mt_step(c);
		c->matched += ok;
		c->overlapped += atomic_inc_return(&c->sh->steps_done) -
				 before > 1;
	}
	return ok;
}

/* Undo mt_ctx_up() of the @n contexts and mt_shared_up(), as far as done. */
static void mt_teardown(struct mt_shared *sh, struct mt_ctx **cs,
			unsigned int n)
{
	struct mt_ctx *c;
	unsigned int i;

	for (i = 0; i < n; i++) {
		c = cs[i];
		while (c->nholds)
			isolation_group_unhold(c->holds[--c->nholds]);
		if (c->group) {
			isolation_group_clear_manager(c->group, &sh->mgr);
			flush_work(&c->group->hold_work);
		}
	}
	if (sh->mdrv_registered)
		driver_unregister(&sh->mdrv);
	if (sh->host_registered)
		driver_unregister(&sh->host);
	for (i = 0; i < n; i++) {
		c = cs[i];
		while (c->ndevs)
			mt_del_device(c, c->ndevs - 1);
		if (c->nb_registered)
			isolation_unregister_notifier(&c->nb);
	}
	if (sh->mgr_registered)
		isolation_manager_unregister(&sh->mgr);
	for (i = 0; i < n; i++) {
		c = cs[i];
		if (c->group)
			isolation_group_put(c->group);
		if (c->provider_registered)
			isolation_provider_unregister(&c->provider);
	}
}

/* One seed: a group of three devices, driven for @nsteps steps. */
static bool mt_run(struct kunit *test, u32 s, unsigned int nsteps)
{
	struct mt_shared *sh = kunit_kzalloc(test, sizeof(*sh), GFP_KERNEL);
	struct mt_ctx *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	bool ok = false;
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, sh);
	KUNIT_ASSERT_NOT_NULL(test, c);
	ret = mt_shared_up(sh, s, false) ?: mt_ctx_up(c, test, sh, s, s, -1);
	if (ret)
		KUNIT_FAIL(test, "seed %u: setting up failed: %d", s, ret);
	else
		ok = mt_ctx_run(c, nsteps);
	if (!ret && !ok)
		KUNIT_FAIL(test, "seed %u failed at step %u", s, c->step);
	mt_teardown(sh, &c, 1);
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

/* The seed of thread @t in the concurrent run of seed @s. */
static u32 mt_thread_seed(u32 s, unsigned int t)
{
	return s * MT_MAX_THREADS + t;
}

static int mt_thread(void *data)
{
	struct mt_ctx *c = data;

	wait_for_completion(c->go);
	c->ok = mt_ctx_run(c, threaded_steps);
	complete(&c->done);
	return 0;
}

/*
 * One seed of the concurrent case: @n groups sharing the manager and the
 * drivers, each driven by a kthread of its own; all start at once.  Adds
 * the steps that matched their model to @matched, and those during which
 * another group's step ended to @overlapped.
 */
static bool mt_run_threaded(struct kunit *test, u32 s, unsigned int n,
			    unsigned int *matched, unsigned int *overlapped)
{
	struct mt_shared *sh = kunit_kzalloc(test, sizeof(*sh), GFP_KERNEL);
	struct mt_ctx *cs[MT_MAX_THREADS] = { };
	DECLARE_COMPLETION_ONSTACK(go);
	unsigned int i, started = 0;
	struct task_struct *t;
	bool ok = true;
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, sh);
	for (i = 0; i < n; i++) {
		cs[i] = kunit_kzalloc(test, sizeof(*cs[i]), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, cs[i]);
		cs[i]->go = &go;
	}
	ret = mt_shared_up(sh, s, true);
	for (i = 0; !ret && i < n; i++)
		ret = mt_ctx_up(cs[i], test, sh, mt_thread_seed(s, i), s, i);
	if (ret) {
		KUNIT_FAIL(test, "seed %u: setting up failed: %d", s, ret);
		ok = false;
	}
	for (i = 0; !ret && i < n; i++) {
		t = kthread_run(mt_thread, cs[i], "isolation-model-%u", i);
		if (IS_ERR(t)) {
			KUNIT_FAIL(test, "kthread_run: %ld", PTR_ERR(t));
			ok = false;
			break;
		}
		started++;
	}
	complete_all(&go);
	for (i = 0; i < started; i++) {
		wait_for_completion(&cs[i]->done);
		*matched += cs[i]->matched;
		*overlapped += cs[i]->overlapped;
		if (!cs[i]->ok) {
			KUNIT_FAIL(test, "seed %u, thread %u (seed %u) failed at step %u",
				   s, i, cs[i]->seed, cs[i]->step);
			ok = false;
		}
	}
	mt_teardown(sh, cs, n);
	return ok;
}

/*
 * The contract with several groups at once: isolation_model_test.threads
 * groups, each driven by a kthread with a model and a seed of its own,
 * share the manager and both drivers; isolation_model_test.threaded_seeds
 * seeds from isolation_model_test.seed, threaded_steps steps per group.
 */
static void mt_threaded_test(struct kunit *test)
{
	unsigned int n = clamp_t(unsigned int, threads, 1, MT_MAX_THREADS);
	unsigned int i, passed = 0, matched = 0, overlapped = 0;

	for (i = 0; i < threaded_seeds; i++)
		passed += mt_run_threaded(test, seed + i, n, &matched,
					  &overlapped);
	kunit_info(test, "isolation-model: concurrent: %u of %u seeds, %u groups at once, %u steps each per group, %u steps matched the model, %u overlapped another group's step\n",
		   passed, threaded_seeds, n, threaded_steps, matched,
		   overlapped);
	/* Not one step overlapping: the groups did not run concurrently. */
	if (n > 1 && threaded_seeds && threaded_steps)
		KUNIT_EXPECT_GT(test, overlapped, 0);
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
	KUNIT_CASE_SLOW(mt_threaded_test),
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
