// SPDX-License-Identifier: GPL-2.0
/*
 * ssi-image-fuzz - feed ssi.ko many mutated images and random ioctls
 * (the lab's kernel fuzzer, test/lab/t-19-image-fuzz.sh).
 *
 *   ssi-image-fuzz [-n IMAGES] [-t SECONDS] [-s SEED] [-f FIRST]
 *                  [-r RESTORES] [-R RETURNS] [-i IOCTLS] [-u UID:GID]
 *                  [-x SSI-RESTORE] [-p FILE] [-W OUT [-S N]] [-L DIR]
 *                  [-v] IMAGE...
 *
 * Runs as root on a node with ssi.ko loaded.  IMAGEs are good images
 * (dumped there or on a node of the same kernel); each is checked to be
 * accepted first.  Image number k (FIRST, FIRST + 1, ...) is derived from
 * one of them by 1 to 4 structure-aware mutations drawn from a generator
 * seeded with (SEED, k), so that "-s SEED -f K -W OUT" writes exactly the
 * image k was (a reproducer; add -S N for an image of phase 3, which
 * derives all from the Nth IMAGE, counted from 0, its single-threaded
 * one).  Mutations (ssi_imgparse.h knows the layout) change a field of
 * the header, of a section's payload or header, of a page run or of END
 * to a value from a list of edge values and recompute every CRC over it
 * (so that the change reaches the check behind the CRCs), flip bytes
 * without resealing, truncate, swap, duplicate, drop or splice sections
 * (from another image too), add records to the counted sections (queued
 * signals, POSIX timers, LDT entries, VMAs, files), drop, duplicate or
 * swap page runs, and make END's totals agree again.
 * Most mutations start from a small copy of a seed with three one-page
 * runs, which is as valid and many times faster to read.
 *
 * Phases, each in a child process whose death is reported:
 *  1. IMAGES images in SSI_RESTORE_VERIFY_ONLY mode (or until SECONDS):
 *     three quarters as root, a quarter as UID:GID (default nobody),
 *     from a regular file, one in eight from a pipe.  A verify-only call
 *     must change nothing in the caller: its maps, limits, signal mask,
 *     itimers and name are compared every 256 images.
 *  2. RESTORES real restores by SSI-RESTORE (default: beside this
 *     program) as UID:GID, from a file or a pipe, each with a time limit:
 *     refused (exit 1 or 2), killed past the point of no return (SIGKILL),
 *     or restored (the helper's name changed, or still there at the
 *     limit: then SIGKILLed).
 *  3. RETURNS SSI_IOC_RETURN calls, as root, into a process of ours
 *     frozen with SSI_DUMP_FREEZE_ONLY after moving its vDSO where the
 *     single-threaded image has it, frozen in pause() or in user mode:
 *     a refused image leaves it frozen for the next one; an accepted one
 *     is SIGKILLed and another made.  Refused as an unfit caller is
 *     impossible.
 *  4. IOCTLS random ioctls on /dev/ssi as root and as many again as
 *     UID:GID: command numbers of ssi.ko and around them, argument
 *     structs filled with edge values, pids of our own processes (never
 *     anyone else's), random descriptors (our own /proc files, whose
 *     read state SSI_IOC_SEQ_SET rewrites and which are read after, and
 *     a DSM segment's channel, which its grants and revocations go to,
 *     and a home segment's over a memfd of ours, which wraps go to, of
 *     the target's shared mapping of that memfd or elsewhere),
 *     argument pointers at a page's end, unmapped or in the kernel.
 * -p FILE: the number of the image in progress is kept in FILE (shared
 * memory), so that a crash of the kernel names it.  -L DIR: the seeds'
 * mapped files are copied into DIR (node-local, readable by UID:GID) and
 * the seeds point at the copies: opening files on the lab's 9p root costs
 * more than the rest of a verification.  -v: every refusal's reason.
 * Prints a summary; exit status 0, 1 if something impossible was seen
 * (a verify-only call changed its caller or returned nonsense, a phase's
 * child died unexpectedly), 2 on errors of use or setup.
 */
#define _GNU_SOURCE
#include <grp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

#include "ssi_tool.h"
#include "ssi_imgparse.h"
#include "vdso_move.h"

#define KERNEL_ADDR	0xffff800000000000ULL
#define MAX_SEEDS	8

/* ---- random numbers: each image its own stream ---- */

static u64 rng;

