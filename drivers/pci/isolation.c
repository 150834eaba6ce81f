// SPDX-License-Identifier: GPL-2.0
/*
 * The PCI rules of DMA isolation
 *
 * An IOMMU tells devices apart by the requester ID of their DMA, so it can
 * keep two PCI devices apart only if their DMA carries different requester
 * IDs and cannot reach the other device before it reaches the IOMMU.  The
 * IOMMU core's pci_device_group() and the isolation providers
 * (Documentation/isolation.txt) group PCI devices by the same rules, which
 * this file holds:
 *
 *  - DMA aliases: a device that issues DMA with another device's requester
 *    ID (pci_real_dma_dev(), the DMA alias quirks) shares its group;
 *  - a PCIe-to-PCI/PCI-X bridge issues the DMA of everything behind it
 *    under its own ID, so all of that is one group with the bridge;
 *  - going up from there, every bridge whose path to the root lacks
 *    isolating ACS lets the devices below it reach each other directly, so
 *    the group grows to the topmost such bridge: the group's boundary;
 *  - on the boundary's bus, functions of a multifunction slot without
 *    isolating ACS and devices that are DMA aliases of each other share a
 *    group, and so on transitively.
 *
 * What it looks at is only what the rules can reach: the device's path to
 * the root and the boundary's bus, never every PCI device of the machine,
 * so grouping a device costs the same on a host with thousands of virtual
 * functions as on a small one.
 *
 * Both the group a device belongs to and the name and reason the providers
 * give follow from the topology alone: the devices on the boundary's bus
 * that share its group are found in full, and the one with the lowest devfn
 * names the group whichever of them was probed first.
 *
 * Locking: nothing a caller can hold is waited for.  The IOMMU core groups
 * a device from its probe path, which on DT and IORT systems runs under
 * the device's lock, while AER recovery takes device locks with
 * pci_bus_sem held for reading: with a writer queued on pci_bus_sem, a
 * reader here would wait for the writer, the writer for AER, and AER for
 * the device lock.  So a bus's device list is copied only if pci_bus_sem
 * can be had at once; otherwise the bus's devices are found on the PCI
 * bus type's klist, as 6.12's grouping did (for_each_pci_dev()), at the
 * cost of a walk over every PCI device.  Callers' callbacks run with no
 * lock of this file held.
 */

#include <linux/bitmap.h>
#include <linux/pci.h>
#include <linux/pci-isolation.h>
#include <linux/slab.h>
#include <kunit/visibility.h>

#include "pci.h"

#define PCI_ISOLATION_DEVFNS	256

/* A function's isolating ACS, looked up once per walk. */
enum pci_isolation_acs {
	PCI_ISOLATION_ACS_UNKNOWN,
	PCI_ISOLATION_ACS_YES,
	PCI_ISOLATION_ACS_NO,
};

/**
 * struct pci_isolation_walk - the boundary's bus, as one walk sees it
 * @dev: the devices on the bus by devfn, each with a reference taken by
 *	pci_isolation_walk_bus()
 * @present: devfns that have a device in @dev
 * @aliasing: devfns of the devices that may be DMA aliases of another one
 *	(DMA alias quirks, a DMA proxy): the others are related only to the
 *	functions of their slot
 * @member: devfns of the devices that share the group with the start
 * @acs: a device's isolating ACS (enum pci_isolation_acs), by devfn
 * @order: the members in the order they were reached, the start first
 * @count: how many members @order holds
 */
struct pci_isolation_walk {
	struct pci_dev *dev[PCI_ISOLATION_DEVFNS];
	DECLARE_BITMAP(present, PCI_ISOLATION_DEVFNS);
	DECLARE_BITMAP(aliasing, PCI_ISOLATION_DEVFNS);
	DECLARE_BITMAP(member, PCI_ISOLATION_DEVFNS);
	u8 acs[PCI_ISOLATION_DEVFNS];
	u8 order[PCI_ISOLATION_DEVFNS];
	unsigned int count;
};

static bool pci_isolation_lacks_acs(struct pci_isolation_walk *walk,
				    unsigned int devfn)
{
	if (walk->acs[devfn] == PCI_ISOLATION_ACS_UNKNOWN)
		walk->acs[devfn] = pci_acs_enabled(walk->dev[devfn],
						   PCI_ISOLATION_ACS_FLAGS) ?
				   PCI_ISOLATION_ACS_YES : PCI_ISOLATION_ACS_NO;
	return walk->acs[devfn] == PCI_ISOLATION_ACS_NO;
}

