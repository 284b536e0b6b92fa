// SPDX-License-Identifier: GPL-2.0
/*
 * ssi_imgparse.c - the layout of an image and resealing its parts
 * (ssi_imgparse.h).
 */
#include "ssi_imgparse.h"

int ssi_ip_parse(struct ssi_ip *ip, const u8 *img, size_t len)
{
	const struct ssi_img_header *h = (const void *)img;
	size_t off = sizeof(*h);

	ip->nr_secs = 0;
	ip->nr_runs = 0;
	ip->complete = false;
	ip->end = 0;
	if (len < sizeof(*h) || h->magic != SSI_IMG_MAGIC)
		return -1;
	ip->page_size = h->page_size;
	ip->nr_threads = h->nr_threads;
	while (off + sizeof(struct ssi_img_section) <= len &&
	       ip->nr_secs < SSI_IP_MAX_SECS) {
		const struct ssi_img_section *s = (const void *)(img + off);
		struct ssi_ip_sec *e = &ip->secs[ip->nr_secs++];

		e->type = s->type;
		e->hoff = off;
		e->poff = off + sizeof(*s);
		e->size = s->size;
		if (s->size > len - e->poff) {
			ip->nr_secs--;
			break;
		}
		off = e->poff + s->size;
		if (s->type == SSI_SEC_PAGES) {
			for (;;) {
				const struct ssi_img_pages *p = (const void *)(img + off);
				u64 data;

				if (off + sizeof(*p) > len || !ip->page_size)
					goto out;
				data = (u64)p->nr_pages * ip->page_size;
				if (data > len - off - sizeof(*p))
					goto out;
				if (ip->nr_runs <= SSI_IP_MAX_RUNS)
					ip->runs[ip->nr_runs++] = (struct ssi_ip_run){
						off, off + sizeof(*p), p->nr_pages };
				off += sizeof(*p) + data;
				if (!p->nr_pages)
					break;
			}
			ip->nr_runs--;	/* the terminator is not a data run */
		}
		if (s->type == SSI_SEC_END) {
			ip->complete = true;
			break;
		}
	}
out:
	ip->end = off;
	return ip->complete ? 0 : -1;
}

struct ssi_ip_sec *ssi_ip_find(struct ssi_ip *ip, u32 type)
{
	int i;

	for (i = 0; i < ip->nr_secs; i++)
		if (ip->secs[i].type == type)
			return &ip->secs[i];
	return NULL;
}

void ssi_ip_seal_header(u8 *img)
{
	ssi_img_seal(img, sizeof(struct ssi_img_header),
		     offsetof(struct ssi_img_header, crc));
}

void ssi_ip_seal_sec(u8 *img, const struct ssi_ip_sec *e)
{
	struct ssi_img_section *s = (void *)(img + e->hoff);

	if (s->type != SSI_SEC_PAGES)
		s->data_crc = ssi_crc32c(0, img + e->poff, e->size);
	ssi_img_seal(s, sizeof(*s), offsetof(struct ssi_img_section, crc));
}

void ssi_ip_seal_run(u8 *img, const struct ssi_ip_run *r, bool data,
		     u32 page_size)
{
	struct ssi_img_pages *p = (void *)(img + r->hoff);

	if (data)
		p->data_crc = ssi_crc32c(0, img + r->doff, (size_t)r->nr * page_size);
	ssi_img_seal(p, sizeof(*p), offsetof(struct ssi_img_pages, crc));
}
