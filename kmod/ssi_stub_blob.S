/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ssi_stub_blob.S - embed the deputy stub (kmod/stub/stub.bin, built from
 * stub/stub.c by stub/Makefile before Kbuild runs) as read-only data.
 * ssi_deputy.c copies it into a shmem file at load time.
 */
	.section .rodata, "a"
	.balign 64
	.globl ssi_stub_blob
	.globl ssi_stub_blob_end
ssi_stub_blob:
	.incbin SSI_STUB_BIN
ssi_stub_blob_end:
