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
#include <linux/devfreq.h>
#include <linux/dma-fence-chain.h>
#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/pm_runtime.h>
#include <linux/slab.h>

#include <drm/drm_drv.h>
#include <drm/drm_exec.h>
#include <drm/drm_gem.h>
#include <drm/drm_print.h>
#include <drm/drm_syncobj.h>

#include <drm/enpu_accel.h>

#include "enpu_budget.h"
#include "enpu_ctx.h"
#include "enpu_drv.h"
#include "enpu_fault.h"
#include "enpu_fw.h"
#include "enpu_genl.h"
#include "enpu_hw.h"
#include "enpu_job.h"
#include "enpu_trace.h"
#include "enpu_vm.h"

static unsigned int enpu_job_timeout = 2000;
module_param_named(job_timeout_ms, enpu_job_timeout, uint, 0644);
MODULE_PARM_DESC(job_timeout_ms,
		 "Default time a job may hold a core without progress (ms)");

static unsigned int enpu_job_timeout_max = 30000;
module_param_named(job_timeout_max_ms, enpu_job_timeout_max, uint, 0644);
MODULE_PARM_DESC(job_timeout_max_ms,
		 "Longest job timeout a context may ask for; also bounds jobs that progress (ms)");

/*
 * A job in a core's ring cannot be overtaken, so every job there delays a
 * higher-priority one.  One job per core halves the worst wait of an
 * interactive job behind long background jobs (bench/sched) for ~3% of
 * null-job throughput (bench/submit).
 */
static unsigned int enpu_queue_depth = 1;
module_param_named(queue_depth, enpu_queue_depth, uint, 0444);
MODULE_PARM_DESC(queue_depth,
		 "Jobs the driver keeps in each core's ring (1-64); deeper rings weaken priorities");

/* How often the scheduler looks at a job holding a core. */
#define ENPU_TDR_TICK_MS	100
/* Device boots a device reset tries before giving up. */
#define ENPU_RESET_BOOT_TRIES	3

u32 enpu_job_timeout_max_ms(void)
{
	return max(READ_ONCE(enpu_job_timeout_max), DRM_ENPU_MIN_JOB_TIMEOUT_MS);
}

u32 enpu_job_timeout_default_ms(void)
{
	return clamp(READ_ONCE(enpu_job_timeout), DRM_ENPU_MIN_JOB_TIMEOUT_MS,
		     enpu_job_timeout_max_ms());
}

/**
 * struct enpu_job - a submitted command stream
 * @base: the scheduler job
 * @ctx: its context
 * @hw: what the device gets
 * @bos: the buffers of the BO list
 * @bo_flags: DRM_ENPU_BO_REF_* per buffer
 * @bo_count: entries in @bos
 * @hw_fence: signalled by the completion interrupt
 * @done_cb: counts the job in its context when its finished fence signals
 * @client: the submitting file's client id (tracing)
 * @point: its point on the context's timeline
 * @progress: the core's progress counter when the timeout last looked
 */
struct enpu_job {
	struct drm_sched_job base;
	struct enpu_ctx *ctx;
	struct enpu_hw_job hw;
	struct drm_gem_object **bos;
	u32 *bo_flags;
	u32 bo_count;
	struct dma_fence *hw_fence;
	struct dma_fence_cb done_cb;
	u64 client;
	u64 point;
	u64 progress;
};

static struct enpu_job *to_enpu_job(struct drm_sched_job *job)
{
	return container_of(job, struct enpu_job, base);
}

static u32 enpu_job_core(struct enpu_job *job)
{
	return job->base.sched - job->ctx->edev->sched;
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
	struct enpu_device *edev = job->ctx->edev;
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
	if (atomic_dec_and_test(&edev->jobs))
		wake_up_all(&edev->jobs_idle);
}

/*
 * A job whose finished fence already carries an error (a failed
 * dependency, or its context went guilty while it waited) does not reach
 * the device: the scheduler completes it with that error.
 *
 * Called again for a job that already has a hardware fence when the
 * timeout handler hands the pending jobs back (see enpu_job_timedout()):
 * nothing runs twice, the scheduler gets the same fence back.
 */
