// SPDX-License-Identifier: GPL-2.0
/*
 * image_stream.c - dump a process and stream its image to a peer
 * (see image_stream.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/uio.h>

#include "common/metrics.h"
#include "migrate/image_stream.h"
#include "migrate/migrate_int.h"
#include "cluster/peer_msg.h"
#include "cluster/peers.h"

static void unwatch_pipe(struct mig_stream *s)
{
	if (s->pipe_added)
		loop_del(s->m->loop, &s->pipe_h);
	s->pipe_added = false;
	if (s->pipe_h.fd >= 0)
		close(s->pipe_h.fd);
	s->pipe_h.fd = -1;
}

/*
 * With our end of the pipe closed the thread's writes fail (EPIPE;
 * SIGPIPE is ignored) and the module resumes the task.  Returns after the
 * thread is gone; s->dump_err says how the dump ended.
 */
static void end_thread(struct mig_stream *s)
{
	unwatch_pipe(s);
	if (s->thread_running) {
		pthread_join(s->thread, NULL);
		s->thread_running = false;
	}
}

void mig_stream_stop(struct mig_stream *s)
{
	if (!s->m)
		return;
	end_thread(s);
	if (s->chunk)
		peers_bulk_free(s->m->peers, s->chunk);
	s->chunk = NULL;
	s->active = false;
}

static void finish(struct mig_stream *s, int err, const char *why)
{
	if (!s->active)
		return;
	s->active = false;
	end_thread(s);
	s->done(s, err, why);	/* may free s */
}

/*
 * Send the chunk in hand (@last: and say the image is complete).
 * Returns 0 when sent, -EAGAIN when the transport queue is full (the
 * chunk stays), or -1 after finishing @s with an error.
 */
static int flush_chunk(struct mig_stream *s, bool last)
{
	unsigned char hdr[MSG_MIG_IMAGE_LEN];
	struct msg_mig_image mi = { .id = s->id, .offset = s->sent };
	struct iovec iov = { hdr, 0 };
	int rc;

	mi.flags = last ? MSG_MIG_IMAGE_LAST : 0;
	if (last) {		/* the process is frozen: its clocks stop here */
		mi.mono_ns = clock_mono_ns();
		mi.boot_ns = clock_ns(CLOCK_BOOTTIME);
	}
	iov.iov_len = msg_encode_mig_image(&mi, hdr);
	if (s->chunk_len)
		rc = peers_send_bulk(s->m->peers, s->peer, s->type, &iov, 1,
				     s->chunk, s->chunk_len);
	else
		rc = peers_send(s->m->peers, s->peer, s->type, &iov, 1);
	if (rc == -EAGAIN)
		return -EAGAIN;
	if (rc) {
		finish(s, -rc, "sending the image failed");
		return -1;
	}
	if (s->chunk_len)
		s->chunk = NULL;	/* the transport owns it now */
	s->sent += s->chunk_len;
	metrics_add(METRIC_IMAGE_BYTES_SENT, s->chunk_len);
	s->chunk_len = 0;
	return 0;
}

/* The pipe ended: the dump is over, well or not. */
static void dump_ended(struct mig_stream *s)
{
	char why[160];
	int rc;

	end_thread(s);
	if (s->dump_err) {
		snprintf(why, sizeof(why), "it cannot be dumped: %s (%s: %s)",
			 strerror(s->dump_err), mig_reason_name(s->dump.reason),
			 s->dump.detail);
		finish(s, s->dump_err, why);
		return;
	}
	rc = flush_chunk(s, true);
	if (rc == -EAGAIN)
		s->stalled = true;	/* mig_stream_writable sends it */
	if (!rc)
		finish(s, 0, "");
}

