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

/**
 * struct enpu_hw_ops - operations a device back end provides
 * @boot: load the firmware image into the device and start it.  The device
 *	checks the image itself (as a boot ROM would) and returns -EIO if it
 *	refuses to run it.  The caller keeps ownership of @image.
 * @halt: stop the device; a later @boot starts it again.
 * @fw_version: the firmware version the running device reports, read back
 *	after @boot as the boot handshake; 0 when the device is not running.
 */
struct enpu_hw_ops {
	int (*boot)(struct enpu_hw *hw, const u8 *image, size_t size);
	void (*halt)(struct enpu_hw *hw);
	u32 (*fw_version)(struct enpu_hw *hw);
};

/**
 * struct enpu_hw - a device instance behind the boundary
 * @ops: its operations
 * @dev: the device it belongs to
 */
struct enpu_hw {
	const struct enpu_hw_ops *ops;
	struct device *dev;
};

struct enpu_hw *enpu_sim_create(struct device *dev);

#endif /* __ENPU_HW_H__ */
