/* SPDX-License-Identifier: MIT */
/*
 * libenpu: a thin C API over the enpu ioctls.  No policy, no hidden
 * threads; every call that can fail returns 0 or a negative errno (the
 * kernel's, unchanged), and allocates nothing the caller cannot free.
 */
#ifndef LIBENPU_H
#define LIBENPU_H

#include <stddef.h>
#include <stdint.h>

#include <drm/enpu_accel.h>

#ifdef __cplusplus
extern "C" {
#endif

struct enpu_device;

/**
 * struct enpu_bo - a buffer object in one open device
 * @dev: the device it belongs to
 * @handle: its GEM handle
 * @flags: DRM_ENPU_BO_* flags
 * @size: bytes (page-rounded)
 * @va: device virtual address in this device file's address space
 * @mmap_offset: offset for mmap() on the device file (0 for userptr)
 * @map: CPU mapping made by enpu_bo_map(), or NULL
 */
struct enpu_bo {
	struct enpu_device *dev;
	uint32_t handle;
	uint32_t flags;
	uint64_t size;
	uint64_t va;
	uint64_t mmap_offset;
	void *map;
};

/* Open @path, or the first enpu device in /dev/accel when @path is NULL. */
int enpu_device_open(const char *path, struct enpu_device **dev);
void enpu_device_close(struct enpu_device *dev);
int enpu_device_fd(const struct enpu_device *dev);
int enpu_device_info(struct enpu_device *dev, struct drm_enpu_device_info *info);
/* Fill up to @max OPPs; *@count is the device's full count. */
int enpu_device_opps(struct enpu_device *dev, struct drm_enpu_opp *opps,
		     unsigned int max, unsigned int *count);

int enpu_bo_create(struct enpu_device *dev, uint64_t size, uint32_t flags,
		   struct enpu_bo **bo);
/* Pin [@ptr, @ptr + @size): page-aligned, charged to RLIMIT_MEMLOCK. */
int enpu_bo_create_userptr(struct enpu_device *dev, void *ptr, uint64_t size,
			   uint32_t flags, struct enpu_bo **bo);
/* Import a dma-buf; the caller keeps @dmabuf_fd. */
int enpu_bo_import(struct enpu_device *dev, int dmabuf_fd, struct enpu_bo **bo);
/* Export as a dma-buf (close-on-exec, read-write) into *@dmabuf_fd. */
int enpu_bo_export(struct enpu_bo *bo, int *dmabuf_fd);
/* Map for CPU access (shared, read-write); the mapping lives until free. */
int enpu_bo_map(struct enpu_bo *bo, void **ptr);
/* Unmap, close the handle and free @bo; NULL is a no-op. */
void enpu_bo_free(struct enpu_bo *bo);

/* Contexts: a queue with a timeline syncobj (*@syncobj, may be NULL). */
int enpu_ctx_create(struct enpu_device *dev, uint32_t priority,
		    uint32_t class_hint, uint32_t *ctx_id, uint32_t *syncobj);
int enpu_ctx_destroy(struct enpu_device *dev, uint32_t ctx_id);
int enpu_ctx_query(struct enpu_device *dev, uint32_t ctx_id,
		   struct drm_enpu_ctx_query *query);
/* Set a DRM_ENPU_PARAM_* (priority, hints, job timeout, core mask). */
int enpu_ctx_set_param(struct enpu_device *dev, uint32_t ctx_id,
		       uint32_t param, uint64_t value);

/**
 * struct enpu_submit - what a job uses besides its command stream
 * @bos: buffers the job reads or writes (the stream's own buffer too)
 * @bo_count: entries at @bos
 * @in_fences: syncobj points to wait for
 * @in_fence_count: entries at @in_fences
 * @out_syncobj: a syncobj to receive the job's fence, or 0
 */
struct enpu_submit {
	const struct drm_enpu_bo_ref *bos;
	uint32_t bo_count;
	const struct drm_enpu_fence_ref *in_fences;
	uint32_t in_fence_count;
	uint32_t out_syncobj;
};

/* Queue @cmd_size bytes of stream at @cmd on @ctx_id; *@point: its point. */
int enpu_job_submit(struct enpu_device *dev, uint32_t ctx_id,
		    const struct enpu_bo *cmd, uint32_t cmd_size,
		    const struct enpu_submit *extra, uint64_t *point);
/* Wait up to @timeout_ns (relative) for @point of @syncobj; -ETIME. */
int enpu_wait(struct enpu_device *dev, uint32_t syncobj, uint64_t point,
	      int64_t timeout_ns);

/**
 * struct enpu_cs - a command-stream builder over caller memory
 * @instr: where instructions go (a mapped buffer object, usually)
 * @count: instructions written
 * @max: room for this many
 * @error: 0, or -ENOSPC once an instruction did not fit
 */
struct enpu_cs {
	struct drm_enpu_instr *instr;
	uint32_t count;
	uint32_t max;
	int error;
};

void enpu_cs_init(struct enpu_cs *cs, void *mem, size_t bytes);
void enpu_cs_nop(struct enpu_cs *cs);
void enpu_cs_spin(struct enpu_cs *cs, uint64_t cycles);
void enpu_cs_dma_copy(struct enpu_cs *cs, uint64_t src_va, uint64_t dst_va,
		      uint64_t bytes);
/* GEMM: C = A (m x k) * B (k x n) + bias; quant/requant as DRM_ENPU_QUANT/REQUANT. */
void enpu_cs_gemm(struct enpu_cs *cs, uint64_t a_va, uint64_t b_va,
		  uint64_t bias_va, uint64_t c_va, uint32_t m, uint32_t n,
		  uint32_t k, uint64_t quant, uint64_t requant);
/* POOL: window from DRM_ENPU_POOL_WINDOW(), clamp from DRM_ENPU_CLAMP(). */
void enpu_cs_pool(struct enpu_cs *cs, uint64_t in_va, uint64_t out_va,
		  uint32_t h, uint32_t w, uint32_t c, uint32_t oh, uint32_t ow,
		  uint64_t window, uint64_t clamp);
/* CONV2D and ADD take their operands from a descriptor in device memory. */
void enpu_cs_conv2d(struct enpu_cs *cs, uint64_t desc_va);
void enpu_cs_add(struct enpu_cs *cs, uint64_t desc_va);
void enpu_cs_end(struct enpu_cs *cs);
/* Bytes written so far, or the builder's error. */
int enpu_cs_size(const struct enpu_cs *cs, uint32_t *size);

#ifdef __cplusplus
}
#endif

#endif /* LIBENPU_H */
