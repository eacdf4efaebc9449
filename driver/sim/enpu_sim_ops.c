// SPDX-License-Identifier: GPL-2.0-only
/*
 * The emulated NPU's int8 op kernels: plain integer C, no FPU.  The
 * arithmetic is TFLite's, written out in Documentation/isa.rst; selftests
 * check it bit for bit against an independent userspace reference.
 */
#include <linux/limits.h>
#include <linux/minmax.h>
#include <linux/sched.h>

#include <drm/enpu_accel.h>

#include "enpu_sim.h"

/* Round-to-nearest of (a * b) / 2^31, saturating the one overflow case. */
static s32 enpu_srdhm(s32 a, s32 b)
{
	s64 ab = (s64)a * b;
	s64 nudge = ab >= 0 ? (1ll << 30) : 1 - (1ll << 30);

	if (a == S32_MIN && b == S32_MIN)
		return S32_MAX;
	/* Division truncating toward zero, as C's. */
	return (s32)div64_s64(ab + nudge, 1ll << 31);
}

/* x / 2^exp rounded to nearest, ties away from zero. */
static s32 enpu_rdivpot(s32 x, int exp)
{
	s32 mask = (s32)((1ll << exp) - 1);
	s32 rem = x & mask;
	s32 threshold = (mask >> 1) + (x < 0 ? 1 : 0);

	return (x >> exp) + (rem > threshold ? 1 : 0);
}

/**
 * enpu_sim_requant() - scale an int32 accumulator to the output's scale
 * @acc: the accumulator
 * @q: multiplier and shift
 *
 * A positive shift multiplies by 2^shift first, saturating to int32.
 *
 * Return: the scaled value, before the zero point and clamp.
 */
s32 enpu_sim_requant(s32 acc, const struct enpu_sim_quant *q)
{
	s64 x = acc;

	if (q->shift > 0) {
		x = (s64)acc << q->shift;
		x = clamp_t(s64, x, S32_MIN, S32_MAX);
	}
	return enpu_rdivpot(enpu_srdhm((s32)x, q->multiplier),
			    q->shift > 0 ? 0 : -q->shift);
}

static s8 enpu_sim_output(s32 acc, const struct enpu_sim_quant *q)
{
	s32 v = enpu_sim_requant(acc, q) + q->out_zp;

	return (s8)clamp_t(s32, v, q->act_min, q->act_max);
}

/**
 * enpu_sim_gemm() - C = requant(sum_k (A - a_zp)(B - b_zp) + bias)
 * @a: M x K, row-major
 * @b: K x N, row-major
 * @bias: N values, or NULL
 * @c: M x N, row-major
 * @m: rows of A and C
 * @n: columns of B and C
 * @k: columns of A, rows of B
 * @q: zero points, requantization and clamp
 *
 * The accumulation wraps in 32 bits exactly as two's complement would;
 * with K <= 4096 and int8 operands it cannot overflow before the bias.
 */
void enpu_sim_gemm(const s8 *a, const s8 *b, const s32 *bias, s8 *c,
		   u32 m, u32 n, u32 k, const struct enpu_sim_quant *q)
{
	u32 i, j, l;

	for (i = 0; i < m; i++) {
		for (j = 0; j < n; j++) {
			s32 acc = 0;

			for (l = 0; l < k; l++)
				acc += ((s32)a[i * k + l] - q->a_zp) *
				       ((s32)b[l * n + j] - q->b_zp);
			if (bias)
				acc = (s32)((u32)acc + (u32)bias[j]);
			c[i * n + j] = enpu_sim_output(acc, q);
		}
		cond_resched();
	}
}

/* Average of @sum over @count values, halves rounded away from zero. */
static s32 enpu_sim_avg(s32 sum, s32 count)
{
	return sum >= 0 ? (sum + count / 2) / count : -((-sum + count / 2) / count);
}

/**
 * enpu_sim_pool() - max or average pooling, windows clipped to the image
 * @in: H x W x C input
 * @out: OH x OW x C output
 * @p: shape, window, mode and clamp
 *
 * The caller guarantees that every window overlaps the image.  An average
 * divides by the number of input elements inside the window.
 */
