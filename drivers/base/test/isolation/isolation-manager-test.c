// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for isolation group managers: manager-only driver matching,
 * the locked state, hot-plug into managed groups, handover and the sysfs
 * and notifier interfaces, on a bus of the tests' own.
 *
 * Every driver on the bus matches every device, so which driver binds is
 * decided by the isolation core alone.  Host drivers check in probe() and
 * remove() that the device's group is not locked: a locked group with a
 * host driver probing or bound is the one thing that must never happen.
 *
 * The fault sweeps at the end fail every fault point of the calls that can
 * fail (failslab and fail_isolation, through current->fail_nth) and need
 * CONFIG_FAILSLAB and CONFIG_FAULT_INJECTION_DEBUG_FS; they skip without.
 */

#include <kunit/test-bug.h>
#include <kunit/test.h>
#include <linux/async.h>
#include <linux/completion.h>
#include <linux/cred.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/fault-inject.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/isolation.h>
#include <linux/kthread.h>
#include <linux/mount.h>
#include <linux/notifier.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/user_namespace.h>

#include "../../base.h"
#include "../../isolation-internal.h"

#define IM_MAX_EVENTS 32

static atomic_t im_seq = ATOMIC_INIT(0);
/* Host drivers that probed or were bound while their group was locked. */
static atomic_t im_violations = ATOMIC_INIT(0);
/* A private sysfs mount: attributes are read and written as by userspace. */
static struct vfsmount *im_sysfs;

struct im_drv {
	struct device_driver drv;
	char name[32];
	atomic_t probes;
	atomic_t removes;
	int probe_ret;
	struct completion *probe_entered;	/* optional: signal entry */
	struct completion *probe_release;	/* optional: wait in probe */
	struct device *block_dev;		/* optional: only on this one */
	void (*probe_hook)(struct device *dev);	/* optional: run once */
	struct device *no_match;		/* optional: not this one */
	bool unregistered;			/* by the test, not at its end */
};

#define to_im_drv(d) container_of(d, struct im_drv, drv)

/*
 * Armed by a test: the next host driver's match sets this manager on this
 * group, as a concurrent handover would between the match and the probe.
 */
static struct isolation_group *im_match_group;
static struct isolation_manager *im_match_mgr;

static int im_bus_match(struct device *dev, const struct device_driver *drv)
{
	struct isolation_manager *mgr;

	if (READ_ONCE(to_im_drv(drv)->no_match) == dev)
		return 0;
	if (!drv->isolation_manager && READ_ONCE(im_match_mgr)) {
		mgr = xchg(&im_match_mgr, NULL);
		if (mgr)
			WARN_ON(isolation_group_set_manager(im_match_group, mgr));
	}
	return 1;
}

/*
 * Armed by a test: the uevent of this device adds it to this group.  The
 * KOBJ_REMOVE uevent of device_del() comes after isolation_device_del()
 * and before the device leaves sysfs, the window of an add racing removal.
 */
static struct device *im_uevent_dev;
static struct isolation_group *im_uevent_group;
static int im_uevent_ret;

static int im_bus_uevent(const struct device *dev, struct kobj_uevent_env *env)
{
	if (dev == READ_ONCE(im_uevent_dev)) {
		WRITE_ONCE(im_uevent_dev, NULL);
		im_uevent_ret = isolation_group_add_device(im_uevent_group,
							   (struct device *)dev);
	}
	return 0;
}

static const struct bus_type im_bus = {
	.name = "isolation-mgr-test",
	.match = im_bus_match,
	.uevent = im_bus_uevent,
};

struct im_event {
	unsigned long action;
	struct device *dev;
	const struct isolation_manager *mgr;
};

struct im_ctx {
	struct isolation_provider provider;
	struct isolation_group *group;	/* the group hot-added devices join */
	struct notifier_block bus_nb;
	struct notifier_block nb;
	struct isolation_group *watched;
	struct im_event events[IM_MAX_EVENTS];
	int num_events;
	char provider_name[32];
};

static struct im_ctx *im_ctx(struct kunit *test)
{
	return test->priv;
}

static void im_defer(struct kunit *test, kunit_action_t *action, void *data)
{
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, action, data), 0);
}

/* Drivers */

/*
 * In a host driver's probe() or remove(), under the device lock: is the
 * device a member of a locked group?  Asked of the core in one step, under
 * isolation_lock: reading the group, then its state, would blame a group
 * that the device left in between (the stress test moves devices).
 */
static void im_check_unlocked(struct device *dev)
{
	if (isolation_device_breaks_lock(dev))
		atomic_inc(&im_violations);
}

static int im_probe(struct device *dev)
{
	struct im_drv *d = to_im_drv(dev->driver);
	bool stop = !d->block_dev || d->block_dev == dev;

	if (stop && d->probe_entered)
		complete(d->probe_entered);
	if (stop && d->probe_release)
		wait_for_completion(d->probe_release);
	if (d->probe_hook)
		xchg(&d->probe_hook, NULL)(dev);
	if (!d->drv.isolation_manager)
		im_check_unlocked(dev);
	atomic_inc(&d->probes);
	return d->probe_ret;
}

static int im_remove(struct device *dev)
{
	struct im_drv *d = to_im_drv(dev->driver);

	if (!d->drv.isolation_manager)
		im_check_unlocked(dev);
	atomic_inc(&d->removes);
	return 0;
}

static void im_driver_unregister_action(void *data)
{
	struct im_drv *d = data;

	if (!d->unregistered)
		driver_unregister(&d->drv);
	kfree(d);
}

/* A driver for @mgr, or a host driver if @mgr is NULL. */
static struct im_drv *im_driver_prepare(struct kunit *test,
					struct isolation_manager *mgr)
{
	struct im_drv *d = kzalloc(sizeof(*d), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, d);
	snprintf(d->name, sizeof(d->name), "%s-%d", mgr ? "mgrdrv" : "hostdrv",
		 atomic_inc_return(&im_seq));
	d->drv.name = d->name;
	d->drv.bus = &im_bus;
	d->drv.probe = im_probe;
	d->drv.remove = im_remove;
	d->drv.isolation_manager = mgr;
	return d;
}

static void im_driver_register(struct kunit *test, struct im_drv *d)
{
	int ret = driver_register(&d->drv);

	if (ret)
		kfree(d);
	KUNIT_ASSERT_EQ(test, ret, 0);
	im_defer(test, im_driver_unregister_action, d);
}

static struct im_drv *im_driver(struct kunit *test, struct isolation_manager *mgr)
{
	struct im_drv *d = im_driver_prepare(test, mgr);

	im_driver_register(test, d);
	return d;
}

/* Devices */

static void im_dev_release(struct device *dev)
{
	kfree(dev);
}

static void im_dev_unregister_action(void *dev)
{
	device_unregister(dev);
}

/* Add a device to the bus; the bus notifier puts it in the test group. */
static struct device *im_dev(struct kunit *test)
{
	struct device *dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, dev);
	device_initialize(dev);
	dev->bus = &im_bus;
	dev->release = im_dev_release;
	ret = dev_set_name(dev, "imdev-%d", atomic_inc_return(&im_seq));
	if (!ret)
		ret = device_add(dev);
	if (ret)
		put_device(dev);
	KUNIT_ASSERT_EQ(test, ret, 0);
	im_defer(test, im_dev_unregister_action, dev);
	return dev;
}

/* A device on the bus that the provider leaves in no group. */
static struct device *im_dev_ungrouped(struct kunit *test)
{
	struct isolation_group *group = im_ctx(test)->group;
	struct device *dev;

	im_ctx(test)->group = NULL;
	dev = im_dev(test);
	im_ctx(test)->group = group;
	return dev;
}

static void im_dev_del(struct kunit *test, struct device *dev)
{
	kunit_release_action(test, im_dev_unregister_action, dev);
}

/* The provider: puts every device added to the bus into ctx->group. */
static int im_bus_notify(struct notifier_block *nb, unsigned long action,
			 void *data)
{
	struct im_ctx *ctx = container_of(nb, struct im_ctx, bus_nb);

	if (action == BUS_NOTIFY_ADD_DEVICE && ctx->group)
		WARN_ON(isolation_group_add_device(ctx->group, data));
	return NOTIFY_DONE;
}

/* Managers */

static void im_manager_unregister_action(void *mgr)
{
	isolation_manager_unregister(mgr);
}

static struct isolation_manager *im_manager(struct kunit *test)
{
	struct isolation_manager *mgr;
	char *name;

	mgr = kunit_kzalloc(test, sizeof(*mgr), GFP_KERNEL);
	name = kunit_kzalloc(test, 32, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, mgr);
	KUNIT_ASSERT_NOT_NULL(test, name);
	snprintf(name, 32, "mgr-%d", atomic_inc_return(&im_seq));
	mgr->name = name;
	KUNIT_ASSERT_EQ(test, isolation_manager_register(mgr), 0);
	im_defer(test, im_manager_unregister_action, mgr);
	return mgr;
}

static void im_group_put_action(void *group)
{
	isolation_group_put(group);
}

static struct isolation_group *im_group(struct kunit *test)
{
	struct isolation_group *group;
	char name[32];

	snprintf(name, sizeof(name), "g%d", atomic_inc_return(&im_seq));
	group = isolation_group_alloc(&im_ctx(test)->provider, name);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, group);
	im_defer(test, im_group_put_action, group);
	return group;
}

/* Notifier log, for one group */

static int im_notify(struct notifier_block *nb, unsigned long action,
		     void *data)
{
	struct im_ctx *ctx = container_of(nb, struct im_ctx, nb);
	struct isolation_notifier_data *d = data;

	if (d->group != ctx->watched)
		return NOTIFY_DONE;
	if (ctx->num_events < IM_MAX_EVENTS) {
		ctx->events[ctx->num_events].action = action;
		ctx->events[ctx->num_events].dev = d->dev;
		ctx->events[ctx->num_events].mgr = d->manager;
	}
	ctx->num_events++;
	return NOTIFY_OK;
}

static void im_unregister_notifier_action(void *nb)
{
	isolation_unregister_notifier(nb);
}

static void im_watch(struct kunit *test, struct isolation_group *group)
{
	struct im_ctx *ctx = im_ctx(test);

	ctx->watched = group;
	ctx->num_events = 0;
	ctx->nb.notifier_call = im_notify;
	KUNIT_ASSERT_EQ(test, isolation_register_notifier(&ctx->nb), 0);
	im_defer(test, im_unregister_notifier_action, &ctx->nb);
}

static void im_expect_events(struct kunit *test, const unsigned long *want,
			     int n)
{
	struct im_ctx *ctx = im_ctx(test);
	int i;

	KUNIT_EXPECT_EQ(test, ctx->num_events, n);
	for (i = 0; i < min(n, ctx->num_events); i++)
		KUNIT_EXPECT_EQ_MSG(test, ctx->events[i].action, want[i],
				    "event %d", i);
}

/* sysfs, through a private mount */

static ssize_t im_sysfs_io(const char *path, char *buf, size_t len, bool write)
{
	struct file *f;
	loff_t pos = 0;
	ssize_t ret;

	f = file_open_root_mnt(im_sysfs, path, write ? O_WRONLY : O_RDONLY, 0);
	if (IS_ERR(f))
		return PTR_ERR(f);
	if (write) {
		ret = kernel_write(f, buf, len, &pos);
	} else {
		ret = kernel_read(f, buf, len - 1, &pos);
		buf[max_t(ssize_t, ret, 0)] = '\0';
	}
	fput(f);
	return ret;
}

static ssize_t im_attr_write(struct isolation_group *group, const char *attr,
			     const char *val, size_t len)
{
	char path[64];

	snprintf(path, sizeof(path), "isolation/%d/%s",
		 isolation_group_id(group), attr);
	return im_sysfs_io(path, (char *)val, len, true);
}

static void im_expect_attr(struct kunit *test, struct isolation_group *group,
			   const char *attr, const char *want)
{
	char path[64], buf[80];

	snprintf(path, sizeof(path), "isolation/%d/%s",
		 isolation_group_id(group), attr);
	KUNIT_EXPECT_EQ(test, im_sysfs_io(path, buf, sizeof(buf), false),
			(ssize_t)strlen(want));
	KUNIT_EXPECT_STREQ(test, buf, want);
}

static bool im_bound_to(struct device *dev, struct im_drv *d)
{
	bool ret;

	device_lock(dev);
	ret = dev->driver == &d->drv;
	device_unlock(dev);
	return ret;
}

/* Managers: registration */

