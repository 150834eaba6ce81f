// SPDX-License-Identifier: GPL-2.0
/*
 * Isolation groups
 *
 * An isolation group is a set of devices between which the platform
 * guarantees no isolation, for instance because an IOMMU cannot tell their
 * DMA apart.  Between groups, isolation is guaranteed.  Providers (IOMMU
 * drivers) decide which devices form which group; this file keeps the groups,
 * their membership and their sysfs representation under /sys/isolation.
 *
 * Lifetime: a group is reference counted (@ref).  isolation_group_alloc()
 * returns the first reference, every member device holds one, and
 * isolation_group_get() hands out more.  When the last reference is put the
 * group leaves sysfs and its id is freed at once; the memory follows when
 * the kobject is released.
 *
 * Managers: while a group has a manager, driver_match_device() matches only
 * drivers whose isolation_manager is that manager.  The group is locked once
 * every member is bound to such a driver or to none.  To keep that state
 * O(1), each member records the driver it is probing or bound to, and the
 * group counts the members whose driver is not its manager's (@unclaimed):
 * locked means a manager and no unclaimed member.  really_probe() reserves
 * the member before the driver's probe runs, so a host driver that raced
 * with isolation_group_set_manager() keeps the group unlocked until it is
 * gone, and a locked group never has a host driver probing or bound.
 *
 * Locking, outermost first:
 *
 *   isolation_handover_mutex
 *                          one isolation_group_handover() at a time
 *   isolation_reprobe_mutex
 *                          one re-probe walk over a group's members at a
 *                          time (isolation_group_reprobe())
 *   device_lock()          held by the driver core around probe and release,
 *                          and by some callers; taken here only by
 *                          isolation_group_handover() and the re-probe after
 *                          a manager is cleared, with no lock of ours held
 *   isolation_mutex        managers, providers, their groups, membership,
 *                          sysfs links, and the delivery of notifier events
 *                          and uevents, in order
 *   isolation_lock         spinlock: dev->isolation_group, each member's
 *                          driver, each group's manager and counters; taken
 *                          by the driver-core hooks, which may run with or
 *                          without device_lock() and must not sleep on it
 *
 * The hooks test dev->isolation_group without a lock, after a full barrier
 * where the driver changes (drivers/base/base.h); adding a device stores
 * the pointer, then reads dev->driver after a full barrier, so that one
 * side always sees the other.
 *
 * sysfs show() methods take at most isolation_lock: what they print is
 * constant while the group is in sysfs or read under that lock, and removal
 * from sysfs drains them.
 */

#define pr_fmt(fmt) "isolation: " fmt

#include <linux/capability.h>
#include <linux/ctype.h>
#include <linux/device.h>
#include <linux/fault-inject.h>
#include <linux/idr.h>
#include <linux/isolation.h>
#include <linux/kobject.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/workqueue.h>
#include <kunit/visibility.h>

#include "base.h"

#define ISOLATION_NAME_MAX	64

/**
 * struct isolation_group - a set of devices that cannot be isolated apart
 * @kobj: /sys/isolation/<id>; holds the memory, not the users
 * @ref: users of the group: the allocator, each member, each get
 * @id: small integer from isolation_ida, the sysfs directory name
 * @name: stable, provider-chosen name
 * @provider_name: copy of the provider's name, valid as long as @kobj
 * @provider: owning provider; NULL once the group has left sysfs
 * @provider_node: entry in @provider's group list
 * @devices: list of &struct isolation_member
 * @num_devices: length of @devices
 * @manager: the manager, or NULL; written under isolation_lock, read
 *	without it by the driver-core hooks (see isolation_device_manager())
 * @unclaimed: members probing or bound with a driver that @manager does not
 *	accept, as recorded in their &isolation_member.drv; under
 *	isolation_lock, and only kept while the group has a manager
 * @claimed: members probing or bound with one of @manager's own drivers;
 *	like @unclaimed
 * @implicit: @manager took the group when one of its drivers bound (see
 *	&isolation_manager.take_on_bind), and gives it back when the last
 *	leaves; under isolation_lock
 * @release_work: gives an implicitly taken group back, out of the unbind
 *	path that found its last manager driver gone
 * @reported_locked: the locked state last announced to notifiers and
 *	userspace; under isolation_mutex
 * @reprobe_gen: number of the last re-probe walk; under
 *	isolation_reprobe_mutex
 * @rcu: frees the group a grace period after its release, for the hooks
 *	that read @manager through dev->isolation_group without a lock
 */
struct isolation_group {
	struct kobject kobj;
	struct kref ref;
	int id;
	const char *name;
	const char *provider_name;
	struct isolation_provider *provider;
	struct list_head provider_node;
	struct list_head devices;
	unsigned int num_devices;
	struct isolation_manager *manager;
	unsigned int unclaimed;
	unsigned int claimed;
	bool implicit;
	struct work_struct release_work;
	bool reported_locked;
	unsigned long reprobe_gen;
	struct rcu_head rcu;
};

/**
 * struct isolation_member - a device's membership in a group
 * @node: entry in the group's device list
 * @group: the group, with a reference held
 * @dev: the member, with a reference held
 * @link_name: name of the link in the group's devices/ directory
 * @drv: the driver probing or bound to @dev, as the driver-core hooks saw
 *	it; under isolation_lock, and only kept while the group has a manager
 * @reason: why @dev is in @group, as the provider said
 * @reason_dev: name of the device @reason refers to, or NULL; a copy, so
 *	that it outlives that device
 * @reprobe_gen: the re-probe walk that last visited @dev; under
 *	isolation_mutex
 * @held: one of the manager's own drivers was bound to @dev since the group
 *	got its manager; under isolation_lock
 * @taken: &isolation_manager.take_device prepared @dev, and
 *	&isolation_manager.return_device must undo it; under isolation_mutex
 */
struct isolation_member {
	struct list_head node;
	struct isolation_group *group;
	struct device *dev;
	char *link_name;
	const struct device_driver *drv;
	enum isolation_reason reason;
	const char *reason_dev;
	unsigned long reprobe_gen;
	bool held;
	bool taken;
};

#define to_isolation_group(k) container_of(k, struct isolation_group, kobj)

static void isolation_group_release_work(struct work_struct *work);

static DEFINE_MUTEX(isolation_handover_mutex);
static DEFINE_MUTEX(isolation_mutex);
static DEFINE_SPINLOCK(isolation_lock);
static DEFINE_IDA(isolation_ida);
static LIST_HEAD(isolation_providers);
static LIST_HEAD(isolation_managers);
static BLOCKING_NOTIFIER_HEAD(isolation_notifier);
static struct kset *isolation_kset;

/*
 * fail_isolation: for the one step that can fail without allocating (a
 * host driver that a handover released is bound again); allocations fail
 * through failslab.  Both honour /proc/<pid>/fail-nth.  See
 * Documentation/fault-injection/fault-injection.rst.
 */
static DECLARE_FAULT_ATTR(fail_isolation);

static int __init isolation_setup_fault(char *str)
{
	return setup_fault_attr(&fail_isolation, str);
}
__setup("fail_isolation=", isolation_setup_fault);

/* manager state, under isolation_lock */

/*
 * Does @mgr accept @drv on @dev in a group it locks: one of its own drivers,
 * or one it tolerates?  Called under isolation_lock or RCU: the callback
 * must not sleep.
 */
static bool isolation_mgr_accepts(const struct isolation_manager *mgr,
				  struct device *dev,
				  const struct device_driver *drv)
{
	return drv->isolation_manager == mgr ||
	       (mgr->tolerates && mgr->tolerates(dev, drv));
}

static bool isolation_claims(const struct isolation_group *group,
			     struct device *dev, const struct device_driver *drv)
{
	return group->manager && isolation_mgr_accepts(group->manager, dev, drv);
}

/*
 * Does @group refuse drivers its manager does not accept?  A group taken
 * implicitly stops doing so as soon as its manager's last driver left,
 * before the release work clears the manager.  Under isolation_lock, or
 * under RCU as a hint (__isolation_driver_may_match()).
 */
static bool isolation_group_holds(const struct isolation_group *group)
{
	return READ_ONCE(group->manager) &&
	       (!READ_ONCE(group->implicit) || READ_ONCE(group->claimed));
}

static bool isolation_group_is_locked(const struct isolation_group *group)
{
	lockdep_assert_held(&isolation_lock);
	return isolation_group_holds(group) && !group->unclaimed;
}

/* Record that @member now has @drv, or no driver; keeps the counts right. */
static void isolation_member_set_driver(struct isolation_member *member,
					const struct device_driver *drv)
{
	struct isolation_group *group = member->group;
	const struct device_driver *old = member->drv;

	lockdep_assert_held(&isolation_lock);
	if (old && !isolation_claims(group, member->dev, old))
		group->unclaimed--;
	else if (old && old->isolation_manager == group->manager)
		WRITE_ONCE(group->claimed, group->claimed - 1);
	member->drv = drv;
	if (drv && !isolation_claims(group, member->dev, drv)) {
		group->unclaimed++;
	} else if (drv && drv->isolation_manager == group->manager) {
		WRITE_ONCE(group->claimed, group->claimed + 1);
		member->held = true;
	}
}

/*
 * Record every member's driver afresh and count the unclaimed ones; when
 * the manager changes, since the hooks keep no record without one.
 *
 * The barrier orders the store to @group->manager before the loads of
 * dev->driver; it pairs with the one in the hooks, which store dev->driver
 * before they load the manager (see isolation_device_manager()).  Either
 * this sees the new driver, or the hook sees the manager and records the
 * driver itself under isolation_lock: none is missed nor kept.
 */
