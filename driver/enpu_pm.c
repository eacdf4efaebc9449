// SPDX-License-Identifier: GPL-2.0-only
/*
 * Power and thermal: the kernel's own frameworks, so that the kernel alone
 * protects the NPU with no daemon running.
 *
 * - The firmware's OPP table becomes the device's OPPs and a devfreq
 *   device (simple_ondemand, fed the real busy time of the cores), with
 *   an energy model built from the OPPs' full-load power.
 * - A devfreq cooling device registered with that energy model, which
 *   the thermal zone binds on its passive trips: step_wise and
 *   power_allocator can both throttle the NPU.
 * - Thermal zone "enpu": the emulated die temperature, with the
 *   firmware's trips (passive switch-on, passive control, hot, critical).
 *   The critical trip resets and powers down the NPU, never the machine;
 *   it boots again once it has cooled below the hot trip.
 * - hwmon "enpu": temp1_input, power1_average, energy1_input.
 */
#include <linux/devfreq.h>
#include <linux/devfreq_cooling.h>
#include <linux/energy_model.h>
#include <linux/hwmon.h>
#include <linux/ktime.h>
#include <linux/pm_opp.h>
#include <linux/thermal.h>

#include <drm/drm_drv.h>
#include <drm/drm_print.h>

#include "enpu_drv.h"
#include "enpu_fw.h"
#include "enpu_hw.h"
#include "enpu_job.h"
#include "enpu_pm.h"

/* How often the zone is read while the NPU is warm, and otherwise. */
#define ENPU_THERMAL_PASSIVE_MS	100
#define ENPU_THERMAL_POLL_MS	500
#define ENPU_COOLDOWN_MS	200

static struct enpu_device *enpu_pm_edev(struct device *dev)
{
	return dev_get_drvdata(dev);
}

/* --- devfreq -------------------------------------------------------------- */

static int enpu_devfreq_target(struct device *dev, unsigned long *freq, u32 flags)
{
	struct enpu_device *edev = enpu_pm_edev(dev);
	struct dev_pm_opp *opp;

	opp = devfreq_recommended_opp(dev, freq, flags);
	if (IS_ERR(opp))
		return PTR_ERR(opp);
	dev_pm_opp_put(opp);
	return edev->hw->ops->set_freq(edev->hw, *freq / 1000);
}

static int enpu_devfreq_status(struct device *dev, struct devfreq_dev_status *st)
{
	struct enpu_device *edev = enpu_pm_edev(dev);
	struct enpu_pm *pm = &edev->pm;
	struct enpu_hw_telemetry t;
	u64 now = ktime_get_ns();

	edev->hw->ops->telemetry(edev->hw, &t);
	/*
	 * The device is busy for the share of core time its jobs held.  A
	 * job between leaving its core and being counted can make the sum
	 * dip for a moment: never count backwards.
	 */
	t.busy_ns = max(t.busy_ns, pm->df_busy_ns);
	st->busy_time = div_u64(t.busy_ns - pm->df_busy_ns, edev->fw.num_cores);
	st->total_time = now - pm->df_time_ns;
	st->busy_time = min(st->busy_time, st->total_time);
	st->current_frequency = (unsigned long)t.freq_khz * 1000;
	pm->df_busy_ns = t.busy_ns;
	pm->df_time_ns = now;
	return 0;
}

static int enpu_devfreq_cur_freq(struct device *dev, unsigned long *freq)
{
	struct enpu_device *edev = enpu_pm_edev(dev);
	struct enpu_hw_telemetry t;

	edev->hw->ops->telemetry(edev->hw, &t);
	*freq = (unsigned long)t.freq_khz * 1000;
	return 0;
}

