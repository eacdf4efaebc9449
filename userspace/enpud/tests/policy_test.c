// SPDX-License-Identifier: MIT
/*
 * Host tests of enpud's policy engine against a plant model: the default
 * firmware's NPU (two cores, its OPP table and RC thermal model) running
 * contexts that want a given share of a core at the top OPP.
 */
#include <math.h>
#include <string.h>

#include "kselftest_harness.h"
#include "policy.h"

#define AMBIENT_MC	25000
#define R_MC_PER_W	20000	/* firmware/enpu-fw.src */
#define TAU_S		10.0	/* R times C: 20 C/W x 0.5 J/C */

static const struct enpu_policy_device npu = {
	.cores = 2,
	.static_mw = 150,
	.num_opps = 5,
	.opps = {
		{ 200000, 250 }, { 400000, 600 }, { 600000, 1100 },
		{ 800000, 1900 }, { 1000000, 3000 },
	},
};

/* The phone: the NPU's die and the contexts' demands. */
struct plant {
	double die_mc;
	uint32_t n;
	struct enpu_policy_ctx ctx[16];
	double want[16];	/* share of a core wanted at the top OPP */
	double power_mw;
};

static void plant_init(struct plant *pl)
{
	memset(pl, 0, sizeof(*pl));
	pl->die_mc = AMBIENT_MC;
}

static struct enpu_policy_ctx *plant_add(struct plant *pl, uint32_t class, double want)
{
	struct enpu_policy_ctx *x = &pl->ctx[pl->n];

	x->client = 100 + pl->n;
	x->id = 1;
	x->pid = 1000 + pl->n;
	x->class = class;
	pl->want[pl->n++] = want;
	return x;
}

/*
 * Run one control period under @out: every context uses what it wants
 * (stretched at a lower clock), within its budget, not when frozen; the
 * cores are shared in proportion when oversubscribed.  The die follows
 * its RC model.
 */
static void plant_run(struct plant *pl, const struct enpu_policy_output *out, double dt)
{
	double top = npu.opps[npu.num_opps - 1].freq_khz, use[16], sum = 0, scale = 1;
	uint32_t i, opp = 0;

	for (i = 0; i < npu.num_opps; i++)
		if (npu.opps[i].freq_khz == out->freq_cap_khz)
			opp = i;
	for (i = 0; i < pl->n; i++) {
		const struct enpu_policy_ctx_decision *d = &out->ctxs[i];

		use[i] = pl->want[i] * top / out->freq_cap_khz;
		if (use[i] > 1)
			use[i] = 1;
		if (d->runtime_us && use[i] > (double)d->runtime_us / d->period_us)
			use[i] = (double)d->runtime_us / d->period_us;
		if (d->frozen)
			use[i] = 0;
		sum += use[i];
	}
	if (sum > npu.cores)
		scale = npu.cores / sum;
	for (i = 0; i < pl->n; i++)
		pl->ctx[i].busy_ns += use[i] * scale * dt * 1e9;
	pl->power_mw = npu.static_mw + npu.opps[opp].power_mw * sum * scale / npu.cores;
	pl->die_mc += (AMBIENT_MC + pl->power_mw * R_MC_PER_W / 1000 - pl->die_mc) *
		      (1 - exp(-dt / TAU_S));
}

/* Every decision names its reason. */
static bool all_reasoned(const struct enpu_policy_output *out)
{
	uint32_t i;

	if (!out->reason[0])
		return false;
	for (i = 0; i < out->num_ctxs; i++)
		if (!out->ctxs[i].reason[0])
			return false;
	return true;
}

FIXTURE(policy) {
	struct enpu_policy_config cfg;
	struct enpu_policy p;
	struct enpu_policy_output out;
	struct enpu_policy_input in;
	struct plant pl;
};

FIXTURE_SETUP(policy)
{
	enpu_policy_defaults(&self->cfg, &npu);
	/* What the kernel's zone says: (65 C - 25 C) / 20 C/W. */
	self->cfg.sustainable_mw = 2000;
	self->cfg.k_po = 200;
	self->cfg.k_pu = 400;
	self->cfg.k_i = 40;
	ASSERT_EQ(0, enpu_policy_init(&self->p, &self->cfg, &npu));
	plant_init(&self->pl);
}

FIXTURE_TEARDOWN(policy)
{
}

/* One period: the engine decides, the plant runs under the decision. */
static void step(struct _test_data_policy *self)
{
	self->in.die_mc = self->pl.die_mc;
	self->in.num_ctxs = self->pl.n;
	self->in.ctxs = self->pl.ctx;
	enpu_policy_step(&self->p, &self->in, &self->out);
	plant_run(&self->pl, &self->out, self->cfg.period_ms / 1000.0);
}

