// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the PCI rules of DMA isolation (drivers/pci/isolation.c)
 * and of the IOMMU isolation provider built on them
 * (drivers/iommu/isolation.c), on synthetic PCI topologies: what QEMU
 * cannot build.
 *
 * A topology is up to IPR_BUSES buses and IPR_DEVS devices in one
 * allocation.  Its buses answer config reads and writes from an in-memory
 * config space per device (ipr_ops), which holds what the PCI core would
 * have read at enumeration and cached in struct pci_dev: the header type,
 * the PCIe capability at IPR_PCIE_CAP and an ACS capability at IPR_ACS_CAP,
 * so that pci_acs_enabled() and the ACS quirks run for real.  Its devices
 * are in domain IPR_DOMAIN, which no IOMMU of a real machine covers, and
 * are named as pci_name() would name them.  The topologies:
 *
 *  - the alias chain: A (00:01.0) and B (00:01.1) are functions of one
 *    multifunction slot; B is a DMA alias of C (00:02.0); D (00:03.0) is on
 *    its own.  A, B and C share a group named after A whichever of them the
 *    bus lists first: B is there because of A (multifunction), C because of
 *    B (DMA alias);
 *  - DMA alias quirks of drivers/pci/quirks.c, run by pci_fixup_device():
 *    Ricoh functions that DMA as function 0, a Marvell SATA controller that
 *    DMAs as function 1 (present or a ghost), an Adaptec RAID controller
 *    with a fixed alias to another slot's function;
 *  - a DMA proxy (x86 with CONFIG_VMD only): the devices of a VMD domain,
 *    a root bus whose DMA the VMD endpoint issues;
 *  - a root port, with and without isolating ACS, above a PCIe-to-PCI
 *    bridge and conventional devices; a conventional PCI-PCI bridge that
 *    quirk_use_pcie_bridge_dma_alias() marks as a PCIe-to-PCI bridge;
 *  - SR-IOV: physical functions, with and without ACS, and their virtual
 *    functions on the PF's bus and on a virtual bus;
 *  - an ACS quirk: a Solarflare multifunction endpoint without an ACS
 *    capability, and the same endpoint from a vendor without quirk;
 *  - a slot whose functions disagree on the multifunction flag, listed by
 *    the bus in every order;
 *  - registered devices on the PCI bus type, grouped by an IOMMU isolation
 *    provider: a function that relates two functions already in two
 *    groups joins neither; and pci_device_group() with two IOMMU groups
 *    (CONFIG_IOMMU_API only).
 *
 * The devices are initialized, so their memory is freed by their release,
 * which CONFIG_DEBUG_KOBJECT_RELEASE delays: a topology is allocated apart
 * from the test and freed when its last device is released.
 */

#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/device.h>
#include <linux/iommu.h>
#include <linux/isolation.h>
#include <linux/pci.h>
#include <linux/pci-isolation.h>
#include <linux/slab.h>
#include <linux/unaligned.h>

#include "../iommu/iommu-isolation.h"

#define IPR_BUSES	4
#define IPR_DEVS	8
#define IPR_CFG_SIZE	0x200
#define IPR_PCIE_CAP	0x40
#define IPR_ACS_CAP	0x100
#define IPR_DOMAIN	0x7e57
#define IPR_VENDOR	0xabcd	/* a vendor without quirks */
#define IPR_CONV	-1	/* conventional PCI: no PCIe capability */
#define IPR_NONE	-1	/* no reason device */

/* What ipr_dev() gives a device besides its ids and PCIe type */
#define IPR_MF		BIT(0)	/* multifunction */
#define IPR_ACS		BIT(1)	/* ACS capability, isolating ACS enabled */
#define IPR_ACS_OFF	BIT(2)	/* ACS capability, nothing enabled */

struct ipr_topology;

/**
 * struct ipr_bus - a bus of a synthetic topology
 * @bus: the bus
 * @t: the topology it belongs to, for its config accessors
 * @domain: the domain its devices are named in
 */
struct ipr_bus {
	struct pci_bus bus;
	struct ipr_topology *t;
	unsigned int domain;
};

/**
 * struct ipr_topology - a synthetic PCI topology, freed by its devices
 * @bus: its buses, all root buses until ipr_bridge() or ipr_virtual_bus()
 *	places them below another
 * @sysdata: the x86 host bridge data of each bus
 * @dev: its devices, all initialized, those set up by ipr_dev() in use
 * @cfg: the config space of each device
 * @used: which devices ipr_dev() set up
 * @added: which devices are registered
 * @live: devices not yet released
 */
struct ipr_topology {
	struct ipr_bus bus[IPR_BUSES];
#ifdef CONFIG_X86
	struct pci_sysdata sysdata[IPR_BUSES];
#endif
	struct pci_dev dev[IPR_DEVS];
	u8 cfg[IPR_DEVS][IPR_CFG_SIZE];
	bool used[IPR_DEVS];
	bool added[IPR_DEVS];
	atomic_t live;
};

static struct ipr_topology *ipr_of_bus(struct pci_bus *bus)
{
	return container_of(bus, struct ipr_bus, bus)->t;
}

/* The config space of the device at @devfn on @bus, or NULL. */
static u8 *ipr_cfg(struct pci_bus *bus, unsigned int devfn, int where,
		   int size)
{
	struct ipr_topology *t = ipr_of_bus(bus);
	int i;

	if (where < 0 || where + size > IPR_CFG_SIZE)
		return NULL;
	for (i = 0; i < IPR_DEVS; i++)
		if (t->used[i] && t->dev[i].bus == bus &&
		    t->dev[i].devfn == devfn)
			return t->cfg[i] + where;
	return NULL;
}

static int ipr_read(struct pci_bus *bus, unsigned int devfn, int where,
		    int size, u32 *val)
{
	u8 *cfg = ipr_cfg(bus, devfn, where, size);

	if (!cfg) {
		PCI_SET_ERROR_RESPONSE(val);
		return PCIBIOS_DEVICE_NOT_FOUND;
	}
	switch (size) {
	case 1:
		*val = *cfg;
		break;
	case 2:
		*val = get_unaligned_le16(cfg);
		break;
	default:
		*val = get_unaligned_le32(cfg);
		break;
	}
	return PCIBIOS_SUCCESSFUL;
}

static int ipr_write(struct pci_bus *bus, unsigned int devfn, int where,
		     int size, u32 val)
{
	u8 *cfg = ipr_cfg(bus, devfn, where, size);

	if (!cfg)
		return PCIBIOS_DEVICE_NOT_FOUND;
	switch (size) {
	case 1:
		*cfg = val;
		break;
	case 2:
		put_unaligned_le16(val, cfg);
		break;
	default:
		put_unaligned_le32(val, cfg);
		break;
	}
	return PCIBIOS_SUCCESSFUL;
}

