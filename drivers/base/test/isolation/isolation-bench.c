// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmarks of the isolation group hooks, as KUnit cases that print
 * figures and never fail on speed.  Every figure is a ratio of two
 * configurations measured side by side in the same run: the rounds
 * alternate between them and each keeps its fastest round.
 *
 *   isolation-bench: match_overhead_unmanaged   bind+unbind per device,
 *                    devices in unmanaged groups / in no group
 *   isolation-bench: match_overhead_managed     the same in managed groups
 *                    with the manager's driver / in no group
 *   isolation-bench: sysfs_entries_overhead     devices in no group with a
 *                    member's three sysfs entries / without them
 *   isolation-bench: match_overhead_unmanaged_vs_same_entries
 *                    unmanaged groups / no group with the same entries:
 *                    the hooks alone
 *   isolation-bench: lock_update_256_vs_1       bind+unbind of a device in a
 *                    256-device managed group / in a 1-device group
 *   isolation-bench: add_scaling_10000_vs_100   per-device time to add 10000
 *                    devices to 1000 groups / 100 devices to 10 groups
 *   isolation-bench: group_alloc_65536_vs_64    per-group time to allocate
 *                    (and so publish in sysfs) 65536 groups of one
 *                    provider / 64 groups, as on a host with thousands of
 *                    VFs: the name must be unique among the provider's
 *                    groups, and checking it may not grow with them
 */

#include <kunit/test.h>
#include <linux/device.h>
#include <linux/isolation.h>
#include <linux/ktime.h>
#include <linux/limits.h>
#include <linux/math64.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#define IB_ROUNDS	7

static int ib_match(struct device *dev, const struct device_driver *drv)
{
	return 1;
}

static const struct bus_type ib_bus = {
	.name = "isolation-bench",
	.match = ib_match,
};

static int ib_probe(struct device *dev)
{
	return 0;
}

static struct isolation_manager ib_manager = { .name = "isolation-bench" };
static struct isolation_provider ib_provider = { .name = "isolation-bench" };

static struct device_driver ib_host_driver = {
	.name = "ib-host",
	.bus = &ib_bus,
	.probe = ib_probe,
};

static struct device_driver ib_managed_driver = {
	.name = "ib-managed",
	.bus = &ib_bus,
	.probe = ib_probe,
	.isolation_manager = &ib_manager,
};

static void ib_dev_release(struct device *dev)
{
	kfree(dev);
}

/* @n registered devices on the bench bus, none bound. */
static struct device **ib_devices(struct kunit *test, int n)
{
	struct device **devs = vcalloc(n, sizeof(*devs));
	int i;

	KUNIT_ASSERT_NOT_NULL(test, devs);
	for (i = 0; i < n; i++) {
		devs[i] = kzalloc(sizeof(*devs[i]), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, devs[i]);
		device_initialize(devs[i]);
		devs[i]->bus = &ib_bus;
		devs[i]->release = ib_dev_release;
		dev_set_name(devs[i], "ib%d", i);
		KUNIT_ASSERT_EQ(test, device_add(devs[i]), 0);
		/* Autoprobe bound the host driver: start unbound. */
		device_release_driver(devs[i]);
	}
	return devs;
}

static void ib_free_devices(struct device **devs, int n)
{
	while (n--)
		device_unregister(devs[n]);
	vfree(devs);
}

static struct isolation_group **ib_groups(struct kunit *test, int n)
{
	struct isolation_group **groups = vcalloc(n, sizeof(*groups));
	char name[16];
	int i;

	KUNIT_ASSERT_NOT_NULL(test, groups);
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "b%d", i);
		groups[i] = isolation_group_alloc(&ib_provider, name);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, groups[i]);
	}
	return groups;
}

static void ib_free_groups(struct isolation_group **groups, int n)
{
	while (n--)
		isolation_group_put(groups[n]);
	vfree(groups);
}

/*
 * Nanoseconds to bind @drv to each of the @n devices of @devs and unbind it
 * again, per device, over @loops passes.
 */
