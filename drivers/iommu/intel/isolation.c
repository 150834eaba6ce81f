// SPDX-License-Identifier: GPL-2.0
/*
 * Isolation groups for Intel VT-d
 *
 * VT-d translates DMA by requester ID, so it can keep two devices apart only
 * if their DMA carries different requester IDs and cannot reach the other
 * device before it reaches the IOMMU.  This file puts every device the
 * driver translates into the isolation group (Documentation/isolation.txt)
 * that this implies, following the same rules as pci_device_group():
 *
 *  - DMA aliases: a device that issues DMA with another device's requester
 *    ID (pci_real_dma_dev(), the DMA alias quirks) shares its group;
 *  - a PCIe-to-PCI/PCI-X bridge issues the DMA of everything behind it
 *    under its own ID, so all of that is one group with the bridge;
 *  - going up from there, every bridge whose path to the root lacks
 *    isolating ACS lets the devices below it reach each other directly, so
 *    the group grows to the topmost such bridge: the group's boundary;
 *  - functions of a multifunction device without ACS between them, and
 *    devices that are DMA aliases of each other on the boundary's bus, share
 *    a group.
 *
 * The groups are worked out here from the PCI topology and from our own
 * groups; the IOMMU core's iommu_group is never consulted, so that
 * /sys/kernel/iommu_groups, which applies the same rules, can serve as an
 * independent check.  Like pci_device_group(), a device joins a group that
 * a device it is related to already has, and a new group is created when
 * there is none; a device is added before the IOMMU core groups it, under
 * the core's iommu_probe_device_lock, which serialises the look-up and the
 * add.
 *
 * A group is named after its boundary, "segment:bus:device.function" as in
 * pci_name(): the topmost device of the group's path to the root, or, among
 * devices on that bus that are one group anyway (functions without ACS, DMA
 * aliases), the one with the lowest devfn.  The name depends only on the
 * topology, not on the order in which devices are probed, so it is the same
 * on every boot.  Devices that are not PCI (ACPI name-space devices) are
 * each a group of their own, named after the device.
 *
 * Every member says why it is in its group (isolation_reason): the boundary
 * itself; behind PCIe-to-PCI bridge X; DMA alias of X; no isolating ACS at
 * X, the topmost bridge above it that lacks it; or multifunction sibling X.
 */

#define pr_fmt(fmt) "DMAR: isolation: " fmt

#include <linux/bitmap.h>
#include <linux/device.h>
#include <linux/isolation.h>
#include <linux/pci.h>

#include "iommu.h"

/*
 * The ACS controls that pci_device_group() requires of a bridge to
 * consider the devices below it isolated from each other: source
 * validation, request and completion redirect, upstream forwarding.
 */
#define INTEL_ISOLATION_ACS	(PCI_ACS_SV | PCI_ACS_RR | PCI_ACS_CR | \
				 PCI_ACS_UF)

/* Room for "ssss:bb:dd.f" with a 32-bit segment, and for device names. */
#define INTEL_ISOLATION_NAME_LEN	64

static struct isolation_provider intel_isolation_provider = {
	.name = "intel-iommu",
};

static bool intel_isolation_registered __read_mostly;

/**
 * struct intel_isolation_path - where a device's DMA becomes distinguishable
 * @alias: the last device pci_for_each_dma_alias() visits: the device
 *	itself, its DMA proxy, or the topmost PCIe-to-PCI/PCI-X bridge above
 *	it
 * @boundary: going up from @alias, the topmost bridge whose path to the
 *	root lacks isolating ACS, or @alias if there is none
 */
struct intel_isolation_path {
	struct pci_dev *alias;
	struct pci_dev *boundary;
};

/* The group of @dev if it is one of ours, with a reference; else NULL. */
static struct isolation_group *intel_isolation_group_of(struct device *dev)
{
	struct isolation_group *group = isolation_group_get(dev);