/* The energy model: the full-load power of the OPP at or above *kHz. */
static int enpu_em_active_power(struct device *dev, unsigned long *uw,
				unsigned long *khz)
{
	struct enpu_device *edev = enpu_pm_edev(dev);
	const struct enpu_fw_info *fw = &edev->fw;
	u32 i;

	for (i = 0; i < fw->num_opps; i++) {
		if (fw->opps[i].freq_khz < *khz)
			continue;
		*khz = fw->opps[i].freq_khz;
		/* The energy model takes at most EM_MAX_POWER. */
		*uw = min_t(unsigned long, (unsigned long)fw->opps[i].power_mw * 1000,
			    EM_MAX_POWER);
		return 0;
	}
	return -EINVAL;
}

static int enpu_pm_devfreq_init(struct enpu_device *edev)
{
	static struct em_data_callback em_cb = EM_DATA_CB(enpu_em_active_power);
	struct device *dev = edev->drm.dev;
	const struct enpu_fw_info *fw = &edev->fw;
	struct enpu_pm *pm = &edev->pm;
	u32 i;
	int ret;

	for (i = 0; i < fw->num_opps; i++) {
		ret = dev_pm_opp_add(dev, (unsigned long)fw->opps[i].freq_khz * 1000,
				     fw->opps[i].volt_uv);
		if (ret)
			return ret;
	}
	ret = em_dev_register_perf_domain(dev, fw->num_opps, &em_cb, NULL, true);
	if (ret)
		return ret;

	pm->df_profile.initial_freq = (unsigned long)fw->opps[fw->num_opps - 1].freq_khz * 1000;
	pm->df_profile.polling_ms = 50;
	pm->df_profile.target = enpu_devfreq_target;
	pm->df_profile.get_dev_status = enpu_devfreq_status;
	pm->df_profile.get_cur_freq = enpu_devfreq_cur_freq;
	pm->df_time_ns = ktime_get_ns();
	pm->devfreq = devfreq_add_device(dev, &pm->df_profile,
					 DEVFREQ_GOV_SIMPLE_ONDEMAND, NULL);
	if (IS_ERR(pm->devfreq)) {
		ret = PTR_ERR(pm->devfreq);
		pm->devfreq = NULL;
		return ret;
	}
	pm->cooling = devfreq_cooling_em_register(pm->devfreq, NULL);
	if (IS_ERR(pm->cooling)) {
		ret = PTR_ERR(pm->cooling);
		pm->cooling = NULL;
		return ret;
	}
	return 0;
}

/* --- thermal zone ----------------------------------------------------------- */

static int enpu_tz_get_temp(struct thermal_zone_device *tz, int *temp)
{
	struct enpu_device *edev = thermal_zone_device_priv(tz);
	struct enpu_hw_telemetry t;

	edev->hw->ops->telemetry(edev->hw, &t);
	*temp = t.temp_mc;
	return 0;
}

/*
 * The NPU's cooling device acts on the control trip, the one
 * power_allocator drives (the switch-on trip only starts it); step_wise
 * throttles from there too.
 */
static bool enpu_tz_should_bind(struct thermal_zone_device *tz,
				const struct thermal_trip *trip,
				struct thermal_cooling_device *cdev,
				struct cooling_spec *c)
{
	struct enpu_device *edev = thermal_zone_device_priv(tz);

	return cdev == edev->pm.cooling &&
	       trip->temperature == edev->fw.trip_mc[ENPU_FW_TRIP_PASSIVE] &&
	       trip->type == THERMAL_TRIP_PASSIVE;
}

/*
 * Critical: never the machine's shutdown the thermal core would do by
 * default.  Stop the NPU (its jobs fail with -EIO), powered down, and
 * boot it again once it has cooled below the hot trip.
 */
static void enpu_tz_critical(struct thermal_zone_device *tz)
{
	struct enpu_device *edev = thermal_zone_device_priv(tz);

	if (!atomic_xchg(&edev->pm.overheated, 1))
		queue_delayed_work(edev->reset_wq, &edev->pm.cooldown, 0);
}

static const struct thermal_zone_device_ops enpu_tz_ops = {
	.get_temp = enpu_tz_get_temp,
	.should_bind = enpu_tz_should_bind,
	.critical = enpu_tz_critical,
};

