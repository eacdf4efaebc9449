// SPDX-License-Identifier: GPL-2.0-only
/*
 * Contexts: per-file job queues, each a drm_sched entity over all cores
 * with a timeline syncobj, a priority, a class hint and a state.
 */
#include <linux/capability.h>
#include <linux/pid.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include <drm/drm_drv.h>
#include <drm/drm_print.h>
#include <drm/drm_syncobj.h>

#include <drm/enpu_accel.h>

#include "enpu_budget.h"
#include "enpu_ctx.h"
#include "enpu_drv.h"
#include "enpu_fault.h"
#include "enpu_genl.h"

static const enum drm_sched_priority enpu_sched_prio[] = {
	[DRM_ENPU_PRIORITY_LOW] = DRM_SCHED_PRIORITY_LOW,
	[DRM_ENPU_PRIORITY_NORMAL] = DRM_SCHED_PRIORITY_NORMAL,
	[DRM_ENPU_PRIORITY_HIGH] = DRM_SCHED_PRIORITY_HIGH,
	[DRM_ENPU_PRIORITY_REALTIME] = DRM_SCHED_PRIORITY_KERNEL,
};

static void enpu_ctx_release(struct kref *ref)
{
	struct enpu_ctx *ctx = container_of(ref, struct enpu_ctx, ref);

	if (ctx->syncobj)
		drm_syncobj_put(ctx->syncobj);
	dma_fence_put(ctx->last_fence);
	enpu_budget_fini(&ctx->budget);
	enpu_file_stats_put(ctx->stats);
	put_pid(ctx->pid);
	mutex_destroy(&ctx->submit_lock);
	kfree(ctx);
	enpu_obj_put(ENPU_OBJ_CTX);
}

void enpu_ctx_put(struct enpu_ctx *ctx)
{
	kref_put(&ctx->ref, enpu_ctx_release);
}

struct enpu_ctx *enpu_ctx_lookup(struct enpu_file *efile, u32 id)
{
	struct enpu_ctx *ctx;

	xa_lock(&efile->ctxs);
	ctx = xa_load(&efile->ctxs, id);
	if (ctx)
		kref_get(&ctx->ref);
	xa_unlock(&efile->ctxs);
	return ctx;
}

/* The context @id of the file with drm-client-id @client, referenced. */
struct enpu_ctx *enpu_ctx_find(struct enpu_device *edev, u64 client, u32 id)
{
	struct drm_device *drm = &edev->drm;
	struct enpu_ctx *ctx = NULL;
	struct drm_file *file;

	mutex_lock(&drm->filelist_mutex);
	list_for_each_entry(file, &drm->filelist, lhead)
		if (file->client_id == client) {
			ctx = enpu_ctx_lookup(file->driver_priv, id);
			break;
		}
	mutex_unlock(&drm->filelist_mutex);
	return ctx;
}

/*
 * The schedulers must outlive every entity on them (drm_sched_fini()
 * frees their run queues): removal waits for this count to drop to zero.
 */
static void enpu_ctx_entity_destroy(struct enpu_ctx *ctx)
{
	struct enpu_device *edev = ctx->edev;

	drm_sched_entity_destroy(&ctx->entity);
	if (atomic_dec_and_test(&edev->entities))
		wake_up_all(&edev->jobs_idle);
}

/*
 * Stop a context taking jobs: jobs still queued are given a chance to run
 * (drm_sched_entity_destroy() waits for them unless the process is being
 * killed), jobs already on a core complete normally.
 */
static void enpu_ctx_destroy(struct enpu_ctx *ctx)
{
	/* A SUBMIT that already holds a reference must not push after this. */
	mutex_lock(&ctx->submit_lock);
	ctx->destroyed = true;
	mutex_unlock(&ctx->submit_lock);
	/* Jobs a budget or freeze holds are released, to run or fail. */
	enpu_budget_set(&ctx->budget, 0, 0);
	enpu_budget_freeze(&ctx->budget, false);
	enpu_ctx_entity_destroy(ctx);
	enpu_genl_ctx_event(ctx, ENPU_CMD_CTX_DESTROYED_NTF);
	enpu_ctx_put(ctx);
}

