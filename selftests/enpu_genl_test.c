// SPDX-License-Identifier: MIT
/*
 * The control plane, generic netlink family "enpu": every command's
 * success path and errors, -EPERM for the setters without CAP_NET_ADMIN,
 * a dump of 500 contexts of 50 processes, the caps' effect on a SPIN
 * job, and every event type seen by a subscriber.
 */
#include <grp.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "enpu_utils.h"
#include "enpu_job_utils.h"
#include "enpu_nl.h"
#include <linux/enpu_genl.h>

#define DEBUGFS		ENPU_DEBUGFS
#define DEVFREQ		"/sys/class/devfreq/enpu/"
#define TIME_SCALE	"/sys/module/enpu/parameters/thermal_time_scale"
#define RPM		"/sys/devices/platform/enpu/power/"
#define NOBODY		65534

/* Fields of one DEV_GET answer. */
struct dev_info {
	__u32 id, freq, freq_max, freq_cap, power_cap, cores, contexts, floor;
	__s32 temp;
	__u64 energy;
	bool name;
};

static int dev_cb(struct nl_msg *m, void *arg)
{
	struct dev_info *d = arg;

	if (!m->tb[ENPU_A_DEV_ID] || !m->tb[ENPU_A_DEV_FREQ_MAX] ||
	    !m->tb[ENPU_A_DEV_CORES] || !m->tb[ENPU_A_DEV_ENERGY] ||
	    !m->tb[ENPU_A_DEV_FREQ_FLOOR])
		return -EIO;
	d->id = nl_u32(m->tb[ENPU_A_DEV_ID]);
	d->name = m->tb[ENPU_A_DEV_NAME];
	d->temp = (__s32)nl_u32(m->tb[ENPU_A_DEV_TEMP]);
	d->freq = nl_u32(m->tb[ENPU_A_DEV_FREQ]);
	d->freq_max = nl_u32(m->tb[ENPU_A_DEV_FREQ_MAX]);
	d->freq_cap = nl_u32(m->tb[ENPU_A_DEV_FREQ_CAP]);
	d->power_cap = nl_u32(m->tb[ENPU_A_DEV_POWER_CAP]);
	d->floor = nl_u32(m->tb[ENPU_A_DEV_FREQ_FLOOR]);
	d->cores = nl_u32(m->tb[ENPU_A_DEV_CORES]);
	d->contexts = nl_u32(m->tb[ENPU_A_DEV_CONTEXTS]);
	d->energy = nl_u64(m->tb[ENPU_A_DEV_ENERGY]);
	return 0;
}

static int dev_get(struct nl_sock *s, int id, struct dev_info *d)
{
	struct nl_req r;

	nl_req_init(&r, s->family, ENPU_CMD_DEV_GET, 0);
	if (id >= 0)
		nl_put_u32(&r, ENPU_A_DEV_ID, id);
	return nl_talk(s, &r, dev_cb, d);
}

/* DEV_SET; a negative value leaves that cap out of the request. */
static int dev_set(struct nl_sock *s, long long freq_khz, long long power_mw)
{
	struct nl_req r;

	nl_req_init(&r, s->family, ENPU_CMD_DEV_SET, 0);
	if (freq_khz >= 0)
		nl_put_u32(&r, ENPU_A_DEV_FREQ_CAP, freq_khz);
	if (power_mw >= 0)
		nl_put_u32(&r, ENPU_A_DEV_POWER_CAP, power_mw);
	return nl_talk(s, &r, NULL, NULL);
}

static int dev_set_floor(struct nl_sock *s, __u32 khz)
{
	struct nl_req r;

	nl_req_init(&r, s->family, ENPU_CMD_DEV_SET, 0);
	nl_put_u32(&r, ENPU_A_DEV_FREQ_FLOOR, khz);
	return nl_talk(s, &r, NULL, NULL);
}

/* Fields of one CTX_GET answer. */
struct ctx_info {
	__u64 client, busy, submitted;
	__u32 id, pid, prio, grant, class, period, deadline, job, runtime,
	      bperiod, state, cores;
	__u8 frozen;
	char comm[16];
};