	if (group && strcmp(isolation_group_provider_name(group),
			    intel_isolation_provider.name)) {
		isolation_group_put(group);
		group = NULL;
	}
	return group;
}

/* Functions of one slot that pci_device_group() does not keep apart. */
static bool intel_isolation_mf_siblings(struct pci_dev *a, struct pci_dev *b)
{
	return a != b && a->bus == b->bus &&
	       PCI_SLOT(a->devfn) == PCI_SLOT(b->devfn) &&
	       a->multifunction &&
	       !pci_acs_enabled(a, INTEL_ISOLATION_ACS) &&
	       !pci_acs_enabled(b, INTEL_ISOLATION_ACS);
}

static int intel_isolation_last_alias(struct pci_dev *pdev, u16 alias,
				      void *opaque)
{
	struct pci_dev **last = opaque;

	*last = pdev;
	return 0;
}

/*
 * The path of @pdev, from the topology alone.  The devices it points to
 * are @pdev's ancestors or its DMA proxy, which outlive @pdev.
 */
static void intel_isolation_path(struct pci_dev *pdev,
				 struct intel_isolation_path *path)
{
	struct pci_bus *bus;

	pci_for_each_dma_alias(pdev, intel_isolation_last_alias, &path->alias);
	path->boundary = path->alias;
	for (bus = path->alias->bus; !pci_is_root_bus(bus); bus = bus->parent) {
		if (!bus->self)
			continue;
		if (pci_acs_path_enabled(bus->self, NULL, INTEL_ISOLATION_ACS))
			break;
		path->boundary = bus->self;
	}
}

/*
 * The name of the group whose boundary is @top: @top's, or that of a device
 * with a lower devfn on its bus that is in the same group anyway.
 */
static void intel_isolation_name(struct pci_dev *top, char *name, size_t size)
{
	struct pci_dev *tmp = NULL;
	unsigned int devfn = top->devfn;

	strscpy(name, pci_name(top), size);
	for_each_pci_dev(tmp) {
		if (tmp->bus != top->bus || tmp->devfn >= devfn)
			continue;
		if (pci_devs_are_dma_aliases(top, tmp) ||
		    intel_isolation_mf_siblings(top, tmp)) {
			devfn = tmp->devfn;
			strscpy(name, pci_name(tmp), size);
		}
	}
}

/* Is @pdev, a boundary, the one of its bus peers its group is named after? */
static bool intel_isolation_names_group(struct pci_dev *pdev)
{
	char name[INTEL_ISOLATION_NAME_LEN];

	intel_isolation_name(pdev, name, sizeof(name));
	return !strcmp(name, pci_name(pdev));
}

static struct isolation_group *
intel_isolation_alias_group(struct pci_dev *pdev, unsigned long *devfns);

/*
 * The group of a function of @pdev's slot that lacks ACS, or of one of its
 * aliases, as get_pci_function_alias_group() finds it.
 */
static struct isolation_group *
intel_isolation_function_group(struct pci_dev *pdev, unsigned long *devfns)
{
	struct isolation_group *group;
	struct pci_dev *tmp = NULL;

	if (!pdev->multifunction || pci_acs_enabled(pdev, INTEL_ISOLATION_ACS))
		return NULL;

	for_each_pci_dev(tmp) {
		if (tmp == pdev || tmp->bus != pdev->bus ||
		    PCI_SLOT(tmp->devfn) != PCI_SLOT(pdev->devfn) ||
		    pci_acs_enabled(tmp, INTEL_ISOLATION_ACS))
			continue;

		group = intel_isolation_alias_group(tmp, devfns);
		if (group) {
			pci_dev_put(tmp);
			return group;
		}
	}
	return NULL;
}

/*
 * The group of @pdev or of a device that aliases it or that it aliases, on
 * its bus, as get_pci_alias_group() finds it.  @devfns stops loops.
 */
