// SPDX-License-Identifier: GPL-2.0
/*
 * ssi_main.c - module entry points of ssi.ko.
 *
 * Loading the module installs nothing global: no syscall or ftrace hooks.
 * Processes that never migrate do not pay for it: every mechanism of the
 * module acts on one task, at the request of ssid.
 */
#include <linux/init.h>
#include <linux/module.h>

#include "ssi_internal.h"

static int __init ssi_init(void)
{
	int err;

	ssi_crc_init();
	err = ssi_modref_init();
	if (err) {
		pr_err("ssi: cannot create its workqueue: %d\n", err);
		return err;
	}
	err = ssi_restore_init();
	if (err) {
		pr_err("ssi: cannot create the parked-thread cache: %d\n", err);
		goto out_modref;
	}
	err = ssi_deputy_init();
	if (err) {
		pr_err("ssi: cannot prepare the deputy stub: %d\n", err);
		goto out_restore;
	}
	err = ssi_dev_init();
	if (err) {
		pr_err("ssi: cannot register /dev/%s: %d\n", SSI_DEVICE_NAME, err);
		goto out_deputy;
	}
	pr_info("ssi: loaded, api %d\n", SSI_API_VERSION);
	return 0;

out_deputy:
	ssi_deputy_exit();
out_restore:
	ssi_restore_exit();
out_modref:
	ssi_modref_exit();
	return err;
}

static void __exit ssi_exit(void)
{
	ssi_dev_exit();
	ssi_memshow_exit();
	ssi_deputy_exit();
	ssi_restore_exit();
	ssi_modref_exit();
	pr_info("ssi: unloaded\n");
}

module_init(ssi_init);
module_exit(ssi_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("slurm-ssi developers");
MODULE_DESCRIPTION("slurm-ssi: live migration of processes between nodes");
MODULE_VERSION("0.1.0");
