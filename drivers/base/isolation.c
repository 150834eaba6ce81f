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
 * Locking, outermost first:
 *
 *   device_lock()          held by some callers (probe paths); never taken here
 *   isolation_mutex        providers, their groups, group membership, sysfs
 *                          links and notifier calls
 *   isolation_dev_lock     dev->isolation_group; lets isolation_group_get()
 *                          run without isolation_mutex, from any context that
 *                          may sleep, including notifier callbacks
 *
 * sysfs show() methods take neither lock: everything they print is constant
 * while the group is in sysfs, and removal from sysfs drains them.
 */

#define pr_fmt(fmt) "isolation: " fmt

#include <linux/device.h>
#include <linux/idr.h>
#include <linux/isolation.h>
#include <linux/kobject.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <kunit/static_stub.h>
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
};

/**
 * struct isolation_member - a device's membership in a group
 * @node: entry in the group's device list
 * @group: the group, with a reference held
 * @dev: the member, with a reference held
 * @link_name: name of the link in the group's devices/ directory
 */
struct isolation_member {
	struct list_head node;
	struct isolation_group *group;
	struct device *dev;
	char *link_name;
};

#define to_isolation_group(k) container_of(k, struct isolation_group, kobj)

static DEFINE_MUTEX(isolation_mutex);
static DEFINE_SPINLOCK(isolation_dev_lock);
static DEFINE_IDA(isolation_ida);
static LIST_HEAD(isolation_providers);
static BLOCKING_NOTIFIER_HEAD(isolation_notifier);
static struct kset *isolation_kset;

/**
 * isolation_inject_fault() - fault injection point for the KUnit tests
 * @what: the step about to be taken, for test diagnostics
 *
 * Every step of the exported API that can fail asks this first.  The KUnit
 * tests redirect it with a static stub to fail the n-th step and check that
 * the API unwinds completely.  Without a stub it does nothing.
 *
 * Context: Any context.
 * Return: 0 to go on, or a negative errno to fail the step with.
 */
