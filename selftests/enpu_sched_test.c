// SPDX-License-Identifier: MIT
/*
 * Scheduling and recovery: priorities, CTX_SET_PARAM, budgets and freeze,
 * hang detection and core reset, device reset after a firmware crash,
 * fdinfo engine time against the device's busy time, tracepoints and
 * reset uevents.
 *
 * Runs as root in the test guest, with the default two-core firmware.
 */
#include <linux/netlink.h>
#include <linux/sync_file.h>
#include <poll.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "enpu_utils.h"
#include "enpu_job_utils.h"
#include "enpu_nl.h"

#define DEBUGFS		ENPU_DEBUGFS
#define TRACEFS		"/sys/kernel/debug/tracing/"
#define MS		1000000ll

/* Budget or freeze command for a context of @fd (debugfs "budget"). */
static int budget_cmd(int fd, __u32 ctx, const char *what)
{
	char cmd[96];

	snprintf(cmd, sizeof(cmd), "%llu %u %s", enpu_client_id(fd), ctx, what);
	return enpu_write_file(DEBUGFS "budget", cmd);
}

/* A numeric fdinfo key of @fd, or -1. */
static long long fdinfo_val(int fd, const char *key)
{
	char path[64], line[256], name[64];
	long long val = -1, v;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63[^:]: %lld", name, &v) == 2 && !strcmp(name, key))
			val = v;
	fclose(f);
	return val;
}

static __u32 nop_stream(struct buf *cmd)
{
	put(cmd, 0, DRM_ENPU_OP_NOP, 0, 0, 0);
	return put(cmd, 1, DRM_ENPU_OP_END, 0, 0, 0);
}

FIXTURE(sched) {
	int fd;
	__u32 khz;
};

FIXTURE_SETUP(sched)
{
	struct drm_enpu_device_info info;
	__u32 size = sizeof(info);

	self->fd = enpu_open_device();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, _enpu_query(self->fd, DRM_ENPU_QUERY_DEVICE_INFO, &size,
				 &info, 0, 0));
	ASSERT_LE(2, info.num_cores);	/* the tests pin work to cores 0 and 1 */
	self->khz = top_khz(self->fd);
	ASSERT_NE(0, self->khz);
}

FIXTURE_TEARDOWN(sched)
{
	close(self->fd);
	EXPECT_EQ(0, jobs_drain());
	EXPECT_EQ(0, enpu_objects("contexts"));
	EXPECT_EQ(0, enpu_objects("bos"));
}

/* When the fence in binary syncobj @h signalled (its sync_file's time). */
static __s64 signal_time_ns(int fd, __u32 h)
{
	struct drm_syncobj_handle e = {
		.handle = h, .flags = DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE, .fd = -1,
	};
	struct sync_fence_info fi = {};
	struct sync_file_info info = { .num_fences = 1, .sync_fence_info = (uintptr_t)&fi };
	int ret;

	if (ioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &e))
		return -1;
	ret = ioctl(e.fd, SYNC_IOC_FILE_INFO, &info);
	close(e.fd);
	return ret || fi.status != 1 ? -1 : (__s64)fi.timestamp_ns;
}

/*
 * Four LOW contexts and one HIGH context on core 0, each with one job
 * gated on the same fence (a job on core 1), the HIGH one submitted last:
 * it must complete first, every time.  Equal priorities would run them in
 * submission order.  The gate's context is frozen until all five are
 * queued: a gate that only lasted long enough once opened before the HIGH
 * job was queued, on the slow debug kernel.  The order is read from each
 * job's fence's signal time (an out syncobj per job, exported as a
 * sync_file), not from which fence a waiter saw first: a waiter that woke
 * late on the debug kernel saw the HIGH and the next LOW job both done.
 */