static void im_manager_register_test(struct kunit *test)
{
	struct isolation_manager a = { .name = "im-reg" };
	struct isolation_manager dup = { .name = "im-reg" };
	struct isolation_manager spaced = { .name = "im reg" };
	struct isolation_manager empty = { .name = "" };
	struct isolation_manager noname = { };

	KUNIT_EXPECT_EQ(test, isolation_manager_register(NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, isolation_manager_register(&empty), -EINVAL);
	KUNIT_EXPECT_EQ(test, isolation_manager_register(&noname), -EINVAL);
	KUNIT_EXPECT_EQ(test, isolation_manager_register(&spaced), -EINVAL);
	KUNIT_ASSERT_EQ(test, isolation_manager_register(&a), 0);
	KUNIT_EXPECT_EQ(test, isolation_manager_register(&a), -EBUSY);
	KUNIT_EXPECT_EQ(test, isolation_manager_register(&dup), -EEXIST);
	isolation_manager_unregister(&a);
	KUNIT_EXPECT_EQ(test, isolation_manager_register(&dup), 0);
	isolation_manager_unregister(&dup);
	isolation_manager_unregister(NULL);
}

/* No manager: everything as without isolation groups */

static void im_no_manager_test(struct kunit *test)
{
	struct isolation_group *group = im_group(test);
	struct im_drv *host;
	struct device *dev;

	im_ctx(test)->group = group;
	dev = im_dev(test);
	host = im_driver(test, NULL);
	KUNIT_EXPECT_TRUE(test, im_bound_to(dev, host));
	KUNIT_EXPECT_NULL(test, isolation_group_manager(group));
	KUNIT_EXPECT_FALSE(test, isolation_group_locked(group));
	device_release_driver(dev);
	KUNIT_EXPECT_EQ(test, device_attach(dev), 1);
	KUNIT_EXPECT_TRUE(test, im_bound_to(dev, host));
	KUNIT_EXPECT_EQ(test, atomic_read(&host->probes), 2);
}

static void im_ungrouped_device_test(struct kunit *test)
{
	struct isolation_manager *mgr = im_manager(test);
	struct isolation_group *group = im_group(test);
	struct device *outsider, *member;
	struct im_drv *host;

	/* A managed group elsewhere changes nothing for other devices. */
	outsider = im_dev(test);
	im_ctx(test)->group = group;
	member = im_dev(test);
	KUNIT_ASSERT_EQ(test, isolation_group_set_manager(group, mgr), 0);
	host = im_driver(test, NULL);
	KUNIT_EXPECT_TRUE(test, im_bound_to(outsider, host));
	KUNIT_EXPECT_FALSE(test, im_bound_to(member, host));
	KUNIT_EXPECT_EQ(test, isolation_group_clear_manager(group, mgr), 0);
}

/* Setting and clearing */

static void im_set_manager_idle_group_test(struct kunit *test)
{
	static const unsigned long want[] = {
		ISOLATION_NOTIFY_SET_MANAGER, ISOLATION_NOTIFY_LOCKED,
	};
	struct isolation_manager *mgr = im_manager(test);
	struct isolation_group *group = im_group(test);

	im_ctx(test)->group = group;
	im_dev(test);
	im_dev(test);
	im_watch(test, group);
	/* No driver bound anywhere: locked at once. */
	KUNIT_ASSERT_EQ(test, isolation_group_set_manager(group, mgr), 0);
	KUNIT_EXPECT_PTR_EQ(test, isolation_group_manager(group), mgr);
	KUNIT_EXPECT_TRUE(test, isolation_group_locked(group));
	im_expect_events(test, want, ARRAY_SIZE(want));
	KUNIT_EXPECT_PTR_EQ(test, im_ctx(test)->events[0].mgr, mgr);
}

static void im_second_manager_test(struct kunit *test)
{
	struct isolation_manager *a = im_manager(test);
	struct isolation_manager *b = im_manager(test);
	struct isolation_group *group = im_group(test);

	KUNIT_ASSERT_EQ(test, isolation_group_set_manager(group, a), 0);
	KUNIT_EXPECT_EQ(test, isolation_group_set_manager(group, b), -EBUSY);
	KUNIT_EXPECT_EQ(test, isolation_group_set_manager(group, a), -EBUSY);
	KUNIT_EXPECT_PTR_EQ(test, isolation_group_manager(group), a);
	/* Only the owner can give the group back. */
	KUNIT_EXPECT_EQ(test, isolation_group_clear_manager(group, b), -EPERM);
	KUNIT_EXPECT_PTR_EQ(test, isolation_group_manager(group), a);
	KUNIT_EXPECT_TRUE(test, isolation_group_locked(group));
	KUNIT_EXPECT_EQ(test, isolation_group_clear_manager(group, a), 0);
	KUNIT_EXPECT_EQ(test, isolation_group_clear_manager(group, a), -ENOENT);
	KUNIT_EXPECT_NULL(test, isolation_group_manager(group));
}

static void im_set_manager_bad_args_test(struct kunit *test)
{
	struct isolation_manager *mgr = im_manager(test);
	struct isolation_manager unregistered = { .name = "im-unreg" };
	struct isolation_provider p = { .name = "im-dying" };
	struct isolation_group *group = im_group(test), *dead;

	KUNIT_EXPECT_EQ(test, isolation_group_set_manager(NULL, mgr), -EINVAL);
	KUNIT_EXPECT_EQ(test, isolation_group_set_manager(group, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, isolation_group_set_manager(group, &unregistered),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, isolation_group_clear_manager(NULL, mgr), -EINVAL);
	KUNIT_EXPECT_EQ(test, isolation_group_clear_manager(group, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, isolation_group_handover(NULL, mgr), -EINVAL);
	KUNIT_EXPECT_EQ(test, isolation_group_handover(group, NULL), -EINVAL);
	KUNIT_EXPECT_NULL(test, isolation_group_manager(group));
	KUNIT_EXPECT_NULL(test, isolation_group_manager(NULL));
	KUNIT_EXPECT_FALSE(test, isolation_group_locked(NULL));

	/* A group whose provider is gone takes no manager. */
	KUNIT_ASSERT_EQ(test, isolation_provider_register(&p), 0);
	dead = isolation_group_alloc(&p, "dead");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dead);
	isolation_provider_unregister(&p);
	KUNIT_EXPECT_EQ(test, isolation_group_set_manager(dead, mgr), -ENODEV);
	isolation_group_put(dead);
}

/* The locked state follows the bindings */

static void im_lock_when_last_host_unbinds_test(struct kunit *test)
{
	static const unsigned long want[] = {
		ISOLATION_NOTIFY_SET_MANAGER, ISOLATION_NOTIFY_LOCKED,
	};
	struct isolation_manager *mgr = im_manager(test);
	struct isolation_group *group = im_group(test);
	struct device *d1, *d2;
	struct im_drv *host;

	im_ctx(test)->group = group;
	d1 = im_dev(test);
	d2 = im_dev(test);
	host = im_driver(test, NULL);
	KUNIT_ASSERT_TRUE(test, im_bound_to(d1, host) && im_bound_to(d2, host));

	im_watch(test, group);
	/* Busy group: the manager is set, the group stays unlocked. */
	KUNIT_ASSERT_EQ(test, isolation_group_set_manager(group, mgr), 0);
	KUNIT_EXPECT_FALSE(test, isolation_group_locked(group));
	KUNIT_EXPECT_TRUE(test, im_bound_to(d1, host));
	device_release_driver(d1);
	KUNIT_EXPECT_FALSE(test, isolation_group_locked(group));
	KUNIT_EXPECT_EQ(test, im_ctx(test)->num_events, 1);
	/* The last host driver goes: locked at that moment. */
	device_release_driver(d2);
	KUNIT_EXPECT_TRUE(test, isolation_group_locked(group));
	im_expect_events(test, want, ARRAY_SIZE(want));
}

static void im_host_bind_refused_test(struct kunit *test)
{
	struct isolation_manager *mgr = im_manager(test);
	struct isolation_group *group = im_group(test);
	struct im_drv *host, *late;
	struct device *dev;

	im_ctx(test)->group = group;
	dev = im_dev(test);
	KUNIT_ASSERT_EQ(test, isolation_group_set_manager(group, mgr), 0);
	KUNIT_ASSERT_TRUE(test, isolation_group_locked(group));

	/* A host driver registering now does not match. */
	host = im_driver(test, NULL);
	KUNIT_EXPECT_EQ(test, atomic_read(&host->probes), 0);
	/* driver_attach() and device_attach() find no match either. */
	KUNIT_EXPECT_EQ(test, driver_attach(&host->drv), 0);
	KUNIT_EXPECT_EQ(test, device_attach(dev), 0);
	/* device_driver_attach() skips matching: really_probe() refuses. */
	KUNIT_EXPECT_EQ(test, device_driver_attach(&host->drv, dev), -EBUSY);
	/* So does an explicit device_bind_driver(). */
	late = im_driver(test, NULL);
	device_lock(dev);
	dev->driver = &late->drv;
	KUNIT_EXPECT_EQ(test, device_bind_driver(dev), -EBUSY);
	dev->driver = NULL;
	device_unlock(dev);

	KUNIT_EXPECT_EQ(test, atomic_read(&host->probes), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&late->probes), 0);
	KUNIT_EXPECT_TRUE(test, isolation_group_locked(group));
}

static void im_bind_file_refused_test(struct kunit *test)
{
	struct isolation_manager *mgr = im_manager(test);
	struct isolation_group *group = im_group(test);
	struct im_drv *host;
	struct device *dev;
	char path[96];
	ssize_t len;

	im_ctx(test)->group = group;
	dev = im_dev(test);
	host = im_driver(test, NULL);
	snprintf(path, sizeof(path), "bus/%s/drivers/%s/bind", im_bus.name,
		 host->name);
	len = strlen(dev_name(dev));

	/* Without a manager, the bind file binds. */
	device_release_driver(dev);
	KUNIT_ASSERT_EQ(test, im_sysfs_io(path, (char *)dev_name(dev), len,
					  true), len);
	KUNIT_ASSERT_TRUE(test, im_bound_to(dev, host));

	/* In the locked group, it does not. */
	KUNIT_ASSERT_EQ(test, isolation_group_set_manager(group, mgr), 0);
	device_release_driver(dev);
	KUNIT_ASSERT_TRUE(test, isolation_group_locked(group));
	KUNIT_EXPECT_LT(test, im_sysfs_io(path, (char *)dev_name(dev), len,
					  true), 0);
	KUNIT_EXPECT_FALSE(test, im_bound_to(dev, host));
	KUNIT_EXPECT_TRUE(test, isolation_group_locked(group));
}

static void im_manager_driver_binds_test(struct kunit *test)
{
	struct isolation_manager *mgr = im_manager(test);
	struct isolation_group *group = im_group(test);
	struct im_drv *host, *mdrv;
	struct device *d1, *d2;

	im_ctx(test)->group = group;
	d1 = im_dev(test);
	d2 = im_dev(test);
	KUNIT_ASSERT_EQ(test, isolation_group_set_manager(group, mgr), 0);
	host = im_driver(test, NULL);
	mdrv = im_driver(test, mgr);
	KUNIT_EXPECT_TRUE(test, im_bound_to(d1, mdrv));
	KUNIT_EXPECT_TRUE(test, im_bound_to(d2, mdrv));
	KUNIT_EXPECT_EQ(test, atomic_read(&host->probes), 0);
	KUNIT_EXPECT_TRUE(test, isolation_group_locked(group));
	/* Manager drivers come and go: locked throughout. */
	device_release_driver(d1);
	KUNIT_EXPECT_TRUE(test, isolation_group_locked(group));
	KUNIT_EXPECT_EQ(test, device_attach(d1), 1);
	KUNIT_EXPECT_TRUE(test, im_bound_to(d1, mdrv));
	KUNIT_EXPECT_TRUE(test, isolation_group_locked(group));
}

static void im_failed_manager_probe_test(struct kunit *test)
{
	struct isolation_manager *mgr = im_manager(test);
	struct isolation_group *group = im_group(test);
	struct im_drv *mdrv;
	struct device *dev;

	im_ctx(test)->group = group;
	dev = im_dev(test);
	KUNIT_ASSERT_EQ(test, isolation_group_set_manager(group, mgr), 0);
	mdrv = im_driver_prepare(test, mgr);
	mdrv->probe_ret = -EIO;
	im_driver_register(test, mdrv);
	KUNIT_EXPECT_EQ(test, atomic_read(&mdrv->probes), 1);
	KUNIT_EXPECT_FALSE(test, im_bound_to(dev, mdrv));
	KUNIT_EXPECT_TRUE(test, isolation_group_locked(group));
}

static void im_failed_host_probe_test(struct kunit *test)
{
	struct isolation_manager *mgr = im_manager(test);
	struct isolation_group *group = im_group(test);
	struct im_drv *host;

	/* A failed probe leaves no reservation behind. */
	im_ctx(test)->group = group;
	im_dev(test);
	host = im_driver_prepare(test, NULL);
	host->probe_ret = -ENXIO;
	im_driver_register(test, host);
	KUNIT_EXPECT_EQ(test, atomic_read(&host->probes), 1);
	KUNIT_ASSERT_EQ(test, isolation_group_set_manager(group, mgr), 0);
	KUNIT_EXPECT_TRUE(test, isolation_group_locked(group));
}

/*
 * A probe refused by the isolation core after device_links_check_suppliers()
 * must undo it: the supplier link back to "available", the device back to
 * "no driver".  Left "probing", the supplier's unbind loops for ever.
 */
static void im_refused_probe_links_test(struct kunit *test)
{
	struct isolation_manager *mgr = im_manager(test);
	struct isolation_group *group = im_group(test);
	struct device *supplier, *dev;
	struct device_link *link;
	struct im_drv *host;

	host = im_driver(test, NULL);
	supplier = im_dev(test);	/* in no group: the host driver binds */
	KUNIT_ASSERT_TRUE(test, im_bound_to(supplier, host));
	im_ctx(test)->group = group;
	KUNIT_ASSERT_EQ(test, isolation_group_set_manager(group, mgr), 0);
	dev = im_dev(test);
	KUNIT_ASSERT_NULL(test, READ_ONCE(dev->driver));
	link = device_link_add(dev, supplier, 0);
	KUNIT_ASSERT_NOT_NULL(test, link);
	KUNIT_ASSERT_EQ(test, READ_ONCE(link->status), DL_STATE_AVAILABLE);

	/* Straight to really_probe(), without a match: refused. */
	KUNIT_EXPECT_EQ(test, device_driver_attach(&host->drv, dev), -EBUSY);
	KUNIT_EXPECT_EQ(test, atomic_read(&host->probes), 1);
	KUNIT_ASSERT_EQ(test, READ_ONCE(link->status), DL_STATE_AVAILABLE);
	KUNIT_ASSERT_EQ(test, READ_ONCE(dev->links.status), DL_DEV_NO_DRIVER);
	KUNIT_EXPECT_TRUE(test, isolation_group_locked(group));

	/* So the supplier can go. */
	device_release_driver(supplier);
	KUNIT_EXPECT_FALSE(test, im_bound_to(supplier, host));
	KUNIT_EXPECT_EQ(test, READ_ONCE(link->status), DL_STATE_DORMANT);
}

/*
 * A manager set between a host driver's match and its probe: the refused
 * probe is no error of the device, so the walk over the bus's drivers goes
 * on and the manager's driver, later in the list, binds.
 */
static void im_refused_probe_walk_test(struct kunit *test)
{
	struct isolation_manager *mgr = im_manager(test);
	struct isolation_group *group = im_group(test);
	struct im_drv *host, *mdrv;
	struct device *dev;

	host = im_driver(test, NULL);
	mdrv = im_driver(test, mgr);
	im_ctx(test)->group = group;
	im_match_group = group;
	WRITE_ONCE(im_match_mgr, mgr);
	dev = im_dev(test);
	KUNIT_ASSERT_NULL_MSG(test, READ_ONCE(im_match_mgr), "the race was not run");
	KUNIT_EXPECT_EQ(test, atomic_read(&host->probes), 0);
	KUNIT_EXPECT_TRUE(test, im_bound_to(dev, mdrv));
	KUNIT_EXPECT_TRUE(test, isolation_group_locked(group));
}

static int im_count_member(struct device *dev, void *data)
{
	(*(int *)data)++;
	return 0;
}

static int im_members(struct isolation_group *group)
{
	int n = 0;

	isolation_group_for_each(group, &n, im_count_member);
	return n;
}

/*
 * An add racing device_del(): the device is still registered but already
 * past isolation_device_del(), so the add must be refused, or the member
 * outlives the device (a reference leaked, a link to a removed node).
 */
static void im_add_during_device_del_test(struct kunit *test)
{
	struct isolation_group *group = im_group(test);
	struct device *dev = im_dev(test);	/* in no group */

	get_device(dev);
	im_uevent_group = group;
	im_uevent_ret = 1;
	WRITE_ONCE(im_uevent_dev, dev);
	im_dev_del(test, dev);
	KUNIT_EXPECT_EQ(test, im_uevent_ret, -ENODEV);
	KUNIT_EXPECT_NULL(test, READ_ONCE(dev->isolation_group));
	KUNIT_EXPECT_EQ(test, im_members(group), 0);
	put_device(dev);
}

/* Hot-plug */

static void im_hotplug_into_managed_group_test(struct kunit *test)
{
	struct isolation_manager *mgr = im_manager(test);
	struct isolation_group *group = im_group(test);
	struct im_drv *host, *mdrv;
	struct device *dev;

	im_ctx(test)->group = group;
	KUNIT_ASSERT_EQ(test, isolation_group_set_manager(group, mgr), 0);
	host = im_driver(test, NULL);
	mdrv = im_driver(test, mgr);
	im_watch(test, group);

	/* Added like an IOMMU provider adds it: before any probe. */
	dev = im_dev(test);
	KUNIT_EXPECT_TRUE(test, im_bound_to(dev, mdrv));
	KUNIT_EXPECT_EQ(test, atomic_read(&host->probes), 0);
	KUNIT_EXPECT_TRUE(test, isolation_group_locked(group));
	/* One event: the device joined; the group never unlocked. */
	KUNIT_EXPECT_EQ(test, im_ctx(test)->num_events, 1);
	KUNIT_EXPECT_EQ(test, im_ctx(test)->events[0].action,
			ISOLATION_NOTIFY_ADD_DEVICE);
}

static void im_hotplug_no_manager_driver_test(struct kunit *test)
{
	struct isolation_manager *mgr = im_manager(test);
	struct isolation_group *group = im_group(test);
	struct im_drv *host;
	struct device *dev;

	im_ctx(test)->group = group;
	KUNIT_ASSERT_EQ(test, isolation_group_set_manager(group, mgr), 0);
	host = im_driver(test, NULL);
	dev = im_dev(test);
	KUNIT_EXPECT_FALSE(test, im_bound_to(dev, host));
	KUNIT_EXPECT_EQ(test, atomic_read(&host->probes), 0);
	KUNIT_EXPECT_TRUE(test, isolation_group_locked(group));
}

static void im_remove_keeps_locked_test(struct kunit *test)
{
	struct isolation_manager *mgr = im_manager(test);
	struct isolation_group *group = im_group(test);
	struct device *d1, *d2;

	im_ctx(test)->group = group;
	d1 = im_dev(test);
	d2 = im_dev(test);
	KUNIT_ASSERT_EQ(test, isolation_group_set_manager(group, mgr), 0);
	im_driver(test, mgr);
	KUNIT_ASSERT_TRUE(test, isolation_group_locked(group));
	im_dev_del(test, d1);
	KUNIT_EXPECT_TRUE(test, isolation_group_locked(group));
	im_dev_del(test, d2);
	/* Empty: locked, with nothing counted. */
	KUNIT_EXPECT_TRUE(test, isolation_group_locked(group));
	KUNIT_EXPECT_EQ(test, isolation_group_clear_manager(group, mgr), 0);
	KUNIT_EXPECT_FALSE(test, isolation_group_locked(group));
	KUNIT_EXPECT_EQ(test, isolation_group_set_manager(group, mgr), 0);
	KUNIT_EXPECT_TRUE(test, isolation_group_locked(group));
}

static void im_remove_last_host_locks_test(struct kunit *test)
{
	struct isolation_manager *mgr = im_manager(test);
	struct isolation_group *group = im_group(test);
	struct device *dev;

	im_ctx(test)->group = group;
	dev = im_dev(test);
	im_driver(test, NULL);
	KUNIT_ASSERT_EQ(test, isolation_group_set_manager(group, mgr), 0);
	KUNIT_EXPECT_FALSE(test, isolation_group_locked(group));
	/* Its host-bound device leaves the group: nothing blocks the lock. */
	KUNIT_EXPECT_EQ(test, isolation_group_remove_device(dev), 0);
	KUNIT_EXPECT_TRUE(test, isolation_group_locked(group));
}

static void im_add_bound_device_unlocks_test(struct kunit *test)
{
	struct isolation_manager *mgr = im_manager(test);
	struct isolation_group *group = im_group(test);
	struct im_drv *host;
	struct device *dev;

	/* Bound outside any group, then added: the group counts it. */
	dev = im_dev(test);
	host = im_driver(test, NULL);
	KUNIT_ASSERT_TRUE(test, im_bound_to(dev, host));
	KUNIT_ASSERT_EQ(test, isolation_group_set_manager(group, mgr), 0);
	KUNIT_ASSERT_TRUE(test, isolation_group_locked(group));
	KUNIT_ASSERT_EQ(test, isolation_group_add_device(group, dev), 0);
	KUNIT_EXPECT_FALSE(test, isolation_group_locked(group));
	device_release_driver(dev);
	KUNIT_EXPECT_TRUE(test, isolation_group_locked(group));
}

/* Clearing gives the devices back */

static void im_clear_reprobes_test(struct kunit *test)
{
	static const unsigned long want[] = {
		ISOLATION_NOTIFY_CLEAR_MANAGER, ISOLATION_NOTIFY_UNLOCKED,
	};
	struct isolation_manager *mgr = im_manager(test);
	struct isolation_group *group = im_group(test);
	struct device *d1, *d2;
	struct im_drv *host;

	im_ctx(test)->group = group;
	d1 = im_dev(test);
	d2 = im_dev(test);
	KUNIT_ASSERT_EQ(test, isolation_group_set_manager(group, mgr), 0);
	host = im_driver(test, NULL);
	KUNIT_ASSERT_EQ(test, atomic_read(&host->probes), 0);
	im_watch(test, group);
	KUNIT_ASSERT_EQ(test, isolation_group_clear_manager(group, mgr), 0);
	KUNIT_EXPECT_FALSE(test, isolation_group_locked(group));
	KUNIT_EXPECT_TRUE(test, im_bound_to(d1, host));
	KUNIT_EXPECT_TRUE(test, im_bound_to(d2, host));
	im_expect_events(test, want, ARRAY_SIZE(want));
	KUNIT_EXPECT_PTR_EQ(test, im_ctx(test)->events[1].mgr, mgr);
}

static void im_manager_unregister_clears_test(struct kunit *test)
{
	struct isolation_manager *mgr = im_manager(test);
	struct isolation_group *g1 = im_group(test), *g2 = im_group(test);
	struct device *d1, *d2;
	struct im_drv *host;

	im_ctx(test)->group = g1;
	d1 = im_dev(test);
	im_ctx(test)->group = g2;
	d2 = im_dev(test);
	KUNIT_ASSERT_EQ(test, isolation_group_set_manager(g1, mgr), 0);
	KUNIT_ASSERT_EQ(test, isolation_group_set_manager(g2, mgr), 0);
	host = im_driver(test, NULL);
	kunit_release_action(test, im_manager_unregister_action, mgr);
	KUNIT_EXPECT_NULL(test, isolation_group_manager(g1));
	KUNIT_EXPECT_NULL(test, isolation_group_manager(g2));
	KUNIT_EXPECT_TRUE(test, im_bound_to(d1, host));
	KUNIT_EXPECT_TRUE(test, im_bound_to(d2, host));
	KUNIT_EXPECT_EQ(test, isolation_group_set_manager(g1, mgr), -EINVAL);
}

/* Handover */

static void im_handover_test(struct kunit *test)
{
	static const unsigned long want[] = {
		ISOLATION_NOTIFY_SET_MANAGER, ISOLATION_NOTIFY_LOCKED,
	};
	struct isolation_manager *mgr = im_manager(test);
	struct isolation_group *group = im_group(test);
	struct device *devs[3];
	struct im_drv *host, *mdrv;
	int i;

	im_ctx(test)->group = group;
	for (i = 0; i < 3; i++)
		devs[i] = im_dev(test);
	host = im_driver(test, NULL);
	mdrv = im_driver(test, mgr);
	for (i = 0; i < 3; i++)
		KUNIT_ASSERT_TRUE(test, im_bound_to(devs[i], host));

	im_watch(test, group);
	KUNIT_ASSERT_EQ(test, isolation_group_handover(group, mgr), 0);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_TRUE(test, im_bound_to(devs[i], mdrv));
	KUNIT_EXPECT_EQ(test, atomic_read(&host->removes), 3);
	KUNIT_EXPECT_TRUE(test, isolation_group_locked(group));
	im_expect_events(test, want, ARRAY_SIZE(want));
	/* Again: nothing left to do. */
	KUNIT_EXPECT_EQ(test, isolation_group_handover(group, mgr), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&mdrv->probes), 3);
}

/* From a manager driver's probe: a host-bound device joins the group. */
static void im_join_host_bound(struct device *probed)
{
	struct kunit *test = kunit_get_current_test();
	struct im_ctx *ctx = im_ctx(test);
	struct isolation_group *group = ctx->group;
	struct device *dev;

	ctx->group = NULL;
	dev = im_dev(test);		/* in no group: the host driver binds */
	ctx->group = group;
	KUNIT_EXPECT_NOT_NULL(test, READ_ONCE(dev->driver));
	KUNIT_EXPECT_EQ(test, isolation_group_add_device(group, dev), 0);
}

/*
 * A handover that returns 0 leaves the group its manager's and locked.  A
 * device that joins with a host driver bound while the manager's drivers
 * probe makes it fail, and like every failure it changes nothing.
 */
static void im_handover_joined_meanwhile_test(struct kunit *test)
{
	struct isolation_manager *mgr = im_manager(test);
	struct isolation_group *group = im_group(test);
	struct im_drv *host, *mdrv;
	struct device *dev;

	im_ctx(test)->group = group;
	dev = im_dev(test);
	host = im_driver(test, NULL);
	KUNIT_ASSERT_TRUE(test, im_bound_to(dev, host));
	mdrv = im_driver_prepare(test, mgr);
	mdrv->probe_hook = im_join_host_bound;
	im_driver_register(test, mdrv);

	KUNIT_EXPECT_EQ(test, isolation_group_handover(group, mgr), -EBUSY);
	KUNIT_EXPECT_NULL(test, mdrv->probe_hook);
	KUNIT_EXPECT_NULL(test, isolation_group_manager(group));
	KUNIT_EXPECT_FALSE(test, isolation_group_locked(group));
	KUNIT_EXPECT_TRUE(test, im_bound_to(dev, host));
	KUNIT_EXPECT_EQ(test, im_members(group), 2);
}

