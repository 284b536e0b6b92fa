/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * seq_pos.h - where a read of a /proc text file stands, to carry it from
 * one node's open file of an entry to another's (SSI_IOC_SEQ_GET and
 * SSI_IOC_SEQ_SET, kmod/uapi/ssi.h).
 *
 * Such a file (maps, smaps, status ...) is a seq_file: its next read
 * returns what is left of the text it made last, then goes on with the
 * record its iterator names.  Its byte offset alone is not a position in
 * the text of another node, whose lines are other lengths.
 */
#ifndef SSID_SEQ_POS_H
#define SSID_SEQ_POS_H

#include <stdint.h>

#define SEQ_POS_TEXT_MAX	4096	/* SSI_SEQ_PENDING_MAX */

struct seq_pos {
	int64_t read_pos;	/* where its last read ended */
	int64_t index;		/* the record its next read starts with */
	uint32_t len;		/* bytes of @text */
	unsigned char text[SEQ_POS_TEXT_MAX];	/* made, not read yet */
};

/*
 * seq_pos_get - the position of @file (an fd of this process) and, if it
 * is a /proc seq_file, its state into @sp.
 * Return: 1 with @sp filled, 0 if @file has an offset only (not such a
 * file, or more text pending than @sp holds), -errno if neither can be
 * read.  @pos is its offset in both positive cases.
 */
int seq_pos_get(int file, uint64_t *pos, struct seq_pos *sp);

/*
 * seq_pos_set - @file (an fd of this process, on the same entry as the
 * one @sp was read from) takes offset @pos and, if @sp is not NULL, that
 * state: its next read returns what the other file's would have.
 * Return: 0 or -errno.
 */
int seq_pos_set(int file, uint64_t pos, const struct seq_pos *sp);

#endif /* SSID_SEQ_POS_H */
