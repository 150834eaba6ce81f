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
 * Managers (drivers/base/isolation-manager.c) take groups over; what they
 * may do to drivers is decided by the driver-core hooks there.
 *
 * Locking, outermost first (isolation-manager.c adds a mutex per group, held
 * across probes, above device_lock()):
 *
 *   device_lock()          held by the driver core around probe and release,
 *                          and by some callers of isolation_group_add_device()
 *                          and isolation_group_remove_device()
 *   isolation_mutex        managers, providers, their groups, membership,
 *                          sysfs links, and the delivery of uevents (and
 *                          of the tests' events), in order; never held
 *                          across a probe
 *   isolation_lock         spinlock: dev->isolation_group, each member's
 *                          driver, each group's manager and counters; taken
 *                          by the driver-core hooks, which may run with or
 *                          without device_lock() and must not sleep on it
 *
 * The hooks test dev->isolation_group without a lock, after a full barrier
 * where the driver changes (drivers/base/base.h); adding a device stores
 * the pointer, then reads dev->driver after a full barrier, so that one
 * side always sees the other.  device_del() marks the device dead and then
 * tests dev->isolation_group after a full barrier; an add publishes the
 * member and then tests the mark after one, so a device in no group is
 * deleted without a lock of ours, and none is left in a group.
 *
 * sysfs show() methods take at most isolation_lock: what they print is
 * constant while the group is in sysfs or read under that lock, and removal
 * from sysfs drains them.
 */

#define pr_fmt(fmt) "isolation: " fmt

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/ctype.h>
#include <linux/device.h>
#include <linux/idr.h>
#include <linux/isolation.h>
#include <linux/kobject.h>
#include <linux/list.h>
#include <linux/moduleparam.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/rbtree.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/workqueue.h>
#include <kunit/visibility.h>

#include "base.h"
#include "isolation-internal.h"

/* Managers, providers, groups, membership; see the lock order above. */
DEFINE_MUTEX(isolation_mutex);
DEFINE_SPINLOCK(isolation_lock);
LIST_HEAD(isolation_providers);
static DEFINE_IDA(isolation_ida);
static struct kset *isolation_kset;

#ifdef CONFIG_ISOLATION_GROUPS_TEST_EVENTS
static BLOCKING_NOTIFIER_HEAD(isolation_notifier);

/* Tell the tests' notifiers about @event; under isolation_mutex, in order. */
void isolation_notify(unsigned long event, struct isolation_group *group,
		      struct device *dev, const struct isolation_manager *mgr)
{
	struct isolation_notifier_data data = {
		.group = group,
		.dev = dev,
		.manager = mgr,
	};

	lockdep_assert_held(&isolation_mutex);
	blocking_notifier_call_chain(&isolation_notifier, event, &data);
}

/**
 * isolation_register_notifier() - get told about isolation group events
 * @nb: notifier block; its callback gets an &enum isolation_notify_event
 *	and a &struct isolation_notifier_data
 *
 * Callbacks run in process context with isolation_mutex held, in the order
 * the changes were made.  %ISOLATION_NOTIFY_ADD_DEVICE and
 * %ISOLATION_NOTIFY_DEL_DEVICE also run with the locks the provider holds
 * while it adds or removes the device: for the IOMMU providers (intel-iommu,
 * amd-iommu), the IOMMU core's iommu_probe_device_lock when a device is
 * added, and the mutex of its IOMMU group when it is removed (lock order:
 * iommu_probe_device_lock, an IOMMU group's mutex, isolation_mutex).  They
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
EXPORT_SYMBOL_IF_KUNIT(isolation_register_notifier);

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
EXPORT_SYMBOL_IF_KUNIT(isolation_unregister_notifier);
#endif /* CONFIG_ISOLATION_GROUPS_TEST_EVENTS */

/*
 * Reservations from boot: isolation.reserve=<group name>=<manager>, once
 * per group.  Parsed before the allocators work: the strings point into
 * the kernel command line, which stays.  Matched under isolation_mutex.
 */
#define ISOLATION_RESERVE_MAX	16

static struct isolation_reserve {
	const char *name;
	size_t name_len;
	const char *manager;
	bool matched;
	bool released;
} isolation_reserved[ISOLATION_RESERVE_MAX];
static unsigned int isolation_nr_reserved;

/**
 * isolation_reserve_parse() - parse one isolation.reserve= value
 * @val: "<group name>=<manager>"; the manager is what follows the last '='
 * @name: set to the start of the group name in @val
 * @name_len: set to its length
 * @manager: set to the manager's name in @val
 *
 * Context: Any context.
 * Return: 0, or -EINVAL if @val is not of that form, or a name is empty,
 * longer than 64 characters, or has characters the names cannot have.
 */
VISIBLE_IF_KUNIT int isolation_reserve_parse(const char *val, const char **name,
					     size_t *name_len,
					     const char **manager)
{
	const char *eq, *c;
	size_t len;

	if (!val)
		return -EINVAL;
	eq = strrchr(val, '=');
	if (!eq || eq == val || eq - val > ISOLATION_NAME_MAX)
		return -EINVAL;
	for (c = val; c < eq; c++)
		if (!isprint(*c) || *c == '/')
			return -EINVAL;
	len = strlen(eq + 1);
	if (!len || len > ISOLATION_NAME_MAX)
		return -EINVAL;
	for (c = eq + 1; *c; c++)
		if (!isgraph(*c) || *c == '/')
			return -EINVAL;
	*name = val;
	*name_len = eq - val;
	*manager = eq + 1;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(isolation_reserve_parse);

/* The reservation, not given back, of the group named @name (@len bytes). */
static struct isolation_reserve *isolation_reserve_lookup(const char *name,
							  size_t len)
{
	unsigned int i;

	for (i = 0; i < isolation_nr_reserved; i++)
		if (!isolation_reserved[i].released &&
		    isolation_reserved[i].name_len == len &&
		    !memcmp(isolation_reserved[i].name, name, len))
			return &isolation_reserved[i];
	return NULL;
}

/**
 * isolation_reserve_add() - reserve a group by name, as isolation.reserve=
 * @val: "<group name>=<manager>"; must stay valid (the command line's)
 *
 * A malformed value is reported and ignored, and so is a name reserved
 * already: the first value given for a group holds.
 *
 * Context: Boot, from the parameter's parsing; the KUnit tests.
 * Return: 0, -EINVAL for a malformed value, -EEXIST for a name reserved
 * already, -ENOSPC when 16 are reserved.
 */
VISIBLE_IF_KUNIT int isolation_reserve_add(const char *val)
{
	struct isolation_reserve *r, *first;

	if (isolation_nr_reserved == ISOLATION_RESERVE_MAX) {
		pr_warn("isolation.reserve=%s ignored: at most %d groups can be reserved\n",
			val ?: "", ISOLATION_RESERVE_MAX);
		return -ENOSPC;
	}
	r = &isolation_reserved[isolation_nr_reserved];
	if (isolation_reserve_parse(val, &r->name, &r->name_len, &r->manager)) {
		pr_warn("isolation.reserve=%s ignored: not <group name>=<manager>\n",
			val ?: "");
		return -EINVAL;
	}
	first = isolation_reserve_lookup(r->name, r->name_len);
	if (first) {
		pr_warn("isolation.reserve=%s ignored: the group is reserved for %s already\n",
			val, first->manager);
		return -EEXIST;
	}
	isolation_nr_reserved++;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(isolation_reserve_add);

/* The boot continues whatever the value: a bad one is only reported. */
static int isolation_reserve_set(const char *val, const struct kernel_param *kp)
{
	isolation_reserve_add(val);
	return 0;
}

static int isolation_reserve_get(char *buf, const struct kernel_param *kp)
{
	unsigned int i;
	int len = 0;

	for (i = 0; i < isolation_nr_reserved; i++)
		len += sysfs_emit_at(buf, len, "%s%.*s=%s", i ? "," : "",
				     (int)isolation_reserved[i].name_len,
				     isolation_reserved[i].name,
				     isolation_reserved[i].manager);
	return len + sysfs_emit_at(buf, len, "\n");
}

static const struct kernel_param_ops isolation_reserve_ops = {
	.set = isolation_reserve_set,
	.get = isolation_reserve_get,
};
module_param_cb(reserve, &isolation_reserve_ops, NULL, 0444);
MODULE_PARM_DESC(reserve, "<group name>=<manager>: hand the group to the manager as it forms (once per group)");

static struct isolation_reserve *isolation_reserve_find(const char *name)
{
	lockdep_assert_held(&isolation_mutex);
	return isolation_reserve_lookup(name, strlen(name));
}

/* The manager a group of this name is reserved for, or NULL. */
const char *isolation_reservation(const char *name)
{
	struct isolation_reserve *r = isolation_reserve_find(name);

	if (!r)
		return NULL;
	r->matched = true;
	return r->manager;
}

/* A reserved group was given back: its name is no longer reserved. */
void isolation_reservation_release(const char *name)
{
	struct isolation_reserve *r = isolation_reserve_find(name);

	if (r)
		r->released = true;
}

/* Once, when the boot's devices are there: the names no group took. */
static int __init isolation_reserve_report(void)
{
	unsigned int i;

	mutex_lock(&isolation_mutex);
	for (i = 0; i < isolation_nr_reserved; i++)
		if (!isolation_reserved[i].matched)
			pr_warn("isolation.reserve: no group is named %.*s; it is reserved for %s if it appears\n",
				(int)isolation_reserved[i].name_len,
				isolation_reserved[i].name,
				isolation_reserved[i].manager);
	mutex_unlock(&isolation_mutex);
	return 0;
}
late_initcall_sync(isolation_reserve_report);

/* sysfs */

struct isolation_group_attribute {
	struct attribute attr;
	ssize_t (*show)(struct isolation_group *group, char *buf);
};

#define ISOLATION_GROUP_ATTR_RO(_name)					\
	struct isolation_group_attribute isolation_group_attr_##_name =	\
		__ATTR_RO(_name)

#define to_isolation_group_attr(a) \
	container_of(a, struct isolation_group_attribute, attr)

static ssize_t isolation_group_attr_show(struct kobject *kobj,
					 struct attribute *attr, char *buf)
{
	struct isolation_group_attribute *ga = to_isolation_group_attr(attr);

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

/*
 * manager and owner are written with the credentials of whoever opened the
 * file, not of the task that writes (a setuid program handed an open file
 * must not lend its rights): they are binary attributes, whose write gets
 * the file.  A write may unbind and probe drivers, and so may drop what
 * keeps the group alive: it holds a reference of its own, and breaks the
 * active protection of its attribute so that the group can leave sysfs
 * meanwhile.
 */
typedef ssize_t (*isolation_file_store)(struct isolation_group *group,
					const struct cred *cred,
					const char *buf, size_t count);

static ssize_t isolation_group_file_write(struct file *file,
					  struct kobject *kobj,
					  const struct bin_attribute *attr,
					  const char *buf, size_t count,
					  isolation_file_store store)
{
	struct isolation_group *group = to_isolation_group(kobj);
	struct kernfs_node *kn;
	ssize_t ret;

	if (!kref_get_unless_zero(&group->ref))
		return -ENODEV;
	kn = sysfs_break_active_protection(kobj, &attr->attr);
	ret = store(group, file->f_cred, buf, count);
	isolation_group_put(group);
	if (kn)
		sysfs_unbreak_active_protection(kn);
	return ret;
}

/* Read what @show formats, a line of at most 64 characters, at @pos. */
static ssize_t isolation_group_file_read(struct kobject *kobj, char *buf,
					 loff_t pos, size_t count,
					 int (*show)(struct isolation_group *group,
						     char *line, size_t size))
{
	char line[ISOLATION_NAME_MAX + 2];
	int len;

	len = show(to_isolation_group(kobj), line, sizeof(line));
	return memory_read_from_buffer(buf, count, &pos, line, len);
}

static int isolation_manager_line(struct isolation_group *group, char *line,
				  size_t size)
{
	int len;

	/* Under the lock: an unregistering manager leaves its groups first. */
	spin_lock(&isolation_lock);
	len = scnprintf(line, size, "%s\n",
			group->manager ? group->manager->name : "");
	spin_unlock(&isolation_lock);
	return len;
}

static ssize_t manager_read(struct file *file, struct kobject *kobj,
			    struct bin_attribute *attr, char *buf, loff_t pos,
			    size_t count)
{
	return isolation_group_file_read(kobj, buf, pos, count,
					 isolation_manager_line);
}

/**
 * isolation_cred_may_manage() - may @cred hand @group over and give it back?
 * @cred: the credentials of whoever opened the manager file
 * @group: the group
 *
 * CAP_SYS_ADMIN in the initial user namespace, or the group's owner: the
 * owner's user as the filesystem user, or a member of the owner's group.
 *
 * Context: Any context that may take isolation_lock.
 * Return: true if @cred may.
 */
VISIBLE_IF_KUNIT bool isolation_cred_may_manage(const struct cred *cred,
						struct isolation_group *group)
{
	kuid_t uid;
	kgid_t gid;

	if (security_capable(cred, &init_user_ns, CAP_SYS_ADMIN,
			     CAP_OPT_NONE) == 0)
		return true;
	spin_lock(&isolation_lock);
	uid = group->owner_uid;
	gid = group->owner_gid;
	spin_unlock(&isolation_lock);
	if (uid_valid(uid) && uid_eq(cred->fsuid, uid))
		return true;
	return gid_valid(gid) &&
	       (gid_eq(cred->fsgid, gid) || groups_search(cred->group_info, gid));
}
EXPORT_SYMBOL_IF_KUNIT(isolation_cred_may_manage);

/*
 * Writing a registered manager's name hands the group over to it, as
 * isolation_group_handover() does; an empty line gives it back.  Anything
 * else changes nothing.
 */
static ssize_t isolation_manager_store(struct isolation_group *group,
				       const struct cred *cred,
				       const char *buf, size_t count)
{
	char name[ISOLATION_NAME_MAX + 1];
	const struct isolation_manager *mgr;
	size_t i, len = count;
	int ret;

	if (!isolation_cred_may_manage(cred, group))
		return -EACCES;
	if (len && buf[len - 1] == '\n')
		len--;
	if (!len)
		return isolation_group_give_back(group, NULL) ?: count;
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

static ssize_t manager_write(struct file *file, struct kobject *kobj,
			     struct bin_attribute *attr, char *buf, loff_t pos,
			     size_t count)
{
	return isolation_group_file_write(file, kobj, attr, buf, count,
					  isolation_manager_store);
}
static BIN_ATTR_RW(manager, 0);

/* One id: decimal digits only, no sign, no space, at most 10 of them. */
static int isolation_parse_id(const char *s, size_t len, u32 *id)
{
	char num[11];
	size_t i;

	if (!len || len >= sizeof(num))
		return -EINVAL;
	for (i = 0; i < len; i++)
		if (!isdigit(s[i]))
			return -EINVAL;
	memcpy(num, s, len);
	num[len] = '\0';
	return kstrtou32(num, 10, id) ? -EINVAL : 0;
}

/**
 * isolation_parse_owner() - parse a line written to an owner file
 * @buf: "" (no owner), "<uid>" or "<uid>:<gid>", decimal, with at most one
 *	trailing newline; not NUL-terminated
 * @len: the length of @buf
 * @ns: the user namespace the ids are read in: the writer's
 * @uid: the owner's user, or INVALID_UID for none
 * @gid: the owner's group, or INVALID_GID for none
 *
 * Context: Any context.
 * Return: 0, or -EINVAL for anything else, and for an id that does not map
 * in @ns; then @uid and @gid are invalid.
 */
VISIBLE_IF_KUNIT int isolation_parse_owner(const char *buf, size_t len,
					   struct user_namespace *ns,
					   kuid_t *uid, kgid_t *gid)
{
	const char *colon;
	u32 u, g;

	*uid = INVALID_UID;
	*gid = INVALID_GID;
	if (len && buf[len - 1] == '\n')
		len--;
	if (!len)
		return 0;
	colon = memchr(buf, ':', len);
	if (isolation_parse_id(buf, colon ? colon - buf : len, &u))
		return -EINVAL;
	if (colon && isolation_parse_id(colon + 1, buf + len - colon - 1, &g))
		return -EINVAL;
	*uid = make_kuid(ns, u);
	if (colon)
		*gid = make_kgid(ns, g);
	if (!uid_valid(*uid) || (colon && !gid_valid(*gid))) {
		*uid = INVALID_UID;
		*gid = INVALID_GID;
		return -EINVAL;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(isolation_parse_owner);

/* The owner as shown and sent: ids of the initial user namespace. */
static int isolation_owner_format(kuid_t uid, kgid_t gid, char *line,
				  size_t size)
{
	if (!uid_valid(uid))
		return scnprintf(line, size, "\n");
	if (!gid_valid(gid))
		return scnprintf(line, size, "%u\n",
				 from_kuid(&init_user_ns, uid));
	return scnprintf(line, size, "%u:%u\n", from_kuid(&init_user_ns, uid),
			 from_kgid(&init_user_ns, gid));
}

static int isolation_owner_line(struct isolation_group *group, char *line,
				size_t size)
{
	kuid_t uid;
	kgid_t gid;

	spin_lock(&isolation_lock);
	uid = group->owner_uid;
	gid = group->owner_gid;
	spin_unlock(&isolation_lock);
	return isolation_owner_format(uid, gid, line, size);
}

static ssize_t owner_read(struct file *file, struct kobject *kobj,
			  struct bin_attribute *attr, char *buf, loff_t pos,
			  size_t count)
{
	return isolation_group_file_read(kobj, buf, pos, count,
					 isolation_owner_line);
}

/*
 * Give the manager file to the owner, so that the owner can open it for
 * writing: its user, and its group with group write, or root's again.
 */
static int isolation_manager_file_owner(struct isolation_group *group,
					kuid_t uid, kgid_t gid)
{
	int ret;

	ret = sysfs_file_change_owner(&group->kobj, bin_attr_manager.attr.name,
				      uid_valid(uid) ? uid : GLOBAL_ROOT_UID,
				      gid_valid(gid) ? gid : GLOBAL_ROOT_GID);
	if (ret)
		return ret;
	return sysfs_chmod_file(&group->kobj, &bin_attr_manager.attr,
				gid_valid(gid) ? 0664 : 0644);
}

/*
 * Set or clear @group's owner, and tell userspace (udev may give the
 * devices' nodes to the owner) with a KOBJ_CHANGE uevent carrying it.
 * Under isolation_mutex, so that owners change one at a time.
 */
static int isolation_group_set_owner(struct isolation_group *group,
				     kuid_t uid, kgid_t gid)
{
	char env[48], *envp[] = { env, NULL };
	kuid_t old_uid;
	kgid_t old_gid;
	int ret, len;

	mutex_lock(&isolation_mutex);
	if (!group->provider) {
		ret = -ENODEV;
		goto out_unlock;
	}
	old_uid = group->owner_uid;
	old_gid = group->owner_gid;
	ret = isolation_manager_file_owner(group, uid, gid);
	if (ret)
		goto err_restore_file;
	spin_lock(&isolation_lock);
	group->owner_uid = uid;
	group->owner_gid = gid;
	spin_unlock(&isolation_lock);
	len = snprintf(env, sizeof(env), "ISOLATION_OWNER=");
	isolation_owner_format(uid, gid, env + len, sizeof(env) - len);
	env[strcspn(env, "\n")] = '\0';
	kobject_uevent_env(&group->kobj, KOBJ_CHANGE, envp);
	mutex_unlock(&isolation_mutex);
	return 0;

err_restore_file:
	isolation_manager_file_owner(group, old_uid, old_gid);
out_unlock:
	mutex_unlock(&isolation_mutex);
	return ret;
}

static ssize_t isolation_owner_store(struct isolation_group *group,
				     const struct cred *cred,
				     const char *buf, size_t count)
{
	kuid_t uid;
	kgid_t gid;
	int ret;

	if (security_capable(cred, &init_user_ns, CAP_SYS_ADMIN,
			     CAP_OPT_NONE))
		return -EPERM;
	ret = isolation_parse_owner(buf, count, cred->user_ns, &uid, &gid);
	if (ret)
		return ret;
	return isolation_group_set_owner(group, uid, gid) ?: count;
}

/**
 * isolation_device_owner() - the owner of a device's isolation group
 * @dev: the device
 * @uid: set to the owner's user, or INVALID_UID
 * @gid: set to the owner's group, or INVALID_GID
 *
 * For the manager's device nodes: a subsystem that creates a node to let
 * userspace at @dev's DMA (VFIO's group and device files) gives it to the
 * group's owner, whom the administrator delegated the group to
 * (/sys/isolation/<id>/owner).  What is read may change right after.
 *
 * Context: Any context that may take isolation_lock.
 * Return: true if @dev is in a group that has an owner.
 */
bool isolation_device_owner(struct device *dev, kuid_t *uid, kgid_t *gid)
{
	struct isolation_group *group;

	*uid = INVALID_UID;
	*gid = INVALID_GID;
	spin_lock(&isolation_lock);
	group = dev->isolation_group;
	if (group) {
		*uid = group->owner_uid;
		*gid = group->owner_gid;
	}
	spin_unlock(&isolation_lock);
	return uid_valid(*uid);
}
EXPORT_SYMBOL_GPL(isolation_device_owner);

static ssize_t owner_write(struct file *file, struct kobject *kobj,
			   struct bin_attribute *attr, char *buf, loff_t pos,
			   size_t count)
{
	return isolation_group_file_write(file, kobj, attr, buf, count,
					  isolation_owner_store);
}
static BIN_ATTR_RW(owner, 0);

static ssize_t reserved_show(struct isolation_group *group, char *buf)
{
	ssize_t ret;

	spin_lock(&isolation_lock);
	ret = sysfs_emit(buf, "%s\n", group->reserved_for ?: "");
	spin_unlock(&isolation_lock);
	return ret;
}
static ISOLATION_GROUP_ATTR_RO(reserved);

static ssize_t locked_show(struct isolation_group *group, char *buf)
{
	return sysfs_emit(buf, "%d\n", isolation_group_locked(group));
}
static ISOLATION_GROUP_ATTR_RO(locked);

static struct attribute *isolation_group_attrs[] = {
	&isolation_group_attr_name.attr,
	&isolation_group_attr_provider.attr,
	&isolation_group_attr_locked.attr,
	&isolation_group_attr_reserved.attr,
	NULL,
};

static struct bin_attribute *isolation_group_bin_attrs[] = {
	&bin_attr_manager,
	&bin_attr_owner,
	NULL,
};

static const struct attribute_group isolation_group_attr_group = {
	.attrs = isolation_group_attrs,
	.bin_attrs = isolation_group_bin_attrs,
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
	provider->names = RB_ROOT;
	list_add_tail(&provider->node, &isolation_providers);
out_unlock:
	mutex_unlock(&isolation_mutex);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(isolation_provider_register);

/* groups */

/* A provider's groups by name: isolation_group_alloc() looks them up. */
static int isolation_name_cmp(const void *name, const struct rb_node *node)
{
	return strcmp(name, rb_entry(node, struct isolation_group, name_node)->name);
}

static bool isolation_name_less(struct rb_node *a, const struct rb_node *b)
{
	return isolation_name_cmp(rb_entry(a, struct isolation_group, name_node)->name,
				  b) < 0;
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
	struct isolation_group *group;
	int ret;

	if (!provider || !isolation_name_valid(name))
		return ERR_PTR(-EINVAL);

	group = kzalloc(sizeof(*group), GFP_KERNEL);
	if (!group)
		return ERR_PTR(-ENOMEM);
	kref_init(&group->ref);
	group->owner_uid = INVALID_UID;
	group->owner_gid = INVALID_GID;
	INIT_LIST_HEAD(&group->devices);
	INIT_LIST_HEAD(&group->provider_node);
	isolation_group_init_manager(group);
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
	if (rb_find(name, &provider->names, isolation_name_cmp)) {
		ret = -EEXIST;
		goto err_unlock;
	}
	ret = kobject_add(&group->kobj, NULL, "%d", group->id);
	if (ret)
		goto err_unlock;
	group->provider = provider;
	list_add_tail(&group->provider_node, &provider->groups);
	rb_add(&group->name_node, &provider->names, isolation_name_less);
	group->reserved_for = isolation_reservation(name);
	if (group->reserved_for)
		pr_info("group %d (%s) reserved for %s\n", group->id, name,
			group->reserved_for);
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
EXPORT_SYMBOL_IF_KUNIT(isolation_group_alloc);

/**
 * isolation_group_get() - get the group of a device
 * @dev: the device
 *
 * Context: Process context, including the tests' notifier callbacks; takes
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
EXPORT_SYMBOL_IF_KUNIT(isolation_group_get);

/* Called by kref_put_mutex() with isolation_mutex held; drops it. */
static void isolation_group_release(struct kref *kref)
{
	struct isolation_group *group =
		container_of(kref, struct isolation_group, ref);
	bool published = group->provider;

	if (published) {
		list_del_init(&group->provider_node);
		rb_erase(&group->name_node, &group->provider->names);
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
 * particular not from the tests' notifier callback for a reference the
 * callback did not take itself).
 */
void isolation_group_put(struct isolation_group *group)
{
	if (group)
		kref_put_mutex(&group->ref, isolation_group_release,
			       &isolation_mutex);
}
EXPORT_SYMBOL_IF_KUNIT(isolation_group_put);

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
EXPORT_SYMBOL_IF_KUNIT(isolation_group_id);

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
EXPORT_SYMBOL_IF_KUNIT(isolation_group_name);

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
EXPORT_SYMBOL_IF_KUNIT(isolation_group_provider_name);

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
EXPORT_SYMBOL_IF_KUNIT(isolation_group_add_device);

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
	isolation_member_joined(member);
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
 * on @dev.  Only the name of
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
	if (!group->provider || !device_is_registered(dev) || dev->p->dead) {
		ret = -ENODEV;
		goto err_unlock;
	}
	member->link_name = isolation_member_link_name(group, dev);
	if (!member->link_name) {
		ret = -ENOMEM;
		goto err_unlock;
	}
	member->group = group;
	member->dev = dev;
	isolation_member_publish(member);
	/*
	 * device_del() marks @dev dead, then tests dev->isolation_group;
	 * this published it, then tests the mark: either that waits for
	 * isolation_mutex before it removes @dev's directory, or this sees
	 * the mark and touches nothing of that directory.
	 */
	smp_mb();	/* pairs with isolation_device_del() */
	if (dev->p->dead) {	/* a bit-field, set under the device lock */
		ret = -ENODEV;
		goto err_unpublish;
	}
	ret = sysfs_add_link_to_group(&group->kobj, "devices", &dev->kobj,
				      member->link_name);
	if (ret)
		goto err_unpublish;
	ret = sysfs_create_link(&dev->kobj, &group->kobj, "isolation_group");
	if (ret)
		goto err_remove_group_link;
	ret = sysfs_create_group(&dev->kobj, &isolation_member_group);
	if (ret)
		goto err_remove_device_link;

	kref_get(&group->ref);
	get_device(dev);
	isolation_notify(ISOLATION_NOTIFY_ADD_DEVICE, group, dev, NULL);
	isolation_group_update(group);
	/* A new member of a reserved group goes to its manager too. */
	isolation_group_reserve_kick(group);
	mutex_unlock(&isolation_mutex);
	return 0;

err_remove_device_link:
	sysfs_remove_link(&dev->kobj, "isolation_group");
err_remove_group_link:
	sysfs_remove_link_from_group(&group->kobj, "devices", member->link_name);
err_unpublish:
	isolation_member_unpublish(member);
	kfree(member->link_name);
err_unlock:
	mutex_unlock(&isolation_mutex);
	kfree(member->reason_dev);
err_free_member:
	kfree(member);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(isolation_group_add_device_reason);

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
	/* It may have had the manager's last driver, or the last host one. */
	isolation_group_update(group);
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
 * Removes both sysfs links and drops
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
EXPORT_SYMBOL_IF_KUNIT(isolation_group_remove_device);

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
EXPORT_SYMBOL_IF_KUNIT(isolation_device_reason);

/**
 * isolation_provider_unregister() - unregister a provider and its groups
 * @provider: a provider registered with isolation_provider_register()
 *
 * Every device is removed from every group of @provider, and the groups
 * leave sysfs.  References to those groups stay valid until they are put,
 * but the groups are empty and can no longer gain devices.  References the
 * provider itself still holds must be put by it, before or after this call.
 *
 * Context: Process context; takes isolation_mutex.
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
	/* The groups no longer name it; their names are free for good. */
	provider->names = RB_ROOT;
	mutex_unlock(&isolation_mutex);

	list_for_each_entry_safe(member, mnext, &members, node)
		isolation_member_free(member);
	list_for_each_entry_safe(group, next, &groups, provider_node) {
		list_del_init(&group->provider_node);
		isolation_group_unpublish(group);
		isolation_group_put(group);
	}
}
EXPORT_SYMBOL_IF_KUNIT(isolation_provider_unregister);

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
EXPORT_SYMBOL_IF_KUNIT(isolation_group_for_each);

/**
 * isolation_device_del() - take a device that is being deleted out of its group
 * @dev: the device, from device_del()
 *
 * Context: Process context, from device_del() only.
 */
void isolation_device_del(struct device *dev)
{
	/*
	 * device_del() marked @dev dead under its lock; an add that missed
	 * the mark has published its member, which this sees, and one that
	 * publishes later sees the mark (isolation_group_add_device_reason()).
	 * A device in no group takes no lock here.
	 */
	smp_mb();	/* dev->p->dead stored; pairs with the add */
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
