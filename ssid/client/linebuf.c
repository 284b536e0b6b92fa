// SPDX-License-Identifier: GPL-2.0
/*
 * linebuf.c - the control socket's line framing (see linebuf.h), shared
 * by ssid's control server and libssiclient's reply reader.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "client/linebuf.h"

void linebuf_init(struct linebuf *lb, size_t max)
{
	memset(lb, 0, sizeof(*lb));
	lb->max = max;
}

void linebuf_free(struct linebuf *lb)
{
	free(lb->buf);
	linebuf_init(lb, lb->max);
}

size_t linebuf_pending(const struct linebuf *lb)
{
	return lb->len - lb->start;
}

int linebuf_append(struct linebuf *lb, const void *data, size_t n)
{
	const char *d = data;

	if (lb->discarding) {
		const char *nl = memchr(d, '\n', n);

		if (!nl)
			return 0;
		lb->discarding = false;
		n -= (size_t)(nl + 1 - d);
		d = nl + 1;
	}
	if (lb->start == lb->len)
		lb->start = lb->len = 0;
	if (lb->cap - lb->len < n + 1) {
		char *b;
		size_t cap;

		/* compact first: consumed lines leave room at the front */
		if (lb->start) {
			memmove(lb->buf, lb->buf + lb->start,
				lb->len - lb->start);
			lb->len -= lb->start;
			lb->start = 0;
		}
		if (lb->cap - lb->len < n + 1) {
			cap = lb->cap ? lb->cap : 1024;
			while (cap - lb->len < n + 1)
				cap *= 2;
			b = realloc(lb->buf, cap);
			if (!b)
				return -ENOMEM;
			lb->buf = b;
			lb->cap = cap;
		}
	}
	memcpy(lb->buf + lb->len, d, n);
	lb->len += n;
	return 0;
}

static int take(struct linebuf *lb, size_t end, size_t next, char **line,
		size_t *len)
{
	char *s = lb->buf + lb->start;
	size_t n = end - lb->start;

	lb->start = next;
	if (n > lb->max)
		return -E2BIG;
	if (n && s[n - 1] == '\r')
		n--;
	s[n] = '\0';
	*line = s;
	*len = n;
	return 1;
}

int linebuf_next(struct linebuf *lb, char **line, size_t *len)
{
	char *s, *nl;
	size_t n = lb->len - lb->start;

	if (!n)
		return 0;
	s = lb->buf + lb->start;
	nl = memchr(s, '\n', n);
	if (nl)
		return take(lb, (size_t)(nl - lb->buf), (size_t)(nl - lb->buf) + 1,
			    line, len);
	if (n > lb->max) {
		/* no newline yet and already too long: drop what we have
		 * and the rest of the line as it arrives
		 */
		lb->start = lb->len = 0;
		lb->discarding = true;
		return -E2BIG;
	}
	return 0;
}

int linebuf_rest(struct linebuf *lb, char **line, size_t *len)
{
	int rc = linebuf_next(lb, line, len);

	if (rc || lb->len == lb->start)
		return rc;
	/* append has always kept one spare byte for the NUL */
	return take(lb, lb->len, lb->len, line, len);
}