static int ctx_cb(struct nl_msg *m, void *arg)
{
	static const int need[] = {
		ENPU_A_CTX_CLIENT, ENPU_A_CTX_ID, ENPU_A_CTX_PID, ENPU_A_CTX_COMM,
		ENPU_A_CTX_PRIORITY, ENPU_A_CTX_PRIORITY_GRANT, ENPU_A_CTX_CLASS,
		ENPU_A_CTX_PERIOD, ENPU_A_CTX_DEADLINE, ENPU_A_CTX_JOB_DURATION,
		ENPU_A_CTX_BUDGET_RUNTIME, ENPU_A_CTX_BUDGET_PERIOD,
		ENPU_A_CTX_FROZEN, ENPU_A_CTX_BUSY, ENPU_A_CTX_SUBMITTED,
		ENPU_A_CTX_STATE, ENPU_A_CTX_CORES_ALLOWED,
	};
	struct ctx_info *c = arg;
	unsigned int i;

	for (i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		if (!m->tb[need[i]])
			return -EIO;
	c->client = nl_u64(m->tb[ENPU_A_CTX_CLIENT]);
	c->id = nl_u32(m->tb[ENPU_A_CTX_ID]);
	c->pid = nl_u32(m->tb[ENPU_A_CTX_PID]);
	snprintf(c->comm, sizeof(c->comm), "%s", (char *)nl_data(m->tb[ENPU_A_CTX_COMM]));
	c->prio = nl_u32(m->tb[ENPU_A_CTX_PRIORITY]);
	c->grant = nl_u32(m->tb[ENPU_A_CTX_PRIORITY_GRANT]);
	c->class = nl_u32(m->tb[ENPU_A_CTX_CLASS]);
	c->period = nl_u32(m->tb[ENPU_A_CTX_PERIOD]);
	c->deadline = nl_u32(m->tb[ENPU_A_CTX_DEADLINE]);
	c->job = nl_u32(m->tb[ENPU_A_CTX_JOB_DURATION]);
	c->runtime = nl_u32(m->tb[ENPU_A_CTX_BUDGET_RUNTIME]);
	c->bperiod = nl_u32(m->tb[ENPU_A_CTX_BUDGET_PERIOD]);
	c->frozen = nl_u8(m->tb[ENPU_A_CTX_FROZEN]);
	c->busy = nl_u64(m->tb[ENPU_A_CTX_BUSY]);
	c->submitted = nl_u64(m->tb[ENPU_A_CTX_SUBMITTED]);
	c->state = nl_u32(m->tb[ENPU_A_CTX_STATE]);
	c->cores = nl_u32(m->tb[ENPU_A_CTX_CORES_ALLOWED]);
	return 0;
}

static int ctx_get(struct nl_sock *s, __u64 client, __u32 id, struct ctx_info *c)
{
	struct nl_req r;

	nl_req_init(&r, s->family, ENPU_CMD_CTX_GET, 0);
	nl_put_u64(&r, ENPU_A_CTX_CLIENT, client);
	nl_put_u32(&r, ENPU_A_CTX_ID, id);
	return nl_talk(s, &r, ctx_cb, c);
}

/* CTX_SET with the attributes @attrs/@vals (u32, but FROZEN is a u8). */
static int ctx_set(struct nl_sock *s, __u64 client, __u32 id, int n,
		   const int *attrs, const __u32 *vals)
{
	struct nl_req r;
	int i;

	nl_req_init(&r, s->family, ENPU_CMD_CTX_SET, 0);
	nl_put_u64(&r, ENPU_A_CTX_CLIENT, client);
	nl_put_u32(&r, ENPU_A_CTX_ID, id);
	for (i = 0; i < n; i++) {
		if (attrs[i] == ENPU_A_CTX_FROZEN)
			nl_put_u8(&r, attrs[i], vals[i]);
		else
			nl_put_u32(&r, attrs[i], vals[i]);
	}
	return nl_talk(s, &r, NULL, NULL);
}

static int ctx_set1(struct nl_sock *s, __u64 client, __u32 id, int attr, __u32 val)
{
	return ctx_set(s, client, id, 1, &attr, &val);
}

/* Drop every privilege: what an app has. */
static int drop_privileges(void)
{
	if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY))
		return -errno;
	return 0;
}

/* Wait up to 10 s for the ceiling to be the top OPP again. */
static int wait_unthrottled(struct nl_sock *s, const struct drm_enpu_device_info *info,
			    const struct drm_enpu_opp *opps)
{
	struct dev_info d;
	int i, ret;

	for (i = 0; i < 200; i++) {
		memset(&d, 0, sizeof(d));
		ret = dev_get(s, -1, &d);
		if (ret)
			return ret;
		if (d.freq_max == opps[info->num_opps - 1].freq_khz)
			return 0;
		usleep(50000);
	}
	return -ETIME;
}

FIXTURE(genl) {
	int fd;
	struct nl_sock nl;
	struct drm_enpu_device_info info;
	struct drm_enpu_opp opps[16];
	__u64 client;
};

FIXTURE_SETUP(genl)
{
	__u32 isize = sizeof(self->info), osize = sizeof(self->opps);

	self->fd = enpu_open_device();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, _enpu_query(self->fd, DRM_ENPU_QUERY_DEVICE_INFO, &isize,
				 &self->info, 0, 0));
	ASSERT_EQ(0, _enpu_query(self->fd, DRM_ENPU_QUERY_OPP_TABLE, &osize,
				 self->opps, 0, 0));
	self->client = enpu_client_id(self->fd);
	ASSERT_NE(0, self->client);
	ASSERT_EQ(0, nl_open(&self->nl, ENPU_FAMILY_NAME));
	ASSERT_EQ(0, enpu_cool_down());
	/*
	 * A die that was hot (an earlier test) stays throttled until the
	 * thermal zone's governor has polled it cool: wait for the top OPP.
	 */
	ASSERT_EQ(0, wait_unthrottled(&self->nl, &self->info, self->opps));
}

FIXTURE_TEARDOWN(genl)
{
	dev_set(&self->nl, 0, 0);
	dev_set_floor(&self->nl, 0);
	enpu_write_file(DEVFREQ "min_freq", "0");
	enpu_write_file(RPM "control", "auto");
	nl_close(&self->nl);
	close(self->fd);
	EXPECT_EQ(0, jobs_drain());
}

/* DEV_GET by default, by id and as a dump; an unknown id is -ENODEV. */
TEST_F(genl, dev_get)
{
	__u32 top = self->opps[self->info.num_opps - 1].freq_khz;
	struct dev_info d = {}, d2 = {};
	struct nl_req r;
	__u32 ctx = 0;

	ASSERT_EQ(0, ctx_create(self->fd, DRM_ENPU_PRIORITY_NORMAL, &ctx, NULL));
	ASSERT_EQ(0, dev_get(&self->nl, -1, &d));
	EXPECT_TRUE(d.name);
	EXPECT_EQ(self->info.num_cores, d.cores);
	EXPECT_EQ(top, d.freq_max);
	EXPECT_EQ(0, d.freq_cap);
	EXPECT_EQ(0, d.power_cap);
	EXPECT_LE(1, d.contexts);
	EXPECT_LT(0, d.temp);
	EXPECT_GT(150000, d.temp);
	EXPECT_LE(self->opps[0].freq_khz, d.freq);
	EXPECT_GE(top, d.freq);

	ASSERT_EQ(0, dev_get(&self->nl, d.id, &d2));
	EXPECT_EQ(d.id, d2.id);
	EXPECT_LE(d.energy, d2.energy);
	EXPECT_EQ(-ENODEV, dev_get(&self->nl, d.id + 1000, &d2));

	memset(&d2, 0, sizeof(d2));
	nl_req_init(&r, self->nl.family, ENPU_CMD_DEV_GET, NLM_F_DUMP);
	ASSERT_EQ(0, nl_talk(&self->nl, &r, dev_cb, &d2));
	EXPECT_EQ(d.id, d2.id);	/* one device here */
	ASSERT_EQ(0, ctx_destroy(self->fd, ctx));
}

