// SPDX-License-Identifier: MIT
/*
 * enpud's policy engine (see policy.h): a thermal PID, battery caps, a
 * frequency cap, and device time shared among contexts, each decision
 * with its reason.  Pure computation: no I/O, no clock, no allocation.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "policy.h"

/* Shared contexts' weights per class: normal apps before background. */
#define ENPU_POLICY_NORMAL_FACTOR	4
/* A shared context is assumed to want this much more than it used. */
#define ENPU_POLICY_PROBE_PCT		25
/* ... and at least this share of a core, so that it can grow. */
#define ENPU_POLICY_MIN_DEMAND		0.02

uint32_t enpu_policy_opp_power(const struct enpu_policy_device *dev, uint32_t i)
{
	return dev->static_mw + dev->opps[i].power_mw;
}

static uint32_t top_power(const struct enpu_policy_device *dev)
{
	return enpu_policy_opp_power(dev, dev->num_opps - 1);
}

/*
 * Defaults for @dev: the kernel's power_allocator gains for the trips
 * of the default firmware, the thresholds the documentation names.
 */
void enpu_policy_defaults(struct enpu_policy_config *cfg,
			  const struct enpu_policy_device *dev)
{
	uint32_t dt;

	memset(cfg, 0, sizeof(*cfg));
	cfg->period_ms = 100;
	cfg->control_mc = 65000;
	cfg->switch_on_mc = 55000;
	cfg->severe_mc = 70000;
	cfg->severe_clear_mc = 63000;
	cfg->sustainable_mw = dev->num_opps ? top_power(dev) / 2 : 1000;
	dt = (cfg->control_mc - cfg->switch_on_mc) / 1000;
	cfg->k_po = cfg->sustainable_mw / dt;
	cfg->k_pu = 2 * cfg->sustainable_mw / dt;
	cfg->k_i = cfg->k_pu / 10 ? cfg->k_pu / 10 : 1;
	cfg->battery_low_pct = 20;
	cfg->battery_critical_pct = 10;
	cfg->battery_hyst_pct = 3;
	cfg->battery_cap_mw = 0;
	cfg->battery_low_cap_mw = dev->num_opps ? top_power(dev) / 3 : 0;
	cfg->saver_cap_mw = dev->num_opps ? top_power(dev) / 2 : 0;
	cfg->rt_limit_pct = 70;
	cfg->rt_cores = 1;
	cfg->budget_period_us = 100000;
	cfg->share_hyst_pct = 10;
}

int enpu_policy_init(struct enpu_policy *p, const struct enpu_policy_config *cfg,
		     const struct enpu_policy_device *dev)
{
	uint32_t i;

	if (!dev->cores || !dev->num_opps || dev->num_opps > ENPU_POLICY_MAX_OPPS ||
	    !cfg->period_ms || cfg->control_mc <= cfg->switch_on_mc ||
	    cfg->severe_clear_mc > cfg->severe_mc || !cfg->rt_limit_pct ||
	    cfg->rt_limit_pct > 100 || cfg->budget_period_us < 1000 ||
	    cfg->budget_period_us > 10000000 ||
	    cfg->battery_critical_pct > cfg->battery_low_pct)
		return -EINVAL;
	for (i = 1; i < dev->num_opps; i++)
		if (dev->opps[i].freq_khz <= dev->opps[i - 1].freq_khz)
			return -EINVAL;
	memset(p, 0, sizeof(*p));
	p->cfg = *cfg;
	p->dev = *dev;
	p->opp = dev->num_opps - 1;
	p->battery = ENPU_BATTERY_NONE;
	return 0;
}

/* --- power budget --------------------------------------------------------------- */