static u64 rnd(void)
{
	u64 z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* 0 .. n - 1 (n > 0) */
static u64 below(u64 n)
{
	return n ? rnd() % n : 0;
}

static bool chance(unsigned int pct)
{
	return below(100) < pct;
}

/* ---- the seeds ---- */

struct seed {
	const char *path;
	u8 *img;
	size_t len;
	u8 *small;		/* a copy with three one-page runs */
	size_t small_len;
	u32 nr_threads;
};

static struct seed seeds[MAX_SEEDS];
static int nr_seeds;

/* The first single-threaded seed (else the first). */
static int single_seed(void)
{
	int i;

	for (i = 0; i < nr_seeds; i++)
		if (seeds[i].nr_threads == 1)
			return i;
	return 0;
}
static int only_seed = -1;	/* the seed every image starts from, or any */
static bool verbose;
static u8 *buf, *tmp;
static size_t len, cap;
static struct ssi_ip ip;	/* of buf, as the last op left it */

static void *xmalloc(size_t n)
{
	void *p = malloc(n);

	if (!p)
		die("out of memory");
	return p;
}

static const char *local_dir;	/* -L */

/* Copy @from to @to (mode 0644). */
static void copy_file(const char *from, const char *to)
{
	char b[1 << 16];
	int in = open(from, O_RDONLY), out;
	ssize_t n;

	out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (in < 0 || out < 0)
		die("copying %s to %s: %s", from, to, strerror(errno));
	while ((n = read(in, b, sizeof(b))) > 0)
		if (write(out, b, n) != n)
			die("%s: %s", to, strerror(errno));
	if (n < 0 || close(out))
		die("copying %s: %s", from, strerror(errno));
	close(in);
	fchmod(out, 0644);
}

/*
 * -L: the mapped files of seed @nr copied into local_dir, and the seed's
 * FILES pointed at the copies (same content, same identity).  Each open of
 * a file on the lab nodes' 9p root costs milliseconds under TCG, more than
 * all the rest of a verification.
 */
static void localise(struct seed *s, int nr)
{
	struct ssi_ip_sec *e = ssi_ip_find(&ip, SSI_SEC_FILES);
	size_t off = 0;
	u32 i;

	if (!e)
		return;
	for (i = 0; off + sizeof(struct ssi_img_file) <= e->size; i++) {
		struct ssi_img_file *f = (void *)(s->img + e->poff + off);
		char *path = (char *)(f + 1), copy[64];
		size_t n;

		if (!f->rec_size || f->rec_size > e->size - off)
			die("%s: a FILES record of %u bytes", s->path, f->rec_size);
		n = snprintf(copy, sizeof(copy), "%s/%d-%u", local_dir, nr, i);
		if (n <= f->path_len) {
			copy_file(path, copy);
			memset(path, 0, f->path_len);
			memcpy(path, copy, n);
			f->path_len = n;
		} else {
			printf("%s: %s not copied: its path is shorter than %s\n",
			       s->path, path, copy);
		}
		off += f->rec_size;
	}
	ssi_ip_seal_sec(s->img, e);
}

static void load_seed(const char *path)
{
	struct seed *s = &seeds[nr_seeds++];
	struct ssi_img_end *end;
	struct ssi_ip_sec *pages;
	struct stat st;
	size_t off;
	FILE *f;
	int i, n;

	s->path = path;
	f = fopen(path, "rb");
	if (!f || fstat(fileno(f), &st))
		die("%s: %s", path, strerror(errno));
	s->len = st.st_size;
	s->img = xmalloc(s->len);
	if (fread(s->img, 1, s->len, f) != s->len)
		die("%s: cannot read", path);
	fclose(f);
	if (ssi_ip_parse(&ip, s->img, s->len) || ip.end != s->len)
		die("%s: not a whole image", path);
	s->nr_threads = ip.nr_threads;
	if (local_dir)
		localise(s, nr_seeds - 1);

	/* The small copy: everything up to PAGES, 1 page of 3 runs, END. */
	pages = ssi_ip_find(&ip, SSI_SEC_PAGES);
	n = ip.nr_runs < 3 ? ip.nr_runs : 3;
	s->small = xmalloc(pages->poff + n * (sizeof(struct ssi_img_pages) + ip.page_size) +
			   sizeof(struct ssi_img_pages) + sizeof(struct ssi_img_section) +
			   sizeof(struct ssi_img_end));
	off = pages->poff;
	memcpy(s->small, s->img, off);
	for (i = 0; i < n; i++) {
		struct ssi_ip_run r = { off, off + sizeof(struct ssi_img_pages), 1 };

		memcpy(s->small + off, s->img + ip.runs[i].hoff,
		       sizeof(struct ssi_img_pages) + ip.page_size);
		((struct ssi_img_pages *)(s->small + off))->nr_pages = 1;
		ssi_ip_seal_run(s->small, &r, true, ip.page_size);
		off = r.doff + ip.page_size;
	}
	memcpy(s->small + off, s->img + ip.runs[ip.nr_runs].hoff,
	       sizeof(struct ssi_img_pages));
	off += sizeof(struct ssi_img_pages);
	memcpy(s->small + off, s->img + ssi_ip_find(&ip, SSI_SEC_END)->hoff,
	       sizeof(struct ssi_img_section) + sizeof(struct ssi_img_end));
	end = (void *)(s->small + off + sizeof(struct ssi_img_section));
	end->nr_pages = n;
	end->nr_runs = n;
	end->image_bytes = off;
	s->small_len = off + sizeof(struct ssi_img_section) + sizeof(*end);
	if (ssi_ip_parse(&ip, s->small, s->small_len))
		die("%s: cannot make its small copy", path);
	ssi_ip_seal_sec(s->small, ssi_ip_find(&ip, SSI_SEC_END));
	if (s->len * 2 + (1 << 16) > cap)
		cap = s->len * 2 + (1 << 16);
}

/* ---- mutations of buf[0..len) ---- */

static void reparse(void)
{
	ssi_ip_parse(&ip, buf, len);
}

static u64 edge_value(u64 orig, unsigned int width)
{
	static const u64 edges[] = {
		0, 1, 2, 3, 7, 8, 15, 16, 17, 31, 32, 63, 64, 65, 100, 127, 128,
		255, 256, 511, 512, 513, 1023, 1024, 1025, 4095, 4096, 4097,
		8192, 65535, 65536, 0x7fffffffULL, 0x80000000ULL, 0xffffffffULL,
		0x100000000ULL, 0x7ffffffff000ULL, 0x7ffffffffff0ULL,
		0x800000000000ULL, KERNEL_ADDR, 0xffffffff81000000ULL,
		0x7fffffffffffffffULL, 0x8000000000000000ULL, ~0ULL, ~0ULL - 1,
		1ULL << 62, 0x400000, 0x10000, 0x2b, 0x33, 0x10, 0x23,
	};
	u64 v;

	switch (below(10)) {
	case 0: case 1: case 2:
		v = edges[below(sizeof(edges) / sizeof(edges[0]))];
		break;
	case 3:
		v = orig + 1 + below(4);
		break;
	case 4:
		v = orig - 1 - below(4);
		break;
	case 5:
		v = orig ^ (1ULL << below(width * 8));
		break;
	case 6:
		v = orig + ((below(2) ? 1 : -1) * (u64)4096 * (1 + below(16)));
		break;
	case 7:
		v = -(u64)below(64);
		break;
	default:
		v = rnd();
		break;
	}
	return v;
}

static void put(u8 *p, unsigned int width, u64 v)
{
	memcpy(p, &v, width);	/* little endian */
}

static u64 get(const u8 *p, unsigned int width)
{
	u64 v = 0;

	memcpy(&v, p, width);
	return v;
}

/* A field of width 1..8 at a random aligned offset of [at, at + size). */
static void poke_field(size_t at, size_t size, size_t hole)
{
	static const unsigned int widths[] = { 1, 2, 4, 8, 8, 8 };
	unsigned int w = widths[below(6)];
	size_t off;

	if (size < w)
		w = 1;
	if (!size)
		return;
	off = below((size - w) / w + 1) * w;
	if (hole != (size_t)-1 && off + w > hole && off < hole + 4)
		off = hole >= w ? hole - w : hole + 4;
	if (off + w > size)
		return;
	put(buf + at + off, w, edge_value(get(buf + at + off, w), w));
}

/* Change a field and seal what covers it. */
static void op_field(void)
{
	unsigned int what = below(10);
	struct ssi_ip_sec *e;

	if (!ip.nr_secs || what < 2) {
		poke_field(0, sizeof(struct ssi_img_header),
			   offsetof(struct ssi_img_header, crc));
		ssi_ip_seal_header(buf);
		return;
	}
	if (what < 4 && ip.nr_runs > 0) {
		const struct ssi_ip_run *r = &ip.runs[below(ip.nr_runs + ip.complete)];

		if (r->nr && chance(30)) {
			poke_field(r->doff, (size_t)r->nr * ip.page_size, -1);
			ssi_ip_seal_run(buf, r, true, ip.page_size);
		} else {
			poke_field(r->hoff, sizeof(struct ssi_img_pages),
				   offsetof(struct ssi_img_pages, crc));
			ssi_ip_seal_run(buf, r, false, ip.page_size);
		}
		return;
	}
	e = &ip.secs[below(ip.nr_secs)];
	if (what < 6 || !e->size) {
		/* type, flags, size, count, data_crc, reserved */
		poke_field(e->hoff, offsetof(struct ssi_img_section, crc),
			   (size_t)-1);
		ssi_img_seal(buf + e->hoff, sizeof(struct ssi_img_section),
			     offsetof(struct ssi_img_section, crc));
		return;
	}
	poke_field(e->poff, e->size, -1);
	ssi_ip_seal_sec(buf, e);
}

static void op_flip(void)
{
	int i, n = 1 + below(4);

	for (i = 0; i < n && len; i++)
		buf[below(len)] ^= 1 << below(8);
}

static void op_truncate(void)
{
	if (ip.nr_secs && chance(60)) {
		const struct ssi_ip_sec *e = &ip.secs[below(ip.nr_secs)];
		size_t at = chance(50) ? e->hoff : e->poff;

		at += below(64);
		if (at < len)
			len = at;
		return;
	}
	len = below(len + 1);
}

/* Rebuild buf from pieces of @src: (offset, length) pairs. */
struct piece {
	const u8 *src;
	size_t len;
};

static void assemble(const struct piece *p, int n)
{
	size_t off = 0;
	int i;

	for (i = 0; i < n; i++) {
		if (off + p[i].len > cap)
			break;
		memcpy(tmp + off, p[i].src, p[i].len);
		off += p[i].len;
	}
	memcpy(buf, tmp, off);
	len = off;
}

/*
 * The image as pieces: the header, each section before PAGES, PAGES with
 * its runs, END and what follows.  Returns how many; *pages is the index
 * of the PAGES piece (or n).
 */
static int pieces_of(struct piece *p, int max, int *pages)
{
	int i, n = 0;

	*pages = -1;
	p[n++] = (struct piece){ buf, sizeof(struct ssi_img_header) };
	for (i = 0; i < ip.nr_secs && n < max - 1; i++) {
		const struct ssi_ip_sec *e = &ip.secs[i];
		size_t end = i + 1 < ip.nr_secs ? ip.secs[i + 1].hoff : ip.end;

		if (e->type == SSI_SEC_PAGES)
			*pages = n;
		p[n++] = (struct piece){ buf + e->hoff, end - e->hoff };
	}
	if (ip.end < len && n < max)
		p[n++] = (struct piece){ buf + ip.end, len - ip.end };
	return n;
}

static struct piece pcs[SSI_IP_MAX_SECS + 8];

static void op_sections(void)
{
	int n, pages, a, b, i;
	struct piece t;

	if (ip.nr_secs < 2)
		return op_flip();
	n = pieces_of(pcs, SSI_IP_MAX_SECS + 4, &pages);
	a = 1 + below(n - 1);
	b = 1 + below(n - 1);
	switch (below(4)) {
	case 0:		/* swap */
		t = pcs[a];
		pcs[a] = pcs[b];
		pcs[b] = t;
		break;
	case 1:		/* duplicate a at b */
		if (n >= SSI_IP_MAX_SECS + 4)
			return;
		t = pcs[a];
		memmove(&pcs[b + 1], &pcs[b], (n - b) * sizeof(pcs[0]));
		pcs[b] = t;
		n++;
		break;
	case 2:		/* drop */
		memmove(&pcs[a], &pcs[a + 1], (n - a - 1) * sizeof(pcs[0]));
		n--;
		break;
	default: {	/* a section of the same type from another seed */
		const struct seed *s = &seeds[below(nr_seeds)];
		static struct ssi_ip other;
		u32 type = ip.secs[a - 1 < ip.nr_secs ? a - 1 : 0].type;

		if (ssi_ip_parse(&other, s->small, s->small_len))
			return;
		for (i = 0; i < other.nr_secs; i++)
			if (other.secs[i].type == type && type != SSI_SEC_PAGES &&
			    a - 1 < ip.nr_secs) {
				size_t end = i + 1 < other.nr_secs ?
					     other.secs[i + 1].hoff : other.end;

				pcs[a] = (struct piece){ s->small + other.secs[i].hoff,
							 end - other.secs[i].hoff };
				break;
			}
		break;
	}
	}
	assemble(pcs, n);
}

/* Runs: drop, duplicate or swap, then maybe a header count to match. */
static void op_runs(void)
{
	struct ssi_ip_sec *pg = ssi_ip_find(&ip, SSI_SEC_PAGES);
	int n = 0, i, a, b, k;
	size_t end;

	if (!pg || ip.nr_runs < 1 || !ip.complete)
		return op_field();
	pcs[n++] = (struct piece){ buf, pg->poff };
	for (i = 0; i < ip.nr_runs && n < SSI_IP_MAX_SECS; i++)
		pcs[n++] = (struct piece){ buf + ip.runs[i].hoff,
					   sizeof(struct ssi_img_pages) +
					   (size_t)ip.runs[i].nr * ip.page_size };
	end = ip.runs[ip.nr_runs].hoff;
	pcs[n++] = (struct piece){ buf + end, len - end };
	k = n - 2;	/* data runs: pcs[1 .. k] */
	a = 1 + below(k);
	b = 1 + below(k);
	switch (below(3)) {
	case 0:
		memmove(&pcs[a], &pcs[a + 1], (n - a - 1) * sizeof(pcs[0]));
		n--;
		break;
	case 1:
		memmove(&pcs[b + 1], &pcs[b], (n - b) * sizeof(pcs[0]));
		pcs[b] = pcs[a > b ? a + 1 : a];
		n++;
		break;
	default: {
		struct piece t = pcs[a];

		pcs[a] = pcs[b];
		pcs[b] = t;
		break;
	}
	}
	assemble(pcs, n);
}

static void fix_end(void);

/* A plausible, or not, record for a counted section. */
static size_t make_record(u32 type, u8 *rec, const struct ssi_ip_sec *e)
{
	static const s32 codes[] = { 0, -1, -2, -6, 1, 2, 3, 6, 0x80, -60 };
	static const s32 clocks[] = { 0, 1, 7, 11, 2, 3, 4, 5, 8, 9, -1, -2, -6, -14,
				      -8, -8 | 4 | 2 };	/* own process's, a thread's */
	const struct ssi_img_header *h = (const void *)buf;
	s32 *w = (s32 *)rec;
	size_t n, i;

	switch (type) {
	case SSI_SEC_SIGQUEUE:
		n = sizeof(struct ssi_img_siginfo);
		memset(rec, 0, n);
		w[0] = chance(70) ? 0 : chance(50) ? (u64)h->home_pid : edge_value(0, 4);
		w[2] = chance(80) ? 1 + below(64) : edge_value(0, 4);	/* si_signo */
		w[3] = chance(90) ? 0 : 1;				/* si_errno */
		w[4] = codes[below(10)];				/* si_code */
		for (i = 20; i < n; i++)
			rec[i] = chance(50) ? 0 : rnd();
		return n;
	case SSI_SEC_TIMERS: {
		struct ssi_img_posix_timer *t = (void *)rec;

		n = sizeof(*t);
		memset(rec, 0, n);
		t->id = chance(70) ? below(8) : edge_value(0, 4);
		t->clock = chance(80) ? (u64)clocks[below(16)] : edge_value(0, 4);
		t->notify = chance(80) ? below(3) | (chance(30) ? 4 : 0) : edge_value(0, 4);
		t->signo = chance(80) ? 1 + below(64) : edge_value(0, 4);
		t->tid = t->notify & 4 ? (chance(80) ? (u64)h->home_pid : edge_value(0, 4)) : 0;
		t->flags = chance(80) ? 0 : below(4);
		t->value = rnd();
		t->expires = chance(30) ? 0 : edge_value(1000000000ULL, 8);
		t->interval = chance(50) ? 0 : edge_value(1000000ULL, 8);
		t->overrun = chance(80) ? 0 : edge_value(0, 8);
		return n;
	}
	case SSI_SEC_LDT: {
		static const u64 descs[] = {
			0, 0x00cff3000000ffffULL, 0x00cffb000000ffffULL,
			0x00affb000000ffffULL, 0x00cf93000000ffffULL,
			0x0000ec0000000000ULL, 0x00008c0000000000ULL,
		};
		u64 d = chance(70) ? descs[below(7)] : rnd();

		memcpy(rec, &d, 8);
		return 8;
	}
	default:
		/* a copy of one of its records (VMAS: 64 bytes; FILES: the first) */
		if (type == SSI_SEC_VMAS && e->size >= 64) {
			memcpy(rec, buf + e->poff + below(e->size / 64) * 64, 64);
			return 64;
		}
		if (type == SSI_SEC_FILES && e->size >= sizeof(struct ssi_img_file)) {
			n = ((const struct ssi_img_file *)(buf + e->poff))->rec_size;
			if (n > e->size || n > 4096)
				n = sizeof(struct ssi_img_file);
			memcpy(rec, buf + e->poff, n);
			return n;
		}
		return 0;
	}
}

/* A record more in a counted section, its header made to agree (or not). */
static void op_grow(void)
{
	static const u32 types[] = { SSI_SEC_SIGQUEUE, SSI_SEC_SIGQUEUE, SSI_SEC_TIMERS,
				     SSI_SEC_TIMERS, SSI_SEC_LDT, SSI_SEC_VMAS, SSI_SEC_FILES };
	static u8 rec[4096];
	struct ssi_ip_sec *e = ssi_ip_find(&ip, types[below(7)]);
	struct ssi_img_section *sh;
	struct piece p[3];
	size_t n, at;
	int i, times = chance(70) ? 1 : 1 + below(8);

	if (!e)
		return op_field();
	for (i = 0; i < times; i++) {
		n = make_record(e->type, rec, e);
		at = e->poff + e->size;
		if (!n || at > len || len + n > cap)
			return;
		p[0] = (struct piece){ buf, at };
		p[1] = (struct piece){ rec, n };
		p[2] = (struct piece){ buf + at, len - at };
		assemble(p, 3);
		e->size += n;
		sh = (void *)(buf + e->hoff);
		sh->size += n;
		sh->count += chance(95) ? 1 : 0;
		/* a copied record, changed */
		if ((e->type == SSI_SEC_VMAS || e->type == SSI_SEC_FILES) && chance(80))
			poke_field(at, n, -1);
		ssi_ip_seal_sec(buf, e);
	}
	fix_end();
}

/* Make END's totals what the runs add up to. */
static void fix_end(void)
{
	struct ssi_ip_sec *e;
	struct ssi_img_end *end;
	u64 pages = 0;
	int i;

	reparse();
	e = ssi_ip_find(&ip, SSI_SEC_END);
	if (!ip.complete || !e || e->size != sizeof(*end))
		return;
	for (i = 0; i < ip.nr_runs; i++)
		pages += ip.runs[i].nr;
	end = (void *)(buf + e->poff);
	end->nr_pages = pages;
	end->nr_runs = ip.nr_runs;
	end->image_bytes = e->hoff;
	ssi_ip_seal_sec(buf, e);
}

/* Image @k into buf/len. */
static void make_image(u64 seed, u64 k)
{
	const struct seed *s;
	int i, n;

	rng = seed ^ (k * 0xd1b54a32d192ed03ULL);
	rnd();
	s = &seeds[only_seed >= 0 ? only_seed : (int)below(nr_seeds)];
	if (chance(95)) {
		memcpy(buf, s->small, s->small_len);
		len = s->small_len;
	} else {
		memcpy(buf, s->img, s->len);
		len = s->len;
	}
	n = chance(60) ? 1 : chance(60) ? 2 : 3 + below(2);
	for (i = 0; i < n; i++) {
		unsigned int w = below(100);

		reparse();
		if (w < 50)
			op_field();
		else if (w < 56)
			op_flip();
		else if (w < 64)
			op_truncate();
		else if (w < 76)
			op_grow();
		else if (w < 88)
			op_sections();
		else
			op_runs();
		if (w >= 76 && chance(50))
			fix_end();
	}
}

/* ---- what every phase reports ---- */

struct stats {
	u64 tried, accepted, impossible;
	u64 by_errno[136];
	u64 by_reason[SSI_R_MAX + 1];
	u64 current;		/* image in progress */
	u64 outcomes[8];
	char what[200];
};

static struct stats *st;	/* shared with the phases' children */
static volatile u64 *progress;	/* -p FILE */

static void impossible(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void impossible(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(st->what, sizeof(st->what), fmt, ap);
	va_end(ap);
	/* the first few; the summary has the count and the last */
	if (st->impossible++ < 5)
		fprintf(stderr, "ssi-image-fuzz: IMPOSSIBLE: %s\n", st->what);
}

static void count_errno(int e)
{
	st->by_errno[e > 0 && e < 135 ? e : 135]++;
}

static uid_t job_uid = 65534;
static gid_t job_gid = 65534;

static void drop_to_job_user(void)
{
	if (setgroups(0, NULL) || setgid(job_gid) || setuid(job_uid))
		die("dropping to %u:%u: %s", job_uid, job_gid, strerror(errno));
	prctl(PR_SET_DUMPABLE, 1);
}

/* Run @fn in a child (as the job user if @drop); report how it ended. */
static int in_child(const char *name, void (*fn)(void *), void *arg, bool drop)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (!pid) {
		alarm(1200);	/* a hang shows as SIGALRM */
		if (drop)
			drop_to_job_user();
		fn(arg);
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && !WEXITSTATUS(status))
		return 0;
	impossible("%s: child %s %d at image %llu", name,
		   WIFEXITED(status) ? "exited with" : "killed by signal",
		   WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
		   (unsigned long long)st->current);
	return -1;
}

/* ---- phase 1: verify only ---- */

struct verify_job {
	u64 seed, first, n;
	double deadline;
	int dev;
};

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* What a verify-only call must leave as it was. */
struct self {
	u64 maps_hash;
	struct rlimit rl[RLIM_NLIMITS];
	sigset_t mask;
	struct itimerval it[3];
	char comm[16];
};

static void snapshot(struct self *s)
{
	char line[512];
	FILE *f = fopen("/proc/self/maps", "r");
	int i;

	memset(s, 0, sizeof(*s));
	s->maps_hash = 1469598103934665603ULL;
	while (f && fgets(line, sizeof(line), f))
		for (i = 0; line[i]; i++)
			s->maps_hash = (s->maps_hash ^ (u8)line[i]) * 1099511628211ULL;
	if (f)
		fclose(f);
	for (i = 0; i < RLIM_NLIMITS; i++)
		getrlimit(i, &s->rl[i]);
	sigprocmask(SIG_BLOCK, NULL, &s->mask);
	for (i = 0; i < 3; i++) {
		getitimer(i, &s->it[i]);
		/* only whether it is armed: the time left moves */
		s->it[i].it_value.tv_sec = s->it[i].it_value.tv_sec || s->it[i].it_value.tv_usec;
		s->it[i].it_value.tv_usec = 0;
	}
	prctl(PR_GET_NAME, s->comm);
}

/* Write buf into @fd so that the image ends at its end; rewind to it. */
static int stage(int fd, size_t *size)
{
	if (len > *size) {
		*size = len + (1 << 16);
		if (ftruncate(fd, *size))
			return -1;
	}
	if (pwrite(fd, buf, len, *size - len) != (ssize_t)len ||
	    lseek(fd, *size - len, SEEK_SET) < 0)
		return -1;
	return 0;
}

static void verify_one(int dev, int in)
{
	struct ssi_restore r = { .in_fd = in, .flags = SSI_RESTORE_VERIFY_ONLY };
	long ret = ioctl(dev, SSI_IOC_RESTORE, &r);
	int e = errno;

	st->tried++;
	if (ret == 0) {
		st->accepted++;
		if (r.reason)
			impossible("image %llu verified with reason %u",
				   (unsigned long long)st->current, r.reason);
		return;
	}
	if (ret != -1) {
		impossible("verify-only of image %llu returned %ld",
			   (unsigned long long)st->current, ret);
		return;
	}
	count_errno(e);
	st->by_reason[r.reason < SSI_R_MAX ? r.reason : SSI_R_MAX]++;
	if (verbose)
		printf("image %llu: %s (%s: %.64s)\n", (unsigned long long)st->current,
		       strerror(e), ssi_reason_name(r.reason), r.detail);
	if (r.reason >= SSI_R_MAX || !memchr(r.detail, 0, sizeof(r.detail)))
		impossible("image %llu refused with reason %u, detail unterminated or not",
			   (unsigned long long)st->current, r.reason);
	if (e == EFAULT || e == ENOTTY || e == EPROTO || r.reason == SSI_R_CALLER)
		impossible("image %llu refused with %s", (unsigned long long)st->current,
			   strerror(e));
}

static void verify_phase(void *arg)
{
	struct verify_job *j = arg;
	struct self before, after;
	size_t size = 0, pipe_max = 1 << 20;
	int mfd = memfd_create("ssi-fuzz", 0);
	u64 k;

	if (mfd < 0)
		die("memfd: %s", strerror(errno));
	snapshot(&before);
	for (k = j->first; k < j->first + j->n; k++) {
		st->current = k;
		if (progress)
			*progress = k;
		make_image(j->seed, k);
		if ((k & 7) == 7 && len <= pipe_max) {
			/* from a pipe that holds the whole image, closed behind it */
			int p[2];

			if (pipe(p))
				die("pipe: %s", strerror(errno));
			if (fcntl(p[0], F_SETPIPE_SZ, pipe_max) < 0)
				pipe_max = 1 << 16;
			if (len > pipe_max || write(p[1], buf, len) != (ssize_t)len) {
				close(p[0]);
				close(p[1]);
				continue;
			}
			close(p[1]);
			verify_one(j->dev, p[0]);
			close(p[0]);
		} else {
			if (stage(mfd, &size))
				die("memfd: %s", strerror(errno));
			verify_one(j->dev, mfd);
		}
		if ((k & 255) == 255) {
			snapshot(&after);
			if (memcmp(&before, &after, sizeof(before))) {
				impossible("a verify-only call changed its caller (by image %llu or the 255 before)",
					   (unsigned long long)k);
				break;
			}
			if (now() > j->deadline)
				break;
		}
	}
	close(mfd);
}

/* ---- phase 2: real restores by ssi-restore as the job user ---- */

static const char *restorer;

enum { R_REFUSED, R_UNPREPARED, R_KILLED, R_RESTORED, R_OTHER, R_EXEC, R_RESPAWNED };

static void comm_of(pid_t pid, char *comm, size_t n)
{
	char path[64];
	ssize_t r;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	comm[0] = 0;
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return;
	r = read(fd, comm, n - 1);
	comm[r > 0 ? r : 0] = 0;
	close(fd);
}

/* Write what is left of buf into a non-blocking pipe. */
static void feed(int fd, size_t *done)
{
	while (*done < len) {
		ssize_t w = write(fd, buf + *done, len - *done);

		if (w <= 0)
			return;
		*done += w;
	}
}

static void restore_one(int mfd, bool from_pipe, double limit)
{
	char fdpath[64], comm[32];
	int p[2] = { -1, -1 }, status, outcome = R_OTHER;
	size_t done = 0;
	double t0 = now();
	pid_t pid;

	if (from_pipe) {
		/*
		 * Close-on-exec: ssi-restore (and the grandchild it leaves
		 * copying its stdin) must not hold the write end, or that
		 * copier never sees the end of the image when ours closes.
		 */
		if (pipe2(p, O_CLOEXEC))
			die("pipe: %s", strerror(errno));
		fcntl(p[1], F_SETFL, O_NONBLOCK);
	} else {
		if (ftruncate(mfd, 0) || pwrite(mfd, buf, len, 0) != (ssize_t)len)
			die("memfd: %s", strerror(errno));
	}
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", mfd);
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (!pid) {
		char ug[32];
		int null = open("/dev/null", O_RDWR);

		snprintf(ug, sizeof(ug), "%u:%u", job_uid, job_gid);
		if (from_pipe)
			dup2(p[0], 0);
		dup2(null, 1);
		dup2(null, 2);
		execl(restorer, "ssi-restore", "-u", ug, from_pipe ? "-" : fdpath,
		      (char *)NULL);
		_exit(99);
	}
	if (from_pipe)
		close(p[0]);
	for (;;) {
		pid_t w;

		if (from_pipe && p[1] >= 0) {
			feed(p[1], &done);
			if (done == len) {
				close(p[1]);
				p[1] = -1;
			}
		}
		w = waitpid(pid, &status, WNOHANG);
		if (w == pid) {
			if (WIFEXITED(status))
				outcome = WEXITSTATUS(status) == 1 ? R_REFUSED :
					  WEXITSTATUS(status) == 2 ? R_UNPREPARED :
					  WEXITSTATUS(status) == 99 ? R_EXEC : R_RESTORED;
			else
				outcome = WTERMSIG(status) == SIGKILL ? R_KILLED : R_RESTORED;
			break;
		}
		comm_of(pid, comm, sizeof(comm));
		if ((comm[0] && strncmp(comm, "ssi-restore", 11) &&
		     strncmp(comm, "ssi-image-fuzz", 14)) || now() - t0 > limit) {
			/* it is the image now (or hangs): enough */
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			outcome = R_RESTORED;
			break;
		}
		usleep(2000);
	}
	if (p[1] >= 0)
		close(p[1]);
	st->outcomes[outcome]++;
	st->tried++;
	if (outcome == R_EXEC)
		impossible("cannot run %s", restorer);
}

struct restore_job {
	u64 seed, first, n;
	double deadline;
};

static void restore_phase(void *arg)
{
	struct restore_job *j = arg;
	int mfd = memfd_create("ssi-fuzz-restore", 0);
	u64 k;

	if (mfd < 0)
		die("memfd: %s", strerror(errno));
	signal(SIGPIPE, SIG_IGN);
	for (k = j->first; k < j->first + j->n && now() < j->deadline; k++) {
		st->current = k;
		if (progress)
			*progress = k;
		make_image(j->seed, k);
		restore_one(mfd, k & 1, 3.0);
	}
	close(mfd);
}

/* ---- phase 3: SSI_IOC_RETURN into a frozen process of ours ---- */

struct frozen {
	pid_t pid;
	int dev;
};

/*
 * A child that moved its vDSO where @h has it and waits to be frozen, in
 * pause() or, with @spin, in user mode (frozen on its way back from an
 * interrupt, not from a system call); returned once it has (-1 if it
 * could not).
 */
static pid_t sleeper(const struct ssi_img_header *h, bool spin)
{
	char ok = 0;
	int p[2];
	pid_t pid;

	if (pipe(p))
		die("pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (!pid) {
		char err[128];

		close(p[0]);
		ok = !h || !ssi_vdso_move(h, err, sizeof(err));
		if (write(p[1], &ok, 1) != 1 || !ok)
			_exit(3);
		close(p[1]);
		for (;;)
			if (!spin)
				pause();
	}
	close(p[1]);
	if (read(p[0], &ok, 1) != 1 || !ok) {
		waitpid(pid, NULL, 0);
		pid = -1;
	}
	close(p[0]);
	/* out of its last system call, into its loop */
	if (spin && pid > 0)
		usleep(20000);
	return pid;
}

static int freeze(int dev, pid_t pid)
{
	struct ssi_dump d = { .pid = pid, .out_fd = -1,
			      .flags = SSI_DUMP_FREEZE_ONLY, .timeout_ms = 5000 };
	int i;

	/* the child may still be moving its vDSO */
	for (i = 0; i < 100; i++) {
		if (!ioctl(dev, SSI_IOC_DUMP, &d))
			return 0;
		usleep(10000);
	}
	return -1;
}

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

struct return_job {
	u64 seed, first, n;
	double deadline;
};

static void return_phase(void *arg)
{
	struct return_job *j = arg;
	const struct seed *one;
	int dev = ssi_open_dev(), mfd = memfd_create("ssi-fuzz-return", 0);
	size_t size = 0;
	pid_t pid = -1;
	bool spinning = false;
	u64 k;

	/* the process frozen has one thread: so has the image */
	only_seed = single_seed();
	one = &seeds[only_seed];
	for (k = j->first; k < j->first + j->n && now() < j->deadline; k++) {
		struct ssi_return r = { .close_fd = -1, .in_fd = mfd };

		if (pid < 0) {
			spinning = chance(50);
			pid = sleeper((const void *)one->img, spinning);
			if (pid < 0) {
				impossible("cannot move a vDSO where %s has it", one->path);
				return;
			}
			if (freeze(dev, pid)) {
				impossible("cannot freeze a process of ours to return into");
				reap(pid);
				return;
			}
			if (verbose)
				printf("return: process %d frozen%s\n", pid,
				       spinning ? " in user mode" : "");
		}
		st->current = k;
		if (progress)
			*progress = k;
		make_image(j->seed, k);
		if (stage(mfd, &size))
			die("memfd: %s", strerror(errno));
		r.pid = pid;
		st->tried++;
		if (!ioctl(dev, SSI_IOC_RETURN, &r)) {
			if (verbose)
				printf("return %llu: accepted\n", (unsigned long long)k);
			st->accepted++;
			reap(pid);
			pid = -1;
			continue;
		}
		count_errno(errno);
		st->by_reason[r.reason < SSI_R_MAX ? r.reason : SSI_R_MAX]++;
		if (verbose)
			printf("return %llu: %s (%s: %.64s)\n", (unsigned long long)k,
			       strerror(errno), ssi_reason_name(r.reason), r.detail);
		if (r.reason >= SSI_R_MAX)
			impossible("return refused with reason %u", r.reason);
		/* it is a fit deputy, frozen in pause() or in user mode */
		if (r.reason == SSI_R_CALLER)
			impossible("return %llu into process %d (%s) refused: %.64s",
				   (unsigned long long)k, pid,
				   spinning ? "frozen in user mode" : "frozen in pause()",
				   r.detail);
		/* gone (killed past the point of no return)? */
		if (waitpid(pid, NULL, WNOHANG) == pid || errno == ESRCH) {
			st->outcomes[R_KILLED]++;
			kill(pid, SIGKILL);
			pid = -1;
		}
	}
	close(dev);
	if (pid > 0)
		reap(pid);
}

/* ---- phase 4: random ioctls ---- */

static int pool[16], nr_pool, nr_dev, proc_fds[2], dsm_chan = -1;
static int dsm_home = -1, dsm_memfd = -1;	/* a home segment, over this memfd */
static u8 *dsm_map;		/* the target's mapping of the memfd, which wraps
				 * may take: never ours, as a fault of ours on a
				 * page we revoked would wait for ourselves */
static u8 *argpage;		/* a page followed by a PROT_NONE one */
static pid_t target;		/* a process of ours */

static s64 any_pid(void)
{
	static const s64 pids[] = { 0, -1, -2, 0x7fffffff, (s64)0x80000000ULL, 999999 };

	switch (below(4)) {
	case 0: return getpid();
	case 1: return pids[below(6)];
	default: return target;
	}
}

static int any_fd(void)
{
	static const int odd[] = { -1, -2, 1023, 4096, 0x7fffffff };

	/* mostly /dev/ssi (the first ones) */
	if (chance(60) && nr_dev)
		return pool[below(nr_dev)];
	return chance(85) ? pool[below(nr_pool)] : odd[below(5)];
}

static void fill_arg(unsigned int nr)
{
	u8 *a = argpage;
	u32 *w;
	size_t i;

	if (chance(20)) {
		for (i = 0; i < 4096; i++)
			a[i] = rnd();
		return;
	}
	memset(a, 0, 4096);
	w = (u32 *)a;
	switch (nr) {
	case 0x00:	/* api */
		w[0] = chance(80) ? SSI_API_VERSION : edge_value(SSI_API_VERSION, 4);
		break;
	case 0x01:	/* dump */
		w[0] = any_pid();
		w[1] = any_fd();
		w[2] = below(8);
		w[3] = below(3) * 50;
		break;
	case 0x02:	/* resume */
		w[0] = any_pid();
		break;
	case 0x03:	/* restore: never for real (the flag), except as refused */
		w[0] = any_fd();
		w[1] = chance(90) ? SSI_RESTORE_VERIFY_ONLY : below(8) | 1;
		if (chance(20)) {
			u64 p = chance(50) ? (u64)(uintptr_t)(argpage + 4096 - 8) : KERNEL_ADDR;

			memcpy(a + 88, &p, 8);
			w[24] = below(2000);
		}
		break;
	case 0x04:	/* deputy */
		w[0] = any_pid();
		w[1] = any_fd();
		if (chance(50)) {
			u64 l = edge_value(SSI_DEPUTY_AREA_MIN, 8);

			memcpy(a + 8, &l, 8);
		}
		if (chance(20)) {
			u64 p = (u64)(uintptr_t)(argpage + 4096 - 16);

			memcpy(a + 32, &p, 8);
			w[10] = below(2000);
		}
		break;
	case 0x05:	/* restore_thread */
		w[1] = below(3);
		break;
	case 0x06:	/* return */
		w[0] = any_pid();
		w[1] = any_fd();
		w[2] = chance(50) ? -1 : any_fd();
		if (chance(20)) {
			u64 p = chance(50) ? (u64)(uintptr_t)(argpage + 4096 - 8) : KERNEL_ADDR;

			memcpy(a + 96, &p, 8);
			w[26] = below(3000);
		}
		if (chance(20)) {
			u64 p = (u64)(uintptr_t)(argpage + 4096 - 4);

			memcpy(a + 112, &p, 8);
			w[27] = below(2000);
		}
		break;
	case 0x07:	/* signal: never a fatal one */
		w[0] = chance(80) ? target : any_pid() ? 999999 : 0;
		w[1] = chance(80) ? SIGUSR1 + below(2) : below(70);
		if (w[1] == SIGKILL || w[1] == SIGSTOP || w[0] != (u32)target)
			w[1] = SIGUSR1;
		w[2] = below(4);
		w[4] = w[1];
		break;
	case 0x08:	/* timer_id */
		w[0] = chance(50) ? 0 : any_pid();
		w[1] = edge_value(0, 4);
		break;
	case 0x09:	/* file_id */
		w[0] = any_fd();
		break;
	case 0x0a: {	/* charge: the target is no deputy, so refused */
		u64 v = chance(50) ? edge_value(SSI_CHARGE_CPU_MAX_NS, 8) : rnd();

		w[0] = chance(50) ? target : any_pid();
		w[1] = chance(50) ? SSI_CHARGE_MEM : (u32)rnd();
		/* one of the times, the peak or the memory figures */
		memcpy(a + 8 + 8 * below(9), &v, 8);
		break;
	}
	case 0x0d: {	/* dsm_open: each one made is closed again */
		static const u64 sizes[] = { 0, 4096, 4097, 8192, SSI_DSM_SIZE_MAX,
					     SSI_DSM_SIZE_MAX + 4096, ~0ULL };
		u64 v = chance(80) ? sizes[below(7)] : rnd();

		memcpy(a, &v, 8);
		w[3] = chance(80) ? below(4) : rnd();
		w[4] = chance(60) ? dsm_memfd : chance(50) ? any_fd() : rnd();
		break;
	}
	case 0x22: {	/* wrap, on a home channel */
		u64 p = chance(60) ? (u64)(uintptr_t)dsm_map + 4096 * below(2) :
			chance(50) ? (u64)(uintptr_t)argpage : rnd();

		w[0] = chance(80) ? target : any_pid();
		memcpy(a + 8, &p, 8);
		break;
	}
	case 0x24:	/* wrap_file, on a home channel: the memfd's, or any */
		w[0] = chance(60) ? dsm_memfd : chance(50) ? any_fd() : rnd();
		w[1] = chance(90) ? 0 : rnd();
		break;
	case 0x20:	/* on a DSM channel: grant, revoke, fail */
	case 0x21:
	case 0x23: {
		static const u64 pages[] = { 0, 1, 3, 4, 0xffffffffULL, ~0ULL };
		u64 p = chance(70) ? (u64)(uintptr_t)(argpage + 4096 - below(8192)) :
			chance(50) ? 0 : KERNEL_ADDR;

		memcpy(a, &pages[below(6)], 8);
		w[2] = below(5);
		memcpy(a + 16, &p, 8);
		break;
	}
	case 0x0b:	/* seq_get */
	case 0x0c: {	/* seq_set: of our own /proc files, read afterwards */
		static const s64 index[] = { 0, 1, -1, -2, -3, 0x7fffffffffffffffLL,
					     (s64)0x8000000000000000ULL };
		u64 v, p = chance(80) ? (u64)(uintptr_t)(argpage + 4096 - below(5000)) :
			   chance(50) ? KERNEL_ADDR : rnd();

		w[0] = chance(70) ? proc_fds[below(2)] : any_fd();
		w[1] = chance(80) ? below(SSI_SEQ_PENDING_MAX + 1) :
				    edge_value(SSI_SEQ_PENDING_MAX, 4);
		v = chance(50) ? below(100000) : rnd();
		memcpy(a + 8 + 8 * below(2), &v, 8);
		memcpy(a + 24, &index[below(7)], 8);
		memcpy(a + 32, &p, 8);
		break;
	}
	}
}

static void ioctl_phase(void *arg)
{
	const u64 *job = arg;	/* seed, first, n, as the job user */
	static const unsigned long bad_ptrs[] = {
		0, 1, 0x1000, KERNEL_ADDR, 0xffffffffff600000UL, ~0UL,
	};
	int i, sv[2], p[2], mfd;
	u64 k;

	argpage = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (argpage == MAP_FAILED || mprotect(argpage + 4096, 4096, PROT_NONE))
		die("mmap: %s", strerror(errno));
	/* the descriptors an ioctl may name */
	nr_pool = 0;
	for (i = 0; i < 3; i++) {
		int d = open("/dev/ssi", O_RDWR | O_CLOEXEC);

		if (d >= 0)
			pool[nr_pool++] = d;
	}
	nr_dev = nr_pool;
	if (!nr_dev)
		die("/dev/ssi: %s", strerror(errno));
	/* non-blocking: a dump into them fails instead of waiting for a reader */
	if (!socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, sv))
		pool[nr_pool++] = sv[0];
	if (!pipe2(p, O_NONBLOCK)) {
		pool[nr_pool++] = p[0];
		pool[nr_pool++] = p[1];
	}
	mfd = memfd_create("ssi-fuzz-ioctl", 0);
	rng = job[0] ^ 0x5555;
	make_image(job[0], job[1]);
	if (mfd >= 0 && pwrite(mfd, buf, len, 0) == (ssize_t)len)
		pool[nr_pool++] = mfd;
	pool[nr_pool++] = open(seeds[0].path, O_RDONLY | O_CLOEXEC);
	pool[nr_pool++] = open("/dev/null", O_RDWR | O_CLOEXEC);
	/* seq_files whose state SSI_IOC_SEQ_SET may rewrite, then read */
	proc_fds[0] = pool[nr_pool++] = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	proc_fds[1] = pool[nr_pool++] = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGUSR1, SIG_IGN);
	signal(SIGUSR2, SIG_IGN);
	/* the handshake on all but the last /dev/ssi: it stays before it */
	for (i = 0; i + 1 < nr_pool && i < 2; i++) {
		struct ssi_api api = { .api = SSI_API_VERSION };

		ioctl(pool[i], SSI_IOC_API, &api);
	}
	/* a DSM segment of 4 pages, made as root: its channel's ioctls */
	{
		struct ssi_dsm_open o = { .size = 4 * 4096 };

		if (!ioctl(pool[0], SSI_IOC_DSM_OPEN, &o))
			dsm_chan = pool[nr_pool++] = o.fd;
		dsm_memfd = memfd_create("ssi-fuzz-dsm", MFD_CLOEXEC);
		if (dsm_memfd >= 0 && !ftruncate(dsm_memfd, 4 * 4096)) {
			pool[nr_pool++] = dsm_memfd;
			dsm_map = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED,
				       dsm_memfd, 0);
			if (dsm_map == MAP_FAILED)
				dsm_map = NULL;
			o = (struct ssi_dsm_open){ .size = 4 * 4096, .flags = SSI_DSM_HOME,
						   .src = dsm_memfd };
			if (!ioctl(pool[0], SSI_IOC_DSM_OPEN, &o))
				dsm_home = pool[nr_pool++] = o.fd;
		}
	}
	if (job[3])
		drop_to_job_user();
	target = sleeper(NULL, false);
	if (dsm_map)		/* the target's alone (see dsm_map) */
		munmap(dsm_map, 4 * 4096);
	for (k = job[1]; k < job[1] + job[2]; k++) {
		unsigned int nr, dir, size;
		int fd;
		unsigned long cmd, argp;
		long ret;

		rng = job[0] ^ (k * 0x9e3779b97f4a7c15ULL) ^ 0xabcdef;
		st->current = k;
		if (progress)
			*progress = k;
		nr = chance(85) ? below(19) : below(64);
		if (nr >= 14 && nr < 19)
			nr += 0x20 - 14;	/* the DSM channels' */
		dir = chance(85) ? (nr == 2 || nr == 5 || nr == 7 || nr == 8 || nr == 10 ||
				    nr == 12 || nr >= 0x20 ?
				    _IOC_WRITE : _IOC_READ | _IOC_WRITE) : below(4);
		size = chance(85) ? 0 : below(512);
		if (!size) {
			static const unsigned int sizes[] = {
				sizeof(struct ssi_api), sizeof(struct ssi_dump),
				sizeof(struct ssi_resume), sizeof(struct ssi_restore),
				sizeof(struct ssi_become_deputy),
				sizeof(struct ssi_restore_thread), sizeof(struct ssi_return),
				sizeof(struct ssi_signal), sizeof(struct ssi_timer_id),
				sizeof(struct ssi_file_id), sizeof(struct ssi_charge),
				sizeof(struct ssi_seq_pos), sizeof(struct ssi_seq_pos),
				sizeof(struct ssi_dsm_open),
			};
			size = nr == 0x20 || nr == 0x21 || nr == 0x23 ? sizeof(struct ssi_dsm_page) :
			       nr == 0x22 ? sizeof(struct ssi_dsm_wrap) :
			       nr == 0x24 ? sizeof(struct ssi_dsm_wrap_file) :
			       sizes[nr < 14 ? nr : below(14)];
		}
		cmd = _IOC(dir, chance(95) ? SSI_IOC_MAGIC : below(256), nr, size);
		fill_arg(nr);
		if (chance(90)) {
			size_t sz = size < 4096 ? size : 4096;

			argp = (unsigned long)(argpage + 4096 - sz -
					       (chance(20) ? below(8) : 0));
			if (argp < (unsigned long)argpage)
				argp = (unsigned long)argpage;
			memmove((void *)argp, argpage, (size_t)(argpage + 4096 - (u8 *)argp));
		} else {
			argp = bad_ptrs[below(6)];
		}
		/* a frozen target gets another chance to run, sometimes */
		if (chance(2)) {
			struct ssi_resume rs = { .pid = target };

			ioctl(pool[0], SSI_IOC_RESUME, &rs);
		}
		if (nr >= 0x20 && chance(80))	/* grants, revokes and wraps: a channel */
			fd = nr == 0x22 || nr == 0x24 || chance(30) ? dsm_home : dsm_chan;
		else
			fd = any_fd();
		ret = ioctl(fd, cmd, argp);
		/* a segment made: its channel goes again, or fds run out */
		if (!ret && cmd == SSI_IOC_DSM_OPEN)
			close(((struct ssi_dsm_open *)argp)->fd);
		st->tried++;
		if (ret < 0)
			count_errno(errno);
		else
			st->accepted++;
		/* whatever state a seq_file was given, reading it must be safe */
		if (nr == 0x0b || nr == 0x0c) {
			static char text[8192];

			if (chance(50) && pread(proc_fds[below(2)], text, below(8192), 0) < 0)
				count_errno(errno);
			if (read(proc_fds[below(2)], text, below(8192)) < 0)
				count_errno(errno);
		}
		if (waitpid(target, NULL, WNOHANG) == target) {
			st->outcomes[R_RESPAWNED]++;
			target = sleeper(NULL, false);
		}
	}
	reap(target);
}

