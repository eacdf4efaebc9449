// SPDX-License-Identifier: GPL-2.0-only
/*
 * The emulated enpu NPU: the device side of struct enpu_hw_ops.
 *
 * Like real silicon, the device boots only from an image its boot ROM
 * accepts: it checks the magic and the CRC on its own, independently of the
 * driver's validation, and reports the running firmware's version back.
 */
#include <linux/crc32.h>
#include <linux/device.h>
#include <linux/mutex.h>
#include <linux/slab.h>

#include "enpu_fw_format.h"
#include "../enpu_hw.h"

/**
 * struct enpu_sim - state of one emulated NPU
 * @hw: the boundary object handed to the driver
 * @lock: serialises boot and halt
 * @running: firmware booted and not halted
 * @fw_version: version register, valid while @running
 * @num_cores: cores the firmware brought up
 */
struct enpu_sim {
	struct enpu_hw hw;
	struct mutex lock; /* serialises boot and halt */
	bool running;
	u32 fw_version;
	u32 num_cores;
};

static struct enpu_sim *to_sim(struct enpu_hw *hw)
{
	return container_of(hw, struct enpu_sim, hw);
}

static int enpu_sim_boot(struct enpu_hw *hw, const u8 *image, size_t size)
{
	struct enpu_sim *sim = to_sim(hw);
	const struct enpu_fw_header *hdr = (const void *)image;
	u32 crc;

	if (size < sizeof(*hdr) || le32_to_cpu(hdr->magic) != ENPU_FW_MAGIC ||
	    le32_to_cpu(hdr->image_size) != size)
		return -EIO;

	crc = ~crc32_le(~0u, image + ENPU_FW_CRC_OFFSET,
			size - ENPU_FW_CRC_OFFSET);
	if (crc != le32_to_cpu(hdr->crc32))
		return -EIO;

	mutex_lock(&sim->lock);
	sim->fw_version = le32_to_cpu(hdr->fw_version);
	sim->num_cores = le32_to_cpu(hdr->num_cores);
	sim->running = true;
	mutex_unlock(&sim->lock);
	return 0;
}

static void enpu_sim_halt(struct enpu_hw *hw)
{
	struct enpu_sim *sim = to_sim(hw);

	mutex_lock(&sim->lock);
	sim->running = false;
	sim->fw_version = 0;
	mutex_unlock(&sim->lock);
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

static const struct enpu_hw_ops enpu_sim_ops = {
	.boot = enpu_sim_boot,
	.halt = enpu_sim_halt,
	.fw_version = enpu_sim_fw_version,
};

/**
 * enpu_sim_create() - create the emulated NPU for @dev
 * @dev: the emulated platform device; the sim's lifetime is tied to it
 *
 * Return: the device's &struct enpu_hw, or an ERR_PTR.
 */
struct enpu_hw *enpu_sim_create(struct device *dev)
{
	struct enpu_sim *sim;
	int ret;

	sim = devm_kzalloc(dev, sizeof(*sim), GFP_KERNEL);
	if (!sim)
		return ERR_PTR(-ENOMEM);

	ret = devm_mutex_init(dev, &sim->lock);
	if (ret)
		return ERR_PTR(ret);

	sim->hw.ops = &enpu_sim_ops;
	sim->hw.dev = dev;
	return &sim->hw;
}
