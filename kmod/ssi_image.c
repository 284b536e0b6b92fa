// SPDX-License-Identifier: GPL-2.0
/*
 * ssi_image.c - image streams: reading and writing images through a
 * struct file (regular file, pipe or socket), CRC-32C.
 *
 * What is *in* an image and what is allowed there is ssi_imgcheck.c; this
 * file only moves bytes and keeps the running offset that error reports
 * and the END section refer to.
 */
#include <linux/crc32.h>
#include <linux/fs.h>
#include <linux/random.h>
#include <linux/sizes.h>
#include <linux/timekeeping.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <asm/cpufeature.h>
#include <asm/unaligned.h>

#include "ssi_internal.h"

#define SSI_IW_BUF	(256U << 10)

/*
 * The SSE4.2 crc32 instruction computes exactly the raw CRC-32C register
 * update; it works on general registers, so no kernel_fpu_begin().  Every
 * page of an image is checksummed once when written and once or twice
 * when read, which makes this the dump's and restore's main CPU cost after
 * copying (crc32c-intel does the same, but is a module of its own).
 */
static u32 crc32c_hw(u32 crc, const u8 *p, size_t len)
{
	for (; len >= sizeof(unsigned long); len -= sizeof(unsigned long)) {
		asm("crc32q %1, %q0" : "+r"(crc) : "rm"(get_unaligned((const unsigned long *)p)));
		p += sizeof(unsigned long);
	}
	while (len--)
		asm("crc32b %1, %0" : "+r"(crc) : "rm"(*p++));
	return crc;
}

static bool ssi_crc_use_hw;

u32 ssi_crc32c(u32 crc, const void *p, size_t len)
{
	/*
	 * The format's CRC is the usual ~0/~0 one around the raw update;
	 * __crc32c_le() is lib/crc32.c's table-driven one (built in).
	 */
	if (ssi_crc_use_hw)
		return ~crc32c_hw(~crc, p, len);
	return ~__crc32c_le(~crc, p, len);
}

static u64 crc_time(u32 (*fn)(u32, const u8 *, size_t), const u8 *buf,
		    size_t len)
{
	u64 t = ktime_get_ns();
	int i;

	for (i = 0; i < 4; i++)
		fn(~0U, buf, len);
	return ktime_get_ns() - t;
}

static u32 crc32c_sw(u32 crc, const u8 *p, size_t len)
{
	return __crc32c_le(crc, p, len);
}

/*
 * Pick the faster implementation by timing both once, as the kernel does
 * for its xor and raid6 routines: the instruction wins by an order of
 * magnitude on hardware, but an emulator (qemu TCG, the lab) may run it
 * far slower than the table.
 */
void ssi_crc_init(void)
{
	u64 t_hw, t_sw;
	u8 *buf;

	if (!boot_cpu_has(X86_FEATURE_XMM4_2))
		return;
	buf = kmalloc(SZ_16K, GFP_KERNEL);
	if (!buf)
		return;
	get_random_bytes(buf, SZ_16K);
	if (crc32c_hw(~0U, buf, SZ_16K) != __crc32c_le(~0U, buf, SZ_16K)) {
		pr_warn("ssi: crc32 instruction disagrees with lib/crc32, not used\n");
		goto out;
	}
	t_hw = crc_time(crc32c_hw, buf, SZ_16K);
	t_sw = crc_time(crc32c_sw, buf, SZ_16K);
	ssi_crc_use_hw = t_hw < t_sw;
	pr_info("ssi: crc32c by %s (%llu vs %llu ns per 64 KiB)\n",
		ssi_crc_use_hw ? "instruction" : "table", t_hw, t_sw);
out:
	kfree(buf);
}

void ssi_ir_init(struct ssi_img_reader *r, struct file *file)
{
	memset(r, 0, sizeof(*r));
	r->file = file;
	r->seekable = S_ISREG(file_inode(file)->i_mode) &&
		      (file->f_mode & FMODE_PREAD);
	if (r->seekable)
		r->pos = file->f_pos;
}

int ssi_ir_fail(struct ssi_img_reader *r, int err, u32 reason, u32 section,
		u64 offset, const char *detail)
{
	r->err.reason = reason;
	r->err.section = section;
	r->err.offset = offset;
	strscpy(r->err.detail, detail, sizeof(r->err.detail));
	return err;
}

