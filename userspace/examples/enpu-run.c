// SPDX-License-Identifier: MIT
/*
 * enpu-run: run a small int8 CNN on the NPU in one job and check it.
 *
 *   16x16x3 input -> CONV2D 3x3 (8 filters, pad 1) -> 16x16x8
 *   -> depthwise CONV2D 3x3 stride 2 (pad 1) -> 8x8x8
 *   -> average POOL 2x2 stride 2 -> 4x4x8
 *   -> fully connected (GEMM 1x128 by 128x10, bias) -> 10 scores
 *
 * Weights and input come from a fixed-seed generator; the same network is
 * computed on the CPU with the plain reference of the selftests and the
 * two must agree bit for bit.  Prints the scores and the device time.
 * Exit status: 0 bit-exact, 1 setup failure, 2 the job failed, 3 mismatch.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "enpu_int8_ref.h"
#include "libenpu.h"

/* Offsets of the tensors in the one data buffer. */
enum {
	IN = 0,			/* 16*16*3 = 768 */
	W1 = 1024,		/* 8*3*3*3 = 216 */
	B1 = 1280,		/* 8 int32 */
	A1 = 2048,		/* 16*16*8 = 2048 */
	W2 = 4096,		/* 3*3*8 = 72 */
	B2 = 4224,		/* 8 int32 */
	A2 = 4352,		/* 8*8*8 = 512 */
	A3 = 4864,		/* 4*4*8 = 128 */
	W4 = 5120,		/* 128*10 = 1280 */
	B4 = 6400,		/* 10 int32 */
	OUT = 6464,		/* 10 */
	DATA_SIZE = 8192,
};

static uint32_t seed = 0x2545f491;

static int8_t gen8(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 17;
	seed ^= seed << 5;
	return (int8_t)(seed >> 24);
}

static void fill(uint8_t *d, int off, int n)
{
	for (int i = 0; i < n; i++)
		d[off + i] = (uint8_t)gen8();
}

static void fill_bias(uint8_t *d, int off, int n)
{
	int32_t *b = (int32_t *)(d + off);

	for (int i = 0; i < n; i++)
		b[i] = gen8() * 37;
}

static const struct ref_quant q1 = { -3, 0, -10, -128, 127, 0x5a000000, -7 };
static const struct ref_quant q2 = { -10, 0, 4, -128, 127, 0x61000000, -5 };
static const struct ref_quant q4 = { 4, 0, 0, -128, 127, 0x48000000, -8 };
static const struct ref_conv c1 = { 16, 16, 3, 8, 16, 16, 3, 3, 1, 1, 1, 1, 1, 1, 0 };
static const struct ref_conv c2 = { 16, 16, 8, 8, 8, 8, 3, 3, 2, 2, 1, 1, 1, 1, 1 };
static const struct ref_pool p3 = { 8, 8, 8, 4, 4, 2, 2, 2, 2, 0, 0, 1, -128, 127 };

static struct drm_enpu_conv2d conv_desc(uint64_t base, const struct ref_conv *c,
					const struct ref_quant *q, int in, int w,
					int b, int out)
{
	return (struct drm_enpu_conv2d){
		.input = base + in, .filter = base + w, .bias = base + b,
		.output = base + out, .h = c->h, .w = c->w, .cin = c->cin,
		.cout = c->cout, .oh = c->oh, .ow = c->ow, .kh = c->kh, .kw = c->kw,
		.stride_h = c->sh, .stride_w = c->sw, .dilation_h = c->dh,
		.dilation_w = c->dw, .pad_top = c->pt, .pad_left = c->pl,
		.depthwise = c->depthwise,
		.quant = DRM_ENPU_QUANT(q->a_zp, q->b_zp, q->out_zp, q->act_min, q->act_max),
		.requant = DRM_ENPU_REQUANT(q->mult, q->shift),
	};
}

/* The CPU's answer, from the reference. */
static void cpu_network(const uint8_t *d, int8_t *scores)
{
	static int8_t a1[2048], a2[512], a3[128];

	ref_conv2d((const int8_t *)d + IN, (const int8_t *)d + W1,
		   (const int32_t *)(d + B1), a1, &c1, &q1);
	ref_conv2d(a1, (const int8_t *)d + W2, (const int32_t *)(d + B2), a2, &c2, &q2);
	ref_pool(a2, a3, &p3);
	ref_gemm(a3, (const int8_t *)d + W4, (const int32_t *)(d + B4), scores,
		 1, 10, 128, &q4);
}