static void im_handover_pinned_driver_test(struct kunit *test)
{
	struct isolation_manager *mgr = im_manager(test);
	struct isolation_group *group = im_group(test);
	struct im_drv *host, *pinned;
	struct device *d1, *d2;
	int removes;

	im_ctx(test)->group = group;
	d1 = im_dev(test);
	host = im_driver(test, NULL);
	d2 = im_dev(test);
	device_release_driver(d2);
	pinned = im_driver_prepare(test, NULL);
	pinned->drv.suppress_bind_attrs = true;
	/* Registering binds it to the one free device. */
	im_driver_register(test, pinned);
	KUNIT_ASSERT_TRUE(test, im_bound_to(d2, pinned));

	removes = atomic_read(&host->removes);
	KUNIT_EXPECT_EQ(test, isolation_group_handover(group, mgr), -EBUSY);
	/* Refused before anything changed. */
	KUNIT_EXPECT_NULL(test, isolation_group_manager(group));
	KUNIT_EXPECT_TRUE(test, im_bound_to(d1, host));
	KUNIT_EXPECT_TRUE(test, im_bound_to(d2, pinned));
	KUNIT_EXPECT_EQ(test, atomic_read(&host->removes), removes);
}

static void im_handover_other_manager_test(struct kunit *test)
{
	struct isolation_manager *a = im_manager(test);
	struct isolation_manager *b = im_manager(test);
	struct isolation_group *group = im_group(test);
	struct im_drv *host;
	struct device *dev;

	im_ctx(test)->group = group;
	dev = im_dev(test);
	host = im_driver(test, NULL);
	KUNIT_ASSERT_EQ(test, isolation_group_set_manager(group, a), 0);
	KUNIT_EXPECT_EQ(test, isolation_group_handover(group, b), -EBUSY);
	KUNIT_EXPECT_PTR_EQ(test, isolation_group_manager(group), a);
	KUNIT_EXPECT_TRUE(test, im_bound_to(dev, host));
}

struct im_reg {
	struct im_drv *d;
	int ret;
	struct completion done;
};

static int im_register_thread(void *data)
{
	struct im_reg *reg = data;

	reg->ret = driver_register(&reg->d->drv);
	complete(&reg->done);
	return 0;
}

/* A host probe that started before the manager keeps the group unlocked. */
static void im_probe_races_set_manager_test(struct kunit *test)
{
	struct isolation_manager *mgr = im_manager(test);
	struct isolation_group *group = im_group(test);
	DECLARE_COMPLETION_ONSTACK(entered);
	DECLARE_COMPLETION_ONSTACK(release);
	struct im_reg reg;
	struct task_struct *t;
	struct device *dev;

	im_ctx(test)->group = group;
	dev = im_dev(test);
	reg.d = im_driver_prepare(test, NULL);
	reg.d->probe_entered = &entered;
	reg.d->probe_release = &release;
	init_completion(&reg.done);
	/* Registering probes the device; stop that probe inside probe(). */
	t = kthread_run(im_register_thread, &reg, "im-register");
	if (IS_ERR(t)) {
		kfree(reg.d);
		KUNIT_FAIL(test, "kthread_run: %ld", PTR_ERR(t));
		return;
	}
	wait_for_completion(&entered);

	KUNIT_EXPECT_EQ(test, isolation_group_set_manager(group, mgr), 0);
	KUNIT_EXPECT_FALSE(test, isolation_group_locked(group));
	complete(&release);
	wait_for_completion(&reg.done);
	if (reg.ret)
		kfree(reg.d);
	KUNIT_ASSERT_EQ(test, reg.ret, 0);
	im_defer(test, im_driver_unregister_action, reg.d);

	/* It finished binding: a host driver in the managed group, unlocked. */
	KUNIT_EXPECT_TRUE(test, im_bound_to(dev, reg.d));
	KUNIT_EXPECT_FALSE(test, isolation_group_locked(group));
	device_release_driver(dev);
	KUNIT_EXPECT_TRUE(test, isolation_group_locked(group));
}

/* sysfs: manager and locked */

static void im_sysfs_attrs_test(struct kunit *test)
{
	struct isolation_manager *mgr = im_manager(test);
	struct isolation_group *group = im_group(test);
	char want[40];

	im_ctx(test)->group = group;
	im_dev(test);
	im_expect_attr(test, group, "manager", "\n");
	im_expect_attr(test, group, "locked", "0\n");
	KUNIT_ASSERT_EQ(test, isolation_group_set_manager(group, mgr), 0);
	snprintf(want, sizeof(want), "%s\n", mgr->name);
	im_expect_attr(test, group, "manager", want);
	im_expect_attr(test, group, "locked", "1\n");
	/* locked is read-only. */
	KUNIT_EXPECT_LT(test, im_attr_write(group, "locked", "0", 1), 0);
	KUNIT_EXPECT_TRUE(test, isolation_group_locked(group));
}

static void im_sysfs_manager_write_test(struct kunit *test)
{
	static const char * const junk[] = {
		" ", "\x01\x02", "no-such-manager", "mgr 1", "\n\n",
	};
	char too_long[72];
	struct isolation_manager *mgr = im_manager(test);
	struct isolation_group *group = im_group(test);
	struct im_drv *host, *mdrv;
	struct device *dev;
	char buf[40];
	unsigned int i;

	im_ctx(test)->group = group;
	dev = im_dev(test);
	host = im_driver(test, NULL);
	mdrv = im_driver(test, mgr);
	memset(too_long, 'm', sizeof(too_long));
	KUNIT_EXPECT_EQ(test, im_attr_write(group, "manager", too_long,
					    sizeof(too_long)), -EINVAL);
	/* A write of nothing never reaches the store: a no-op. */
	KUNIT_EXPECT_EQ(test, im_attr_write(group, "manager", "", 0), 0);
	KUNIT_EXPECT_NULL(test, isolation_group_manager(group));
	/* Giving back a group that has no manager: nothing to do. */
	KUNIT_EXPECT_EQ(test, im_attr_write(group, "manager", "\n", 1), 1);
	KUNIT_EXPECT_NULL(test, isolation_group_manager(group));
	KUNIT_EXPECT_TRUE(test, im_bound_to(dev, host));
	for (i = 0; i < ARRAY_SIZE(junk); i++) {
		KUNIT_EXPECT_EQ_MSG(test, im_attr_write(group, "manager", junk[i],
							strlen(junk[i])),
				    -EINVAL, "junk %u", i);
		KUNIT_EXPECT_NULL(test, isolation_group_manager(group));
		KUNIT_EXPECT_TRUE(test, im_bound_to(dev, host));
	}
	/* The manager's name hands the group over. */
	snprintf(buf, sizeof(buf), "%s\n", mgr->name);
	KUNIT_EXPECT_EQ(test, im_attr_write(group, "manager", buf, strlen(buf)),
			(ssize_t)strlen(buf));
	KUNIT_EXPECT_PTR_EQ(test, isolation_group_manager(group), mgr);
	KUNIT_EXPECT_TRUE(test, im_bound_to(dev, mdrv));
	im_expect_attr(test, group, "locked", "1\n");
	/* An empty line gives it back: the host driver returns. */
	KUNIT_EXPECT_EQ(test, im_attr_write(group, "manager", "\n", 1), 1);
	KUNIT_EXPECT_NULL(test, isolation_group_manager(group));
	KUNIT_EXPECT_TRUE(test, im_bound_to(dev, host));
	im_expect_attr(test, group, "manager", "\n");
	im_expect_attr(test, group, "locked", "0\n");
}

/* Delegation: the owner file, and who may write manager */

/*
 * A container's user namespace, for the parser only (it reads the maps):
 * its ids 0-65535 are 100000-165535 of the initial namespace.
 */
static struct user_namespace im_userns = {
	.uid_map = {
		.nr_extents = 1,
		.extent = { { .first = 0, .lower_first = 100000, .count = 65536 } },
	},
	.gid_map = {
		.nr_extents = 1,
		.extent = { { .first = 0, .lower_first = 100000, .count = 65536 } },
	},
};

static void im_owner_parse_test(struct kunit *test)
{
	static const char * const junk[] = {
		"-1", "4294967295", "4294967296", "99999999999", "abc", "root",
		"1000:", ":1000", "1000:100:1", "1000 ", " 1000", "1000x",
		"+1000", "1000\n\n", "1000:-5", "0x10", "1000,100", "\n\n", ":",
		"1000:4294967295", "1000\n:100",
	};
	static const struct {
		const char *in;
		u32 uid;
		s64 gid;	/* -1: none */
	} good[] = {
		{ "1000", 1000, -1 }, { "1000\n", 1000, -1 }, { "0", 0, -1 },
		{ "1000:100", 1000, 100 }, { "1000:100\n", 1000, 100 },
		{ "4294967294:0", 4294967294U, 0 },
	};
	kuid_t uid;
	kgid_t gid;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(junk); i++) {
		KUNIT_EXPECT_EQ_MSG(test, isolation_parse_owner(junk[i], strlen(junk[i]),
								&init_user_ns, &uid, &gid),
				    -EINVAL, "junk %u", i);
		KUNIT_EXPECT_FALSE(test, uid_valid(uid));
		KUNIT_EXPECT_FALSE(test, gid_valid(gid));
	}
	for (i = 0; i < ARRAY_SIZE(good); i++) {
		KUNIT_EXPECT_EQ_MSG(test, isolation_parse_owner(good[i].in,
								strlen(good[i].in),
								&init_user_ns, &uid, &gid),
				    0, "good %u", i);
		KUNIT_EXPECT_EQ(test, __kuid_val(uid), good[i].uid);
		if (good[i].gid < 0)
			KUNIT_EXPECT_FALSE(test, gid_valid(gid));
		else
			KUNIT_EXPECT_EQ(test, __kgid_val(gid), (u32)good[i].gid);
	}
	/*
	 * Ids are the writer's namespace's; one that does not map is junk
	 * (without user namespaces every id is the initial namespace's).
	 */
	if (IS_ENABLED(CONFIG_USER_NS)) {
		KUNIT_EXPECT_EQ(test, isolation_parse_owner("1000:100", 8,
							    &im_userns, &uid,
							    &gid), 0);
		KUNIT_EXPECT_EQ(test, from_kuid(&init_user_ns, uid), 101000);
		KUNIT_EXPECT_EQ(test, from_kgid(&init_user_ns, gid), 100100);
		KUNIT_EXPECT_EQ(test, isolation_parse_owner("70000", 5,
							    &im_userns, &uid,
							    &gid), -EINVAL);
		KUNIT_EXPECT_FALSE(test, uid_valid(uid));
		KUNIT_EXPECT_EQ(test, isolation_parse_owner("1000:70000", 10,
							    &im_userns, &uid,
							    &gid), -EINVAL);
		KUNIT_EXPECT_FALSE(test, uid_valid(uid));
		KUNIT_EXPECT_FALSE(test, gid_valid(gid));
	}
	/* Nothing, or a newline: no owner. */
	KUNIT_EXPECT_EQ(test, isolation_parse_owner("\n", 1, &init_user_ns,
						    &uid, &gid), 0);
	KUNIT_EXPECT_FALSE(test, uid_valid(uid));
	KUNIT_EXPECT_EQ(test, isolation_parse_owner("", 0, &init_user_ns,
						    &uid, &gid), 0);
	KUNIT_EXPECT_FALSE(test, uid_valid(uid));
}

/* Credentials of an unprivileged user @uid, in group @gid and @extra. */
static struct cred *im_user_cred(struct kunit *test, u32 uid, u32 gid,
				 int extra)
{
	struct cred *c = prepare_creds();
	struct group_info *gi;

	KUNIT_ASSERT_NOT_NULL(test, c);
	c->uid = KUIDT_INIT(uid);
	c->euid = c->uid;
	c->suid = c->uid;
	c->fsuid = c->uid;
	c->gid = KGIDT_INIT(gid);
	c->egid = c->gid;
	c->sgid = c->gid;
	c->fsgid = c->gid;
	cap_clear(c->cap_effective);
	cap_clear(c->cap_permitted);
	cap_clear(c->cap_inheritable);
	cap_clear(c->cap_ambient);
	gi = groups_alloc(extra >= 0 ? 1 : 0);
	KUNIT_ASSERT_NOT_NULL(test, gi);
	if (extra >= 0)
		gi->gid[0] = KGIDT_INIT(extra);
	set_groups(c, gi);
	put_group_info(gi);
	return c;
}

/* Open and write a file of group @group as @cred: the error or the count. */
static ssize_t im_attr_write_as(const struct cred *cred,
				struct isolation_group *group,
				const char *attr, const char *val)
{
	const struct cred *old = override_creds(cred);
	ssize_t ret = im_attr_write(group, attr, val, strlen(val));

	revert_creds(old);
	return ret;
}

static void im_expect_file_owner(struct kunit *test,
				 struct isolation_group *group,
				 const char *attr, u32 uid, u32 gid,
				 umode_t mode)
{
	struct inode *inode;
	struct file *f;
	char path[64];

	snprintf(path, sizeof(path), "isolation/%d/%s",
		 isolation_group_id(group), attr);
	f = file_open_root_mnt(im_sysfs, path, O_RDONLY, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(f));
	inode = file_inode(f);
	KUNIT_EXPECT_EQ(test, __kuid_val(inode->i_uid), uid);
	KUNIT_EXPECT_EQ(test, __kgid_val(inode->i_gid), gid);
	KUNIT_EXPECT_EQ(test, inode->i_mode & 0777, mode);
	fput(f);
}

static void im_owner_sysfs_test(struct kunit *test)
{
	static const char * const junk[] = {
		"-1", "1000:", ":1000", "abc", "1000 100", "4294967295\n",
	};
	struct isolation_group *group = im_group(test);
	unsigned int i;

	im_expect_attr(test, group, "owner", "\n");
	im_expect_file_owner(test, group, "manager", 0, 0, 0644);
	KUNIT_EXPECT_EQ(test, im_attr_write(group, "owner", "1000:100\n", 9), 9);
	im_expect_attr(test, group, "owner", "1000:100\n");
	im_expect_file_owner(test, group, "manager", 1000, 100, 0664);
	for (i = 0; i < ARRAY_SIZE(junk); i++) {
		KUNIT_EXPECT_EQ_MSG(test, im_attr_write(group, "owner", junk[i],
							strlen(junk[i])),
				    -EINVAL, "junk %u", i);
		im_expect_attr(test, group, "owner", "1000:100\n");
	}
	KUNIT_EXPECT_EQ(test, im_attr_write(group, "owner", "1000", 4), 4);
	im_expect_attr(test, group, "owner", "1000\n");
	im_expect_file_owner(test, group, "manager", 1000, 0, 0644);
	KUNIT_EXPECT_EQ(test, im_attr_write(group, "owner", "\n", 1), 1);
	im_expect_attr(test, group, "owner", "\n");
	im_expect_file_owner(test, group, "manager", 0, 0, 0644);
	/* owner itself stays root's. */
	im_expect_file_owner(test, group, "owner", 0, 0, 0644);
}

static void im_owner_may_manage_test(struct kunit *test)
{
	const struct isolation_manager *mgr = im_manager(test);
	struct isolation_group *group = im_group(test);
	struct isolation_group *other = im_group(test);
	struct cred *owner = im_user_cred(test, 1000, 1000, -1);
	struct cred *member = im_user_cred(test, 1001, 1001, 100);
	struct cred *stranger = im_user_cred(test, 1002, 1002, -1);
	const struct cred *old;
	char name[40], path[64];
	struct file *f;
	loff_t pos = 0;

	im_ctx(test)->group = group;
	im_dev(test);
	snprintf(name, sizeof(name), "%s\n", mgr->name);
	KUNIT_EXPECT_TRUE(test, isolation_cred_may_manage(current_cred(), group));
	KUNIT_EXPECT_FALSE(test, isolation_cred_may_manage(owner, group));
	/* Without an owner, nobody but root opens manager for writing. */
	KUNIT_EXPECT_EQ(test, im_attr_write_as(owner, group, "manager", name),
			-EACCES);
	KUNIT_EXPECT_EQ(test, im_attr_write_as(owner, group, "owner", "1000"),
			-EACCES);

	KUNIT_ASSERT_EQ(test, im_attr_write(group, "owner", "1000:100", 8), 8);
	KUNIT_EXPECT_TRUE(test, isolation_cred_may_manage(owner, group));
	KUNIT_EXPECT_TRUE(test, isolation_cred_may_manage(member, group));
	KUNIT_EXPECT_FALSE(test, isolation_cred_may_manage(stranger, group));
	KUNIT_EXPECT_FALSE(test, isolation_cred_may_manage(owner, other));
	/* The owner hands the group over and gives it back, as root would. */
	KUNIT_EXPECT_EQ(test, im_attr_write_as(owner, group, "manager", name),
			(ssize_t)strlen(name));
	KUNIT_EXPECT_PTR_EQ(test, isolation_group_manager(group), mgr);
	KUNIT_EXPECT_EQ(test, im_attr_write_as(stranger, group, "manager", "\n"),
			-EACCES);
	KUNIT_EXPECT_PTR_EQ(test, isolation_group_manager(group), mgr);
	KUNIT_EXPECT_EQ(test, im_attr_write_as(member, group, "manager", "\n"), 1);
	KUNIT_EXPECT_NULL(test, isolation_group_manager(group));
	/* Nothing else: not another group, not the owner file. */
	KUNIT_EXPECT_EQ(test, im_attr_write_as(owner, other, "manager", name),
			-EACCES);
	KUNIT_EXPECT_EQ(test, im_attr_write_as(owner, group, "owner", "1000"),
			-EACCES);
	im_expect_attr(test, group, "owner", "1000:100\n");

	/*
	 * A file the owner opened is judged on its opener's credentials
	 * against the owner of the moment: cleared, the owner gets nothing.
	 */
	old = override_creds(owner);
	snprintf(path, sizeof(path), "isolation/%d/manager",
		 isolation_group_id(group));
	f = file_open_root_mnt(im_sysfs, path, O_WRONLY, 0);
	revert_creds(old);
	KUNIT_ASSERT_FALSE(test, IS_ERR(f));
	KUNIT_ASSERT_EQ(test, im_attr_write(group, "owner", "\n", 1), 1);
	KUNIT_EXPECT_FALSE(test, isolation_cred_may_manage(owner, group));
	KUNIT_EXPECT_EQ(test, kernel_write(f, name, strlen(name), &pos), -EACCES);
	KUNIT_EXPECT_NULL(test, isolation_group_manager(group));
	fput(f);
	put_cred(owner);
	put_cred(member);
	put_cred(stranger);
}

/* Reservation from boot */

static void im_reserve_parse_test(struct kunit *test)
{
	static const char * const junk[] = {
		"", "=vfio", "0000:01:00.0=", "0000:01:00.0", "na/me=vfio",
		"name=vf/io", "name=vf io", "name\n=vfio",
		"0123456789012345678901234567890123456789012345678901234567890123x=vfio",
		"name=0123456789012345678901234567890123456789012345678901234567890123x",
	};
	const char *name, *manager;
	size_t len;
	unsigned int i;

	KUNIT_EXPECT_EQ(test, isolation_reserve_parse("0000:01:00.0=vfio", &name,
						      &len, &manager), 0);
	KUNIT_EXPECT_EQ(test, len, 12);
	KUNIT_EXPECT_EQ(test, strncmp(name, "0000:01:00.0", len), 0);
	KUNIT_EXPECT_STREQ(test, manager, "vfio");
	/* The manager is what follows the last '='. */
	KUNIT_EXPECT_EQ(test, isolation_reserve_parse("a=b=c", &name, &len,
						      &manager), 0);
	KUNIT_EXPECT_EQ(test, len, 3);
	KUNIT_EXPECT_STREQ(test, manager, "c");
	KUNIT_EXPECT_EQ(test, isolation_reserve_parse(NULL, &name, &len,
						      &manager), -EINVAL);
	for (i = 0; i < ARRAY_SIZE(junk); i++)
		KUNIT_EXPECT_EQ_MSG(test, isolation_reserve_parse(junk[i], &name,
								  &len, &manager),
				    -EINVAL, "junk %u", i);
	/* A malformed value is refused, and reserves nothing. */
	KUNIT_EXPECT_EQ(test, isolation_reserve_add("im-reserve-junk="), -EINVAL);
	/* A name given twice: the first value holds, the second is refused. */
	KUNIT_EXPECT_EQ(test, isolation_reserve_add("im-reserve-dup=im-first"), 0);
	KUNIT_EXPECT_EQ(test, isolation_reserve_add("im-reserve-dup=im-second"),
			-EEXIST);
	mutex_lock(&isolation_mutex);
	KUNIT_EXPECT_STREQ(test, isolation_reservation("im-reserve-dup"),
			   "im-first");
	KUNIT_EXPECT_NULL(test, isolation_reservation("im-reserve-junk"));
	mutex_unlock(&isolation_mutex);
}