TEST_F(sched, high_priority_completes_first)
{
	__u32 ids[5], syncobjs[5], outs[5], gate = 0, gate_sync = 0, size, gsize;
	struct buf cmd = {}, gcmd = {};
	int rep, i;

	ASSERT_EQ(0, buf_new(self->fd, SZ_4K, 0, &cmd));
	ASSERT_EQ(0, buf_new(self->fd, SZ_4K, 0, &gcmd));
	size = spin_ms(&cmd, self->khz, 20);
	gsize = spin_ms(&gcmd, self->khz, 30);
	ASSERT_EQ(0, ctx_on(self->fd, DRM_ENPU_PRIORITY_NORMAL, 0x2, &gate, &gate_sync));
	for (i = 0; i < 5; i++) {
		ASSERT_EQ(0, ctx_on(self->fd, i < 4 ? DRM_ENPU_PRIORITY_LOW :
				    DRM_ENPU_PRIORITY_HIGH, 0x1, &ids[i], &syncobjs[i]));
		ASSERT_EQ(0, syncobj_create(self->fd, &outs[i]));
	}

	for (rep = 0; rep < 20; rep++) {
		struct drm_enpu_fence_ref in = { .syncobj = gate_sync };
		struct submit_opts o = { .in = &in, .in_count = 1 };
		__s64 t[5], first_low = INT64_MAX;
		__u64 points[5];
		struct drm_syncobj_timeline_wait w = {
			.handles = (uintptr_t)syncobjs,
			.points = (uintptr_t)points,
			.count_handles = 5,
			.flags = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT |
				 DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL,
		};

		ASSERT_EQ(0, budget_cmd(self->fd, gate, "freeze"));
		ASSERT_EQ(0, submit(self->fd, gate, &gcmd, gsize, NULL, &in.point));
		for (i = 0; i < 5; i++) {
			o.out = outs[i];
			ASSERT_EQ(0, submit(self->fd, ids[i], &cmd, size, &o, &points[i]));
		}
		ASSERT_EQ(0, budget_cmd(self->fd, gate, "thaw"));
		w.timeout_nsec = now_ns() + 30 * NS;
		ASSERT_EQ(0, ioctl(self->fd, DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT, &w));
		for (i = 0; i < 5; i++) {
			t[i] = signal_time_ns(self->fd, outs[i]);
			ASSERT_LT(0, t[i]);
			if (i < 4 && t[i] < first_low)
				first_low = t[i];
		}
		EXPECT_LT(t[4], first_low) {
			TH_LOG("repetition %d: the HIGH job finished %lld us after the first LOW one",
			       rep, (long long)(t[4] - first_low) / 1000);
		}
	}
	buf_free(self->fd, &cmd);
	buf_free(self->fd, &gcmd);
}

TEST_F(sched, priority_above_normal_needs_cap_sys_nice)
{
	__u32 id = 0;
	int status;
	pid_t pid;

	ASSERT_EQ(0, ctx_create(self->fd, DRM_ENPU_PRIORITY_NORMAL, &id, NULL));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		__u32 other;

		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(1);
		if (ctx_create(self->fd, DRM_ENPU_PRIORITY_HIGH, &other, NULL) != -EACCES ||
		    ctx_create(self->fd, DRM_ENPU_PRIORITY_REALTIME, &other, NULL) != -EACCES)
			_exit(2);
		if (set_param(self->fd, id, DRM_ENPU_PARAM_PRIORITY,
			      DRM_ENPU_PRIORITY_HIGH) != -EACCES ||
		    set_param(self->fd, id, DRM_ENPU_PARAM_PRIORITY,
			      DRM_ENPU_PRIORITY_REALTIME) != -EACCES)
			_exit(3);
		if (set_param(self->fd, id, DRM_ENPU_PARAM_PRIORITY, DRM_ENPU_PRIORITY_LOW) ||
		    set_param(self->fd, id, DRM_ENPU_PARAM_PRIORITY, DRM_ENPU_PRIORITY_NORMAL))
			_exit(4);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	/* With the capability both work. */
	EXPECT_EQ(0, set_param(self->fd, id, DRM_ENPU_PARAM_PRIORITY,
			       DRM_ENPU_PRIORITY_REALTIME));
	EXPECT_EQ(0, set_param(self->fd, id, DRM_ENPU_PARAM_PRIORITY,
			       DRM_ENPU_PRIORITY_HIGH));
}

/* The 0.1 layout of CTX_QUERY, which older callers still pass. */
struct ctx_query_v1 {
	__u32 ctx_id;
	__u32 state;
	__u64 submitted;
	__u64 completed;
	__u64 failed;
	__s32 last_error;
	__u32 pad;
};

