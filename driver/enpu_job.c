// SPDX-License-Identifier: GPL-2.0-only
/*
 * Jobs: SUBMIT, the drm_sched back end (one scheduler per core), hardware
 * fences and the completion "interrupt".
 *
 * A job holds its context, its file's address space and every buffer in
 * its BO list until it is freed; it orders itself after those buffers'
 * earlier users through their reservation objects (drm_exec) and after the
 * in-fences the caller names, and signals a point on its context's
 * timeline syncobj.
 */
#include <linux/dma-fence-chain.h>
#include <linux/slab.h>

#include <drm/drm_drv.h>
#include <drm/drm_exec.h>
#include <drm/drm_gem.h>
#include <drm/drm_print.h>
#include <drm/drm_syncobj.h>

#include <drm/enpu_accel.h>

#include "enpu_ctx.h"
#include "enpu_drv.h"
#include "enpu_hw.h"
#include "enpu_job.h"
#include "enpu_vm.h"

#define ENPU_JOB_TIMEOUT_MS	30000

/**
 * struct enpu_job - a submitted command stream
 * @base: the scheduler job
 * @ctx: its context
 * @hw: what the device gets
 * @bos: the buffers of the BO list
 * @bo_flags: DRM_ENPU_BO_REF_* per buffer
 * @bo_count: entries in @bos
 * @hw_fence: signalled by the completion interrupt
 */
struct enpu_job {
	struct drm_sched_job base;
	struct enpu_ctx *ctx;
	struct enpu_hw_job hw;
	struct drm_gem_object **bos;
	u32 *bo_flags;
	u32 bo_count;
	struct dma_fence *hw_fence;
};

static struct enpu_job *to_enpu_job(struct drm_sched_job *job)
{
	return container_of(job, struct enpu_job, base);
}

static const char *enpu_fence_driver_name(struct dma_fence *fence)
{
	return ENPU_DRIVER_NAME;
}

static const char *enpu_fence_timeline_name(struct dma_fence *fence)
{
	return "enpu-core";
}

static const struct dma_fence_ops enpu_fence_ops = {
	.get_driver_name = enpu_fence_driver_name,
	.get_timeline_name = enpu_fence_timeline_name,
};

static void enpu_job_free_resources(struct enpu_job *job)
{
	u32 i;

	for (i = 0; i < job->bo_count; i++)
		if (job->bos[i])
			drm_gem_object_put(job->bos[i]);
	kvfree(job->bos);
	kvfree(job->bo_flags);
	dma_fence_put(job->hw_fence);
	enpu_vm_put(job->hw.vm);
	enpu_ctx_put(job->ctx);
	kfree(job);
	enpu_obj_put(ENPU_OBJ_JOB);
}

static struct dma_fence *enpu_job_run(struct drm_sched_job *sched_job)
{
	struct enpu_job *job = to_enpu_job(sched_job);
	struct enpu_device *edev = job->ctx->edev;
	u32 core = sched_job->sched - edev->sched;
	struct dma_fence *fence;
	int ret;

	if (unlikely(sched_job->s_fence->finished.error))
		return NULL;

	fence = kzalloc(sizeof(*fence), GFP_KERNEL);
	if (!fence)
		return ERR_PTR(-ENOMEM);
	dma_fence_init(fence, &enpu_fence_ops, &edev->fence_lock,
		       edev->fence_context + core, ++edev->fence_seqno[core]);
	job->hw_fence = dma_fence_get(fence);

	ret = edev->hw->ops->submit(edev->hw, core, &job->hw);
	if (ret) {
		dma_fence_set_error(fence, ret);
		dma_fence_signal(fence);
	}
	return fence;
}

/*
 * The completion interrupt, raised by the device from its own context.
 * Nothing may touch the job after its fence is signalled: the scheduler
 * may free it at once.
 */
static void enpu_job_complete(struct enpu_hw *hw, u32 core,
			      struct enpu_hw_job *hwjob)
{
	struct enpu_job *job = container_of(hwjob, struct enpu_job, hw);
	struct enpu_ctx *ctx = job->ctx;
	struct dma_fence *fence = job->hw_fence;

	if (hwjob->status) {
		atomic_set(&ctx->last_error, hwjob->status);
		atomic_set(&ctx->guilty, 1);
		atomic64_inc(&ctx->failed);
		dma_fence_set_error(fence, hwjob->status);
	} else {
		atomic64_inc(&ctx->completed);
	}
	dma_fence_signal(fence);
}

/*
 * Recovery (reset, guilty marking on hangs) is not written yet: the job
 * keeps running.  The scheduler took it off its pending list to hand it
 * here; stop and start put it back (and re-arm the timer), so that it is
 * freed when it completes.
 */
static enum drm_gpu_sched_stat enpu_job_timedout(struct drm_sched_job *sched_job)
{
	struct drm_gpu_scheduler *sched = sched_job->sched;

	dev_warn(sched->dev, "job on %s still running after %u ms\n",
		 sched->name, ENPU_JOB_TIMEOUT_MS);
	drm_sched_stop(sched, sched_job);
	drm_sched_start(sched);
	return DRM_GPU_SCHED_STAT_NOMINAL;
}

