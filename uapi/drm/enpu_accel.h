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
#define DRM_ENPU_DRIVER_MINOR	2

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
	DRM_ENPU_CTX_CREATE = 4,
	DRM_ENPU_CTX_DESTROY = 5,
	DRM_ENPU_CTX_QUERY = 6,
	DRM_ENPU_SUBMIT = 7,
	DRM_ENPU_CTX_SET_PARAM = 8,
};

/* Query types for &struct drm_enpu_dev_query. */
enum drm_enpu_query_type {
	/** @DRM_ENPU_QUERY_DEVICE_INFO: &struct drm_enpu_device_info */
	DRM_ENPU_QUERY_DEVICE_INFO = 0,
	/** @DRM_ENPU_QUERY_OPP_TABLE: array of &struct drm_enpu_opp */
	DRM_ENPU_QUERY_OPP_TABLE = 1,
	/** @DRM_ENPU_QUERY_TELEMETRY: &struct drm_enpu_telemetry */
	DRM_ENPU_QUERY_TELEMETRY = 2,
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

/**
 * struct drm_enpu_telemetry - the device's power and thermal state now
 * @temp_mc: die temperature, milli-degrees Celsius
 * @freq_khz: core clock now
 * @power_mw: power drawn now (static plus the busy cores' share of the
 *	OPP's full-load power)
 * @freq_max_khz: the ceiling now: the highest clock that the control
 *	plane's caps, thermal cooling and PM QoS allow (the member was
 *	padding, always zero, before it had a meaning)
 * @energy_uj: energy drawn since the device was bound, µJ
 * @busy_ns: time the cores held jobs since the device was bound, summed
 *	over cores, the running jobs included
 */
struct drm_enpu_telemetry {
	__s32 temp_mc;
	__u32 freq_khz;
	__u32 power_mw;
	__u32 freq_max_khz;
	__u64 energy_uj;
	__u64 busy_ns;
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

/* Context priorities: scheduling order between contexts. */
enum drm_enpu_priority {
	DRM_ENPU_PRIORITY_LOW = 0,
	DRM_ENPU_PRIORITY_NORMAL = 1,
	DRM_ENPU_PRIORITY_HIGH = 2,	/* needs CAP_SYS_NICE */
	DRM_ENPU_PRIORITY_REALTIME = 3,	/* needs CAP_SYS_NICE */
};

/* Workload class hints, for the arbiter; they do not change scheduling. */
enum drm_enpu_class {
	DRM_ENPU_CLASS_BACKGROUND = 0,
	DRM_ENPU_CLASS_NORMAL = 1,
	DRM_ENPU_CLASS_INTERACTIVE = 2,
	DRM_ENPU_CLASS_REALTIME = 3,
};

/**
 * struct drm_enpu_ctx_create - create a context (a job queue)
 * @priority: in: &enum drm_enpu_priority
 * @class_hint: in: &enum drm_enpu_class
 * @flags: in: must be zero
 * @ctx_id: out: context id, unique in this file, never 0
 * @syncobj: out: handle of the context's timeline syncobj; SUBMIT returns
 *	the point each job signals on it
 * @pad: must be zero
 *
 * Errors: -EINVAL (bad priority, class, flags or pad), -EACCES (priority
 * above NORMAL without CAP_SYS_NICE), -ENOSPC (%DRM_ENPU_MAX_CTX contexts
 * in this file), -EBADFD (the file is banned: %DRM_ENPU_BAN_HANGS of its
 * jobs hung), -ENOMEM, -ENODEV.
 */
struct drm_enpu_ctx_create {
	__u32 priority;
	__u32 class_hint;
	__u32 flags;
	__u32 ctx_id;
	__u32 syncobj;
	__u32 pad;
};

#define DRM_ENPU_MAX_CTX	64

/**
 * struct drm_enpu_ctx_destroy - destroy a context
 * @ctx_id: in: the context
 * @pad: must be zero
 *
 * Jobs already submitted still run and signal.  The timeline syncobj
 * handle stays valid until closed with DRM_IOCTL_SYNCOBJ_DESTROY.
 * Errors: -ENOENT (unknown @ctx_id), -EINVAL (pad).
 */
struct drm_enpu_ctx_destroy {
	__u32 ctx_id;
	__u32 pad;
};

/* Context states reported by CTX_QUERY. */
enum drm_enpu_ctx_state {
	/* no fault, and no reset has touched the context's jobs */
	DRM_ENPU_CTX_OK = 0,
	/* a job faulted or hung; SUBMIT fails with -EBADFD */
	DRM_ENPU_CTX_GUILTY = 1,
	/* the device failed some of its jobs (-EIO: a device reset or a
	 * device error), through no fault of its own; it can go on
	 */
	DRM_ENPU_CTX_INNOCENT = 2,
	/* its file's contexts hung %DRM_ENPU_BAN_HANGS times: SUBMIT and
	 * CTX_CREATE in that file fail with -EBADFD
	 */
	DRM_ENPU_CTX_BANNED = 3,
};

/* Hangs after which a file is banned from the device. */
#define DRM_ENPU_BAN_HANGS	3

/* CTX_QUERY flags. */
#define DRM_ENPU_CTX_FROZEN	0x1u	/* the control plane froze it */

/**
 * struct drm_enpu_ctx_query - a context's state, counters and parameters
 * @ctx_id: in: the context
 * @state: out: &enum drm_enpu_ctx_state
 * @submitted: out: jobs submitted
 * @completed: out: jobs that completed without error
 * @failed: out: jobs that completed with an error, including jobs that
 *	never reached the device (a failed dependency, a guilty context)
 * @last_error: out: the negative errno of the last failed job, or 0;
 *	-ETIMEDOUT for a job a core reset stopped
 * @pad: must be zero
 * @busy_ns: out: device time the context's jobs held a core
 * @resets: out: core and device resets since the context was created
 * @flags: out: DRM_ENPU_CTX_FROZEN
 * @runtime_us: out: budget: device time per period (0: none)
 * @period_us: out: budget period
 * @priority: out: &enum drm_enpu_priority
 * @class_hint: out: &enum drm_enpu_class
 * @hint_period_us: out: %DRM_ENPU_PARAM_PERIOD_US
 * @hint_deadline_us: out: %DRM_ENPU_PARAM_DEADLINE_US
 * @hint_job_us: out: %DRM_ENPU_PARAM_JOB_DURATION_US
 * @job_timeout_ms: out: %DRM_ENPU_PARAM_JOB_TIMEOUT_MS
 * @core_mask: out: %DRM_ENPU_PARAM_CORE_MASK
 * @pad2: zero
 *
 * Fields after @pad were added in driver version 0.2; older callers pass
 * the shorter structure and get the leading fields.
 * Errors: -ENOENT (unknown @ctx_id), -EINVAL (pad).
 */
struct drm_enpu_ctx_query {
	__u32 ctx_id;
	__u32 state;
	__u64 submitted;
	__u64 completed;
	__u64 failed;
	__s32 last_error;
	__u32 pad;
	__u64 busy_ns;
	__u32 resets;
	__u32 flags;
	__u64 runtime_us;
	__u64 period_us;
	__u32 priority;
	__u32 class_hint;
	__u32 hint_period_us;
	__u32 hint_deadline_us;
	__u32 hint_job_us;
	__u32 job_timeout_ms;
	__u32 core_mask;
	__u32 pad2;
};

/* Parameters CTX_SET_PARAM sets. */
enum drm_enpu_ctx_param {
	/* &enum drm_enpu_priority; above NORMAL needs CAP_SYS_NICE */
	DRM_ENPU_PARAM_PRIORITY = 0,
	/* &enum drm_enpu_class: a hint for the arbiter */
	DRM_ENPU_PARAM_CLASS = 1,
	/* hints for the arbiter, in us, at most %DRM_ENPU_MAX_HINT_US */
	DRM_ENPU_PARAM_PERIOD_US = 2,
	DRM_ENPU_PARAM_DEADLINE_US = 3,
	DRM_ENPU_PARAM_JOB_DURATION_US = 4,
	/*
	 * How long a job may hold a core without progress before the core
	 * is reset and the context made guilty: %DRM_ENPU_MIN_JOB_TIMEOUT_MS
	 * up to the administrator's maximum (module parameter
	 * job_timeout_max_ms), which also bounds jobs that do progress.
	 */
	DRM_ENPU_PARAM_JOB_TIMEOUT_MS = 5,
	/* the cores the context's jobs may run on: bit n for core n */
	DRM_ENPU_PARAM_CORE_MASK = 6,
};

#define DRM_ENPU_MAX_HINT_US		10000000u
#define DRM_ENPU_MIN_JOB_TIMEOUT_MS	100u

/* Budget periods the control plane may set (debugfs for now). */
#define DRM_ENPU_BUDGET_MIN_PERIOD_US	1000u
#define DRM_ENPU_BUDGET_MAX_PERIOD_US	10000000u

/**
 * struct drm_enpu_ctx_set_param - set one parameter of a context
 * @ctx_id: in: the context
 * @param: in: &enum drm_enpu_ctx_param
 * @value: in: the value
 *
 * A priority or core mask change applies to jobs submitted once the
 * context's queue is empty (drm_sched moves an entity between run queues
 * only then).
 * Errors: -ENOENT (unknown @ctx_id), -EINVAL (unknown @param, value out of
 * range, a core mask naming no existing core), -EACCES (priority above
 * NORMAL without CAP_SYS_NICE), -ENODEV.
 */
struct drm_enpu_ctx_set_param {
	__u32 ctx_id;
	__u32 param;
	__u64 value;
};

/* BO reference flags in a SUBMIT: how the job uses the buffer. */
#define DRM_ENPU_BO_REF_READ	0x1u
#define DRM_ENPU_BO_REF_WRITE	0x2u

/**
 * struct drm_enpu_bo_ref - a buffer a job uses
 * @handle: GEM handle
 * @flags: DRM_ENPU_BO_REF_READ and/or _WRITE, at least one
 */
struct drm_enpu_bo_ref {
	__u32 handle;
	__u32 flags;
};

/**
 * struct drm_enpu_fence_ref - a syncobj point a job waits for
 * @syncobj: syncobj handle
 * @pad: must be zero
 * @point: timeline point, 0 for a binary syncobj
 */
struct drm_enpu_fence_ref {
	__u32 syncobj;
	__u32 pad;
	__u64 point;
};

#define DRM_ENPU_MAX_BO_REFS	256
#define DRM_ENPU_MAX_IN_FENCES	64
#define DRM_ENPU_MAX_CMD_SIZE	65536

/**
 * struct drm_enpu_submit - queue a command stream on a context
 * @ctx_id: in: the context
 * @flags: in: must be zero
 * @cmd_va: in: device address of the command stream (8-byte aligned)
 * @cmd_size: in: its size in bytes: a multiple of sizeof(struct
 *	drm_enpu_instr), at most %DRM_ENPU_MAX_CMD_SIZE
 * @bo_count: in: entries at @bos, at most %DRM_ENPU_MAX_BO_REFS
 * @bos: in: array of &struct drm_enpu_bo_ref; the job holds these buffers
 *	until it completes and orders itself after earlier writers (and,
 *	when it writes, readers) of each
 * @in_fences: in: array of &struct drm_enpu_fence_ref the job waits for
 * @in_fence_count: in: entries at @in_fences, at most
 *	%DRM_ENPU_MAX_IN_FENCES
 * @out_syncobj: in: a syncobj whose fence is replaced by the job's, or 0
 * @point: out: the point the job signals on the context's timeline
 *
 * Wait with DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT on the context's syncobj.  A
 * job whose stream faults signals with an error and makes its context
 * guilty.  A buffer may appear more than once in @bos.  Errors: -EINVAL
 * (bad field, limit, alignment; @out_syncobj is the context's own
 * timeline; an in-fence point with no fence submitted yet), -ENOENT
 * (unknown or concurrently destroyed context, unknown buffer or syncobj),
 * -EBADFD
 * (context guilty), -EFAULT (bad user array), -ENOMEM, -ENODEV,
 * -EINTR/-ERESTARTSYS.
 */
struct drm_enpu_submit {
	__u32 ctx_id;
	__u32 flags;
	__u64 cmd_va;
	__u32 cmd_size;
	__u32 bo_count;
	__u64 bos;
	__u64 in_fences;
	__u32 in_fence_count;
	__u32 out_syncobj;
	__u64 point;
};

/*
 * The command stream: an array of 64-byte instructions, ending in END.
 * Every reserved field and every argument an opcode does not use must be
 * zero; any violation, any operand the device cannot translate with the
 * access it needs, and a stream that runs out before END are device
 * faults (the job's fence error is -EINVAL for a bad instruction and
 * -EFAULT for a page fault).  Opcodes are append-only.
 */
enum drm_enpu_opcode {
	DRM_ENPU_OP_END = 0,
	DRM_ENPU_OP_NOP = 1,
	/* arg[0]: device cycles to stay busy, 1..DRM_ENPU_SPIN_MAX_CYCLES */
	DRM_ENPU_OP_SPIN = 2,
	/* arg[0]: source VA, arg[1]: destination VA, arg[2]: bytes, 1..64 MiB */
	DRM_ENPU_OP_DMA_COPY = 3,
	/*
	 * int8 matrix product with requantization (Documentation/isa.rst):
	 * arg[0]: A, M x K int8, row-major; arg[1]: B, K x N int8, row-major;
	 * arg[2]: bias, N int32, or 0 for none; arg[3]: C, M x N int8;
	 * arg[4]: DRM_ENPU_GEMM_DIMS(M, N, K);
	 * arg[5]: DRM_ENPU_QUANT(a_zp, b_zp, out_zp, act_min, act_max);
	 * arg[6]: DRM_ENPU_REQUANT(multiplier, shift).
	 */
	DRM_ENPU_OP_GEMM = 4,
	/*
	 * int8 max or average pooling over one H x W x C image (HWC order):
	 * arg[0]: input VA; arg[1]: output VA (OH x OW x C);
	 * arg[2]: DRM_ENPU_POOL_DIMS(H, W, C); arg[3]: DRM_ENPU_POOL_OUT(OH, OW);
	 * arg[4]: DRM_ENPU_POOL_WINDOW(mode, kh, kw, sh, sw, pad_top, pad_left);
	 * arg[5]: DRM_ENPU_CLAMP(act_min, act_max).
	 */
	DRM_ENPU_OP_POOL = 5,
	/* arg[0]: VA of a &struct drm_enpu_conv2d, 8-byte aligned */
	DRM_ENPU_OP_CONV2D = 6,
	/* arg[0]: VA of a &struct drm_enpu_add, 8-byte aligned */
	DRM_ENPU_OP_ADD = 7,
};

/**
 * struct drm_enpu_add - operands of an ADD instruction, in device memory
 * @a: VA of the first int8 input
 * @b: VA of the second int8 input
 * @out: VA of the int8 output
 * @count: elements, 1..%DRM_ENPU_DMA_MAX_BYTES
 * @left_shift: 0..20, applied to both inputs before scaling
 * @reserved: must be zero
 * @quant: DRM_ENPU_QUANT(a_zp, b_zp, out_zp, act_min, act_max)
 * @a_requant: DRM_ENPU_REQUANT() scaling the first input
 * @b_requant: DRM_ENPU_REQUANT() scaling the second input
 * @out_requant: DRM_ENPU_REQUANT() scaling the sum to the output
 */
struct drm_enpu_add {
	__u64 a;
	__u64 b;
	__u64 out;
	__u32 count;
	__u8 left_shift;
	__u8 reserved[3];
	__u64 quant;
	__u64 a_requant;
	__u64 b_requant;
	__u64 out_requant;
};

/**
 * struct drm_enpu_conv2d - operands of a CONV2D instruction, in device memory
 * @input: VA of the H x W x Cin int8 input (HWC)
 * @filter: VA of the filter: Cout x KH x KW x Cin (OHWI) for a regular
 *	convolution, KH x KW x Cout for a depthwise one
 * @bias: VA of Cout int32 values, or 0
 * @output: VA of the OH x OW x Cout int8 output
 * @h: input height, 1..4096
 * @w: input width, 1..4096
 * @cin: input channels, 1..4096
 * @cout: output channels, 1..4096; a multiple of @cin when depthwise
 * @oh: output height, 1..4096
 * @ow: output width, 1..4096
 * @kh: filter height, 1..255
 * @kw: filter width, 1..255
 * @stride_h: 1..255
 * @stride_w: 1..255
 * @dilation_h: 1..255
 * @dilation_w: 1..255
 * @pad_top: rows of zero-point padding above the input
 * @pad_left: columns of zero-point padding left of the input
 * @depthwise: 1 for a depthwise convolution (Cout = Cin x multiplier)
 * @reserved: must be zero
 * @quant: DRM_ENPU_QUANT(in_zp, filter_zp, out_zp, act_min, act_max)
 * @requant: DRM_ENPU_REQUANT(multiplier, shift)
 */
struct drm_enpu_conv2d {
	__u64 input;
	__u64 filter;
	__u64 bias;
	__u64 output;
	__u16 h;
	__u16 w;
	__u16 cin;
	__u16 cout;
	__u16 oh;
	__u16 ow;
	__u8 kh;
	__u8 kw;
	__u8 stride_h;
	__u8 stride_w;
	__u8 dilation_h;
	__u8 dilation_w;
	__u8 pad_top;
	__u8 pad_left;
	__u8 depthwise;
	__u8 reserved[7];
	__u64 quant;
	__u64 requant;
};

#define DRM_ENPU_POOL_MAX		0u
#define DRM_ENPU_POOL_AVG		1u
#define DRM_ENPU_POOL_DIMS(h, w, c) DRM_ENPU_GEMM_DIMS(h, w, c)
#define DRM_ENPU_POOL_OUT(oh, ow) ((__u64)(__u16)(oh) | (__u64)(__u16)(ow) << 16)
/* Window and strides 1..255, padding 0..window-1, mode MAX or AVG. */
#define DRM_ENPU_POOL_WINDOW(mode, kh, kw, sh, sw, pt, pl) \
	((__u64)(__u8)(kh) | (__u64)(__u8)(kw) << 8 | (__u64)(__u8)(sh) << 16 | \
	 (__u64)(__u8)(sw) << 24 | (__u64)(__u8)(pt) << 32 | \
	 (__u64)(__u8)(pl) << 40 | (__u64)(__u8)(mode) << 48)
#define DRM_ENPU_CLAMP(act_min, act_max) \
	((__u64)(__u8)(act_min) | (__u64)(__u8)(act_max) << 8)

/* GEMM dimensions: each 1..DRM_ENPU_GEMM_MAX_DIM, packed 16 bits apart. */
#define DRM_ENPU_GEMM_MAX_DIM		4096u
#define DRM_ENPU_GEMM_DIMS(m, n, k) \
	((__u64)(__u16)(m) | (__u64)(__u16)(n) << 16 | (__u64)(__u16)(k) << 32)
/* Zero points and activation clamp: five int8 values, 8 bits apart. */
#define DRM_ENPU_QUANT(a_zp, b_zp, out_zp, act_min, act_max) \
	((__u64)(__u8)(a_zp) | (__u64)(__u8)(b_zp) << 8 | \
	 (__u64)(__u8)(out_zp) << 16 | (__u64)(__u8)(act_min) << 24 | \
	 (__u64)(__u8)(act_max) << 32)
/* Requantization: multiplier 0..2^31-1 (Q31), shift -31..30. */
#define DRM_ENPU_REQUANT(multiplier, shift) \
	((__u64)(__u32)(multiplier) | (__u64)(__u8)(__s8)(shift) << 32)
/* Multiply-accumulates one job may ask for, over all its instructions. */
#define DRM_ENPU_MAX_JOB_MACS		0x10000000ull	/* 2^28 */

#define DRM_ENPU_SPIN_MAX_CYCLES	4000000000ull
#define DRM_ENPU_DMA_MAX_BYTES		(64ull << 20)

/**
 * struct drm_enpu_instr - one instruction
 * @opcode: &enum drm_enpu_opcode
 * @flags: must be zero
 * @pad: must be zero
 * @arg: operands, per opcode
 */
struct drm_enpu_instr {
	__u16 opcode;
	__u16 flags;
	__u32 pad;
	__u64 arg[7];
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
#define DRM_IOCTL_ENPU_CTX_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_ENPU_CTX_CREATE, struct drm_enpu_ctx_create)
#define DRM_IOCTL_ENPU_CTX_DESTROY \
	DRM_IOW(DRM_COMMAND_BASE + DRM_ENPU_CTX_DESTROY, struct drm_enpu_ctx_destroy)
#define DRM_IOCTL_ENPU_CTX_QUERY \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_ENPU_CTX_QUERY, struct drm_enpu_ctx_query)
#define DRM_IOCTL_ENPU_SUBMIT \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_ENPU_SUBMIT, struct drm_enpu_submit)
#define DRM_IOCTL_ENPU_CTX_SET_PARAM \
	DRM_IOW(DRM_COMMAND_BASE + DRM_ENPU_CTX_SET_PARAM, \
		struct drm_enpu_ctx_set_param)

#if defined(__cplusplus)
}
#endif

#endif /* _UAPI_ENPU_ACCEL_H */
