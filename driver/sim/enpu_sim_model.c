// SPDX-License-Identifier: GPL-2.0-only
/*
 * The emulated NPU's power and thermal model.
 *
 * Power: P = P_static + P_dyn(OPP) * (cores holding a job) / cores, with
 * P_dyn the OPP's full-load power from the firmware, while the firmware
 * runs; a halted or reset NPU is powered down and draws nothing.  An
 * energy counter integrates P.
 *
 * Temperature: one lumped RC.  T relaxes towards T_ambient + P * R with
 * time constant R * C, advanced in closed form whenever P is about to
 * change (a core takes or lets go of a job, the frequency changes) and
 * whenever it is read, so no timer runs while the device is idle.  The
 * module parameter thermal_time_scale speeds up the thermal clock (not the
 * energy counter), for tests and the demo.
 *
 * Temperatures are kept in nano-degrees, so that the rounding of
 * thousands of updates a second does not add up.
 */
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/module.h>

#include "enpu_sim.h"

static unsigned int enpu_thermal_time_scale = 1;
module_param_named(thermal_time_scale, enpu_thermal_time_scale, uint, 0644);
MODULE_PARM_DESC(thermal_time_scale,
		 "Speed-up of the emulated NPU's thermal clock (1-1000)");

/* e^-n in Q32 for n = 0..22; e^-23 rounds to 0. */
static const u64 enpu_exp_neg_int[] = {
	0x100000000ull, 0x5e2d58d9ull, 0x22a55547ull, 0xcbed866ull,
	0x4b0556eull, 0x1b993feull, 0xa27290ull, 0x3bc2d7ull, 0x15fc21ull,
	0x81679ull, 0x2f9afull, 0x11835ull, 0x6715ull, 0x25ecull, 0xdf3ull,
	0x522ull, 0x1e3ull, 0xb2ull, 0x41ull, 0x18ull, 0x9ull, 0x3ull, 0x1ull,
};

/* e^-x for x >= 0 in Q32, in Q32: a table for the integer part, a series for the rest. */
static u64 enpu_exp_neg(u64 x)
{
	u64 n = x >> 32, f = x & 0xffffffffull, term = 1ull << 32;
	u64 sum = 1ull << 32;
	unsigned int k;

	if (n >= ARRAY_SIZE(enpu_exp_neg_int))
		return 0;
	/* Alternating and decreasing for f < 1: 13 terms reach Q32. */
	for (k = 1; k <= 13; k++) {
		term = div_u64(mul_u64_u64_shr(term, f, 32), k);
		if (k & 1)
			sum -= term;
		else
			sum += term;
	}
	return mul_u64_u64_shr(sum, enpu_exp_neg_int[n], 32);
}

/* Instantaneous power, mW.  Caller holds model_lock. */
static u32 enpu_sim_power_mw(const struct enpu_sim *sim)
{
	u32 dyn = sim->opp_power_mw[sim->opp_index];

	if (!sim->powered || !sim->num_cores)
		return 0;
	return sim->static_power_mw + dyn * sim->busy_cores / sim->num_cores;
}

/* (a * b) >> 32 for a signed @a. */
static s64 enpu_mul_s64_q32(s64 a, u64 b)
{
	u64 m = mul_u64_u64_shr(a < 0 ? -(u64)a : a, b, 32);

	return a < 0 ? -(s64)m : (s64)m;
}

/* Advance the model to now.  Caller holds model_lock. */
static void enpu_sim_model_advance(struct enpu_sim *sim)
{
	u64 now = ktime_get_ns(), dt = now - sim->model_ns, tau_ns, scaled, x;
	u32 p = enpu_sim_power_mw(sim), rem;
	s64 t_inf;

	sim->model_ns = now;
	if (!dt)
		return;

	/* mW * ns = pJ; kept as uJ and a pJ remainder, so it never wraps. */
	sim->energy_pj += (u64)p * dt;
	sim->energy_uj += div_u64_rem(sim->energy_pj, 1000000, &rem);
	sim->energy_pj = rem;
	/* The timestamp counter: kHz * ns = 1e-6 cycles. */
	sim->clock_ucycles += (u64)sim->freq_khz * dt;
	sim->clock_cycles += div_u64_rem(sim->clock_ucycles, 1000000, &rem);
	sim->clock_ucycles = rem;

	/* R [m°C/W] * C [mJ/°C] = R * C us */
	tau_ns = (u64)sim->thermal_r * sim->thermal_c * NSEC_PER_USEC;
	scaled = dt * clamp(READ_ONCE(enpu_thermal_time_scale), 1u, 1000u);
	x = scaled >= 23 * tau_ns ? U64_MAX :
	    mul_u64_u64_div_u64(scaled, 1ull << 32, tau_ns);
	/* mW * m°C/W = u°C */
	t_inf = (s64)sim->ambient_mc * 1000000 + (s64)p * sim->thermal_r * 1000;
	sim->temp_nc = t_inf + enpu_mul_s64_q32(sim->temp_nc - t_inf,
						 x == U64_MAX ? 0 : enpu_exp_neg(x));
}

