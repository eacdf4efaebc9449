/* SPDX-License-Identifier: MIT */
/*
 * A plain reference for the NPU's int8 arithmetic, written separately from
 * the kernel's op kernels (driver/sim/enpu_sim_ops.c) from the definitions
 * in Documentation/isa.rst.  It rounds with explicit 64-bit arithmetic
 * where the kernel uses the TFLite bit tricks, so that the two agree only
 * if both follow the definition.
 */
#ifndef ENPU_INT8_REF_H
#define ENPU_INT8_REF_H

#include <stdint.h>

/* round(a * b / 2^31), halves away from zero; INT32_MIN^2 saturates. */
static inline int32_t ref_high_mul(int32_t a, int32_t b)
{
	int64_t p = (int64_t)a * b;

	if (a == INT32_MIN && b == INT32_MIN)
		return INT32_MAX;
	if (p >= 0)
		return (int32_t)((p + (1ll << 30)) >> 31);
	return (int32_t)-((-p + (1ll << 30) - 1) >> 31);
}

/* round(x / 2^e), halves away from zero. */
static inline int32_t ref_shift_round(int32_t x, int e)
{
	int64_t v = x;

	if (!e)
		return x;
	if (v >= 0)
		return (int32_t)((v + (1ll << (e - 1))) >> e);
	return (int32_t)-((-v + (1ll << (e - 1))) >> e);
}

static inline int32_t ref_requant(int32_t acc, int32_t mult, int shift)
{
	int64_t x = acc;

	if (shift > 0) {
		x *= (int64_t)1 << shift;
		if (x > INT32_MAX)
			x = INT32_MAX;
		if (x < INT32_MIN)
			x = INT32_MIN;
	}
	return ref_shift_round(ref_high_mul((int32_t)x, mult), shift > 0 ? 0 : -shift);
}

struct ref_quant {
	int a_zp, b_zp, out_zp, act_min, act_max;
	int32_t mult;
	int shift;
};

static inline void ref_gemm(const int8_t *a, const int8_t *b, const int32_t *bias,
			    int8_t *c, int m, int n, int k, const struct ref_quant *q)
{
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			int64_t sum = 0;
			int32_t acc, v;

			for (int l = 0; l < k; l++)
				sum += (int64_t)(a[i * k + l] - q->a_zp) *
				       (b[l * n + j] - q->b_zp);
			if (bias)
				sum += bias[j];
			/* Two's complement wrap to 32 bits, as defined. */
			acc = (int32_t)(uint32_t)(uint64_t)sum;
			v = ref_requant(acc, q->mult, q->shift) + q->out_zp;
			v = v < q->act_min ? q->act_min : v > q->act_max ? q->act_max : v;
			c[i * n + j] = (int8_t)v;
		}
}

struct ref_pool {
	int h, w, c, oh, ow, kh, kw, sh, sw, pt, pl, avg, act_min, act_max;
};

/* Pooling over the in-image part of each window (HWC layout). */
static inline void ref_pool(const int8_t *in, int8_t *out, const struct ref_pool *p)
{
	for (int oy = 0; oy < p->oh; oy++)
		for (int ox = 0; ox < p->ow; ox++)
			for (int ch = 0; ch < p->c; ch++) {
				int64_t sum = 0, q, r;
				int best = -128, count = 0, v;

				for (int dy = 0; dy < p->kh; dy++)
					for (int dx = 0; dx < p->kw; dx++) {
						int y = oy * p->sh - p->pt + dy;
						int x = ox * p->sw - p->pl + dx;

						if (y < 0 || y >= p->h || x < 0 || x >= p->w)
							continue;
						v = in[(y * p->w + x) * p->c + ch];
						sum += v;
						best = v > best ? v : best;
						count++;
					}
				if (p->avg) {
					/* round(sum / count), halves away from zero */
					q = sum / count;
					r = sum % count;
					if (2 * (r < 0 ? -r : r) >= count)
						q += sum < 0 ? -1 : 1;
					v = (int)q;
				} else {
					v = best;
				}
				v = v < p->act_min ? p->act_min : v > p->act_max ? p->act_max : v;
				out[(oy * p->ow + ox) * p->c + ch] = (int8_t)v;
			}
}

struct ref_conv {
	int h, w, cin, cout, oh, ow, kh, kw, sh, sw, dh, dw, pt, pl, depthwise;
};

/*
 * Convolution written from the definition: pad the input with its zero
 * point, then multiply-accumulate in 64 bits and wrap to 32 at the end.
 */
static inline void ref_conv2d(const int8_t *in, const int8_t *f, const int32_t *bias,
			      int8_t *out, const struct ref_conv *c,
			      const struct ref_quant *q)
{
	int mult = c->depthwise ? c->cout / c->cin : 1;

	for (int oy = 0; oy < c->oh; oy++)
		for (int ox = 0; ox < c->ow; ox++)
			for (int co = 0; co < c->cout; co++) {
				int64_t sum = 0;
				int32_t acc, v;

				for (int ky = 0; ky < c->kh; ky++)
					for (int kx = 0; kx < c->kw; kx++) {
						int y = oy * c->sh - c->pt + ky * c->dh;
						int x = ox * c->sw - c->pl + kx * c->dw;
						int inside = y >= 0 && y < c->h && x >= 0 && x < c->w;
						int first = c->depthwise ? co / mult : 0;
						int last = c->depthwise ? co / mult : c->cin - 1;

						for (int ci = first; ci <= last; ci++) {
							int iv = inside ? in[(y * c->w + x) * c->cin + ci] : q->a_zp;
							int fv = c->depthwise ?
								f[(ky * c->kw + kx) * c->cout + co] :
								f[((co * c->kh + ky) * c->kw + kx) * c->cin + ci];

							sum += (int64_t)(iv - q->a_zp) * (fv - q->b_zp);
						}
					}
				if (bias)
					sum += bias[co];
				acc = (int32_t)(uint32_t)(uint64_t)sum;
				v = ref_requant(acc, q->mult, q->shift) + q->out_zp;
				v = v < q->act_min ? q->act_min : v > q->act_max ? q->act_max : v;
				out[(oy * c->ow + ox) * c->cout + co] = (int8_t)v;
			}
}

struct ref_add {
	int left_shift;
	int32_t a_mult, b_mult, out_mult;
	int a_shift, b_shift, out_shift;
};

static inline void ref_add(const int8_t *a, const int8_t *b, int8_t *out, int count,
			   const struct ref_quant *q, const struct ref_add *r)
{
	for (int i = 0; i < count; i++) {
		int64_t x = (int64_t)(a[i] - q->a_zp) << r->left_shift;
		int64_t y = (int64_t)(b[i] - q->b_zp) << r->left_shift;
		int64_t sum = (int64_t)ref_requant((int32_t)x, r->a_mult, r->a_shift) +
			      ref_requant((int32_t)y, r->b_mult, r->b_shift);
		int32_t v = ref_requant((int32_t)(uint32_t)(uint64_t)sum, r->out_mult,
					r->out_shift) + q->out_zp;

		v = v < q->act_min ? q->act_min : v > q->act_max ? q->act_max : v;
		out[i] = (int8_t)v;
	}
}

#endif /* ENPU_INT8_REF_H */
