// SPDX-License-Identifier: GPL-2.0
/*
 * check_migmsg.c - the migration and forwarding peer messages (ssid/cluster/peer_msg.c):
 * round trips, and every truncation or out-of-range field refused.
 */
#include <check.h>
#include <fcntl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "kmod/uapi/ssi_image.h"

#include "run_suite.h"
#include "ssid/cluster/peer_msg.h"
#include "ssid/migrate/image_peek.h"

START_TEST(test_offer)
{
	static unsigned char buf[MSG_MIG_OFFER_MAX];
	static struct msg_mig_offer in, out;
	size_t n, i;

	in.id = 0x1122334455667788ULL;
	in.pid = 4242;
	in.ppid = 17;
	in.tid = 4242;
	in.uid = 1000;
	in.gid = 100;
	in.ngroups = 3;
	in.groups[0] = 100;
	in.groups[1] = 27;
	in.groups[2] = 5;
	in.image_size = 123456789;
	strcpy(in.comm, "python3");
	in.seccomp_len = 4242;
	n = msg_encode_mig_offer(&in, buf);
	ck_assert_uint_eq(n, MSG_MIG_OFFER_LEN + 12 + 4);
	ck_assert_int_eq(msg_decode_mig_offer(buf, n, &out), 0);
	ck_assert_uint_eq(out.id, in.id);
	ck_assert_uint_eq(out.pid, 4242);
	ck_assert_uint_eq(out.ppid, 17);
	ck_assert_uint_eq(out.uid, 1000);
	ck_assert_uint_eq(out.ngroups, 3);
	ck_assert_uint_eq(out.groups[1], 27);
	ck_assert_uint_eq(out.image_size, 123456789);
	ck_assert_str_eq(out.comm, "python3");
	ck_assert_uint_eq(out.seccomp_len, 4242);
	for (i = 0; i < n - 4; i++)
		ck_assert_int_eq(msg_decode_mig_offer(buf, i, &out), -1);
	/* an older sender's offer: no seccomp filters */
	ck_assert_int_eq(msg_decode_mig_offer(buf, n - 4, &out), 0);
	ck_assert_uint_eq(out.seccomp_len, 0);
	in.seccomp_len = MSG_MIG_SECCOMP_MAX + 1;
	n = msg_encode_mig_offer(&in, buf);
	ck_assert_int_eq(msg_decode_mig_offer(buf, n, &out), -1);
	in.seccomp_len = 0;
	n = msg_encode_mig_offer(&in, buf);

	/* more groups than the payload holds */
	buf[4 + 8 + 5 * 4 + 3] = 5;	/* 3 + the 4 bytes of seccomp_len */
	ck_assert_int_eq(msg_decode_mig_offer(buf, n, &out), -1);
	/* absurd counts and sizes; 0 is a streamed image */
	in.ngroups = 0;
	in.image_size = 0;
	n = msg_encode_mig_offer(&in, buf);
	ck_assert_int_eq(msg_decode_mig_offer(buf, n, &out), 0);
	in.image_size = MSG_MIG_IMAGE_MAX + 1;
	n = msg_encode_mig_offer(&in, buf);
	ck_assert_int_eq(msg_decode_mig_offer(buf, n, &out), -1);
	in.image_size = 1;
	in.pid = 0;
	n = msg_encode_mig_offer(&in, buf);
	ck_assert_int_eq(msg_decode_mig_offer(buf, n, &out), -1);
	in.pid = 1;
	/* a comm that is not text is made printable */
	memcpy(in.comm, "a\nb\x01", 5);
	n = msg_encode_mig_offer(&in, buf);
	ck_assert_int_eq(msg_decode_mig_offer(buf, n, &out), 0);
	ck_assert_str_eq(out.comm, "a?b?");
	/* another version */
	buf[0] = 2;
	ck_assert_int_eq(msg_decode_mig_offer(buf, n, &out), -1);
	ck_assert_int_eq(msg_decode_mig_offer(NULL, 0, &out), -1);
}
END_TEST

/* MIG_SECCOMP: a header, then the filters' bytes (checked by seccomp_carry) */
START_TEST(test_seccomp_msg)
{
	unsigned char buf[MSG_MIG_SECCOMP_HDR_LEN + 8] = { 0 };
	struct msg_mig_seccomp in = { .id = 77 }, out;
	size_t n = msg_encode_mig_seccomp(&in, buf);

	ck_assert_uint_eq(n, MSG_MIG_SECCOMP_HDR_LEN);
	memcpy(buf + n, "filters!", 8);
	ck_assert_int_eq(msg_decode_mig_seccomp(buf, n + 8, &out), 0);
	ck_assert_uint_eq(out.id, 77);
	ck_assert_uint_eq(out.len, 8);
	ck_assert(out.data == buf + n);
	/* no filters at all is no message */
	ck_assert_int_eq(msg_decode_mig_seccomp(buf, n, &out), -1);
	ck_assert_int_eq(msg_decode_mig_seccomp(buf, n - 1, &out), -1);
	ck_assert_int_eq(msg_decode_mig_seccomp(NULL, 0, &out), -1);
	buf[0] = 2;
	ck_assert_int_eq(msg_decode_mig_seccomp(buf, n + 8, &out), -1);
}
END_TEST

START_TEST(test_image_value_exit)
{
	unsigned char buf[64];
	struct msg_mig_image im = { 7, 4096, MSG_MIG_IMAGE_LAST, 123456789012ULL,
				    123456789999ULL }, imo;
	struct msg_mig_value v = { 9, -5 }, vo;
	size_t n, i;

	n = msg_encode_mig_image(&im, buf);
	ck_assert_uint_eq(n, MSG_MIG_IMAGE_LEN);
	ck_assert_int_eq(msg_decode_mig_image(buf, n, &imo), 0);
	ck_assert_uint_eq(imo.offset, 4096);
	ck_assert_uint_eq(imo.flags, MSG_MIG_IMAGE_LAST);
	ck_assert_uint_eq(imo.mono_ns, 123456789012ULL);
	ck_assert_uint_eq(imo.boot_ns, 123456789999ULL);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(msg_decode_mig_image(buf, i, &imo), -1);
	im.flags = 2;
	n = msg_encode_mig_image(&im, buf);
	ck_assert_int_eq(msg_decode_mig_image(buf, n, &imo), -1);

	n = msg_encode_mig_value(&v, buf);
	ck_assert_int_eq(msg_decode_mig_value(buf, n, &vo), 0);
	ck_assert_int_eq(vo.value, -5);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(msg_decode_mig_value(buf, i, &vo), -1);
	/* exit: only real wait statuses */
	ck_assert_int_eq(msg_decode_mig_exit(buf, n, &vo), -1);
	v.value = 7 << 8;
	n = msg_encode_mig_value(&v, buf);
	ck_assert_int_eq(msg_decode_mig_exit(buf, n, &vo), 0);
	ck_assert(WIFEXITED(vo.value) && WEXITSTATUS(vo.value) == 7);
	v.value = SIGKILL;
	n = msg_encode_mig_value(&v, buf);
	ck_assert_int_eq(msg_decode_mig_exit(buf, n, &vo), 0);
	ck_assert(WIFSIGNALED(vo.value) && WTERMSIG(vo.value) == SIGKILL);
	v.value = SIGSEGV | 0x80;
	n = msg_encode_mig_value(&v, buf);
	ck_assert_int_eq(msg_decode_mig_exit(buf, n, &vo), 0);
	v.value = 0x7f;		/* "stopped": not an end */
	n = msg_encode_mig_value(&v, buf);
	ck_assert_int_eq(msg_decode_mig_exit(buf, n, &vo), -1);
	v.value = 0x10000;
	n = msg_encode_mig_value(&v, buf);
	ck_assert_int_eq(msg_decode_mig_exit(buf, n, &vo), -1);
}
END_TEST

/* DSM_*: round trips with and without content; what each type may carry. */
START_TEST(test_dsm)
{
	static unsigned char buf[MSG_DSM_LEN + MSG_DSM_PAGE], page[MSG_DSM_PAGE];
	struct msg_dsm m = { .seg = 0x1234567890ULL, .page = 77, .value = 2 }, o;
	size_t n, i;

	memset(page, 0xa5, sizeof(page));
	n = msg_encode_dsm(SSID_MSG_DSM_ASK, &m, buf);
	ck_assert_uint_eq(n, MSG_DSM_LEN);
	ck_assert_int_eq(msg_decode_dsm(SSID_MSG_DSM_ASK, buf, n, &o), 0);
	ck_assert_uint_eq(o.seg, 0x1234567890ULL);
	ck_assert_uint_eq(o.page, 77);
	ck_assert_uint_eq(o.value, 2);
	ck_assert_ptr_null(o.data);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(msg_decode_dsm(SSID_MSG_DSM_ASK, buf, i, &o), -1);
	/* a grant with the content, which the decoded message points at */
	m.flags = MSG_DSM_DATA;
	m.data = page;
	n = msg_encode_dsm(SSID_MSG_DSM_GRANT, &m, buf);
	ck_assert_uint_eq(n, MSG_DSM_LEN + MSG_DSM_PAGE);
	ck_assert_int_eq(msg_decode_dsm(SSID_MSG_DSM_GRANT, buf, n, &o), 0);
	ck_assert_ptr_eq(o.data, buf + MSG_DSM_LEN);
	ck_assert_int_eq(memcmp(o.data, page, MSG_DSM_PAGE), 0);
	ck_assert_int_eq(msg_decode_dsm(SSID_MSG_DSM_GRANT, buf, n - 1, &o), -1);
	/* content only where it goes: not in an ask or a fail */
	ck_assert_int_eq(msg_decode_dsm(SSID_MSG_DSM_ASK, buf, n, &o), -1);
	m.value = 5;
	n = msg_encode_dsm(SSID_MSG_DSM_FAIL, &m, buf);
	ck_assert_int_eq(msg_decode_dsm(SSID_MSG_DSM_FAIL, buf, n, &o), -1);
	m.flags = 0;
	n = msg_encode_dsm(SSID_MSG_DSM_FAIL, &m, buf);
	ck_assert_int_eq(msg_decode_dsm(SSID_MSG_DSM_FAIL, buf, n, &o), 0);
	/* a revocation asks for the content, with no bytes of it */
	m = (struct msg_dsm){ .seg = 1, .page = 3, .value = 1, .flags = MSG_DSM_DATA };
	n = msg_encode_dsm(SSID_MSG_DSM_REVOKE, &m, buf);
	ck_assert_uint_eq(n, MSG_DSM_LEN);
	ck_assert_int_eq(msg_decode_dsm(SSID_MSG_DSM_REVOKE, buf, n, &o), 0);
	ck_assert_uint_eq(o.flags, MSG_DSM_DATA);
	/* values each type may not have */
	static const struct { uint16_t type; uint64_t page; uint32_t value; } bad[] = {
		{ SSID_MSG_DSM_ASK, 0, 0 }, { SSID_MSG_DSM_ASK, 0, 3 },
		{ SSID_MSG_DSM_ASK, MSG_DSM_PAGES_MAX, 1 }, { SSID_MSG_DSM_REVOKE, 0, 2 },
		{ SSID_MSG_DSM_REVOKED, 0, 1 }, { SSID_MSG_DSM_GRANT, 0, 0 },
		{ SSID_MSG_DSM_FAIL, 0, 0 }, { SSID_MSG_DSM_FAIL, 0, MSG_DSM_ERRNO_MAX + 1 },
		{ SSID_MSG_DSM_WAKE, 0, 0 },
		{ SSID_MSG_DSM_WAKE, MSG_DSM_PAGES_MAX * MSG_DSM_PAGE, 1 },
		{ SSID_MSG_DSM_DROP, 1, 0 }, { SSID_MSG_DSM_DROP, 0, 1 },
		{ SSID_MSG_HEARTBEAT, 0, 1 },
	};
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		m = (struct msg_dsm){ .seg = 9, .page = bad[i].page, .value = bad[i].value };
		n = msg_encode_dsm(bad[i].type, &m, buf);
		ck_assert_msg(msg_decode_dsm(bad[i].type, buf, n, &o) == -1, "case %zu", i);
	}
	m = (struct msg_dsm){ .seg = 9, .page = 8191, .value = 3 };
	n = msg_encode_dsm(SSID_MSG_DSM_WAKE, &m, buf);
	ck_assert_int_eq(msg_decode_dsm(SSID_MSG_DSM_WAKE, buf, n, &o), 0);
	/* unknown flags */
	buf[7] |= 0x2;
	ck_assert_int_eq(msg_decode_dsm(SSID_MSG_DSM_WAKE, buf, n, &o), -1);
}
END_TEST

