// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * check_mpol_make.c - the NUMA policies of an image as the restore helper
 * reads and makes them (ssid/migrate/image_peek.c, mpol_make.c): each
 * thread's policy comes out of the image in thread order, a policy this
 * node can hold is set and reads back, one naming a node that is not here
 * is refused with the reason; each mapping's policy gets a page of its
 * own (a carrier) outside the image's mappings.  The lab carries real ones (t-31's
 * numa_policy programs).
 */
#include <check.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/mempolicy.h>
#include <sys/syscall.h>

#include "run_suite.h"
#include "migrate/image_peek.h"
#include "migrate/mpol_make.h"

/* A section header and its payload at @fd's end. */
static void put_section(int fd, uint32_t type, const void *payload, uint64_t size)
{
	struct ssi_img_section s = { .type = type, .size = size, .count = 1 };

	ck_assert_int_eq(write(fd, &s, sizeof(s)), (ssize_t)sizeof(s));
	if (size)
		ck_assert_int_eq(write(fd, payload, size), (ssize_t)size);
}

START_TEST(test_read_from_image)
{
	struct ssi_img_header h = { .magic = SSI_IMG_MAGIC, .version = SSI_IMG_VERSION,
				    .header_size = sizeof(h), .home_pid = 300,
				    .nr_threads = 2 };
	static struct ssi_img_task t;
	struct {
		struct ssi_img_thread t;
		unsigned char xsave[64];
	} rec = { 0 };
	struct ssi_img_mempolicy got[4];
	FILE *f = tmpfile();
	int fd;

	ck_assert_ptr_nonnull(f);
	fd = fileno(f);
	t.leader.mempolicy.mode = SSI_MPOL_BIND;
	t.leader.mempolicy.flags = SSI_MPOL_F_STATIC_NODES;
	t.leader.mempolicy.nodes[0] = 0x5;
	rec.t.home_tid = 301;
	rec.t.mempolicy.mode = SSI_MPOL_INTERLEAVE;
	rec.t.mempolicy.nodes[15] = 1ULL << 63;
	ck_assert_int_eq(write(fd, &h, sizeof(h)), (ssize_t)sizeof(h));
	put_section(fd, SSI_SEC_TASK, &t, sizeof(t));
	put_section(fd, SSI_SEC_THREAD, &rec, sizeof(rec));
	put_section(fd, SSI_SEC_END, NULL, 0);

	ck_assert_int_eq(image_mempolicies_read(fd, got, 2), 2);
	ck_assert_int_eq(memcmp(&got[0], &t.leader.mempolicy, sizeof(got[0])), 0);
	ck_assert_int_eq(memcmp(&got[1], &rec.t.mempolicy, sizeof(got[1])), 0);
	ck_assert_int_eq(image_mempolicies_read(fd, got, 1), -E2BIG);
	/* a thread fewer than the header says */
	h.nr_threads = 3;
	ck_assert_int_eq(pwrite(fd, &h, sizeof(h), 0), (ssize_t)sizeof(h));
	ck_assert_int_eq(image_mempolicies_read(fd, got, 4), -EINVAL);
	fclose(f);
}
END_TEST

/*
 * Whether this host lets a process set a policy at all: a container's
 * seccomp profile may refuse set_mempolicy() without CAP_SYS_NICE.
 */
static bool policies_allowed(void)
{
	if (!syscall(SYS_set_mempolicy, MPOL_DEFAULT, NULL, 0))
		return true;
	ck_assert_int_eq(errno, EPERM);
	fprintf(stderr, "check_mpol_make: set_mempolicy: EPERM here; policies not made\n");
	return false;
}

START_TEST(test_made_policy_reads_back)
{
	static const struct {
		uint16_t mode, flags;
	} cases[] = {
		{ SSI_MPOL_BIND, 0 },
		{ SSI_MPOL_BIND, SSI_MPOL_F_STATIC_NODES },
		{ SSI_MPOL_INTERLEAVE, SSI_MPOL_F_RELATIVE_NODES },
		{ SSI_MPOL_PREFERRED, 0 },
		{ SSI_MPOL_PREFERRED_MANY, 0 },
		{ SSI_MPOL_LOCAL, 0 },
		{ SSI_MPOL_DEFAULT, 0 },
	};
	struct ssi_img_mempolicy m;
	char why[160];
	unsigned int i;

	if (!policies_allowed())
		return;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&m, 0, sizeof(m));
		m.mode = cases[i].mode;
		m.flags = cases[i].flags;
		if (m.mode != SSI_MPOL_LOCAL && m.mode != SSI_MPOL_DEFAULT)
			m.nodes[0] = 1;		/* node 0: every machine has it */
		ck_assert_msg(!mpol_make(&m, why, sizeof(why)), "case %u: %s", i, why);
	}
}
END_TEST

