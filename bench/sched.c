// SPDX-License-Identifier: MIT
/*
 * bench/sched: scheduling quality on the emulated NPU with SPIN jobs, in
 * the spirit of the scheduling-quality scenarios of drm_sched's KUnit
 * tests.  Every client is an open file with one context pinned to core 0,
 * so the clients contend for one core.  Each scenario runs as configured
 * (priorities, budgets) and as the baseline: the same load with every
 * context at NORMAL and no budget.
 *
 * Per client: share of the core's time, device cycles completed per
 * second, and (for periodic clients) the latency from submit to the
 * completion seen by the client, min / avg / p99 / max, and the wait: the
 * latency less the job's own time on the device (its context's busy time
 * over the job, one job in flight), i.e. what scheduling added.
 * Usage: enpu-bench-sched [SECONDS per run, default 2]
 * Exit status: 0, 1 setup failure, 2 an ioctl failed during a run.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "libenpu.h"

#define MAX_SAMPLES	20000
#define BUDGET_PATH	"/sys/kernel/debug/accel/enpu/budget"

struct client_cfg {
	const char *name;
	uint32_t prio;
	uint32_t job_us;
	uint32_t depth;		/* jobs kept queued (throughput clients) */
	uint32_t period_us;	/* one job per period (periodic clients) */
	uint32_t budget_pct;	/* of a 20 ms period; 0: none */
};

struct scenario {
	const char *name;
	struct client_cfg c[2];
};

static const struct scenario scenarios[] = {
	{ "normal/normal", {
		{ "A", DRM_ENPU_PRIORITY_NORMAL, 2500, 3, 0, 0 },
		{ "B", DRM_ENPU_PRIORITY_NORMAL, 2500, 3, 0, 0 } } },
	{ "normal/low", {
		{ "normal", DRM_ENPU_PRIORITY_NORMAL, 2500, 3, 0, 0 },
		{ "low", DRM_ENPU_PRIORITY_LOW, 2500, 3, 0, 0 } } },
	{ "high/low", {
		{ "high", DRM_ENPU_PRIORITY_HIGH, 2500, 3, 0, 0 },
		{ "low", DRM_ENPU_PRIORITY_LOW, 2500, 3, 0, 0 } } },
	{ "heavy/interactive, priority", {
		{ "heavy", DRM_ENPU_PRIORITY_NORMAL, 2500, 3, 0, 0 },
		{ "interactive", DRM_ENPU_PRIORITY_HIGH, 500, 1, 10000, 0 } } },
	{ "heavy/interactive, budget", {
		{ "heavy", DRM_ENPU_PRIORITY_NORMAL, 2500, 3, 0, 50 },
		{ "interactive", DRM_ENPU_PRIORITY_NORMAL, 500, 1, 10000, 0 } } },
	{ "very heavy/interactive, priority", {
		{ "very heavy", DRM_ENPU_PRIORITY_NORMAL, 50000, 4, 0, 0 },
		{ "interactive", DRM_ENPU_PRIORITY_HIGH, 1000, 1, 9000, 0 } } },
};

struct client {
	const struct client_cfg *cfg;
	struct enpu_device *dev;
	struct enpu_bo *cmd;
	uint32_t size, ctx, sync;
	uint64_t jobs;
	double lat[MAX_SAMPLES];
	double wait[MAX_SAMPLES];
	int nlat;
	int error;
	atomic_bool *stop;
};

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