/*
 * Functions of one slot that are not kept apart: either is multifunction
 * and neither has isolating ACS.  Either, not @a: a function added alone
 * (pci_scan_single_device()) may lack the flag its siblings have, and a
 * one-way relation would make the group depend on which of them the walk
 * starts from.  6.12's grouping looked at the new device's flag only.
 */
static bool pci_isolation_mf_siblings(struct pci_isolation_walk *walk,
				      unsigned int a, unsigned int b)
{
	return a != b && PCI_SLOT(a) == PCI_SLOT(b) &&
	       (walk->dev[a]->multifunction || walk->dev[b]->multifunction) &&
	       pci_isolation_lacks_acs(walk, a) &&
	       pci_isolation_lacks_acs(walk, b);
}

static bool pci_isolation_related(struct pci_isolation_walk *walk,
				  unsigned int a, unsigned int b)
{
	if ((test_bit(a, walk->aliasing) || test_bit(b, walk->aliasing)) &&
	    pci_devs_are_dma_aliases(walk->dev[a], walk->dev[b]))
		return true;
	return pci_isolation_mf_siblings(walk, a, b);
}

/* For the KUnit tests: always take the way that needs no pci_bus_sem. */
VISIBLE_IF_KUNIT bool pci_isolation_avoid_bus_sem;
EXPORT_SYMBOL_IF_KUNIT(pci_isolation_avoid_bus_sem);

static void pci_isolation_walk_add(struct pci_isolation_walk *walk,
				   struct pci_dev *pdev)
{
	walk->dev[pdev->devfn] = pci_dev_get(pdev);
	__set_bit(pdev->devfn, walk->present);
}

/*
 * Take the devices of @start's bus into @walk, each with a reference, and
 * with @start among them even if it is on its way off the bus's list.
 * See "Locking" above for why pci_bus_sem is only tried.
 */
static void pci_isolation_walk_bus(struct pci_dev *start,
				   struct pci_isolation_walk *walk)
{
	struct pci_dev *tmp = NULL;
	unsigned int devfn;

	bitmap_zero(walk->present, PCI_ISOLATION_DEVFNS);
	bitmap_zero(walk->aliasing, PCI_ISOLATION_DEVFNS);
	memset(walk->acs, PCI_ISOLATION_ACS_UNKNOWN, sizeof(walk->acs));

	if (!READ_ONCE(pci_isolation_avoid_bus_sem) &&
	    down_read_trylock(&pci_bus_sem)) {
		list_for_each_entry(tmp, &start->bus->devices, bus_list)
			pci_isolation_walk_add(walk, tmp);
		up_read(&pci_bus_sem);
	} else {
		for_each_pci_dev(tmp)
			if (tmp->bus == start->bus)
				pci_isolation_walk_add(walk, tmp);
	}

	if (!test_bit(start->devfn, walk->present))
		pci_isolation_walk_add(walk, start);

	for_each_set_bit(devfn, walk->present, PCI_ISOLATION_DEVFNS) {
		tmp = walk->dev[devfn];
		if (tmp->dma_alias_mask || pci_real_dma_dev(tmp) != tmp)
			__set_bit(devfn, walk->aliasing);
	}
}

/*
 * Find the devices of the bus that share @start's group, breadth first and
 * by devfn, so that the result and the order depend on the topology alone.
 */
static void pci_isolation_walk(unsigned int start,
			       struct pci_isolation_walk *walk)
{
	DECLARE_BITMAP(near, PCI_ISOLATION_DEVFNS);
	unsigned int head, devfn, peer;

	bitmap_zero(walk->member, PCI_ISOLATION_DEVFNS);
	walk->order[0] = start;
	walk->count = 1;
	__set_bit(start, walk->member);
	for (head = 0; head < walk->count; head++) {
		devfn = walk->order[head];
		/* Its slot's functions, and whatever may be a DMA alias. */
		if (test_bit(devfn, walk->aliasing))
			bitmap_copy(near, walk->present, PCI_ISOLATION_DEVFNS);
		else
			bitmap_copy(near, walk->aliasing, PCI_ISOLATION_DEVFNS);
		bitmap_set(near, PCI_DEVFN(PCI_SLOT(devfn), 0), 8);
		bitmap_and(near, near, walk->present, PCI_ISOLATION_DEVFNS);
		bitmap_andnot(near, near, walk->member, PCI_ISOLATION_DEVFNS);
		for_each_set_bit(peer, near, PCI_ISOLATION_DEVFNS) {
			if (!pci_isolation_related(walk, devfn, peer))
				continue;
			__set_bit(peer, walk->member);
			walk->order[walk->count++] = peer;
		}
	}
}

