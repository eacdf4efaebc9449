// SPDX-License-Identifier: MIT
/*
 * The emulated NPU's power and thermal model, through DEV_QUERY
 * telemetry: power at idle and under load, the energy counter against the
 * integral of the reported power, and the temperature following the RC
 * model's closed form.
 */
#include <math.h>

#include "kselftest_harness.h"
#include "enpu_utils.h"
#include "enpu_job_utils.h"

#define TIME_SCALE	"/sys/module/enpu/parameters/thermal_time_scale"
#define DEVFREQ		"/sys/class/devfreq/enpu/"
#define RPM		"/sys/devices/platform/enpu/power/"

static int telemetry(int fd, struct drm_enpu_telemetry *t)
{
	__u32 size = sizeof(*t);

	return _enpu_query(fd, DRM_ENPU_QUERY_TELEMETRY, &size, t, 0, 0);
}

/* Pin devfreq to [@min_khz, @max_khz]; 0 releases a bound. */
static int pin_freq(__u32 min_khz, __u32 max_khz)
{
	char v[32];
	int ret;

	/* Lower the floor first, so that the range stays valid. */
	ret = enpu_write_file(DEVFREQ "min_freq", "0");
	snprintf(v, sizeof(v), "%llu", max_khz ? max_khz * 1000ull : 0);
	if (!ret)
		ret = enpu_write_file(DEVFREQ "max_freq", v);
	snprintf(v, sizeof(v), "%llu", min_khz * 1000ull);
	if (!ret)
		ret = enpu_write_file(DEVFREQ "min_freq", v);
	return ret;
}

FIXTURE(power) {
	int fd;
	struct drm_enpu_opp opps[16];
	struct drm_enpu_device_info info;
	__u32 ctx[2], sync[2];
	struct buf cmd;
};

FIXTURE_SETUP(power)
{
	__u32 isize = sizeof(self->info), osize = sizeof(self->opps), top;
	int i;

	self->fd = enpu_open_device();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, _enpu_query(self->fd, DRM_ENPU_QUERY_DEVICE_INFO, &isize,
				 &self->info, 0, 0));
	ASSERT_EQ(0, _enpu_query(self->fd, DRM_ENPU_QUERY_OPP_TABLE, &osize,
				 self->opps, 0, 0));
	for (i = 0; i < 2; i++) {
		struct drm_enpu_ctx_set_param p = {
			.param = DRM_ENPU_PARAM_CORE_MASK, .value = 1u << i,
		};

		ASSERT_EQ(0, ctx_create(self->fd, DRM_ENPU_PRIORITY_NORMAL,
					&self->ctx[i], &self->sync[i]));
		p.ctx_id = self->ctx[i];
		ASSERT_EQ(0, ioctl(self->fd, DRM_IOCTL_ENPU_CTX_SET_PARAM, &p));
	}
	ASSERT_EQ(0, buf_new(self->fd, SZ_4K, 0, &self->cmd));
	/*
	 * The model's figures below hold at the top OPP, on a cool die, with
	 * the NPU kept awake (an idle NPU otherwise powers down).
	 */
	ASSERT_EQ(0, enpu_write_file(RPM "control", "on"));
	top = self->opps[self->info.num_opps - 1].freq_khz;
	ASSERT_EQ(0, pin_freq(top, top));
	ASSERT_EQ(0, enpu_cool_down());
}

FIXTURE_TEARDOWN(power)
{
	pin_freq(0, 0);
	enpu_write_file(RPM "control", "auto");
	enpu_cool_down();
	buf_free(self->fd, &self->cmd);
	close(self->fd);
	EXPECT_EQ(0, jobs_drain());
}

