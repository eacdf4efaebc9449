/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Driver-local fault points, for the stock-kernel test tier (Debian's
 * kernel has no fault injection): the driver's own allocations in ioctl
 * paths, and the device's submit and boot.  Set through debugfs
 * (enpu/fail_nth, enpu/fail_hw); see enpu_fault.c.
 */
#ifndef __ENPU_FAULT_H__
#define __ENPU_FAULT_H__

#include <linux/types.h>

struct dentry;

enum enpu_fault_hw {
	ENPU_FAULT_SUBMIT,	/* a job's ring write fails with -EIO */
	ENPU_FAULT_BOOT,	/* a firmware boot fails with -EIO */
	ENPU_FAULT_HW_COUNT,
};

bool enpu_fault_alloc(void);
bool enpu_fault_hw(enum enpu_fault_hw point);
void enpu_fault_debugfs_init(struct dentry *root);

/* The driver's allocations, each a fault point. */
#define enpu_kzalloc(size, gfp) \
	(enpu_fault_alloc() ? NULL : kzalloc(size, gfp))
#define enpu_kcalloc(n, size, gfp) \
	(enpu_fault_alloc() ? NULL : kcalloc(n, size, gfp))
#define enpu_kvzalloc(size, gfp) \
	(enpu_fault_alloc() ? NULL : kvzalloc(size, gfp))
#define enpu_kvcalloc(n, size, gfp) \
	(enpu_fault_alloc() ? NULL : kvcalloc(n, size, gfp))
#define enpu_kvmalloc_array(n, size, gfp) \
	(enpu_fault_alloc() ? NULL : kvmalloc_array(n, size, gfp))
#define enpu_dma_fence_chain_alloc() \
	(enpu_fault_alloc() ? NULL : dma_fence_chain_alloc())

/* A fallible step of probe, a fault point too: -ENOMEM when it is failed. */
#define enpu_fault_call(call) \
	(enpu_fault_alloc() ? -ENOMEM : (call))

#endif /* __ENPU_FAULT_H__ */