static uint32_t thermal_budget(struct enpu_policy *p, int32_t die_mc, char *why,
			       size_t len)
{
	const struct enpu_policy_config *c = &p->cfg;
	int64_t maxp = top_power(&p->dev), err, budget, prop;

	if (die_mc < c->switch_on_mc) {
		p->integral = 0;
		p->pid_active = false;
		snprintf(why, len, "die %.1f C below switch-on %.1f C",
			 die_mc / 1000.0, c->switch_on_mc / 1000.0);
		return maxp;
	}
	p->pid_active = true;
	err = c->control_mc - die_mc;		/* mC; > 0: headroom */
	prop = (err < 0 ? c->k_po : c->k_pu) * err / 1000;
	budget = c->sustainable_mw + prop + p->integral;
	/* Integrate only where it can still act (anti-windup). */
	if ((budget < maxp || err < 0) && (budget > 0 || err > 0)) {
		p->integral += (int64_t)c->k_i * err * p->dt_ms / 1000000;
		if (p->integral > maxp)
			p->integral = maxp;
		if (p->integral < -maxp)
			p->integral = -maxp;
	}
	if (budget > maxp)
		budget = maxp;
	if (budget < 0)
		budget = 0;
	snprintf(why, len, "die %.1f C against control %.1f C: thermal budget %lld mW",
		 die_mc / 1000.0, c->control_mc / 1000.0, (long long)budget);
	return budget;
}

static void battery_update(struct enpu_policy *p, const struct enpu_policy_input *in)
{
	const struct enpu_policy_config *c = &p->cfg;
	uint32_t cap = in->capacity_pct, leave_low = c->battery_low_pct + c->battery_hyst_pct;

	if (!in->battery_present || in->charging) {
		p->battery = ENPU_BATTERY_NONE;
		return;
	}
	switch (p->battery) {
	case ENPU_BATTERY_NONE:
	case ENPU_BATTERY_OK:
		p->battery = cap <= c->battery_critical_pct ? ENPU_BATTERY_CRITICAL :
			     cap <= c->battery_low_pct ? ENPU_BATTERY_LOW : ENPU_BATTERY_OK;
		break;
	case ENPU_BATTERY_LOW:
		if (cap <= c->battery_critical_pct)
			p->battery = ENPU_BATTERY_CRITICAL;
		else if (cap >= leave_low)
			p->battery = ENPU_BATTERY_OK;
		break;
	case ENPU_BATTERY_CRITICAL:
		if (cap >= leave_low)
			p->battery = ENPU_BATTERY_OK;
		else if (cap >= c->battery_critical_pct + c->battery_hyst_pct)
			p->battery = ENPU_BATTERY_LOW;
		break;
	}
}

static uint32_t battery_cap(const struct enpu_policy *p, const struct enpu_policy_input *in,
			    char *why, size_t len)
{
	const struct enpu_policy_config *c = &p->cfg;
	uint32_t cap = top_power(&p->dev);

	*why = 0;
	switch (p->battery) {
	case ENPU_BATTERY_NONE:
		break;
	case ENPU_BATTERY_OK:
		if (c->battery_cap_mw && c->battery_cap_mw < cap) {
			cap = c->battery_cap_mw;
			snprintf(why, len, "on battery (%u%%): cap %u mW", in->capacity_pct, cap);
		}
		break;
	case ENPU_BATTERY_LOW:
		cap = c->battery_low_cap_mw;
		snprintf(why, len, "battery low (%u%%, discharging): cap %u mW",
			 in->capacity_pct, cap);
		break;
	case ENPU_BATTERY_CRITICAL:
		cap = enpu_policy_opp_power(&p->dev, 0);
		snprintf(why, len, "battery critical (%u%%, discharging): lowest OPP",
			 in->capacity_pct);
		break;
	}
	if (in->saver && c->saver_cap_mw && c->saver_cap_mw < cap) {
		cap = c->saver_cap_mw;
		snprintf(why, len, "battery saver: cap %u mW", cap);
	}
	return cap;
}

/* The highest OPP whose full-load power fits in @mw, or the lowest. */
static uint32_t opp_for(const struct enpu_policy_device *dev, uint32_t mw)
{
	uint32_t i, best = 0;

	for (i = 0; i < dev->num_opps; i++)
		if (enpu_policy_opp_power(dev, i) <= mw)
			best = i;
	return best;
}

