// SPDX-License-Identifier: GPL-2.0-only
/*
 * The emulated NPU's command-stream decoder.  Every instruction is read
 * through the job's device page table and validated before it runs; every
 * operand is translated with the access it needs.  Anything wrong is a
 * device fault that ends the job: -EINVAL for a bad instruction or a stream
 * without END, -EFAULT for an address the device cannot reach.
 */
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include <drm/enpu_accel.h>

#include "../enpu_vm.h"
#include "enpu_sim.h"

/* Per-job totals, so that one job's modeled time and copying stay bounded. */
struct enpu_sim_budget {
	u64 spin_cycles;
	u64 dma_bytes;
	u64 macs;
};

static bool enpu_sim_args_zero(const struct drm_enpu_instr *in, unsigned int from)
{
	unsigned int i;

	for (i = from; i < ARRAY_SIZE(in->arg); i++)
		if (in->arg[i])
			return false;
	return true;
}

static int enpu_sim_dma(struct enpu_sim *sim, struct enpu_hw_job *job,
			const struct drm_enpu_instr *in, struct enpu_sim_budget *b)
{
	u64 src = in->arg[0], dst = in->arg[1], len = in->arg[2], done;
	const char *why;
	void *buf;
	int ret;

	if (!len || len > DRM_ENPU_DMA_MAX_BYTES || !enpu_sim_args_zero(in, 3) ||
	    b->dma_bytes + len > DRM_ENPU_DMA_MAX_BYTES)
		return -EINVAL;
	b->dma_bytes += len;

	/* Check both ranges whole before moving a byte. */
	if (enpu_vm_translate(job->vm, src, len, ENPU_ACCESS_READ, NULL, &why) ||
	    enpu_vm_translate(job->vm, dst, len, ENPU_ACCESS_WRITE, NULL, &why))
		return -EFAULT;

	buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	for (done = 0; done < len; done += PAGE_SIZE) {
		size_t n = min_t(u64, PAGE_SIZE, len - done);

		ret = enpu_vm_read(job->vm, src + done, buf, n, &why);
		if (!ret)
			ret = enpu_vm_write(job->vm, dst + done, buf, n, &why);
		if (ret)
			break;
		cond_resched();
	}
	kfree(buf);
	job->cycles += DIV_ROUND_UP_ULL(len, sim->dma_bytes_per_cycle);
	return ret;
}

/* Decode DRM_ENPU_QUANT() and DRM_ENPU_REQUANT(); false if malformed. */
static bool enpu_sim_decode_quant(u64 quant, u64 requant, struct enpu_sim_quant *q)
{
	q->a_zp = (s8)(quant & 0xff);
	q->b_zp = (s8)((quant >> 8) & 0xff);
	q->out_zp = (s8)((quant >> 16) & 0xff);
	q->act_min = (s8)((quant >> 24) & 0xff);
	q->act_max = (s8)((quant >> 32) & 0xff);
	q->multiplier = (s32)(requant & 0xffffffff);
	q->shift = (s8)((requant >> 32) & 0xff);
	return !(quant >> 40) && !(requant >> 40) && q->multiplier >= 0 &&
	       q->act_min <= q->act_max && q->shift >= -31 && q->shift <= 30;
}

/* Read @len bytes at @va into a new buffer; NULL with *@ret on failure. */
static void *enpu_sim_fetch(struct enpu_hw_job *job, u64 va, size_t len, int *ret)
{
	const char *why;
	void *buf = kvmalloc(len, GFP_KERNEL);

	if (!buf) {
		*ret = -ENOMEM;
		return NULL;
	}
	*ret = enpu_vm_read(job->vm, va, buf, len, &why);
	if (*ret) {
		kvfree(buf);
		return NULL;
	}
	return buf;
}

static int enpu_sim_op_gemm(struct enpu_sim *sim, struct enpu_hw_job *job,
			    const struct drm_enpu_instr *in,
			    struct enpu_sim_budget *b)
{
	u64 dims = in->arg[4], macs;
	u32 m = dims & 0xffff, n = (dims >> 16) & 0xffff, k = (dims >> 32) & 0xffff;
	s8 *a = NULL, *w = NULL, *c = NULL;
	struct enpu_sim_quant q;
	s32 *bias = NULL;
	const char *why;
	int ret;

	if (!m || !n || !k || m > DRM_ENPU_GEMM_MAX_DIM || n > DRM_ENPU_GEMM_MAX_DIM ||
	    k > DRM_ENPU_GEMM_MAX_DIM || dims >> 48 ||
	    !enpu_sim_decode_quant(in->arg[5], in->arg[6], &q))
		return -EINVAL;
	macs = (u64)m * n * k;
	if (b->macs + macs > DRM_ENPU_MAX_JOB_MACS)
		return -EINVAL;
	b->macs += macs;

