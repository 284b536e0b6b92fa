// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * check_transport_auth.c - the handshake's credential payload codec and
 * acceptance checks (transport/auth.c), without munged.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "run_suite.h"
#include "transport/auth.h"

static struct ssi_auth_msg hello(void)
{
	struct ssi_auth_msg m;

	memset(&m, 0, sizeof(m));
	m.version = SSI_TP_PROTO_VERSION;
	m.kind = SSI_AUTH_HELLO;
	m.protect = SSI_TP_PROTECT_ENCRYPT;
	memset(m.nonce, 0xab, sizeof(m.nonce));
	memset(m.kx, 0x5a, sizeof(m.kx));
	strcpy(m.from, "n1");
	strcpy(m.to, "n2");
	return m;
}

static struct ssi_auth_msg ack(void)
{
	struct ssi_auth_msg m = hello();

	m.kind = SSI_AUTH_HELLO_ACK;
	memset(m.nonce, 0xcd, sizeof(m.nonce));
	memset(m.echo, 0xab, sizeof(m.echo));
	memset(m.kx, 0xa5, sizeof(m.kx));
	m.protect = SSI_TP_PROTECT_INTEGRITY;
	strcpy(m.from, "n2");
	strcpy(m.to, "n1");
	return m;
}

START_TEST(test_names)
{
	char longest[SSI_AUTH_NAME_MAX + 2];

	ck_assert(ssi_auth_name_ok("n1"));
	ck_assert(ssi_auth_name_ok("node-01.cluster.example"));
	ck_assert(!ssi_auth_name_ok(""));
	ck_assert(!ssi_auth_name_ok("has space"));
	ck_assert(!ssi_auth_name_ok("tab\there"));
	ck_assert(!ssi_auth_name_ok("new\nline"));
	ck_assert(!ssi_auth_name_ok("\x7f"));
	ck_assert(!ssi_auth_name_ok("\xc3\xa9"));
	memset(longest, 'a', sizeof(longest));
	longest[SSI_AUTH_NAME_MAX] = '\0';
	ck_assert(ssi_auth_name_ok(longest));
	longest[SSI_AUTH_NAME_MAX] = 'a';
	longest[SSI_AUTH_NAME_MAX + 1] = '\0';
	ck_assert(!ssi_auth_name_ok(longest));
}
END_TEST

START_TEST(test_round_trip)
{
	struct ssi_auth_msg in[3] = { hello(), ack(), hello() }, out;
	uint8_t buf[SSI_AUTH_MSG_MAX];
	char why[256];
	size_t len;
	int i;

	in[2].to[0] = '\0';		/* HELLO to an unknown node */
	memset(in[2].from, 'x', SSI_AUTH_NAME_MAX);
	in[2].from[SSI_AUTH_NAME_MAX] = '\0';
	for (i = 0; i < 3; i++) {
		len = ssi_auth_encode(&in[i], buf, sizeof(buf));
		ck_assert_uint_gt(len, 0);
		ck_assert_int_eq(ssi_auth_parse(buf, len, &out, why, sizeof(why)),
				 SSI_TP_OK);
		ck_assert_uint_eq(out.kind, in[i].kind);
		ck_assert_uint_eq(out.version, SSI_TP_PROTO_VERSION);
		ck_assert_mem_eq(out.nonce, in[i].nonce, SSI_AUTH_NONCE_LEN);
		ck_assert_mem_eq(out.echo, in[i].echo, SSI_AUTH_NONCE_LEN);
		ck_assert_mem_eq(out.kx, in[i].kx, SSI_AUTH_KX_LEN);
		ck_assert_uint_eq(out.protect, in[i].protect);
		ck_assert_str_eq(out.from, in[i].from);
		ck_assert_str_eq(out.to, in[i].to);
	}
}
END_TEST

START_TEST(test_encode_rejects)
{
	struct ssi_auth_msg m = hello();
	uint8_t buf[SSI_AUTH_MSG_MAX];

	ck_assert_uint_eq(ssi_auth_encode(&m, buf, 10), 0);
	m.from[0] = '\0';
	ck_assert_uint_eq(ssi_auth_encode(&m, buf, sizeof(buf)), 0);
	m = hello();
	strcpy(m.to, "bad name");
	ck_assert_uint_eq(ssi_auth_encode(&m, buf, sizeof(buf)), 0);
}
END_TEST

/* Encodes hello() and returns its length in [buf]. */
static size_t good(uint8_t *buf)
{
	struct ssi_auth_msg m = hello();

	return ssi_auth_encode(&m, buf, SSI_AUTH_MSG_MAX);
}