TEST_F(sched, set_param_and_query)
{
	struct drm_enpu_ctx_query q;
	struct ctx_query_v1 old = {};
	long long max;
	__u32 id = 0;
	FILE *f;

	ASSERT_EQ(0, ctx_create(self->fd, DRM_ENPU_PRIORITY_NORMAL, &id, NULL));
	ASSERT_EQ(0, ctx_query(self->fd, id, &q));
	EXPECT_EQ(DRM_ENPU_PRIORITY_NORMAL, q.priority);
	EXPECT_EQ(DRM_ENPU_CLASS_NORMAL, q.class_hint);
	EXPECT_EQ(0x3, q.core_mask);
	EXPECT_EQ(2000, q.job_timeout_ms);
	EXPECT_EQ(0, q.runtime_us);
	EXPECT_EQ(0, q.flags);

	EXPECT_EQ(0, set_param(self->fd, id, DRM_ENPU_PARAM_CLASS, DRM_ENPU_CLASS_INTERACTIVE));
	EXPECT_EQ(0, set_param(self->fd, id, DRM_ENPU_PARAM_PERIOD_US, 33333));
	EXPECT_EQ(0, set_param(self->fd, id, DRM_ENPU_PARAM_DEADLINE_US, 30000));
	EXPECT_EQ(0, set_param(self->fd, id, DRM_ENPU_PARAM_JOB_DURATION_US, 8000));
	EXPECT_EQ(0, set_param(self->fd, id, DRM_ENPU_PARAM_JOB_TIMEOUT_MS, 500));
	EXPECT_EQ(0, set_param(self->fd, id, DRM_ENPU_PARAM_CORE_MASK, 0x2));
	EXPECT_EQ(0, set_param(self->fd, id, DRM_ENPU_PARAM_PRIORITY, DRM_ENPU_PRIORITY_LOW));
	ASSERT_EQ(0, ctx_query(self->fd, id, &q));
	EXPECT_EQ(DRM_ENPU_CLASS_INTERACTIVE, q.class_hint);
	EXPECT_EQ(33333, q.hint_period_us);
	EXPECT_EQ(30000, q.hint_deadline_us);
	EXPECT_EQ(8000, q.hint_job_us);
	EXPECT_EQ(500, q.job_timeout_ms);
	EXPECT_EQ(0x2, q.core_mask);
	EXPECT_EQ(DRM_ENPU_PRIORITY_LOW, q.priority);

	/* Every documented -EINVAL, and -ENOENT. */
	EXPECT_EQ(-EINVAL, set_param(self->fd, id, 99, 0));
	EXPECT_EQ(-EINVAL, set_param(self->fd, id, DRM_ENPU_PARAM_PRIORITY, 4));
	EXPECT_EQ(-EINVAL, set_param(self->fd, id, DRM_ENPU_PARAM_CLASS, 4));
	EXPECT_EQ(-EINVAL, set_param(self->fd, id, DRM_ENPU_PARAM_PERIOD_US,
				     DRM_ENPU_MAX_HINT_US + 1ull));
	EXPECT_EQ(-EINVAL, set_param(self->fd, id, DRM_ENPU_PARAM_JOB_TIMEOUT_MS,
				     DRM_ENPU_MIN_JOB_TIMEOUT_MS - 1));
	f = fopen("/sys/module/enpu/parameters/job_timeout_max_ms", "r");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(1, fscanf(f, "%lld", &max));
	fclose(f);
	EXPECT_EQ(0, set_param(self->fd, id, DRM_ENPU_PARAM_JOB_TIMEOUT_MS, max));
	EXPECT_EQ(-EINVAL, set_param(self->fd, id, DRM_ENPU_PARAM_JOB_TIMEOUT_MS, max + 1));
	EXPECT_EQ(-EINVAL, set_param(self->fd, id, DRM_ENPU_PARAM_CORE_MASK, 0));
	EXPECT_EQ(-EINVAL, set_param(self->fd, id, DRM_ENPU_PARAM_CORE_MASK, 0x4));
	EXPECT_EQ(-EINVAL, set_param(self->fd, id, DRM_ENPU_PARAM_CORE_MASK, 1ull << 40));
	EXPECT_EQ(-ENOENT, set_param(self->fd, id + 100, DRM_ENPU_PARAM_CLASS, 0));
	ASSERT_EQ(0, ctx_query(self->fd, id, &q));
	EXPECT_EQ(0x2, q.core_mask);

	/* The shorter structure of driver 0.1 still works. */
	old.ctx_id = id;
	EXPECT_EQ(0, ioctl(self->fd, DRM_IOWR(DRM_COMMAND_BASE + DRM_ENPU_CTX_QUERY,
					      struct ctx_query_v1), &old));
	EXPECT_EQ(DRM_ENPU_CTX_OK, old.state);
}

/*
 * A context limited to 20% (10 ms per 50 ms) gets 20% +- 5% of device
 * time over 20 periods while two others keep both cores busy; frozen, it
 * gets none; thawed, it runs again.  It runs at HIGH priority, so that
 * the budget alone limits it (how an arbiter would treat a camera).
 */
