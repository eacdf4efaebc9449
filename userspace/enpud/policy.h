/* SPDX-License-Identifier: MIT */
/*
 * enpud's policy engine: inputs in, decisions and their reasons out.
 * No I/O, no clock, no allocation: the daemon around it reads the kernel
 * and applies what comes out, and the host tests drive it with a plant
 * model.
 *
 * One step per control period:
 *   1. A thermal PID in the style of the kernel's power_allocator turns
 *      the headroom to the control temperature into an NPU power budget.
 *   2. The battery caps that budget (thresholds with hysteresis; none
 *      while charging).
 *   3. The budget becomes a frequency cap: the highest OPP whose
 *      full-load power fits.  It falls at once, and rises at most one
 *      OPP per period.
 *   4. Device time is shared: realtime contexts are admitted against
 *      their period and job-duration hints (refused ones are degraded to
 *      normal), interactive ones get high priority, and the rest share
 *      what is left by weighted max-min; background work is frozen under
 *      severe heat or a low battery while discharging.  While a realtime
 *      context is admitted, the first core(s) are kept for realtime and
 *      interactive work: the device does not preempt, and a long shared
 *      job on every core would hold a frame back past its deadline.
 * Every decision carries a reason.
 */
#ifndef ENPUD_POLICY_H
#define ENPUD_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#define ENPU_POLICY_MAX_OPPS	16
#define ENPU_POLICY_MAX_CTXS	512
#define ENPU_POLICY_REASON	160

/* Context classes and priorities: the values of the driver's UAPI. */
enum enpu_policy_class {
	ENPU_POLICY_BACKGROUND = 0,
	ENPU_POLICY_NORMAL = 1,
	ENPU_POLICY_INTERACTIVE = 2,
	ENPU_POLICY_REALTIME = 3,
};

enum enpu_policy_prio {
	ENPU_POLICY_PRIO_LOW = 0,
	ENPU_POLICY_PRIO_NORMAL = 1,
	ENPU_POLICY_PRIO_HIGH = 2,
	ENPU_POLICY_PRIO_REALTIME = 3,
};

enum enpu_policy_battery_state {
	ENPU_BATTERY_NONE,	/* no battery, or charging: no cap */
	ENPU_BATTERY_OK,	/* discharging */
	ENPU_BATTERY_LOW,
	ENPU_BATTERY_CRITICAL,
};

/* One operating point: clock and full-load dynamic power. */
struct enpu_policy_opp {
	uint32_t freq_khz;
	uint32_t power_mw;
};

/**
 * struct enpu_policy_config - what the daemon's configuration sets
 * @period_ms: the control period
 * @control_mc: the die temperature to hold (the zone's control trip)
 * @switch_on_mc: below it the NPU runs unconstrained (switch-on trip)
 * @severe_mc: at or above it background work is frozen
 * @severe_clear_mc: ... until the die cools below this
 * @sustainable_mw: the power the NPU can dissipate at @control_mc
 * @k_po: proportional gain above the control temperature, mW per degree
 * @k_pu: proportional gain below it, mW per degree
 * @k_i: integral gain, mW per degree-second
 * @battery_low_pct: at or below it (discharging) the battery is low
 * @battery_critical_pct: at or below it, critical
 * @battery_hyst_pct: a state is left only this far above its threshold
 * @battery_cap_mw: power cap while discharging; 0: none
 * @battery_low_cap_mw: power cap while low
 * @saver_cap_mw: power cap in saver mode
 * @rt_limit_pct: share of the device's time realtime contexts may reserve
 * @rt_cores: while a realtime context is admitted, this many cores (the
 *	first ones; at most all but one) run only realtime and interactive
 *	work, so that no long background job blocks a frame
 * @budget_period_us: the period of the budgets given to shared contexts
 * @share_hyst_pct: a shared context's budget changes only by more than this
 */
struct enpu_policy_config {
	uint32_t period_ms;
	int32_t control_mc;
	int32_t switch_on_mc;
	int32_t severe_mc;
	int32_t severe_clear_mc;
	uint32_t sustainable_mw;
	uint32_t k_po;
	uint32_t k_pu;
	uint32_t k_i;
	uint32_t battery_low_pct;
	uint32_t battery_critical_pct;
	uint32_t battery_hyst_pct;
	uint32_t battery_cap_mw;
	uint32_t battery_low_cap_mw;
	uint32_t saver_cap_mw;
	uint32_t rt_limit_pct;
	uint32_t rt_cores;
	uint32_t budget_period_us;
	uint32_t share_hyst_pct;
};

/* What the device is: its cores, static power and OPPs (slowest first). */
struct enpu_policy_device {
	uint32_t cores;
	uint32_t static_mw;
	uint32_t num_opps;
	struct enpu_policy_opp opps[ENPU_POLICY_MAX_OPPS];
};

