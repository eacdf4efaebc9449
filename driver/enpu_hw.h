/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The hardware boundary.  Everything above struct enpu_hw_ops is the driver
 * a vendor ships; everything below it is a device.  The emulated NPU in sim/
 * is one implementation; a silicon back end would be another.
 */
#ifndef __ENPU_HW_H__
#define __ENPU_HW_H__

#include <linux/types.h>

struct device;
struct enpu_hw;
struct enpu_vm;

/**
 * struct enpu_hw_job - a job as the device sees it (a ring entry)
 * @vm: the address space the device translates the job's addresses in
 * @cmd_va: device address of the command stream
 * @cmd_size: its size in bytes
 * @cancel: set by the driver while the job waits in a ring: the device
 *	completes it with -ECANCELED instead of running it
 * @status: set by the device before completion: 0, -EFAULT (page fault),
 *	-EINVAL (bad instruction or missing END), -ENOMEM (the emulated
 *	device could not allocate its working memory), -ETIMEDOUT (stopped
 *	by a core reset), -ECANCELED (@cancel), -EIO (lost in a device
 *	reset), -ENODEV (halted)
 * @start_ns: set by the device: when the core started the job (ktime ns);
 *	0 while it waits in the ring
 * @end_ns: set by the device: when the core let go of the job
 * @cycles: set by the device: device cycles the job took (modeled; for a
 *	job stopped by a reset, the cycles it occupied the core)
 */
struct enpu_hw_job {
	struct enpu_vm *vm;
	u64 cmd_va;
	u32 cmd_size;
	bool cancel;
	int status;
	u64 start_ns;
	u64 end_ns;
	u64 cycles;
};

/**
 * struct enpu_hw_core_stats - a core's counters
 * @busy_ns: time the core held a job since the device was created
 * @busy_cycles: device cycles of those jobs
 * @progress: advances while the core executes; frozen when it hangs
 */
struct enpu_hw_core_stats {
	u64 busy_ns;
	u64 busy_cycles;
	u64 progress;
};

/**
 * struct enpu_hw_telemetry - what the device reports about its power
 * @temp_mc: die temperature, milli-degrees Celsius
 * @power_mw: power drawn now
 * @energy_uj: energy drawn since the device was created
 * @freq_khz: core clock
 * @busy_ns: time the cores held jobs, summed over cores, running jobs
 *	included
 */
struct enpu_hw_telemetry {
	s32 temp_mc;
	u32 power_mw;
	u64 energy_uj;
	u32 freq_khz;
	u64 busy_ns;
};

/* Faults the device can be told to produce (debugfs, tests). */
enum enpu_hw_fault {
	ENPU_HW_FAULT_HANG,	/* the next job a core starts never ends */
	ENPU_HW_FAULT_FW_CRASH,	/* the firmware stops; raises @fatal */
};

/**
 * struct enpu_hw_ops - operations a device back end provides
 * @boot: load the firmware image into the device and start it.  The device
 *	checks the image itself (as a boot ROM would) and returns -EIO if it
 *	refuses to run it.  The caller keeps ownership of @image.
 * @halt: stop the device; a later @boot starts it again.
 * @fw_version: the firmware version the running device reports, read back
 *	after @boot as the boot handshake; 0 when the device is not running.
 * @submit: write @job into @core's ring and ring its doorbell.  The device
 *	runs the core's jobs one at a time, in order, and raises
 *	&enpu_hw.complete for each from its own context, never from @submit.
 *	Returns -ENOSPC if the ring is full, -ENODEV if the device is halted,
 *	-EINVAL for a core the device does not have.
 *	Halting completes every job still in a ring with -ENODEV.
 * @reset: stop the device like @halt, completing every job it holds with
 *	-EIO; a @boot must follow.
 * @reset_core: stop @job, which @core holds (it completes with
 *	-ETIMEDOUT, from the device's context); the core then goes on with
 *	its ring.  Returns -ENOENT if the core no longer holds @job, -EIO
 *	when only a device reset can help (the firmware is not running).
 * @core_stats: read @core's counters.
 * @timestamp: the device's free-running clock, in cycles.
 * @inject: make the device produce @fault.
 * @set_freq: run the cores at @khz, one of the firmware's OPPs; jobs
 *	already running keep the time they were given.  -EINVAL otherwise.
 * @telemetry: read temperature, power, energy, frequency and busy time.
 */
struct enpu_hw_ops {
	int (*boot)(struct enpu_hw *hw, const u8 *image, size_t size);
	void (*halt)(struct enpu_hw *hw);
	u32 (*fw_version)(struct enpu_hw *hw);
	int (*submit)(struct enpu_hw *hw, u32 core, struct enpu_hw_job *job);
	void (*reset)(struct enpu_hw *hw);
	int (*reset_core)(struct enpu_hw *hw, u32 core, struct enpu_hw_job *job);
	void (*core_stats)(struct enpu_hw *hw, u32 core,
			   struct enpu_hw_core_stats *stats);
	u64 (*timestamp)(struct enpu_hw *hw);
	int (*inject)(struct enpu_hw *hw, enum enpu_hw_fault fault);
	int (*set_freq)(struct enpu_hw *hw, u32 khz);
	void (*telemetry)(struct enpu_hw *hw, struct enpu_hw_telemetry *t);
};

/* Jobs a core's ring holds. */
#define ENPU_HW_RING_SIZE	64

/**
 * struct enpu_hw - a device instance behind the boundary
 * @ops: its operations
 * @dev: the device it belongs to
 * @complete: the completion "interrupt", set by the driver before the
 *	first @submit
 * @fatal: the error "interrupt": the device stopped (firmware crash) and
 *	needs @reset and @boot; raised from the device's context
 */
struct enpu_hw {
	const struct enpu_hw_ops *ops;
	struct device *dev;
	void (*complete)(struct enpu_hw *hw, u32 core, struct enpu_hw_job *job);
	void (*fatal)(struct enpu_hw *hw);
};

struct enpu_hw *enpu_sim_create(struct device *dev);

#endif /* __ENPU_HW_H__ */