TEST_F_TIMEOUT(sched, budget_share_and_freeze, 120)
{
	struct buf a_cmd = {}, b_cmd = {};
	__u32 a = 0, b1 = 0, b2 = 0, a_size, b_size;
	struct drm_enpu_ctx_query q;
	long long busy0, busy1, t0, t1;
	double share;
	int i;

	ASSERT_EQ(0, buf_new(self->fd, SZ_4K, 0, &a_cmd));
	ASSERT_EQ(0, buf_new(self->fd, SZ_4K, 0, &b_cmd));
	a_size = spin_ms(&a_cmd, self->khz, 2);
	b_size = spin_ms(&b_cmd, self->khz, 2);
	ASSERT_EQ(0, ctx_create(self->fd, DRM_ENPU_PRIORITY_HIGH, &a, NULL));
	ASSERT_EQ(0, ctx_on(self->fd, DRM_ENPU_PRIORITY_NORMAL, 0x1, &b1, NULL));
	ASSERT_EQ(0, ctx_on(self->fd, DRM_ENPU_PRIORITY_NORMAL, 0x2, &b2, NULL));

	ASSERT_EQ(0, budget_cmd(self->fd, a, "10000 50000"));
	EXPECT_EQ(-EINVAL, budget_cmd(self->fd, a, "60000 50000"));
	EXPECT_EQ(-EINVAL, budget_cmd(self->fd, a, "10 100"));
	EXPECT_EQ(-ENOENT, budget_cmd(self->fd, a + 100, "10000 50000"));
	ASSERT_EQ(0, ctx_query(self->fd, a, &q));
	EXPECT_EQ(10000, q.runtime_us);
	EXPECT_EQ(50000, q.period_us);

	/* The load first (slow to submit on a debug kernel), then A. */
	for (i = 0; i < 1000; i++) {
		ASSERT_EQ(0, submit(self->fd, b1, &b_cmd, b_size, NULL, NULL));
		ASSERT_EQ(0, submit(self->fd, b2, &b_cmd, b_size, NULL, NULL));
	}
	for (i = 0; i < 250; i++)
		ASSERT_EQ(0, submit(self->fd, a, &a_cmd, a_size, NULL, NULL));

	usleep(100000);
	ASSERT_EQ(0, ctx_query(self->fd, a, &q));
	busy0 = q.busy_ns;
	t0 = now_ns();
	usleep(1000000);	/* 20 periods */
	ASSERT_EQ(0, ctx_query(self->fd, a, &q));
	busy1 = q.busy_ns;
	t1 = now_ns();
	share = (double)(busy1 - busy0) / (t1 - t0);
	TH_LOG("budgeted context: %.1f%% of device time", share * 100);
	EXPECT_LE(0.15, share);
	EXPECT_GE(0.25, share);

	ASSERT_EQ(0, budget_cmd(self->fd, a, "freeze"));
	usleep(50000);	/* the job on the core, if any, completes */
	ASSERT_EQ(0, ctx_query(self->fd, a, &q));
	EXPECT_EQ(DRM_ENPU_CTX_FROZEN, q.flags);
	busy0 = q.busy_ns;
	usleep(300000);
	ASSERT_EQ(0, ctx_query(self->fd, a, &q));
	EXPECT_EQ(busy0, q.busy_ns);

	ASSERT_EQ(0, budget_cmd(self->fd, a, "thaw"));
	usleep(200000);
	ASSERT_EQ(0, ctx_query(self->fd, a, &q));
	EXPECT_EQ(0, q.flags);
	EXPECT_LT(busy0, q.busy_ns);

	/* Destroying frees what the budget holds back; B's queues go too. */
	EXPECT_EQ(0, ctx_destroy(self->fd, a));
	EXPECT_EQ(0, ctx_destroy(self->fd, b1));
	EXPECT_EQ(0, ctx_destroy(self->fd, b2));
	buf_free(self->fd, &a_cmd);
	buf_free(self->fd, &b_cmd);
}

/*
 * 50 hangs in a row, each in a fresh context: the hang is detected, the
 * core reset, the hung job fails with -ETIMEDOUT, the context's queued job
 * is cancelled and the context is guilty; innocent jobs queued behind it
 * on the same core, from another context of the hung one's own file, from
 * this file and from another, complete with correct results.
 */