static struct pci_ops ipr_ops = {
	.read = ipr_read,
	.write = ipr_write,
};

static void ipr_release(struct device *dev)
{
	struct ipr_topology *t = ipr_of_bus(to_pci_dev(dev)->bus);
	int i;

	if (!atomic_dec_and_test(&t->live))
		return;
	for (i = 0; i < IPR_DEVS; i++)
		bitmap_free(t->dev[i].dma_alias_mask);
	kvfree(t);
}

static void ipr_destroy(void *data)
{
	struct ipr_topology *t = data;
	int i;

	for (i = 0; i < IPR_DEVS; i++)
		put_device(&t->dev[i].dev);
}

/* An empty topology, put back when the test ends, however it ends. */
static struct ipr_topology *ipr_alloc(struct kunit *test)
{
	struct ipr_topology *t = kvzalloc(sizeof(*t), GFP_KERNEL);
	struct pci_bus *bus;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, t);
	atomic_set(&t->live, IPR_DEVS);
	for (i = 0; i < IPR_BUSES; i++) {
		bus = &t->bus[i].bus;
		t->bus[i].t = t;
		t->bus[i].domain = IPR_DOMAIN;
		INIT_LIST_HEAD(&bus->devices);
		INIT_LIST_HEAD(&bus->children);
		INIT_LIST_HEAD(&bus->node);
		bus->ops = &ipr_ops;
#ifdef CONFIG_X86
		t->sysdata[i].domain = IPR_DOMAIN;
		bus->sysdata = &t->sysdata[i];
#endif
#ifdef CONFIG_PCI_DOMAINS_GENERIC
		bus->domain_nr = IPR_DOMAIN;
#endif
	}
	for (i = 0; i < IPR_DEVS; i++) {
		t->dev[i].bus = &t->bus[0].bus;
		INIT_LIST_HEAD(&t->dev[i].bus_list);
		device_initialize(&t->dev[i].dev);
		t->dev[i].dev.release = ipr_release;
	}
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, ipr_destroy, t), 0);
	return t;
}

/*
 * Device @i of @t at @devfn on bus @bus, of PCIe @type (or IPR_CONV), with
 * the config space and the fields the PCI core would have set up.
 */
static struct pci_dev *ipr_dev(struct kunit *test, struct ipr_topology *t,
			       int i, int bus, unsigned int devfn, u16 vendor,
			       u16 device, int type, unsigned int flags)
{
	struct pci_dev *pdev = &t->dev[i];
	u8 *cfg = t->cfg[i];

	pdev->bus = &t->bus[bus].bus;
	pdev->devfn = devfn;
	pdev->vendor = vendor;
	pdev->device = device;
	pdev->hdr_type = PCI_HEADER_TYPE_NORMAL;
	pdev->multifunction = !!(flags & IPR_MF);
	pdev->cfg_size = PCI_CFG_SPACE_SIZE;
	pdev->error_state = pci_channel_io_normal;
	put_unaligned_le16(vendor, cfg + PCI_VENDOR_ID);
	put_unaligned_le16(device, cfg + PCI_DEVICE_ID);
	cfg[PCI_HEADER_TYPE] = pdev->multifunction ? PCI_HEADER_TYPE_MFD : 0;
	if (type != IPR_CONV) {
		pdev->pcie_cap = IPR_PCIE_CAP;
		pdev->pcie_flags_reg = type << 4 | 2;
		pdev->cfg_size = PCI_CFG_SPACE_EXP_SIZE;
		put_unaligned_le16(PCI_STATUS_CAP_LIST, cfg + PCI_STATUS);
		cfg[PCI_CAPABILITY_LIST] = IPR_PCIE_CAP;
		cfg[IPR_PCIE_CAP + PCI_CAP_LIST_ID] = PCI_CAP_ID_EXP;
		put_unaligned_le16(pdev->pcie_flags_reg,
				   cfg + IPR_PCIE_CAP + PCI_EXP_FLAGS);
	}
	if (flags & (IPR_ACS | IPR_ACS_OFF)) {
		pdev->acs_cap = IPR_ACS_CAP;
		put_unaligned_le32(PCI_EXT_CAP_ID_ACS | 1 << 16, cfg + IPR_ACS_CAP);
		put_unaligned_le16(PCI_ISOLATION_ACS_FLAGS,
				   cfg + IPR_ACS_CAP + PCI_ACS_CAP);
		if (flags & IPR_ACS)
			put_unaligned_le16(PCI_ISOLATION_ACS_FLAGS,
					   cfg + IPR_ACS_CAP + PCI_ACS_CTRL);
	}
	t->used[i] = true;
	KUNIT_ASSERT_EQ(test, dev_set_name(&pdev->dev, "%04x:%02x:%02x.%d",
					   t->bus[bus].domain,
					   pdev->bus->number,
					   PCI_SLOT(devfn), PCI_FUNC(devfn)), 0);
	return pdev;
}

/* Place bus @child below bus @parent as bus @number, bridged by @self. */
static void ipr_child_bus(struct ipr_topology *t, int child, int parent,
			  u8 number, struct pci_dev *self)
{
	struct pci_bus *bus = &t->bus[child].bus;

	bus->parent = &t->bus[parent].bus;
	bus->self = self;
	bus->number = number;
	bus->primary = bus->parent->number;
	bus->sysdata = bus->parent->sysdata;
	t->bus[child].domain = t->bus[parent].domain;
	list_add_tail(&bus->node, &bus->parent->children);
}

/* Make device @i a bridge to bus @child, which becomes bus @number. */
static void ipr_bridge(struct ipr_topology *t, int i, int child, u8 number)
{
	struct pci_dev *bridge = &t->dev[i];
	int parent = container_of(bridge->bus, struct ipr_bus, bus) - t->bus;

	bridge->hdr_type = PCI_HEADER_TYPE_BRIDGE;
	t->cfg[i][PCI_HEADER_TYPE] |= PCI_HEADER_TYPE_BRIDGE;
	t->cfg[i][PCI_PRIMARY_BUS] = bridge->bus->number;
	t->cfg[i][PCI_SECONDARY_BUS] = number;
	t->cfg[i][PCI_SUBORDINATE_BUS] = number;
	bridge->subordinate = &t->bus[child].bus;
	ipr_child_bus(t, child, parent, number, bridge);
}

/* Make device @i a virtual function of device @pf. */
static void ipr_vf(struct ipr_topology *t, int i, int pf)
{
	t->dev[i].is_virtfn = 1;
#ifdef CONFIG_PCI_ATS
	t->dev[i].physfn = &t->dev[pf];
#endif
}

