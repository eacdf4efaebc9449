/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef __ENPU_DRV_H__
#define __ENPU_DRV_H__

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <drm/drm_device.h>
#include <drm/drm_file.h>
#include <drm/gpu_scheduler.h>
#include <drm/enpu_accel.h>

#include "enpu_fw.h"
#include "enpu_pm.h"

#define ENPU_DRIVER_NAME	"enpu"
#define ENPU_DRIVER_DESC	"enpu neural processing unit"
#define ENPU_DEFAULT_FW		"enpu/enpu-fw.bin"

struct enpu_hw;
struct enpu_vm;

/**
 * struct enpu_device - one NPU
 * @drm: the DRM accel device
 * @hw: the device behind the hardware boundary
 * @fw_name: firmware file name, relative to the firmware search path
 * @fw: the validated firmware the device runs
 * @fw_image: the image it booted, kept for warm boots
 * @fw_image_size: its size
 * @fw_image_version: the version it holds (a reload may bring a newer one)
 * @sched: one scheduler per core
 * @sched_list: pointers to @sched, which every context's entity keeps
 * @fence_lock: lock of the hardware fences
 * @fence_context: first of the cores' fence contexts
 * @fence_seqno: last hardware fence seqno per core
 * @reset_wq: ordered queue of the schedulers' timeout work and of
 *	@reset_work, so that recoveries never overlap
 * @reset_work: the device reset (firmware reload) after a fatal error
 * @resets: core and device resets so far
 * @core_resets: core resets per core
 * @device_resets: device resets (firmware reloads)
 * @reset_done: woken after each device reset
 * @dead: the last device reset failed to boot the firmware; the device
 *	stays down (jobs fail with -ENODEV) until a reset succeeds
 * @jobs: jobs of this device not yet freed
 * @entities: contexts' scheduler entities not yet destroyed
 * @jobs_idle: woken when @jobs or @entities drops to zero
 * @pm: devfreq, thermal zone, hwmon
 */
struct enpu_device {
	struct drm_device drm;
	struct enpu_hw *hw;
	const char *fw_name;
	struct enpu_fw_info fw;
	void *fw_image;
	size_t fw_image_size;
	u32 fw_image_version;
	struct drm_gpu_scheduler sched[ENPU_FW_MAX_CORES];
	struct drm_gpu_scheduler *sched_list[ENPU_FW_MAX_CORES];
	spinlock_t fence_lock; /* the hardware fences' lock */
	u64 fence_context;
	u64 fence_seqno[ENPU_FW_MAX_CORES];
	struct workqueue_struct *reset_wq;
	struct work_struct reset_work;
	atomic_t resets;
	atomic_t core_resets[ENPU_FW_MAX_CORES];
	atomic_t device_resets;
	wait_queue_head_t reset_done;
	bool dead;
	atomic_t jobs;
	atomic_t entities;
	wait_queue_head_t jobs_idle;
	struct enpu_pm pm;
};

/**
 * struct enpu_file_stats - device time a file used, for fdinfo
 * @ref: the file and each of its contexts hold one (jobs outlive files)
 * @busy_ns: time the file's jobs held a core
 * @cycles: device cycles of those jobs
 * @hangs: jobs of the file that hung; at %DRM_ENPU_BAN_HANGS the file is
 *	banned
 */
struct enpu_file_stats {
	struct kref ref;
	atomic64_t busy_ns;
	atomic64_t cycles;
	atomic_t hangs;
};

void enpu_file_stats_put(struct enpu_file_stats *stats);

static inline bool enpu_file_banned(const struct enpu_file_stats *stats)
{
	return atomic_read(&stats->hangs) >= DRM_ENPU_BAN_HANGS;
}

/**
 * struct enpu_file - per open file state
 * @edev: the device
 * @vm: the file's device address space
 * @ctxs: the file's contexts by id
 * @stats: device time the file used
 */
struct enpu_file {
	struct enpu_device *edev;
	struct enpu_vm *vm;
	struct xarray ctxs;
	struct enpu_file_stats *stats;
};

static inline struct enpu_device *to_enpu_device(struct drm_device *drm)
{
	return container_of(drm, struct enpu_device, drm);
}

/*
 * Live object counts across all devices, shown in debugfs (enpu/objects)
 * so that tests can see that unload and close leave nothing behind.
 */
enum enpu_obj_kind {
	ENPU_OBJ_DEVICE,
	ENPU_OBJ_FILE,
	ENPU_OBJ_BO,
	ENPU_OBJ_MAPPING,
	ENPU_OBJ_CTX,
	ENPU_OBJ_JOB,
	ENPU_OBJ_COUNT,
};

extern atomic_t enpu_objects[ENPU_OBJ_COUNT];

static inline void enpu_obj_get(enum enpu_obj_kind kind)
{
	atomic_inc(&enpu_objects[kind]);
}

static inline void enpu_obj_put(enum enpu_obj_kind kind)
{
	WARN_ON(atomic_dec_return(&enpu_objects[kind]) < 0);
}

void enpu_debugfs_module_init(void);
void enpu_debugfs_module_exit(void);
void enpu_debugfs_init(struct enpu_device *edev);

#endif /* __ENPU_DRV_H__ */
