// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * image_peek.c - what ssid reads in an image before a restore (see
 * image_peek.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "migrate/image_peek.h"

static int read_at(int fd, void *buf, size_t len, uint64_t off)
{
	ssize_t n = pread(fd, buf, len, (off_t)off);

	return n == (ssize_t)len ? 0 : -EIO;
}

static int read_header(int fd, struct ssi_img_header *h)
{
	int rc = read_at(fd, h, sizeof(*h), 0);

	if (rc)
		return rc;
	if (h->magic != SSI_IMG_MAGIC || h->version != SSI_IMG_VERSION ||
	    h->header_size != sizeof(*h) || !h->nr_threads ||
	    h->nr_threads > SSI_IMG_MAX_THREADS)
		return -EINVAL;
	return 0;
}

/*
 * The sections before PAGES (TASK, ..., the THREAD ones last among them),
 * one by one: @fn(section, its payload's offset, @arg) until it returns
 * nonzero.  Return: that value, 0 at PAGES or END, or -errno.
 */
static int each_section(int fd, const struct ssi_img_header *h,
			int (*fn)(int fd, const struct ssi_img_section *s, uint64_t off,
				  void *arg),
			void *arg)
{
	struct ssi_img_section s;
	uint64_t off;
	int rc;

	for (off = h->header_size;;) {
		rc = read_at(fd, &s, sizeof(s), off);
		if (rc)
			return rc;
		if (s.type == SSI_SEC_PAGES || s.type == SSI_SEC_END)
			return 0;
		if (s.size > SSI_IMG_MAX_FILES_BYTES + (64U << 20))	/* VMAS at most */
			return -EINVAL;
		rc = fn(fd, &s, off + sizeof(s), arg);
		if (rc)
			return rc;
		off += sizeof(s) + s.size;
	}
}

/* What the THREAD sections say of each thread: its tid or its policy. */
struct tid_list {
	int32_t *tids;
	struct ssi_img_mempolicy *mpol;
	uint32_t n, want;
};

static int add_tid(int fd, const struct ssi_img_section *s, uint64_t off, void *arg)
{
	struct tid_list *l = arg;
	struct ssi_img_thread t;
	int rc;

	if (s->type != SSI_SEC_THREAD)
		return 0;
	if (l->n >= l->want || s->size < sizeof(t))
		return -EINVAL;
	rc = read_at(fd, &t, sizeof(t), off);
	if (rc)
		return rc;
	if (l->tids)
		l->tids[l->n] = t.home_tid;
	if (l->mpol)
		l->mpol[l->n] = t.mempolicy;
	l->n++;
	return 0;
}

/*
 * The THREAD sections of the image in @fd into @l, after the leader's
 * slot; its header into @h.  Return: the number of threads, or -errno.
 */
static int threads_read(int fd, uint32_t max, struct tid_list *l, struct ssi_img_header *h)
{
	int rc;

	rc = read_header(fd, h);
	if (rc)
		return rc;
	if (h->nr_threads > max)
		return -E2BIG;
	l->n = 1;
	l->want = h->nr_threads;
	rc = each_section(fd, h, add_tid, l);
	if (rc)
		return rc;
	return l->n == h->nr_threads ? (int)l->n : -EINVAL;
}

int image_threads_read(int fd, int32_t *tids, uint32_t max)
{
	struct ssi_img_header h;
	struct tid_list l = { .tids = tids };
	int n;

	n = threads_read(fd, max, &l, &h);
	if (n > 0)
		tids[0] = h.home_pid;
	return n;
}

static int take_task(int fd, const struct ssi_img_section *s, uint64_t off, void *arg)
{
	int rc;

	if (s->type != SSI_SEC_TASK)
		return 0;
	if (s->size != sizeof(struct ssi_img_task))
		return -EINVAL;
	rc = read_at(fd, arg, sizeof(struct ssi_img_task), off);
	return rc ? rc : 1;
}

int image_task_read(int fd, struct ssi_img_task *t)
{
	struct ssi_img_header h;
	int rc;

	rc = read_header(fd, &h);
	if (rc)
		return rc;
	rc = each_section(fd, &h, take_task, t);
	if (rc < 0)
		return rc;
	return rc == 1 ? 0 : -EINVAL;
}

int image_mempolicies_read(int fd, struct ssi_img_mempolicy *mpol, uint32_t max)
{
	struct ssi_img_header h;
	struct tid_list l = { .mpol = mpol };
	struct ssi_img_task *t;
	int n, rc;

	n = threads_read(fd, max, &l, &h);
	if (n < 0)
		return n;
	t = malloc(sizeof(*t));		/* 3 KiB */
	if (!t)
		return -ENOMEM;
	rc = image_task_read(fd, t);
	if (!rc)
		mpol[0] = t->leader.mempolicy;
	free(t);
	return rc ? rc : n;
}

/* A section of @count records of @rec_size bytes each, at most @max. */
struct record_list {
	uint32_t type, max;
	size_t rec_size;
	void *p;
	uint32_t n;
};