VISIBLE_IF_KUNIT int isolation_inject_fault(const char *what)
{
	KUNIT_STATIC_STUB_REDIRECT(isolation_inject_fault, what);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(isolation_inject_fault);

static void *isolation_kzalloc(size_t size, const char *what)
{
	if (isolation_inject_fault(what))
		return NULL;
	return kzalloc(size, GFP_KERNEL);
}

/* sysfs */

struct isolation_group_attribute {
	struct attribute attr;
	ssize_t (*show)(struct isolation_group *group, char *buf);
};

#define ISOLATION_GROUP_ATTR_RO(_name)					\
	struct isolation_group_attribute isolation_group_attr_##_name =	\
		__ATTR_RO(_name)

static ssize_t isolation_group_attr_show(struct kobject *kobj,
					 struct attribute *attr, char *buf)
{
	struct isolation_group_attribute *ga =
		container_of(attr, struct isolation_group_attribute, attr);

	return ga->show ? ga->show(to_isolation_group(kobj), buf) : -EIO;
}

static const struct sysfs_ops isolation_group_sysfs_ops = {
	.show = isolation_group_attr_show,
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

static struct attribute *isolation_group_attrs[] = {
	&isolation_group_attr_name.attr,
	&isolation_group_attr_provider.attr,
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
	kfree(group);
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

static char *isolation_kstrdup(const char *s, const char *what)
{
	if (isolation_inject_fault(what))
		return NULL;
	return kstrdup(s, GFP_KERNEL);
}

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

	group = isolation_kzalloc(sizeof(*group), "group");
	if (!group)
		return ERR_PTR(-ENOMEM);
	kref_init(&group->ref);
	INIT_LIST_HEAD(&group->devices);
	INIT_LIST_HEAD(&group->provider_node);
	kobject_init(&group->kobj, &isolation_group_ktype);
	group->kobj.kset = isolation_kset;

	ret = -ENOMEM;
	group->name = isolation_kstrdup(name, "group name");
	if (!group->name)
		goto err_put_kobj;
	if (isolation_inject_fault("provider name"))
		goto err_put_kobj;
	group->provider_name = kstrdup_const(provider->name, GFP_KERNEL);
	if (!group->provider_name)
		goto err_put_kobj;

	ret = isolation_inject_fault("group id") ?:
	      ida_alloc(&isolation_ida, GFP_KERNEL);
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
	ret = isolation_inject_fault("group kobject") ?:
	      kobject_add(&group->kobj, NULL, "%d", group->id);
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
 * Context: Any context that may take a spinlock, including isolation
 * notifier callbacks.
 * Return: @dev's group with a new reference that the caller puts with
 * isolation_group_put(), or NULL if @dev is in no group.
 */
struct isolation_group *isolation_group_get(struct device *dev)
{
	struct isolation_group *group;

	if (!dev)
		return NULL;

	spin_lock(&isolation_dev_lock);
	group = dev->isolation_group;
	if (group)
		kref_get(&group->ref);
	spin_unlock(&isolation_dev_lock);
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
	link = isolation_kstrdup(name, "link name");
	while (link && isolation_link_taken(group, link)) {
		kfree(link);
		link = kasprintf(GFP_KERNEL, "%s.%u", name, ++n);
	}
	return link;
}

/**
 * isolation_group_add_device() - add a device to a group
 * @group: a live group the caller holds a reference to
 * @dev: a registered device that is in no group
 *
 * Links /sys/isolation/<id>/devices/<dev> and the device's isolation_group
 * attribute, takes a reference on @group and one on @dev, and sends
 * %ISOLATION_NOTIFY_ADD_DEVICE.
 *
 * Context: Process context; takes isolation_mutex.  May be called with
 * @dev's device_lock held.
 * Return: 0 on success; -EINVAL for a NULL argument; -EBUSY if @dev is
 * already in a group (this one or another); -ENODEV if @dev is not
 * registered or @group's provider has been unregistered; -ENOMEM, or an
 * error from sysfs.  On error nothing has changed.
 */
int isolation_group_add_device(struct isolation_group *group,
			       struct device *dev)
{
	struct isolation_notifier_data data = { .group = group, .dev = dev };
	struct isolation_member *member;
	int ret;

	if (!group || !dev)
		return -EINVAL;

	member = isolation_kzalloc(sizeof(*member), "member");
	if (!member)
		return -ENOMEM;

	mutex_lock(&isolation_mutex);
	if (dev->isolation_group) {
		ret = -EBUSY;
		goto err_unlock;
	}
	if (!group->provider || !device_is_registered(dev)) {
		ret = -ENODEV;
		goto err_unlock;
	}
	member->link_name = isolation_member_link_name(group, dev);
	if (!member->link_name) {
		ret = -ENOMEM;
		goto err_unlock;
	}
	ret = isolation_inject_fault("device link") ?:
	      sysfs_create_link(&dev->kobj, &group->kobj, "isolation_group");
	if (ret)
		goto err_free_link_name;
	ret = isolation_inject_fault("group link") ?:
	      sysfs_add_link_to_group(&group->kobj, "devices", &dev->kobj,
				      member->link_name);
	if (ret)
		goto err_remove_device_link;

	kref_get(&group->ref);
	member->group = group;
	member->dev = get_device(dev);
	list_add_tail(&member->node, &group->devices);
	group->num_devices++;
	spin_lock(&isolation_dev_lock);
	WRITE_ONCE(dev->isolation_group, group);
	spin_unlock(&isolation_dev_lock);
	blocking_notifier_call_chain(&isolation_notifier,
				     ISOLATION_NOTIFY_ADD_DEVICE, &data);
	mutex_unlock(&isolation_mutex);
	return 0;

err_remove_device_link:
	sysfs_remove_link(&dev->kobj, "isolation_group");
err_free_link_name:
	kfree(member->link_name);
err_unlock:
	mutex_unlock(&isolation_mutex);
	kfree(member);
	return ret;
}
EXPORT_SYMBOL_GPL(isolation_group_add_device);

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
	struct isolation_notifier_data data = { .group = group, .dev = dev };

	lockdep_assert_held(&isolation_mutex);
	blocking_notifier_call_chain(&isolation_notifier,
				     ISOLATION_NOTIFY_DEL_DEVICE, &data);
	sysfs_remove_link_from_group(&group->kobj, "devices", member->link_name);
	sysfs_remove_link(&dev->kobj, "isolation_group");
	list_del(&member->node);
	group->num_devices--;
	spin_lock(&isolation_dev_lock);
	WRITE_ONCE(dev->isolation_group, NULL);
	spin_unlock(&isolation_dev_lock);
}

/* Drop what an unlinked member held; called without isolation_mutex. */
static void isolation_member_free(struct isolation_member *member)
{
	put_device(member->dev);
	isolation_group_put(member->group);
	kfree(member->link_name);
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

/* events */

/**
 * isolation_register_notifier() - get told about isolation group events
 * @nb: notifier block; its callback gets an &enum isolation_notify_event
 *	and a &struct isolation_notifier_data
 *
 * Callbacks run with isolation_mutex held, in the order the changes were
 * made.  They may use isolation_group_get(), the accessors, and put the
 * references they took, but must not change groups or membership.
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

/**
 * isolation_device_del() - take a device that is being deleted out of its group
 * @dev: the device, from device_del()
 *
 * Context: Process context, from device_del() only.
 */
void isolation_device_del(struct device *dev)
{
	if (READ_ONCE(dev->isolation_group))
		isolation_group_remove_device(dev);
}

static int __init isolation_init(void)
{
	isolation_kset = kset_create_and_add("isolation", &isolation_uevent_ops,
					     NULL);
	if (!isolation_kset)
		return -ENOMEM;
	return 0;
}
postcore_initcall(isolation_init);
