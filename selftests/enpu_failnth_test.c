// SPDX-License-Identifier: MIT
/*
 * fail-nth sweeps in the style of the kernel's iommufd_fail_nth selftest:
 * for n = 1, 2, ... fail the n-th allocation of an ioctl path until the
 * path completes without reaching n.  Every injected failure must return
 * a clean error, leave no object alive and leave the file usable.
 *
 * enpu_failnth_test sweeps with the driver's own fault points (debugfs
 * enpu/fail_nth: the driver's allocations), which every kernel has, and
 * fails the device's own operations through enpu/fail_hw (a ring write,
 * firmware boots).  Built with ENPU_KERNEL_FAILNTH it is
 * enpu_failnth_kernel_test, run only on the debug tier: it sweeps with
 * the kernel's /proc/thread-self/fail-nth, which fails any slab or page
 * allocation of the path, in the DRM core and the mm as well.
 */
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "enpu_utils.h"
#include "enpu_job_utils.h"

#define DRIVER_NTH	"/sys/kernel/debug/enpu/fail_nth"
#define KERNEL_NTH	"/proc/thread-self/fail-nth"
#define FAIL_HW		"/sys/kernel/debug/enpu/fail_hw"
#define DEBUGFS		ENPU_DEBUGFS
#define RPM_CONTROL	"/sys/devices/platform/enpu/power/control"

static int arm(const char *knob, long n)
{
	char s[24];

	snprintf(s, sizeof(s), "%ld", n);
	return enpu_write_file(knob, s);
}

/* The live object counts, to compare before and after a failed call. */
struct census {
	int files, bos, mappings, contexts, jobs;
};

static struct census census(void)
{
	struct census c = {
		enpu_objects("files"), enpu_objects("bos"), enpu_objects("mappings"),
		enpu_objects("contexts"), enpu_objects("jobs"),
	};

	return c;
}

static bool census_eq(struct census a, struct census b)
{
	return !memcmp(&a, &b, sizeof(a));
}

/* A path under test: run it once; undo what a success created. */
struct path {
	const char *name;
	int (*run)(int fd, void *state);
	void (*undo)(int fd, void *state);
};

struct state {
	int new_fd;
	__u32 handle, ctx, syncobj, ctx2, syncobj2;
	struct buf cmd, src, dst;
	void *user;
};

static int run_open(int fd, void *p)
{
	struct state *s = p;

	(void)fd;
	s->new_fd = enpu_open_device();
	return s->new_fd < 0 ? -ENOMEM : 0;
}

static void undo_open(int fd, void *p)
{
	(void)fd;
	close(((struct state *)p)->new_fd);
}

static int run_bo_create(int fd, void *p)
{
	return _enpu_bo_create(fd, 64 * 4096, 0, &((struct state *)p)->handle);
}

static int run_userptr(int fd, void *p)
{
	struct state *s = p;

	return _enpu_userptr(fd, s->user, 16 * 4096, 0, &s->handle);
}

static void undo_bo(int fd, void *p)
{
	enpu_gem_close(fd, ((struct state *)p)->handle);
}

static int run_ctx_create(int fd, void *p)
{
	struct state *s = p;

	return ctx_create(fd, DRM_ENPU_PRIORITY_NORMAL, &s->ctx2, &s->syncobj2);
}

static void undo_ctx(int fd, void *p)
{
	struct state *s = p;
	struct drm_syncobj_destroy d = { .handle = s->syncobj2 };

	ctx_destroy(fd, s->ctx2);
	ioctl(fd, DRM_IOCTL_SYNCOBJ_DESTROY, &d);
}

/* A copy job with a BO list and an in-fence (the previous point). */
static int run_submit(int fd, void *p)
{
	struct state *s = p;
	struct drm_enpu_bo_ref bos[] = {
		{ s->src.handle, DRM_ENPU_BO_REF_READ },
		{ s->dst.handle, DRM_ENPU_BO_REF_WRITE },
	};
	struct drm_enpu_fence_ref in = { .syncobj = s->syncobj, .point = 1 };
	struct submit_opts o = { .bos = bos, .bo_count = 2, .in = &in, .in_count = 1 };
	__u32 size;
	__u64 point = 0;
	int ret;

	put(&s->cmd, 0, DRM_ENPU_OP_DMA_COPY, s->src.va, s->dst.va, 64);
	size = put(&s->cmd, 1, DRM_ENPU_OP_END, 0, 0, 0);
	ret = submit(fd, s->ctx, &s->cmd, size, &o, &point);
	if (!ret)
		ret = timeline_wait(fd, s->syncobj, point, 20 * NS);
	return ret;
}

static void undo_nothing(int fd, void *p)
{
	(void)fd;
	(void)p;
}

static const struct path paths[] = {
	{ "open", run_open, undo_open },
	{ "BO_CREATE", run_bo_create, undo_bo },
	{ "BO_CREATE_USERPTR", run_userptr, undo_bo },
	{ "CTX_CREATE", run_ctx_create, undo_ctx },
	{ "SUBMIT", run_submit, undo_nothing },
};

FIXTURE(failnth) {
	int fd;
	struct state s;
};

FIXTURE_SETUP(failnth)
{
	__u64 point = 0;
	__u32 size;

	self->fd = enpu_open_device();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, ctx_create(self->fd, DRM_ENPU_PRIORITY_NORMAL, &self->s.ctx,
				&self->s.syncobj));
	ASSERT_EQ(0, buf_new(self->fd, SZ_4K, 0, &self->s.cmd));
	ASSERT_EQ(0, buf_new(self->fd, SZ_4K, 0, &self->s.src));
	ASSERT_EQ(0, buf_new(self->fd, SZ_4K, 0, &self->s.dst));
	self->s.user = mmap(NULL, 16 * 4096, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->s.user);
	/* Point 1, which the swept SUBMIT waits on. */
	size = put(&self->s.cmd, 0, DRM_ENPU_OP_END, 0, 0, 0);
	ASSERT_EQ(0, submit(self->fd, self->s.ctx, &self->s.cmd, size, NULL, &point));
	ASSERT_EQ(1, point);
	ASSERT_EQ(0, timeline_wait(self->fd, self->s.syncobj, point, 20 * NS));
}

FIXTURE_TEARDOWN(failnth)
{
	arm(DRIVER_NTH, 0);
	enpu_write_file(RPM_CONTROL, "auto");
	buf_free(self->fd, &self->s.cmd);
	buf_free(self->fd, &self->s.src);
	buf_free(self->fd, &self->s.dst);
	munmap(self->s.user, 16 * 4096);
	close(self->fd);
	EXPECT_EQ(0, jobs_drain());
	EXPECT_EQ(0, enpu_objects("contexts"));
	EXPECT_EQ(0, enpu_objects("bos"));
}

/*
 * Sweep @p with @knob; returns the number of allocation sites found, or
 * -1 after a failed expectation.
 */
static int sweep(struct __test_metadata *_metadata, int fd, struct state *s,
		 const struct path *p, const char *knob)
{
	int n;

	for (n = 1; n < 500; n++) {
		struct census before;
		long left;
		int ret;

		jobs_drain();
		before = census();
		if (arm(knob, n))
			return -1;
		ret = p->run(fd, s);
		left = enpu_read_long(knob);
		arm(knob, 0);
		if (left > 0) {	/* the path completed before the n-th site */
			EXPECT_EQ(0, ret) {
				TH_LOG("%s: %d without an injected failure", p->name, ret);
			}
			p->undo(fd, s);
			return n - 1;
		}
		/*
		 * Injected: a clean error (the driver's allocations have no
		 * fallback; some of the kernel's do, so there success is
		 * fine too), nothing left behind, and still usable.
		 */
		if (!strcmp(knob, DRIVER_NTH)) {
			EXPECT_GT(0, ret) {
				TH_LOG("%s: succeeded with allocation %d failed", p->name, n);
			}
		}
		if (!ret)
			p->undo(fd, s);
		jobs_drain();
		jobs_drain();
		EXPECT_TRUE(census_eq(before, census())) {
			TH_LOG("%s: objects left after failing allocation %d", p->name, n);
		}
		EXPECT_EQ(0, p->run(fd, s)) {
			TH_LOG("%s: broken after failing allocation %d", p->name, n);
		}
		p->undo(fd, s);
		if (_metadata->exit_code == KSFT_FAIL)
			return -1;
	}
	return -1;
}

#define DRV		"/sys/bus/platform/drivers/enpu/"

FIXTURE(probe) {
	int unused;
};

FIXTURE_SETUP(probe)
{
}

FIXTURE_TEARDOWN(probe)
{
	arm(DRIVER_NTH, 0);
	if (access("/dev/accel/accel0", F_OK))
		enpu_write_file(DRV "bind", "enpu");
}

/*
 * Probe, every fallible step of the driver's (its allocations, the
 * simulator, the schedulers, PM QoS, devfreq, the thermal zone, hwmon,
 * the DRM registration): binding the device runs the probe in the
 * writer's task.  Each failure must unwind cleanly (a leftover sysfs,
 * debugfs or thermal entry would fail the next bind; kmemleak checks the
 * rest on the debug tier), and the device must bind and run a job after.
 */
TEST_F_TIMEOUT(probe, driver_steps, 600)
{
	struct buf cmd = {};
	__u32 ctx = 0, sync = 0, size;
	__u64 point = 0;
	int n, fd, sites = -1;

	ASSERT_EQ(0, jobs_drain());
	ASSERT_EQ(0, enpu_write_file(DRV "unbind", "enpu"));
	for (n = 1; n < 200; n++) {
		long left;
		int ret;

		ASSERT_EQ(0, arm(DRIVER_NTH, n));
		ret = enpu_write_file(DRV "bind", "enpu");
		left = enpu_read_long(DRIVER_NTH);
		arm(DRIVER_NTH, 0);
		if (left > 0) {		/* probe completed before the n-th */
			EXPECT_EQ(0, ret);
			sites = n - 1;
			break;
		}
		EXPECT_NE(0, ret) {
			TH_LOG("probe succeeded with step %d failed", n);
		}
		EXPECT_NE(0, access("/dev/accel/accel0", F_OK));
		if (!ret)
			ASSERT_EQ(0, enpu_write_file(DRV "unbind", "enpu"));
	}
	TH_LOG("probe: %d driver fault points swept", sites);
	ASSERT_LE(5, sites);

	fd = enpu_open_device();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ctx_create(fd, DRM_ENPU_PRIORITY_NORMAL, &ctx, &sync));
	ASSERT_EQ(0, buf_new(fd, SZ_4K, 0, &cmd));
	size = put(&cmd, 0, DRM_ENPU_OP_NOP, 0, 0, 0);
	size = put(&cmd, 1, DRM_ENPU_OP_END, 0, 0, 0);
	ASSERT_EQ(0, submit(fd, ctx, &cmd, size, NULL, &point));
	EXPECT_EQ(0, timeline_wait(fd, sync, point, 20 * NS));
	buf_free(fd, &cmd);
	ASSERT_EQ(0, ctx_destroy(fd, ctx));
	close(fd);
}

#ifndef ENPU_KERNEL_FAILNTH

TEST_F_TIMEOUT(failnth, driver_allocations, 300)
{
	size_t i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		int sites = sweep(_metadata, self->fd, &self->s, &paths[i], DRIVER_NTH);

		ASSERT_LE(1, sites) {
			TH_LOG("%s: no driver allocation swept", paths[i].name);
		}
		TH_LOG("%s: %d driver allocation sites swept", paths[i].name, sites);
	}
}

/*
 * A ring write that fails fails its job with -EIO; the context is innocent
 * and goes on.
 */
TEST_F(failnth, device_submit_failure)
{
	struct drm_enpu_ctx_query q;

	ASSERT_EQ(0, enpu_write_file(FAIL_HW, "submit 1"));
	EXPECT_EQ(0, run_submit(self->fd, &self->s));
	ASSERT_EQ(0, ctx_query(self->fd, self->s.ctx, &q));
	EXPECT_EQ(-EIO, q.last_error);
	EXPECT_EQ(1, q.failed);
	EXPECT_EQ(DRM_ENPU_CTX_INNOCENT, q.state);
	((__u32 *)self->s.src.cpu)[0] = 0x5a5a;
	EXPECT_EQ(0, run_submit(self->fd, &self->s));
	EXPECT_EQ(0x5a5a, ((__u32 *)self->s.dst.cpu)[0]);
}

/*
 * Firmware boots that fail during a device reset: two failures are
 * retried past; three leave the device down until a forced reset.
 */
TEST_F_TIMEOUT(failnth, device_boot_failures, 120)
{
	struct drm_enpu_ctx_query q;

	/* Awake: a warm boot would take one of the injected failures. */
	ASSERT_EQ(0, enpu_write_file(RPM_CONTROL, "on"));

	ASSERT_EQ(0, enpu_write_file(FAIL_HW, "boot 2"));
	ASSERT_EQ(0, enpu_write_file(DEBUGFS "force_reset", "1"));
	EXPECT_EQ(0, run_submit(self->fd, &self->s));
	ASSERT_EQ(0, ctx_query(self->fd, self->s.ctx, &q));
	EXPECT_EQ(0, q.failed);

	ASSERT_EQ(0, enpu_write_file(FAIL_HW, "boot 3"));
	ASSERT_EQ(0, enpu_write_file(DEBUGFS "force_reset", "1"));
	EXPECT_EQ(0, run_submit(self->fd, &self->s));	/* the job fails */
	ASSERT_EQ(0, ctx_query(self->fd, self->s.ctx, &q));
	EXPECT_EQ(1, q.failed);
	EXPECT_EQ(-ENODEV, q.last_error);

	ASSERT_EQ(0, enpu_write_file(DEBUGFS "force_reset", "1"));
	((__u32 *)self->s.src.cpu)[0] = 0xa5a5;
	EXPECT_EQ(0, run_submit(self->fd, &self->s));
	EXPECT_EQ(0xa5a5, ((__u32 *)self->s.dst.cpu)[0]);
}

#else /* ENPU_KERNEL_FAILNTH: built only for the debug tier */

#include "enpu_nl.h"
#include <linux/enpu_genl.h>

/* The control plane's handlers, which run in the sender's task. */
static struct nl_sock nl;
static __u64 nl_client;

static int nl_ignore(struct nl_msg *m, void *arg)
{
	(void)m;
	(void)arg;
	return 0;
}

static int run_dev_get(int fd, void *p)
{
	struct nl_req r;

	(void)fd;
	(void)p;
	nl_req_init(&r, nl.family, ENPU_CMD_DEV_GET, 0);
	return nl_talk(&nl, &r, nl_ignore, NULL);
}

static int run_ctx_dump(int fd, void *p)
{
	struct nl_req r;

	(void)fd;
	(void)p;
	nl_req_init(&r, nl.family, ENPU_CMD_CTX_GET, NLM_F_DUMP);
	return nl_talk(&nl, &r, nl_ignore, NULL);
}

static int run_ctx_set(int fd, void *p)
{
	struct state *s = p;
	struct nl_req r;

	(void)fd;
	nl_req_init(&r, nl.family, ENPU_CMD_CTX_SET, 0);
	nl_put_u64(&r, ENPU_A_CTX_CLIENT, nl_client);
	nl_put_u32(&r, ENPU_A_CTX_ID, s->ctx);
	nl_put_u32(&r, ENPU_A_CTX_PRIORITY, DRM_ENPU_PRIORITY_NORMAL);
	nl_put_u32(&r, ENPU_A_CTX_CORES_ALLOWED, 1);
	return nl_talk(&nl, &r, NULL, NULL);
}

static int run_dev_set(int fd, void *p)
{
	struct nl_req r;

	(void)fd;
	(void)p;
	nl_req_init(&r, nl.family, ENPU_CMD_DEV_SET, 0);
	nl_put_u32(&r, ENPU_A_DEV_FREQ_CAP, 0);
	nl_put_u32(&r, ENPU_A_DEV_FREQ_FLOOR, 0);
	return nl_talk(&nl, &r, NULL, NULL);
}

/* The ioctls that may allocate nothing of their own: swept all the same. */
static int run_dev_query(int fd, void *p)
{
	struct drm_enpu_opp opps[16];
	__u32 size = sizeof(opps);

	(void)p;
	return _enpu_query(fd, DRM_ENPU_QUERY_OPP_TABLE, &size, opps, 0, 0);
}

