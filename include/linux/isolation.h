/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Isolation groups: sets of devices between which the platform guarantees no
 * isolation.  See Documentation/isolation.txt.
 */
#ifndef _LINUX_ISOLATION_H
#define _LINUX_ISOLATION_H

#include <linux/err.h>
#include <linux/errno.h>
#include <linux/list.h>
#include <linux/rbtree.h>
#include <linux/types.h>
#include <linux/uidgid.h>

struct device;
struct device_driver;
struct module;
struct notifier_block;
struct isolation_group;

/**
 * struct isolation_provider - a driver that decides which devices form groups
 * @name: short name of the provider, shown in /sys/isolation/<id>/provider;
 *	must be unique among registered providers (e.g. "intel-iommu")
 * @node: entry in the list of registered providers; private to the core
 * @groups: live groups allocated by this provider; private to the core
 * @names: the same groups by name, for the uniqueness check of
 *	isolation_group_alloc() in O(log n); private to the core
 *
 * A provider is registered with isolation_provider_register() before it
 * allocates groups.  The structure must stay valid until
 * isolation_provider_unregister() has returned; the core calls nothing of
 * the provider, so a provider module pins nothing and unregisters before it
 * is unloaded.
 */
struct isolation_provider {
	const char *name;
	struct list_head node;
	struct list_head groups;
	struct rb_root names;
};

/**
 * struct isolation_manager - a subsystem that takes isolation groups over
 * @name: short name, shown in /sys/isolation/<id>/manager and accepted
 *	there; unique among registered managers (e.g. "vfio")
 * @owner: module that implements the manager, may be NULL when built in
 * @tolerates: optional; may @drv, a driver of no manager, stay bound and
 *	bind to @dev in a group the manager holds?  For drivers that opted in
 *	to doing no DMA of their own.  Called under a spinlock or RCU: must
 *	not sleep.
 * @take_device: optional; called by a handover for each device left
 *	without a driver, before it is probed again, so that the manager's
 *	drivers match it (set a driver override, for instance).  Returns a
 *	negative errno to fail the handover, 0 if it changed nothing, 1 if
 *	@return_device must undo what it did.  Process context, no lock held.
 * @return_device: optional; undoes @take_device when the group is given
 *	back or its manager cleared.  Process context, no lock held.
 * @busy: optional; does a user hold @dev open, a member of a group the
 *	manager has, so that unbinding its driver would wait for that user?
 *	Asked before a give back, besides the holds.  Process context, no
 *	lock held.
 *
 * A manager's drivers point to it through &device_driver.isolation_manager
 * (set before driver_register(), with DRIVER_ISOLATION_MANAGER()).  One
 * of them bound to a member uses the group; a user the manager lets at the
 * group's DMA holds it
 * (isolation_device_hold()); a handover gives it to the manager until it
 * is given back.  While held or handed over, only the manager's drivers
 * and those it tolerates match the group's devices.  The group is locked
 * when it has a manager and no other driver is bound or probing.  See
 * Documentation/isolation.txt.
 */
struct isolation_manager {
	const char *name;
	struct module *owner;
	bool (*tolerates)(struct device *dev, const struct device_driver *drv);
	int (*take_device)(struct device *dev);
	void (*return_device)(struct device *dev);
	bool (*busy)(struct device *dev);
};

/**
 * enum isolation_reason - why a device is in its isolation group
 * @ISOLATION_REASON_PROVIDER: the provider put it there and gives no finer
 *	reason
 * @ISOLATION_REASON_BOUNDARY: the device bounds the group itself: the
 *	group is named after it and it needs no other device to be there
 * @ISOLATION_REASON_DMA_ALIAS: the device and the reason device use each
 *	other's requester ID (DMA alias quirks, a DMA proxy device)
 * @ISOLATION_REASON_PCI_BRIDGE: the device is behind the reason device, a
 *	PCIe-to-PCI/PCI-X bridge that issues its DMA under its own ID
 * @ISOLATION_REASON_NO_ACS: the reason device, a bridge or port above the
 *	device, lacks isolating ACS, so devices below it can reach each other
 *	without passing the IOMMU
 * @ISOLATION_REASON_MULTIFUNCTION: the device is another function of the
 *	same multifunction device as the reason device, without ACS between
 *	the functions
 * @ISOLATION_REASON_MAX: number of reasons; not a reason
 *
 * Every reason but %ISOLATION_REASON_PROVIDER and %ISOLATION_REASON_BOUNDARY
 * names a reason device.  The values are ABI through their names in
 * /sys/devices/.../isolation_reason; new reasons are added at the end.
 */
