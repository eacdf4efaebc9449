// SPDX-License-Identifier: GPL-2.0-only
/*
 * phonesim: the rest of a phone around the NPU, for tests only.
 *
 * - A battery ("phonesim-battery": present, status, capacity, energy_now,
 *   energy_full, power_now) and a charger ("phonesim-ac": online), as
 *   power_supply devices, so that their uevents and sysfs attributes are
 *   the kernel's own.  While discharging, the battery drains by a base
 *   load plus the energy the NPU draws (enpu's energy counter); while
 *   charging it fills at a fixed rate.
 * - A "skin" thermal zone: the phone's case, an RC model far slower than
 *   the NPU die, heated by the same power.  It has no trips: what to do
 *   about a warm case is the daemon's policy.
 *
 * Time runs @time_scale times faster than the wall clock in both models,
 * so that a test sees hours of battery in seconds.  debugfs (phonesim/)
 * sets the capacity and plugs the charger; module parameters set the base
 * load, the charging power and the time scale.  Every change a phone would
 * report is reported (power_supply_changed()).
 */
#include <linux/debugfs.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/platform_device.h>
#include <linux/power_supply.h>
#include <linux/thermal.h>
#include <linux/workqueue.h>

#include "enpu_genl.h"	/* enpu_total_energy_uj(), taken with symbol_get() */

#define PHONESIM_TICK_MS	100
#define PHONESIM_SKIN_R		20000	/* mC per W: case to air */
#define PHONESIM_SKIN_TAU_S	120	/* the case's time constant */
#define PHONESIM_AMBIENT_MC	25000

static unsigned int base_load_mw = 1000;
module_param(base_load_mw, uint, 0644);
MODULE_PARM_DESC(base_load_mw, "the rest of the phone's power draw (default 1000 mW)");

static unsigned int energy_full_mwh = 15000;
module_param(energy_full_mwh, uint, 0444);
MODULE_PARM_DESC(energy_full_mwh, "battery capacity (default 15000 mWh)");

static unsigned int time_scale = 1;
module_param(time_scale, uint, 0644);
MODULE_PARM_DESC(time_scale, "model time per wall time (default 1)");

static unsigned int charge_mw = 10000;
module_param(charge_mw, uint, 0644);
MODULE_PARM_DESC(charge_mw, "charging power (default 10000 mW)");

/**
 * struct phonesim - the simulated phone
 * @lock: protects the model below
 * @energy_uwh: charge in the battery, uWh (in model time)
 * @online: the charger is plugged in
 * @power_uw: what the battery delivers now (discharging)
 * @skin_mc: case temperature, milli-degrees
 * @npu_uj: enpu's energy counter at the last tick
 * @npu_seen: @npu_uj is valid
 * @enpu_live: enpu.ko is loaded and not going away: symbol_get() is safe
 * @module_nb: follows enpu.ko's loads and unloads
 * @last_ns: time of the last tick
 * @reported_cap: the capacity last reported
 * @reported_status: the status last reported
 * @tick: advances the models
 * @pdev: the platform device the supplies hang off
 * @bat: the battery
 * @ac: the charger
 * @skin: the skin zone
 * @dir: debugfs directory
 */
struct phonesim {
	struct mutex lock; /* protects the models */
	s64 energy_uwh;
	bool online;
	u64 power_uw;
	s64 skin_mc;
	u64 npu_uj;
	bool npu_seen;
	bool enpu_live;
	struct notifier_block module_nb;
	u64 last_ns;
	int reported_cap;
	int reported_status;
	struct delayed_work tick;
	struct platform_device *pdev;
	struct power_supply *bat;
	struct power_supply *ac;
	struct thermal_zone_device *skin;
	struct dentry *dir;
};

static struct phonesim *sim;

static s64 phonesim_full_uwh(void)
{
	return (s64)energy_full_mwh * 1000;
}

/* Caller holds the lock. */
static int phonesim_capacity(struct phonesim *ps)
{
	return div64_s64(ps->energy_uwh * 100 + phonesim_full_uwh() / 2,
			 phonesim_full_uwh());
}

