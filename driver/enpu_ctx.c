// SPDX-License-Identifier: GPL-2.0-only
/*
 * Contexts: per-file job queues, each a drm_sched entity over all cores
 * with a timeline syncobj, a priority, a class hint and a state.
 */
#include <linux/capability.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include <drm/drm_drv.h>
#include <drm/drm_print.h>
#include <drm/drm_syncobj.h>

#include <drm/enpu_accel.h>

#include "enpu_ctx.h"
#include "enpu_drv.h"

static const enum drm_sched_priority enpu_sched_prio[] = {
	[DRM_ENPU_PRIORITY_LOW] = DRM_SCHED_PRIORITY_LOW,
	[DRM_ENPU_PRIORITY_NORMAL] = DRM_SCHED_PRIORITY_NORMAL,
	[DRM_ENPU_PRIORITY_HIGH] = DRM_SCHED_PRIORITY_HIGH,
	[DRM_ENPU_PRIORITY_REALTIME] = DRM_SCHED_PRIORITY_KERNEL,
};

static void enpu_ctx_release(struct kref *ref)
{
	struct enpu_ctx *ctx = container_of(ref, struct enpu_ctx, ref);

	drm_syncobj_put(ctx->syncobj);
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
	drm_sched_entity_destroy(&ctx->entity);
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
	u32 handle;
	int ret, idx;

	if (args->flags || args->pad ||
	    args->priority > DRM_ENPU_PRIORITY_REALTIME ||
	    args->class_hint > DRM_ENPU_CLASS_REALTIME) {
		drm_dbg(drm, "CTX_CREATE: bad priority, class, flags or pad\n");
		return -EINVAL;
	}
	if (args->priority > DRM_ENPU_PRIORITY_NORMAL && !capable(CAP_SYS_NICE)) {
		drm_dbg(drm, "CTX_CREATE: priority %u needs CAP_SYS_NICE\n",
			args->priority);
		return -EACCES;
	}

	if (!drm_dev_enter(drm, &idx))
		return -ENODEV;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!ctx) {
		ret = -ENOMEM;
		goto out_exit;
	}
	kref_init(&ctx->ref);
	mutex_init(&ctx->submit_lock);
	ctx->edev = edev;
	ctx->priority = args->priority;
	ctx->class_hint = args->class_hint;
	enpu_obj_get(ENPU_OBJ_CTX);

	ret = drm_syncobj_create(&ctx->syncobj, 0, NULL);
	if (ret)
		goto err_put;

	/* The entity keeps the list pointer: it must outlive the context. */
	ret = drm_sched_entity_init(&ctx->entity, enpu_sched_prio[args->priority],
				    edev->sched_list, edev->fw.num_cores, NULL);
	if (ret)
		goto err_put;

	ret = xa_alloc(&efile->ctxs, &ctx->id, ctx,
		       XA_LIMIT(1, DRM_ENPU_MAX_CTX), GFP_KERNEL);
	if (ret) {
		ret = ret == -EBUSY ? -ENOSPC : ret;
		goto err_entity;
	}

	ret = drm_syncobj_get_handle(file, ctx->syncobj, &handle);
	if (ret) {
		xa_erase(&efile->ctxs, ctx->id);
		goto err_entity;
	}

	args->ctx_id = ctx->id;
	args->syncobj = handle;
	drm_dev_exit(idx);
	return 0;

err_entity:
	drm_sched_entity_destroy(&ctx->entity);
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

int enpu_ioctl_ctx_query(struct drm_device *drm, void *data,
			 struct drm_file *file)
{
	struct drm_enpu_ctx_query *args = data;
	struct enpu_ctx *ctx;

	if (args->pad)
		return -EINVAL;
	ctx = enpu_ctx_lookup(file->driver_priv, args->ctx_id);
	if (!ctx) {
		drm_dbg(drm, "CTX_QUERY: no context %u\n", args->ctx_id);
		return -ENOENT;
	}
	args->state = atomic_read(&ctx->guilty) ? DRM_ENPU_CTX_GUILTY : DRM_ENPU_CTX_OK;
	args->submitted = atomic64_read(&ctx->submitted);
	args->completed = atomic64_read(&ctx->completed);
	args->failed = atomic64_read(&ctx->failed);
	args->last_error = atomic_read(&ctx->last_error);
	enpu_ctx_put(ctx);
	return 0;
}