/* List the devices of @mask on their buses, by index. */
static void ipr_list(struct ipr_topology *t, unsigned long mask)
{
	int i;

	for (i = 0; i < IPR_DEVS; i++)
		if (t->used[i] && (mask & BIT(i)))
			list_add_tail(&t->dev[i].bus_list,
				      &t->dev[i].bus->devices);
}

static const char *ipr_name(struct pci_dev *pdev)
{
	return pdev ? pci_name(pdev) : "-";
}

/* Index of @pdev in @t, or IPR_DEVS for a device of another topology. */
static int ipr_index(struct ipr_topology *t, struct pci_dev *pdev)
{
	int i;

	for (i = 0; i < IPR_DEVS; i++)
		if (pdev == &t->dev[i])
			break;
	return i;
}

struct ipr_peers {
	struct ipr_topology *t;
	unsigned long seen;
};

static int ipr_peer(struct pci_dev *peer, void *data)
{
	struct ipr_peers *peers = data;

	peers->seen |= BIT(ipr_index(peers->t, peer));
	return 0;
}

/*
 * pci_isolation_get() of device @i: its key, reason, reason device and
 * boundary; and the devices its walk visits, with the same walk and with
 * pci_isolation_visit_peers(), must be @peers (a mask of indices).
 */
static void ipr_expect(struct kunit *test, struct ipr_topology *t, int i,
		       int key, enum isolation_reason reason, int why,
		       int boundary, unsigned long peers)
{
	struct pci_dev *pdev = &t->dev[i];
	struct ipr_peers seen = { .t = t };
	struct pci_isolation iso;

	KUNIT_ASSERT_EQ(test, pci_isolation_get(pdev, &iso, ipr_peer, &seen), 0);
	KUNIT_EXPECT_PTR_EQ_MSG(test, iso.key, &t->dev[key], "key of %s: %s",
				pci_name(pdev), ipr_name(iso.key));
	KUNIT_EXPECT_EQ_MSG(test, iso.reason, reason, "reason of %s",
			    pci_name(pdev));
	KUNIT_EXPECT_PTR_EQ_MSG(test, iso.why,
				why == IPR_NONE ? NULL : &t->dev[why],
				"reason device of %s: %s", pci_name(pdev),
				ipr_name(iso.why));
	KUNIT_EXPECT_PTR_EQ_MSG(test, iso.boundary, &t->dev[boundary],
				"boundary of %s: %s", pci_name(pdev),
				ipr_name(iso.boundary));
	pci_isolation_put(&iso);
	KUNIT_EXPECT_EQ_MSG(test, seen.seen, peers,
			    "peers of %s in pci_isolation_get()", pci_name(pdev));

	seen.seen = 0;
	KUNIT_EXPECT_EQ(test, pci_isolation_visit_peers(pdev, ipr_peer, &seen), 0);
	KUNIT_EXPECT_EQ_MSG(test, seen.seen, peers,
			    "peers of %s in pci_isolation_visit_peers()",
			    pci_name(pdev));
}

/* The device that issues device @i's DMA is device @alias. */
static void ipr_expect_alias(struct kunit *test, struct ipr_topology *t,
			     int i, int alias)
{
	struct pci_isolation iso;

	KUNIT_ASSERT_EQ(test, pci_isolation_get(&t->dev[i], &iso, NULL, NULL), 0);
	KUNIT_EXPECT_PTR_EQ_MSG(test, iso.alias, &t->dev[alias],
				"alias of %s: %s", pci_name(&t->dev[i]),
				ipr_name(iso.alias));
	pci_isolation_put(&iso);
}

/* A device alone: its own key and boundary, visiting itself only. */
static void ipr_expect_alone(struct kunit *test, struct ipr_topology *t,
			     int i)
{
	ipr_expect(test, t, i, i, ISOLATION_REASON_BOUNDARY, IPR_NONE, i,
		   BIT(i));
}

/* The alias chain, the topology of the first cases */

enum { IPR_A, IPR_B, IPR_C, IPR_D, IPR_CHAIN_DEVS };

static const u8 ipr_devfn[IPR_CHAIN_DEVS] = {
	PCI_DEVFN(1, 0), PCI_DEVFN(1, 1), PCI_DEVFN(2, 0), PCI_DEVFN(3, 0)
};

static struct ipr_topology *ipr_build(struct kunit *test)
{
	struct ipr_topology *t = ipr_alloc(test);
	struct pci_dev *pdev;
	int i;

	for (i = 0; i < IPR_CHAIN_DEVS; i++)
		ipr_dev(test, t, i, 0, ipr_devfn[i], IPR_VENDOR, 0x0001,
			IPR_CONV, i == IPR_A || i == IPR_B ? IPR_MF : 0);
	pdev = &t->dev[IPR_B];
	pdev->dma_alias_mask = bitmap_zalloc(256, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pdev->dma_alias_mask);
	set_bit(ipr_devfn[IPR_C], pdev->dma_alias_mask);
	return t;
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
	static const int perm[][IPR_CHAIN_DEVS] = {
		{ 0, 1, 2, 3 }, { 2, 1, 0, 3 }, { 2, 0, 1, 3 }, { 1, 2, 3, 0 },
		{ 3, 2, 1, 0 }, { 1, 0, 3, 2 }, { 0, 2, 3, 1 }, { 3, 1, 0, 2 },
	};
	const unsigned long abc = BIT(IPR_A) | BIT(IPR_B) | BIT(IPR_C);
	struct ipr_topology *t;
	struct pci_bus *bus;
	int p, i;

	t = ipr_build(test);
	bus = &t->bus[0].bus;

	for (p = 0; p < ARRAY_SIZE(perm); p++) {
		INIT_LIST_HEAD(&bus->devices);
		for (i = 0; i < IPR_CHAIN_DEVS; i++)
			list_add_tail(&t->dev[perm[p][i]].bus_list, &bus->devices);

		/* C's peers are A and B, found from C through B. */
		ipr_expect(test, t, IPR_A, IPR_A, ISOLATION_REASON_BOUNDARY,
			   IPR_NONE, IPR_A, abc);
		ipr_expect(test, t, IPR_B, IPR_A, ISOLATION_REASON_MULTIFUNCTION,
			   IPR_A, IPR_B, abc);
		ipr_expect(test, t, IPR_C, IPR_A, ISOLATION_REASON_DMA_ALIAS,
			   IPR_B, IPR_C, abc);
		ipr_expect_alone(test, t, IPR_D);
	}
}