static struct isolation_group *
intel_isolation_alias_group(struct pci_dev *pdev, unsigned long *devfns)
{
	struct isolation_group *group;
	struct pci_dev *tmp = NULL;

	if (test_and_set_bit(pdev->devfn & 0xff, devfns))
		return NULL;

	group = intel_isolation_group_of(&pdev->dev);
	if (group)
		return group;

	for_each_pci_dev(tmp) {
		if (tmp == pdev || tmp->bus != pdev->bus ||
		    !pci_devs_are_dma_aliases(pdev, tmp))
			continue;

		group = intel_isolation_alias_group(tmp, devfns) ?:
			intel_isolation_function_group(tmp, devfns);
		if (group) {
			pci_dev_put(tmp);
			return group;
		}
	}
	return NULL;
}

static int intel_isolation_alias_of_group(struct pci_dev *pdev, u16 alias,
					  void *opaque)
{
	struct isolation_group **group = opaque;

	*group = intel_isolation_group_of(&pdev->dev);
	return !!*group;
}

/*
 * The existing group @pdev belongs in, with a reference, or NULL if it
 * needs a new one: the first group found on its DMA aliases, on the way up
 * to the boundary, and on the boundary's aliases and functions, in the
 * order pci_device_group() looks.
 */
static struct isolation_group *
intel_isolation_find_group(struct pci_dev *pdev,
			   const struct intel_isolation_path *path)
{
	DECLARE_BITMAP(devfns, 256);
	struct isolation_group *group = NULL;
	struct pci_bus *bus;

	if (pci_for_each_dma_alias(pdev, intel_isolation_alias_of_group, &group))
		return group;

	/* The bridges intel_isolation_path() went up through. */
	for (bus = path->alias->bus;
	     path->boundary != path->alias && !pci_is_root_bus(bus);
	     bus = bus->parent) {
		if (!bus->self)
			continue;
		group = intel_isolation_group_of(&bus->self->dev);
		if (group || bus->self == path->boundary)
			break;
	}
	if (group)
		return group;

	bitmap_zero(devfns, 256);
	return intel_isolation_alias_group(path->boundary, devfns) ?:
	       intel_isolation_function_group(path->boundary, devfns);
}

/*
 * A device on @pdev's bus, in @group, that is a DMA alias of @pdev or a
 * function of its slot without ACS, with a reference; the reason for a
 * device that is its own boundary but not its group's.
 */
static struct pci_dev *intel_isolation_peer(struct pci_dev *pdev,
					    struct isolation_group *group,
					    enum isolation_reason *reason)
{
	struct isolation_group *peer_group;
	struct pci_dev *tmp = NULL;

	for_each_pci_dev(tmp) {
		if (tmp == pdev || tmp->bus != pdev->bus)
			continue;
		if (pci_devs_are_dma_aliases(pdev, tmp))
			*reason = ISOLATION_REASON_DMA_ALIAS;
		else if (intel_isolation_mf_siblings(pdev, tmp))
			*reason = ISOLATION_REASON_MULTIFUNCTION;
		else
			continue;
		peer_group = intel_isolation_group_of(&tmp->dev);
		isolation_group_put(peer_group);
		if (peer_group == group)
			return tmp;
	}
	*reason = ISOLATION_REASON_PROVIDER;
	return NULL;
}

/*
 * A group that lost its devices lives on while a user, such as a manager,
 * holds it; a new group with its boundary then takes a suffixed name.
 */
static struct isolation_group *intel_isolation_new_group(const char *name)
{
	char alt[INTEL_ISOLATION_NAME_LEN + 8];
	struct isolation_group *group;
	unsigned int n;

	group = isolation_group_alloc(&intel_isolation_provider, name);
	for (n = 1; n < 100 && PTR_ERR_OR_ZERO(group) == -EEXIST; n++) {
		snprintf(alt, sizeof(alt), "%s-%u", name, n);
		group = isolation_group_alloc(&intel_isolation_provider, alt);
	}
	return group;
}

