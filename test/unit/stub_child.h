/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stub_child.h - for the deputy tests: a child that becomes a deputy by
 * entering the real stub blob (kmod/stub/stub.bin) exactly as ssi.ko does
 * after a dump (entry contract in kmod/stub/deputy_proto.h).
 */
#ifndef SSI_TEST_STUB_CHILD_H
#define SSI_TEST_STUB_CHILD_H

#include <sys/types.h>

#include "ssid/forward/deputy_driver.h"

#define STUB_CHILD_AREA_LEN	(1u << 20)
#define STUB_CHILD_AREA_ADDR	0x7e0000000000UL	/* where the child maps it */

/*
 * stub_child_spawn - fork a child that enters the stub with one end of a
 * SOCK_SEQPACKET pair, and attach @d (zeroed first) to the other end.
 * The child keeps the caller's other fds and has /tmp as its cwd.
 * Fails the running check test on any error.  Return: the child's pid.
 */
pid_t stub_child_spawn(struct ssi_deputy *d);

#endif /* SSI_TEST_STUB_CHILD_H */