void enpu_sim_pool(const s8 *in, s8 *out, const struct enpu_sim_pool *p)
{
	u32 oy, ox, ch;

	for (oy = 0; oy < p->oh; oy++) {
		for (ox = 0; ox < p->ow; ox++) {
			s32 y0 = (s32)(oy * p->sh) - (s32)p->pad_top;
			s32 x0 = (s32)(ox * p->sw) - (s32)p->pad_left;
			s32 y1 = min_t(s32, y0 + p->kh, p->h);
			s32 x1 = min_t(s32, x0 + p->kw, p->w);

			y0 = max(y0, 0);
			x0 = max(x0, 0);
			for (ch = 0; ch < p->c; ch++) {
				s32 acc = p->avg ? 0 : S8_MIN, y, x, v;

				for (y = y0; y < y1; y++)
					for (x = x0; x < x1; x++) {
						v = in[(y * p->w + x) * p->c + ch];
						acc = p->avg ? acc + v : max(acc, v);
					}
				if (p->avg)
					acc = enpu_sim_avg(acc, (y1 - y0) * (x1 - x0));
				out[(oy * p->ow + ox) * p->c + ch] =
					(s8)clamp_t(s32, acc, p->act_min, p->act_max);
			}
		}
		cond_resched();
	}
}

/*
 * The accumulator of output (@oy, @ox, @co), wrapping in 32 bits as
 * defined.  Taps outside the input are the input's zero point and
 * contribute nothing.
 */
static u32 enpu_sim_conv_acc(const s8 *in, const s8 *f,
			     const struct drm_enpu_conv2d *c,
			     const struct enpu_sim_quant *q, u32 oy, u32 ox, u32 co)
{
	u32 mult = c->depthwise ? c->cout / c->cin : 1;
	u32 ky, kx, ci, acc = 0;
	const s8 *px, *fw;
	s32 y, x;

	for (ky = 0; ky < c->kh; ky++) {
		y = (s32)(oy * c->stride_h + ky * c->dilation_h) - c->pad_top;
		if (y < 0 || y >= c->h)
			continue;
		for (kx = 0; kx < c->kw; kx++) {
			x = (s32)(ox * c->stride_w + kx * c->dilation_w) - c->pad_left;
			if (x < 0 || x >= c->w)
				continue;
			px = in + ((u32)y * c->w + (u32)x) * c->cin;
			if (c->depthwise) {
				fw = f + (ky * c->kw + kx) * c->cout;
				acc += (u32)(((s32)px[co / mult] - q->a_zp) *
					     ((s32)fw[co] - q->b_zp));
				continue;
			}
			fw = f + ((co * c->kh + ky) * c->kw + kx) * c->cin;
			for (ci = 0; ci < c->cin; ci++)
				acc += (u32)(((s32)px[ci] - q->a_zp) *
					     ((s32)fw[ci] - q->b_zp));
		}
	}
	return acc;
}

/**
 * enpu_sim_conv2d() - regular or depthwise int8 convolution
 * @in: H x W x Cin input
 * @f: the filter (OHWI, or HWO when depthwise)
 * @bias: Cout values, or NULL
 * @out: OH x OW x Cout output
 * @c: shape
 * @q: zero points (a_zp: input, b_zp: filter), requantization and clamp
 */
void enpu_sim_conv2d(const s8 *in, const s8 *f, const s32 *bias, s8 *out,
		     const struct drm_enpu_conv2d *c, const struct enpu_sim_quant *q)
{
	u32 oy, ox, co, acc;

	for (oy = 0; oy < c->oh; oy++) {
		for (ox = 0; ox < c->ow; ox++) {
			for (co = 0; co < c->cout; co++) {
				acc = enpu_sim_conv_acc(in, f, c, q, oy, ox, co);
				if (bias)
					acc += (u32)bias[co];
				out[(oy * c->ow + ox) * c->cout + co] =
					enpu_sim_output((s32)acc, q);
			}
		}
		cond_resched();
	}
}

/**
 * enpu_sim_add() - TFLite's int8 ADD: both inputs to a common scale, sum,
 *	then to the output's scale
 * @a: first input
 * @b: second input
 * @out: output
 * @count: elements
 * @left_shift: applied to both inputs first
 * @qa: zero points and clamp, with the first input's scaling
 * @qb: the second input's scaling (multiplier and shift only)
 * @qo: the output's scaling (multiplier and shift only)
 */
void enpu_sim_add(const s8 *a, const s8 *b, s8 *out, u32 count, u32 left_shift,
		  const struct enpu_sim_quant *qa, const struct enpu_sim_quant *qb,
		  const struct enpu_sim_quant *qo)
{
	u32 i;

	for (i = 0; i < count; i++) {
		s32 x = ((s32)a[i] - qa->a_zp) * (1 << left_shift);
		s32 y = ((s32)b[i] - qa->b_zp) * (1 << left_shift);
		/* The sum wraps in 32 bits, as defined. */
		u32 sum = (u32)enpu_sim_requant(x, qa) + (u32)enpu_sim_requant(y, qb);
		s32 v = enpu_sim_requant((s32)sum, qo) + qa->out_zp;

		out[i] = (s8)clamp_t(s32, v, qa->act_min, qa->act_max);
		if (!(i & 0xffff))
			cond_resched();
	}
}