START_TEST(test_parse_truncated)
{
	uint8_t buf[SSI_AUTH_MSG_MAX];
	struct ssi_auth_msg m;
	char why[256];
	size_t len = good(buf), n;
	uint8_t *copy;

	for (n = 0; n < len; n++) {
		copy = malloc(n ? n : 1);	/* exact: overreads trap */
		memcpy(copy, buf, n);
		ck_assert_int_eq(ssi_auth_parse(copy, n, &m, why, sizeof(why)),
				 SSI_TP_ERR_PROTOCOL);
		free(copy);
	}
}
END_TEST

START_TEST(test_parse_rejects)
{
	uint8_t buf[SSI_AUTH_MSG_MAX + 8];
	struct ssi_auth_msg m;
	char why[256];
	size_t len;

	len = good(buf);
	buf[0] ^= 1;
	ck_assert_int_eq(ssi_auth_parse(buf, len, &m, why, sizeof(why)),
			 SSI_TP_ERR_PROTOCOL);
	ck_assert_ptr_nonnull(strstr(why, "magic"));

	len = good(buf);
	buf[4] = SSI_TP_PROTO_VERSION + 1;
	ck_assert_int_eq(ssi_auth_parse(buf, len, &m, why, sizeof(why)),
			 SSI_TP_ERR_VERSION);
	ck_assert_ptr_nonnull(strstr(why, "version"));

	len = good(buf);
	buf[5] = 3;
	ck_assert_int_eq(ssi_auth_parse(buf, len, &m, why, sizeof(why)),
			 SSI_TP_ERR_PROTOCOL);

	len = good(buf);
	buf[6] = SSI_TP_PROTECT_ENCRYPT + 1;	/* unknown protection */
	ck_assert_int_eq(ssi_auth_parse(buf, len, &m, why, sizeof(why)),
			 SSI_TP_ERR_PROTOCOL);
	ck_assert_ptr_nonnull(strstr(why, "protection"));

	len = good(buf);
	buf[7] = 1;
	ck_assert_int_eq(ssi_auth_parse(buf, len, &m, why, sizeof(why)),
			 SSI_TP_ERR_PROTOCOL);

	len = good(buf);
	buf[len] = 0;			/* trailing byte */
	ck_assert_int_eq(ssi_auth_parse(buf, len + 1, &m, why, sizeof(why)),
			 SSI_TP_ERR_PROTOCOL);
	ck_assert_ptr_nonnull(strstr(why, "trailing"));

	len = good(buf);
	buf[SSI_AUTH_HDR_LEN] = 0;	/* empty sender */
	ck_assert_int_eq(ssi_auth_parse(buf, len, &m, why, sizeof(why)),
			 SSI_TP_ERR_PROTOCOL);

	len = good(buf);
	buf[SSI_AUTH_HDR_LEN + 2] = '\0';	/* NUL inside "n1" */
	ck_assert_int_eq(ssi_auth_parse(buf, len, &m, why, sizeof(why)),
			 SSI_TP_ERR_PROTOCOL);

	len = good(buf);
	buf[SSI_AUTH_HDR_LEN + 1] = ' ';	/* space in a name */
	ck_assert_int_eq(ssi_auth_parse(buf, len, &m, why, sizeof(why)),
			 SSI_TP_ERR_PROTOCOL);

	len = good(buf);
	buf[SSI_AUTH_HDR_LEN] = 0xff;		/* name longer than the data */
	ck_assert_int_eq(ssi_auth_parse(buf, len, &m, why, sizeof(why)),
			 SSI_TP_ERR_PROTOCOL);
}
END_TEST

START_TEST(test_check_hello)
{
	struct ssi_auth_msg m = hello();
	char why[256];

	ck_assert_int_eq(ssi_auth_check(&m, SSI_AUTH_HELLO, 0, 0, "n2", NULL,
					NULL, why, sizeof(why)), SSI_TP_OK);
	/* not root */
	ck_assert_int_eq(ssi_auth_check(&m, SSI_AUTH_HELLO, 1000, 0, "n2", NULL,
					NULL, why, sizeof(why)), SSI_TP_ERR_AUTH);
	ck_assert_ptr_nonnull(strstr(why, "uid 1000"));
	/* a configured service uid */
	ck_assert_int_eq(ssi_auth_check(&m, SSI_AUTH_HELLO, 64030, 64030, "n2",
					NULL, NULL, why, sizeof(why)), SSI_TP_OK);
	/* addressed to another node: a replay to the wrong place */
	ck_assert_int_eq(ssi_auth_check(&m, SSI_AUTH_HELLO, 0, 0, "n3", NULL,
					NULL, why, sizeof(why)), SSI_TP_ERR_AUTH);
	/* wrong kind */
	ck_assert_int_eq(ssi_auth_check(&m, SSI_AUTH_HELLO_ACK, 0, 0, "n2",
					m.nonce, NULL, why, sizeof(why)),
			 SSI_TP_ERR_AUTH);
	/* a HELLO may leave the receiver open */
	m.to[0] = '\0';
	ck_assert_int_eq(ssi_auth_check(&m, SSI_AUTH_HELLO, 0, 0, "n9", NULL,
					NULL, why, sizeof(why)), SSI_TP_OK);
}
END_TEST

