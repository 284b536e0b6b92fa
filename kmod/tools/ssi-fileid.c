// SPDX-License-Identifier: GPL-2.0
/*
 * ssi-fileid - the content identity ssi.ko gives each file (SSI_IOC_FILE_ID)
 *
 *   ssi-fileid PATH...
 *
 * One line per file, as ssi-img prints an image's FILES entries:
 * "PATH size N build-id|sha256 HEX".  What a restore compares a mapped
 * file with: two files with the same line are the same to it.
 * Exit status 1 if any file has none (not regular, unreadable, above
 * 1 GiB without a build-id), 2 on a usage error.
 */
#define _GNU_SOURCE
#include "ssi_tool.h"

int main(int argc, char **argv)
{
	int dev, fd, i, rc = 0;
	unsigned int j;

	prog_name = "ssi-fileid";
	if (argc < 2) {
		fprintf(stderr, "usage: ssi-fileid PATH...\n");
		return 2;
	}
	dev = ssi_open_dev();
	for (i = 1; i < argc; i++) {
		struct ssi_file_id id = { 0 };

		fd = open(argv[i], O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		id.fd = fd;
		if (fd < 0 || ioctl(dev, SSI_IOC_FILE_ID, &id) < 0) {
			fprintf(stderr, "ssi-fileid: %s: %s\n", argv[i], strerror(errno));
			rc = 1;
		} else {
			printf("%s size %llu %s ", argv[i], (unsigned long long)id.size,
			       id.digest_kind == SSI_DIGEST_BUILDID ? "build-id" : "sha256");
			for (j = 0; j < id.digest_len && j < sizeof(id.digest); j++)
				printf("%02x", id.digest[j]);
			printf("\n");
		}
		if (fd >= 0)
			close(fd);
	}
	return rc;
}
