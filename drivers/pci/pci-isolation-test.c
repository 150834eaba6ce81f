// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the PCI rules of DMA isolation (drivers/pci/isolation.c) on
 * a synthetic bus: devices that are never registered, on a root bus of their
 * own, conventional PCI (so without ACS), with a DMA alias quirk's mask set
 * by hand.
 *
 * The topology: A (00:01.0) and B (00:01.1) are functions of one
 * multifunction slot; B is a DMA alias of C (00:02.0); D (00:03.0) is on
 * its own.  A, B and C share a group named after A whichever of them the
 * bus lists first, which is what probe order changes: B is there because
 * of A (multifunction), C because of B (DMA alias).
 *
 * The devices are initialized, so their memory is freed by their release,
 * which CONFIG_DEBUG_KOBJECT_RELEASE delays: the topology is allocated
 * apart from the test and freed when its last device is released.
 */

#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/isolation.h>
#include <linux/pci.h>
#include <linux/pci-isolation.h>
#include <linux/slab.h>

#define IPR_DEVS	4

struct ipr_topology {
	struct pci_bus bus;
#ifdef CONFIG_X86
	struct pci_sysdata sysdata;
#endif
	struct pci_dev dev[IPR_DEVS];
	atomic_t live;		/* devices not yet released */
};

static const u8 ipr_devfn[IPR_DEVS] = {
	PCI_DEVFN(1, 0), PCI_DEVFN(1, 1), PCI_DEVFN(2, 0), PCI_DEVFN(3, 0)
};

enum { IPR_A, IPR_B, IPR_C, IPR_D };

static void ipr_release(struct device *dev)
{
	struct ipr_topology *t = container_of(to_pci_dev(dev)->bus,
					      struct ipr_topology, bus);

	if (!atomic_dec_and_test(&t->live))
		return;
	bitmap_free(t->dev[IPR_B].dma_alias_mask);
	bitmap_free(t->dev[IPR_C].dma_alias_mask);
	kfree(t);
}

static void ipr_destroy(void *data)
{
	struct ipr_topology *t = data;
	int i;

	for (i = 0; i < IPR_DEVS; i++)
		put_device(&t->dev[i].dev);
}

/* The topology, put back when the test ends, however it ends. */
static struct ipr_topology *ipr_build(struct kunit *test)
{
	struct ipr_topology *t = kzalloc(sizeof(*t), GFP_KERNEL);
	struct pci_dev *pdev;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, t);
	atomic_set(&t->live, IPR_DEVS);
	for (i = 0; i < IPR_DEVS; i++) {
		t->dev[i].bus = &t->bus;
		device_initialize(&t->dev[i].dev);
		t->dev[i].dev.release = ipr_release;
	}
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, ipr_destroy, t), 0);
	INIT_LIST_HEAD(&t->bus.devices);
#ifdef CONFIG_X86
	t->bus.sysdata = &t->sysdata;
#endif
	for (i = 0; i < IPR_DEVS; i++) {
		pdev = &t->dev[i];
		pdev->devfn = ipr_devfn[i];
		pdev->vendor = 0xabcd;	/* no ACS quirk */
		pdev->device = 0x0001;
		pdev->multifunction = i == IPR_A || i == IPR_B;
		INIT_LIST_HEAD(&pdev->bus_list);
		KUNIT_ASSERT_EQ(test, dev_set_name(&pdev->dev, "0000:00:%02x.%d",
						   PCI_SLOT(pdev->devfn),
						   PCI_FUNC(pdev->devfn)), 0);
	}
	pdev = &t->dev[IPR_B];
	pdev->dma_alias_mask = bitmap_zalloc(256, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pdev->dma_alias_mask);
	set_bit(ipr_devfn[IPR_C], pdev->dma_alias_mask);
	return t;
}

static void ipr_expect(struct kunit *test, struct ipr_topology *t, int i,
		       int key, enum isolation_reason reason, int why)
{
	struct pci_isolation iso;

	KUNIT_ASSERT_EQ(test, pci_isolation_get(&t->dev[i], &iso, NULL, NULL), 0);
	KUNIT_EXPECT_PTR_EQ_MSG(test, iso.key, &t->dev[key], "key of %s: %s",
				pci_name(&t->dev[i]), iso.key ? pci_name(iso.key) : "-");
	KUNIT_EXPECT_EQ_MSG(test, iso.reason, reason, "reason of %s",
			    pci_name(&t->dev[i]));
	KUNIT_EXPECT_PTR_EQ_MSG(test, iso.why, why < 0 ? NULL : &t->dev[why],
				"reason device of %s", pci_name(&t->dev[i]));
	KUNIT_EXPECT_PTR_EQ(test, iso.boundary, &t->dev[i]);
	pci_isolation_put(&iso);
}

static int ipr_seen(struct pci_dev *peer, void *data)
{
	unsigned long *seen = data;

	__set_bit(PCI_SLOT(peer->devfn) * 8 + PCI_FUNC(peer->devfn), seen);
	return 0;
}