static void pci_isolation_walk_done(struct pci_isolation_walk *walk)
{
	unsigned int devfn;

	for_each_set_bit(devfn, walk->present, PCI_ISOLATION_DEVFNS)
		pci_dev_put(walk->dev[devfn]);
}

/*
 * @iso->key, ->why and ->reason of @pdev, from the walk of its boundary's
 * bus, with references; @iso->alias and ->boundary are set.
 */
static void pci_isolation_describe(struct pci_dev *pdev,
				   struct pci_isolation_walk *walk,
				   struct pci_isolation *iso)
{
	unsigned int key = find_first_bit(walk->member, PCI_ISOLATION_DEVFNS);
	unsigned int peer;

	iso->key = pci_dev_get(walk->dev[key]);
	if (iso->alias != pdev) {
		iso->why = pci_dev_get(iso->alias);
		iso->reason = iso->alias == pci_real_dma_dev(pdev) ?
			      ISOLATION_REASON_DMA_ALIAS :
			      ISOLATION_REASON_PCI_BRIDGE;
	} else if (iso->boundary != pdev) {
		iso->why = pci_dev_get(iso->boundary);
		iso->reason = ISOLATION_REASON_NO_ACS;
	} else if (iso->key == pdev) {
		iso->reason = ISOLATION_REASON_BOUNDARY;
	} else {
		/*
		 * Of the other members it is related to, the lowest devfn (a
		 * device with a DMA alias mask counts as its own alias).
		 */
		for_each_set_bit(peer, walk->member, PCI_ISOLATION_DEVFNS)
			if (peer != pdev->devfn &&
			    (pci_isolation_related(walk, pdev->devfn, peer) ||
			     pci_isolation_related(walk, peer, pdev->devfn)))
				break;
		if (WARN_ON_ONCE(peer >= PCI_ISOLATION_DEVFNS)) {
			iso->reason = ISOLATION_REASON_PROVIDER;
		} else {
			iso->why = pci_dev_get(walk->dev[peer]);
			iso->reason = pci_devs_are_dma_aliases(pdev, iso->why) ?
				      ISOLATION_REASON_DMA_ALIAS :
				      ISOLATION_REASON_MULTIFUNCTION;
		}
	}
	pci_dev_get(iso->alias);
	pci_dev_get(iso->boundary);
}

/*
 * A visit of @pdev's peers: @fn (if any) until it returns non-zero, while
 * the DMA aliases and the bridges up to the boundary are found.
 */
struct pci_isolation_visit {
	int (*fn)(struct pci_dev *peer, void *data);
	void *data;
	struct pci_dev *last_alias;
	bool whole_path;
	int ret;
};

static int pci_isolation_visit_alias(struct pci_dev *pdev, u16 alias,
				     void *opaque)
{
	struct pci_isolation_visit *visit = opaque;

	visit->last_alias = pdev;
	if (visit->fn && !visit->ret)
		visit->ret = visit->fn(pdev, visit->data);
	return visit->ret && !visit->whole_path;
}

/*
 * @iso->alias and @iso->boundary of @pdev, without references, visiting
 * the aliases and the bridges on the way.  Without @visit->whole_path, it
 * stops where @visit->fn stops and leaves @iso incomplete.
 */
static void pci_isolation_path(struct pci_dev *pdev, struct pci_isolation *iso,
			       struct pci_isolation_visit *visit)
{
	struct pci_bus *bus;

	if (pci_for_each_dma_alias(pdev, pci_isolation_visit_alias, visit))
		return;
	iso->alias = visit->last_alias;
	iso->boundary = iso->alias;
	for (bus = iso->alias->bus; !pci_is_root_bus(bus); bus = bus->parent) {
		if (!bus->self)
			continue;
		if (pci_acs_path_enabled(bus->self, NULL,
					 PCI_ISOLATION_ACS_FLAGS))
			break;
		iso->boundary = bus->self;
		if (visit->fn && !visit->ret)
			visit->ret = visit->fn(bus->self, visit->data);
		if (visit->ret && !visit->whole_path)
			return;
	}
}

/*
 * Visit @pdev's peers with @fn (if any) until it returns non-zero, and
 * describe @pdev in @iso (if any), with one walk of its path and of the
 * boundary's bus.
 */