static void *client_run(void *arg)
{
	struct client *c = arg;
	const struct client_cfg *cfg = c->cfg;
	uint64_t point = 0;
	double next = now_us();
	int ret = 0;

	while (!ret && !atomic_load(c->stop)) {
		if (cfg->period_us) {
			struct drm_enpu_ctx_query q0 = {}, q1 = {};
			double t0, lat;

			while (now_us() < next)
				usleep((useconds_t)(next - now_us()));
			next += cfg->period_us;
			ret = enpu_ctx_query(c->dev, c->ctx, &q0);
			t0 = now_us();
			if (!ret)
				ret = enpu_job_submit(c->dev, c->ctx, c->cmd, c->size, NULL, &point);
			if (!ret)
				ret = enpu_wait(c->dev, c->sync, point, 60000000000ll);
			lat = (now_us() - t0) / 1e3;
			if (!ret)
				ret = enpu_ctx_query(c->dev, c->ctx, &q1);
			if (!ret && c->nlat < MAX_SAMPLES) {
				c->lat[c->nlat] = lat;
				c->wait[c->nlat++] = lat - (q1.busy_ns - q0.busy_ns) / 1e6;
			}
		} else {
			ret = enpu_job_submit(c->dev, c->ctx, c->cmd, c->size, NULL, &point);
			if (!ret && point > cfg->depth)
				ret = enpu_wait(c->dev, c->sync, point - cfg->depth,
						60000000000ll);
		}
		if (!ret)
			c->jobs++;
	}
	if (!ret && point)
		ret = enpu_wait(c->dev, c->sync, point, 60000000000ll);
	c->error = ret;
	return NULL;
}

static unsigned long long client_id(struct enpu_device *dev)
{
	unsigned long long id = 0;
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", enpu_device_fd(dev));
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "drm-client-id: %llu", &id) == 1)
			break;
	fclose(f);
	return id;
}

static int set_budget(struct client *c, uint32_t pct)
{
	FILE *f = fopen(BUDGET_PATH, "w");
	int ret;

	if (!f)
		return -errno;
	ret = fprintf(f, "%llu %u %u 20000", client_id(c->dev), c->ctx,
		      pct * 200) < 0 || fclose(f) ? -EIO : 0;
	return ret;
}

static int client_setup(struct client *c, uint32_t khz, bool baseline)
{
	const struct client_cfg *cfg = c->cfg;
	struct enpu_cs cs;
	void *mem;
	int ret;

	ret = enpu_device_open(NULL, &c->dev);
	if (!ret)
		ret = enpu_ctx_create(c->dev, baseline ? DRM_ENPU_PRIORITY_NORMAL :
				      cfg->prio, DRM_ENPU_CLASS_NORMAL, &c->ctx, &c->sync);
	if (!ret)
		ret = enpu_ctx_set_param(c->dev, c->ctx, DRM_ENPU_PARAM_CORE_MASK, 1);
	if (!ret)
		ret = enpu_bo_create(c->dev, 4096, 0, &c->cmd);
	if (!ret)
		ret = enpu_bo_map(c->cmd, &mem);
	if (ret)
		return ret;
	enpu_cs_init(&cs, mem, c->cmd->size);
	enpu_cs_spin(&cs, (uint64_t)khz * cfg->job_us / 1000);
	enpu_cs_end(&cs);
	ret = enpu_cs_size(&cs, &c->size);
	if (!ret && !baseline && cfg->budget_pct)
		ret = set_budget(c, cfg->budget_pct);
	return ret;
}

static void client_teardown(struct client *c)
{
	enpu_bo_free(c->cmd);
	enpu_device_close(c->dev);
}

/* Print " min / avg / p99 / max |" of @n samples; returns the p99. */
static double print_stats(double *v, int n)
{
	double sum = 0;
	int k;

	qsort(v, n, sizeof(double), cmp);
	for (k = 0; k < n; k++)
		sum += v[k];
	printf(" %.2f / %.2f / %.2f / %.2f |", v[0], sum / n,
	       v[(int)(0.99 * (n - 1))], v[n - 1]);
	return v[(int)(0.99 * (n - 1))];
}

/*
 * One run of @s; prints a row per client and stores the periodic client's
 * latency and wait p99 in @p99_out[0] and [1].  Returns 0, 1 or 2.
 */
