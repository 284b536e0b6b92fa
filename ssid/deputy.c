// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * deputy.c - drive a deputy stub: run forwarded calls in the home task,
 * relay the signals it catches, and end it with the remote's status.
 *
 * The request comes from another node: it is validated (fwd_home.c), and
 * its syscall must be one the policy table forwards, before anything is
 * written into the deputy.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "kmod/stub/deputy_proto.h"
#include "deputy.h"
#include "fwd_home.h"
#include "syscall_policy.h"

static int recv_event(struct ssi_deputy *d, struct ssi_dep_event *ev, int timeout_ms)
{
	struct pollfd pfd = { .fd = d->chan, .events = POLLIN };
	ssize_t n;
	int r;

	do {
		r = poll(&pfd, 1, timeout_ms);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	if (r == 0)
		return -ETIMEDOUT;
	do {
		n = recv(d->chan, ev, sizeof(*ev), 0);
	} while (n < 0 && errno == EINTR);
	if (n == 0 || (n < 0 && (errno == ECONNRESET || errno == EPIPE)))
		return -EPIPE;
	if (n < 0)
		return -errno;
	if (n != sizeof(*ev) || ev->magic != SSI_DEP_MAGIC)
		return -EPROTO;
	return 0;
}

static void deliver_signal(struct ssi_deputy *d, const struct ssi_dep_event *ev)
{
	if (d->on_signal)
		d->on_signal(d, (int)ev->value, ev->siginfo, d->arg);
}

int ssi_deputy_attach(struct ssi_deputy *d, pid_t pid, int chan, uint64_t area_base,
		      uint64_t area_len, int timeout_ms)
{
	struct ssi_dep_event ev;
	int err;

	d->pid = pid;
	d->chan = chan;
	d->area_base = area_base;
	d->area_len = area_len;
	d->seq = 0;
	d->calls = 0;
	err = recv_event(d, &ev, timeout_ms);
	if (err)
		return err;
	if (ev.type != SSI_DEP_READY || ev.value < 0)
		return -EPROTO;
	d->stub_chan = ev.value;
	return 0;
}

static int send_cmd(struct ssi_deputy *d, struct ssi_dep_cmd *cmd)
{
	ssize_t n;

	cmd->magic = SSI_DEP_MAGIC;
	do {
		n = send(d->chan, cmd, sizeof(*cmd), MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EPIPE || errno == ECONNRESET ? -EPIPE : -errno;
	return n == sizeof(*cmd) ? 0 : -EIO;
}

/* Run nr(args) in the deputy; returns its result in *ret. */
static int run_syscall(struct ssi_deputy *d, long nr, const uint64_t args[6], int64_t *ret)
{
	struct ssi_dep_cmd cmd = { .op = SSI_DEP_SYSCALL };
	struct ssi_dep_event ev;
	int err;

	cmd.seq = ++d->seq;
	cmd.nr = (uint64_t)nr;
	memcpy(cmd.args, args, sizeof(cmd.args));
	err = send_cmd(d, &cmd);
	if (err)
		return err;
	for (;;) {
		err = recv_event(d, &ev, -1);
		if (err)
			return err;
		if (ev.type == SSI_DEP_SIGNAL) {
			deliver_signal(d, &ev);
			continue;
		}
		if (ev.type == SSI_DEP_RESULT && ev.seq == cmd.seq) {
			*ret = ev.value;
			d->calls++;
			return 0;
		}
		return -EPROTO;
	}
}

static int area_io(struct ssi_deputy *d, void *buf, size_t len, int write)
{
	struct iovec l = { buf, len }, r = { (void *)(uintptr_t)d->area_base, len };
	ssize_t n;

	if (!len)
		return 0;
	n = write ? process_vm_writev(d->pid, &l, 1, &r, 1, 0)
		  : process_vm_readv(d->pid, &l, 1, &r, 1, 0);
	if (n < 0)
		return errno == ESRCH ? -EPIPE : -errno;
	return (size_t)n == len ? 0 : -EIO;
}

/*
 * Calls that would touch the channel, which the process must not see:
 * any fd argument naming it behaves as a closed fd (EBADF), and
 * close_range() skips it.  Returns 1 when *ret holds the answer, 0 to run
 * the call (with args possibly adjusted).
 */
static int guard_channel(struct ssi_deputy *d, long nr, uint64_t args[6], int64_t *ret)
{
	const struct ssi_sc_entry *e = ssi_sc_lookup(nr);
	uint64_t ch = (uint64_t)d->stub_chan, lo_args[6];
	int i, err;

	if (nr == __NR_close_range) {
		if (args[0] > ch || args[1] < ch)
			return 0;
		/* [first, ch - 1] first, then [ch + 1, last] as the call itself */
		if (args[0] < ch) {
			memcpy(lo_args, args, sizeof(lo_args));
			lo_args[1] = ch - 1;
			err = run_syscall(d, nr, lo_args, ret);
			if (err || *ret < 0 || args[1] == ch) {
				if (err)
					*ret = err;
				return 1;
			}
		} else if (args[1] == ch) {
			*ret = 0;
			return 1;
		}
		args[0] = ch + 1;
		return 0;
	}
	for (i = 0; i < e->nargs; i++) {
		if (e->args[i].kind == SSI_ARG_FD && args[i] == ch) {
			*ret = -EBADF;
			return 1;
		}
	}
	return 0;
}

int ssi_deputy_call(struct ssi_deputy *d, const void *req, size_t len,
		    void **reply, size_t *rlen)
{
	struct ssi_fwd_call call;
	uint64_t args[6];
	uint8_t *area = NULL;
	int64_t ret;
	int err;

	err = ssi_fwd_parse(req, len, &call, NULL, 0);
	if (err)
		return err;
	if (ssi_sc_policy_of(call.req->nr) != SSI_SC_FORWARD) {
		/* the remote node may only ask for what the table forwards */
		ret = -ENOSYS;
		goto answer;
	}
	if (call.req->area_len > d->area_len)
		return -E2BIG;
	area = malloc(call.req->area_len ? call.req->area_len : 1);
	if (!area)
		return -ENOMEM;
	ssi_fwd_materialize(&call, area, d->area_base, args);
	if (guard_channel(d, call.req->nr, args, &ret))
		goto answer;
	err = area_io(d, area, call.req->area_len, 1);
	if (!err)
		err = run_syscall(d, call.req->nr, args, &ret);
	if (!err)
		err = area_io(d, area, call.req->area_len, 0);
	if (err) {
		free(area);
		return err;
	}
answer:
	*rlen = ssi_fwd_reply_build(&call, ret, area, NULL, 0);
	*reply = malloc(*rlen);
	if (!*reply) {
		free(area);
		return -ENOMEM;
	}
	ssi_fwd_reply_build(&call, ret, area, *reply, *rlen);
	free(area);
	return 0;
}

int ssi_deputy_poll(struct ssi_deputy *d)
{
	struct ssi_dep_event ev;
	int err = recv_event(d, &ev, 0);

	if (err == -ETIMEDOUT)
		return -EAGAIN;
	if (err)
		return err;
	if (ev.type != SSI_DEP_SIGNAL)
		return -EPROTO;
	deliver_signal(d, &ev);
	return 0;
}

int ssi_deputy_finish(struct ssi_deputy *d, int wstatus)
{
	struct ssi_dep_cmd cmd = { .op = SSI_DEP_EXIT };

	if (WIFEXITED(wstatus)) {
		cmd.value = WEXITSTATUS(wstatus);
	} else if (WIFSIGNALED(wstatus)) {
		cmd.op = SSI_DEP_KILL;
		cmd.value = WTERMSIG(wstatus);
	} else {
		return -EINVAL;
	}
	return send_cmd(d, &cmd);
}