static int run_bo_info(int fd, void *p)
{
	struct drm_enpu_bo_info info = {};

	return _enpu_bo_info(fd, ((struct state *)p)->src.handle, &info);
}

static int run_ctx_query(int fd, void *p)
{
	struct drm_enpu_ctx_query q;

	return ctx_query(fd, ((struct state *)p)->ctx, &q);
}

static int run_ctx_set_param(int fd, void *p)
{
	return set_param(fd, ((struct state *)p)->ctx, DRM_ENPU_PARAM_PRIORITY,
			 DRM_ENPU_PRIORITY_NORMAL);
}

static const struct path small_paths[] = {
	{ "DEV_QUERY", run_dev_query, undo_nothing },
	{ "BO_INFO", run_bo_info, undo_nothing },
	{ "CTX_QUERY", run_ctx_query, undo_nothing },
	{ "CTX_SET_PARAM", run_ctx_set_param, undo_nothing },
};

static const struct path nl_paths[] = {
	{ "genl DEV_GET", run_dev_get, undo_nothing },
	{ "genl CTX_GET dump", run_ctx_dump, undo_nothing },
	{ "genl CTX_SET", run_ctx_set, undo_nothing },
	{ "genl DEV_SET", run_dev_set, undo_nothing },
};

static void kernel_faults_setup(struct __test_metadata *_metadata)
{
	ASSERT_EQ(0, access(KERNEL_NTH, W_OK));
	ASSERT_EQ(0, enpu_write_file("/sys/kernel/debug/failslab/ignore-gfp-wait", "N"));
	ASSERT_EQ(0, enpu_write_file("/sys/kernel/debug/failslab/verbose", "0"));
	ASSERT_EQ(0, enpu_write_file("/sys/kernel/debug/fail_page_alloc/ignore-gfp-wait", "N"));
	ASSERT_EQ(0, enpu_write_file("/sys/kernel/debug/fail_page_alloc/ignore-gfp-highmem", "N"));
	ASSERT_EQ(0, enpu_write_file("/sys/kernel/debug/fail_page_alloc/min-order", "0"));
	ASSERT_EQ(0, enpu_write_file("/sys/kernel/debug/fail_page_alloc/verbose", "0"));
}

/* The genetlink handlers, every allocation of theirs. */
TEST_F_TIMEOUT(failnth, kernel_allocations_netlink, 600)
{
	size_t i;

	kernel_faults_setup(_metadata);
	nl_client = enpu_client_id(self->fd);
	ASSERT_NE(0, nl_client);
	ASSERT_EQ(0, nl_open(&nl, ENPU_FAMILY_NAME));
	for (i = 0; i < sizeof(nl_paths) / sizeof(nl_paths[0]); i++) {
		int sites = sweep(_metadata, self->fd, &self->s, &nl_paths[i], KERNEL_NTH);

		ASSERT_LE(1, sites);
		TH_LOG("%s: %d kernel allocation sites swept", nl_paths[i].name, sites);
	}
	close(nl.fd);
}

/*
 * Probe is not swept with the kernel's fail-nth: 6.12's drm_minor_alloc()
 * keeps the ERR_PTR of a failed drm_sysfs_minor_alloc() in minor->kdev,
 * and its release action then calls put_device() on it (a general
 * protection fault in kobject_put(), found by this sweep).  The driver's
 * own steps are swept above, with enpu/fail_nth, on both tiers.
 */

/* Every allocation, on a kernel with fault injection. */
TEST_F_TIMEOUT(failnth, kernel_allocations, 1800)
{
	size_t i;

	kernel_faults_setup(_metadata);
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		int sites = sweep(_metadata, self->fd, &self->s, &paths[i], KERNEL_NTH);

		ASSERT_LE(1, sites);
		TH_LOG("%s: %d kernel allocation sites swept", paths[i].name, sites);
	}
	for (i = 0; i < sizeof(small_paths) / sizeof(small_paths[0]); i++) {
		int sites = sweep(_metadata, self->fd, &self->s, &small_paths[i], KERNEL_NTH);

		ASSERT_LE(0, sites);
		TH_LOG("%s: %d kernel allocation sites swept", small_paths[i].name, sites);
	}
}

#endif

TEST_HARNESS_MAIN
