// SPDX-License-Identifier: GPL-2.0
/*
 * A provider and a manager of isolation groups for the kselftests in
 * tools/testing/selftests/isolation/, so that /sys/isolation can be tested
 * end to end on any machine, IOMMU or not.
 *
 * With groups=1 (test_isolation.groups=1 on the command line when built in)
 * it creates one group, "test-0", of two platform devices, bound to a host
 * driver, and registers the manager "isolation-test" whose driver matches
 * the same devices.  An empty line written to the group's manager file
 * gives it back.
 *
 * With claim=<PCI device> (e.g. test_isolation.claim=0000:01:00.0) it puts
 * that device, when it is added (hot-plug), into a group "claimed" of its
 * own before the IOMMU driver sees it, so that the IOMMU provider's add
 * fails: the device must keep its IOMMU all the same.
 *
 * With either, it also listens to the isolation notifier the way
 * Documentation/isolation.txt says a listener must (no IOMMU calls, no
 * device locks, only isolation_group_get(), the accessors and put), checks
 * what each device event promises, and counts the events in the read-only
 * parameters listened_add, listened_del and listened_bad.
 *
 * Without either, it does nothing.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/isolation.h>
#include <linux/mod_devicetable.h>
#include <linux/module.h>
#include <linux/notifier.h>
#include <linux/pci.h>
#include <linux/platform_device.h>

#define TEST_ISOLATION_DEVICES	2

static bool groups;
module_param(groups, bool, 0444);
MODULE_PARM_DESC(groups, "Create the test group when loaded (default: no)");

static char *claim;
module_param(claim, charp, 0444);
MODULE_PARM_DESC(claim, "PCI device to group before the IOMMU driver does, when added");

/* Written by the notifier callbacks, which isolation_mutex serializes. */
static int listened_add, listened_del, listened_bad;
module_param(listened_add, int, 0444);
MODULE_PARM_DESC(listened_add, "ISOLATION_NOTIFY_ADD_DEVICE events seen");
module_param(listened_del, int, 0444);
MODULE_PARM_DESC(listened_del, "ISOLATION_NOTIFY_DEL_DEVICE events seen");
module_param(listened_bad, int, 0444);
MODULE_PARM_DESC(listened_bad, "device events that broke their promise");

static struct isolation_provider test_provider = {
	.name = "isolation-test",
};

static struct isolation_manager test_manager = {
	.name = "isolation-test",
	.owner = THIS_MODULE,
};

static const struct platform_device_id test_isolation_ids[] = {
	{ "isolation-test" },
	{ }
};
MODULE_DEVICE_TABLE(platform, test_isolation_ids);

static int test_isolation_probe(struct platform_device *pdev)
{
	return 0;
}

static struct platform_driver test_host_driver = {
	.probe = test_isolation_probe,
	.id_table = test_isolation_ids,
	.driver = {
		.name = "isolation-test-host",
	},
};

static struct platform_driver test_managed_driver = {
	.probe = test_isolation_probe,
	.id_table = test_isolation_ids,
	.driver = {
		.name = "isolation-test-managed",
		.isolation_manager = &test_manager,
	},
};

/*
 * A listener within the documented rules.  Device events come from the
 * provider's context (for intel-iommu with IOMMU core locks held), so it
 * only looks: the device is in the group the event names, in process
 * context, and the group has a name.
 */
static int test_isolation_listen(struct notifier_block *nb,
				 unsigned long event, void *data)
{
	struct isolation_notifier_data *d = data;
	struct isolation_group *group;

	if (event != ISOLATION_NOTIFY_ADD_DEVICE &&
	    event != ISOLATION_NOTIFY_DEL_DEVICE)
		return NOTIFY_DONE;
	might_sleep();
	group = isolation_group_get(d->dev);
	if (group != d->group || !isolation_group_name(group)) {
		listened_bad++;
		dev_err(d->dev, "isolation event %lu for group %d, device in %d\n",
			event, isolation_group_id(d->group),
			isolation_group_id(group));
	}
	/* Not the last reference: the device still holds one. */
	isolation_group_put(group);
	if (event == ISOLATION_NOTIFY_ADD_DEVICE)
		listened_add++;
	else
		listened_del++;
	return NOTIFY_OK;
}

static struct notifier_block test_isolation_listener = {
	.notifier_call = test_isolation_listen,
};

static struct platform_device *test_devs[TEST_ISOLATION_DEVICES];
static struct isolation_group *test_group;
static struct isolation_group *claimed_group;

