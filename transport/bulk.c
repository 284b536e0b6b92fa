// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bulk.c - page-aligned bulk buffers with a small per-size-class cache.
 *
 * Each buffer is one allocation: a header page (struct ssi_tp_bulk) then
 * the data, so a data pointer leads back to its header.  Sizes are rounded
 * up to a power-of-two number of pages; a few buffers per class are kept
 * for reuse, because plugins may attach expensive state to them (verbs
 * registers them as RDMA memory regions).
 */
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "internal.h"

#define BULK_PAGE	4096u
#define BULK_LIVE	0x42554c4bu	/* "BULK" */
#define BULK_FREE	0x66726565u	/* "free" */

static int size_class(size_t len)
{
	size_t sz = BULK_PAGE;
	int cls = 0;

	while (sz < len) {
		sz <<= 1;
		if (++cls >= SSI_TP_BULK_CLASSES)
			return -1;
	}
	return cls;
}

void *ssi_tp_core_bulk_data(struct ssi_tp_bulk *b)
{
	return (char *)b + BULK_PAGE;
}

struct ssi_tp_bulk *ssi_tp_core_bulk_of(ssi_tp_t tp, void *data)
{
	struct ssi_tp_bulk *b;

	if (!data || ((uintptr_t)data & (BULK_PAGE - 1)))
		return NULL;
	b = (struct ssi_tp_bulk *)((char *)data - BULK_PAGE);
	if (b->magic != BULK_LIVE || b->tp != tp)
		return NULL;
	return b;
}

struct ssi_tp_bulk *ssi_tp_core_bulk_get(ssi_tp_t tp, size_t len)
{
	struct ssi_tp_bulk *b;
	void *mem;
	int cls;

	cls = size_class(len ? len : 1);
	if (cls < 0)
		return NULL;
	b = tp->bulk_cache[cls];
	if (b) {
		tp->bulk_cache[cls] = b->next;
		tp->bulk_cached[cls]--;
	} else {
		if (posix_memalign(&mem, BULK_PAGE,
				   BULK_PAGE + ((size_t)BULK_PAGE << cls)))
			return NULL;
		b = mem;
		memset(b, 0, sizeof(*b));
		b->cls = (uint32_t)cls;
		b->size = (size_t)BULK_PAGE << cls;
		b->tp = tp;
	}
	b->magic = BULK_LIVE;
	b->next = NULL;
	return b;
}

static void bulk_destroy(struct ssi_tp *tp, struct ssi_tp_bulk *b)
{
	if (tp->plugin.ops.bulk_release && tp->plugin.state)
		tp->plugin.ops.bulk_release(tp->plugin.state, b);
	b->magic = 0;
	free(b);
}

void ssi_tp_core_bulk_put(ssi_tp_t tp, struct ssi_tp_bulk *b)
{
	if (!b)
		return;
	b->magic = BULK_FREE;
	/* a few buffers per class, or SSI_TP_BULK_CACHE_BYTES of them */
	if ((tp->bulk_cached[b->cls] >= SSI_TP_BULK_CACHE_PER &&
	     (tp->bulk_cached[b->cls] + 1) * b->size > SSI_TP_BULK_CACHE_BYTES) ||
	    tp->destroying) {
		bulk_destroy(tp, b);
		return;
	}
	b->next = tp->bulk_cache[b->cls];
	tp->bulk_cache[b->cls] = b;
	tp->bulk_cached[b->cls]++;
}

void ssi_tp_bulk_cache_drain(struct ssi_tp *tp)
{
	struct ssi_tp_bulk *b;
	int cls;

	for (cls = 0; cls < SSI_TP_BULK_CLASSES; cls++) {
		while ((b = tp->bulk_cache[cls])) {
			tp->bulk_cache[cls] = b->next;
			bulk_destroy(tp, b);
		}
		tp->bulk_cached[cls] = 0;
	}
}

void *ssi_tp_bulk_alloc(ssi_tp_t tp, size_t len)
{
	struct ssi_tp_bulk *b;

	if (len == 0 || len > tp->max_payload)
		return NULL;
	b = ssi_tp_core_bulk_get(tp, len);
	return b ? ssi_tp_core_bulk_data(b) : NULL;
}

void ssi_tp_bulk_free(ssi_tp_t tp, void *buf)
{
	struct ssi_tp_bulk *b;

	if (!buf)
		return;
	b = ssi_tp_core_bulk_of(tp, buf);
	if (!b) {
		ssi_tp_core_log(tp, LOG_ERR,
				"transport: ssi_tp_bulk_free: %p is not a live "
				"bulk buffer (double free?)", buf);
		return;
	}
	ssi_tp_core_bulk_put(tp, b);
}