/* Without the alias, C and D are on their own; A and B stay together. */
static void ipr_no_alias_test(struct kunit *test)
{
	struct ipr_topology *t;
	int i;

	t = ipr_build(test);
	clear_bit(ipr_devfn[IPR_C], t->dev[IPR_B].dma_alias_mask);
	for (i = IPR_CHAIN_DEVS - 1; i >= 0; i--)
		list_add_tail(&t->dev[i].bus_list, &t->bus[0].bus.devices);

	ipr_expect(test, t, IPR_B, IPR_A, ISOLATION_REASON_MULTIFUNCTION,
		   IPR_A, IPR_B, BIT(IPR_A) | BIT(IPR_B));
	ipr_expect_alone(test, t, IPR_C);
}

/*
 * A boundary with a DMA alias mask of its own, related to no member below
 * it: B is a DMA alias of D, and so is C, so A, B, C and D are one group.
 * C's reason is D, the lowest other member it is related to, not C itself
 * (which the core refuses as a reason device, leaving C in no group).
 */
static void ipr_own_alias_mask_test(struct kunit *test)
{
	const unsigned long all = GENMASK(IPR_CHAIN_DEVS - 1, 0);
	struct ipr_topology *t;
	unsigned long *mask;

	t = ipr_build(test);
	mask = bitmap_zalloc(256, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, mask);
	t->dev[IPR_C].dma_alias_mask = mask;	/* freed with the topology */
	clear_bit(ipr_devfn[IPR_C], t->dev[IPR_B].dma_alias_mask);
	set_bit(ipr_devfn[IPR_D], t->dev[IPR_B].dma_alias_mask);
	set_bit(ipr_devfn[IPR_D], mask);
	ipr_list(t, all);

	ipr_expect(test, t, IPR_C, IPR_A, ISOLATION_REASON_DMA_ALIAS, IPR_D,
		   IPR_C, all);
	ipr_expect(test, t, IPR_D, IPR_A, ISOLATION_REASON_DMA_ALIAS, IPR_B,
		   IPR_D, all);
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

/* DMA alias quirks */

static bool ipr_alias_is(struct pci_dev *pdev, unsigned int devfn)
{
	return pdev->dma_alias_mask &&
	       bitmap_weight(pdev->dma_alias_mask, 256) == 1 &&
	       test_bit(devfn, pdev->dma_alias_mask);
}

/*
 * The DMA alias quirks of drivers/pci/quirks.c, run by the header fixup
 * pass as at enumeration, on conventional functions that are not
 * multifunction, so that only their aliases relate them:
 *  - Ricoh R0 (00:01.0) and R1 (00:01.1): quirk_dma_func0_alias() makes
 *    R1 DMA as R0;
 *  - Marvell 88SE9123 M0 (00:02.0) and M1 (00:02.1):
 *    quirk_dma_func1_alias() makes M0 DMA as M1;
 *  - Marvell 88SE9123 G (00:03.0) alone: it DMAs as 00:03.1, a ghost;
 *  - Adaptec 3405 AD (00:0e.0): quirk_fixed_dma_alias() makes it DMA as
 *    00:01.0, which is R0 here.
 * So R0, R1 and AD are one group named after R0; M0 and M1 one named after
 * M0; G is alone.  Before the fixups, each is alone.
 */
static void ipr_dma_alias_quirks_test(struct kunit *test)
{
	enum { R0, R1, M0, M1, G, AD, NR };
	const unsigned long ricoh = BIT(R0) | BIT(R1) | BIT(AD);
	const unsigned long marvell = BIT(M0) | BIT(M1);
	struct ipr_topology *t;
	int i;

	t = ipr_alloc(test);
	ipr_dev(test, t, R0, 0, PCI_DEVFN(1, 0), PCI_VENDOR_ID_RICOH, 0xe832,
		IPR_CONV, 0);
	ipr_dev(test, t, R1, 0, PCI_DEVFN(1, 1), PCI_VENDOR_ID_RICOH, 0xe832,
		IPR_CONV, 0);
	ipr_dev(test, t, M0, 0, PCI_DEVFN(2, 0), PCI_VENDOR_ID_MARVELL_EXT,
		0x9123, IPR_CONV, 0);
	ipr_dev(test, t, M1, 0, PCI_DEVFN(2, 1), PCI_VENDOR_ID_MARVELL_EXT,
		0x9123, IPR_CONV, 0);
	ipr_dev(test, t, G, 0, PCI_DEVFN(3, 0), PCI_VENDOR_ID_MARVELL_EXT,
		0x9123, IPR_CONV, 0);
	ipr_dev(test, t, AD, 0, PCI_DEVFN(0xe, 0), PCI_VENDOR_ID_ADAPTEC2,
		0x0285, IPR_CONV, 0);
	t->dev[AD].subsystem_vendor = PCI_VENDOR_ID_ADAPTEC2;
	t->dev[AD].subsystem_device = 0x02bb;
	ipr_list(t, GENMASK(NR - 1, 0));

	for (i = 0; i < NR; i++)
		ipr_expect_alone(test, t, i);

	for (i = 0; i < NR; i++)
		pci_fixup_device(pci_fixup_header, &t->dev[i]);
	KUNIT_EXPECT_NULL(test, t->dev[R0].dma_alias_mask);
	KUNIT_EXPECT_TRUE(test, ipr_alias_is(&t->dev[R1], PCI_DEVFN(1, 0)));
	KUNIT_EXPECT_TRUE(test, ipr_alias_is(&t->dev[M0], PCI_DEVFN(2, 1)));
	KUNIT_EXPECT_NULL(test, t->dev[M1].dma_alias_mask);
	KUNIT_EXPECT_TRUE(test, ipr_alias_is(&t->dev[G], PCI_DEVFN(3, 1)));
	KUNIT_EXPECT_TRUE(test, ipr_alias_is(&t->dev[AD], PCI_DEVFN(1, 0)));

	ipr_expect(test, t, R0, R0, ISOLATION_REASON_BOUNDARY, IPR_NONE, R0,
		   ricoh);
	ipr_expect(test, t, R1, R0, ISOLATION_REASON_DMA_ALIAS, R0, R1, ricoh);
	ipr_expect(test, t, AD, R0, ISOLATION_REASON_DMA_ALIAS, R0, AD, ricoh);
	ipr_expect(test, t, M0, M0, ISOLATION_REASON_BOUNDARY, IPR_NONE, M0,
		   marvell);
	ipr_expect(test, t, M1, M0, ISOLATION_REASON_DMA_ALIAS, M0, M1,
		   marvell);
	ipr_expect_alone(test, t, G);
}

#if IS_ENABLED(CONFIG_VMD)
/*
 * A DMA proxy: V (00:05.0) is a VMD endpoint, whose domain is a root bus
 * of its own (10000:00) with a root port P (10000:00:00.0, isolating ACS)
 * above N (10000:01:00.0).  pci_real_dma_dev() of P and N is V, so they
 * are in V's group for that reason, though neither is on V's bus.  O
 * (00:06.0) is on its own.  The devices of the domain are never visited:
 * the walk starts from their proxy.
 */
static void ipr_dma_proxy_test(struct kunit *test)
{
	enum { V, P, N, O };
	struct ipr_topology *t;

	t = ipr_alloc(test);
	ipr_dev(test, t, V, 0, PCI_DEVFN(5, 0), IPR_VENDOR, 0x0050,
		PCI_EXP_TYPE_RC_END, 0);
	ipr_dev(test, t, O, 0, PCI_DEVFN(6, 0), IPR_VENDOR, 0x0001,
		PCI_EXP_TYPE_RC_END, 0);
	t->bus[1].domain = 0x10000;
	t->sysdata[1].domain = 0x10000;
	t->sysdata[1].vmd_dev = &t->dev[V];
	ipr_dev(test, t, P, 1, PCI_DEVFN(0, 0), IPR_VENDOR, 0x0002,
		PCI_EXP_TYPE_ROOT_PORT, IPR_ACS);
	ipr_bridge(t, P, 2, 1);
	ipr_dev(test, t, N, 2, PCI_DEVFN(0, 0), IPR_VENDOR, 0x0003,
		PCI_EXP_TYPE_ENDPOINT, 0);
	ipr_list(t, BIT(V) | BIT(P) | BIT(N) | BIT(O));

	ipr_expect_alias(test, t, N, V);
	ipr_expect_alias(test, t, P, V);
	ipr_expect_alias(test, t, V, V);

	ipr_expect_alone(test, t, V);
	ipr_expect(test, t, P, V, ISOLATION_REASON_DMA_ALIAS, V, V, BIT(V));
	ipr_expect(test, t, N, V, ISOLATION_REASON_DMA_ALIAS, V, V, BIT(V));
	ipr_expect_alone(test, t, O);
}
#endif /* CONFIG_VMD */

/* PCIe-to-PCI bridges */

/*
 * A root port R (00:1c.0) above a PCIe-to-PCI bridge B (01:00.0) above
 * conventional devices X (02:01.0) and Y (02:02.0); a root port S
 * (00:1d.0) with isolating ACS next to R.  B issues the DMA of X and Y:
 * they are in its group for that reason, named after B while R has
 * isolating ACS; without it (an ACS capability with nothing enabled, or
 * none), R is the boundary and names the group, and B is there because of
 * R.  S stays on its own.
 */
static void ipr_pcie_to_pci_bridge_test(struct kunit *test)
{
	static const unsigned int acs[] = { IPR_ACS, IPR_ACS_OFF, 0 };
	enum { R, S, B, X, Y };
	struct ipr_topology *t;
	unsigned long xb;
	int v;

	for (v = 0; v < ARRAY_SIZE(acs); v++) {
		t = ipr_alloc(test);
		ipr_dev(test, t, R, 0, PCI_DEVFN(0x1c, 0), IPR_VENDOR, 0x0010,
			PCI_EXP_TYPE_ROOT_PORT, acs[v]);
		ipr_bridge(t, R, 1, 1);
		ipr_dev(test, t, S, 0, PCI_DEVFN(0x1d, 0), IPR_VENDOR, 0x0010,
			PCI_EXP_TYPE_ROOT_PORT, IPR_ACS);
		ipr_bridge(t, S, 3, 3);
		ipr_dev(test, t, B, 1, PCI_DEVFN(0, 0), IPR_VENDOR, 0x0011,
			PCI_EXP_TYPE_PCI_BRIDGE, 0);
		ipr_bridge(t, B, 2, 2);
		ipr_dev(test, t, X, 2, PCI_DEVFN(1, 0), IPR_VENDOR, 0x0012,
			IPR_CONV, 0);
		ipr_dev(test, t, Y, 2, PCI_DEVFN(2, 0), IPR_VENDOR, 0x0012,
			IPR_CONV, 0);
		ipr_list(t, GENMASK(Y, R));

		ipr_expect_alias(test, t, X, B);
		ipr_expect_alias(test, t, Y, B);
		ipr_expect_alone(test, t, S);
		ipr_expect_alone(test, t, R);
		if (acs[v] == IPR_ACS) {
			ipr_expect_alone(test, t, B);
			xb = BIT(B);
			ipr_expect(test, t, X, B, ISOLATION_REASON_PCI_BRIDGE,
				   B, B, BIT(X) | xb);
			ipr_expect(test, t, Y, B, ISOLATION_REASON_PCI_BRIDGE,
				   B, B, BIT(Y) | xb);
		} else {
			ipr_expect(test, t, B, R, ISOLATION_REASON_NO_ACS, R, R,
				   BIT(B) | BIT(R));
			xb = BIT(B) | BIT(R);
			ipr_expect(test, t, X, R, ISOLATION_REASON_PCI_BRIDGE,
				   B, R, BIT(X) | xb);
			ipr_expect(test, t, Y, R, ISOLATION_REASON_PCI_BRIDGE,
				   B, R, BIT(Y) | xb);
		}
	}
}

/*
 * A conventional PCI-PCI bridge C (01:00.0, a Tundra 8113) below a root
 * port R (00:1c.0, isolating ACS), above Z (02:03.0):
 * quirk_use_pcie_bridge_dma_alias() finds it below a PCIe port and marks
 * it as a PCIe-to-PCI bridge, so Z's DMA is seen as 02:00.0 rather than as
 * C's own ID; C issues it either way, so Z is in C's group for that
 * reason.
 */
static void ipr_pcie_bridge_alias_quirk_test(struct kunit *test)
{
	enum { R, C, Z };
	struct ipr_topology *t;

	t = ipr_alloc(test);
	ipr_dev(test, t, R, 0, PCI_DEVFN(0x1c, 0), IPR_VENDOR, 0x0010,
		PCI_EXP_TYPE_ROOT_PORT, IPR_ACS);
	ipr_bridge(t, R, 1, 1);
	ipr_dev(test, t, C, 1, PCI_DEVFN(0, 0), 0x10e3, 0x8113, IPR_CONV, 0);
	ipr_bridge(t, C, 2, 2);
	ipr_dev(test, t, Z, 2, PCI_DEVFN(3, 0), IPR_VENDOR, 0x0012, IPR_CONV, 0);
	ipr_list(t, BIT(R) | BIT(C) | BIT(Z));

	pci_fixup_device(pci_fixup_header, &t->dev[C]);
	KUNIT_EXPECT_TRUE(test, t->dev[C].dev_flags &
				PCI_DEV_FLAG_PCIE_BRIDGE_ALIAS);
	ipr_expect_alias(test, t, Z, C);

	ipr_expect_alone(test, t, R);
	ipr_expect_alone(test, t, C);
	ipr_expect(test, t, Z, C, ISOLATION_REASON_PCI_BRIDGE, C, C,
		   BIT(Z) | BIT(C));
}

/* SR-IOV */

/*
 * Physical functions P0 (01:00.0) and P1 (01:00.1) of a multifunction
 * endpoint below a root port R (00:1c.0); virtual functions of P0: V1
 * (01:00.2) on the PF's bus, in the PF's slot, and V2 (02:00.0) on a
 * virtual bus (no bridge) below it.  A VF is a PCIe endpoint that is not
 * multifunction, which pci_acs_enabled() takes as isolated, so each VF is
 * a group of its own whether or not the PFs have ACS, as long as R has
 * isolating ACS; without it, R bounds them all.
 */
static void ipr_sriov_test(struct kunit *test)
{
	enum { R, P0, P1, V1, V2 };
	struct ipr_topology *t;
	int v;

	for (v = 0; v < 3; v++) {
		t = ipr_alloc(test);
		ipr_dev(test, t, R, 0, PCI_DEVFN(0x1c, 0), IPR_VENDOR, 0x0010,
			PCI_EXP_TYPE_ROOT_PORT, v == 2 ? 0 : IPR_ACS);
		ipr_bridge(t, R, 1, 1);
		ipr_dev(test, t, P0, 1, PCI_DEVFN(0, 0), IPR_VENDOR, 0x0020,
			PCI_EXP_TYPE_ENDPOINT, IPR_MF | (v == 0 ? IPR_ACS : 0));
		ipr_dev(test, t, P1, 1, PCI_DEVFN(0, 1), IPR_VENDOR, 0x0020,
			PCI_EXP_TYPE_ENDPOINT, IPR_MF | (v == 0 ? IPR_ACS : 0));
		ipr_dev(test, t, V1, 1, PCI_DEVFN(0, 2), IPR_VENDOR, 0x0021,
			PCI_EXP_TYPE_ENDPOINT, 0);
		ipr_vf(t, V1, P0);
		ipr_child_bus(t, 2, 1, 2, NULL);
		ipr_dev(test, t, V2, 2, PCI_DEVFN(0, 0), IPR_VENDOR, 0x0021,
			PCI_EXP_TYPE_ENDPOINT, 0);
		ipr_vf(t, V2, P0);
		ipr_list(t, GENMASK(V2, R));

		switch (v) {
		case 0:		/* PFs with ACS */
			ipr_expect_alone(test, t, P0);
			ipr_expect_alone(test, t, P1);
			ipr_expect_alone(test, t, V1);
			ipr_expect_alone(test, t, V2);
			break;
		case 1:		/* PFs without ACS */
			ipr_expect(test, t, P0, P0, ISOLATION_REASON_BOUNDARY,
				   IPR_NONE, P0, BIT(P0) | BIT(P1));
			ipr_expect(test, t, P1, P0,
				   ISOLATION_REASON_MULTIFUNCTION, P0, P1,
				   BIT(P0) | BIT(P1));
			ipr_expect_alone(test, t, V1);
			ipr_expect_alone(test, t, V2);
			break;
		default:	/* and a root port without ACS */
			ipr_expect_alone(test, t, R);
			ipr_expect(test, t, P1, R, ISOLATION_REASON_NO_ACS, R, R,
				   BIT(P1) | BIT(R));
			ipr_expect(test, t, V1, R, ISOLATION_REASON_NO_ACS, R, R,
				   BIT(V1) | BIT(R));
			ipr_expect(test, t, V2, R, ISOLATION_REASON_NO_ACS, R, R,
				   BIT(V2) | BIT(R));
			break;
		}
	}
}

/* ACS quirks */

/*
 * F0 (01:00.0) and F1 (01:00.1), functions of a multifunction PCIe
 * endpoint without an ACS capability, below a root port R (00:1c.0) with
 * isolating ACS.  A Solarflare SFC9120 is isolated by
 * pci_quirk_mf_endpoint_acs(): two groups; from a vendor without quirk,
 * one.
 */
static void ipr_acs_quirk_test(struct kunit *test)
{
	static const u16 vendor[] = { PCI_VENDOR_ID_SOLARFLARE, IPR_VENDOR };
	enum { R, F0, F1 };
	struct ipr_topology *t;
	int v;

	for (v = 0; v < ARRAY_SIZE(vendor); v++) {
		t = ipr_alloc(test);
		ipr_dev(test, t, R, 0, PCI_DEVFN(0x1c, 0), IPR_VENDOR, 0x0010,
			PCI_EXP_TYPE_ROOT_PORT, IPR_ACS);
		ipr_bridge(t, R, 1, 1);
		ipr_dev(test, t, F0, 1, PCI_DEVFN(0, 0), vendor[v], 0x0903,
			PCI_EXP_TYPE_ENDPOINT, IPR_MF);
		ipr_dev(test, t, F1, 1, PCI_DEVFN(0, 1), vendor[v], 0x0903,
			PCI_EXP_TYPE_ENDPOINT, IPR_MF);
		ipr_list(t, BIT(R) | BIT(F0) | BIT(F1));

		ipr_expect_alone(test, t, R);
		if (vendor[v] == PCI_VENDOR_ID_SOLARFLARE) {
			ipr_expect_alone(test, t, F0);
			ipr_expect_alone(test, t, F1);
		} else {
			ipr_expect(test, t, F0, F0, ISOLATION_REASON_BOUNDARY,
				   IPR_NONE, F0, BIT(F0) | BIT(F1));
			ipr_expect(test, t, F1, F0,
				   ISOLATION_REASON_MULTIFUNCTION, F0, F1,
				   BIT(F0) | BIT(F1));
		}
	}
}

/* The multifunction relation */

/*
 * F0 (00:01.0) and F1 (00:01.1), functions of a slot of which only one
 * says it is multifunction (either one), and D (00:02.0): every order in
 * which the bus lists them, and in which F0 and F1 are asked, gives the
 * same.  Conventional functions and PCIe root ports without ACS are one
 * group.  A PCIe endpoint that is not multifunction is isolated by
 * pci_acs_enabled() whatever its sibling says, so with PCIe endpoints the
 * functions are apart, and that too whichever is asked first.
 */
static void ipr_mf_symmetric_test(struct kunit *test)
{
	static const int perm[][3] = {
		{ 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 },
		{ 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 },
	};
	static const int type[] = {
		IPR_CONV, PCI_EXP_TYPE_ROOT_PORT, PCI_EXP_TYPE_ENDPOINT
	};
	enum { F0, F1, D };
	const unsigned long both = BIT(F0) | BIT(F1);
	struct ipr_topology *t;
	struct pci_bus *bus;
	int mf, ty, p, i, first;

	for (ty = 0; ty < ARRAY_SIZE(type); ty++) {
		for (mf = F0; mf <= F1; mf++) {
			t = ipr_alloc(test);
			bus = &t->bus[0].bus;
			for (i = F0; i <= F1; i++)
				ipr_dev(test, t, i, 0, PCI_DEVFN(1, i),
					IPR_VENDOR, 0x0030, type[ty],
					i == mf ? IPR_MF : 0);
			ipr_dev(test, t, D, 0, PCI_DEVFN(2, 0), IPR_VENDOR,
				0x0031, IPR_CONV, 0);
			for (p = 0; p < ARRAY_SIZE(perm); p++) {
				INIT_LIST_HEAD(&bus->devices);
				for (i = 0; i < 3; i++)
					list_add_tail(&t->dev[perm[p][i]].bus_list,
						      &bus->devices);
				for (first = F0; first <= F1; first++) {
					if (type[ty] == PCI_EXP_TYPE_ENDPOINT) {
						ipr_expect_alone(test, t, first);
						ipr_expect_alone(test, t,
								 first == F0 ? F1 : F0);
					} else if (first == F0) {
						ipr_expect(test, t, F0, F0,
							   ISOLATION_REASON_BOUNDARY,
							   IPR_NONE, F0, both);
						ipr_expect(test, t, F1, F0,
							   ISOLATION_REASON_MULTIFUNCTION,
							   F0, F1, both);
					} else {
						ipr_expect(test, t, F1, F0,
							   ISOLATION_REASON_MULTIFUNCTION,
							   F0, F1, both);
						ipr_expect(test, t, F0, F0,
							   ISOLATION_REASON_BOUNDARY,
							   IPR_NONE, F0, both);
					}
					ipr_expect_alone(test, t, D);
				}
			}
		}
	}
}

/* Registered devices and the IOMMU isolation provider */

static void ipr_root_unregister(void *root)
{
	root_device_unregister(root);
}

static void ipr_del_devices(void *data)
{
	struct ipr_topology *t = data;
	int i;

	for (i = IPR_DEVS - 1; i >= 0; i--) {
		if (!t->added[i])
			continue;
		device_del(&t->dev[i].dev);
		t->added[i] = false;
	}
}

/*
 * Register the devices of @t on the PCI bus type, below a root device
 * named @name, where no driver binds to them; they are deleted when the
 * test ends.
 */
static void ipr_register(struct kunit *test, struct ipr_topology *t,
			 const char *name)
{
	struct device *root = root_device_register(name);
	struct device *dev;
	int i;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, root);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, ipr_root_unregister,
							root), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, ipr_del_devices,
							t), 0);
	for (i = 0; i < IPR_DEVS; i++) {
		if (!t->used[i])
			continue;
		dev = &t->dev[i].dev;
		dev->parent = root;
		dev->bus = &pci_bus_type;
		KUNIT_ASSERT_EQ(test, device_set_driver_override(dev, "ipr-none"), 0);
		KUNIT_ASSERT_EQ(test, device_add(dev), 0);
		t->added[i] = true;
	}
}

