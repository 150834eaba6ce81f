// SPDX-License-Identifier: GPL-2.0-only
/*
 * VFIO as the manager of isolation groups (Documentation/isolation.txt).
 *
 * VFIO registers the manager "vfio"; vfio-pci and its variant drivers name
 * it in &device_driver.isolation_manager.  Then:
 *
 * - "echo vfio > /sys/isolation/<id>/manager" hands a whole group over:
 *   host drivers are unbound, each endpoint gets the driver override
 *   "vfio-pci" (vfio_isolation_take_device()), so that vfio-pci, whose ID
 *   table matches only by override, binds it; PCI drivers that do no DMA of
 *   their own (driver_managed_dma: pcieport, pci-stub) stay, so a port
 *   keeps hot-plug, AER, DPC and PME.  An empty line gives the group back
 *   unless a user holds it (vfio_isolation_busy()).
 * - Binding a device to vfio-pci by driver_override, as libvirt and
 *   driverctl do, uses the group: vfio is its manager while a vfio driver
 *   is bound, and host drivers may still bind its other devices (the group
 *   is then not locked, so not viable).
 * - For a device in an isolation group, the group is viable for VFIO only
 *   while it is locked under vfio (vfio_isolation_viable()).  Setting a
 *   container (type1 or iommufd compat) and binding a device cdev to
 *   iommufd hold the group (vfio_isolation_hold()): checked locked and
 *   pinned in one step, host drivers refused until the user lets go.
 *   Devices in no isolation group behave as they always did.
 */
#include <linux/iommu.h>
#include <linux/isolation.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/vfio.h>

#include "vfio.h"

#define VFIO_ISOLATION_OVERRIDE "vfio-pci"

static bool vfio_isolation_registered;

/*
 * PCI drivers that opted in to doing no DMA of their own (pcieport,
 * pci-stub) may stay in a group vfio holds; the core never asks about
 * another manager's drivers.
 */
static bool vfio_isolation_tolerates(struct device *dev,
				     const struct device_driver *drv)
{
#ifdef CONFIG_PCI
	return dev_is_pci(dev) && drv->bus == &pci_bus_type &&
	       to_pci_driver(drv)->driver_managed_dma;
#else
	return false;
#endif
}

/* Is @dev's driver override @name, or with a NULL @name, any? */
static bool vfio_isolation_override_is(struct device *dev, const char *name)
{
	bool ret;

	spin_lock(&dev->driver_override.lock);
	ret = dev->driver_override.name &&
	      (!name || !strcmp(dev->driver_override.name, name));
	spin_unlock(&dev->driver_override.lock);
	return ret;
}

/* Make vfio-pci match an endpoint that has no driver override yet. */
static int vfio_isolation_take_device(struct device *dev)
{
	int ret;

	/* vfio-pci takes normal functions only; bridges keep what they have. */
	if (!dev_is_pci(dev) ||
	    to_pci_dev(dev)->hdr_type != PCI_HEADER_TYPE_NORMAL)
		return 0;
	if (vfio_isolation_override_is(dev, NULL))
		return 0;	/* the administrator's choice stays */
	ret = device_set_driver_override(dev, VFIO_ISOLATION_OVERRIDE);
	return ret ?: 1;
}

/* Clear the override vfio_isolation_take_device() set, if it is still it. */
static void vfio_isolation_return_device(struct device *dev)
{
	if (vfio_isolation_override_is(dev, VFIO_ISOLATION_OVERRIDE) &&
	    device_set_driver_override(dev, ""))
		dev_warn(dev, "vfio: cannot clear the driver override\n");
}

/* Does a user hold the VFIO group of @dev, or a VFIO device of it, open? */
static bool vfio_isolation_busy(struct device *dev)
{
	struct iommu_group *iommu_group = iommu_group_get(dev);
	bool busy = false;

	if (iommu_group) {
		busy = vfio_iommu_group_in_use(iommu_group);
		iommu_group_put(iommu_group);
	}
	return busy;
}

const struct isolation_manager vfio_isolation_manager = {
	.name = "vfio",
	.owner = THIS_MODULE,
	.tolerates = vfio_isolation_tolerates,
	.take_device = vfio_isolation_take_device,
	.return_device = vfio_isolation_return_device,
	.busy = vfio_isolation_busy,
};
EXPORT_SYMBOL_GPL(vfio_isolation_manager);

/*
 * The owner, uid and mode of a VFIO node (the group's, a device's cdev) of
 * @dev: a delegated isolation group's owner gets them, 0600 or with its
 * group 0660; otherwise devtmpfs's defaults stay.
 */
void vfio_isolation_node_owner(struct device *dev, umode_t *mode,
			       kuid_t *uid, kgid_t *gid)
{
	kuid_t owner;
	kgid_t group;

	if (!dev || !isolation_device_owner(dev, &owner, &group))
		return;
	if (uid)
		*uid = owner;
	if (gid && gid_valid(group))
		*gid = group;
	if (mode)
		*mode = gid_valid(group) ? 0660 : 0600;
}