void enpu_ctx_destroy_all(struct enpu_file *efile)
{
	struct enpu_ctx *ctx;
	unsigned long id;

	/* Only the one who erases a context destroys it (CTX_DESTROY may race). */
	xa_for_each(&efile->ctxs, id, ctx)
		if (xa_erase(&efile->ctxs, id) == ctx)
			enpu_ctx_destroy(ctx);
}

int enpu_ioctl_ctx_create(struct drm_device *drm, void *data,
			  struct drm_file *file)
{
	struct enpu_device *edev = to_enpu_device(drm);
	struct enpu_file *efile = file->driver_priv;
	struct drm_enpu_ctx_create *args = data;
	struct enpu_ctx *ctx;
	u32 handle, id;
	int ret, idx;

	if (args->flags || args->pad ||
	    args->priority > DRM_ENPU_PRIORITY_REALTIME ||
	    args->class_hint > DRM_ENPU_CLASS_REALTIME) {
		drm_dbg(drm, "CTX_CREATE: bad priority, class, flags or pad\n");
		return -EINVAL;
	}
	if (enpu_file_banned(efile->stats)) {
		drm_dbg(drm, "CTX_CREATE: the file is banned after %u hangs\n",
			DRM_ENPU_BAN_HANGS);
		return -EBADFD;
	}
	if (args->priority > DRM_ENPU_PRIORITY_NORMAL && !capable(CAP_SYS_NICE)) {
		drm_dbg(drm, "CTX_CREATE: priority %u needs CAP_SYS_NICE\n",
			args->priority);
		return -EACCES;
	}

	if (!drm_dev_enter(drm, &idx))
		return -ENODEV;

	ctx = enpu_kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!ctx) {
		ret = -ENOMEM;
		goto out_exit;
	}
	kref_init(&ctx->ref);
	mutex_init(&ctx->submit_lock);
	ctx->edev = edev;
	ctx->stats = efile->stats;
	kref_get(&ctx->stats->ref);
	ctx->client = file->client_id;
	ctx->pid = get_pid(task_tgid(current));
	get_task_comm(ctx->comm, current);
	ctx->priority = args->priority;
	ctx->priority_grant = DRM_ENPU_PRIORITY_NORMAL;
	ctx->class_hint = args->class_hint;
	ctx->job_timeout_ms = enpu_job_timeout_default_ms();
	ctx->core_mask = GENMASK(edev->fw.num_cores - 1, 0);
	ctx->cores_allowed = ctx->core_mask;
	ctx->cores_used = ctx->core_mask;
	memcpy(ctx->sched_list, edev->sched_list, sizeof(ctx->sched_list));
	ctx->reset_base = atomic_read(&edev->resets);
	enpu_budget_init(&ctx->budget);
	enpu_obj_get(ENPU_OBJ_CTX);

	ret = drm_syncobj_create(&ctx->syncobj, 0, NULL);
	if (ret)
		goto err_put;

	/*
	 * The entity keeps the list pointer, and sets @guilty when a job of
	 * the context hangs (drm_sched_increase_karma()).
	 */
	ret = drm_sched_entity_init(&ctx->entity, enpu_sched_prio[args->priority],
				    ctx->sched_list, edev->fw.num_cores,
				    &ctx->guilty);
	if (ret)
		goto err_put;
	atomic_inc(&edev->entities);

	/* Reserve the id, finish the context, and only then publish it. */
	ret = xa_alloc(&efile->ctxs, &id, NULL, XA_LIMIT(1, DRM_ENPU_MAX_CTX),
		       GFP_KERNEL);
	if (ret) {
		ret = ret == -EBUSY ? -ENOSPC : ret;
		goto err_entity;
	}
	ctx->id = id;

	ret = drm_syncobj_get_handle(file, ctx->syncobj, &handle);
	if (ret)
		goto err_id;

	/* Before it is published: then it may be destroyed at once. */
	enpu_genl_ctx_event(ctx, ENPU_CMD_CTX_CREATED_NTF);
	/* Replacing the reserved entry allocates nothing. */
	WARN_ON(xa_is_err(xa_store(&efile->ctxs, id, ctx, GFP_KERNEL)));
	/* CTX_DESTROY may free @ctx from here on. */
	args->ctx_id = id;
	args->syncobj = handle;
	drm_dev_exit(idx);
	return 0;

err_id:
	xa_erase(&efile->ctxs, id);
err_entity:
	enpu_ctx_entity_destroy(ctx);
err_put:
	enpu_ctx_put(ctx);