TEST_F(policy, bad_configuration_is_refused)
{
	struct enpu_policy_config c = self->cfg;
	struct enpu_policy_device d = npu;

	c.control_mc = c.switch_on_mc;
	EXPECT_EQ(-EINVAL, enpu_policy_init(&self->p, &c, &npu));
	c = self->cfg;
	c.rt_limit_pct = 0;
	EXPECT_EQ(-EINVAL, enpu_policy_init(&self->p, &c, &npu));
	d.opps[1].freq_khz = d.opps[0].freq_khz;
	EXPECT_EQ(-EINVAL, enpu_policy_init(&self->p, &self->cfg, &d));
	d = npu;
	d.num_opps = 0;
	EXPECT_EQ(-EINVAL, enpu_policy_init(&self->p, &self->cfg, &d));
}

/* Cool, the NPU runs unconstrained, and says so. */
TEST_F(policy, unconstrained_below_switch_on)
{
	plant_add(&self->pl, ENPU_POLICY_NORMAL, 0.3);
	step(self);
	EXPECT_EQ(1000000, self->out.freq_cap_khz);
	EXPECT_EQ(3150, self->out.budget_mw);
	EXPECT_NE(NULL, strstr(self->out.reason, "unconstrained"));
	EXPECT_TRUE(all_reasoned(&self->out));
}

/*
 * Step response: a full load that would settle near 88 C without
 * control.  The PID brings the die to the control temperature and holds
 * it: overshoot at most 1.5 C, the last minute within 1 C of control,
 * and no oscillation (the die's swing in the last minute under 1.5 C).
 */
TEST_F(policy, pid_step_response_settles)
{
	double peak = 0, lo = 1e9, hi = 0, sum = 0, settled = -1;
	int i, n = 0, changes = 0;
	const int steps = 3000;		/* 300 s */

	plant_add(&self->pl, ENPU_POLICY_NORMAL, 1.0);
	plant_add(&self->pl, ENPU_POLICY_NORMAL, 1.0);
	for (i = 0; i < steps; i++) {
		step(self);
		ASSERT_TRUE(all_reasoned(&self->out));
		peak = self->pl.die_mc > peak ? self->pl.die_mc : peak;
		if (settled < 0 && fabs(self->pl.die_mc - self->cfg.control_mc) < 1000)
			settled = i / 10.0;
		if (i >= steps - 600) {
			sum += self->pl.die_mc;
			n++;
			lo = self->pl.die_mc < lo ? self->pl.die_mc : lo;
			hi = self->pl.die_mc > hi ? self->pl.die_mc : hi;
			changes += self->out.freq_changed;
		}
	}
	TH_LOG("peak %.2f C (overshoot %.2f C), within 1 C after %.1f s, last minute mean %.2f C, swing %.2f C, %d cap changes",
	       peak / 1000, (peak - self->cfg.control_mc) / 1000, settled,
	       sum / n / 1000, (hi - lo) / 1000, changes);
	EXPECT_GT(1500, peak - self->cfg.control_mc);
	EXPECT_GT(1000, fabs(sum / n - self->cfg.control_mc));
	EXPECT_GT(1500, hi - lo);
	EXPECT_LE(0, settled);
	EXPECT_NE(NULL, strstr(self->out.reason, "control"));
}

/* The battery's states follow its thresholds, with hysteresis. */
TEST_F(policy, battery_thresholds_and_hysteresis)
{
	static const struct { uint32_t cap; bool charging; int want; } seq[] = {
		{ 50, false, ENPU_BATTERY_OK },
		{ 21, false, ENPU_BATTERY_OK },
		{ 20, false, ENPU_BATTERY_LOW },
		{ 21, false, ENPU_BATTERY_LOW },	/* hysteresis */
		{ 22, false, ENPU_BATTERY_LOW },
		{ 19, false, ENPU_BATTERY_LOW },
		{ 10, false, ENPU_BATTERY_CRITICAL },
		{ 12, false, ENPU_BATTERY_CRITICAL },
		{ 13, false, ENPU_BATTERY_LOW },
		{ 23, false, ENPU_BATTERY_OK },
		{ 22, false, ENPU_BATTERY_OK },
		{ 5, true, ENPU_BATTERY_NONE },		/* charging lifts every cap */
		{ 5, false, ENPU_BATTERY_CRITICAL },
	};
	unsigned int i;

	plant_add(&self->pl, ENPU_POLICY_NORMAL, 0.5);
	self->in.battery_present = true;
	for (i = 0; i < sizeof(seq) / sizeof(seq[0]); i++) {
		self->in.capacity_pct = seq[i].cap;
		self->in.charging = seq[i].charging;
		step(self);
		EXPECT_EQ(seq[i].want, self->out.battery) {
			TH_LOG("step %u: %u%%%s", i, seq[i].cap,
			       seq[i].charging ? " charging" : "");
		}
		EXPECT_TRUE(all_reasoned(&self->out));
		if (seq[i].want == ENPU_BATTERY_LOW) {
			EXPECT_GE(self->cfg.battery_low_cap_mw, self->out.budget_mw);
			EXPECT_NE(NULL, strstr(self->out.reason, "battery low"));
		}
		if (seq[i].want == ENPU_BATTERY_CRITICAL)
			EXPECT_EQ(200000, self->out.freq_cap_khz);
	}
	/* Saver mode caps even a full battery. */
	self->in.capacity_pct = 90;
	self->in.saver = true;
	step(self);
	EXPECT_GE(self->cfg.saver_cap_mw, self->out.budget_mw);
	EXPECT_NE(NULL, strstr(self->out.reason, "saver"));
}

