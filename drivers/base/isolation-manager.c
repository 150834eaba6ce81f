// SPDX-License-Identifier: GPL-2.0
/*
 * Isolation groups: managers
 *
 * A manager (VFIO) takes isolation groups over.  Three ways a group comes
 * under a manager, with different strength (Documentation/isolation.txt,
 * "Managers"):
 *
 * - Used: one of the manager's drivers is bound to a member, bound the
 *   ordinary way (driver override, new_id, the bind file).  Using refuses
 *   nobody: a sibling's host driver may bind, and the group is then simply
 *   not locked.  The use ends when the manager's last driver leaves and
 *   nobody holds the group.
 * - Held: isolation_device_hold() pins the group for a user the manager
 *   lets at its DMA; it checks that the group is locked and takes the pin
 *   under one lock.  While pinned, drivers the manager does not accept
 *   are refused at match, and the members they were refused on are
 *   offered to their drivers again when the last pin goes.
 * - Handed over: isolation_group_handover() (and "echo <manager> >
 *   /sys/isolation/<id>/manager") unbinds the host drivers, lets the
 *   manager's drivers bind, and refuses other drivers until the group is
 *   given back; all or nothing.  The give back fails while pinned.
 *
 * A group is locked when it has a manager and no member has a driver
 * probing or bound that the manager does not accept.  To keep that O(1),
 * each member of a managed group records its driver, and the group counts
 * the members whose driver is not accepted (@unclaimed) and those whose
 * driver is the manager's own (@claimed).
 *
 * Locking, outermost first:
 *
 *   group->mgr_mutex       one handover, give back or re-probe walk of a
 *                          group at a time; groups never wait for each
 *                          other.  Held across probes and removes.
 *   device_lock()          taken here only with no lock of ours held but
 *                          a group's mgr_mutex; the driver-core hooks run
 *                          under it
 *   isolation_mutex        managers, providers, groups, membership; every
 *                          change of a group's manager state, so that each
 *                          change of the locked state sends exactly one
 *                          notification and uevent.  Never held across a
 *                          probe or a remove
 *   isolation_lock         spinlock: dev->isolation_group, each member's
 *                          driver, each group's manager state; the match
 *                          hook and isolation_device_hold() take only this
 *
 * A dev->driver is dereferenced only under that device's lock, except by
 * isolation_group_recount(), which runs under isolation_lock: a driver
 * that leaves meanwhile waits for that lock in its unbind hook (see the
 * barriers below) before its module can go.
 */

#define pr_fmt(fmt) "isolation: " fmt

#include <linux/ctype.h>
#include <linux/device.h>
#include <linux/fault-inject.h>
#include <linux/isolation.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <kunit/visibility.h>

#include "base.h"
#include "isolation-internal.h"

/*
 * A registered manager.  The manager is const, so that a subsystem can
 * keep it in read-only memory: the core's list entry is kept apart.
 * Under isolation_mutex.
 */
struct isolation_manager_entry {
	struct list_head node;
	const struct isolation_manager *mgr;
};

static LIST_HEAD(isolation_managers);

/*
 * The give backs in flight, under isolation_lock.  Their group has lost
 * its manager at once, but they still use it (its tolerates, its
 * return_device, its module): isolation_manager_unregister() waits for
 * those of its manager, so that the manager may go once it has returned.
 */
struct isolation_give_back {
	struct list_head node;
	const struct isolation_manager *mgr;
};

static LIST_HEAD(isolation_give_backs);
static DECLARE_WAIT_QUEUE_HEAD(isolation_give_back_wq);

/*
 * fail_isolation: for the steps of a handover that can fail without
 * allocating (a host driver bound again after its release, the check after
 * the binds); allocations fail through failslab.  Both honour
 * /proc/<pid>/fail-nth.  See Documentation/fault-injection/.
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
 * or one it tolerates that belongs to no manager?  Called under
 * isolation_lock or RCU: the callback must not sleep.
 */
static bool isolation_mgr_accepts(const struct isolation_manager *mgr,
				  struct device *dev,
				  const struct device_driver *drv)
{
	if (drv->isolation_manager)
		return drv->isolation_manager == mgr;
	return mgr->tolerates && mgr->tolerates(dev, drv);
}

static bool isolation_claims(const struct isolation_group *group,
			     struct device *dev, const struct device_driver *drv)
{
	return group->manager && isolation_mgr_accepts(group->manager, dev, drv);
}

/*
 * Are drivers the manager does not accept refused?  While the group is
 * handed over or pinned; and, reserved from boot for a manager that is not
 * there yet, every driver is.  Under isolation_lock, or under RCU as a
 * hint.
 */
static bool isolation_group_holds(const struct isolation_group *group)
{
	if (!READ_ONCE(group->manager))
		return READ_ONCE(group->reserved_for);
	return READ_ONCE(group->handed_over) || READ_ONCE(group->pins);
}

/**
 * isolation_member_joined() - note a member that joins a holding group
 * @member: the new member, just published
 *
 * A device without a driver that joins a group which holds never gets
 * its drivers until the hold ends: they are refused, or the manager takes
 * it first (a reserved group's handover runs from a work item and may
 * come before the device's first probe).  Either way the end of the hold
 * or the give back offers it to its drivers, as it does the members a
 * driver was refused on.
 *
 * Context: Under isolation_lock.
 */
void isolation_member_joined(struct isolation_member *member)
{
	lockdep_assert_held(&isolation_lock);
	if (!READ_ONCE(member->dev->driver) &&
	    isolation_group_holds(member->group))
		member->kept = true;
}

static bool isolation_group_is_locked(const struct isolation_group *group)
{
	lockdep_assert_held(&isolation_lock);
	return group->manager && !group->unclaimed;
}

/* Record that @member now has @drv, or no driver; keeps the counts right. */
void isolation_member_set_driver(struct isolation_member *member,
				 const struct device_driver *drv)
{
	struct isolation_group *group = member->group;
	const struct device_driver *old = member->drv;

	lockdep_assert_held(&isolation_lock);
	if (old && !isolation_claims(group, member->dev, old))
		group->unclaimed--;
	else if (old && old->isolation_manager == group->manager)
		group->claimed--;
	member->drv = drv;
	if (drv && !isolation_claims(group, member->dev, drv))
		group->unclaimed++;
	else if (drv && drv->isolation_manager == group->manager)
		group->claimed++;
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

	lockdep_assert_held(&isolation_mutex);
	lockdep_assert_held(&isolation_lock);
	smp_mb();	/* @group->manager stored; pairs with the hooks */
	group->unclaimed = 0;
	group->claimed = 0;
	list_for_each_entry(member, &group->devices, node) {
		member->drv = NULL;
		isolation_member_set_driver(member,
					    READ_ONCE(member->dev->driver));
	}
}

