// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * check_frame.c - the frame codec (transport/frame.c): round trips, the
 * exact wire layout, and every rejection path of the decoder.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "run_suite.h"
#include "transport/frame.h"

static const struct ssi_frame_limits lim = {
	.max_payload = 1 << 20,
	.user_type_max = 0x01ff,
};

static void mk(uint8_t *buf, uint16_t type, uint8_t flags, uint32_t len,
	       uint32_t bulk_off, uint64_t seq)
{
	struct ssi_frame_hdr h = {
		.version = SSI_FRAME_VERSION, .flags = flags, .type = type,
		.length = len, .bulk_off = bulk_off, .seq = seq,
	};

	ssi_frame_encode_hdr(buf, &h);
}

START_TEST(test_wire_layout)
{
	/* the example in doc/wire-protocol.md */
	static const uint8_t want[SSI_FRAME_HDR_LEN] = {
		0x53, 0x53, 0x49, 0x54, 0x02, 0x01, 0x01, 0x23,
		0x00, 0x00, 0x10, 0x10, 0x00, 0x00, 0x00, 0x10,
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
	};
	uint8_t buf[SSI_FRAME_HDR_LEN];

	mk(buf, 0x0123, SSI_FRAME_F_BULK, 0x1010, 0x10, 0x0102030405060708ull);
	ck_assert_mem_eq(buf, want, sizeof(want));
}
END_TEST

START_TEST(test_round_trip)
{
	static const uint16_t types[] = { SSI_FRAME_T_HELLO,
		SSI_FRAME_T_HELLO_ACK, 0x0100, 0x0150, 0x01ff };
	static const uint64_t seqs[] = { 0, 1, 0x7fffffffffffffffull,
		0xffffffffffffffffull };
	uint8_t buf[SSI_FRAME_HDR_LEN];
	struct ssi_frame_hdr h;
	size_t t, s;

	for (t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
		for (s = 0; s < sizeof(seqs) / sizeof(seqs[0]); s++) {
			mk(buf, types[t], 0, 17, 0, seqs[s]);
			ck_assert_int_eq(ssi_frame_decode_hdr(buf, sizeof(buf),
							      &lim, &h),
					 SSI_FRAME_OK);
			ck_assert_uint_eq(h.type, types[t]);
			ck_assert_uint_eq(h.length, 17);
			ck_assert_uint_eq(h.flags, 0);
			ck_assert(h.seq == seqs[s]);
		}
	}
	mk(buf, 0x0100, SSI_FRAME_F_BULK, 1 << 20, 100, 9);
	ck_assert_int_eq(ssi_frame_decode_hdr(buf, sizeof(buf), &lim, &h),
			 SSI_FRAME_OK);
	ck_assert_uint_eq(h.flags, SSI_FRAME_F_BULK);
	ck_assert_uint_eq(h.bulk_off, 100);
	ck_assert_uint_eq(h.length, 1 << 20);
}
END_TEST

START_TEST(test_full_frame)
{
	uint8_t buf[SSI_FRAME_HDR_LEN + 5];
	const uint8_t *payload = NULL;
	struct ssi_frame_hdr h;

	mk(buf, 0x0100, 0, 5, 0, 42);
	memcpy(buf + SSI_FRAME_HDR_LEN, "hello", 5);
	ck_assert_int_eq(ssi_frame_decode(buf, sizeof(buf), &lim, 42, &h,
					  &payload), SSI_FRAME_OK);
	ck_assert_ptr_eq(payload, buf + SSI_FRAME_HDR_LEN);
	ck_assert_mem_eq(payload, "hello", 5);

	/* empty payload */
	mk(buf, 0x0100, 0, 0, 0, 0);
	ck_assert_int_eq(ssi_frame_decode(buf, SSI_FRAME_HDR_LEN, &lim, 0, &h,
					  &payload), SSI_FRAME_OK);
}
END_TEST

START_TEST(test_truncated)
{
	uint8_t buf[SSI_FRAME_HDR_LEN + 8];
	const uint8_t *payload;
	struct ssi_frame_hdr h;
	size_t n;

	mk(buf, 0x0100, 0, 8, 0, 1);
	for (n = 0; n < SSI_FRAME_HDR_LEN; n++)
		ck_assert_int_eq(ssi_frame_decode_hdr(buf, n, &lim, &h),
				 SSI_FRAME_ETRUNC);
	for (n = 0; n < sizeof(buf); n++)
		ck_assert_int_eq(ssi_frame_decode(buf, n, &lim, 1, &h, &payload),
				 SSI_FRAME_ETRUNC);
	ck_assert_int_eq(ssi_frame_decode(buf, sizeof(buf), &lim, 1, &h,
					  &payload), SSI_FRAME_OK);
}
END_TEST