/*
 * A group reserved for a manager that registers later: no driver binds
 * before, the manager takes it when it registers, and a give back ends the
 * reservation (host drivers bind, and the name is reserved no more).
 */
static void im_reserve_group_test(struct kunit *test)
{
	static struct isolation_manager mgr = { .name = "im-res-mgr" };
	struct isolation_group *group;
	struct im_drv *host, *mdrv;
	struct device *dev, *late;

	KUNIT_ASSERT_EQ(test, isolation_reserve_add("im-res-group=im-res-mgr"), 0);
	host = im_driver(test, NULL);
	group = isolation_group_alloc(&im_ctx(test)->provider, "im-res-group");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, group);
	im_defer(test, im_group_put_action, group);
	im_expect_attr(test, group, "reserved", "im-res-mgr\n");
	im_ctx(test)->group = group;
	dev = im_dev(test);
	KUNIT_EXPECT_FALSE(test, im_bound_to(dev, host));
	mdrv = im_driver(test, &mgr);
	/* Not registered: even its own driver waits. */
	KUNIT_EXPECT_FALSE(test, im_bound_to(dev, mdrv));
	KUNIT_EXPECT_NULL(test, isolation_group_manager(group));

	KUNIT_ASSERT_EQ(test, isolation_manager_register(&mgr), 0);
	im_defer(test, im_manager_unregister_action, &mgr);
	flush_work(&group->reserve_work);
	KUNIT_EXPECT_PTR_EQ(test, isolation_group_manager(group), &mgr);
	KUNIT_EXPECT_TRUE(test, im_bound_to(dev, mdrv));
	KUNIT_EXPECT_TRUE(test, isolation_group_locked(group));

	/* A member added later goes to the manager too. */
	late = im_dev(test);
	flush_work(&group->reserve_work);
	KUNIT_EXPECT_TRUE(test, im_bound_to(late, mdrv));
	KUNIT_EXPECT_TRUE(test, isolation_group_locked(group));

	/* Given back like any group; then it is reserved no more. */
	KUNIT_EXPECT_EQ(test, im_attr_write(group, "manager", "\n", 1), 1);
	KUNIT_EXPECT_NULL(test, isolation_group_manager(group));
	KUNIT_EXPECT_TRUE(test, im_bound_to(dev, host));
	KUNIT_EXPECT_TRUE(test, im_bound_to(late, host));
	im_expect_attr(test, group, "reserved", "\n");
	KUNIT_EXPECT_TRUE(test, im_bound_to(im_dev(test), host));
}

/* Manager callbacks */

/* The driver the test manager tolerates, where, and what its callbacks saw. */
static const struct device_driver *im_inert_drv;
static struct device *im_inert_dev;
static struct device *im_take_only;	/* take_device takes only this one */
static int im_take_ret;			/* or fails with this */
static atomic_t im_takes = ATOMIC_INIT(0), im_returns = ATOMIC_INIT(0);
static bool im_busy_ret;
/* Optional: return_device signals its entry and waits for the test. */
static struct completion *im_return_entered, *im_return_release;

static bool im_tolerates(struct device *dev, const struct device_driver *drv)
{
	return drv == READ_ONCE(im_inert_drv) && dev == READ_ONCE(im_inert_dev);
}

static int im_take_device(struct device *dev)
{
	atomic_inc(&im_takes);
	if (im_take_ret)
		return im_take_ret;
	return dev == READ_ONCE(im_take_only);
}

static void im_return_device(struct device *dev)
{
	struct completion *entered = READ_ONCE(im_return_entered);
	struct completion *release = READ_ONCE(im_return_release);

	if (entered)
		complete(entered);
	if (release)
		wait_for_completion(release);
	atomic_inc(&im_returns);
}

static bool im_busy(struct device *dev)
{
	return READ_ONCE(im_busy_ret);
}

/* A manager with every callback, and a clean record of their calls. */
static struct isolation_manager *im_manager_cb(struct kunit *test)
{
	struct isolation_manager *mgr = im_manager(test);

	/* Not used before the test binds its drivers. */
	mgr->tolerates = im_tolerates;
	mgr->take_device = im_take_device;
	mgr->return_device = im_return_device;
	mgr->busy = im_busy;
	im_inert_drv = NULL;
	im_inert_dev = NULL;
	im_take_only = NULL;
	im_take_ret = 0;
	im_busy_ret = false;
	WRITE_ONCE(im_return_entered, NULL);
	WRITE_ONCE(im_return_release, NULL);
	atomic_set(&im_takes, 0);
	atomic_set(&im_returns, 0);
	return mgr;
}

/* A group of @n new devices on a host driver, and a driver of @mgr. */
static struct isolation_group *im_host_bound_group(struct kunit *test,
						   struct isolation_manager *mgr,
						   struct device **devs, int n,
						   struct im_drv **host,
						   struct im_drv **mdrv)
{
	struct isolation_group *group = im_group(test);
	int i;

	im_ctx(test)->group = group;
	for (i = 0; i < n; i++)
		devs[i] = im_dev(test);
	*host = im_driver(test, NULL);
	*mdrv = im_driver(test, mgr);
	return group;
}

/*
 * A driver the manager tolerates (VFIO: pcieport) stays bound through a
 * handover and may bind in the locked group, which stays locked; another
 * host driver may not.
 */
static void im_tolerated_driver_test(struct kunit *test)
{
	struct isolation_manager *mgr = im_manager_cb(test);
	struct isolation_group *group = im_group(test);
	struct im_drv *inert, *host, *mdrv;
	struct device *port, *ep, *outsider;
	int removes;

	outsider = im_dev(test);		/* in no group */
	im_ctx(test)->group = group;
	port = im_dev(test);
	ep = im_dev(test);
	inert = im_driver(test, NULL);		/* binds all three */
	host = im_driver(test, NULL);
	mdrv = im_driver(test, mgr);
	/* Like pcieport, it would bind the port only. */
	im_inert_drv = &inert->drv;
	im_inert_dev = port;
	device_release_driver(ep);
	KUNIT_ASSERT_EQ(test, device_driver_attach(&host->drv, ep), 0);

	removes = atomic_read(&inert->removes);	/* ep's */
	KUNIT_ASSERT_EQ(test, isolation_group_handover(group, mgr), 0);
	KUNIT_EXPECT_TRUE(test, im_bound_to(port, inert));
	KUNIT_EXPECT_EQ(test, atomic_read(&inert->removes), removes);
	KUNIT_EXPECT_TRUE(test, im_bound_to(ep, mdrv));
	KUNIT_EXPECT_TRUE(test, isolation_group_locked(group));
	KUNIT_EXPECT_EQ(test, isolation_device_locked_by(ep, mgr), 1);
	KUNIT_EXPECT_EQ(test, isolation_device_locked_by(outsider, mgr), -ENODEV);
	KUNIT_EXPECT_EQ(test, isolation_group_verify(group), 0);

	/* The tolerated driver may leave and bind again; the lock holds. */
	device_release_driver(port);
	KUNIT_EXPECT_EQ(test, device_driver_attach(&inert->drv, port), 0);
	KUNIT_EXPECT_TRUE(test, isolation_group_locked(group));
	device_release_driver(port);
	KUNIT_EXPECT_NE(test, device_driver_attach(&host->drv, port), 0);
	KUNIT_EXPECT_NULL(test, READ_ONCE(port->driver));
	KUNIT_EXPECT_EQ(test, isolation_group_verify(group), 0);

	/* Another manager's group is no group of this one. */
	KUNIT_EXPECT_EQ(test, isolation_device_locked_by(ep, im_manager(test)), 0);
}

/*
 * A handover asks the manager to take each device left without a driver;
 * giving the group back through sysfs unbinds the manager's drivers, has
 * it undo what it did, and brings the host drivers back.
 */
static void im_take_and_give_back_test(struct kunit *test)
{
	struct isolation_manager *mgr = im_manager_cb(test);
	struct im_drv *host, *mdrv;
	struct isolation_group *group;
	struct device *devs[3];
	int i;

	group = im_host_bound_group(test, mgr, devs, 3, &host, &mdrv);
	im_take_only = devs[1];

	KUNIT_ASSERT_EQ(test, isolation_group_handover(group, mgr), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&im_takes), 3);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_TRUE(test, im_bound_to(devs[i], mdrv));

	/* While a user holds the group: -EBUSY, and nothing changes. */
	im_busy_ret = true;
	KUNIT_EXPECT_EQ(test, im_attr_write(group, "manager", "\n", 1), -EBUSY);
	KUNIT_EXPECT_PTR_EQ(test, isolation_group_manager(group), mgr);
	KUNIT_EXPECT_TRUE(test, isolation_group_locked(group));
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_TRUE(test, im_bound_to(devs[i], mdrv));
	KUNIT_EXPECT_EQ(test, atomic_read(&im_returns), 0);

	im_busy_ret = false;
	KUNIT_EXPECT_EQ(test, im_attr_write(group, "manager", "\n", 1), 1);
	KUNIT_EXPECT_NULL(test, isolation_group_manager(group));
	KUNIT_EXPECT_EQ(test, atomic_read(&mdrv->removes), 3);
	/* Only the device it took is returned, once. */
	KUNIT_EXPECT_EQ(test, atomic_read(&im_returns), 1);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_TRUE(test, im_bound_to(devs[i], host));
}

/* A manager that cannot take a device fails the handover: nothing changes. */
static void im_take_fails_test(struct kunit *test)
{
	struct isolation_manager *mgr = im_manager_cb(test);
	struct im_drv *host, *mdrv;
	struct isolation_group *group;
	struct device *devs[2];
	int i;

	group = im_host_bound_group(test, mgr, devs, 2, &host, &mdrv);
	im_take_ret = -ENOSPC;

	KUNIT_EXPECT_EQ(test, isolation_group_handover(group, mgr), -ENOSPC);
	KUNIT_EXPECT_NULL(test, isolation_group_manager(group));
	for (i = 0; i < 2; i++)
		KUNIT_EXPECT_TRUE(test, im_bound_to(devs[i], host));
	KUNIT_EXPECT_EQ(test, atomic_read(&mdrv->probes), 0);
	KUNIT_EXPECT_EQ(test, isolation_group_verify(group), 0);
}

/* Wait up to a second for @dev to be bound to @d. */
static bool im_wait_bound(struct device *dev, struct im_drv *d)
{
	int i;

	for (i = 0; i < 50 && !im_bound_to(dev, d); i++)
		msleep(20);
	return im_bound_to(dev, d);
}

/*
 * driver_override flow (libvirt, driverctl): a manager's driver bound the
 * ordinary way uses the group.  Using refuses nobody: a sibling's host
 * driver binds, and the group is then not locked.  The use ends, at once,
 * when the manager's last driver leaves; the devices stay as the
 * administrator left them.  A handover makes the take explicit.
 */
static void im_use_test(struct kunit *test)
{
	struct isolation_manager *mgr = im_manager_cb(test);
	struct isolation_group *group;
	struct im_drv *host, *mdrv;
	struct device *d[2];

	group = im_host_bound_group(test, mgr, d, 2, &host, &mdrv);
	KUNIT_ASSERT_TRUE(test, im_bound_to(d[0], host) && im_bound_to(d[1], host));

	device_release_driver(d[0]);
	KUNIT_ASSERT_EQ(test, device_driver_attach(&mdrv->drv, d[0]), 0);
	KUNIT_EXPECT_PTR_EQ(test, isolation_group_manager(group), mgr);
	KUNIT_EXPECT_FALSE(test, isolation_group_locked(group));	/* d[1] */
	device_release_driver(d[1]);
	KUNIT_EXPECT_TRUE(test, isolation_group_locked(group));
	/* The late sibling: its host driver binds, the group unlocks. */
	KUNIT_EXPECT_EQ(test, device_attach(d[1]), 1);
	KUNIT_EXPECT_TRUE(test, im_bound_to(d[1], host));
	KUNIT_EXPECT_FALSE(test, isolation_group_locked(group));
	KUNIT_EXPECT_EQ(test, isolation_group_verify(group), 0);

	/* The last manager driver leaves: the use ends before this returns. */
	device_release_driver(d[0]);
	KUNIT_EXPECT_NULL(test, isolation_group_manager(group));
	KUNIT_EXPECT_NULL(test, READ_ONCE(d[0]->driver));
	KUNIT_EXPECT_EQ(test, isolation_group_verify(group), 0);

	/* Used again, then handed over: it stays when the driver leaves. */
	KUNIT_ASSERT_EQ(test, device_driver_attach(&mdrv->drv, d[0]), 0);
	KUNIT_ASSERT_PTR_EQ(test, isolation_group_manager(group), mgr);
	KUNIT_ASSERT_EQ(test, isolation_group_handover(group, mgr), 0);
	KUNIT_EXPECT_TRUE(test, im_bound_to(d[1], mdrv));
	device_release_driver(d[0]);
	device_release_driver(d[1]);
	KUNIT_EXPECT_PTR_EQ(test, isolation_group_manager(group), mgr);
	KUNIT_EXPECT_TRUE(test, isolation_group_locked(group));
	KUNIT_EXPECT_NE(test, device_driver_attach(&host->drv, d[0]), 0);
	KUNIT_EXPECT_EQ(test, isolation_group_verify(group), 0);
}

/*
 * libvirt's and driverctl's reattach go device by device: unbind the
 * manager's driver, bind the host driver.  In every order, every device
 * ends on its host driver and the group without a manager.
 */
static void im_reattach_orders_test(struct kunit *test)
{
	static const int orders[][3] = {
		{ 0, 1, 2 }, { 2, 1, 0 }, { 1, 0, 2 }, { 1, 2, 0 },
	};
	struct isolation_manager *mgr = im_manager_cb(test);
	struct isolation_group *group;
	struct im_drv *host, *mdrv;
	struct device *d[3];
	int o, i, n;

	group = im_host_bound_group(test, mgr, d, 3, &host, &mdrv);
	for (o = 0; o < ARRAY_SIZE(orders); o++) {
		/* Two- and three-device groups: the third stays host-bound. */
		n = o % 2 ? 2 : 3;
		for (i = 0; i < n; i++) {
			device_release_driver(d[i]);
			KUNIT_ASSERT_EQ(test, device_driver_attach(&mdrv->drv, d[i]), 0);
		}
		KUNIT_EXPECT_PTR_EQ(test, isolation_group_manager(group), mgr);
		KUNIT_EXPECT_EQ(test, isolation_group_locked(group), n == 3);
		for (i = 0; i < 3; i++) {
			int k = orders[o][i];

			if (k >= n)
				continue;
			device_release_driver(d[k]);
			KUNIT_EXPECT_EQ_MSG(test, device_driver_attach(&host->drv, d[k]), 0,
					    "order %d, device %d", o, k);
		}
		for (i = 0; i < 3; i++)
			KUNIT_EXPECT_TRUE_MSG(test, im_bound_to(d[i], host),
					      "order %d, device %d", o, i);
		KUNIT_EXPECT_NULL(test, isolation_group_manager(group));
		KUNIT_EXPECT_FALSE(test, isolation_group_locked(group));
		KUNIT_EXPECT_EQ(test, isolation_group_verify(group), 0);
	}
}

/*
 * A user holds a used group: host drivers are refused from the check on,
 * and the device refused meanwhile gets its driver when the hold ends.  A
 * group that is not locked cannot be held; one that is held cannot be
 * given back.
 */
static void im_hold_test(struct kunit *test)
{
	struct isolation_manager *mgr = im_manager_cb(test);
	struct isolation_group *group, *held;
	struct im_drv *host, *mdrv;
	struct device *d[3];

	group = im_host_bound_group(test, mgr, d, 3, &host, &mdrv);
	device_release_driver(d[0]);
	KUNIT_ASSERT_EQ(test, device_driver_attach(&mdrv->drv, d[0]), 0);
	/* d[1] and d[2] have host drivers: not locked, no hold. */
	KUNIT_EXPECT_PTR_EQ(test, isolation_device_hold(d[0], mgr),
			    ERR_PTR(-EPERM));
	device_release_driver(d[1]);
	device_release_driver(d[2]);
	KUNIT_EXPECT_NULL(test, isolation_device_hold(im_dev_ungrouped(test), mgr));
	held = isolation_device_hold(d[0], mgr);
	KUNIT_ASSERT_PTR_EQ(test, held, group);
	mdrv->no_match = d[1];	/* only the host driver matches d[1] */

	KUNIT_EXPECT_EQ(test, device_attach(d[1]), 0);	/* refused at match */
	KUNIT_EXPECT_NE(test, device_driver_attach(&host->drv, d[2]), 0);
	KUNIT_EXPECT_NULL(test, READ_ONCE(d[1]->driver));
	KUNIT_EXPECT_TRUE(test, isolation_group_locked(group));
	KUNIT_EXPECT_EQ(test, isolation_group_clear_manager(group, mgr), -EBUSY);
	KUNIT_EXPECT_PTR_EQ(test, isolation_group_manager(group), mgr);

	/* The manager's driver leaves while held: the hold keeps the group. */
	device_release_driver(d[0]);
	KUNIT_EXPECT_PTR_EQ(test, isolation_group_manager(group), mgr);
	KUNIT_EXPECT_NE(test, device_driver_attach(&host->drv, d[0]), 0);

	isolation_group_unhold(held);
	KUNIT_EXPECT_NULL(test, isolation_group_manager(group));
	KUNIT_EXPECT_TRUE(test, im_wait_bound(d[1], host));
	KUNIT_EXPECT_TRUE(test, im_wait_bound(d[2], host));
	KUNIT_EXPECT_TRUE(test, im_wait_bound(d[0], host));
	KUNIT_EXPECT_EQ(test, isolation_group_verify(group), 0);
}

/*
 * A give back with a manager driver bound by the administrator's choice
 * (a leftover override) leaves that device without a driver instead of
 * letting the manager take the group again; the group stays unmanaged.
 */
static void im_give_back_leftover_test(struct kunit *test)
{
	struct isolation_manager *mgr = im_manager_cb(test);
	struct isolation_group *group;
	struct im_drv *host, *mdrv;
	struct device *d[2];

	group = im_host_bound_group(test, mgr, d, 2, &host, &mdrv);
	/* Only the manager's driver matches d[0] now, as an override does. */
	host->no_match = d[0];
	device_release_driver(d[0]);
	KUNIT_ASSERT_EQ(test, device_driver_attach(&mdrv->drv, d[0]), 0);
	KUNIT_ASSERT_EQ(test, isolation_group_handover(group, mgr), 0);
	KUNIT_EXPECT_TRUE(test, im_bound_to(d[1], mdrv));
	KUNIT_EXPECT_EQ(test, isolation_group_clear_manager(group, mgr), 0);
	KUNIT_EXPECT_NULL(test, isolation_group_manager(group));
	KUNIT_EXPECT_NULL(test, READ_ONCE(d[0]->driver));
	KUNIT_EXPECT_TRUE(test, im_bound_to(d[1], host));
	KUNIT_EXPECT_EQ(test, isolation_group_verify(group), 0);
}

struct im_del_ungrouped {
	struct device *dev;
	struct completion done;
};

static int im_del_ungrouped_thread(void *data)
{
	struct im_del_ungrouped *d = data;

	device_unregister(d->dev);
	complete(&d->done);
	return 0;
}

/*
 * device_del() of a device in no group takes no lock of the isolation
 * core: it completes while this test holds isolation_mutex (it used to
 * take that mutex for every device, and would wait here).
 */