/*
 * A frequency cap set over netlink makes a SPIN job take exactly the
 * time the capped OPP's clock predicts; a power cap selects the highest
 * OPP whose full-load power fits; clearing both restores the top OPP.
 */
TEST_F_TIMEOUT(genl, caps_stretch_a_spin_job, 60)
{
	__u32 n = self->info.num_opps, top = self->opps[n - 1].freq_khz;
	__u32 mid = self->opps[n / 2 > 0 ? n / 2 - 1 : 0].freq_khz;
	__u64 cycles = (__u64)top * 100, point = 0;	/* 100 ms at the top */
	struct drm_enpu_ctx_query q0, q1;
	struct drm_enpu_telemetry t, t2;
	struct dev_info d = {};
	struct buf cmd = {};
	__u32 ctx = 0, sync = 0, size, i;
	char v[32];
	double expect, got;

	/* Run at the ceiling, whatever the load: the floor is the top. */
	snprintf(v, sizeof(v), "%llu", top * 1000ull);
	ASSERT_EQ(0, enpu_write_file(DEVFREQ "min_freq", v));
	ASSERT_EQ(0, dev_set(&self->nl, mid, -1));
	ASSERT_EQ(0, dev_get(&self->nl, -1, &d));
	EXPECT_EQ(mid, d.freq_cap);
	EXPECT_EQ(mid, d.freq_max);
	usleep(100000);
	EXPECT_EQ((long)mid * 1000, enpu_read_long(DEVFREQ "cur_freq"));

	ASSERT_EQ(0, ctx_create(self->fd, DRM_ENPU_PRIORITY_NORMAL, &ctx, &sync));
	ASSERT_EQ(0, buf_new(self->fd, SZ_4K, 0, &cmd));
	put(&cmd, 0, DRM_ENPU_OP_SPIN, cycles, 0, 0);
	size = put(&cmd, 1, DRM_ENPU_OP_END, 0, 0, 0);
	ASSERT_EQ(0, ctx_query(self->fd, ctx, &q0));
	ASSERT_EQ(0, submit(self->fd, ctx, &cmd, size, NULL, &point));
	ASSERT_EQ(0, timeline_wait(self->fd, sync, point, 20 * NS));
	ASSERT_EQ(0, ctx_query(self->fd, ctx, &q1));
	expect = (double)cycles / mid * 1e6;
	got = (double)(q1.busy_ns - q0.busy_ns);
	TH_LOG("cap %u kHz: %.1f ms modeled, %.1f ms on the device", mid,
	       expect / 1e6, got / 1e6);
	EXPECT_LE(expect, got);
	EXPECT_GT(0.02, (got - expect) / expect);

	/*
	 * A power cap: the highest OPP whose full-load power fits, static
	 * power included (what an awake idle NPU draws).
	 */
	ASSERT_EQ(0, dev_set(&self->nl, 0, -1));
	ASSERT_EQ(0, enpu_write_file(RPM "control", "on"));
	usleep(100000);
	size = sizeof(t);
	ASSERT_EQ(0, _enpu_query(self->fd, DRM_ENPU_QUERY_TELEMETRY, &size, &t, 0, 0));
	ASSERT_LT(0, t.power_mw);
	for (i = 0; i < n; i++) {
		__u32 want = self->opps[i].freq_khz;
		__u32 cap = t.power_mw + self->opps[i].power_mw;

		ASSERT_EQ(0, dev_set(&self->nl, -1, cap));
		ASSERT_EQ(0, dev_get(&self->nl, -1, &d));
		EXPECT_EQ(cap, d.power_cap);
		EXPECT_EQ(want, d.freq_max);
		/* DEV_QUERY's telemetry reports the same ceiling. */
		size = sizeof(t2);
		ASSERT_EQ(0, _enpu_query(self->fd, DRM_ENPU_QUERY_TELEMETRY, &size,
					 &t2, 0, 0));
		EXPECT_EQ(want, t2.freq_max_khz);
		if (i + 1 < n) {	/* one mW short of the next OPP */
			cap = t.power_mw + self->opps[i + 1].power_mw - 1;
			ASSERT_EQ(0, dev_set(&self->nl, -1, cap));
			ASSERT_EQ(0, dev_get(&self->nl, -1, &d));
			EXPECT_EQ(want, d.freq_max);
		}
	}
	/* Below the lowest OPP's power: the lowest OPP. */
	ASSERT_EQ(0, dev_set(&self->nl, -1, 1));
	ASSERT_EQ(0, dev_get(&self->nl, -1, &d));
	EXPECT_EQ(self->opps[0].freq_khz, d.freq_max);

	ASSERT_EQ(0, dev_set(&self->nl, 0, 0));
	ASSERT_EQ(0, dev_get(&self->nl, -1, &d));
	EXPECT_EQ(0, d.freq_cap);
	EXPECT_EQ(0, d.power_cap);
	EXPECT_EQ(top, d.freq_max);
	EXPECT_EQ(-EINVAL, dev_set(&self->nl, -1, -1));	/* nothing to set */
	buf_free(self->fd, &cmd);
	ASSERT_EQ(0, ctx_destroy(self->fd, ctx));
}

