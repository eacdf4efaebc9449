// SPDX-License-Identifier: MIT
/*
 * The NPU's int8 GEMM, bit for bit against the plain reference in
 * enpu_int8_ref.h: randomized shapes and quantization parameters from a
 * logged seed (ENPU_SEED overrides it), plus the edge cases of the
 * arithmetic, and the op's validation errors.
 */
#include <stdint.h>
#include <sys/mman.h>
#include <time.h>

#include "kselftest_harness.h"
#include "enpu_utils.h"
#include "enpu_int8_ref.h"
#include "libenpu.h"

#define MAXB (256 * 1024)

static uint64_t rng_state;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Seed from ENPU_SEED, or the clock; the seed is logged to repeat a run. */
static void seed_rng(struct __test_metadata *_metadata)
{
	const char *seed = getenv("ENPU_SEED");

	rng_state = seed ? strtoull(seed, NULL, 0) : (uint64_t)time(NULL) | 1;
	TH_LOG("seed %llu (set ENPU_SEED to repeat)", (unsigned long long)rng_state);
}

static int rnd(int lo, int hi)
{
	return lo + (int)(rng() % (uint64_t)(hi - lo + 1));
}

FIXTURE(ops) {
	struct enpu_device *dev;
	uint32_t ctx, sync;
	struct enpu_bo *cmd, *a, *b, *bias, *c;
	void *pcmd, *pa, *pb, *pbias, *pc;
};

FIXTURE_SETUP(ops)
{
	ASSERT_EQ(0, enpu_device_open(NULL, &self->dev));
	ASSERT_EQ(0, enpu_ctx_create(self->dev, 1, 1, &self->ctx, &self->sync));
	ASSERT_EQ(0, enpu_bo_create(self->dev, 4096, 0, &self->cmd));
	ASSERT_EQ(0, enpu_bo_create(self->dev, MAXB, 0, &self->a));
	ASSERT_EQ(0, enpu_bo_create(self->dev, MAXB, 0, &self->b));
	ASSERT_EQ(0, enpu_bo_create(self->dev, MAXB, 0, &self->bias));
	ASSERT_EQ(0, enpu_bo_create(self->dev, MAXB, 0, &self->c));
	ASSERT_EQ(0, enpu_bo_map(self->cmd, &self->pcmd));
	ASSERT_EQ(0, enpu_bo_map(self->a, &self->pa));
	ASSERT_EQ(0, enpu_bo_map(self->b, &self->pb));
	ASSERT_EQ(0, enpu_bo_map(self->bias, &self->pbias));
	ASSERT_EQ(0, enpu_bo_map(self->c, &self->pc));
}

FIXTURE_TEARDOWN(ops)
{
	enpu_bo_free(self->cmd);
	enpu_bo_free(self->a);
	enpu_bo_free(self->b);
	enpu_bo_free(self->bias);
	enpu_bo_free(self->c);
	enpu_device_close(self->dev);
}

/*
 * Submit the two-instruction stream at the start of the command buffer
 * (an op, then END) with every buffer of the fixture, wait, and return
 * the job's error from CTX_QUERY (0 when it completed).
 */
static int run_job(FIXTURE_DATA(ops) *self)
{
	struct drm_enpu_bo_ref bos[] = {
		{ self->cmd->handle, DRM_ENPU_BO_REF_READ },
		{ self->a->handle, DRM_ENPU_BO_REF_READ },
		{ self->b->handle, DRM_ENPU_BO_REF_READ },
		{ self->bias->handle, DRM_ENPU_BO_REF_READ },
		{ self->c->handle, DRM_ENPU_BO_REF_WRITE },
	};
	struct enpu_submit extra = { .bos = bos, .bo_count = 5 };
	struct drm_enpu_ctx_query cq;
	uint64_t point = 0;

	if (enpu_job_submit(self->dev, self->ctx, self->cmd,
			    2 * sizeof(struct drm_enpu_instr), &extra, &point) ||
	    enpu_wait(self->dev, self->sync, point, 60000000000ll) ||
	    enpu_ctx_query(self->dev, self->ctx, &cq))
		return -EIO;
	return cq.last_error;
}

