// SPDX-License-Identifier: GPL-2.0-only
/*
 * The emulated NPU's int8 op kernels: plain integer C, no FPU.  The
 * arithmetic is TFLite's, written out in Documentation/isa.rst; selftests
 * check it bit for bit against an independent userspace reference.
 */
#include <linux/build_bug.h>
#include <linux/limits.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>

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

/*
 * The fast path of GEMM and CONV2D packs two columns of the right-hand
 * operand, less its zero point, into one u64 as lo + hi * 2^32, so one
 * 64-bit multiply-accumulate does two int8 MACs.  The packing is linear
 * modulo 2^64, so only a lane's final sum has to fit: the low lane is
 * exact while it stays within an s32, which a sum of at most
 * ENPU_SIM_LANE_MAX products of magnitude 255 * 255 does.  A tile is two
 * rows of the left operand by ENPU_SIM_COLS columns.
 */
#define ENPU_SIM_LANE_MAX	32768u
#define ENPU_SIM_PAIRS		4u
#define ENPU_SIM_COLS		(2 * ENPU_SIM_PAIRS)

static u64 enpu_sim_pack(s32 lo, s32 hi)
{
	return (u64)(s64)lo + ((u64)(s64)hi << 32);
}

/*
 * One row of a tile's column pairs, column @col of @b stored @stride
 * apart, also added to the pairs' running sums @sum.
 */
static void enpu_sim_pack_cols(u64 *dst, u64 *sum, const s8 *b, u32 stride,
			       u32 ncols, s32 zp)
{
	s32 v[ENPU_SIM_COLS] = {};
	u32 col, p;

	for (col = 0; col < ncols; col++)
		v[col] = (s32)b[col * stride] - zp;
	for (p = 0; p < ENPU_SIM_PAIRS; p++) {
		dst[p] = enpu_sim_pack(v[2 * p], v[2 * p + 1]);
		sum[p] += dst[p];
	}
}

/* The lanes of @s as ENPU_SIM_COLS 32-bit sums, wrapping. */
static void enpu_sim_unpack(const u64 *s, u32 *acc)
{
	u32 p, lo;

	for (p = 0; p < ENPU_SIM_PAIRS; p++) {
		lo = (u32)s[p];
		acc[2 * p] = lo;
		acc[2 * p + 1] = (u32)((s[p] - (u64)(s64)(s32)lo) >> 32);
	}
}

/*
 * @s0[p] += sum over l of @a0[l] * @bp[l][p], and @s1 likewise with @a1:
 * one tile's worth of @len steps.  The left operand's zero point is
 * taken off afterwards, with enpu_sim_zp().
 */
static void enpu_sim_dot(const s8 *a0, const s8 *a1, const u64 *bp, u32 len,
			 u64 *s0, u64 *s1)
{
	u64 x0 = s0[0], x1 = s0[1], x2 = s0[2], x3 = s0[3];
	u64 y0 = s1[0], y1 = s1[1], y2 = s1[2], y3 = s1[3];
	u64 u, v;
	u32 l;

	for (l = 0; l < len; l++, bp += ENPU_SIM_PAIRS) {
		u = (u64)(s64)a0[l];
		v = (u64)(s64)a1[l];
		x0 += u * bp[0];
		y0 += v * bp[0];
		x1 += u * bp[1];
		y1 += v * bp[1];
		x2 += u * bp[2];
		y2 += v * bp[2];
		x3 += u * bp[3];
		y3 += v * bp[3];
	}
	s0[0] = x0;
	s0[1] = x1;
	s0[2] = x2;
	s0[3] = x3;
	s1[0] = y0;
	s1[1] = y1;
	s1[2] = y2;
	s1[3] = y3;
}

/*
 * @s[p] -= @zp * @sum[p]: sum (a - zp) * b is sum a * b less zp times
 * the sum of b, exactly, since the packing is linear.
 */
static void enpu_sim_zp(u64 *s, const u64 *sum, s32 zp)
{
	u32 p;

	for (p = 0; p < ENPU_SIM_PAIRS; p++)
		s[p] -= (u64)(s64)zp * sum[p];
}