static u64 ib_bind_unbind(struct kunit *test, struct device **devs, int n,
			  int loops, struct device_driver *drv)
{
	u64 t0 = ktime_get_ns();
	int i, l, failed = 0;

	for (l = 0; l < loops; l++) {
		for (i = 0; i < n; i++)
			failed |= device_driver_attach(drv, devs[i]);
		for (i = 0; i < n; i++)
			device_release_driver(devs[i]);
	}
	KUNIT_EXPECT_EQ(test, failed, 0);
	return div_u64(ktime_get_ns() - t0, loops * n);
}

static void ib_print_ratio(const char *name, u64 num, u64 den)
{
	u64 milli = den ? div64_u64(num * 1000, den) : 0;
	u32 frac;
	u64 whole = div_u64_rem(milli, 1000, &frac);

	pr_info("isolation-bench: %s %llu.%03u\n", name, whole, frac);
}

/*
 * The sysfs entries a member device gets (isolation_group and the two
 * reason attributes), on a device in no group: to tell their cost from
 * that of the hooks.
 */
static ssize_t ib_fake_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "\n");
}

static struct device_attribute ib_fake_attrs[] = {
	__ATTR(isolation_reason, 0444, ib_fake_show, NULL),
	__ATTR(isolation_reason_device, 0444, ib_fake_show, NULL),
};

static struct attribute *ib_fake_attr_list[] = {
	&ib_fake_attrs[0].attr,
	&ib_fake_attrs[1].attr,
	NULL,
};

static const struct attribute_group ib_fake_group = {
	.attrs = ib_fake_attr_list,
};

static void ib_fake_entries(struct kunit *test, struct device *dev,
			    struct device *target)
{
	KUNIT_ASSERT_EQ(test, sysfs_create_link(&dev->kobj, &target->kobj,
						"isolation_group"), 0);
	KUNIT_ASSERT_EQ(test, sysfs_create_group(&dev->kobj, &ib_fake_group), 0);
}

static void ib_remove_fake_entries(struct device *dev)
{
	sysfs_remove_group(&dev->kobj, &ib_fake_group);
	sysfs_remove_link(&dev->kobj, "isolation_group");
}

static void ib_add_device(struct kunit *test, struct isolation_group *group,
			  struct device *dev)
{
	KUNIT_ASSERT_EQ(test, isolation_group_add_device(group, dev), 0);
}

static void ib_set_manager(struct kunit *test, struct isolation_group *group)
{
	KUNIT_ASSERT_EQ(test, isolation_group_set_manager(group, &ib_manager), 0);
}

/* The configurations of ib_match_overhead_test() */
enum { IB_NONE, IB_UNMANAGED, IB_MANAGED, IB_ENTRIES, IB_CONFIGS };

/* Put @devs into configuration @c, or take them out of it. */
static void ib_configure(struct kunit *test, struct device **devs, int n,
			 struct isolation_group **groups, int ngroups, int c,
			 bool set)
{
	int i;

	for (i = 0; i < n; i++) {
		if (c == IB_ENTRIES && set)
			ib_fake_entries(test, devs[i], devs[0]);
		else if (c == IB_ENTRIES)
			ib_remove_fake_entries(devs[i]);
		else if (c != IB_NONE && set)
			ib_add_device(test, groups[i % ngroups], devs[i]);
		else if (c != IB_NONE)
			isolation_group_remove_device(devs[i]);
	}
	for (i = 0; c == IB_MANAGED && i < ngroups; i++) {
		if (set)
			ib_set_manager(test, groups[i]);
		else
			isolation_group_clear_manager(groups[i], &ib_manager);
	}
	/* Clearing a manager re-probes: start unbound. */
	for (i = 0; i < n; i++)
		device_release_driver(devs[i]);
}

/*
 * The same 32 devices in each configuration in turn, in a rotating order:
 * in no group, in no group with a member's sysfs entries, in unmanaged
 * groups, in managed groups.  After each change, an untimed pass warms the
 * caches, then 50 passes of bind and unbind are timed.  Few devices, the
 * same ones throughout: with a set of a thousand per configuration, where
 * the allocator put each set's sysfs nodes moved the figures by more than
 * the hooks cost.
 */
