// SPDX-License-Identifier: MIT
/*
 * phonesim, the tests' phone around the NPU: the battery's uevents carry
 * the new values, the battery drains by the base load plus the NPU's
 * energy, and the skin zone warms when the NPU works.
 */
#include "kselftest_harness.h"
#include "enpu_utils.h"
#include "enpu_job_utils.h"
#include "enpu_nl.h"

#define PS_DEBUGFS	"/sys/kernel/debug/phonesim/"
#define PS_PARAM	"/sys/module/phonesim/parameters/"
#define BATTERY		"/sys/class/power_supply/phonesim-battery/"
#define AC		"/sys/class/power_supply/phonesim-ac/"
#define SCALE		100	/* model seconds per wall second */

FIXTURE(phonesim) {
	int fd;
	__u32 khz;
	__u32 ctx[2], sync[2];
	struct buf cmd;
};

FIXTURE_SETUP(phonesim)
{
	int i;

	ASSERT_EQ(0, access(PS_DEBUGFS "capacity", W_OK)) {
		TH_LOG("phonesim.ko is not loaded");
	}
	self->fd = enpu_open_device();
	ASSERT_LE(0, self->fd);
	self->khz = top_khz(self->fd);
	ASSERT_NE(0, self->khz);
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, ctx_on(self->fd, DRM_ENPU_PRIORITY_NORMAL, 1u << i,
				    &self->ctx[i], &self->sync[i]));
	ASSERT_EQ(0, buf_new(self->fd, SZ_4K, 0, &self->cmd));
	ASSERT_EQ(0, enpu_write_file(PS_DEBUGFS "online", "0"));
	ASSERT_EQ(0, enpu_write_file(PS_DEBUGFS "capacity", "100"));
}

FIXTURE_TEARDOWN(phonesim)
{
	enpu_write_file(PS_PARAM "time_scale", "1");
	enpu_write_file(PS_DEBUGFS "online", "0");
	enpu_write_file(PS_DEBUGFS "capacity", "100");
	buf_free(self->fd, &self->cmd);
	close(self->fd);
	EXPECT_EQ(0, jobs_drain());
}

/* Both cores busy for @ms; returns 0 once both jobs completed. */
static int npu_busy(struct _test_data_phonesim *self, __u32 ms)
{
	__u32 size = spin_ms(&self->cmd, self->khz, ms);
	__u64 p[2];
	int i, ret;

	for (i = 0; i < 2; i++) {
		ret = submit(self->fd, self->ctx[i], &self->cmd, size, NULL, &p[i]);
		if (ret)
			return ret;
	}
	for (i = 0; i < 2; i++) {
		ret = timeline_wait(self->fd, self->sync[i], p[i], 30 * NS);
		if (ret)
			return ret;
	}
	return 0;
}

static __u64 npu_energy_uj(int fd)
{
	struct drm_enpu_telemetry t = {};
	__u32 size = sizeof(t);

	return _enpu_query(fd, DRM_ENPU_QUERY_TELEMETRY, &size, &t, 0, 0) ? 0 : t.energy_uj;
}

/* Setting the capacity and plugging the charger send the kernel's uevents. */
TEST_F(phonesim, battery_uevents_carry_new_values)
{
	const char *const cap[] = { "POWER_SUPPLY_NAME=phonesim-battery",
				    "POWER_SUPPLY_CAPACITY=42",
				    "POWER_SUPPLY_STATUS=Discharging" };
	const char *const plug[] = { "POWER_SUPPLY_NAME=phonesim-ac",
				     "POWER_SUPPLY_ONLINE=1" };
	const char *const charging[] = { "POWER_SUPPLY_NAME=phonesim-battery",
					 "POWER_SUPPLY_STATUS=Charging" };
	char buf[32];
	int ue = uevent_open();

	ASSERT_LE(0, ue);
	ASSERT_EQ(0, enpu_write_file(PS_DEBUGFS "capacity", "42"));
	EXPECT_TRUE(uevent_seen_all(ue, cap, 3, 5000));
	EXPECT_EQ(42, enpu_read_long(BATTERY "capacity"));
	ASSERT_EQ(0, enpu_read_str(BATTERY "type", buf, sizeof(buf)));
	EXPECT_STREQ("Battery", buf);

	ASSERT_EQ(0, enpu_write_file(PS_DEBUGFS "online", "1"));
	EXPECT_TRUE(uevent_seen_all(ue, plug, 2, 5000));
	EXPECT_TRUE(uevent_seen_all(ue, charging, 2, 5000));
	EXPECT_EQ(1, enpu_read_long(AC "online"));
	ASSERT_EQ(0, enpu_read_str(BATTERY "status", buf, sizeof(buf)));
	EXPECT_STREQ("Charging", buf);

	EXPECT_NE(0, enpu_write_file(PS_DEBUGFS "capacity", "101"));
	EXPECT_NE(0, enpu_write_file(PS_DEBUGFS "online", "2"));
	close(ue);
}

