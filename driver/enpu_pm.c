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
 * - Runtime PM with autosuspend: a job holds a reference from the moment
 *   it is written to a ring until the device completes it; idle for
 *   ENPU_AUTOSUSPEND_MS, the NPU is halted (it draws nothing) and a warm
 *   boot from the image in memory brings it back.
 * - The control plane's caps (netlink DEV_SET) are one more PM QoS
 *   maximum-frequency request, which devfreq honours with the thermal
 *   one; every move of the resulting ceiling is a throttle event.
 */
#include <linux/devfreq.h>
#include <linux/devfreq_cooling.h>
#include <linux/energy_model.h>
#include <linux/hwmon.h>
#include <linux/ktime.h>
#include <linux/pm_opp.h>
#include <linux/pm_runtime.h>
#include <linux/thermal.h>

#include <drm/drm_drv.h>
#include <drm/drm_print.h>

#include "enpu_drv.h"
#include "enpu_fault.h"
#include "enpu_fw.h"
#include "enpu_genl.h"
#include "enpu_hw.h"
#include "enpu_job.h"
#include "enpu_pm.h"

/* How often the zone is read while the NPU is warm, and otherwise. */
#define ENPU_THERMAL_PASSIVE_MS	100
#define ENPU_THERMAL_POLL_MS	500
#define ENPU_COOLDOWN_MS	200
#define ENPU_AUTOSUSPEND_MS	50

static struct enpu_device *enpu_pm_edev(struct device *dev)
{
	return dev_get_drvdata(dev);
}

/* --- caps and the frequency ceiling ---------------------------------------- */

/* The highest OPP at or below @khz, or the lowest OPP. */
static u32 enpu_pm_opp_at_most(const struct enpu_fw_info *fw, u64 khz)
{
	u32 i, best = fw->opps[0].freq_khz;

	for (i = 0; i < fw->num_opps; i++)
		if (fw->opps[i].freq_khz <= khz)
			best = max(best, fw->opps[i].freq_khz);
	return best;
}

/* The highest OPP whose full-load power (static included) fits in @mw. */
static u32 enpu_pm_opp_for_power(const struct enpu_fw_info *fw, u32 mw)
{
	u32 i, best = fw->opps[0].freq_khz;

	for (i = 0; i < fw->num_opps; i++)
		if ((u64)fw->static_power_mw + fw->opps[i].power_mw <= mw)
			best = max(best, fw->opps[i].freq_khz);
	return best;
}

/**
 * enpu_pm_freq_max_khz() - the frequency ceiling in effect
 * @edev: the device
 *
 * Return: the OPP devfreq may go up to under every maximum-frequency
 * request: the thermal cooling device's, the control plane's caps, and
 * devfreq's own max_freq.
 */
u32 enpu_pm_freq_max_khz(struct enpu_device *edev)
{
	return enpu_pm_opp_at_most(&edev->fw, max(READ_ONCE(edev->pm.qos_max_khz), 0));
}

/**
 * enpu_pm_set_caps() - set the control plane's caps
 * @edev: the device
 * @freq_khz: the new frequency cap, 0 to clear it; NULL: unchanged
 * @power_mw: the new power cap, 0 to clear it; NULL: unchanged
 *
 * The NPU then runs at most at the highest OPP under the frequency cap
 * and at the highest OPP whose full-load power fits under the power cap;
 * never below the lowest OPP.
 *
 * Return: 0 or a negative errno from PM QoS.
 */
int enpu_pm_set_caps(struct enpu_device *edev, const u32 *freq_khz,
		     const u32 *power_mw)
{
	struct enpu_pm *pm = &edev->pm;
	s32 khz = PM_QOS_MAX_FREQUENCY_DEFAULT_VALUE;
	int ret;

	mutex_lock(&pm->cap_lock);
	if (freq_khz)
		WRITE_ONCE(pm->freq_cap_khz, *freq_khz);
	if (power_mw)
		WRITE_ONCE(pm->power_cap_mw, *power_mw);
	if (pm->freq_cap_khz)
		khz = min_t(u32, khz, enpu_pm_opp_at_most(&edev->fw, pm->freq_cap_khz));
	if (pm->power_cap_mw)
		khz = min_t(u32, khz, enpu_pm_opp_for_power(&edev->fw, pm->power_cap_mw));
	WRITE_ONCE(pm->cap_task, current);
	ret = dev_pm_qos_update_request(&pm->cap_req, khz);
	WRITE_ONCE(pm->cap_task, NULL);
	mutex_unlock(&pm->cap_lock);
	return ret < 0 ? ret : 0;
}