enum isolation_reason {
	ISOLATION_REASON_PROVIDER,
	ISOLATION_REASON_BOUNDARY,
	ISOLATION_REASON_DMA_ALIAS,
	ISOLATION_REASON_PCI_BRIDGE,
	ISOLATION_REASON_NO_ACS,
	ISOLATION_REASON_MULTIFUNCTION,
	ISOLATION_REASON_MAX
};

#ifdef CONFIG_ISOLATION_GROUPS

/*
 * DRIVER_ISOLATION_MANAGER(mgr) - in a struct device_driver initializer,
 * make the driver one of @mgr's; nothing without isolation groups, where
 * struct device_driver has no such field.
 */
#define DRIVER_ISOLATION_MANAGER(mgr)	.isolation_manager = (mgr),

int isolation_provider_register(struct isolation_provider *provider);
void isolation_provider_unregister(struct isolation_provider *provider);

struct isolation_group *isolation_group_alloc(struct isolation_provider *provider,
					      const char *name);
struct isolation_group *isolation_group_get(struct device *dev);
void isolation_group_put(struct isolation_group *group);
int isolation_group_id(const struct isolation_group *group);
const char *isolation_group_name(const struct isolation_group *group);
const char *isolation_group_provider_name(const struct isolation_group *group);

int isolation_group_add_device(struct isolation_group *group,
			       struct device *dev);
int isolation_group_add_device_reason(struct isolation_group *group,
				      struct device *dev,
				      enum isolation_reason reason,
				      struct device *reason_dev);
int isolation_group_remove_device(struct device *dev);
int isolation_device_reason(struct device *dev, char *reason_dev,
			    size_t size);
int isolation_group_for_each(struct isolation_group *group, void *data,
			     int (*fn)(struct device *dev, void *data));

int isolation_manager_register(const struct isolation_manager *mgr);
void isolation_manager_unregister(const struct isolation_manager *mgr);
int isolation_group_set_manager(struct isolation_group *group,
				const struct isolation_manager *mgr);
int isolation_group_clear_manager(struct isolation_group *group,
				  const struct isolation_manager *mgr);
int isolation_group_handover(struct isolation_group *group,
			     const struct isolation_manager *mgr);
const struct isolation_manager *isolation_group_manager(struct isolation_group *group);
bool isolation_group_locked(struct isolation_group *group);
int isolation_device_locked_by(struct device *dev,
			       const struct isolation_manager *mgr);
struct isolation_group *isolation_device_hold(struct device *dev,
					      const struct isolation_manager *mgr);
void isolation_group_unhold(struct isolation_group *group);
bool isolation_device_owner(struct device *dev, kuid_t *uid, kgid_t *gid);

#else /* !CONFIG_ISOLATION_GROUPS */

#define DRIVER_ISOLATION_MANAGER(...)

static inline int
isolation_provider_register(struct isolation_provider *provider)
{
	return -ENODEV;
}

static inline void
isolation_provider_unregister(struct isolation_provider *provider)
{
}

static inline struct isolation_group *
isolation_group_alloc(struct isolation_provider *provider, const char *name)
{
	return ERR_PTR(-ENODEV);
}

static inline struct isolation_group *isolation_group_get(struct device *dev)
{
	return NULL;
}

static inline void isolation_group_put(struct isolation_group *group)
{
}

static inline int isolation_group_id(const struct isolation_group *group)
{
	return -ENODEV;
}

static inline const char *
isolation_group_name(const struct isolation_group *group)
{
	return NULL;
}

static inline const char *
isolation_group_provider_name(const struct isolation_group *group)
{
	return NULL;
}

static inline int isolation_group_add_device(struct isolation_group *group,
					     struct device *dev)
{
	return -ENODEV;
}