/* ---- main ---- */

static void summary(const char *name, const struct stats *s, double secs)
{
	static const char *const outcome[] = {
		"refused", "helper-unprepared", "sigkilled", "restored", "other", "exec",
		"target died, another made",
	};
	int i;

	printf("%s: %llu tried, %llu accepted in %.1f s (%.0f/s)", name,
	       (unsigned long long)s->tried, (unsigned long long)s->accepted,
	       secs, secs > 0 ? s->tried / secs : 0);
	for (i = 1; i < 136; i++)
		if (s->by_errno[i])
			printf(", %s %llu", i < 135 ? strerrorname_np(i) ?: "?" : "other",
			       (unsigned long long)s->by_errno[i]);
	printf("\n");
	for (i = 0; i <= SSI_R_MAX; i++)
		if (s->by_reason[i])
			printf("  %s %llu", i < SSI_R_MAX ? ssi_reason_name(i) : "?",
			       (unsigned long long)s->by_reason[i]);
	for (i = 0; i < 7; i++)
		if (s->outcomes[i])
			printf("  [%s %llu]", outcome[i], (unsigned long long)s->outcomes[i]);
	printf("\n");
	fflush(stdout);
}

static int bad;

static void phase(const char *name, void (*fn)(void *), void *arg, bool drop)
{
	double t = now();

	memset(st, 0, sizeof(*st));
	in_child(name, fn, arg, drop);
	summary(name, st, now() - t);
	if (st->impossible) {
		printf("%s: IMPOSSIBLE (%llu): %s\n", name,
		       (unsigned long long)st->impossible, st->what);
		bad = 1;
	}
}