static int phonesim_status(struct phonesim *ps)
{
	if (!ps->online)
		return POWER_SUPPLY_STATUS_DISCHARGING;
	if (ps->energy_uwh >= phonesim_full_uwh())
		return POWER_SUPPLY_STATUS_FULL;
	return POWER_SUPPLY_STATUS_CHARGING;
}

/*
 * The NPU's energy since the last look, uJ; 0 without enpu.  Called with
 * the lock held, which the module notifier takes too: symbol_get() must
 * not run while enpu.ko is being freed (the module core BUGs when the
 * module it found turns unformed under it).
 */
static u64 phonesim_npu_energy(struct phonesim *ps)
{
	int (*read)(u64 *uj);
	u64 now, delta = 0;

	if (!ps->enpu_live)
		return 0;
	read = symbol_get(enpu_total_energy_uj);
	if (!read)
		return 0;
	if (!read(&now)) {
		if (ps->npu_seen && now >= ps->npu_uj)
			delta = now - ps->npu_uj;
		ps->npu_uj = now;
		ps->npu_seen = true;
	}
	symbol_put(enpu_total_energy_uj);
	return delta;
}

static void phonesim_tick(struct work_struct *work)
{
	struct phonesim *ps = container_of(to_delayed_work(work), struct phonesim,
					   tick);
	u64 now = ktime_get_ns(), dt_ns, npu_uj, model_ns;
	s64 load_uj, p_uw, target;
	bool changed;

	mutex_lock(&ps->lock);
	dt_ns = now - ps->last_ns;
	ps->last_ns = now;
	model_ns = dt_ns * time_scale;
	npu_uj = phonesim_npu_energy(ps) * time_scale;
	/* Energy the phone used in model time: base load plus the NPU. */
	load_uj = div_u64((u64)base_load_mw * model_ns, NSEC_PER_MSEC) + npu_uj;
	p_uw = model_ns ? div64_s64(load_uj * NSEC_PER_SEC, model_ns) : 0;
	ps->power_uw = p_uw;
	if (ps->online)		/* the charger carries the load, and charges */
		ps->energy_uwh += div_u64((u64)charge_mw * model_ns,
					  NSEC_PER_MSEC * 3600ull);
	else
		ps->energy_uwh -= div_s64(load_uj, 3600);
	ps->energy_uwh = clamp_t(s64, ps->energy_uwh, 0, phonesim_full_uwh());

	/* Skin: dT/dt = (P R - (T - Tamb)) / tau, stepped in model time. */
	target = PHONESIM_AMBIENT_MC + div_s64(p_uw * PHONESIM_SKIN_R, 1000000);
	ps->skin_mc += div_s64((target - ps->skin_mc) * (s64)min_t(u64, model_ns,
				PHONESIM_SKIN_TAU_S * NSEC_PER_SEC) / NSEC_PER_MSEC,
			       PHONESIM_SKIN_TAU_S * MSEC_PER_SEC);

	changed = phonesim_capacity(ps) != ps->reported_cap ||
		  phonesim_status(ps) != ps->reported_status;
	ps->reported_cap = phonesim_capacity(ps);
	ps->reported_status = phonesim_status(ps);
	mutex_unlock(&ps->lock);

	if (changed)
		power_supply_changed(ps->bat);
	schedule_delayed_work(&ps->tick, msecs_to_jiffies(PHONESIM_TICK_MS));
}

/* enpu.ko comes and goes (the module tests reload it). */
static int phonesim_module_event(struct notifier_block *nb, unsigned long state,
				 void *data)
{
	struct phonesim *ps = container_of(nb, struct phonesim, module_nb);
	struct module *mod = data;

	if (strcmp(mod->name, "enpu"))
		return NOTIFY_DONE;
	mutex_lock(&ps->lock);
	if (state == MODULE_STATE_LIVE) {
		ps->enpu_live = true;
		ps->npu_seen = false;	/* a new device, a new counter */
	} else if (state == MODULE_STATE_GOING) {
		ps->enpu_live = false;
	}
	mutex_unlock(&ps->lock);
	return NOTIFY_OK;
}

/* --- power supplies ---------------------------------------------------------- */

