// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the isolation group core: providers, groups, membership
 * and its reasons, lifetime, sysfs and notifier events.
 *
 * sysfs is checked through kernfs, the way userspace sees it: directories,
 * links and their targets are looked up by name, and attributes are read
 * through the show() method sysfs itself calls.  The error paths of
 * allocation are swept in isolation-manager-test.c, through the kernel's
 * fault injection.
 */

#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/device.h>
#include <linux/isolation.h>
#include <linux/kernfs.h>
#include <linux/kobject.h>
#include <linux/kthread.h>
#include <linux/notifier.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

#include "../../base.h"

#define ISO_MAX_EVENTS 16

struct iso_event {
	unsigned long action;
	struct isolation_group *group;
	struct device *dev;
};

struct iso_ctx {
	struct kernfs_node *isolation_kn;	/* /sys/isolation */
	/* notifier log */
	struct notifier_block nb;
	struct iso_event events[ISO_MAX_EVENTS];
	int num_events;
};

static struct iso_ctx *iso_ctx(struct kunit *test)
{
	return test->priv;
}

/* Test fixtures */

static void iso_defer(struct kunit *test, kunit_action_t *action, void *data)
{
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, action, data), 0);
}

static void iso_provider_unregister_action(void *provider)
{
	isolation_provider_unregister(provider);
}

static struct isolation_provider *iso_provider(struct kunit *test,
					       const char *name)
{
	struct isolation_provider *p;

	p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	p->name = name;
	KUNIT_ASSERT_EQ(test, isolation_provider_register(p), 0);
	iso_defer(test, iso_provider_unregister_action, p);
	return p;
}

/*
 * kunit_device_register() also registers a driver of the same name, whose
 * kobject outlives the test for a while with CONFIG_DEBUG_KOBJECT_RELEASE:
 * never use a name twice.
 */
static struct device *iso_dev(struct kunit *test, const char *name)
{
	static atomic_t seq = ATOMIC_INIT(0);
	struct device *dev;
	char unique[64];

	snprintf(unique, sizeof(unique), "%s-%d", name, atomic_inc_return(&seq));
	dev = kunit_device_register(test, unique);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	return dev;
}

static struct isolation_group *iso_group(struct kunit *test,
					 struct isolation_provider *p,
					 const char *name)
{
	struct isolation_group *g = isolation_group_alloc(p, name);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, g);
	return g;
}

/* sysfs, as userspace sees it */

static struct kernfs_node *iso_group_kn(struct kunit *test, int id)
{
	char name[16];

	snprintf(name, sizeof(name), "%d", id);
	return kernfs_find_and_get(iso_ctx(test)->isolation_kn, name);
}

static bool iso_group_in_sysfs(struct kunit *test, int id)
{
	struct kernfs_node *kn = iso_group_kn(test, id);

	kernfs_put(kn);
	return kn;
}

/* Target of the link @name in @dir, or NULL; no reference is kept. */
static struct kernfs_node *iso_link_target(struct kernfs_node *dir,
					   const char *name)
{
	struct kernfs_node *kn, *target = NULL;

	if (!dir)
		return NULL;
	kn = kernfs_find_and_get(dir, name);
	if (kn && kernfs_type(kn) == KERNFS_LINK)
		target = kn->symlink.target_kn;
	kernfs_put(kn);
	return target;
}

/* Read attribute @name of group @id through its sysfs show() method. */
static int iso_read_attr(struct kunit *test, int id, const char *name,
			 char *buf)
{
	struct kernfs_node *dir = iso_group_kn(test, id);
	struct kernfs_node *kn;
	struct kobject *kobj;
	int ret = -ENOENT;

	if (!dir)
		return ret;
	kn = kernfs_find_and_get(dir, name);
	if (kn) {
		kobj = dir->priv;
		ret = kobj->ktype->sysfs_ops->show(kobj, kn->priv, buf);
		kernfs_put(kn);
	}
	kernfs_put(dir);
	return ret;
}

static void iso_expect_attr(struct kunit *test, int id, const char *name,
			    const char *want)
{
	char *buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_EXPECT_EQ(test, iso_read_attr(test, id, name, buf),
			(int)strlen(want));
	KUNIT_EXPECT_STREQ(test, buf, want);
}

/* Read attribute @name of @dev through its sysfs show() method. */
static int iso_read_dev_attr(struct device *dev, const char *name, char *buf)
{
	struct kernfs_node *kn = kernfs_find_and_get(dev->kobj.sd, name);
	struct kobject *kobj = &dev->kobj;
	int ret = -ENOENT;

	if (kn) {
		ret = kobj->ktype->sysfs_ops->show(kobj, kn->priv, buf);
		kernfs_put(kn);
	}
	return ret;
}

static void iso_expect_dev_attr(struct kunit *test, struct device *dev,
				const char *name, const char *want)
{
	char *buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_EXPECT_EQ_MSG(test, iso_read_dev_attr(dev, name, buf),
			    (int)strlen(want), "%s of %s", name, dev_name(dev));
	KUNIT_EXPECT_STREQ_MSG(test, buf, want, "%s of %s", name,
			       dev_name(dev));
}

/* Does @dev have neither reason attribute? */
static bool iso_dev_lacks_reason(struct device *dev)
{
	char *buf = kzalloc(PAGE_SIZE, GFP_KERNEL);
	bool lacks;

	if (!buf)
		return false;
	lacks = iso_read_dev_attr(dev, "isolation_reason", buf) == -ENOENT &&
		iso_read_dev_attr(dev, "isolation_reason_device", buf) == -ENOENT;
	kfree(buf);
	return lacks;
}

/* Is @dev linked from group @id's devices/ as @link, and back? */
static bool iso_linked_as(struct kunit *test, int id, struct device *dev,
			  const char *link)
{
	struct kernfs_node *dir = iso_group_kn(test, id);
	struct kernfs_node *devices = dir ? kernfs_find_and_get(dir, "devices") : NULL;
	struct kernfs_node *target = iso_link_target(devices, link);
	bool fwd, back;

	fwd = target && target == dev->kobj.sd;
	back = dir && iso_link_target(dev->kobj.sd, "isolation_group") == dir;
	kernfs_put(devices);
	kernfs_put(dir);
	return fwd && back;
}

