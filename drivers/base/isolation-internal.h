/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Isolation groups: what drivers/base/isolation.c (groups, providers,
 * membership, sysfs) and drivers/base/isolation-manager.c (managers and the
 * driver-core hooks) share.  Not for use outside drivers/base.
 */
#ifndef _DRIVERS_BASE_ISOLATION_INTERNAL_H
#define _DRIVERS_BASE_ISOLATION_INTERNAL_H

#include <linux/isolation.h>
#include <linux/kobject.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rbtree.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/uidgid.h>
#include <linux/workqueue.h>

#define ISOLATION_NAME_MAX	64

/**
 * struct isolation_group - a set of devices that cannot be isolated apart
 * @kobj: /sys/isolation/<id>; holds the memory, not the users
 * @ref: users of the group: the allocator, each member, each get, each hold
 * @id: small integer from isolation_ida, the sysfs directory name
 * @name: stable, provider-chosen name
 * @provider_name: copy of the provider's name, valid as long as @kobj
 * @provider: owning provider; NULL once the group has left sysfs
 * @provider_node: entry in @provider's group list
 * @name_node: node in @provider's tree of names, while @provider is set
 * @devices: list of &struct isolation_member
 * @num_devices: length of @devices
 * @manager: the manager, or NULL; written under isolation_mutex and
 *	isolation_lock, read without them by the driver-core hooks (see
 *	isolation_device_manager())
 * @handed_over: @manager holds the group until it is given back
 *	(isolation_group_handover(), isolation_group_set_manager()); without
 *	it, @manager only uses the group: one of its drivers is bound
 * @pins: users that a manager let at the group's DMA
 *	(isolation_device_hold()); while not zero, drivers @manager does not
 *	accept are refused
 * @giving_back: a give back is re-probing the members; the manager's
 *	drivers are refused meanwhile, so a leftover driver override does not
 *	take the group again
 * @unclaimed: members probing or bound with a driver that @manager does not
 *	accept, as recorded in their &isolation_member.drv; only kept while
 *	the group has a manager
 * @claimed: members probing or bound with one of @manager's own drivers;
 *	like @unclaimed
 * @reported_locked: the locked state last announced to notifiers and
 *	userspace; under isolation_mutex
 * @owner_uid: the user that may hand the group over and give it back
 *	(/sys/isolation/<id>/owner), or INVALID_UID; written under
 *	isolation_mutex and isolation_lock, read under either
 * @owner_gid: the group whose members may do the same, or INVALID_GID;
 *	only with @owner_uid
 * @reserved_for: the name of the manager the group is reserved for from
 *	boot (isolation.reserve=), or NULL; set before the group has members,
 *	cleared by a give back under isolation_mutex and isolation_lock
 * @reserve_work: hands the reserved group over to its manager, once both
 *	are there, and again when a member joins
 * @mgr_mutex: one handover, give back or re-probe walk of this group at a
 *	time; never held by the driver-core hooks
 * @hold_work: re-probes the members refused while the group was held, once
 *	the last hold is gone
 * @rcu: frees the group a grace period after its release, for the hooks
 *	that read @manager through dev->isolation_group without a lock
 *
 * @manager, @handed_over, @pins, @giving_back, @unclaimed and @claimed are
 * written under both isolation_mutex and isolation_lock, so that every
 * change of the locked state is announced in the critical section that made
 * it; they are read under either.
 */
struct isolation_group {
	struct kobject kobj;
	struct kref ref;
	int id;
	const char *name;
	const char *provider_name;
	struct isolation_provider *provider;
	struct list_head provider_node;
	struct rb_node name_node;
	struct list_head devices;
	unsigned int num_devices;
	const struct isolation_manager *manager;
	bool handed_over;
	unsigned int pins;
	bool giving_back;
	unsigned int unclaimed;
	unsigned int claimed;
	bool reported_locked;
	kuid_t owner_uid;
	kgid_t owner_gid;
	const char *reserved_for;
	struct work_struct reserve_work;
	struct mutex mgr_mutex;		/* see @mgr_mutex above */
	struct work_struct hold_work;
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
 * @kept: a handover found a driver on @dev, a driver was refused on it
 *	while the group held, or it joined the group without a driver while
 *	the group held; the end of the hold or the give back offers it to
 *	its drivers again.  Under isolation_lock
 * @visited: the re-probe walk in progress has visited @dev; under
 *	isolation_mutex, with the group's @mgr_mutex held
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
	bool kept;
	bool visited;
	bool taken;
};

#define to_isolation_group(k) container_of(k, struct isolation_group, kobj)

extern struct mutex isolation_mutex;
extern spinlock_t isolation_lock;
extern struct list_head isolation_providers;

/* isolation.c */
#ifdef CONFIG_ISOLATION_GROUPS_TEST_EVENTS
void isolation_notify(unsigned long event, struct isolation_group *group,
		      struct device *dev, const struct isolation_manager *mgr);
#else
/* Only the tests listen; the events have no names without them. */
#define isolation_notify(...)	do { } while (0)
#endif

const char *isolation_reservation(const char *name);
void isolation_reservation_release(const char *name);
#if IS_ENABLED(CONFIG_KUNIT)
int isolation_parse_owner(const char *buf, size_t len,
			  struct user_namespace *ns, kuid_t *uid, kgid_t *gid);
bool isolation_cred_may_manage(const struct cred *cred,
			       struct isolation_group *group);
int isolation_reserve_parse(const char *val, const char **name,
			    size_t *name_len, const char **manager);
int isolation_reserve_add(const char *val);
#endif

/* isolation-manager.c */
void isolation_group_reserve_kick(struct isolation_group *group);
void isolation_group_init_manager(struct isolation_group *group);
void isolation_member_joined(struct isolation_member *member);
void isolation_member_set_driver(struct isolation_member *member,
				 const struct device_driver *drv);
void isolation_group_report(struct isolation_group *group,
			    const struct isolation_manager *old);
void isolation_group_update(struct isolation_group *group);
void isolation_group_drop_manager(struct isolation_group *group);
const struct isolation_manager *isolation_manager_get(const char *name);
int isolation_group_give_back(struct isolation_group *group,
			      const struct isolation_manager *mgr);

#endif /* _DRIVERS_BASE_ISOLATION_INTERNAL_H */
