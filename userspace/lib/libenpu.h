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

#ifdef __cplusplus
}
#endif

#endif /* LIBENPU_H */
