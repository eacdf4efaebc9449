// SPDX-License-Identifier: GPL-2.0-only
/*
 * The control plane: generic netlink family "enpu", described by
 * Documentation/netlink/specs/enpu.yaml (uapi/linux/enpu_genl.h is
 * generated from it).  Anyone may read; setters need CAP_NET_ADMIN.
 *
 * Devices are found by their accel minor index in a table the family
 * owns; a handler holds enpu_genl_lock for as long as it uses a device,
 * and removal takes the device out of the table under the same lock
 * before it unplugs it.  Lock order: enpu_genl_lock, the DRM device's
 * filelist_mutex, a context's submit_lock.
 */
#include <linux/cred.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/pm_runtime.h>
#include <linux/sched.h>
#include <linux/xarray.h>
#include <net/genetlink.h>
#include <net/netlink.h>

#include <drm/drm_accel.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>

#include "enpu_budget.h"
#include "enpu_ctx.h"
#include "enpu_drv.h"
#include "enpu_genl.h"
#include "enpu_hw.h"
#include "enpu_pm.h"

static_assert((int)ENPU_CTX_STATE_OK == (int)DRM_ENPU_CTX_OK);
static_assert((int)ENPU_CTX_STATE_GUILTY == (int)DRM_ENPU_CTX_GUILTY);
static_assert((int)ENPU_CTX_STATE_INNOCENT == (int)DRM_ENPU_CTX_INNOCENT);
static_assert((int)ENPU_CTX_STATE_BANNED == (int)DRM_ENPU_CTX_BANNED);

static DEFINE_MUTEX(enpu_genl_lock);	/* the device table, and its users */
static DEFINE_XARRAY(enpu_genl_devs);	/* accel minor index -> device */

enum {
	ENPU_NLGRP_EVENTS,
};

static struct genl_family enpu_nl_family;

static u32 enpu_dev_id(struct enpu_device *edev)
{
	return edev->drm.accel->index;
}

void enpu_genl_add_device(struct enpu_device *edev)
{
	mutex_lock(&enpu_genl_lock);
	/* The index is the accel minor's own: it cannot be taken. */
	WARN_ON(xa_is_err(xa_store(&enpu_genl_devs, enpu_dev_id(edev), edev,
				   GFP_KERNEL)));
	mutex_unlock(&enpu_genl_lock);
}

void enpu_genl_remove_device(struct enpu_device *edev)
{
	mutex_lock(&enpu_genl_lock);
	xa_erase(&enpu_genl_devs, enpu_dev_id(edev));
	mutex_unlock(&enpu_genl_lock);
}

/**
 * enpu_total_energy_uj() - energy drawn by every enpu device so far
 * @uj: out: the sum of their energy counters, uJ
 *
 * For the rest of the system's power accounting (a fuel gauge, or the
 * tests' simulated battery).
 *
 * Return: 0, or -ENODEV when there is no device.
 */