static void im_del_ungrouped_no_mutex_test(struct kunit *test)
{
	struct im_del_ungrouped *d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);
	struct task_struct *t;
	bool finished;
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, d);
	init_completion(&d->done);
	d->dev = kzalloc(sizeof(*d->dev), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, d->dev);
	device_initialize(d->dev);
	d->dev->bus = &im_bus;
	d->dev->release = im_dev_release;
	ret = dev_set_name(d->dev, "imdev-%d", atomic_inc_return(&im_seq));
	if (!ret)
		ret = device_add(d->dev);	/* no test group: in none */
	if (ret)
		put_device(d->dev);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_ASSERT_NULL(test, READ_ONCE(d->dev->isolation_group));

	mutex_lock(&isolation_mutex);
	t = kthread_run(im_del_ungrouped_thread, d, "im-del");
	if (IS_ERR(t)) {
		mutex_unlock(&isolation_mutex);
		device_unregister(d->dev);
		KUNIT_FAIL(test, "kthread_run: %ld", PTR_ERR(t));
		return;
	}
	finished = wait_for_completion_timeout(&d->done, 5 * HZ);
	mutex_unlock(&isolation_mutex);
	if (!finished)
		wait_for_completion(&d->done);
	KUNIT_EXPECT_TRUE_MSG(test, finished,
			      "device_del() of an ungrouped device waited for isolation_mutex");
}

/*
 * device_bind_driver() failing (its sysfs link cannot be allocated): the
 * unbind hook runs with dev->driver cleared, so the group's record
 * agrees with the device before the caller cleans up.
 */
#ifdef CONFIG_FAULT_INJECTION
static void im_fault_setup(struct kunit *test);

static void im_fail_nth(int nth)
{
	WRITE_ONCE(current->fail_nth, nth);
}
#else
static void im_fail_nth(int nth)
{
}
#endif

static void im_bind_driver_failure_test(struct kunit *test)
{
	struct isolation_manager *mgr = im_manager(test);
	struct isolation_group *group = im_group(test);
	struct im_drv *mdrv;
	struct device *dev;
	int nth, ret = 0;

	im_ctx(test)->group = group;
	dev = im_dev(test);
	KUNIT_ASSERT_EQ(test, isolation_group_set_manager(group, mgr), 0);
	mdrv = im_driver(test, mgr);
	device_release_driver(dev);
#ifdef CONFIG_FAULT_INJECTION
	im_fault_setup(test);
#else
	kunit_skip(test, "needs CONFIG_FAULT_INJECTION");
#endif
	for (nth = 1; nth < 20; nth++) {
		device_lock(dev);
		dev->driver = &mdrv->drv;
		im_fail_nth(nth);
		ret = device_bind_driver(dev);
		im_fail_nth(0);
		if (ret)
			KUNIT_EXPECT_EQ_MSG(test, isolation_group_verify(group), 0,
					    "fault point %d", nth);
		if (ret)
			dev->driver = NULL;	/* as every caller does */
		device_unlock(dev);
		if (!ret)
			break;
		KUNIT_EXPECT_TRUE(test, isolation_group_locked(group));
	}
	KUNIT_EXPECT_GT(test, nth, 1);	/* at least one failure seen */
	if (!ret)
		device_release_driver(dev);
	KUNIT_EXPECT_EQ(test, isolation_group_verify(group), 0);
}

struct im_use_race {
	struct kunit *test;
	struct isolation_group *group;
	struct isolation_manager *mgr;
	struct im_drv *mdrv;
	struct device *dev;
	atomic_t *bad;
	struct completion done;
};

/* Bind and unbind the manager's driver; bound, the group must be its. */
static int im_use_race_thread(void *data)
{
	struct im_use_race *r = data;
	int i;

	for (i = 0; i < 2000; i++) {
		if (device_driver_attach(&r->mdrv->drv, r->dev))
			continue;
		device_lock(r->dev);
		if (r->dev->driver == &r->mdrv->drv &&
		    isolation_group_manager(r->group) != r->mgr)
			atomic_inc(r->bad);
		device_unlock(r->dev);
		device_release_driver(r->dev);
	}
	complete(&r->done);
	return 0;
}

/*
 * A use starting on one device while the previous use ends on another
 * (the check that the manager's last driver left and the drop of the
 * manager are one step): a bound manager driver always finds its group
 * used, and the last unbind always leaves the group without a manager.
 */
static void im_use_race_test(struct kunit *test)
{
	struct isolation_manager *mgr = im_manager(test);
	struct isolation_group *group = im_group(test);
	struct im_use_race r[2];
	struct task_struct *t;
	atomic_t bad = ATOMIC_INIT(0);
	struct im_drv *mdrv;
	int i;

	im_ctx(test)->group = group;
	for (i = 0; i < 2; i++)
		r[i].dev = im_dev(test);
	mdrv = im_driver(test, mgr);
	for (i = 0; i < 2; i++)
		device_release_driver(r[i].dev);
	KUNIT_ASSERT_NULL(test, isolation_group_manager(group));
	for (i = 0; i < 2; i++) {
		r[i].test = test;
		r[i].group = group;
		r[i].mgr = mgr;
		r[i].mdrv = mdrv;
		r[i].bad = &bad;
		init_completion(&r[i].done);
		t = kthread_run(im_use_race_thread, &r[i], "im-use-%d", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	}
	for (i = 0; i < 2; i++)
		wait_for_completion(&r[i].done);
	KUNIT_EXPECT_EQ(test, atomic_read(&bad), 0);
	KUNIT_EXPECT_NULL(test, isolation_group_manager(group));
	KUNIT_EXPECT_EQ(test, isolation_group_verify(group), 0);
}

/* Concurrency */

#define IM_RACE_DEVS	4
#define IM_RACE_BINDS	10000	/* the other threads run as long as these */

struct im_race {
	struct kunit *test;
	struct isolation_group *group;
	struct isolation_manager *mgr;
	struct device *devs[IM_RACE_DEVS];
	struct im_drv *host, *mdrv;
	atomic_t ops;
	atomic_t binds;
	atomic_t attached;
	bool binding;
	struct completion done[3];
};

/*
 * One random step of a binder thread: unbind @dev, bind one of the @n host
 * drivers straight through really_probe() (refused when bound, or in a
 * managed group), or let the bus match.  Returns true if a driver bound.
 */
static bool im_random_bind(struct device *dev, struct im_drv *const *hosts,
			   int n)
{
	u32 pick = get_random_u32_below(n + 2);

	if (!pick) {
		device_release_driver(dev);
		return false;
	}
	if (pick <= n)
		return !device_driver_attach(&hosts[pick - 1]->drv, dev);
	return device_attach(dev) > 0;
}

static int im_race_binder(void *data)
{
	struct im_race *r = data;
	struct device *dev;
	int i;

	for (i = 0; i < IM_RACE_BINDS; i++) {
		dev = r->devs[get_random_u32_below(IM_RACE_DEVS)];
		if (im_random_bind(dev, &r->host, 1))
			atomic_inc(&r->attached);
		atomic_inc(&r->ops);
		atomic_inc(&r->binds);
		/* UML has one CPU: let the others in every few steps. */
		if (!(i % 4))
			usleep_range(1, 5);
		else
			cond_resched();
	}
	WRITE_ONCE(r->binding, false);
	complete(&r->done[0]);
	return 0;
}

static int im_race_member(void *data)
{
	struct im_race *r = data;
	struct device *dev;

	int last = 0;

	/* Move a device in or out of the group every few binds. */
	while (READ_ONCE(r->binding)) {
		if (atomic_read(&r->binds) - last < 4) {
			usleep_range(1, 5);
			continue;
		}
		last = atomic_read(&r->binds);
		dev = r->devs[get_random_u32_below(IM_RACE_DEVS)];
		if (isolation_group_remove_device(dev) == -ENODEV)
			isolation_group_add_device(r->group, dev);
		atomic_inc(&r->ops);
	}
	complete(&r->done[1]);
	return 0;
}

static int im_race_manager(void *data)
{
	struct im_race *r = data;

	int last = 0;

	/* Set or clear the manager every few more binds. */
	while (READ_ONCE(r->binding)) {
		if (atomic_read(&r->binds) - last < 16) {
			usleep_range(1, 5);
			continue;
		}
		last = atomic_read(&r->binds);
		if (isolation_group_set_manager(r->group, r->mgr))
			isolation_group_clear_manager(r->group, r->mgr);
		atomic_inc(&r->ops);
	}
	complete(&r->done[2]);
	return 0;
}

/*
 * D3, the hooks' barrier: an add racing a bind or an unbind, started at
 * the same moment on two CPUs, 2000 times each way (50 on one CPU).  The
 * add stores the group, then reads dev->driver; the hooks store
 * dev->driver, then read the group.  Without a full barrier on both sides, both may read the old
 * value: a host driver bound into a locked group and never counted, or a
 * driver that left counted for ever, so that the group never locks.  After
 * each pair, with nothing running, the group must be locked exactly when
 * the device has no host driver, and its counters must agree with a
 * recount.  On one CPU (UML) it cannot fail; the SMP guest runs it too.
 */
#define IM_D3_ROUNDS	2000

struct im_d3 {
	struct isolation_group *group;
	struct device *dev;
	struct im_drv *host;
	atomic_t round;		/* the round the binder may start */
	atomic_t ready;		/* both sides at the start line */
	struct completion done;
	bool unbind;		/* this round: unbind instead of bind */
	int bind_ret;		/* what this round's bind returned */
	int rounds;
};

/* Wait until both sides are at the start line, then go at once. */
static void im_d3_start(struct im_d3 *d)
{
	atomic_inc(&d->ready);
	while (atomic_read(&d->ready) < 2)
		cond_resched();		/* one CPU: let the other side run */
}

static int im_d3_binder(void *data)
{
	struct im_d3 *d = data;
	int round;

	for (round = 1; round <= d->rounds; round++) {
		while (atomic_read_acquire(&d->round) < round)
			cond_resched();
		im_d3_start(d);
		/*
		 * The add takes longer to store the group than the bind takes
		 * to load it: start late by 0..255 us, so that the rounds
		 * sweep across the moment the two meet.
		 */
		udelay(round / 2 % 256);
		if (d->unbind)
			device_release_driver(d->dev);
		else
			d->bind_ret = device_driver_attach(&d->host->drv, d->dev);
		complete(&d->done);
	}
	return 0;
}

static void im_d3_race_test(struct kunit *test)
{
	struct im_d3 *d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);
	struct isolation_manager *mgr = im_manager(test);
	struct task_struct *t;
	int round, wrong = 0, refused = 0;
	bool host_bound;

	KUNIT_ASSERT_NOT_NULL(test, d);
	d->group = im_group(test);
	d->dev = im_dev(test);			/* in no group */
	d->host = im_driver(test, NULL);
	init_completion(&d->done);
	/* One CPU cannot reorder anything: a few rounds check the test. */
	d->rounds = 2 * (num_online_cpus() > 1 ? IM_D3_ROUNDS : 50);
	KUNIT_ASSERT_EQ(test, isolation_group_set_manager(d->group, mgr), 0);
	device_release_driver(d->dev);

	t = kthread_run(im_d3_binder, d, "im-d3");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	for (round = 1; round <= d->rounds; round++) {
		/* Odd rounds bind into the group, even ones unbind. */
		d->unbind = !(round & 1);
		if (d->unbind)
			KUNIT_EXPECT_EQ(test, device_driver_attach(&d->host->drv,
								   d->dev), 0);
		atomic_set(&d->ready, 0);
		atomic_set_release(&d->round, round);
		im_d3_start(d);
		KUNIT_EXPECT_EQ(test, isolation_group_add_device(d->group, d->dev), 0);
		wait_for_completion(&d->done);

		host_bound = im_bound_to(d->dev, d->host);
		if (!d->unbind && d->bind_ret == -EBUSY)
			refused++;
		if (isolation_group_locked(d->group) == host_bound ||
		    isolation_group_verify(d->group))
			wrong++;
		KUNIT_EXPECT_EQ(test, isolation_group_remove_device(d->dev), 0);
		device_release_driver(d->dev);
	}
	KUNIT_EXPECT_EQ(test, wrong, 0);
	/* Both outcomes of the bind seen: the rounds crossed the window. */
	if (num_online_cpus() > 1) {
		KUNIT_EXPECT_GT(test, refused, 0);
		KUNIT_EXPECT_LT(test, refused, d->rounds / 2);
	}
	kunit_info(test, "%d rounds on %u CPUs, %d binds refused, %d wrong\n",
		   d->rounds, num_online_cpus(), refused, wrong);
}

/*
 * D3 at the scale of the barrier: the pairing of im_d3_race_test with
 * nothing around it, so that the two sides meet within nanoseconds and a
 * store-buffering outcome has a chance.  One CPU runs
 * isolation_member_publish(), the step of the add that makes a member
 * visible and counts its device's driver; another, at the same moment, what
 * really_probe() and __device_release_driver() do: device_set_driver(), then
 * the hook.  After a spin barrier each side waits 0..IM_LITMUS_SKEW - 1
 * empty loops, drawn afresh each round, plus an offset that follows the
 * bind rounds' outcome (a refusal means the hook side came late), so that
 * the rounds stay centred on the moment the two sides meet.
 *
 * Odd rounds bind: while the host driver "probes" (between
 * isolation_probe_begin() and isolation_driver_bound()), the group must not
 * read locked, which isolation_device_breaks_lock() checks under the lock
 * the publication holds.  Even rounds unbind: afterwards the member must not
 * count the driver that left.  Without the full barriers both sides can
 * read the old value; with them one always sees the other.  The round's
 * result is checked by the publishing thread once both sides are done.
 * On the 4-vCPU guest, with barrier() for smp_mb() in the publication and
 * the hooks, 40000 rounds gave 703 wrong binds and 109 wrong unbinds; with
 * only one side's barrier removed, 46 and 121 wrong rounds.
 */
#define IM_LITMUS_ROUNDS	40000
#define IM_LITMUS_SKEW		32

struct im_litmus {
	struct isolation_group *group;
	struct isolation_member *member;
	struct device *dev;
	struct device_driver *host;
	int rounds;
	unsigned int skew[2];	/* this round's wait of each side */
	int centre;		/* > 0: the hook side waits longer */
	atomic_t round;		/* the round the hook side may start */
	atomic_t ready;		/* sides at the start line */
	atomic_t hooked;	/* the last round the hook side finished */
	bool breaks_lock;	/* this round: host probing in a locked group */
	bool refused;		/* this round: isolation_probe_begin() refused */
	int refused_rounds, admitted_rounds, wrong[2];	/* [bind] */
	struct completion done[2];
};

static void im_litmus_wait(struct im_litmus *l, atomic_t *v, int val)
{
	/* No cpu_relax(): under emulation it may cost microseconds. */
	while (atomic_read_acquire(v) < val)
		if (num_online_cpus() == 1)
			cond_resched();	/* one CPU: let the other side run */
}

/* Meet the other side, then wait this side's share of the skew. */
static void im_litmus_start(struct im_litmus *l, int side)
{
	unsigned int i;

	atomic_inc(&l->ready);
	im_litmus_wait(l, &l->ready, 2);
	for (i = l->skew[side]; i; i--)
		barrier();
}

static int im_litmus_hook_side(void *data)
{
	struct im_litmus *l = data;
	struct device *dev = l->dev;
	int round;

	for (round = 1; round <= l->rounds; round++) {
		im_litmus_wait(l, &l->round, round);
		device_lock(dev);
		im_litmus_start(l, 1);
		if (round & 1) {
			/* really_probe() */
			device_set_driver(dev, l->host);
			l->refused = isolation_probe_begin(dev, l->host);
			if (l->refused) {
				device_set_driver(dev, NULL);
				isolation_driver_unbound(dev);
			} else {
				/* The driver's probe would run now. */
				l->breaks_lock = isolation_device_breaks_lock(dev);
				isolation_driver_bound(dev);
			}
		} else {
			/* __device_release_driver() */
			device_set_driver(dev, NULL);
			isolation_driver_unbound(dev);
		}
		device_unlock(dev);
		atomic_set_release(&l->hooked, round);
	}
	complete(&l->done[1]);
	return 0;
}

static int im_litmus_publish_side(void *data)
{
	struct im_litmus *l = data;
	struct device *dev = l->dev;
	bool bind, bad;
	int round;

	for (round = 1; round <= l->rounds; round++) {
		/* Out of the group, with the driver this round starts from. */
		bind = round & 1;
		isolation_member_unpublish(l->member);
		device_lock(dev);
		device_set_driver(dev, bind ? NULL : l->host);
		device_unlock(dev);
		/* Keep the rounds centred on the moment the two sides meet. */
		l->skew[0] = get_random_u32_below(IM_LITMUS_SKEW) +
			     max(-l->centre, 0);
		l->skew[1] = get_random_u32_below(IM_LITMUS_SKEW) +
			     max(l->centre, 0);
		l->breaks_lock = false;
		atomic_set(&l->ready, 0);
		atomic_set_release(&l->round, round);

		im_litmus_start(l, 0);
		isolation_member_publish(l->member);
		im_litmus_wait(l, &l->hooked, round);

		/* Locked exactly when no host driver is left, and no stale count. */
		device_lock(dev);
		bad = l->breaks_lock || isolation_group_verify(l->group) ||
		      isolation_group_locked(l->group) == !!dev->driver;
		device_unlock(dev);
		l->wrong[bind] += bad;
		/* A refusal means the hook side came late: start it earlier. */
		if (bind && l->refused) {
			l->refused_rounds++;
			l->centre--;
		} else if (bind) {
			l->admitted_rounds++;
			l->centre++;
		}
	}
	complete(&l->done[0]);
	return 0;
}

static void im_d3_litmus_test(struct kunit *test)
{
	int (*fns[2])(void *) = { im_litmus_publish_side, im_litmus_hook_side };
	struct im_litmus *l = kunit_kzalloc(test, sizeof(*l), GFP_KERNEL);
	struct isolation_manager *mgr = im_manager(test);
	struct device_driver *host = kunit_kzalloc(test, sizeof(*host),
						   GFP_KERNEL);
	unsigned int cpu = cpumask_first(cpu_online_mask);
	struct task_struct *t[2];
	int i;

	KUNIT_ASSERT_NOT_NULL(test, l);
	KUNIT_ASSERT_NOT_NULL(test, host);
	host->name = "im-litmus-host";	/* never registered: nothing binds */
	host->bus = &im_bus;
	l->group = im_group(test);
	l->dev = im_dev(test);			/* no driver on the bus binds it */
	l->host = host;
	l->rounds = num_online_cpus() > 1 ? IM_LITMUS_ROUNDS : 100;
	KUNIT_ASSERT_EQ(test, isolation_group_set_manager(l->group, mgr), 0);
	KUNIT_ASSERT_EQ(test, isolation_group_add_device(l->group, l->dev), 0);
	l->member = l->dev->p->isolation_member;
	KUNIT_ASSERT_NOT_NULL(test, l->member);

	/* One thread per side, each on a CPU of its own where there are two. */
	for (i = 0; i < 2; i++) {
		init_completion(&l->done[i]);
		t[i] = kthread_create(fns[i], l, "im-litmus-%d", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(t[i]));
		kthread_bind(t[i], cpu);
		if (num_online_cpus() > 1)
			cpu = cpumask_next(cpu, cpu_online_mask);
	}
	for (i = 0; i < 2; i++)
		wake_up_process(t[i]);
	for (i = 0; i < 2; i++)
		wait_for_completion(&l->done[i]);

	/* Back to a device with no driver, a member as the add left it. */
	device_lock(l->dev);
	device_set_driver(l->dev, NULL);
	isolation_driver_unbound(l->dev);
	device_unlock(l->dev);
	KUNIT_EXPECT_EQ(test, isolation_group_verify(l->group), 0);
	KUNIT_EXPECT_EQ(test, isolation_group_remove_device(l->dev), 0);

	KUNIT_EXPECT_EQ(test, l->wrong[0] + l->wrong[1], 0);
	/* The binds fell on both sides of the meeting: the skew spans it. */
	if (num_online_cpus() > 1) {
		KUNIT_EXPECT_GT(test, l->refused_rounds, 0);
		KUNIT_EXPECT_GT(test, l->admitted_rounds, 0);
	}
	kunit_info(test, "%d rounds on %u CPUs: binds %d refused, %d admitted; wrong: %d binds, %d unbinds\n",
		   l->rounds, num_online_cpus(), l->refused_rounds,
		   l->admitted_rounds, l->wrong[1], l->wrong[0]);
}