/* Low battery while discharging freezes background work until charging. */
TEST_F(policy, background_deferred_on_low_battery)
{
	plant_add(&self->pl, ENPU_POLICY_BACKGROUND, 1.0);
	plant_add(&self->pl, ENPU_POLICY_NORMAL, 0.2);
	self->in.battery_present = true;
	self->in.capacity_pct = 15;
	step(self);
	EXPECT_TRUE(self->out.ctxs[0].frozen);
	EXPECT_TRUE(self->out.ctxs[0].changed);
	EXPECT_NE(NULL, strstr(self->out.ctxs[0].reason, "battery low"));
	EXPECT_FALSE(self->out.ctxs[1].frozen);
	step(self);
	EXPECT_TRUE(self->out.ctxs[0].frozen);
	EXPECT_FALSE(self->out.ctxs[0].changed);	/* nothing new to apply */

	self->in.charging = true;
	step(self);
	EXPECT_FALSE(self->out.ctxs[0].frozen);
	EXPECT_TRUE(self->out.ctxs[0].changed);
	EXPECT_TRUE(all_reasoned(&self->out));
}

/*
 * Realtime contexts are admitted against their hints while they fit in
 * 70% of the device; the next one is refused with a reason and shared as
 * normal.  A lower frequency cap stretches their jobs: fewer fit.
 */
TEST_F(policy, realtime_admission)
{
	int i;

	/* Admission against the whole device: no core kept. */
	self->cfg.rt_cores = 0;
	ASSERT_EQ(0, enpu_policy_init(&self->p, &self->cfg, &npu));

	for (i = 0; i < 4; i++) {
		struct enpu_policy_ctx *x = plant_add(&self->pl, ENPU_POLICY_REALTIME, 0.4);

		x->period_us = 33333;
		x->job_us = 13333;	/* 0.4 of a core */
	}
	plant_add(&self->pl, ENPU_POLICY_REALTIME, 0.1);	/* no hints */
	self->pl.ctx[3].foreground = true;
	step(self);
	EXPECT_TRUE(self->out.ctxs[3].admitted);	/* the foreground one first */
	EXPECT_EQ(ENPU_POLICY_PRIO_REALTIME, self->out.ctxs[3].priority);
	for (i = 0; i < 3; i++)
		EXPECT_EQ(i < 2, self->out.ctxs[i].admitted);	/* 1.4 of 2 cores */
	EXPECT_EQ(ENPU_POLICY_PRIO_NORMAL, self->out.ctxs[2].priority);
	EXPECT_NE(NULL, strstr(self->out.ctxs[2].reason, "refused"));
	EXPECT_FALSE(self->out.ctxs[4].admitted);
	EXPECT_NE(NULL, strstr(self->out.ctxs[4].reason, "no period"));
	EXPECT_TRUE(all_reasoned(&self->out));

	/* At 400 MHz each needs a whole core: one fits. */
	self->in.battery_present = true;
	self->in.capacity_pct = 50;
	self->in.saver = true;
	self->p.cfg.saver_cap_mw = 150 + 600;
	for (i = 0; i < 5; i++)
		step(self);
	ASSERT_EQ(400000, self->out.freq_cap_khz);
	EXPECT_TRUE(self->out.ctxs[3].admitted);
	for (i = 0; i < 3; i++)
		EXPECT_FALSE(self->out.ctxs[i].admitted);
}

