/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * call_home.h - the home side of a forwarded system call: validate the
 * request, lay its data area out at the address where the deputy will see
 * it, and collect the OUT segments after the deputy ran the call.
 *
 * Nothing here knows what a syscall means; call_wire.h says why.
 */
#ifndef SSID_CALL_HOME_H
#define SSID_CALL_HOME_H

#include <stddef.h>
#include <stdint.h>

#include "forward/call_wire.h"

/* A validated request; the pointers point into the received message. */
struct ssi_fwd_call {
	const struct ssi_fwd_req *req;
	const uint32_t *relocs;
	const struct ssi_fwd_out *outs;
	const uint8_t *in;
};

/*
 * ssi_fwd_parse - validate an encoded request of @len bytes at @msg (which
 * must stay valid while @call is used).  Every count, offset and length is
 * checked against the message and the area.
 * Return: 0, or -EINVAL with a reason in @err.
 */
int ssi_fwd_parse(const void *msg, size_t len, struct ssi_fwd_call *call,
		  char *err, size_t errlen);

/*
 * ssi_fwd_materialize - fill @area (call->req->area_len bytes, local) with
 * the request's data as it must appear at address @base in the deputy,
 * and compute the six arguments the deputy passes to the syscall.
 */
void ssi_fwd_materialize(const struct ssi_fwd_call *call, uint8_t *area,
			 uint64_t base, uint64_t args[6]);

/*
 * ssi_fwd_reply_build - encode the reply for return value @ret, taking the
 * OUT segments from @area (as the deputy left it).
 * @buf:	NULL to only compute the size.
 * Return: the reply's size in bytes (0 if @buflen is too small).
 */
size_t ssi_fwd_reply_build(const struct ssi_fwd_call *call, int64_t ret,
			   const uint8_t *area, void *buf, size_t buflen);

#endif /* SSID_CALL_HOME_H */