static struct dma_fence *enpu_job_run(struct drm_sched_job *sched_job)
{
	struct enpu_job *job = to_enpu_job(sched_job);
	struct enpu_ctx *ctx = job->ctx;
	struct enpu_device *edev = ctx->edev;
	u32 core = enpu_job_core(job);
	struct dma_fence *fence;
	int ret;

	if (job->hw_fence)
		return dma_fence_get(job->hw_fence);

	trace_enpu_job_run(job->client, ctx->id, job->point, core);
	ret = sched_job->s_fence->finished.error;
	if (!ret && enpu_fault_hw(ENPU_FAULT_SUBMIT))
		ret = -EIO;
	if (ret)	/* no hardware fence: seqnos stay in ring order */
		return ERR_PTR(ret);

	fence = kzalloc(sizeof(*fence), GFP_KERNEL);
	if (!fence)
		return ERR_PTR(-ENOMEM);
	/*
	 * Held from the ring until the device completes the job.  Runtime PM
	 * is off only while the device goes away (-EACCES): -ENODEV then.
	 */
	ret = enpu_pm_get(edev);
	if (ret) {
		kfree(fence);
		return ERR_PTR(ret == -EACCES ? -ENODEV : ret);
	}
	dma_fence_init(fence, &enpu_fence_ops, &edev->fence_lock,
		       edev->fence_context + core, ++edev->fence_seqno[core]);
	job->hw_fence = dma_fence_get(fence);
	/* Before the device can complete it: the budget serialises on it. */
	enpu_budget_started(&ctx->budget, fence);

	ret = edev->hw->ops->submit(edev->hw, core, &job->hw);
	if (ret) {
		dma_fence_set_error(fence, ret);
		dma_fence_signal(fence);
		enpu_pm_put(edev);
	}
	return fence;
}

/* drm_sched asks before every job: the context's budget may hold it. */
static struct dma_fence *enpu_job_prepare(struct drm_sched_job *sched_job,
					  struct drm_sched_entity *entity)
{
	return enpu_budget_admit(&to_enpu_job(sched_job)->ctx->budget);
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
	struct enpu_device *edev = ctx->edev;
	struct dma_fence *fence = job->hw_fence;
	u64 busy = hwjob->end_ns - hwjob->start_ns;

	atomic64_add(busy, &ctx->busy_ns);
	atomic64_add(busy, &ctx->stats->busy_ns);
	atomic64_add(hwjob->cycles, &ctx->stats->cycles);
	enpu_budget_charge(&ctx->budget, busy);

	/* The stream's own faults make its context guilty. */
	if (hwjob->status == -EFAULT || hwjob->status == -EINVAL) {
		atomic_set(&ctx->guilty, 1);
		enpu_genl_job_event(ctx, ENPU_CMD_JOB_FAULT_NTF, core,
				    hwjob->status);
	}
	if (hwjob->status)
		dma_fence_set_error(fence, hwjob->status);
	trace_enpu_job_done(job->client, ctx->id, job->point, core,
			    hwjob->status, busy);
	dma_fence_signal(fence);
	/* The job and its context may be gone now. */
	enpu_pm_put(edev);
}

/*
 * The finished fence signalled: count the job, whether it ran, failed on
 * the device, or never got there.  Runs before anyone waiting on the
 * context's timeline is woken (this callback was added first).
 */
static void enpu_job_done(struct dma_fence *fence, struct dma_fence_cb *cb)
{
	struct enpu_job *job = container_of(cb, struct enpu_job, done_cb);
	struct enpu_ctx *ctx = job->ctx;

	if (!fence->error) {
		atomic64_inc(&ctx->completed);
		return;
	}
	atomic_set(&ctx->last_error, fence->error);
	if (fence->error == -EIO && !atomic_read(&ctx->guilty))
		atomic_set(&ctx->innocent, 1);
	atomic64_inc(&ctx->failed);
}