/* Write up to ENPU_SIM_COLS outputs of one row of a tile. */
static void enpu_sim_tile_out(const u64 *s, const s32 *bias, s8 *out, u32 ncols,
			      const struct enpu_sim_quant *q)
{
	u32 acc[ENPU_SIM_COLS], col;

	enpu_sim_unpack(s, acc);
	for (col = 0; col < ncols; col++) {
		if (bias)
			acc[col] += (u32)bias[col];
		out[col] = enpu_sim_output((s32)acc[col], q);
	}
}

/**
 * enpu_sim_gemm() - C = requant(sum_k (A - a_zp)(B - b_zp) + bias)
 * @a: M x K, row-major
 * @b: K x N, row-major
 * @bias: N values, or NULL
 * @c: M x N, row-major
 * @m: rows of A and C
 * @n: columns of B and C
 * @k: columns of A, rows of B, at most %DRM_ENPU_GEMM_MAX_DIM
 * @q: zero points, requantization and clamp
 *
 * The accumulation wraps in 32 bits exactly as two's complement would;
 * with K <= 4096 and int8 operands it cannot overflow before the bias.
 *
 * Return: 0, or -ENOMEM.
 */
int enpu_sim_gemm(const s8 *a, const s8 *b, const s32 *bias, s8 *c,
		  u32 m, u32 n, u32 k, const struct enpu_sim_quant *q)
{
	u64 *bp, s0[ENPU_SIM_PAIRS], s1[ENPU_SIM_PAIRS], sum[ENPU_SIM_PAIRS];
	u32 i, j, l, cols;
	const s8 *a1;

	BUILD_BUG_ON(DRM_ENPU_GEMM_MAX_DIM > ENPU_SIM_LANE_MAX);
	bp = kvmalloc_array(k, ENPU_SIM_PAIRS * sizeof(*bp), GFP_KERNEL);
	if (!bp)
		return -ENOMEM;
	for (j = 0; j < n; j += ENPU_SIM_COLS) {
		cols = min(n - j, ENPU_SIM_COLS);
		memset(sum, 0, sizeof(sum));
		for (l = 0; l < k; l++)
			enpu_sim_pack_cols(bp + l * ENPU_SIM_PAIRS, sum,
					   b + l * n + j, 1, cols, q->b_zp);
		for (i = 0; i < m; i += 2) {
			a1 = a + (i + 1 < m ? i + 1 : i) * k;
			memset(s0, 0, sizeof(s0));
			memset(s1, 0, sizeof(s1));
			enpu_sim_dot(a + i * k, a1, bp, k, s0, s1);
			enpu_sim_zp(s0, sum, q->a_zp);
			enpu_sim_zp(s1, sum, q->a_zp);
			enpu_sim_tile_out(s0, bias ? bias + j : NULL,
					  c + i * n + j, cols, q);
			if (i + 1 < m)
				enpu_sim_tile_out(s1, bias ? bias + j : NULL,
						  c + (i + 1) * n + j, cols, q);
			cond_resched();
		}
	}
	kvfree(bp);
	return 0;
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

/* The plain path: depthwise, or taps too many for a packed lane. */
static void enpu_sim_conv2d_plain(const s8 *in, const s8 *f, const s32 *bias,
				  s8 *out, const struct drm_enpu_conv2d *c,
				  const struct enpu_sim_quant *q)
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

/* The input pixel of tap @kx for output column @ox, or NULL for padding. */
static const s8 *enpu_sim_conv_px(const s8 *in, const struct drm_enpu_conv2d *c,
				  s32 y, u32 ox, u32 kx)
{
	s32 x = (s32)(ox * c->stride_w + kx * c->dilation_w) - c->pad_left;

	if (ox >= c->ow || x < 0 || x >= c->w)
		return NULL;
	return in + ((u32)y * c->w + (u32)x) * c->cin;
}

/*
 * One tile of the packed path: output pixels (@oy, @ox) and (@oy, @ox + 1)
 * by the filters packed in @bp, whose sums per tap are in @tsum.  A tap
 * in the padding adds nothing to its pixel, so its sum goes to @junk.
 */
static void enpu_sim_conv_tile(const s8 *in, const u64 *bp, const u64 *tsum,
			       const struct drm_enpu_conv2d *c,
			       const struct enpu_sim_quant *q, u32 oy, u32 ox,
			       u64 *s0, u64 *s1)
{
	u64 junk[ENPU_SIM_PAIRS] = {}, *d0, *d1;
	const s8 *p0, *p1;
	u32 ky, kx, tap;
	s32 y;

	memset(s0, 0, ENPU_SIM_PAIRS * sizeof(*s0));
	memset(s1, 0, ENPU_SIM_PAIRS * sizeof(*s1));
	for (ky = 0; ky < c->kh; ky++) {
		y = (s32)(oy * c->stride_h + ky * c->dilation_h) - c->pad_top;
		if (y < 0 || y >= c->h)
			continue;
		for (kx = 0; kx < c->kw; kx++) {
			p0 = enpu_sim_conv_px(in, c, y, ox, kx);
			p1 = enpu_sim_conv_px(in, c, y, ox + 1, kx);
			if (!p0 && !p1)
				continue;
			tap = ky * c->kw + kx;
			d0 = p0 ? s0 : junk;
			d1 = p1 ? s1 : junk;
			enpu_sim_dot(p0 ?: p1, p1 ?: p0,
				     bp + tap * c->cin * ENPU_SIM_PAIRS, c->cin, d0, d1);
			enpu_sim_zp(d0, tsum + tap * ENPU_SIM_PAIRS, q->a_zp);
			enpu_sim_zp(d1, tsum + tap * ENPU_SIM_PAIRS, q->a_zp);
		}
	}
}

/**
 * enpu_sim_conv2d() - regular or depthwise int8 convolution
 * @in: H x W x Cin input
 * @f: the filter (OHWI, or HWO when depthwise)
 * @bias: Cout values, or NULL
 * @out: OH x OW x Cout output
 * @c: shape
 * @q: zero points (a_zp: input, b_zp: filter), requantization and clamp
 *
 * A regular convolution with at most %ENPU_SIM_LANE_MAX taps per output
 * takes the packed path; the result is the same either way.
 *
 * Return: 0, or -ENOMEM.
 */
int enpu_sim_conv2d(const s8 *in, const s8 *f, const s32 *bias, s8 *out,
		    const struct drm_enpu_conv2d *c, const struct enpu_sim_quant *q)
{
	u32 taps = c->kh * c->kw * c->cin, co, cols, t, oy, ox;
	u64 *bp, *tsum, s0[ENPU_SIM_PAIRS], s1[ENPU_SIM_PAIRS];
	s8 *o;

	if (c->depthwise || (u64)c->kh * c->kw * c->cin > ENPU_SIM_LANE_MAX) {
		enpu_sim_conv2d_plain(in, f, bias, out, c, q);
		return 0;
	}
	/* the packed filters, then their sums per tap (kernel position) */
	bp = kvmalloc_array(taps + c->kh * c->kw, ENPU_SIM_PAIRS * sizeof(*bp),
			    GFP_KERNEL);
	if (!bp)
		return -ENOMEM;
	tsum = bp + taps * ENPU_SIM_PAIRS;
	for (co = 0; co < c->cout; co += ENPU_SIM_COLS) {
		cols = min(c->cout - co, ENPU_SIM_COLS);
		memset(tsum, 0, c->kh * c->kw * ENPU_SIM_PAIRS * sizeof(*tsum));
		for (t = 0; t < taps; t++)
			enpu_sim_pack_cols(bp + t * ENPU_SIM_PAIRS,
					   tsum + t / c->cin * ENPU_SIM_PAIRS,
					   f + co * taps + t, taps, cols, q->b_zp);
		for (oy = 0; oy < c->oh; oy++) {
			for (ox = 0; ox < c->ow; ox += 2) {
				enpu_sim_conv_tile(in, bp, tsum, c, q, oy, ox, s0, s1);
				o = out + (oy * c->ow + ox) * c->cout + co;
				enpu_sim_tile_out(s0, bias ? bias + co : NULL, o,
						  cols, q);
				if (ox + 1 < c->ow)
					enpu_sim_tile_out(s1, bias ? bias + co : NULL,
							  o + c->cout, cols, q);
				cond_resched();
			}
		}
	}
	kvfree(bp);
	return 0;
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
