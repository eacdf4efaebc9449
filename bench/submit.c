// SPDX-License-Identifier: MIT
/*
 * bench/submit: the cost of a null job, measured side by side with its
 * baseline in one run:
 *   baseline  a bare DRM syncobj round trip: SYNCOBJ_SIGNAL, SYNCOBJ_WAIT,
 *             SYNCOBJ_RESET (no driver, no device)
 *   job       SUBMIT of a stream holding only END, then a timeline wait
 * Prints round-trip p50/p99 (us), their ratios to the baseline, and job
 * throughput with 1 and 8 jobs in flight.  Usage: enpu-bench-submit [N]
 * Exit status: 0, 1 setup failure, 2 an ioctl failed during the run.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include "libenpu.h"

#define MAX_N 100000

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double pct(double *v, int n, double p)
{
	return v[(int)(p * (n - 1))];
}

static int syncobj_round_trip(int fd, uint32_t h)
{
	struct drm_syncobj_array a = { .handles = (uintptr_t)&h, .count_handles = 1 };
	struct drm_syncobj_wait w = {
		.handles = (uintptr_t)&h, .count_handles = 1,
		.timeout_nsec = INT64_MAX,
	};

	if (ioctl(fd, DRM_IOCTL_SYNCOBJ_SIGNAL, &a) ||
	    ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, &w) ||
	    ioctl(fd, DRM_IOCTL_SYNCOBJ_RESET, &a))
		return -errno;
	return 0;
}

/* Jobs per second keeping at most @depth jobs in flight. */
static double throughput(struct enpu_device *dev, uint32_t ctx, uint32_t sync,
			 struct enpu_bo *cmd, uint32_t size, int n, int depth)
{
	uint64_t point = 0;
	double t0 = now_us();
	int i;

	for (i = 0; i < n; i++) {
		if (enpu_job_submit(dev, ctx, cmd, size, NULL, &point))
			return -1;
		if (point > (uint64_t)depth &&
		    enpu_wait(dev, sync, point - depth, 60000000000ll))
			return -1;
	}
	if (enpu_wait(dev, sync, point, 60000000000ll))
		return -1;
	return n / ((now_us() - t0) / 1e6);
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 2000, fd, i, ret = 2;
	double *base = NULL, *job = NULL, tp1, tp8;
	struct drm_syncobj_create sc = {};
	struct enpu_device *dev = NULL;
	struct enpu_bo *cmd = NULL;
	uint32_t ctx = 0, sync, size;
	struct enpu_cs cs;
	void *map;

	if (n < 10 || n > MAX_N) {
		fprintf(stderr, "usage: enpu-bench-submit [N 10..%d]\n", MAX_N);
		return 1;
	}
	base = calloc(n, sizeof(double));
	job = calloc(n, sizeof(double));
	if (!base || !job || enpu_device_open(NULL, &dev)) {
		fprintf(stderr, "enpu-bench-submit: no memory or no enpu device\n");
		ret = 1;
		goto out;
	}
	fd = enpu_device_fd(dev);
	if (ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &sc) ||
	    enpu_ctx_create(dev, DRM_ENPU_PRIORITY_NORMAL, DRM_ENPU_CLASS_NORMAL,
			    &ctx, &sync) ||
	    enpu_bo_create(dev, 4096, 0, &cmd) || enpu_bo_map(cmd, &map)) {
		fprintf(stderr, "enpu-bench-submit: setup: %s\n", strerror(errno));
		ret = 1;
		goto out;
	}
	enpu_cs_init(&cs, map, cmd->size);
	enpu_cs_end(&cs);
	enpu_cs_size(&cs, &size);

	/* Interleave baseline and job samples so that drift hits both alike. */
	for (i = 0; i < n; i++) {
		uint64_t point;
		double t0 = now_us();

		if (syncobj_round_trip(fd, sc.handle))
			goto out;
		base[i] = now_us() - t0;
		t0 = now_us();
		if (enpu_job_submit(dev, ctx, cmd, size, NULL, &point) ||
		    enpu_wait(dev, sync, point, 60000000000ll))
			goto out;
		job[i] = now_us() - t0;
	}
	qsort(base, n, sizeof(double), cmp);
	qsort(job, n, sizeof(double), cmp);
	tp1 = throughput(dev, ctx, sync, cmd, size, n, 1);
	tp8 = throughput(dev, ctx, sync, cmd, size, n, 8);
	if (tp1 < 0 || tp8 < 0)
		goto out;

	printf("| %d round trips | p50 (us) | p99 (us) | p50 ratio | p99 ratio |\n", n);
	printf("|---|---:|---:|---:|---:|\n");
	printf("| syncobj signal+wait (baseline) | %.1f | %.1f | 1.00 | 1.00 |\n",
	       pct(base, n, 0.5), pct(base, n, 0.99));
	printf("| null job submit+wait | %.1f | %.1f | %.2f | %.2f |\n",
	       pct(job, n, 0.5), pct(job, n, 0.99),
	       pct(job, n, 0.5) / pct(base, n, 0.5),
	       pct(job, n, 0.99) / pct(base, n, 0.99));
	printf("\n| null jobs in flight | jobs/s |\n|---|---:|\n");
	printf("| 1 | %.0f |\n| 8 | %.0f |\n", tp1, tp8);
	ret = 0;
out:
	if (ret == 2)
		fprintf(stderr, "enpu-bench-submit: an ioctl failed: %s\n", strerror(errno));
	enpu_bo_free(cmd);
	if (ctx)
		enpu_ctx_destroy(dev, ctx);
	enpu_device_close(dev);
	free(base);
	free(job);
	return ret;
}
