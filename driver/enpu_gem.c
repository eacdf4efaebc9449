// SPDX-License-Identifier: GPL-2.0-only
/*
 * Buffer objects: shmem-backed GEM objects (and imported dma-bufs) that are
 * mapped into the device address space of every file holding a handle to
 * them.  The mapping follows the handle: it is made in the GEM open hook
 * and removed in the close hook, so PRIME imports are mapped too.
 *
 * Userptr buffers pin the caller's memory long-term and charge it to the
 * caller's RLIMIT_MEMLOCK until the buffer's last reference goes.
 */
#include <linux/dma-mapping.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <drm/drm_drv.h>
#include <drm/drm_print.h>
#include <drm/drm_vma_manager.h>

#include <drm/enpu_accel.h>

#include "enpu_drv.h"
#include "enpu_fault.h"
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
	sgt = bo->userptr.pages ? &bo->userptr.sgt :
				  drm_gem_shmem_get_pages_sgt(&bo->base);
	if (IS_ERR(sgt))
		return PTR_ERR(sgt);

	mutex_lock(&bo->maps_lock);
	m = enpu_bo_find_map(bo, efile);
	if (m) {	/* another handle in the same file */
		m->handles++;
		ret = 0;
		goto out_unlock;
	}
	m = enpu_kzalloc(sizeof(*m), GFP_KERNEL);
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

/*
 * The shmem helpers kfree() an object they fail to set up without calling
 * its free hook, so the live count is taken once an object is complete
 * (enpu_bo_created()), not here.
 */
static struct enpu_bo *enpu_bo_alloc(void)
{
	struct enpu_bo *bo;

	bo = enpu_kzalloc(sizeof(*bo), GFP_KERNEL);
	if (!bo)
		return NULL;
	mutex_init(&bo->maps_lock);
	INIT_LIST_HEAD(&bo->maps);
	return bo;
}

static void enpu_bo_created(void)
{
	enpu_obj_get(ENPU_OBJ_BO);
}

/* drm_driver.gem_create_object: for created and imported buffers alike. */
struct drm_gem_object *enpu_gem_create_object(struct drm_device *drm,
					      size_t size)
{
	struct enpu_bo *bo = enpu_bo_alloc();

	if (!bo)
		return ERR_PTR(-ENOMEM);
	bo->base.base.funcs = &enpu_gem_funcs;
	bo->base.map_wc = false;
	return &bo->base.base;
}

static enum dma_data_direction enpu_userptr_dir(struct enpu_bo *bo)
{
	return bo->flags & DRM_ENPU_BO_DEVICE_READ_ONLY ? DMA_TO_DEVICE :
							  DMA_BIDIRECTIONAL;
}

static void enpu_userptr_unpin(struct enpu_bo *bo, unsigned long pinned)
{
	unpin_user_pages_dirty_lock(bo->userptr.pages, pinned,
				    !(bo->flags & DRM_ENPU_BO_DEVICE_READ_ONLY));
	account_locked_vm(bo->userptr.mm, bo->userptr.npages, false);
	mmdrop(bo->userptr.mm);
	kvfree(bo->userptr.pages);
}

/*
 * Charge, pin and DMA-map [@start, @start + @size) of the caller's memory.
 * The charge comes first so that a caller over its limit pins nothing.
 */
static int enpu_userptr_pin(struct drm_device *drm, struct enpu_bo *bo,
			    unsigned long start, u64 size)
{
	unsigned int gup = FOLL_LONGTERM;
	unsigned long npages = size >> PAGE_SHIFT, pinned = 0;
	struct mm_struct *mm = current->mm;
	int ret;

	if (!(bo->flags & DRM_ENPU_BO_DEVICE_READ_ONLY))
		gup |= FOLL_WRITE;

	bo->userptr.pages = enpu_kvmalloc_array(npages, sizeof(struct page *),
						GFP_KERNEL);
	if (!bo->userptr.pages)
		return -ENOMEM;

	ret = account_locked_vm(mm, npages, true);
	if (ret) {
		drm_dbg(drm, "USERPTR: %lu pages over RLIMIT_MEMLOCK\n", npages);
		kvfree(bo->userptr.pages);
		bo->userptr.pages = NULL;
		return ret;
	}
	mmgrab(mm);
	bo->userptr.mm = mm;
	bo->userptr.npages = npages;

	while (pinned < npages) {
		ret = pin_user_pages_fast(start + pinned * PAGE_SIZE,
					  npages - pinned, gup,
					  bo->userptr.pages + pinned);
		if (ret <= 0) {
			drm_dbg(drm, "USERPTR: pin failed at page %lu (%d)\n",
				pinned, ret);
			ret = ret ?: -EFAULT;
			goto err_unpin;
		}
		pinned += ret;
	}

	ret = sg_alloc_table_from_pages(&bo->userptr.sgt, bo->userptr.pages,
					npages, 0, size, GFP_KERNEL);
	if (ret)
		goto err_unpin;
	ret = dma_map_sgtable(drm->dev, &bo->userptr.sgt, enpu_userptr_dir(bo), 0);
	if (ret)
		goto err_free_sgt;
	return 0;

err_free_sgt:
	sg_free_table(&bo->userptr.sgt);
err_unpin:
	enpu_userptr_unpin(bo, pinned);
	bo->userptr.pages = NULL;
	return ret;
}