static void enpu_reset_uevent(struct enpu_device *edev, int core)
{
	char event_env[] = "ENPU_EVENT=RESET";
	char core_env[32];
	char *envp[3];

	envp[0] = event_env;
	envp[1] = core_env;
	envp[2] = NULL;
	if (core < 0)
		strscpy(core_env, "ENPU_RESET=DEVICE");
	else
		snprintf(core_env, sizeof(core_env), "ENPU_RESET=CORE%d", core);
	kobject_uevent_env(&edev->drm.dev->kobj, KOBJ_CHANGE, envp);
	enpu_genl_reset_event(edev, core);
}

/* Keep the guilty context's jobs that wait in any ring off the device. */
static void enpu_job_cancel_ctx(struct enpu_device *edev, struct enpu_ctx *ctx)
{
	struct drm_sched_job *s_job;
	u32 i;

	for (i = 0; i < edev->fw.num_cores; i++) {
		struct drm_gpu_scheduler *sched = &edev->sched[i];

		spin_lock(&sched->job_list_lock);
		list_for_each_entry(s_job, &sched->pending_list, list)
			if (to_enpu_job(s_job)->ctx == ctx)
				WRITE_ONCE(to_enpu_job(s_job)->hw.cancel, true);
		spin_unlock(&sched->job_list_lock);
	}
}

/*
 * @job hung on @core: reset the core if it still holds @job, make the
 * context guilty and keep its other jobs off the device; the core goes on
 * with the innocent jobs in its ring.  If the core cannot be reset, reset
 * the device.
 * Called with @core's scheduler stopped, so @job is on its pending list.
 */
static void enpu_job_hung(struct enpu_device *edev, struct enpu_job *job,
			  u32 core, u64 held_ms)
{
	struct enpu_ctx *ctx = job->ctx;
	int ret;

	ret = edev->hw->ops->reset_core(edev->hw, core, &job->hw);
	if (ret == -ENOENT)	/* it completed after all */
		return;
	if (ret) {		/* the firmware is down: nobody is guilty */
		queue_work(edev->reset_wq, &edev->reset_work);
		return;
	}
	trace_enpu_job_timeout(job->client, ctx->id, job->point, core, held_ms);
	dev_warn(edev->drm.dev,
		 "core %u: job %llu of client %llu context %u held the core %llu ms without completing; core reset\n",
		 core, job->point, job->client, ctx->id, held_ms);
	drm_sched_increase_karma(&job->base);
	atomic_set(&ctx->guilty, 1);
	enpu_genl_job_event(ctx, ENPU_CMD_JOB_TIMEOUT_NTF, core, 0);
	if (atomic_inc_return(&ctx->stats->hangs) == DRM_ENPU_BAN_HANGS)
		dev_warn(edev->drm.dev, "client %llu banned after %u hangs\n",
			 job->client, DRM_ENPU_BAN_HANGS);
	/*
	 * With one job per ring (queue_depth=1) nothing of the context can be
	 * behind it; with deeper rings a job queued behind may have started
	 * between the reset and here.
	 */
	enpu_job_cancel_ctx(edev, ctx);
	atomic_inc(&edev->core_resets[core]);
	atomic_inc(&edev->resets);
	trace_enpu_reset(core, "hang");
	enpu_reset_uevent(edev, core);
}

/*
 * The scheduler's timer fires when the job at the head of a core's queue
 * has held it for a tick.  The job is hung if it made no progress since
 * the last look and has held the core longer than its context allows, or
 * if it has held the core longer than the administrator's maximum.
 *
 * Either way the scheduler is stopped and started again: in 6.12 that is
 * how the job goes back on the pending list and the timer is re-armed.
 * drm_sched_stop() detaches the jobs from their hardware fences;
 * drm_sched_resubmit_jobs() calls enpu_job_run() again, which re-attaches
 * the same fences (the device keeps running what it holds; the guilty
 * context's jobs get -ECANCELED, the hung job -ETIMEDOUT from the core
 * reset), and drm_sched_start() completes the jobs whose fences signalled
 * meanwhile.
 */