out_exit:
	drm_dev_exit(idx);
	return ret;
}

int enpu_ioctl_ctx_destroy(struct drm_device *drm, void *data,
			   struct drm_file *file)
{
	struct enpu_file *efile = file->driver_priv;
	struct drm_enpu_ctx_destroy *args = data;
	struct enpu_ctx *ctx;

	if (args->pad)
		return -EINVAL;
	ctx = xa_erase(&efile->ctxs, args->ctx_id);
	if (!ctx) {
		drm_dbg(drm, "CTX_DESTROY: no context %u\n", args->ctx_id);
		return -ENOENT;
	}
	enpu_ctx_destroy(ctx);
	return 0;
}

u32 enpu_ctx_state(struct enpu_ctx *ctx)
{
	if (enpu_file_banned(ctx->stats))
		return DRM_ENPU_CTX_BANNED;
	if (atomic_read(&ctx->guilty))
		return DRM_ENPU_CTX_GUILTY;
	if (atomic_read(&ctx->innocent))
		return DRM_ENPU_CTX_INNOCENT;
	return DRM_ENPU_CTX_OK;
}

int enpu_ioctl_ctx_query(struct drm_device *drm, void *data,
			 struct drm_file *file)
{
	struct drm_enpu_ctx_query *args = data;
	struct enpu_ctx *ctx;
	bool frozen;

	if (args->pad)
		return -EINVAL;
	ctx = enpu_ctx_lookup(file->driver_priv, args->ctx_id);
	if (!ctx) {
		drm_dbg(drm, "CTX_QUERY: no context %u\n", args->ctx_id);
		return -ENOENT;
	}
	args->state = enpu_ctx_state(ctx);
	args->submitted = atomic64_read(&ctx->submitted);
	args->completed = atomic64_read(&ctx->completed);
	args->failed = atomic64_read(&ctx->failed);
	args->last_error = atomic_read(&ctx->last_error);
	args->busy_ns = atomic64_read(&ctx->busy_ns);
	args->resets = atomic_read(&ctx->edev->resets) - ctx->reset_base;
	enpu_budget_get(&ctx->budget, &args->runtime_us, &args->period_us,
			&frozen);
	args->flags = frozen ? DRM_ENPU_CTX_FROZEN : 0;
	mutex_lock(&ctx->submit_lock);
	args->priority = ctx->priority;
	args->class_hint = ctx->class_hint;
	args->hint_period_us = ctx->hint_period_us;
	args->hint_deadline_us = ctx->hint_deadline_us;
	args->hint_job_us = ctx->hint_job_us;
	args->job_timeout_ms = ctx->job_timeout_ms;
	args->core_mask = ctx->core_mask;
	mutex_unlock(&ctx->submit_lock);
	args->pad2 = 0;
	enpu_ctx_put(ctx);
	return 0;
}

/*
 * Point the entity at the cores of @mask that the control plane allows,
 * or at the allowed ones when the two do not meet (the control plane
 * decides); caller holds submit_lock.
 */
static void enpu_ctx_set_cores(struct enpu_ctx *ctx, u32 mask)
{
	struct enpu_device *edev = ctx->edev;
	u32 i, use = mask & ctx->cores_allowed ?: ctx->cores_allowed;
	struct drm_sched_rq *rq;
	unsigned int n = 0;
	bool moved;

	/* The scheduler reads the list under the entity's lock. */
	spin_lock(&ctx->entity.lock);
	for (i = 0; i < edev->fw.num_cores; i++)
		if (use & BIT(i))
			ctx->sched_list[n++] = &edev->sched[i];
	rq = ctx->entity.rq;
	moved = rq && !(use & BIT(rq->sched - edev->sched));
	spin_unlock(&ctx->entity.lock);
	ctx->core_mask = mask;
	ctx->cores_used = use;
	WRITE_ONCE(ctx->cores_moved, moved);
	/* Also re-arms the run-queue choice a one-core entity gives up. */
	drm_sched_entity_modify_sched(&ctx->entity, ctx->sched_list, n);
}

/* Caller holds submit_lock. */
void enpu_ctx_set_priority(struct enpu_ctx *ctx, u32 priority)
{
	ctx->priority = priority;
	drm_sched_entity_set_priority(&ctx->entity, enpu_sched_prio[priority]);
	enpu_ctx_set_cores(ctx, ctx->core_mask);
}