/* --- device time ---------------------------------------------------------------- */

static struct enpu_policy_prev *prev_of(struct enpu_policy *p, const struct enpu_policy_ctx *x)
{
	uint32_t i;

	for (i = 0; i < p->num_prev; i++)
		if (p->prev[i].client == x->client && p->prev[i].id == x->id)
			return &p->prev[i];
	return NULL;
}

/*
 * Share of a core the context used since the snapshot, measured over
 * half a period at least: an early step (an event) gets the last
 * measurement.
 */
static double used_share(struct enpu_policy *p, const struct enpu_policy_ctx *x)
{
	const struct enpu_policy_prev *pv = prev_of(p, x);
	uint32_t age = p->snap_ms + p->dt_ms;

	if (!pv)
		return 0;
	if (age < p->cfg.period_ms / 2)
		return pv->share;
	if (x->busy_ns < pv->busy_ns)
		return 0;
	return (double)(x->busy_ns - pv->busy_ns) / (age * 1e6);
}

struct shared {
	double weight, demand, share;
	uint32_t i;		/* index in the input */
	bool done;
};

/*
 * Weighted max-min (water filling): whoever wants less than its fair
 * share gets what it wants; the rest split what is left by weight.
 */
static void max_min(struct shared *s, uint32_t n, double capacity)
{
	uint32_t left = n, i;
	bool again = true;

	while (left && again) {
		double wsum = 0, fair;

		again = false;
		for (i = 0; i < n; i++)
			if (!s[i].done)
				wsum += s[i].weight;
		fair = capacity / wsum;
		for (i = 0; i < n; i++) {
			if (s[i].done || s[i].demand > fair * s[i].weight)
				continue;
			s[i].share = s[i].demand;
			s[i].done = true;
			capacity -= s[i].demand;
			left--;
			again = true;
		}
		if (!again)
			for (i = 0; i < n; i++)
				if (!s[i].done)
					s[i].share = fair * s[i].weight;
	}
}

static int rt_order(const struct enpu_policy_ctx *a, const struct enpu_policy_ctx *b)
{
	double ua = (double)a->job_us / a->period_us, ub = (double)b->job_us / b->period_us;

	if (a->foreground != b->foreground)
		return a->foreground ? -1 : 1;
	return ua < ub ? -1 : ua > ub;
}

static void share_time(struct enpu_policy *p, const struct enpu_policy_input *in,
		       struct enpu_policy_output *out)
{
	const struct enpu_policy_config *c = &p->cfg;
	double speed = (double)p->dev.opps[p->opp].freq_khz /
		       p->dev.opps[p->dev.num_opps - 1].freq_khz;
	double capacity = p->dev.cores, rt_left = capacity * c->rt_limit_pct / 100.0;
	double demand_sum = 0, hot_factor = 1;
	struct shared s[ENPU_POLICY_MAX_CTXS];
	uint32_t rt[ENPU_POLICY_MAX_CTXS] = { 0 };
	uint32_t i, j, n = 0, nrt = 0, admitted = 0, keep = 0, kept_max = 0;
	uint32_t all = p->dev.cores >= 32 ? ~0u : (1u << p->dev.cores) - 1, shared_cores;
	bool bg_frozen_battery = p->battery == ENPU_BATTERY_LOW ||
				 p->battery == ENPU_BATTERY_CRITICAL;

	/*
	 * With cores kept for it, realtime work runs on those only: it is
	 * admitted against their time, not the whole device's.
	 */
	if (p->dev.cores > 1 && c->rt_cores)
		kept_max = c->rt_cores < p->dev.cores ? c->rt_cores : p->dev.cores - 1;
	if (kept_max && rt_left > kept_max * c->rt_limit_pct / 100.0)
		rt_left = kept_max * c->rt_limit_pct / 100.0;

