/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ldt_make.h - making the LDT of an image (SSI_SEC_LDT) in the task that
 * becomes the process, before the restore: a module cannot allocate an
 * LDT (kmod/ssi_mmctx.c), so the restore helper makes it with
 * modify_ldt(2), and the restore checks it byte for byte.
 *
 * The image holds raw descriptors; modify_ldt() takes a struct user_desc,
 * which it turns into a descriptor as the kernel's fill_ldt() does.  Every
 * descriptor modify_ldt() can make comes back from its user_desc here;
 * anything else (a system descriptor, another privilege level, a 64-bit
 * code segment) is refused, as the kernel would refuse to make it.
 */
#ifndef SSID_LDT_MAKE_H
#define SSID_LDT_MAKE_H

#include <stdint.h>
#include <asm/ldt.h>

/*
 * ldt_user_desc - the struct user_desc that makes descriptor @d at entry
 * @index with modify_ldt(0x11, ...) (an empty entry for 0).
 * Return: 0, or -EINVAL if modify_ldt() cannot make @d.
 */
int ldt_user_desc(uint64_t d, unsigned int index, struct user_desc *u);

/*
 * ldt_make - the LDT of @n descriptors @d in the calling process, entry 0
 * first (the last one made even if empty: the LDT's size is the image's).
 * Return: 0, or -errno with @why (@len bytes) saying which entry failed.
 */
int ldt_make(const uint64_t *d, uint32_t n, char *why, size_t len);

#endif /* SSID_LDT_MAKE_H */
