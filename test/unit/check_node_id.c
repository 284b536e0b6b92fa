// SPDX-License-Identifier: GPL-2.0
/*
 * check_node_id.c - the kernel identity nodes exchange in their hello
 * (ssid/cluster/node_id.c, ssid/cluster/peer_msg.c): what this node reports, which differences
 * refuse migration and why, and the hello's round trip and truncations.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run_suite.h"
#include "ssid/cluster/peer_msg.h"
#include "ssid/cluster/node_id.h"

START_TEST(test_self)
{
	struct node_id a, b;
	struct utsname u;
	char err[128], why[200];
	int pfd[2], st;
	pid_t pid;

	ck_assert_int_eq(node_id_self(&a, err, sizeof(err)), 0);
	ck_assert_int_eq(uname(&u), 0);
	ck_assert_str_eq(a.release, u.release);
	ck_assert_uint_ne(a.vdso, 0);
	ck_assert_int_eq(node_id_self(&b, err, sizeof(err)), 0);
	ck_assert_int_eq(node_id_mismatch(&a, &b, why, sizeof(why)), 0);

	/* another process of this node (its own ASLR'd vDSO) agrees */
	ck_assert_int_eq(pipe(pfd), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char *argv[] = { "/proc/self/exe", "--child", NULL };

		dup2(pfd[1], 3);
		execv("/proc/self/exe", argv);
		_exit(127);
	}
	close(pfd[1]);
	ck_assert_int_eq(read(pfd[0], &b, sizeof(b)), (ssize_t)sizeof(b));
	close(pfd[0]);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_int_eq(st, 0);
	ck_assert_int_eq(node_id_mismatch(&a, &b, why, sizeof(why)), 0);
}
END_TEST

START_TEST(test_mismatch)
{
	struct node_id here = { "6.1.0-56-amd64", 0x1234 }, there = here;
	char why[200];

	strcpy(there.release, "6.1.0-55-amd64");
	ck_assert_int_eq(node_id_mismatch(&here, &there, why, sizeof(why)), 1);
	ck_assert_str_eq(why, "kernel release 6.1.0-55-amd64 there, "
			 "6.1.0-56-amd64 here");
	there = here;
	there.vdso = 0xabcd;
	ck_assert_int_eq(node_id_mismatch(&here, &there, why, sizeof(why)), 1);
	ck_assert_str_eq(why, "vDSO 000000000000abcd there, 0000000000001234 "
			 "here (same release, other build)");
}
END_TEST

START_TEST(test_hello)
{
	static unsigned char buf[MSG_HELLO_MAX];
	struct msg_hello in, out;
	size_t n, i;

	memset(&in, 0, sizeof(in));
	strcpy(in.cluster, "lab");
	strcpy(in.id.release, "6.1.0-56-amd64");
	in.id.vdso = 0x0102030405060708ULL;
	n = msg_encode_hello(&in, buf);
	ck_assert_uint_eq(n, 4 + 2 + 3 + 1 + 14 + 8);
	ck_assert_int_eq(msg_decode_hello(buf, n, &out), 0);
	ck_assert_str_eq(out.cluster, "lab");
	ck_assert_str_eq(out.id.release, "6.1.0-56-amd64");
	ck_assert_uint_eq(out.id.vdso, in.id.vdso);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(msg_decode_hello(buf, i, &out), -1);

	/* a release with a blank or control byte, or longer than utsname's */
	buf[4 + 2 + 3 + 1 + 5] = ' ';
	ck_assert_int_eq(msg_decode_hello(buf, n, &out), -1);
	buf[4 + 2 + 3 + 1 + 5] = '\n';
	ck_assert_int_eq(msg_decode_hello(buf, n, &out), -1);
	memset(in.id.release, 'x', NODE_ID_RELEASE_MAX);
	in.id.release[NODE_ID_RELEASE_MAX] = '\0';
	n = msg_encode_hello(&in, buf);
	ck_assert_int_eq(msg_decode_hello(buf, n, &out), 0);
	buf[4 + 2 + 3] = NODE_ID_RELEASE_MAX + 1;
	ck_assert_int_eq(msg_decode_hello(buf, n, &out), -1);

	/* an empty release (a node without uname?) still round-trips */
	in.id.release[0] = '\0';
	n = msg_encode_hello(&in, buf);
	ck_assert_int_eq(msg_decode_hello(buf, n, &out), 0);
	ck_assert_str_eq(out.id.release, "");
}
END_TEST

int main(int argc, char **argv)
{
	Suite *s;
	TCase *tc;
	int failed;

	if (argc > 1 && !strcmp(argv[1], "--child")) {
		struct node_id id;
		char err[128];

		if (node_id_self(&id, err, sizeof(err)) ||
		    write(3, &id, sizeof(id)) != (ssize_t)sizeof(id))
			return 1;
		return 0;
	}
	/* not before: the child would leave them to a leak checker */
	s = suite_create("node_id");
	tc = tcase_create("identity");
	tcase_add_test(tc, test_self);
	tcase_add_test(tc, test_mismatch);
	tcase_add_test(tc, test_hello);
	suite_add_tcase(s, tc);
	failed = check_run(s);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