/* Give @group @mgr, used or handed over; no manager before. */
static void isolation_group_set_mgr(struct isolation_group *group,
				    const struct isolation_manager *mgr,
				    bool handed_over)
{
	lockdep_assert_held(&isolation_mutex);
	lockdep_assert_held(&isolation_lock);
	WRITE_ONCE(group->handed_over, handed_over);
	WRITE_ONCE(group->manager, mgr);
	isolation_group_recount(group);
}

/* Take @group's manager; the caller announces it (isolation_group_announce()). */
static const struct isolation_manager *isolation_group_clear_mgr(struct isolation_group *group)
{
	const struct isolation_manager *old = group->manager;

	lockdep_assert_held(&isolation_mutex);
	lockdep_assert_held(&isolation_lock);
	WRITE_ONCE(group->manager, NULL);
	WRITE_ONCE(group->handed_over, false);
	isolation_group_recount(group);
	return old;
}

/* A use ends when the manager's last driver has left and nobody holds it. */
static bool isolation_group_use_ended(const struct isolation_group *group)
{
	return group->manager && !group->handed_over && !group->pins &&
	       !group->claimed;
}

/* events */

/*
 * Announce @group's locked state if it differs from what was announced
 * last: a KOBJ_CHANGE uevent with ISOLATION_LOCKED (and the tests' event).
 * Every change of the state is made under isolation_mutex and followed by
 * this call in the same critical section, so each change sends exactly one
 * of each.  @old is the manager to name when the group has just lost its
 * own.
 */
