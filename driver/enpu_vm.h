/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef __ENPU_VM_H__
#define __ENPU_VM_H__

#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <drm/drm_mm.h>

struct sg_table;

/*
 * A device address space: drm_mm over [DRM_ENPU_VA_START, DRM_ENPU_VA_END)
 * and the two-level page table the device walks.  A page-table entry holds
 * the DMA address of a 4 KiB page and its permission bits.
 */
#define ENPU_PTE_VALID		BIT_ULL(0)
#define ENPU_PTE_WRITE		BIT_ULL(1)
#define ENPU_PTE_ADDR_MASK	GENMASK_ULL(51, 12)

#define ENPU_PT_SHIFT		12
#define ENPU_PT_L2_BITS		9	/* 512 entries: one 4 KiB table */
#define ENPU_PT_L1_BITS		11	/* 2048 tables cover 4 GiB */

/* Access kinds for enpu_vm_translate(). */
#define ENPU_ACCESS_READ	0x1u
#define ENPU_ACCESS_WRITE	0x2u

/**
 * struct enpu_vm - a per-file device address space
 * @ref: the file and every job of the file hold one
 * @lock: protects @mm and @pt
 * @mm: the address allocator
 * @pt: level-1 table; each entry is a level-2 table or NULL
 */
struct enpu_vm {
	struct kref ref;
	struct mutex lock; /* protects mm and pt */
	struct drm_mm mm;
	u64 *pt[BIT(ENPU_PT_L1_BITS)];
};

/**
 * struct enpu_vm_map - one buffer mapped into one address space
 * @vm: the address space
 * @node: the range it occupies (the buffer plus an unmapped guard page)
 * @size: the mapped bytes
 * @read_only: the device may not write through this mapping
 */
struct enpu_vm_map {
	struct enpu_vm *vm;
	struct drm_mm_node node;
	u64 size;
	bool read_only;
};

struct enpu_vm *enpu_vm_create(void);
struct enpu_vm *enpu_vm_get(struct enpu_vm *vm);
void enpu_vm_put(struct enpu_vm *vm);
int enpu_vm_map(struct enpu_vm *vm, struct enpu_vm_map *map,
		struct sg_table *sgt, u64 size, bool read_only);
void enpu_vm_unmap(struct enpu_vm_map *map);
int enpu_vm_translate(struct enpu_vm *vm, u64 va, u64 len, u32 access,
		      dma_addr_t *first, const char **why);
int enpu_vm_read(struct enpu_vm *vm, u64 va, void *buf, size_t len,
		 const char **why);
int enpu_vm_write(struct enpu_vm *vm, u64 va, const void *buf, size_t len,
		  const char **why);

#endif /* __ENPU_VM_H__ */
