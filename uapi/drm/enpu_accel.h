/* SPDX-License-Identifier: MIT */
/*
 * enpu: the application interface of the enpu NPU (DRM accel device).
 *
 * Rules that hold for every ioctl below:
 *  - the ioctl numbers are append-only;
 *  - every pad, reserved field and undefined flag bit must be zero, else the
 *    ioctl fails with -EINVAL;
 *  - user pointers are carried in __u64 fields;
 *  - sizes are bounded and all size arithmetic is overflow-checked.
 *
 * Documentation/uapi.rst is the reference manual for this file.
 */
#ifndef _UAPI_ENPU_ACCEL_H
#define _UAPI_ENPU_ACCEL_H

#include "drm.h"

#if defined(__cplusplus)
extern "C" {
#endif

#define DRM_ENPU_DRIVER_MAJOR	0
#define DRM_ENPU_DRIVER_MINOR	1

/* Device virtual address range of every per-file address space. */
#define DRM_ENPU_VA_START	0x00100000ull
#define DRM_ENPU_VA_END		0x100000000ull	/* exclusive */

/* Capability bits: the operations the device's firmware executes. */
#define DRM_ENPU_CAP_SPIN	0x1ull
#define DRM_ENPU_CAP_DMA	0x2ull
#define DRM_ENPU_CAP_GEMM	0x4ull
#define DRM_ENPU_CAP_CONV2D	0x8ull
#define DRM_ENPU_CAP_DEPTHWISE	0x10ull
#define DRM_ENPU_CAP_POOL	0x20ull
#define DRM_ENPU_CAP_ADD	0x40ull
#define DRM_ENPU_CAP_ALL	0x7full

/* Ioctl numbers, relative to DRM_COMMAND_BASE.  Append only. */
enum drm_enpu_ioctl_nr {
	DRM_ENPU_DEV_QUERY = 0,
	DRM_ENPU_BO_CREATE = 1,
	DRM_ENPU_BO_INFO = 2,
	DRM_ENPU_BO_CREATE_USERPTR = 3,
};

/* Query types for &struct drm_enpu_dev_query. */
enum drm_enpu_query_type {
	/** @DRM_ENPU_QUERY_DEVICE_INFO: &struct drm_enpu_device_info */
	DRM_ENPU_QUERY_DEVICE_INFO = 0,
	/** @DRM_ENPU_QUERY_OPP_TABLE: array of &struct drm_enpu_opp */
	DRM_ENPU_QUERY_OPP_TABLE = 1,
};

/* Largest buffer DEV_QUERY accepts; larger @size fails with -EINVAL. */
#define DRM_ENPU_QUERY_MAX_SIZE	65536u

/**
 * struct drm_enpu_dev_query - read device information
 * @type: one of &enum drm_enpu_query_type; unknown types fail with -EINVAL
 * @size: in: bytes available at @pointer (at most %DRM_ENPU_QUERY_MAX_SIZE);
 *	out: bytes the full answer takes
 * @pointer: user buffer, or 0 to ask only for the size
 * @flags: must be zero
 * @pad: must be zero
 *
 * With @pointer 0 the kernel only writes @size.  Otherwise it copies
 * min(@size, answer size) bytes and zero-fills the rest of the @size bytes,
 * so a newer kernel's longer answer truncates cleanly and an older kernel's
 * shorter answer reads as zeros.  Errors: -EINVAL (bad type, flags, pad or
 * size), -EFAULT (unwritable @pointer), -ENODEV (device gone).
 */
struct drm_enpu_dev_query {
	__u32 type;
	__u32 size;
	__u64 pointer;
	__u32 flags;
	__u32 pad;
};

/**
 * struct drm_enpu_device_info - answer to %DRM_ENPU_QUERY_DEVICE_INFO
 * @fw_version: firmware version, major << 16 | minor << 8 | patch
 * @isa_version: command-stream ISA version
 * @fw_format: firmware image format version
 * @num_cores: number of NPU cores
 * @capabilities: DRM_ENPU_CAP_* bits
 * @va_start: first device virtual address of a file's address space
 * @va_end: end (exclusive) of a file's address space
 * @num_opps: entries in the OPP table (%DRM_ENPU_QUERY_OPP_TABLE)
 * @pad: zero
 * @fw_name: NUL-terminated firmware name
 */
struct drm_enpu_device_info {
	__u32 fw_version;
	__u32 isa_version;
	__u32 fw_format;
	__u32 num_cores;
	__u64 capabilities;
	__u64 va_start;
	__u64 va_end;
	__u32 num_opps;
	__u32 pad;
	char fw_name[32];
};

/**
 * struct drm_enpu_opp - one operating performance point
 * @freq_khz: core clock in kHz
 * @volt_uv: supply voltage in µV
 * @power_mw: dynamic power at full load in mW
 * @pad: zero
 */
struct drm_enpu_opp {
	__u32 freq_khz;
	__u32 volt_uv;
	__u32 power_mw;
	__u32 pad;
};

/*
 * Buffer object flags.  DEVICE_READ_ONLY: the device may only read the
 * buffer, a device write faults; a userptr buffer with this flag is pinned
 * without write access, so it may come from a read-only mapping.
 */
#define DRM_ENPU_BO_DEVICE_READ_ONLY	0x1u
#define DRM_ENPU_BO_FLAGS		DRM_ENPU_BO_DEVICE_READ_ONLY

/* Largest buffer object, in bytes. */
#define DRM_ENPU_BO_MAX_SIZE	0x40000000ull	/* 1 GiB */

/**
 * struct drm_enpu_bo_create - create a shmem-backed buffer object
 * @size: in: bytes, 1..%DRM_ENPU_BO_MAX_SIZE; rounded up to the page size
 * @flags: in: DRM_ENPU_BO_* flags
 * @handle: out: GEM handle in this file
 *
 * The buffer is mapped at once into the file's device address space (see
 * &struct drm_enpu_bo_info for its address).  Errors: -EINVAL (zero or
 * oversized @size, unknown @flags), -ENOMEM, -ENOSPC (the file's device
 * address space is full), -ENODEV.
 */
struct drm_enpu_bo_create {
	__u64 size;
	__u32 flags;
	__u32 handle;
};

/**
 * struct drm_enpu_bo_info - describe a buffer object
 * @handle: in: GEM handle in this file
 * @pad: in: must be zero
 * @size: out: size in bytes (page-rounded)
 * @va: out: device virtual address in this file's address space
 * @mmap_offset: out: offset to pass to mmap() on the device file; 0 for a
 *	userptr buffer
 * @flags: out: DRM_ENPU_BO_* flags
 * @pad2: in: must be zero
 *
 * A buffer imported through PRIME, or shared with another file, has its own
 * device address in each file.  Errors: -ENOENT (unknown @handle), -EINVAL
 * (non-zero pads), -ENOMEM, -ENODEV.
 */
struct drm_enpu_bo_info {
	__u32 handle;
	__u32 pad;
	__u64 size;
	__u64 va;
	__u64 mmap_offset;
	__u32 flags;
	__u32 pad2;
};

/**
 * struct drm_enpu_bo_create_userptr - pin user memory as a buffer object
 * @user_ptr: in: start of the range, page-aligned
 * @size: in: bytes, page-aligned, 1 page..%DRM_ENPU_BO_MAX_SIZE
 * @flags: in: DRM_ENPU_BO_* flags
 * @handle: out: GEM handle in this file
 *
 * The pages are pinned long-term (FOLL_LONGTERM, with FOLL_WRITE unless
 * %DRM_ENPU_BO_DEVICE_READ_ONLY) and charged to the caller's
 * RLIMIT_MEMLOCK; CAP_IPC_LOCK lifts the limit.  They stay pinned and
 * charged until the last reference to the buffer goes, even after the
 * process exits.  The buffer has no mmap offset (use the original mapping)
 * and cannot be exported as a dma-buf (-EOPNOTSUPP).  Anonymous, memfd and
 * tmpfs memory can be pinned; the kernel refuses long-term writable pins of
 * shared mappings of files on other filesystems (-EFAULT).
 *
 * Errors: -EINVAL (unaligned @user_ptr or @size, zero or oversized @size,
 * range wrapping or outside user space, unknown @flags), -EFAULT (part of
 * the range unmapped, PROT_NONE, or read-only without
 * %DRM_ENPU_BO_DEVICE_READ_ONLY), -ENOMEM (over RLIMIT_MEMLOCK: raise it
 * with setrlimit(2), ulimit -l or LimitMEMLOCK= in a systemd unit, or grant
 * CAP_IPC_LOCK), -ENOSPC (address space full), -ENODEV.
 */
struct drm_enpu_bo_create_userptr {
	__u64 user_ptr;
	__u64 size;
	__u32 flags;
	__u32 handle;
};

#define DRM_IOCTL_ENPU_DEV_QUERY \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_ENPU_DEV_QUERY, struct drm_enpu_dev_query)
#define DRM_IOCTL_ENPU_BO_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_ENPU_BO_CREATE, struct drm_enpu_bo_create)
#define DRM_IOCTL_ENPU_BO_INFO \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_ENPU_BO_INFO, struct drm_enpu_bo_info)
#define DRM_IOCTL_ENPU_BO_CREATE_USERPTR \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_ENPU_BO_CREATE_USERPTR, \
		 struct drm_enpu_bo_create_userptr)

#if defined(__cplusplus)
}
#endif

#endif /* _UAPI_ENPU_ACCEL_H */