	/* Every operand must be reachable before anything is written. */
	if (enpu_vm_translate(job->vm, in->arg[3], (u64)m * n, ENPU_ACCESS_WRITE,
			      NULL, &why))
		return -EFAULT;

	a = enpu_sim_fetch(job, in->arg[0], (size_t)m * k, &ret);
	if (a)
		w = enpu_sim_fetch(job, in->arg[1], (size_t)k * n, &ret);
	if (w && in->arg[2])
		bias = enpu_sim_fetch(job, in->arg[2], (size_t)n * 4, &ret);
	if (ret)
		goto out;
	c = kvmalloc((size_t)m * n, GFP_KERNEL);
	if (!c) {
		ret = -ENOMEM;
		goto out;
	}

	ret = enpu_sim_gemm(a, w, bias, c, m, n, k, &q);
	if (ret)
		goto out;
	ret = enpu_vm_write(job->vm, in->arg[3], c, (size_t)m * n, &why);
	job->cycles += DIV_ROUND_UP_ULL(macs, sim->gemm_macs_per_cycle);
out:
	kvfree(a);
	kvfree(w);
	kvfree(bias);
	kvfree(c);
	return ret;
}

/* Decode and check a POOL instruction's shape; false if malformed. */
static bool enpu_sim_decode_pool(const struct drm_enpu_instr *in,
				 struct enpu_sim_pool *p)
{
	u64 dims = in->arg[2], out = in->arg[3], win = in->arg[4], clamp = in->arg[5];
	u32 mode = (win >> 48) & 0xff;

	p->h = dims & 0xffff;
	p->w = (dims >> 16) & 0xffff;
	p->c = (dims >> 32) & 0xffff;
	p->oh = out & 0xffff;
	p->ow = (out >> 16) & 0xffff;
	p->kh = win & 0xff;
	p->kw = (win >> 8) & 0xff;
	p->sh = (win >> 16) & 0xff;
	p->sw = (win >> 24) & 0xff;
	p->pad_top = (win >> 32) & 0xff;
	p->pad_left = (win >> 40) & 0xff;
	p->avg = mode == DRM_ENPU_POOL_AVG;
	p->act_min = (s8)(clamp & 0xff);
	p->act_max = (s8)((clamp >> 8) & 0xff);

	if (dims >> 48 || out >> 32 || win >> 56 || clamp >> 16 || mode > 1 ||
	    !enpu_sim_args_zero(in, 6) || p->act_min > p->act_max)
		return false;
	if (!p->h || !p->w || !p->c || !p->oh || !p->ow || !p->kh || !p->kw ||
	    !p->sh || !p->sw || p->h > DRM_ENPU_GEMM_MAX_DIM ||
	    p->w > DRM_ENPU_GEMM_MAX_DIM || p->c > DRM_ENPU_GEMM_MAX_DIM ||
	    p->oh > DRM_ENPU_GEMM_MAX_DIM || p->ow > DRM_ENPU_GEMM_MAX_DIM ||
	    p->pad_top >= p->kh || p->pad_left >= p->kw)
		return false;
	/*
	 * Every window must overlap the image: the first does as the padding
	 * is smaller than the window, the last must start inside it.
	 */
	return (u64)(p->oh - 1) * p->sh < (u64)p->h + p->pad_top &&
	       (u64)(p->ow - 1) * p->sw < (u64)p->w + p->pad_left;
}

static int enpu_sim_op_pool(struct enpu_sim *sim, struct enpu_hw_job *job,
			    const struct drm_enpu_instr *in,
			    struct enpu_sim_budget *b)
{
	struct enpu_sim_pool p;
	size_t in_len, out_len;
	const char *why;
	s8 *src, *dst;
	u64 work;
	int ret;

	if (!enpu_sim_decode_pool(in, &p))
		return -EINVAL;
	in_len = (size_t)p.h * p.w * p.c;
	out_len = (size_t)p.oh * p.ow * p.c;
	work = (u64)out_len * p.kh * p.kw;
	if (in_len > DRM_ENPU_DMA_MAX_BYTES || out_len > DRM_ENPU_DMA_MAX_BYTES ||
	    b->macs + work > DRM_ENPU_MAX_JOB_MACS)
		return -EINVAL;
	b->macs += work;