static const enum power_supply_property phonesim_bat_props[] = {
	POWER_SUPPLY_PROP_PRESENT,
	POWER_SUPPLY_PROP_STATUS,
	POWER_SUPPLY_PROP_CAPACITY,
	POWER_SUPPLY_PROP_ENERGY_NOW,
	POWER_SUPPLY_PROP_ENERGY_FULL,
	POWER_SUPPLY_PROP_POWER_NOW,
	POWER_SUPPLY_PROP_TECHNOLOGY,
};

static int phonesim_bat_get(struct power_supply *psy, enum power_supply_property psp,
			    union power_supply_propval *val)
{
	struct phonesim *ps = power_supply_get_drvdata(psy);
	int ret = 0;

	mutex_lock(&ps->lock);
	switch (psp) {
	case POWER_SUPPLY_PROP_PRESENT:
		val->intval = 1;
		break;
	case POWER_SUPPLY_PROP_STATUS:
		val->intval = phonesim_status(ps);
		break;
	case POWER_SUPPLY_PROP_CAPACITY:
		val->intval = phonesim_capacity(ps);
		break;
	case POWER_SUPPLY_PROP_ENERGY_NOW:
		val->intval = ps->energy_uwh;
		break;
	case POWER_SUPPLY_PROP_ENERGY_FULL:
		val->intval = phonesim_full_uwh();
		break;
	case POWER_SUPPLY_PROP_POWER_NOW:
		val->intval = ps->online ? 0 : ps->power_uw;
		break;
	case POWER_SUPPLY_PROP_TECHNOLOGY:
		val->intval = POWER_SUPPLY_TECHNOLOGY_LION;
		break;
	default:
		ret = -EINVAL;
	}
	mutex_unlock(&ps->lock);
	return ret;
}

static const struct power_supply_desc phonesim_bat_desc = {
	.name = "phonesim-battery",
	.type = POWER_SUPPLY_TYPE_BATTERY,
	.properties = phonesim_bat_props,
	.num_properties = ARRAY_SIZE(phonesim_bat_props),
	.get_property = phonesim_bat_get,
};

static const enum power_supply_property phonesim_ac_props[] = {
	POWER_SUPPLY_PROP_ONLINE,
};

static int phonesim_ac_get(struct power_supply *psy, enum power_supply_property psp,
			   union power_supply_propval *val)
{
	struct phonesim *ps = power_supply_get_drvdata(psy);

	if (psp != POWER_SUPPLY_PROP_ONLINE)
		return -EINVAL;
	mutex_lock(&ps->lock);
	val->intval = ps->online;
	mutex_unlock(&ps->lock);
	return 0;
}

static const struct power_supply_desc phonesim_ac_desc = {
	.name = "phonesim-ac",
	.type = POWER_SUPPLY_TYPE_MAINS,
	.properties = phonesim_ac_props,
	.num_properties = ARRAY_SIZE(phonesim_ac_props),
	.get_property = phonesim_ac_get,
};

/* --- skin thermal zone ----------------------------------------------------------- */

static int phonesim_skin_get_temp(struct thermal_zone_device *tz, int *temp)
{
	struct phonesim *ps = thermal_zone_device_priv(tz);

	mutex_lock(&ps->lock);
	*temp = ps->skin_mc;
	mutex_unlock(&ps->lock);
	return 0;
}

static const struct thermal_zone_device_ops phonesim_skin_ops = {
	.get_temp = phonesim_skin_get_temp,
};

/* --- debugfs ------------------------------------------------------------------------ */

/* capacity: read or set the charge, in percent. */
static int phonesim_capacity_get(void *data, u64 *val)
{
	struct phonesim *ps = data;

	mutex_lock(&ps->lock);
	*val = phonesim_capacity(ps);
	mutex_unlock(&ps->lock);
	return 0;
}

