// SPDX-License-Identifier: MIT
/*
 * bench/daemon: what enpud costs, with each event loop side by side
 * (io_uring, then epoll on the same load):
 *   - wakeups per second and CPU time while the NPU is idle and cool;
 *   - CPU time per minute, wakeups per second and control steps while it
 *     arbitrates a hot NPU (both cores busy, a fast thermal clock);
 *   - resident memory;
 *   - the latency from a battery event (phonesim's capacity falling
 *     below the low threshold while discharging) to the background
 *     context frozen in the kernel, seen from outside, and enpud's CPU
 *     time per control step.
 * Runs in the guest; needs /tests/enpud and phonesim.
 * Usage: enpu-bench-daemon [SECONDS per phase, default 5]
 * Exit status: 0, 1 setup failure.
 */
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "enpu_utils.h"
#include "enpu_job_utils.h"

#define ENPUD		"/tests/enpud"
#define SOCK		"/tmp/bench-enpud.sock"
#define CONF		"/tmp/bench-enpud.conf"
#define TIME_SCALE	"/sys/module/enpu/parameters/thermal_time_scale"
#define PS		"/sys/kernel/debug/phonesim/"

struct load {
	int fd;
	__u32 khz, ctx[2], sync[2];
	__u64 last[2];
	struct buf cmd;
	__u32 size;
};

static pid_t start(bool epoll)
{
	pid_t pid = fork();
	int i;

	if (!pid) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		dup2(null, 2);
		execl(ENPUD, "enpud", "-c", CONF, "-s", SOCK, epoll ? "--epoll" : NULL,
		      (char *)NULL);
		_exit(127);
	}
	for (i = 0; pid > 0 && i < 200; i++) {
		struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = SOCK };
		int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		bool up = s >= 0 && !connect(s, (struct sockaddr *)&sa, sizeof(sa));

		if (s >= 0)
			close(s);
		if (up)
			return pid;
		usleep(20000);
	}
	return -1;
}

/* A figure from "status --json". */
/* enpud's --json status answer in @buf; 0, or -1 when it cannot be asked. */
static int status_read(char *buf, size_t len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = SOCK };
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ssize_t n, got = 0;

	buf[0] = 0;
	if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof(sa))) {
		if (s >= 0)
			close(s);
		return -1;
	}
	send(s, "status --json\n", 14, MSG_NOSIGNAL);
	while ((n = recv(s, buf + got, len - 1 - got, 0)) > 0)
		got += n;
	buf[got] = 0;
	close(s);
	return 0;
}

/* The number after "@key": in @buf, or -1. */
static long json_val(const char *buf, const char *key)
{
	char k[64];
	const char *p;

	snprintf(k, sizeof(k), "\"%s\":", key);
	p = strstr(buf, k);
	return p ? strtol(p + strlen(k), NULL, 10) : -1;
}

static long status_val(const char *key)
{
	char buf[2048];

	return status_read(buf, sizeof(buf)) ? -1 : json_val(buf, key);
}

/* Loop callbacks so far, less those that served control clients. */
static long own_wakeups(void)
{
	char buf[2048];

	if (status_read(buf, sizeof(buf)))
		return -1;
	return json_val(buf, "wakeups") - json_val(buf, "client_wakeups");
}

/* CPU time (ms) and resident memory (KiB) of @pid. */
static void usage_of(pid_t pid, double *cpu_ms, long *rss_kib)
{
	char path[64], line[512];
	unsigned long ut = 0, st = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (f) {
		if (fgets(line, sizeof(line), f)) {
			char *p = strrchr(line, ')');

			if (p)
				sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
				       &ut, &st);
		}
		fclose(f);
	}
	*cpu_ms = (ut + st) * 1000.0 / sysconf(_SC_CLK_TCK);
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	*rss_kib = -1;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld", rss_kib) == 1)
			break;
	if (f)
		fclose(f);
}

/* Keep two 10 ms SPINs queued on each context. */
static void keep_busy(struct load *l)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (l->last[i] > 1 && timeline_wait(l->fd, l->sync[i], l->last[i] - 1, 0))
			continue;
		submit(l->fd, l->ctx[i], &l->cmd, l->size, NULL, &l->last[i]);
		if (l->last[i] == 1)
			submit(l->fd, l->ctx[i], &l->cmd, l->size, NULL, &l->last[i]);
	}
}