static bool iso_linked(struct kunit *test, int id, struct device *dev)
{
	return iso_linked_as(test, id, dev, dev_name(dev));
}

static bool iso_dev_has_group_link(struct device *dev)
{
	struct kernfs_node *kn = kernfs_find_and_get(dev->kobj.sd,
						     "isolation_group");

	kernfs_put(kn);
	return kn;
}

/*
 * The id the next group will get.  ids are handed out smallest first, so a
 * group that leaked its id, or is still alive, shows up here.
 */
static int iso_next_id(struct kunit *test, struct isolation_provider *p)
{
	struct isolation_group *g = iso_group(test, p, "probe-next-id");
	int id = isolation_group_id(g);

	isolation_group_put(g);
	KUNIT_EXPECT_FALSE(test, iso_group_in_sysfs(test, id));
	return id;
}

/* Notifier log */

static int iso_notify(struct notifier_block *nb, unsigned long action,
		      void *data)
{
	struct iso_ctx *ctx = container_of(nb, struct iso_ctx, nb);
	struct isolation_notifier_data *d = data;

	if (ctx->num_events < ISO_MAX_EVENTS) {
		ctx->events[ctx->num_events].action = action;
		ctx->events[ctx->num_events].group = d->group;
		ctx->events[ctx->num_events].dev = d->dev;
	}
	ctx->num_events++;
	return NOTIFY_OK;
}

static void iso_unregister_notifier_action(void *nb)
{
	isolation_unregister_notifier(nb);
}

static void iso_listen(struct kunit *test)
{
	struct iso_ctx *ctx = iso_ctx(test);

	ctx->nb.notifier_call = iso_notify;
	KUNIT_ASSERT_EQ(test, isolation_register_notifier(&ctx->nb), 0);
	iso_defer(test, iso_unregister_notifier_action, &ctx->nb);
}

static void iso_expect_event(struct kunit *test, int i, unsigned long action,
			     struct isolation_group *g, struct device *dev)
{
	struct iso_ctx *ctx = iso_ctx(test);

	KUNIT_ASSERT_LT(test, i, ctx->num_events);
	KUNIT_EXPECT_EQ(test, ctx->events[i].action, action);
	KUNIT_EXPECT_PTR_EQ(test, ctx->events[i].group, g);
	KUNIT_EXPECT_PTR_EQ(test, ctx->events[i].dev, dev);
}

static int iso_count(struct device *dev, void *data)
{
	return 1;
}

/* Providers */