void isolation_group_report(struct isolation_group *group,
			    const struct isolation_manager *old)
{
	const struct isolation_manager *mgr;
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

/* After a change of @group's manager from @old to its current one. */
static void isolation_group_announce(struct isolation_group *group,
				     const struct isolation_manager *old)
{
	lockdep_assert_held(&isolation_mutex);
	if (old && old != group->manager)
		isolation_notify(ISOLATION_NOTIFY_CLEAR_MANAGER, group, NULL, old);
	if (group->manager && old != group->manager)
		isolation_notify(ISOLATION_NOTIFY_SET_MANAGER, group, NULL,
				 group->manager);
	isolation_group_report(group, old);
}

/**
 * isolation_group_update() - after a member joined or left a group
 * @group: the group
 *
 * A member that leaves may end a use (it had the manager's last driver)
 * or lock the group (it had the last driver the manager does not
 * accept); one that joins with such a driver unlocks it.
 *
 * Context: Process context, with isolation_mutex held.
 */
void isolation_group_update(struct isolation_group *group)
{
	const struct isolation_manager *old;

	lockdep_assert_held(&isolation_mutex);
	spin_lock(&isolation_lock);
	old = group->manager;
	if (isolation_group_use_ended(group))
		isolation_group_clear_mgr(group);
	spin_unlock(&isolation_lock);
	isolation_group_announce(group, old);
}

/*
 * Take @group's manager away, if it has one, and announce it; for the
 * provider's unregistration, which takes every member out.
 */
void isolation_group_drop_manager(struct isolation_group *group)
{
	const struct isolation_manager *old;

	lockdep_assert_held(&isolation_mutex);
	spin_lock(&isolation_lock);
	old = isolation_group_clear_mgr(group);
	spin_unlock(&isolation_lock);
	if (old)
		isolation_group_announce(group, old);
}

/* registry */

/* @mgr's entry in the registry, or NULL. */
static struct isolation_manager_entry *
isolation_manager_entry(const struct isolation_manager *mgr)
{
	struct isolation_manager_entry *e;

	lockdep_assert_held(&isolation_mutex);
	list_for_each_entry(e, &isolation_managers, node)
		if (e->mgr == mgr)
			return e;
	return NULL;
}

/* Find a registered manager by name and pin its module. */
const struct isolation_manager *isolation_manager_get(const char *name)
{
	const struct isolation_manager *found = NULL;
	struct isolation_manager_entry *e;

	mutex_lock(&isolation_mutex);
	list_for_each_entry(e, &isolation_managers, node) {
		if (!strcmp(e->mgr->name, name)) {
			if (try_module_get(e->mgr->owner))
				found = e->mgr;
			break;
		}
	}
	mutex_unlock(&isolation_mutex);
	return found;
}

/*
 * A give back ends a reservation from boot: host drivers may bind, and a
 * group that forms again under the name is not reserved again.  Under
 * isolation_mutex and isolation_lock.
 */
static void isolation_group_unreserve_locked(struct isolation_group *group)
{
	lockdep_assert_held(&isolation_mutex);
	lockdep_assert_held(&isolation_lock);
	isolation_reservation_release(group->name);
	WRITE_ONCE(group->reserved_for, NULL);
}

static void isolation_group_unreserve(struct isolation_group *group)
{
	spin_lock(&isolation_lock);
	isolation_group_unreserve_locked(group);
	spin_unlock(&isolation_lock);
}

/* The groups reserved for @mgr, which has just registered: take them. */
static void isolation_manager_kick_reserved(const struct isolation_manager *mgr)
{
	struct isolation_provider *p;
	struct isolation_group *group;

	lockdep_assert_held(&isolation_mutex);
	list_for_each_entry(p, &isolation_providers, node)
		list_for_each_entry(group, &p->groups, provider_node)
			if (group->reserved_for &&
			    !strcmp(group->reserved_for, mgr->name))
				isolation_group_reserve_kick(group);
}

/**
 * isolation_manager_register() - register a manager of isolation groups
 * @mgr: the manager; @mgr->name must be set and unique.  The core does not
 *	write to it, and it must stay valid until
 *	isolation_manager_unregister() has returned.
 *
 * Context: Process context; takes isolation_mutex.
 * Return: 0 on success; -EINVAL if @mgr or its name is missing or the name
 * is not a valid sysfs word (at most 64 printable characters, no space or
 * slash); -EBUSY if @mgr is registered already; -EEXIST if another manager
 * uses the name; -ENOMEM.
 */
int isolation_manager_register(const struct isolation_manager *mgr)
{
	struct isolation_manager_entry *e, *new;
	const char *c;
	size_t len;
	int ret = 0;

	if (!mgr || !mgr->name)
		return -EINVAL;
	len = strnlen(mgr->name, ISOLATION_NAME_MAX + 1);
	if (!len || len > ISOLATION_NAME_MAX)
		return -EINVAL;
	for (c = mgr->name; *c; c++)
		if (!isgraph(*c) || *c == '/')
			return -EINVAL;
	new = kzalloc(sizeof(*new), GFP_KERNEL);
	if (!new)
		return -ENOMEM;
	new->mgr = mgr;

	mutex_lock(&isolation_mutex);
	list_for_each_entry(e, &isolation_managers, node) {
		if (e->mgr == mgr) {
			ret = -EBUSY;
			goto out_free;
		}
		if (!strcmp(e->mgr->name, mgr->name)) {
			ret = -EEXIST;
			goto out_free;
		}
	}
	list_add_tail(&new->node, &isolation_managers);
	isolation_manager_kick_reserved(mgr);
	mutex_unlock(&isolation_mutex);
	return 0;

out_free:
	mutex_unlock(&isolation_mutex);
	kfree(new);
	return ret;
}
EXPORT_SYMBOL_GPL(isolation_manager_register);

/* re-probing */

/*
 * Attach a driver to @dev the way a bus rescan does: with the parent's lock
 * for buses that need it.
 */
static void isolation_attach(struct device *dev)
{
	bool parent = dev->parent && dev->type && dev->type->need_parent_lock;

	if (parent)
		device_lock(dev->parent);
	if (device_attach(dev) < 0)
		dev_dbg(dev, "isolation: re-probe failed\n");
	if (parent)
		device_unlock(dev->parent);
}

/*
 * Offer the members of @group that were kept from their drivers to them
 * again, one at a time, each step under isolation_mutex and the probe
 * without it: allocates nothing and cannot fail.  Members that join during
 * the walk are visited as well, members that leave are skipped.  With the
 * group's mgr_mutex held.
 */
static void isolation_group_reprobe_kept(struct isolation_group *group)
{
	struct isolation_member *member;
	struct device *dev;

	lockdep_assert_held(&group->mgr_mutex);
	mutex_lock(&isolation_mutex);
	list_for_each_entry(member, &group->devices, node)
		member->visited = false;
	mutex_unlock(&isolation_mutex);
	for (;;) {
		dev = NULL;
		mutex_lock(&isolation_mutex);
		spin_lock(&isolation_lock);
		list_for_each_entry(member, &group->devices, node) {
			if (member->visited || !member->kept)
				continue;
			member->visited = true;
			member->kept = false;
			dev = get_device(member->dev);
			break;
		}
		spin_unlock(&isolation_lock);
		mutex_unlock(&isolation_mutex);
		if (!dev)
			break;
		isolation_attach(dev);
		put_device(dev);
	}
}

/*
 * Let @mgr undo what its &isolation_manager.take_device did to @group's
 * members, one at a time, without isolation_mutex: cannot fail.
 */
static void isolation_group_return_devices(struct isolation_group *group,
					   const struct isolation_manager *mgr)
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
				 const struct isolation_manager *mgr,
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

/* Mark @dev, if still a member of @group, as kept from its driver. */
static void isolation_mark_kept(struct isolation_group *group,
				struct device *dev)
{
	struct isolation_member *member;

	spin_lock(&isolation_lock);
	member = dev->p->isolation_member;
	if (member && member->group == group)
		member->kept = true;
	spin_unlock(&isolation_lock);
}

/* The last hold went: offer the members refused meanwhile their drivers. */
static void isolation_group_hold_work(struct work_struct *work)
{
	struct isolation_group *group =
		container_of(work, struct isolation_group, hold_work);

	mutex_lock(&group->mgr_mutex);
	if (!isolation_group_holds(group))
		isolation_group_reprobe_kept(group);
	mutex_unlock(&group->mgr_mutex);
	isolation_group_put(group);
}

/*
 * A group reserved from boot is handed over to its manager once both are
 * there, and again when a member joins, so that the new member gets the
 * manager's driver too.  Without the manager, nothing: the members wait
 * without a driver until it registers.
 */
static void isolation_group_reserve_work(struct work_struct *work)
{
	struct isolation_group *group =
		container_of(work, struct isolation_group, reserve_work);
	const struct isolation_manager *mgr = NULL;
	const char *name;
	int ret;

	spin_lock(&isolation_lock);
	name = group->reserved_for;
	spin_unlock(&isolation_lock);
	if (name)
		mgr = isolation_manager_get(name);
	if (mgr) {
		ret = isolation_group_handover(group, mgr);
		if (ret)
			pr_warn("group %d (%s), reserved for %s: handover failed: %d\n",
				group->id, group->name, mgr->name, ret);
		module_put(mgr->owner);
	}
	isolation_group_put(group);
}

/**
 * isolation_group_reserve_kick() - hand a reserved group over, if it can be
 * @group: a group; nothing happens unless it is reserved
 *
 * Context: Any context that may take isolation_lock; the handover runs
 * from a work item.
 */
void isolation_group_reserve_kick(struct isolation_group *group)
{
	if (!READ_ONCE(group->reserved_for))
		return;
	kref_get(&group->ref);
	if (!queue_work(system_unbound_wq, &group->reserve_work))
		isolation_group_put(group);
}

/**
 * isolation_group_init_manager() - set up a new group's manager state
 * @group: the group being allocated
 *
 * Context: Process context.
 */
void isolation_group_init_manager(struct isolation_group *group)
{
	mutex_init(&group->mgr_mutex);
	INIT_WORK(&group->hold_work, isolation_group_hold_work);
	INIT_WORK(&group->reserve_work, isolation_group_reserve_work);
}

/* bindings: what a handover found, to restore it exactly on failure */

struct isolation_binding {
	struct device *dev;
	const struct device_driver *drv; /* with a module reference, or NULL */
	bool host;			/* @drv is one @mgr does not accept */
	bool kept;			/* &isolation_member.kept at the start */
	bool was_taken;			/* &isolation_member.taken at the start */
	bool taken;			/* this handover took it (take_device) */
};

/*
 * The members of @group and the drivers bound to them, each device with a
 * reference and each driver with a reference on its module, read under the
 * device's lock.  Free with isolation_bindings_put().
 */
static int isolation_bindings_get(struct isolation_group *group,
				  const struct isolation_manager *mgr,
				  struct isolation_binding **out,
				  unsigned int *n)
{
	struct isolation_binding *b;
	struct isolation_member *member;
	unsigned int i = 0;

	mutex_lock(&isolation_mutex);
	b = kcalloc(max(group->num_devices, 1U), sizeof(*b), GFP_KERNEL);
	if (!b) {
		mutex_unlock(&isolation_mutex);
		return -ENOMEM;
	}
	list_for_each_entry(member, &group->devices, node)
		b[i++].dev = get_device(member->dev);
	mutex_unlock(&isolation_mutex);
	*n = i;
	*out = b;

	for (i = 0; i < *n; i++) {
		struct device *dev = b[i].dev;

		device_lock(dev);
		if (dev->driver && try_module_get(dev->driver->owner)) {
			b[i].drv = dev->driver;
			b[i].host = !isolation_mgr_accepts(mgr, dev, dev->driver);
		}
		device_unlock(dev);
	}
	return 0;
}

/* Save the members' kept and taken marks into @b, or restore them. */
static void isolation_bindings_keep(struct isolation_group *group,
				    struct isolation_binding *b, unsigned int n,
				    bool save)
{
	struct isolation_member *member;
	unsigned int i;

	mutex_lock(&isolation_mutex);
	spin_lock(&isolation_lock);
	for (i = 0; i < n; i++) {
		member = b[i].dev->p->isolation_member;
		if (!member || member->group != group)
			continue;
		if (save) {
			b[i].kept = member->kept;
			b[i].was_taken = member->taken;
		} else {
			member->kept = b[i].kept;
			member->taken = b[i].was_taken;
		}
	}
	spin_unlock(&isolation_lock);
	mutex_unlock(&isolation_mutex);
}

static void isolation_bindings_put(struct isolation_binding *b, unsigned int n)
{
	while (n--) {
		if (b[n].drv)
			module_put(b[n].drv->owner);
		put_device(b[n].dev);
	}
	kfree(b);
}

/* The driver bound to @dev now, compared only, never dereferenced. */
static const struct device_driver *isolation_current_driver(struct device *dev)
{
	const struct device_driver *drv;

	device_lock(dev);
	drv = dev->driver;
	device_unlock(dev);
	return drv;
}

/* Does @dev have a driver that @mgr does not accept?  Under its lock. */
static bool isolation_has_host_driver(struct device *dev,
				      const struct isolation_manager *mgr,
				      bool *pinned)
{
	bool host;

	device_lock(dev);
	host = dev->driver && !isolation_mgr_accepts(mgr, dev, dev->driver);
	if (pinned)
		*pinned = host && dev->driver->suppress_bind_attrs;
	device_unlock(dev);
	return host;
}

/* Unbind @drv from @dev if it is still bound, parent lock and all. */
static void isolation_release(struct device *dev,
			      const struct device_driver *drv)
{
	if (drv)
		device_release_driver_internal(dev, drv, dev->parent);
}

static int isolation_is_driver(struct device_driver *drv, void *data)
{
	return drv == data;
}

/*
 * Is @drv still registered on @dev's bus?  The module reference of the
 * snapshot keeps a modular driver, but not a built-in one or one without
 * an owner, from driver_unregister().
 */
static bool isolation_driver_registered(struct device *dev,
					const struct device_driver *drv)
{
	return dev->bus && bus_for_each_drv(dev->bus, NULL, (void *)drv,
					    isolation_is_driver) > 0;
}

/*
 * Put every member back on the driver it had when the handover started,
 * from @b: what the handover bound goes, what it released comes back,
 * unless that driver has been unregistered meanwhile: the member is then
 * left without a driver.  A driver unregistered while it binds again is
 * unbound here, in case its own detach ran before the bind.
 */
static void isolation_bindings_restore(struct isolation_binding *b,
				       unsigned int n)
{
	const struct device_driver *cur;
	unsigned int i;
	int ret;

	for (i = 0; i < n; i++) {
		cur = isolation_current_driver(b[i].dev);
		if (cur == b[i].drv)
			continue;
		isolation_release(b[i].dev, cur);
		if (!b[i].drv)
			continue;
		if (!isolation_driver_registered(b[i].dev, b[i].drv)) {
			dev_warn(b[i].dev, "isolation: %s is gone, left without a driver\n",
				 b[i].drv->name);
			continue;
		}
		ret = device_driver_attach(b[i].drv, b[i].dev);
		if (ret < 0)
			dev_warn(b[i].dev, "isolation: cannot bind %s again: %d\n",
				 b[i].drv->name, ret);
		else if (!isolation_driver_registered(b[i].dev, b[i].drv))
			isolation_release(b[i].dev, b[i].drv);
	}
}

/* handover and give back */

/*
 * Is @group @mgr's, handed over and locked?  Anything may have run while
 * the handover probed without locks: a give back, the manager
 * unregistered, the provider gone, a device with a host driver added.
 */
static int isolation_group_handed_over(struct isolation_group *group,
				       const struct isolation_manager *mgr)
{
	int ret = 0;

	spin_lock(&isolation_lock);
	if (!group->provider)
		ret = -ENODEV;
	else if (group->manager != mgr || !group->handed_over ||
		 !isolation_group_is_locked(group))
		ret = -EBUSY;
	spin_unlock(&isolation_lock);
	if (!ret && should_fail(&fail_isolation, 1))
		ret = -EBUSY;
	return ret;
}

/* How a handover found the group, to put it back so on failure. */
enum isolation_prev {
	ISOLATION_PREV_NONE,
	ISOLATION_PREV_USED,
	ISOLATION_PREV_HANDED_OVER,
};

/*
 * Make @mgr hold @group until it is given back; say what it was before.
 * With @fresh, only a group without a manager is taken.
 */
static int isolation_group_take(struct isolation_group *group,
				const struct isolation_manager *mgr,
				enum isolation_prev *prev, bool fresh)
{
	const struct isolation_manager *old;
	int ret = 0;

	mutex_lock(&isolation_mutex);
	if (!isolation_manager_entry(mgr)) {
		ret = -EINVAL;
		goto out_unlock;
	}
	if (!group->provider) {
		ret = -ENODEV;
		goto out_unlock;
	}
	spin_lock(&isolation_lock);
	old = group->manager;
	if (old && (old != mgr || fresh)) {
		ret = -EBUSY;
	} else if (old) {
		*prev = group->handed_over ? ISOLATION_PREV_HANDED_OVER :
					     ISOLATION_PREV_USED;
		WRITE_ONCE(group->handed_over, true);
	} else {
		*prev = ISOLATION_PREV_NONE;
		isolation_group_set_mgr(group, mgr, true);
	}
	spin_unlock(&isolation_lock);
	if (!ret)
		isolation_group_announce(group, old);
out_unlock:
	mutex_unlock(&isolation_mutex);
	return ret;
}

/* Undo isolation_group_take(): @group goes back to how @prev says it was. */
static void isolation_group_untake(struct isolation_group *group,
				   const struct isolation_manager *mgr,
				   enum isolation_prev prev)
{
	const struct isolation_manager *old;

	if (prev == ISOLATION_PREV_HANDED_OVER)
		return;
	mutex_lock(&isolation_mutex);
	spin_lock(&isolation_lock);
	old = group->manager;
	if (old == mgr) {
		WRITE_ONCE(group->handed_over, false);
		if (prev == ISOLATION_PREV_NONE ||
		    isolation_group_use_ended(group))
			isolation_group_clear_mgr(group);
	}
	spin_unlock(&isolation_lock);
	isolation_group_announce(group, old);
	mutex_unlock(&isolation_mutex);
}

/**
 * isolation_group_handover() - hand a whole group over to a manager
 * @group: a group the caller holds a reference to
 * @mgr: a registered manager
 *
 * Makes @mgr the group's manager until it is given back, unbinds every
 * driver of the group's devices that @mgr does not accept, and probes the
 * devices again so that @mgr's drivers bind.  A group @mgr only used (one
 * of its drivers was bound) becomes handed over.  All or nothing: if a
 * device cannot be released (its driver suppresses unbinding, or it is
 * bound again), or the group is not locked at the end, every member is
 * put back on the driver it had when the call started, and the group is
 * as it was.
 *
 * Context: Process context; takes the group's mgr_mutex, isolation_mutex
 * and the device locks of the group's devices.  Not with a device lock
 * held.
 * Return: 0 when, at the end of the call, the group is @mgr's, handed over
 * and locked.  -EINVAL for a NULL argument or an unregistered manager;
 * -ENODEV if the group's provider is gone, before or during the call;
 * -EBUSY if another manager has the group, a device cannot be released, or
 * the group is not locked at the end; -ENOMEM.
 */
int isolation_group_handover(struct isolation_group *group,
			     const struct isolation_manager *mgr)
{
	enum isolation_prev prev = ISOLATION_PREV_NONE;
	struct isolation_binding *b;
	unsigned int i, n;
	bool pinned;
	int ret;

	if (!group || !mgr)
		return -EINVAL;

	mutex_lock(&group->mgr_mutex);
	ret = isolation_bindings_get(group, mgr, &b, &n);
	if (ret)
		goto out_unlock;
	isolation_bindings_keep(group, b, n, true);
	ret = isolation_group_take(group, mgr, &prev, false);
	if (ret)
		goto out_put_bindings;

	/* Refuse before anything changes if a host driver cannot be unbound. */
	for (i = 0; i < n; i++) {
		if (isolation_has_host_driver(b[i].dev, mgr, &pinned) && pinned) {
			dev_warn(b[i].dev, "isolation: its driver cannot be unbound\n");
			ret = -EBUSY;
			goto err_untake;
		}
	}
	for (i = 0; i < n; i++) {
		/* A driver bound at the start is given back its device. */
		if (b[i].drv)
			isolation_mark_kept(group, b[i].dev);
		if (b[i].host)
			isolation_release(b[i].dev, b[i].drv);
		if (isolation_has_host_driver(b[i].dev, mgr, NULL) ||
		    should_fail(&fail_isolation, 1)) {
			dev_warn(b[i].dev, "isolation: cannot release it for %s\n",
				 mgr->name);
			ret = -EBUSY;
			goto err_restore;
		}
	}
	/* Let @mgr make its drivers match the devices left without one. */
	for (i = 0; i < n && mgr->take_device; i++) {
		if (isolation_current_driver(b[i].dev))
			continue;
		ret = mgr->take_device(b[i].dev);
		if (ret < 0) {
			dev_warn(b[i].dev, "isolation: %s cannot take it: %d\n",
				 mgr->name, ret);
			goto err_restore;
		}
		if (ret) {
			isolation_mark_taken(group, mgr, b[i].dev);
			b[i].taken = true;
		}
	}
	/* Now only @mgr's drivers match: let them bind. */
	for (i = 0; i < n; i++)
		if (!isolation_current_driver(b[i].dev))
			isolation_attach(b[i].dev);

	ret = isolation_group_handed_over(group, mgr);
	if (ret)
		goto err_restore;
	isolation_bindings_put(b, n);
	mutex_unlock(&group->mgr_mutex);
	return 0;

err_restore:
	/* Only what this call took; the marks are restored below. */
	for (i = 0; i < n; i++)
		if (b[i].taken && mgr->return_device)
			mgr->return_device(b[i].dev);
err_untake:
	isolation_group_untake(group, mgr, prev);
	/* Back to the drivers of the start, including what @mgr's bound. */
	isolation_bindings_restore(b, n);
	isolation_bindings_keep(group, b, n, false);
out_put_bindings:
	isolation_bindings_put(b, n);
out_unlock:
	mutex_unlock(&group->mgr_mutex);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(isolation_group_handover);

/*
 * Unbind @mgr's drivers from @group's members, without isolation_mutex;
 * each driver is looked at under its device's lock.
 */
static void isolation_group_release_manager_drivers(struct isolation_group *group,
						    const struct isolation_manager *mgr)
{
	struct isolation_binding *b;
	unsigned int i, n;

	if (isolation_bindings_get(group, mgr, &b, &n)) {
		/* No memory for the list: one member at a time. */
		struct isolation_member *member;
		struct device *dev;
		const struct device_driver *drv;

		for (;;) {
			dev = NULL;
			mutex_lock(&isolation_mutex);
			spin_lock(&isolation_lock);
			list_for_each_entry(member, &group->devices, node) {
				drv = member->drv;
				if (drv && drv->isolation_manager == mgr) {
					dev = get_device(member->dev);
					break;
				}
			}
			spin_unlock(&isolation_lock);
			mutex_unlock(&isolation_mutex);
			if (!dev)
				return;
			isolation_release(dev, drv);
			put_device(dev);
		}
	}
	for (i = 0; i < n; i++)
		if (b[i].drv && b[i].drv->isolation_manager == mgr)
			isolation_release(b[i].dev, b[i].drv);
	isolation_bindings_put(b, n);
}

/**
 * isolation_group_give_back() - end a manager's use or handover of a group
 * @group: the group
 * @mgr: the manager to give it back from, or NULL for whichever it has
 *
 * Refused while a user holds the group (isolation_device_hold()) or the
 * manager says one is busy; otherwise the group loses its manager at once,
 * the manager's drivers are unbound, what its take_device did is undone,
 * and the members a handover or a hold kept from their drivers are offered
 * to them again.  Meanwhile the manager's drivers are refused, so that a
 * leftover driver override does not take the group again: such a member
 * is left without a driver, and the log says so.  A member an
 * administrator had left without a driver stays so.
 *
 * Context: Process context; takes the group's mgr_mutex, isolation_mutex
 * and the device locks of the members.
 * Return: 0 if the group had no manager or was given back; -EPERM if its
 * manager is not @mgr; -EBUSY if it is held, or the manager is going away
 * (its unregistration gives the group back).
 */
int isolation_group_give_back(struct isolation_group *group,
			      const struct isolation_manager *mgr)
{
	struct isolation_give_back in_flight;
	const struct isolation_manager *cur;
	struct isolation_binding *b;
	bool cleared = false, unreserved = false;
	unsigned int i, n;
	int ret = 0;

	mutex_lock(&group->mgr_mutex);
	mutex_lock(&isolation_mutex);
	cur = READ_ONCE(group->manager);
	if (!cur || (mgr && cur != mgr))
		ret = cur ? -EPERM : 0;
	else if (READ_ONCE(group->pins) || !try_module_get(cur->owner))
		ret = -EBUSY;
	/* Reserved for a manager not there yet: the reservation ends. */
	if (!cur && !mgr && group->reserved_for) {
		isolation_group_unreserve(group);
		unreserved = true;
	}
	mutex_unlock(&isolation_mutex);
	if (unreserved)
		isolation_group_reprobe_kept(group);
	if (!cur || ret)
		goto out_unlock;

	/* Asked without locks: a manager's own may depend on device_del(). */
	if (cur->busy && !isolation_bindings_get(group, cur, &b, &n)) {
		for (i = 0; i < n && !ret; i++)
			if (cur->busy(b[i].dev))
				ret = -EBUSY;
		isolation_bindings_put(b, n);
		if (ret)
			goto out_put_mgr;
	}

	mutex_lock(&isolation_mutex);
	spin_lock(&isolation_lock);
	if (group->manager != cur) {
		ret = group->manager ? -EPERM : 0;
	} else if (group->pins) {
		ret = -EBUSY;
	} else {
		isolation_group_clear_mgr(group);
		WRITE_ONCE(group->giving_back, true);
		if (group->reserved_for)
			isolation_group_unreserve_locked(group);
		in_flight.mgr = cur;
		list_add(&in_flight.node, &isolation_give_backs);
		cleared = true;
	}
	spin_unlock(&isolation_lock);
	if (cleared)
		isolation_group_announce(group, cur);
	mutex_unlock(&isolation_mutex);
	if (!cleared)
		goto out_put_mgr;

	isolation_group_release_manager_drivers(group, cur);
	isolation_group_return_devices(group, cur);
	isolation_group_reprobe_kept(group);

	mutex_lock(&isolation_mutex);
	spin_lock(&isolation_lock);
	WRITE_ONCE(group->giving_back, false);
	spin_unlock(&isolation_lock);
	mutex_unlock(&isolation_mutex);
out_put_mgr:
	module_put(cur->owner);
	if (cleared) {
		/* The last use of @cur: now its unregistration may return. */
		spin_lock(&isolation_lock);
		list_del(&in_flight.node);
		spin_unlock(&isolation_lock);
		wake_up_all(&isolation_give_back_wq);
	}
out_unlock:
	mutex_unlock(&group->mgr_mutex);
	return ret;
}

/**
 * isolation_group_clear_manager() - give a group back
 * @group: a group the caller holds a reference to
 * @mgr: the group's manager
 *
 * As the empty write to /sys/isolation/<id>/manager: see
 * isolation_group_give_back().  If the group was locked, sends a
 * KOBJ_CHANGE uevent with ISOLATION_LOCKED=0.
 *
 * Context: Process context; takes the group's mgr_mutex, isolation_mutex,
 * then the device locks of the group's devices.
 * Return: 0 on success; -EINVAL for a NULL argument; -ENOENT if the group
 * has no manager; -EPERM if its manager is not @mgr; -EBUSY if it is held.
 */
int isolation_group_clear_manager(struct isolation_group *group,
				  const struct isolation_manager *mgr)
{
	if (!group || !mgr)
		return -EINVAL;
	if (!READ_ONCE(group->manager))
		return -ENOENT;
	return isolation_group_give_back(group, mgr);
}
EXPORT_SYMBOL_IF_KUNIT(isolation_group_clear_manager);

/**
 * isolation_group_set_manager() - make a manager hold a group
 * @group: a group the caller holds a reference to
 * @mgr: a registered manager
 *
 * From now on only @mgr's drivers, and those it tolerates, match the
 * group's devices, until the group is given back.  Drivers already bound
 * stay bound; the group is locked once none but those are
 * (isolation_group_handover() unbinds them).  Sends a KOBJ_CHANGE uevent
 * with ISOLATION_LOCKED=1 if the group is locked at once.
 *
 * Context: Process context; takes isolation_mutex.
 * Return: 0 on success; -EINVAL for a NULL argument or an unregistered
 * manager; -ENODEV if the group's provider is gone; -EBUSY if the group
 * has a manager already, @mgr included.
 */
int isolation_group_set_manager(struct isolation_group *group,
				const struct isolation_manager *mgr)
{
	enum isolation_prev prev;

	if (!group || !mgr)
		return -EINVAL;
	return isolation_group_take(group, mgr, &prev, true);
}
EXPORT_SYMBOL_IF_KUNIT(isolation_group_set_manager);

/* Is a give back from @mgr in flight? */
static bool isolation_giving_back_from(const struct isolation_manager *mgr)
{
	struct isolation_give_back *gb;
	bool found = false;

	spin_lock(&isolation_lock);
	list_for_each_entry(gb, &isolation_give_backs, node) {
		if (gb->mgr == mgr) {
			found = true;
			break;
		}
	}
	spin_unlock(&isolation_lock);
	return found;
}

/* A group of some provider that @mgr manages, with a reference, or NULL. */
static struct isolation_group *isolation_find_managed(const struct isolation_manager *mgr)
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
 * Gives back every group @mgr uses, holds or was handed, as the empty write
 * to their manager file would, whatever holds are left (the manager's
 * users are gone when it unregisters); waits for a handover or give back
 * of those groups in flight.
 *
 * Context: Process context; takes the groups' mgr_mutex, isolation_mutex
 * and the device locks of the members of the groups it gives back.
 */
void isolation_manager_unregister(const struct isolation_manager *mgr)
{
	struct isolation_manager_entry *entry;
	struct isolation_group *group;

	if (!mgr)
		return;

	mutex_lock(&isolation_mutex);
	entry = isolation_manager_entry(mgr);
	if (WARN_ON_ONCE(!entry)) {
		mutex_unlock(&isolation_mutex);
		return;
	}
	/* Unregistered, it can take no new group; give back the ones it has. */
	list_del(&entry->node);
	kfree(entry);
	while ((group = isolation_find_managed(mgr))) {
		mutex_unlock(&isolation_mutex);
		mutex_lock(&group->mgr_mutex);
		mutex_lock(&isolation_mutex);
		if (group->manager == mgr) {
			spin_lock(&isolation_lock);
			isolation_group_clear_mgr(group);
			WRITE_ONCE(group->giving_back, true);
			spin_unlock(&isolation_lock);
			isolation_group_announce(group, mgr);
		}
		mutex_unlock(&isolation_mutex);
		isolation_group_release_manager_drivers(group, mgr);
		isolation_group_return_devices(group, mgr);
		isolation_group_reprobe_kept(group);
		mutex_lock(&isolation_mutex);
		spin_lock(&isolation_lock);
		WRITE_ONCE(group->giving_back, false);
		spin_unlock(&isolation_lock);
		mutex_unlock(&isolation_mutex);
		mutex_unlock(&group->mgr_mutex);
		flush_work(&group->hold_work);
		isolation_group_put(group);
		mutex_lock(&isolation_mutex);
	}
	mutex_unlock(&isolation_mutex);
	/* Give backs that took a group from @mgr before it unregistered. */
	wait_event(isolation_give_back_wq, !isolation_giving_back_from(mgr));
}
EXPORT_SYMBOL_GPL(isolation_manager_unregister);

/* holds */

/**
 * isolation_device_hold() - pin a device's group for a user of its DMA
 * @dev: the device
 * @mgr: the manager that lets the user at @dev
 *
 * Checks that @dev's group is locked under @mgr and pins it, in one step:
 * until isolation_group_unhold(), drivers @mgr does not accept are refused
 * at match, and the group cannot be given back.  The devices they were
 * refused on are offered to their drivers again when the last pin goes.
 * Takes only a spinlock, so it may be called under the locks of other
 * subsystems (VFIO's group lock, an IOMMU group's mutex).
 *
 * Context: Process context; takes isolation_lock (not from interrupt
 * context).
 * Return: the group, with a reference and a pin for the caller; NULL if
 * @dev is in no group; ERR_PTR(-EPERM) if its group is not locked under
 * @mgr.
 */
struct isolation_group *isolation_device_hold(struct device *dev,
					      const struct isolation_manager *mgr)
{
	struct isolation_member *member;
	struct isolation_group *group = NULL;

	spin_lock(&isolation_lock);
	member = dev->p ? dev->p->isolation_member : NULL;
	if (member) {
		group = member->group;
		if (group->manager == mgr && isolation_group_is_locked(group)) {
			kref_get(&group->ref);
			WRITE_ONCE(group->pins, group->pins + 1);
		} else {
			group = ERR_PTR(-EPERM);
		}
	}
	spin_unlock(&isolation_lock);
	return group;
}
EXPORT_SYMBOL_GPL(isolation_device_hold);

/**
 * isolation_group_unhold() - drop a pin taken by isolation_device_hold()
 * @group: the group isolation_device_hold() returned
 *
 * When the last pin goes, the members refused during the hold are offered
 * to their drivers again (from a workqueue), and a group that was only
 * used, and whose manager's drivers have all left, loses its manager.
 *
 * Context: Process context; takes isolation_mutex.
 */
void isolation_group_unhold(struct isolation_group *group)
{
	const struct isolation_manager *old;
	bool reprobe = false;

	if (IS_ERR_OR_NULL(group))
		return;
	mutex_lock(&isolation_mutex);
	spin_lock(&isolation_lock);
	old = group->manager;
	if (!WARN_ON_ONCE(!group->pins)) {
		WRITE_ONCE(group->pins, group->pins - 1);
		if (!group->pins) {
			if (isolation_group_use_ended(group))
				isolation_group_clear_mgr(group);
			reprobe = !isolation_group_holds(group);
		}
	}
	spin_unlock(&isolation_lock);
	isolation_group_announce(group, old);
	mutex_unlock(&isolation_mutex);
	if (reprobe) {
		kref_get(&group->ref);
		if (!queue_work(system_unbound_wq, &group->hold_work))
			isolation_group_put(group);
	}
	isolation_group_put(group);
}
EXPORT_SYMBOL_GPL(isolation_group_unhold);

/**
 * isolation_group_manager() - the manager of a group
 * @group: a group the caller holds a reference to
 *
 * Context: Process context; takes isolation_lock (not from interrupt
 * context).
 * Return: the manager, or NULL if the group has none or @group is NULL.
 */
const struct isolation_manager *isolation_group_manager(struct isolation_group *group)
{
	const struct isolation_manager *mgr;

	if (!group)
		return NULL;
	spin_lock(&isolation_lock);
	mgr = group->manager;
	spin_unlock(&isolation_lock);
	return mgr;
}
EXPORT_SYMBOL_IF_KUNIT(isolation_group_manager);

/**
 * isolation_group_locked() - is a group under its manager's control?
 * @group: a group the caller holds a reference to
 *
 * A group is locked when it has a manager and each of its devices is bound
 * to a driver that manager accepts or to none, no other driver being in
 * probe.  O(1).
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
EXPORT_SYMBOL_IF_KUNIT(isolation_group_locked);

/**
 * isolation_device_locked_by() - is a device's group locked under a manager?
 * @dev: the device
 * @mgr: the manager
 *
 * For a manager's checks before it lets a user at @dev (VFIO's viability):
 * takes no reference and no mutex, so it may be called under the locks of
 * other subsystems.  A snapshot: isolation_device_hold() checks and pins.
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

/* Is @dev in a group reserved from boot? */
static bool isolation_device_reserved(struct device *dev)
{
	struct isolation_group *group;
	bool reserved = false;

	rcu_read_lock();
	group = READ_ONCE(dev->isolation_group);
	if (group)
		reserved = READ_ONCE(group->reserved_for);
	rcu_read_unlock();
	return reserved;
}

/*
 * Record @drv, or no driver, as @dev's.  With @probe, refuse a driver the
 * manager does not accept in a group that holds, and a manager's driver
 * while the group is being given back; a manager's driver that probes a
 * device of a group without manager starts a use.  Under isolation_mutex,
 * so that a change of the locked state is announced exactly once.
 */
static int isolation_track_driver(struct device *dev,
				  const struct device_driver *drv, bool probe)
{
	const struct isolation_manager *old, *mgr = NULL;
	struct isolation_member *member;
	struct isolation_group *group;
	bool refused_back = false;
	int ret = 0;

	/* An unmanaged group keeps no record: nothing shared is touched. */
	if (!isolation_device_manager(dev) && !isolation_device_reserved(dev) &&
	    !(probe && drv && drv->isolation_manager))
		return 0;

	mutex_lock(&isolation_mutex);
	if (probe && isolation_manager_entry(drv->isolation_manager))
		mgr = drv->isolation_manager;
	spin_lock(&isolation_lock);
	member = dev->p->isolation_member;
	if (!member || !member->group->provider) {
		spin_unlock(&isolation_lock);
		goto out_unlock;
	}
	group = member->group;
	old = group->manager;
	if (probe && group->giving_back && drv->isolation_manager) {
		refused_back = true;
		drv = NULL;
		ret = -EBUSY;
	} else if (probe && isolation_group_holds(group) &&
		   !isolation_claims(group, dev, drv)) {
		/* Drop what an earlier attempt of this probe reserved. */
		member->kept = true;
		drv = NULL;
		ret = -EBUSY;
	} else if (probe && !old && mgr) {
		/* Set before the recount, which sees @drv as dev->driver. */
		isolation_group_set_mgr(group, mgr, false);
	}
	if (group->manager && member->drv != drv)
		isolation_member_set_driver(member, drv);
	if (isolation_group_use_ended(group))
		isolation_group_clear_mgr(group);
	spin_unlock(&isolation_lock);
	isolation_group_announce(group, old);
out_unlock:
	mutex_unlock(&isolation_mutex);
	if (refused_back)
		dev_info(dev, "isolation: %s not bound: the group is being given back (clear its driver override)\n",
			 dev->driver ? dev->driver->name : "manager driver");
	return ret;
}

/*
 * __isolation_driver_may_match() - may a driver that matches bind?
 * @drv: the driver, which the bus found a match
 * @dev: a device in a group
 *
 * Called by driver_match_device() after the bus's match said yes.  Takes
 * isolation_lock only to refuse: __isolation_probe_begin() checks again
 * before the driver can probe.  A device refused here is offered to its
 * drivers again when the hold ends or the group is given back.
 *
 * Context: Any context but interrupt context.
 * Return: false if @dev's group holds and @drv is not a driver its manager
 * accepts.
 */
bool __isolation_driver_may_match(const struct device_driver *drv,
				  struct device *dev)
{
	const struct isolation_manager *mgr;
	struct isolation_member *member;
	struct isolation_group *group;
	bool ok = true;

	rcu_read_lock();
	group = READ_ONCE(dev->isolation_group);
	mgr = group ? READ_ONCE(group->manager) : NULL;
	/* Without a manager a group holds only while reserved: none match. */
	if (group && isolation_group_holds(group))
		ok = mgr && isolation_mgr_accepts(mgr, dev, drv);
	rcu_read_unlock();
	if (ok)
		return true;

	spin_lock(&isolation_lock);
	member = dev->p->isolation_member;
	if (member && isolation_group_holds(member->group) &&
	    !isolation_claims(member->group, dev, drv))
		member->kept = true;
	else
		ok = true;
	spin_unlock(&isolation_lock);
	return ok;
}

/**
 * __isolation_probe_begin() - reserve a grouped device for a probing driver
 * @dev: the device, in a group
 * @drv: the driver about to probe it
 *
 * Called by really_probe() and device_bind_driver() once the driver is
 * set, under @dev's device_lock: the check of driver_match_device() again,
 * made atomic with recording @drv, so that a driver that matched before a
 * group was held cannot bind into it.  The reservation ends with
 * __isolation_driver_unbound(), on probe failure or release.
 *
 * Context: Process context, with @dev's device_lock held.
 * Return: 0, or -EBUSY if @dev's group refuses @drv.
 */
int __isolation_probe_begin(struct device *dev, const struct device_driver *drv)
{
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
 * @dev: the device, with @dev->driver cleared
 *
 * Called by __device_release_driver(), by really_probe() when the probe
 * failed and by device_bind_driver() when the bind failed.  May lock the
 * device's group, or end a manager's use of it.
 *
 * Context: Process context, with @dev's device_lock held.
 */
void __isolation_driver_unbound(struct device *dev)
{
	isolation_track_driver(dev, NULL, false);
}

#if IS_ENABLED(CONFIG_ISOLATION_GROUPS_KUNIT_TEST)
/**
 * isolation_device_breaks_lock() - is a device a host-bound member of a locked group?
 * @dev: the device
 *
 * For the KUnit stress test: the invariant "a group that holds never has a
 * driver that its manager does not accept bound or probing", checked on the
 * live state.  With @dev's device_lock held, its driver cannot change;
 * under isolation_lock, neither can its membership nor its group's state.
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
	      isolation_group_holds(member->group) &&
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
 * driver against its device's driver, and the counts of members bound to
 * a driver that the manager does not accept and to the manager's own.
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
	/* A group only used keeps its manager while one of its drivers is. */
	if (isolation_group_use_ended(group))
		ret = -EINVAL;
	spin_unlock(&isolation_lock);
	mutex_unlock(&isolation_mutex);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(isolation_group_verify);
#endif

static int __init isolation_manager_init(void)
{
	/* Optional: without debugfs, fail_isolation= and fail-nth still work. */
	fault_create_debugfs_attr("fail_isolation", NULL, &fail_isolation);
	return 0;
}
postcore_initcall(isolation_manager_init);