TEST_F_TIMEOUT(sched, hang_recovery_50_cycles, 300)
{
	struct copy_job c1 = {}, c2 = {};
	__u32 n1 = 0, n1_sync = 0, n2 = 0, n2_sync = 0;
	long long resets0;
	int fd2, ue, i;

	fd2 = enpu_open_device();
	ASSERT_LE(0, fd2);
	ue = uevent_open();
	ASSERT_LE(0, ue);
	ASSERT_EQ(0, copy_job_new(self->fd, &c1));
	ASSERT_EQ(0, copy_job_new(fd2, &c2));
	ASSERT_EQ(0, ctx_on(self->fd, DRM_ENPU_PRIORITY_NORMAL, 0x1, &n1, &n1_sync));
	ASSERT_EQ(0, ctx_on(fd2, DRM_ENPU_PRIORITY_NORMAL, 0x1, &n2, &n2_sync));
	resets0 = sched_stat("core0 resets");
	ASSERT_LE(0, resets0);

	for (i = 0; i < 50; i++) {
		struct drm_enpu_ctx_query q;
		__u64 pg = 0, pg2 = 0, p1 = 0, p2 = 0, p3 = 0;
		__u32 g = 0, g_sync = 0, n3 = 0, n3_sync = 0, nsize;
		struct copy_job c3 = {};
		struct buf nop = {};
		int gfd;

		/* Each hang in a file of its own: three hangs ban a file. */
		gfd = enpu_open_device();
		ASSERT_LE(0, gfd);
		ASSERT_EQ(0, buf_new(gfd, SZ_4K, 0, &nop));
		nsize = nop_stream(&nop);
		ASSERT_EQ(0, copy_job_new(gfd, &c3));
		ASSERT_EQ(0, ctx_on(gfd, DRM_ENPU_PRIORITY_NORMAL, 0x1, &g, &g_sync));
		ASSERT_EQ(0, ctx_on(gfd, DRM_ENPU_PRIORITY_NORMAL, 0x1, &n3, &n3_sync));
		ASSERT_EQ(0, set_param(gfd, g, DRM_ENPU_PARAM_JOB_TIMEOUT_MS, 100));
		ASSERT_EQ(0, enpu_write_file(DEBUGFS "inject_hang", "1"));
		ASSERT_EQ(0, submit(gfd, g, &nop, nsize, NULL, &pg));
		if (i)	/* queued behind the hung job: cancelled */
			ASSERT_EQ(0, submit(gfd, g, &nop, nsize, NULL, &pg2));
		ASSERT_EQ(0, copy_job_submit(self->fd, n1, &c1, 0x1000 + i, &p1));
		ASSERT_EQ(0, copy_job_submit(fd2, n2, &c2, 0x2000 + i, &p2));
		ASSERT_EQ(0, copy_job_submit(gfd, n3, &c3, 0x3000 + i, &p3));

		ASSERT_EQ(0, timeline_wait(gfd, g_sync, pg, 20 * NS));
		if (!i) {
			ASSERT_EQ(0, ctx_query(gfd, g, &q));
			EXPECT_EQ(-ETIMEDOUT, q.last_error);
			EXPECT_TRUE(uevent_seen(ue, "ENPU_RESET=CORE0", 5000));
		} else {
			ASSERT_EQ(0, timeline_wait(gfd, g_sync, pg2, 20 * NS));
		}
		ASSERT_EQ(0, timeline_wait(self->fd, n1_sync, p1, 20 * NS));
		ASSERT_EQ(0, timeline_wait(fd2, n2_sync, p2, 20 * NS));
		ASSERT_EQ(0, timeline_wait(gfd, n3_sync, p3, 20 * NS));

		ASSERT_EQ(0, ctx_query(gfd, n3, &q));
		EXPECT_EQ(DRM_ENPU_CTX_OK, q.state);
		EXPECT_EQ(1, q.completed);
		EXPECT_EQ(0, q.failed);
		EXPECT_EQ(0x3000 + i, copy_job_result(&c3));
		ASSERT_EQ(0, ctx_query(gfd, g, &q));
		EXPECT_EQ(DRM_ENPU_CTX_GUILTY, q.state);
		EXPECT_EQ(i ? 2 : 1, q.failed);
		EXPECT_EQ(0, q.completed);
		if (i)
			EXPECT_EQ(-ECANCELED, q.last_error);
		EXPECT_EQ(-EBADFD, submit(gfd, g, &nop, nsize, NULL, NULL));
		EXPECT_EQ(0x1000 + i, copy_job_result(&c1));
		EXPECT_EQ(0x2000 + i, copy_job_result(&c2));
		copy_job_free(gfd, &c3);
		buf_free(gfd, &nop);
		close(gfd);
		if (_metadata->exit_code == KSFT_FAIL)	/* one broken cycle says enough */
			break;
	}

	EXPECT_EQ(resets0 + 50, sched_stat("core0 resets"));
	for (i = 0; i < 2; i++) {
		struct drm_enpu_ctx_query q;
		int fd = i ? fd2 : self->fd;

		ASSERT_EQ(0, ctx_query(fd, i ? n2 : n1, &q));
		EXPECT_EQ(DRM_ENPU_CTX_OK, q.state);
		EXPECT_EQ(50, q.completed);
		EXPECT_EQ(0, q.failed);
		EXPECT_LE(50, q.resets);
	}
	copy_job_free(self->fd, &c1);
	copy_job_free(fd2, &c2);
	close(ue);
	close(fd2);
}

#define TIMEOUT_MAX_PARAM "/sys/module/enpu/parameters/job_timeout_max_ms"

/*
 * The timeout is progress-aware: a SPIN job of 600 ms in a context whose
 * timeout is 100 ms keeps advancing the core's progress counter, so it is
 * not killed.  The administrator's maximum bounds even a progressing job:
 * with job_timeout_max_ms at 300, a 4 s SPIN is killed with -ETIMEDOUT
 * long before it would end.
 */