static void enpu_userptr_free(struct drm_gem_object *obj)
{
	struct enpu_bo *bo = to_enpu_bo(obj);

	WARN_ON(!list_empty(&bo->maps));
	dma_unmap_sgtable(obj->dev->dev, &bo->userptr.sgt, enpu_userptr_dir(bo), 0);
	sg_free_table(&bo->userptr.sgt);
	enpu_userptr_unpin(bo, bo->userptr.npages);
	drm_gem_object_release(obj);
	mutex_destroy(&bo->maps_lock);
	kfree(bo);
	enpu_obj_put(ENPU_OBJ_BO);
}

/* The memory already has a CPU mapping: the one it was pinned from. */
static int enpu_userptr_mmap(struct drm_gem_object *obj,
			     struct vm_area_struct *vma)
{
	return -EINVAL;
}

static struct dma_buf *enpu_userptr_export(struct drm_gem_object *obj,
					   int flags)
{
	return ERR_PTR(-EOPNOTSUPP);
}

static enum drm_gem_object_status enpu_userptr_status(struct drm_gem_object *obj)
{
	return DRM_GEM_OBJECT_RESIDENT;
}

static const struct drm_gem_object_funcs enpu_userptr_funcs = {
	.free = enpu_userptr_free,
	.open = enpu_gem_open,
	.close = enpu_gem_close,
	.export = enpu_userptr_export,
	.mmap = enpu_userptr_mmap,
	.status = enpu_userptr_status,
};

int enpu_ioctl_bo_create_userptr(struct drm_device *drm, void *data,
				 struct drm_file *file)
{
	struct drm_enpu_bo_create_userptr *args = data;
	struct enpu_bo *bo;
	u64 end;
	int ret, idx;

	if (args->flags & ~DRM_ENPU_BO_FLAGS) {
		drm_dbg(drm, "USERPTR: unknown flags 0x%x\n", args->flags);
		return -EINVAL;
	}
	if (!args->size || args->size > DRM_ENPU_BO_MAX_SIZE ||
	    !PAGE_ALIGNED(args->user_ptr) || !PAGE_ALIGNED(args->size) ||
	    check_add_overflow(args->user_ptr, args->size, &end) ||
	    !access_ok(u64_to_user_ptr(args->user_ptr), args->size)) {
		drm_dbg(drm, "USERPTR: bad range 0x%llx+0x%llx\n",
			args->user_ptr, args->size);
		return -EINVAL;
	}

	if (!drm_dev_enter(drm, &idx))
		return -ENODEV;

	bo = enpu_bo_alloc();
	if (!bo) {
		ret = -ENOMEM;
		goto out_exit;
	}
	bo->flags = args->flags;
	ret = enpu_userptr_pin(drm, bo, args->user_ptr, args->size);
	if (ret) {
		mutex_destroy(&bo->maps_lock);
		kfree(bo);
		goto out_exit;
	}
	enpu_bo_created();

	/* From here on, the last reference frees it (enpu_userptr_free). */
	bo->base.base.funcs = &enpu_userptr_funcs;
	drm_gem_private_object_init(drm, &bo->base.base, args->size);

	ret = drm_gem_handle_create(file, &bo->base.base, &args->handle);
	drm_gem_object_put(&bo->base.base);
out_exit:
	drm_dev_exit(idx);
	return ret;
}

/* drm_driver.gem_prime_import_sg_table: a dma-buf of another device. */
struct drm_gem_object *
enpu_gem_prime_import_sg_table(struct drm_device *drm,
			       struct dma_buf_attachment *attach,
			       struct sg_table *sgt)
{
	struct drm_gem_object *obj;

	obj = drm_gem_shmem_prime_import_sg_table(drm, attach, sgt);
	if (!IS_ERR(obj))
		enpu_bo_created();
	return obj;
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
	enpu_bo_created();

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
	int ret = 0, idx;

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

	if (!bo->userptr.pages) {
		ret = drm_gem_create_mmap_offset(obj);
		if (ret)
			goto out_put;
		args->mmap_offset = drm_vma_node_offset_addr(&obj->vma_node);
	} else {
		args->mmap_offset = 0;
	}

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
out_put:
	drm_gem_object_put(obj);
out_exit:
	drm_dev_exit(idx);
	return ret;
}