/* Run one GEMM on the device; 0, or the job's error from CTX_QUERY. */
static int run_gemm(struct __test_metadata *_metadata, FIXTURE_DATA(ops) *self,
		    int m, int n, int k, bool with_bias, const struct ref_quant *q)
{
	struct drm_enpu_instr *in = self->pcmd;

	memset(in, 0, 2 * sizeof(*in));
	in->opcode = DRM_ENPU_OP_GEMM;
	in->arg[0] = self->a->va;
	in->arg[1] = self->b->va;
	in->arg[2] = with_bias ? self->bias->va : 0;
	in->arg[3] = self->c->va;
	in->arg[4] = DRM_ENPU_GEMM_DIMS(m, n, k);
	in->arg[5] = DRM_ENPU_QUANT(q->a_zp, q->b_zp, q->out_zp, q->act_min, q->act_max);
	in->arg[6] = DRM_ENPU_REQUANT(q->mult, q->shift);
	in[1].opcode = DRM_ENPU_OP_END;
	return run_job(self);
}

/* Fill, run, and compare with the reference; returns mismatches. */
static int check_gemm(struct __test_metadata *_metadata, FIXTURE_DATA(ops) *self,
		      int m, int n, int k, bool with_bias, const struct ref_quant *q,
		      int a_lo, int a_hi)
{
	int8_t *a = self->pa, *b = self->pb, *c = self->pc;
	int32_t *bias = self->pbias;
	static int8_t want[MAXB];
	int i, bad = 0;

	for (i = 0; i < m * k; i++)
		a[i] = (int8_t)rnd(a_lo, a_hi);
	for (i = 0; i < k * n; i++)
		b[i] = (int8_t)rnd(-128, 127);
	for (i = 0; i < n; i++)
		bias[i] = (int32_t)(rng() >> rnd(33, 63)) * (rng() & 1 ? -1 : 1);
	memset(c, 0x55, m * n);
	ref_gemm(a, b, with_bias ? bias : NULL, want, m, n, k, q);
	if (run_gemm(_metadata, self, m, n, k, with_bias, q))
		return -1;
	for (i = 0; i < m * n; i++)
		bad += c[i] != want[i];
	if (bad)
		TH_LOG("m %d n %d k %d zp %d/%d/%d clamp %d..%d mult %d shift %d: %d wrong",
		       m, n, k, q->a_zp, q->b_zp, q->out_zp, q->act_min, q->act_max,
		       q->mult, q->shift, bad);
	return bad;
}

static struct ref_quant random_quant(void)
{
	struct ref_quant q = {
		.a_zp = rnd(-128, 127), .b_zp = rnd(-128, 127), .out_zp = rnd(-128, 127),
		.mult = (int32_t)(rng() & 0x7fffffff) | (rng() & 1 ? 0x40000000 : 0),
		.shift = rnd(-31, 30),
	};

	q.act_min = rnd(-128, 0);
	q.act_max = rnd(q.act_min, 127);
	if (rng() % 4 == 0) {
		q.act_min = -128;
		q.act_max = 127;
	}
	/* Most real layers shift right by a few bits. */
	if (rng() % 2)
		q.shift = rnd(-12, 0);
	return q;
}

TEST_F_TIMEOUT(ops, gemm_randomized, 600)
{
	int t, fails = 0;

	seed_rng(_metadata);
	for (t = 0; t < 200; t++) {
		struct ref_quant q = random_quant();
		int m = rnd(1, 24), n = rnd(1, 24), k = rng() % 8 ? rnd(1, 40) : rnd(100, 600);

		if (check_gemm(_metadata, self, m, n, k, rng() & 1, &q, -128, 127))
			fails++;
	}
	EXPECT_EQ(0, fails);
}

