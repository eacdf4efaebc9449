/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef __ENPU_GEM_H__
#define __ENPU_GEM_H__

#include <linux/list.h>
#include <linux/mutex.h>
#include <drm/drm_gem_shmem_helper.h>

struct dma_buf_attachment;
struct drm_device;
struct drm_file;

/**
 * struct enpu_bo - a buffer object
 * @base: the shmem GEM object (also used for imported dma-bufs)
 * @flags: DRM_ENPU_BO_* flags
 * @maps_lock: protects @maps
 * @maps: &struct enpu_bo_map of every file that has a handle to it
 * @userptr: pinned user memory; @userptr.pages is NULL for shmem buffers,
 *	whose pages the shmem helpers manage
 * @userptr.pages: the pinned pages
 * @userptr.npages: their number
 * @userptr.sgt: the pages, DMA-mapped for the device
 * @userptr.mm: the address space charged for them (RLIMIT_MEMLOCK)
 *
 * A userptr buffer uses only the GEM object inside @base; the shmem parts
 * stay unused.
 */
struct enpu_bo {
	struct drm_gem_shmem_object base;
	u32 flags;
	struct mutex maps_lock; /* protects maps */
	struct list_head maps;
	struct {
		struct page **pages;
		unsigned long npages;
		struct sg_table sgt;
		struct mm_struct *mm;
	} userptr;
};

static inline struct enpu_bo *to_enpu_bo(struct drm_gem_object *obj)
{
	return container_of(to_drm_gem_shmem_obj(obj), struct enpu_bo, base);
}

struct drm_gem_object *enpu_gem_create_object(struct drm_device *drm,
					      size_t size);
struct drm_gem_object *
enpu_gem_prime_import_sg_table(struct drm_device *drm,
			       struct dma_buf_attachment *attach,
			       struct sg_table *sgt);
int enpu_ioctl_bo_create(struct drm_device *drm, void *data,
			 struct drm_file *file);
int enpu_ioctl_bo_create_userptr(struct drm_device *drm, void *data,
				 struct drm_file *file);
int enpu_ioctl_bo_info(struct drm_device *drm, void *data,
		       struct drm_file *file);

#endif /* __ENPU_GEM_H__ */
