// SPDX-License-Identifier: GPL-2.0
/*
 * ssi-img - decode and check a slurm-ssi process image.
 *
 *   ssi-img [-q] [-p] [FILE|-]
 *
 * Prints the header, task state, mm layout, mapped files, VMAs and page
 * totals of an image (doc/image-format.md), checking every CRC and every
 * rule with the module's own ssi_imgcheck.c.  Node-specific checks (kernel
 * release, vDSO digest, file contents) are the restorer's; SSI_IOC_RESTORE
 * with SSI_RESTORE_VERIFY_ONLY runs those.
 *   -q  print nothing, only set the exit status
 *   -p  list every page run
 * Exit status: 0 valid, 1 invalid (reason printed), 2 usage or I/O error.
 */
#include <inttypes.h>

#include "ssi_tool.h"

static FILE *in;
static uint64_t off;
static int quiet, list_runs;
static struct ssi_img_err err;

#define out(...) do { if (!quiet) printf(__VA_ARGS__); } while (0)

static void __attribute__((noreturn)) invalid(void)
{
	fprintf(stderr, "ssi-img: invalid image: %s in %s at offset %llu: %s\n",
		ssi_reason_name(err.reason), ssi_section_name(err.section),
		(unsigned long long)err.offset, err.detail);
	exit(1);
}

static void fail(u32 reason, u32 section, uint64_t at, const char *detail)
{
	err.reason = reason;
	err.section = section;
	err.offset = at;
	snprintf(err.detail, sizeof(err.detail), "%s", detail);
	invalid();
}

static void rd(void *buf, size_t len, u32 section)
{
	size_t n = fread(buf, 1, len, in);

	if (n != len) {
		if (ferror(in))
			die("read: %s", strerror(errno));
		fail(SSI_R_TRUNCATED, section, off + n, "image ends early");
	}
	off += len;
}

static void check(int ret, u32 section, uint64_t at)
{
	if (ret < 0) {
		err.section = section;
		err.offset = at;
		invalid();
	}
}

static void section(u32 type, const struct ssi_img_header *h,
		    struct ssi_img_section *s)
{
	uint64_t at = off;

	rd(s, sizeof(*s), type);
	check(ssi_img_check_section(s, type, h, &err), type, at);
}

static void *payload(const struct ssi_img_section *s)
{
	uint64_t at = off;
	void *p = malloc(s->size ? s->size : 1);

	if (!p)
		die("out of memory");
	rd(p, s->size, s->type);
	if (ssi_crc32c(0, p, s->size) != s->data_crc)
		fail(SSI_R_CSUM, s->type, at, "section payload checksum");
	return p;
}

static const char *kind_name(u32 kind)
{
	static const char *const k[] = { "?", "anon", "file", "heap", "stack",
					 "vdso", "vvar", "dsm" };

	return kind < 8 ? k[kind] : "?";
}

static const char *restart_name(u32 r)
{
	static const char *const n[] = { "none", "done", "sys", "nointr",
					 "nohand", "block" };

	return r < 6 ? n[r] : "?";
}

/* The bits of @words (@n of them) as a list ("0-3,8"), as /proc's *_list. */
static void print_list(const __u64 *words, int n)
{
	int bit, first = -1;
	const char *sep = "";

	for (bit = 0; bit <= n; bit++) {
		bool on = bit < n && (words[bit / 64] >> (bit % 64) & 1);

		if (on && first < 0)
			first = bit;
		if (on || first < 0)
			continue;
		if (first == bit - 1)
			out("%s%d", sep, first);
		else
			out("%s%d-%d", sep, first, bit - 1);
		sep = ",";
		first = -1;
	}
}

static void print_cpus(const struct ssi_img_thread *t)
{
	out("  cpus ");
	print_list(t->cpus, SSI_IMG_CPU_WORDS * 64);
	out("%s\n", t->flags & SSI_THRF_CPUS_ANY ? " (any: not bound)" : " (bound)");
}

/* As numactl --show names them. */
static void print_mempolicy(const struct ssi_img_mempolicy *m)
{
	static const char *const modes[] = {
		"default", "preferred", "bind", "interleave", "local", "preferred-many",
	};

	out("  mempolicy %s%s%s%s nodes ", m->mode <= SSI_MPOL_MAX ? modes[m->mode] : "?",
	    m->flags & SSI_MPOL_F_STATIC_NODES ? " static" : "",
	    m->flags & SSI_MPOL_F_RELATIVE_NODES ? " relative" : "",
	    m->flags & SSI_MPOL_F_NUMA_BALANCING ? " balancing" : "");
	print_list(m->nodes, SSI_IMG_NODE_WORDS * 64);
	out("\n");
}