TEST_F_TIMEOUT(sched, timeout_spares_progress_up_to_the_admin_maximum, 120)
{
	struct drm_enpu_ctx_query q;
	char old_max[32];
	long max;
	__u32 ctx = 0, sync = 0, size;
	long long resets0;
	struct buf cmd = {};
	__u64 point = 0;
	int64_t t0, ms;
	int fd, ret;

	resets0 = sched_stat("core0 resets");
	ASSERT_LE(0, resets0);
	ASSERT_EQ(0, buf_new(self->fd, SZ_4K, 0, &cmd));
	ASSERT_EQ(0, ctx_on(self->fd, DRM_ENPU_PRIORITY_NORMAL, 0x1, &ctx, &sync));
	ASSERT_EQ(0, set_param(self->fd, ctx, DRM_ENPU_PARAM_JOB_TIMEOUT_MS, 100));
	size = spin_ms(&cmd, self->khz, 600);
	ASSERT_EQ(0, submit(self->fd, ctx, &cmd, size, NULL, &point));
	ASSERT_EQ(0, timeline_wait(self->fd, sync, point, 30 * NS));
	ASSERT_EQ(0, ctx_query(self->fd, ctx, &q));
	EXPECT_EQ(DRM_ENPU_CTX_OK, q.state);
	EXPECT_EQ(1, q.completed);
	EXPECT_EQ(0, q.failed);
	EXPECT_EQ(resets0, sched_stat("core0 resets"));
	ctx_destroy(self->fd, ctx);
	buf_free(self->fd, &cmd);

	/* The hang is a file's own: another file, so that none is banned. */
	fd = enpu_open_device();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, buf_new(fd, SZ_4K, 0, &cmd));
	ASSERT_EQ(0, ctx_on(fd, DRM_ENPU_PRIORITY_NORMAL, 0x1, &ctx, &sync));
	ASSERT_EQ(0, set_param(fd, ctx, DRM_ENPU_PARAM_JOB_TIMEOUT_MS, 100));
	size = spin_ms(&cmd, self->khz, 4000);
	max = enpu_read_long(TIMEOUT_MAX_PARAM);
	ASSERT_LT(300, max);
	snprintf(old_max, sizeof(old_max), "%ld", max);
	ASSERT_EQ(0, enpu_write_file(TIMEOUT_MAX_PARAM, "300"));
	t0 = now_ns();
	ret = submit(fd, ctx, &cmd, size, NULL, &point);
	if (!ret)
		ret = timeline_wait(fd, sync, point, 30 * NS);
	ms = (now_ns() - t0) / 1000000;
	EXPECT_EQ(0, enpu_write_file(TIMEOUT_MAX_PARAM, old_max));
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, ctx_query(fd, ctx, &q));
	EXPECT_EQ(DRM_ENPU_CTX_GUILTY, q.state);
	EXPECT_EQ(-ETIMEDOUT, q.last_error);
	EXPECT_EQ(1, q.failed);
	EXPECT_EQ(resets0 + 1, sched_stat("core0 resets"));
	EXPECT_LE(300, ms);
	EXPECT_GT(3000, ms) TH_LOG("killed after %lld ms", (long long)ms);
	TH_LOG("a progressing 4 s job was killed after %lld ms (maximum 300)",
	       (long long)ms);
	buf_free(fd, &cmd);
	close(fd);
}

/*
 * A file whose jobs hung DRM_ENPU_BAN_HANGS times is banned: its contexts
 * report BANNED, SUBMIT and CTX_CREATE fail with -EBADFD; other files
 * carry on.
 */
TEST_F_TIMEOUT(sched, banned_after_repeated_hangs, 120)
{
	struct drm_enpu_ctx_query q;
	__u32 ok_ctx = 0, ctx = 0, sync = 0, nsize, other = 0;
	struct buf nop = {};
	__u64 p = 0;
	int bad, i;

	bad = enpu_open_device();
	ASSERT_LE(0, bad);
	ASSERT_EQ(0, buf_new(bad, SZ_4K, 0, &nop));
	nsize = nop_stream(&nop);
	ASSERT_EQ(0, ctx_create(bad, DRM_ENPU_PRIORITY_NORMAL, &ok_ctx, NULL));
	for (i = 0; i < DRM_ENPU_BAN_HANGS; i++) {
		ASSERT_EQ(0, ctx_create(bad, DRM_ENPU_PRIORITY_NORMAL, &ctx, &sync));
		ASSERT_EQ(0, set_param(bad, ctx, DRM_ENPU_PARAM_JOB_TIMEOUT_MS, 100));
		ASSERT_EQ(0, enpu_write_file(DEBUGFS "inject_hang", "1"));
		ASSERT_EQ(0, submit(bad, ctx, &nop, nsize, NULL, &p));
		ASSERT_EQ(0, timeline_wait(bad, sync, p, 20 * NS));
		ASSERT_EQ(0, ctx_query(bad, ok_ctx, &q));
		EXPECT_EQ(i + 1 < DRM_ENPU_BAN_HANGS ? DRM_ENPU_CTX_OK :
			  DRM_ENPU_CTX_BANNED, q.state);
	}
	EXPECT_EQ(-EBADFD, submit(bad, ok_ctx, &nop, nsize, NULL, NULL));
	EXPECT_EQ(-EBADFD, ctx_create(bad, DRM_ENPU_PRIORITY_NORMAL, &ctx, NULL));

	/* The fixture's file is not banned. */
	ASSERT_EQ(0, ctx_create(self->fd, DRM_ENPU_PRIORITY_NORMAL, &other, &sync));
	ASSERT_EQ(0, ctx_query(self->fd, other, &q));
	EXPECT_EQ(DRM_ENPU_CTX_OK, q.state);
	buf_free(bad, &nop);
	close(bad);
}