START_TEST(test_usage)
{
	unsigned char buf[MSG_MIG_USAGE_MEM_LEN];
	struct msg_mig_usage u = { .id = 11, .utime_ns = 2500000000ULL,
				   .stime_ns = 40000000ULL, .maxrss_kb = 65536,
				   .anon_kb = 60000, .file_kb = 3000, .shmem_kb = 20,
				   .swap_kb = 5, .vm_kb = 70000, .vm_peak_kb = 71000 }, o;
	size_t n, i;

	n = msg_encode_mig_usage(&u, buf);
	ck_assert_uint_eq(n, MSG_MIG_USAGE_MEM_LEN);
	ck_assert_int_eq(msg_decode_mig_usage(buf, n, &o), 0);
	ck_assert_uint_eq(o.id, 11);
	ck_assert_uint_eq(o.utime_ns, 2500000000ULL);
	ck_assert_uint_eq(o.stime_ns, 40000000ULL);
	ck_assert_uint_eq(o.maxrss_kb, 65536);
	ck_assert_uint_eq(o.anon_kb, 60000);
	ck_assert_uint_eq(o.file_kb, 3000);
	ck_assert_uint_eq(o.shmem_kb, 20);
	ck_assert_uint_eq(o.swap_kb, 5);
	ck_assert_uint_eq(o.vm_kb, 70000);
	ck_assert_uint_eq(o.vm_peak_kb, 71000);
	for (i = 0; i < MSG_MIG_USAGE_LEN; i++)
		ck_assert_int_eq(msg_decode_mig_usage(buf, i, &o), -1);
	/* an older peer's message (no memory held): the memory is not known */
	ck_assert_int_eq(msg_decode_mig_usage(buf, MSG_MIG_USAGE_LEN, &o), 0);
	ck_assert_uint_eq(o.maxrss_kb, 65536);
	ck_assert_uint_eq(o.anon_kb + o.file_kb + o.shmem_kb + o.swap_kb, 0);
	ck_assert_uint_eq(o.vm_kb + o.vm_peak_kb, 0);
	u.vm_kb = MSG_MIG_USAGE_RSS_MAX_KB + 1;
	n = msg_encode_mig_usage(&u, buf);
	ck_assert_int_eq(msg_decode_mig_usage(buf, n, &o), -1);
	u.vm_kb = 0;
	/* out of range: refused, not charged */
	u.stime_ns = MSG_MIG_USAGE_CPU_MAX_NS + 1;
	n = msg_encode_mig_usage(&u, buf);
	ck_assert_int_eq(msg_decode_mig_usage(buf, n, &o), -1);
	u.stime_ns = 0;
	u.maxrss_kb = MSG_MIG_USAGE_RSS_MAX_KB + 1;
	n = msg_encode_mig_usage(&u, buf);
	ck_assert_int_eq(msg_decode_mig_usage(buf, n, &o), -1);
}
END_TEST

START_TEST(test_failed)
{
	unsigned char buf[MSG_MIG_FAILED_MAX];
	struct msg_mig_failed f = { .id = 3, .reason = 14, .err = 2 }, o;
	size_t n, i;

	strcpy(f.detail, "-2 opening /tmp/x");
	n = msg_encode_mig_failed(&f, buf);
	ck_assert_int_eq(msg_decode_mig_failed(buf, n, &o), 0);
	ck_assert_str_eq(o.detail, "-2 opening /tmp/x");
	ck_assert_uint_eq(o.reason, 14);
	ck_assert_int_eq(o.err, 2);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(msg_decode_mig_failed(buf, i, &o), -1);
	/* a detail length beyond the limit */
	buf[4 + 8 + 8] = 0xff;
	ck_assert_int_eq(msg_decode_mig_failed(buf, n, &o), -1);
	/* a negative errno */
	f.err = -1;
	n = msg_encode_mig_failed(&f, buf);
	ck_assert_int_eq(msg_decode_mig_failed(buf, n, &o), -1);
}
END_TEST

START_TEST(test_fwd_signal)
{
	unsigned char buf[MSG_MIG_SIGNAL_LEN + 16];
	struct msg_fwd f = { .id = 5, .seq = 77, .tid = 4242 }, fo;
	struct msg_mig_signal s = { .id = 5, .signo = 10, .tid = 99 }, so;
	size_t n, i;

	n = msg_encode_fwd(&f, buf);
	ck_assert_uint_eq(n, MSG_FWD_HDR_LEN);
	memcpy(buf + n, "abc", 3);
	ck_assert_int_eq(msg_decode_fwd(buf, n + 3, &fo), 0);
	ck_assert_uint_eq(fo.seq, 77);
	ck_assert_uint_eq(fo.tid, 4242);
	ck_assert_uint_eq(fo.len, 3);
	ck_assert_ptr_eq(fo.data, buf + n);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(msg_decode_fwd(buf, i, &fo), -1);

	memset(s.siginfo, 0xab, sizeof(s.siginfo));
	n = msg_encode_mig_signal(&s, buf);
	ck_assert_uint_eq(n, MSG_MIG_SIGNAL_LEN);
	ck_assert_int_eq(msg_decode_mig_signal(buf, n, &so), 0);
	ck_assert_uint_eq(so.signo, 10);
	ck_assert_uint_eq(so.tid, 99);
	ck_assert_uint_eq(so.siginfo[127], 0xab);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(msg_decode_mig_signal(buf, i, &so), -1);
	s.signo = 0;
	n = msg_encode_mig_signal(&s, buf);
	ck_assert_int_eq(msg_decode_mig_signal(buf, n, &so), -1);
	s.signo = 65;
	n = msg_encode_mig_signal(&s, buf);
	ck_assert_int_eq(msg_decode_mig_signal(buf, n, &so), -1);
}
END_TEST

