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

#endif /* ENPU_INT8_REF_H */