static void ib_match_overhead_test(struct kunit *test)
{
	const int n = 32, ngroups = 8, loops = 50, rounds = 3 * IB_ROUNDS;
	u64 best[IB_CONFIGS] = { U64_MAX, U64_MAX, U64_MAX, U64_MAX }, t;
	struct device_driver *drv[IB_CONFIGS] = {
		&ib_host_driver, &ib_host_driver, &ib_managed_driver,
		&ib_host_driver,
	};
	struct isolation_group **groups;
	struct device **devs;
	int r, k, c;

	devs = ib_devices(test, n);
	groups = ib_groups(test, ngroups);
	for (r = 0; r < rounds; r++) {
		for (k = 0; k < IB_CONFIGS; k++) {
			c = (r + k) % IB_CONFIGS;
			ib_configure(test, devs, n, groups, ngroups, c, true);
			ib_bind_unbind(test, devs, n, 1, drv[c]);
			t = ib_bind_unbind(test, devs, n, loops, drv[c]);
			best[c] = min(best[c], t);
			ib_configure(test, devs, n, groups, ngroups, c, false);
		}
	}

	pr_info("isolation-bench: bind_unbind_ns_no_group %llu\n", best[IB_NONE]);
	pr_info("isolation-bench: bind_unbind_ns_no_group_same_entries %llu\n",
		best[IB_ENTRIES]);
	pr_info("isolation-bench: bind_unbind_ns_unmanaged %llu\n", best[IB_UNMANAGED]);
	pr_info("isolation-bench: bind_unbind_ns_managed %llu\n", best[IB_MANAGED]);
	ib_print_ratio("match_overhead_unmanaged", best[IB_UNMANAGED], best[IB_NONE]);
	ib_print_ratio("match_overhead_managed", best[IB_MANAGED], best[IB_NONE]);
	/* What the sysfs entries of a member alone cost, without any group. */
	ib_print_ratio("sysfs_entries_overhead", best[IB_ENTRIES], best[IB_NONE]);
	ib_print_ratio("match_overhead_unmanaged_vs_same_entries",
		       best[IB_UNMANAGED], best[IB_ENTRIES]);
	ib_free_groups(groups, ngroups);
	ib_free_devices(devs, n);
}

static void ib_lock_update_test(struct kunit *test)
{
	const int big = 256, loops = 2000;
	u64 best[2] = { U64_MAX, U64_MAX }, t;
	struct isolation_group **groups;
	struct device **devs;
	int r, c, i;

	/* groups[0]: devs[0..255]; groups[1]: devs[256]. */
	devs = ib_devices(test, big + 1);
	groups = ib_groups(test, 2);
	for (i = 0; i <= big; i++)
		ib_add_device(test, groups[i / big], devs[i]);
	for (c = 0; c < 2; c++)
		ib_set_manager(test, groups[c]);
	for (r = 0; r < IB_ROUNDS; r++) {
		for (c = 0; c < 2; c++) {
			t = ib_bind_unbind(test, &devs[c ? big : 0], 1, loops,
					   &ib_managed_driver);
			best[c] = min(best[c], t);
		}
	}
	KUNIT_EXPECT_TRUE(test, isolation_group_locked(groups[0]));
	for (c = 0; c < 2; c++)
		isolation_group_clear_manager(groups[c], &ib_manager);
	for (i = 0; i <= big; i++)
		isolation_group_remove_device(devs[i]);

	pr_info("isolation-bench: bind_unbind_ns_group_256 %llu\n", best[0]);
	pr_info("isolation-bench: bind_unbind_ns_group_1 %llu\n", best[1]);
	ib_print_ratio("lock_update_256_vs_1", best[0], best[1]);
	ib_free_groups(groups, 2);
	ib_free_devices(devs, big + 1);
}

/*
 * Nanoseconds per device to add @n of @devs, every @stride-th, to @n / 10
 * groups.  Spreading the small case over the whole array makes both cases
 * touch devices that are equally cold in the caches, so the ratio shows
 * how the isolation core scales rather than how many devices fit in them.
 */
static u64 ib_add(struct kunit *test, struct device **devs, int n, int stride)
{
	struct isolation_group **groups = ib_groups(test, n / 10);
	u64 t0, t;
	int i;

	t0 = ktime_get_ns();
	for (i = 0; i < n; i++) {
		struct isolation_group *group = groups[i % (n / 10)];
		struct device *dev = devs[i * stride];

		KUNIT_ASSERT_EQ(test, isolation_group_add_device(group, dev), 0);
	}
	t = div_u64(ktime_get_ns() - t0, n);
	for (i = 0; i < n; i++)
		isolation_group_remove_device(devs[i * stride]);
	ib_free_groups(groups, n / 10);
	return t;
}

