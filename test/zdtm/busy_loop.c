// SPDX-License-Identifier: GPL-2.0
/* busy_loop: a task computing in registers (no syscalls) migrates mid-loop; integer and SSE/AVX state survive. */
#include <stdint.h>

#include "zdtm.h"

typedef double v4d __attribute__((vector_size(32)));

int main(int argc, char **argv)
{
	uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 0) : 40000000ULL;
	v4d v = { 1.0, 2.0, 3.0, 4.0 }, k = { 1.0000001, 0.9999999, 1.0000003, 0.9999997 };
	uint64_t h = 0xcbf29ce484222325ULL, i;
	double x = 1.0;

	zdtm_init();		/* SIGUSR1 is only counted here */
	zdtm_ready();
	for (i = 0; i < n; i++) {
		x = x * 1.0000001 + 1e-9 * (double)(i & 1023);
		h = (h ^ i) * 0x100000001b3ULL;
		v = v * k + (v4d){ 1e-9, 2e-9, 3e-9, 4e-9 };
	}
	zdtm_say("busy_loop: x %.17g h %016llx v %.17g %.17g %.17g %.17g\n", x,
		 (unsigned long long)h, v[0], v[1], v[2], v[3]);
	return 43;
}