static void enpu_job_free(struct drm_sched_job *sched_job)
{
	drm_sched_job_cleanup(sched_job);
	enpu_job_free_resources(to_enpu_job(sched_job));
}

static const struct drm_sched_backend_ops enpu_sched_ops = {
	.run_job = enpu_job_run,
	.timedout_job = enpu_job_timedout,
	.free_job = enpu_job_free,
};

static const char *const enpu_core_names[ENPU_FW_MAX_CORES] = {
	"enpu-core0", "enpu-core1", "enpu-core2", "enpu-core3",
	"enpu-core4", "enpu-core5", "enpu-core6", "enpu-core7",
};

int enpu_sched_init(struct enpu_device *edev)
{
	struct drm_sched_init_args args = {
		.ops = &enpu_sched_ops,
		.num_rqs = DRM_SCHED_PRIORITY_COUNT,
		.credit_limit = ENPU_HW_RING_SIZE,
		.timeout = msecs_to_jiffies(ENPU_JOB_TIMEOUT_MS),
		.dev = edev->drm.dev,
	};
	u32 i;
	int ret;

	spin_lock_init(&edev->fence_lock);
	edev->fence_context = dma_fence_context_alloc(edev->fw.num_cores);
	edev->hw->complete = enpu_job_complete;

	for (i = 0; i < edev->fw.num_cores; i++) {
		args.name = enpu_core_names[i];
		edev->sched_list[i] = &edev->sched[i];
		ret = drm_sched_init(&edev->sched[i], &args);
		if (ret) {
			while (i--)
				drm_sched_fini(&edev->sched[i]);
			return ret;
		}
	}
	return 0;
}

void enpu_sched_fini(struct enpu_device *edev)
{
	u32 i;

	for (i = 0; i < edev->fw.num_cores; i++)
		drm_sched_fini(&edev->sched[i]);
}

static int enpu_submit_bos(struct drm_device *drm, struct drm_file *file,
			   struct enpu_job *job, u64 uptr, u32 count)
{
	struct drm_enpu_bo_ref *refs;
	int ret = 0;
	u32 i;

	if (!count)
		return 0;
	refs = kvmalloc_array(count, sizeof(*refs), GFP_KERNEL);
	job->bos = kvcalloc(count, sizeof(*job->bos), GFP_KERNEL);
	job->bo_flags = kvcalloc(count, sizeof(*job->bo_flags), GFP_KERNEL);
	if (!refs || !job->bos || !job->bo_flags) {
		ret = -ENOMEM;
		goto out;
	}
	if (copy_from_user(refs, u64_to_user_ptr(uptr), count * sizeof(*refs))) {
		ret = -EFAULT;
		goto out;
	}
	job->bo_count = count;
	for (i = 0; i < count; i++) {
		u32 f = refs[i].flags;

		if (!f || f & ~(DRM_ENPU_BO_REF_READ | DRM_ENPU_BO_REF_WRITE)) {
			drm_dbg(drm, "SUBMIT: bad flags 0x%x on BO %u\n", f, i);
			ret = -EINVAL;
			goto out;
		}
		job->bo_flags[i] = f;
		job->bos[i] = drm_gem_object_lookup(file, refs[i].handle);
		if (!job->bos[i]) {
			drm_dbg(drm, "SUBMIT: no BO handle %u\n", refs[i].handle);
			ret = -ENOENT;
			goto out;
		}
	}
out:
	kvfree(refs);
	return ret;
}

static int enpu_submit_in_fences(struct drm_device *drm, struct drm_file *file,
				 struct enpu_job *job, u64 uptr, u32 count)
{
	struct drm_enpu_fence_ref __user *ufences = u64_to_user_ptr(uptr);
	struct drm_enpu_fence_ref f;
	struct dma_fence *fence;
	int ret;
	u32 i;

	for (i = 0; i < count; i++) {
		if (copy_from_user(&f, &ufences[i], sizeof(f)))
			return -EFAULT;
		if (f.pad)
			return -EINVAL;
		/* Not drm_sched_job_add_syncobj_dependency(): its point is 32-bit. */
		ret = drm_syncobj_find_fence(file, f.syncobj, f.point, 0, &fence);
		if (!ret)
			ret = drm_sched_job_add_dependency(&job->base, fence);
		if (ret) {
			drm_dbg(drm, "SUBMIT: in-fence %u (syncobj %u point %llu): %d\n",
				i, f.syncobj, f.point, ret);
			return ret;
		}
	}
	return 0;
}

/* Lock the BO list, take implicit dependencies, push, publish the fence. */
static int enpu_submit_push(struct enpu_job *job, struct drm_syncobj *out,
			    struct dma_fence_chain *chain, u64 *point)
{
	struct enpu_ctx *ctx = job->ctx;
	struct dma_fence *fence;
	struct drm_exec exec;
	int ret = 0;
	u32 i;