/* One SPIN of @ms at the top OPP on each core of @mask; returns points. */
static int spin(struct _test_data_power *self, unsigned int mask, __u32 ms,
		__u64 *points)
{
	__u32 khz = self->opps[self->info.num_opps - 1].freq_khz, size;
	int i, ret;

	put(&self->cmd, 0, DRM_ENPU_OP_SPIN, (__u64)khz * ms, 0, 0);
	size = put(&self->cmd, 1, DRM_ENPU_OP_END, 0, 0, 0);
	for (i = 0; i < 2; i++) {
		if (!(mask & (1u << i)))
			continue;
		ret = submit(self->fd, self->ctx[i], &self->cmd, size, NULL, &points[i]);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * Power is the static power at idle and static plus half the top OPP's
 * power with one of two cores busy; the energy counter grows by power
 * times time, within 2%.
 */
TEST_F(power, power_and_energy)
{
	struct drm_enpu_telemetry t0, t1;
	__u32 dyn = self->opps[self->info.num_opps - 1].power_mw;
	__u64 points[2] = {};
	int64_t a, b;
	double expect, got;

	/* Each reading is placed at the middle of its ioctl (slow on a debug kernel). */
	a = now_ns();
	ASSERT_EQ(0, telemetry(self->fd, &t0));
	a = (a + now_ns()) / 2;
	usleep(300000);
	b = now_ns();
	ASSERT_EQ(0, telemetry(self->fd, &t1));
	b = (b + now_ns()) / 2;
	EXPECT_EQ(t0.power_mw, t1.power_mw);
	expect = t1.power_mw * (b - a) / 1e9 * 1e3;	/* uJ */
	got = (double)(t1.energy_uj - t0.energy_uj);
	TH_LOG("idle: %u mW, %.0f uJ expected, %.0f uJ counted", t1.power_mw, expect, got);
	EXPECT_GT(0.02, fabs(got - expect) / expect);

	ASSERT_EQ(0, spin(self, 0x1, 1000, points));
	usleep(100000);
	ASSERT_EQ(0, telemetry(self->fd, &t0));
	a = now_ns();
	EXPECT_EQ(t1.power_mw + dyn / self->info.num_cores, t0.power_mw);
	usleep(500000);
	ASSERT_EQ(0, telemetry(self->fd, &t1));
	b = now_ns();
	EXPECT_EQ(t0.power_mw, t1.power_mw);
	expect = t0.power_mw * (b - a) / 1e9 * 1e3;
	got = (double)(t1.energy_uj - t0.energy_uj);
	TH_LOG("one core busy: %u mW, %.0f uJ expected, %.0f uJ counted", t0.power_mw,
	       expect, got);
	EXPECT_GT(0.02, fabs(got - expect) / expect);
	EXPECT_LT(t0.busy_ns, t1.busy_ns);
	ASSERT_EQ(0, timeline_wait(self->fd, self->sync[0], points[0], 20 * NS));
}

/*
 * Under load on both cores the temperature rises towards
 * T_ambient + P * R; idle, it decays towards the idle equilibrium along
 * the closed form of the RC model.  The thermal clock runs 10x here.
 */
TEST_F_TIMEOUT(power, temperature_follows_rc_model, 60)
{
	struct drm_enpu_telemetry t0, t1, t2;
	__u64 points[2] = {};
	double tau = 20000e-3 * 500e-3 / 10;	/* R * C at 10x: 1 s */
	double t_inf, expect;
	int64_t a, b;
	int i;

	ASSERT_EQ(0, enpu_write_file(TIME_SCALE, "10"));
	ASSERT_EQ(0, telemetry(self->fd, &t0));
	ASSERT_EQ(0, spin(self, 0x3, 1500, points));
	usleep(1000000);
	ASSERT_EQ(0, telemetry(self->fd, &t1));
	TH_LOG("load: %.2f C -> %.2f C at %u mW", t0.temp_mc / 1e3, t1.temp_mc / 1e3,
	       t1.power_mw);
	/*
	 * Past the first passive trip the thermal zone may throttle the
	 * NPU, so the bound is the equilibrium at full power (firmware:
	 * 25 C ambient, 20 C/W).
	 */
	t_inf = 25.0 + (150 + self->opps[self->info.num_opps - 1].power_mw) / 1e3 * 20.0;
	EXPECT_LT(t0.temp_mc + 5000, t1.temp_mc);
	EXPECT_GT(t_inf * 1e3, t1.temp_mc);
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, timeline_wait(self->fd, self->sync[i], points[i], 20 * NS));

	/* Idle: T(t) = T_idle + (T1 - T_idle) e^(-t / tau). */
	ASSERT_EQ(0, telemetry(self->fd, &t1));
	a = now_ns();
	usleep(700000);
	ASSERT_EQ(0, telemetry(self->fd, &t2));
	b = now_ns();
	t_inf = 25.0 + t2.power_mw / 1e3 * 20.0;
	expect = t_inf + (t1.temp_mc / 1e3 - t_inf) * exp(-(b - a) / 1e9 / tau);
	TH_LOG("idle: %.2f C -> %.2f C, model %.2f C", t1.temp_mc / 1e3,
	       t2.temp_mc / 1e3, expect);
	EXPECT_GT(0.5, fabs(t2.temp_mc / 1e3 - expect));
	EXPECT_GT(t1.temp_mc, t2.temp_mc);
}

/*
 * A frequency cap (devfreq's max_freq, as the thermal framework and the
 * control plane use) stretches a SPIN job exactly as the OPP table says:
 * cycles / frequency.  The job is 300 ms at the top OPP, long enough that
 * the emulator's wake-up at its end (3.4 ms once on arm64) stays within 2%.
 */
TEST_F(power, frequency_cap_stretches_jobs)
{
	__u32 n = self->info.num_opps, i;

	for (i = 0; i < n; i += n - 1 > 1 ? n / 2 : 1) {
		__u32 khz = self->opps[i].freq_khz, top = self->opps[n - 1].freq_khz;
		__u64 cycles = (__u64)top * 300, points[2] = {};	/* 300 ms at the top */
		struct drm_enpu_ctx_query q0, q1;
		double expect, got;
		__u32 size;

		ASSERT_EQ(0, pin_freq(khz, khz));
		usleep(100000);		/* devfreq applies the new range */
		EXPECT_EQ((long)khz * 1000, enpu_read_long(DEVFREQ "cur_freq"));
		ASSERT_EQ(0, ctx_query(self->fd, self->ctx[0], &q0));
		put(&self->cmd, 0, DRM_ENPU_OP_SPIN, cycles, 0, 0);
		size = put(&self->cmd, 1, DRM_ENPU_OP_END, 0, 0, 0);
		ASSERT_EQ(0, submit(self->fd, self->ctx[0], &self->cmd, size, NULL,
				    &points[0]));
		ASSERT_EQ(0, timeline_wait(self->fd, self->sync[0], points[0], 20 * NS));
		ASSERT_EQ(0, ctx_query(self->fd, self->ctx[0], &q1));
		expect = (double)cycles / khz * 1e6;	/* ns */
		got = (double)(q1.busy_ns - q0.busy_ns);
		TH_LOG("%u kHz: %.1f ms modeled, %.1f ms on the device", khz,
		       expect / 1e6, got / 1e6);
		EXPECT_LE(expect, got);
		EXPECT_GT(0.02, (got - expect) / expect);
	}
}

/*
 * Thermal zone "enpu" carries the firmware's trips and the NPU's devfreq
 * cooling device on its passive trips; hwmon "enpu" reports temperature,
 * power and energy.
 */
TEST_F(power, thermal_zone_cooling_and_hwmon)
{
	static const char *const types[] = { "passive", "passive", "hot", "critical" };
	static const long temps[] = { 55000, 65000, 85000, 100000 };
	char path[256], buf[64], zone[128] = "", hwmon[128] = "";
	int i, bound = 0;

	ASSERT_LE(0, enpu_thermal_zone("enpu", zone, sizeof(zone)));
	for (i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%strip_point_%d_type", zone, i);
		ASSERT_EQ(0, enpu_read_str(path, buf, sizeof(buf)));
		EXPECT_STREQ(types[i], buf);
		snprintf(path, sizeof(path), "%strip_point_%d_temp", zone, i);
		EXPECT_EQ(temps[i], enpu_read_long(path));
	}
	snprintf(path, sizeof(path), "%stemp", zone);
	EXPECT_LT(20000, enpu_read_long(path));
	/* The cooling device is bound to the control trip (trip 1). */
	for (i = 0; i < 8; i++) {
		char link[160];

		snprintf(path, sizeof(path), "%scdev%d/type", zone, i);
		if (enpu_read_str(path, buf, sizeof(buf)) || strcmp(buf, "devfreq-enpu"))
			continue;
		snprintf(link, sizeof(link), "%scdev%d_trip_point", zone, i);
		EXPECT_EQ(1, enpu_read_long(link));
		bound++;
	}
	EXPECT_EQ(1, bound);

	for (i = 0; i < 16 && !hwmon[0]; i++) {
		snprintf(path, sizeof(path), "/sys/class/hwmon/hwmon%d/name", i);
		if (!enpu_read_str(path, buf, sizeof(buf)) && !strcmp(buf, "enpu"))
			snprintf(hwmon, sizeof(hwmon), "/sys/class/hwmon/hwmon%d/", i);
	}
	ASSERT_NE(0, hwmon[0]);
	snprintf(path, sizeof(path), "%stemp1_input", hwmon);
	EXPECT_LT(20000, enpu_read_long(path));
	snprintf(path, sizeof(path), "%spower1_average", hwmon);
	EXPECT_LE(150000, enpu_read_long(path));	/* static power, uW */
	snprintf(path, sizeof(path), "%senergy1_input", hwmon);
	EXPECT_LT(0, enpu_read_long(path));
}

/*
 * The critical trip (moved below the die's temperature through sysfs)
 * powers the NPU down, never the machine: the job it held fails with
 * -EIO, the context is innocent, and once cool the NPU boots again and
 * runs jobs.
 */
TEST_F_TIMEOUT(power, critical_trip_powers_the_npu_down, 60)
{
	char path[256], buf[64], zone[128] = "";
	struct drm_enpu_ctx_query q;
	__u64 points[2] = {};
	long crit;

	ASSERT_LE(0, enpu_thermal_zone("enpu", zone, sizeof(zone)));
	snprintf(path, sizeof(path), "%strip_point_3_temp", zone);
	crit = enpu_read_long(path);
	ASSERT_LT(0, crit);

	ASSERT_EQ(0, spin(self, 0x1, 2000, points));
	usleep(200000);
	ASSERT_EQ(0, enpu_write_file(path, "20000"));	/* below any die temperature */
	ASSERT_EQ(0, timeline_wait(self->fd, self->sync[0], points[0], 20 * NS));
	snprintf(buf, sizeof(buf), "%ld", crit);
	ASSERT_EQ(0, enpu_write_file(path, buf));
	ASSERT_EQ(0, ctx_query(self->fd, self->ctx[0], &q));
	EXPECT_EQ(-EIO, q.last_error);
	EXPECT_EQ(DRM_ENPU_CTX_INNOCENT, q.state);

	/* Booted again: a job runs to completion. */
	ASSERT_EQ(0, spin(self, 0x1, 10, points));
	ASSERT_EQ(0, timeline_wait(self->fd, self->sync[0], points[0], 20 * NS));
	ASSERT_EQ(0, ctx_query(self->fd, self->ctx[0], &q));
	EXPECT_EQ(1, q.completed);
}

/* Wait up to 2 s for runtime PM status @want. */
static bool rpm_status_is(const char *want)
{
	char st[32] = "";
	int i;

	for (i = 0; i < 200; i++) {
		if (!enpu_read_str(RPM "runtime_status", st, sizeof(st)) && !strcmp(st, want))
			return true;
		usleep(10000);
	}
	printf("# runtime_status: %s, not %s\n", st, want);
	return false;
}

/*
 * Idle for the autosuspend delay, the NPU powers down and draws nothing;
 * a submit wakes it with a warm boot, and its results are correct.
 */
TEST_F_TIMEOUT(power, autosuspend_and_resume_on_submit, 60)
{
	struct drm_enpu_telemetry t0, t1;
	struct copy_job c = {};
	long long boots;
	__u64 point = 0;
	int i;

	ASSERT_EQ(0, copy_job_new(self->fd, &c));
	ASSERT_EQ(0, enpu_write_file(RPM "control", "auto"));
	for (i = 0; i < 3; i++) {
		ASSERT_TRUE(rpm_status_is("suspended"));
		ASSERT_EQ(0, telemetry(self->fd, &t0));
		usleep(100000);
		ASSERT_EQ(0, telemetry(self->fd, &t1));
		EXPECT_EQ(0, t1.power_mw);
		EXPECT_EQ(t0.energy_uj, t1.energy_uj);

		boots = sched_stat("warm_boots");
		ASSERT_LE(0, boots);
		ASSERT_EQ(0, copy_job_submit(self->fd, self->ctx[0], &c, 0x1234 + i,
					     &point));
		ASSERT_EQ(0, timeline_wait(self->fd, self->sync[0], point, 20 * NS));
		EXPECT_EQ(0x1234 + i, copy_job_result(&c));
		EXPECT_EQ(boots + 1, sched_stat("warm_boots"));
	}
	/* Awake for good: no more power downs. */
	ASSERT_EQ(0, enpu_write_file(RPM "control", "on"));
	ASSERT_TRUE(rpm_status_is("active"));
	boots = sched_stat("warm_boots");
	usleep(200000);
	ASSERT_EQ(0, telemetry(self->fd, &t1));
	EXPECT_LT(0, t1.power_mw);
	ASSERT_EQ(0, copy_job_submit(self->fd, self->ctx[0], &c, 0x5678, &point));
	ASSERT_EQ(0, timeline_wait(self->fd, self->sync[0], point, 20 * NS));
	EXPECT_EQ(0x5678, copy_job_result(&c));
	EXPECT_EQ(boots, sched_stat("warm_boots"));
	copy_job_free(self->fd, &c);
}

TEST_HARNESS_MAIN
