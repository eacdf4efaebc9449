// SPDX-License-Identifier: MIT
/*
 * The kernel alone protects the NPU: thermal zone "enpu"'s trips reach a
 * subscriber of the kernel's thermal netlink family, and with the
 * power_allocator governor and no daemon a sustained full load settles
 * near the control trip.
 */
#include <linux/thermal.h>

#include "kselftest_harness.h"
#include "enpu_utils.h"
#include "enpu_job_utils.h"
#include "enpu_nl.h"

#define TIME_SCALE	"/sys/module/enpu/parameters/thermal_time_scale"
#define RPM		"/sys/devices/platform/enpu/power/"

FIXTURE(thermal) {
	int fd;
	__u32 khz;
	__u32 ctx[2], sync[2];
	__u64 last[2];
	struct buf cmd;
	__u32 size;
	char zone[128];
	int zone_id;
	char policy[32];
};

FIXTURE_SETUP(thermal)
{
	char path[160];
	int i;

	self->fd = enpu_open_device();
	ASSERT_LE(0, self->fd);
	self->khz = top_khz(self->fd);
	ASSERT_NE(0, self->khz);
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, ctx_on(self->fd, DRM_ENPU_PRIORITY_NORMAL, 1u << i,
				    &self->ctx[i], &self->sync[i]));
	ASSERT_EQ(0, buf_new(self->fd, SZ_4K, 0, &self->cmd));
	self->size = spin_ms(&self->cmd, self->khz, 100);
	self->zone_id = enpu_thermal_zone("enpu", self->zone, sizeof(self->zone));
	ASSERT_LE(0, self->zone_id);
	snprintf(path, sizeof(path), "%spolicy", self->zone);
	ASSERT_EQ(0, enpu_read_str(path, self->policy, sizeof(self->policy)));
	/* Start cool, and awake. */
	ASSERT_EQ(0, enpu_write_file(RPM "control", "on"));
	ASSERT_EQ(0, enpu_write_file(TIME_SCALE, "1000"));
	usleep(100000);
}

FIXTURE_TEARDOWN(thermal)
{
	char path[160];
	int i;

	for (i = 0; i < 2; i++)
		if (self->last[i])
			timeline_wait(self->fd, self->sync[i], self->last[i], 60 * NS);
	snprintf(path, sizeof(path), "%spolicy", self->zone);
	enpu_write_file(path, self->policy);
	snprintf(path, sizeof(path), "%strip_point_0_temp", self->zone);
	enpu_write_file(path, "55000");
	enpu_write_file(TIME_SCALE, "1000");
	usleep(100000);
	enpu_write_file(TIME_SCALE, "1");
	enpu_write_file(RPM "control", "auto");
	buf_free(self->fd, &self->cmd);
	close(self->fd);
	EXPECT_EQ(0, jobs_drain());
}

/*
 * Keep both cores busy: two 100 ms SPINs queued on each core at all
 * times, so that a core never waits for the test to notice it is idle.
 */
static int keep_busy(struct _test_data_thermal *self)
{
	int i, ret;

	for (i = 0; i < 2; i++) {
		if (self->last[i] > 1 &&
		    timeline_wait(self->fd, self->sync[i], self->last[i] - 1, 0) == -ETIME)
			continue;
		ret = submit(self->fd, self->ctx[i], &self->cmd, self->size, NULL,
			     &self->last[i]);
		if (!ret && self->last[i] == 1)
			ret = submit(self->fd, self->ctx[i], &self->cmd, self->size,
				     NULL, &self->last[i]);
		if (ret)
			return ret;
	}
	return 0;
}

static long zone_temp(struct _test_data_thermal *self)
{
	char path[160];

	snprintf(path, sizeof(path), "%stemp", self->zone);
	return enpu_read_long(path);
}

struct trip_match {
	int zone, trip;
};

static bool is_trip(struct nl_msg *m, void *arg)
{
	struct trip_match *tm = arg;

	return m->tb[THERMAL_GENL_ATTR_TZ_ID] && m->tb[THERMAL_GENL_ATTR_TZ_TRIP_ID] &&
	       (int)nl_u32(m->tb[THERMAL_GENL_ATTR_TZ_ID]) == tm->zone &&
	       (int)nl_u32(m->tb[THERMAL_GENL_ATTR_TZ_TRIP_ID]) == tm->trip;
}