int enpu_total_energy_uj(u64 *uj)
{
	struct enpu_device *edev;
	struct enpu_hw_telemetry t;
	unsigned long id;
	int ret = -ENODEV, idx;

	*uj = 0;
	mutex_lock(&enpu_genl_lock);
	xa_for_each(&enpu_genl_devs, id, edev) {
		if (!drm_dev_enter(&edev->drm, &idx))
			continue;
		edev->hw->ops->telemetry(edev->hw, &t);
		*uj += t.energy_uj;
		drm_dev_exit(idx);
		ret = 0;
	}
	mutex_unlock(&enpu_genl_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(enpu_total_energy_uj);

/* The device @attr names, or the first one; caller holds enpu_genl_lock. */
static struct enpu_device *enpu_genl_dev(struct genl_info *info, int attr)
{
	struct enpu_device *edev;
	unsigned long id = 0;

	if (info->attrs[attr]) {
		id = nla_get_u32(info->attrs[attr]);
		edev = xa_load(&enpu_genl_devs, id);
	} else {
		edev = xa_find(&enpu_genl_devs, &id, ULONG_MAX, XA_PRESENT);
	}
	if (!edev)
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[attr],
				    "no such enpu device");
	return edev;
}

/* --- devices ------------------------------------------------------------ */

static int enpu_genl_fill_dev(struct sk_buff *msg, struct enpu_device *edev,
			      u32 portid, u32 seq, int flags)
{
	struct enpu_pm *pm = &edev->pm;
	struct enpu_hw_telemetry t;
	void *hdr;

	hdr = genlmsg_put(msg, portid, seq, &enpu_nl_family, flags,
			  ENPU_CMD_DEV_GET);
	if (!hdr)
		return -EMSGSIZE;
	edev->hw->ops->telemetry(edev->hw, &t);
	if (nla_put_u32(msg, ENPU_A_DEV_ID, enpu_dev_id(edev)) ||
	    nla_put_string(msg, ENPU_A_DEV_NAME, dev_name(edev->drm.dev)) ||
	    nla_put_s32(msg, ENPU_A_DEV_TEMP, t.temp_mc) ||
	    nla_put_u32(msg, ENPU_A_DEV_FREQ, t.freq_khz) ||
	    nla_put_u32(msg, ENPU_A_DEV_FREQ_MAX, enpu_pm_freq_max_khz(edev)) ||
	    nla_put_u32(msg, ENPU_A_DEV_FREQ_CAP, READ_ONCE(pm->freq_cap_khz)) ||
	    nla_put_u32(msg, ENPU_A_DEV_FREQ_FLOOR, READ_ONCE(pm->freq_floor_khz)) ||
	    nla_put_u32(msg, ENPU_A_DEV_POWER_CAP, READ_ONCE(pm->power_cap_mw)) ||
	    nla_put_u32(msg, ENPU_A_DEV_POWER, t.power_mw) ||
	    nla_put_u64_64bit(msg, ENPU_A_DEV_ENERGY, t.energy_uj, 0) ||
	    nla_put_u64_64bit(msg, ENPU_A_DEV_BUSY, t.busy_ns, 0) ||
	    nla_put_u32(msg, ENPU_A_DEV_CORES, edev->fw.num_cores) ||
	    nla_put_u32(msg, ENPU_A_DEV_RESETS, atomic_read(&edev->resets)) ||
	    nla_put_u32(msg, ENPU_A_DEV_CONTEXTS, atomic_read(&edev->entities)) ||
	    nla_put_u8(msg, ENPU_A_DEV_SUSPENDED,
		       pm_runtime_suspended(edev->drm.dev)) ||
	    nla_put_u32(msg, ENPU_A_DEV_STATIC_POWER, edev->fw.static_power_mw)) {
		genlmsg_cancel(msg, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return 0;
}

static int enpu_nl_dev_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct enpu_device *edev;
	struct sk_buff *msg;
	int ret, idx;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	mutex_lock(&enpu_genl_lock);
	edev = enpu_genl_dev(info, ENPU_A_DEV_ID);
	if (!edev) {
		ret = -ENODEV;
	} else if (!drm_dev_enter(&edev->drm, &idx)) {
		ret = -ENODEV;
	} else {
		ret = enpu_genl_fill_dev(msg, edev, info->snd_portid,
					 info->snd_seq, 0);
		drm_dev_exit(idx);
	}
	mutex_unlock(&enpu_genl_lock);
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	return genlmsg_reply(msg, info);
}

static int enpu_nl_dev_get_dumpit(struct sk_buff *skb,
				  struct netlink_callback *cb)
{
	struct enpu_device *edev;
	unsigned long id;
	int ret = 0, idx;

	mutex_lock(&enpu_genl_lock);
	xa_for_each_start(&enpu_genl_devs, id, edev, cb->args[0]) {
		if (!drm_dev_enter(&edev->drm, &idx))
			continue;
		ret = enpu_genl_fill_dev(skb, edev, NETLINK_CB(cb->skb).portid,
					 cb->nlh->nlmsg_seq, NLM_F_MULTI);
		drm_dev_exit(idx);
		if (ret)
			break;
		cb->args[0] = id + 1;
	}
	mutex_unlock(&enpu_genl_lock);
	/* A full buffer ends this part of the dump; the next goes on. */
	return ret == -EMSGSIZE && skb->len ? skb->len : ret;
}

static int enpu_nl_dev_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *freq = info->attrs[ENPU_A_DEV_FREQ_CAP];
	struct nlattr *power = info->attrs[ENPU_A_DEV_POWER_CAP];
	struct nlattr *floor = info->attrs[ENPU_A_DEV_FREQ_FLOOR];
	struct enpu_device *edev;
	u32 freq_khz, power_mw;
	int ret = 0, idx;

	if (!freq && !power && !floor) {
		NL_SET_ERR_MSG(info->extack, "no freq-cap, power-cap or freq-floor to set");
		return -EINVAL;
	}
	freq_khz = freq ? nla_get_u32(freq) : 0;
	power_mw = power ? nla_get_u32(power) : 0;

	mutex_lock(&enpu_genl_lock);
	edev = enpu_genl_dev(info, ENPU_A_DEV_ID);
	if (!edev || !drm_dev_enter(&edev->drm, &idx)) {
		ret = -ENODEV;
	} else {
		/* Check everything before changing anything. */
		if (floor && nla_get_u32(floor) >
			     edev->fw.opps[edev->fw.num_opps - 1].freq_khz) {
			NL_SET_ERR_MSG_ATTR(info->extack, floor,
					    "freq-floor above the top OPP");
			ret = -EINVAL;
		}
		if (!ret && (freq || power))
			ret = enpu_pm_set_caps(edev, freq ? &freq_khz : NULL,
					       power ? &power_mw : NULL);
		if (!ret && floor)
			ret = enpu_pm_set_floor(edev, nla_get_u32(floor));
		drm_dev_exit(idx);
	}
	mutex_unlock(&enpu_genl_lock);
	return ret;
}

/* --- contexts ----------------------------------------------------------- */

static int enpu_genl_fill_ctx(struct sk_buff *msg, struct enpu_device *edev,
			      struct enpu_ctx *ctx, u32 portid, u32 seq,
			      int flags)
{
	u64 runtime_us, period_us;
	u32 prio, grant, class, period, deadline, job_us, cores;
	bool frozen;
	void *hdr;

	enpu_budget_get(&ctx->budget, &runtime_us, &period_us, &frozen);
	mutex_lock(&ctx->submit_lock);
	cores = ctx->cores_allowed;
	prio = ctx->priority;
	grant = ctx->priority_grant;
	class = ctx->class_hint;
	period = ctx->hint_period_us;
	deadline = ctx->hint_deadline_us;
	job_us = ctx->hint_job_us;
	mutex_unlock(&ctx->submit_lock);

	hdr = genlmsg_put(msg, portid, seq, &enpu_nl_family, flags,
			  ENPU_CMD_CTX_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(msg, ENPU_A_CTX_DEV_ID, enpu_dev_id(edev)) ||
	    nla_put_u64_64bit(msg, ENPU_A_CTX_CLIENT, ctx->client, 0) ||
	    nla_put_u32(msg, ENPU_A_CTX_ID, ctx->id) ||
	    nla_put_u32(msg, ENPU_A_CTX_PID, pid_nr(ctx->pid)) ||
	    nla_put_string(msg, ENPU_A_CTX_COMM, ctx->comm) ||
	    nla_put_u32(msg, ENPU_A_CTX_PRIORITY, prio) ||
	    nla_put_u32(msg, ENPU_A_CTX_PRIORITY_GRANT, grant) ||
	    nla_put_u32(msg, ENPU_A_CTX_CLASS, class) ||
	    nla_put_u32(msg, ENPU_A_CTX_PERIOD, period) ||
	    nla_put_u32(msg, ENPU_A_CTX_DEADLINE, deadline) ||
	    nla_put_u32(msg, ENPU_A_CTX_JOB_DURATION, job_us) ||
	    nla_put_u32(msg, ENPU_A_CTX_BUDGET_RUNTIME, runtime_us) ||
	    nla_put_u32(msg, ENPU_A_CTX_BUDGET_PERIOD, period_us) ||
	    nla_put_u8(msg, ENPU_A_CTX_FROZEN, frozen) ||
	    nla_put_u64_64bit(msg, ENPU_A_CTX_BUSY, atomic64_read(&ctx->busy_ns), 0) ||
	    nla_put_u64_64bit(msg, ENPU_A_CTX_SUBMITTED,
			      atomic64_read(&ctx->submitted), 0) ||
	    nla_put_u64_64bit(msg, ENPU_A_CTX_COMPLETED,
			      atomic64_read(&ctx->completed), 0) ||
	    nla_put_u64_64bit(msg, ENPU_A_CTX_FAILED,
			      atomic64_read(&ctx->failed), 0) ||
	    nla_put_u32(msg, ENPU_A_CTX_STATE, enpu_ctx_state(ctx)) ||
	    nla_put_u32(msg, ENPU_A_CTX_CORES_ALLOWED, cores)) {
		genlmsg_cancel(msg, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return 0;
}

/* The context named by @info, referenced; caller holds enpu_genl_lock. */
static struct enpu_ctx *enpu_genl_ctx(struct genl_info *info,
				      struct enpu_device **edevp)
{
	struct enpu_device *edev;
	struct enpu_ctx *ctx;

	if (GENL_REQ_ATTR_CHECK(info, ENPU_A_CTX_CLIENT) ||
	    GENL_REQ_ATTR_CHECK(info, ENPU_A_CTX_ID))
		return ERR_PTR(-EINVAL);
	edev = enpu_genl_dev(info, ENPU_A_CTX_DEV_ID);
	if (!edev)
		return ERR_PTR(-ENODEV);
	ctx = enpu_ctx_find(edev, nla_get_u64(info->attrs[ENPU_A_CTX_CLIENT]),
			    nla_get_u32(info->attrs[ENPU_A_CTX_ID]));
	if (!ctx) {
		NL_SET_ERR_MSG(info->extack, "no such context");
		return ERR_PTR(-ENOENT);
	}
	*edevp = edev;
	return ctx;
}

static int enpu_nl_ctx_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct enpu_device *edev;
	struct enpu_ctx *ctx;
	struct sk_buff *msg;
	int ret;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	mutex_lock(&enpu_genl_lock);
	ctx = enpu_genl_ctx(info, &edev);
	if (IS_ERR(ctx)) {
		ret = PTR_ERR(ctx);
	} else {
		ret = enpu_genl_fill_ctx(msg, edev, ctx, info->snd_portid,
					 info->snd_seq, 0);
		enpu_ctx_put(ctx);
	}
	mutex_unlock(&enpu_genl_lock);
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	return genlmsg_reply(msg, info);
}

/*
 * Put the contexts of @edev from the @*skip-th on into @skb, counting
 * in @*skip what went in.  Contexts created or destroyed between two
 * parts of a dump may be missed or seen twice, as in any netlink dump.
 */
static int enpu_genl_dump_dev(struct sk_buff *skb, struct netlink_callback *cb,
			      struct enpu_device *edev, long *skip)
{
	struct drm_device *drm = &edev->drm;
	struct drm_file *file;
	struct enpu_ctx *ctx;
	unsigned long id;
	long n = 0;
	int ret = 0;

	mutex_lock(&drm->filelist_mutex);
	list_for_each_entry(file, &drm->filelist, lhead) {
		struct enpu_file *efile = file->driver_priv;

		xa_for_each(&efile->ctxs, id, ctx) {
			if (n++ < *skip)
				continue;
			ctx = enpu_ctx_lookup(efile, id);
			if (!ctx)	/* destroyed meanwhile */
				continue;
			ret = enpu_genl_fill_ctx(skb, edev, ctx,
						 NETLINK_CB(cb->skb).portid,
						 cb->nlh->nlmsg_seq, NLM_F_MULTI);
			enpu_ctx_put(ctx);
			if (ret)
				goto out;
			*skip = n;
		}
	}
out:
	mutex_unlock(&drm->filelist_mutex);
	return ret;
}

static int enpu_nl_ctx_get_dumpit(struct sk_buff *skb,
				  struct netlink_callback *cb)
{
	const struct genl_info *info = genl_info_dump(cb);
	struct nlattr *dev_attr = info->attrs[ENPU_A_CTX_DEV_ID];
	unsigned long id, last = ULONG_MAX;
	struct enpu_device *edev;
	int ret = 0, idx;

	if (dev_attr) {
		last = nla_get_u32(dev_attr);
		cb->args[0] = max_t(long, cb->args[0], last);
	}

	mutex_lock(&enpu_genl_lock);
	xa_for_each_range(&enpu_genl_devs, id, edev, cb->args[0], last) {
		if (drm_dev_enter(&edev->drm, &idx)) {
			ret = enpu_genl_dump_dev(skb, cb, edev, &cb->args[1]);
			drm_dev_exit(idx);
			if (ret)
				break;
		}
		cb->args[0] = id + 1;
		cb->args[1] = 0;
	}
	mutex_unlock(&enpu_genl_lock);
	return ret == -EMSGSIZE && skb->len ? skb->len : ret;
}

static int enpu_nl_ctx_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *prio = info->attrs[ENPU_A_CTX_PRIORITY];
	struct nlattr *grant = info->attrs[ENPU_A_CTX_PRIORITY_GRANT];
	struct nlattr *runtime = info->attrs[ENPU_A_CTX_BUDGET_RUNTIME];
	struct nlattr *period = info->attrs[ENPU_A_CTX_BUDGET_PERIOD];
	struct nlattr *frozen = info->attrs[ENPU_A_CTX_FROZEN];
	struct nlattr *cores = info->attrs[ENPU_A_CTX_CORES_ALLOWED];
	struct enpu_device *edev;
	struct enpu_ctx *ctx;
	int ret = 0, idx;

	if (!!runtime != !!period) {
		NL_SET_ERR_MSG(info->extack,
			       "budget-runtime and budget-period go together");
		return -EINVAL;
	}
	if (!prio && !grant && !runtime && !frozen && !cores) {
		NL_SET_ERR_MSG(info->extack, "nothing to set");
		return -EINVAL;
	}

	mutex_lock(&enpu_genl_lock);
	ctx = enpu_genl_ctx(info, &edev);
	if (IS_ERR(ctx)) {
		mutex_unlock(&enpu_genl_lock);
		return PTR_ERR(ctx);
	}
	if (!drm_dev_enter(&edev->drm, &idx)) {
		ret = -ENODEV;
		goto out;
	}
	/* Check everything before changing anything. */
	if (runtime) {
		ret = enpu_budget_check(nla_get_u32(runtime), nla_get_u32(period));
		if (ret) {
			NL_SET_ERR_MSG(info->extack,
				       "budget: runtime must be within a period of 1 ms to 10 s");
			goto exit;
		}
	}
	if (cores && (!nla_get_u32(cores) ||
		      nla_get_u32(cores) & ~GENMASK(edev->fw.num_cores - 1, 0))) {
		NL_SET_ERR_MSG_ATTR(info->extack, cores,
				    "cores-allowed: a non-empty mask of the device's cores");
		ret = -EINVAL;
		goto exit;
	}
	/* A context being destroyed keeps its gates open. */
	mutex_lock(&ctx->submit_lock);
	if (ctx->destroyed) {
		mutex_unlock(&ctx->submit_lock);
		NL_SET_ERR_MSG(info->extack, "no such context");
		ret = -ENOENT;
		goto exit;
	}
	if (grant)
		ctx->priority_grant = nla_get_u32(grant);
	if (prio)
		enpu_ctx_set_priority(ctx, nla_get_u32(prio));
	if (cores)
		enpu_ctx_allow_cores(ctx, nla_get_u32(cores));
	/* Under the lock: enpu_ctx_destroy() opens the gates after it. */
	if (runtime)
		WARN_ON(enpu_budget_set(&ctx->budget, nla_get_u32(runtime),
					nla_get_u32(period)));
	if (frozen)
		enpu_budget_freeze(&ctx->budget, nla_get_u8(frozen));
	mutex_unlock(&ctx->submit_lock);
exit:
	drm_dev_exit(idx);
out:
	enpu_ctx_put(ctx);
	mutex_unlock(&enpu_genl_lock);
	return ret;
}

/* --- the family ---------------------------------------------------------- */

static const struct nla_policy enpu_dev_get_nl_policy[ENPU_A_DEV_ID + 1] = {
	[ENPU_A_DEV_ID] = { .type = NLA_U32, },
};

static const struct nla_policy enpu_dev_set_nl_policy[ENPU_A_DEV_FREQ_FLOOR + 1] = {
	[ENPU_A_DEV_ID] = { .type = NLA_U32, },
	[ENPU_A_DEV_FREQ_CAP] = { .type = NLA_U32, },
	[ENPU_A_DEV_POWER_CAP] = { .type = NLA_U32, },
	[ENPU_A_DEV_FREQ_FLOOR] = { .type = NLA_U32, },
};

static const struct nla_policy enpu_ctx_get_do_nl_policy[ENPU_A_CTX_ID + 1] = {
	[ENPU_A_CTX_DEV_ID] = { .type = NLA_U32, },
	[ENPU_A_CTX_CLIENT] = { .type = NLA_U64, },
	[ENPU_A_CTX_ID] = { .type = NLA_U32, },
};

static const struct nla_policy enpu_ctx_get_dump_nl_policy[ENPU_A_CTX_DEV_ID + 1] = {
	[ENPU_A_CTX_DEV_ID] = { .type = NLA_U32, },
};

static const struct nla_policy enpu_ctx_set_nl_policy[ENPU_A_CTX_CORES_ALLOWED + 1] = {
	[ENPU_A_CTX_DEV_ID] = { .type = NLA_U32, },
	[ENPU_A_CTX_CLIENT] = { .type = NLA_U64, },
	[ENPU_A_CTX_ID] = { .type = NLA_U32, },
	[ENPU_A_CTX_PRIORITY] = NLA_POLICY_MAX(NLA_U32, DRM_ENPU_PRIORITY_REALTIME),
	[ENPU_A_CTX_PRIORITY_GRANT] = NLA_POLICY_MAX(NLA_U32, DRM_ENPU_PRIORITY_REALTIME),
	[ENPU_A_CTX_BUDGET_RUNTIME] = { .type = NLA_U32, },
	[ENPU_A_CTX_BUDGET_PERIOD] = { .type = NLA_U32, },
	[ENPU_A_CTX_FROZEN] = NLA_POLICY_MAX(NLA_U8, 1),
	[ENPU_A_CTX_CORES_ALLOWED] = { .type = NLA_U32, },
};

static const struct genl_split_ops enpu_nl_ops[] = {
	{
		.cmd		= ENPU_CMD_DEV_GET,
		.doit		= enpu_nl_dev_get_doit,
		.policy		= enpu_dev_get_nl_policy,
		.maxattr	= ENPU_A_DEV_ID,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= ENPU_CMD_DEV_GET,
		.dumpit		= enpu_nl_dev_get_dumpit,
		.flags		= GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= ENPU_CMD_DEV_SET,
		.doit		= enpu_nl_dev_set_doit,
		.policy		= enpu_dev_set_nl_policy,
		.maxattr	= ENPU_A_DEV_FREQ_FLOOR,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= ENPU_CMD_CTX_GET,
		.doit		= enpu_nl_ctx_get_doit,
		.policy		= enpu_ctx_get_do_nl_policy,
		.maxattr	= ENPU_A_CTX_ID,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= ENPU_CMD_CTX_GET,
		.dumpit		= enpu_nl_ctx_get_dumpit,
		.policy		= enpu_ctx_get_dump_nl_policy,
		.maxattr	= ENPU_A_CTX_DEV_ID,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= ENPU_CMD_CTX_SET,
		.doit		= enpu_nl_ctx_set_doit,
		.policy		= enpu_ctx_set_nl_policy,
		.maxattr	= ENPU_A_CTX_CORES_ALLOWED,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
};

/*
 * Which process uses the NPU, how much and how it fares is no other
 * user's business (fdinfo needs ptrace access too): the contexts and the
 * events are for CAP_NET_ADMIN, the device's state is for everyone.
 */
static const struct genl_multicast_group enpu_nl_mcgrps[] = {
	[ENPU_NLGRP_EVENTS] = {
		.name	= ENPU_MCGRP_EVENTS,
		.flags	= GENL_MCAST_CAP_NET_ADMIN,
	},
};

/* The NPU is not a network namespace's: the family lives in init_net. */
static struct genl_family enpu_nl_family __ro_after_init = {
	.name		= ENPU_FAMILY_NAME,
	.version	= ENPU_FAMILY_VERSION,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.split_ops	= enpu_nl_ops,
	.n_split_ops	= ARRAY_SIZE(enpu_nl_ops),
	.mcgrps		= enpu_nl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(enpu_nl_mcgrps),
};

int enpu_genl_register(void)
{
	return genl_register_family(&enpu_nl_family);
}

void enpu_genl_unregister(void)
{
	genl_unregister_family(&enpu_nl_family);
}

/* --- events ---------------------------------------------------------------- */

/* A new event message, or NULL when nobody listens (or no memory). */
static struct sk_buff *enpu_genl_event_new(struct enpu_device *edev, u8 cmd,
					   void **hdr)
{
	struct sk_buff *msg;

	if (!genl_has_listeners(&enpu_nl_family, &init_net, ENPU_NLGRP_EVENTS))
		return NULL;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_ATOMIC);
	if (!msg)
		return NULL;
	*hdr = genlmsg_put(msg, 0, 0, &enpu_nl_family, 0, cmd);
	if (!*hdr || nla_put_u32(msg, ENPU_A_EVENT_DEV_ID, enpu_dev_id(edev))) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static void enpu_genl_event_send(struct sk_buff *msg, void *hdr, bool ok)
{
	if (!ok) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast(&enpu_nl_family, msg, 0, ENPU_NLGRP_EVENTS, GFP_ATOMIC);
}

static bool enpu_genl_put_ctx(struct sk_buff *msg, struct enpu_ctx *ctx)
{
	return !nla_put_u64_64bit(msg, ENPU_A_EVENT_CLIENT, ctx->client, 0) &&
	       !nla_put_u32(msg, ENPU_A_EVENT_CTX_ID, ctx->id);
}

void enpu_genl_ctx_event(struct enpu_ctx *ctx, u8 cmd)
{
	struct sk_buff *msg;
	void *hdr;

	msg = enpu_genl_event_new(ctx->edev, cmd, &hdr);
	if (msg)
		enpu_genl_event_send(msg, hdr, enpu_genl_put_ctx(msg, ctx) &&
				     !nla_put_u32(msg, ENPU_A_EVENT_PID,
						  pid_nr(ctx->pid)));
}

void enpu_genl_job_event(struct enpu_ctx *ctx, u8 cmd, u32 core, int error)
{
	struct sk_buff *msg;
	void *hdr;

	msg = enpu_genl_event_new(ctx->edev, cmd, &hdr);
	if (msg)
		enpu_genl_event_send(msg, hdr, enpu_genl_put_ctx(msg, ctx) &&
				     !nla_put_u32(msg, ENPU_A_EVENT_CORE, core) &&
				     (!error ||
				      !nla_put_s32(msg, ENPU_A_EVENT_ERROR, error)));
}

void enpu_genl_reset_event(struct enpu_device *edev, int core)
{
	struct sk_buff *msg;
	void *hdr;

	msg = enpu_genl_event_new(edev, ENPU_CMD_RESET_NTF, &hdr);
	if (msg)
		enpu_genl_event_send(msg, hdr,
				     !nla_put_u32(msg, ENPU_A_EVENT_RESET_KIND,
						  core < 0 ? ENPU_RESET_KIND_DEVICE :
							     ENPU_RESET_KIND_CORE) &&
				     (core < 0 ||
				      !nla_put_u32(msg, ENPU_A_EVENT_CORE, core)));
}

void enpu_genl_throttle_event(struct enpu_device *edev, u32 freq_khz,
			      u32 reason, s32 temp_mc)
{
	struct sk_buff *msg;
	void *hdr;

	msg = enpu_genl_event_new(edev, ENPU_CMD_THROTTLE_NTF, &hdr);
	if (msg)
		enpu_genl_event_send(msg, hdr,
				     !nla_put_u32(msg, ENPU_A_EVENT_FREQ_MAX, freq_khz) &&
				     !nla_put_u32(msg, ENPU_A_EVENT_REASON, reason) &&
				     !nla_put_s32(msg, ENPU_A_EVENT_TEMP, temp_mc));
}

void enpu_genl_power_event(struct enpu_device *edev, bool suspended)
{
	struct sk_buff *msg;
	void *hdr;

	msg = enpu_genl_event_new(edev, ENPU_CMD_POWER_NTF, &hdr);
	if (msg)
		enpu_genl_event_send(msg, hdr,
				     !nla_put_u8(msg, ENPU_A_EVENT_SUSPENDED, suspended));
}