static inline int
isolation_group_add_device_reason(struct isolation_group *group,
				  struct device *dev,
				  enum isolation_reason reason,
				  struct device *reason_dev)
{
	return -ENODEV;
}

static inline int isolation_group_remove_device(struct device *dev)
{
	return -ENODEV;
}

static inline int isolation_device_reason(struct device *dev,
					  char *reason_dev, size_t size)
{
	return -ENODEV;
}

static inline int
isolation_group_for_each(struct isolation_group *group, void *data,
			 int (*fn)(struct device *dev, void *data))
{
	return -ENODEV;
}

static inline int isolation_manager_register(const struct isolation_manager *mgr)
{
	return -ENODEV;
}

static inline void isolation_manager_unregister(const struct isolation_manager *mgr)
{
}

static inline int isolation_group_set_manager(struct isolation_group *group,
					      const struct isolation_manager *mgr)
{
	return -ENODEV;
}

static inline int isolation_group_clear_manager(struct isolation_group *group,
						const struct isolation_manager *mgr)
{
	return -ENODEV;
}

static inline int isolation_group_handover(struct isolation_group *group,
					   const struct isolation_manager *mgr)
{
	return -ENODEV;
}

static inline const struct isolation_manager *
isolation_group_manager(struct isolation_group *group)
{
	return NULL;
}

static inline bool isolation_group_locked(struct isolation_group *group)
{
	return false;
}

static inline int isolation_device_locked_by(struct device *dev,
					     const struct isolation_manager *mgr)
{
	return -ENODEV;
}

static inline struct isolation_group *
isolation_device_hold(struct device *dev, const struct isolation_manager *mgr)
{
	return NULL;
}

static inline void isolation_group_unhold(struct isolation_group *group)
{
}

static inline bool isolation_device_owner(struct device *dev, kuid_t *uid,
					  kgid_t *gid)
{
	return false;
}

#endif /* CONFIG_ISOLATION_GROUPS */

#ifdef CONFIG_ISOLATION_GROUPS_TEST_EVENTS
/*
 * For the isolation tests only (the KUnit suites and lib/test_isolation.c):
 * a notifier through which they see every event in the order it happened,
 * to check that each change of the locked state is announced exactly once.
 * Nothing else in the tree listens; userspace follows the groups' uevents
 * (Documentation/isolation.txt, "Events").
 */

/**
 * enum isolation_notify_event - events of the isolation tests' notifier
 * @ISOLATION_NOTIFY_ADD_DEVICE: a device joined a group
 * @ISOLATION_NOTIFY_DEL_DEVICE: a device is leaving a group; the group is
 *	still valid while the callback runs
 * @ISOLATION_NOTIFY_SET_MANAGER: the group got a manager; @dev is NULL
 * @ISOLATION_NOTIFY_CLEAR_MANAGER: the group lost its manager; @dev is NULL
 * @ISOLATION_NOTIFY_LOCKED: every device of the managed group is bound to a
 *	driver of its manager or to none; @dev is NULL
 * @ISOLATION_NOTIFY_UNLOCKED: the group is no longer locked; @dev is NULL
 */
enum isolation_notify_event {
	ISOLATION_NOTIFY_ADD_DEVICE = 1,
	ISOLATION_NOTIFY_DEL_DEVICE,
	ISOLATION_NOTIFY_SET_MANAGER,
	ISOLATION_NOTIFY_CLEAR_MANAGER,
	ISOLATION_NOTIFY_LOCKED,
	ISOLATION_NOTIFY_UNLOCKED,
};

/**
 * struct isolation_notifier_data - argument of isolation notifier callbacks
 * @group: the group the event is about
 * @dev: the device the event is about, or NULL for group events
 * @manager: for manager and lock events, the manager concerned
 */
struct isolation_notifier_data {
	struct isolation_group *group;
	struct device *dev;
	const struct isolation_manager *manager;
};

int isolation_register_notifier(struct notifier_block *nb);
int isolation_unregister_notifier(struct notifier_block *nb);
#endif /* CONFIG_ISOLATION_GROUPS_TEST_EVENTS */

#endif /* _LINUX_ISOLATION_H */