START_TEST(test_node_not_here_is_refused)
{
	struct ssi_img_mempolicy m = { .mode = SSI_MPOL_BIND };
	char why[160] = "";

	if (!policies_allowed())
		return;
	/* node 1023 has no memory on any machine these tests run on */
	m.nodes[15] = 1ULL << 63;
	ck_assert_int_eq(mpol_make(&m, why, sizeof(why)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(why, "set_mempolicy"));
	/* kept as given, a node that is not here is not in force: refused too */
	m.flags = SSI_MPOL_F_STATIC_NODES;
	ck_assert_int_eq(mpol_make(&m, why, sizeof(why)), -EINVAL);
	/*
	 * Both nodes 0 and 1023 given, only 0 here: set, it reads back as
	 * another policy (or, on a kernel built for fewer nodes than 1024,
	 * set_mempolicy() refuses the mask).
	 */
	m.flags = 0;
	m.nodes[0] = 1;
	why[0] = 0;
	ck_assert_int_eq(mpol_make(&m, why, sizeof(why)), -EINVAL);
	ck_assert_msg(strstr(why, " here") || strstr(why, "set_mempolicy"), "%s", why);
}
END_TEST

/*
 * A carrier for each mapping with a policy, in order, outside every
 * mapping, each holding exactly its mapping's policy.
 */
START_TEST(test_carriers)
{
	struct ssi_img_vma v[4] = {
		{ .start = 0x10000000, .end = 0x10004000, .kind = SSI_VMA_FILE,
		  .mpol_mode = SSI_MPOL_BIND, .mpol_nodes = 1 },
		{ .start = 0x10004000, .end = 0x10008000, .kind = SSI_VMA_ANON },
		{ .start = 0x20000000, .end = 0x20001000, .kind = SSI_VMA_ANON,
		  .mpol_mode = SSI_MPOL_INTERLEAVE, .mpol_flags = SSI_MPOL_F_STATIC_NODES,
		  .mpol_nodes = 1 },
		{ .start = 0x30000000, .end = 0x30001000, .kind = SSI_VMA_ANON,
		  .mpol_mode = SSI_MPOL_LOCAL },
	};
	unsigned long nodes[SSI_IMG_NODE_WORDS];
	uint64_t *a;
	char why[160];
	int i, j, mode;

	if (!policies_allowed())
		return;
	ck_assert_msg(mpol_carriers_make(v, 4, &a, why, sizeof(why)) == 3, "%s", why);
	for (i = 0; i < 3; i++) {
		const struct ssi_img_vma *m = &v[i ? i + 1 : 0];

		for (j = 0; j < 4; j++)
			ck_assert(a[i] + 4096 <= v[j].start || a[i] >= v[j].end);
		ck_assert(!i || a[i] > a[i - 1]);
		memset(nodes, 0, sizeof(nodes));
		ck_assert_int_eq(syscall(SYS_get_mempolicy, &mode, nodes, 1025UL,
					 (void *)(uintptr_t)a[i], MPOL_F_ADDR), 0);
		ck_assert_int_eq(mode, m->mpol_mode | m->mpol_flags);
		ck_assert_uint_eq(nodes[0], m->mpol_nodes);
	}
	free(a);
	ck_assert_int_eq(mpol_carriers_make(v + 1, 1, &a, why, sizeof(why)), 0);
	ck_assert_ptr_null(a);
	/* node 63 is not here */
	v[2].mpol_nodes = 1ULL << 63;
	v[2].mpol_flags = 0;
	ck_assert_int_eq(mpol_carriers_make(v, 4, &a, why, sizeof(why)), -EINVAL);
	ck_assert_msg(strstr(why, "vma 2") != NULL, "%s", why);
}
END_TEST

static Suite *mpol_suite(void)
{
	Suite *s = suite_create("mpol_make");
	TCase *tc = tcase_create("make");

	tcase_add_test(tc, test_read_from_image);
	tcase_add_test(tc, test_made_policy_reads_back);
	tcase_add_test(tc, test_node_not_here_is_refused);
	tcase_add_test(tc, test_carriers);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run(mpol_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