TEST_F(ops, gemm_edge_cases)
{
	static const struct ref_quant cases[] = {
		/* zero points at the extremes */
		{ -128, -128, -128, -128, 127, 1 << 30, 0 },
		{ 127, 127, 127, -128, 127, 1 << 30, -8 },
		{ -128, 127, 0, -128, 127, 0x7fffffff, -10 },
		/* multipliers near 2^31 and at the ends */
		{ 0, 0, 0, -128, 127, 0x7fffffff, 0 },
		{ 3, -7, 5, -128, 127, 0x7ffffffe, -1 },
		{ 0, 0, 0, -128, 127, 0, 0 },
		{ 0, 0, 0, -128, 127, 1, 30 },
		/* large left and right shifts */
		{ 1, 2, 3, -128, 127, 0x40000000, 30 },
		{ 1, 2, 3, -128, 127, 0x7fffffff, -31 },
		{ -5, 9, -1, -128, 127, 0x5a5a5a5a, -20 },
		/* narrow and one-value clamps (ReLU6-like, constant) */
		{ 0, 0, -128, -128, -122, 0x60000000, -6 },
		{ 0, 0, 0, 7, 7, 0x60000000, -6 },
	};
	static const int shapes[][3] = {
		{ 1, 1, 1 }, { 1, 1, 4096 }, { 3, 5, 7 }, { 17, 1, 333 }, { 1, 33, 65 },
	};
	unsigned int i, s;
	int fails = 0;

	rng_state = 0x9e3779b97f4a7c15ull;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		for (s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++)
			if (check_gemm(_metadata, self, shapes[s][0], shapes[s][1],
				       shapes[s][2], s & 1, &cases[i], -128, 127))
				fails++;
	/* Accumulators at their extremes: all -128 against all zp 127. */
	{
		struct ref_quant q = { 127, -128, 0, -128, 127, 0x7fffffff, -31 };

		fails += check_gemm(_metadata, self, 2, 2, 4096, 1, &q, -128, -128) != 0;
	}
	EXPECT_EQ(0, fails);
}

TEST_F(ops, gemm_invalid)
{
	struct ref_quant q = { 0, 0, 0, -128, 127, 1 << 30, 0 };
	struct ref_quant bad_clamp = { 0, 0, 0, 5, 4, 1 << 30, 0 };
	struct ref_quant bad_shift = { 0, 0, 0, -128, 127, 1 << 30, 31 };
	struct ref_quant bad_mult = { 0, 0, 0, -128, 127, -1, 0 };
	uint32_t ctx;

	EXPECT_EQ(-EINVAL, run_gemm(_metadata, self, 0, 1, 1, false, &q));
	ASSERT_EQ(0, enpu_ctx_create(self->dev, 1, 1, &self->ctx, &self->sync));
	EXPECT_EQ(-EINVAL, run_gemm(_metadata, self, 1, 1, 4097, false, &q));
	ASSERT_EQ(0, enpu_ctx_create(self->dev, 1, 1, &self->ctx, &self->sync));
	EXPECT_EQ(-EINVAL, run_gemm(_metadata, self, 1, 1, 1, false, &bad_clamp));
	ASSERT_EQ(0, enpu_ctx_create(self->dev, 1, 1, &self->ctx, &self->sync));
	EXPECT_EQ(-EINVAL, run_gemm(_metadata, self, 1, 1, 1, false, &bad_shift));
	ASSERT_EQ(0, enpu_ctx_create(self->dev, 1, 1, &self->ctx, &self->sync));
	EXPECT_EQ(-EINVAL, run_gemm(_metadata, self, 1, 1, 1, false, &bad_mult));
	/* Too many MACs for one job, and an output past the end of C. */
	ASSERT_EQ(0, enpu_ctx_create(self->dev, 1, 1, &self->ctx, &self->sync));
	EXPECT_EQ(-EINVAL, run_gemm(_metadata, self, 4096, 4096, 4096, false, &q));
	ASSERT_EQ(0, enpu_ctx_create(self->dev, 1, 1, &self->ctx, &self->sync));
	EXPECT_EQ(-EFAULT, run_gemm(_metadata, self, 1024, 512, 1, false, &q));
	ctx = self->ctx;
	(void)ctx;
}