	/* Realtime first, in admission order (foreground, then smallest). */
	for (i = 0; i < out->num_ctxs; i++)
		if (in->ctxs[i].class == ENPU_POLICY_REALTIME && in->ctxs[i].period_us &&
		    in->ctxs[i].job_us) {
			for (j = nrt; j > 0 && rt_order(&in->ctxs[i], &in->ctxs[rt[j - 1]]) < 0; j--)
				rt[j] = rt[j - 1];
			rt[j] = i;
			nrt++;
		}
	for (j = 0; j < nrt; j++) {
		const struct enpu_policy_ctx *x = &in->ctxs[rt[j]];
		struct enpu_policy_ctx_decision *d = &out->ctxs[rt[j]];
		double u = (double)x->job_us / x->period_us / speed;

		if (u <= rt_left) {
			rt_left -= u;
			capacity -= u;
			d->priority = ENPU_POLICY_PRIO_REALTIME;
			d->admitted = true;
			admitted++;
			snprintf(d->reason, sizeof(d->reason),
				 "realtime: admitted, %.2f of a core at %u MHz (%.2f left)",
				 u, p->dev.opps[p->opp].freq_khz / 1000, rt_left);
		} else {
			d->priority = ENPU_POLICY_PRIO_NORMAL;
			snprintf(d->reason, sizeof(d->reason),
				 "realtime refused: needs %.2f of a core at %u MHz, %.2f left; shared as normal",
				 u, p->dev.opps[p->opp].freq_khz / 1000, rt_left);
		}
	}

	/*
	 * Cores kept for realtime and interactive work while a realtime
	 * context runs: the shared contexts run on the others, and share
	 * only their time.
	 */
	out->freq_floor_khz = admitted ? p->dev.opps[p->opp].freq_khz : 0;
	keep = admitted ? kept_max : 0;
	shared_cores = all & ~((1u << keep) - 1);
	/* Realtime and interactive work is on the kept cores: the rest is free. */
	if (keep)
		capacity = p->dev.cores - keep;
	/*
	 * Realtime and interactive work on the kept cores only: the
	 * scheduler would otherwise place a job on a shared core now and
	 * then, behind a long shared job.
	 */
	for (i = 0; i < out->num_ctxs; i++)
		out->ctxs[i].cores = keep ? all & ~shared_cores : all;

	if (in->die_mc >= c->control_mc)	/* hot: background gives way */
		hot_factor = (double)out->budget_mw / top_power(&p->dev);

	for (i = 0; i < out->num_ctxs; i++) {
		const struct enpu_policy_ctx *x = &in->ctxs[i];
		struct enpu_policy_ctx_decision *d = &out->ctxs[i];
		bool degraded = x->class == ENPU_POLICY_REALTIME && !d->admitted;

		if (d->admitted)
			continue;
		if (x->class == ENPU_POLICY_INTERACTIVE) {
			d->priority = ENPU_POLICY_PRIO_HIGH;
			if (!keep)
				capacity -= used_share(p, x);
			snprintf(d->reason, sizeof(d->reason), "interactive%s: high priority, no budget",
				 x->foreground ? " (foreground)" : "");
			continue;
		}
		if (x->class == ENPU_POLICY_REALTIME && !degraded)
			continue;
		if (x->class == ENPU_POLICY_REALTIME && (!x->period_us || !x->job_us)) {
			d->priority = ENPU_POLICY_PRIO_NORMAL;
			snprintf(d->reason, sizeof(d->reason),
				 "realtime refused: no period and job-duration hints; shared as normal");
		}
		d->cores = shared_cores;
		if (x->class == ENPU_POLICY_BACKGROUND && (p->severe || bg_frozen_battery)) {
			d->priority = ENPU_POLICY_PRIO_LOW;
			d->frozen = true;
			if (p->severe)
				snprintf(d->reason, sizeof(d->reason),
					 "background frozen: die %.1f C reached severe %.1f C",
					 in->die_mc / 1000.0, c->severe_mc / 1000.0);
			else
				snprintf(d->reason, sizeof(d->reason),
					 "background frozen: battery %s (%u%%) and discharging; resumes when charging",
					 p->battery == ENPU_BATTERY_LOW ? "low" : "critical",
					 in->capacity_pct);
			continue;
		}
		s[n].i = i;
		s[n].weight = (x->weight ? x->weight : 1) *
			      (x->class == ENPU_POLICY_BACKGROUND ? 1 : ENPU_POLICY_NORMAL_FACTOR);
		s[n].demand = used_share(p, x) * (100 + ENPU_POLICY_PROBE_PCT) / 100;
		if (s[n].demand < ENPU_POLICY_MIN_DEMAND)
			s[n].demand = ENPU_POLICY_MIN_DEMAND;
		if (x->class == ENPU_POLICY_BACKGROUND)
			s[n].demand *= hot_factor;
		if (s[n].demand > p->dev.cores - keep)
			s[n].demand = p->dev.cores - keep;
		s[n].done = false;
		demand_sum += s[n].demand;
		n++;
	}
	if (capacity < 0.05 * (p->dev.cores - keep))
		capacity = 0.05 * (p->dev.cores - keep);
	max_min(s, n, capacity);

