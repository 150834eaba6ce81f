// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark of PCI isolation grouping on real PCI devices, as a KUnit case
 * that prints figures and never fails on speed.  It runs in a guest booted
 * without an active IOMMU (intel_iommu=off), so that no device has an
 * isolation or IOMMU group of its own, on a machine with a multifunction
 * slot (isolation_pci_bench.slot=<domain:bus:dev>) and a bridge with at
 * least 256 PCI functions below it (isolation_pci_bench.subtree=<bridge>).
 *
 * The devices of the slot are grouped over and over, in devfn order as at
 * boot, and ungrouped again, by the two groupers side by side:
 *
 *  - provider: iommu_isolation_add_device(), what VT-d and AMD-Vi do for
 *    each device they take on (the PCI rules, the look-up of the group,
 *    the group and member with their sysfs entries);
 *  - IOMMU core: pci_device_group() and iommu_group_add_device(), the core's
 *    grouping of the same device (the rules, the look-up, the group and its
 *    sysfs links).
 *
 * The rounds alternate between the machine with the subtree (at least 256
 * functions) and without it (removed and rescanned as by hot-plug), and each
 * figure keeps the fastest round:
 *
 *   isolation-bench: provider_add_256_vs_10       provider's time per added
 *                    device, subtree present / removed
 *   isolation-bench: provider_add_vs_iommu_core   provider / IOMMU core, per
 *                    added device, subtree present
 *   isolation-bench: iommu_core_add_256_vs_10     IOMMU core's, present /
 *                    removed
 */

#include <kunit/test.h>
#include <linux/iommu.h>
#include <linux/isolation.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/moduleparam.h>
#include <linux/pci.h>
#include <linux/pci-isolation.h>

#include "iommu-isolation.h"

#define IPB_ROUNDS	5
#define IPB_REPEAT	20
#define IPB_FUNCTIONS	8

static char *slot;
module_param(slot, charp, 0444);
MODULE_PARM_DESC(slot, "multifunction slot whose functions are grouped, domain:bus:dev");
static char *subtree;
module_param(subtree, charp, 0444);
MODULE_PARM_DESC(subtree, "bridge with at least 256 PCI functions below it, domain:bus:dev.fn");

static struct iommu_isolation ipb_isolation =
	IOMMU_ISOLATION_INIT("isolation-pci-bench");

struct ipb_devices {
	struct pci_dev *dev[IPB_FUNCTIONS];
	unsigned int count;
};

static unsigned int ipb_pci_functions(void)
{
	struct pci_dev *pdev = NULL;
	unsigned int n = 0;

	for_each_pci_dev(pdev)
		n++;
	return n;
}

/* Per added device, in ns, of IPB_REPEAT groupings of @devs. */
static u64 ipb_provider(struct kunit *test, struct ipb_devices *devs)
{
	struct isolation_group *group;
	unsigned int r, i;
	u64 ns = 0;
	ktime_t t0;

	for (r = 0; r < IPB_REPEAT; r++) {
		for (i = 0; i < devs->count; i++) {
			t0 = ktime_get();
			iommu_isolation_add_device(&ipb_isolation, &devs->dev[i]->dev);
			ns += ktime_to_ns(ktime_sub(ktime_get(), t0));
			group = isolation_group_get(&devs->dev[i]->dev);
			KUNIT_ASSERT_NOT_NULL(test, group);
			isolation_group_put(group);
		}
		for (i = 0; i < devs->count; i++)
			iommu_isolation_remove_device(&ipb_isolation, &devs->dev[i]->dev);
	}
	return div_u64(ns, IPB_REPEAT * devs->count);
}

