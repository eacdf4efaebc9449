// SPDX-License-Identifier: GPL-2.0-only
/*
 * The emulated enpu NPU: the device side of struct enpu_hw_ops.
 *
 * Like real silicon, the device boots only from an image its boot ROM
 * accepts: it checks the magic and the CRC on its own, independently of the
 * driver's validation, and reports the running firmware's version back.
 *
 * Each core has a ring of jobs and a doorbell.  Ringing the doorbell
 * queues the core's worker, which runs the ring's jobs in order, one at a
 * time, and raises the completion "interrupt" (enpu_hw.complete) from that
 * worker: never from inside submit.  A job completes at its modeled end
 * (device cycles at the current frequency) or when its real work is done,
 * whichever is later.
 *
 * For recovery testing the device can be told to hang a job (the core
 * stops advancing its progress counter and holds the job until a core
 * reset) or to crash its firmware (every core stops; the error interrupt
 * asks the driver for a device reset, which completes what was held with
 * -EIO).
 */
#include <linux/crc32.h>
#include <linux/device.h>
#include <linux/hrtimer.h>
#include <linux/math64.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include <drm/enpu_accel.h>

#include "enpu_fw_format.h"
#include "../enpu_hw.h"
#include "enpu_sim.h"

static struct enpu_sim *to_sim(struct enpu_hw *hw)
{
	return container_of(hw, struct enpu_sim, hw);
}

static int enpu_sim_boot(struct enpu_hw *hw, const u8 *image, size_t size)
{
	struct enpu_sim *sim = to_sim(hw);
	const struct enpu_fw_header *hdr = (const void *)image;
	const struct enpu_fw_opp *opp;
	u32 crc, cores, nopps;

	if (size < sizeof(*hdr) || le32_to_cpu(hdr->magic) != ENPU_FW_MAGIC ||
	    le32_to_cpu(hdr->image_size) != size)
		return -EIO;

	crc = ~crc32_le(~0u, image + ENPU_FW_CRC_OFFSET,
			size - ENPU_FW_CRC_OFFSET);
	if (crc != le32_to_cpu(hdr->crc32))
		return -EIO;

	cores = le32_to_cpu(hdr->num_cores);
	nopps = le32_to_cpu(hdr->num_opps);
	if (!cores || cores > ENPU_FW_MAX_CORES || !nopps ||
	    le32_to_cpu(hdr->opp_offset) + (u64)nopps * sizeof(*opp) > size)
		return -EIO;
	opp = (const void *)(image + le32_to_cpu(hdr->opp_offset));

	mutex_lock(&sim->lock);
	sim->fw_version = le32_to_cpu(hdr->fw_version);
	sim->num_cores = cores;
	enpu_sim_model_boot(sim, hdr, opp, nopps);
	sim->overhead_cycles = le32_to_cpu(hdr->op_overhead_cycles);
	sim->dma_bytes_per_cycle = le32_to_cpu(hdr->macs_per_cycle[ENPU_FW_OPC_DMA]);
	sim->gemm_macs_per_cycle = le32_to_cpu(hdr->macs_per_cycle[ENPU_FW_OPC_GEMM]);
	sim->eltwise_per_cycle = le32_to_cpu(hdr->macs_per_cycle[ENPU_FW_OPC_ELTWISE]);
	sim->conv_macs_per_cycle = le32_to_cpu(hdr->macs_per_cycle[ENPU_FW_OPC_CONV]);
	WRITE_ONCE(sim->crashed, false);
	WRITE_ONCE(sim->running, true);
	mutex_unlock(&sim->lock);
	return 0;
}

/*
 * Stop the device: workers see !running and complete every job the cores
 * hold (running, hung, or in a ring) with @status.
 */
static void enpu_sim_stop(struct enpu_sim *sim, int status)
{
	u32 i;

	mutex_lock(&sim->lock);
	sim->stop_status = status;
	enpu_sim_model_power_off(sim);
	WRITE_ONCE(sim->running, false);
	WRITE_ONCE(sim->crashed, false);
	sim->fw_version = 0;
	mutex_unlock(&sim->lock);

	cancel_work_sync(&sim->fatal_work);
	for (i = 0; i < ENPU_FW_MAX_CORES; i++) {
		queue_work(sim->wq, &sim->cores[i].work);
		flush_work(&sim->cores[i].work);
	}
}

static void enpu_sim_halt(struct enpu_hw *hw)
{
	enpu_sim_stop(to_sim(hw), -ENODEV);
}

static void enpu_sim_reset(struct enpu_hw *hw)
{
	enpu_sim_stop(to_sim(hw), -EIO);
}

static u32 enpu_sim_fw_version(struct enpu_hw *hw)
{
	struct enpu_sim *sim = to_sim(hw);
	u32 version;

	mutex_lock(&sim->lock);
	version = sim->running ? sim->fw_version : 0;
	mutex_unlock(&sim->lock);
	return version;
}