static int take_records(int fd, const struct ssi_img_section *s, uint64_t off, void *arg)
{
	struct record_list *l = arg;
	int rc;

	if (s->type != l->type)
		return 0;
	if (s->count > l->max || s->size != (uint64_t)s->count * l->rec_size)
		return -EINVAL;
	if (!s->count)
		return 1;
	l->p = malloc(s->size);
	if (!l->p)
		return -ENOMEM;
	rc = read_at(fd, l->p, s->size, off);
	if (rc)
		return rc;
	l->n = s->count;
	return 1;
}

/* The records of section @l->type into *@out (NULL if none); their number or -errno. */
static int records_read(int fd, struct record_list *l, void **out)
{
	struct ssi_img_header h;
	int rc;

	*out = NULL;
	rc = read_header(fd, &h);
	if (!rc)
		rc = each_section(fd, &h, take_records, l);
	if (rc != 1) {
		free(l->p);
		return rc ? rc : -EINVAL;	/* 0: no such section */
	}
	*out = l->p;
	return (int)l->n;
}

int image_timers_read(int fd, struct ssi_img_posix_timer **out)
{
	struct record_list l = {
		.type = SSI_SEC_TIMERS, .max = SSI_IMG_MAX_TIMERS,
		.rec_size = sizeof(struct ssi_img_posix_timer),
	};

	return records_read(fd, &l, (void **)out);
}

int image_ldt_read(int fd, uint64_t **out)
{
	struct record_list l = {
		.type = SSI_SEC_LDT, .max = SSI_IMG_MAX_LDT, .rec_size = sizeof(uint64_t),
	};

	return records_read(fd, &l, (void **)out);
}

int image_vmas_read(int fd, struct ssi_img_vma **out)
{
	struct record_list l = {
		.type = SSI_SEC_VMAS, .max = SSI_IMG_MAX_VMAS,
		.rec_size = sizeof(struct ssi_img_vma),
	};

	return records_read(fd, &l, (void **)out);
}

struct files_walk {
	struct image_files *l;
	bool files_seen, vmas_seen;
};

static int take_files(int fd, const struct ssi_img_section *s, uint64_t off,
		      struct image_files *l)
{
	uint64_t at = 0;
	uint32_t i;
	int rc;

	if (s->count > SSI_IMG_MAX_FILES || s->size > SSI_IMG_MAX_FILES_BYTES)
		return -EINVAL;
	l->payload = malloc(s->size ? s->size : 1);
	l->f = calloc(s->count ? s->count : 1, sizeof(*l->f));
	if (!l->payload || !l->f)
		return -ENOMEM;
	rc = read_at(fd, l->payload, s->size, off);
	if (rc)
		return rc;
	for (i = 0; i < s->count; i++) {
		const struct ssi_img_file *r = (const void *)((char *)l->payload + at);

		if (s->size - at < sizeof(*r) || r->rec_size < sizeof(*r) ||
		    r->rec_size % 8 || r->rec_size > s->size - at ||
		    r->path_len >= r->rec_size - sizeof(*r) ||
		    ((const char *)(r + 1))[r->path_len])
			return -EINVAL;
		l->f[i].id = r;
		l->f[i].path = (const char *)(r + 1);
		at += r->rec_size;
	}
	l->n = s->count;
	return 0;
}

static int take_vmas(int fd, const struct ssi_img_section *s, uint64_t off,
		     struct image_files *l)
{
	struct ssi_img_vma v;
	uint32_t i;
	int rc;

	if (s->size != (uint64_t)s->count * sizeof(v))
		return -EINVAL;
	for (i = 0; i < s->count; i++) {
		rc = read_at(fd, &v, sizeof(v), off + (uint64_t)i * sizeof(v));
		if (rc)
			return rc;
		if (v.kind != SSI_VMA_FILE && v.kind != SSI_VMA_DSM)
			continue;
		if (v.file >= l->n)
			return -EINVAL;
		if (!l->f[v.file].end) {
			l->f[v.file].start = v.start;
			l->f[v.file].end = v.end;
		}
	}
	return 0;
}

static int take_files_vmas(int fd, const struct ssi_img_section *s, uint64_t off,
			   void *arg)
{
	struct files_walk *w = arg;

	if (s->type == SSI_SEC_FILES && !w->files_seen) {
		w->files_seen = true;
		return take_files(fd, s, off, w->l);
	}
	/* the module writes FILES first, then VMAS, which names them */
	if (s->type == SSI_SEC_VMAS && w->files_seen && !w->vmas_seen) {
		w->vmas_seen = true;
		return take_vmas(fd, s, off, w->l);
	}
	return 0;
}

int image_files_read(int fd, struct image_files *out)
{
	struct files_walk w = { .l = out };
	struct ssi_img_header h;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = read_header(fd, &h);
	if (!rc)
		rc = each_section(fd, &h, take_files_vmas, &w);
	if (!rc && !w.vmas_seen)
		rc = -EINVAL;
	if (rc)
		image_files_free(out);
	return rc;
}

void image_files_free(struct image_files *l)
{
	free(l->f);
	free(l->payload);
	memset(l, 0, sizeof(*l));
}