static u64 ipb_iommu_core(struct kunit *test, struct ipb_devices *devs)
{
	struct iommu_group *group;
	unsigned int r, i;
	u64 ns = 0;
	ktime_t t0;
	int ret;

	for (r = 0; r < IPB_REPEAT; r++) {
		for (i = 0; i < devs->count; i++) {
			t0 = ktime_get();
			group = pci_device_group(&devs->dev[i]->dev);
			ret = IS_ERR(group) ? PTR_ERR(group) :
			      iommu_group_add_device(group, &devs->dev[i]->dev);
			if (!IS_ERR(group))
				iommu_group_put(group);
			ns += ktime_to_ns(ktime_sub(ktime_get(), t0));
			KUNIT_ASSERT_EQ(test, ret, 0);
		}
		for (i = 0; i < devs->count; i++)
			iommu_group_remove_device(&devs->dev[i]->dev);
	}
	return div_u64(ns, IPB_REPEAT * devs->count);
}

static int ipb_no_group(struct pci_dev *peer, void *data)
{
	return 0;
}

/* The PCI rules alone, per device: pci_isolation_get() and the peer walk. */
static void ipb_rules(struct kunit *test, struct ipb_devices *devs,
		      u64 *get_ns, u64 *walk_ns)
{
	struct pci_isolation where;
	unsigned int r, i;
	ktime_t t0, t1;
	int ret;

	*get_ns = *walk_ns = 0;
	for (r = 0; r < IPB_REPEAT; r++) {
		for (i = 0; i < devs->count; i++) {
			t0 = ktime_get();
			ret = pci_isolation_get(devs->dev[i], &where, NULL, NULL);
			KUNIT_ASSERT_EQ(test, ret, 0);
			pci_isolation_put(&where);
			t1 = ktime_get();
			ret = pci_isolation_visit_peers(devs->dev[i], ipb_no_group, NULL);
			KUNIT_ASSERT_EQ(test, ret, 0);
			*walk_ns += ktime_to_ns(ktime_sub(ktime_get(), t1));
			*get_ns += ktime_to_ns(ktime_sub(t1, t0));
		}
	}
	*get_ns = div_u64(*get_ns, IPB_REPEAT * devs->count);
	*walk_ns = div_u64(*walk_ns, IPB_REPEAT * devs->count);
}

static void ipb_print(const char *name, u64 num, u64 den)
{
	u64 milli = den ? div64_u64(num * 1000, den) : 0;
	u32 frac;
	u64 whole = div_u64_rem(milli, 1000, &frac);

	pr_info("isolation-bench: %s %llu.%03u\n", name, whole, frac);
}

static void ipb_slot_devices(struct kunit *test, struct ipb_devices *devs)
{
	unsigned int domain, bus, dev, fn;
	struct pci_dev *pdev;
	int n;

	KUNIT_ASSERT_NOT_NULL_MSG(test, slot, "isolation_pci_bench.slot= not given");
	n = sscanf(slot, "%x:%x:%x", &domain, &bus, &dev);
	KUNIT_ASSERT_EQ_MSG(test, n, 3, "isolation_pci_bench.slot=%s: not domain:bus:dev", slot);
	devs->count = 0;
	for (fn = 0; fn < IPB_FUNCTIONS; fn++) {
		pdev = pci_get_domain_bus_and_slot(domain, bus, PCI_DEVFN(dev, fn));
		if (pdev)
			devs->dev[devs->count++] = pdev;
	}
	KUNIT_ASSERT_GE_MSG(test, devs->count, 2, "slot %s: not multifunction", slot);
}

static struct pci_dev *ipb_bridge(struct kunit *test, unsigned int *domain,
				  unsigned int *bus, unsigned int *devfn)
{
	unsigned int dev, fn;
	int n;

	KUNIT_ASSERT_NOT_NULL_MSG(test, subtree, "isolation_pci_bench.subtree= not given");
	n = sscanf(subtree, "%x:%x:%x.%x", domain, bus, &dev, &fn);
	KUNIT_ASSERT_EQ_MSG(test, n, 4, "isolation_pci_bench.subtree=%s: not a PCI device",
			    subtree);
	*devfn = PCI_DEVFN(dev, fn);
	return pci_get_domain_bus_and_slot(*domain, *bus, *devfn);
}

/* Remove the subtree, bridge and all, as a hot-unplug would. */
static void ipb_remove_subtree(struct kunit *test)
{
	unsigned int domain, bus, devfn;
	struct pci_dev *bridge = ipb_bridge(test, &domain, &bus, &devfn);

	KUNIT_ASSERT_NOT_NULL_MSG(test, bridge, "no bridge %s", subtree);
	pci_stop_and_remove_bus_device_locked(bridge);
	pci_dev_put(bridge);
}

