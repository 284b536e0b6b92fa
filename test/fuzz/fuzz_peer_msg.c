// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_peer_msg.c - libFuzzer target for what ssid parses from a peer:
 * every peer message decoder (ssid/cluster/peer_msg.h), a forwarded
 * call as the home side takes it apart and lays it out for the deputy
 * (ssid/forward/call_home.h), and a process's seccomp filters as the
 * target decodes and checks them (ssid/migrate/seccomp_carry.h), each
 * decoded program also run by the interpreter the home side uses.
 * The first input byte picks the parser, the rest is its input; what a
 * decoder accepts is checked against what it promises (a violation
 * aborts).
 *
 * Build and run: make fuzz   (needs clang)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/seccomp.h>

#include "cluster/peer_msg.h"
#include "forward/call_home.h"
#include "migrate/seccomp_carry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Decode with @fn into a zeroed @m of @sz bytes; nothing more to check. */
#define DECODE(fn, type)					\
	do {							\
		type m;						\
		memset(&m, 0, sizeof(m));			\
		(void)fn(p, len, &m);				\
	} while (0)

static void fuzz_tasks(const uint8_t *p, size_t len)
{
	struct msg_tasks_reply r;
	struct msg_task t;
	uint32_t i;

	if (msg_decode_tasks_reply(p, len, &r))
		return;
	/* every record the header announces lies inside the payload */
	if ((size_t)r.count * MSG_TASK_REC_LEN > len)
		abort();
	for (i = 0; i < r.count; i++)
		(void)msg_decode_task(&r, i, &t);
	if (!msg_decode_task(&r, r.count, &t))
		abort();
}

static void fuzz_fwd_call(const uint8_t *p, size_t len)
{
	struct ssi_fwd_call call;
	uint64_t args[6];
	uint8_t *area, *req;
	char err[128];
	size_t n;

	/* the deputy driver parses a copy, aligned as malloc aligns */
	req = malloc(len ? len : 1);
	if (!req)
		return;
	memcpy(req, p, len);
	if (ssi_fwd_parse(req, len, &call, err, sizeof(err)))
		goto out;
	if (call.req->area_len > SSI_FWD_AREA_MAX)
		abort();
	area = calloc(1, call.req->area_len ? call.req->area_len : 1);
	if (!area)
		goto out;
	ssi_fwd_materialize(&call, area, 0x10000, args);
	n = ssi_fwd_reply_build(&call, (int64_t)call.req->area_len, area, NULL, 0);
	if (n) {
		uint8_t *buf = malloc(n);

		if (buf && ssi_fwd_reply_build(&call, (int64_t)call.req->area_len, area,
					       buf, n) != n)
			abort();
		free(buf);
	}
	free(area);
out:
	free(req);
}

static void fuzz_seccomp(const uint8_t *p, size_t len)
{
	struct seccomp_data d = { .nr = 0, .arch = 0xc000003e };
	struct seccomp_chain c;
	char why[200];
	uint32_t i, total = 0;

	if (seccomp_chain_decode(p, len, &c, why, sizeof(why)))
		return;
	if (!c.n || c.total > SECCOMP_CARRY_MAX_PATH)
		abort();
	for (i = 0; i < c.n; i++) {
		if (!c.f[i].len || c.f[i].len > BPF_MAXINSNS ||
		    seccomp_prog_may_notify(c.f[i].insns, c.f[i].len))
			abort();
		total += c.f[i].len;
	}
	if (total != c.total)
		abort();
	/* a few calls with arguments taken from the input itself */
	for (i = 0; i < 4 && i < len; i++) {
		d.nr = p[i] * 3;
		d.args[0] = p[len - 1 - i];
		(void)seccomp_chain_run(&c, &d);
	}
	seccomp_chain_free(&c);
}

/*
 * The input as one classic BPF program: the encoder's output decodes to
 * the same chain or is refused as the checker refuses it, and the
 * interpreter runs whatever it is given without stepping outside it.
 */