static void enpu_pm_cooldown_work(struct work_struct *work)
{
	struct enpu_pm *pm = container_of(to_delayed_work(work), struct enpu_pm,
					  cooldown);
	struct enpu_device *edev = container_of(pm, struct enpu_device, pm);
	struct enpu_hw_telemetry t;
	int idx;

	if (!drm_dev_enter(&edev->drm, &idx))
		return;
	if (!pm->powered_down) {
		dev_crit(edev->drm.dev,
			 "critical temperature: resetting and powering down the NPU\n");
		enpu_device_stop(edev);
		pm->powered_down = true;
	}
	edev->hw->ops->telemetry(edev->hw, &t);
	if (t.temp_mc >= edev->fw.trip_mc[ENPU_FW_TRIP_HOT]) {
		queue_delayed_work(edev->reset_wq, &pm->cooldown,
				   msecs_to_jiffies(ENPU_COOLDOWN_MS));
	} else {
		dev_info(edev->drm.dev, "cooled to %d mC: booting the NPU again\n",
			 t.temp_mc);
		enpu_device_restart(edev);
		pm->powered_down = false;
		atomic_set(&pm->overheated, 0);
	}
	drm_dev_exit(idx);
}

static int enpu_pm_thermal_init(struct enpu_device *edev)
{
	static const enum thermal_trip_type types[ENPU_FW_TRIP_COUNT] = {
		[ENPU_FW_TRIP_PASSIVE_ON] = THERMAL_TRIP_PASSIVE,
		[ENPU_FW_TRIP_PASSIVE] = THERMAL_TRIP_PASSIVE,
		[ENPU_FW_TRIP_HOT] = THERMAL_TRIP_HOT,
		[ENPU_FW_TRIP_CRITICAL] = THERMAL_TRIP_CRITICAL,
	};
	struct thermal_trip trips[ENPU_FW_TRIP_COUNT] = {};
	const struct enpu_fw_info *fw = &edev->fw;
	struct enpu_pm *pm = &edev->pm;
	u64 sustainable;
	int i;

	for (i = 0; i < ENPU_FW_TRIP_COUNT; i++) {
		trips[i].temperature = fw->trip_mc[i];
		trips[i].type = types[i];
		/* None on hot and critical, so that critical always re-arms. */
		trips[i].hysteresis = types[i] == THERMAL_TRIP_PASSIVE ? 2000 : 0;
		/* An administrator (or a test) may move them. */
		trips[i].flags = THERMAL_TRIP_FLAG_RW_TEMP;
	}
	/*
	 * What the NPU can dissipate at the control temperature, less its
	 * static power, which the energy model (dynamic power) leaves out.
	 */
	sustainable = div_u64((u64)(fw->trip_mc[ENPU_FW_TRIP_PASSIVE] - fw->ambient_mc) *
			      1000, fw->thermal_r_mc_per_w);
	pm->tzp.sustainable_power = max_t(s64, (s64)sustainable - fw->static_power_mw, 1);
	pm->tzp.no_hwmon = true;	/* hwmon "enpu" reports it, with power */
	pm->tz = thermal_zone_device_register_with_trips("enpu", trips,
							 ENPU_FW_TRIP_COUNT, edev,
							 &enpu_tz_ops, &pm->tzp,
							 ENPU_THERMAL_PASSIVE_MS,
							 ENPU_THERMAL_POLL_MS);
	if (IS_ERR(pm->tz)) {
		int ret = PTR_ERR(pm->tz);

		pm->tz = NULL;
		return ret;
	}
	return thermal_zone_device_enable(pm->tz);
}

/* --- hwmon ------------------------------------------------------------------ */

static umode_t enpu_hwmon_visible(const void *data, enum hwmon_sensor_types type,
				  u32 attr, int channel)
{
	return 0444;
}