static int intel_isolation_add_pci(struct pci_dev *pdev)
{
	struct intel_isolation_path path;
	char name[INTEL_ISOLATION_NAME_LEN];
	enum isolation_reason reason;
	struct isolation_group *group;
	struct pci_dev *why = NULL;
	int ret;

	intel_isolation_path(pdev, &path);
	group = intel_isolation_find_group(pdev, &path);
	if (!group) {
		intel_isolation_name(path.boundary, name, sizeof(name));
		group = intel_isolation_new_group(name);
		if (IS_ERR(group))
			return PTR_ERR(group);
	}

	if (path.alias != pdev) {
		why = pci_dev_get(path.alias);
		reason = why == pci_real_dma_dev(pdev) ?
			 ISOLATION_REASON_DMA_ALIAS : ISOLATION_REASON_PCI_BRIDGE;
	} else if (path.boundary != pdev) {
		why = pci_dev_get(path.boundary);
		reason = ISOLATION_REASON_NO_ACS;
	} else if (intel_isolation_names_group(pdev)) {
		reason = ISOLATION_REASON_BOUNDARY;
	} else {
		why = intel_isolation_peer(pdev, group, &reason);
	}

	ret = isolation_group_add_device_reason(group, &pdev->dev, reason,
						why ? &why->dev : NULL);
	pci_dev_put(why);
	isolation_group_put(group);
	return ret;
}

/* A device that is not PCI (an ACPI namespace device): a group of its own. */
static int intel_isolation_add_other(struct device *dev)
{
	struct isolation_group *group;
	int ret;

	group = intel_isolation_new_group(dev_name(dev));
	if (IS_ERR(group))
		return PTR_ERR(group);
	ret = isolation_group_add_device_reason(group, dev,
						ISOLATION_REASON_BOUNDARY, NULL);
	isolation_group_put(group);
	return ret;
}

/**
 * intel_isolation_add_device() - put a device the IOMMU translates in its group
 * @dev: a device intel_iommu_probe_device() has taken on
 *
 * Isolation bookkeeping never costs a device its IOMMU: if the device
 * cannot be added (no memory, another provider grouped it already, a name
 * the core refuses), that is logged and the device stays in no isolation
 * group, translated as before.
 *
 * Context: Process context, from intel_iommu_probe_device() with the IOMMU
 * core's iommu_probe_device_lock held.
 */
void intel_isolation_add_device(struct device *dev)
{
	int ret;

	if (!intel_isolation_registered)
		return;
	if (dev_is_pci(dev))
		ret = intel_isolation_add_pci(to_pci_dev(dev));
	else
		ret = intel_isolation_add_other(dev);
	if (ret)
		dev_warn(dev, "in no isolation group: %d\n", ret);
}

/**
 * intel_isolation_remove_device() - take a device out of its group
 * @dev: a device intel_isolation_add_device() was called for
 *
 * A group that loses its last device goes away, unless a user such as a
 * manager still holds it.
 *
 * Context: Process context, from intel_iommu_release_device().
 */
void intel_isolation_remove_device(struct device *dev)
{
	struct isolation_group *group;

	if (!intel_isolation_registered)
		return;
	/* Adding may have failed, or another provider grouped the device. */
	group = intel_isolation_group_of(dev);
	if (group)
		isolation_group_remove_device(dev);
	isolation_group_put(group);
}

/**
 * intel_isolation_init() - register VT-d as an isolation provider
 *
 * Called once from intel_iommu_init() before the IOMMUs are registered
 * with the IOMMU core, which probes the devices.  Failure leaves the
 * driver working without isolation groups.
 *
 * Context: Process context, boot.
 */
void __init intel_isolation_init(void)
{
	int ret;

	ret = isolation_provider_register(&intel_isolation_provider);
	if (ret) {
		pr_warn("no isolation groups: provider registration failed: %d\n",
			ret);
		return;
	}
	intel_isolation_registered = true;
}
