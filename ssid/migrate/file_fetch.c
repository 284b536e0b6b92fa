// SPDX-License-Identifier: GPL-2.0
/*
 * file_fetch.c - mapped files that exist only at home travel with the
 * process (see file_fetch.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "kmod/uapi/ssi_image.h"

#include "cluster/peers.h"
#include "common/defaults.h"
#include "common/log.h"
#include "dsm/segments.h"
#include "migrate/file_fetch.h"
#include "migrate/image_peek.h"
#include "migrate/migrate_int.h"

static int hex_digest(const char *hex, uint8_t *out, uint32_t len)
{
	uint32_t i;
	unsigned int b;

	if (strlen(hex) != 2 * (size_t)len)
		return -1;
	for (i = 0; i < len; i++) {
		if (sscanf(hex + 2 * i, "%2x", &b) != 1)
			return -1;
		out[i] = (uint8_t)b;
	}
	return 0;
}

/* ------------------------------------------------------ the remote side */

int file_fetch_want(struct file_fetch *ff, const char *line)
{
	struct msg_mig_file_req r = { 0 };
	char hex[2 * sizeof(r.digest) + 2];
	uint64_t segment = 0;
	struct file_copy *c;
	uint32_t i;

	if (sscanf(line, "%" SCNu32 " %" SCNx64 " %" SCNx64 " %" SCNu64 " %" SCNu32 " %65s",
		   &r.index, &r.start, &r.end, &r.size, &r.digest_kind, hex) != 6 ||
	    r.index >= SSI_IMG_MAX_FILES || ff->n >= SSI_IMG_MAX_FILES || r.start >= r.end)
		return -EINVAL;
	r.digest_len = (uint32_t)strlen(hex) / 2;
	if (r.digest_len > sizeof(r.digest) || hex_digest(hex, r.digest, r.digest_len))
		return -EINVAL;
	if (r.digest_kind == SSI_DIGEST_DSM) {
		if (r.digest_len != sizeof(segment))
			return -EINVAL;
		memcpy(&segment, r.digest, sizeof(segment));	/* the image's: LE */
		if (!segment)
			return -EINVAL;
	} else if (r.size > MSG_MIG_FILE_MAX) {
		return -EINVAL;
	}
	for (i = 0; i < ff->n; i++)
		if (ff->c[i].req.index == r.index)
			return -EINVAL;
	c = realloc(ff->c, (ff->n + 1) * sizeof(*c));
	if (!c)
		return -ENOMEM;
	ff->c = c;
	c = &ff->c[ff->n++];
	memset(c, 0, sizeof(*c));
	c->req = r;
	c->fd = -1;
	c->segment = segment;
	return 0;
}

/* This node's copy of segment @c, held while the guest lives: done at once. */
static void take_segment(struct file_fetch *ff, struct file_copy *c)
{
	int chan, rc;

	rc = ff->dsm ? dsm_segments_copy_get(ff->dsm, c->segment, c->req.size, &chan) :
		       -EOPNOTSUPP;
	if (!rc) {
		c->fd = fcntl(chan, F_DUPFD_CLOEXEC, 0);
		if (c->fd < 0)
			rc = -errno;
		if (rc)
			dsm_segments_copy_put(ff->dsm, c->segment);
	}
	c->err = -rc;
	c->done = true;
	ff->done++;
}

int file_fetch_ask(struct file_fetch *ff, struct peers *p, int peer, uint64_t id,
		   const char *tag, struct dsm_segments *dsm)
{
	unsigned char buf[MSG_MIG_FILE_REQ_LEN];
	struct iovec iov = { buf, 0 };
	uint32_t i;
	int rc;

	if ((mkdir(SSI_STATE_DIR, 0755) && errno != EEXIST) ||
	    (mkdir(SSI_FILE_COPY_DIR, 0700) && errno != EEXIST))
		return -errno;
	ff->asked = true;
	ff->dsm = dsm;
	for (i = 0; i < ff->n; i++) {
		struct file_copy *c = &ff->c[i];

		if (c->segment) {
			take_segment(ff, c);
			continue;
		}
		snprintf(c->path, sizeof(c->path), "%s/%s.%u", SSI_FILE_COPY_DIR, tag,
			 c->req.index);
		unlink(c->path);	/* a stale one of an ssid before */
		c->fd = open(c->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0400);
		if (c->fd < 0) {
			c->path[0] = '\0';
			return -errno;
		}
		c->req.id = id;
		iov.iov_len = msg_encode_mig_file_req(&c->req, buf);
		rc = peers_send(p, peer, SSID_MSG_MIG_FILE_REQ, &iov, 1);
		if (rc)
			return rc;
	}
	return 0;
}