static void ipr_provider_unregister(void *data)
{
	struct iommu_isolation *iso = data;

	isolation_provider_unregister(&iso->provider);
	iso->registered = false;
}

/* An IOMMU isolation provider, unregistered when the test ends. */
static struct iommu_isolation *ipr_provider(struct kunit *test)
{
	struct iommu_isolation *iso;

	iso = kunit_kzalloc(test, sizeof(*iso), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, iso);
	iso->provider.name = "isolation-pci-rules-test";
	iommu_isolation_register(iso);
	KUNIT_ASSERT_TRUE(test, iso->registered);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							ipr_provider_unregister,
							iso), 0);
	return iso;
}

/* As ipr_peer(), for the members of an isolation group. */
static int ipr_member(struct device *dev, void *data)
{
	struct ipr_peers *members = data;

	if (!dev_is_pci(dev)) {
		members->seen |= BIT(IPR_DEVS);
		return 0;
	}
	return ipr_peer(to_pci_dev(dev), data);
}

/* The members of the group of device @i, as a mask of indices. */
static unsigned long ipr_group_members(struct kunit *test,
				       struct ipr_topology *t, int i)
{
	struct isolation_group *group = isolation_group_get(&t->dev[i].dev);
	struct ipr_peers members = { .t = t };

	if (!group)
		return 0;
	KUNIT_EXPECT_EQ(test, isolation_group_for_each(group, &members,
						       ipr_member), 0);
	isolation_group_put(group);
	return members.seen;
}