static enum drm_gpu_sched_stat enpu_job_timedout(struct drm_sched_job *sched_job)
{
	struct enpu_job *job = to_enpu_job(sched_job);
	struct drm_gpu_scheduler *sched = sched_job->sched;
	struct enpu_device *edev = job->ctx->edev;
	u32 core = enpu_job_core(job);
	struct enpu_hw_core_stats st;
	u64 start, held_ms = 0;
	bool hang = false;
	int idx;

	/* Powered down after a critical trip: the cooldown restarts all. */
	if (edev->pm.powered_down)
		return DRM_GPU_SCHED_STAT_NOMINAL;

	drm_sched_stop(sched, sched_job);
	if (!drm_dev_enter(&edev->drm, &idx)) {
		drm_sched_resubmit_jobs(sched);
		drm_sched_start(sched);
		return DRM_GPU_SCHED_STAT_ENODEV;
	}

	start = READ_ONCE(job->hw.start_ns);
	if (start && job->hw_fence && !dma_fence_is_signaled(job->hw_fence)) {
		edev->hw->ops->core_stats(edev->hw, core, &st);
		held_ms = div_u64(ktime_get_ns() - start, NSEC_PER_MSEC);
		if (held_ms >= enpu_job_timeout_max_ms())
			hang = true;
		else if (st.progress != job->progress)
			job->progress = st.progress;
		else
			hang = held_ms >= READ_ONCE(job->ctx->job_timeout_ms);
	}
	if (hang)
		enpu_job_hung(edev, job, core, held_ms);

	drm_dev_exit(idx);
	drm_sched_resubmit_jobs(sched);
	drm_sched_start(sched);
	return DRM_GPU_SCHED_STAT_NOMINAL;
}

static void enpu_job_free(struct drm_sched_job *sched_job)
{
	drm_sched_job_cleanup(sched_job);
	enpu_job_free_resources(to_enpu_job(sched_job));
}

static const struct drm_sched_backend_ops enpu_sched_ops = {
	.prepare_job = enpu_job_prepare,
	.run_job = enpu_job_run,
	.timedout_job = enpu_job_timedout,
	.free_job = enpu_job_free,
};

/*
 * Stop the device for a reset: the schedulers stop feeding it and it
 * fails every job it holds with -EIO.  Called on reset_wq.
 */
void enpu_device_stop(struct enpu_device *edev)
{
	u32 i;

	for (i = 0; i < edev->fw.num_cores; i++)
		drm_sched_wqueue_stop(&edev->sched[i]);
	edev->hw->ops->reset(edev->hw);
}

/*
 * Load and boot the firmware again, up to ENPU_RESET_BOOT_TRIES times,
 * and let the queues that waited resume (their jobs fail with -ENODEV if
 * the device did not boot).  Called on reset_wq after enpu_device_stop().
 */
int enpu_device_restart(struct enpu_device *edev)
{
	int ret = 0, tries;
	u32 i;

	for (tries = 0; tries < ENPU_RESET_BOOT_TRIES; tries++) {
		ret = enpu_fw_boot(edev);
		if (!ret)
			break;
	}
	if (ret)
		dev_err(edev->drm.dev,
			"device reset failed (%d): jobs will fail with -ENODEV\n",
			ret);
	edev->dead = ret;
	/* The device boots at its top OPP: let devfreq apply its limits. */
	if (!ret && edev->pm.devfreq) {
		mutex_lock(&edev->pm.devfreq->lock);
		update_devfreq(edev->pm.devfreq);
		mutex_unlock(&edev->pm.devfreq->lock);
	}
	atomic_inc(&edev->device_resets);
	atomic_inc(&edev->resets);
	trace_enpu_reset(-1, ret ? "boot failed" : "fatal error");
	enpu_reset_uevent(edev, -1);
	wake_up_all(&edev->reset_done);
	for (i = 0; i < edev->fw.num_cores; i++)
		drm_sched_wqueue_start(&edev->sched[i]);
	return ret;
}