/*
 * Under load the die warms past its switch-on trip (moved to just above
 * the idle temperature, so that the test is short): the kernel's thermal
 * netlink family tells a subscriber, and its sampling group reports the
 * zone's temperature.
 */
TEST_F_TIMEOUT(thermal, trip_events_reach_a_thermal_netlink_subscriber, 60)
{
	struct trip_match tm = { .zone = self->zone_id, .trip = 0 };
	struct nl_sock ev, smp;
	struct nl_msg m = {};
	char path[160], v[32];
	long t0;
	int i, seen = 0;

	ASSERT_EQ(0, nl_open(&ev, THERMAL_GENL_FAMILY_NAME));
	ASSERT_EQ(0, nl_subscribe(&ev, THERMAL_GENL_EVENT_GROUP_NAME));
	ASSERT_EQ(0, nl_open(&smp, THERMAL_GENL_FAMILY_NAME));
	ASSERT_EQ(0, nl_subscribe(&smp, THERMAL_GENL_SAMPLING_GROUP_NAME));
	ASSERT_EQ(0, enpu_write_file(TIME_SCALE, "10"));
	t0 = zone_temp(self);
	ASSERT_LT(0, t0);
	snprintf(path, sizeof(path), "%strip_point_0_temp", self->zone);
	snprintf(v, sizeof(v), "%ld", t0 + 3000);
	ASSERT_EQ(0, enpu_write_file(path, v));

	for (i = 0; i < 100 && !seen; i++) {
		ASSERT_EQ(0, keep_busy(self));
		seen = nl_wait_event(&ev, THERMAL_GENL_EVENT_TZ_TRIP_UP, 100,
				     is_trip, &tm, NULL);
		ASSERT_LE(0, seen);
	}
	TH_LOG("trip 0 at %.1f C crossed after about %d ms, now %.1f C",
	       (t0 + 3000) / 1000.0, i * 100, zone_temp(self) / 1000.0);
	EXPECT_EQ(1, seen);
	/* The zone is polled while warm: samples carry its temperature. */
	ASSERT_EQ(1, nl_wait_event(&smp, THERMAL_GENL_SAMPLING_TEMP, 2000,
				   NULL, NULL, &m));
	EXPECT_TRUE(m.tb[THERMAL_GENL_ATTR_TZ_ID] != NULL);
	EXPECT_TRUE(m.tb[THERMAL_GENL_ATTR_TZ_TEMP] != NULL);
	nl_close(&ev);
	nl_close(&smp);
}

/*
 * No daemon, the power_allocator governor on zone "enpu", both cores
 * busy at full speed (3.15 W, which would settle near 88 C): the kernel
 * throttles the NPU through its devfreq cooling device, and the die
 * settles near the control trip (65 C), far from the hot one.  The
 * overshoot is reported; only the robust bounds are asserted.
 */
TEST_F_TIMEOUT(thermal, power_allocator_settles_near_the_control_trip, 120)
{
	long control, hot, t, max = 0, sum = 0;
	char path[160];
	int i, n = 0, above = 0;
	const int samples = 160, tail = 60;	/* 100 ms each */

	snprintf(path, sizeof(path), "%strip_point_1_temp", self->zone);
	control = enpu_read_long(path);
	snprintf(path, sizeof(path), "%strip_point_2_temp", self->zone);
	hot = enpu_read_long(path);
	ASSERT_LT(0, control);
	snprintf(path, sizeof(path), "%spolicy", self->zone);
	ASSERT_EQ(0, enpu_write_file(path, "power_allocator"));
	/* A model time constant of 10 s passes in 2 s. */
	ASSERT_EQ(0, enpu_write_file(TIME_SCALE, "5"));

	for (i = 0; i < samples; i++) {
		ASSERT_EQ(0, keep_busy(self));
		usleep(100000);
		t = zone_temp(self);
		max = t > max ? t : max;
		above += t > control;
		if (i >= samples - tail) {
			sum += t;
			n++;
		}
	}
	TH_LOG("control %.1f C: peak %.1f C (overshoot %.1f C), last %d s mean %.1f C, %d%% of samples above",
	       control / 1000.0, max / 1000.0, (max - control) / 1000.0, tail / 10,
	       sum / n / 1000.0, above * 100 / samples);
	EXPECT_LT(max, hot);
	EXPECT_LT(labs(sum / n - control), 3000);
}

TEST_HARNESS_MAIN