int main(void)
{
	struct enpu_bo *cmd = NULL, *data = NULL;
	struct drm_enpu_conv2d *desc;
	struct drm_enpu_ctx_query cq;
	struct enpu_cs cs;
	uint32_t size;
	uint32_t ctx, sync;
	int8_t want[10], *got;
	uint64_t point, base;
	struct timespec t0, t1;
	uint8_t *d;
	void *c;
	int i, ret;

	ret = enpu_device_open(NULL, (struct enpu_device **)&c);
	if (ret) {
		fprintf(stderr, "enpu-run: no enpu device: %s\n", strerror(-ret));
		return 1;
	}
	struct enpu_device *dev = c;

	if (enpu_ctx_create(dev, DRM_ENPU_PRIORITY_NORMAL, DRM_ENPU_CLASS_INTERACTIVE,
			    &ctx, &sync) ||
	    enpu_bo_create(dev, 4096, 0, &cmd) || enpu_bo_create(dev, DATA_SIZE, 0, &data) ||
	    enpu_bo_map(cmd, &c) || enpu_bo_map(data, (void **)&d)) {
		fprintf(stderr, "enpu-run: setup failed\n");
		return 1;
	}
	memset(d, 0, DATA_SIZE);
	fill(d, IN, 768);
	fill(d, W1, 216);
	fill_bias(d, B1, 8);
	fill(d, W2, 72);
	fill_bias(d, B2, 8);
	fill(d, W4, 1280);
	fill_bias(d, B4, 10);
	cpu_network(d, want);

	/* The stream: four instructions and END, descriptors after them. */
	base = data->va;
	desc = (void *)((char *)c + 1024);
	memset(c, 0, 4096);
	desc[0] = conv_desc(base, &c1, &q1, IN, W1, B1, A1);
	desc[1] = conv_desc(base, &c2, &q2, A1, W2, B2, A2);
	enpu_cs_init(&cs, c, 1024);
	enpu_cs_conv2d(&cs, cmd->va + 1024);
	enpu_cs_conv2d(&cs, cmd->va + 1024 + sizeof(*desc));
	enpu_cs_pool(&cs, base + A2, base + A3, 8, 8, 8, 4, 4,
		     DRM_ENPU_POOL_WINDOW(DRM_ENPU_POOL_AVG, 2, 2, 2, 2, 0, 0),
		     DRM_ENPU_CLAMP(-128, 127));
	enpu_cs_gemm(&cs, base + A3, base + W4, base + B4, base + OUT, 1, 10, 128,
		     DRM_ENPU_QUANT(q4.a_zp, q4.b_zp, q4.out_zp, q4.act_min, q4.act_max),
		     DRM_ENPU_REQUANT(q4.mult, q4.shift));
	enpu_cs_end(&cs);
	if (enpu_cs_size(&cs, &size)) {
		fprintf(stderr, "enpu-run: command stream too long\n");
		return 1;
	}

	struct drm_enpu_bo_ref bos[] = {
		{ cmd->handle, DRM_ENPU_BO_REF_READ },
		{ data->handle, DRM_ENPU_BO_REF_READ | DRM_ENPU_BO_REF_WRITE },
	};
	struct enpu_submit extra = { .bos = bos, .bo_count = 2 };

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (enpu_job_submit(dev, ctx, cmd, size, &extra, &point) ||
	    enpu_wait(dev, sync, point, 60000000000ll) || enpu_ctx_query(dev, ctx, &cq)) {
		fprintf(stderr, "enpu-run: submit or wait failed\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (cq.failed) {
		fprintf(stderr, "enpu-run: the job failed: %s\n", strerror(-cq.last_error));
		return 2;
	}

	got = (int8_t *)d + OUT;
	printf("scores (npu / cpu):");
	for (i = 0; i < 10; i++)
		printf(" %d/%d", got[i], want[i]);
	printf("\njob time %.2f ms\n", (t1.tv_sec - t0.tv_sec) * 1e3 +
	       (t1.tv_nsec - t0.tv_nsec) / 1e6);
	ret = memcmp(got, want, sizeof(want)) ? 3 : 0;
	printf("%s\n", ret ? "MISMATCH" : "bit-exact");

	enpu_bo_free(cmd);
	enpu_bo_free(data);
	enpu_ctx_destroy(dev, ctx);
	enpu_device_close(dev);
	return ret;
}
