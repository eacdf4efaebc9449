/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef __ENPU_CTX_H__
#define __ENPU_CTX_H__

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <drm/gpu_scheduler.h>

#include "enpu_budget.h"
#include "enpu_fw_format.h"

struct drm_device;
struct drm_file;
struct drm_syncobj;
struct enpu_device;
struct enpu_file;
struct enpu_file_stats;

/**
 * struct enpu_ctx - a context: one job queue of one file
 * @ref: the file's table and every job hold one
 * @edev: the device
 * @stats: the file's device-time counters
 * @id: id in the file's table
 * @client: drm-client-id of the file that owns it
 * @pid: the process that created it
 * @comm: that process's name then
 * @priority: DRM_ENPU_PRIORITY_*
 * @priority_grant: the highest priority the owner may set without
 *	CAP_SYS_NICE (the control plane grants it)
 * @class_hint: DRM_ENPU_CLASS_*
 * @hint_period_us: workload hint: period of the context's jobs
 * @hint_deadline_us: workload hint: deadline of a job after its release
 * @hint_job_us: workload hint: expected device time of one job
 * @job_timeout_ms: how long a job may hold a core without progress
 * @core_mask: cores the owner asked for (CTX_SET_PARAM)
 * @cores_allowed: cores the control plane allows (genl CTX_SET)
 * @cores_used: the cores @sched_list names: @core_mask within @cores_allowed
 * @cores_moved: @cores_used no longer names the core the entity is on:
 *	the next submission first waits for the jobs queued, so that the
 *	entity may move (drm_sched keeps a busy entity where it is)
 * @last_fence: the finished fence of the last job pushed, or NULL
 * @sched_list: the schedulers of @core_mask, which @entity keeps
 * @entity: the scheduler entity the jobs queue on
 * @syncobj: the timeline each job signals a point on
 * @submit_lock: makes point order match push order; protects @destroyed,
 *	and serialises parameter changes
 * @destroyed: CTX_DESTROY ran; no job may be pushed any more
 * @seqno: last point handed out
 * @budget: device-time budget and freeze
 * @guilty: a job of this context faulted or hung (the entity's guilty flag)
 * @innocent: a device reset failed one of its jobs
 * @reset_base: the device's reset count when the context was created
 * @busy_ns: device time its jobs held a core
 * @submitted: jobs pushed
 * @completed: jobs that completed without error
 * @failed: jobs that completed with an error
 * @last_error: errno of the last failed job
 */
struct enpu_ctx {
	struct kref ref;
	struct enpu_device *edev;
	struct enpu_file_stats *stats;
	u32 id;
	u64 client;
	struct pid *pid;
	char comm[TASK_COMM_LEN];
	u32 priority;
	u32 priority_grant;
	u32 class_hint;
	u32 hint_period_us;
	u32 hint_deadline_us;
	u32 hint_job_us;
	u32 job_timeout_ms;
	u32 core_mask;
	u32 cores_allowed;
	u32 cores_used;
	bool cores_moved;
	struct dma_fence *last_fence;
	struct drm_gpu_scheduler *sched_list[ENPU_FW_MAX_CORES];
	struct drm_sched_entity entity;
	struct drm_syncobj *syncobj;
	struct mutex submit_lock; /* orders points with pushes */
	bool destroyed;
	u64 seqno;
	struct enpu_budget budget;
	atomic_t guilty;
	atomic_t innocent;
	u32 reset_base;
	atomic64_t busy_ns;
	atomic64_t submitted;
	atomic64_t completed;
	atomic64_t failed;
	atomic_t last_error;
};

struct enpu_ctx *enpu_ctx_lookup(struct enpu_file *efile, u32 id);
struct enpu_ctx *enpu_ctx_find(struct enpu_device *edev, u64 client, u32 id);
u32 enpu_ctx_state(struct enpu_ctx *ctx);
void enpu_ctx_set_priority(struct enpu_ctx *ctx, u32 priority);
void enpu_ctx_allow_cores(struct enpu_ctx *ctx, u32 mask);
void enpu_ctx_put(struct enpu_ctx *ctx);
void enpu_ctx_destroy_all(struct enpu_file *efile);

int enpu_ioctl_ctx_create(struct drm_device *drm, void *data,
			  struct drm_file *file);
int enpu_ioctl_ctx_destroy(struct drm_device *drm, void *data,
			   struct drm_file *file);
int enpu_ioctl_ctx_query(struct drm_device *drm, void *data,
			 struct drm_file *file);
int enpu_ioctl_ctx_set_param(struct drm_device *drm, void *data,
			     struct drm_file *file);
u32 enpu_job_timeout_default_ms(void);
u32 enpu_job_timeout_max_ms(void);

#endif /* __ENPU_CTX_H__ */