	for (j = 0; j < n; j++) {
		const struct enpu_policy_ctx *x = &in->ctxs[s[j].i];
		struct enpu_policy_ctx_decision *d = &out->ctxs[s[j].i];
		bool bg = x->class == ENPU_POLICY_BACKGROUND;
		bool budgeted = demand_sum > capacity || (bg && hot_factor < 1);
		double share = s[j].share > 1 ? 1 : s[j].share;
		/* A refused realtime context keeps why, then gets its share. */
		size_t at = d->reason[0] ? strlen(d->reason) : 0;
		char *r = d->reason + at;
		size_t len = sizeof(d->reason) - at;

		if (at && len > 2) {
			memcpy(r, "; ", 3);
			r += 2;
			len -= 2;
		}
		d->priority = bg ? ENPU_POLICY_PRIO_LOW : ENPU_POLICY_PRIO_NORMAL;
		if (!budgeted) {
			snprintf(r, len, "%s: uncontended (wants %.2f of a core, %.2f free), no budget%s",
				 bg ? "background" : "normal", s[j].demand, capacity,
				 keep ? "; off the realtime core" : "");
			continue;
		}
		d->period_us = c->budget_period_us;
		d->runtime_us = share * c->budget_period_us;
		if (d->runtime_us < 1)
			d->runtime_us = 1;
		if (bg && hot_factor < 1)
			snprintf(r, len, "background: die %.1f C over control, cut to %.2f of a core (weight %.0f)%s",
				 in->die_mc / 1000.0, share, s[j].weight,
				 keep ? "; off the realtime core" : "");
		else
			snprintf(r, len, "%s: contended, weighted max-min share %.2f of a core (weight %.0f)%s",
				 bg ? "background" : "normal", share, s[j].weight,
				 keep ? "; off the realtime core" : "");
	}
}

/* Keep the previous budget when the new one is within the hysteresis. */
static void settle(struct enpu_policy *p, const struct enpu_policy_ctx *x,
		   struct enpu_policy_ctx_decision *d)
{
	const struct enpu_policy_prev *pv = prev_of(p, x);
	const struct enpu_policy_ctx_decision *o = pv ? &pv->d : NULL;
	uint64_t delta;

	if (!o) {
		d->changed = true;
		return;
	}
	if (o->priority == d->priority && o->frozen == d->frozen && o->runtime_us &&
	    d->runtime_us && o->period_us == d->period_us) {
		delta = o->runtime_us > d->runtime_us ? o->runtime_us - d->runtime_us :
							d->runtime_us - o->runtime_us;
		if (delta * 100 <= (uint64_t)o->runtime_us * p->cfg.share_hyst_pct)
			d->runtime_us = o->runtime_us;
	}
	d->changed = o->priority != d->priority || o->frozen != d->frozen ||
		     o->runtime_us != d->runtime_us || o->period_us != d->period_us ||
		     o->cores != d->cores;
}