/* Poll devfreq's clock for up to 2 s until @ok says it is right. */
static long clock_settles(bool (*ok)(long khz, __u32 want), __u32 want)
{
	long khz = -1;
	int i;

	for (i = 0; i < 40; i++) {
		khz = enpu_read_long(DEVFREQ "cur_freq") / 1000;
		if (ok(khz, want))
			break;
		usleep(50000);
	}
	return khz;
}

static bool is_khz(long khz, __u32 want)
{
	return khz == want;
}

static bool below_khz(long khz, __u32 want)
{
	return khz >= 0 && khz < want;
}

/*
 * A frequency floor holds an idle NPU's clock up, where the load-based
 * governor would let it fall; the ceiling (a cap) wins over it; cleared,
 * the governor takes the clock down again.
 */
TEST_F_TIMEOUT(genl, floor_holds_the_clock, 60)
{
	__u32 n = self->info.num_opps, top = self->opps[n - 1].freq_khz;
	__u32 mid = self->opps[n / 2].freq_khz;
	struct dev_info d = {};

	ASSERT_EQ(0, enpu_write_file(RPM "control", "on"));
	EXPECT_GT(top, clock_settles(below_khz, top)) TH_LOG("an idle NPU slows down");

	ASSERT_EQ(0, dev_set_floor(&self->nl, top));
	ASSERT_EQ(0, dev_get(&self->nl, -1, &d));
	EXPECT_EQ(top, d.floor);
	EXPECT_EQ(top, clock_settles(is_khz, top));

	ASSERT_EQ(0, dev_set(&self->nl, mid, -1));	/* the ceiling wins */
	EXPECT_EQ(mid, clock_settles(is_khz, mid));
	ASSERT_EQ(0, dev_set(&self->nl, 0, -1));
	EXPECT_EQ(top, clock_settles(is_khz, top));

	/* Above the top OPP: refused, the floor unchanged. */
	EXPECT_EQ(-EINVAL, dev_set_floor(&self->nl, top + 1));
	ASSERT_EQ(0, dev_get(&self->nl, -1, &d));
	EXPECT_EQ(top, d.floor);

	ASSERT_EQ(0, dev_set_floor(&self->nl, 0));
	ASSERT_EQ(0, dev_get(&self->nl, -1, &d));
	EXPECT_EQ(0, d.floor);
	EXPECT_GT(top, clock_settles(below_khz, top));
}

/* CTX_GET reports what the context's owner and the driver know of it. */
TEST_F(genl, ctx_get)
{
	struct ctx_info c = {};
	char comm[16] = {};
	struct nl_req r;
	__u32 ctx = 0;

	ASSERT_EQ(0, prctl(PR_GET_NAME, comm));
	ASSERT_EQ(0, ctx_create(self->fd, DRM_ENPU_PRIORITY_LOW, &ctx, NULL));
	ASSERT_EQ(0, set_param(self->fd, ctx, DRM_ENPU_PARAM_CLASS,
			       DRM_ENPU_CLASS_INTERACTIVE));
	ASSERT_EQ(0, set_param(self->fd, ctx, DRM_ENPU_PARAM_PERIOD_US, 33333));
	ASSERT_EQ(0, set_param(self->fd, ctx, DRM_ENPU_PARAM_DEADLINE_US, 20000));
	ASSERT_EQ(0, set_param(self->fd, ctx, DRM_ENPU_PARAM_JOB_DURATION_US, 8000));

	ASSERT_EQ(0, ctx_get(&self->nl, self->client, ctx, &c));
	EXPECT_EQ(self->client, c.client);
	EXPECT_EQ(ctx, c.id);
	EXPECT_EQ((__u32)getpid(), c.pid);
	EXPECT_STREQ(comm, c.comm);
	EXPECT_EQ(DRM_ENPU_PRIORITY_LOW, c.prio);
	EXPECT_EQ(DRM_ENPU_PRIORITY_NORMAL, c.grant);
	EXPECT_EQ(DRM_ENPU_CLASS_INTERACTIVE, c.class);
	EXPECT_EQ(33333, c.period);
	EXPECT_EQ(20000, c.deadline);
	EXPECT_EQ(8000, c.job);
	EXPECT_EQ(0, c.runtime);
	EXPECT_EQ(0, c.frozen);
	EXPECT_EQ(0, c.submitted);
	EXPECT_EQ(ENPU_CTX_STATE_OK, c.state);

	EXPECT_EQ(-ENOENT, ctx_get(&self->nl, self->client, ctx + 1, &c));
	EXPECT_EQ(-ENOENT, ctx_get(&self->nl, self->client + 100000, ctx, &c));
	/* The client is required. */
	nl_req_init(&r, self->nl.family, ENPU_CMD_CTX_GET, 0);
	nl_put_u32(&r, ENPU_A_CTX_ID, ctx);
	EXPECT_EQ(-EINVAL, nl_talk(&self->nl, &r, ctx_cb, &c));
	ASSERT_EQ(0, ctx_destroy(self->fd, ctx));
	EXPECT_EQ(-ENOENT, ctx_get(&self->nl, self->client, ctx, &c));
}