static void ib_add_scaling_test(struct kunit *test)
{
	const int small = 100, large = 10000;
	u64 best[2] = { U64_MAX, U64_MAX };
	struct device **devs = ib_devices(test, large);
	int r;

	for (r = 0; r < 3; r++) {
		best[0] = min(best[0], ib_add(test, devs, small, large / small));
		best[1] = min(best[1], ib_add(test, devs, large, 1));
	}
	pr_info("isolation-bench: add_ns_per_device_100 %llu\n", best[0]);
	pr_info("isolation-bench: add_ns_per_device_10000 %llu\n", best[1]);
	ib_print_ratio("add_scaling_10000_vs_100", best[1], best[0]);
	ib_free_devices(devs, large);
}

/* Nanoseconds per group to allocate @n groups; they are put afterwards. */
static u64 ib_alloc(struct kunit *test, int n)
{
	struct isolation_group **groups = vcalloc(n, sizeof(*groups));
	char name[16];
	u64 t0, t;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, groups);
	t0 = ktime_get_ns();
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "a%d", i);
		groups[i] = isolation_group_alloc(&ib_provider, name);
		if (IS_ERR(groups[i]))
			break;
	}
	t = div_u64(ktime_get_ns() - t0, n);
	KUNIT_EXPECT_EQ_MSG(test, i, n, "group %d: %ld", i,
			    i < n ? PTR_ERR(groups[i]) : 0L);
	ib_free_groups(groups, i);
	return t;
}

static void ib_group_alloc_test(struct kunit *test)
{
	const int small = 64, large = 65536;
	u64 best[2] = { U64_MAX, U64_MAX };
	int r;

	for (r = 0; r < 3; r++) {
		best[0] = min(best[0], ib_alloc(test, small));
		best[1] = min(best[1], ib_alloc(test, large));
	}
	pr_info("isolation-bench: group_alloc_ns_per_group_64 %llu\n", best[0]);
	pr_info("isolation-bench: group_alloc_ns_per_group_65536 %llu\n", best[1]);
	ib_print_ratio("group_alloc_65536_vs_64", best[1], best[0]);
}

static int ib_suite_init(struct kunit_suite *suite)
{
	int ret;

	ret = bus_register(&ib_bus);
	if (ret)
		return ret;
	ret = isolation_provider_register(&ib_provider);
	if (ret)
		goto err_unregister_bus;
	ret = isolation_manager_register(&ib_manager);
	if (ret)
		goto err_unregister_provider;
	ret = driver_register(&ib_host_driver);
	if (ret)
		goto err_unregister_manager;
	ret = driver_register(&ib_managed_driver);
	if (ret)
		goto err_unregister_host_driver;
	return 0;

err_unregister_host_driver:
	driver_unregister(&ib_host_driver);
err_unregister_manager:
	isolation_manager_unregister(&ib_manager);
err_unregister_provider:
	isolation_provider_unregister(&ib_provider);
err_unregister_bus:
	bus_unregister(&ib_bus);
	return ret;
}

static void ib_suite_exit(struct kunit_suite *suite)
{
	driver_unregister(&ib_managed_driver);
	driver_unregister(&ib_host_driver);
	isolation_manager_unregister(&ib_manager);
	isolation_provider_unregister(&ib_provider);
	bus_unregister(&ib_bus);
}

static struct kunit_case isolation_bench_cases[] = {
	KUNIT_CASE_SLOW(ib_match_overhead_test),
	KUNIT_CASE_SLOW(ib_lock_update_test),
	KUNIT_CASE_SLOW(ib_add_scaling_test),
	KUNIT_CASE_SLOW(ib_group_alloc_test),
	{}
};

static struct kunit_suite isolation_bench_suite = {
	.name = "isolation-bench",
	.suite_init = ib_suite_init,
	.suite_exit = ib_suite_exit,
	.test_cases = isolation_bench_cases,
};

kunit_test_suite(isolation_bench_suite);

MODULE_DESCRIPTION("Benchmarks of the isolation group hooks");
MODULE_LICENSE("GPL");