/* Boot: take the firmware's model; the temperature survives reboots. */
void enpu_sim_model_boot(struct enpu_sim *sim, const struct enpu_fw_header *hdr,
			 const struct enpu_fw_opp *opp, u32 nopps)
{
	u32 i;

	spin_lock(&sim->model_lock);
	if (sim->model_ns)
		enpu_sim_model_advance(sim);
	for (i = 0; i < nopps; i++) {
		sim->opp_freq_khz[i] = le32_to_cpu(opp[i].freq_khz);
		sim->opp_power_mw[i] = le32_to_cpu(opp[i].power_mw);
	}
	sim->num_opps = nopps;
	sim->opp_index = nopps - 1;	/* boot at the top OPP */
	sim->freq_khz = sim->opp_freq_khz[sim->opp_index];
	sim->static_power_mw = le32_to_cpu(hdr->static_power_mw);
	sim->thermal_r = le32_to_cpu(hdr->thermal_r_mc_per_w);
	sim->thermal_c = le32_to_cpu(hdr->thermal_c_mj_per_c);
	sim->ambient_mc = (s32)le32_to_cpu(hdr->ambient_mc);
	sim->powered = true;
	if (!sim->model_ns) {
		sim->temp_nc = (s64)sim->ambient_mc * 1000000;
		sim->model_ns = ktime_get_ns();
	}
	spin_unlock(&sim->model_lock);
}

/* Halted or reset: the NPU is powered down and draws nothing. */
void enpu_sim_model_power_off(struct enpu_sim *sim)
{
	spin_lock(&sim->model_lock);
	if (sim->model_ns)
		enpu_sim_model_advance(sim);
	sim->powered = false;
	spin_unlock(&sim->model_lock);
}

/* A core took (+1) or let go of (-1) a job. */
void enpu_sim_model_busy(struct enpu_sim *sim, int delta)
{
	spin_lock(&sim->model_lock);
	enpu_sim_model_advance(sim);
	sim->busy_cores += delta;
	spin_unlock(&sim->model_lock);
}

int enpu_sim_set_freq(struct enpu_hw *hw, u32 khz)
{
	struct enpu_sim *sim = container_of(hw, struct enpu_sim, hw);
	int ret = -EINVAL;
	u32 i;

	spin_lock(&sim->model_lock);
	for (i = 0; i < sim->num_opps; i++) {
		if (sim->opp_freq_khz[i] != khz)
			continue;
		enpu_sim_model_advance(sim);
		sim->opp_index = i;
		WRITE_ONCE(sim->freq_khz, khz);
		ret = 0;
		break;
	}
	spin_unlock(&sim->model_lock);
	return ret;
}

void enpu_sim_telemetry(struct enpu_hw *hw, struct enpu_hw_telemetry *t)
{
	struct enpu_sim *sim = container_of(hw, struct enpu_sim, hw);
	u32 i;

	spin_lock(&sim->model_lock);
	enpu_sim_model_advance(sim);
	t->temp_mc = div_s64(sim->temp_nc + (sim->temp_nc < 0 ? -500000 : 500000),
			     1000000);
	t->power_mw = enpu_sim_power_mw(sim);
	t->energy_uj = sim->energy_uj;
	t->freq_khz = sim->freq_khz;
	spin_unlock(&sim->model_lock);

	/* Finished jobs, and the running ones so far. */
	t->busy_ns = 0;
	for (i = 0; i < ENPU_FW_MAX_CORES; i++) {
		struct enpu_sim_core *c = &sim->cores[i];

		spin_lock(&c->lock);
		t->busy_ns += c->stats.busy_ns;
		if (c->active)
			t->busy_ns += ktime_get_ns() - c->active->start_ns;
		spin_unlock(&c->lock);
	}
}

/* The device's free-running clock, in cycles of the current frequency. */
u64 enpu_sim_timestamp(struct enpu_hw *hw)
{
	struct enpu_sim *sim = container_of(hw, struct enpu_sim, hw);
	u64 cycles;

	spin_lock(&sim->model_lock);
	enpu_sim_model_advance(sim);
	cycles = sim->clock_cycles;
	spin_unlock(&sim->model_lock);
	return cycles;
}