/* CTX_SET: priority, budget and freeze land on the context; bad input fails. */
TEST_F(genl, ctx_set)
{
	const int budget[] = { ENPU_A_CTX_BUDGET_RUNTIME, ENPU_A_CTX_BUDGET_PERIOD };
	const __u32 b20[] = { 2000, 10000 }, bad[] = { 20000, 10000 }, off[] = { 0, 0 };
	struct drm_enpu_ctx_query q;
	__u32 ctx = 0;

	ASSERT_EQ(0, ctx_create(self->fd, DRM_ENPU_PRIORITY_NORMAL, &ctx, NULL));
	ASSERT_EQ(0, ctx_set1(&self->nl, self->client, ctx, ENPU_A_CTX_PRIORITY,
			      DRM_ENPU_PRIORITY_HIGH));
	ASSERT_EQ(0, ctx_set(&self->nl, self->client, ctx, 2, budget, b20));
	ASSERT_EQ(0, ctx_set1(&self->nl, self->client, ctx, ENPU_A_CTX_FROZEN, 1));
	ASSERT_EQ(0, ctx_query(self->fd, ctx, &q));
	EXPECT_EQ(DRM_ENPU_PRIORITY_HIGH, q.priority);
	EXPECT_EQ(2000, q.runtime_us);
	EXPECT_EQ(10000, q.period_us);
	EXPECT_EQ(DRM_ENPU_CTX_FROZEN, q.flags & DRM_ENPU_CTX_FROZEN);

	ASSERT_EQ(0, ctx_set1(&self->nl, self->client, ctx, ENPU_A_CTX_FROZEN, 0));
	ASSERT_EQ(0, ctx_set(&self->nl, self->client, ctx, 2, budget, off));
	ASSERT_EQ(0, ctx_query(self->fd, ctx, &q));
	EXPECT_EQ(0, q.flags & DRM_ENPU_CTX_FROZEN);
	EXPECT_EQ(0, q.runtime_us);

	EXPECT_EQ(-EINVAL, ctx_set(&self->nl, self->client, ctx, 2, budget, bad));
	EXPECT_EQ(-EINVAL, ctx_set(&self->nl, self->client, ctx, 1, budget, b20));
	EXPECT_EQ(-EINVAL, ctx_set(&self->nl, self->client, ctx, 0, NULL, NULL));
	EXPECT_EQ(-ERANGE, ctx_set1(&self->nl, self->client, ctx,
				    ENPU_A_CTX_PRIORITY, 9));
	EXPECT_EQ(-ERANGE, ctx_set1(&self->nl, self->client, ctx,
				    ENPU_A_CTX_FROZEN, 2));
	EXPECT_EQ(-ENOENT, ctx_set1(&self->nl, self->client, ctx + 1,
				    ENPU_A_CTX_FROZEN, 1));
	ASSERT_EQ(0, ctx_query(self->fd, ctx, &q));
	EXPECT_EQ(0, q.runtime_us);	/* failed requests changed nothing */
	EXPECT_EQ(DRM_ENPU_PRIORITY_HIGH, q.priority);
	ASSERT_EQ(0, ctx_destroy(self->fd, ctx));
}

/* Device time core @core has run jobs for, in ns (debugfs "sched"). */
static long long core_busy_ns(unsigned int core)
{
	char key[16], line[256];
	unsigned long long busy;
	long long val = -1;
	FILE *f = fopen(ENPU_DEBUGFS "sched", "r");

	if (!f)
		return -1;
	snprintf(key, sizeof(key), "core%u", core);
	while (fgets(line, sizeof(line), f)) {
		char name[16];

		if (sscanf(line, "%15s busy_ns %llu", name, &busy) == 2 && !strcmp(name, key))
			val = busy;
	}
	fclose(f);
	return val;
}

/* Run @n SPIN jobs of 20 ms on @ctx; how long each core was busy meanwhile. */
static int spin_on(int fd, __u32 ctx, __u32 sync, int n, long long *busy, __u32 cores)
{
	long long before[8];
	struct buf cmd = {};
	__u64 point = 0;
	__u32 size, i;
	int ret;

	ret = buf_new(fd, SZ_4K, 0, &cmd);
	if (ret)
		return ret;
	size = spin_ms(&cmd, top_khz(fd), 20);
	for (i = 0; i < cores; i++)
		before[i] = core_busy_ns(i);
	for (i = 0; i < (__u32)n && !ret; i++)
		ret = submit(fd, ctx, &cmd, size, NULL, &point);
	if (!ret)
		ret = timeline_wait(fd, sync, point, 20 * NS);
	for (i = 0; i < cores; i++)
		busy[i] = core_busy_ns(i) - before[i];
	buf_free(fd, &cmd);
	return ret;
}

/*
 * cores-allowed confines a context's jobs to the control plane's cores:
 * with the owner's core mask when the two meet, on the allowed ones when
 * they do not, also for a context that always has jobs in flight.  An
 * empty mask, or one naming a core the device lacks, is -EINVAL and
 * changes nothing.
 */