/*
 * The device reset, the last resort: after a firmware crash, or when a
 * core cannot be reset.  The schedulers stop feeding the device, the
 * device fails every job it holds with -EIO, the firmware is loaded and
 * booted again, and the queues that waited resume.
 */
static void enpu_reset_work(struct work_struct *work)
{
	struct enpu_device *edev = container_of(work, struct enpu_device,
						 reset_work);
	int idx;

	if (!drm_dev_enter(&edev->drm, &idx))
		return;
	if (!edev->pm.powered_down) {	/* else the cooldown boots it */
		dev_warn(edev->drm.dev, "device reset: reloading firmware %s\n",
			 edev->fw_name);
		/* Asleep, it is woken only to be reset: the same cold start. */
		pm_runtime_get_sync(edev->drm.dev);
		enpu_device_stop(edev);
		enpu_device_restart(edev);
		enpu_pm_put(edev);
	}
	drm_dev_exit(idx);
}

/* The error interrupt, from the device's context. */
static void enpu_job_fatal(struct enpu_hw *hw)
{
	struct enpu_device *edev = dev_get_drvdata(hw->dev);

	if (edev)
		queue_work(edev->reset_wq, &edev->reset_work);
}

static const char *const enpu_core_names[ENPU_FW_MAX_CORES] = {
	"enpu-core0", "enpu-core1", "enpu-core2", "enpu-core3",
	"enpu-core4", "enpu-core5", "enpu-core6", "enpu-core7",
};

int enpu_sched_init(struct enpu_device *edev)
{
	struct drm_sched_init_args args = {
		.ops = &enpu_sched_ops,
		.num_rqs = DRM_SCHED_PRIORITY_COUNT,
		.credit_limit = clamp(enpu_queue_depth, 1u, ENPU_HW_RING_SIZE),
		.timeout = msecs_to_jiffies(ENPU_TDR_TICK_MS),
		.dev = edev->drm.dev,
	};
	u32 i;
	int ret;

	spin_lock_init(&edev->fence_lock);
	init_waitqueue_head(&edev->jobs_idle);
	init_waitqueue_head(&edev->reset_done);
	INIT_WORK(&edev->reset_work, enpu_reset_work);
	edev->fence_context = dma_fence_context_alloc(edev->fw.num_cores);
	edev->hw->complete = enpu_job_complete;
	edev->hw->fatal = enpu_job_fatal;

	/* Timeouts and resets of all cores run one at a time. */
	edev->reset_wq = enpu_fault_alloc() ? NULL :
			 alloc_ordered_workqueue("enpu-reset", 0);
	if (!edev->reset_wq)
		return -ENOMEM;
	args.timeout_wq = edev->reset_wq;

	for (i = 0; i < edev->fw.num_cores; i++) {
		args.name = enpu_core_names[i];
		edev->sched_list[i] = &edev->sched[i];
		ret = enpu_fault_call(drm_sched_init(&edev->sched[i], &args));
		if (ret) {
			while (i--)
				drm_sched_fini(&edev->sched[i]);
			destroy_workqueue(edev->reset_wq);
			return ret;
		}
	}
	return 0;
}

/*
 * Called with the device halted and every context destroyed: wait for
 * the jobs to be freed (6.12's drm_sched_fini() would leak the ones still
 * on a pending list) and for entities a racing close or CTX_DESTROY is
 * still tearing down (drm_sched_fini() frees the run queues they use),
 * then stop the schedulers.
 */
void enpu_sched_fini(struct enpu_device *edev)
{
	u32 i;

	if (!wait_event_timeout(edev->jobs_idle, !atomic_read(&edev->jobs) &&
				!atomic_read(&edev->entities), 10 * HZ))
		dev_err(edev->drm.dev, "%d jobs, %d queues still alive at removal\n",
			atomic_read(&edev->jobs), atomic_read(&edev->entities));
	cancel_work_sync(&edev->reset_work);
	for (i = 0; i < edev->fw.num_cores; i++)
		drm_sched_fini(&edev->sched[i]);
	destroy_workqueue(edev->reset_wq);
}