/* MIG_THREADS: (home, remote) tid pairs; counts and tids in range. */
START_TEST(test_threads)
{
	static unsigned char buf[MSG_MIG_THREADS_LEN(MSG_MIG_THREADS_MAX) + 8];
	static struct msg_mig_threads t, to;
	size_t n, i;

	t.id = 9;
	t.n = 3;
	for (i = 0; i < MSG_MIG_THREADS_MAX; i++) {
		t.home[i] = (int32_t)(100 + i);
		t.remote[i] = (int32_t)(700 + i);
	}
	n = msg_encode_mig_threads(&t, buf);
	ck_assert_uint_eq(n, MSG_MIG_THREADS_LEN(3));
	ck_assert_int_eq(msg_decode_mig_threads(buf, n, &to), 0);
	ck_assert_uint_eq(to.id, 9);
	ck_assert_uint_eq(to.n, 3);
	ck_assert_int_eq(to.home[2], 102);
	ck_assert_int_eq(to.remote[2], 702);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(msg_decode_mig_threads(buf, i, &to), -1);
	t.remote[1] = 0;		/* no such tid */
	n = msg_encode_mig_threads(&t, buf);
	ck_assert_int_eq(msg_decode_mig_threads(buf, n, &to), -1);
	t.remote[1] = 701;
	t.n = 0;			/* a process has a thread */
	n = msg_encode_mig_threads(&t, buf);
	ck_assert_int_eq(msg_decode_mig_threads(buf, n, &to), -1);
	t.n = MSG_MIG_THREADS_MAX;
	n = msg_encode_mig_threads(&t, buf);
	ck_assert_int_eq(msg_decode_mig_threads(buf, n, &to), 0);
	buf[MSG_MIG_THREADS_LEN(0) - 1]++;	/* n beyond the maximum */
	ck_assert_int_eq(msg_decode_mig_threads(buf, n + 8, &to), -1);
}
END_TEST