static void isolation_group_recount(struct isolation_group *group)
{
	struct isolation_member *member;

	lockdep_assert_held(&isolation_lock);
	smp_mb();	/* @group->manager stored; pairs with the hooks */
	group->unclaimed = 0;
	WRITE_ONCE(group->claimed, 0);
	list_for_each_entry(member, &group->devices, node) {
		member->drv = NULL;
		/* Kept past a release, for isolation_group_reprobe(). */
		if (group->manager)
			member->held = false;
		isolation_member_set_driver(member,
					    READ_ONCE(member->dev->driver));
	}
}

/* events */

static void isolation_notify(unsigned long event, struct isolation_group *group,
			     struct device *dev, struct isolation_manager *mgr)
{
	struct isolation_notifier_data data = {
		.group = group,
		.dev = dev,
		.manager = mgr,
	};

	lockdep_assert_held(&isolation_mutex);
	blocking_notifier_call_chain(&isolation_notifier, event, &data);
}

/*
 * Announce @group's locked state if it differs from what was announced
 * last: a notifier event and a KOBJ_CHANGE uevent with ISOLATION_LOCKED.
 * Changes are reported here, under isolation_mutex, rather than where they
 * happen, so that the announcements alternate and end on the current state.
 * @old is the manager to name when the group has just lost its own.
 */
static void isolation_group_report(struct isolation_group *group,
				   struct isolation_manager *old)
{
	struct isolation_manager *mgr;
	char *envp[2];
	bool locked;

	lockdep_assert_held(&isolation_mutex);
	spin_lock(&isolation_lock);
	locked = isolation_group_is_locked(group);
	mgr = group->manager ?: old;
	spin_unlock(&isolation_lock);
	if (locked == group->reported_locked)
		return;

	group->reported_locked = locked;
	isolation_notify(locked ? ISOLATION_NOTIFY_LOCKED :
				  ISOLATION_NOTIFY_UNLOCKED, group, NULL, mgr);
	if (group->provider) {
		envp[0] = locked ? "ISOLATION_LOCKED=1" : "ISOLATION_LOCKED=0";
		envp[1] = NULL;
		kobject_uevent_env(&group->kobj, KOBJ_CHANGE, envp);
	}
}

/* sysfs */

struct isolation_group_attribute {
	struct attribute attr;
	ssize_t (*show)(struct isolation_group *group, char *buf);
	ssize_t (*store)(struct isolation_group *group, const char *buf,
			 size_t count);
};

#define ISOLATION_GROUP_ATTR_RO(_name)					\
	struct isolation_group_attribute isolation_group_attr_##_name =	\
		__ATTR_RO(_name)

#define ISOLATION_GROUP_ATTR_RW(_name)					\
	struct isolation_group_attribute isolation_group_attr_##_name =	\
		__ATTR_RW(_name)

#define to_isolation_group_attr(a) \
	container_of(a, struct isolation_group_attribute, attr)

static ssize_t isolation_group_attr_show(struct kobject *kobj,
					 struct attribute *attr, char *buf)
{
	struct isolation_group_attribute *ga = to_isolation_group_attr(attr);

	return ga->show ? ga->show(to_isolation_group(kobj), buf) : -EIO;
}

/*
 * A store may unbind and probe drivers, and so may drop what keeps the
 * group alive: it holds a reference of its own, and breaks the active
 * protection of its attribute so that the group can leave sysfs meanwhile.
 */
static ssize_t isolation_group_attr_store(struct kobject *kobj,
					  struct attribute *attr,
					  const char *buf, size_t count)
{
	struct isolation_group_attribute *ga = to_isolation_group_attr(attr);
	struct isolation_group *group = to_isolation_group(kobj);
	struct kernfs_node *kn;
	ssize_t ret;

	if (!ga->store)
		return -EIO;
	if (!kref_get_unless_zero(&group->ref))
		return -ENODEV;
	kn = sysfs_break_active_protection(kobj, attr);
	ret = ga->store(group, buf, count);
	isolation_group_put(group);
	if (kn)
		sysfs_unbreak_active_protection(kn);
	return ret;
}

static const struct sysfs_ops isolation_group_sysfs_ops = {
	.show = isolation_group_attr_show,
	.store = isolation_group_attr_store,
};

static ssize_t name_show(struct isolation_group *group, char *buf)
{
	return sysfs_emit(buf, "%s\n", group->name);
}
static ISOLATION_GROUP_ATTR_RO(name);

static ssize_t provider_show(struct isolation_group *group, char *buf)
{
	return sysfs_emit(buf, "%s\n", group->provider_name);
}
static ISOLATION_GROUP_ATTR_RO(provider);

static ssize_t manager_show(struct isolation_group *group, char *buf)
{
	ssize_t ret;

	/* Under the lock: an unregistering manager leaves its groups first. */
	spin_lock(&isolation_lock);
	ret = sysfs_emit(buf, "%s\n", group->manager ? group->manager->name : "");
	spin_unlock(&isolation_lock);
	return ret;
}

/* Find a registered manager by name and pin its module. */
static struct isolation_manager *isolation_manager_get(const char *name)
{
	struct isolation_manager *m, *found = NULL;

	mutex_lock(&isolation_mutex);
	list_for_each_entry(m, &isolation_managers, node) {
		if (!strcmp(m->name, name)) {
			if (try_module_get(m->owner))
				found = m;
			break;
		}
	}
	mutex_unlock(&isolation_mutex);
	return found;
}

static int isolation_group_give_back(struct isolation_group *group);

/*
 * Writing a registered manager's name hands the group over to it, as
 * isolation_group_handover() does; an empty line gives it back.  Anything
 * else changes nothing.
 */
static ssize_t manager_store(struct isolation_group *group, const char *buf,
			     size_t count)
{
	char name[ISOLATION_NAME_MAX + 1];
	struct isolation_manager *mgr;
	size_t i, len = count;
	int ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (len && buf[len - 1] == '\n')
		len--;
	if (!len)
		return isolation_group_give_back(group) ?: count;
	if (len > ISOLATION_NAME_MAX)
		return -EINVAL;
	for (i = 0; i < len; i++)
		if (!isgraph(buf[i]))
			return -EINVAL;
	memcpy(name, buf, len);
	name[len] = '\0';

	mgr = isolation_manager_get(name);
	if (!mgr)
		return -EINVAL;
	ret = isolation_group_handover(group, mgr);
	module_put(mgr->owner);
	return ret ?: count;
}
static ISOLATION_GROUP_ATTR_RW(manager);

static ssize_t locked_show(struct isolation_group *group, char *buf)
{
	return sysfs_emit(buf, "%d\n", isolation_group_locked(group));
}
static ISOLATION_GROUP_ATTR_RO(locked);

static struct attribute *isolation_group_attrs[] = {
	&isolation_group_attr_name.attr,
	&isolation_group_attr_provider.attr,
	&isolation_group_attr_manager.attr,
	&isolation_group_attr_locked.attr,
	NULL,
};

static const struct attribute_group isolation_group_attr_group = {
	.attrs = isolation_group_attrs,
};

/* devices/: an empty named group that only ever holds links */
static struct attribute *isolation_devices_attrs[] = {
	NULL,
};

static const struct attribute_group isolation_devices_group = {
	.name = "devices",
	.attrs = isolation_devices_attrs,
};

static const struct attribute_group *isolation_group_groups[] = {
	&isolation_group_attr_group,
	&isolation_devices_group,
	NULL,
};

static void isolation_group_kobj_release(struct kobject *kobj)
{
	struct isolation_group *group = to_isolation_group(kobj);

	kfree_const(group->provider_name);
	kfree(group->name);
	kfree_rcu(group, rcu);
}

static const struct kobj_type isolation_group_ktype = {
	.sysfs_ops = &isolation_group_sysfs_ops,
	.default_groups = isolation_group_groups,
	.release = isolation_group_kobj_release,
};

static int isolation_uevent(const struct kobject *kobj,
			    struct kobj_uevent_env *env)
{
	const struct isolation_group *group =
		container_of(kobj, struct isolation_group, kobj);
	int ret;

	ret = add_uevent_var(env, "ISOLATION_GROUP=%d", group->id);
	if (ret)
		return ret;
	return add_uevent_var(env, "ISOLATION_NAME=%s", group->name);
}

static const struct kset_uevent_ops isolation_uevent_ops = {
	.uevent = isolation_uevent,
};

/* Take @group out of sysfs; the caller owns it or holds a reference. */
static void isolation_group_unpublish(struct isolation_group *group)
{
	kobject_uevent(&group->kobj, KOBJ_REMOVE);
	kobject_del(&group->kobj);
}

/* providers */

static bool isolation_provider_registered(struct isolation_provider *provider)
{
	struct isolation_provider *p;

	lockdep_assert_held(&isolation_mutex);
	list_for_each_entry(p, &isolation_providers, node)
		if (p == provider)
			return true;
	return false;
}

/**
 * isolation_provider_register() - register a provider of isolation groups
 * @provider: the provider; @provider->name must be set and unique
 *
 * Several providers can be registered at once; each group belongs to
 * exactly one of them.
 *
 * Context: Process context; takes isolation_mutex.
 * Return: 0 on success; -ENODEV if isolation groups failed to initialize;
 * -EINVAL if @provider or its name is missing; -EBUSY if @provider is
 * already registered; -EEXIST if another provider uses the same name.
 */