START_TEST(test_trailing)
{
	uint8_t buf[SSI_FRAME_HDR_LEN + 8];
	const uint8_t *payload;
	struct ssi_frame_hdr h;

	mk(buf, 0x0100, 0, 4, 0, 1);
	ck_assert_int_eq(ssi_frame_decode(buf, sizeof(buf), &lim, 1, &h,
					  &payload), SSI_FRAME_ELENGTH);
}
END_TEST

START_TEST(test_oversized)
{
	uint8_t buf[SSI_FRAME_HDR_LEN];
	struct ssi_frame_hdr h;

	mk(buf, 0x0100, 0, (1 << 20) + 1, 0, 0);
	ck_assert_int_eq(ssi_frame_decode_hdr(buf, sizeof(buf), &lim, &h),
			 SSI_FRAME_ETOOBIG);
	mk(buf, 0x0100, 0, 0xffffffffu, 0, 0);
	ck_assert_int_eq(ssi_frame_decode_hdr(buf, sizeof(buf), &lim, &h),
			 SSI_FRAME_ETOOBIG);
	/* handshake frames have their own, small limit */
	mk(buf, SSI_FRAME_T_HELLO, 0, SSI_FRAME_HANDSHAKE_MAX + 1, 0, 0);
	ck_assert_int_eq(ssi_frame_decode_hdr(buf, sizeof(buf), &lim, &h),
			 SSI_FRAME_ETOOBIG);
	mk(buf, SSI_FRAME_T_HELLO, 0, SSI_FRAME_HANDSHAKE_MAX, 0, 0);
	ck_assert_int_eq(ssi_frame_decode_hdr(buf, sizeof(buf), &lim, &h),
			 SSI_FRAME_OK);
}
END_TEST

START_TEST(test_unknown_type)
{
	static const uint16_t bad[] = { 0x0000, 0x0003, 0x0010, 0x00ff,
		0x0200, 0xffff };
	uint8_t buf[SSI_FRAME_HDR_LEN];
	struct ssi_frame_hdr h;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		mk(buf, bad[i], 0, 0, 0, 0);
		ck_assert_msg(ssi_frame_decode_hdr(buf, sizeof(buf), &lim, &h) ==
			      SSI_FRAME_ETYPE, "type 0x%04x accepted", bad[i]);
	}
}
END_TEST

START_TEST(test_wrong_version)
{
	static const uint8_t bad[] = { 0, 1, 3, 0x7f, 0xff };
	uint8_t buf[SSI_FRAME_HDR_LEN];
	struct ssi_frame_hdr h;
	size_t i;

	for (i = 0; i < sizeof(bad); i++) {
		mk(buf, 0x0100, 0, 0, 0, 0);
		buf[4] = bad[i];
		ck_assert_int_eq(ssi_frame_decode_hdr(buf, sizeof(buf), &lim, &h),
				 SSI_FRAME_EVERSION);
	}
	/* version is checked before anything that may change with it */
	mk(buf, 0x0000, 0xff, 0xffffffffu, 0, 0);
	buf[4] = 3;
	ck_assert_int_eq(ssi_frame_decode_hdr(buf, sizeof(buf), &lim, &h),
			 SSI_FRAME_EVERSION);
}
END_TEST

START_TEST(test_bad_magic)
{
	uint8_t buf[SSI_FRAME_HDR_LEN];
	struct ssi_frame_hdr h;
	int i;

	for (i = 0; i < 4; i++) {
		mk(buf, 0x0100, 0, 0, 0, 0);
		buf[i] ^= 0x20;
		ck_assert_int_eq(ssi_frame_decode_hdr(buf, sizeof(buf), &lim, &h),
				 SSI_FRAME_EMAGIC);
	}
	/* an HTTP request is not a frame */
	memcpy(buf, "GET / HTTP/1.1\r\nHost: x\r\n", SSI_FRAME_HDR_LEN);
	ck_assert_int_eq(ssi_frame_decode_hdr(buf, sizeof(buf), &lim, &h),
			 SSI_FRAME_EMAGIC);
}
END_TEST

START_TEST(test_bad_flags)
{
	uint8_t buf[SSI_FRAME_HDR_LEN];
	struct ssi_frame_hdr h;
	int bit;

	for (bit = 1; bit < 8; bit++) {
		mk(buf, 0x0100, 0, 0, 0, 0);
		buf[5] = (uint8_t)(1u << bit);
		ck_assert_int_eq(ssi_frame_decode_hdr(buf, sizeof(buf), &lim, &h),
				 SSI_FRAME_EFLAGS);
	}
}
END_TEST

