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
	/* Until frequency control exists, the cores run at the top OPP. */
	sim->freq_khz = le32_to_cpu(opp[nopps - 1].freq_khz);
	sim->overhead_cycles = le32_to_cpu(hdr->op_overhead_cycles);
	sim->dma_bytes_per_cycle = le32_to_cpu(hdr->macs_per_cycle[ENPU_FW_OPC_DMA]);
	sim->gemm_macs_per_cycle = le32_to_cpu(hdr->macs_per_cycle[ENPU_FW_OPC_GEMM]);
	sim->eltwise_per_cycle = le32_to_cpu(hdr->macs_per_cycle[ENPU_FW_OPC_ELTWISE]);
	sim->conv_macs_per_cycle = le32_to_cpu(hdr->macs_per_cycle[ENPU_FW_OPC_CONV]);
	WRITE_ONCE(sim->running, true);
	mutex_unlock(&sim->lock);
	return 0;
}

static void enpu_sim_halt(struct enpu_hw *hw)
{
	struct enpu_sim *sim = to_sim(hw);
	u32 i;

	mutex_lock(&sim->lock);
	WRITE_ONCE(sim->running, false);
	sim->fw_version = 0;
	mutex_unlock(&sim->lock);

	/* Workers see !running and complete what is left with -ENODEV. */
	for (i = 0; i < ENPU_FW_MAX_CORES; i++) {
		queue_work(sim->wq, &sim->cores[i].work);
		flush_work(&sim->cores[i].work);
	}
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

static struct enpu_hw_job *enpu_sim_ring_pop(struct enpu_sim_core *c)
{
	struct enpu_hw_job *job = NULL;

	spin_lock(&c->lock);
	if (c->head != c->tail)
		job = c->ring[c->head++ % ENPU_HW_RING_SIZE];
	spin_unlock(&c->lock);
	return job;
}

/* Stay busy until the modeled end of the job, if it is still ahead. */
static void enpu_sim_wait_until(ktime_t end)
{
	while (ktime_before(ktime_get(), end)) {
		set_current_state(TASK_UNINTERRUPTIBLE);
		schedule_hrtimeout(&end, HRTIMER_MODE_ABS);
	}
}

static void enpu_sim_core_work(struct work_struct *work)
{
	struct enpu_sim_core *c = container_of(work, struct enpu_sim_core, work);
	struct enpu_sim *sim = c->sim;
	struct enpu_hw_job *job;

	while ((job = enpu_sim_ring_pop(c))) {
		ktime_t start = ktime_get();
		u64 modeled_ns;

		job->cycles = 0;
		if (!READ_ONCE(sim->running)) {
			job->status = -ENODEV;
		} else {
			job->status = enpu_sim_exec(sim, job);
			modeled_ns = mul_u64_u64_div_u64(job->cycles, NSEC_PER_MSEC,
							 sim->freq_khz);
			enpu_sim_wait_until(ktime_add_ns(start, modeled_ns));
		}
		sim->hw.complete(&sim->hw, c->index, job);
	}
}

static const struct enpu_hw_ops enpu_sim_ops = {
	.boot = enpu_sim_boot,
	.halt = enpu_sim_halt,
	.fw_version = enpu_sim_fw_version,
	.submit = enpu_sim_submit,
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

	sim->hw.ops = &enpu_sim_ops;
	sim->hw.dev = dev;
	return &sim->hw;
}
