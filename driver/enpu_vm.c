// SPDX-License-Identifier: GPL-2.0-only
/*
 * Per-file device address spaces: VA allocation with drm_mm and the
 * two-level page table the device walks.  The device reaches memory only
 * through this table (enpu_vm_translate(), enpu_vm_read(), enpu_vm_write());
 * anything it cannot resolve is a device page fault.
 */
#include <linux/highmem.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include <drm/enpu_accel.h>

#include "enpu_drv.h"
#include "enpu_fault.h"
#include "enpu_vm.h"

#define ENPU_DEV_PAGE		SZ_4K
#define ENPU_PT_L2_ENTRIES	BIT(ENPU_PT_L2_BITS)

/* The page table covers the whole address space. */
static_assert(BIT_ULL(ENPU_PT_SHIFT + ENPU_PT_L2_BITS + ENPU_PT_L1_BITS) >= DRM_ENPU_VA_END);

static u32 enpu_pt_l1(u64 va)
{
	return va >> (ENPU_PT_SHIFT + ENPU_PT_L2_BITS);
}

static u32 enpu_pt_l2(u64 va)
{
	return (va >> ENPU_PT_SHIFT) & (ENPU_PT_L2_ENTRIES - 1);
}

/* The entry for @va, allocating its level-2 table if @alloc. */
static u64 *enpu_vm_pte(struct enpu_vm *vm, u64 va, bool alloc)
{
	u64 **l2 = &vm->pt[enpu_pt_l1(va)];

	lockdep_assert_held(&vm->lock);
	if (!*l2 && alloc)
		*l2 = enpu_kcalloc(ENPU_PT_L2_ENTRIES, sizeof(u64), GFP_KERNEL);
	return *l2 ? &(*l2)[enpu_pt_l2(va)] : NULL;
}

struct enpu_vm *enpu_vm_create(void)
{
	struct enpu_vm *vm;

	vm = enpu_kvzalloc(sizeof(*vm), GFP_KERNEL);
	if (!vm)
		return NULL;
	kref_init(&vm->ref);
	mutex_init(&vm->lock);
	drm_mm_init(&vm->mm, DRM_ENPU_VA_START,
		    DRM_ENPU_VA_END - DRM_ENPU_VA_START);
	return vm;
}

static void enpu_vm_release(struct kref *ref)
{
	struct enpu_vm *vm = container_of(ref, struct enpu_vm, ref);
	u32 i;

	/* drm_mm_takedown() warns if a mapping was leaked. */
	drm_mm_takedown(&vm->mm);
	for (i = 0; i < ARRAY_SIZE(vm->pt); i++)
		kfree(vm->pt[i]);
	mutex_destroy(&vm->lock);
	kvfree(vm);
}

/* Jobs hold the address space they run in beyond their file's close. */
struct enpu_vm *enpu_vm_get(struct enpu_vm *vm)
{
	kref_get(&vm->ref);
	return vm;
}

void enpu_vm_put(struct enpu_vm *vm)
{
	if (vm)
		kref_put(&vm->ref, enpu_vm_release);
}

static void enpu_vm_clear(struct enpu_vm *vm, u64 start, u64 end)
{
	u64 va, *pte;

	for (va = start; va < end; va += ENPU_DEV_PAGE) {
		pte = enpu_vm_pte(vm, va, false);
		if (pte)
			*pte = 0;
	}
}

/**
 * enpu_vm_map() - map a buffer into an address space
 * @vm: the address space
 * @map: the mapping to fill in
 * @sgt: the buffer's DMA-mapped pages
 * @size: bytes to map (page-aligned)
 * @read_only: deny device writes
 *
 * The range reserved is one device page longer than the buffer and that
 * last page stays unmapped, so running off the end of a buffer faults
 * instead of reaching the next one.
 *
 * Return: 0, -ENOSPC when the address space is full, -ENOMEM, or -EINVAL
 * when @sgt holds fewer than @size bytes.
 */
int enpu_vm_map(struct enpu_vm *vm, struct enpu_vm_map *map,
		struct sg_table *sgt, u64 size, bool read_only)
{
	u64 flags = ENPU_PTE_VALID | (read_only ? 0 : ENPU_PTE_WRITE);
	struct sg_dma_page_iter iter;
	u64 va, end, *pte;
	u32 off;
	int ret;

	mutex_lock(&vm->lock);
	ret = drm_mm_insert_node_in_range(&vm->mm, &map->node,
					  size + ENPU_DEV_PAGE, ENPU_DEV_PAGE, 0,
					  DRM_ENPU_VA_START, DRM_ENPU_VA_END,
					  DRM_MM_INSERT_BEST);
	if (ret)
		goto out_unlock;

	va = map->node.start;
	end = va + size;
	for_each_sgtable_dma_page(sgt, &iter, 0) {
		dma_addr_t addr = sg_page_iter_dma_address(&iter);

		for (off = 0; off < PAGE_SIZE && va < end; off += ENPU_DEV_PAGE) {
			pte = enpu_vm_pte(vm, va, true);
			if (!pte) {
				ret = -ENOMEM;
				goto err_clear;
			}
			*pte = ((addr + off) & ENPU_PTE_ADDR_MASK) | flags;
			va += ENPU_DEV_PAGE;
		}
		if (va >= end)
			break;
	}
	if (va != end) {
		ret = -EINVAL;
		goto err_clear;
	}