static int phonesim_capacity_set(void *data, u64 val)
{
	struct phonesim *ps = data;

	if (val > 100)
		return -EINVAL;
	mutex_lock(&ps->lock);
	ps->energy_uwh = div_u64(phonesim_full_uwh() * val, 100);
	ps->reported_cap = phonesim_capacity(ps);
	ps->reported_status = phonesim_status(ps);
	mutex_unlock(&ps->lock);
	power_supply_changed(ps->bat);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(phonesim_capacity_fops, phonesim_capacity_get,
			 phonesim_capacity_set, "%llu\n");

/* online: plug (1) or unplug (0) the charger. */
static int phonesim_online_get(void *data, u64 *val)
{
	struct phonesim *ps = data;

	mutex_lock(&ps->lock);
	*val = ps->online;
	mutex_unlock(&ps->lock);
	return 0;
}

static int phonesim_online_set(void *data, u64 val)
{
	struct phonesim *ps = data;

	if (val > 1)
		return -EINVAL;
	mutex_lock(&ps->lock);
	ps->online = val;
	ps->reported_status = phonesim_status(ps);
	mutex_unlock(&ps->lock);
	power_supply_changed(ps->ac);
	power_supply_changed(ps->bat);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(phonesim_online_fops, phonesim_online_get,
			 phonesim_online_set, "%llu\n");

/* --- module ------------------------------------------------------------------------- */

static int __init phonesim_init(void)
{
	struct power_supply_config cfg = {};
	struct phonesim *ps;
	int ret;

	ps = kzalloc(sizeof(*ps), GFP_KERNEL);
	if (!ps)
		return -ENOMEM;
	mutex_init(&ps->lock);
	INIT_DELAYED_WORK(&ps->tick, phonesim_tick);
	ps->energy_uwh = phonesim_full_uwh();
	ps->skin_mc = PHONESIM_AMBIENT_MC;
	ps->last_ns = ktime_get_ns();
	ps->reported_cap = 100;
	ps->reported_status = POWER_SUPPLY_STATUS_DISCHARGING;
	ps->enpu_live = true;	/* if enpu is not loaded, symbol_get() fails */
	ps->module_nb.notifier_call = phonesim_module_event;
	ret = register_module_notifier(&ps->module_nb);
	if (ret)
		goto err_free;

	ps->pdev = platform_device_register_simple("phonesim", PLATFORM_DEVID_NONE,
						   NULL, 0);
	if (IS_ERR(ps->pdev)) {
		ret = PTR_ERR(ps->pdev);
		goto err_nb;
	}
	cfg.drv_data = ps;
	ps->bat = power_supply_register(&ps->pdev->dev, &phonesim_bat_desc, &cfg);
	if (IS_ERR(ps->bat)) {
		ret = PTR_ERR(ps->bat);
		goto err_pdev;
	}
	ps->ac = power_supply_register(&ps->pdev->dev, &phonesim_ac_desc, &cfg);
	if (IS_ERR(ps->ac)) {
		ret = PTR_ERR(ps->ac);
		goto err_bat;
	}
	ps->skin = thermal_tripless_zone_device_register("skin", ps,
							 &phonesim_skin_ops, NULL);
	if (IS_ERR(ps->skin)) {
		ret = PTR_ERR(ps->skin);
		goto err_ac;
	}
	ret = thermal_zone_device_enable(ps->skin);
	if (ret)
		goto err_skin;

	ps->dir = debugfs_create_dir("phonesim", NULL);
	debugfs_create_file("capacity", 0644, ps->dir, ps, &phonesim_capacity_fops);
	debugfs_create_file("online", 0644, ps->dir, ps, &phonesim_online_fops);
	sim = ps;
	schedule_delayed_work(&ps->tick, msecs_to_jiffies(PHONESIM_TICK_MS));
	return 0;

err_skin:
	thermal_zone_device_unregister(ps->skin);
err_ac:
	power_supply_unregister(ps->ac);
err_bat:
	power_supply_unregister(ps->bat);
err_pdev:
	platform_device_unregister(ps->pdev);
err_nb:
	unregister_module_notifier(&ps->module_nb);
err_free:
	kfree(ps);
	return ret;
}

static void __exit phonesim_exit(void)
{
	struct phonesim *ps = sim;

	debugfs_remove_recursive(ps->dir);
	cancel_delayed_work_sync(&ps->tick);
	thermal_zone_device_unregister(ps->skin);
	power_supply_unregister(ps->ac);
	power_supply_unregister(ps->bat);
	platform_device_unregister(ps->pdev);
	unregister_module_notifier(&ps->module_nb);
	mutex_destroy(&ps->lock);
	kfree(ps);
}

module_init(phonesim_init);
module_exit(phonesim_exit);

MODULE_DESCRIPTION("phonesim: a simulated battery and skin zone for enpu's tests");
MODULE_LICENSE("GPL");