/*
 * A firmware crash stops every core; the driver resets the device and
 * reloads the firmware.  The jobs the device held fail with -EIO, their
 * contexts are innocent and keep working.
 */
TEST_F_TIMEOUT(sched, firmware_crash_recovers_with_device_reset, 120)
{
	struct copy_job c = {};
	struct buf cmd = {};
	__u32 a = 0, a_sync = 0, b = 0, b_sync = 0, size;
	struct drm_enpu_ctx_query q;
	long long resets0;
	__u64 pa = 0, pb = 0, p = 0;
	int ue;

	ue = uevent_open();
	ASSERT_LE(0, ue);
	ASSERT_EQ(0, buf_new(self->fd, SZ_4K, 0, &cmd));
	ASSERT_EQ(0, copy_job_new(self->fd, &c));
	size = spin_ms(&cmd, self->khz, 500);
	ASSERT_EQ(0, ctx_on(self->fd, DRM_ENPU_PRIORITY_NORMAL, 0x1, &a, &a_sync));
	ASSERT_EQ(0, ctx_on(self->fd, DRM_ENPU_PRIORITY_NORMAL, 0x2, &b, &b_sync));
	resets0 = sched_stat("device_resets");
	ASSERT_LE(0, resets0);

	ASSERT_EQ(0, submit(self->fd, a, &cmd, size, NULL, &pa));
	ASSERT_EQ(0, submit(self->fd, b, &cmd, size, NULL, &pb));
	usleep(100000);
	ASSERT_EQ(0, enpu_write_file(DEBUGFS "inject_fw_crash", "1"));
	ASSERT_EQ(0, timeline_wait(self->fd, a_sync, pa, 20 * NS));
	ASSERT_EQ(0, timeline_wait(self->fd, b_sync, pb, 20 * NS));
	EXPECT_TRUE(uevent_seen(ue, "ENPU_RESET=DEVICE", 5000));
	EXPECT_EQ(resets0 + 1, sched_stat("device_resets"));

	ASSERT_EQ(0, ctx_query(self->fd, a, &q));
	EXPECT_EQ(DRM_ENPU_CTX_INNOCENT, q.state);
	EXPECT_EQ(-EIO, q.last_error);
	EXPECT_EQ(1, q.failed);
	EXPECT_LE(1, q.resets);

	/* Both contexts work again, with correct results. */
	ASSERT_EQ(0, copy_job_submit(self->fd, a, &c, 0xabc, &p));
	ASSERT_EQ(0, timeline_wait(self->fd, a_sync, p, 20 * NS));
	EXPECT_EQ(0xabc, copy_job_result(&c));
	ASSERT_EQ(0, copy_job_submit(self->fd, b, &c, 0xdef, &p));
	ASSERT_EQ(0, timeline_wait(self->fd, b_sync, p, 20 * NS));
	EXPECT_EQ(0xdef, copy_job_result(&c));
	ASSERT_EQ(0, ctx_query(self->fd, b, &q));
	EXPECT_EQ(1, q.completed);

	copy_job_free(self->fd, &c);
	buf_free(self->fd, &cmd);
	close(ue);
}

/*
 * The sum over files of drm-engine-npu matches the device's busy time
 * within 2%, with a timeout in the middle of the workload.
 */
