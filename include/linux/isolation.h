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
#include <linux/types.h>

struct device;
struct module;
struct notifier_block;
struct isolation_group;

/**
 * struct isolation_provider - a driver that decides which devices form groups
 * @name: short name of the provider, shown in /sys/isolation/<id>/provider;
 *	must be unique among registered providers (e.g. "intel-iommu")
 * @owner: module that implements the provider, may be NULL when built in
 * @node: entry in the list of registered providers; private to the core
 * @groups: live groups allocated by this provider; private to the core
 *
 * A provider is registered with isolation_provider_register() before it
 * allocates groups.  The structure must stay valid until
 * isolation_provider_unregister() has returned.
 */
struct isolation_provider {
	const char *name;
	struct module *owner;
	struct list_head node;
	struct list_head groups;
};

/**
 * enum isolation_notify_event - events sent to isolation notifiers
 * @ISOLATION_NOTIFY_ADD_DEVICE: a device joined a group
 * @ISOLATION_NOTIFY_DEL_DEVICE: a device is leaving a group; the group is
 *	still valid while the callback runs
 */
enum isolation_notify_event {
	ISOLATION_NOTIFY_ADD_DEVICE = 1,
	ISOLATION_NOTIFY_DEL_DEVICE,
};

/**
 * struct isolation_notifier_data - argument of isolation notifier callbacks
 * @group: the group the event is about
 * @dev: the device the event is about
 */
struct isolation_notifier_data {
	struct isolation_group *group;
	struct device *dev;
};

#ifdef CONFIG_ISOLATION_GROUPS

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
int isolation_group_remove_device(struct device *dev);
int isolation_group_for_each(struct isolation_group *group, void *data,
			     int (*fn)(struct device *dev, void *data));

int isolation_register_notifier(struct notifier_block *nb);
int isolation_unregister_notifier(struct notifier_block *nb);

#else /* !CONFIG_ISOLATION_GROUPS */

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

static inline int isolation_group_remove_device(struct device *dev)
{
	return -ENODEV;
}

static inline int
isolation_group_for_each(struct isolation_group *group, void *data,
			 int (*fn)(struct device *dev, void *data))
{
	return -ENODEV;
}

static inline int isolation_register_notifier(struct notifier_block *nb)
{
	return -ENODEV;
}

static inline int isolation_unregister_notifier(struct notifier_block *nb)
{
	return -ENODEV;
}

#endif /* CONFIG_ISOLATION_GROUPS */

#endif /* _LINUX_ISOLATION_H */