static void iso_provider_register_test(struct kunit *test)
{
	struct isolation_provider p = { .name = "kunit-reg" };
	struct isolation_provider empty = { .name = "" };
	struct isolation_provider noname = { };

	KUNIT_EXPECT_EQ(test, isolation_provider_register(NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, isolation_provider_register(&empty), -EINVAL);
	KUNIT_EXPECT_EQ(test, isolation_provider_register(&noname), -EINVAL);
	KUNIT_ASSERT_EQ(test, isolation_provider_register(&p), 0);
	KUNIT_EXPECT_EQ(test, isolation_provider_register(&p), -EBUSY);
	isolation_provider_unregister(&p);
	/* Gone for good: it can allocate nothing and can register again. */
	KUNIT_EXPECT_EQ(test, PTR_ERR(isolation_group_alloc(&p, "g")), -EINVAL);
	KUNIT_EXPECT_EQ(test, isolation_provider_register(&p), 0);
	isolation_provider_unregister(&p);
	isolation_provider_unregister(NULL);
}

static void iso_provider_duplicate_name_test(struct kunit *test)
{
	struct isolation_provider dup = { .name = "kunit-dup" };

	iso_provider(test, "kunit-dup");
	KUNIT_EXPECT_EQ(test, isolation_provider_register(&dup), -EEXIST);
}

static void iso_two_providers_test(struct kunit *test)
{
	struct isolation_provider *a = iso_provider(test, "kunit-a");
	struct isolation_provider *b = iso_provider(test, "kunit-b");
	struct device *da = iso_dev(test, "iso-two-a");
	struct device *db = iso_dev(test, "iso-two-b");
	struct isolation_group *ga = iso_group(test, a, "same");
	struct isolation_group *gb = iso_group(test, b, "same");

	/* Names are per provider: both may use "same". */
	KUNIT_EXPECT_NE(test, isolation_group_id(ga), isolation_group_id(gb));
	KUNIT_ASSERT_EQ(test, isolation_group_add_device(ga, da), 0);
	KUNIT_ASSERT_EQ(test, isolation_group_add_device(gb, db), 0);
	iso_expect_attr(test, isolation_group_id(ga), "provider", "kunit-a\n");
	iso_expect_attr(test, isolation_group_id(gb), "provider", "kunit-b\n");

	/* Unregistering one provider leaves the other's groups alone. */
	isolation_provider_unregister(a);
	kunit_remove_action(test, iso_provider_unregister_action, a);
	KUNIT_EXPECT_NULL(test, isolation_group_get(da));
	KUNIT_EXPECT_FALSE(test, iso_group_in_sysfs(test, isolation_group_id(ga)));
	KUNIT_EXPECT_TRUE(test, iso_linked(test, isolation_group_id(gb), db));
	isolation_group_put(ga);
	isolation_group_put(gb);
}

static void iso_provider_unregister_live_groups_test(struct kunit *test)
{
	struct isolation_provider p = { .name = "kunit-unreg" };
	struct device *d1 = iso_dev(test, "iso-unreg-1");
	struct device *d2 = iso_dev(test, "iso-unreg-2");
	struct isolation_group *held, *dropped;
	int held_id, dropped_id;

	KUNIT_ASSERT_EQ(test, isolation_provider_register(&p), 0);
	held = iso_group(test, &p, "held");
	dropped = iso_group(test, &p, "dropped");
	held_id = isolation_group_id(held);
	dropped_id = isolation_group_id(dropped);
	KUNIT_ASSERT_EQ(test, isolation_group_add_device(held, d1), 0);
	KUNIT_ASSERT_EQ(test, isolation_group_add_device(dropped, d2), 0);
	/* Like an IOMMU provider: only the member keeps "dropped" alive. */
	isolation_group_put(dropped);

	isolation_provider_unregister(&p);

	KUNIT_EXPECT_NULL(test, isolation_group_get(d1));
	KUNIT_EXPECT_NULL(test, isolation_group_get(d2));
	KUNIT_EXPECT_FALSE(test, iso_dev_has_group_link(d1));
	KUNIT_EXPECT_FALSE(test, iso_dev_has_group_link(d2));
	KUNIT_EXPECT_FALSE(test, iso_group_in_sysfs(test, held_id));
	KUNIT_EXPECT_FALSE(test, iso_group_in_sysfs(test, dropped_id));

	/* The held reference still works, but the group takes no devices. */
	KUNIT_EXPECT_STREQ(test, isolation_group_name(held), "held");
	KUNIT_EXPECT_STREQ(test, isolation_group_provider_name(held),
			   "kunit-unreg");
	KUNIT_EXPECT_EQ(test, isolation_group_add_device(held, d1), -ENODEV);
	KUNIT_EXPECT_EQ(test, isolation_group_for_each(held, NULL, iso_count), 0);
	isolation_group_put(held);
}

static void iso_provider_unregister_notifies_test(struct kunit *test)
{
	struct isolation_provider p = { .name = "kunit-unreg-ev" };
	struct device *d1 = iso_dev(test, "iso-unev-1");
	struct device *d2 = iso_dev(test, "iso-unev-2");
	struct isolation_group *g;

	KUNIT_ASSERT_EQ(test, isolation_provider_register(&p), 0);
	g = iso_group(test, &p, "g");
	KUNIT_ASSERT_EQ(test, isolation_group_add_device(g, d1), 0);
	KUNIT_ASSERT_EQ(test, isolation_group_add_device(g, d2), 0);
	iso_listen(test);
	isolation_provider_unregister(&p);
	KUNIT_EXPECT_EQ(test, iso_ctx(test)->num_events, 2);
	iso_expect_event(test, 0, ISOLATION_NOTIFY_DEL_DEVICE, g, d1);
	iso_expect_event(test, 1, ISOLATION_NOTIFY_DEL_DEVICE, g, d2);
	isolation_group_put(g);
}

/* Groups */

static void iso_group_alloc_free_test(struct kunit *test)
{
	struct isolation_provider *p = iso_provider(test, "kunit-alloc");
	struct isolation_group *g = iso_group(test, p, "pci-0000:00:1f.0");
	int id = isolation_group_id(g);

	KUNIT_EXPECT_GE(test, id, 0);
	KUNIT_EXPECT_STREQ(test, isolation_group_name(g), "pci-0000:00:1f.0");
	KUNIT_EXPECT_STREQ(test, isolation_group_provider_name(g), "kunit-alloc");
	KUNIT_EXPECT_TRUE(test, iso_group_in_sysfs(test, id));
	isolation_group_put(g);
	KUNIT_EXPECT_FALSE(test, iso_group_in_sysfs(test, id));
}

static void iso_group_alloc_bad_args_test(struct kunit *test)
{
	struct isolation_provider *p = iso_provider(test, "kunit-badargs");
	struct isolation_provider unregistered = { .name = "kunit-unreg'd" };
	char *name = kunit_kzalloc(test, 66, GFP_KERNEL);
	struct isolation_group *g;
	int next = iso_next_id(test, p);

	KUNIT_ASSERT_NOT_NULL(test, name);
	KUNIT_EXPECT_EQ(test, PTR_ERR(isolation_group_alloc(NULL, "x")), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(isolation_group_alloc(p, NULL)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(isolation_group_alloc(p, "")), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(isolation_group_alloc(p, "a/b")), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(isolation_group_alloc(p, "a\n")), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(isolation_group_alloc(&unregistered, "x")),
			-EINVAL);
	memset(name, 'n', 65);
	KUNIT_EXPECT_EQ(test, PTR_ERR(isolation_group_alloc(p, name)), -EINVAL);
	name[64] = '\0';
	g = iso_group(test, p, name);
	KUNIT_EXPECT_STREQ(test, isolation_group_name(g), name);
	isolation_group_put(g);
	/* None of the failures leaked an id. */
	KUNIT_EXPECT_EQ(test, iso_next_id(test, p), next);
}

static void iso_group_duplicate_name_test(struct kunit *test)
{
	struct isolation_provider *p = iso_provider(test, "kunit-dupname");
	struct isolation_group *g = iso_group(test, p, "twin");
	int id = isolation_group_id(g);
	int next;

	KUNIT_EXPECT_EQ(test, PTR_ERR(isolation_group_alloc(p, "twin")), -EEXIST);
	next = iso_next_id(test, p);
	isolation_group_put(g);
	/* Once the first is gone, the name is free again. */
	g = iso_group(test, p, "twin");
	KUNIT_EXPECT_EQ(test, isolation_group_id(g), min(id, next));
	isolation_group_put(g);
}

static void iso_group_id_reuse_test(struct kunit *test)
{
	struct isolation_provider *p = iso_provider(test, "kunit-ids");
	struct isolation_group *a = iso_group(test, p, "a");
	struct isolation_group *b = iso_group(test, p, "b");
	struct isolation_group *c;
	int ida = isolation_group_id(a);

	KUNIT_EXPECT_NE(test, ida, isolation_group_id(b));
	isolation_group_put(a);
	c = iso_group(test, p, "c");
	KUNIT_EXPECT_EQ(test, isolation_group_id(c), ida);
	KUNIT_EXPECT_TRUE(test, iso_group_in_sysfs(test, ida));
	iso_expect_attr(test, ida, "name", "c\n");
	isolation_group_put(c);
	isolation_group_put(b);
}

static void iso_many_groups_test(struct kunit *test)
{
	struct isolation_provider *p = iso_provider(test, "kunit-many");
	struct isolation_group **g;
	int base = iso_next_id(test, p);
	char name[16];
	int i;

	g = kunit_kcalloc(test, 128, sizeof(*g), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, g);
	for (i = 0; i < 128; i++) {
		snprintf(name, sizeof(name), "g%d", i);
		g[i] = iso_group(test, p, name);
		/* Nothing else allocates meanwhile: ids are dense. */
		KUNIT_EXPECT_EQ(test, isolation_group_id(g[i]), base + i);
	}
	/* Free every other group; the holes are filled lowest first. */
	for (i = 0; i < 128; i += 2)
		isolation_group_put(g[i]);
	for (i = 0; i < 128; i += 2) {
		snprintf(name, sizeof(name), "again%d", i);
		g[i] = iso_group(test, p, name);
		KUNIT_EXPECT_EQ(test, isolation_group_id(g[i]), base + i);
	}
	for (i = 0; i < 128; i++)
		isolation_group_put(g[i]);
	KUNIT_EXPECT_EQ(test, iso_next_id(test, p), base);
}

static void iso_group_get_put_test(struct kunit *test)
{
	struct isolation_provider *p = iso_provider(test, "kunit-getput");
	struct device *dev = iso_dev(test, "iso-getput");
	struct device *lone = iso_dev(test, "iso-getput-lone");
	struct isolation_group *g = iso_group(test, p, "g");
	struct isolation_group *got;
	int id = isolation_group_id(g);

	KUNIT_EXPECT_NULL(test, isolation_group_get(NULL));
	KUNIT_EXPECT_NULL(test, isolation_group_get(lone));
	isolation_group_put(NULL);
	KUNIT_EXPECT_EQ(test, isolation_group_id(NULL), -EINVAL);
	KUNIT_EXPECT_NULL(test, isolation_group_name(NULL));
	KUNIT_EXPECT_NULL(test, isolation_group_provider_name(NULL));

	KUNIT_ASSERT_EQ(test, isolation_group_add_device(g, dev), 0);
	got = isolation_group_get(dev);
	KUNIT_EXPECT_PTR_EQ(test, got, g);
	isolation_group_put(g);
	KUNIT_ASSERT_EQ(test, isolation_group_remove_device(dev), 0);
	/* The reference from get() alone keeps the group. */
	KUNIT_EXPECT_TRUE(test, iso_group_in_sysfs(test, id));
	isolation_group_put(got);
	KUNIT_EXPECT_FALSE(test, iso_group_in_sysfs(test, id));
}

static void iso_group_outlives_last_device_test(struct kunit *test)
{
	struct isolation_provider *p = iso_provider(test, "kunit-outlive");
	struct device *dev = iso_dev(test, "iso-outlive");
	struct isolation_group *g = iso_group(test, p, "g");
	int id = isolation_group_id(g);
	int next;

	KUNIT_ASSERT_EQ(test, isolation_group_add_device(g, dev), 0);
	KUNIT_ASSERT_EQ(test, isolation_group_remove_device(dev), 0);
	/* Empty but referenced: still there, id still taken. */
	KUNIT_EXPECT_TRUE(test, iso_group_in_sysfs(test, id));
	next = iso_next_id(test, p);
	KUNIT_EXPECT_NE(test, next, id);
	KUNIT_EXPECT_EQ(test, isolation_group_add_device(g, dev), 0);
	KUNIT_EXPECT_EQ(test, isolation_group_remove_device(dev), 0);
	isolation_group_put(g);
	KUNIT_EXPECT_FALSE(test, iso_group_in_sysfs(test, id));
	KUNIT_EXPECT_EQ(test, iso_next_id(test, p), min(id, next));
}

static void iso_empty_group_disappears_test(struct kunit *test)
{
	struct isolation_provider *p = iso_provider(test, "kunit-empty");
	struct device *d1 = iso_dev(test, "iso-empty-1");
	struct device *d2 = iso_dev(test, "iso-empty-2");
	struct isolation_group *g = iso_group(test, p, "g");
	int id = isolation_group_id(g);

	KUNIT_ASSERT_EQ(test, isolation_group_add_device(g, d1), 0);
	KUNIT_ASSERT_EQ(test, isolation_group_add_device(g, d2), 0);
	isolation_group_put(g);
	KUNIT_ASSERT_EQ(test, isolation_group_remove_device(d1), 0);
	KUNIT_EXPECT_TRUE(test, iso_group_in_sysfs(test, id));
	KUNIT_ASSERT_EQ(test, isolation_group_remove_device(d2), 0);
	KUNIT_EXPECT_FALSE(test, iso_group_in_sysfs(test, id));
}

/* Membership */

static void iso_add_remove_device_test(struct kunit *test)
{
	struct isolation_provider *p = iso_provider(test, "kunit-addrm");
	struct device *dev = iso_dev(test, "iso-addrm");
	struct isolation_group *g = iso_group(test, p, "g");
	struct isolation_group *got;
	int id = isolation_group_id(g);

	KUNIT_ASSERT_EQ(test, isolation_group_add_device(g, dev), 0);
	got = isolation_group_get(dev);
	KUNIT_EXPECT_PTR_EQ(test, got, g);
	isolation_group_put(got);
	KUNIT_EXPECT_TRUE(test, iso_linked(test, id, dev));

	KUNIT_ASSERT_EQ(test, isolation_group_remove_device(dev), 0);
	KUNIT_EXPECT_NULL(test, isolation_group_get(dev));
	KUNIT_EXPECT_FALSE(test, iso_dev_has_group_link(dev));
	KUNIT_EXPECT_FALSE(test, iso_linked(test, id, dev));
	isolation_group_put(g);
}

static void iso_add_device_twice_test(struct kunit *test)
{
	struct isolation_provider *p = iso_provider(test, "kunit-twice");
	struct device *dev = iso_dev(test, "iso-twice");
	struct isolation_group *g = iso_group(test, p, "g");
	struct isolation_group *h = iso_group(test, p, "h");
	struct isolation_group *got;

	KUNIT_ASSERT_EQ(test, isolation_group_add_device(g, dev), 0);
	KUNIT_EXPECT_EQ(test, isolation_group_add_device(g, dev), -EBUSY);
	KUNIT_EXPECT_EQ(test, isolation_group_add_device(h, dev), -EBUSY);
	got = isolation_group_get(dev);
	KUNIT_EXPECT_PTR_EQ(test, got, g);
	isolation_group_put(got);
	KUNIT_EXPECT_TRUE(test, iso_linked(test, isolation_group_id(g), dev));
	KUNIT_EXPECT_FALSE(test, iso_linked(test, isolation_group_id(h), dev));
	KUNIT_EXPECT_EQ(test, isolation_group_remove_device(dev), 0);
	isolation_group_put(g);
	isolation_group_put(h);
}

static void iso_remove_groupless_device_test(struct kunit *test)
{
	struct device *dev = iso_dev(test, "iso-groupless");

	KUNIT_EXPECT_EQ(test, isolation_group_remove_device(dev), -ENODEV);
	KUNIT_EXPECT_EQ(test, isolation_group_remove_device(NULL), -EINVAL);
	KUNIT_EXPECT_FALSE(test, iso_dev_has_group_link(dev));
}

static void iso_unregistered_dev_release(struct device *dev)
{
	kfree(dev);
}

static void iso_add_device_bad_args_test(struct kunit *test)
{
	struct isolation_provider *p = iso_provider(test, "kunit-addbad");
	struct isolation_group *g = iso_group(test, p, "g");
	struct device *dev = iso_dev(test, "iso-addbad");
	struct device *unregistered;
	int id = isolation_group_id(g);

	unregistered = kzalloc(sizeof(*unregistered), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, unregistered);
	device_initialize(unregistered);
	unregistered->release = iso_unregistered_dev_release;
	dev_set_name(unregistered, "iso-not-added");

	KUNIT_EXPECT_EQ(test, isolation_group_add_device(NULL, dev), -EINVAL);
	KUNIT_EXPECT_EQ(test, isolation_group_add_device(g, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, isolation_group_add_device(g, unregistered), -ENODEV);
	KUNIT_EXPECT_NULL(test, isolation_group_get(unregistered));
	put_device(unregistered);

	/* Nothing was added: the only reference left is ours. */
	isolation_group_put(g);
	KUNIT_EXPECT_FALSE(test, iso_group_in_sysfs(test, id));
}

static void iso_device_del_test(struct kunit *test)
{
	struct isolation_provider *p = iso_provider(test, "kunit-del");
	struct device *d1 = iso_dev(test, "iso-del-1");
	struct device *d2 = iso_dev(test, "iso-del-2");
	struct isolation_group *g = iso_group(test, p, "g");
	int id = isolation_group_id(g);

	KUNIT_ASSERT_EQ(test, isolation_group_add_device(g, d1), 0);
	KUNIT_ASSERT_EQ(test, isolation_group_add_device(g, d2), 0);
	isolation_group_put(g);
	iso_listen(test);

	/* Looked at after device_del(): keep the memory. */
	get_device(d1);
	kunit_device_unregister(test, d1);
	KUNIT_EXPECT_EQ(test, iso_ctx(test)->num_events, 1);
	iso_expect_event(test, 0, ISOLATION_NOTIFY_DEL_DEVICE, g, d1);
	KUNIT_EXPECT_FALSE(test, iso_linked(test, id, d1));
	KUNIT_EXPECT_TRUE(test, iso_linked(test, id, d2));
	put_device(d1);

	/* The last member leaves with device_del(): the group goes too. */
	kunit_device_unregister(test, d2);
	KUNIT_EXPECT_EQ(test, iso_ctx(test)->num_events, 2);
	KUNIT_EXPECT_FALSE(test, iso_group_in_sysfs(test, id));
}

static int iso_collect(struct device *dev, void *data)
{
	struct device **seen = data;

	while (*seen)
		seen++;
	*seen = dev;
	return 0;
}

static int iso_stop_at(struct device *dev, void *data)
{
	return dev == data ? 42 : 0;
}

static void iso_walk_members_test(struct kunit *test)
{
	struct isolation_provider *p = iso_provider(test, "kunit-foreach");
	struct isolation_group *g = iso_group(test, p, "g");
	struct device *devs[3], *seen[4] = { };
	int i;

	KUNIT_EXPECT_EQ(test, isolation_group_for_each(g, seen, iso_collect), 0);
	KUNIT_EXPECT_NULL(test, seen[0]);

	devs[0] = iso_dev(test, "iso-each-0");
	devs[1] = iso_dev(test, "iso-each-1");
	devs[2] = iso_dev(test, "iso-each-2");
	for (i = 0; i < 3; i++)
		KUNIT_ASSERT_EQ(test, isolation_group_add_device(g, devs[i]), 0);

	KUNIT_EXPECT_EQ(test, isolation_group_for_each(g, seen, iso_collect), 0);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_PTR_EQ(test, seen[i], devs[i]);
	KUNIT_EXPECT_NULL(test, seen[3]);

	KUNIT_EXPECT_EQ(test, isolation_group_for_each(g, devs[1], iso_stop_at), 42);
	KUNIT_EXPECT_EQ(test, isolation_group_for_each(NULL, NULL, iso_stop_at),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, isolation_group_for_each(g, NULL, NULL), -EINVAL);

	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_EQ(test, isolation_group_remove_device(devs[i]), 0);
	isolation_group_put(g);
}

/* sysfs */

static void iso_sysfs_layout_test(struct kunit *test)
{
	struct isolation_provider *p = iso_provider(test, "kunit-sysfs");
	struct isolation_group *g = iso_group(test, p, "pci-0000:00:02.0");
	struct device *d1 = iso_dev(test, "iso-sysfs-1");
	struct device *d2 = iso_dev(test, "iso-sysfs-2");
	int id = isolation_group_id(g);
	struct kernfs_node *dir, *devices;

	dir = iso_group_kn(test, id);
	KUNIT_ASSERT_NOT_NULL(test, dir);
	KUNIT_EXPECT_EQ(test, kernfs_type(dir), KERNFS_DIR);
	devices = kernfs_find_and_get(dir, "devices");
	KUNIT_ASSERT_NOT_NULL(test, devices);
	KUNIT_EXPECT_EQ(test, kernfs_type(devices), KERNFS_DIR);
	iso_expect_attr(test, id, "name", "pci-0000:00:02.0\n");
	iso_expect_attr(test, id, "provider", "kunit-sysfs\n");

	KUNIT_ASSERT_EQ(test, isolation_group_add_device(g, d1), 0);
	KUNIT_ASSERT_EQ(test, isolation_group_add_device(g, d2), 0);
	KUNIT_EXPECT_TRUE(test, iso_linked(test, id, d1));
	KUNIT_EXPECT_TRUE(test, iso_linked(test, id, d2));

	KUNIT_EXPECT_EQ(test, isolation_group_remove_device(d1), 0);
	KUNIT_EXPECT_NULL(test, iso_link_target(devices, dev_name(d1)));
	KUNIT_EXPECT_TRUE(test, iso_linked(test, id, d2));
	KUNIT_EXPECT_EQ(test, isolation_group_remove_device(d2), 0);
	kernfs_put(devices);
	kernfs_put(dir);
	isolation_group_put(g);
}

static void iso_root_device_unregister_action(void *dev)
{
	root_device_unregister(dev);
}

static void iso_sysfs_link_name_clash_test(struct kunit *test)
{
	struct isolation_provider *p = iso_provider(test, "kunit-clash");
	struct isolation_group *g = iso_group(test, p, "g");
	struct device *kdev = iso_dev(test, "iso-clash");
	struct device *rdev = root_device_register(dev_name(kdev));
	int id = isolation_group_id(g);
	char suffixed[128];

	/* Same name on two buses: the second link gets a suffix. */
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, rdev);
	iso_defer(test, iso_root_device_unregister_action, rdev);
	snprintf(suffixed, sizeof(suffixed), "%s.1", dev_name(kdev));
	KUNIT_ASSERT_EQ(test, isolation_group_add_device(g, kdev), 0);
	KUNIT_ASSERT_EQ(test, isolation_group_add_device(g, rdev), 0);
	KUNIT_EXPECT_TRUE(test, iso_linked(test, id, kdev));
	KUNIT_EXPECT_TRUE(test, iso_linked_as(test, id, rdev, suffixed));

	/* Each removal takes its own link, not its namesake's. */
	KUNIT_EXPECT_EQ(test, isolation_group_remove_device(kdev), 0);
	KUNIT_EXPECT_TRUE(test, iso_linked_as(test, id, rdev, suffixed));
	/* The plain name is free again and goes to the next one. */
	KUNIT_EXPECT_EQ(test, isolation_group_add_device(g, kdev), 0);
	KUNIT_EXPECT_TRUE(test, iso_linked(test, id, kdev));
	KUNIT_EXPECT_EQ(test, isolation_group_remove_device(rdev), 0);
	KUNIT_EXPECT_EQ(test, isolation_group_remove_device(kdev), 0);
	isolation_group_put(g);
}

/* Events */

static void iso_notifier_order_test(struct kunit *test)
{
	struct isolation_provider *p = iso_provider(test, "kunit-events");
	struct isolation_group *g = iso_group(test, p, "g");
	struct device *d1 = iso_dev(test, "iso-ev-1");
	struct device *d2 = iso_dev(test, "iso-ev-2");
	struct iso_ctx *ctx = iso_ctx(test);

	iso_listen(test);
	KUNIT_ASSERT_EQ(test, isolation_group_add_device(g, d1), 0);
	KUNIT_ASSERT_EQ(test, isolation_group_add_device(g, d2), 0);
	KUNIT_EXPECT_EQ(test, isolation_group_add_device(g, d2), -EBUSY);
	KUNIT_ASSERT_EQ(test, isolation_group_remove_device(d1), 0);
	KUNIT_EXPECT_EQ(test, isolation_group_remove_device(d1), -ENODEV);
	KUNIT_ASSERT_EQ(test, isolation_group_remove_device(d2), 0);

	/* Failed calls send nothing. */
	KUNIT_EXPECT_EQ(test, ctx->num_events, 4);
	iso_expect_event(test, 0, ISOLATION_NOTIFY_ADD_DEVICE, g, d1);
	iso_expect_event(test, 1, ISOLATION_NOTIFY_ADD_DEVICE, g, d2);
	iso_expect_event(test, 2, ISOLATION_NOTIFY_DEL_DEVICE, g, d1);
	iso_expect_event(test, 3, ISOLATION_NOTIFY_DEL_DEVICE, g, d2);

	/* After unregistering, nothing more arrives. */
	KUNIT_EXPECT_EQ(test, isolation_unregister_notifier(&ctx->nb), 0);
	kunit_remove_action(test, iso_unregister_notifier_action, &ctx->nb);
	KUNIT_EXPECT_EQ(test, isolation_unregister_notifier(&ctx->nb), -ENOENT);
	KUNIT_ASSERT_EQ(test, isolation_group_add_device(g, d1), 0);
	KUNIT_EXPECT_EQ(test, ctx->num_events, 4);
	KUNIT_EXPECT_EQ(test, isolation_group_remove_device(d1), 0);
	isolation_group_put(g);
}

/* A callback may look groups up while membership is changing. */
static int iso_notify_get(struct notifier_block *nb, unsigned long action,
			  void *data)
{
	struct iso_ctx *ctx = container_of(nb, struct iso_ctx, nb);
	struct isolation_notifier_data *d = data;
	struct isolation_group *g = isolation_group_get(d->dev);

	if (ctx->num_events < ISO_MAX_EVENTS) {
		ctx->events[ctx->num_events].action = action;
		ctx->events[ctx->num_events].group = g;
		ctx->events[ctx->num_events].dev = d->dev;
	}
	ctx->num_events++;
	isolation_group_put(g);
	return NOTIFY_OK;
}

static void iso_notifier_sees_membership_test(struct kunit *test)
{
	struct isolation_provider *p = iso_provider(test, "kunit-evget");
	struct isolation_group *g = iso_group(test, p, "g");
	struct device *dev = iso_dev(test, "iso-evget");
	struct iso_ctx *ctx = iso_ctx(test);

	ctx->nb.notifier_call = iso_notify_get;
	KUNIT_ASSERT_EQ(test, isolation_register_notifier(&ctx->nb), 0);
	iso_defer(test, iso_unregister_notifier_action, &ctx->nb);
	KUNIT_ASSERT_EQ(test, isolation_group_add_device(g, dev), 0);
	KUNIT_ASSERT_EQ(test, isolation_group_remove_device(dev), 0);
	/* Added: already a member.  Leaving: still a member. */
	iso_expect_event(test, 0, ISOLATION_NOTIFY_ADD_DEVICE, g, dev);
	iso_expect_event(test, 1, ISOLATION_NOTIFY_DEL_DEVICE, g, dev);
	isolation_group_put(g);
}

/* Why a device is in its group */

static int iso_add_why(struct isolation_group *g, struct device *dev,
		       enum isolation_reason reason, struct device *why)
{
	return isolation_group_add_device_reason(g, dev, reason, why);
}

static void iso_reason_test(struct kunit *test)
{
	struct isolation_provider *p = iso_provider(test, "kunit-reason");
	struct isolation_group *g = iso_group(test, p, "g");
	struct device *port = iso_dev(test, "iso-reason-port");
	struct device *nic = iso_dev(test, "iso-reason-nic");
	struct device *gpu = iso_dev(test, "iso-reason-gpu");
	char name[64];

	KUNIT_ASSERT_EQ(test, iso_add_why(g, port, ISOLATION_REASON_BOUNDARY,
					  NULL), 0);
	KUNIT_ASSERT_EQ(test, iso_add_why(g, nic, ISOLATION_REASON_NO_ACS,
					  port), 0);
	KUNIT_ASSERT_EQ(test, iso_add_why(g, gpu, ISOLATION_REASON_MULTIFUNCTION,
					  nic), 0);

	iso_expect_dev_attr(test, port, "isolation_reason", "boundary\n");
	iso_expect_dev_attr(test, port, "isolation_reason_device", "\n");
	iso_expect_dev_attr(test, nic, "isolation_reason", "no-acs\n");
	snprintf(name, sizeof(name), "%s\n", dev_name(port));
	iso_expect_dev_attr(test, nic, "isolation_reason_device", name);
	iso_expect_dev_attr(test, gpu, "isolation_reason", "multifunction\n");
	snprintf(name, sizeof(name), "%s\n", dev_name(nic));
	iso_expect_dev_attr(test, gpu, "isolation_reason_device", name);

	KUNIT_EXPECT_EQ(test, isolation_device_reason(gpu, name, sizeof(name)),
			ISOLATION_REASON_MULTIFUNCTION);
	KUNIT_EXPECT_STREQ(test, name, dev_name(nic));
	KUNIT_EXPECT_EQ(test, isolation_device_reason(port, name, sizeof(name)),
			ISOLATION_REASON_BOUNDARY);
	KUNIT_EXPECT_STREQ(test, name, "");
	/* Too small a buffer is an error, not a truncated name. */
	KUNIT_EXPECT_EQ(test, isolation_device_reason(gpu, name, 3), -EOVERFLOW);
	KUNIT_EXPECT_EQ(test, isolation_device_reason(gpu, NULL, 0), -EOVERFLOW);
	KUNIT_EXPECT_EQ(test, isolation_device_reason(port, NULL, 0),
			ISOLATION_REASON_BOUNDARY);

	/* Leaving the group takes the attributes away. */
	KUNIT_EXPECT_EQ(test, isolation_group_remove_device(gpu), 0);
	KUNIT_EXPECT_TRUE(test, iso_dev_lacks_reason(gpu));
	KUNIT_EXPECT_EQ(test, isolation_device_reason(gpu, name, sizeof(name)),
			-ENODEV);
	KUNIT_EXPECT_EQ(test, isolation_device_reason(NULL, name, sizeof(name)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, isolation_group_remove_device(nic), 0);
	KUNIT_EXPECT_EQ(test, isolation_group_remove_device(port), 0);
	isolation_group_put(g);
}

static void iso_reason_default_test(struct kunit *test)
{
	struct isolation_provider *p = iso_provider(test, "kunit-reasondef");
	struct isolation_group *g = iso_group(test, p, "g");
	struct device *dev = iso_dev(test, "iso-reasondef");
	char name[16] = "unchanged";

	KUNIT_EXPECT_TRUE(test, iso_dev_lacks_reason(dev));
	KUNIT_ASSERT_EQ(test, isolation_group_add_device(g, dev), 0);
	iso_expect_dev_attr(test, dev, "isolation_reason", "provider\n");
	iso_expect_dev_attr(test, dev, "isolation_reason_device", "\n");
	KUNIT_EXPECT_EQ(test, isolation_device_reason(dev, name, sizeof(name)),
			ISOLATION_REASON_PROVIDER);
	KUNIT_EXPECT_STREQ(test, name, "");
	KUNIT_EXPECT_EQ(test, isolation_group_remove_device(dev), 0);
	isolation_group_put(g);
}

static void iso_reason_bad_args_test(struct kunit *test)
{
	struct isolation_provider *p = iso_provider(test, "kunit-reasonbad");
	struct isolation_group *g = iso_group(test, p, "g");
	struct device *dev = iso_dev(test, "iso-reasonbad");
	struct device *other = iso_dev(test, "iso-reasonbad-other");
	static const struct {
		int reason;
		bool with_other, with_self;
	} bad[] = {
		{ ISOLATION_REASON_BOUNDARY, true, false },
		{ ISOLATION_REASON_PROVIDER, true, false },
		{ ISOLATION_REASON_DMA_ALIAS, false, false },
		{ ISOLATION_REASON_PCI_BRIDGE, false, false },
		{ ISOLATION_REASON_NO_ACS, false, true },
		{ ISOLATION_REASON_MULTIFUNCTION, false, true },
		{ ISOLATION_REASON_MAX, false, false },
		{ ISOLATION_REASON_MAX, true, false },
		{ -1, false, false },
	};
	int id = isolation_group_id(g);
	struct device *reason_dev;
	unsigned int i;

	iso_listen(test);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		reason_dev = bad[i].with_other ? other :
			     bad[i].with_self ? dev : NULL;
		KUNIT_EXPECT_EQ_MSG(test, iso_add_why(g, dev, bad[i].reason,
						      reason_dev),
				    -EINVAL, "case %u", i);
		KUNIT_EXPECT_NULL_MSG(test, isolation_group_get(dev), "case %u", i);
		KUNIT_EXPECT_FALSE_MSG(test, iso_dev_has_group_link(dev),
				       "case %u", i);
		KUNIT_EXPECT_TRUE_MSG(test, iso_dev_lacks_reason(dev),
				      "case %u", i);
	}
	KUNIT_EXPECT_EQ(test, iso_add_why(NULL, dev, ISOLATION_REASON_BOUNDARY,
					  NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, iso_add_why(g, NULL, ISOLATION_REASON_BOUNDARY,
					  NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, iso_ctx(test)->num_events, 0);

	/* Nothing was added: the only reference left is ours. */
	isolation_group_put(g);
	KUNIT_EXPECT_FALSE(test, iso_group_in_sysfs(test, id));
}

/* Only the name of the reason device is kept; it may go away first. */
static void iso_reason_device_gone_test(struct kunit *test)
{
	struct isolation_provider *p = iso_provider(test, "kunit-reasongone");
	struct isolation_group *g = iso_group(test, p, "g");
	struct device *bridge = iso_dev(test, "iso-reasongone-bridge");
	struct device *dev = iso_dev(test, "iso-reasongone");
	char want[64];

	snprintf(want, sizeof(want), "%s\n", dev_name(bridge));
	KUNIT_ASSERT_EQ(test, iso_add_why(g, bridge, ISOLATION_REASON_BOUNDARY,
					  NULL), 0);
	KUNIT_ASSERT_EQ(test, iso_add_why(g, dev, ISOLATION_REASON_PCI_BRIDGE,
					  bridge), 0);
	kunit_device_unregister(test, bridge);
	iso_expect_dev_attr(test, dev, "isolation_reason", "pci-bridge\n");
	iso_expect_dev_attr(test, dev, "isolation_reason_device", want);
	KUNIT_EXPECT_EQ(test, isolation_group_remove_device(dev), 0);
	isolation_group_put(g);
}

/* Concurrency: lookups racing with membership changes */

#define ISO_RACE_LOOPS 2000

struct iso_race {
	struct isolation_group *groups[2];
	struct device *dev;
	atomic_t errors;
	struct completion done[2];
};

static int iso_race_mover(void *data)
{
	struct iso_race *race = data;
	int i;

	for (i = 0; i < ISO_RACE_LOOPS; i++) {
		if (isolation_group_add_device(race->groups[i & 1], race->dev) ||
		    isolation_group_remove_device(race->dev))
			atomic_inc(&race->errors);
		cond_resched();
	}
	complete(&race->done[0]);
	return 0;
}

static int iso_race_getter(void *data)
{
	struct iso_race *race = data;
	struct isolation_group *g;
	int i;

	for (i = 0; i < ISO_RACE_LOOPS; i++) {
		g = isolation_group_get(race->dev);
		if (g && g != race->groups[0] && g != race->groups[1])
			atomic_inc(&race->errors);
		isolation_group_put(g);
		cond_resched();
	}
	complete(&race->done[1]);
	return 0;
}

static void iso_get_races_membership_test(struct kunit *test)
{
	struct isolation_provider *p = iso_provider(test, "kunit-race");
	struct iso_race race = {
		.groups = { iso_group(test, p, "a"), iso_group(test, p, "b") },
		.dev = iso_dev(test, "iso-race"),
	};
	struct task_struct *t;

	atomic_set(&race.errors, 0);
	init_completion(&race.done[0]);
	init_completion(&race.done[1]);
	t = kthread_run(iso_race_mover, &race, "iso-mover");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, t);
	t = kthread_run(iso_race_getter, &race, "iso-getter");
	if (IS_ERR(t))
		complete(&race.done[1]);
	/* The threads end on their own; wait for both before leaving. */
	wait_for_completion(&race.done[0]);
	wait_for_completion(&race.done[1]);
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));

	KUNIT_EXPECT_EQ(test, atomic_read(&race.errors), 0);
	KUNIT_EXPECT_NULL(test, isolation_group_get(race.dev));
	isolation_group_put(race.groups[0]);
	isolation_group_put(race.groups[1]);
}

/* Suite */

static int iso_test_init(struct kunit *test)
{
	struct iso_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	struct kernfs_node *root;
	struct device *dev;

	KUNIT_ASSERT_NOT_NULL(test, ctx);
	test->priv = ctx;

	/* Find /sys/isolation from the sysfs root above any device. */
	dev = iso_dev(test, "iso-find-root");
	for (root = dev->kobj.sd; root->parent; root = root->parent)
		;
	ctx->isolation_kn = kernfs_find_and_get(root, "isolation");
	kunit_device_unregister(test, dev);
	KUNIT_ASSERT_NOT_NULL(test, ctx->isolation_kn);
	return 0;
}

static void iso_test_exit(struct kunit *test)
{
	kernfs_put(iso_ctx(test)->isolation_kn);
}

static struct kunit_case isolation_core_test_cases[] = {
	KUNIT_CASE(iso_provider_register_test),
	KUNIT_CASE(iso_provider_duplicate_name_test),
	KUNIT_CASE(iso_two_providers_test),
	KUNIT_CASE(iso_provider_unregister_live_groups_test),
	KUNIT_CASE(iso_provider_unregister_notifies_test),
	KUNIT_CASE(iso_group_alloc_free_test),
	KUNIT_CASE(iso_group_alloc_bad_args_test),
	KUNIT_CASE(iso_group_duplicate_name_test),
	KUNIT_CASE(iso_group_id_reuse_test),
	KUNIT_CASE(iso_many_groups_test),
	KUNIT_CASE(iso_group_get_put_test),
	KUNIT_CASE(iso_group_outlives_last_device_test),
	KUNIT_CASE(iso_empty_group_disappears_test),
	KUNIT_CASE(iso_add_remove_device_test),
	KUNIT_CASE(iso_add_device_twice_test),
	KUNIT_CASE(iso_remove_groupless_device_test),
	KUNIT_CASE(iso_add_device_bad_args_test),
	KUNIT_CASE(iso_device_del_test),
	KUNIT_CASE(iso_walk_members_test),
	KUNIT_CASE(iso_sysfs_layout_test),
	KUNIT_CASE(iso_sysfs_link_name_clash_test),
	KUNIT_CASE(iso_notifier_order_test),
	KUNIT_CASE(iso_notifier_sees_membership_test),
	KUNIT_CASE(iso_reason_test),
	KUNIT_CASE(iso_reason_default_test),
	KUNIT_CASE(iso_reason_bad_args_test),
	KUNIT_CASE(iso_reason_device_gone_test),
	KUNIT_CASE_SLOW(iso_get_races_membership_test),
	{}
};

static struct kunit_suite isolation_core_test_suite = {
	.name = "isolation-core",
	.init = iso_test_init,
	.exit = iso_test_exit,
	.test_cases = isolation_core_test_cases,
};

kunit_test_suite(isolation_core_test_suite);

MODULE_DESCRIPTION("KUnit tests for the isolation group core");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