/* Device @i's group is named @name, and @i is there for @reason (@why). */
static void ipr_expect_member(struct kunit *test, struct ipr_topology *t,
			      int i, const char *name,
			      enum isolation_reason reason, int why)
{
	struct isolation_group *group = isolation_group_get(&t->dev[i].dev);
	char why_name[32] = "";

	KUNIT_ASSERT_NOT_NULL_MSG(test, group, "%s in no group",
				  pci_name(&t->dev[i]));
	KUNIT_EXPECT_STREQ(test, isolation_group_name(group), name);
	KUNIT_EXPECT_STREQ(test, isolation_group_provider_name(group),
			   "isolation-pci-rules-test");
	isolation_group_put(group);
	KUNIT_EXPECT_EQ(test, isolation_device_reason(&t->dev[i].dev, why_name,
						      sizeof(why_name)),
			(int)reason);
	KUNIT_EXPECT_STREQ(test, why_name,
			   why == IPR_NONE ? "" : pci_name(&t->dev[why]));
}

/*
 * One group, never two: functions F0 (00:01.0) and F2 (00:01.2) of a
 * conventional slot, neither multifunction, are each in a group of their
 * own while F1 (00:01.1) is not on the bus.  F1, which says it is
 * multifunction, relates both: the rules put all three in one group, the
 * provider cannot merge two, so F1 joins neither and both groups stay as
 * they were.  Added in any order with F1 on the bus, the three are one
 * group, named after F0.
 */
