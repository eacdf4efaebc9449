/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef __ENPU_PM_H__
#define __ENPU_PM_H__

#include <linux/devfreq.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/pm_qos.h>
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
 * @cap_lock: serialises changes of the caps
 * @cap_req: the control plane's frequency ceiling (PM QoS, kHz)
 * @freq_cap_khz: the control plane's frequency cap; 0: none
 * @power_cap_mw: the control plane's power cap; 0: none
 * @floor_req: the control plane's frequency floor (PM QoS, kHz)
 * @freq_floor_khz: its value; 0: none
 * @cap_task: the task updating @cap_req, while it does (the ceiling's
 *	moves it causes are the caps')
 * @qos_nb: watches the maximum-frequency requests
 * @qos_max_khz: the lowest of them
 * @ceiling_khz: the ceiling last reported (throttle events)
 * @rpm_enabled: runtime PM is set up
 * @warm_boots: runtime resumes that booted the NPU
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
	struct mutex cap_lock; /* serialises cap changes */
	struct dev_pm_qos_request cap_req;
	u32 freq_cap_khz;
	u32 power_cap_mw;
	struct dev_pm_qos_request floor_req;
	u32 freq_floor_khz;
	struct task_struct *cap_task;
	struct notifier_block qos_nb;
	s32 qos_max_khz;
	u32 ceiling_khz;
	bool rpm_enabled;
	atomic_t warm_boots;
};

int enpu_pm_init(struct enpu_device *edev);
void enpu_pm_fini(struct enpu_device *edev);
u32 enpu_pm_freq_max_khz(struct enpu_device *edev);
int enpu_pm_set_floor(struct enpu_device *edev, u32 khz);
int enpu_pm_set_caps(struct enpu_device *edev, const u32 *freq_khz,
		     const u32 *power_mw);
int enpu_pm_get(struct enpu_device *edev);
void enpu_pm_put(struct enpu_device *edev);

extern const struct dev_pm_ops enpu_pm_ops;

#endif /* __ENPU_PM_H__ */