START_TEST(test_proc_fds)
{
	static unsigned char buf[MSG_MIG_PROC_FDS_MAX_LEN + 8];
	static struct msg_mig_proc_fds t, to;
	static struct seq_pos seq;
	size_t n, i;

	t.id = 11;
	t.n = 2;
	t.fd[0] = (struct msg_mig_proc_fd){ .fd = 3, .flags = O_RDONLY | O_CLOEXEC, .pos = 4096,
					    .path = "4242/maps" };
	t.fd[1] = (struct msg_mig_proc_fd){ .fd = 1000, .flags = O_RDWR, .pos = 1ULL << 40,
					    .path = "4242/task/4250/mem" };
	n = msg_encode_mig_proc_fds(&t, buf);
	ck_assert_uint_eq(n, MSG_MIG_PROC_FDS_LEN(2));
	ck_assert_int_eq(msg_decode_mig_proc_fds(buf, n, &to), 0);
	ck_assert_uint_eq(to.id, 11);
	ck_assert_uint_eq(to.n, 2);
	ck_assert_int_eq(to.fd[1].fd, 1000);
	ck_assert_uint_eq(to.fd[0].flags, O_RDONLY | O_CLOEXEC);
	ck_assert_uint_eq(to.fd[1].pos, 1ULL << 40);
	ck_assert_str_eq(to.fd[1].path, "4242/task/4250/mem");
	ck_assert(!to.fd[0].has_seq && !to.fd[1].has_seq);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(msg_decode_mig_proc_fds(buf, i, &to), -1);

	/* a seq_file read half way: its state travels, text and all */
	seq.read_pos = 4096;
	seq.index = 0x7f0000001000;
	seq.len = SEQ_POS_TEXT_MAX;
	memset(seq.text, 'x', seq.len);
	seq.text[seq.len - 1] = '\n';
	t.n = 1;
	msg_mig_proc_fds_add(&t, 7, O_RDONLY, 4096, &seq, "4242/smaps");
	ck_assert(t.fd[1].has_seq);
	n = msg_encode_mig_proc_fds(&t, buf);
	ck_assert_uint_eq(n, MSG_MIG_PROC_FDS_LEN(2) + MSG_MIG_PROC_SEQ_LEN(SEQ_POS_TEXT_MAX));
	ck_assert_int_eq(msg_decode_mig_proc_fds(buf, n, &to), 0);
	ck_assert(!to.fd[0].has_seq && to.fd[1].has_seq);
	ck_assert_int_eq(to.fd[1].seq.read_pos, 4096);
	ck_assert_int_eq(to.fd[1].seq.index, 0x7f0000001000);
	ck_assert_uint_eq(to.fd[1].seq.len, SEQ_POS_TEXT_MAX);
	ck_assert_mem_eq(to.fd[1].seq.text, seq.text, SEQ_POS_TEXT_MAX);
	ck_assert_str_eq(to.fd[1].path, "4242/smaps");
	for (i = 0; i < n; i++)
		ck_assert_int_eq(msg_decode_mig_proc_fds(buf, i, &to), -1);
	t.fd[1].seq.index = -2;		/* maps' end marker */
	t.fd[1].seq.len = 0;
	n = msg_encode_mig_proc_fds(&t, buf);
	ck_assert_int_eq(msg_decode_mig_proc_fds(buf, n, &to), 0);
	ck_assert_int_eq(to.fd[1].seq.index, -2);
	t.fd[1].seq.index = -3;		/* no iterator has it */
	n = msg_encode_mig_proc_fds(&t, buf);
	ck_assert_int_eq(msg_decode_mig_proc_fds(buf, n, &to), -1);
	t.fd[1].seq.index = 0;
	t.fd[1].seq.read_pos = -1;
	n = msg_encode_mig_proc_fds(&t, buf);
	ck_assert_int_eq(msg_decode_mig_proc_fds(buf, n, &to), -1);
	t.fd[1].seq.read_pos = 0;
	n = msg_encode_mig_proc_fds(&t, buf);
	/* the text's length beyond what a seq_file state holds */
	buf[MSG_MIG_PROC_FDS_LEN(2) - 4] = 0x00;
	buf[MSG_MIG_PROC_FDS_LEN(2) - 3] = 0x20;
	ck_assert_int_eq(msg_decode_mig_proc_fds(buf, sizeof(buf), &to), -1);
	seq.len = SEQ_POS_TEXT_MAX + 1;	/* never sent */
	msg_mig_proc_fds_add(&t, 8, O_RDONLY, 0, &seq, "4242/maps");
	ck_assert(!t.fd[2].has_seq);
	t.n = 2;
	t.fd[1] = (struct msg_mig_proc_fd){ .fd = 1000, .flags = O_RDWR, .pos = 1ULL << 40,
					    .path = "4242/task/4250/mem" };
	t.fd[1].flags |= O_APPEND;	/* not one it carries */
	n = msg_encode_mig_proc_fds(&t, buf);
	ck_assert_int_eq(msg_decode_mig_proc_fds(buf, n, &to), -1);
	t.fd[1].flags = O_RDWR;
	t.fd[1].fd = -1;
	n = msg_encode_mig_proc_fds(&t, buf);
	ck_assert_int_eq(msg_decode_mig_proc_fds(buf, n, &to), -1);
	t.fd[1].fd = 4;
	t.fd[1].pos = 1ULL << 63;	/* a signalfd's mask with signal 64 */
	t.fd[1].flags = O_NONBLOCK;
	snprintf(t.fd[1].path, sizeof(t.fd[1].path), "signalfd");
	n = msg_encode_mig_proc_fds(&t, buf);
	ck_assert_int_eq(msg_decode_mig_proc_fds(buf, n, &to), 0);
	ck_assert_uint_eq(to.fd[1].pos, 1ULL << 63);
	ck_assert_str_eq(to.fd[1].path, "signalfd");
	t.fd[1].pos = 0;
	t.fd[1].path[0] = '\0';
	n = msg_encode_mig_proc_fds(&t, buf);
	ck_assert_int_eq(msg_decode_mig_proc_fds(buf, n, &to), -1);
	t.n = 0;
	for (i = 0; i < MSG_MIG_PROC_FDS_MAX + 6; i++)	/* the rest left out */
		msg_mig_proc_fds_add(&t, (int)i, O_RDONLY, i, NULL, "4242/stat");
	ck_assert_uint_eq(t.n, MSG_MIG_PROC_FDS_MAX);
	ck_assert_uint_eq(t.fd[63].pos, 63);
	ck_assert_str_eq(t.fd[63].path, "4242/stat");
	t.n = 0;			/* none: allowed */
	n = msg_encode_mig_proc_fds(&t, buf);
	ck_assert_int_eq(msg_decode_mig_proc_fds(buf, n, &to), 0);
	buf[MSG_MIG_PROC_FDS_LEN(0) - 1] = 0xff;	/* n beyond the maximum */
	ck_assert_int_eq(msg_decode_mig_proc_fds(buf, sizeof(buf), &to), -1);
}
END_TEST

/* Random bytes never crash a decoder. */
START_TEST(test_garbage)
{
	static unsigned char buf[MSG_MIG_OFFER_MAX];
	static struct msg_mig_offer o;
	struct msg_mig_failed f;
	struct msg_mig_value v;
	struct msg_mig_signal s;
	struct msg_mig_image im;
	static struct msg_mig_threads th;
	static struct msg_mig_proc_fds pf;
	struct msg_mig_file_req fq;
	struct msg_mig_file_data fd;
	struct msg_fwd fw;
	size_t i, len;
	int k;

	srand(1);
	for (k = 0; k < 20000; k++) {
		len = (size_t)rand() % sizeof(buf);
		for (i = 0; i < len; i++)
			buf[i] = (unsigned char)rand();
		buf[0] = SSID_MSG_VERSION;
		msg_decode_mig_offer(buf, len, &o);
		msg_decode_mig_failed(buf, len, &f);
		msg_decode_mig_exit(buf, len, &v);
		msg_decode_mig_signal(buf, len, &s);
		msg_decode_mig_image(buf, len, &im);
		msg_decode_fwd(buf, len, &fw);
		msg_decode_mig_threads(buf, len, &th);
		msg_decode_mig_proc_fds(buf, len, &pf);
		msg_decode_mig_file_req(buf, len, &fq);
		msg_decode_mig_file_data(buf, len, &fd);
	}
}
END_TEST