int main(int argc, char **argv)
{
	u64 images = 100000, restores = 200, returns = 2000, ioctls = 100000;
	u64 seed = (u64)time(NULL), first = 0;
	double seconds = 0, t0;
	const char *write_to = NULL, *progress_file = NULL;
	static char self_dir[4096];
	int c, i, dev;

	prog_name = "ssi-image-fuzz";
	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((c = getopt(argc, argv, "n:t:s:f:r:R:i:u:x:p:W:S:L:v")) != -1) {
		switch (c) {
		case 'n': images = strtoull(optarg, NULL, 0); break;
		case 't': seconds = atof(optarg); break;
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'f': first = strtoull(optarg, NULL, 0); break;
		case 'r': restores = strtoull(optarg, NULL, 0); break;
		case 'R': returns = strtoull(optarg, NULL, 0); break;
		case 'i': ioctls = strtoull(optarg, NULL, 0); break;
		case 'u':
			if (sscanf(optarg, "%u:%u", &job_uid, &job_gid) != 2)
				goto usage;
			break;
		case 'x': restorer = optarg; break;
		case 'p': progress_file = optarg; break;
		case 'W': write_to = optarg; break;
		case 'v': verbose = true; break;
		case 'L': local_dir = optarg; break;
		case 'S': only_seed = atoi(optarg); break;
		default: goto usage;
		}
	}
	if (optind == argc || argc - optind > MAX_SEEDS || only_seed >= argc - optind)
		goto usage;
	for (i = optind; i < argc; i++)
		load_seed(argv[i]);
	buf = xmalloc(cap);
	tmp = xmalloc(cap);

	if (write_to) {
		FILE *f = fopen(write_to, "wb");

		make_image(seed, first);
		if (!f || fwrite(buf, 1, len, f) != len || fclose(f))
			die("%s: %s", write_to, strerror(errno));
		return 0;
	}
	if (!restorer) {
		char *slash;

		if (readlink("/proc/self/exe", self_dir, sizeof(self_dir) - 32) < 0)
			die("/proc/self/exe: %s", strerror(errno));
		slash = strrchr(self_dir, '/');
		strcpy(slash ? slash + 1 : self_dir, "ssi-restore");
		restorer = self_dir;
	}
	st = mmap(NULL, sizeof(*st), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (st == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	if (progress_file) {
		int fd = open(progress_file, O_RDWR | O_CREAT | O_TRUNC, 0644);

		if (fd < 0 || ftruncate(fd, 4096))
			die("%s: %s", progress_file, strerror(errno));
		progress = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (progress == MAP_FAILED)
			die("mmap %s: %s", progress_file, strerror(errno));
	}

	/* Every seed, whole and small, must be accepted as it is. */
	dev = ssi_open_dev();
	for (i = 0; i < nr_seeds; i++) {
		int mfd = memfd_create("ssi-fuzz-seed", 0), half;

		for (half = 0; half < 2; half++) {
			struct ssi_restore r = { .in_fd = mfd, .flags = SSI_RESTORE_VERIFY_ONLY };
			const u8 *p = half ? seeds[i].small : seeds[i].img;
			size_t n = half ? seeds[i].small_len : seeds[i].len;

			if (ftruncate(mfd, 0) || pwrite(mfd, p, n, 0) != (ssize_t)n ||
			    lseek(mfd, 0, SEEK_SET))
				die("memfd: %s", strerror(errno));
			if (ioctl(dev, SSI_IOC_RESTORE, &r))
				die("%s%s is refused: %s (%s: %s)", seeds[i].path,
				    half ? " (its small copy)" : "", strerror(errno),
				    ssi_reason_name(r.reason), r.detail);
		}
		close(mfd);
	}
	printf("seed %llu, first image %llu, %d images: %s", (unsigned long long)seed,
	       (unsigned long long)first, nr_seeds, seeds[0].path);
	for (i = 1; i < nr_seeds; i++)
		printf(", %s", seeds[i].path);
	printf("\n");

	t0 = now();
	{
		u64 as_root = images - images / 4;
		struct verify_job r = { seed, first, as_root,
					seconds ? t0 + seconds * 3 / 4 : 1e18, dev };
		struct verify_job u = { seed, first + as_root, images - as_root,
					seconds ? t0 + seconds : 1e18, -1 };

		phase("verify as root", verify_phase, &r, false);
		/* opened as root, used as the job user: as ssid's helper does */
		u.dev = dev;
		phase("verify as job user", verify_phase, &u, true);
	}
	close(dev);
	{
		struct restore_job j = { seed, first + images, restores, now() + 600 };

		phase("restore as job user", restore_phase, &j, false);
	}
	{
		struct return_job j = { seed, first + images + restores, returns, now() + 600 };

		phase("return as root", return_phase, &j, false);
		if (returns)
			printf("return as root: images from IMAGE %d (-S %d)\n", single_seed(),
			       single_seed());
	}
	{
		u64 j[4] = { seed, first + images + restores + returns, ioctls, 0 };
		u64 k[4] = { seed, first + images + restores + returns + ioctls, ioctls, 1 };

		phase("ioctls as root", ioctl_phase, j, false);
		/* /dev/ssi opened as root, used as the job user */
		phase("ioctls as job user", ioctl_phase, k, false);
	}
	printf("total %.1f s, %s\n", now() - t0, bad ? "IMPOSSIBLE results above" : "nothing impossible");
	return bad;
usage:
	fprintf(stderr, "usage: ssi-image-fuzz [-n IMAGES] [-t SECONDS] [-s SEED] [-f FIRST] [-r RESTORES] [-R RETURNS] [-i IOCTLS] [-u UID:GID] [-x SSI-RESTORE] [-p FILE] [-W OUT [-S N]] [-L DIR] [-v] IMAGE...\n");
	return 2;
}