static void ipr_provider_one_group_test(struct kunit *test)
{
	enum { F0, F1, F2 };
	struct isolation_group *g0, *g2, *g;
	struct iommu_isolation *iso;
	struct ipr_topology *t;
	char f0_name[32];
	int i;

	t = ipr_alloc(test);
	for (i = F0; i <= F2; i++)
		ipr_dev(test, t, i, 0, PCI_DEVFN(1, i), IPR_VENDOR, 0x0040,
			IPR_CONV, i == F1 ? IPR_MF : 0);
	strscpy(f0_name, pci_name(&t->dev[F0]), sizeof(f0_name));
	ipr_register(test, t, "isolation-pci-rules-one-group");
	iso = ipr_provider(test);

	ipr_list(t, BIT(F0) | BIT(F2));
	iommu_isolation_add_device(iso, &t->dev[F0].dev);
	iommu_isolation_add_device(iso, &t->dev[F2].dev);
	ipr_expect_member(test, t, F0, f0_name, ISOLATION_REASON_BOUNDARY,
			  IPR_NONE);
	ipr_expect_member(test, t, F2, pci_name(&t->dev[F2]),
			  ISOLATION_REASON_BOUNDARY, IPR_NONE);
	g0 = isolation_group_get(&t->dev[F0].dev);
	g2 = isolation_group_get(&t->dev[F2].dev);
	KUNIT_EXPECT_PTR_NE(test, g0, g2);

	ipr_list(t, BIT(F1));
	ipr_expect(test, t, F1, F0, ISOLATION_REASON_MULTIFUNCTION, F0, F1,
		   BIT(F0) | BIT(F1) | BIT(F2));
	iommu_isolation_add_device(iso, &t->dev[F1].dev);
	g = isolation_group_get(&t->dev[F1].dev);
	KUNIT_EXPECT_NULL(test, g);
	isolation_group_put(g);
	g = isolation_group_get(&t->dev[F0].dev);
	KUNIT_EXPECT_PTR_EQ(test, g, g0);
	isolation_group_put(g);
	g = isolation_group_get(&t->dev[F2].dev);
	KUNIT_EXPECT_PTR_EQ(test, g, g2);
	isolation_group_put(g);
	KUNIT_EXPECT_EQ(test, ipr_group_members(test, t, F0), BIT(F0));
	KUNIT_EXPECT_EQ(test, ipr_group_members(test, t, F2), BIT(F2));
	ipr_expect_member(test, t, F0, f0_name, ISOLATION_REASON_BOUNDARY,
			  IPR_NONE);
	ipr_expect_member(test, t, F2, pci_name(&t->dev[F2]),
			  ISOLATION_REASON_BOUNDARY, IPR_NONE);

	/* Removing F1, which is in no group, changes nothing. */
	iommu_isolation_remove_device(iso, &t->dev[F1].dev);
	KUNIT_EXPECT_EQ(test, ipr_group_members(test, t, F0), BIT(F0));
	KUNIT_EXPECT_EQ(test, ipr_group_members(test, t, F2), BIT(F2));
	isolation_group_put(g0);
	isolation_group_put(g2);

	/* With F1 on the bus, F2 first: one group, named after F0. */
	iommu_isolation_remove_device(iso, &t->dev[F0].dev);
	iommu_isolation_remove_device(iso, &t->dev[F2].dev);
	KUNIT_EXPECT_EQ(test, ipr_group_members(test, t, F0), 0);
	KUNIT_EXPECT_EQ(test, ipr_group_members(test, t, F2), 0);
	iommu_isolation_add_device(iso, &t->dev[F2].dev);
	iommu_isolation_add_device(iso, &t->dev[F0].dev);
	iommu_isolation_add_device(iso, &t->dev[F1].dev);
	KUNIT_EXPECT_EQ(test, ipr_group_members(test, t, F0),
			BIT(F0) | BIT(F1) | BIT(F2));
	ipr_expect_member(test, t, F0, f0_name, ISOLATION_REASON_BOUNDARY,
			  IPR_NONE);
	ipr_expect_member(test, t, F1, f0_name,
			  ISOLATION_REASON_MULTIFUNCTION, F0);
	ipr_expect_member(test, t, F2, f0_name,
			  ISOLATION_REASON_MULTIFUNCTION, F1);
}

