// SPDX-License-Identifier: MIT
/*
 * bench/pin: the cost of pinning user memory as an enpu userptr buffer,
 * measured side by side with its baseline in one run:
 *   fresh     BO_CREATE_USERPTR on freshly mapped (unpopulated) memory
 *   populate  madvise(MADV_POPULATE_WRITE) of an equal fresh range: the
 *             cost of faulting the memory in, which pinning must also pay
 *   pinned    BO_CREATE_USERPTR on memory already populated
 * Prints ns per 4 KiB page (median of the runs) and the ratios to the
 * baseline as a markdown table.  Usage: enpu-bench-pin [MiB] [runs]
 * Exit status: 0, 1 setup failure (no device, no memory), 2 a pin failed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "libenpu.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

#define MAX_RUNS 15

enum kind { FRESH, POPULATE, PINNED, KINDS };

static const char *const names[KINDS] = {
	[FRESH] = "userptr, fresh memory",
	[POPULATE] = "MADV_POPULATE_WRITE (baseline)",
	[PINNED] = "userptr, populated memory",
};

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* One measurement of @kind over @size bytes; ns, or a negative errno. */
static double measure(struct enpu_device *dev, enum kind kind, size_t size)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS | (kind == PINNED ? MAP_POPULATE : 0);
	struct enpu_bo *bo = NULL;
	double t0, t;
	void *p;
	int ret;

	p = mmap(NULL, size, PROT_READ | PROT_WRITE, flags, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	t0 = now_ns();
	if (kind == POPULATE)
		ret = madvise(p, size, MADV_POPULATE_WRITE) ? -errno : 0;
	else
		ret = enpu_bo_create_userptr(dev, p, size, 0, &bo);
	t = now_ns() - t0;
	enpu_bo_free(bo);
	munmap(p, size);
	return ret ? ret : t;
}

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 0) : 256;
	int runs = argc > 2 ? atoi(argv[2]) : 5;
	double samples[KINDS][MAX_RUNS], median[KINDS];
	size_t size = mib << 20, pages = size / 4096;
	struct enpu_device *dev;
	int r, k, ret;

	if (!mib || runs < 1 || runs > MAX_RUNS) {
		fprintf(stderr, "usage: enpu-bench-pin [MiB] [runs 1..%d]\n", MAX_RUNS);
		return 1;
	}
	ret = enpu_device_open(NULL, &dev);
	if (ret) {
		fprintf(stderr, "enpu-bench-pin: no enpu device: %s\n", strerror(-ret));
		return 1;
	}

	/* Interleave the kinds so that drift hits all of them alike. */
	for (r = 0; r < runs; r++) {
		for (k = 0; k < KINDS; k++) {
			double t = measure(dev, k, size);

			if (t < 0) {
				fprintf(stderr, "enpu-bench-pin: %s: %s\n", names[k],
					strerror((int)-t));
				enpu_device_close(dev);
				return 2;
			}
			samples[k][r] = t;
		}
	}
	enpu_device_close(dev);

	for (k = 0; k < KINDS; k++) {
		qsort(samples[k], runs, sizeof(double), cmp_double);
		median[k] = samples[k][runs / 2];
	}

	printf("| %zu MiB, median of %d runs | ns per 4 KiB page | ratio to baseline |\n",
	       mib, runs);
	printf("|---|---:|---:|\n");
	for (k = 0; k < KINDS; k++)
		printf("| %s | %.0f | %.2f |\n", names[k], median[k] / pages,
		       median[k] / median[POPULATE]);
	return 0;
}