/* Run one POOL on the device; 0, or the job's error. */
static int run_pool(FIXTURE_DATA(ops) *self, const struct ref_pool *p)
{
	struct drm_enpu_instr *in = self->pcmd;

	memset(in, 0, 2 * sizeof(*in));
	in->opcode = DRM_ENPU_OP_POOL;
	in->arg[0] = self->a->va;
	in->arg[1] = self->c->va;
	in->arg[2] = DRM_ENPU_POOL_DIMS(p->h, p->w, p->c);
	in->arg[3] = DRM_ENPU_POOL_OUT(p->oh, p->ow);
	in->arg[4] = DRM_ENPU_POOL_WINDOW(p->avg, p->kh, p->kw, p->sh, p->sw, p->pt, p->pl);
	in->arg[5] = DRM_ENPU_CLAMP(p->act_min, p->act_max);
	in[1].opcode = DRM_ENPU_OP_END;
	return run_job(self);
}

TEST_F_TIMEOUT(ops, pool_randomized, 600)
{
	int8_t *a = self->pa, *c = self->pc;
	static int8_t want[MAXB];
	int t, i, fails = 0;

	seed_rng(_metadata);
	for (t = 0; t < 200; t++) {
		struct ref_pool p = {
			.h = rnd(1, 20), .w = rnd(1, 20), .c = rnd(1, 16),
			.kh = rnd(1, 5), .kw = rnd(1, 5), .sh = rnd(1, 3), .sw = rnd(1, 3),
			.avg = rnd(0, 1), .act_min = -128, .act_max = 127,
		};
		int bad = 0;

		p.pt = rnd(0, p.kh - 1);
		p.pl = rnd(0, p.kw - 1);
		/* As many outputs as keep the last window inside the image. */
		p.oh = (p.h + p.pt - 1) / p.sh + 1;
		p.ow = (p.w + p.pl - 1) / p.sw + 1;
		p.oh = rnd(1, p.oh);
		p.ow = rnd(1, p.ow);
		if (rng() % 4 == 0) {
			p.act_min = rnd(-128, 0);
			p.act_max = rnd(p.act_min, 127);
		}
		for (i = 0; i < p.h * p.w * p.c; i++)
			a[i] = (int8_t)rnd(-128, 127);
		ref_pool(a, want, &p);
		ASSERT_EQ(0, run_pool(self, &p));
		for (i = 0; i < p.oh * p.ow * p.c; i++)
			bad += c[i] != want[i];
		if (bad) {
			TH_LOG("pool %dx%dx%d -> %dx%d k %dx%d s %dx%d pad %d,%d %s: %d wrong",
			       p.h, p.w, p.c, p.oh, p.ow, p.kh, p.kw, p.sh, p.sw, p.pt, p.pl,
			       p.avg ? "avg" : "max", bad);
			fails++;
		}
	}
	EXPECT_EQ(0, fails);
}

TEST_F(ops, pool_invalid)
{
	struct ref_pool ok = { .h = 4, .w = 4, .c = 1, .oh = 2, .ow = 2, .kh = 2, .kw = 2,
			       .sh = 2, .sw = 2, .act_min = -128, .act_max = 127 };
	struct ref_pool p;

	p = ok;
	p.pt = 2;		/* padding as large as the window */
	EXPECT_EQ(-EINVAL, run_pool(self, &p));
	ASSERT_EQ(0, enpu_ctx_create(self->dev, 1, 1, &self->ctx, &self->sync));
	p = ok;
	p.oh = 3;		/* the last window starts below the image */
	EXPECT_EQ(-EINVAL, run_pool(self, &p));
	ASSERT_EQ(0, enpu_ctx_create(self->dev, 1, 1, &self->ctx, &self->sync));
	p = ok;
	p.avg = 2;		/* unknown mode */
	EXPECT_EQ(-EINVAL, run_pool(self, &p));
	ASSERT_EQ(0, enpu_ctx_create(self->dev, 1, 1, &self->ctx, &self->sync));
	p = ok;
	p.sh = 0;
	EXPECT_EQ(-EINVAL, run_pool(self, &p));
	ASSERT_EQ(0, enpu_ctx_create(self->dev, 1, 1, &self->ctx, &self->sync));
	p = ok;
	EXPECT_EQ(0, run_pool(self, &p));
}