TEST_F_TIMEOUT(sched, fdinfo_engine_time_matches_device, 120)
{
	long long dev0, dev1, f0[2], f1[2], cyc0, tot0, sum;
	__u32 ids[2], syncs[2], g = 0, g_sync = 0, size, nsize;
	struct buf cmd = {}, nop = {}, fcmd = {};
	__u64 points[2] = {}, pg = 0;
	int fds[2], i, j;

	fds[0] = self->fd;
	fds[1] = enpu_open_device();
	ASSERT_LE(0, fds[1]);
	ASSERT_EQ(0, buf_new(self->fd, SZ_4K, 0, &cmd));
	ASSERT_EQ(0, buf_new(self->fd, SZ_4K, 0, &nop));
	size = spin_ms(&cmd, self->khz, 5);
	nsize = nop_stream(&nop);
	EXPECT_EQ(2, fdinfo_val(self->fd, "drm-engine-capacity-npu"));
	cyc0 = fdinfo_val(self->fd, "drm-cycles-npu");
	tot0 = fdinfo_val(self->fd, "drm-total-cycles-npu");
	ASSERT_LE(0, cyc0);
	ASSERT_LT(0, tot0);

	dev0 = sched_stat("busy_ns");
	for (i = 0; i < 2; i++) {
		f0[i] = fdinfo_val(fds[i], "drm-engine-npu");
		ASSERT_LE(0, f0[i]);
	}
	ASSERT_EQ(0, ctx_on(self->fd, DRM_ENPU_PRIORITY_NORMAL, 0x1, &g, &g_sync));
	ASSERT_EQ(0, set_param(self->fd, g, DRM_ENPU_PARAM_JOB_TIMEOUT_MS, 100));
	ASSERT_EQ(0, buf_new(fds[1], SZ_4K, 0, &fcmd));	/* each file its own */
	spin_ms(&fcmd, self->khz, 5);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, ctx_create(fds[i], DRM_ENPU_PRIORITY_NORMAL, &ids[i], &syncs[i]));
		for (j = 0; j < 10; j++) {
			ASSERT_EQ(0, submit(fds[i], ids[i], i ? &fcmd : &cmd, size,
					    NULL, &points[i]));
			if (!i && j == 5) {	/* a hang mid-way */
				ASSERT_EQ(0, enpu_write_file(DEBUGFS "inject_hang", "1"));
				ASSERT_EQ(0, submit(self->fd, g, &nop, nsize, NULL, &pg));
			}
		}
	}
	ASSERT_EQ(0, timeline_wait(self->fd, g_sync, pg, 20 * NS));
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, timeline_wait(fds[i], syncs[i], points[i], 20 * NS));

	dev1 = sched_stat("busy_ns");
	sum = 0;
	for (i = 0; i < 2; i++) {
		f1[i] = fdinfo_val(fds[i], "drm-engine-npu");
		EXPECT_LT(f0[i] + 50 * MS, f1[i]);	/* ten 5 ms jobs each */
		sum += f1[i] - f0[i];
	}
	TH_LOG("files %lld ns, device %lld ns", sum, dev1 - dev0);
	EXPECT_GE((dev1 - dev0) / 50, llabs(sum - (dev1 - dev0)));
	EXPECT_LT(cyc0, fdinfo_val(self->fd, "drm-cycles-npu"));
	EXPECT_LT(tot0, fdinfo_val(self->fd, "drm-total-cycles-npu"));

	buf_free(self->fd, &cmd);
	buf_free(self->fd, &nop);
	buf_free(fds[1], &fcmd);
	close(fds[1]);
}

/* The job life cycle and a reset show up in the enpu trace events. */
TEST_F_TIMEOUT(sched, tracepoints, 60)
{
	static const char *const events[] = {
		"enpu_job_submit:", "enpu_job_run:", "enpu_job_done:",
		"enpu_job_timeout:", "enpu_reset:",
	};
	bool seen[5] = {};
	char line[512];
	__u32 id = 0, sync = 0, nsize;
	struct buf nop = {};
	__u64 p = 0;
	FILE *f;
	int i;

	i = open(TRACEFS "trace", O_WRONLY | O_TRUNC | O_CLOEXEC);	/* clears it */
	ASSERT_LE(0, i);
	close(i);
	ASSERT_EQ(0, enpu_write_file(TRACEFS "events/enpu/enable", "1"));
	ASSERT_EQ(0, buf_new(self->fd, SZ_4K, 0, &nop));
	nsize = nop_stream(&nop);
	ASSERT_EQ(0, ctx_create(self->fd, DRM_ENPU_PRIORITY_NORMAL, &id, &sync));
	ASSERT_EQ(0, set_param(self->fd, id, DRM_ENPU_PARAM_JOB_TIMEOUT_MS, 100));
	ASSERT_EQ(0, submit(self->fd, id, &nop, nsize, NULL, &p));
	ASSERT_EQ(0, timeline_wait(self->fd, sync, p, 20 * NS));
	ASSERT_EQ(0, enpu_write_file(DEBUGFS "inject_hang", "1"));
	ASSERT_EQ(0, submit(self->fd, id, &nop, nsize, NULL, &p));
	ASSERT_EQ(0, timeline_wait(self->fd, sync, p, 20 * NS));
	ASSERT_EQ(0, enpu_write_file(TRACEFS "events/enpu/enable", "0"));

	f = fopen(TRACEFS "trace", "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f))
		for (i = 0; i < 5; i++)
			if (strstr(line, events[i]))
				seen[i] = true;
	fclose(f);
	for (i = 0; i < 5; i++) {
		EXPECT_TRUE(seen[i]) {
			TH_LOG("no %s event", events[i]);
		}
	}
	buf_free(self->fd, &nop);
}

TEST_HARNESS_MAIN