static int run(const struct scenario *s, bool baseline, uint32_t khz,
	       double seconds, double *share, double *p99_out)
{
	static struct client cl[2];
	struct drm_enpu_ctx_query q0[2], q1[2];
	atomic_bool stop = false;
	pthread_t th[2];
	double t0, wall;
	int i, ret = 0;

	for (i = 0; i < 2; i++) {
		memset(&cl[i], 0, sizeof(cl[i]));
		cl[i].cfg = &s->c[i];
		cl[i].stop = &stop;
		if (client_setup(&cl[i], khz, baseline)) {
			fprintf(stderr, "sched: setting up client %s failed\n", s->c[i].name);
			while (i >= 0)
				client_teardown(&cl[i--]);
			return 1;
		}
	}
	for (i = 0; i < 2; i++)
		enpu_ctx_query(cl[i].dev, cl[i].ctx, &q0[i]);
	t0 = now_us();
	for (i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, client_run, &cl[i]);
	usleep((useconds_t)(seconds * 1e6));
	for (i = 0; i < 2; i++)
		enpu_ctx_query(cl[i].dev, cl[i].ctx, &q1[i]);
	wall = (now_us() - t0) / 1e6;
	atomic_store(&stop, true);
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);

	for (i = 0; i < 2; i++) {
		struct client *c = &cl[i];
		const struct client_cfg *cfg = c->cfg;
		double busy = (q1[i].busy_ns - q0[i].busy_ns) / 1e9;

		share[i] = busy / wall;

		if (c->error) {
			fprintf(stderr, "sched: client %s: %s\n", cfg->name, strerror(-c->error));
			ret = 2;
		}
		printf("| %s | %s | %s | %s | %.1f%% | %.1f |", s->name,
		       baseline ? "baseline" : "configured", cfg->name,
		       baseline || cfg->prio == DRM_ENPU_PRIORITY_NORMAL ? "normal" :
		       cfg->prio == DRM_ENPU_PRIORITY_LOW ? "low" : "high",
		       100 * busy / wall, busy * khz / 1e3 / wall);
		if (c->nlat) {
			p99_out[0] = print_stats(c->lat, c->nlat);
			p99_out[1] = print_stats(c->wait, c->nlat);
			printf("\n");
		} else {
			printf(" - | - |\n");
		}
		client_teardown(c);
	}
	return ret;
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 2, p99[2][2], share[2][2] = {};
	struct drm_enpu_device_info info;
	struct drm_enpu_opp opps[16];
	struct enpu_device *dev;
	unsigned int n = 0;
	uint32_t khz;
	size_t i;
	int ret = 0;

	if (seconds <= 0 || seconds > 60) {
		fprintf(stderr, "usage: enpu-bench-sched [SECONDS (0-60]]\n");
		return 1;
	}
	if (enpu_device_open(NULL, &dev) || enpu_device_info(dev, &info) ||
	    enpu_device_opps(dev, opps, 16, &n) || !n || n > 16) {
		fprintf(stderr, "sched: no enpu device\n");
		return 1;
	}
	khz = opps[n - 1].freq_khz;
	enpu_device_close(dev);

	printf("bench/sched: %.1f s per run, clients pinned to core 0, %u kHz\n\n",
	       seconds, khz);
	printf("| scenario | run | client | priority | share | Mcycles/s | latency min / avg / p99 / max (ms) | wait min / avg / p99 / max (ms) |\n");
	printf("|---|---|---|---|---|---|---|---|\n");
	for (i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
		const struct scenario *s = &scenarios[i];
		int b;

		for (b = 1; b >= 0; b--) {
			int r;

			p99[b][0] = p99[b][1] = 0;
			r = run(s, b, khz, seconds, share[b], p99[b]);
			if (r)
				ret = r;
		}
		if (s->c[0].prio == s->c[1].prio && !s->c[1].period_us) {
			double a = share[0][0] / (share[0][0] + share[0][1]);

			printf("| %s | target | equal clients within +-5%% of an equal share | %s (%.1f%% / %.1f%%) | | | | |\n",
			       s->name, a > 0.475 && a < 0.525 ? "met" : "not met",
			       100 * a, 100 * (1 - a));
		}
		if (s->c[1].period_us) {
			double bound = s->c[0].job_us / 1e3 + 1;

			printf("| %s | target | interactive wait p99 <= %.1f ms | %s (%.2f ms, baseline %.2f ms) | | | | |\n",
			       s->name, bound, p99[0][1] <= bound ? "met" : "not met",
			       p99[0][1], p99[1][1]);
			printf("| %s | target | interactive latency p99 <= %.1f ms | %s (%.2f ms, baseline %.2f ms) | | | | |\n",
			       s->name, bound, p99[0][0] <= bound ? "met" : "not met",
			       p99[0][0], p99[1][0]);
		}
	}
	return ret;
}
