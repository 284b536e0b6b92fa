// SPDX-License-Identifier: GPL-2.0
/*
 * ssi_seqpos.c - SSI_IOC_SEQ_GET / SSI_IOC_SEQ_SET: where a read of a
 * /proc text file stands, carried from one open file of an entry to
 * another (uapi/ssi.h, struct ssi_seq_pos).
 *
 * ssid serves a migrated process's /proc/self/maps, smaps, status ...
 * where the process runs, and its home fd of the same entry is what it
 * reads once home again.  A seq_file's state is its offset, its iterator
 * (m->index) and the unread rest of its buffer; moving only the offset
 * would make the next read regenerate the text up to that byte count,
 * and the text of the other node (the figures in it, the names of copied
 * files) does not have its lines where this node's had them: records
 * would be lost or repeated.  Carrying the whole state gives the reader
 * exactly what it would have read without the move.
 *
 * Both calls take the file's f_pos_lock and then the seq_file's lock, in
 * the order a read takes them, so a concurrent read sees the state before
 * or after, never half of it.
 */
#include <linux/capability.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <linux/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "ssi_internal.h"

/* The file of @fd if it is a /proc file read through a seq_file; NULL if not. */
static struct file *proc_seq_file(int fd)
{
	struct file *file = fget(fd);

	if (!file)
		return NULL;
	/* seq_read() and seq_read_iter() take private_data for the seq_file */
	if (file_inode(file)->i_sb->s_magic != PROC_SUPER_MAGIC ||
	    !(file->f_mode & FMODE_ATOMIC_POS) || !file->private_data ||
	    (file->f_op->read_iter != seq_read_iter && file->f_op->read != seq_read)) {
		fput(file);
		return NULL;
	}
	return file;
}

static int seq_pos_args(struct ssi_seq_pos *a, const struct ssi_seq_pos __user *uarg)
{
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (copy_from_user(a, uarg, sizeof(*a)))
		return -EFAULT;
	if (a->fd < 0 || a->reserved[0] || a->reserved[1])
		return -EINVAL;
	return 0;
}

long ssi_seq_get_ioctl(struct ssi_seq_pos __user *uarg)
{
	struct ssi_seq_pos a;
	struct seq_file *m;
	struct file *file;
	char *text;
	long ret;

	ret = seq_pos_args(&a, uarg);
	if (ret)
		return ret;
	file = proc_seq_file(a.fd);
	if (!file)
		return -EINVAL;
	text = kmalloc(SSI_SEQ_PENDING_MAX, GFP_KERNEL);
	if (!text) {
		fput(file);
		return -ENOMEM;
	}
	m = file->private_data;
	mutex_lock(&file->f_pos_lock);
	mutex_lock(&m->lock);
	ret = m->count > SSI_SEQ_PENDING_MAX ? -E2BIG : 0;
	if (!ret) {
		a.len = (u32)m->count;
		if (a.len)
			memcpy(text, m->buf + m->from, a.len);
		a.pos = file->f_pos;
		a.read_pos = m->read_pos;
		a.index = m->index;
	}
	mutex_unlock(&m->lock);
	mutex_unlock(&file->f_pos_lock);
	fput(file);
	if (!ret && a.len && copy_to_user(u64_to_user_ptr(a.data), text, a.len))
		ret = -EFAULT;
	kfree(text);
	if (!ret && copy_to_user(uarg, &a, sizeof(a)))
		ret = -EFAULT;
	return ret;
}

long ssi_seq_set_ioctl(struct ssi_seq_pos __user *uarg)
{
	struct ssi_seq_pos a;
	struct seq_file *m;
	struct file *file;
	char *text = NULL;
	size_t size;
	long ret;

	ret = seq_pos_args(&a, uarg);
	if (ret)
		return ret;
	/*
	 * The iterators of the entries ssid carries take any index (an
	 * address, or a record number they check); the end markers of maps
	 * are the only negative ones.
	 */
	if (a.len > SSI_SEQ_PENDING_MAX || a.pos < 0 || a.read_pos < 0 || a.index < -2)
		return -EINVAL;
	/* as seq_file sizes its buffer: a page, doubled until a record fits */
	size = a.len ? roundup_pow_of_two(max_t(size_t, a.len, PAGE_SIZE)) : 0;
	if (size) {
		text = kvmalloc(size, GFP_KERNEL_ACCOUNT);
		if (!text)
			return -ENOMEM;
		if (copy_from_user(text, u64_to_user_ptr(a.data), a.len)) {
			kvfree(text);
			return -EFAULT;
		}
	}
	file = proc_seq_file(a.fd);
	if (!file) {
		kvfree(text);
		return -EINVAL;
	}
	m = file->private_data;
	mutex_lock(&file->f_pos_lock);
	mutex_lock(&m->lock);
	if (text) {
		/* seq_release() frees it with kvfree(), whoever allocated it */
		kvfree(m->buf);
		m->buf = text;
		m->size = size;
	}
	m->from = 0;
	m->count = a.len;
	m->pad_until = 0;
	m->index = a.index;
	m->read_pos = a.read_pos;
	file->f_pos = a.pos;
	mutex_unlock(&m->lock);
	mutex_unlock(&file->f_pos_lock);
	fput(file);
	return 0;
}