static void settle(struct load *l)
{
	int i;

	for (i = 0; i < 2; i++)
		if (l->last[i])
			timeline_wait(l->fd, l->sync[i], l->last[i], 60 * NS);
	enpu_write_file(TIME_SCALE, "1000");
	usleep(200000);
	enpu_write_file(TIME_SCALE, "1");
}

static int run(struct load *l, bool epoll, int secs)
{
	double cpu0, cpu1, cpu2;
	long rss, w0, w1, w2, s1, s2;
	int64_t t, t0;
	struct drm_enpu_ctx_query q;
	pid_t pid;

	enpu_write_file(PS "online", "1");
	enpu_write_file(PS "capacity", "80");
	pid = start(epoll);
	if (pid < 0)
		return 1;
	usleep(500000);

	/* Idle: the status requests' own wakeups are not counted. */
	usage_of(pid, &cpu0, &rss);
	w0 = own_wakeups();
	sleep(secs);
	w1 = own_wakeups();
	usage_of(pid, &cpu1, &rss);
	printf("%-8s idle:   %.2f wakeups/s (status requests excluded), %.1f ms CPU in %d s\n",
	       epoll ? "epoll" : "io_uring", (w1 - w0) / (double)secs, cpu1 - cpu0, secs);

	/* Arbitrating: both cores busy, heating fast. */
	enpu_write_file(TIME_SCALE, "20");
	s1 = status_val("steps");
	t0 = now_ns();
	while (now_ns() - t0 < secs * NS) {
		keep_busy(l);
		usleep(2000);
	}
	s2 = status_val("steps");
	w2 = own_wakeups();
	usage_of(pid, &cpu2, &rss);
	printf("%-8s busy:   %.1f ms CPU per minute, %.1f wakeups/s, %ld control steps, %.3f ms CPU per step, RSS %ld KiB\n",
	       epoll ? "epoll" : "io_uring", (cpu2 - cpu1) * 60 / secs,
	       (w2 - w1) / (double)secs, s2 - s1,
	       s2 > s1 ? (cpu2 - cpu1) / (s2 - s1) : 0, rss);
	settle(l);

	/* A battery event to the background context frozen. */
	enpu_write_file(PS "online", "0");
	keep_busy(l);
	t0 = now_ns();
	enpu_write_file(PS "capacity", "15");
	for (t = 0; now_ns() - t0 < 5 * NS; ) {
		if (!ctx_query(l->fd, l->ctx[0], &q) && (q.flags & DRM_ENPU_CTX_FROZEN)) {
			t = now_ns() - t0;
			break;
		}
		usleep(500);
	}
	printf("%-8s event:  battery low to background frozen in %.1f ms (seen by a poller at 0.5 ms)\n",
	       epoll ? "epoll" : "io_uring", t / 1e6);
	enpu_write_file(PS "online", "1");
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	settle(l);
	return 0;
}

int main(int argc, char **argv)
{
	int secs = argc > 1 ? atoi(argv[1]) : 5;
	struct load l = {};
	FILE *f;

	if (secs < 1 || access(PS "capacity", W_OK) || access(ENPUD, X_OK)) {
		fprintf(stderr, "enpu-bench-daemon: needs phonesim and " ENPUD "\n");
		return 1;
	}
	f = fopen(CONF, "w");
	if (!f)
		return 1;
	fputs("[policy]\nperiod_ms = 100\n", f);
	fclose(f);
	l.fd = enpu_open_device();
	l.khz = l.fd >= 0 ? top_khz(l.fd) : 0;
	if (!l.khz || ctx_create(l.fd, DRM_ENPU_PRIORITY_NORMAL, &l.ctx[0], &l.sync[0]) ||
	    set_param(l.fd, l.ctx[0], DRM_ENPU_PARAM_CLASS, DRM_ENPU_CLASS_BACKGROUND) ||
	    ctx_create(l.fd, DRM_ENPU_PRIORITY_NORMAL, &l.ctx[1], &l.sync[1]) ||
	    buf_new(l.fd, SZ_4K, 0, &l.cmd)) {
		fprintf(stderr, "enpu-bench-daemon: cannot set the load up\n");
		return 1;
	}
	l.size = spin_ms(&l.cmd, l.khz, 10);
	printf("enpud's cost, %d s per phase; the same load on each event loop\n", secs);
	if (run(&l, false, secs) || run(&l, true, secs)) {
		fprintf(stderr, "enpu-bench-daemon: enpud did not start\n");
		return 1;
	}
	return 0;
}
