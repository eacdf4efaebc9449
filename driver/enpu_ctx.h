/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef __ENPU_CTX_H__
#define __ENPU_CTX_H__

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <drm/gpu_scheduler.h>

struct drm_device;
struct drm_file;
struct drm_syncobj;
struct enpu_device;
struct enpu_file;

/**
 * struct enpu_ctx - a context: one job queue of one file
 * @ref: the file's table and every job hold one
 * @edev: the device
 * @id: id in the file's table
 * @priority: DRM_ENPU_PRIORITY_*
 * @class_hint: DRM_ENPU_CLASS_*
 * @entity: the scheduler entity the jobs queue on
 * @syncobj: the timeline each job signals a point on
 * @submit_lock: makes point order match push order; protects @destroyed
 * @destroyed: CTX_DESTROY ran; no job may be pushed any more
 * @seqno: last point handed out
 * @guilty: a job of this context faulted
 * @submitted: jobs pushed
 * @completed: jobs that completed without error
 * @failed: jobs that completed with an error
 * @last_error: errno of the last failed job
 */
struct enpu_ctx {
	struct kref ref;
	struct enpu_device *edev;
	u32 id;
	u32 priority;
	u32 class_hint;
	struct drm_sched_entity entity;
	struct drm_syncobj *syncobj;
	struct mutex submit_lock; /* orders points with pushes */
	bool destroyed;
	u64 seqno;
	atomic_t guilty;
	atomic64_t submitted;
	atomic64_t completed;
	atomic64_t failed;
	atomic_t last_error;
};

struct enpu_ctx *enpu_ctx_lookup(struct enpu_file *efile, u32 id);
void enpu_ctx_put(struct enpu_ctx *ctx);
void enpu_ctx_destroy_all(struct enpu_file *efile);

int enpu_ioctl_ctx_create(struct drm_device *drm, void *data,
			  struct drm_file *file);
int enpu_ioctl_ctx_destroy(struct drm_device *drm, void *data,
			   struct drm_file *file);
int enpu_ioctl_ctx_query(struct drm_device *drm, void *data,
			 struct drm_file *file);

#endif /* __ENPU_CTX_H__ */