/* Bring it back, as a rescan of the bridge's bus would. */
static void ipb_rescan_subtree(struct kunit *test)
{
	unsigned int domain, bus, devfn;
	struct pci_dev *bridge;
	struct pci_bus *pbus;

	bridge = ipb_bridge(test, &domain, &bus, &devfn);
	pci_dev_put(bridge);
	if (bridge)
		return;
	pbus = pci_find_bus(domain, bus);
	KUNIT_ASSERT_NOT_NULL(test, pbus);
	pci_lock_rescan_remove();
	pci_rescan_bus(pbus);
	pci_unlock_rescan_remove();
	bridge = ipb_bridge(test, &domain, &bus, &devfn);
	KUNIT_ASSERT_NOT_NULL_MSG(test, bridge, "%s did not come back", subtree);
	pci_dev_put(bridge);
}

static void ipb_provider_add_test(struct kunit *test)
{
	u64 prov[2] = { U64_MAX, U64_MAX }, core[2] = { U64_MAX, U64_MAX }, t;
	u64 get_ns[2] = { U64_MAX, U64_MAX }, walk_ns[2] = { U64_MAX, U64_MAX }, g, w;
	unsigned int functions[2] = {}, big, r, i;
	struct ipb_devices devs;

	ipb_slot_devices(test, &devs);
	for (r = 0; r < 2 * IPB_ROUNDS; r++) {
		big = !(r & 1);
		if (big)
			ipb_rescan_subtree(test);
		else
			ipb_remove_subtree(test);
		functions[big] = ipb_pci_functions();
		t = ipb_provider(test, &devs);
		prov[big] = min(prov[big], t);
		t = ipb_iommu_core(test, &devs);
		core[big] = min(core[big], t);
		ipb_rules(test, &devs, &g, &w);
		get_ns[big] = min(get_ns[big], g);
		walk_ns[big] = min(walk_ns[big], w);
	}
	ipb_rescan_subtree(test);
	for (i = 0; i < devs.count; i++)
		pci_dev_put(devs.dev[i]);

	KUNIT_EXPECT_GE_MSG(test, functions[1], 256U,
			    "the machine has %u PCI functions with the subtree", functions[1]);
	pr_info("isolation-bench: pci_functions %u vs %u, %u devices grouped %u times a round\n",
		functions[1], functions[0], devs.count, IPB_REPEAT);
	pr_info("isolation-bench: provider_add_ns %llu vs %llu, iommu_core_add_ns %llu vs %llu\n",
		prov[1], prov[0], core[1], core[0]);
	pr_info("isolation-bench: rules_ns pci_isolation_get %llu vs %llu, pci_isolation_visit_peers %llu vs %llu\n",
		get_ns[1], get_ns[0], walk_ns[1], walk_ns[0]);
	ipb_print("provider_add_256_vs_10", prov[1], prov[0]);
	ipb_print("provider_add_vs_iommu_core", prov[1], core[1]);
	ipb_print("iommu_core_add_256_vs_10", core[1], core[0]);
}

static int ipb_suite_init(struct kunit_suite *suite)
{
	iommu_isolation_register(&ipb_isolation);
	return ipb_isolation.registered ? 0 : -ENODEV;
}

static void ipb_suite_exit(struct kunit_suite *suite)
{
	isolation_provider_unregister(&ipb_isolation.provider);
}

static struct kunit_case isolation_pci_bench_cases[] = {
	KUNIT_CASE_SLOW(ipb_provider_add_test),
	{}
};

static struct kunit_suite isolation_pci_bench_suite = {
	.name = "isolation-pci-bench",
	.suite_init = ipb_suite_init,
	.suite_exit = ipb_suite_exit,
	.test_cases = isolation_pci_bench_cases,
};

kunit_test_suite(isolation_pci_bench_suite);

MODULE_DESCRIPTION("Benchmark of PCI isolation grouping");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