static int pci_isolation_find(struct pci_dev *pdev, struct pci_isolation *iso,
			      int (*fn)(struct pci_dev *peer, void *data),
			      void *data)
{
	struct pci_isolation_visit visit = {
		.fn = fn, .data = data, .whole_path = !!iso,
	};
	struct pci_isolation path = {};
	struct pci_isolation_walk *walk;
	unsigned int i;
	int ret;

	pci_isolation_path(pdev, &path, &visit);
	ret = visit.ret;
	if (ret && !iso)
		return ret;

	walk = kmalloc(sizeof(*walk), GFP_KERNEL);
	if (!walk)
		return -ENOMEM;
	pci_isolation_walk_bus(path.boundary, walk);
	pci_isolation_walk(path.boundary->devfn, walk);
	for (i = 0; fn && !ret && i < walk->count; i++)
		ret = fn(walk->dev[walk->order[i]], data);
	if (iso) {
		*iso = path;
		pci_isolation_describe(pdev, walk, iso);
	}
	pci_isolation_walk_done(walk);
	kfree(walk);
	return ret;
}

/**
 * pci_isolation_get() - where a PCI device stands, for DMA isolation
 * @pdev: the device
 * @iso: filled in with @pdev's alias, boundary, group key and reason
 * @fn: if not NULL, called as by pci_isolation_visit_peers(), in the same
 *	walk of the boundary's bus
 * @data: passed to @fn
 *
 * The reason is, in this order: the DMA proxy or the PCIe-to-PCI bridge
 * (@iso->alias) that issues @pdev's DMA; the topmost bridge above without
 * isolating ACS (@iso->boundary); @pdev naming the group itself; or, for a
 * boundary that does not name its group, the relation (DMA alias,
 * multifunction sibling) to the device with the lowest devfn among those
 * of the group it is related to directly.
 *
 * Context: Process context; may try pci_bus_sem for reading, but calls @fn
 * without it.
 * Return: what @fn returned if it stopped the walk, else 0; in both cases
 * with references on the devices in @iso, to be dropped with
 * pci_isolation_put().  -ENOMEM, with @iso empty (pci_isolation_put() on it
 * does nothing).  @fn should not return a negative value, which cannot be
 * told from a failure.
 */
int pci_isolation_get(struct pci_dev *pdev, struct pci_isolation *iso,
		      int (*fn)(struct pci_dev *peer, void *data), void *data)
{
	memset(iso, 0, sizeof(*iso));
	return pci_isolation_find(pdev, iso, fn, data);
}
EXPORT_SYMBOL_IF_KUNIT(pci_isolation_get);

/**
 * pci_isolation_put() - drop what pci_isolation_get() took
 * @iso: filled in by pci_isolation_get()
 *
 * Context: Any context that may drop a device reference.
 */
void pci_isolation_put(struct pci_isolation *iso)
{
	pci_dev_put(iso->why);
	pci_dev_put(iso->key);
	pci_dev_put(iso->boundary);
	pci_dev_put(iso->alias);
	memset(iso, 0, sizeof(*iso));
}
EXPORT_SYMBOL_IF_KUNIT(pci_isolation_put);

/**
 * pci_isolation_visit_peers() - visit devices that share a PCI device's group
 * @pdev: the device
 * @fn: called for each device visited; a value other than 0 stops the walk
 * @data: passed to @fn
 *
 * Visits @pdev's DMA aliases (@pdev first, or its DMA proxy, as
 * pci_for_each_dma_alias() does), the bridges up to its boundary, and the
 * devices on the boundary's bus that share the group, breadth first and by
 * devfn, in this order.  It is the order in which pci_device_group() has
 * always looked for an existing group, except on the boundary's bus, where
 * the order no longer depends on how the bus lists its devices.  The
 * devices below the boundary that share the group are not visited: the
 * boundary is probed before them.  @fn may be called twice for one device
 * and must not add or remove PCI devices.
 *
 * Context: Process context; may try pci_bus_sem for reading, but calls @fn
 * without it.
 * Return: what @fn returned if it stopped the walk, else 0; -ENOMEM.
 */
int pci_isolation_visit_peers(struct pci_dev *pdev,
			      int (*fn)(struct pci_dev *peer, void *data),
			      void *data)
{
	return pci_isolation_find(pdev, NULL, fn, data);
}
EXPORT_SYMBOL_IF_KUNIT(pci_isolation_visit_peers);