static int enpu_submit_bos(struct drm_device *drm, struct drm_file *file,
			   struct enpu_job *job, u64 uptr, u32 count)
{
	struct drm_enpu_bo_ref *refs;
	int ret = 0;
	u32 i;

	if (!count)
		return 0;
	refs = enpu_kvmalloc_array(count, sizeof(*refs), GFP_KERNEL);
	job->bos = enpu_kvcalloc(count, sizeof(*job->bos), GFP_KERNEL);
	job->bo_flags = enpu_kvcalloc(count, sizeof(*job->bo_flags), GFP_KERNEL);
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

/*
 * drm_sched moves an entity to another core only when none of its jobs
 * is queued or running.  A context given other cores that keeps jobs in
 * flight would stay where it is for good: its next submission waits for
 * the last job it pushed, interruptibly and outside the device's
 * drm_dev_enter() section (so that unplug never waits for it).  Not for
 * a frozen context: its jobs wait for the thaw, and it moves after that.
 */
static int enpu_submit_wait_move(struct enpu_ctx *ctx)
{
	struct dma_fence *fence = NULL;
	u64 runtime_us, period_us;
	bool frozen;
	long ret;

	if (!READ_ONCE(ctx->cores_moved))
		return 0;
	enpu_budget_get(&ctx->budget, &runtime_us, &period_us, &frozen);
	if (frozen)
		return 0;
	mutex_lock(&ctx->submit_lock);
	if (ctx->last_fence)
		fence = dma_fence_get(ctx->last_fence);
	mutex_unlock(&ctx->submit_lock);
	if (!fence)
		return 0;
	ret = dma_fence_wait(fence, true);
	dma_fence_put(fence);
	return ret < 0 ? ret : 0;
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
	if (ctx->cores_moved && BIT(enpu_job_core(job)) & ctx->cores_used)
		WRITE_ONCE(ctx->cores_moved, false);
	fence = dma_fence_get(&job->base.s_fence->finished);
	dma_fence_put(ctx->last_fence);
	ctx->last_fence = dma_fence_get(fence);
	/* Cannot fail: nothing has signalled the fence yet. */
	dma_fence_add_callback(fence, &job->done_cb, enpu_job_done);
	for (i = 0; i < job->bo_count; i++)
		dma_resv_add_fence(job->bos[i]->resv, fence,
				   job->bo_flags[i] & DRM_ENPU_BO_REF_WRITE ?
				   DMA_RESV_USAGE_WRITE : DMA_RESV_USAGE_READ);
	*point = ++ctx->seqno;
	job->point = *point;
	drm_syncobj_add_point(ctx->syncobj, chain, fence, *point);
	if (out)
		drm_syncobj_replace_fence(out, fence);
	atomic64_inc(&ctx->submitted);
	trace_enpu_job_submit(job->client, ctx->id, job->point,
			      enpu_job_core(job));
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
	if (atomic_read(&ctx->guilty) || enpu_file_banned(ctx->stats)) {
		drm_dbg(drm, "SUBMIT: context %u is guilty or its file banned\n",
			args->ctx_id);
		enpu_ctx_put(ctx);
		return -EBADFD;
	}
	ret = enpu_submit_wait_move(ctx);
	if (ret) {
		enpu_ctx_put(ctx);
		return ret;
	}

	if (!drm_dev_enter(drm, &idx)) {
		enpu_ctx_put(ctx);
		return -ENODEV;
	}

	job = enpu_kzalloc(sizeof(*job), GFP_KERNEL);
	if (!job) {
		enpu_ctx_put(ctx);
		ret = -ENOMEM;
		goto out_exit;
	}
	enpu_obj_get(ENPU_OBJ_JOB);
	atomic_inc(&to_enpu_device(drm)->jobs);
	job->ctx = ctx;
	job->client = file->client_id;
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
	chain = enpu_dma_fence_chain_alloc();
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