/* Run one CONV2D (descriptor at the end of the command buffer). */
static int run_conv(FIXTURE_DATA(ops) *self, const struct ref_conv *c,
		    const struct ref_quant *q, bool with_bias)
{
	struct drm_enpu_instr *in = self->pcmd;
	struct drm_enpu_conv2d *d = (void *)((char *)self->pcmd + 1024);

	memset(in, 0, 2 * sizeof(*in));
	memset(d, 0, sizeof(*d));
	*d = (struct drm_enpu_conv2d){
		.input = self->a->va, .filter = self->b->va,
		.bias = with_bias ? self->bias->va : 0, .output = self->c->va,
		.h = c->h, .w = c->w, .cin = c->cin, .cout = c->cout,
		.oh = c->oh, .ow = c->ow, .kh = c->kh, .kw = c->kw,
		.stride_h = c->sh, .stride_w = c->sw, .dilation_h = c->dh,
		.dilation_w = c->dw, .pad_top = c->pt, .pad_left = c->pl,
		.depthwise = c->depthwise,
		.quant = DRM_ENPU_QUANT(q->a_zp, q->b_zp, q->out_zp, q->act_min, q->act_max),
		.requant = DRM_ENPU_REQUANT(q->mult, q->shift),
	};
	in->opcode = DRM_ENPU_OP_CONV2D;
	in->arg[0] = self->cmd->va + 1024;
	in[1].opcode = DRM_ENPU_OP_END;
	return run_job(self);
}

TEST_F_TIMEOUT(ops, conv2d_randomized, 600)
{
	int8_t *a = self->pa, *b = self->pb, *out = self->pc;
	int32_t *bias = self->pbias;
	static int8_t want[MAXB];
	int t, i, fails = 0;

	seed_rng(_metadata);
	for (t = 0; t < 200; t++) {
		struct ref_quant q = random_quant();
		struct ref_conv c = {
			.h = rnd(1, 12), .w = rnd(1, 12), .cin = rnd(1, 8),
			.kh = rnd(1, 4), .kw = rnd(1, 4), .sh = rnd(1, 3), .sw = rnd(1, 3),
			.dh = rnd(1, 2), .dw = rnd(1, 2), .depthwise = rng() % 3 == 0,
		};
		int f_len, bad = 0, with_bias = rng() & 1;

		c.cout = c.depthwise ? c.cin * rnd(1, 3) : rnd(1, 20);
		c.pt = rnd(0, c.kh);
		c.pl = rnd(0, c.kw);
		c.oh = rnd(1, 12);
		c.ow = rnd(1, 12);
		f_len = c.kh * c.kw * c.cout * (c.depthwise ? 1 : c.cin);
		for (i = 0; i < c.h * c.w * c.cin; i++)
			a[i] = (int8_t)rnd(-128, 127);
		for (i = 0; i < f_len; i++)
			b[i] = (int8_t)rnd(-128, 127);
		for (i = 0; i < c.cout; i++)
			bias[i] = (int32_t)(rng() >> rnd(40, 63)) * (rng() & 1 ? -1 : 1);
		ref_conv2d(a, b, with_bias ? bias : NULL, want, &c, &q);
		ASSERT_EQ(0, run_conv(self, &c, &q, with_bias));
		for (i = 0; i < c.oh * c.ow * c.cout; i++)
			bad += out[i] != want[i];
		if (bad) {
			TH_LOG("conv %dx%dx%d->%dx%dx%d k%dx%d s%dx%d d%dx%d p%d,%d dw%d: %d wrong",
			       c.h, c.w, c.cin, c.oh, c.ow, c.cout, c.kh, c.kw, c.sh, c.sw,
			       c.dh, c.dw, c.pt, c.pl, c.depthwise, bad);
			fails++;
		}
	}
	EXPECT_EQ(0, fails);
}

