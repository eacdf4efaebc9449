/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef __ENPU_PM_H__
#define __ENPU_PM_H__

#include <linux/devfreq.h>
#include <linux/mutex.h>
#include <linux/thermal.h>
#include <linux/workqueue.h>

struct enpu_device;

/**
 * struct enpu_pm - the device's power and thermal plumbing
 * @df_profile: the devfreq profile
 * @devfreq: the devfreq device
 * @df_busy_ns: the cores' busy time at devfreq's last look
 * @df_time_ns: when that was
 * @cooling: the devfreq cooling device (energy model)
 * @tzp: the thermal zone's parameters
 * @tz: thermal zone "enpu"
 * @overheated: the critical trip fired; @cooldown runs
 * @powered_down: @cooldown stopped the NPU
 * @cooldown: powers the NPU down, and up again once cool
 * @hwmon: hwmon "enpu"
 * @hwmon_lock: protects the two fields below
 * @hwmon_energy_uj: energy at the previous power1_average read
 * @hwmon_time_ns: when that was
 */
struct enpu_pm {
	struct devfreq_dev_profile df_profile;
	struct devfreq *devfreq;
	u64 df_busy_ns;
	u64 df_time_ns;
	struct thermal_cooling_device *cooling;
	struct thermal_zone_params tzp;
	struct thermal_zone_device *tz;
	atomic_t overheated;
	bool powered_down;
	struct delayed_work cooldown;
	struct device *hwmon;
	struct mutex hwmon_lock; /* protects the power average's origin */
	u64 hwmon_energy_uj;
	u64 hwmon_time_ns;
};

int enpu_pm_init(struct enpu_device *edev);
void enpu_pm_fini(struct enpu_device *edev);

#endif /* __ENPU_PM_H__ */