TEST_F(genl, cores_allowed_confine_a_context)
{
	__u32 n = self->info.num_cores, all = (1u << n) - 1, last = 1u << (n - 1);
	struct ctx_info c = {};
	long long busy[8], before[8];
	struct drm_enpu_ctx_query q;
	struct buf cmd = {};
	__u32 ctx = 0, sync = 0, i, size;
	__u64 point = 0;

	if (n < 2)
		SKIP(return, "one core: nothing to confine to");
	ASSERT_GE(8, n);
	ASSERT_EQ(0, enpu_write_file(RPM "control", "on"));
	ASSERT_EQ(0, ctx_create(self->fd, DRM_ENPU_PRIORITY_NORMAL, &ctx, &sync));
	ASSERT_EQ(0, ctx_get(&self->nl, self->client, ctx, &c));
	EXPECT_EQ(all, c.cores);

	ASSERT_EQ(0, ctx_set1(&self->nl, self->client, ctx, ENPU_A_CTX_CORES_ALLOWED, last));
	ASSERT_EQ(0, ctx_get(&self->nl, self->client, ctx, &c));
	EXPECT_EQ(last, c.cores);
	ASSERT_EQ(0, spin_on(self->fd, ctx, sync, 3, busy, n));
	TH_LOG("allowed 0x%x: core busy %lld ms, last core %lld ms", last,
	       busy[0] / 1000000, busy[n - 1] / 1000000);
	for (i = 0; i + 1 < n; i++)
		EXPECT_EQ(0, busy[i]);
	EXPECT_LE(60000000, busy[n - 1]);

	/* The owner's mask names only core 0: the control plane decides. */
	ASSERT_EQ(0, set_param(self->fd, ctx, DRM_ENPU_PARAM_CORE_MASK, 1));
	ASSERT_EQ(0, spin_on(self->fd, ctx, sync, 1, busy, n));
	EXPECT_EQ(0, busy[0]);
	EXPECT_LE(20000000, busy[n - 1]);

	/* Both allowed: the owner's mask holds again. */
	ASSERT_EQ(0, ctx_set1(&self->nl, self->client, ctx, ENPU_A_CTX_CORES_ALLOWED, all));
	ASSERT_EQ(0, spin_on(self->fd, ctx, sync, 1, busy, n));
	EXPECT_LE(20000000, busy[0]);
	EXPECT_EQ(0, busy[n - 1]);

	/*
	 * Jobs in flight on core 0 when the cores change: the next
	 * submission waits for them, then runs on the allowed core.
	 */
	ASSERT_EQ(0, buf_new(self->fd, SZ_4K, 0, &cmd));
	size = spin_ms(&cmd, top_khz(self->fd), 100);
	for (i = 0; i < n; i++)
		before[i] = core_busy_ns(i);
	ASSERT_EQ(0, submit(self->fd, ctx, &cmd, size, NULL, &point));
	ASSERT_EQ(0, submit(self->fd, ctx, &cmd, size, NULL, &point));
	ASSERT_EQ(0, ctx_set1(&self->nl, self->client, ctx,
			      ENPU_A_CTX_CORES_ALLOWED, last));
	ASSERT_EQ(0, ctx_query(self->fd, ctx, &q));
	ASSERT_GT(q.submitted, q.completed + q.failed);	/* still in flight */
	ASSERT_EQ(0, submit(self->fd, ctx, &cmd, size, NULL, &point));
	ASSERT_EQ(0, timeline_wait(self->fd, sync, point, 20 * NS));
	for (i = 0; i < n; i++)
		busy[i] = core_busy_ns(i) - before[i];
	TH_LOG("moved with jobs in flight: core 0 %lld ms, last core %lld ms",
	       busy[0] / 1000000, busy[n - 1] / 1000000);
	EXPECT_LE(200000000, busy[0]);
	EXPECT_LE(100000000, busy[n - 1]);
	buf_free(self->fd, &cmd);
	ASSERT_EQ(0, ctx_set1(&self->nl, self->client, ctx,
			      ENPU_A_CTX_CORES_ALLOWED, all));

	EXPECT_EQ(-EINVAL, ctx_set1(&self->nl, self->client, ctx, ENPU_A_CTX_CORES_ALLOWED, 0));
	EXPECT_EQ(-EINVAL, ctx_set1(&self->nl, self->client, ctx, ENPU_A_CTX_CORES_ALLOWED,
				    1u << n));
	ASSERT_EQ(0, ctx_get(&self->nl, self->client, ctx, &c));
	EXPECT_EQ(all, c.cores);
	ASSERT_EQ(0, ctx_destroy(self->fd, ctx));
}

/*
 * Without CAP_NET_ADMIN anyone may read the device but nobody may set
 * anything or see the contexts and the events: ctx-get, the setters and
 * joining the events group fail with -EPERM.  A priority grant lets an
 * app without CAP_SYS_NICE raise its own context up to the grant.
 */
TEST_F(genl, unprivileged_and_grants)
{
	int to_child[2], to_parent[2], status;
	__u32 ctx = 0;
	pid_t pid;
	char go;

	ASSERT_EQ(0, pipe(to_child));
	ASSERT_EQ(0, pipe(to_parent));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct nl_sock s;
		struct dev_info d;
		struct ctx_info c;
		int fail = 0;

		fail |= drop_privileges() << 0;
		fail |= (nl_open(&s, ENPU_FAMILY_NAME) != 0) << 1;
		fail |= (dev_get(&s, -1, &d) != 0) << 2;
		fail |= (dev_set(&s, 1, -1) != -EPERM) << 3;
		fail |= (ctx_create(self->fd, DRM_ENPU_PRIORITY_NORMAL, &ctx, NULL) != 0) << 4;
		fail |= (ctx_get(&s, self->client, ctx, &c) != -EPERM) << 5;
		fail |= (nl_subscribe(&s, ENPU_MCGRP_EVENTS) != -EPERM) << 10;
		fail |= (ctx_set1(&s, self->client, ctx, ENPU_A_CTX_PRIORITY,
				  DRM_ENPU_PRIORITY_LOW) != -EPERM) << 6;
		fail |= (set_param(self->fd, ctx, DRM_ENPU_PARAM_PRIORITY,
				   DRM_ENPU_PRIORITY_HIGH) != -EACCES) << 7;
		/* The parent grants HIGH. */
		if (write(to_parent[1], &ctx, sizeof(ctx)) != sizeof(ctx) ||
		    read(to_child[0], &go, 1) != 1)
			_exit(255);
		fail |= (set_param(self->fd, ctx, DRM_ENPU_PARAM_PRIORITY,
				   DRM_ENPU_PRIORITY_HIGH) != 0) << 8;
		fail |= (set_param(self->fd, ctx, DRM_ENPU_PARAM_PRIORITY,
				   DRM_ENPU_PRIORITY_REALTIME) != -EACCES) << 9;
		_exit(fail);
	}
	ASSERT_EQ(sizeof(ctx), read(to_parent[0], &ctx, sizeof(ctx)));
	ASSERT_EQ(0, ctx_set1(&self->nl, self->client, ctx,
			      ENPU_A_CTX_PRIORITY_GRANT, DRM_ENPU_PRIORITY_HIGH));
	ASSERT_EQ(1, write(to_child[1], "g", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) {
		TH_LOG("failed checks, as a bit mask: 0x%x", WEXITSTATUS(status));
	}
	close(to_child[0]);
	close(to_child[1]);
	close(to_parent[0]);
	close(to_parent[1]);
}