	drm_exec_init(&exec, DRM_EXEC_INTERRUPTIBLE_WAIT |
		      DRM_EXEC_IGNORE_DUPLICATES, job->bo_count);
	drm_exec_until_all_locked(&exec) {
		for (i = 0; i < job->bo_count; i++) {
			ret = drm_exec_prepare_obj(&exec, job->bos[i], 1);
			drm_exec_retry_on_contention(&exec);
			if (ret)
				goto out;
		}
	}
	for (i = 0; i < job->bo_count; i++) {
		bool write = job->bo_flags[i] & DRM_ENPU_BO_REF_WRITE;

		ret = drm_sched_job_add_implicit_dependencies(&job->base,
							      job->bos[i], write);
		if (ret)
			goto out;
	}

	mutex_lock(&ctx->submit_lock);
	if (ctx->destroyed) {	/* lost a race with CTX_DESTROY */
		mutex_unlock(&ctx->submit_lock);
		ret = -ENOENT;
		goto out;
	}
	drm_sched_job_arm(&job->base);
	fence = dma_fence_get(&job->base.s_fence->finished);
	for (i = 0; i < job->bo_count; i++)
		dma_resv_add_fence(job->bos[i]->resv, fence,
				   job->bo_flags[i] & DRM_ENPU_BO_REF_WRITE ?
				   DMA_RESV_USAGE_WRITE : DMA_RESV_USAGE_READ);
	*point = ++ctx->seqno;
	drm_syncobj_add_point(ctx->syncobj, chain, fence, *point);
	if (out)
		drm_syncobj_replace_fence(out, fence);
	atomic64_inc(&ctx->submitted);
	drm_sched_entity_push_job(&job->base);
	mutex_unlock(&ctx->submit_lock);
	dma_fence_put(fence);
out:
	drm_exec_fini(&exec);
	return ret;
}

int enpu_ioctl_submit(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct enpu_file *efile = file->driver_priv;
	struct drm_enpu_submit *args = data;
	struct dma_fence_chain *chain = NULL;
	struct drm_syncobj *out = NULL;
	bool job_inited = false;
	struct enpu_job *job;
	struct enpu_ctx *ctx;
	int ret, idx;

	if (args->flags || !args->cmd_size ||
	    args->cmd_size % sizeof(struct drm_enpu_instr) ||
	    args->cmd_size > DRM_ENPU_MAX_CMD_SIZE || !IS_ALIGNED(args->cmd_va, 8) ||
	    args->bo_count > DRM_ENPU_MAX_BO_REFS ||
	    args->in_fence_count > DRM_ENPU_MAX_IN_FENCES) {
		drm_dbg(drm, "SUBMIT: bad flags, stream size/alignment or counts\n");
		return -EINVAL;
	}

	ctx = enpu_ctx_lookup(efile, args->ctx_id);
	if (!ctx) {
		drm_dbg(drm, "SUBMIT: no context %u\n", args->ctx_id);
		return -ENOENT;
	}
	if (atomic_read(&ctx->guilty)) {
		drm_dbg(drm, "SUBMIT: context %u is guilty\n", args->ctx_id);
		enpu_ctx_put(ctx);
		return -EBADFD;
	}

	if (!drm_dev_enter(drm, &idx)) {
		enpu_ctx_put(ctx);
		return -ENODEV;
	}

	job = kzalloc(sizeof(*job), GFP_KERNEL);
	if (!job) {
		enpu_ctx_put(ctx);
		ret = -ENOMEM;
		goto out_exit;
	}
	enpu_obj_get(ENPU_OBJ_JOB);
	job->ctx = ctx;
	job->hw.vm = enpu_vm_get(efile->vm);
	job->hw.cmd_va = args->cmd_va;
	job->hw.cmd_size = args->cmd_size;

	ret = enpu_submit_bos(drm, file, job, args->bos, args->bo_count);
	if (ret)
		goto err_free;

	ret = drm_sched_job_init(&job->base, &ctx->entity, 1, NULL, file->client_id);
	if (ret)
		goto err_free;
	job_inited = true;

	ret = enpu_submit_in_fences(drm, file, job, args->in_fences,
				    args->in_fence_count);
	if (ret)
		goto err_free;

	if (args->out_syncobj) {
		out = drm_syncobj_find(file, args->out_syncobj);
		if (!out) {
			drm_dbg(drm, "SUBMIT: no out syncobj %u\n", args->out_syncobj);
			ret = -ENOENT;
			goto err_free;
		}
		if (out == ctx->syncobj) {
			drm_dbg(drm, "SUBMIT: out syncobj is the context's timeline\n");
			ret = -EINVAL;
			goto err_free;
		}
	}
	chain = dma_fence_chain_alloc();
	if (!chain) {
		ret = -ENOMEM;
		goto err_free;
	}

	ret = enpu_submit_push(job, out, chain, &args->point);
	if (ret)
		goto err_free;
	/* The scheduler owns the job now. */
	goto out_put;

err_free:
	dma_fence_chain_free(chain);
	if (job_inited)
		drm_sched_job_cleanup(&job->base);
	enpu_job_free_resources(job);
out_put:
	if (out)
		drm_syncobj_put(out);
out_exit:
	drm_dev_exit(idx);
	return ret;
}
