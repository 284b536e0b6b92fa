// SPDX-License-Identifier: GPL-2.0
/*
 * ssi_dev.c - /dev/ssi, the control device of ssi.ko.
 *
 * Only root opens it (mode 0600 via the udev rule in etc/, and
 * CAP_SYS_ADMIN checked on open, because ioctls act on other processes'
 * memory).  The first ioctl on every open file must be SSI_IOC_API;
 * anything else before it gets -EPROTO.
 *
 * SSI_IOC_DUMP and SSI_IOC_RESUME check CAP_SYS_ADMIN again at call time:
 * the restore helper opens /dev/ssi as root and then drops to the job
 * user, so an fd alone must not be enough to act on other tasks.
 * SSI_IOC_RESTORE acts only on the caller itself.
 */
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "ssi_internal.h"

static int ssi_open(struct inode *inode, struct file *file)
{
	struct ssi_file *sf;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	sf = kzalloc(sizeof(*sf), GFP_KERNEL);
	if (!sf)
		return -ENOMEM;
	mutex_init(&sf->lock);
	INIT_LIST_HEAD(&sf->frozen);
	file->private_data = sf;
	return 0;
}

static int ssi_release(struct inode *inode, struct file *file)
{
	struct ssi_file *sf = file->private_data;

	/* Tasks this file froze go on at home: ssid is gone. */
	ssi_dump_release(sf);
	kfree(sf);
	return 0;
}

static long ssi_ioctl_api(struct ssi_file *sf, void __user *argp)
{
	struct ssi_api api;
	int i;

	if (copy_from_user(&api, argp, sizeof(api)))
		return -EFAULT;
	if (api.api != SSI_API_VERSION)
		return -EINVAL;
	if (api.features & ~SSI_FEATURE_MASK)
		return -EINVAL;
	if (api.pad)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(api.reserved); i++)
		if (api.reserved[i])
			return -EINVAL;

	memset(&api, 0, sizeof(api));
	api.api = SSI_API_VERSION;
	api.features = SSI_FEATURE_MASK;
	if (copy_to_user(argp, &api, sizeof(api)))
		return -EFAULT;
	sf->api_done = true;
	return 0;
}

static long ssi_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct ssi_file *sf = file->private_data;
	void __user *argp = (void __user *)arg;

	if (cmd == SSI_IOC_API)
		return ssi_ioctl_api(sf, argp);
	if (!sf->api_done)
		return -EPROTO;
	switch (cmd) {
	case SSI_IOC_DUMP:
		return ssi_dump_ioctl(sf, argp);
	case SSI_IOC_RESUME:
		return ssi_resume_ioctl(sf, argp);
	case SSI_IOC_DEPUTY:
		return ssi_deputy_ioctl(sf, argp);
	case SSI_IOC_RESTORE:
		return ssi_restore_ioctl(sf, file, argp);
	case SSI_IOC_RESTORE_THREAD:
		return ssi_restore_thread_ioctl(sf, argp);
	case SSI_IOC_RETURN:
		return ssi_return_ioctl(sf, argp);
	case SSI_IOC_SIGNAL:
		return ssi_signal_ioctl(argp);
	case SSI_IOC_TIMER_ID:
		return ssi_timer_id_ioctl(argp);
	case SSI_IOC_FILE_ID:
		return ssi_file_id_ioctl(argp);
	case SSI_IOC_CHARGE:
		return ssi_charge_ioctl(argp);
	case SSI_IOC_SEQ_GET:
		return ssi_seq_get_ioctl(argp);
	case SSI_IOC_SEQ_SET:
		return ssi_seq_set_ioctl(argp);
	case SSI_IOC_DSM_OPEN:
		return ssi_dsm_open_ioctl(argp);
	}
	return -ENOTTY;
}

static const struct file_operations ssi_fops = {
	.owner		= THIS_MODULE,
	.open		= ssi_open,
	.release	= ssi_release,
	.unlocked_ioctl	= ssi_ioctl,
	.llseek		= noop_llseek,
};

static struct miscdevice ssi_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= SSI_DEVICE_NAME,
	.fops	= &ssi_fops,
	.mode	= 0600,
};

int ssi_dev_init(void)
{
	BUILD_BUG_ON(sizeof(struct ssi_api) != 48);
	BUILD_BUG_ON(sizeof(struct ssi_timer_id) != 24);
	BUILD_BUG_ON(sizeof(struct ssi_charge) != 96);
	BUILD_BUG_ON(sizeof(struct ssi_seq_pos) != 56);
	BUILD_BUG_ON(sizeof(struct ssi_dsm_open) != 32);
	BUILD_BUG_ON(sizeof(struct ssi_dsm_req) != 16);
	BUILD_BUG_ON(sizeof(struct ssi_dsm_page) != 32);
	return misc_register(&ssi_misc);
}

void ssi_dev_exit(void)
{
	misc_deregister(&ssi_misc);
}