/**
 * enpu_pm_set_floor() - set the control plane's frequency floor
 * @edev: the device
 * @khz: the lowest clock devfreq may choose, at most the top OPP's; 0 to
 *	clear it
 *
 * A realtime workload admitted at some clock needs that clock, whatever
 * the load-based governor would pick.  The floor yields to the ceiling:
 * devfreq never goes above its maximum-frequency requests, so the
 * thermal cooling device and the caps still win.
 *
 * Return: 0, -EINVAL for a floor above the top OPP, or a negative errno
 * from PM QoS.
 */
int enpu_pm_set_floor(struct enpu_device *edev, u32 khz)
{
	struct enpu_pm *pm = &edev->pm;
	int ret;

	if (khz > edev->fw.opps[edev->fw.num_opps - 1].freq_khz)
		return -EINVAL;

	mutex_lock(&pm->cap_lock);
	WRITE_ONCE(pm->freq_floor_khz, khz);
	ret = dev_pm_qos_update_request(&pm->floor_req, khz);
	mutex_unlock(&pm->cap_lock);
	return ret < 0 ? ret : 0;
}

/*
 * The maximum-frequency requests changed: report a move of the ceiling,
 * with who moved it: the caps if this is their update (PM QoS calls its
 * notifiers synchronously, from the updating task), else the kernel's
 * thermal governor.  Called under PM QoS's lock, before devfreq applies
 * it.
 */
static int enpu_pm_qos_notify(struct notifier_block *nb, unsigned long value,
			      void *unused)
{
	struct enpu_pm *pm = container_of(nb, struct enpu_pm, qos_nb);
	struct enpu_device *edev = container_of(pm, struct enpu_device, pm);
	struct enpu_hw_telemetry t;
	u32 ceiling;
	bool by_cap;

	WRITE_ONCE(pm->qos_max_khz, value);
	ceiling = enpu_pm_freq_max_khz(edev);
	if (ceiling == pm->ceiling_khz)
		return NOTIFY_OK;
	pm->ceiling_khz = ceiling;
	by_cap = READ_ONCE(pm->cap_task) == current;
	edev->hw->ops->telemetry(edev->hw, &t);
	enpu_genl_throttle_event(edev, ceiling,
				 by_cap ? ENPU_THROTTLE_REASON_CAP :
					  ENPU_THROTTLE_REASON_THERMAL,
				 t.temp_mc);
	return NOTIFY_OK;
}

/*
 * The caps' request, and a watch on the ceiling every request makes.
 * Before the cooling device exists, nothing limits the frequency yet.
 */