/* Image bytes from the dump thread: fill chunks, send full ones. */
static void pipe_ready(struct loop_handler *lh, uint32_t events)
{
	struct mig_stream *s = (struct mig_stream *)((char *)lh -
						     offsetof(struct mig_stream, pipe_h));
	ssize_t n;
	int rc;

	(void)events;
	while (!s->stalled) {
		if (!s->chunk) {
			s->chunk = peers_bulk_alloc(s->m->peers, MIG_CHUNK);
			if (!s->chunk) {
				finish(s, ENOMEM, "no buffer for the image");
				return;
			}
		}
		n = read(lh->fd, (char *)s->chunk + s->chunk_len,
			 MIG_CHUNK - s->chunk_len);
		if (n > 0) {
			if (s->frozen && !s->frozen_told) {
				s->frozen_told = true;
				s->frozen(s);
			}
			s->chunk_len += (size_t)n;
			if (s->chunk_len < MIG_CHUNK)
				continue;
			rc = flush_chunk(s, false);
			if (rc == -1)
				return;
			if (rc == -EAGAIN) {
				/* stop reading: the dump waits on the pipe */
				s->stalled = true;
				loop_del(s->m->loop, &s->pipe_h);
				s->pipe_added = false;
			}
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		s->eof = true;
		dump_ended(s);
		return;
	}
}

void mig_stream_writable(struct mig_stream *s)
{
	if (!s->active || !s->stalled)
		return;
	if (s->eof) {
		/* the last chunk is waiting */
		s->stalled = false;
		dump_ended(s);
		return;
	}
	if (flush_chunk(s, false))
		return;		/* still full, or failed */
	s->stalled = false;
	if (loop_add(s->m->loop, &s->pipe_h, EPOLLIN)) {
		finish(s, errno, "epoll failed");
		return;
	}
	s->pipe_added = true;
}

/*
 * EAGAIN: the task was caught where it cannot be dumped for a moment
 * (inside the vDSO of its time namespace, threads still appearing); it
 * went on, nothing was written, and a little later is fine.  The ioctl
 * returns once the task is told to go on, not once it has: until it has
 * left, the next try finds that dump still there (EBUSY), so after an
 * EAGAIN an EBUSY is tried again too.
 */
#define DUMP_TRIES	200
#define DUMP_RETRY_US	2000

static void *dump_main(void *arg)
{
	struct mig_stream *s = arg;
	bool again = false;
	int i;

	for (i = 0; i < DUMP_TRIES; i++) {
		s->dump_err = ioctl(s->dev, SSI_IOC_DUMP, &s->dump) ? errno : 0;
		if (s->dump_err != EAGAIN && !(again && s->dump_err == EBUSY))
			break;
		again = true;
		usleep(DUMP_RETRY_US);
	}
	close(s->pipe_w);	/* EOF for the loop */
	return NULL;
}

int mig_stream_start(struct mig_stream *s, struct migrate *m, int peer,
		     uint16_t type, uint64_t id, int dev, pid_t pid,
		     mig_stream_done done, char *err, size_t errlen)
{
	int p[2], rc;

	memset(s, 0, sizeof(*s));
	s->m = m;
	s->peer = peer;
	s->type = type;
	s->id = id;
	s->dev = dev;
	s->done = done;
	s->pipe_h.fd = -1;
	if (pipe2(p, O_CLOEXEC)) {
		rc = errno;
		snprintf(err, errlen, "pipe: %s", strerror(rc));
		return rc;
	}
	s->pipe_h.fd = p[0];
	s->pipe_w = p[1];
	/* fewer, bigger reads; the default 64 KiB works too */
	fcntl(s->pipe_w, F_SETPIPE_SZ, 1 << 20);
	fcntl(s->pipe_h.fd, F_SETFL, O_NONBLOCK);
	s->pipe_h.cb = pipe_ready;
	if (loop_add(m->loop, &s->pipe_h, EPOLLIN)) {
		rc = errno;
		snprintf(err, errlen, "epoll: %s", strerror(rc));
		goto fail;
	}
	s->pipe_added = true;
	s->dump.pid = pid;
	s->dump.out_fd = s->pipe_w;
	s->dump.flags = SSI_DUMP_THREADS;	/* all of them move as one */
	s->dump.timeout_ms = 10000;
	rc = pthread_create(&s->thread, NULL, dump_main, s);
	if (rc) {
		snprintf(err, errlen, "cannot start the dump: %s", strerror(rc));
		goto fail;
	}
	s->thread_running = true;
	s->active = true;
	return 0;
fail:
	close(s->pipe_w);
	unwatch_pipe(s);
	return rc;
}

int mig_image_store(int fd, uint64_t off, const void *p, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = pwrite(fd, (const char *)p + done, len - done, (off_t)(off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? errno : EIO;
		done += (size_t)n;
	}
	return 0;
}