/* A mapped file asked for, and its bytes: round trips, and what is refused. */
START_TEST(test_file_msgs)
{
	unsigned char buf[MSG_MIG_FILE_REQ_LEN];
	struct msg_mig_file_req q = { .id = 7, .index = 3, .start = 0x7f0000001000,
				      .end = 0x7f0000005000, .size = 16384,
				      .digest_kind = 2, .digest_len = 32 }, q2;
	struct msg_mig_file_data d = { .id = 7, .index = 3, .flags = MSG_MIG_FILE_LAST,
				       .offset = 4096, .size = 16384 }, d2;
	size_t len;

	memset(q.digest, 0xab, sizeof(q.digest));
	len = msg_encode_mig_file_req(&q, buf);
	ck_assert_uint_eq(len, MSG_MIG_FILE_REQ_LEN);
	ck_assert_int_eq(msg_decode_mig_file_req(buf, len, &q2), 0);
	ck_assert_uint_eq(q2.id, 7);
	ck_assert_uint_eq(q2.index, 3);
	ck_assert_uint_eq(q2.end, 0x7f0000005000);
	ck_assert_uint_eq(q2.size, 16384);
	ck_assert_mem_eq(q2.digest, q.digest, 32);
	ck_assert_int_eq(msg_decode_mig_file_req(buf, len - 1, &q2), -1);
	q.end = q.start;			/* an empty range */
	len = msg_encode_mig_file_req(&q, buf);
	ck_assert_int_eq(msg_decode_mig_file_req(buf, len, &q2), -1);
	q.end = q.start + 100;			/* not page-aligned */
	len = msg_encode_mig_file_req(&q, buf);
	ck_assert_int_eq(msg_decode_mig_file_req(buf, len, &q2), -1);
	q.end = q.start + 4096;
	q.digest_len = 33;
	len = msg_encode_mig_file_req(&q, buf);
	ck_assert_int_eq(msg_decode_mig_file_req(buf, len, &q2), -1);

	len = msg_encode_mig_file_data(&d, buf);
	ck_assert_uint_eq(len, MSG_MIG_FILE_DATA_LEN);
	ck_assert_int_eq(msg_decode_mig_file_data(buf, len, &d2), 0);
	ck_assert_uint_eq(d2.offset, 4096);
	ck_assert_uint_eq(d2.flags, MSG_MIG_FILE_LAST);
	d.offset = d.size + 1;			/* beyond the file */
	len = msg_encode_mig_file_data(&d, buf);
	ck_assert_int_eq(msg_decode_mig_file_data(buf, len, &d2), -1);
	d.offset = 0;
	d.flags = 0x2;				/* unknown flag */
	len = msg_encode_mig_file_data(&d, buf);
	ck_assert_int_eq(msg_decode_mig_file_data(buf, len, &d2), -1);
	d.flags = 0;
	d.size = MSG_MIG_FILE_MAX + 1;
	len = msg_encode_mig_file_data(&d, buf);
	ck_assert_int_eq(msg_decode_mig_file_data(buf, len, &d2), -1);
}
END_TEST

/* Append a section of @type with @size payload bytes at @p (CRCs not set). */
static size_t put_section(unsigned char *p, uint32_t type, const void *payload,
			  uint64_t size)
{
	struct ssi_img_section sec = { .type = type, .size = size };

	memcpy(p, &sec, sizeof(sec));
	if (payload)
		memcpy(p + sizeof(sec), payload, size);
	else
		memset(p + sizeof(sec), 0, size);
	return sizeof(sec) + size;
}

/* The count of the section header at @p (not aligned: a byte copy). */
static void set_count(unsigned char *p, uint32_t count)
{
	memcpy(p + offsetof(struct ssi_img_section, count), &count, sizeof(count));
}

/* The tids of an image: the leader's, then each THREAD section's, in order. */
START_TEST(test_image_threads)
{
	static unsigned char img[16384];
	struct ssi_img_header h = { .magic = SSI_IMG_MAGIC, .version = SSI_IMG_VERSION,
				    .header_size = sizeof(h), .home_pid = 500,
				    .nr_threads = 3 };
	struct {
		struct ssi_img_thread t;
		unsigned char xsave[64];
	} rec = { 0 };
	int32_t tids[4];
	size_t off;
	FILE *f;
	int fd;

	memcpy(img, &h, sizeof(h));
	off = sizeof(h);
	off += put_section(img + off, SSI_SEC_TASK, NULL, 700);
	off += put_section(img + off, SSI_SEC_VMAS, NULL, 96);
	rec.t.home_tid = 512;
	off += put_section(img + off, SSI_SEC_THREAD, &rec, sizeof(rec));
	rec.t.home_tid = 503;
	off += put_section(img + off, SSI_SEC_THREAD, &rec, sizeof(rec));
	off += put_section(img + off, SSI_SEC_PAGES, NULL, 0);
	f = tmpfile();
	ck_assert_ptr_nonnull(f);
	fd = fileno(f);
	ck_assert_int_eq(pwrite(fd, img, off, 0), (ssize_t)off);
	ck_assert_int_eq(image_threads_read(fd, tids, 4), 3);
	ck_assert_int_eq(tids[0], 500);
	ck_assert_int_eq(tids[1], 512);
	ck_assert_int_eq(tids[2], 503);
	ck_assert_int_eq(image_threads_read(fd, tids, 2), -E2BIG);
	/* a section count that does not match nr_threads */
	h.nr_threads = 2;
	ck_assert_int_eq(pwrite(fd, &h, sizeof(h), 0), (ssize_t)sizeof(h));
	ck_assert_int_eq(image_threads_read(fd, tids, 4), -EINVAL);
	h.nr_threads = 4;
	ck_assert_int_eq(pwrite(fd, &h, sizeof(h), 0), (ssize_t)sizeof(h));
	ck_assert_int_eq(image_threads_read(fd, tids, 4), -EINVAL);
	/* cut short inside the sections */
	h.nr_threads = 3;
	ck_assert_int_eq(pwrite(fd, &h, sizeof(h), 0), (ssize_t)sizeof(h));
	ck_assert_int_eq(ftruncate(fd, (off_t)(off - 200)), 0);
	ck_assert_int_eq(image_threads_read(fd, tids, 4), -EIO);
	h.magic = 0;
	ck_assert_int_eq(pwrite(fd, &h, sizeof(h), 0), (ssize_t)sizeof(h));
	ck_assert_int_eq(image_threads_read(fd, tids, 4), -EINVAL);
	fclose(f);
}
END_TEST

/* A FILES record of @kind for @path (rec_size rounded up to 8) at @p. */
static size_t put_file(unsigned char *p, const char *path, uint64_t size, uint32_t kind,
		       uint8_t d0)
{
	struct ssi_img_file r = { .path_len = (uint32_t)strlen(path), .size = size,
				  .digest_kind = kind,
				  .digest_len = kind == SSI_DIGEST_DSM ? 8 : 32 };

	r.rec_size = (uint32_t)((sizeof(r) + r.path_len + 1 + 7) & ~7UL);
	r.digest[0] = d0;
	memset(p, 0, r.rec_size);
	memcpy(p, &r, sizeof(r));
	memcpy(p + sizeof(r), path, r.path_len);
	return r.rec_size;
}

