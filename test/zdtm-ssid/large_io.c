// SPDX-License-Identifier: GPL-2.0
/*
 * large_io: single calls that move more than the forwarding carries at
 * once (4 MiB, SSI_FWD_IO_MAX): a 6 MiB write, a 4.5 MiB pwrite into it,
 * a 5 MiB writev of three buffers, then the whole file read back with one
 * read and one preadv of two halves.  A short count is allowed (the
 * kernel may return one too); lost, doubled or misplaced bytes are not.
 */
/* A round moves 33 MiB through the forwarding, seconds in the lab. */
#define ZS_TAIL 2
#include "zs.h"

#include <sys/stat.h>
#include <sys/uio.h>

#define MiB (1024 * 1024)
#define W1 (6 * MiB)
#define P_OFF (1 * MiB + 17)
#define P_LEN (4 * MiB + MiB / 2)
#define V1 (MiB / 2 + 5)
#define V2 (4 * MiB)
#define V3 (MiB / 2 - 5)
#define TOTAL (W1 + V1 + V2 + V3)

static char want[TOTAL], got[TOTAL];

static void fill(char *p, size_t len, uint32_t *seed)
{
	size_t i;

	for (i = 0; i + 4 <= len; i += 4) {
		uint32_t v = zs_rand(seed);

		memcpy(p + i, &v, 4);
	}
	for (; i < len; i++)
		p[i] = zs_rand(seed);
}

/* The rest of an iovec write that came back short. */
static void writev_all(int fd, struct iovec *iov, int cnt)
{
	ssize_t n;

	while (cnt) {
		n = writev(fd, iov, cnt);
		zs_check(n > 0, "writev: %s", strerror(errno));
		while (cnt && (size_t)n >= iov->iov_len) {
			n -= iov->iov_len;
			iov++;
			cnt--;
		}
		if (cnt) {
			iov->iov_base = (char *)iov->iov_base + n;
			iov->iov_len -= n;
		}
	}
}

static void pwrite_all(int fd, const char *p, size_t len, off_t off)
{
	ssize_t n;

	while (len) {
		n = pwrite(fd, p, len, off);
		zs_check(n > 0, "pwrite: %s", strerror(errno));
		p += n;
		len -= n;
		off += n;
	}
}

/* preadv of two halves, then whatever a short count left. */
static void preadv_all(int fd, char *p, size_t len)
{
	struct iovec iov[2] = { { p, len / 2 }, { p + len / 2, len - len / 2 } };
	ssize_t n = preadv(fd, iov, 2, 0);

	zs_check(n > 0, "preadv: %s", strerror(errno));
	while ((size_t)n < len) {
		ssize_t m = pread(fd, p + n, len - n, n);

		zs_check(m > 0, "pread at %zd: %s", n, strerror(errno));
		n += m;
	}
}

int main(void)
{
	uint32_t seed = 11;
	unsigned round;
	struct stat st;
	size_t i;
	int fd;

	fd = open("big", O_RDWR | O_CREAT | O_TRUNC, 0644);
	zs_check(fd >= 0, "open: %s", strerror(errno));
	zs_ready(getpid());

	for (round = 1; zs_more(); round++) {
		struct iovec iov[3] = { { want + W1, V1 }, { want + W1 + V1, V2 },
					{ want + W1 + V1 + V2, V3 } };

		/* got is free until the read back: the pwrite's data. */
		fill(want, TOTAL, &seed);
		fill(got, P_LEN, &seed);
		zs_check(!ftruncate(fd, 0) && lseek(fd, 0, SEEK_SET) == 0, "truncate: %s", strerror(errno));
		zs_write_all(fd, want, W1);
		pwrite_all(fd, got, P_LEN, P_OFF);
		memcpy(want + P_OFF, got, P_LEN);
		writev_all(fd, iov, 3);
		zs_check(!fstat(fd, &st) && st.st_size == TOTAL, "round %u: size %lld, want %d",
			 round, (long long)st.st_size, TOTAL);
		memset(got, 0, TOTAL);
		zs_check(lseek(fd, 0, SEEK_SET) == 0 && zs_read_all(fd, got, TOTAL), "round %u: read back", round);
		for (i = 0; i < TOTAL && got[i] == want[i]; i++)
			;
		zs_check(i == TOTAL, "round %u: read: first wrong byte at %zu", round, i);
		memset(got, 0, TOTAL);
		preadv_all(fd, got, TOTAL);
		for (i = 0; i < TOTAL && got[i] == want[i]; i++)
			;
		zs_check(i == TOTAL, "round %u: preadv: first wrong byte at %zu", round, i);
	}
	zdtm_say("large_io: ok, %d MiB written and read back per round\n", TOTAL / MiB);
	return 69;
}