int file_fetch_data(struct file_fetch *ff, const struct msg_mig_file_data *d,
		    const void *bulk, size_t len)
{
	struct file_copy *c = NULL;
	uint32_t i;

	for (i = 0; i < ff->n && !c; i++)
		if (ff->c[i].req.index == d->index)
			c = &ff->c[i];
	if (!ff->asked || !c || c->done || d->offset != c->got ||
	    len > d->size - d->offset || (d->err && len))
		return -EPROTO;
	errno = 0;
	if (len && pwrite(c->fd, bulk, len, (off_t)c->got) != (ssize_t)len) {
		c->err = errno ? errno : ENOSPC;	/* short: the disk is full */
		c->done = true;
		ff->done++;
		return -c->err;
	}
	c->got += len;
	if (d->flags & MSG_MIG_FILE_LAST) {
		c->err = d->err ? d->err : (c->got == d->size ? 0 : EPROTO);
		c->done = true;
		ff->done++;
	}
	return ff->done == ff->n ? 1 : 0;
}

static int give_one(int sock, const struct file_copy *c)
{
	struct file_fetch_reply r = { .index = c->req.index, .err = c->err };
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { &r, sizeof(r) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;
	int fd = -1;

	if (!r.err && c->segment) {
		fd = fcntl(c->fd, F_DUPFD_CLOEXEC, 0);	/* the segment's channel */
		if (fd < 0)
			r.err = errno;
	} else if (!r.err) {
		/* read-only: the process maps it privately, never writes it */
		fd = open(c->path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			r.err = errno;
	}
	if (fd >= 0) {
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	if (sendmsg(sock, &mh, MSG_NOSIGNAL) != (ssize_t)sizeof(r)) {
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	if (fd >= 0)
		close(fd);
	return 0;
}

int file_fetch_give(struct file_fetch *ff, int sock)
{
	uint32_t i;
	int rc;

	for (i = 0; i < ff->n; i++) {
		rc = give_one(sock, &ff->c[i]);
		if (rc)
			return rc;
	}
	return 0;
}

void file_fetch_free(struct file_fetch *ff)
{
	uint32_t i;

	for (i = 0; i < ff->n; i++) {
		if (ff->c[i].fd >= 0)
			close(ff->c[i].fd);
		if (ff->c[i].segment && ff->c[i].fd >= 0)
			dsm_segments_copy_put(ff->dsm, ff->c[i].segment);
		if (ff->c[i].path[0])
			unlink(ff->c[i].path);
	}
	free(ff->c);
	memset(ff, 0, sizeof(*ff));
}

void file_fetch_purge(void)
{
	DIR *d = opendir(SSI_FILE_COPY_DIR);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && unlinkat(dirfd(d), e->d_name, 0))
			log_warn("%s/%s: %s", SSI_FILE_COPY_DIR, e->d_name, strerror(errno));
	closedir(d);
}

/* -------------------------------------------------------- the home side */

int file_serve_add(struct file_serve *fs, pid_t pid, const struct msg_mig_file_req *r)
{
	struct file_send *s;
	char path[96];
	struct stat st;
	uint32_t i;

	for (i = 0; i < fs->n; i++)
		if (fs->s[i].req.index == r->index)
			return -EPROTO;
	if (r->index >= SSI_IMG_MAX_FILES || fs->n >= SSI_IMG_MAX_FILES)
		return -EPROTO;
	s = realloc(fs->s, (fs->n + 1) * sizeof(*s));
	if (!s)
		return -ENOMEM;
	fs->s = s;
	s = &fs->s[fs->n++];
	memset(s, 0, sizeof(*s));
	s->req = *r;
	snprintf(path, sizeof(path), "/proc/%d/map_files/%" PRIx64 "-%" PRIx64, (int)pid,
		 r->start, r->end);
	s->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (s->fd < 0)
		s->err = errno;
	else if (fstat(s->fd, &st) || !S_ISREG(st.st_mode))
		s->err = EINVAL;
	else if ((uint64_t)st.st_size > MSG_MIG_FILE_MAX)
		s->err = EFBIG;
	else
		s->size = (uint64_t)st.st_size;
	return 0;
}

/* Send the next message of @s: -EAGAIN (queue full), 0, or -errno. */
static int send_next(struct file_send *s, struct peers *p, int peer, uint64_t id)
{
	struct msg_mig_file_data d = { .id = id, .index = s->req.index, .offset = s->off,
				       .size = s->size, .err = s->err };
	unsigned char hdr[MSG_MIG_FILE_DATA_LEN];
	struct iovec iov = { hdr, 0 };
	size_t len = 0;
	void *bulk = NULL;
	ssize_t n;
	int rc;

	if (!s->err && s->size > s->off) {
		len = s->size - s->off < MIG_CHUNK ? (size_t)(s->size - s->off) : MIG_CHUNK;
		bulk = peers_bulk_alloc(p, len);
		if (!bulk)
			return -EAGAIN;
		n = pread(s->fd, bulk, len, (off_t)s->off);
		if (n != (ssize_t)len) {
			/* the file shrank at home: say so, the restore refuses */
			peers_bulk_free(p, bulk);
			bulk = NULL;
			len = 0;
			s->err = n < 0 ? errno : EIO;
			d.err = s->err;
		}
	}
	if (s->err || s->off + len == s->size)
		d.flags = MSG_MIG_FILE_LAST;
	iov.iov_len = msg_encode_mig_file_data(&d, hdr);
	rc = bulk ? peers_send_bulk(p, peer, SSID_MSG_MIG_FILE_DATA, &iov, 1, bulk, len) :
		    peers_send(p, peer, SSID_MSG_MIG_FILE_DATA, &iov, 1);
	if (rc) {
		if (bulk)
			peers_bulk_free(p, bulk);
		return rc;
	}
	s->off += len;
	s->sent = d.flags & MSG_MIG_FILE_LAST;
	return 0;
}

int file_serve_pump(struct file_serve *fs, struct peers *p, int peer, uint64_t id)
{
	uint32_t i;
	int rc;

	for (i = 0; i < fs->n; i++) {
		while (!fs->s[i].sent) {
			rc = send_next(&fs->s[i], p, peer, id);
			if (rc)
				return rc;
		}
	}
	return 0;
}

/*
 * Home's segment @f names (an image's record), for the process to map
 * again: into *@fd.  Home's segment stays while its memory is mapped
 * here, so nothing is held for the return.
 */
static int home_segment(struct dsm_segments *dsm, const struct ssi_img_file *f, int32_t *fd)
{
	uint64_t segment;
	int chan, rc;

	if (!dsm)
		return -ENOENT;
	memcpy(&segment, f->digest, sizeof(segment));
	rc = dsm_segments_copy_get(dsm, segment, f->size, &chan);
	if (rc)
		return rc;
	dsm_segments_copy_put(dsm, segment);
	*fd = chan;
	return 0;
}

int file_serve_originals(const struct file_serve *fs, int img, int32_t *fds,
			 struct dsm_segments *dsm)
{
	static const char dir[] = SSI_FILE_COPY_DIR "/";
	struct image_files l;
	uint32_t i, j;
	int n = 0, rc;

	rc = image_files_read(img, &l);
	if (rc)
		return rc;
	for (i = 0; i < l.n && !rc; i++) {
		const struct ssi_img_file *id = l.f[i].id;

		fds[i] = -1;
		if (id->digest_kind == SSI_DIGEST_DSM) {
			rc = home_segment(dsm, id, &fds[i]);
			n = (int)i + 1;
			continue;
		}
		if (strncmp(l.f[i].path, dir, sizeof(dir) - 1))
			continue;
		for (j = 0; j < fs->n; j++) {
			const struct file_send *s = &fs->s[j];

			if (s->fd >= 0 && !s->err && s->req.size == id->size &&
			    s->req.digest_kind == id->digest_kind &&
			    s->req.digest_len == id->digest_len &&
			    !memcmp(s->req.digest, id->digest, id->digest_len)) {
				fds[i] = s->fd;
				n = (int)i + 1;
				break;
			}
		}
	}
	image_files_free(&l);
	return rc ? rc : n;
}

void file_serve_free(struct file_serve *fs)
{
	uint32_t i;

	for (i = 0; i < fs->n; i++)
		if (fs->s[i].fd >= 0)
			close(fs->s[i].fd);
	free(fs->s);
	memset(fs, 0, sizeof(*fs));
}