/* The mapped files of an image, each with the first VMA that maps it. */
START_TEST(test_image_files)
{
	static unsigned char img[16384], files[1024];
	struct ssi_img_header h = { .magic = SSI_IMG_MAGIC, .version = SSI_IMG_VERSION,
				    .header_size = sizeof(h), .home_pid = 500,
				    .nr_threads = 1 };
	struct ssi_img_vma v[5] = {
		{ .start = 0x1000, .end = 0x3000, .kind = SSI_VMA_ANON },
		{ .start = 0x4000, .end = 0x5000, .kind = SSI_VMA_FILE, .file = 1 },
		{ .start = 0x6000, .end = 0x8000, .kind = SSI_VMA_FILE, .file = 0 },
		{ .start = 0x9000, .end = 0xa000, .kind = SSI_VMA_FILE, .file = 1 },
		{ .start = 0xb000, .end = 0xc000, .kind = SSI_VMA_DSM, .file = 2 },
	};
	struct image_files l;
	size_t off, flen = 0, at_files;
	FILE *f;
	int fd;

	flen += put_file(files + flen, "/usr/lib/libc.so.6", 1000, SSI_DIGEST_SHA256, 0xaa);
	flen += put_file(files + flen, "/tmp/local", 16384, SSI_DIGEST_SHA256, 0xbb);
	flen += put_file(files + flen, "/dev/zero (deleted)", 8192, SSI_DIGEST_DSM, 0x01);
	memcpy(img, &h, sizeof(h));
	off = sizeof(h);
	off += put_section(img + off, SSI_SEC_TASK, NULL, 700);
	at_files = off;
	off += put_section(img + off, SSI_SEC_FILES, files, flen);
	set_count(img + at_files, 3);
	off += put_section(img + off, SSI_SEC_VMAS, v, sizeof(v));
	set_count(img + off - sizeof(v) - sizeof(struct ssi_img_section), 5);
	off += put_section(img + off, SSI_SEC_PAGES, NULL, 0);
	f = tmpfile();
	ck_assert_ptr_nonnull(f);
	fd = fileno(f);
	ck_assert_int_eq(pwrite(fd, img, off, 0), (ssize_t)off);
	ck_assert_int_eq(image_files_read(fd, &l), 0);
	ck_assert_uint_eq(l.n, 3);
	ck_assert_str_eq(l.f[0].path, "/usr/lib/libc.so.6");
	ck_assert_uint_eq(l.f[0].id->size, 1000);
	ck_assert_uint_eq(l.f[0].start, 0x6000);
	ck_assert_uint_eq(l.f[0].end, 0x8000);
	ck_assert_str_eq(l.f[1].path, "/tmp/local");
	ck_assert_uint_eq(l.f[1].id->digest[0], 0xbb);
	ck_assert_uint_eq(l.f[1].start, 0x4000);	/* the first of two */
	/* a segment's record, with its mapping */
	ck_assert_uint_eq(l.f[2].id->digest_kind, SSI_DIGEST_DSM);
	ck_assert_uint_eq(l.f[2].start, 0xb000);
	ck_assert_uint_eq(l.f[2].end, 0xc000);
	image_files_free(&l);

	/* a VMA naming a file beyond FILES */
	v[3].file = 3;
	ck_assert_int_eq(pwrite(fd, v, sizeof(v), (off_t)(off - sizeof(v) -
						       sizeof(struct ssi_img_section))),
			 (ssize_t)sizeof(v));
	ck_assert_int_eq(image_files_read(fd, &l), -EINVAL);
	ck_assert_ptr_null(l.f);
	/* a path that runs past its record (VMAS right again) */
	v[3].file = 1;
	ck_assert_int_eq(pwrite(fd, v, sizeof(v), (off_t)(off - sizeof(v) -
						       sizeof(struct ssi_img_section))),
			 (ssize_t)sizeof(v));
	ck_assert_int_eq(image_files_read(fd, &l), 0);
	image_files_free(&l);
	memset(files + sizeof(struct ssi_img_file) + 18, 'x',
	       ((struct ssi_img_file *)files)->rec_size - sizeof(struct ssi_img_file) - 18);
	ck_assert_int_eq(pwrite(fd, files, flen, (off_t)(at_files + sizeof(struct ssi_img_section))),
			 (ssize_t)flen);
	ck_assert_int_eq(image_files_read(fd, &l), -EINVAL);
	fclose(f);
}
END_TEST

/* The TASK section (its limits), read before a restore. */
START_TEST(test_image_task)
{
	static unsigned char img[16384];
	static struct ssi_img_task t, got;
	struct ssi_img_header h = { .magic = SSI_IMG_MAGIC, .version = SSI_IMG_VERSION,
				    .header_size = sizeof(h), .home_pid = 500,
				    .nr_threads = 1 };
	size_t off;
	FILE *f;
	int fd;

	_Static_assert(sizeof(t) + 2 * sizeof(struct ssi_img_section) + sizeof(h) + 96 <
		       sizeof(img), "room for the image");
	t.nr_rlimits = SSI_IMG_NRLIMIT;
	t.rlim[7].cur = 64;	/* RLIMIT_NOFILE */
	t.rlim[7].max = ~0ULL;
	memcpy(img, &h, sizeof(h));
	off = sizeof(h);
	off += put_section(img + off, SSI_SEC_TASK, &t, sizeof(t));
	off += put_section(img + off, SSI_SEC_VMAS, NULL, 96);
	off += put_section(img + off, SSI_SEC_PAGES, NULL, 0);
	f = tmpfile();
	ck_assert_ptr_nonnull(f);
	fd = fileno(f);
	ck_assert_int_eq(pwrite(fd, img, off, 0), (ssize_t)off);
	ck_assert_int_eq(image_task_read(fd, &got), 0);
	ck_assert_uint_eq(got.nr_rlimits, SSI_IMG_NRLIMIT);
	ck_assert_uint_eq(got.rlim[7].cur, 64);
	ck_assert_uint_eq(got.rlim[7].max, ~0ULL);
	/* a TASK section of another size */
	off = sizeof(h);
	off += put_section(img + off, SSI_SEC_TASK, NULL, 700);
	off += put_section(img + off, SSI_SEC_PAGES, NULL, 0);
	ck_assert_int_eq(pwrite(fd, img, off, 0), (ssize_t)off);
	ck_assert_int_eq(image_task_read(fd, &got), -EINVAL);
	/* none at all */
	off = sizeof(h);
	off += put_section(img + off, SSI_SEC_PAGES, NULL, 0);
	ck_assert_int_eq(pwrite(fd, img, off, 0), (ssize_t)off);
	ck_assert_int_eq(image_task_read(fd, &got), -EINVAL);
	fclose(f);
}
END_TEST