/**
 * enpu_ctx_allow_cores() - the control plane's cores for a context
 * @ctx: the context
 * @mask: the cores it may use, non-zero, only cores the device has
 *
 * Jobs already queued keep their core.  Caller holds submit_lock.
 */
void enpu_ctx_allow_cores(struct enpu_ctx *ctx, u32 mask)
{
	ctx->cores_allowed = mask;
	enpu_ctx_set_cores(ctx, ctx->core_mask);
}

static int enpu_ctx_set(struct drm_device *drm, struct enpu_ctx *ctx,
			u32 param, u64 value)
{
	u32 all = GENMASK(ctx->edev->fw.num_cores - 1, 0);

	switch (param) {
	case DRM_ENPU_PARAM_PRIORITY:
		if (value > DRM_ENPU_PRIORITY_REALTIME)
			return -EINVAL;
		if (value > max(DRM_ENPU_PRIORITY_NORMAL, ctx->priority_grant) &&
		    !capable(CAP_SYS_NICE)) {
			drm_dbg(drm, "CTX_SET_PARAM: priority %llu needs CAP_SYS_NICE or a grant\n",
				value);
			return -EACCES;
		}
		enpu_ctx_set_priority(ctx, value);
		return 0;
	case DRM_ENPU_PARAM_CLASS:
		if (value > DRM_ENPU_CLASS_REALTIME)
			return -EINVAL;
		ctx->class_hint = value;
		return 0;
	case DRM_ENPU_PARAM_PERIOD_US:
	case DRM_ENPU_PARAM_DEADLINE_US:
	case DRM_ENPU_PARAM_JOB_DURATION_US:
		if (value > DRM_ENPU_MAX_HINT_US)
			return -EINVAL;
		if (param == DRM_ENPU_PARAM_PERIOD_US)
			ctx->hint_period_us = value;
		else if (param == DRM_ENPU_PARAM_DEADLINE_US)
			ctx->hint_deadline_us = value;
		else
			ctx->hint_job_us = value;
		return 0;
	case DRM_ENPU_PARAM_JOB_TIMEOUT_MS:
		if (value < DRM_ENPU_MIN_JOB_TIMEOUT_MS ||
		    value > enpu_job_timeout_max_ms()) {
			drm_dbg(drm, "CTX_SET_PARAM: timeout %llu ms outside [%u, %u]\n",
				value, DRM_ENPU_MIN_JOB_TIMEOUT_MS,
				enpu_job_timeout_max_ms());
			return -EINVAL;
		}
		WRITE_ONCE(ctx->job_timeout_ms, value);
		return 0;
	case DRM_ENPU_PARAM_CORE_MASK:
		if (!value || value & ~(u64)all)
			return -EINVAL;
		enpu_ctx_set_cores(ctx, value);
		return 0;
	}
	return -EINVAL;
}

int enpu_ioctl_ctx_set_param(struct drm_device *drm, void *data,
			     struct drm_file *file)
{
	struct drm_enpu_ctx_set_param *args = data;
	struct enpu_ctx *ctx;
	int ret, idx;

	ctx = enpu_ctx_lookup(file->driver_priv, args->ctx_id);
	if (!ctx) {
		drm_dbg(drm, "CTX_SET_PARAM: no context %u\n", args->ctx_id);
		return -ENOENT;
	}
	if (!drm_dev_enter(drm, &idx)) {
		enpu_ctx_put(ctx);
		return -ENODEV;
	}
	mutex_lock(&ctx->submit_lock);
	ret = enpu_ctx_set(drm, ctx, args->param, args->value);
	mutex_unlock(&ctx->submit_lock);
	if (!ret && (args->param == DRM_ENPU_PARAM_CLASS ||
		     args->param == DRM_ENPU_PARAM_PERIOD_US ||
		     args->param == DRM_ENPU_PARAM_DEADLINE_US ||
		     args->param == DRM_ENPU_PARAM_JOB_DURATION_US))
		enpu_genl_ctx_event(ctx, ENPU_CMD_CTX_HINT_NTF);
	if (ret == -EINVAL)
		drm_dbg(drm, "CTX_SET_PARAM: bad param %u or value %llu\n",
			args->param, args->value);
	drm_dev_exit(idx);
	enpu_ctx_put(ctx);
	return ret;
}