int isolation_provider_register(struct isolation_provider *provider)
{
	struct isolation_provider *p;
	int ret = 0;

	if (!isolation_kset)
		return -ENODEV;
	if (!provider || !provider->name || !provider->name[0])
		return -EINVAL;

	mutex_lock(&isolation_mutex);
	list_for_each_entry(p, &isolation_providers, node) {
		if (p == provider) {
			ret = -EBUSY;
			goto out_unlock;
		}
		if (!strcmp(p->name, provider->name)) {
			ret = -EEXIST;
			goto out_unlock;
		}
	}
	INIT_LIST_HEAD(&provider->groups);
	list_add_tail(&provider->node, &isolation_providers);
out_unlock:
	mutex_unlock(&isolation_mutex);
	return ret;
}
EXPORT_SYMBOL_GPL(isolation_provider_register);

/* groups */

static bool isolation_name_valid(const char *name)
{
	size_t len;

	if (!name)
		return false;
	len = strnlen(name, ISOLATION_NAME_MAX + 1);
	return len && len <= ISOLATION_NAME_MAX && !strpbrk(name, "/\n");
}

/**
 * isolation_group_alloc() - allocate a new, empty isolation group
 * @provider: registered provider the group belongs to
 * @name: stable name chosen by the provider: at most 64 characters, no
 *	slash or newline, unique among the provider's live groups
 *
 * The group appears as /sys/isolation/<id> with the smallest free id, and a
 * KOBJ_ADD uevent is sent.  It lives as long as references to it exist:
 * this one, one per member device, and those from isolation_group_get().
 *
 * Context: Process context; takes isolation_mutex.
 * Return: the group, holding one reference for the caller, or an ERR_PTR():
 * -EINVAL for a bad name or a provider that is not registered, -EEXIST if
 * the provider already has a group of that name, -ENOMEM, or an error from
 * sysfs.
 */