#ifdef CONFIG_PCI
/* Before the IOMMU core's notifier (priority 0): group @claim first. */
static int test_isolation_pci_notify(struct notifier_block *nb,
				     unsigned long action, void *data)
{
	struct device *dev = data;
	int ret;

	if (action != BUS_NOTIFY_ADD_DEVICE || strcmp(dev_name(dev), claim))
		return NOTIFY_DONE;
	if (!claimed_group) {
		claimed_group = isolation_group_alloc(&test_provider, "claimed");
		if (IS_ERR(claimed_group)) {
			pr_err("cannot allocate group claimed: %ld\n",
			       PTR_ERR(claimed_group));
			claimed_group = NULL;
			return NOTIFY_DONE;
		}
	}
	ret = isolation_group_add_device(claimed_group, dev);
	if (ret)
		dev_err(dev, "cannot claim: %d\n", ret);
	else
		dev_info(dev, "claimed for group %d\n",
			 isolation_group_id(claimed_group));
	return NOTIFY_DONE;
}

static struct notifier_block test_isolation_pci_nb = {
	.notifier_call = test_isolation_pci_notify,
	.priority = 1,
};

static int test_isolation_claim(void)
{
	if (!claim)
		return 0;
	return bus_register_notifier(&pci_bus_type, &test_isolation_pci_nb);
}

static void test_isolation_unclaim(void)
{
	if (!claim)
		return;
	bus_unregister_notifier(&pci_bus_type, &test_isolation_pci_nb);
	isolation_group_put(claimed_group);
}
#else
static int test_isolation_claim(void)
{
	return claim ? -ENODEV : 0;
}

static void test_isolation_unclaim(void) { }
#endif

static void test_isolation_del_devices(void)
{
	int i;

	for (i = TEST_ISOLATION_DEVICES - 1; i >= 0; i--) {
		if (!IS_ERR_OR_NULL(test_devs[i]))
			platform_device_unregister(test_devs[i]);
		test_devs[i] = NULL;
	}
}

static int __init test_isolation_init(void)
{
	int i, ret;

	if (!groups && !claim)
		return 0;

	ret = isolation_register_notifier(&test_isolation_listener);
	if (ret)
		return ret;
	ret = isolation_provider_register(&test_provider);
	if (ret)
		goto err_unregister_listener;
	ret = test_isolation_claim();
	if (ret)
		goto err_unregister_provider;
	if (!groups)
		return 0;
	ret = isolation_manager_register(&test_manager);
	if (ret)
		goto err_unclaim;
	test_group = isolation_group_alloc(&test_provider, "test-0");
	if (IS_ERR(test_group)) {
		ret = PTR_ERR(test_group);
		goto err_unregister_manager;
	}
	for (i = 0; i < TEST_ISOLATION_DEVICES; i++) {
		test_devs[i] = platform_device_register_simple("isolation-test",
							       i, NULL, 0);
		if (IS_ERR(test_devs[i])) {
			ret = PTR_ERR(test_devs[i]);
			goto err_del_devices;
		}
		ret = isolation_group_add_device(test_group, &test_devs[i]->dev);
		if (ret)
			goto err_del_devices;
	}
	/* The host driver first, so that it is the one that binds. */
	ret = platform_driver_register(&test_host_driver);
	if (ret)
		goto err_del_devices;
	ret = platform_driver_register(&test_managed_driver);
	if (ret)
		goto err_unregister_host_driver;
	pr_info("group %d (%s) with %d devices\n", isolation_group_id(test_group),
		isolation_group_name(test_group), TEST_ISOLATION_DEVICES);
	return 0;

err_unregister_host_driver:
	platform_driver_unregister(&test_host_driver);
err_del_devices:
	test_isolation_del_devices();
	isolation_group_put(test_group);
err_unregister_manager:
	isolation_manager_unregister(&test_manager);
err_unclaim:
	test_isolation_unclaim();
err_unregister_provider:
	isolation_provider_unregister(&test_provider);
err_unregister_listener:
	isolation_unregister_notifier(&test_isolation_listener);
	return ret;
}
module_init(test_isolation_init);

static void __exit test_isolation_exit(void)
{
	if (!groups && !claim)
		return;
	if (groups) {
		platform_driver_unregister(&test_managed_driver);
		platform_driver_unregister(&test_host_driver);
		test_isolation_del_devices();
		isolation_group_put(test_group);
		isolation_manager_unregister(&test_manager);
	}
	test_isolation_unclaim();
	isolation_provider_unregister(&test_provider);
	isolation_unregister_notifier(&test_isolation_listener);
}
module_exit(test_isolation_exit);

MODULE_DESCRIPTION("Test provider and manager of isolation groups");
MODULE_LICENSE("GPL");