static void im_concurrency_test(struct kunit *test)
{
	int (*fns[3])(void *) = { im_race_binder, im_race_member,
				  im_race_manager };
	struct im_race *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	struct task_struct *t;
	int i, started = 0;

	KUNIT_ASSERT_NOT_NULL(test, r);
	r->mgr = im_manager(test);
	r->group = im_group(test);
	im_ctx(test)->group = r->group;
	for (i = 0; i < IM_RACE_DEVS; i++)
		r->devs[i] = im_dev(test);
	r->host = im_driver(test, NULL);
	r->mdrv = im_driver(test, r->mgr);
	atomic_set(&r->ops, 0);
	atomic_set(&r->binds, 0);
	atomic_set(&r->attached, 0);
	atomic_set(&im_violations, 0);
	r->binding = true;

	for (i = 0; i < 3; i++)
		init_completion(&r->done[i]);
	for (i = 0; i < 3; i++) {
		t = kthread_run(fns[i], r, "im-race-%d", i);
		if (IS_ERR(t)) {
			/* Nothing to wait for; the others must stop too. */
			WRITE_ONCE(r->binding, false);
			complete(&r->done[i]);
		} else {
			started++;
		}
	}
	for (i = 0; i < 3; i++)
		wait_for_completion(&r->done[i]);
	KUNIT_ASSERT_EQ(test, started, 3);

	KUNIT_EXPECT_GE(test, atomic_read(&r->ops), 10000);
	KUNIT_EXPECT_EQ(test, atomic_read(&im_violations), 0);
	/* Both kinds of driver bound while the manager came and went. */
	KUNIT_EXPECT_GT(test, atomic_read(&r->host->probes), 0);
	KUNIT_EXPECT_GT(test, atomic_read(&r->mdrv->probes), 0);
	/* Settle and check the counters agree with the bindings. */
	isolation_group_clear_manager(r->group, r->mgr);
	for (i = 0; i < IM_RACE_DEVS; i++) {
		isolation_group_remove_device(r->devs[i]);
		KUNIT_EXPECT_EQ(test,
				isolation_group_add_device(r->group, r->devs[i]), 0);
		device_release_driver(r->devs[i]);
	}
	KUNIT_EXPECT_EQ(test, isolation_group_set_manager(r->group, r->mgr), 0);
	KUNIT_EXPECT_TRUE(test, isolation_group_locked(r->group));
	kunit_info(test, "%d operations (%d binds), %d host probes, %d manager probes\n",
		   atomic_read(&r->ops), atomic_read(&r->binds),
		   atomic_read(&r->host->probes), atomic_read(&r->mdrv->probes));
}

/*
 * Stress: five threads over one group, at least 10000 operations in all.
 * The binder binds and unbinds host drivers (one probing asynchronously)
 * and the manager's; the member thread moves devices in and out of the
 * group; the manager thread sets and clears the manager and hands the
 * group over; the hot-plug thread replaces devices (device_del() of the
 * old one, a new one with a device link to a supplier); the checker holds
 * each device's lock and checks, on the live state, that a locked group
 * has no other driver bound or probing.  Host drivers check it in probe()
 * and remove() too.  At the end the counters must equal a recount, the
 * supplier must unbind (no link left "probing"), and every device created
 * must be released.
 */
#define IM_STRESS_SLOTS		8
#define IM_STRESS_OPS		10000
#define IM_STRESS_THREADS	5

static atomic_t im_stress_alive = ATOMIC_INIT(0);

struct im_stress {
	spinlock_t lock;		/* slots */
	struct device *slots[IM_STRESS_SLOTS];
	struct device *supplier;
	struct isolation_group *group;
	struct isolation_manager *mgr;
	struct im_drv *host, *async_host, *mdrv;
	atomic_t ops, kind[IM_STRESS_THREADS], broken, created, bound;
	struct completion done[IM_STRESS_THREADS];
};

static void im_stress_release(struct device *dev)
{
	atomic_dec(&im_stress_alive);
	kfree(dev);
}

/* A new device on the bus; the bus notifier puts it in the group. */
static struct device *im_stress_dev(struct im_stress *st)
{
	struct device *dev = kzalloc(sizeof(*dev), GFP_KERNEL);

	if (!dev)
		return NULL;
	device_initialize(dev);
	dev->bus = &im_bus;
	dev->release = im_stress_release;
	atomic_inc(&im_stress_alive);
	if (dev_set_name(dev, "imst-%d", atomic_inc_return(&im_seq)) ||
	    device_add(dev)) {
		put_device(dev);
		return NULL;
	}
	atomic_inc(&st->created);
	if (!device_link_add(dev, st->supplier, 0))
		dev_warn(dev, "no link to the supplier\n");
	return dev;
}

/* A device of a random slot, with a reference. */
static struct device *im_stress_pick(struct im_stress *st)
{
	struct device *dev;

	spin_lock(&st->lock);
	dev = get_device(st->slots[get_random_u32_below(IM_STRESS_SLOTS)]);
	spin_unlock(&st->lock);
	return dev;
}

static bool im_stress_more(struct im_stress *st, int kind, int i)
{
	atomic_inc(&st->ops);
	atomic_inc(&st->kind[kind]);
	/* One CPU on UML: let the others in now and then. */
	if (!(i % 8))
		usleep_range(1, 5);
	else
		cond_resched();
	return atomic_read(&st->ops) < IM_STRESS_OPS;
}

static int im_stress_binder(void *data)
{
	struct im_stress *st = data;
	struct im_drv *hosts[] = { st->host, st->async_host };
	struct device *dev;
	int i = 0;

	do {
		dev = im_stress_pick(st);
		if (im_random_bind(dev, hosts, ARRAY_SIZE(hosts)))
			atomic_inc(&st->bound);
		put_device(dev);
	} while (im_stress_more(st, 0, ++i));
	complete(&st->done[0]);
	return 0;
}

static int im_stress_member(void *data)
{
	struct im_stress *st = data;
	struct device *dev;
	int i = 0;

	do {
		dev = im_stress_pick(st);
		if (isolation_group_remove_device(dev) == -ENODEV)
			isolation_group_add_device(st->group, dev);
		put_device(dev);
	} while (im_stress_more(st, 1, ++i));
	complete(&st->done[1]);
	return 0;
}

static int im_stress_manager(void *data)
{
	struct im_stress *st = data;
	int i = 0;

	do {
		if (!(i % 4))
			isolation_group_handover(st->group, st->mgr);
		else if (isolation_group_set_manager(st->group, st->mgr))
			isolation_group_clear_manager(st->group, st->mgr);
	} while (im_stress_more(st, 2, ++i));
	complete(&st->done[2]);
	return 0;
}

static int im_stress_hotplug(void *data)
{
	struct im_stress *st = data;
	struct device *dev, *old;
	int i = 0, slot;

	do {
		dev = im_stress_dev(st);
		if (!dev)
			continue;
		slot = get_random_u32_below(IM_STRESS_SLOTS);
		spin_lock(&st->lock);
		old = st->slots[slot];
		st->slots[slot] = dev;
		spin_unlock(&st->lock);
		device_unregister(old);
		/* Device creation is slow: do fewer of them. */
		usleep_range(50, 100);
	} while (im_stress_more(st, 3, ++i));
	complete(&st->done[3]);
	return 0;
}

static int im_stress_checker(void *data)
{
	struct im_stress *st = data;
	struct device *dev;
	int i = 0;

	do {
		dev = im_stress_pick(st);
		device_lock(dev);
		if (isolation_device_breaks_lock(dev))
			atomic_inc(&st->broken);
		device_unlock(dev);
		put_device(dev);
	} while (im_stress_more(st, 4, ++i));
	complete(&st->done[4]);
	return 0;
}

static void im_stress_test(struct kunit *test)
{
	int (*fns[IM_STRESS_THREADS])(void *) = {
		im_stress_binder, im_stress_member, im_stress_manager,
		im_stress_hotplug, im_stress_checker,
	};
	struct im_stress *st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);
	struct task_struct *t;
	int i, started = 0, waited;

	KUNIT_ASSERT_NOT_NULL(test, st);
	spin_lock_init(&st->lock);
	st->mgr = im_manager(test);
	st->group = im_group(test);
	st->host = im_driver(test, NULL);
	st->async_host = im_driver_prepare(test, NULL);
	st->async_host->drv.probe_type = PROBE_PREFER_ASYNCHRONOUS;
	im_driver_register(test, st->async_host);
	st->mdrv = im_driver(test, st->mgr);
	/* The supplier is in no group and keeps its host driver. */
	st->supplier = im_dev(test);
	KUNIT_ASSERT_TRUE(test, im_bound_to(st->supplier, st->host));
	im_ctx(test)->group = st->group;
	for (i = 0; i < IM_STRESS_SLOTS; i++) {
		st->slots[i] = im_stress_dev(st);
		KUNIT_ASSERT_NOT_NULL(test, st->slots[i]);
	}
	atomic_set(&im_violations, 0);

	for (i = 0; i < IM_STRESS_THREADS; i++)
		init_completion(&st->done[i]);
	for (i = 0; i < IM_STRESS_THREADS; i++) {
		t = kthread_run(fns[i], st, "im-stress-%d", i);
		if (IS_ERR(t)) {
			/* Make the others stop soon, then wait for them. */
			atomic_set(&st->ops, IM_STRESS_OPS);
			complete(&st->done[i]);
		} else {
			started++;
		}
	}
	for (i = 0; i < IM_STRESS_THREADS; i++)
		wait_for_completion(&st->done[i]);
	async_synchronize_full();
	KUNIT_ASSERT_EQ(test, started, IM_STRESS_THREADS);

	KUNIT_EXPECT_GE(test, atomic_read(&st->ops), IM_STRESS_OPS);
	KUNIT_EXPECT_EQ(test, atomic_read(&im_violations), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&st->broken), 0);
	KUNIT_EXPECT_EQ(test, isolation_group_verify(st->group), 0);
	kunit_info(test, "%d operations on %d CPUs: %d binds (%d bound), %d moves, %d manager changes, %d devices replaced, %d checks; %d host probes (%d async-capable), %d manager probes\n",
		   atomic_read(&st->ops), num_online_cpus(),
		   atomic_read(&st->kind[0]), atomic_read(&st->bound),
		   atomic_read(&st->kind[1]),
		   atomic_read(&st->kind[2]), atomic_read(&st->kind[3]),
		   atomic_read(&st->kind[4]), atomic_read(&st->host->probes),
		   atomic_read(&st->async_host->probes),
		   atomic_read(&st->mdrv->probes));

	/* No consumer link is left probing: the supplier can go. */
	device_release_driver(st->supplier);
	KUNIT_EXPECT_FALSE(test, im_bound_to(st->supplier, st->host));

	/* Settled: lock the group again, check, then remove everything. */
	isolation_group_clear_manager(st->group, st->mgr);
	KUNIT_EXPECT_EQ(test, isolation_group_handover(st->group, st->mgr), 0);
	KUNIT_EXPECT_TRUE(test, isolation_group_locked(st->group));
	KUNIT_EXPECT_EQ(test, isolation_group_verify(st->group), 0);
	for (i = 0; i < IM_STRESS_SLOTS; i++)
		device_unregister(st->slots[i]);
	KUNIT_EXPECT_EQ(test, im_members(st->group), 0);
	/* Every device created is released (kobject release may be delayed). */
	for (waited = 0; atomic_read(&im_stress_alive) && waited < 100; waited++)
		msleep(100);
	KUNIT_EXPECT_EQ(test, atomic_read(&im_stress_alive), 0);
}

/*
 * Fault sweeps.  Each call is run with its 1st, 2nd, ... fault point
 * failing, through current->fail_nth: failslab fails allocations (GFP_KERNEL
 * ones too: ignore-gfp-wait is turned off) and fail_isolation the one step
 * that fails without allocating.  The sweep ends with the first run that
 * does not reach the armed point.  After a failed run the state must be
 * the state before; a run whose fault was absorbed (a uevent not sent, a
 * manager driver that failed to probe) must have succeeded fully, and is
 * undone.  Leaks show as device references, members, links or group ids
 * that differ from the state before.
 */

#define IM_SWEEP_DEVS		3
#define IM_SWEEP_MAX_POINTS	500

struct im_state {
	const struct isolation_manager *mgr;
	bool locked;
	int members;
	struct {
		struct isolation_group *group;
		const struct device_driver *drv;
		bool group_link, member_link, reason;
		unsigned int refs;
	} dev[IM_SWEEP_DEVS];
};

struct im_sweep {
	struct kunit *test;
	const char *what;
	int nth;			/* the fault point armed in this run */
	int points, failed, absorbed, busy;
	/* the scene */
	struct isolation_group *group;
	struct isolation_manager *mgr;
	struct im_drv *host, *mdrv;
	struct device *devs[IM_SWEEP_DEVS];
	struct device *alias;
	struct isolation_provider *provider;
	const struct isolation_manager *new_mgr;
	struct isolation_group *allocated;
	int next_id;
	/* clear_manager: devices offered to a driver (BUS_NOTIFY_BIND_DRIVER) */
	struct notifier_block offer_nb;
	atomic_t offered[IM_SWEEP_DEVS];
	struct im_state before;
};

static __printf(1, 2) bool im_sysfs_exists(const char *fmt, ...)
{
	struct file *f;
	char path[128];
	va_list args;

	va_start(args, fmt);
	vsnprintf(path, sizeof(path), fmt, args);
	va_end(args);
	f = file_open_root_mnt(im_sysfs, path, O_RDONLY, 0);
	if (IS_ERR(f))
		return false;
	fput(f);
	return true;
}

static void im_state_read(struct im_sweep *s, struct im_state *st)
{
	int id = isolation_group_id(s->group);
	struct isolation_group *g;
	struct device *dev;
	int i;

	memset(st, 0, sizeof(*st));
	st->mgr = isolation_group_manager(s->group);
	st->locked = isolation_group_locked(s->group);
	st->members = im_members(s->group);
	for (i = 0; i < IM_SWEEP_DEVS && s->devs[i]; i++) {
		dev = s->devs[i];
		g = isolation_group_get(dev);
		st->dev[i].group = g;
		isolation_group_put(g);
		device_lock(dev);
		st->dev[i].drv = dev->driver;
		device_unlock(dev);
		st->dev[i].group_link =
			im_sysfs_exists("bus/%s/devices/%s/isolation_group",
					im_bus.name, dev_name(dev));
		st->dev[i].reason =
			im_sysfs_exists("bus/%s/devices/%s/isolation_reason",
					im_bus.name, dev_name(dev));
		st->dev[i].member_link =
			im_sysfs_exists("isolation/%d/devices/%s", id,
					dev_name(dev));
		st->dev[i].refs = kref_read(&dev->kobj.kref);
	}
}

static void im_expect_same(struct im_sweep *s, bool same, const char *what,
			   int i, const char *when)
{
	KUNIT_EXPECT_TRUE_MSG(s->test, same, "%s: %s of device %d, %s %d",
			      s->what, what, i, when, s->nth);
}

/* The state now must be the state before the call. */
static void im_expect_unchanged(struct im_sweep *s, const char *when)
{
	struct kunit *test = s->test;
	struct im_state now, *was = &s->before;
	int i;

	im_state_read(s, &now);
	KUNIT_EXPECT_PTR_EQ_MSG(test, now.mgr, was->mgr, "%s: manager, %s %d",
				s->what, when, s->nth);
	KUNIT_EXPECT_EQ_MSG(test, now.locked, was->locked, "%s: locked, %s %d",
			    s->what, when, s->nth);
	KUNIT_EXPECT_EQ_MSG(test, now.members, was->members,
			    "%s: members, %s %d", s->what, when, s->nth);
	for (i = 0; i < IM_SWEEP_DEVS && s->devs[i]; i++) {
		im_expect_same(s, now.dev[i].group == was->dev[i].group,
			       "group", i, when);
		im_expect_same(s, now.dev[i].drv == was->dev[i].drv,
			       "driver", i, when);
		im_expect_same(s, now.dev[i].group_link == was->dev[i].group_link,
			       "isolation_group link", i, when);
		im_expect_same(s, now.dev[i].member_link == was->dev[i].member_link,
			       "group's link", i, when);
		im_expect_same(s, now.dev[i].reason == was->dev[i].reason,
			       "reason attributes", i, when);
		im_expect_same(s, now.dev[i].refs == was->dev[i].refs,
			       "references", i, when);
	}
}

#ifdef CONFIG_FAULT_INJECTION
/*
 * The variable behind debugfs file @dir/@name.  debugfs files have no
 * read_iter or write_iter, so the kernel cannot write them as userspace
 * does; the tests set the value the file would set.
 */
static void *im_debugfs_var(struct kunit *test, const char *dir,
			    const char *name)
{
	struct dentry *d = debugfs_lookup(dir, NULL), *f;
	void *var;

	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR_OR_NULL(d), "no %s in debugfs", dir);
	f = debugfs_lookup(name, d);
	dput(d);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR_OR_NULL(f), "no %s/%s in debugfs",
			       dir, name);
	var = d_inode(f)->i_private;
	dput(f);
	return var;
}

struct im_fault_saved {
	bool *ignore_gfp_wait, old_ignore_gfp_wait;
	unsigned long *slab_verbose, old_slab_verbose;
	unsigned long *isolation_verbose, old_isolation_verbose;
};

static void im_fault_restore(void *data)
{
	struct im_fault_saved *saved = data;

	WRITE_ONCE(*saved->ignore_gfp_wait, saved->old_ignore_gfp_wait);
	WRITE_ONCE(*saved->slab_verbose, saved->old_slab_verbose);
	WRITE_ONCE(*saved->isolation_verbose, saved->old_isolation_verbose);
}

/*
 * Let failslab fail GFP_KERNEL allocations (ignore-gfp-wait = N), and keep
 * both attributes quiet (verbose = 0), until the test ends.
 */
static void im_fault_setup(struct kunit *test)
{
	struct im_fault_saved *saved;

	if (!IS_ENABLED(CONFIG_FAILSLAB) ||
	    !IS_ENABLED(CONFIG_FAULT_INJECTION_DEBUG_FS))
		kunit_skip(test, "needs CONFIG_FAILSLAB and CONFIG_FAULT_INJECTION_DEBUG_FS");
	saved = kunit_kzalloc(test, sizeof(*saved), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, saved);
	saved->ignore_gfp_wait = im_debugfs_var(test, "failslab", "ignore-gfp-wait");
	saved->slab_verbose = im_debugfs_var(test, "failslab", "verbose");
	saved->isolation_verbose = im_debugfs_var(test, "fail_isolation",
						  "verbose");
	saved->old_ignore_gfp_wait = READ_ONCE(*saved->ignore_gfp_wait);
	saved->old_slab_verbose = READ_ONCE(*saved->slab_verbose);
	saved->old_isolation_verbose = READ_ONCE(*saved->isolation_verbose);
	im_defer(test, im_fault_restore, saved);
	WRITE_ONCE(*saved->ignore_gfp_wait, false);
	WRITE_ONCE(*saved->slab_verbose, 0);
	WRITE_ONCE(*saved->isolation_verbose, 0);
}