static void fuzz_seccomp_prog(const uint8_t *p, size_t len)
{
	struct seccomp_data d = { .nr = 39, .arch = 0xc000003e };
	struct seccomp_chain c = { 0 }, back;
	uint32_t n = (uint32_t)(len / sizeof(struct sock_filter));
	struct sock_filter *insns;
	unsigned char *buf;
	char why[200];
	size_t blen;

	if (!n || n > BPF_MAXINSNS)
		return;
	insns = malloc(n * sizeof(*insns));
	if (!insns)
		return;
	memcpy(insns, p, n * sizeof(*insns));
	(void)seccomp_prog_run(insns, n, &d);
	if (seccomp_chain_add(&c, insns, n, 0))
		goto out;
	blen = seccomp_chain_encoded_len(&c);
	buf = malloc(blen);
	if (buf) {
		if (seccomp_chain_encode(&c, buf) != blen)
			abort();
		if (!seccomp_chain_decode(buf, blen, &back, why, sizeof(why))) {
			if (!seccomp_chain_equal(&c, &back) ||
			    seccomp_chain_check(&c, 0, why, sizeof(why)))
				abort();
			seccomp_chain_free(&back);
		} else if (!seccomp_chain_check(&c, 0, why, sizeof(why))) {
			abort();	/* refused by the decoder, not the checker */
		}
		free(buf);
	}
	seccomp_chain_free(&c);
out:
	free(insns);
}

/* A DSM message of the type the first byte picks (and a few others). */
static void fuzz_dsm(const uint8_t *p, size_t len)
{
	volatile uint8_t sum = 0;
	struct msg_dsm m;
	size_t i;

	if (!len)
		return;
	if (!msg_decode_dsm((uint16_t)(SSID_MSG_DSM_MIN + p[0] % 8), p + 1, len - 1, &m) &&
	    m.data)
		for (i = 0; i < MSG_DSM_PAGE; i++)	/* within the payload */
			sum += ((const uint8_t *)m.data)[i];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data + 1;
	size_t len;

	if (!size)
		return 0;
	len = size - 1;
	switch (data[0] % 20) {
	case 0: DECODE(msg_decode_heartbeat, struct msg_heartbeat); break;
	case 1: DECODE(msg_decode_ping, struct msg_ping); break;
	case 2: DECODE(msg_decode_hello, struct msg_hello); break;
	case 3: DECODE(msg_decode_mig_offer, struct msg_mig_offer); break;
	case 4: DECODE(msg_decode_mig_seccomp, struct msg_mig_seccomp); break;
	case 5: DECODE(msg_decode_mig_image, struct msg_mig_image); break;
	case 6: DECODE(msg_decode_mig_value, struct msg_mig_value); break;
	case 7: DECODE(msg_decode_mig_exit, struct msg_mig_value); break;
	case 8: DECODE(msg_decode_mig_failed, struct msg_mig_failed); break;
	case 9: DECODE(msg_decode_fwd, struct msg_fwd); break;
	case 10: DECODE(msg_decode_mig_signal, struct msg_mig_signal); break;
	case 11: DECODE(msg_decode_mig_threads, struct msg_mig_threads); break;
	case 12: DECODE(msg_decode_mig_file_req, struct msg_mig_file_req); break;
	case 13: DECODE(msg_decode_mig_file_data, struct msg_mig_file_data); break;
	case 14: DECODE(msg_decode_tasks_query, struct msg_tasks_query); break;
	case 15: fuzz_tasks(p, len); break;
	case 16: DECODE(msg_decode_migrate_req, struct msg_migrate_req); break;
	case 17: DECODE(msg_decode_migrate_rep, struct msg_migrate_rep); break;
	case 18: DECODE(msg_decode_job_event, struct msg_job_event); break;
	default:
		switch (data[0] / 20 % 6) {
		case 0: DECODE(msg_decode_mig_proc_fds, struct msg_mig_proc_fds); break;
		case 1: fuzz_fwd_call(p, len); break;
		case 2: fuzz_seccomp(p, len); break;
		case 3: DECODE(msg_decode_mig_usage, struct msg_mig_usage); break;
		case 4: fuzz_dsm(p, len); break;
		default: fuzz_seccomp_prog(p, len); break;
		}
	}
	return 0;
}