#if IS_ENABLED(CONFIG_IOMMU_API)
static void ipr_iommu_ungroup(void *data)
{
	struct ipr_topology *t = data;
	int i;

	for (i = 0; i < IPR_DEVS; i++)
		if (t->added[i])
			iommu_group_remove_device(&t->dev[i].dev);
}

/* Put device @i in a new IOMMU group, which lives while @i is in it. */
static struct iommu_group *ipr_iommu_group(struct kunit *test,
					   struct ipr_topology *t, int i)
{
	struct iommu_group *group = iommu_group_alloc();

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, group);
	KUNIT_EXPECT_EQ(test, iommu_group_add_device(group, &t->dev[i].dev), 0);
	iommu_group_put(group);
	return group;
}

/*
 * The topology of ipr_provider_one_group_test() with IOMMU groups: F0 and
 * F2 in two, F1 relates them.  The IOMMU core cannot leave F1 out, so
 * pci_device_group() gives it the first group found (F0's) and warns.
 */
static void ipr_iommu_group_conflict_test(struct kunit *test)
{
	enum { F0, F1, F2 };
	struct iommu_group *g0, *g2, *g;
	struct ipr_topology *t;
	int i;

	t = ipr_alloc(test);
	for (i = F0; i <= F2; i++)
		ipr_dev(test, t, i, 0, PCI_DEVFN(1, i), IPR_VENDOR, 0x0040,
			IPR_CONV, i == F1 ? IPR_MF : 0);
	ipr_register(test, t, "isolation-pci-rules-iommu");
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, ipr_iommu_ungroup,
							t), 0);

	ipr_list(t, BIT(F0) | BIT(F2));
	g0 = ipr_iommu_group(test, t, F0);
	g2 = ipr_iommu_group(test, t, F2);
	ipr_list(t, BIT(F1));

	g = pci_device_group(&t->dev[F1].dev);
	KUNIT_EXPECT_PTR_EQ(test, g, g0);
	KUNIT_EXPECT_PTR_NE(test, g, g2);
	if (!IS_ERR_OR_NULL(g))
		iommu_group_put(g);
}
#endif /* CONFIG_IOMMU_API */

static struct kunit_case isolation_pci_rules_cases[] = {
	KUNIT_CASE(ipr_alias_chain_order_test),
	KUNIT_CASE(ipr_no_alias_test),
	KUNIT_CASE(ipr_own_alias_mask_test),
	KUNIT_CASE(ipr_without_bus_sem_test),
	KUNIT_CASE(ipr_dma_alias_quirks_test),
#if IS_ENABLED(CONFIG_VMD)
	KUNIT_CASE(ipr_dma_proxy_test),
#endif
	KUNIT_CASE(ipr_pcie_to_pci_bridge_test),
	KUNIT_CASE(ipr_pcie_bridge_alias_quirk_test),
	KUNIT_CASE(ipr_sriov_test),
	KUNIT_CASE(ipr_acs_quirk_test),
	KUNIT_CASE(ipr_mf_symmetric_test),
	KUNIT_CASE(ipr_provider_one_group_test),
#if IS_ENABLED(CONFIG_IOMMU_API)
	KUNIT_CASE(ipr_iommu_group_conflict_test),
#endif
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