static int enpu_pm_qos_init(struct enpu_device *edev)
{
	struct device *dev = edev->drm.dev;
	struct enpu_pm *pm = &edev->pm;
	int ret;

	pm->qos_max_khz = PM_QOS_MAX_FREQUENCY_DEFAULT_VALUE;
	pm->ceiling_khz = enpu_pm_freq_max_khz(edev);
	pm->qos_nb.notifier_call = enpu_pm_qos_notify;
	ret = dev_pm_qos_add_notifier(dev, &pm->qos_nb, DEV_PM_QOS_MAX_FREQUENCY);
	if (ret) {
		pm->qos_nb.notifier_call = NULL;
		return ret;
	}
	ret = dev_pm_qos_add_request(dev, &pm->cap_req, DEV_PM_QOS_MAX_FREQUENCY,
				     PM_QOS_MAX_FREQUENCY_DEFAULT_VALUE);
	if (ret < 0)
		return ret;
	ret = dev_pm_qos_add_request(dev, &pm->floor_req, DEV_PM_QOS_MIN_FREQUENCY,
				     PM_QOS_MIN_FREQUENCY_DEFAULT_VALUE);
	return ret < 0 ? ret : 0;
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
		/* Held until it boots again: runtime PM must not wake it. */
		pm_runtime_get_sync(edev->drm.dev);
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
		enpu_pm_put(edev);
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

/* --- runtime PM ------------------------------------------------------------------ */

/**
 * enpu_pm_get() - keep the NPU powered, waking it if it sleeps
 * @edev: the device
 *
 * Return: 0, or a negative errno if it could not be woken.
 */
int enpu_pm_get(struct enpu_device *edev)
{
	return pm_runtime_resume_and_get(edev->drm.dev);
}

/**
 * enpu_pm_put() - let the NPU sleep once idle for ENPU_AUTOSUSPEND_MS
 * @edev: the device
 *
 * May be called from atomic context.
 */
void enpu_pm_put(struct enpu_device *edev)
{
	pm_runtime_mark_last_busy(edev->drm.dev);
	pm_runtime_put_autosuspend(edev->drm.dev);
}

/* Idle: halt the NPU, which then draws no power at all. */
static int enpu_runtime_suspend(struct device *dev)
{
	struct enpu_device *edev = dev_get_drvdata(dev);

	if (edev->pm.devfreq)
		devfreq_suspend_device(edev->pm.devfreq);
	edev->hw->ops->halt(edev->hw);
	enpu_genl_power_event(edev, true);
	return 0;
}

/*
 * Warm boot from the image in memory, then back to the OPP devfreq
 * chose (the device boots at its top OPP).  A device whose last reset
 * failed stays down until a reset brings it back; so does one that
 * refuses its warm boot.  Either way resume succeeds: an error here
 * would stick in the runtime PM core and fail every later resume, and
 * jobs on a halted device already fail with -ENODEV.
 */
static int enpu_runtime_resume(struct device *dev)
{
	struct enpu_device *edev = dev_get_drvdata(dev);
	struct devfreq *df = edev->pm.devfreq;

	if (!edev->dead) {
		if (enpu_fw_warm_boot(edev)) {
			/* Down: a device reset (firmware reload) is the way back. */
			edev->dead = true;
			queue_work(edev->reset_wq, &edev->reset_work);
		} else {
			atomic_inc(&edev->pm.warm_boots);
		}
	}
	if (df) {
		devfreq_resume_device(df);
		mutex_lock(&df->lock);
		update_devfreq(df);
		mutex_unlock(&df->lock);
	}
	enpu_genl_power_event(edev, false);
	return 0;
}

const struct dev_pm_ops enpu_pm_ops = {
	RUNTIME_PM_OPS(enpu_runtime_suspend, enpu_runtime_resume, NULL)
};

/*
 * The device is booted and active, and may sleep from now on;
 * enpu_pm_fini() disables runtime PM first, before what its callbacks
 * use goes away.
 */
static void enpu_pm_runtime_init(struct enpu_device *edev)
{
	struct device *dev = edev->drm.dev;

	pm_runtime_set_autosuspend_delay(dev, ENPU_AUTOSUSPEND_MS);
	pm_runtime_use_autosuspend(dev);
	pm_runtime_mark_last_busy(dev);
	pm_runtime_set_active(dev);
	pm_runtime_enable(dev);
	edev->pm.rpm_enabled = true;
}

static void enpu_pm_runtime_fini(struct enpu_device *edev)
{
	struct device *dev = edev->drm.dev;

	if (!edev->pm.rpm_enabled)
		return;
	pm_runtime_disable(dev);
	pm_runtime_dont_use_autosuspend(dev);
	pm_runtime_set_suspended(dev);
	edev->pm.rpm_enabled = false;
}

/* --- set up and tear down ------------------------------------------------------ */

int enpu_pm_init(struct enpu_device *edev)
{
	struct device *dev = edev->drm.dev;
	struct enpu_pm *pm = &edev->pm;
	int ret;

	mutex_init(&pm->hwmon_lock);
	mutex_init(&pm->cap_lock);
	INIT_DELAYED_WORK(&pm->cooldown, enpu_pm_cooldown_work);
	enpu_pm_runtime_init(edev);
	ret = enpu_fault_call(enpu_pm_qos_init(edev));
	if (ret < 0) {
		dev_err(dev, "PM QoS: %d\n", ret);
		goto err;
	}
	ret = enpu_fault_call(enpu_pm_devfreq_init(edev));
	if (ret) {
		dev_err(dev, "devfreq: %d\n", ret);
		goto err;
	}
	ret = enpu_fault_call(enpu_pm_thermal_init(edev));
	if (ret) {
		dev_err(dev, "thermal zone: %d\n", ret);
		goto err;
	}
	pm->hwmon = enpu_fault_alloc() ? ERR_PTR(-ENOMEM) :
		    hwmon_device_register_with_info(dev, "enpu", edev,
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

	/* No suspend or resume may run into what is torn down below. */
	enpu_pm_runtime_fini(edev);
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
		pm_runtime_put_noidle(dev);
	}
	if (dev_pm_qos_request_active(&pm->floor_req))
		dev_pm_qos_remove_request(&pm->floor_req);
	if (dev_pm_qos_request_active(&pm->cap_req))
		dev_pm_qos_remove_request(&pm->cap_req);
	if (pm->qos_nb.notifier_call)
		dev_pm_qos_remove_notifier(dev, &pm->qos_nb, DEV_PM_QOS_MAX_FREQUENCY);
	pm->qos_nb.notifier_call = NULL;
	if (pm->devfreq)
		devfreq_remove_device(pm->devfreq);
	pm->devfreq = NULL;
	em_dev_unregister_perf_domain(dev);
	dev_pm_opp_remove_all_dynamic(dev);
	mutex_destroy(&pm->cap_lock);
	mutex_destroy(&pm->hwmon_lock);
}