static void im_sweep(struct im_sweep *s, int (*call)(struct im_sweep *s),
		     void (*check)(struct im_sweep *s, int ret))
{
	struct kunit *test = s->test;
	bool hit;
	int ret;

	im_fault_setup(test);
	im_state_read(s, &s->before);
	for (s->nth = 1; s->nth <= IM_SWEEP_MAX_POINTS; s->nth++) {
		WRITE_ONCE(current->fail_nth, s->nth);
		ret = call(s);
		hit = !READ_ONCE(current->fail_nth);
		WRITE_ONCE(current->fail_nth, 0);
		if (!hit) {
			/* No fault left: the call must simply work. */
			KUNIT_EXPECT_EQ_MSG(test, ret, 0, "%s without a fault",
					    s->what);
			check(s, ret);
			break;
		}
		if (ret) {
			s->failed++;
			KUNIT_EXPECT_TRUE_MSG(test, ret == -ENOMEM || ret == -EBUSY,
					      "%s: error %d at fault point %d",
					      s->what, ret, s->nth);
			if (ret == -EBUSY)
				s->busy++;
		} else {
			s->absorbed++;
		}
		check(s, ret);
	}
	s->points = s->nth - 1;
	KUNIT_EXPECT_LE_MSG(test, s->nth, IM_SWEEP_MAX_POINTS,
			    "%s: the fault points did not run out", s->what);
	kunit_info(test, "fault sweep: %s: %d fault points, %d failed the call, %d absorbed\n",
		   s->what, s->points, s->failed, s->absorbed);
}
#else
static void im_sweep(struct im_sweep *s, int (*call)(struct im_sweep *s),
		     void (*check)(struct im_sweep *s, int ret))
{
	kunit_skip(s->test, "needs CONFIG_FAULT_INJECTION and CONFIG_FAILSLAB");
}
#endif

static struct im_sweep *im_sweep_scene(struct kunit *test, const char *what,
				       int ndevs)
{
	struct im_sweep *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, s);
	s->test = test;
	s->what = what;
	s->group = im_group(test);
	s->mgr = im_manager(test);
	for (i = 0; i < ndevs; i++)
		s->devs[i] = im_dev(test);	/* in no group yet */
	return s;
}

/* Provider registration allocates nothing: a sweep of no fault points. */
static int im_sweep_provider_call(struct im_sweep *s)
{
	return isolation_provider_register(s->provider);
}

static void im_sweep_provider_check(struct im_sweep *s, int ret)
{
	if (!ret)
		isolation_provider_unregister(s->provider);
	/* Not registered: it cannot allocate a group. */
	KUNIT_EXPECT_EQ(s->test, PTR_ERR(isolation_group_alloc(s->provider, "x")),
			-EINVAL);
}

static void im_fault_provider_register_test(struct kunit *test)
{
	struct im_sweep *s = im_sweep_scene(test, "provider register", 0);
	struct isolation_provider *p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	p->name = "im-fault-provider";
	s->provider = p;
	im_sweep(s, im_sweep_provider_call, im_sweep_provider_check);
	KUNIT_EXPECT_EQ(test, s->points, 0);
}

/* Manager registration allocates the registry's entry: all or nothing. */
static int im_sweep_manager_call(struct im_sweep *s)
{
	return isolation_manager_register(s->new_mgr);
}

static void im_sweep_manager_check(struct im_sweep *s, int ret)
{
	const struct isolation_manager *m = isolation_manager_get(s->new_mgr->name);

	KUNIT_EXPECT_PTR_EQ_MSG(s->test, m, ret ? NULL : s->new_mgr,
				"manager register, fault point %d", s->nth);
	if (m)
		module_put(m->owner);
	if (!ret)
		isolation_manager_unregister(s->new_mgr);
}

static void im_fault_manager_register_test(struct kunit *test)
{
	struct im_sweep *s = im_sweep_scene(test, "manager register", 0);
	struct isolation_manager *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, m);
	m->name = "im-fault-manager";
	s->new_mgr = m;
	im_sweep(s, im_sweep_manager_call, im_sweep_manager_check);
	KUNIT_EXPECT_EQ(test, s->points, 1);
	KUNIT_EXPECT_EQ(test, s->failed, 1);
}

/* Group allocation: a failure leaves no directory, name or id behind. */
static int im_sweep_alloc_call(struct im_sweep *s)
{
	s->allocated = isolation_group_alloc(&im_ctx(s->test)->provider,
					     "im-fault");
	return PTR_ERR_OR_ZERO(s->allocated);
}

static void im_sweep_alloc_check(struct im_sweep *s, int ret)
{
	struct kunit *test = s->test;
	int next = s->next_id;

	if (ret) {
		KUNIT_EXPECT_FALSE_MSG(test, im_sysfs_exists("isolation/%d", next),
				       "group alloc: directory left, fault point %d",
				       s->nth);
		return;
	}
	/* Every id freed on failure: the new group has the next one. */
	KUNIT_EXPECT_EQ_MSG(test, isolation_group_id(s->allocated), next,
			    "group alloc, fault point %d", s->nth);
	KUNIT_EXPECT_TRUE(test, im_sysfs_exists("isolation/%d/locked", next));
	isolation_group_put(s->allocated);
	KUNIT_EXPECT_FALSE(test, im_sysfs_exists("isolation/%d", next));
}

static void im_fault_group_alloc_test(struct kunit *test)
{
	struct im_sweep *s = im_sweep_scene(test, "group alloc", 0);
	struct isolation_group *probe;

	/* The smallest free id, which the group must get in the end. */
	probe = isolation_group_alloc(&im_ctx(test)->provider, "im-fault-probe");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, probe);
	s->next_id = isolation_group_id(probe);
	isolation_group_put(probe);
	KUNIT_ASSERT_FALSE(test, im_sysfs_exists("isolation/%d", s->next_id));
	im_sweep(s, im_sweep_alloc_call, im_sweep_alloc_check);
	KUNIT_EXPECT_GT(test, s->failed, 0);
}

/* Adding a device, with or without a reason: all of it, or none of it. */
static int im_sweep_add_call(struct im_sweep *s)
{
	if (s->alias)
		return isolation_group_add_device_reason(s->group, s->devs[0],
							 ISOLATION_REASON_DMA_ALIAS,
							 s->alias);
	return isolation_group_add_device(s->group, s->devs[0]);
}

static void im_sweep_add_check(struct im_sweep *s, int ret)
{
	struct kunit *test = s->test;

	if (!ret) {
		KUNIT_EXPECT_PTR_EQ(test, isolation_group_get(s->devs[0]), s->group);
		isolation_group_put(s->group);
		KUNIT_EXPECT_TRUE(test, im_sysfs_exists("isolation/%d/devices/%s",
							isolation_group_id(s->group),
							dev_name(s->devs[0])));
		KUNIT_EXPECT_TRUE(test, im_sysfs_exists("bus/%s/devices/%s/isolation_reason",
							im_bus.name,
							dev_name(s->devs[0])));
		KUNIT_EXPECT_EQ(test, isolation_group_remove_device(s->devs[0]), 0);
	}
	im_expect_unchanged(s, ret ? "failed at fault point" : "undone after");
}

static void im_fault_add_device_test(struct kunit *test)
{
	struct im_sweep *s = im_sweep_scene(test, "add_device", 1);

	im_sweep(s, im_sweep_add_call, im_sweep_add_check);
	KUNIT_EXPECT_GT(test, s->failed, 0);
}

static void im_fault_add_device_reason_test(struct kunit *test)
{
	struct im_sweep *s = im_sweep_scene(test, "add_device_reason", 1);

	s->alias = im_dev(test);
	im_sweep(s, im_sweep_add_call, im_sweep_add_check);
	KUNIT_EXPECT_GT(test, s->failed, 0);
}

/* A group of IM_SWEEP_DEVS devices, each bound to the host driver. */
static struct im_sweep *im_sweep_bound_scene(struct kunit *test,
					     const char *what)
{
	struct im_sweep *s = im_sweep_scene(test, what, IM_SWEEP_DEVS);
	int i;

	for (i = 0; i < IM_SWEEP_DEVS; i++)
		KUNIT_ASSERT_EQ(test, isolation_group_add_device(s->group,
								 s->devs[i]), 0);
	s->host = im_driver(test, NULL);
	s->mdrv = im_driver(test, s->mgr);
	for (i = 0; i < IM_SWEEP_DEVS; i++)
		KUNIT_ASSERT_TRUE(test, im_bound_to(s->devs[i], s->host));
	return s;
}

static int im_sweep_set_manager_call(struct im_sweep *s)
{
	return isolation_group_set_manager(s->group, s->mgr);
}

static void im_sweep_set_manager_check(struct im_sweep *s, int ret)
{
	if (!ret) {
		KUNIT_EXPECT_PTR_EQ(s->test, isolation_group_manager(s->group),
				    s->mgr);
		KUNIT_EXPECT_EQ(s->test,
				isolation_group_clear_manager(s->group, s->mgr), 0);
	}
	im_expect_unchanged(s, ret ? "failed at fault point" : "undone after");
}

static void im_fault_set_manager_test(struct kunit *test)
{
	struct im_sweep *s = im_sweep_bound_scene(test, "set_manager");

	im_sweep(s, im_sweep_set_manager_call, im_sweep_set_manager_check);
}

/* Handover, through the API and through sysfs, and its rollback. */
static int im_sweep_handover_call(struct im_sweep *s)
{
	return isolation_group_handover(s->group, s->mgr);
}

static int im_sweep_manager_write_call(struct im_sweep *s)
{
	ssize_t n = im_attr_write(s->group, "manager", s->mgr->name,
				  strlen(s->mgr->name));

	return n < 0 ? n : 0;
}

static void im_sweep_handover_check(struct im_sweep *s, int ret)
{
	struct kunit *test = s->test;
	struct device *dev;
	int i;

	if (ret) {
		im_expect_unchanged(s, "failed at fault point");
		return;
	}
	/* Handed over: the manager's, locked, no host driver left. */
	KUNIT_EXPECT_PTR_EQ(test, isolation_group_manager(s->group), s->mgr);
	KUNIT_EXPECT_TRUE_MSG(test, isolation_group_locked(s->group),
			      "%s, fault point %d", s->what, s->nth);
	KUNIT_EXPECT_EQ(test, isolation_group_verify(s->group), 0);
	for (i = 0; i < IM_SWEEP_DEVS; i++)
		KUNIT_EXPECT_FALSE_MSG(test, im_bound_to(s->devs[i], s->host),
				       "%s, fault point %d", s->what, s->nth);
	/* Undo: give the group back, unbind the manager's drivers. */
	KUNIT_EXPECT_EQ(test, isolation_group_clear_manager(s->group, s->mgr), 0);
	for (i = 0; i < IM_SWEEP_DEVS; i++) {
		dev = s->devs[i];
		if (im_bound_to(dev, s->mdrv)) {
			device_release_driver(dev);
			KUNIT_EXPECT_EQ(test, device_attach(dev), 1);
		}
	}
	im_expect_unchanged(s, "undone after");
}

static void im_fault_handover_test(struct kunit *test)
{
	struct im_sweep *s = im_sweep_bound_scene(test, "handover");

	im_sweep(s, im_sweep_handover_call, im_sweep_handover_check);
	KUNIT_EXPECT_GT(test, s->failed, 0);
	/*
	 * Rolled back after a release failed (fail_isolation).  Not every
	 * release point is reached: the number of allocations before them
	 * varies (debug objects refilling their pool), so a run may skip one.
	 */
	KUNIT_EXPECT_GT(test, s->busy, 0);
}

/*
 * D6: giving a group back probes every device a host driver was refused
 * on, even when a fault hits the walk.
 * Each device must end with its host driver, or have been offered to it
 * (BUS_NOTIFY_BIND_DRIVER, sent before the probe can fail on a fault).
 */
static int im_offer_notify(struct notifier_block *nb, unsigned long action,
			   void *data)
{
	struct im_sweep *s = container_of(nb, struct im_sweep, offer_nb);
	int i;

	for (i = 0; action == BUS_NOTIFY_BIND_DRIVER && i < IM_SWEEP_DEVS; i++)
		if (s->devs[i] == data)
			atomic_inc(&s->offered[i]);
	return NOTIFY_DONE;
}

static void im_offers_unregister(void *nb)
{
	bus_unregister_notifier(&im_bus, nb);
}

static int im_sweep_clear_call(struct im_sweep *s)
{
	return isolation_group_clear_manager(s->group, s->mgr);
}

static void im_sweep_clear_check(struct im_sweep *s, int ret)
{
	struct kunit *test = s->test;
	int i;

	KUNIT_EXPECT_EQ(test, ret, 0);
	for (i = 0; i < IM_SWEEP_DEVS; i++) {
		KUNIT_EXPECT_TRUE_MSG(test, im_bound_to(s->devs[i], s->host) ||
				      atomic_read(&s->offered[i]),
				      "device %d never probed, fault point %d",
				      i, s->nth);
		atomic_set(&s->offered[i], 0);
	}
	/* Back to the start: handed over, every host driver refused. */
	KUNIT_EXPECT_EQ(test, isolation_group_set_manager(s->group, s->mgr), 0);
	for (i = 0; i < IM_SWEEP_DEVS; i++) {
		device_release_driver(s->devs[i]);
		KUNIT_EXPECT_EQ(test, device_attach(s->devs[i]), 0);
	}
	im_expect_unchanged(s, "restored after");
}

static void im_fault_clear_reprobe_test(struct kunit *test)
{
	struct im_sweep *s = im_sweep_bound_scene(test, "clear_manager");
	int i;

	/* No manager driver: the host driver is the only one to return. */
	kunit_release_action(test, im_driver_unregister_action, s->mdrv);
	KUNIT_ASSERT_EQ(test, isolation_group_set_manager(s->group, s->mgr), 0);
	/* Each host driver, refused once unbound, is owed its device. */
	for (i = 0; i < IM_SWEEP_DEVS; i++) {
		device_release_driver(s->devs[i]);
		KUNIT_ASSERT_EQ(test, device_attach(s->devs[i]), 0);
	}
	s->offer_nb.notifier_call = im_offer_notify;
	KUNIT_ASSERT_EQ(test, bus_register_notifier(&im_bus, &s->offer_nb), 0);
	im_defer(test, im_offers_unregister, &s->offer_nb);
	im_sweep(s, im_sweep_clear_call, im_sweep_clear_check);
	KUNIT_EXPECT_GT(test, s->points, 0);
}

static void im_fault_manager_write_test(struct kunit *test)
{
	struct im_sweep *s = im_sweep_bound_scene(test, "sysfs manager write");

	im_sweep(s, im_sweep_manager_write_call, im_sweep_handover_check);
	KUNIT_EXPECT_GT(test, s->failed, 0);
	KUNIT_EXPECT_GT(test, s->busy, 0);
}

/*
 * Races with a call stopped in the middle.  The call stops at a gate (a
 * driver's probe or the manager's return_device waiting for the test);
 * other calls run in kthreads of their own meanwhile, and what must wait
 * is checked not to return while the gate is closed.  The gate is the
 * test's first allocation, so it is freed last: everything that can still
 * reach it at the end finds it open.
 */

#define IM_WAIT		(10 * HZ)	/* for what must happen */
#define IM_BLOCKED	HZ		/* for what must not, meanwhile */

struct im_gate {
	struct completion entered;
	struct completion release;
};

static struct im_gate *im_gate(struct kunit *test)
{
	struct im_gate *gate = kunit_kzalloc(test, sizeof(*gate), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, gate);
	init_completion(&gate->entered);
	init_completion(&gate->release);
	return gate;
}

static void im_gate_open_action(void *gate)
{
	complete_all(&((struct im_gate *)gate)->release);
}

/* Stop @d's probe of @dev at @gate; opened at the latest when the test ends. */
static void im_gate_probe(struct kunit *test, struct im_drv *d,
			  struct device *dev, struct im_gate *gate)
{
	im_defer(test, im_gate_open_action, gate);
	d->block_dev = dev;
	d->probe_entered = &gate->entered;
	d->probe_release = &gate->release;
}

/* Stop the test manager's return_device at @gate, likewise. */
static void im_gate_return(struct kunit *test, struct im_gate *gate)
{
	im_defer(test, im_gate_open_action, gate);
	WRITE_ONCE(im_return_entered, &gate->entered);
	WRITE_ONCE(im_return_release, &gate->release);
}

/* A call in a kthread of its own; done completes when it has returned. */
struct im_async {
	int (*call)(struct im_async *a);
	struct isolation_group *group;
	struct isolation_manager *mgr;
	struct im_drv *drv;
	struct im_gate *gate;
	int ret;
	struct completion done;
};

static int im_async_thread(void *data)
{
	struct im_async *a = data;

	a->ret = a->call(a);
	complete_all(&a->done);	/* waited for more than once */
	return 0;
}

/* At the end, or when the test stops early: open the gate, wait. */
static void im_async_wait_action(void *data)
{
	struct im_async *a = data;

	complete_all(&a->gate->release);
	wait_for_completion(&a->done);
}

static struct im_async *im_async(struct kunit *test,
				 int (*call)(struct im_async *a),
				 struct im_gate *gate,
				 struct isolation_group *group,
				 struct isolation_manager *mgr,
				 struct im_drv *drv)
{
	struct im_async *a = kunit_kzalloc(test, sizeof(*a), GFP_KERNEL);
	struct task_struct *t;

	KUNIT_ASSERT_NOT_NULL(test, a);
	a->call = call;
	a->gate = gate;
	a->group = group;
	a->mgr = mgr;
	a->drv = drv;
	init_completion(&a->done);
	t = kthread_run(im_async_thread, a, "im-async");
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(t), "kthread_run: %ld", PTR_ERR(t));
	im_defer(test, im_async_wait_action, a);
	return a;
}

static bool im_returned(struct im_async *a, unsigned long timeout)
{
	return wait_for_completion_timeout(&a->done, timeout);
}

static int im_async_handover(struct im_async *a)
{
	return isolation_group_handover(a->group, a->mgr);
}

static int im_async_give_back(struct im_async *a)
{
	return isolation_group_clear_manager(a->group, a->mgr);
}

static int im_async_unregister_manager(struct im_async *a)
{
	isolation_manager_unregister(a->mgr);
	return 0;
}

/* rmmod of the driver's module: driver_unregister(), from its exit. */
static int im_async_unregister_driver(struct im_async *a)
{
	driver_unregister(&a->drv->drv);
	a->drv->unregistered = true;
	return 0;
}

/* Unregister @mgr from a kthread; the test no longer does it at its end. */
static struct im_async *im_unregister_manager_async(struct kunit *test,
						    struct im_gate *gate,
						    struct isolation_manager *mgr)
{
	struct im_async *a;

	a = im_async(test, im_async_unregister_manager, gate, NULL, mgr, NULL);
	kunit_remove_action(test, im_manager_unregister_action, mgr);
	return a;
}

/*
 * Wait up to 10 s until @mgr's unregistration has begun: its name no longer
 * finds it.  What it does next is what the tests check.
 */
static bool im_manager_gone(struct isolation_manager *mgr)
{
	const struct isolation_manager *m;
	int i;

	for (i = 0; i < 500; i++) {
		m = isolation_manager_get(mgr->name);
		if (m)
			module_put(m->owner);
		if (m != mgr)
			return true;
		msleep(20);
	}
	return false;
}

static int im_is_driver(struct device_driver *drv, void *data)
{
	return drv == data;
}

static bool im_driver_registered(struct im_drv *d)
{
	return bus_for_each_drv(&im_bus, NULL, &d->drv, im_is_driver) > 0;
}

/* The driver bound to @dev, compared only. */
static const struct device_driver *im_driver_of(struct device *dev)
{
	const struct device_driver *drv;

	device_lock(dev);
	drv = dev->driver;
	device_unlock(dev);
	return drv;
}

/* The driver @dev's group recorded for it, compared only. */
static const struct device_driver *im_member_drv(struct device *dev)
{
	const struct device_driver *drv = NULL;

	mutex_lock(&isolation_mutex);
	spin_lock(&isolation_lock);
	if (dev->p->isolation_member)
		drv = dev->p->isolation_member->drv;
	spin_unlock(&isolation_lock);
	mutex_unlock(&isolation_mutex);
	return drv;
}