/*
 * Discharging, the battery loses the base load's energy while the NPU
 * sleeps, and the NPU's energy on top while it works: the extra drain
 * matches the NPU's energy counter within 25% (the battery model ticks
 * every 100 ms).
 */
TEST_F_TIMEOUT(phonesim, battery_drains_faster_while_the_npu_works, 60)
{
	long base_mw = enpu_read_long(PS_PARAM "base_load_mw");
	long e0, e1, e2;
	__u64 n1, n2;
	int64_t t0, t1, t2;
	double idle_uwh_s, busy_uwh_s, npu_uwh_s, base_uwh_s;
	char v[16];

	ASSERT_LT(0, base_mw);
	snprintf(v, sizeof(v), "%d", SCALE);
	ASSERT_EQ(0, enpu_write_file(PS_PARAM "time_scale", v));
	usleep(300000);		/* the NPU idles and powers down */

	t0 = now_ns();
	e0 = enpu_read_long(BATTERY "energy_now");
	usleep(2000000);
	t1 = now_ns();
	e1 = enpu_read_long(BATTERY "energy_now");
	n1 = npu_energy_uj(self->fd);
	ASSERT_EQ(0, npu_busy(self, 2000));
	t2 = now_ns();
	e2 = enpu_read_long(BATTERY "energy_now");
	n2 = npu_energy_uj(self->fd);

	idle_uwh_s = (e0 - e1) / ((t1 - t0) / 1e9);
	busy_uwh_s = (e1 - e2) / ((t2 - t1) / 1e9);
	base_uwh_s = base_mw * 1000.0 * SCALE / 3600;
	npu_uwh_s = (n2 - n1) * SCALE / 3600.0 / ((t2 - t1) / 1e9);
	TH_LOG("drain: %.0f uWh/s idle (base %.0f), %.0f uWh/s busy (NPU %.0f)",
	       idle_uwh_s, base_uwh_s, busy_uwh_s, npu_uwh_s);
	EXPECT_LT(0.75 * base_uwh_s, idle_uwh_s);
	EXPECT_GT(1.25 * base_uwh_s, idle_uwh_s);
	EXPECT_LT(idle_uwh_s, busy_uwh_s);
	EXPECT_LT(0.75 * npu_uwh_s, busy_uwh_s - base_uwh_s);
	EXPECT_GT(1.25 * npu_uwh_s, busy_uwh_s - base_uwh_s);
	EXPECT_LT(0, enpu_read_long(BATTERY "power_now"));
}

/* The skin zone, heated by the base load, warms further when the NPU works. */
TEST_F_TIMEOUT(phonesim, skin_warms_while_the_npu_works, 60)
{
	char zone[128], path[160];
	long idle, busy;
	char v[16];

	ASSERT_LE(0, enpu_thermal_zone("skin", zone, sizeof(zone)));
	snprintf(path, sizeof(path), "%stemp", zone);
	snprintf(v, sizeof(v), "%d", SCALE);
	ASSERT_EQ(0, enpu_write_file(PS_PARAM "time_scale", v));
	usleep(3000000);	/* 300 model seconds: the case settles */
	idle = enpu_read_long(path);
	ASSERT_EQ(0, npu_busy(self, 2000));
	busy = enpu_read_long(path);
	TH_LOG("skin: %.1f C idle, %.1f C after 2 s of NPU work", idle / 1000.0,
	       busy / 1000.0);
	EXPECT_LT(idle + 5000, busy);
}

TEST_HARNESS_MAIN
