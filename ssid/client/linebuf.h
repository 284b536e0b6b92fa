/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linebuf.h - the control socket's framing: a byte stream cut into lines.
 * Part of libssiclient (ssid/client/): ssid's control server reads
 * requests with it, every client (ssictl, the Slurm plugins) its reply.
 * Pure: no I/O, libc only.
 */
#ifndef SSI_CLIENT_LINEBUF_H
#define SSI_CLIENT_LINEBUF_H

#include <stdbool.h>
#include <stddef.h>

/*
 * A buffer that splits a byte stream into lines of at most @max bytes
 * (newline excluded).  A longer line is reported once and skipped through
 * its newline, so one bad request does not desynchronise the stream.
 */
struct linebuf {
	char *buf;
	size_t start;		/* first unconsumed byte */
	size_t len;		/* end of data */
	size_t cap;
	size_t max;
	bool discarding;	/* inside an over-long line */
};

/* linebuf_init - an empty buffer for lines of at most @max bytes. */
void linebuf_init(struct linebuf *lb, size_t max);

/* linebuf_free - free the storage; the buffer is empty afterwards. */
void linebuf_free(struct linebuf *lb);

/* linebuf_append - add @n bytes; returns 0 or -ENOMEM. */
int linebuf_append(struct linebuf *lb, const void *data, size_t n);

/*
 * linebuf_next - take the next complete line.
 * Returns 1 with *@line (NUL-terminated, newline and a trailing '\r'
 * removed; valid until the next call on @lb) and *@len set; 0 if no
 * complete line is buffered; -E2BIG once for each over-long line.
 */
int linebuf_next(struct linebuf *lb, char **line, size_t *len);

/*
 * linebuf_rest - at end of stream, take an unterminated last line as if it
 * ended with a newline.  Returns as linebuf_next().
 */
int linebuf_rest(struct linebuf *lb, char **line, size_t *len);

/* linebuf_pending - bytes buffered and not yet returned. */
size_t linebuf_pending(const struct linebuf *lb);

#endif /* SSI_CLIENT_LINEBUF_H */