#define DUMP_PROCS	50
#define DUMP_CTXS	10

struct dump_count {
	pid_t pids[DUMP_PROCS];
	int per_pid[DUMP_PROCS];
	int total;
};

static int dump_cb(struct nl_msg *m, void *arg)
{
	struct dump_count *dc = arg;
	struct ctx_info c;
	int i, ret = ctx_cb(m, &c);

	if (ret)
		return ret;
	dc->total++;
	for (i = 0; i < DUMP_PROCS; i++)
		if ((__u32)dc->pids[i] == c.pid)
			dc->per_pid[i]++;
	return 0;
}

/* A CTX_GET dump of 500 contexts of 50 processes: each exactly once. */
TEST_F_TIMEOUT(genl, dump_500_contexts_of_50_processes, 120)
{
	struct dump_count dc = {};
	int ready[2], hold[2], i, status;
	struct nl_req r;
	char b;

	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(hold));
	for (i = 0; i < DUMP_PROCS; i++) {
		pid_t pid = fork();

		ASSERT_LE(0, pid);
		if (!pid) {
			int fd = enpu_open_device(), j;
			__u32 id;

			close(hold[1]);
			for (j = 0; j < DUMP_CTXS; j++)
				if (fd < 0 || ctx_create(fd, DRM_ENPU_PRIORITY_NORMAL, &id, NULL))
					_exit(1);
			if (write(ready[1], "r", 1) != 1)
				_exit(2);
			/* Hold the contexts until the parent closes the pipe. */
			while (read(hold[0], &b, 1) > 0)
				;
			_exit(0);
		}
		dc.pids[i] = pid;
	}
	close(hold[0]);
	for (i = 0; i < DUMP_PROCS; i++)
		ASSERT_EQ(1, read(ready[0], &b, 1));

	nl_req_init(&r, self->nl.family, ENPU_CMD_CTX_GET, NLM_F_DUMP);
	ASSERT_EQ(0, nl_talk(&self->nl, &r, dump_cb, &dc));
	TH_LOG("dump: %d contexts in all", dc.total);
	EXPECT_LE(DUMP_PROCS * DUMP_CTXS, dc.total);
	for (i = 0; i < DUMP_PROCS; i++)
		EXPECT_EQ(DUMP_CTXS, dc.per_pid[i]);

	close(hold[1]);
	for (i = 0; i < DUMP_PROCS; i++) {
		ASSERT_EQ(dc.pids[i], waitpid(dc.pids[i], &status, 0));
		EXPECT_EQ(0, WEXITSTATUS(status));
	}
	close(ready[0]);
	close(ready[1]);
}

struct ctx_match {
	__u64 client;
	__u32 ctx;
};

static bool is_ctx(struct nl_msg *m, void *arg)
{
	struct ctx_match *cm = arg;

	return m->tb[ENPU_A_EVENT_CLIENT] && m->tb[ENPU_A_EVENT_CTX_ID] &&
	       nl_u64(m->tb[ENPU_A_EVENT_CLIENT]) == cm->client &&
	       nl_u32(m->tb[ENPU_A_EVENT_CTX_ID]) == cm->ctx;
}

static bool is_kind(struct nl_msg *m, void *arg)
{
	return m->tb[ENPU_A_EVENT_RESET_KIND] &&
	       nl_u32(m->tb[ENPU_A_EVENT_RESET_KIND]) == *(__u32 *)arg;
}

/* A throttle event the control plane's cap caused (not the thermal zone). */
static bool is_cap(struct nl_msg *m, void *arg)
{
	(void)arg;
	return m->tb[ENPU_A_EVENT_REASON] &&
	       nl_u32(m->tb[ENPU_A_EVENT_REASON]) == ENPU_THROTTLE_REASON_CAP;
}

static bool is_asleep(struct nl_msg *m, void *arg)
{
	return m->tb[ENPU_A_EVENT_SUSPENDED] &&
	       nl_u8(m->tb[ENPU_A_EVENT_SUSPENDED]) == *(__u8 *)arg;
}

