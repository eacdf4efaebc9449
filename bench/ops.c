// SPDX-License-Identifier: MIT
/*
 * bench/ops: int8 throughput of the emulated NPU's op kernels (a job on
 * the device, wall time from submit to signal) against the plain CPU
 * reference of the selftests, side by side in one run, on the same data.
 * Prints GOPS (2 ops per multiply-accumulate) and the ratio.  The device's
 * results are also checked against the reference.
 * Usage: enpu-bench-ops [runs]
 * Exit status: 0, 1 setup failure, 2 a job failed, 3 results differ.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "enpu_int8_ref.h"
#include "libenpu.h"

#define MAX_RUNS 15

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

struct ctx {
	struct enpu_device *dev;
	uint32_t ctx, sync;
	struct enpu_bo *cmd, *data;
	void *c;
	uint8_t *d;
};

static int run(struct ctx *x, uint32_t size)
{
	struct drm_enpu_bo_ref bos[] = {
		{ x->cmd->handle, DRM_ENPU_BO_REF_READ },
		{ x->data->handle, DRM_ENPU_BO_REF_READ | DRM_ENPU_BO_REF_WRITE },
	};
	struct enpu_submit extra = { .bos = bos, .bo_count = 2 };
	struct drm_enpu_ctx_query q;
	uint64_t point;

	if (enpu_job_submit(x->dev, x->ctx, x->cmd, size, &extra, &point) ||
	    enpu_wait(x->dev, x->sync, point, 600000000000ll) ||
	    enpu_ctx_query(x->dev, x->ctx, &q) || q.failed)
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	int runs = argc > 1 ? atoi(argv[1]) : 5, r, k, i;
	const struct ref_quant q = { 1, -2, 3, -128, 127, 0x50000000, -9 };
	const struct ref_conv cv = { 32, 32, 32, 32, 32, 32, 3, 3, 1, 1, 1, 1, 1, 1, 0 };
	enum { M = 256, N = 256, K = 256 };
	double dev_t[2][MAX_RUNS], cpu_t[2][MAX_RUNS];
	const double macs[2] = { (double)M * N * K, 32.0 * 32 * 32 * 3 * 3 * 32 };
	const char *names[2] = { "GEMM 256x256x256", "CONV2D 32x32x32, 3x3, 32 filters" };
	static int8_t want[65536];
	struct drm_enpu_instr *in;
	struct drm_enpu_conv2d *desc;
	struct ctx x = {};
	uint64_t base;

	if (runs < 1 || runs > MAX_RUNS) {
		fprintf(stderr, "usage: enpu-bench-ops [runs 1..%d]\n", MAX_RUNS);
		return 1;
	}
	if (enpu_device_open(NULL, &x.dev) ||
	    enpu_ctx_create(x.dev, 1, 1, &x.ctx, &x.sync) ||
	    enpu_bo_create(x.dev, 4096, 0, &x.cmd) ||
	    enpu_bo_create(x.dev, 1 << 20, 0, &x.data) ||
	    enpu_bo_map(x.cmd, &x.c) || enpu_bo_map(x.data, (void **)&x.d)) {
		fprintf(stderr, "enpu-bench-ops: setup failed (no enpu device?)\n");
		return 1;
	}
	srand(1);
	for (i = 0; i < 1 << 20; i++)
		x.d[i] = (uint8_t)rand();
	base = x.data->va;
	in = x.c;
	desc = (void *)((char *)x.c + 1024);
	memset(x.c, 0, 4096);

	for (r = 0; r < runs; r++) {
		for (k = 0; k < 2; k++) {
			double t0;

			memset(in, 0, 2 * sizeof(*in));
			if (k == 0) {
				/* A at 0, B at 64K, bias at 128K, C at 256K. */
				in->opcode = DRM_ENPU_OP_GEMM;
				in->arg[0] = base;
				in->arg[1] = base + 65536;
				in->arg[2] = base + 131072;
				in->arg[3] = base + 262144;
				in->arg[4] = DRM_ENPU_GEMM_DIMS(M, N, K);
				in->arg[5] = DRM_ENPU_QUANT(q.a_zp, q.b_zp, q.out_zp, q.act_min, q.act_max);
				in->arg[6] = DRM_ENPU_REQUANT(q.mult, q.shift);
			} else {
				/* input at 0, filter at 64K, bias at 128K, output at 256K */
				*desc = (struct drm_enpu_conv2d){
					.input = base, .filter = base + 65536, .bias = base + 131072,
					.output = base + 262144, .h = 32, .w = 32, .cin = 32,
					.cout = 32, .oh = 32, .ow = 32, .kh = 3, .kw = 3,
					.stride_h = 1, .stride_w = 1, .dilation_h = 1,
					.dilation_w = 1, .pad_top = 1, .pad_left = 1,
					.quant = DRM_ENPU_QUANT(q.a_zp, q.b_zp, q.out_zp, q.act_min, q.act_max),
					.requant = DRM_ENPU_REQUANT(q.mult, q.shift),
				};
				in->opcode = DRM_ENPU_OP_CONV2D;
				in->arg[0] = x.cmd->va + 1024;
			}
			in[1].opcode = DRM_ENPU_OP_END;
			t0 = now_s();
			if (run(&x, 2 * sizeof(*in))) {
				fprintf(stderr, "enpu-bench-ops: %s job failed\n", names[k]);
				return 2;
			}
			dev_t[k][r] = now_s() - t0;

			t0 = now_s();
			if (k == 0)
				ref_gemm((int8_t *)x.d, (int8_t *)x.d + 65536,
					 (int32_t *)(x.d + 131072), want, M, N, K, &q);
			else
				ref_conv2d((int8_t *)x.d, (int8_t *)x.d + 65536,
					   (int32_t *)(x.d + 131072), want, &cv, &q);
			cpu_t[k][r] = now_s() - t0;
			if (memcmp(want, x.d + 262144, k == 0 ? M * N : 32 * 32 * 32) != 0) {
				fprintf(stderr, "enpu-bench-ops: %s: results differ\n", names[k]);
				return 3;
			}
		}
	}

	printf("| op (median of %d) | NPU GOPS | CPU reference GOPS | ratio |\n", runs);
	printf("|---|---:|---:|---:|\n");
	for (k = 0; k < 2; k++) {
		double dt, ct;

		qsort(dev_t[k], runs, sizeof(double), cmp);
		qsort(cpu_t[k], runs, sizeof(double), cmp);
		dt = dev_t[k][runs / 2];
		ct = cpu_t[k][runs / 2];
		printf("| %s | %.3f | %.3f | %.2f |\n", names[k], 2 * macs[k] / dt / 1e9,
		       2 * macs[k] / ct / 1e9, ct / dt);
	}
	enpu_bo_free(x.cmd);
	enpu_bo_free(x.data);
	enpu_ctx_destroy(x.dev, x.ctx);
	enpu_device_close(x.dev);
	return 0;
}
