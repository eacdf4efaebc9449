// SPDX-License-Identifier: GPL-2.0-only
/*
 * Buffer objects: shmem-backed GEM objects (and imported dma-bufs) that are
 * mapped into the device address space of every file holding a handle to
 * them.  The mapping follows the handle: it is made in the GEM open hook
 * and removed in the close hook, so PRIME imports are mapped too.
 */
#include <linux/slab.h>

#include <drm/drm_drv.h>
#include <drm/drm_print.h>
#include <drm/drm_vma_manager.h>

#include <drm/enpu_accel.h>

#include "enpu_drv.h"
#include "enpu_gem.h"
#include "enpu_vm.h"

/**
 * struct enpu_bo_map - a buffer's mapping in one file's address space
 * @link: in &enpu_bo.maps
 * @file: the file that holds the handle
 * @handles: handles @file holds to the buffer
 * @map: the address-space mapping
 */
struct enpu_bo_map {
	struct list_head link;
	struct enpu_file *file;
	unsigned int handles;
	struct enpu_vm_map map;
};

static struct enpu_bo_map *enpu_bo_find_map(struct enpu_bo *bo,
					    struct enpu_file *efile)
{
	struct enpu_bo_map *m;

	lockdep_assert_held(&bo->maps_lock);
	list_for_each_entry(m, &bo->maps, link)
		if (m->file == efile)
			return m;
	return NULL;
}

static int enpu_gem_open(struct drm_gem_object *obj, struct drm_file *file)
{
	struct enpu_file *efile = file->driver_priv;
	struct enpu_bo *bo = to_enpu_bo(obj);
	struct enpu_bo_map *m;
	struct sg_table *sgt;
	int ret;

	/* Pages stay resident while the device can reach them. */
	sgt = drm_gem_shmem_get_pages_sgt(&bo->base);
	if (IS_ERR(sgt))
		return PTR_ERR(sgt);

	mutex_lock(&bo->maps_lock);
	m = enpu_bo_find_map(bo, efile);
	if (m) {	/* another handle in the same file */
		m->handles++;
		ret = 0;
		goto out_unlock;
	}
	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m) {
		ret = -ENOMEM;
		goto out_unlock;
	}
	ret = enpu_vm_map(efile->vm, &m->map, sgt, obj->size,
			  bo->flags & DRM_ENPU_BO_DEVICE_READ_ONLY);
	if (ret) {
		kfree(m);
		goto out_unlock;
	}
	m->file = efile;
	m->handles = 1;
	list_add(&m->link, &bo->maps);
out_unlock:
	mutex_unlock(&bo->maps_lock);
	return ret;
}

static void enpu_gem_close(struct drm_gem_object *obj, struct drm_file *file)
{
	struct enpu_bo *bo = to_enpu_bo(obj);
	struct enpu_bo_map *m;

	mutex_lock(&bo->maps_lock);
	m = enpu_bo_find_map(bo, file->driver_priv);
	if (m && !--m->handles) {
		list_del(&m->link);
		enpu_vm_unmap(&m->map);
		kfree(m);
	}
	mutex_unlock(&bo->maps_lock);
}

static void enpu_gem_free(struct drm_gem_object *obj)
{
	struct enpu_bo *bo = to_enpu_bo(obj);

	WARN_ON(!list_empty(&bo->maps));
	mutex_destroy(&bo->maps_lock);
	drm_gem_shmem_free(&bo->base);
	enpu_obj_put(ENPU_OBJ_BO);
}

/* fdinfo: a buffer's pages are resident from handle creation to free. */
static enum drm_gem_object_status enpu_gem_status(struct drm_gem_object *obj)
{
	return READ_ONCE(to_enpu_bo(obj)->base.sgt) ? DRM_GEM_OBJECT_RESIDENT : 0;
}