/**
 * struct enpu_policy_ctx - a context as the kernel and the config see it
 * @client: drm-client-id of its file
 * @id: its id in that file
 * @pid: the process that created it
 * @class: the owner's hint, or a config rule's
 * @weight: its weight among shared contexts (config rules; 0 means 1)
 * @period_us: hint: the period of its jobs
 * @job_us: hint: device time of one job at the top OPP
 * @busy_ns: device time used so far (the kernel's counter)
 * @foreground: the app is in the foreground
 */
struct enpu_policy_ctx {
	uint64_t client;
	uint32_t id;
	uint32_t pid;
	uint32_t class;
	uint32_t weight;
	uint32_t period_us;
	uint32_t job_us;
	uint64_t busy_ns;
	bool foreground;
};

/*
 * The world at one step.  @elapsed_ms is the time since the previous
 * step (0: one control period); steps may come early, on events.
 */
struct enpu_policy_input {
	uint32_t elapsed_ms;
	int32_t die_mc;
	bool battery_present;
	bool charging;
	bool saver;
	uint32_t capacity_pct;
	uint32_t num_ctxs;
	const struct enpu_policy_ctx *ctxs;
};

/**
 * struct enpu_policy_ctx_decision - what one context gets
 * @client: the context's file
 * @id: the context
 * @priority: ENPU_POLICY_PRIO_*
 * @runtime_us: device time per @period_us; 0: no budget
 * @period_us: the budget's period
 * @cores: the cores it may use, a mask
 * @frozen: no job of it may start
 * @admitted: a realtime context's reservation was admitted
 * @changed: differs from the previous step's decision (apply it)
 * @reason: why, in a sentence
 */
struct enpu_policy_ctx_decision {
	uint64_t client;
	uint32_t id;
	uint32_t priority;
	uint32_t runtime_us;
	uint32_t period_us;
	uint32_t cores;
	bool frozen;
	bool admitted;
	bool changed;
	char reason[ENPU_POLICY_REASON];
};

/**
 * struct enpu_policy_output - the decisions of one step
 * @budget_mw: the NPU's power budget
 * @thermal_mw: the thermal PID's part of it
 * @freq_cap_khz: the frequency cap to set (the top OPP: none)
 * @freq_changed: differs from the previous step's cap
 * @freq_floor_khz: the frequency floor to set, 0: none.  While a
 *	realtime context is admitted, the clock its admission assumed (the
 *	cap): a load-based governor would otherwise slow the NPU down
 *	whenever the cores are not full, and stretch the frames.
 * @battery: the battery state
 * @severe: background is frozen for heat
 * @reason: why the cap is what it is
 * @num_ctxs: entries in @ctxs, in the input's order
 * @ctxs: one decision per context
 */
struct enpu_policy_output {
	uint32_t budget_mw;
	uint32_t thermal_mw;
	uint32_t freq_cap_khz;
	bool freq_changed;
	uint32_t freq_floor_khz;
	enum enpu_policy_battery_state battery;
	bool severe;
	char reason[ENPU_POLICY_REASON];
	uint32_t num_ctxs;
	struct enpu_policy_ctx_decision ctxs[ENPU_POLICY_MAX_CTXS];
};

/* What one context looked like at the previous step. */
struct enpu_policy_prev {
	uint64_t client;
	uint32_t id;
	uint64_t busy_ns;	/* the snapshot usage is measured from */
	double share;		/* the share of a core last measured */
	struct enpu_policy_ctx_decision d;
};

/* The engine's memory between steps. */
struct enpu_policy {
	struct enpu_policy_config cfg;
	struct enpu_policy_device dev;
	int64_t integral;	/* mW, the PID's integral term */
	bool pid_active;
	uint32_t opp;		/* index of the OPP the cap allows */
	uint32_t since_rise_ms;	/* time since the cap last rose */
	uint32_t dt_ms;		/* this step's elapsed time */
	uint32_t snap_ms;	/* age of the busy-time snapshot in @prev */
	enum enpu_policy_battery_state battery;
	bool severe;
	uint32_t num_prev;
	struct enpu_policy_prev prev[ENPU_POLICY_MAX_CTXS];
	struct enpu_policy_prev next[ENPU_POLICY_MAX_CTXS];	/* scratch */
};

void enpu_policy_defaults(struct enpu_policy_config *cfg,
			  const struct enpu_policy_device *dev);
int enpu_policy_init(struct enpu_policy *p, const struct enpu_policy_config *cfg,
		     const struct enpu_policy_device *dev);
void enpu_policy_step(struct enpu_policy *p, const struct enpu_policy_input *in,
		      struct enpu_policy_output *out);
uint32_t enpu_policy_opp_power(const struct enpu_policy_device *dev, uint32_t i);

#endif /* ENPUD_POLICY_H */