struct isolation_group *isolation_group_alloc(struct isolation_provider *provider,
					      const char *name)
{
	struct isolation_group *group, *g;
	int ret;

	if (!provider || !isolation_name_valid(name))
		return ERR_PTR(-EINVAL);

	group = kzalloc(sizeof(*group), GFP_KERNEL);
	if (!group)
		return ERR_PTR(-ENOMEM);
	kref_init(&group->ref);
	INIT_LIST_HEAD(&group->devices);
	INIT_LIST_HEAD(&group->provider_node);
	INIT_WORK(&group->release_work, isolation_group_release_work);
	kobject_init(&group->kobj, &isolation_group_ktype);
	group->kobj.kset = isolation_kset;

	ret = -ENOMEM;
	group->name = kstrdup(name, GFP_KERNEL);
	if (!group->name)
		goto err_put_kobj;
	group->provider_name = kstrdup_const(provider->name, GFP_KERNEL);
	if (!group->provider_name)
		goto err_put_kobj;

	ret = ida_alloc(&isolation_ida, GFP_KERNEL);
	if (ret < 0)
		goto err_put_kobj;
	group->id = ret;

	mutex_lock(&isolation_mutex);
	if (!isolation_provider_registered(provider)) {
		ret = -EINVAL;
		goto err_unlock;
	}
	list_for_each_entry(g, &provider->groups, provider_node) {
		if (!strcmp(g->name, name)) {
			ret = -EEXIST;
			goto err_unlock;
		}
	}
	ret = kobject_add(&group->kobj, NULL, "%d", group->id);
	if (ret)
		goto err_unlock;
	group->provider = provider;
	list_add_tail(&group->provider_node, &provider->groups);
	kobject_uevent(&group->kobj, KOBJ_ADD);
	mutex_unlock(&isolation_mutex);
	return group;

err_unlock:
	mutex_unlock(&isolation_mutex);
	ida_free(&isolation_ida, group->id);
err_put_kobj:
	kobject_put(&group->kobj);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_GPL(isolation_group_alloc);

/**
 * isolation_group_get() - get the group of a device
 * @dev: the device
 *
 * Context: Process context, including isolation notifier callbacks; takes
 * isolation_lock, which is not taken with interrupts disabled, so not from
 * interrupt context.
 * Return: @dev's group with a new reference that the caller puts with
 * isolation_group_put(), or NULL if @dev is in no group.
 */
struct isolation_group *isolation_group_get(struct device *dev)
{
	struct isolation_group *group;

	if (!dev)
		return NULL;

	spin_lock(&isolation_lock);
	group = dev->isolation_group;
	if (group)
		kref_get(&group->ref);
	spin_unlock(&isolation_lock);
	return group;
}
EXPORT_SYMBOL_GPL(isolation_group_get);

/* Called by kref_put_mutex() with isolation_mutex held; drops it. */
static void isolation_group_release(struct kref *kref)
{
	struct isolation_group *group =
		container_of(kref, struct isolation_group, ref);
	bool published = group->provider;

	if (published) {
		list_del_init(&group->provider_node);
		group->provider = NULL;
	}
	mutex_unlock(&isolation_mutex);

	if (published)
		isolation_group_unpublish(group);
	/* Only now may another group take the id and its sysfs name. */
	ida_free(&isolation_ida, group->id);
	kobject_put(&group->kobj);
}

/**
 * isolation_group_put() - drop a reference to a group
 * @group: the group, may be NULL
 *
 * When the last reference goes, the group leaves sysfs (with a KOBJ_REMOVE
 * uevent) and its id becomes free for the next group.  A group always has
 * no members by then, because each member holds a reference.
 *
 * Context: Process context; takes isolation_mutex when it drops the last
 * reference, so it must not be called with isolation_mutex held (in
 * particular not from a notifier callback for a reference the callback
 * did not take itself).
 */
void isolation_group_put(struct isolation_group *group)
{
	if (group)
		kref_put_mutex(&group->ref, isolation_group_release,
			       &isolation_mutex);
}
EXPORT_SYMBOL_GPL(isolation_group_put);

/**
 * isolation_group_id() - the id of a group
 * @group: a group the caller holds a reference to
 *
 * Context: Any context.
 * Return: the id, i.e. the directory name under /sys/isolation, or -EINVAL
 * if @group is NULL.
 */
int isolation_group_id(const struct isolation_group *group)
{
	return group ? group->id : -EINVAL;
}
EXPORT_SYMBOL_GPL(isolation_group_id);

/**
 * isolation_group_name() - the provider-given name of a group
 * @group: a group the caller holds a reference to
 *
 * Context: Any context.
 * Return: the name, valid while the reference is held, or NULL if @group
 * is NULL.
 */
const char *isolation_group_name(const struct isolation_group *group)
{
	return group ? group->name : NULL;
}
EXPORT_SYMBOL_GPL(isolation_group_name);

/**
 * isolation_group_provider_name() - the name of a group's provider
 * @group: a group the caller holds a reference to
 *
 * Context: Any context.
 * Return: the name of the provider that allocated @group (still valid
 * after the provider unregistered), or NULL if @group is NULL.
 */
const char *isolation_group_provider_name(const struct isolation_group *group)
{
	return group ? group->provider_name : NULL;
}
EXPORT_SYMBOL_GPL(isolation_group_provider_name);

/* membership */

static bool isolation_link_taken(struct isolation_group *group,
				 const char *link)
{
	struct isolation_member *member;

	list_for_each_entry(member, &group->devices, node)
		if (!strcmp(member->link_name, link))
			return true;
	return false;
}

/*
 * Devices on different buses may share a name; as for iommu groups, the
 * later ones get a ".<n>" suffix in devices/.
 */
static char *isolation_member_link_name(struct isolation_group *group,
					struct device *dev)
{
	const char *name = dev_name(dev);
	unsigned int n = 0;
	char *link;

	lockdep_assert_held(&isolation_mutex);
	link = kstrdup(name, GFP_KERNEL);
	while (link && isolation_link_taken(group, link)) {
		kfree(link);
		link = kasprintf(GFP_KERNEL, "%s.%u", name, ++n);
	}
	return link;
}

/* why a member is in its group: /sys/devices/.../isolation_reason{,_device} */

static const char * const isolation_reason_names[ISOLATION_REASON_MAX] = {
	[ISOLATION_REASON_PROVIDER]	  = "provider",
	[ISOLATION_REASON_BOUNDARY]	  = "boundary",
	[ISOLATION_REASON_DMA_ALIAS]	  = "dma-alias",
	[ISOLATION_REASON_PCI_BRIDGE]	  = "pci-bridge",
	[ISOLATION_REASON_NO_ACS]	  = "no-acs",
	[ISOLATION_REASON_MULTIFUNCTION] = "multifunction",
};

static bool isolation_reason_needs_dev(enum isolation_reason reason)
{
	return reason != ISOLATION_REASON_PROVIDER &&
	       reason != ISOLATION_REASON_BOUNDARY;
}

/*
 * The files are created before the member is published and removed before
 * it is unlinked; what they print is constant while the member exists.
 */
static ssize_t isolation_member_show(struct device *dev, char *buf,
				     bool reason_dev)
{
	struct isolation_member *member;
	ssize_t ret = -ENODEV;

	spin_lock(&isolation_lock);
	member = dev->p->isolation_member;
	if (member && reason_dev)
		ret = sysfs_emit(buf, "%s\n", member->reason_dev ?: "");
	else if (member)
		ret = sysfs_emit(buf, "%s\n",
				 isolation_reason_names[member->reason]);
	spin_unlock(&isolation_lock);
	return ret;
}

static ssize_t isolation_reason_show(struct device *dev,
				     struct device_attribute *attr, char *buf)
{
	return isolation_member_show(dev, buf, false);
}
static DEVICE_ATTR_RO(isolation_reason);

static ssize_t isolation_reason_device_show(struct device *dev,
					    struct device_attribute *attr,
					    char *buf)
{
	return isolation_member_show(dev, buf, true);
}
static DEVICE_ATTR_RO(isolation_reason_device);

static struct attribute *isolation_member_attrs[] = {
	&dev_attr_isolation_reason.attr,
	&dev_attr_isolation_reason_device.attr,
	NULL
};

static const struct attribute_group isolation_member_group = {
	.attrs = isolation_member_attrs,
};

/**
 * isolation_group_add_device() - add a device to a group
 * @group: a live group the caller holds a reference to
 * @dev: a registered device that is in no group
 *
 * Same as isolation_group_add_device_reason() with
 * %ISOLATION_REASON_PROVIDER: for providers that have nothing finer to say.
 *
 * Context: Process context; takes isolation_mutex.  May be called with
 * @dev's device_lock held.
 * Return: as for isolation_group_add_device_reason().
 */
int isolation_group_add_device(struct isolation_group *group,
			       struct device *dev)
{
	return isolation_group_add_device_reason(group, dev,
						 ISOLATION_REASON_PROVIDER,
						 NULL);
}
EXPORT_SYMBOL_GPL(isolation_group_add_device);

/*
 * Make @member, set up and holding its references, visible to the hooks and
 * count the driver its device has.  The barrier orders the store to
 * dev->isolation_group before the load of dev->driver; it pairs with the one
 * in the driver-core hooks (base.h), which store dev->driver before they load
 * the group.  So a driver set before is counted here, and a hook that runs
 * after sees the group and records its driver under isolation_lock: neither
 * a bind is missed nor a driver that left kept.
 */
VISIBLE_IF_KUNIT void isolation_member_publish(struct isolation_member *member)
{
	struct isolation_group *group = member->group;
	struct device *dev = member->dev;

	spin_lock(&isolation_lock);
	list_add_tail(&member->node, &group->devices);
	group->num_devices++;
	dev->p->isolation_member = member;
	WRITE_ONCE(dev->isolation_group, group);
	smp_mb();	/* pairs with the hooks' */
	isolation_member_set_driver(member, READ_ONCE(dev->driver));
	spin_unlock(&isolation_lock);
}
EXPORT_SYMBOL_IF_KUNIT(isolation_member_publish);

/* Undo isolation_member_publish(): the hooks no longer see @member. */
VISIBLE_IF_KUNIT void isolation_member_unpublish(struct isolation_member *member)
{
	struct isolation_group *group = member->group;
	struct device *dev = member->dev;

	spin_lock(&isolation_lock);
	isolation_member_set_driver(member, NULL);
	list_del(&member->node);
	group->num_devices--;
	dev->p->isolation_member = NULL;
	WRITE_ONCE(dev->isolation_group, NULL);
	spin_unlock(&isolation_lock);
}
EXPORT_SYMBOL_IF_KUNIT(isolation_member_unpublish);

/**
 * isolation_group_add_device_reason() - add a device to a group, saying why
 * @group: a live group the caller holds a reference to
 * @dev: a registered device that is in no group
 * @reason: why @dev belongs to @group
 * @reason_dev: the device @reason refers to; NULL for
 *	%ISOLATION_REASON_PROVIDER and %ISOLATION_REASON_BOUNDARY, another
 *	device for every other reason
 *
 * Links /sys/isolation/<id>/devices/<dev> and the device's isolation_group
 * attribute, creates the device's isolation_reason and
 * isolation_reason_device attributes, takes a reference on @group and one
 * on @dev, and sends %ISOLATION_NOTIFY_ADD_DEVICE.  Only the name of
 * @reason_dev is kept: it need not stay registered, nor be in @group.
 *
 * Context: Process context; takes isolation_mutex.  May be called with
 * @dev's device_lock held.
 * Return: 0 on success; -EINVAL for a NULL @group or @dev, an unknown
 * @reason, or a @reason_dev that does not fit @reason; -EBUSY if @dev is
 * already in a group (this one or another); -ENODEV if @dev is not
 * registered or @group's provider has been unregistered; -ENOMEM, or an
 * error from sysfs.  On error nothing has changed.
 */
int isolation_group_add_device_reason(struct isolation_group *group,
				      struct device *dev,
				      enum isolation_reason reason,
				      struct device *reason_dev)
{
	struct isolation_member *member;
	int ret;

	if (!group || !dev || (unsigned int)reason >= ISOLATION_REASON_MAX)
		return -EINVAL;
	if (isolation_reason_needs_dev(reason) ?
	    !reason_dev || reason_dev == dev : !!reason_dev)
		return -EINVAL;

	member = kzalloc(sizeof(*member), GFP_KERNEL);
	if (!member)
		return -ENOMEM;
	member->reason = reason;
	if (reason_dev) {
		member->reason_dev = kstrdup(dev_name(reason_dev), GFP_KERNEL);
		if (!member->reason_dev) {
			ret = -ENOMEM;
			goto err_free_member;
		}
	}

	mutex_lock(&isolation_mutex);
	if (dev->isolation_group) {
		ret = -EBUSY;
		goto err_unlock;
	}
	/*
	 * device_del() marks the device dead before it calls
	 * isolation_device_del(), which takes isolation_mutex: either that
	 * sees this member, or this sees the mark.
	 */
	if (!group->provider || !device_is_registered(dev) || dev->p->dead) {
		ret = -ENODEV;
		goto err_unlock;
	}
	member->link_name = isolation_member_link_name(group, dev);
	if (!member->link_name) {
		ret = -ENOMEM;
		goto err_unlock;
	}
	ret = sysfs_create_link(&dev->kobj, &group->kobj, "isolation_group");
	if (ret)
		goto err_free_link_name;
	ret = sysfs_add_link_to_group(&group->kobj, "devices", &dev->kobj,
				      member->link_name);
	if (ret)
		goto err_remove_device_link;
	ret = sysfs_create_group(&dev->kobj, &isolation_member_group);
	if (ret)
		goto err_remove_group_link;

	kref_get(&group->ref);
	member->group = group;
	member->dev = get_device(dev);
	isolation_member_publish(member);
	isolation_notify(ISOLATION_NOTIFY_ADD_DEVICE, group, dev, NULL);
	isolation_group_report(group, NULL);
	mutex_unlock(&isolation_mutex);
	return 0;

err_remove_group_link:
	sysfs_remove_link_from_group(&group->kobj, "devices", member->link_name);
err_remove_device_link:
	sysfs_remove_link(&dev->kobj, "isolation_group");
err_free_link_name:
	kfree(member->link_name);
err_unlock:
	mutex_unlock(&isolation_mutex);
	kfree(member->reason_dev);
err_free_member:
	kfree(member);
	return ret;
}
EXPORT_SYMBOL_GPL(isolation_group_add_device_reason);

static struct isolation_member *isolation_find_member(struct isolation_group *group,
						      struct device *dev)
{
	struct isolation_member *member;

	list_for_each_entry(member, &group->devices, node)
		if (member->dev == dev)
			return member;
	return NULL;
}

/* Take @member out of its group; isolation_member_free() finishes. */
static void isolation_member_unlink(struct isolation_member *member)
{
	struct isolation_group *group = member->group;
	struct device *dev = member->dev;

	lockdep_assert_held(&isolation_mutex);
	isolation_notify(ISOLATION_NOTIFY_DEL_DEVICE, group, dev, NULL);
	sysfs_remove_group(&dev->kobj, &isolation_member_group);
	sysfs_remove_link_from_group(&group->kobj, "devices", member->link_name);
	sysfs_remove_link(&dev->kobj, "isolation_group");
	isolation_member_unpublish(member);
	/* Losing its last host-bound member locks a managed group. */
	isolation_group_report(group, NULL);
}

/* Drop what an unlinked member held; called without isolation_mutex. */
static void isolation_member_free(struct isolation_member *member)
{
	put_device(member->dev);
	isolation_group_put(member->group);
	kfree(member->link_name);
	kfree(member->reason_dev);
	kfree(member);
}

/**
 * isolation_group_remove_device() - remove a device from its group
 * @dev: the device
 *
 * Sends %ISOLATION_NOTIFY_DEL_DEVICE, removes both sysfs links and drops
 * the references that membership held.  If @dev was the last member and
 * nobody else holds a reference, the group goes away.  device_del() calls
 * this for every device still in a group.
 *
 * Context: Process context; takes isolation_mutex.  May be called with
 * @dev's device_lock held.
 * Return: 0 on success, -EINVAL if @dev is NULL, -ENODEV if @dev is in no
 * group.
 */
int isolation_group_remove_device(struct device *dev)
{
	struct isolation_member *member;

	if (!dev)
		return -EINVAL;

	mutex_lock(&isolation_mutex);
	if (!dev->isolation_group) {
		mutex_unlock(&isolation_mutex);
		return -ENODEV;
	}
	member = isolation_find_member(dev->isolation_group, dev);
	if (WARN_ON_ONCE(!member)) {
		mutex_unlock(&isolation_mutex);
		return -ENODEV;
	}
	isolation_member_unlink(member);
	mutex_unlock(&isolation_mutex);

	isolation_member_free(member);
	return 0;
}
EXPORT_SYMBOL_GPL(isolation_group_remove_device);

/**
 * isolation_device_reason() - why a device is in its group
 * @dev: the device
 * @reason_dev: buffer for the name of the device the reason refers to; an
 *	empty string if there is none.  May be NULL if @size is 0.
 * @size: size of @reason_dev
 *
 * Context: Process context; takes isolation_mutex.
 * Return: the &enum isolation_reason given when @dev was added, -EINVAL if
 * @dev is NULL, -ENODEV if @dev is in no group, or -EOVERFLOW if the name
 * does not fit in @size bytes (the reason is not returned then).
 */
int isolation_device_reason(struct device *dev, char *reason_dev, size_t size)
{
	struct isolation_member *member;
	int ret;

	if (!dev)
		return -EINVAL;

	mutex_lock(&isolation_mutex);
	member = dev->isolation_group ? dev->p->isolation_member : NULL;
	if (!member) {
		ret = -ENODEV;
		goto out_unlock;
	}
	ret = member->reason;
	if (size && strscpy(reason_dev, member->reason_dev ?: "", size) < 0)
		ret = -EOVERFLOW;
	else if (!size && member->reason_dev)
		ret = -EOVERFLOW;
out_unlock:
	mutex_unlock(&isolation_mutex);
	return ret;
}
EXPORT_SYMBOL_GPL(isolation_device_reason);

/* managers */

/* @mgr as registered, or NULL; drivers point to their manager as const. */
static struct isolation_manager *
isolation_manager_registered(const struct isolation_manager *mgr)
{
	struct isolation_manager *m;

	lockdep_assert_held(&isolation_mutex);
	list_for_each_entry(m, &isolation_managers, node)
		if (m == mgr)
			return m;
	return NULL;
}

/*
 * Take @group's manager away, if it has one, and announce it; returns the
 * manager it had.  The caller re-probes the devices left without a driver.
 */
static struct isolation_manager *
isolation_group_drop_manager(struct isolation_group *group)
{
	struct isolation_manager *old;

	lockdep_assert_held(&isolation_mutex);
	spin_lock(&isolation_lock);
	old = group->manager;
	WRITE_ONCE(group->manager, NULL);
	WRITE_ONCE(group->implicit, false);
	isolation_group_recount(group);
	spin_unlock(&isolation_lock);
	if (old) {
		isolation_notify(ISOLATION_NOTIFY_CLEAR_MANAGER, group, NULL, old);
		isolation_group_report(group, old);
	}
	return old;
}

/*
 * The members of @group, each with a reference, for work that must run
 * without isolation_mutex (anything taking device_lock()).  Free with
 * isolation_put_devices().
 */
static int isolation_group_snapshot(struct isolation_group *group,
				    struct device ***devs, unsigned int *n)
{
	struct isolation_member *member;
	unsigned int i = 0;

	mutex_lock(&isolation_mutex);
	*devs = kcalloc(max(group->num_devices, 1U), sizeof(**devs), GFP_KERNEL);
	if (!*devs) {
		mutex_unlock(&isolation_mutex);
		return -ENOMEM;
	}
	list_for_each_entry(member, &group->devices, node)
		(*devs)[i++] = get_device(member->dev);
	mutex_unlock(&isolation_mutex);
	*n = i;
	return 0;
}

static void isolation_put_devices(struct device **devs, unsigned int n)
{
	while (n--)
		put_device(devs[n]);
	kfree(devs);
}

static DEFINE_MUTEX(isolation_reprobe_mutex);

/*
 * Let drivers probe the members of @group that have none.  It walks the
 * members one at a time, each step under isolation_mutex and the probe
 * without it, so it allocates nothing and cannot fail: a rollback that
 * relies on it restores every driver.  Members that join during the walk
 * are probed as well, members that leave are skipped.  With @skip_held,
 * so are the members that one of the last manager's drivers left: whoever
 * unbound it decides what binds next (an override may still name the
 * manager's driver).
 */
static void isolation_group_reprobe(struct isolation_group *group,
				    bool skip_held)
{
	struct isolation_member *member;
	struct device *dev;
	unsigned long gen;

	mutex_lock(&isolation_reprobe_mutex);
	gen = ++group->reprobe_gen;
	for (;;) {
		dev = NULL;
		mutex_lock(&isolation_mutex);
		list_for_each_entry(member, &group->devices, node) {
			if (member->reprobe_gen != gen) {
				member->reprobe_gen = gen;
				if (skip_held && READ_ONCE(member->held))
					continue;
				dev = get_device(member->dev);
				break;
			}
		}
		mutex_unlock(&isolation_mutex);
		if (!dev)
			break;
		if (device_attach(dev) < 0)
			dev_dbg(dev, "isolation: re-probe failed\n");
		put_device(dev);
	}
	mutex_unlock(&isolation_reprobe_mutex);
}

/*
 * Let @mgr undo what its &isolation_manager.take_device did to @group's
 * members, one at a time, without isolation_mutex: cannot fail.
 */
static void isolation_group_return_devices(struct isolation_group *group,
					   struct isolation_manager *mgr)
{
	struct isolation_member *member;
	struct device *dev;

	for (;;) {
		dev = NULL;
		mutex_lock(&isolation_mutex);
		list_for_each_entry(member, &group->devices, node) {
			if (member->taken) {
				member->taken = false;
				dev = get_device(member->dev);
				break;
			}
		}
		mutex_unlock(&isolation_mutex);
		if (!dev)
			break;
		if (mgr->return_device)
			mgr->return_device(dev);
		put_device(dev);
	}
}

/* Remember that @mgr's take_device prepared @dev, a member of @group. */
static void isolation_mark_taken(struct isolation_group *group,
				 struct isolation_manager *mgr,
				 struct device *dev)
{
	struct isolation_member *member;
	bool left;

	mutex_lock(&isolation_mutex);
	member = dev->p->isolation_member;
	left = !member || member->group != group;
	if (!left)
		member->taken = true;
	mutex_unlock(&isolation_mutex);
	/* It left the group meanwhile: nobody else will undo it. */
	if (left && mgr->return_device)
		mgr->return_device(dev);
}

/*
 * Give back a group that its manager took when one of its drivers bound,
 * once the last of them has left; queued by the driver-core hooks, which
 * hold a device lock and so cannot probe.
 */
static void isolation_group_release_work(struct work_struct *work)
{
	struct isolation_group *group =
		container_of(work, struct isolation_group, release_work);
	struct isolation_manager *mgr = NULL;

	mutex_lock(&isolation_handover_mutex);
	mutex_lock(&isolation_mutex);
	spin_lock(&isolation_lock);
	if (group->implicit && !group->claimed)
		mgr = group->manager;
	spin_unlock(&isolation_lock);
	if (mgr && try_module_get(mgr->owner))
		isolation_group_drop_manager(group);
	else
		mgr = NULL;
	mutex_unlock(&isolation_mutex);
	if (mgr) {
		isolation_group_return_devices(group, mgr);
		isolation_group_reprobe(group, true);
		module_put(mgr->owner);
	}
	mutex_unlock(&isolation_handover_mutex);
	isolation_group_put(group);
}

/**
 * isolation_manager_register() - register a manager of isolation groups
 * @mgr: the manager; @mgr->name must be set and unique
 *
 * Context: Process context; takes isolation_mutex.
 * Return: 0 on success; -ENODEV if isolation groups failed to initialize;
 * -EINVAL if @mgr or its name is missing or the name is not a valid
 * sysfs word (at most 64 printable characters, no space or slash);
 * -EBUSY if @mgr is registered already; -EEXIST if another manager uses
 * the name.
 */
int isolation_manager_register(struct isolation_manager *mgr)
{
	struct isolation_manager *m;
	const char *c;
	int ret = 0;

	if (!isolation_kset)
		return -ENODEV;
	if (!mgr || !isolation_name_valid(mgr->name))
		return -EINVAL;
	for (c = mgr->name; *c; c++)
		if (!isgraph(*c))
			return -EINVAL;

	mutex_lock(&isolation_mutex);
	list_for_each_entry(m, &isolation_managers, node) {
		if (m == mgr) {
			ret = -EBUSY;
			goto out_unlock;
		}
		if (!strcmp(m->name, mgr->name)) {
			ret = -EEXIST;
			goto out_unlock;
		}
	}
	list_add_tail(&mgr->node, &isolation_managers);
out_unlock:
	mutex_unlock(&isolation_mutex);
	return ret;
}
EXPORT_SYMBOL_GPL(isolation_manager_register);

/* A group of some provider that @mgr manages, with a reference, or NULL. */
static struct isolation_group *isolation_find_managed(struct isolation_manager *mgr)
{
	struct isolation_provider *p;
	struct isolation_group *group;

	lockdep_assert_held(&isolation_mutex);
	list_for_each_entry(p, &isolation_providers, node) {
		list_for_each_entry(group, &p->groups, provider_node) {
			if (READ_ONCE(group->manager) == mgr) {
				kref_get(&group->ref);
				return group;
			}
		}
	}
	return NULL;
}

/**
 * isolation_manager_unregister() - unregister a manager
 * @mgr: a manager registered with isolation_manager_register()
 *
 * Clears @mgr from every group it manages, as isolation_group_clear_manager()
 * would, so those groups unlock and their driverless devices are probed
 * again.
 *
 * Context: Process context; takes isolation_mutex and the device locks of
 * the members of the groups it clears.
 */
void isolation_manager_unregister(struct isolation_manager *mgr)
{
	struct isolation_group *group;

	if (!mgr)
		return;

	mutex_lock(&isolation_mutex);
	if (WARN_ON_ONCE(!isolation_manager_registered(mgr))) {
		mutex_unlock(&isolation_mutex);
		return;
	}
	list_del(&mgr->node);
	/* Unregistered, it can take no new group; release the ones it has. */
	while ((group = isolation_find_managed(mgr))) {
		isolation_group_drop_manager(group);
		mutex_unlock(&isolation_mutex);
		isolation_group_return_devices(group, mgr);
		isolation_group_reprobe(group, false);
		isolation_group_put(group);
		mutex_lock(&isolation_mutex);
	}
	mutex_unlock(&isolation_mutex);
}
EXPORT_SYMBOL_GPL(isolation_manager_unregister);

/**
 * isolation_group_set_manager() - make a manager take a group over
 * @group: a group the caller holds a reference to
 * @mgr: a registered manager
 *
 * From now on only @mgr's drivers match the group's devices.  Drivers
 * already bound stay bound; the group is locked once none but @mgr's are
 * (isolation_group_handover() unbinds them).  Sends
 * %ISOLATION_NOTIFY_SET_MANAGER, and %ISOLATION_NOTIFY_LOCKED with a
 * KOBJ_CHANGE uevent if the group is locked at once.
 *
 * Context: Process context; takes isolation_mutex.
 * Return: 0 on success; -EINVAL for a NULL argument or an unregistered
 * manager; -ENODEV if the group's provider is gone; -EBUSY if the group
 * has a manager already, @mgr included.
 */
int isolation_group_set_manager(struct isolation_group *group,
				struct isolation_manager *mgr)
{
	int ret = 0;

	if (!group || !mgr)
		return -EINVAL;

	mutex_lock(&isolation_mutex);
	if (!isolation_manager_registered(mgr)) {
		ret = -EINVAL;
		goto out_unlock;
	}
	if (!group->provider) {
		ret = -ENODEV;
		goto out_unlock;
	}
	spin_lock(&isolation_lock);
	if (group->manager) {
		ret = -EBUSY;
	} else {
		WRITE_ONCE(group->manager, mgr);
		isolation_group_recount(group);
	}
	spin_unlock(&isolation_lock);
	if (!ret) {
		isolation_notify(ISOLATION_NOTIFY_SET_MANAGER, group, NULL, mgr);
		isolation_group_report(group, NULL);
	}
out_unlock:
	mutex_unlock(&isolation_mutex);
	return ret;
}
EXPORT_SYMBOL_GPL(isolation_group_set_manager);

/**
 * isolation_group_clear_manager() - give a group back
 * @group: a group the caller holds a reference to
 * @mgr: the group's manager
 *
 * The group unlocks, every driver may match its devices again, and the
 * devices left without a driver are probed.  Sends
 * %ISOLATION_NOTIFY_CLEAR_MANAGER and, if it was locked,
 * %ISOLATION_NOTIFY_UNLOCKED with a KOBJ_CHANGE uevent.
 *
 * Context: Process context; takes isolation_mutex, then the device locks
 * of the group's devices to probe them.
 * Return: 0 on success; -EINVAL for a NULL argument; -ENOENT if the group
 * has no manager; -EPERM if its manager is not @mgr.
 */
int isolation_group_clear_manager(struct isolation_group *group,
				  struct isolation_manager *mgr)
{
	struct isolation_manager *cur;

	if (!group || !mgr)
		return -EINVAL;

	mutex_lock(&isolation_mutex);
	cur = READ_ONCE(group->manager);
	if (cur != mgr) {
		mutex_unlock(&isolation_mutex);
		return cur ? -EPERM : -ENOENT;
	}
	isolation_group_drop_manager(group);
	mutex_unlock(&isolation_mutex);

	isolation_group_return_devices(group, mgr);
	isolation_group_reprobe(group, false);
	return 0;
}
EXPORT_SYMBOL_GPL(isolation_group_clear_manager);

/*
 * Unbind @dev's driver unless it is @mgr's, and say so in @released; fails
 * if a host driver stays bound: one that was bound again meanwhile (through
 * its bind file, a rescan), or that fail_isolation pretends was.
 */
static int isolation_release_host_driver(struct device *dev,
					 struct isolation_manager *mgr,
					 bool *released)
{
	const struct device_driver *drv;
	int ret;

	drv = READ_ONCE(dev->driver);
	if (drv && !isolation_mgr_accepts(mgr, dev, drv)) {
		device_release_driver(dev);
		*released = true;
	}

	device_lock(dev);
	drv = dev->driver;
	ret = drv && !isolation_mgr_accepts(mgr, dev, drv) ? -EBUSY : 0;
	device_unlock(dev);
	if (!ret && should_fail(&fail_isolation, 1))
		ret = -EBUSY;
	return ret;
}

/* Can @dev's driver, if it is a host driver, be unbound at all? */
static bool isolation_host_driver_pinned(struct device *dev,
					 struct isolation_manager *mgr)
{
	const struct device_driver *drv;
	bool pinned;

	device_lock(dev);
	drv = dev->driver;
	pinned = drv && !isolation_mgr_accepts(mgr, dev, drv) &&
		 drv->suppress_bind_attrs;
	device_unlock(dev);
	if (pinned)
		dev_warn(dev, "isolation: driver %s cannot be unbound\n",
			 drv->name);
	return pinned;
}

/*
 * Is @group @mgr's and locked?  Anything may have run while the handover
 * probed without locks: the manager cleared or unregistered, the provider
 * gone, a device with a host driver added.
 */
static int isolation_group_handed_over(struct isolation_group *group,
				       struct isolation_manager *mgr)
{
	int ret = 0;

	mutex_lock(&isolation_mutex);
	spin_lock(&isolation_lock);
	if (!group->provider)
		ret = -ENODEV;
	else if (group->manager != mgr || !isolation_group_is_locked(group))
		ret = -EBUSY;
	spin_unlock(&isolation_lock);
	mutex_unlock(&isolation_mutex);
	return ret;
}

/**
 * isolation_group_handover() - hand a whole group over to a manager
 * @group: a group the caller holds a reference to
 * @mgr: a registered manager
 *
 * Sets @mgr as the group's manager, unbinds every driver of the group's
 * devices that is not @mgr's, and probes the devices again so that @mgr's
 * drivers bind.  All or nothing: if a device cannot be released (its
 * driver suppresses unbinding, or it stays bound), nothing has changed
 * when this returns: the group loses the manager this call gave it and the
 * devices that were unbound are probed by their host drivers again.  A
 * group @mgr already manages is completed, but then keeps @mgr on failure.
 *
 * Context: Process context; takes isolation_mutex and the device locks of
 * the group's devices.  Not from a notifier callback or with a device lock
 * held.
 * Return: 0 when, at the end of the call, the group is @mgr's and locked:
 * no host driver is bound or probing.  -EINVAL for a NULL argument or an
 * unregistered manager; -ENODEV if the group's provider is gone, before or
 * during the call; -EBUSY if another manager has the group, a device cannot
 * be released, or the group is not locked at the end (a device that joined
 * with a host driver bound, the manager cleared meanwhile); -ENOMEM.
 */
int isolation_group_handover(struct isolation_group *group,
			     struct isolation_manager *mgr)
{
	bool set_here = false, *released;
	struct device **devs;
	unsigned int i, n;
	int ret;

	if (!group || !mgr)
		return -EINVAL;

	mutex_lock(&isolation_handover_mutex);
	ret = isolation_group_set_manager(group, mgr);
	if (!ret)
		set_here = true;
	else if (ret == -EBUSY && isolation_group_manager(group) == mgr)
		ret = 0;
	if (ret)
		goto out_unlock;
	/* Handed over, it stays @mgr's when @mgr's last driver leaves. */
	spin_lock(&isolation_lock);
	WRITE_ONCE(group->implicit, false);
	spin_unlock(&isolation_lock);

	ret = isolation_group_snapshot(group, &devs, &n);
	if (ret)
		goto err_clear_manager;
	/* Which devices this call took from their host drivers. */
	released = kcalloc(max(n, 1U), sizeof(*released), GFP_KERNEL);
	if (!released) {
		ret = -ENOMEM;
		goto err_put_devices;
	}

	/* Refuse before anything changes if a host driver cannot be unbound. */
	for (i = 0; i < n; i++) {
		if (isolation_host_driver_pinned(devs[i], mgr)) {
			ret = -EBUSY;
			goto err_restore;
		}
	}
	for (i = 0; i < n; i++) {
		ret = isolation_release_host_driver(devs[i], mgr, &released[i]);
		if (ret) {
			dev_warn(devs[i], "isolation: cannot release for %s: %d\n",
				 mgr->name, ret);
			goto err_restore;
		}
	}
	/* Let @mgr make its drivers match the devices left without one. */
	for (i = 0; i < n && mgr->take_device; i++) {
		if (READ_ONCE(devs[i]->driver))
			continue;
		ret = mgr->take_device(devs[i]);
		if (ret < 0) {
			dev_warn(devs[i], "isolation: %s cannot take it: %d\n",
				 mgr->name, ret);
			goto err_restore;
		}
		if (ret)
			isolation_mark_taken(group, mgr, devs[i]);
	}
	/* Now only @mgr's drivers match: let them bind. */
	for (i = 0; i < n; i++)
		if (device_attach(devs[i]) < 0)
			dev_dbg(devs[i], "isolation: no %s driver bound\n",
				mgr->name);

	ret = isolation_group_handed_over(group, mgr);
	if (ret)
		goto err_restore;
	kfree(released);
	isolation_put_devices(devs, n);
	mutex_unlock(&isolation_handover_mutex);
	return 0;

err_restore:
	/* What this call bound instead of a host driver goes again. */
	for (i = 0; i < n; i++) {
		const struct device_driver *drv = READ_ONCE(devs[i]->driver);

		if (released[i] && drv && drv->isolation_manager == mgr)
			device_release_driver(devs[i]);
	}
	kfree(released);
err_put_devices:
	isolation_put_devices(devs, n);
err_clear_manager:
	/* Clearing probes the released devices: their host drivers return. */
	if (set_here)
		isolation_group_clear_manager(group, mgr);
out_unlock:
	mutex_unlock(&isolation_handover_mutex);
	return ret;
}
EXPORT_SYMBOL_GPL(isolation_group_handover);

/*
 * Writing an empty line gives the group back.  Refused with -EBUSY while
 * the manager says that a user holds the group.  Otherwise the manager's
 * drivers are unbound, what its take_device did is undone, and the devices
 * are probed again, so that their host drivers return.
 */
static int isolation_group_give_back(struct isolation_group *group)
{
	struct isolation_manager *mgr;
	struct device **devs;
	unsigned int i, n;
	int ret;

	ret = isolation_group_snapshot(group, &devs, &n);
	if (ret)
		return ret;
	mutex_lock(&isolation_handover_mutex);
	mutex_lock(&isolation_mutex);
	mgr = group->manager;
	if (mgr && !try_module_get(mgr->owner))
		ret = -EBUSY;	/* going away: its unregistration gives back */
	mutex_unlock(&isolation_mutex);
	if (!mgr || ret)
		goto out_unlock;
	/* Asked without locks: a manager's own may depend on device_del(). */
	for (i = 0; i < n && mgr->busy; i++) {
		if (mgr->busy(devs[i])) {
			ret = -EBUSY;
			goto out_put_mgr;
		}
	}

	mutex_lock(&isolation_mutex);
	if (group->manager == mgr)
		isolation_group_drop_manager(group);
	mutex_unlock(&isolation_mutex);
	for (i = 0; i < n; i++) {
		const struct device_driver *drv = READ_ONCE(devs[i]->driver);

		if (drv && drv->isolation_manager == mgr)
			device_release_driver(devs[i]);
	}
	isolation_group_return_devices(group, mgr);
	isolation_group_reprobe(group, false);
out_put_mgr:
	module_put(mgr->owner);
out_unlock:
	mutex_unlock(&isolation_handover_mutex);
	isolation_put_devices(devs, n);
	return ret;
}

/**
 * isolation_group_manager() - the manager of a group
 * @group: a group the caller holds a reference to
 *
 * Context: Process context; takes isolation_lock (not from interrupt
 * context).
 * Return: the manager, or NULL if the group has none or @group is NULL.
 */
struct isolation_manager *isolation_group_manager(struct isolation_group *group)
{
	struct isolation_manager *mgr;

	if (!group)
		return NULL;
	spin_lock(&isolation_lock);
	mgr = group->manager;
	spin_unlock(&isolation_lock);
	return mgr;
}
EXPORT_SYMBOL_GPL(isolation_group_manager);

/**
 * isolation_group_locked() - is a group under its manager's control?
 * @group: a group the caller holds a reference to
 *
 * A group is locked when it has a manager and each of its devices is bound
 * to a driver of that manager or to none, no other driver being in probe.
 * It stays locked while devices come and go, since newcomers can only bind
 * the manager's drivers, and unlocks when the manager is cleared.  O(1).
 *
 * Context: Process context; takes isolation_lock (not from interrupt
 * context).
 * Return: true if locked; false if not or @group is NULL.
 */
bool isolation_group_locked(struct isolation_group *group)
{
	bool locked;

	if (!group)
		return false;
	spin_lock(&isolation_lock);
	locked = isolation_group_is_locked(group);
	spin_unlock(&isolation_lock);
	return locked;
}
EXPORT_SYMBOL_GPL(isolation_group_locked);

/**
 * isolation_device_locked_by() - is a device's group locked under a manager?
 * @dev: the device
 * @mgr: the manager
 *
 * For a manager's checks before it lets a user at @dev (VFIO's viability):
 * takes no reference and no mutex, so it may be called under the locks of
 * other subsystems.  The answer holds while @mgr's drivers stay bound.
 *
 * Context: Process context; takes isolation_lock (not from interrupt
 * context).
 * Return: -ENODEV if @dev is in no group; 1 if its group has @mgr as its
 * manager and is locked; 0 otherwise.
 */
int isolation_device_locked_by(struct device *dev,
			       const struct isolation_manager *mgr)
{
	struct isolation_member *member;
	int ret = -ENODEV;

	spin_lock(&isolation_lock);
	member = dev->p ? dev->p->isolation_member : NULL;
	if (member)
		ret = member->group->manager == mgr &&
		      isolation_group_is_locked(member->group);
	spin_unlock(&isolation_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(isolation_device_locked_by);

/**
 * isolation_provider_unregister() - unregister a provider and its groups
 * @provider: a provider registered with isolation_provider_register()
 *
 * Every device is removed from every group of @provider, and the groups
 * leave sysfs.  References to those groups stay valid until they are put,
 * but the groups are empty and can no longer gain devices.  References the
 * provider itself still holds must be put by it, before or after this call.
 *
 * Context: Process context; takes isolation_mutex.  Must not be called from
 * an isolation notifier callback.
 */
void isolation_provider_unregister(struct isolation_provider *provider)
{
	struct isolation_group *group, *next;
	struct isolation_member *member, *mnext;
	LIST_HEAD(groups);
	LIST_HEAD(members);

	if (!provider)
		return;

	mutex_lock(&isolation_mutex);
	if (WARN_ON_ONCE(!isolation_provider_registered(provider))) {
		mutex_unlock(&isolation_mutex);
		return;
	}
	list_del(&provider->node);
	list_for_each_entry_safe(group, next, &provider->groups, provider_node) {
		/* Keeps the group alive until it has left sysfs below. */
		kref_get(&group->ref);
		list_for_each_entry_safe(member, mnext, &group->devices, node) {
			isolation_member_unlink(member);
			list_add_tail(&member->node, &members);
		}
		isolation_group_drop_manager(group);
		group->provider = NULL;
		list_move_tail(&group->provider_node, &groups);
	}
	mutex_unlock(&isolation_mutex);

	list_for_each_entry_safe(member, mnext, &members, node)
		isolation_member_free(member);
	list_for_each_entry_safe(group, next, &groups, provider_node) {
		list_del_init(&group->provider_node);
		isolation_group_unpublish(group);
		isolation_group_put(group);
	}
}
EXPORT_SYMBOL_GPL(isolation_provider_unregister);

/**
 * isolation_group_for_each() - call a function for each member device
 * @group: a group the caller holds a reference to
 * @data: passed to @fn
 * @fn: called for each device in the order they were added; a non-zero
 *	return value stops the walk
 *
 * Membership cannot change during the walk.
 *
 * Context: Process context; takes isolation_mutex, so @fn must not add or
 * remove devices, allocate or put groups, or register providers.
 * Return: 0 if @fn returned 0 for every device, the first non-zero value
 * it returned otherwise, or -EINVAL for a NULL @group or @fn.
 */
int isolation_group_for_each(struct isolation_group *group, void *data,
			     int (*fn)(struct device *dev, void *data))
{
	struct isolation_member *member;
	int ret = 0;

	if (!group || !fn)
		return -EINVAL;

	mutex_lock(&isolation_mutex);
	list_for_each_entry(member, &group->devices, node) {
		ret = fn(member->dev, data);
		if (ret)
			break;
	}
	mutex_unlock(&isolation_mutex);
	return ret;
}
EXPORT_SYMBOL_GPL(isolation_group_for_each);

/* notifier */

/**
 * isolation_register_notifier() - get told about isolation group events
 * @nb: notifier block; its callback gets an &enum isolation_notify_event
 *	and a &struct isolation_notifier_data
 *
 * Callbacks run in process context with isolation_mutex held, in the order
 * the changes were made.  %ISOLATION_NOTIFY_ADD_DEVICE and
 * %ISOLATION_NOTIFY_DEL_DEVICE also run with the locks the provider holds
 * while it adds or removes the device: for intel-iommu, the IOMMU core's
 * iommu_probe_device_lock and the mutex of the device's IOMMU group.  They
 * may use isolation_group_get(), the accessors, and put the references they
 * took, but must not change groups or membership, take a device_lock(), or
 * call into the IOMMU core.
 *
 * Context: Process context.
 * Return: 0 on success, -EEXIST if @nb is already registered.
 */
int isolation_register_notifier(struct notifier_block *nb)
{
	return blocking_notifier_chain_register(&isolation_notifier, nb);
}
EXPORT_SYMBOL_GPL(isolation_register_notifier);

/**
 * isolation_unregister_notifier() - stop getting isolation group events
 * @nb: a notifier block registered with isolation_register_notifier()
 *
 * Context: Process context; not from a notifier callback.
 * Return: 0 on success, -ENOENT if @nb was not registered.
 */
int isolation_unregister_notifier(struct notifier_block *nb)
{
	return blocking_notifier_chain_unregister(&isolation_notifier, nb);
}
EXPORT_SYMBOL_GPL(isolation_unregister_notifier);

/* driver core hooks */

/*
 * The manager of @dev's group, or NULL; only to compare, never to use.  Read
 * without isolation_lock, under RCU, which keeps the group's memory: the
 * hooks call this after they changed dev->driver and issued a full barrier
 * (base.h), which pairs with the one in isolation_group_recount().
 */
static const struct isolation_manager *
isolation_device_manager(struct device *dev)
{
	const struct isolation_manager *mgr = NULL;
	struct isolation_group *group;

	rcu_read_lock();
	group = READ_ONCE(dev->isolation_group);
	if (group)
		mgr = READ_ONCE(group->manager);
	rcu_read_unlock();
	return mgr;
}

/*
 * A driver of a manager that takes groups on bind probes @dev: if @dev's
 * group has no manager, that manager takes it, implicitly.  Runs before the
 * probe is recorded, so the group holds from then on.
 */
static void isolation_take_on_bind(struct device *dev,
				   const struct device_driver *drv)
{
	struct isolation_manager *mgr;
	struct isolation_group *group;

	if (!drv->isolation_manager || !drv->isolation_manager->take_on_bind ||
	    !READ_ONCE(dev->isolation_group))
		return;

	mutex_lock(&isolation_mutex);
	group = dev->isolation_group;
	mgr = isolation_manager_registered(drv->isolation_manager);
	if (!group || !group->provider || !mgr)
		goto out_unlock;
	spin_lock(&isolation_lock);
	if (group->manager) {
		spin_unlock(&isolation_lock);
		goto out_unlock;
	}
	WRITE_ONCE(group->manager, mgr);
	WRITE_ONCE(group->implicit, true);
	isolation_group_recount(group);
	spin_unlock(&isolation_lock);
	isolation_notify(ISOLATION_NOTIFY_SET_MANAGER, group, NULL, mgr);
	isolation_group_report(group, NULL);
out_unlock:
	mutex_unlock(&isolation_mutex);
}

/*
 * Record @drv, or no driver, as @dev's; with @probe, refuse a driver that
 * is not the manager's.  Announces a change of the locked state.
 */
static int isolation_track_driver(struct device *dev,
				  const struct device_driver *drv, bool probe)
{
	struct isolation_group *report = NULL, *release = NULL, *group;
	struct isolation_member *member;
	bool was;
	int ret = 0;

	/* An unmanaged group keeps no record: nothing shared is touched. */
	if (!isolation_device_manager(dev))
		return 0;

	spin_lock(&isolation_lock);
	member = dev->p->isolation_member;
	if (!member)
		goto out_unlock;
	group = member->group;
	/* Cleared meanwhile: the next manager records the drivers afresh. */
	if (!group->manager)
		goto out_unlock;
	if (probe && isolation_group_holds(group) &&
	    !isolation_claims(group, dev, drv)) {
		/* Drop what an earlier attempt of this probe reserved. */
		drv = NULL;
		ret = -EBUSY;
	}
	if (member->drv == drv)
		goto out_unlock;
	was = isolation_group_is_locked(group);
	isolation_member_set_driver(member, drv);
	if (was != isolation_group_is_locked(group)) {
		kref_get(&group->ref);
		report = group;
	}
	/* The last of an implicit manager's drivers left: give it back. */
	if (group->implicit && !group->claimed) {
		kref_get(&group->ref);
		release = group;
	}
out_unlock:
	spin_unlock(&isolation_lock);

	if (release && !queue_work(system_unbound_wq, &release->release_work))
		isolation_group_put(release);

	if (report) {
		mutex_lock(&isolation_mutex);
		isolation_group_report(report, NULL);
		mutex_unlock(&isolation_mutex);
		isolation_group_put(report);
	}
	return ret;
}

/**
 * __isolation_driver_may_match() - may a driver match a grouped device?
 * @drv: the driver
 * @dev: a device in a group
 *
 * Called by driver_match_device() before the bus's match.  Takes no lock:
 * __isolation_probe_begin() checks again before the driver can probe.
 *
 * Context: Any context.
 * Return: false if @dev's group has a manager and @drv is not its driver.
 */
bool __isolation_driver_may_match(const struct device_driver *drv,
				  struct device *dev)
{
	const struct isolation_manager *mgr;
	struct isolation_group *group;
	bool ok = true;

	/* A hint only: __isolation_probe_begin() decides, under the lock. */
	rcu_read_lock();
	group = READ_ONCE(dev->isolation_group);
	mgr = group ? READ_ONCE(group->manager) : NULL;
	if (mgr && isolation_group_holds(group))
		ok = isolation_mgr_accepts(mgr, dev, drv);
	rcu_read_unlock();
	return ok;
}

/**
 * __isolation_probe_begin() - reserve a grouped device for a probing driver
 * @dev: the device, in a group
 * @drv: the driver about to probe it
 *
 * Called by really_probe() once the driver is set, under @dev's
 * device_lock: the check of driver_match_device() again, made atomic with
 * recording @drv, so that a driver that matched before a manager was set
 * cannot bind into a locked group.  The reservation ends with
 * __isolation_driver_unbound(), on probe failure or release.
 *
 * Context: Process context, with @dev's device_lock held.
 * Return: 0, or -EBUSY if @dev's group has a manager and @drv is not its.
 */
int __isolation_probe_begin(struct device *dev, const struct device_driver *drv)
{
	isolation_take_on_bind(dev, drv);
	return isolation_track_driver(dev, drv, true);
}

/**
 * __isolation_driver_bound() - a grouped device's driver is bound
 * @dev: the device, with @dev->driver set
 *
 * Called by driver_bound().  Usually confirms what
 * __isolation_probe_begin() reserved; records the driver of a device that
 * joined its group during the probe.
 *
 * Context: Process context, with @dev's device_lock held.
 */
void __isolation_driver_bound(struct device *dev)
{
	isolation_track_driver(dev, dev->driver, false);
}

/**
 * __isolation_driver_unbound() - a grouped device has no driver any more
 * @dev: the device
 *
 * Called by __device_release_driver() and by really_probe() when the probe
 * failed.  May lock the device's group.
 *
 * Context: Process context, with @dev's device_lock held.
 */
void __isolation_driver_unbound(struct device *dev)
{
	isolation_track_driver(dev, NULL, false);
}

/**
 * isolation_device_del() - take a device that is being deleted out of its group
 * @dev: the device, from device_del()
 *
 * Context: Process context, from device_del() only.
 */
void isolation_device_del(struct device *dev)
{
	/*
	 * Under isolation_mutex even for a device in no group: an add that
	 * ran before @dev was marked dead has published its member by now.
	 */
	isolation_group_remove_device(dev);
}

#if IS_ENABLED(CONFIG_KUNIT)
/**
 * isolation_device_breaks_lock() - is a device a host-bound member of a locked group?
 * @dev: the device
 *
 * For the KUnit stress test: the invariant "a locked group never has a
 * driver that is not its manager's bound or probing", checked on the live
 * state.  With @dev's device_lock held, its driver cannot change; under
 * isolation_lock, neither can its membership nor its group's state.
 *
 * Context: Process context, with @dev's device_lock held.
 * Return: true if the invariant is broken for @dev.
 */
bool isolation_device_breaks_lock(struct device *dev)
{
	const struct device_driver *drv = dev->driver;
	struct isolation_member *member;
	bool bad;

	device_lock_assert(dev);
	spin_lock(&isolation_lock);
	member = dev->p->isolation_member;
	bad = member && drv && isolation_group_is_locked(member->group) &&
	      !isolation_claims(member->group, dev, drv);
	spin_unlock(&isolation_lock);
	return bad;
}
EXPORT_SYMBOL_IF_KUNIT(isolation_device_breaks_lock);

/**
 * isolation_group_verify() - do a group's counters agree with a recount?
 * @group: a group the caller holds a reference to, with no driver binding
 *	or unbinding meanwhile
 *
 * For the KUnit tests: the number of members, each member's recorded
 * driver against its device's driver, and the count of members bound to
 * a driver that is not the manager's.
 *
 * Context: Process context; takes isolation_mutex.
 * Return: 0 if everything agrees, -EINVAL if not.
 */
int isolation_group_verify(struct isolation_group *group)
{
	struct isolation_member *member;
	unsigned int n = 0, unclaimed = 0, claimed = 0;
	int ret = 0;

	mutex_lock(&isolation_mutex);
	spin_lock(&isolation_lock);
	list_for_each_entry(member, &group->devices, node) {
		n++;
		if (!group->manager)
			continue;	/* no records kept */
		if (member->drv != READ_ONCE(member->dev->driver))
			ret = -EINVAL;
		if (member->drv && !isolation_claims(group, member->dev,
						     member->drv))
			unclaimed++;
		else if (member->drv &&
			 member->drv->isolation_manager == group->manager)
			claimed++;
	}
	if (n != group->num_devices ||
	    (group->manager && (unclaimed != group->unclaimed ||
				claimed != group->claimed)))
		ret = -EINVAL;
	spin_unlock(&isolation_lock);
	mutex_unlock(&isolation_mutex);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(isolation_group_verify);
#endif

static int __init isolation_init(void)
{
	isolation_kset = kset_create_and_add("isolation", &isolation_uevent_ops,
					     NULL);
	if (!isolation_kset)
		return -ENOMEM;
	/* Optional: without debugfs, fail_isolation= and fail-nth still work. */
	fault_create_debugfs_attr("fail_isolation", NULL, &fail_isolation);
	return 0;
}
postcore_initcall(isolation_init);