/* MIGRATE_REQ/REP: a node asks a task's home to move it for its client. */
START_TEST(test_migrate_req_rep)
{
	static unsigned char buf[MSG_MIGRATE_REP_LEN];
	struct msg_migrate_req q = { .id = 9, .pid = 4242, .uid = 1000,
				     .flags = MSG_MIGRATE_ADMIN }, q2;
	struct msg_migrate_rep r = { .id = 9, .flags = MSG_MIGRATE_VIA_HOME,
				     .pid = 4242, .remote_pid = 77,
				     .bytes = 1ULL << 33, .frozen_ns = 123456789 }, r2;
	size_t n, i;

	strcpy(q.node, "n3");
	n = msg_encode_migrate_req(&q, buf);
	ck_assert_uint_eq(n, MSG_MIGRATE_REQ_LEN);
	ck_assert_int_eq(msg_decode_migrate_req(buf, n, &q2), 0);
	ck_assert_uint_eq(q2.id, 9);
	ck_assert_uint_eq(q2.pid, 4242);
	ck_assert_uint_eq(q2.uid, 1000);
	ck_assert_uint_eq(q2.flags, MSG_MIGRATE_ADMIN);
	ck_assert_str_eq(q2.node, "n3");
	for (i = 0; i < n; i++)
		ck_assert_int_eq(msg_decode_migrate_req(buf, i, &q2), -1);
	strcpy(q.node, "n3;rm");
	n = msg_encode_migrate_req(&q, buf);
	ck_assert_int_eq(msg_decode_migrate_req(buf, n, &q2), -1);
	strcpy(q.node, "n3");
	q.pid = 0;
	n = msg_encode_migrate_req(&q, buf);
	ck_assert_int_eq(msg_decode_migrate_req(buf, n, &q2), -1);

	strcpy(r.node, "n2");
	n = msg_encode_migrate_rep(&r, buf);
	ck_assert_uint_eq(n, MSG_MIGRATE_REP_LEN);
	ck_assert_int_eq(msg_decode_migrate_rep(buf, n, &r2), 0);
	ck_assert_uint_eq(r2.remote_pid, 77);
	ck_assert_uint_eq(r2.bytes, 1ULL << 33);
	ck_assert_uint_eq(r2.frozen_ns, 123456789);
	ck_assert_uint_eq(r2.flags, MSG_MIGRATE_VIA_HOME);
	ck_assert_str_eq(r2.code, "");
	ck_assert_str_eq(r2.node, "n2");
	ck_assert_int_eq(msg_decode_migrate_rep(buf, n - 1, &r2), -1);
	/* a success must say where it runs; a failure need not */
	r.node[0] = '\0';
	n = msg_encode_migrate_rep(&r, buf);
	ck_assert_int_eq(msg_decode_migrate_rep(buf, n, &r2), -1);
	strcpy(r.code, "permission_denied");
	strcpy(r.msg, "pid 4242: not your process\n");
	n = msg_encode_migrate_rep(&r, buf);
	ck_assert_int_eq(msg_decode_migrate_rep(buf, n, &r2), 0);
	ck_assert_str_eq(r2.code, "permission_denied");
	/* texts are sanitised: no control characters reach a terminal */
	ck_assert_str_eq(r2.msg, "pid 4242: not your process?");
}
END_TEST

START_TEST(test_job_event)
{
	unsigned char buf[MSG_JOB_EVENT_LEN];
	struct msg_job_event e = { 4242, MSG_JOB_END }, o;
	size_t n = msg_encode_job_event(&e, buf);

	ck_assert_uint_eq(n, MSG_JOB_EVENT_LEN);
	ck_assert_int_eq(msg_decode_job_event(buf, n, &o), 0);
	ck_assert_uint_eq(o.job, 4242);
	ck_assert_uint_eq(o.event, MSG_JOB_END);
	ck_assert_int_eq(msg_decode_job_event(buf, n - 1, &o), -1);
	e.event = 3;
	n = msg_encode_job_event(&e, buf);
	ck_assert_int_eq(msg_decode_job_event(buf, n, &o), -1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("migmsg");
	TCase *tc = tcase_create("wire");
	int failed;

	tcase_add_test(tc, test_offer);
	tcase_add_test(tc, test_seccomp_msg);
	tcase_add_test(tc, test_image_value_exit);
	tcase_add_test(tc, test_usage);
	tcase_add_test(tc, test_failed);
	tcase_add_test(tc, test_fwd_signal);
	tcase_add_test(tc, test_threads);
	tcase_add_test(tc, test_proc_fds);
	tcase_add_test(tc, test_image_threads);
	tcase_add_test(tc, test_image_task);
	tcase_add_test(tc, test_image_files);
	tcase_add_test(tc, test_garbage);
	tcase_add_test(tc, test_file_msgs);
	tcase_add_test(tc, test_migrate_req_rep);
	tcase_add_test(tc, test_job_event);
	tcase_add_test(tc, test_dsm);
	suite_add_tcase(s, tc);
	failed = check_run(s);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