/* Given back and settled: no manager, not locked, nothing in flight. */
static void im_expect_given_back(struct kunit *test,
				 struct isolation_group *group)
{
	KUNIT_EXPECT_NULL(test, isolation_group_manager(group));
	KUNIT_EXPECT_FALSE(test, isolation_group_locked(group));
	KUNIT_EXPECT_FALSE(test, READ_ONCE(group->handed_over));
	KUNIT_EXPECT_FALSE(test, READ_ONCE(group->giving_back));
	KUNIT_EXPECT_EQ(test, READ_ONCE(group->pins), 0);
	KUNIT_EXPECT_FALSE(test, work_pending(&group->hold_work));
	KUNIT_EXPECT_EQ(test, isolation_group_verify(group), 0);
}

/*
 * isolation_manager_unregister() while a handover of one of its groups is
 * stopped in the manager's driver's probe: the unregistration does not
 * return, nor touch the group, until the handover has finished; the
 * handover succeeds, and then the unregistration gives the group back:
 * no manager, not locked, each member on the host driver it had.
 */
static void im_unregister_waits_handover_test(struct kunit *test)
{
	struct im_gate *gate = im_gate(test);
	struct isolation_manager *mgr = im_manager(test);
	struct im_async *handover, *unreg;
	struct isolation_group *group;
	struct im_drv *host, *mdrv;
	struct device *d[2];
	int i;

	group = im_host_bound_group(test, mgr, d, 2, &host, &mdrv);
	im_gate_probe(test, mdrv, d[0], gate);
	handover = im_async(test, im_async_handover, gate, group, mgr, NULL);
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&gate->entered,
							    IM_WAIT));

	unreg = im_unregister_manager_async(test, gate, mgr);
	KUNIT_ASSERT_TRUE(test, im_manager_gone(mgr));
	KUNIT_EXPECT_FALSE_MSG(test, im_returned(unreg, IM_BLOCKED),
			       "unregister returned during the handover");
	KUNIT_EXPECT_FALSE(test, im_returned(handover, 0));
	KUNIT_EXPECT_PTR_EQ(test, isolation_group_manager(group), mgr);
	KUNIT_EXPECT_TRUE(test, READ_ONCE(group->handed_over));

	complete_all(&gate->release);
	KUNIT_ASSERT_TRUE(test, im_returned(handover, IM_WAIT));
	KUNIT_ASSERT_TRUE(test, im_returned(unreg, IM_WAIT));
	KUNIT_EXPECT_EQ(test, handover->ret, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&mdrv->probes), 2);
	KUNIT_EXPECT_EQ(test, atomic_read(&mdrv->removes), 2);
	im_expect_given_back(test, group);
	for (i = 0; i < 2; i++)
		KUNIT_EXPECT_TRUE(test, im_bound_to(d[i], host));
	KUNIT_EXPECT_EQ(test, isolation_group_handover(group, mgr), -EINVAL);
}

/*
 * isolation_manager_unregister() while the re-probe after the last hold of
 * a used group (hold_work) is stopped in the host driver's probe of the
 * member refused during the hold: the unregistration waits for the work,
 * then gives the group back.  The refused member ends on its host driver;
 * the member the manager's driver was bound to by hand ends without one.
 */
static void im_unregister_waits_hold_work_test(struct kunit *test)
{
	struct im_gate *gate = im_gate(test);
	struct isolation_manager *mgr = im_manager(test);
	struct isolation_group *group, *held;
	struct im_drv *host, *mdrv;
	struct im_async *unreg;
	struct device *d[2];

	group = im_host_bound_group(test, mgr, d, 2, &host, &mdrv);
	device_release_driver(d[0]);
	KUNIT_ASSERT_EQ(test, device_driver_attach(&mdrv->drv, d[0]), 0);
	device_release_driver(d[1]);
	held = isolation_device_hold(d[0], mgr);
	KUNIT_ASSERT_PTR_EQ(test, held, group);
	mdrv->no_match = d[1];	/* only the host driver matches d[1] */
	KUNIT_ASSERT_EQ(test, device_attach(d[1]), 0);	/* refused: kept */

	/* The last pin goes: the work re-probes d[1] and stops there. */
	im_gate_probe(test, host, d[1], gate);
	isolation_group_unhold(held);
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&gate->entered,
							    IM_WAIT));
	KUNIT_EXPECT_TRUE(test, !!(work_busy(&group->hold_work) &
				   WORK_BUSY_RUNNING));
	KUNIT_ASSERT_PTR_EQ(test, isolation_group_manager(group), mgr);

	unreg = im_unregister_manager_async(test, gate, mgr);
	KUNIT_ASSERT_TRUE(test, im_manager_gone(mgr));
	KUNIT_EXPECT_FALSE_MSG(test, im_returned(unreg, IM_BLOCKED),
			       "unregister returned during the hold's re-probe");
	KUNIT_EXPECT_PTR_EQ(test, isolation_group_manager(group), mgr);

	complete_all(&gate->release);
	KUNIT_ASSERT_TRUE(test, im_returned(unreg, IM_WAIT));
	im_expect_given_back(test, group);
	KUNIT_EXPECT_TRUE(test, im_bound_to(d[1], host));
	KUNIT_EXPECT_NULL(test, im_driver_of(d[0]));
	KUNIT_EXPECT_EQ(test, atomic_read(&mdrv->removes), 1);
}

/*
 * isolation_manager_unregister() while a give back of one of its groups is
 * stopped in the manager's return_device(): the group has lost its manager
 * already, but the give back still calls the manager.  The unregistration
 * waits for it (the manager may go once it returns), and the give back
 * ends as usual: the host drivers back, the taken device returned once.
 */
static void im_unregister_waits_give_back_test(struct kunit *test)
{
	struct im_gate *gate = im_gate(test);
	struct isolation_manager *mgr = im_manager_cb(test);
	struct im_async *give_back, *unreg;
	struct isolation_group *group;
	struct im_drv *host, *mdrv;
	struct device *d[2];
	int i;

	group = im_host_bound_group(test, mgr, d, 2, &host, &mdrv);
	im_take_only = d[0];
	KUNIT_ASSERT_EQ(test, isolation_group_handover(group, mgr), 0);
	KUNIT_ASSERT_TRUE(test, im_bound_to(d[0], mdrv) && im_bound_to(d[1], mdrv));

	im_gate_return(test, gate);
	give_back = im_async(test, im_async_give_back, gate, group, mgr, NULL);
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&gate->entered,
							    IM_WAIT));
	KUNIT_EXPECT_NULL(test, isolation_group_manager(group));

	unreg = im_unregister_manager_async(test, gate, mgr);
	KUNIT_ASSERT_TRUE(test, im_manager_gone(mgr));
	KUNIT_EXPECT_FALSE_MSG(test, im_returned(unreg, IM_BLOCKED),
			       "unregister returned while the give back was still calling the manager");

	complete_all(&gate->release);
	KUNIT_ASSERT_TRUE(test, im_returned(give_back, IM_WAIT));
	KUNIT_ASSERT_TRUE(test, im_returned(unreg, IM_WAIT));
	KUNIT_EXPECT_EQ(test, give_back->ret, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&im_returns), 1);
	im_expect_given_back(test, group);
	for (i = 0; i < 2; i++)
		KUNIT_EXPECT_TRUE(test, im_bound_to(d[i], host));
}

#ifdef CONFIG_FAULT_INJECTION
/* fail_isolation, made to fail its next check, whichever task makes it. */
struct im_fail_once {
	unsigned long *probability, old_probability;
	unsigned long *verbose, old_verbose;
	atomic_t *times;
	int old_times;
};

static void im_fail_once_restore(void *data)
{
	struct im_fail_once *f = data;

	WRITE_ONCE(*f->probability, f->old_probability);
	atomic_set(f->times, f->old_times);
	WRITE_ONCE(*f->verbose, f->old_verbose);
}

static struct im_fail_once *im_fail_once_prepare(struct kunit *test)
{
	struct im_fail_once *f;

	if (!IS_ENABLED(CONFIG_FAULT_INJECTION_DEBUG_FS))
		kunit_skip(test, "needs CONFIG_FAULT_INJECTION_DEBUG_FS");
	f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f);
	f->probability = im_debugfs_var(test, "fail_isolation", "probability");
	f->verbose = im_debugfs_var(test, "fail_isolation", "verbose");
	f->times = im_debugfs_var(test, "fail_isolation", "times");
	f->old_probability = READ_ONCE(*f->probability);
	f->old_verbose = READ_ONCE(*f->verbose);
	f->old_times = atomic_read(f->times);
	im_defer(test, im_fail_once_restore, f);
	return f;
}

static void im_fail_once_arm(struct im_fail_once *f)
{
	WRITE_ONCE(*f->verbose, 0);
	atomic_set(f->times, 1);
	WRITE_ONCE(*f->probability, 100);
}

static bool im_fail_once_fired(struct im_fail_once *f)
{
	return !atomic_read(f->times);
}
#else
struct im_fail_once;

static struct im_fail_once *im_fail_once_prepare(struct kunit *test)
{
	kunit_skip(test, "needs CONFIG_FAULT_INJECTION");
	return NULL;
}

static void im_fail_once_arm(struct im_fail_once *f)
{
}

static bool im_fail_once_fired(struct im_fail_once *f)
{
	return false;
}
#endif

/*
 * A handover of a group of three host-bound members, stopped in the
 * manager's driver's probe of the second member, while another thread
 * unregisters the host driver (rmmod).  driver_unregister() has no member
 * to unbind, the handover released them all: it returns while the handover
 * is stopped.  With @fail, the handover's last check fails once the
 * probes are done (fail_isolation), so that the rollback runs with the
 * host driver gone.  Returns what the handover returned.
 */
static int im_rmmod_during_handover(struct kunit *test, struct im_gate *gate,
				    struct isolation_manager *mgr,
				    struct isolation_group **group,
				    struct device **d, struct im_drv **host,
				    struct im_drv **mdrv, bool fail)
{
	struct im_async *handover, *rmmod;
	struct im_fail_once *f = NULL;
	int i, host_probes;

	if (fail)
		f = im_fail_once_prepare(test);
	*group = im_host_bound_group(test, mgr, d, 3, host, mdrv);
	for (i = 0; i < 3; i++)
		KUNIT_ASSERT_TRUE(test, im_bound_to(d[i], *host));
	host_probes = atomic_read(&(*host)->probes);

	im_gate_probe(test, *mdrv, d[1], gate);
	handover = im_async(test, im_async_handover, gate, *group, mgr, NULL);
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&gate->entered,
							    IM_WAIT));
	KUNIT_EXPECT_TRUE(test, im_bound_to(d[0], *mdrv));
	rmmod = im_async(test, im_async_unregister_driver, gate, NULL, NULL,
			 *host);
	KUNIT_ASSERT_TRUE_MSG(test, im_returned(rmmod, IM_WAIT),
			      "driver_unregister() waited for the handover");
	KUNIT_EXPECT_FALSE(test, im_driver_registered(*host));
	KUNIT_EXPECT_FALSE(test, im_returned(handover, 0));
	if (fail)
		im_fail_once_arm(f);

	complete_all(&gate->release);
	KUNIT_ASSERT_TRUE(test, im_returned(handover, IM_WAIT));
	if (fail)
		KUNIT_EXPECT_TRUE_MSG(test, im_fail_once_fired(f),
				      "the injected failure did not fire");
	/* The removed driver was never probed again, nor left recorded. */
	KUNIT_EXPECT_EQ(test, atomic_read(&(*host)->probes), host_probes);
	for (i = 0; i < 3; i++) {
		KUNIT_EXPECT_PTR_NE_MSG(test, im_driver_of(d[i]), &(*host)->drv,
					"device %d", i);
		KUNIT_EXPECT_PTR_NE_MSG(test, im_member_drv(d[i]),
					&(*host)->drv, "device %d", i);
	}
	return handover->ret;
}

/*
 * The host driver goes while a handover is in flight; the handover
 * completes: the group is the manager's, locked, each member on the
 * manager's driver.  Given back, the members stay without a driver: theirs
 * is gone, and the manager's is refused while the group is given back.
 */
static void im_rmmod_during_handover_test(struct kunit *test)
{
	struct im_gate *gate = im_gate(test);
	struct isolation_manager *mgr = im_manager(test);
	struct isolation_group *group;
	struct im_drv *host, *mdrv;
	struct device *d[3];
	int i;

	KUNIT_EXPECT_EQ(test, im_rmmod_during_handover(test, gate, mgr, &group,
						       d, &host, &mdrv, false),
			0);
	KUNIT_EXPECT_PTR_EQ(test, isolation_group_manager(group), mgr);
	KUNIT_EXPECT_TRUE(test, isolation_group_locked(group));
	KUNIT_EXPECT_EQ(test, isolation_group_verify(group), 0);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_TRUE(test, im_bound_to(d[i], mdrv));

	KUNIT_EXPECT_EQ(test, isolation_group_clear_manager(group, mgr), 0);
	im_expect_given_back(test, group);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_NULL_MSG(test, im_driver_of(d[i]), "device %d", i);
	KUNIT_EXPECT_EQ(test, atomic_read(&mdrv->removes), 3);
}

/*
 * The host driver goes while a handover is in flight, and the handover
 * then fails: the rollback unbinds the manager's drivers it bound and
 * cannot bind the removed driver again: the members are left without a
 * driver, and the group as before the call (no manager, not locked).
 */
static void im_rmmod_during_failed_handover_test(struct kunit *test)
{
	struct im_gate *gate = im_gate(test);
	struct isolation_manager *mgr = im_manager(test);
	struct isolation_group *group;
	struct im_drv *host, *mdrv;
	struct device *d[3];
	int i;

	KUNIT_EXPECT_EQ(test, im_rmmod_during_handover(test, gate, mgr, &group,
						       d, &host, &mdrv, true),
			-EBUSY);
	im_expect_given_back(test, group);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_NULL_MSG(test, im_driver_of(d[i]), "device %d", i);
	KUNIT_EXPECT_EQ(test, atomic_read(&mdrv->probes), 3);
	KUNIT_EXPECT_EQ(test, atomic_read(&mdrv->removes), 3);
}

/* Suite */

static int im_suite_init(struct kunit_suite *suite)
{
	struct file_system_type *sysfs = get_fs_type("sysfs");
	int ret;

	if (!sysfs)
		return -ENODEV;
	im_sysfs = kern_mount(sysfs);
	if (IS_ERR(im_sysfs))
		return PTR_ERR(im_sysfs);
	ret = bus_register(&im_bus);
	if (ret)
		kern_unmount(im_sysfs);
	return ret;
}

static void im_suite_exit(struct kunit_suite *suite)
{
	bus_unregister(&im_bus);
	kern_unmount(im_sysfs);
}

static int im_test_init(struct kunit *test)
{
	struct im_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ctx);
	test->priv = ctx;
	snprintf(ctx->provider_name, sizeof(ctx->provider_name), "im-prov-%d",
		 atomic_inc_return(&im_seq));
	ctx->provider.name = ctx->provider_name;
	KUNIT_ASSERT_EQ(test, isolation_provider_register(&ctx->provider), 0);
	ctx->bus_nb.notifier_call = im_bus_notify;
	KUNIT_ASSERT_EQ(test, bus_register_notifier(&im_bus, &ctx->bus_nb), 0);
	atomic_set(&im_violations, 0);
	return 0;
}

static void im_test_exit(struct kunit *test)
{
	struct im_ctx *ctx = im_ctx(test);

	KUNIT_EXPECT_EQ(test, atomic_read(&im_violations), 0);
	WRITE_ONCE(im_match_mgr, NULL);
	WRITE_ONCE(im_uevent_dev, NULL);
	WRITE_ONCE(im_return_entered, NULL);
	WRITE_ONCE(im_return_release, NULL);
	bus_unregister_notifier(&im_bus, &ctx->bus_nb);
	isolation_provider_unregister(&ctx->provider);
}

static struct kunit_case isolation_manager_test_cases[] = {
	KUNIT_CASE(im_manager_register_test),
	KUNIT_CASE(im_no_manager_test),
	KUNIT_CASE(im_ungrouped_device_test),
	KUNIT_CASE(im_set_manager_idle_group_test),
	KUNIT_CASE(im_second_manager_test),
	KUNIT_CASE(im_set_manager_bad_args_test),
	KUNIT_CASE(im_lock_when_last_host_unbinds_test),
	KUNIT_CASE(im_host_bind_refused_test),
	KUNIT_CASE(im_bind_file_refused_test),
	KUNIT_CASE(im_manager_driver_binds_test),
	KUNIT_CASE(im_failed_manager_probe_test),
	KUNIT_CASE(im_failed_host_probe_test),
	KUNIT_CASE(im_refused_probe_links_test),
	KUNIT_CASE(im_refused_probe_walk_test),
	KUNIT_CASE(im_add_during_device_del_test),
	KUNIT_CASE(im_hotplug_into_managed_group_test),
	KUNIT_CASE(im_hotplug_no_manager_driver_test),
	KUNIT_CASE(im_remove_keeps_locked_test),
	KUNIT_CASE(im_remove_last_host_locks_test),
	KUNIT_CASE(im_add_bound_device_unlocks_test),
	KUNIT_CASE(im_clear_reprobes_test),
	KUNIT_CASE(im_manager_unregister_clears_test),
	KUNIT_CASE(im_handover_test),
	KUNIT_CASE(im_handover_joined_meanwhile_test),
	KUNIT_CASE(im_handover_pinned_driver_test),
	KUNIT_CASE(im_handover_other_manager_test),
	KUNIT_CASE(im_probe_races_set_manager_test),
	KUNIT_CASE(im_sysfs_attrs_test),
	KUNIT_CASE(im_sysfs_manager_write_test),
	KUNIT_CASE(im_owner_parse_test),
	KUNIT_CASE(im_owner_sysfs_test),
	KUNIT_CASE(im_owner_may_manage_test),
	KUNIT_CASE(im_reserve_parse_test),
	KUNIT_CASE(im_reserve_group_test),
	KUNIT_CASE(im_fault_provider_register_test),
	KUNIT_CASE(im_fault_manager_register_test),
	KUNIT_CASE(im_fault_group_alloc_test),
	KUNIT_CASE(im_fault_add_device_test),
	KUNIT_CASE(im_fault_add_device_reason_test),
	KUNIT_CASE(im_fault_set_manager_test),
	KUNIT_CASE(im_fault_handover_test),
	KUNIT_CASE(im_fault_manager_write_test),
	KUNIT_CASE(im_fault_clear_reprobe_test),
	KUNIT_CASE(im_tolerated_driver_test),
	KUNIT_CASE(im_take_and_give_back_test),
	KUNIT_CASE(im_take_fails_test),
	KUNIT_CASE(im_use_test),
	KUNIT_CASE(im_reattach_orders_test),
	KUNIT_CASE(im_hold_test),
	KUNIT_CASE(im_give_back_leftover_test),
	KUNIT_CASE(im_del_ungrouped_no_mutex_test),
	KUNIT_CASE(im_bind_driver_failure_test),
	KUNIT_CASE(im_unregister_waits_handover_test),
	KUNIT_CASE(im_unregister_waits_hold_work_test),
	KUNIT_CASE(im_unregister_waits_give_back_test),
	KUNIT_CASE(im_rmmod_during_handover_test),
	KUNIT_CASE(im_rmmod_during_failed_handover_test),
	KUNIT_CASE_SLOW(im_use_race_test),
	KUNIT_CASE_SLOW(im_d3_race_test),
	KUNIT_CASE_SLOW(im_d3_litmus_test),
	KUNIT_CASE_SLOW(im_concurrency_test),
	KUNIT_CASE_SLOW(im_stress_test),
	{}
};

static struct kunit_suite isolation_manager_test_suite = {
	.name = "isolation-manager",
	.suite_init = im_suite_init,
	.suite_exit = im_suite_exit,
	.init = im_test_init,
	.exit = im_test_exit,
	.test_cases = isolation_manager_test_cases,
};

kunit_test_suite(isolation_manager_test_suite);

MODULE_DESCRIPTION("KUnit tests for isolation group managers");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