static int enpu_sim_submit(struct enpu_hw *hw, u32 core, struct enpu_hw_job *job)
{
	struct enpu_sim *sim = to_sim(hw);
	struct enpu_sim_core *c;
	int ret = 0;

	if (core >= sim->num_cores)
		return -EINVAL;
	c = &sim->cores[core];

	job->start_ns = 0;
	job->end_ns = 0;
	job->cycles = 0;
	spin_lock(&c->lock);
	if (!READ_ONCE(sim->running))
		ret = -ENODEV;
	else if (c->tail - c->head >= ENPU_HW_RING_SIZE)
		ret = -ENOSPC;
	else
		c->ring[c->tail++ % ENPU_HW_RING_SIZE] = job;
	spin_unlock(&c->lock);

	if (!ret)	/* the doorbell */
		queue_work(sim->wq, &c->work);
	return ret;
}

/* The core should let go of its job: a reset asked, or the firmware died. */
bool enpu_sim_stopping(struct enpu_sim_core *c)
{
	return READ_ONCE(c->abort) || READ_ONCE(c->sim->crashed) ||
	       !READ_ONCE(c->sim->running);
}

/*
 * Stay busy until the modeled end of the job, in slices that advance the
 * progress counter.  Returns false if the core was told to stop.
 */
static bool enpu_sim_wait_until(struct enpu_sim_core *c, ktime_t end)
{
	while (ktime_before(ktime_get(), end)) {
		ktime_t slice = min(end, ktime_add_ms(ktime_get(), 5));

		if (enpu_sim_stopping(c))
			return false;
		set_current_state(TASK_UNINTERRUPTIBLE);
		schedule_hrtimeout(&slice, HRTIMER_MODE_ABS);
		atomic64_inc(&c->progress);
	}
	return true;
}

/* Let go of @job with @status, account its time and raise the interrupt. */
static void enpu_sim_finish(struct enpu_sim_core *c, struct enpu_hw_job *job,
			    int status)
{
	struct enpu_sim *sim = c->sim;

	job->status = status;
	job->end_ns = ktime_get_ns();
	if (!job->start_ns) {
		job->start_ns = job->end_ns;
	} else if (status == -ETIMEDOUT || status == -EIO || status == -ENODEV) {
		/* Stopped: it held the core for the time it was there. */
		job->cycles = div_u64((job->end_ns - job->start_ns) * sim->freq_khz,
				      USEC_PER_SEC);
	}
	spin_lock(&c->lock);
	c->stats.busy_ns += job->end_ns - job->start_ns;
	c->stats.busy_cycles += job->cycles;
	spin_unlock(&c->lock);
	sim->hw.complete(&sim->hw, c->index, job);
}

/* Set what the core holds; the power model counts cores holding a job. */
static void enpu_sim_set_active(struct enpu_sim_core *c, struct enpu_hw_job *job)
{
	if (!c->active != !job)
		enpu_sim_model_busy(c->sim, job ? 1 : -1);
	c->active = job;
}

/* Take the next job to run, or NULL when the core has nothing to do. */
static struct enpu_hw_job *enpu_sim_take(struct enpu_sim_core *c, int *status)
{
	struct enpu_sim *sim = c->sim;
	struct enpu_hw_job *job = NULL;

	*status = 0;
	spin_lock(&c->lock);
	if (!READ_ONCE(sim->running)) {
		/* Halted or reset: hand back everything held. */
		job = c->active;
		enpu_sim_set_active(c, NULL);
		c->hung = false;
		if (!job && c->head != c->tail)
			job = c->ring[c->head++ % ENPU_HW_RING_SIZE];
		*status = sim->stop_status;
	} else if (c->hung || READ_ONCE(sim->crashed)) {
		job = NULL;
	} else if (c->active) {
		/* A hung job a core reset released. */
		job = c->active;
		enpu_sim_set_active(c, NULL);
		*status = -ETIMEDOUT;
	} else if (c->head != c->tail) {
		job = c->ring[c->head++ % ENPU_HW_RING_SIZE];
		c->abort = false;
		if (READ_ONCE(job->cancel))
			*status = -ECANCELED;
		else if (atomic_add_unless(&sim->hang_next, -1, 0))
			c->hung = true;
		job->start_ns = ktime_get_ns();
		if (!*status)
			enpu_sim_set_active(c, job);
	}
	spin_unlock(&c->lock);
	return job;
}