	if (enpu_vm_translate(job->vm, in->arg[1], out_len, ENPU_ACCESS_WRITE,
			      NULL, &why))
		return -EFAULT;
	src = enpu_sim_fetch(job, in->arg[0], in_len, &ret);
	if (!src)
		return ret;
	dst = kvmalloc(out_len, GFP_KERNEL);
	if (!dst) {
		kvfree(src);
		return -ENOMEM;
	}
	enpu_sim_pool(src, dst, &p);
	ret = enpu_vm_write(job->vm, in->arg[1], dst, out_len, &why);
	job->cycles += DIV_ROUND_UP_ULL(work, sim->eltwise_per_cycle);
	kvfree(src);
	kvfree(dst);
	return ret;
}

static bool enpu_sim_conv2d_valid(const struct drm_enpu_conv2d *c)
{
	u32 i;

	for (i = 0; i < ARRAY_SIZE(c->reserved); i++)
		if (c->reserved[i])
			return false;
	return c->h && c->w && c->cin && c->cout && c->oh && c->ow &&
	       c->h <= DRM_ENPU_GEMM_MAX_DIM && c->w <= DRM_ENPU_GEMM_MAX_DIM &&
	       c->cin <= DRM_ENPU_GEMM_MAX_DIM && c->cout <= DRM_ENPU_GEMM_MAX_DIM &&
	       c->oh <= DRM_ENPU_GEMM_MAX_DIM && c->ow <= DRM_ENPU_GEMM_MAX_DIM &&
	       c->kh && c->kw && c->stride_h && c->stride_w && c->dilation_h &&
	       c->dilation_w && c->depthwise <= 1 &&
	       (!c->depthwise || !(c->cout % c->cin));
}

static int enpu_sim_op_conv2d(struct enpu_sim *sim, struct enpu_hw_job *job,
			      const struct drm_enpu_instr *in,
			      struct enpu_sim_budget *b)
{
	size_t in_len, f_len, out_len;
	struct drm_enpu_conv2d c;
	s8 *src = NULL, *f = NULL, *dst = NULL;
	struct enpu_sim_quant q;
	s32 *bias = NULL;
	const char *why;
	u64 macs;
	int ret;

	if (!IS_ALIGNED(in->arg[0], 8) || !enpu_sim_args_zero(in, 1))
		return -EINVAL;
	if (enpu_vm_read(job->vm, in->arg[0], &c, sizeof(c), &why))
		return -EFAULT;
	if (!enpu_sim_conv2d_valid(&c) ||
	    !enpu_sim_decode_quant(c.quant, c.requant, &q))
		return -EINVAL;

	in_len = (size_t)c.h * c.w * c.cin;
	f_len = (size_t)c.kh * c.kw * c.cout * (c.depthwise ? 1 : c.cin);
	out_len = (size_t)c.oh * c.ow * c.cout;
	macs = (u64)out_len * c.kh * c.kw * (c.depthwise ? 1 : c.cin);
	if (in_len > DRM_ENPU_DMA_MAX_BYTES || f_len > DRM_ENPU_DMA_MAX_BYTES ||
	    out_len > DRM_ENPU_DMA_MAX_BYTES || b->macs + macs > DRM_ENPU_MAX_JOB_MACS)
		return -EINVAL;
	b->macs += macs;

	if (enpu_vm_translate(job->vm, c.output, out_len, ENPU_ACCESS_WRITE,
			      NULL, &why))
		return -EFAULT;
	src = enpu_sim_fetch(job, c.input, in_len, &ret);
	if (src)
		f = enpu_sim_fetch(job, c.filter, f_len, &ret);
	if (f && c.bias)
		bias = enpu_sim_fetch(job, c.bias, (size_t)c.cout * 4, &ret);
	if (ret)
		goto out;
	dst = kvmalloc(out_len, GFP_KERNEL);
	if (!dst) {
		ret = -ENOMEM;
		goto out;
	}
	ret = enpu_sim_conv2d(src, f, bias, dst, &c, &q);
	if (ret)
		goto out;
	ret = enpu_vm_write(job->vm, c.output, dst, out_len, &why);
	job->cycles += DIV_ROUND_UP_ULL(macs, sim->conv_macs_per_cycle);
out:
	kvfree(src);
	kvfree(f);
	kvfree(bias);
	kvfree(dst);
	return ret;
}

static int enpu_sim_op_add(struct enpu_sim *sim, struct enpu_hw_job *job,
			   const struct drm_enpu_instr *in,
			   struct enpu_sim_budget *b)
{
	struct enpu_sim_quant qa, qb, qo;
	s8 *x = NULL, *y = NULL, *z = NULL;
	struct drm_enpu_add d;
	const char *why;
	int ret;