static const struct drm_gem_object_funcs enpu_gem_funcs = {
	.free = enpu_gem_free,
	.open = enpu_gem_open,
	.close = enpu_gem_close,
	.status = enpu_gem_status,
	.print_info = drm_gem_shmem_object_print_info,
	.pin = drm_gem_shmem_object_pin,
	.unpin = drm_gem_shmem_object_unpin,
	.get_sg_table = drm_gem_shmem_object_get_sg_table,
	.vmap = drm_gem_shmem_object_vmap,
	.vunmap = drm_gem_shmem_object_vunmap,
	.mmap = drm_gem_shmem_object_mmap,
	.vm_ops = &drm_gem_shmem_vm_ops,
};

/* drm_driver.gem_create_object: for created and imported buffers alike. */
struct drm_gem_object *enpu_gem_create_object(struct drm_device *drm,
					      size_t size)
{
	struct enpu_bo *bo;

	bo = kzalloc(sizeof(*bo), GFP_KERNEL);
	if (!bo)
		return ERR_PTR(-ENOMEM);

	bo->base.base.funcs = &enpu_gem_funcs;
	bo->base.map_wc = false;
	mutex_init(&bo->maps_lock);
	INIT_LIST_HEAD(&bo->maps);
	enpu_obj_get(ENPU_OBJ_BO);
	return &bo->base.base;
}

int enpu_ioctl_bo_create(struct drm_device *drm, void *data,
			 struct drm_file *file)
{
	struct drm_enpu_bo_create *args = data;
	struct drm_gem_shmem_object *shmem;
	int ret, idx;

	if (args->flags & ~DRM_ENPU_BO_FLAGS) {
		drm_dbg(drm, "BO_CREATE: unknown flags 0x%x\n", args->flags);
		return -EINVAL;
	}
	if (!args->size || args->size > DRM_ENPU_BO_MAX_SIZE) {
		drm_dbg(drm, "BO_CREATE: size %llu out of range\n", args->size);
		return -EINVAL;
	}

	if (!drm_dev_enter(drm, &idx))
		return -ENODEV;

	shmem = drm_gem_shmem_create(drm, PAGE_ALIGN(args->size));
	if (IS_ERR(shmem)) {
		ret = PTR_ERR(shmem);
		goto out_exit;
	}
	to_enpu_bo(&shmem->base)->flags = args->flags;

	/* Creating the handle maps the buffer (enpu_gem_open). */
	ret = drm_gem_handle_create(file, &shmem->base, &args->handle);
	drm_gem_object_put(&shmem->base);
out_exit:
	drm_dev_exit(idx);
	return ret;
}

int enpu_ioctl_bo_info(struct drm_device *drm, void *data,
		       struct drm_file *file)
{
	struct drm_enpu_bo_info *args = data;
	struct drm_gem_object *obj;
	struct enpu_bo_map *m;
	struct enpu_bo *bo;
	int ret, idx;

	if (args->pad || args->pad2) {
		drm_dbg(drm, "BO_INFO: pads must be zero\n");
		return -EINVAL;
	}

	if (!drm_dev_enter(drm, &idx))
		return -ENODEV;

	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj) {
		drm_dbg(drm, "BO_INFO: no handle %u\n", args->handle);
		ret = -ENOENT;
		goto out_exit;
	}
	bo = to_enpu_bo(obj);

	ret = drm_gem_create_mmap_offset(obj);
	if (ret)
		goto out_put;

	mutex_lock(&bo->maps_lock);
	m = enpu_bo_find_map(bo, file->driver_priv);
	args->va = m ? m->map.node.start : 0;
	mutex_unlock(&bo->maps_lock);
	if (WARN_ON(!m)) {
		ret = -ENOENT;
		goto out_put;
	}

	args->size = obj->size;
	args->flags = bo->flags;
	args->mmap_offset = drm_vma_node_offset_addr(&obj->vma_node);
out_put:
	drm_gem_object_put(obj);
out_exit:
	drm_dev_exit(idx);
	return ret;
}