/**
 * enpu_policy_step() - decide for one control period
 * @p: the engine
 * @in: temperatures, battery and contexts now
 * @out: the decisions, with their reasons
 *
 * Contexts beyond ENPU_POLICY_MAX_CTXS are left out of @out.
 */
void enpu_policy_step(struct enpu_policy *p, const struct enpu_policy_input *in,
		      struct enpu_policy_output *out)
{
	const struct enpu_policy_config *c = &p->cfg;
	struct enpu_policy_prev *next = p->next;
	char twhy[80], bwhy[80];
	uint32_t thermal, bcap, target, i, old = p->opp;
	bool fresh;

	memset(out, 0, sizeof(*out));
	p->dt_ms = in->elapsed_ms ? in->elapsed_ms : c->period_ms;
	thermal = thermal_budget(p, in->die_mc, twhy, sizeof(twhy));
	battery_update(p, in);
	bcap = battery_cap(p, in, bwhy, sizeof(bwhy));
	out->thermal_mw = thermal;
	out->budget_mw = thermal < bcap ? thermal : bcap;
	out->battery = p->battery;

	/* Down at once (safety), up one OPP per period (no oscillation). */
	target = opp_for(&p->dev, out->budget_mw);
	p->since_rise_ms += p->dt_ms;
	if (target < p->opp) {
		p->opp = target;
	} else if (target > p->opp && p->since_rise_ms >= c->period_ms) {
		p->opp++;
		p->since_rise_ms = 0;
	}
	out->freq_cap_khz = p->dev.opps[p->opp].freq_khz;
	out->freq_changed = p->opp != old;
	if (bcap < thermal)
		snprintf(out->reason, sizeof(out->reason), "%s; %u MHz", bwhy,
			 out->freq_cap_khz / 1000);
	else if (p->opp == p->dev.num_opps - 1 && !p->pid_active)
		snprintf(out->reason, sizeof(out->reason), "unconstrained: %s", twhy);
	else
		snprintf(out->reason, sizeof(out->reason), "%s; %u MHz%s", twhy,
			 out->freq_cap_khz / 1000, p->opp > target ? "" :
			 p->opp < target ? " (rising one OPP per period)" : "");

	if (in->die_mc >= c->severe_mc)
		p->severe = true;
	else if (in->die_mc < c->severe_clear_mc)
		p->severe = false;
	out->severe = p->severe;

	out->num_ctxs = in->num_ctxs < ENPU_POLICY_MAX_CTXS ? in->num_ctxs :
							     ENPU_POLICY_MAX_CTXS;
	for (i = 0; i < out->num_ctxs; i++) {
		out->ctxs[i].client = in->ctxs[i].client;
		out->ctxs[i].id = in->ctxs[i].id;
		out->ctxs[i].priority = ENPU_POLICY_PRIO_NORMAL;
	}
	share_time(p, in, out);
	for (i = 0; i < out->num_ctxs; i++)
		settle(p, &in->ctxs[i], &out->ctxs[i]);

	/*
	 * Usage is measured over half a period at least: an early step (an
	 * event) keeps the older busy-time snapshot.
	 */
	fresh = p->snap_ms + p->dt_ms >= c->period_ms / 2;
	for (i = 0; i < out->num_ctxs; i++) {
		const struct enpu_policy_prev *pv = prev_of(p, &in->ctxs[i]);

		next[i].client = in->ctxs[i].client;
		next[i].id = in->ctxs[i].id;
		next[i].busy_ns = fresh || !pv ? in->ctxs[i].busy_ns : pv->busy_ns;
		next[i].share = used_share(p, &in->ctxs[i]);
		next[i].d = out->ctxs[i];
	}
	memcpy(p->prev, next, out->num_ctxs * sizeof(next[0]));
	p->num_prev = out->num_ctxs;
	p->snap_ms = fresh ? 0 : p->snap_ms + p->dt_ms;
}