static int enpu_hwmon_read(struct device *dev, enum hwmon_sensor_types type,
			   u32 attr, int channel, long *val)
{
	struct enpu_device *edev = dev_get_drvdata(dev);
	struct enpu_pm *pm = &edev->pm;
	struct enpu_hw_telemetry t;
	u64 now = ktime_get_ns();

	edev->hw->ops->telemetry(edev->hw, &t);
	switch (type) {
	case hwmon_temp:
		*val = t.temp_mc;
		return 0;
	case hwmon_energy:
		*val = t.energy_uj;
		return 0;
	case hwmon_power:
		/* The average since the previous read, in uW. */
		mutex_lock(&pm->hwmon_lock);
		if (pm->hwmon_time_ns && now > pm->hwmon_time_ns)
			*val = div_u64((t.energy_uj - pm->hwmon_energy_uj) * NSEC_PER_MSEC,
				       now - pm->hwmon_time_ns) * 1000;
		else
			*val = (long)t.power_mw * 1000;
		pm->hwmon_energy_uj = t.energy_uj;
		pm->hwmon_time_ns = now;
		mutex_unlock(&pm->hwmon_lock);
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

static const struct hwmon_channel_info *const enpu_hwmon_info[] = {
	HWMON_CHANNEL_INFO(temp, HWMON_T_INPUT),
	HWMON_CHANNEL_INFO(power, HWMON_P_AVERAGE),
	HWMON_CHANNEL_INFO(energy, HWMON_E_INPUT),
	NULL
};

static const struct hwmon_ops enpu_hwmon_ops = {
	.is_visible = enpu_hwmon_visible,
	.read = enpu_hwmon_read,
};

static const struct hwmon_chip_info enpu_hwmon_chip = {
	.ops = &enpu_hwmon_ops,
	.info = enpu_hwmon_info,
};

/* --- set up and tear down ------------------------------------------------------ */

int enpu_pm_init(struct enpu_device *edev)
{
	struct device *dev = edev->drm.dev;
	struct enpu_pm *pm = &edev->pm;
	int ret;

	mutex_init(&pm->hwmon_lock);
	INIT_DELAYED_WORK(&pm->cooldown, enpu_pm_cooldown_work);
	ret = enpu_pm_devfreq_init(edev);
	if (ret) {
		dev_err(dev, "devfreq: %d\n", ret);
		goto err;
	}
	ret = enpu_pm_thermal_init(edev);
	if (ret) {
		dev_err(dev, "thermal zone: %d\n", ret);
		goto err;
	}
	pm->hwmon = hwmon_device_register_with_info(dev, "enpu", edev,
						    &enpu_hwmon_chip, NULL);
	if (IS_ERR(pm->hwmon)) {
		ret = PTR_ERR(pm->hwmon);
		pm->hwmon = NULL;
		dev_err(dev, "hwmon: %d\n", ret);
		goto err;
	}
	return 0;
err:
	enpu_pm_fini(edev);
	return ret;
}

void enpu_pm_fini(struct enpu_device *edev)
{
	struct device *dev = edev->drm.dev;
	struct enpu_pm *pm = &edev->pm;

	if (pm->hwmon)
		hwmon_device_unregister(pm->hwmon);
	pm->hwmon = NULL;
	if (pm->cooling)
		devfreq_cooling_unregister(pm->cooling);
	pm->cooling = NULL;
	if (pm->tz)
		thermal_zone_device_unregister(pm->tz);
	pm->tz = NULL;
	cancel_delayed_work_sync(&pm->cooldown);
	/* Unbound while cooling down: let the queues drain (and fail). */
	if (pm->powered_down) {
		u32 i;

		for (i = 0; i < edev->fw.num_cores; i++)
			drm_sched_wqueue_start(&edev->sched[i]);
		pm->powered_down = false;
	}
	if (pm->devfreq)
		devfreq_remove_device(pm->devfreq);
	pm->devfreq = NULL;
	em_dev_unregister_perf_domain(dev);
	dev_pm_opp_remove_all_dynamic(dev);
	mutex_destroy(&pm->hwmon_lock);
}
