// SPDX-License-Identifier: MIT
/*
 * enpu-app: the synthetic apps of the phone scenario, on libenpu.
 *
 *   enpu-app camera    [-t SECONDS] [-o CSV] [-e EPOCH_NS]
 *   enpu-app assistant [-t SECONDS] [-o CSV] [-e EPOCH_NS] [-r SEED]
 *   enpu-app indexer   [-t SECONDS] [-o CSV] [-e EPOCH_NS]
 *
 * camera: a REALTIME context at 30 Hz; each frame is a SPIN of 8 ms of
 *	device time at the top OPP and a small int8 convolution of that
 *	frame's pixels, checked bit for bit against the CPU.  A frame is
 *	late when it completes after its 33.3 ms period; a frame whose
 *	whole period passed while the one before was still running is
 *	dropped (a "drop" line, counted late).
 * assistant: an INTERACTIVE context; requests of 5 to 20 dependent
 *	jobs (2 ms each at the top OPP, each job waits for the previous
 *	one's fence) with 200 to 800 ms of think time between them.
 * indexer: a BACKGROUND context streaming 20 ms jobs, two in flight.
 *
 * The process renames itself (comm) after its role, so that enpud's
 * rules see "camera", "assistant" or "indexer".  Each completed frame,
 * request or job is one CSV line (times in ms since EPOCH_NS, a
 * CLOCK_MONOTONIC time; default: the start):
 *
 *   app,pid,kind,release_ms,done_ms,latency_ms,late,ok,work_ms
 *
 * work_ms is the device time the frame, request or job takes at the top
 * OPP (what the energy of a run is divided by).
 * Runs until SECONDS after EPOCH_NS (default 10) or SIGTERM/SIGINT, lets
 * its last work finish, prints a one-line summary and exits.
 * Exit status: 0 all work completed correctly, 1 usage or setup error,
 * 2 a job failed or timed out, 3 a camera frame's result was wrong.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "enpu_int8_ref.h"
#include "libenpu.h"

#define NS		1000000000ll
#define MS		1000000ll
#define PERIOD_NS	(NS / 30)
#define WAIT_NS		(30 * NS)	/* the longest wait past the end */

enum role { CAMERA, ASSISTANT, INDEXER };
static const char *const role_name[] = { "camera", "assistant", "indexer" };

/* The camera's convolution: 12x12x3 pixels, 8 filters of 3x3, pad 1. */
enum { C_IN = 0, C_W = 512, C_B = 768, C_OUT = 1024, C_DESC = 2304, C_SIZE = 4096 };
static const struct ref_conv conv = { 12, 12, 3, 8, 12, 12, 3, 3, 1, 1, 1, 1, 1, 1, 0 };
static const struct ref_quant quant = { -3, 0, -10, -128, 127, 0x5a000000, -7 };

static volatile sig_atomic_t stop;
static int64_t epoch, end_at;
static FILE *csv;
static enum role role;
static struct enpu_device *dev;
static uint32_t ctx, sync_obj, top_khz;
static struct enpu_bo *cmd, *data;
static unsigned long done_count, late_count, bad_count;
static double lat_sum, lat_max;

static int64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * NS + t.tv_nsec;
}

