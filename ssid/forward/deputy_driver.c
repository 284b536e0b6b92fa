// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * deputy_driver.c - drive a deputy stub: run forwarded calls in the home task,
 * relay the signals it catches, and end it with the remote's status.
 *
 * The request comes from another node: it is validated (call_home.c), and
 * its syscall must be one the policy table forwards, before anything is
 * written into the deputy.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kmod/stub/deputy_proto.h"
#include "kmod/uapi/ssi.h"
#include "common/procfs.h"
#include "migrate/ptimer_make.h"
#include "forward/deputy_driver.h"
#include "forward/call_home.h"
#include "forward/syscall_policy.h"

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
	return ssi_deputy_attach_thread(d, pid, pid, chan, area_base, area_len, timeout_ms);
}

int ssi_deputy_attach_thread(struct ssi_deputy *d, pid_t pid, pid_t tid, int chan,
			     uint64_t area_base, uint64_t area_len, int timeout_ms)
{
	struct ssi_dep_event ev;
	int err;

	d->pid = pid;
	d->tid = tid;
	d->chan = chan;
	d->area_base = area_base;
	d->area_len = area_len;
	d->seq = 0;
	d->calls = 0;
	memset(&d->cur, 0, sizeof(d->cur));
	/*
	 * A signal pending on the task when it became the deputy (a periodic
	 * SIGALRM, one that came during the freeze) reaches the stub as soon
	 * as it unblocks signals, which may be before it says READY: relay it
	 * like any other.
	 */
	do {
		err = recv_event(d, &ev, timeout_ms);
		if (err)
			return err;
		if (ev.type == SSI_DEP_SIGNAL)
			deliver_signal(d, &ev);
	} while (ev.type == SSI_DEP_SIGNAL);
	if (ev.type != SSI_DEP_READY || ev.value < 0)
		return -EPROTO;
	d->stub_chan = ev.value;
	d->hide_lo = d->hide_hi = ev.value;
	return 0;
}