/*
 * The device does not preempt: while a realtime context is admitted,
 * core 0 runs realtime and interactive work only, and shared contexts
 * run on (and share the time of) the other cores.  When the realtime
 * context goes, every core is everyone's again.
 */
TEST_F(policy, realtime_keeps_a_core)
{
	struct enpu_policy_ctx *cam;
	double sum = 0;
	int i;

	plant_add(&self->pl, ENPU_POLICY_BACKGROUND, 1.0);
	plant_add(&self->pl, ENPU_POLICY_BACKGROUND, 1.0);
	plant_add(&self->pl, ENPU_POLICY_INTERACTIVE, 0.2);
	cam = plant_add(&self->pl, ENPU_POLICY_REALTIME, 0.25);
	cam->period_us = 33333;
	cam->job_us = 8333;
	for (i = 0; i < 20; i++)
		step(self);
	EXPECT_TRUE(self->out.ctxs[3].admitted);
	EXPECT_EQ(0x1, self->out.ctxs[3].cores);
	EXPECT_EQ(0x1, self->out.ctxs[2].cores);
	for (i = 0; i < 2; i++) {
		const struct enpu_policy_ctx_decision *d = &self->out.ctxs[i];

		TH_LOG("background %d: %u/%u us, cores 0x%x: %s", i, d->runtime_us,
		       d->period_us, d->cores, d->reason);
		EXPECT_EQ(0x2, d->cores);
		EXPECT_NE(NULL, strstr(d->reason, "off the realtime core"));
		ASSERT_NE(0, d->period_us);
		sum += (double)d->runtime_us / d->period_us;
	}
	/* The two share one core (the interactive one is on core 0). */
	EXPECT_GE(1.1, sum);
	EXPECT_LE(0.9, sum);
	EXPECT_TRUE(all_reasoned(&self->out));

	/* A second camera: 0.5 more does not fit in 70% of the kept core. */
	cam = plant_add(&self->pl, ENPU_POLICY_REALTIME, 0.5);
	cam->period_us = 33333;
	cam->job_us = 16667;
	step(self);
	EXPECT_TRUE(self->out.ctxs[3].admitted);
	EXPECT_FALSE(self->out.ctxs[4].admitted);
	EXPECT_EQ(0x2, self->out.ctxs[4].cores);	/* shared, as normal */
	EXPECT_NE(NULL, strstr(self->out.ctxs[4].reason, "refused"));
	self->pl.n--;

	self->pl.n--;	/* the camera closes */
	step(self);
	EXPECT_EQ(0x3, self->out.ctxs[2].cores);
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(0x3, self->out.ctxs[i].cores);
		EXPECT_TRUE(self->out.ctxs[i].changed);
		EXPECT_EQ(NULL, strstr(self->out.ctxs[i].reason, "realtime core"));
	}

	/* rt_cores = 0 keeps no core. */
	self->cfg.rt_cores = 0;
	ASSERT_EQ(0, enpu_policy_init(&self->p, &self->cfg, &npu));
	self->pl.n++;
	step(self);
	EXPECT_TRUE(self->out.ctxs[3].admitted);
	EXPECT_EQ(0x3, self->out.ctxs[0].cores);
}

/*
 * Shared contexts get weighted max-min shares of what realtime and
 * interactive work leave: one that wants little gets it all, the others
 * split the rest by weight (normal weighs four times background).
 */
TEST_F(policy, weighted_max_min_shares)
{
	double share[3];
	int i;

	plant_add(&self->pl, ENPU_POLICY_NORMAL, 1.0)->weight = 2;
	plant_add(&self->pl, ENPU_POLICY_NORMAL, 1.0)->weight = 1;
	plant_add(&self->pl, ENPU_POLICY_NORMAL, 0.1)->weight = 1;
	plant_add(&self->pl, ENPU_POLICY_INTERACTIVE, 0.5);
	for (i = 0; i < 50; i++)
		step(self);
	for (i = 0; i < 3; i++)
		share[i] = (double)self->out.ctxs[i].runtime_us / self->out.ctxs[i].period_us;
	TH_LOG("shares: %.3f %.3f %.3f, interactive %s", share[0], share[1], share[2],
	       self->out.ctxs[3].reason);
	EXPECT_EQ(ENPU_POLICY_PRIO_HIGH, self->out.ctxs[3].priority);
	EXPECT_EQ(0, self->out.ctxs[3].runtime_us);
	/*
	 * Capacity 2 - 0.5 interactive = 1.5: the small one gets what it
	 * wants, the others split the rest 2:1 (within the 10% hysteresis).
	 */
	EXPECT_LE(0.09, share[2]);
	EXPECT_GE(0.13, share[2]);
	EXPECT_GT(0.2, fabs(share[0] / share[1] - 2));
	EXPECT_GE(1.5 * 1.05, share[0] + share[1] + share[2]);
	EXPECT_LE(1.5 * 0.9, share[0] + share[1] + share[2]);
	EXPECT_TRUE(all_reasoned(&self->out));
}

