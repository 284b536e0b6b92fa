/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ssi_imgparse.h - where the parts of an image lie, for the tools that
 * derive broken images from a good one (ssi-mutate's catalogue,
 * ssi-image-fuzz's random mutations), and how to seal a changed part
 * again so that its CRCs hold and the change reaches the checks behind
 * them.  No validation: that is ssi_imgcheck.c's.
 */
#ifndef SSI_IMGPARSE_H
#define SSI_IMGPARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "ssi_imgcheck.h"

/* header, TASK ... VMAS, THREADs, SIGQUEUE, TIMERS, LDT, PAGES, END */
#define SSI_IP_MAX_SECS		(9 + SSI_IMG_MAX_THREADS)
#define SSI_IP_MAX_RUNS		4096

struct ssi_ip_sec {
	u32 type;
	size_t hoff;		/* offset of its struct ssi_img_section */
	size_t poff;		/* offset of its payload */
	u64 size;		/* payload bytes, as its header said */
};

struct ssi_ip_run {
	size_t hoff;		/* offset of its struct ssi_img_pages */
	size_t doff;		/* offset of its data */
	u32 nr;			/* pages */
};

/*
 * struct ssi_ip - the layout of one image
 * @runs:	the data runs of PAGES; runs[nr_runs] is the terminating run
 *		once @complete (runs past SSI_IP_MAX_RUNS are not listed).
 * @complete:	END was reached; else the lists stop where the image
 *		stopped making sense (ssi-image-fuzz parses broken images).
 * @end:	bytes parsed.
 */
struct ssi_ip {
	u32 page_size;
	u32 nr_threads;
	int nr_secs;
	struct ssi_ip_sec secs[SSI_IP_MAX_SECS];
	int nr_runs;
	struct ssi_ip_run runs[SSI_IP_MAX_RUNS + 1];
	bool complete;
	size_t end;
};

/* Lay out the @len bytes at @img; 0 if it is a whole image, else -1. */
int ssi_ip_parse(struct ssi_ip *ip, const u8 *img, size_t len);
/* The first section of @type, or NULL. */
struct ssi_ip_sec *ssi_ip_find(struct ssi_ip *ip, u32 type);

/* Recompute the CRCs that cover a changed field, in @img. */
void ssi_ip_seal_header(u8 *img);
/* The payload's CRC over @e->size bytes (not PAGES), then the header's. */
void ssi_ip_seal_sec(u8 *img, const struct ssi_ip_sec *e);
/* A run's header; with @data, its data's CRC first (@page_size pages). */
void ssi_ip_seal_run(u8 *img, const struct ssi_ip_run *r, bool data,
		     u32 page_size);

#endif /* SSI_IMGPARSE_H */
