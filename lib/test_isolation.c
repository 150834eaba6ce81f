// SPDX-License-Identifier: GPL-2.0
/*
 * A provider and a manager of isolation groups for the kselftests in
 * tools/testing/selftests/isolation/, so that /sys/isolation can be tested
 * end to end on any machine, IOMMU or not.
 *
 * With groups=1 (test_isolation.groups=1 on the command line when built in)
 * it creates one group, "test-0", of two platform devices, bound to a host
 * driver, and registers the manager "isolation-test" whose driver matches
 * the same devices.  Without it, it does nothing.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/isolation.h>
#include <linux/mod_devicetable.h>
#include <linux/module.h>
#include <linux/platform_device.h>

#define TEST_ISOLATION_DEVICES	2

static bool groups;
module_param(groups, bool, 0444);
MODULE_PARM_DESC(groups, "Create the test group when loaded (default: no)");

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

static struct platform_device *test_devs[TEST_ISOLATION_DEVICES];
static struct isolation_group *test_group;

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

	if (!groups)
		return 0;

	ret = isolation_provider_register(&test_provider);
	if (ret)
		return ret;
	ret = isolation_manager_register(&test_manager);
	if (ret)
		goto err_unregister_provider;
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
err_unregister_provider:
	isolation_provider_unregister(&test_provider);
	return ret;
}
module_init(test_isolation_init);

static void __exit test_isolation_exit(void)
{
	if (!groups)
		return;
	platform_driver_unregister(&test_managed_driver);
	platform_driver_unregister(&test_host_driver);
	test_isolation_del_devices();
	isolation_group_put(test_group);
	isolation_manager_unregister(&test_manager);
	isolation_provider_unregister(&test_provider);
}
module_exit(test_isolation_exit);

MODULE_DESCRIPTION("Test provider and manager of isolation groups");
MODULE_LICENSE("GPL");