/* Budgets that barely move are left alone: nothing flaps. */
TEST_F(policy, no_flapping_of_shares)
{
	int i, changes = 0;

	plant_add(&self->pl, ENPU_POLICY_NORMAL, 1.0);
	plant_add(&self->pl, ENPU_POLICY_NORMAL, 1.0);
	plant_add(&self->pl, ENPU_POLICY_BACKGROUND, 1.0);
	for (i = 0; i < 100; i++)
		step(self);
	for (i = 0; i < 200; i++) {
		uint32_t j;

		step(self);
		for (j = 0; j < self->out.num_ctxs; j++)
			changes += self->out.ctxs[j].changed;
	}
	TH_LOG("%d context decisions changed over the last 200 periods", changes);
	EXPECT_GT(20, changes);
}

/*
 * Steps that come early (events between timer ticks) change neither the
 * measured shares nor the cap's pace: one OPP per period at most.
 */
TEST_F(policy, early_steps_keep_rates_and_pace)
{
	double before, after;
	int i, rises = 0;

	plant_add(&self->pl, ENPU_POLICY_NORMAL, 1.0)->weight = 2;
	plant_add(&self->pl, ENPU_POLICY_NORMAL, 1.0);
	plant_add(&self->pl, ENPU_POLICY_NORMAL, 1.0);
	for (i = 0; i < 50; i++)
		step(self);
	/* The third one's share, 0.5: not clamped at a whole core. */
	before = (double)self->out.ctxs[2].runtime_us / self->out.ctxs[2].period_us;
	ASSERT_LT(0, before);
	ASSERT_GT(0.9, before);
	/*
	 * A timer step, then an event 1 ms later, before any job completed
	 * (device time grows in whole jobs): no usage seen in that 1 ms.
	 */
	self->in.die_mc = self->pl.die_mc;
	enpu_policy_step(&self->p, &self->in, &self->out);
	self->in.elapsed_ms = 1;
	enpu_policy_step(&self->p, &self->in, &self->out);
	after = (double)self->out.ctxs[2].runtime_us / self->out.ctxs[2].period_us;
	TH_LOG("share %.3f before, %.3f after an early step", before, after);
	EXPECT_GT(0.1, fabs(after - before));
	EXPECT_FALSE(self->out.ctxs[2].changed);

	/* From the lowest OPP, ten steps 10 ms apart: at most one rise. */
	self->p.opp = 0;
	self->in.elapsed_ms = 10;
	self->pl.die_mc = 30000;
	for (i = 0; i < 10; i++) {
		self->in.die_mc = self->pl.die_mc;
		enpu_policy_step(&self->p, &self->in, &self->out);
		rises += self->out.freq_changed;
	}
	EXPECT_GE(1, rises);
	self->in.elapsed_ms = 0;
}

/*
 * Heat past the control temperature cuts background budgets in the same
 * period; severe heat freezes background, which resumes only once the
 * die has cooled below the clear threshold.
 */
TEST_F(policy, heat_cuts_then_freezes_background)
{
	plant_add(&self->pl, ENPU_POLICY_BACKGROUND, 1.0);
	plant_add(&self->pl, ENPU_POLICY_NORMAL, 0.1);
	self->pl.die_mc = 50000;
	step(self);
	EXPECT_EQ(0, self->out.ctxs[0].runtime_us);

	self->pl.die_mc = 66000;
	step(self);
	EXPECT_LT(0, self->out.ctxs[0].runtime_us);
	EXPECT_GT(self->out.ctxs[0].period_us, self->out.ctxs[0].runtime_us);
	EXPECT_NE(NULL, strstr(self->out.ctxs[0].reason, "over control"));

	self->pl.die_mc = 70500;
	step(self);
	EXPECT_TRUE(self->out.ctxs[0].frozen);
	EXPECT_NE(NULL, strstr(self->out.ctxs[0].reason, "severe"));
	EXPECT_FALSE(self->out.ctxs[1].frozen);
	self->pl.die_mc = 64000;	/* under control, not yet clear */
	step(self);
	EXPECT_TRUE(self->out.ctxs[0].frozen);
	self->pl.die_mc = 62000;
	step(self);
	EXPECT_FALSE(self->out.ctxs[0].frozen);
	EXPECT_TRUE(all_reasoned(&self->out));
}

TEST_HARNESS_MAIN
