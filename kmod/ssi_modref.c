// SPDX-License-Identifier: GPL-2.0
/*
 * ssi_modref.c - a reference on ssi.ko held by a task_work callback.
 *
 * A task_work callback runs module code in another task, at a time the
 * module does not choose; it must keep the module loaded until it is
 * done.  It cannot drop that reference itself: after module_put() as its
 * last statement it still returns through module text, which an unload
 * on another CPU may have freed by then.  So the reference is dropped by
 * a work item on the module's own workqueue, whose function returns into
 * the workqueue code, and the module's exit destroys that workqueue,
 * which waits for the item to finish first.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "ssi_internal.h"

struct ssi_modref {
	struct work_struct work;
};

static struct workqueue_struct *ssi_modref_wq;

static void ssi_modref_release(struct work_struct *work)
{
	kfree(container_of(work, struct ssi_modref, work));
	module_put(THIS_MODULE);	/* back into the workqueue's code, not ours */
}

struct ssi_modref *ssi_modref_get(void)
{
	struct ssi_modref *r = kmalloc(sizeof(*r), GFP_KERNEL);

	if (!r)
		return NULL;
	INIT_WORK(&r->work, ssi_modref_release);
	__module_get(THIS_MODULE);
	return r;
}

void ssi_modref_put(struct ssi_modref *r)
{
	queue_work(ssi_modref_wq, &r->work);
}

void ssi_modref_drop(struct ssi_modref *r)
{
	kfree(r);
	module_put(THIS_MODULE);
}

int ssi_modref_init(void)
{
	ssi_modref_wq = alloc_workqueue("ssi_modref", 0, 0);
	return ssi_modref_wq ? 0 : -ENOMEM;
}

void ssi_modref_exit(void)
{
	destroy_workqueue(ssi_modref_wq);	/* waits for every put to return */
}
