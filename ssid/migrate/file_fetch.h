/* SPDX-License-Identifier: GPL-2.0 */
/*
 * file_fetch.h - mapped files that exist only at home (node-local /tmp,
 * scratch) or differ on the remote node travel with the process.
 *
 * The restore helper checks every file the image maps (image_peek.h,
 * SSI_IOC_FILE_ID); for each missing or different one it asks ssid
 * ("FETCH" lines, restore_helper.c), and ssid asks home (MIG_FILE_REQ).
 * Home reads the file where the frozen process maps it
 * (/proc/PID/map_files: exactly the file the process maps, even renamed,
 * and nothing it does not map) and streams it (MIG_FILE_DATA); it keeps
 * that file open while the process is away, as the original to map again
 * when the process comes back (a copy's path means nothing at home).  The
 * remote node writes each into a file of its own in SSI_FILE_COPY_DIR and
 * gives the helper a read-only descriptor of it (SCM_RIGHTS), which
 * SSI_IOC_RESTORE maps instead of the path once it has checked that its
 * content is the image's.  The copy lives as long as the guest.
 *
 * The home task stays frozen meanwhile: the copy costs freeze time.
 *
 * A record of a DSM segment (shared memory, SSI_DIGEST_DSM) comes the same
 * way from the helper, but nothing travels: ssid gives the helper this
 * node's copy of the segment (dsm/segments.h), held while the guest
 * lives, and home gives back its own segment when the process returns.
 */
#ifndef SSID_FILE_FETCH_H
#define SSID_FILE_FETCH_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cluster/peer_msg.h"

struct dsm_segments;
struct peers;

/* ------------------------------------------------------ the remote side */

struct file_copy {
	struct msg_mig_file_req req;	/* index: in the image's FILES */
	int fd;				/* the copy, written as bytes come */
	uint64_t segment;		/* a DSM segment's id: fd is its channel */
	uint64_t got;
	int err;			/* why there is no copy, once done */
	bool done;
	char path[128];
};

struct file_fetch {
	uint32_t n, done;
	struct file_copy *c;
	bool asked;
	struct dsm_segments *dsm;	/* where the segments' copies are held */
};

/*
 * file_fetch_want - the helper's line "FETCH INDEX START END SIZE KIND
 * DIGEST-HEX" (without "FETCH "): one more file to ask home for.
 * Returns 0, or -EINVAL (malformed, an index twice, more than
 * SSI_IMG_MAX_FILES), -ENOMEM.
 */
int file_fetch_want(struct file_fetch *ff, const char *line);

/*
 * file_fetch_ask - create a copy file for each wanted file (named after
 * @tag and its index) and send MIG_FILE_REQ for it to @peer; take this
 * node's copy of each wanted segment from @dsm (done at once: its error
 * if there is none).  Returns 0, or -errno (what is open is freed by
 * file_fetch_free()).
 */
int file_fetch_ask(struct file_fetch *ff, struct peers *p, int peer, uint64_t id,
		   const char *tag, struct dsm_segments *dsm);

/*
 * file_fetch_data - one MIG_FILE_DATA: its bytes written into the copy.
 * Returns 1 when every file is done (copied, or failed with its err),
 * 0 when more are to come, -EPROTO for data out of order or not asked for,
 * -errno when the copy cannot be written (that file is done, failed).
 */
int file_fetch_data(struct file_fetch *ff, const struct msg_mig_file_data *d,
		    const void *bulk, size_t len);

/*
 * file_fetch_give - send the helper on @sock, for each file in order, its
 * index and error (struct file_fetch_reply) with a read-only descriptor
 * of the copy when there is one.  Returns 0 or -errno.
 */
struct file_fetch_reply {
	uint32_t index;
	int32_t err;			/* 0: an fd comes with it */
};
int file_fetch_give(struct file_fetch *ff, int sock);

/* file_fetch_free - close and remove every copy (the guest is gone). */
void file_fetch_free(struct file_fetch *ff);

/*
 * file_fetch_purge - remove the copies an ssid before this one left (its
 * guests died with it).  Logs what it cannot remove.
 */
void file_fetch_purge(void);

/* -------------------------------------------------------- the home side */

struct file_send {
	int fd;				/* the original, kept open */
	uint64_t off, size;
	int err;
	bool sent;			/* its last message went */
	struct msg_mig_file_req req;	/* the identity the image recorded */
};

struct file_serve {
	uint32_t n;
	struct file_send *s;
};

/*
 * file_serve_add - MIG_FILE_REQ @r for frozen process @pid: open the file
 * it maps at @r->start..@r->end.  A file that cannot be served is queued
 * with its error, to be said.  Returns 0, or -EPROTO (an index asked for
 * twice, too many), -ENOMEM.
 */
int file_serve_add(struct file_serve *fs, pid_t pid, const struct msg_mig_file_req *r);

/*
 * file_serve_pump - send what is queued to @peer, chunk by chunk, until
 * done (0) or the transport queue is full (-EAGAIN: call again when it is
 * writable); another -errno when the peer is gone.
 */
int file_serve_pump(struct file_serve *fs, struct peers *p, int peer, uint64_t id);

/*
 * file_serve_originals - for an image coming home (FILES in @img), the
 * descriptors SSI_IOC_RETURN maps instead of the paths: for each file
 * whose path is one of a copy (SSI_FILE_COPY_DIR), the original kept for
 * that identity; for each DSM segment, home's own in @dsm (the
 * registry's fd, valid until the loop runs again); else -1.  @fds has
 * room for SSI_IMG_MAX_FILES.  Returns the number of entries to pass
 * (0: none needed), or -errno (-ENOENT: a segment this node has not).
 */
int file_serve_originals(const struct file_serve *fs, int img, int32_t *fds,
			 struct dsm_segments *dsm);

/* file_serve_free - close the originals (the process has ended). */
void file_serve_free(struct file_serve *fs);

#endif /* SSID_FILE_FETCH_H */