/*
 * The sums at their extremes, (-128 - 127) * (127 + 128) per tap: 32768
 * taps (the most the driver packs two to a 64-bit word) sum to just inside
 * an int32, in both lanes of a word at once; 36864 taps wrap it.
 */
TEST_F(ops, conv2d_extreme_sums)
{
	static const struct ref_conv shapes[] = {
		{ .h = 8, .w = 1, .cin = 4096, .cout = 3, .oh = 1, .ow = 1,
		  .kh = 8, .kw = 1, .sh = 1, .sw = 1, .dh = 1, .dw = 1 },
		{ .h = 3, .w = 3, .cin = 4096, .cout = 2, .oh = 1, .ow = 1,
		  .kh = 3, .kw = 3, .sh = 1, .sw = 1, .dh = 1, .dw = 1 },
	};
	/* out = round(acc / 2^31): -1 just inside the range, 1 once wrapped */
	static const int8_t first[] = { -1, 1 };
	const struct ref_quant q = { 127, -128, 0, -128, 127, 0x7fffffff, -31 };
	int8_t *a = self->pa, *b = self->pb, *out = self->pc;
	static int8_t want[16];
	unsigned int s;
	int i, taps;

	for (s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++) {
		const struct ref_conv *c = &shapes[s];

		taps = c->kh * c->kw * c->cin;
		memset(a, -128, c->h * c->w * c->cin);
		/* filters 0 and 1 at the extreme, filter 2 at its zero point */
		for (i = 0; i < taps * c->cout; i++)
			b[i] = i / taps == 2 ? -128 : 127;
		ref_conv2d(a, b, NULL, want, c, &q);
		EXPECT_EQ(first[s], want[0]);
		ASSERT_EQ(0, run_conv(self, c, &q, false));
		for (i = 0; i < c->cout; i++) {
			EXPECT_EQ(want[i], out[i]) TH_LOG("%d taps, filter %d", taps, i);
		}
	}
}

TEST_F(ops, conv2d_invalid)
{
	struct ref_quant q = { 0, 0, 0, -128, 127, 1 << 30, 0 };
	struct ref_conv ok = { .h = 4, .w = 4, .cin = 2, .cout = 3, .oh = 2, .ow = 2,
			       .kh = 3, .kw = 3, .sh = 1, .sw = 1, .dh = 1, .dw = 1 };
	struct ref_conv c;

	c = ok;
	c.depthwise = 1;	/* Cout not a multiple of Cin */
	EXPECT_EQ(-EINVAL, run_conv(self, &c, &q, false));
	ASSERT_EQ(0, enpu_ctx_create(self->dev, 1, 1, &self->ctx, &self->sync));
	c = ok;
	c.sh = 0;
	EXPECT_EQ(-EINVAL, run_conv(self, &c, &q, false));
	ASSERT_EQ(0, enpu_ctx_create(self->dev, 1, 1, &self->ctx, &self->sync));
	c = ok;
	c.oh = 4096;		/* output runs past its buffer */
	c.ow = 64;
	EXPECT_EQ(-EFAULT, run_conv(self, &c, &q, false));
	ASSERT_EQ(0, enpu_ctx_create(self->dev, 1, 1, &self->ctx, &self->sync));
	EXPECT_EQ(0, run_conv(self, &ok, &q, true));
}