static void sleep_until(int64_t t)
{
	struct timespec ts = { t / NS, t % NS };

	while (!stop && clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void record(const char *kind, int64_t release, int64_t done, bool late, bool ok,
		   double work_ms)
{
	double lat = (done - release) / 1e6;

	late_count += late;
	bad_count += !ok;
	if (work_ms > 0) {	/* not a dropped frame */
		done_count++;
		lat_sum += lat;
		if (lat > lat_max)
			lat_max = lat;
	}
	if (csv)
		fprintf(csv, "%s,%d,%s,%.3f,%.3f,%.3f,%d,%d,%.1f\n", role_name[role],
			(int)getpid(), kind, (release - epoch) / 1e6, (done - epoch) / 1e6, lat,
			late, ok, work_ms);
}

static uint64_t cycles_ms(double ms)
{
	return (uint64_t)(top_khz * ms);
}

/*
 * Queue the @size bytes of stream; after @after on the timeline, if not 0.
 * Returns 0, or 2 (the exit status) after saying why.
 */
static int submit(uint32_t size, uint64_t after, uint64_t *point)
{
	struct drm_enpu_bo_ref bos[2] = {
		{ cmd->handle, DRM_ENPU_BO_REF_READ },
		{ data->handle, DRM_ENPU_BO_REF_READ | DRM_ENPU_BO_REF_WRITE },
	};
	struct drm_enpu_fence_ref dep = { .syncobj = sync_obj, .point = after };
	struct enpu_submit extra = {
		.bos = bos, .bo_count = 2,
		.in_fences = &dep, .in_fence_count = after ? 1 : 0,
	};
	int ret = enpu_job_submit(dev, ctx, cmd, size, &extra, point);

	if (ret)
		fprintf(stderr, "%s: submit: %s\n", role_name[role], strerror(-ret));
	return ret ? 2 : 0;
}

/* The stream: SPIN @cycles, then (camera) the convolution. */
static int build(uint64_t cycles, bool with_conv, uint32_t *size)
{
	struct enpu_cs cs;

	enpu_cs_init(&cs, cmd->map, 256);
	enpu_cs_spin(&cs, cycles);
	if (with_conv)
		enpu_cs_conv2d(&cs, data->va + C_DESC);
	enpu_cs_end(&cs);
	return enpu_cs_size(&cs, size);
}

/*
 * Wait for @point.  A frozen context (enpud defers background work) may
 * wait as long as the run lasts; past its end, WAIT_NS at most.
 */
static int wait_point(uint64_t point)
{
	struct drm_enpu_ctx_query q;
	int ret;

	do
		ret = enpu_wait(dev, sync_obj, point, NS);
	while (ret == -ETIME && now_ns() < end_at + WAIT_NS);

	if (ret) {
		fprintf(stderr, "%s: waiting for job %llu: %s\n", role_name[role],
			(unsigned long long)point, strerror(-ret));
		return 2;
	}
	if (!enpu_ctx_query(dev, ctx, &q) && q.failed) {
		fprintf(stderr, "%s: a job failed: %s\n", role_name[role],
			strerror(-q.last_error));
		return 2;
	}
	return 0;
}

static uint32_t seed = 0x9e3779b9;

static uint32_t rnd(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 17;
	seed ^= seed << 5;
	return seed;
}

static int camera(void)
{
	uint8_t *d = data->map;
	int8_t want[12 * 12 * 8];
	struct drm_enpu_conv2d *desc = (void *)(d + C_DESC);
	int64_t release = now_ns() + 10 * MS;
	uint32_t size;
	uint64_t point;
	int i, ret;

	for (i = 0; i < 8 * 9 * 3; i++)
		d[C_W + i] = (uint8_t)rnd();
	for (i = 0; i < 8; i++)
		((int32_t *)(d + C_B))[i] = (int32_t)(rnd() % 4096) - 2048;
	*desc = (struct drm_enpu_conv2d){
		.input = data->va + C_IN, .filter = data->va + C_W, .bias = data->va + C_B,
		.output = data->va + C_OUT, .h = conv.h, .w = conv.w, .cin = conv.cin,
		.cout = conv.cout, .oh = conv.oh, .ow = conv.ow, .kh = conv.kh, .kw = conv.kw,
		.stride_h = 1, .stride_w = 1, .dilation_h = 1, .dilation_w = 1,
		.pad_top = 1, .pad_left = 1,
		.quant = DRM_ENPU_QUANT(quant.a_zp, quant.b_zp, quant.out_zp,
					quant.act_min, quant.act_max),
		.requant = DRM_ENPU_REQUANT(quant.mult, quant.shift),
	};
	if (build(cycles_ms(8), true, &size))
		return 1;

	while (!stop && release < end_at) {
		int64_t done;
		bool ok;

		/* This frame's pixels, and what the CPU makes of them. */
		for (i = 0; i < 12 * 12 * 3; i++)
			d[C_IN + i] = (uint8_t)rnd();
		ref_conv2d((int8_t *)d + C_IN, (int8_t *)d + C_W, (int32_t *)(d + C_B),
			   want, &conv, &quant);
		sleep_until(release);
		ret = submit(size, 0, &point);
		if (ret)
			return ret;
		ret = wait_point(point);
		if (ret)
			return ret;
		done = now_ns();
		ok = !memcmp(want, d + C_OUT, sizeof(want));
		record("frame", release, done, done > release + PERIOD_NS, ok, 8);
		if (!ok)
			fprintf(stderr, "camera: frame at %.1f ms: wrong result\n",
				(release - epoch) / 1e6);
		/* Frames whose whole period passed meanwhile are dropped. */
		release += PERIOD_NS;
		while (release + PERIOD_NS < now_ns() && release < end_at) {
			record("drop", release, release, true, true, 0);
			release += PERIOD_NS;
		}
	}
	return bad_count ? 3 : 0;
}

static int assistant(void)
{
	uint32_t size;
	int ret;

	if (build(cycles_ms(2), false, &size))
		return 1;
	sleep_until(now_ns() + (200 + rnd() % 600) * MS);
	while (!stop && now_ns() < end_at) {
		int64_t release = now_ns();
		uint64_t point = 0;
		unsigned int n = 5 + rnd() % 16, i;

		for (i = 0; i < n; i++) {
			ret = submit(size, point, &point);
			if (ret)
				return ret;
		}
		ret = wait_point(point);
		if (ret)
			return ret;
		record("request", release, now_ns(), false, true, 2.0 * n);
		sleep_until(now_ns() + (200 + rnd() % 600) * MS);
	}
	return 0;
}

static int indexer(void)
{
	uint64_t point = 0, prev = 0;
	int64_t release[2] = { 0, 0 };
	uint32_t size;
	int ret;

	if (build(cycles_ms(20), false, &size))
		return 1;
	while (!stop && now_ns() < end_at) {
		release[1] = release[0];
		release[0] = now_ns();
		prev = point;
		ret = submit(size, 0, &point);
		if (ret)
			return ret;
		/* Two in flight: wait for the one before this. */
		if (prev) {
			ret = wait_point(prev);
			if (ret)
				return ret;
			record("job", release[1], now_ns(), false, true, 20);
		}
	}
	if (point) {
		ret = wait_point(point);
		if (ret)
			return ret;
		record("job", release[0], now_ns(), false, true, 20);
	}
	return 0;
}

static int setup(void)
{
	static const uint32_t prio[] = {
		DRM_ENPU_PRIORITY_REALTIME, DRM_ENPU_PRIORITY_HIGH, DRM_ENPU_PRIORITY_LOW,
	};
	static const uint32_t cls[] = {
		DRM_ENPU_CLASS_REALTIME, DRM_ENPU_CLASS_INTERACTIVE, DRM_ENPU_CLASS_BACKGROUND,
	};
	struct drm_enpu_opp opps[16];
	unsigned int n = 0;
	void *map;
	int ret;

	ret = enpu_device_open(NULL, &dev);
	if (ret) {
		fprintf(stderr, "%s: no enpu device: %s\n", role_name[role], strerror(-ret));
		return 1;
	}
	ret = enpu_device_opps(dev, opps, 16, &n);
	if (ret || !n) {
		fprintf(stderr, "%s: no OPP table: %s\n", role_name[role], strerror(-ret));
		return 1;
	}
	top_khz = opps[n > 16 ? 15 : n - 1].freq_khz;
	/* Without CAP_SYS_NICE an app gets NORMAL; enpud may grant more. */
	ret = enpu_ctx_create(dev, prio[role], cls[role], &ctx, &sync_obj);
	if (ret == -EACCES || ret == -EPERM)
		ret = enpu_ctx_create(dev, DRM_ENPU_PRIORITY_NORMAL, cls[role], &ctx, &sync_obj);
	if (!ret && role == CAMERA)
		ret = enpu_ctx_set_param(dev, ctx, DRM_ENPU_PARAM_PERIOD_US, PERIOD_NS / 1000) ?:
		      enpu_ctx_set_param(dev, ctx, DRM_ENPU_PARAM_DEADLINE_US, PERIOD_NS / 1000) ?:
		      enpu_ctx_set_param(dev, ctx, DRM_ENPU_PARAM_JOB_DURATION_US, 9000);
	if (!ret)
		ret = enpu_bo_create(dev, 4096, 0, &cmd) ?: enpu_bo_map(cmd, &map);
	if (!ret)
		ret = enpu_bo_create(dev, C_SIZE, 0, &data) ?: enpu_bo_map(data, &map);
	if (ret) {
		fprintf(stderr, "%s: setup: %s\n", role_name[role], strerror(-ret));
		return 1;
	}
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: enpu-app camera|assistant|indexer [-t SECONDS] [-o CSV] "
		"[-e EPOCH_NS] [-r SEED]\n");
	return 1;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	double seconds = 10;
	const char *out = NULL;
	bool seeded = false;
	char *end;
	int c, ret;

	if (argc < 2)
		return usage();
	for (role = CAMERA; role <= INDEXER; role++)
		if (!strcmp(argv[1], role_name[role]))
			break;
	if (role > INDEXER)
		return usage();
	optind = 2;
	epoch = now_ns();
	while ((c = getopt(argc, argv, "t:o:e:r:")) != -1) {
		errno = 0;
		switch (c) {
		case 't':
			seconds = strtod(optarg, &end);
			if (*end || seconds <= 0)
				return usage();
			break;
		case 'o':
			out = optarg;
			break;
		case 'e':
			epoch = strtoll(optarg, &end, 10);
			if (*end || errno)
				return usage();
			break;
		case 'r':
			seed = strtoul(optarg, &end, 0) ?: 1;
			if (*end)
				return usage();
			seeded = true;
			break;
		default:
			return usage();
		}
	}
	if (optind != argc)
		return usage();
	/* The run ends SECONDS after the epoch: every app of it at once. */
	end_at = epoch + (int64_t)(seconds * NS);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	prctl(PR_SET_NAME, role_name[role]);
	if (out) {
		csv = fopen(out, "w");
		if (!csv) {
			fprintf(stderr, "%s: %s: %s\n", role_name[role], out, strerror(errno));
			return 1;
		}
		fprintf(csv, "app,pid,kind,release_ms,done_ms,latency_ms,late,ok,work_ms\n");
	}
	if (!seeded)	/* apps of one role differ, unless told otherwise */
		seed ^= (uint32_t)getpid() * 2654435761u;

	ret = setup();
	if (!ret)
		ret = role == CAMERA ? camera() : role == ASSISTANT ? assistant() : indexer();
	printf("%s: %lu done, %lu late or dropped, %lu wrong, latency mean %.2f ms, max %.2f ms\n",
	       role_name[role], done_count, late_count, bad_count,
	       done_count ? lat_sum / done_count : 0, lat_max);
	if (csv && fclose(csv)) {
		fprintf(stderr, "%s: %s: %s\n", role_name[role], out, strerror(errno));
		ret = ret ?: 1;
	}
	enpu_bo_free(cmd);
	enpu_bo_free(data);
	if (dev) {
		enpu_ctx_destroy(dev, ctx);
		enpu_device_close(dev);
	}
	return ret;
}