void ssi_deputy_hide(struct ssi_deputy *d, long lo, long hi)
{
	d->hide_lo = lo;
	d->hide_hi = hi;
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

/* Send SYSCALL nr(args); its RESULT is awaited as d->cur.seq. */
static int send_syscall(struct ssi_deputy *d, long nr, const uint64_t args[6])
{
	struct ssi_dep_cmd cmd = { .op = SSI_DEP_SYSCALL };

	cmd.seq = ++d->seq;
	cmd.nr = (uint64_t)nr;
	memcpy(cmd.args, args, sizeof(cmd.args));
	d->cur.seq = cmd.seq;
	return send_cmd(d, &cmd);
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
 * Calls that would touch the channels, which the process must not see:
 * any fd argument naming one behaves as a closed fd (EBADF), and
 * close_range() skips them: [first, lo - 1] runs first (stage 1), then
 * [hi + 1, last] as the call itself.  Returns 1 when *ret holds the
 * answer, 0 to run the call (with args possibly adjusted).
 */
static int guard_channel(struct ssi_deputy *d, long nr, uint64_t args[6], int64_t *ret)
{
	const struct ssi_sc_entry *e = ssi_sc_lookup(nr);
	uint64_t lo = (uint64_t)d->hide_lo, hi = (uint64_t)d->hide_hi;
	int i;

	d->cur.stage = 0;
	if (nr == __NR_close_range) {
		if (args[0] > hi || args[1] < lo)
			return 0;
		if (args[0] < lo) {
			d->cur.stage = 1;
			return 0;
		}
		if (args[1] <= hi) {
			*ret = 0;
			return 1;
		}
		args[0] = hi + 1;
		return 0;
	}
	for (i = 0; i < e->nargs; i++) {
		if (e->args[i].kind == SSI_ARG_FD && args[i] >= lo && args[i] <= hi) {
			*ret = -EBADF;
			return 1;
		}
	}
	return 0;
}

void ssi_deputy_abandon(struct ssi_deputy *d)
{
	free(d->cur.area);
	free(d->cur.req);
	memset(&d->cur, 0, sizeof(d->cur));
}

/* Encode the reply of the call in flight for @ret and end it. */
static int finish_call(struct ssi_deputy *d, int64_t ret, void **reply, size_t *rlen)
{
	*rlen = ssi_fwd_reply_build(&d->cur.call, ret, d->cur.area, NULL, 0);
	*reply = malloc(*rlen);
	if (!*reply) {
		ssi_deputy_abandon(d);
		return -ENOMEM;
	}
	ssi_fwd_reply_build(&d->cur.call, ret, d->cur.area, *reply, *rlen);
	ssi_deputy_abandon(d);
	return 1;
}

/* Send the SYSCALL of the current stage. */
static int run_stage(struct ssi_deputy *d)
{
	uint64_t a[6];

	memcpy(a, d->cur.args, sizeof(a));
	if (d->cur.stage == 1)
		a[1] = (uint64_t)d->hide_lo - 1;
	return send_syscall(d, d->cur.call.req->nr, a);
}

int ssi_deputy_start(struct ssi_deputy *d, const void *req, size_t len,
		     void **reply, size_t *rlen)
{
	struct ssi_deputy_inflight *c = &d->cur;
	int64_t ret;
	int err;

	if (c->busy)
		return -EBUSY;
	memset(c, 0, sizeof(*c));
	c->req = malloc(len ? len : 1);
	if (!c->req)
		return -ENOMEM;
	memcpy(c->req, req, len);
	err = ssi_fwd_parse(c->req, len, &c->call, NULL, 0);
	if (err)
		goto fail;
	if (!ssi_sc_forwards(c->call.req->nr))
		/* the remote node may only ask for what the table forwards */
		return finish_call(d, -ENOSYS, reply, rlen);
	err = -E2BIG;
	if (c->call.req->area_len > d->area_len)
		goto fail;
	err = -ENOMEM;
	c->area = malloc(c->call.req->area_len ? c->call.req->area_len : 1);
	if (!c->area)
		goto fail;
	ssi_fwd_materialize(&c->call, c->area, d->area_base, c->args);
	if (guard_channel(d, c->call.req->nr, c->args, &ret))
		return finish_call(d, ret, reply, rlen);
	err = area_io(d, c->area, c->call.req->area_len, 1);
	if (!err)
		err = run_stage(d);
	if (err)
		goto fail;
	c->busy = 1;
	return 0;
fail:
	ssi_deputy_abandon(d);
	return err;
}

/* The RESULT of the call in flight arrived with @ret. */
static int call_result(struct ssi_deputy *d, int64_t ret, void **reply, size_t *rlen)
{
	struct ssi_deputy_inflight *c = &d->cur;
	int err;

	if (c->stage == 1) {
		/* lower half of a close_range done: now the upper half */
		if (ret < 0 || c->args[1] <= (uint64_t)d->hide_hi)
			return finish_call(d, ret, reply, rlen);
		c->stage = 2;
		c->args[0] = (uint64_t)d->hide_hi + 1;
		err = run_stage(d);
		if (err) {
			ssi_deputy_abandon(d);
			return err;
		}
		return 0;
	}
	d->calls++;
	err = area_io(d, c->area, c->call.req->area_len, 0);
	if (err) {
		ssi_deputy_abandon(d);
		return err;
	}
	return finish_call(d, ret, reply, rlen);
}

int ssi_deputy_event(struct ssi_deputy *d, void **reply, size_t *rlen)
{
	struct ssi_dep_event ev;
	int err = recv_event(d, &ev, 0);

	if (err == -ETIMEDOUT)
		return -EAGAIN;
	if (err)
		goto fail;
	if (ev.type == SSI_DEP_SIGNAL) {
		deliver_signal(d, &ev);
		return 0;
	}
	err = -EPROTO;
	if (ev.type != SSI_DEP_RESULT || !d->cur.busy || ev.seq != d->cur.seq)
		goto fail;
	return call_result(d, ev.value, reply, rlen);
fail:
	ssi_deputy_abandon(d);
	return err;
}

/* The synchronous form, for tests and tools: start, then wait. */
int ssi_deputy_call(struct ssi_deputy *d, const void *req, size_t len,
		    void **reply, size_t *rlen)
{
	struct pollfd pfd = { .fd = d->chan, .events = POLLIN };
	int r = ssi_deputy_start(d, req, len, reply, rlen);

	while (r == 0) {
		if (poll(&pfd, 1, -1) < 0 && errno != EINTR) {
			r = -errno;
			ssi_deputy_abandon(d);
			break;
		}
		r = ssi_deputy_event(d, reply, rlen);
		if (r == -EAGAIN)
			r = 0;
	}
	return r < 0 ? r : 0;
}

/* Send @cmd to the idle stub and wait for its RESULT (signals are relayed). */
static int run_cmd(struct ssi_deputy *d, struct ssi_dep_cmd *cmd, int timeout_ms,
		   int64_t *ret)
{
	struct ssi_dep_event ev;
	int err;

	if (d->cur.busy)
		return -EBUSY;
	cmd->seq = ++d->seq;
	d->cur.seq = cmd->seq;
	err = send_cmd(d, cmd);
	for (;;) {
		if (err)
			return err;
		err = recv_event(d, &ev, timeout_ms);
		if (err)
			return err;
		if (ev.type == SSI_DEP_SIGNAL) {
			deliver_signal(d, &ev);
			continue;
		}
		if (ev.type != SSI_DEP_RESULT || ev.seq != d->cur.seq)
			return -EPROTO;
		*ret = ev.value;
		return 0;
	}
}

/* Run one call of ssid's own in the idle deputy, and wait for it. */
static int run_own(struct ssi_deputy *d, long nr, const uint64_t args[6],
		   int timeout_ms, int64_t *ret)
{
	struct ssi_dep_cmd cmd = { .op = SSI_DEP_SYSCALL, .nr = (uint64_t)nr };

	memcpy(cmd.args, args, sizeof(cmd.args));
	return run_cmd(d, &cmd, timeout_ms, ret);
}

/* run_own() for a call whose negative result is its error. */
static int run_own_ok(struct ssi_deputy *d, long nr, const uint64_t args[6],
		      int timeout_ms, int64_t *ret)
{
	int err = run_own(d, nr, args, timeout_ms, ret);

	return err ? err : *ret < 0 && *ret >= -4095 ? (int)*ret : 0;
}

/*
 * Give the deputy the stub's end of a new channel: the stub receives it
 * with recvmsg() on its own channel (its area holds the msghdr), after the
 * SYSCALL that asks for it.  Returns its fd number in the deputy, or -errno.
 */
static int pass_channel(struct ssi_deputy *d, int fd, int timeout_ms)
{
	struct {
		struct msghdr mh;
		struct iovec iov;
		char byte;
		union {
			struct cmsghdr align;
			char buf[CMSG_SPACE(sizeof(int))];
		} ctl;
	} in, out;
	uint64_t base = d->area_base, args[6] = { (uint64_t)d->stub_chan, base,
						  MSG_CMSG_CLOEXEC };
	struct ssi_dep_cmd cmd = { .op = SSI_DEP_SYSCALL, .nr = SYS_recvmsg };
	char one = 0;
	struct iovec iov = { &one, 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct cmsghdr *c;
	struct ssi_dep_event ev;
	int err, got;

	if (d->area_len < sizeof(in))
		return -ENOSPC;
	/* the deputy's view: pointers into its area */
	memset(&in, 0, sizeof(in));
	in.mh.msg_iov = (struct iovec *)(uintptr_t)(base + offsetof(typeof(in), iov));
	in.mh.msg_iovlen = 1;
	in.mh.msg_control = (void *)(uintptr_t)(base + offsetof(typeof(in), ctl));
	in.mh.msg_controllen = sizeof(in.ctl.buf);
	in.iov.iov_base = (void *)(uintptr_t)(base + offsetof(typeof(in), byte));
	in.iov.iov_len = 1;
	err = area_io(d, &in, sizeof(in), 1);
	if (err)
		return err;

	if (d->cur.busy)
		return -EBUSY;
	memcpy(cmd.args, args, sizeof(cmd.args));
	cmd.seq = ++d->seq;
	d->cur.seq = cmd.seq;
	err = send_cmd(d, &cmd);
	if (err)
		return err;
	/* after the command, so that the stub's own receive cannot take it */
	memset(&ctl, 0, sizeof(ctl));
	mh.msg_control = ctl.buf;
	mh.msg_controllen = sizeof(ctl.buf);
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	while (sendmsg(d->chan, &mh, MSG_NOSIGNAL) < 0)
		if (errno != EINTR)
			return -errno;
	for (;;) {
		err = recv_event(d, &ev, timeout_ms);
		if (err)
			return err;
		if (ev.type != SSI_DEP_SIGNAL)
			break;
		deliver_signal(d, &ev);
	}
	if (ev.type != SSI_DEP_RESULT || ev.seq != d->cur.seq)
		return -EPROTO;
	if (ev.value != 1)
		return ev.value < 0 ? (int)ev.value : -EPROTO;
	err = area_io(d, &out, sizeof(out), 0);
	if (err)
		return err;
	c = (struct cmsghdr *)out.ctl.buf;
	if (out.mh.msg_controllen < CMSG_LEN(sizeof(int)) || c->cmsg_level != SOL_SOCKET ||
	    c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(sizeof(int)))
		return -EPROTO;
	memcpy(&got, CMSG_DATA(c), sizeof(int));
	return got;
}

int ssi_deputy_spawn(struct ssi_deputy *d, struct ssi_deputy_seat *seat, int timeout_ms)
{
	struct ssi_dep_cmd cmd = { .op = SSI_DEP_SPAWN };
	uint64_t a[6] = { 0, SSI_DEPUTY_AREA_DEFAULT, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, (uint64_t)-1, 0 };
	bool fresh = !seat->area;
	int sv[2], fd, err;
	int64_t ret;

	if (fresh) {
		err = run_own_ok(d, SYS_mmap, a, timeout_ms, &ret);
		if (err)
			return err;
		seat->area = (uint64_t)ret;
		a[1] = SSI_DEPUTY_SEAT_STACK;
		a[3] = MAP_PRIVATE | MAP_ANONYMOUS;
		err = run_own_ok(d, SYS_mmap, a, timeout_ms, &ret);
		if (err)
			goto unmap;
		seat->stack = (uint64_t)ret;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
		err = -errno;
		goto unmap;
	}
	fd = pass_channel(d, sv[1], timeout_ms);
	close(sv[1]);
	if (fd < 0) {
		err = fd;
		close(sv[0]);
		goto unmap;
	}
	cmd.args[0] = (uint64_t)fd;
	cmd.args[1] = seat->area;
	cmd.args[2] = SSI_DEPUTY_AREA_DEFAULT;
	cmd.args[3] = seat->index;
	cmd.args[4] = seat->stack;
	cmd.args[5] = SSI_DEPUTY_SEAT_STACK;
	err = run_cmd(d, &cmd, timeout_ms, &ret);
	if (!err && ret < 0)
		err = (int)ret;
	if (err) {
		memset(a, 0, sizeof(a));
		a[0] = (uint64_t)fd;
		run_own(d, SYS_close, a, timeout_ms, &ret);
		close(sv[0]);
		goto unmap;
	}
	seat->tid = (pid_t)ret;
	seat->chan = sv[0];
	return 0;

unmap:
	/* a seat the caller gave stays the caller's */
	if (fresh) {
		memset(a, 0, sizeof(a));
		a[0] = seat->area;
		a[1] = SSI_DEPUTY_AREA_DEFAULT;
		run_own(d, SYS_munmap, a, timeout_ms, &ret);
		a[0] = seat->stack;
		a[1] = SSI_DEPUTY_SEAT_STACK;
		if (seat->stack)
			run_own(d, SYS_munmap, a, timeout_ms, &ret);
		seat->area = seat->stack = 0;
	}
	return err;
}

int ssi_deputy_park_itimers(struct ssi_deputy *d, int timeout_ms)
{
	static const int which[] = { ITIMER_VIRTUAL, ITIMER_PROF };
	struct itimerval park = { .it_value = { .tv_sec = SSI_ITIMER_PARK_SEC } };
	uint64_t args[6] = { 0, d->area_base, 0 };
	int64_t ret;
	size_t i;
	int err;

	if (d->area_len < sizeof(park))
		return -ENOSPC;
	err = area_io(d, &park, sizeof(park), 1);
	for (i = 0; !err && i < sizeof(which) / sizeof(which[0]); i++) {
		args[0] = (uint64_t)which[i];
		err = run_own(d, SYS_setitimer, args, timeout_ms, &ret);
		if (!err && ret < 0)
			err = (int)ret;
	}
	return err;
}

/* A timer call's data in the deputy's area. */
struct timer_box {
	struct sigevent sev;
	int id;
	int pad;
	struct itimerspec its;
};

struct timer_maker {
	struct ssi_deputy *d;
	int dev, timeout_ms;
	int *ids;		/* the deputy's own timers, to delete */
	uint32_t n, max;
};

static int timer_next_id(void *arg, uint32_t id)
{
	struct timer_maker *m = arg;
	struct ssi_timer_id t = { .pid = m->d->pid, .id = id };

	return ioctl(m->dev, SSI_IOC_TIMER_ID, &t) ? -errno : 0;
}

static int timer_create_there(void *arg, int clock, const struct sigevent *sev, int *id)
{
	struct timer_maker *m = arg;
	struct timer_box box = { .sev = *sev, .id = -1 };
	uint64_t a[6] = { (uint64_t)clock, m->d->area_base + offsetof(struct timer_box, sev),
			  m->d->area_base + offsetof(struct timer_box, id) };
	int64_t ret;
	int err;

	err = area_io(m->d, &box, sizeof(box), 1);
	if (!err)
		err = run_own_ok(m->d, SYS_timer_create, a, m->timeout_ms, &ret);
	if (!err)
		err = area_io(m->d, &box, sizeof(box), 0);
	*id = box.id;
	return err;
}

static int timer_settime_there(void *arg, int id, int flags, const struct itimerspec *its)
{
	struct timer_maker *m = arg;
	struct timer_box box = { .its = *its };
	uint64_t a[6] = { (uint64_t)id, (uint64_t)flags,
			  m->d->area_base + offsetof(struct timer_box, its) };
	int64_t ret;
	int err = area_io(m->d, &box, sizeof(box), 1);

	return err ? err : run_own_ok(m->d, SYS_timer_settime, a, m->timeout_ms, &ret);
}

static int note_timer(int id, int clock, void *arg)
{
	struct timer_maker *m = arg;
	int *ids;

	(void)clock;
	if (m->n == m->max) {
		m->max = m->max ? 2 * m->max : 16;
		ids = realloc(m->ids, m->max * sizeof(*ids));
		if (!ids)
			return -ENOMEM;
		m->ids = ids;
	}
	m->ids[m->n++] = id;
	return 0;
}

int ssi_deputy_make_timers(struct ssi_deputy *d, int dev, const struct ssi_img_posix_timer *p,
			   uint32_t n, int timeout_ms, char *why, size_t len)
{
	struct timer_maker m = { .d = d, .dev = dev, .timeout_ms = timeout_ms };
	const struct ptimer_ops ops = {
		.next_id = timer_next_id, .create = timer_create_there,
		.settime = timer_settime_there, .arg = &m,
	};
	uint64_t a[6] = { 0 };
	int64_t ret;
	uint32_t i;
	int err;

	if (d->area_len < sizeof(struct timer_box))
		return -ENOSPC;
	/* listed first: deleting while /proc/PID/timers is read could skip one */
	err = procfs_each_timer(d->pid, note_timer, &m);
	if (err)
		snprintf(why, len, "listing its POSIX timers: %s", strerror(-err));
	for (i = 0; !err && i < m.n; i++) {
		a[0] = (uint64_t)m.ids[i];
		err = run_own_ok(d, SYS_timer_delete, a, timeout_ms, &ret);
		if (err)
			snprintf(why, len, "deleting POSIX timer %d: %s", m.ids[i],
				 strerror(-err));
	}
	free(m.ids);
	return err ? err : ptimers_make(p, n, &ops, why, len);
}

int ssi_deputy_cancel(struct ssi_deputy *d)
{
	siginfo_t si;

	if (!d->cur.busy)
		return 0;
	memset(&si, 0, sizeof(si));
	si.si_signo = SSI_DEP_CANCEL_SIG;
	si.si_code = SI_QUEUE;
	si.si_pid = getpid();
	si.si_uid = getuid();
	si.si_value.sival_int = (int)SSI_DEP_MAGIC;
	if (syscall(SYS_rt_tgsigqueueinfo, d->pid, d->tid, SSI_DEP_CANCEL_SIG, &si))
		return -errno;
	return 0;
}

int ssi_deputy_poll(struct ssi_deputy *d)
{
	struct ssi_dep_event ev;
	int err;

	if (d->cur.busy)
		return -EBUSY;
	err = recv_event(d, &ev, 0);
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

int ssi_deputy_end_thread(struct ssi_deputy *d)
{
	struct ssi_dep_cmd cmd = { .op = SSI_DEP_EXIT_THREAD };

	if (d->cur.busy)
		return -EBUSY;
	return send_cmd(d, &cmd);
}