START_TEST(test_check_ack)
{
	struct ssi_auth_msg m = ack();
	uint8_t mine[SSI_AUTH_NONCE_LEN];
	char why[256];

	memset(mine, 0xab, sizeof(mine));
	ck_assert_int_eq(ssi_auth_check(&m, SSI_AUTH_HELLO_ACK, 0, 0, "n1", mine,
					"n2", why, sizeof(why)), SSI_TP_OK);
	ck_assert_int_eq(ssi_auth_check(&m, SSI_AUTH_HELLO_ACK, 0, 0, "n1", mine,
					NULL, why, sizeof(why)), SSI_TP_OK);
	/* not the node we meant to reach */
	ck_assert_int_eq(ssi_auth_check(&m, SSI_AUTH_HELLO_ACK, 0, 0, "n1", mine,
					"n3", why, sizeof(why)), SSI_TP_ERR_AUTH);
	ck_assert_ptr_nonnull(strstr(why, "expected 'n3'"));
	/* stale: does not echo our nonce */
	mine[15] ^= 1;
	ck_assert_int_eq(ssi_auth_check(&m, SSI_AUTH_HELLO_ACK, 0, 0, "n1", mine,
					NULL, why, sizeof(why)), SSI_TP_ERR_AUTH);
	ck_assert_ptr_nonnull(strstr(why, "nonce"));
	mine[15] ^= 1;
	/* an ACK must name us */
	m.to[0] = '\0';
	ck_assert_int_eq(ssi_auth_check(&m, SSI_AUTH_HELLO_ACK, 0, 0, "n1", mine,
					NULL, why, sizeof(why)), SSI_TP_ERR_AUTH);
	m = ack();
	ck_assert_int_eq(ssi_auth_check(&m, SSI_AUTH_HELLO_ACK, 5, 0, "n1", mine,
					NULL, why, sizeof(why)), SSI_TP_ERR_AUTH);
}
END_TEST

START_TEST(test_seq0_nonce)
{
	uint8_t a[SSI_AUTH_NONCE_LEN], b[SSI_AUTH_NONCE_LEN];
	int i;

	for (i = 0; i < SSI_AUTH_NONCE_LEN; i++)
		a[i] = (uint8_t)(i + 1);
	ck_assert(ssi_auth_seq0(a) == 0x0102030405060708ull);
	ck_assert_int_eq(ssi_auth_nonce(a), SSI_TP_OK);
	ck_assert_int_eq(ssi_auth_nonce(b), SSI_TP_OK);
	ck_assert(memcmp(a, b, sizeof(a)) != 0);
}
END_TEST

START_TEST(test_random_input)
{
	uint8_t buf[SSI_AUTH_MSG_MAX];
	struct ssi_auth_msg m;
	unsigned int seed = 99;
	size_t len, i;
	int n;

	for (n = 0; n < 20000; n++) {
		len = good(buf);
		for (i = 0; i < 3; i++)
			buf[(size_t)rand_r(&seed) % len] = (uint8_t)rand_r(&seed);
		len = (size_t)rand_r(&seed) % (len + 1);
		ssi_auth_parse(buf, len, &m, NULL, 0);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("transport_auth");
	TCase *tc = tcase_create("payload");
	int failed;

	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_encode_rejects);
	tcase_add_test(tc, test_parse_truncated);
	tcase_add_test(tc, test_parse_rejects);
	tcase_add_test(tc, test_random_input);
	suite_add_tcase(s, tc);
	tc = tcase_create("check");
	tcase_add_test(tc, test_check_hello);
	tcase_add_test(tc, test_check_ack);
	tcase_add_test(tc, test_seq0_nonce);
	suite_add_tcase(s, tc);

	failed = check_run(s);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