static int run_add(FIXTURE_DATA(ops) *self, int count, const struct ref_quant *q,
		   const struct ref_add *r)
{
	struct drm_enpu_instr *in = self->pcmd;
	struct drm_enpu_add *d = (void *)((char *)self->pcmd + 1024);

	memset(in, 0, 2 * sizeof(*in));
	memset(d, 0, sizeof(*d));
	d->a = self->a->va;
	d->b = self->b->va;
	d->out = self->c->va;
	d->count = count;
	d->left_shift = r->left_shift;
	d->quant = DRM_ENPU_QUANT(q->a_zp, q->b_zp, q->out_zp, q->act_min, q->act_max);
	d->a_requant = DRM_ENPU_REQUANT(r->a_mult, r->a_shift);
	d->b_requant = DRM_ENPU_REQUANT(r->b_mult, r->b_shift);
	d->out_requant = DRM_ENPU_REQUANT(r->out_mult, r->out_shift);
	in->opcode = DRM_ENPU_OP_ADD;
	in->arg[0] = self->cmd->va + 1024;
	in[1].opcode = DRM_ENPU_OP_END;
	return run_job(self);
}

TEST_F_TIMEOUT(ops, add_randomized, 600)
{
	int8_t *a = self->pa, *b = self->pb, *out = self->pc;
	static int8_t want[MAXB];
	int t, i, fails = 0;

	seed_rng(_metadata);
	for (t = 0; t < 200; t++) {
		struct ref_quant q = random_quant();
		struct ref_add r = {
			.left_shift = rng() % 2 ? 20 : rnd(0, 20),
			.a_mult = (int32_t)(rng() & 0x7fffffff), .a_shift = rnd(-31, 0),
			.b_mult = (int32_t)(rng() & 0x7fffffff), .b_shift = rnd(-31, 0),
			.out_mult = (int32_t)(rng() & 0x7fffffff), .out_shift = rnd(-31, 30),
		};
		int count = rnd(1, 5000), bad = 0;

		for (i = 0; i < count; i++) {
			a[i] = (int8_t)rnd(-128, 127);
			b[i] = (int8_t)rnd(-128, 127);
		}
		ref_add(a, b, want, count, &q, &r);
		ASSERT_EQ(0, run_add(self, count, &q, &r));
		for (i = 0; i < count; i++)
			bad += out[i] != want[i];
		if (bad) {
			TH_LOG("add n %d ls %d: %d wrong", count, r.left_shift, bad);
			fails++;
		}
	}
	EXPECT_EQ(0, fails);
}

TEST_F(ops, add_invalid)
{
	struct ref_quant q = { 0, 0, 0, -128, 127, 0, 0 };
	struct ref_add r = {
		.left_shift = 21, .a_mult = 1 << 30, .a_shift = -1,
		.b_mult = 1 << 30, .b_shift = -1, .out_mult = 1 << 30, .out_shift = -1,
	};

	EXPECT_EQ(-EINVAL, run_add(self, 16, &q, &r));
	ASSERT_EQ(0, enpu_ctx_create(self->dev, 1, 1, &self->ctx, &self->sync));
	r.left_shift = 20;
	EXPECT_EQ(-EINVAL, run_add(self, 0, &q, &r));
	ASSERT_EQ(0, enpu_ctx_create(self->dev, 1, 1, &self->ctx, &self->sync));
	EXPECT_EQ(-EFAULT, run_add(self, MAXB + 1, &q, &r));
	ASSERT_EQ(0, enpu_ctx_create(self->dev, 1, 1, &self->ctx, &self->sync));
	r.b_mult = -1;
	EXPECT_EQ(-EINVAL, run_add(self, 16, &q, &r));
	ASSERT_EQ(0, enpu_ctx_create(self->dev, 1, 1, &self->ctx, &self->sync));
	r.b_mult = 1 << 30;
	EXPECT_EQ(0, run_add(self, 16, &q, &r));
}

TEST_HARNESS_MAIN