int ssi_ir_read(struct ssi_img_reader *r, void *buf, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = kernel_read(r->file, buf + done, len - done, &r->pos);
		if (n == 0)
			return ssi_ir_fail(r, -EINVAL, SSI_R_TRUNCATED,
					   r->err.section, r->off + done,
					   "image ends early");
		if (n < 0) {
			/* Never restart: part of the stream is consumed. */
			if (n == -ERESTARTSYS || n == -EINTR ||
			    fatal_signal_pending(current))
				return ssi_ir_fail(r, -EINTR, SSI_R_INTR,
						   r->err.section,
						   r->off + done, "interrupted");
			return ssi_ir_fail(r, (int)n, SSI_R_IO, r->err.section,
					   r->off + done, "read error");
		}
		done += n;
	}
	r->off += len;
	return 0;
}

int ssi_ir_section(struct ssi_img_reader *r, u32 want,
		   const struct ssi_img_header *h, struct ssi_img_section *s)
{
	u64 at = r->off;
	int err;

	r->err.section = want;
	err = ssi_ir_read(r, s, sizeof(*s));
	if (err)
		return err;
	err = ssi_img_check_section(s, want, h, &r->err);
	if (err)
		r->err.offset = at;
	return err;
}

int ssi_ir_payload(struct ssi_img_reader *r, const struct ssi_img_section *s,
		   void *buf)
{
	u64 at = r->off;
	int err;

	err = ssi_ir_read(r, buf, s->size);
	if (err)
		return err;
	if (ssi_crc32c(0, buf, s->size) != s->data_crc)
		return ssi_ir_fail(r, -EINVAL, SSI_R_CSUM, s->type, at,
				   "section payload checksum");
	return 0;
}

int ssi_iw_init(struct ssi_img_writer *w, struct file *file)
{
	memset(w, 0, sizeof(*w));
	w->buf = vmalloc(SSI_IW_BUF);
	if (!w->buf)
		return -ENOMEM;
	w->file = file;
	/* Files advance their offset like write(2); streams have none. */
	w->has_pos = !(file->f_mode & FMODE_STREAM);
	if (w->has_pos)
		w->pos = file->f_pos;
	return 0;
}

void ssi_iw_destroy(struct ssi_img_writer *w)
{
	vfree(w->buf);
	w->buf = NULL;
}

static int ssi_iw_out(struct ssi_img_writer *w, const void *p, size_t len)
{
	ssize_t n;

	while (len) {
		n = kernel_write(w->file, p, len, w->has_pos ? &w->pos : NULL);
		if (n < 0)
			return n == -ERESTARTSYS ? -EINTR : (int)n;
		if (n == 0)
			return -EIO;
		p += n;
		len -= n;
	}
	if (w->has_pos)
		w->file->f_pos = w->pos;
	return 0;
}

int ssi_iw_flush(struct ssi_img_writer *w)
{
	int err = 0;

	if (w->fill)
		err = ssi_iw_out(w, w->buf, w->fill);
	w->fill = 0;
	return err;
}

int ssi_iw_write(struct ssi_img_writer *w, const void *p, size_t len)
{
	int err;

	w->off += len;
	if (w->fill + len <= SSI_IW_BUF) {
		memcpy(w->buf + w->fill, p, len);
		w->fill += len;
		return 0;
	}
	err = ssi_iw_flush(w);
	if (err)
		return err;
	if (len >= SSI_IW_BUF)
		return ssi_iw_out(w, p, len);
	memcpy(w->buf, p, len);
	w->fill = len;
	return 0;
}

int ssi_iw_section(struct ssi_img_writer *w, u32 type, const void *payload,
		   u64 size, u32 count)
{
	struct ssi_img_section s = {
		.type	= type,
		.size	= size,
		.count	= count,
		.data_crc = size ? ssi_crc32c(0, payload, size) : 0,
	};
	int err;

	ssi_img_seal(&s, sizeof(s), offsetof(struct ssi_img_section, crc));
	err = ssi_iw_write(w, &s, sizeof(s));
	if (!err && size)
		err = ssi_iw_write(w, payload, size);
	return err;
}
