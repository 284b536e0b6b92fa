// SPDX-License-Identifier: GPL-2.0
/*
 * ssi_crc32c.c - CRC-32C for user space, with the semantics the image
 * format defines (ssi_imgcheck.h: ssi_crc32c()).  Table-driven; speed is
 * not a concern for a decoder.
 */
#include "ssi_imgcheck.h"

static u32 table[256];

static void init_table(void)
{
	u32 i, j, c;

	for (i = 0; i < 256; i++) {
		c = i;
		for (j = 0; j < 8; j++)
			c = (c >> 1) ^ (c & 1 ? 0x82f63b78U : 0);
		table[i] = c;
	}
}

u32 ssi_crc32c(u32 crc, const void *p, size_t len)
{
	const u8 *s = p;

	if (!table[1])
		init_table();
	crc = ~crc;
	while (len--)
		crc = table[(crc ^ *s++) & 0xff] ^ (crc >> 8);
	return ~crc;
}
