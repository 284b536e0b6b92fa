/* SPDX-License-Identifier: GPL-2.0 */
/*
 * image_stream.h - dump a process and stream its image to a peer.
 *
 * A thread runs SSI_IOC_DUMP into a pipe (the module writes the image
 * from the caller's thread, so the loop must not be that thread:
 * heartbeats and other migrations go on, and the image streams out while
 * it is written); the loop reads the pipe and sends chunks of MIG_CHUNK
 * bytes as messages of one type (struct msg_mig_image + bulk), the last
 * one marked.  A full transport queue stops the reading (the dump then
 * waits on the pipe) until mig_stream_writable().  The home node streams
 * a process out this way, the remote node streams one back home.
 */
#ifndef SSID_IMAGE_STREAM_H
#define SSID_IMAGE_STREAM_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "kmod/uapi/ssi.h"

#include "daemon/loop.h"

struct migrate;
struct mig_stream;

/*
 * Called once, from the loop: @err 0 when the image was dumped and its
 * last chunk sent (the task stays frozen on the stream's /dev/ssi), else
 * an errno and why (a dump that failed has resumed the task itself).
 */
typedef void (*mig_stream_done)(struct mig_stream *s, int err, const char *why);

struct mig_stream {
	/* set by mig_stream_start */
	struct migrate *m;
	int peer;
	uint16_t type;			/* of the chunk messages */
	uint64_t id;			/* the migration's, in every chunk */
	mig_stream_done done;
	/*
	 * Optional, set right after mig_stream_start (before the loop runs
	 * again): called once, from the loop, when the first image bytes
	 * come out of the dump, before any is sent.  The task is frozen by
	 * then: what it holds stands still.
	 */
	void (*frozen)(struct mig_stream *s);
	/* results */
	uint64_t sent;			/* image bytes sent */
	struct ssi_dump dump;		/* the thread's, read after it ended */
	int dump_err;			/* its errno, 0 if dumped */
	/* private */
	pthread_t thread;
	bool thread_running;
	int dev;
	int pipe_w;			/* the thread's end; it closes it */
	struct loop_handler pipe_h;	/* our end, -1 once closed */
	bool pipe_added;
	bool eof;			/* the pipe ended: the dump is over */
	bool stalled;			/* a chunk waits for the transport */
	bool active;			/* started, done not called yet */
	bool frozen_told;		/* frozen() was called */
	void *chunk;			/* bulk buffer being filled */
	size_t chunk_len;
};

/*
 * mig_stream_start - freeze and dump @pid through @dev (an open /dev/ssi
 * that passed SSI_IOC_API; it must stay open while the task is frozen)
 * and stream the image to node @peer.  Returns 0, or an errno with @err
 * filled (nothing started).
 */
int mig_stream_start(struct mig_stream *s, struct migrate *m, int peer,
		     uint16_t type, uint64_t id, int dev, pid_t pid,
		     mig_stream_done done, char *err, size_t errlen);

/* mig_stream_writable - the peer's queue drained: go on sending. */
void mig_stream_writable(struct mig_stream *s);

/*
 * mig_stream_stop - end the thread (a dump in progress fails and resumes
 * the task) and free the buffers; done is not called.  Safe on a stream
 * never started or already ended.
 */
void mig_stream_stop(struct mig_stream *s);

/*
 * mig_image_store - the receiving end: write the @len bytes of a chunk
 * at offset @off of @fd (the memfd the image lands in).
 * Return: 0, or an errno (EIO when nothing could be written).
 */
int mig_image_store(int fd, uint64_t off, const void *p, size_t len);

#endif