/* Every event type reaches a subscriber, with its attributes. */
TEST_F_TIMEOUT(genl, events, 120)
{
	__u32 mid = self->opps[0].freq_khz, kind;
	struct ctx_match cm = { .client = self->client };
	__u8 one = 1, zero = 0;
	struct nl_sock ev;
	struct buf cmd = {};
	struct nl_msg m = {};
	__u32 sync = 0, size;
	__u64 point = 0;

	/* Events on a socket of their own: requests' answers skip them. */
	ASSERT_EQ(0, nl_open(&ev, ENPU_FAMILY_NAME));
	ASSERT_EQ(0, nl_subscribe(&ev, ENPU_MCGRP_EVENTS));
	ASSERT_EQ(0, buf_new(self->fd, SZ_4K, 0, &cmd));

	ASSERT_EQ(0, ctx_create(self->fd, DRM_ENPU_PRIORITY_NORMAL, &cm.ctx, &sync));
	ASSERT_EQ(1, nl_wait_event(&ev, ENPU_CMD_CTX_CREATED_NTF, 5000,
				   is_ctx, &cm, &m));
	ASSERT_TRUE(m.tb[ENPU_A_EVENT_PID] != NULL);
	EXPECT_EQ((__u32)getpid(), nl_u32(m.tb[ENPU_A_EVENT_PID]));
	ASSERT_TRUE(m.tb[ENPU_A_EVENT_DEV_ID] != NULL);

	ASSERT_EQ(0, set_param(self->fd, cm.ctx, DRM_ENPU_PARAM_CLASS,
			       DRM_ENPU_CLASS_BACKGROUND));
	EXPECT_EQ(1, nl_wait_event(&ev, ENPU_CMD_CTX_HINT_NTF, 5000,
				   is_ctx, &cm, NULL));

	/* A stream that reads an address it does not own faults. */
	put(&cmd, 0, DRM_ENPU_OP_DMA_COPY, 0x7000000000ull, cmd.va + 2048, 64);
	size = put(&cmd, 1, DRM_ENPU_OP_END, 0, 0, 0);
	ASSERT_EQ(0, submit(self->fd, cm.ctx, &cmd, size, NULL, &point));
	ASSERT_EQ(0, timeline_wait(self->fd, sync, point, 20 * NS));
	ASSERT_EQ(1, nl_wait_event(&ev, ENPU_CMD_JOB_FAULT_NTF, 5000,
				   is_ctx, &cm, &m));
	ASSERT_TRUE(m.tb[ENPU_A_EVENT_ERROR] != NULL);
	EXPECT_EQ(-EFAULT, (__s32)nl_u32(m.tb[ENPU_A_EVENT_ERROR]));
	EXPECT_TRUE(m.tb[ENPU_A_EVENT_CORE] != NULL);
	ASSERT_EQ(0, ctx_destroy(self->fd, cm.ctx));
	EXPECT_EQ(1, nl_wait_event(&ev, ENPU_CMD_CTX_DESTROYED_NTF, 5000,
				   is_ctx, &cm, NULL));

	/* A hang: a timeout, then a core reset. */
	ASSERT_EQ(0, ctx_create(self->fd, DRM_ENPU_PRIORITY_NORMAL, &cm.ctx, &sync));
	ASSERT_EQ(0, set_param(self->fd, cm.ctx, DRM_ENPU_PARAM_JOB_TIMEOUT_MS, 100));
	put(&cmd, 0, DRM_ENPU_OP_NOP, 0, 0, 0);
	size = put(&cmd, 1, DRM_ENPU_OP_END, 0, 0, 0);
	ASSERT_EQ(0, enpu_write_file(DEBUGFS "inject_hang", "1"));
	ASSERT_EQ(0, submit(self->fd, cm.ctx, &cmd, size, NULL, &point));
	ASSERT_EQ(0, timeline_wait(self->fd, sync, point, 20 * NS));
	EXPECT_EQ(1, nl_wait_event(&ev, ENPU_CMD_JOB_TIMEOUT_NTF, 5000,
				   is_ctx, &cm, NULL));
	kind = ENPU_RESET_KIND_CORE;
	ASSERT_EQ(1, nl_wait_event(&ev, ENPU_CMD_RESET_NTF, 5000,
				   is_kind, &kind, &m));
	EXPECT_TRUE(m.tb[ENPU_A_EVENT_CORE] != NULL);

	/* A firmware crash: a device reset. */
	ASSERT_EQ(0, enpu_write_file(DEBUGFS "inject_fw_crash", "1"));
	kind = ENPU_RESET_KIND_DEVICE;
	EXPECT_EQ(1, nl_wait_event(&ev, ENPU_CMD_RESET_NTF, 10000,
				   is_kind, &kind, NULL));

	/* The control plane's cap moves the ceiling. */
	ASSERT_EQ(0, dev_set(&self->nl, mid, -1));
	ASSERT_EQ(1, nl_wait_event(&ev, ENPU_CMD_THROTTLE_NTF, 5000,
				   is_cap, NULL, &m));
	ASSERT_TRUE(m.tb[ENPU_A_EVENT_FREQ_MAX] != NULL);
	EXPECT_EQ(mid, nl_u32(m.tb[ENPU_A_EVENT_FREQ_MAX]));
	ASSERT_TRUE(m.tb[ENPU_A_EVENT_REASON] != NULL);
	EXPECT_EQ(ENPU_THROTTLE_REASON_CAP, nl_u32(m.tb[ENPU_A_EVENT_REASON]));
	EXPECT_TRUE(m.tb[ENPU_A_EVENT_TEMP] != NULL);
	ASSERT_EQ(0, dev_set(&self->nl, 0, -1));
	ASSERT_EQ(1, nl_wait_event(&ev, ENPU_CMD_THROTTLE_NTF, 5000,
				   is_cap, NULL, &m));
	EXPECT_EQ(self->opps[self->info.num_opps - 1].freq_khz,
		  nl_u32(m.tb[ENPU_A_EVENT_FREQ_MAX]));

	/*
	 * The NPU falls asleep when idle, and wakes up for work.  A job first,
	 * so that the NPU is awake now: it may have fallen asleep already
	 * while the waits above skipped every other event.
	 */
	ASSERT_EQ(0, ctx_destroy(self->fd, cm.ctx));
	ASSERT_EQ(0, ctx_create(self->fd, DRM_ENPU_PRIORITY_NORMAL, &cm.ctx, &sync));
	put(&cmd, 0, DRM_ENPU_OP_NOP, 0, 0, 0);
	size = put(&cmd, 1, DRM_ENPU_OP_END, 0, 0, 0);
	ASSERT_EQ(0, submit(self->fd, cm.ctx, &cmd, size, NULL, &point));
	ASSERT_EQ(0, timeline_wait(self->fd, sync, point, 20 * NS));
	ASSERT_EQ(1, nl_wait_event(&ev, ENPU_CMD_POWER_NTF, 5000, is_asleep, &one, &m));
	ASSERT_EQ(0, submit(self->fd, cm.ctx, &cmd, size, NULL, &point));
	EXPECT_EQ(1, nl_wait_event(&ev, ENPU_CMD_POWER_NTF, 5000, is_asleep, &zero, NULL));
	ASSERT_EQ(0, timeline_wait(self->fd, sync, point, 20 * NS));

	ASSERT_EQ(0, ctx_destroy(self->fd, cm.ctx));
	buf_free(self->fd, &cmd);
	nl_close(&ev);
}

TEST_HARNESS_MAIN