static void print_thread(const char *what, const struct ssi_img_thread *t)
{
	const struct ssi_img_regs *r = &t->regs;

	out("%s: comm \"%s\" tid %d restart %s syscall %d\n", what, t->comm,
	    t->home_tid, restart_name(t->restart), t->syscall_nr);
	out("  ip %016llx sp %016llx flags %08llx ax %016llx\n",
	    (unsigned long long)r->ip, (unsigned long long)r->sp,
	    (unsigned long long)r->flags, (unsigned long long)r->ax);
	out("  fs_base %llx gs_base %llx\n", (unsigned long long)r->fs_base,
	    (unsigned long long)r->gs_base);
	out("  sigmask %016llx altstack %llx+%llu flags %#x\n",
	    (unsigned long long)t->sigmask, (unsigned long long)t->altstack_sp,
	    (unsigned long long)t->altstack_size, t->altstack_flags);
	out("  rseq %llx sig %#x  clear_child_tid %llx  robust_list %llx\n",
	    (unsigned long long)t->rseq, t->rseq_sig,
	    (unsigned long long)t->clear_child_tid,
	    (unsigned long long)t->robust_list);
	out("  sched policy %u priority %u nice %d%s ioprio %#x\n", t->sched_policy,
	    t->sched_priority, t->sched_nice,
	    t->flags & SSI_THRF_SCHED_RESET_ON_FORK ? " reset-on-fork" : "", t->ioprio);
	print_cpus(t);
	print_mempolicy(&t->mempolicy);
	out("  cputime %llu ns  user %llu system %llu ns  faults %llu/%llu  switches %llu/%llu\n",
	    (unsigned long long)t->cputime_ns, (unsigned long long)t->ru.utime_ns,
	    (unsigned long long)t->ru.stime_ns, (unsigned long long)t->ru.minflt,
	    (unsigned long long)t->ru.majflt, (unsigned long long)t->ru.nvcsw,
	    (unsigned long long)t->ru.nivcsw);
}

/* " locked dontdump": each SSI_VMAF_* bit by name, then a newline */
static void print_vma_flags(__u32 flags)
{
	__u32 bit;
	int c;

	for (bit = 1; bit && bit <= flags; bit <<= 1) {
		const char *n = ssi_vmaf_name(bit);

		if (!(flags & bit))
			continue;
		if (!n) {
			out(" %#x", bit);
			continue;
		}
		out(" ");
		for (; *n; n++) {
			c = *n >= 'A' && *n <= 'Z' ? *n - 'A' + 'a' : *n;
			out("%c", c);
		}
	}
	out("\n");
}

static void print_task(const struct ssi_img_task *t)
{
	int i, shown = 0;

	print_thread("task", &t->leader);
	out("  personality %#x oom_score_adj %d (min %d)%s\n", t->personality,
	    t->oom_score_adj, t->oom_score_adj_min,
	    t->flags & SSI_TASKF_CHILD_SUBREAPER ? " child-subreaper" : "");
	for (i = 0; i < SSI_IMG_NSIG; i++) {
		const struct ssi_img_sigaction *sa = &t->sigactions[i];

		if (!sa->handler && !sa->flags && !sa->mask)
			continue;
		if (!shown++)
			out("  signal dispositions:\n");
		out("    %2d handler %llx flags %#llx mask %llx\n", i + 1,
		    (unsigned long long)sa->handler, (unsigned long long)sa->flags,
		    (unsigned long long)sa->mask);
	}
}

/* The head of each queued signal's siginfo, and whose queue it is on. */
static void print_sigqueue(const struct ssi_img_siginfo *q, u32 n)
{
	int32_t head[3];	/* si_signo, si_errno, si_code */
	u32 i;

	for (i = 0; i < n; i++) {
		memcpy(head, q[i].info, sizeof(head));
		if (!i)
			out("queued signals:\n");
		out("  %d code %d errno %d on ", head[0], head[2], head[1]);
		if (q[i].tid)
			out("thread %u\n", q[i].tid);
		else
			out("the process\n");
	}
}

/* Each POSIX timer: its id, clock, how it notifies, when it fires next. */
static void print_timers(const struct ssi_img_posix_timer *p, u32 n, u32 next)
{
	u32 i;

	out("POSIX timers: %u, next id %u\n", n, next);
	for (i = 0; i < n; i++) {
		out("  %d clock %d notify %d signal %d", p[i].id, p[i].clock, p[i].notify,
		    p[i].signo);
		if (p[i].tid)
			out(" thread %d", p[i].tid);
		if (!p[i].expires)
			out(" disarmed");
		else if (p[i].flags & SSI_PTIMER_ABS_REALTIME)
			out(" at %llu ns", (unsigned long long)p[i].expires);
		else
			out(" in %llu ns", (unsigned long long)p[i].expires);
		out(" every %llu ns overrun %lld\n", (unsigned long long)p[i].interval,
		    (long long)p[i].overrun);
	}
}