/* Every order in which the bus can list A, B, C and D gives the same. */
static void ipr_alias_chain_order_test(struct kunit *test)
{
	static const int perm[][IPR_DEVS] = {
		{ 0, 1, 2, 3 }, { 2, 1, 0, 3 }, { 2, 0, 1, 3 }, { 1, 2, 3, 0 },
		{ 3, 2, 1, 0 }, { 1, 0, 3, 2 }, { 0, 2, 3, 1 }, { 3, 1, 0, 2 },
	};
	struct ipr_topology *t;
	DECLARE_BITMAP(seen, 256);
	int p, i;

	t = ipr_build(test);

	for (p = 0; p < ARRAY_SIZE(perm); p++) {
		INIT_LIST_HEAD(&t->bus.devices);
		for (i = 0; i < IPR_DEVS; i++)
			list_add_tail(&t->dev[perm[p][i]].bus_list, &t->bus.devices);

		ipr_expect(test, t, IPR_A, IPR_A, ISOLATION_REASON_BOUNDARY, -1);
		ipr_expect(test, t, IPR_B, IPR_A, ISOLATION_REASON_MULTIFUNCTION,
			   IPR_A);
		ipr_expect(test, t, IPR_C, IPR_A, ISOLATION_REASON_DMA_ALIAS,
			   IPR_B);
		ipr_expect(test, t, IPR_D, IPR_D, ISOLATION_REASON_BOUNDARY, -1);

		/* C's peers are A and B, found from C through B. */
		bitmap_zero(seen, 256);
		KUNIT_EXPECT_EQ(test, pci_isolation_visit_peers(&t->dev[IPR_C],
								ipr_seen, seen), 0);
		KUNIT_EXPECT_TRUE(test, test_bit(ipr_devfn[IPR_A], seen));
		KUNIT_EXPECT_TRUE(test, test_bit(ipr_devfn[IPR_B], seen));
		KUNIT_EXPECT_FALSE(test, test_bit(ipr_devfn[IPR_D], seen));
	}
}

/* Without the alias, C and D are on their own; A and B stay together. */
static void ipr_no_alias_test(struct kunit *test)
{
	struct ipr_topology *t;
	int i;

	t = ipr_build(test);
	clear_bit(ipr_devfn[IPR_C], t->dev[IPR_B].dma_alias_mask);
	for (i = IPR_DEVS - 1; i >= 0; i--)
		list_add_tail(&t->dev[i].bus_list, &t->bus.devices);

	ipr_expect(test, t, IPR_B, IPR_A, ISOLATION_REASON_MULTIFUNCTION, IPR_A);
	ipr_expect(test, t, IPR_C, IPR_C, ISOLATION_REASON_BOUNDARY, -1);
}

/*
 * A boundary with a DMA alias mask of its own, related to no member below
 * it: B is a DMA alias of D, and so is C, so A, B, C and D are one group.
 * C's reason is D, the lowest other member it is related to, not C itself
 * (which the core refuses as a reason device, leaving C in no group).
 */
static void ipr_own_alias_mask_test(struct kunit *test)
{
	struct ipr_topology *t;
	unsigned long *mask;
	int i;

	t = ipr_build(test);
	mask = bitmap_zalloc(256, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, mask);
	t->dev[IPR_C].dma_alias_mask = mask;	/* freed with the topology */
	clear_bit(ipr_devfn[IPR_C], t->dev[IPR_B].dma_alias_mask);
	set_bit(ipr_devfn[IPR_D], t->dev[IPR_B].dma_alias_mask);
	set_bit(ipr_devfn[IPR_D], mask);
	for (i = 0; i < IPR_DEVS; i++)
		list_add_tail(&t->dev[i].bus_list, &t->bus.devices);

	ipr_expect(test, t, IPR_C, IPR_A, ISOLATION_REASON_DMA_ALIAS, IPR_D);
	ipr_expect(test, t, IPR_D, IPR_A, ISOLATION_REASON_DMA_ALIAS, IPR_B);
}

/*
 * The machine's own PCI devices (none on UML): what a device's bus holds is
 * found without pci_bus_sem as with it, so the rules give the same answer
 * whichever way pci_isolation_walk_bus() takes.
 */
static void ipr_without_bus_sem_test(struct kunit *test)
{
	DECLARE_BITMAP(with, 256);
	DECLARE_BITMAP(without, 256);
	struct pci_isolation a, b;
	struct pci_dev *pdev = NULL;
	unsigned int n = 0;

	for_each_pci_dev(pdev) {
		bitmap_zero(with, 256);
		bitmap_zero(without, 256);
		KUNIT_ASSERT_EQ(test, pci_isolation_get(pdev, &a, ipr_seen, with), 0);
		WRITE_ONCE(pci_isolation_avoid_bus_sem, true);
		KUNIT_EXPECT_EQ(test, pci_isolation_get(pdev, &b, ipr_seen, without), 0);
		WRITE_ONCE(pci_isolation_avoid_bus_sem, false);
		KUNIT_EXPECT_PTR_EQ(test, a.key, b.key);
		KUNIT_EXPECT_PTR_EQ(test, a.boundary, b.boundary);
		KUNIT_EXPECT_PTR_EQ(test, a.why, b.why);
		KUNIT_EXPECT_EQ(test, a.reason, b.reason);
		KUNIT_EXPECT_TRUE_MSG(test, bitmap_equal(with, without, 256),
				      "peers of %s", pci_name(pdev));
		pci_isolation_put(&a);
		pci_isolation_put(&b);
		n++;
	}
	kunit_info(test, "%u PCI devices grouped alike with and without pci_bus_sem\n", n);
}

static struct kunit_case isolation_pci_rules_cases[] = {
	KUNIT_CASE(ipr_alias_chain_order_test),
	KUNIT_CASE(ipr_no_alias_test),
	KUNIT_CASE(ipr_own_alias_mask_test),
	KUNIT_CASE(ipr_without_bus_sem_test),
	{}
};

static struct kunit_suite isolation_pci_rules_suite = {
	.name = "isolation-pci-rules",
	.test_cases = isolation_pci_rules_cases,
};

kunit_test_suite(isolation_pci_rules_suite);

MODULE_DESCRIPTION("KUnit tests of the PCI rules of DMA isolation");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