	if (!IS_ALIGNED(in->arg[0], 8) || !enpu_sim_args_zero(in, 1))
		return -EINVAL;
	if (enpu_vm_read(job->vm, in->arg[0], &d, sizeof(d), &why))
		return -EFAULT;
	/* Only the multiplier and shift of the second and output scalings count. */
	if (d.reserved[0] || d.reserved[1] || d.reserved[2] || !d.count ||
	    d.count > DRM_ENPU_DMA_MAX_BYTES || d.left_shift > 20 ||
	    !enpu_sim_decode_quant(d.quant, d.a_requant, &qa) ||
	    !enpu_sim_decode_quant(d.quant, d.b_requant, &qb) ||
	    !enpu_sim_decode_quant(d.quant, d.out_requant, &qo) ||
	    b->macs + d.count > DRM_ENPU_MAX_JOB_MACS)
		return -EINVAL;
	b->macs += d.count;

	if (enpu_vm_translate(job->vm, d.out, d.count, ENPU_ACCESS_WRITE, NULL, &why))
		return -EFAULT;
	x = enpu_sim_fetch(job, d.a, d.count, &ret);
	if (x)
		y = enpu_sim_fetch(job, d.b, d.count, &ret);
	if (ret)
		goto out;
	z = kvmalloc(d.count, GFP_KERNEL);
	if (!z) {
		ret = -ENOMEM;
		goto out;
	}
	enpu_sim_add(x, y, z, d.count, d.left_shift, &qa, &qb, &qo);
	ret = enpu_vm_write(job->vm, d.out, z, d.count, &why);
	job->cycles += DIV_ROUND_UP_ULL(d.count, sim->eltwise_per_cycle);
out:
	kvfree(x);
	kvfree(y);
	kvfree(z);
	return ret;
}

static int enpu_sim_op_spin(struct enpu_hw_job *job,
			    const struct drm_enpu_instr *in,
			    struct enpu_sim_budget *b)
{
	if (!in->arg[0] || !enpu_sim_args_zero(in, 1) ||
	    in->arg[0] > DRM_ENPU_SPIN_MAX_CYCLES - b->spin_cycles)
		return -EINVAL;
	b->spin_cycles += in->arg[0];
	job->cycles += in->arg[0];
	return 0;
}

/**
 * enpu_sim_exec() - run one job's command stream
 * @c: the core
 * @job: the job; its @cycles accumulate the modeled cost
 *
 * Return: 0 when the stream reached END, the fault, or -ETIMEDOUT when a
 * reset stopped the core (or the firmware crashed) between instructions.
 */
int enpu_sim_exec(struct enpu_sim_core *c, struct enpu_hw_job *job)
{
	struct enpu_sim *sim = c->sim;
	struct enpu_sim_budget budget = {};
	struct drm_enpu_instr in;
	const char *why;
	u32 off;
	int ret;

	for (off = 0; off + sizeof(in) <= job->cmd_size; off += sizeof(in)) {
		if (enpu_sim_stopping(c))
			return -ETIMEDOUT;
		atomic64_inc(&c->progress);
		if (enpu_vm_read(job->vm, job->cmd_va + off, &in, sizeof(in), &why))
			return -EFAULT;
		job->cycles += sim->overhead_cycles;
		if (in.flags || in.pad)
			return -EINVAL;

		switch (in.opcode) {
		case DRM_ENPU_OP_END:
			return enpu_sim_args_zero(&in, 0) ? 0 : -EINVAL;
		case DRM_ENPU_OP_NOP:
			ret = enpu_sim_args_zero(&in, 0) ? 0 : -EINVAL;
			break;
		case DRM_ENPU_OP_SPIN:
			ret = enpu_sim_op_spin(job, &in, &budget);
			break;
		case DRM_ENPU_OP_DMA_COPY:
			ret = enpu_sim_dma(sim, job, &in, &budget);
			break;
		case DRM_ENPU_OP_GEMM:
			ret = enpu_sim_op_gemm(sim, job, &in, &budget);
			break;
		case DRM_ENPU_OP_POOL:
			ret = enpu_sim_op_pool(sim, job, &in, &budget);
			break;
		case DRM_ENPU_OP_CONV2D:
			ret = enpu_sim_op_conv2d(sim, job, &in, &budget);
			break;
		case DRM_ENPU_OP_ADD:
			ret = enpu_sim_op_add(sim, job, &in, &budget);
			break;
		default:
			ret = -EINVAL;
		}
		if (ret)
			return ret;
		cond_resched();
	}
	return -EINVAL;	/* ran out of stream before END */
}
