/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The PCI rules of DMA isolation, shared by the IOMMU core's
 * pci_device_group() and the isolation providers (Documentation/isolation.txt)
 */
#ifndef _LINUX_PCI_ISOLATION_H
#define _LINUX_PCI_ISOLATION_H

#include <linux/errno.h>
#include <linux/isolation.h>
#include <linux/pci_regs.h>

struct pci_dev;

/*
 * To consider the devices below a bridge isolated from each other, the
 * bridge needs ACS Source Validation, Request Redirection, Completer
 * Redirection and Upstream Forwarding: devices cannot spoof their requester
 * ID, requests and completions cannot be redirected, and all transactions
 * are forwarded upstream, even as they pass through a bridge where the
 * target device is downstream.
 */
#define PCI_ISOLATION_ACS_FLAGS	(PCI_ACS_SV | PCI_ACS_RR | PCI_ACS_CR | \
				 PCI_ACS_UF)

/**
 * struct pci_isolation - where a PCI device stands, for DMA isolation
 * @alias: the last device pci_for_each_dma_alias() visits: the device
 *	itself, its DMA proxy, or the topmost PCIe-to-PCI/PCI-X bridge above it
 * @boundary: going up from @alias, the topmost bridge whose path to the
 *	root lacks isolating ACS, or @alias if there is none
 * @key: the device the group is named after: of the devices on @boundary's
 *	bus that share a group with @boundary (functions of a slot without
 *	isolating ACS, DMA aliases, and so on transitively), the one with the
 *	lowest devfn
 * @why: the device @reason refers to, or NULL
 * @reason: why the device is in its group (enum isolation_reason)
 *
 * All of it follows from the topology alone, not from the order in which
 * devices were probed.  pci_isolation_get() fills it in with a reference on
 * each device, which pci_isolation_put() drops.
 */
struct pci_isolation {
	struct pci_dev *alias;
	struct pci_dev *boundary;
	struct pci_dev *key;
	struct pci_dev *why;
	enum isolation_reason reason;
};

#ifdef CONFIG_PCI_ISOLATION

int pci_isolation_get(struct pci_dev *pdev, struct pci_isolation *iso,
		      int (*fn)(struct pci_dev *peer, void *data), void *data);
void pci_isolation_put(struct pci_isolation *iso);
int pci_isolation_visit_peers(struct pci_dev *pdev,
			      int (*fn)(struct pci_dev *peer, void *data),
			      void *data);
#if IS_ENABLED(CONFIG_KUNIT)
/* For the KUnit tests: find a bus's devices without pci_bus_sem. */
extern bool pci_isolation_avoid_bus_sem;
#endif

#else /* !CONFIG_PCI_ISOLATION */

static inline int pci_isolation_get(struct pci_dev *pdev,
				    struct pci_isolation *iso,
				    int (*fn)(struct pci_dev *peer, void *data),
				    void *data)
{
	return -ENODEV;
}

static inline void pci_isolation_put(struct pci_isolation *iso)
{
}

static inline int
pci_isolation_visit_peers(struct pci_dev *pdev,
			  int (*fn)(struct pci_dev *peer, void *data),
			  void *data)
{
	return -ENODEV;
}

#endif /* CONFIG_PCI_ISOLATION */

#endif /* _LINUX_PCI_ISOLATION_H */