	map->vm = vm;
	map->size = size;
	map->read_only = read_only;
	enpu_obj_get(ENPU_OBJ_MAPPING);
	mutex_unlock(&vm->lock);
	return 0;

err_clear:
	enpu_vm_clear(vm, map->node.start, va);
	drm_mm_remove_node(&map->node);
out_unlock:
	mutex_unlock(&vm->lock);
	return ret;
}

void enpu_vm_unmap(struct enpu_vm_map *map)
{
	struct enpu_vm *vm = map->vm;

	mutex_lock(&vm->lock);
	enpu_vm_clear(vm, map->node.start, map->node.start + map->size);
	drm_mm_remove_node(&map->node);
	mutex_unlock(&vm->lock);
	enpu_obj_put(ENPU_OBJ_MAPPING);
}

/**
 * enpu_vm_translate() - resolve a device access the way the device does
 * @vm: the address space
 * @va: first device address
 * @len: bytes accessed, at least 1
 * @access: ENPU_ACCESS_READ and/or ENPU_ACCESS_WRITE
 * @first: on success, the DMA address @va resolves to (may be NULL)
 * @why: on a fault, what the device would report
 *
 * Every page of [@va, @va + @len) must be mapped with the access asked for.
 *
 * Return: 0, or -EFAULT for a device page fault.
 */
int enpu_vm_translate(struct enpu_vm *vm, u64 va, u64 len, u32 access,
		      dma_addr_t *first, const char **why)
{
	u64 end, page, *pte;
	int ret = 0;

	if (!len || check_add_overflow(va, len, &end) ||
	    va < DRM_ENPU_VA_START || end > DRM_ENPU_VA_END) {
		*why = "address outside the address space";
		return -EFAULT;
	}

	mutex_lock(&vm->lock);
	for (page = ALIGN_DOWN(va, ENPU_DEV_PAGE); page < end; page += ENPU_DEV_PAGE) {
		pte = enpu_vm_pte(vm, page, false);
		if (!pte || !(*pte & ENPU_PTE_VALID)) {
			*why = "page not mapped";
			ret = -EFAULT;
			break;
		}
		if ((access & ENPU_ACCESS_WRITE) && !(*pte & ENPU_PTE_WRITE)) {
			*why = "write to a read-only page";
			ret = -EFAULT;
			break;
		}
		if (first && page == ALIGN_DOWN(va, ENPU_DEV_PAGE))
			*first = (*pte & ENPU_PTE_ADDR_MASK) + (va & (ENPU_DEV_PAGE - 1));
	}
	mutex_unlock(&vm->lock);
	return ret;
}

/*
 * Copy between @buf and device memory at @va, page by page.  The VM lock
 * is held across each page's translation and copy, so a buffer cannot be
 * unmapped (and its pages freed) in the middle of an access.  The emulated
 * device sits on a bus without an IOMMU: a DMA address is the physical
 * address of the page.
 */
static int enpu_vm_copy(struct enpu_vm *vm, u64 va, void *buf, size_t len,
			bool write, const char **why)
{
	while (len) {
		size_t off = va & (ENPU_DEV_PAGE - 1);
		size_t n = min_t(size_t, len, ENPU_DEV_PAGE - off);
		struct page *page;
		u64 *pte;

		mutex_lock(&vm->lock);
		pte = va >= DRM_ENPU_VA_START && va < DRM_ENPU_VA_END ?
		      enpu_vm_pte(vm, va, false) : NULL;
		if (!pte || !(*pte & ENPU_PTE_VALID) ||
		    (write && !(*pte & ENPU_PTE_WRITE))) {
			mutex_unlock(&vm->lock);
			*why = !pte || !(*pte & ENPU_PTE_VALID) ?
			       "page not mapped" : "write to a read-only page";
			return -EFAULT;
		}
		page = pfn_to_page(PHYS_PFN(*pte & ENPU_PTE_ADDR_MASK));
		if (write)
			memcpy_to_page(page, off, buf, n);
		else
			memcpy_from_page(buf, page, off, n);
		mutex_unlock(&vm->lock);
		buf += n;
		va += n;
		len -= n;
	}
	return 0;
}

/**
 * enpu_vm_read() - read memory the way the device does
 * @vm: the address space
 * @va: device address
 * @buf: destination
 * @len: bytes to read
 * @why: on a fault, what the device would report
 *
 * Return: 0, or -EFAULT for a device page fault.
 */
int enpu_vm_read(struct enpu_vm *vm, u64 va, void *buf, size_t len,
		 const char **why)
{
	return enpu_vm_copy(vm, va, buf, len, false, why);
}

/**
 * enpu_vm_write() - write memory the way the device does
 * @vm: the address space
 * @va: device address
 * @buf: source
 * @len: bytes to write
 * @why: on a fault, what the device would report
 *
 * Return: 0, or -EFAULT for a device page fault.
 */
int enpu_vm_write(struct enpu_vm *vm, u64 va, const void *buf, size_t len,
		  const char **why)
{
	return enpu_vm_copy(vm, va, (void *)buf, len, true, why);
}