static int vfio_isolation_viable_fn(struct device *dev, void *data)
{
	bool *viable = data;

	/* In no isolation group (no provider, noiommu): as VFIO always did. */
	if (isolation_device_locked_by(dev, &vfio_isolation_manager) == 0)
		*viable = false;
	return 0;
}

/**
 * vfio_isolation_viable() - may VFIO let a user at an IOMMU group?
 * @iommu_group: the group
 *
 * Context: Process context; takes @iommu_group's mutex.
 * Return: false if a device of @iommu_group is in an isolation group that
 * is not locked under vfio, true otherwise.
 */
bool vfio_isolation_viable(struct iommu_group *iommu_group)
{
	bool viable = true;

	iommu_group_for_each_dev(iommu_group, &viable,
				 vfio_isolation_viable_fn);
	return viable;
}

/**
 * struct vfio_isolation_hold - the isolation groups a VFIO user holds
 * @n: number of groups in @groups
 * @max: room in @groups
 * @groups: each with a pin from isolation_device_hold()
 */
struct vfio_isolation_hold {
	unsigned int n;
	unsigned int max;
	struct isolation_group *groups[] __counted_by(max);
};

static int vfio_isolation_count_fn(struct device *dev, void *data)
{
	(*(unsigned int *)data)++;
	return 0;
}

static int vfio_isolation_hold_fn(struct device *dev, void *data)
{
	struct vfio_isolation_hold *hold = data;
	struct isolation_group *group;

	if (hold->n == hold->max)
		return -EAGAIN;	/* a device joined meanwhile: try again */
	group = isolation_device_hold(dev, &vfio_isolation_manager);
	if (IS_ERR(group))
		return PTR_ERR(group);
	if (group)
		hold->groups[hold->n++] = group;
	return 0;
}

/**
 * vfio_isolation_hold() - hold the isolation groups of an IOMMU group
 * @iommu_group: the IOMMU group a user is about to get the DMA of
 * @out: where to store the hold, for vfio_isolation_release()
 *
 * Each device's isolation group is checked locked under vfio and pinned in
 * one step: until the release, no host driver can bind a device of it,
 * and it cannot be given back.  Devices in no isolation group need
 * nothing, as before isolation groups.
 *
 * Context: Process context; takes @iommu_group's mutex.  Called under the
 * VFIO group lock or the device set lock.
 * Return: 0, -EPERM if a device's isolation group is not locked under
 * vfio, -EAGAIN if the IOMMU group changed meanwhile, -ENOMEM.
 */
int vfio_isolation_hold(struct iommu_group *iommu_group,
			struct vfio_isolation_hold **out)
{
	struct vfio_isolation_hold *hold;
	unsigned int n = 0;
	int ret;

	iommu_group_for_each_dev(iommu_group, &n, vfio_isolation_count_fn);
	hold = kzalloc(struct_size(hold, groups, n), GFP_KERNEL);
	if (!hold)
		return -ENOMEM;
	hold->max = n;
	ret = iommu_group_for_each_dev(iommu_group, hold,
				       vfio_isolation_hold_fn);
	if (ret) {
		vfio_isolation_release(&hold);
		return ret;
	}
	*out = hold;
	return 0;
}

/**
 * vfio_isolation_release() - let go of what vfio_isolation_hold() held
 * @hold: the hold; set to NULL.  Nothing happens if it is NULL already.
 *
 * Context: Process context; takes the isolation core's mutex.
 */
void vfio_isolation_release(struct vfio_isolation_hold **hold)
{
	unsigned int i;

	if (!*hold)
		return;
	for (i = 0; i < (*hold)->n; i++)
		isolation_group_unhold((*hold)->groups[i]);
	kfree(*hold);
	*hold = NULL;
}

/**
 * vfio_device_isolation_hold() - hold the isolation groups of a device
 * @device: the VFIO device a user binds
 * @out: where to store the hold, for vfio_isolation_release()
 *
 * Context: Process context; takes the mutex of @device's IOMMU group.
 * Return: as vfio_isolation_hold() for @device's IOMMU group; 0 with
 * nothing held if it has none.
 */
int vfio_device_isolation_hold(struct vfio_device *device,
			       struct vfio_isolation_hold **out)
{
	struct iommu_group *iommu_group = iommu_group_get(device->dev);
	int ret = 0;

	*out = NULL;
	if (iommu_group) {
		ret = vfio_isolation_hold(iommu_group, out);
		iommu_group_put(iommu_group);
	}
	return ret;
}

/**
 * vfio_isolation_init() - register vfio as a manager of isolation groups
 *
 * A kernel without isolation groups keeps working: that is no error.
 *
 * Context: Process context, from vfio_init().
 * Return: 0, or a negative errno from isolation_manager_register().
 */
int vfio_isolation_init(void)
{
	int ret = isolation_manager_register(&vfio_isolation_manager);

	vfio_isolation_registered = !ret;
	return ret == -ENODEV ? 0 : ret;
}

/**
 * vfio_isolation_exit() - unregister vfio's manager
 *
 * Gives back every group vfio manages.
 *
 * Context: Process context, from vfio_cleanup().
 */
void vfio_isolation_exit(void)
{
	if (vfio_isolation_registered)
		isolation_manager_unregister(&vfio_isolation_manager);
}