START_TEST(test_bad_bulk)
{
	uint8_t buf[SSI_FRAME_HDR_LEN];
	struct ssi_frame_hdr h;

	/* bulk_off must be below length: the bulk part is not empty */
	mk(buf, 0x0100, SSI_FRAME_F_BULK, 10, 10, 0);
	ck_assert_int_eq(ssi_frame_decode_hdr(buf, sizeof(buf), &lim, &h),
			 SSI_FRAME_EBULK);
	mk(buf, 0x0100, SSI_FRAME_F_BULK, 10, 0xffffffffu, 0);
	ck_assert_int_eq(ssi_frame_decode_hdr(buf, sizeof(buf), &lim, &h),
			 SSI_FRAME_EBULK);
	/* bulk_off is reserved (zero) without the flag */
	mk(buf, 0x0100, 0, 10, 1, 0);
	ck_assert_int_eq(ssi_frame_decode_hdr(buf, sizeof(buf), &lim, &h),
			 SSI_FRAME_EBULK);
	/* handshake frames carry no bulk part */
	mk(buf, SSI_FRAME_T_HELLO, SSI_FRAME_F_BULK, 10, 0, 0);
	ck_assert_int_eq(ssi_frame_decode_hdr(buf, sizeof(buf), &lim, &h),
			 SSI_FRAME_EBULK);
	/* an empty inline part is fine */
	mk(buf, 0x0100, SSI_FRAME_F_BULK, 10, 0, 0);
	ck_assert_int_eq(ssi_frame_decode_hdr(buf, sizeof(buf), &lim, &h),
			 SSI_FRAME_OK);
}
END_TEST

START_TEST(test_bad_sequence)
{
	uint8_t buf[SSI_FRAME_HDR_LEN];
	const uint8_t *payload;
	struct ssi_frame_hdr h;

	mk(buf, 0x0100, 0, 0, 0, 7);
	ck_assert_int_eq(ssi_frame_decode(buf, sizeof(buf), &lim, 7, &h,
					  &payload), SSI_FRAME_OK);
	ck_assert_int_eq(ssi_frame_decode(buf, sizeof(buf), &lim, 8, &h,
					  &payload), SSI_FRAME_ESEQ);
	ck_assert_int_eq(ssi_frame_decode(buf, sizeof(buf), &lim, 6, &h,
					  &payload), SSI_FRAME_ESEQ);
	ck_assert_int_eq(ssi_frame_decode(buf, sizeof(buf), &lim, 7 + (1ull << 32),
					  &h, &payload), SSI_FRAME_ESEQ);
}
END_TEST

START_TEST(test_strerror)
{
	int e, f;

	for (e = SSI_FRAME_OK; e <= SSI_FRAME_ESEQ; e++) {
		ck_assert_ptr_nonnull(ssi_frame_strerror(e));
		for (f = e + 1; f <= SSI_FRAME_ESEQ; f++)
			ck_assert_str_ne(ssi_frame_strerror(e),
					 ssi_frame_strerror(f));
	}
	ck_assert_ptr_nonnull(ssi_frame_strerror(1000));
}
END_TEST

/* Random and mutated input never crashes the decoder (ASan/valgrind). */
START_TEST(test_random_input)
{
	uint8_t *buf;
	const uint8_t *payload;
	struct ssi_frame_hdr h;
	unsigned int seed = 12345;
	size_t len, i;
	int n;

	for (n = 0; n < 20000; n++) {
		len = (size_t)rand_r(&seed) % 64;
		buf = malloc(len ? len : 1);	/* exact size: overreads trap */
		for (i = 0; i < len; i++)
			buf[i] = (uint8_t)rand_r(&seed);
		if (len >= SSI_FRAME_HDR_LEN && n % 2) {	/* a plausible header */
			mk(buf, 0x0100, 0, (uint32_t)(len - SSI_FRAME_HDR_LEN),
			   0, 0);
			buf[rand_r(&seed) % len] ^= (uint8_t)rand_r(&seed);
		}
		ssi_frame_decode_hdr(buf, len, &lim, &h);
		ssi_frame_decode(buf, len, &lim, 0, &h, &payload);
		free(buf);
	}
}
END_TEST

static Suite *frame_suite(void)
{
	Suite *s = suite_create("frame");
	TCase *tc = tcase_create("codec");

	tcase_add_test(tc, test_wire_layout);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_full_frame);
	suite_add_tcase(s, tc);

	tc = tcase_create("reject");
	tcase_add_test(tc, test_truncated);
	tcase_add_test(tc, test_trailing);
	tcase_add_test(tc, test_oversized);
	tcase_add_test(tc, test_unknown_type);
	tcase_add_test(tc, test_wrong_version);
	tcase_add_test(tc, test_bad_magic);
	tcase_add_test(tc, test_bad_flags);
	tcase_add_test(tc, test_bad_bulk);
	tcase_add_test(tc, test_bad_sequence);
	tcase_add_test(tc, test_strerror);
	tcase_add_test(tc, test_random_input);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	int failed = check_run(frame_suite());

	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