static void enpu_sim_core_work(struct work_struct *work)
{
	struct enpu_sim_core *c = container_of(work, struct enpu_sim_core, work);
	struct enpu_sim *sim = c->sim;
	struct enpu_hw_job *job;
	int status;

	while ((job = enpu_sim_take(c, &status))) {
		u64 modeled_ns;

		if (status) {
			enpu_sim_finish(c, job, status);
			continue;
		}
		if (READ_ONCE(c->hung))
			return;	/* the core holds the job until a reset */

		status = enpu_sim_exec(c, job);
		modeled_ns = mul_u64_u64_div_u64(job->cycles, NSEC_PER_MSEC,
						 sim->freq_khz);
		if (!enpu_sim_wait_until(c, ns_to_ktime(job->start_ns + modeled_ns)))
			status = -ETIMEDOUT;

		spin_lock(&c->lock);
		if (!READ_ONCE(sim->running)) {
			/* Halted or reset under the job. */
			status = sim->stop_status;
		} else if (READ_ONCE(sim->crashed)) {
			/* Dead firmware completes nothing; the reset will. */
			spin_unlock(&c->lock);
			return;
		}
		enpu_sim_set_active(c, NULL);
		spin_unlock(&c->lock);
		enpu_sim_finish(c, job, status);
	}
}

static int enpu_sim_reset_core(struct enpu_hw *hw, u32 core,
			       struct enpu_hw_job *job)
{
	struct enpu_sim *sim = to_sim(hw);
	struct enpu_sim_core *c;
	int ret = -ENOENT;

	if (core >= sim->num_cores)
		return -EINVAL;
	if (!READ_ONCE(sim->running) || READ_ONCE(sim->crashed))
		return -EIO;
	c = &sim->cores[core];
	spin_lock(&c->lock);
	if (c->active == job) {
		c->abort = true;
		c->hung = false;
		ret = 0;
	}
	spin_unlock(&c->lock);
	if (!ret)
		queue_work(sim->wq, &c->work);
	return ret;
}

static void enpu_sim_core_stats(struct enpu_hw *hw, u32 core,
				struct enpu_hw_core_stats *stats)
{
	struct enpu_sim_core *c = &to_sim(hw)->cores[core];

	spin_lock(&c->lock);
	*stats = c->stats;
	spin_unlock(&c->lock);
	stats->progress = atomic64_read(&c->progress);
}

static void enpu_sim_fatal_work(struct work_struct *work)
{
	struct enpu_sim *sim = container_of(work, struct enpu_sim, fatal_work);

	if (sim->hw.fatal)
		sim->hw.fatal(&sim->hw);
}

static int enpu_sim_inject(struct enpu_hw *hw, enum enpu_hw_fault fault)
{
	struct enpu_sim *sim = to_sim(hw);

	switch (fault) {
	case ENPU_HW_FAULT_HANG:
		atomic_inc(&sim->hang_next);
		return 0;
	case ENPU_HW_FAULT_FW_CRASH:
		if (!READ_ONCE(sim->running))
			return -ENODEV;
		WRITE_ONCE(sim->crashed, true);
		queue_work(sim->wq, &sim->fatal_work);
		return 0;
	}
	return -EINVAL;
}

static const struct enpu_hw_ops enpu_sim_ops = {
	.boot = enpu_sim_boot,
	.halt = enpu_sim_halt,
	.fw_version = enpu_sim_fw_version,
	.submit = enpu_sim_submit,
	.reset = enpu_sim_reset,
	.reset_core = enpu_sim_reset_core,
	.core_stats = enpu_sim_core_stats,
	.timestamp = enpu_sim_timestamp,
	.inject = enpu_sim_inject,
	.set_freq = enpu_sim_set_freq,
	.telemetry = enpu_sim_telemetry,
};

static void enpu_sim_destroy_wq(void *wq)
{
	destroy_workqueue(wq);
}

/**
 * enpu_sim_create() - create the emulated NPU for @dev
 * @dev: the emulated platform device; the sim's lifetime is tied to it
 *
 * Return: the device's &struct enpu_hw, or an ERR_PTR.
 */
struct enpu_hw *enpu_sim_create(struct device *dev)
{
	struct enpu_sim *sim;
	int ret, i;

	sim = devm_kzalloc(dev, sizeof(*sim), GFP_KERNEL);
	if (!sim)
		return ERR_PTR(-ENOMEM);

	ret = devm_mutex_init(dev, &sim->lock);
	if (ret)
		return ERR_PTR(ret);
	spin_lock_init(&sim->model_lock);

	/* One worker per core at a time: cores run in parallel, jobs in order. */
	sim->wq = alloc_workqueue("enpu-sim", WQ_UNBOUND, ENPU_FW_MAX_CORES);
	if (!sim->wq)
		return ERR_PTR(-ENOMEM);
	ret = devm_add_action_or_reset(dev, enpu_sim_destroy_wq, sim->wq);
	if (ret)
		return ERR_PTR(ret);

	for (i = 0; i < ENPU_FW_MAX_CORES; i++) {
		sim->cores[i].sim = sim;
		sim->cores[i].index = i;
		spin_lock_init(&sim->cores[i].lock);
		INIT_WORK(&sim->cores[i].work, enpu_sim_core_work);
	}
	INIT_WORK(&sim->fatal_work, enpu_sim_fatal_work);

	sim->hw.ops = &enpu_sim_ops;
	sim->hw.dev = dev;
	return &sim->hw;
}