static void print_mm(const struct ssi_img_mm *m)
{
	out("mm: code %llx-%llx data %llx-%llx brk %llx-%llx stack %llx\n",
	    (unsigned long long)m->start_code, (unsigned long long)m->end_code,
	    (unsigned long long)m->start_data, (unsigned long long)m->end_data,
	    (unsigned long long)m->start_brk, (unsigned long long)m->brk,
	    (unsigned long long)m->start_stack);
	out("  args %llx-%llx env %llx-%llx auxv %u words\n",
	    (unsigned long long)m->arg_start, (unsigned long long)m->arg_end,
	    (unsigned long long)m->env_start, (unsigned long long)m->env_end,
	    m->nr_auxv);
	if (m->pkeys)
		out("  protection keys %#x, execute-only %u\n", m->pkeys,
		    m->pkey_exec_only);
}

int main(int argc, char **argv)
{
	/* Node-independent checks: what every x86-64 node agrees on. */
	struct ssi_img_env env = {
		.task_size	= SSI_X86_64_TASK_SIZE_MAX,
		.page_size	= SSI_X86_64_PAGE_SIZE,
		.user_cs	= SSI_X86_64_USER_CS,
		.user_ss	= SSI_X86_64_USER_SS,
		.mxcsr_mask	= SSI_X86_64_MXCSR_MASK,
	};
	struct ssi_img_header h;
	struct ssi_img_section s;
	struct ssi_img_siginfo *sigq;
	struct ssi_img_posix_timer *timers;
	struct ssi_img_task *t;
	int32_t *tids;
	struct ssi_img_mm *m;
	struct ssi_img_vma *v;
	struct ssi_img_end *end;
	struct ssi_img_runs runs = { 0 };
	uint64_t at, end_at;
	u32 *offs, nfiles, i;
	void *xs, *files;
	char *buf;
	int c;

	prog_name = "ssi-img";
	while ((c = getopt(argc, argv, "qp")) != -1) {
		switch (c) {
		case 'q': quiet = 1; break;
		case 'p': list_runs = 1; break;
		default:
			fprintf(stderr, "usage: ssi-img [-q] [-p] [FILE|-]\n");
			return 2;
		}
	}
	if (optind < argc && strcmp(argv[optind], "-")) {
		in = fopen(argv[optind], "rb");
		if (!in)
			die("%s: %s", argv[optind], strerror(errno));
	} else {
		in = stdin;
	}

	rd(&h, sizeof(h), 0);
	check(ssi_img_check_header(&h, &env, &err), 0, 0);
	out("image v%u arch %u page %u, from pid %d (%u threads), kernel %s\n",
	    h.version, h.arch, h.page_size, h.home_pid, h.nr_threads, h.release);
	out("  vvar %llx-%llx vdso %llx-%llx digest ", (unsigned long long)h.vvar_start,
	    (unsigned long long)h.vvar_end, (unsigned long long)h.vdso_start,
	    (unsigned long long)h.vdso_end);
	for (i = 0; i < 8; i++)
		out("%02x", h.vdso_digest[i]);
	out("...\n  xfeatures %#llx xstate %u bytes\n",
	    (unsigned long long)h.xfeatures, h.xstate_size);

	at = off;
	section(SSI_SEC_TASK, &h, &s);
	t = payload(&s);
	check(ssi_img_check_task(t, &env, &err), SSI_SEC_TASK, at);
	print_task(t);

	at = off;
	section(SSI_SEC_XSTATE, &h, &s);
	xs = payload(&s);
	check(ssi_img_check_xstate(xs, s.size, &h, &env, &err), SSI_SEC_XSTATE, at);
	out("xstate: %llu bytes, in use %#llx\n", (unsigned long long)s.size,
	    (unsigned long long)*(uint64_t *)((char *)xs + 512));

	at = off;
	section(SSI_SEC_MM, &h, &s);
	m = payload(&s);
	check(ssi_img_check_mm(m, &env, &err), SSI_SEC_MM, at);
	print_mm(m);

	at = off;
	section(SSI_SEC_FILES, &h, &s);
	files = payload(&s);
	nfiles = s.count;
	offs = calloc(nfiles ? nfiles : 1, sizeof(*offs));
	check(ssi_img_check_files(files, s.size, s.count, offs, &err),
	      SSI_SEC_FILES, at);
	out("files: %u\n", nfiles);
	for (i = 0; i < nfiles; i++) {
		const struct ssi_img_file *f = (void *)((char *)files + offs[i]);
		u32 j;

		out("  [%u] %s size %llu %s ", i, ssi_img_file_path(f),
		    (unsigned long long)f->size,
		    f->digest_kind == SSI_DIGEST_BUILDID ? "build-id" :
		    f->digest_kind == SSI_DIGEST_DSM ? "dsm-segment" : "sha256");
		for (j = 0; j < f->digest_len; j++)
			out("%02x", f->digest[j]);
		out("\n");
	}

	at = off;
	section(SSI_SEC_VMAS, &h, &s);
	v = payload(&s);
	check(ssi_img_check_vmas(v, s.count, nfiles, &h, &env, &err) ?:
	      ssi_img_check_vma_files(v, s.count, files, offs, &err),
	      SSI_SEC_VMAS, at);
	out("vmas: %u\n", s.count);
	for (i = 0; i < s.count; i++) {
		out("  %012llx-%012llx %c%c%c %-5s pgoff %llx%s",
		    (unsigned long long)v[i].start, (unsigned long long)v[i].end,
		    v[i].prot & 1 ? 'r' : '-', v[i].prot & 2 ? 'w' : '-',
		    v[i].prot & 4 ? 'x' : '-', kind_name(v[i].kind),
		    (unsigned long long)v[i].pgoff,
		    v[i].kind == SSI_VMA_FILE || v[i].kind == SSI_VMA_DSM ? " (file)" : "");
		if (v[i].pkey)
			out(" pkey %u", v[i].pkey);
		print_vma_flags(v[i].flags);
	}
	runs.vmas = v;
	runs.nr_vmas = s.count;
	runs.page_size = h.page_size;

	tids = calloc(h.nr_threads, sizeof(*tids));
	if (!tids)
		die("out of memory");
	tids[0] = t->leader.home_tid;
	for (i = 1; i < h.nr_threads; i++) {
		char *rec;

		at = off;
		section(SSI_SEC_THREAD, &h, &s);
		rec = payload(&s);
		check(ssi_img_check_thread((void *)rec, &env, &err), SSI_SEC_THREAD, at);
		tids[i] = ((struct ssi_img_thread *)rec)->home_tid;
		check(ssi_img_check_xstate(rec + sizeof(struct ssi_img_thread),
					   h.xstate_size, &h, &env, &err),
		      SSI_SEC_THREAD, at);
		print_thread("thread", (void *)rec);
		free(rec);
	}

	at = off;
	section(SSI_SEC_SIGQUEUE, &h, &s);
	sigq = payload(&s);
	check(ssi_img_check_sigqueue(sigq, s.count, tids, h.nr_threads, &err),
	      SSI_SEC_SIGQUEUE, at);
	print_sigqueue(sigq, s.count);
	free(sigq);

	at = off;
	section(SSI_SEC_TIMERS, &h, &s);
	timers = payload(&s);
	check(ssi_img_check_timers(timers, s.count, tids, h.nr_threads, &err),
	      SSI_SEC_TIMERS, at);
	print_timers(timers, s.count, t->posix_timer_next);
	free(timers);
	free(tids);

	section(SSI_SEC_LDT, &h, &s);
	free(payload(&s));
	if (s.count)
		out("ldt: %u descriptors\n", s.count);

	section(SSI_SEC_PAGES, &h, &s);
	buf = malloc((size_t)SSI_IMG_MAX_RUN * h.page_size);
	if (!buf)
		die("out of memory");
	for (;;) {
		const struct ssi_img_vma *vma;
		struct ssi_img_pages ph;
		size_t len;
		int ret;

		at = off;
		rd(&ph, sizeof(ph), SSI_SEC_PAGES);
		ret = ssi_img_check_run(&runs, &ph, &vma, &err);
		check(ret, SSI_SEC_PAGES, at);
		if (ret == 1)
			break;
		len = (size_t)ph.nr_pages * h.page_size;
		rd(buf, len, SSI_SEC_PAGES);
		if (ssi_crc32c(0, buf, len) != ph.data_crc)
			fail(SSI_R_CSUM, SSI_SEC_PAGES, at, "page data checksum");
		if (list_runs)
			out("  run %012llx +%u pages (%s)\n",
			    (unsigned long long)ph.addr, ph.nr_pages,
			    kind_name(vma->kind));
	}
	out("pages: %llu in %llu runs\n", (unsigned long long)runs.nr_pages,
	    (unsigned long long)runs.nr_runs);

	end_at = off;
	section(SSI_SEC_END, &h, &s);
	end = payload(&s);
	check(ssi_img_check_end(end, &runs, end_at, &err), SSI_SEC_END, end_at);
	if (fgetc(in) != EOF)
		fail(SSI_R_END, SSI_SEC_END, off, "data after the END section");
	out("valid image, %llu bytes\n", (unsigned long long)off);
	return 0;
}
