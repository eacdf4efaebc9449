// SPDX-License-Identifier: MIT
/*
 * enpu-scenario: the phone scenario.  A camera, an assistant and two
 * photo indexers (userspace/examples/enpu-app) share the NPU for a while
 * under one policy; the run's timeline, every app's frames, requests and
 * jobs, and enpud's decisions are written to a directory, with a summary.
 *
 *   enpu-scenario [-p POLICY] [-t SECONDS] [-o DIR] [-b PCT] [-l LIVE] [-s SCALE]
 *
 * POLICY: enpud (the default: enpud arbitrates, the kernel's step_wise
 *	governor stays the safety net), step_wise or power_allocator (no
 *	daemon, the kernel's governor alone), alone (the assistant alone on
 *	an NPU held awake at its top clock: the baseline of its latency, its
 *	best case), or all: each of those, then the three policies again on
 *	a battery at 25% (-b), and a comparison.
 * -b PCT: start on the battery at PCT, discharging (default: charging at 80%).
 * -l LIVE: append a live view every 2 s to the file LIVE ("-": stdout).
 * -s SCALE: the thermal model's time scale (default 2: a minute of the
 *	run is two of the die's).
 *
 * In DIR (default /tmp/scenario), per run (NAME: the policy, with
 * "-battery" for a battery run): NAME-timeline.csv (a sample every
 * 250 ms), NAME-jobs.csv (every frame, request and job), NAME-decisions.log
 * (enpud's log, each line with its time), NAME-summary.json, and
 * report.md (one table row per run).  With -p all, also compare.csv.
 * enpu-app, enpud and enpuctl are looked up next to this program, then
 * on PATH.
 *
 * Exit status: 0 every run completed and every app exited 0, 1 usage or
 * setup error, 2 an app or enpud failed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NS		1000000000ll
#define MS		1000000ll
#define SAMPLE_MS	250
#define NAPPS		4
#define MAX_JOBS	200000

#define DEVFREQ		"/sys/class/devfreq/enpu/"
#define RPM		"/sys/devices/platform/enpu/power/control"
#define SCALE		"/sys/module/enpu/parameters/thermal_time_scale"
#define PHONESIM	"/sys/kernel/debug/phonesim/"
#define BATTERY		"/sys/class/power_supply/phonesim-battery/"

static const char *const app_role[NAPPS] = { "camera", "assistant", "indexer", "indexer" };

struct opts {
	const char *policy, *dir, *live;
	double seconds;
	int battery;		/* start on the battery at this %, or -1 */
	int scale;
};

/* What one run measured (the summary). */
struct result {
	char name[48];
	double seconds;
	unsigned long frames, frames_late, frames_wrong;
	unsigned long requests, indexer_jobs, index_a, index_b, jobs;
	double req_p50, req_p99, max_temp, control, overshoot, above_s;
	double energy_mj, uj_per_job, work_ms, uj_per_work_ms, jain_bg, battery_used_mwh;
	double decisions;
	int app_failures;
};

static char self_dir[PATH_MAX - 64];
static char zone[64];
/* hwmon "enpu": energy (uJ) and power averaged since the last read (uW). */
static char hwmon_energy[320], hwmon_power[320];
static volatile sig_atomic_t interrupted;

static int64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * NS + t.tv_nsec;
}

static int write_str(const char *path, const char *v)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, v, strlen(v));
	close(fd);
	return n == (ssize_t)strlen(v) ? 0 : n < 0 ? -errno : -EIO;
}

static long long read_ll(const char *path, long long dflt)
{
	char buf[64];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return dflt;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return dflt;
	buf[n] = 0;
	return strtoll(buf, NULL, 10);
}

/* The sysfs directory of the thermal zone named enpu. */
static int find_zone(void)
{
	char path[96], type[32];
	int i;

	for (i = 0; i < 64; i++) {
		FILE *f;

		snprintf(path, sizeof(path), "/sys/class/thermal/thermal_zone%d/type", i);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fscanf(f, "%31s", type) == 1 && !strcmp(type, "enpu")) {
			fclose(f);
			snprintf(zone, sizeof(zone), "/sys/class/thermal/thermal_zone%d/", i);
			return 0;
		}
		fclose(f);
	}
	return -ENODEV;
}

static int find_hwmon(void)
{
	DIR *d = opendir("/sys/class/hwmon");
	struct dirent *de;
	char p[320], name[16];
	int ret = -ENODEV;

	while (d && ret && (de = readdir(d))) {
		FILE *f;

		snprintf(p, sizeof(p), "/sys/class/hwmon/%s/name", de->d_name);
		f = fopen(p, "r");
		if (!f)
			continue;
		if (fscanf(f, "%15s", name) == 1 && !strcmp(name, "enpu")) {
			snprintf(hwmon_energy, sizeof(hwmon_energy),
				 "/sys/class/hwmon/%s/energy1_input", de->d_name);
			snprintf(hwmon_power, sizeof(hwmon_power),
				 "/sys/class/hwmon/%s/power1_average", de->d_name);
			ret = 0;
		}
		fclose(f);
	}
	if (d)
		closedir(d);
	return ret;
}

static long long zone_ll(const char *attr)
{
	char path[128];

	snprintf(path, sizeof(path), "%s%s", zone, attr);
	return read_ll(path, 0);
}

/* A program next to this one, else by name on PATH. */
static void program(const char *name, char *path, size_t len)
{
	snprintf(path, len, "%s/%s", self_dir, name);
	if (access(path, X_OK))
		snprintf(path, len, "%s", name);
}

static pid_t spawn(char *const argv[], int out_fd, int err_fd)
{
	char path[PATH_MAX];
	pid_t pid;

	program(argv[0], path, sizeof(path));
	pid = fork();
	if (pid)
		return pid;
	if (out_fd >= 0)
		dup2(out_fd, 1);
	if (err_fd >= 0)
		dup2(err_fd, 2);
	execvp(path, argv);
	fprintf(stderr, "enpu-scenario: %s: %s\n", path, strerror(errno));
	_exit(127);
}

/* enpud answers on its socket. */
static bool enpud_up(const char *sock)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[8] = "";
	bool up = false;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return false;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa)) &&
	    write(fd, "status\n", 7) == 7 && read(fd, buf, 3) == 3)
		up = !strncmp(buf, "ok\n", 3);
	close(fd);
	return up;
}

static const char enpud_conf[] =
	"; written by enpu-scenario\n"
	"[thermal]\nzone = enpu\n"
	"[battery]\nlow_pct = 20\ncritical_pct = 10\nhysteresis_pct = 3\n"
	"; on the battery, the NPU's efficient OPPs: 600 MHz and below\n"
	"cap_mw = 2000\n"
	"[policy]\nperiod_ms = 100\nrt_limit_pct = 70\n"
	"[rule camera]\ncomm = camera\nclass = realtime\n"
	"[rule assistant]\ncomm = assistant\nclass = interactive\n"
	"[rule indexer]\ncomm = indexer\nclass = background\nweight = 1\n";

/* What a run changes, as it was before: the zone's governor, the battery. */
static char saved_policy[32];
static long long saved_capacity, saved_online;

static void save_state(void)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%spolicy", zone);
	f = fopen(path, "re");
	if (f) {
		if (fscanf(f, "%31s", saved_policy) != 1)
			saved_policy[0] = 0;
		fclose(f);
	}
	saved_capacity = read_ll(PHONESIM "capacity", -1);
	saved_online = read_ll(PHONESIM "online", -1);
}

static void restore_state(void)
{
	char path[128], v[24];

	write_str(SCALE, "1");
	write_str(DEVFREQ "min_freq", "0");
	write_str(RPM, "auto");
	snprintf(path, sizeof(path), "%spolicy", zone);
	if (saved_policy[0])
		write_str(path, saved_policy);
	if (saved_capacity >= 0) {
		snprintf(v, sizeof(v), "%lld", saved_capacity);
		write_str(PHONESIM "capacity", v);
	}
	if (saved_online >= 0) {
		snprintf(v, sizeof(v), "%lld", saved_online);
		write_str(PHONESIM "online", v);
	}
}

/* The die back at its idle temperature, the battery as the run wants. */
static int prepare(const struct opts *o, const char *governor, bool battery)
{
	char path[128], v[16];
	int ret;

	snprintf(path, sizeof(path), "%spolicy", zone);
	ret = write_str(path, governor);
	if (ret) {
		fprintf(stderr, "enpu-scenario: governor %s: %s\n", governor, strerror(-ret));
		return ret;
	}
	/* 100 ms at a 1000x thermal clock: 100 s of the die's time. */
	if (write_str(SCALE, "1000"))
		return -EIO;
	usleep(100000);
	snprintf(v, sizeof(v), "%d", o->scale);
	write_str(SCALE, v);
	write_str(DEVFREQ "min_freq", "0");
	write_str(RPM, "auto");
	snprintf(v, sizeof(v), "%d", battery ? o->battery : 80);
	ret = write_str(PHONESIM "capacity", v);
	if (!ret)
		ret = write_str(PHONESIM "online", battery ? "0" : "1");
	if (ret)
		fprintf(stderr, "enpu-scenario: phonesim: %s (is phonesim.ko loaded?)\n",
			strerror(-ret));
	/* Let the governor see the cool die and lift any throttling. */
	usleep(500000);
	return ret;
}

/* One line of enpud's log, read so far; written with the run's time. */
struct logbuf {
	int fd;
	FILE *out;
	char line[512];
	size_t len;
	unsigned long lines;
};

static void drain_log(struct logbuf *l, int64_t t0)
{
	char buf[4096];
	ssize_t n;

	if (l->fd < 0)
		return;
	while ((n = read(l->fd, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] != '\n' && l->len < sizeof(l->line) - 1) {
				l->line[l->len++] = buf[i];
				continue;
			}
			if (buf[i] != '\n')
				continue;
			l->line[l->len] = 0;
			fprintf(l->out, "%.3f\t%s\n", (now_ns() - t0) / 1e9, l->line);
			l->lines++;
			l->len = 0;
		}
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double percentile(double *v, unsigned long n, double p)
{
	unsigned long i;

	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	i = (unsigned long)ceil(p / 100 * n);
	return v[i ? i - 1 : 0];
}

/* Read the apps' CSV files into the jobs file and the result. */
static int collect(const char *dir, const char *name, struct result *r)
{
	static double lat[MAX_JOBS];
	unsigned long nlat = 0, index_pid = 0;
	char path[PATH_MAX], line[256];
	FILE *out;
	int i;

	snprintf(path, sizeof(path), "%s/%s-jobs.csv", dir, name);
	out = fopen(path, "we");
	if (!out)
		return -errno;
	fprintf(out, "app,pid,kind,release_ms,done_ms,latency_ms,late,ok,work_ms\n");
	for (i = 0; i < NAPPS; i++) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s-app%d.csv", dir, name, i);
		f = fopen(path, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			char app[16], kind[16];
			double rel, done, l, work;
			unsigned long pid;
			int late, ok;

			if (sscanf(line, "%15[^,],%lu,%15[^,],%lf,%lf,%lf,%d,%d,%lf", app, &pid, kind,
				   &rel, &done, &l, &late, &ok, &work) != 9)
				continue;	/* the header */
			fputs(line, out);
			r->work_ms += work;
			if (!strcmp(kind, "frame") || !strcmp(kind, "drop")) {
				r->frames++;
				r->frames_late += late;
				r->frames_wrong += !ok;
				r->jobs += work > 0;	/* not a dropped one */
			} else if (!strcmp(kind, "request")) {
				r->requests++;
				r->jobs += (unsigned long)(work / 2 + 0.5);	/* 2 ms each */
				if (nlat < MAX_JOBS)
					lat[nlat++] = l;
			} else {
				r->indexer_jobs++;
				r->jobs++;
				if (!index_pid || index_pid == pid) {
					index_pid = pid;
					r->index_a++;
				} else {
					r->index_b++;
				}
			}
		}
		fclose(f);
		unlink(path);
	}
	r->req_p50 = percentile(lat, nlat, 50);
	r->req_p99 = percentile(lat, nlat, 99);
	if (r->index_a + r->index_b) {
		double a = r->index_a, b = r->index_b;

		r->jain_bg = (a + b) * (a + b) / (2 * (a * a + b * b));
	}
	return fclose(out) ? -errno : 0;
}

static void write_summary(const char *dir, const struct result *r)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s-summary.json", dir, r->name);
	f = fopen(path, "w");
	if (!f)
		return;
	fprintf(f, "{\"run\": \"%s\", \"seconds\": %.1f, \"camera_frames\": %lu, "
		"\"camera_late\": %lu, \"camera_wrong\": %lu, \"camera_miss_pct\": %.2f, "
		"\"assistant_requests\": %lu, \"assistant_p50_ms\": %.2f, "
		"\"assistant_p99_ms\": %.2f, \"indexer_jobs\": %lu, \"indexer_jain\": %.3f, "
		"\"max_temp_c\": %.2f, \"control_c\": %.1f, \"overshoot_c\": %.2f, "
		"\"above_control_s\": %.2f, \"energy_mj\": %.1f, \"uj_per_job\": %.0f, "
		"\"work_ms\": %.0f, \"uj_per_work_ms\": %.1f, "
		"\"battery_used_mwh\": %.2f, \"decisions\": %.0f, \"app_failures\": %d}\n",
		r->name, r->seconds, r->frames, r->frames_late, r->frames_wrong,
		r->frames ? 100.0 * r->frames_late / r->frames : 0, r->requests, r->req_p50,
		r->req_p99, r->indexer_jobs, r->jain_bg, r->max_temp, r->control, r->overshoot,
		r->above_s, r->energy_mj, r->uj_per_job, r->work_ms, r->uj_per_work_ms,
		r->battery_used_mwh, r->decisions, r->app_failures);
	fclose(f);
}

static void report_row(FILE *f, const struct result *r)
{
	fprintf(f, "| %-23s | %6lu | %5.2f%% | %8.1f | %8.1f | %5lu | %5.1f | %+6.2f | %6.1f | "
		"%6.0f | %6.1f | %5.3f | %7.2f | %5.0f |\n",
		r->name, r->frames, r->frames ? 100.0 * r->frames_late / r->frames : 0,
		r->req_p50, r->req_p99, r->indexer_jobs, r->max_temp,
		r->max_temp - r->control, r->above_s, r->uj_per_job, r->uj_per_work_ms,
		r->jain_bg, r->battery_used_mwh, r->decisions);
}

static void report_head(FILE *f)
{
	fprintf(f, "| run                     | frames | missed | asst p50 | asst p99 | index | "
		"max C | over C | >ctl s | uJ/job | uJ/wms | Jain  | bat mWh | decis |\n"
		"|-------------------------|-------:|-------:|---------:|---------:|------:|"
		"------:|-------:|-------:|-------:|-------:|------:|--------:|------:|\n");
}

static void live_view(FILE *live, double t, const struct result *r, long long temp,
		      long long mhz, long long cap, long long pct, bool with_enpud)
{
	char sock[PATH_MAX];
	char *argv[] = { "enpuctl", "-s", sock, "top", "-n", "1", NULL };
	pid_t pid;

	fprintf(live, "[%s %5.1f s] die %.1f C, NPU %lld MHz (ceiling %lld MHz), battery %lld%%\n",
		r->name, t, temp / 1000.0, mhz, cap, pct);
	fflush(live);
	if (!with_enpud)
		return;
	snprintf(sock, sizeof(sock), "/tmp/enpu-scenario.sock");
	pid = spawn(argv, fileno(live), fileno(live));
	if (pid > 0)
		waitpid(pid, NULL, 0);
}

/*
 * SIGTERM, then reap enpud while draining its log (a full pipe would block
 * it); SIGKILL after 10 s.  Its exit status (128 + signal if killed).
 */
static int stop_enpud(pid_t pid, struct logbuf *log, int64_t t0)
{
	int64_t deadline = now_ns() + 10 * NS;
	int status = 0;
	pid_t r;

	kill(pid, SIGTERM);
	for (;;) {
		r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return -1;
		drain_log(log, t0);
		if (now_ns() > deadline) {
			kill(pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			break;
		}
		usleep(10000);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* One run of the scenario under @policy; fills @r. */
static int run(const struct opts *o, const char *policy, bool battery, FILE *live,
	       struct result *r)
{
	bool with_enpud = !strcmp(policy, "enpud"), alone = !strcmp(policy, "alone");
	const char *governor = with_enpud || alone ? "step_wise" : policy;
	char path[PATH_MAX], conf[PATH_MAX], secs[32], epoch[32], seed[16];
	const char *sock = "/tmp/enpu-scenario.sock";
	pid_t apps[NAPPS] = { 0 }, enpud = 0;
	struct logbuf log = { .fd = -1 };
	long long e0 = 0, e1 = 0, b0 = 0, b1, temp;
	int64_t t0 = now_ns(), next, stop_at;
	int i, ret = 0, status, napps = alone ? 1 : NAPPS, live_tick = 0;
	FILE *tl;

	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s%s", policy, battery ? "-battery" : "");
	r->seconds = o->seconds;
	if (prepare(o, governor, battery))
		return 1;
	/* The assistant's best case: the NPU awake, at its top clock. */
	if (alone) {
		char top[32];

		snprintf(top, sizeof(top), "%lld", read_ll(DEVFREQ "max_freq", 0));
		write_str(DEVFREQ "min_freq", top);
		write_str(RPM, "on");
	}
	r->control = zone_ll("trip_point_1_temp") / 1000.0;

	snprintf(path, sizeof(path), "%s/%s-decisions.log", o->dir, r->name);
	log.out = fopen(path, "we");
	snprintf(path, sizeof(path), "%s/%s-timeline.csv", o->dir, r->name);
	tl = fopen(path, "we");
	if (!log.out || !tl) {
		fprintf(stderr, "enpu-scenario: %s: %s\n", path, strerror(errno));
		if (log.out)
			fclose(log.out);
		if (tl)
			fclose(tl);
		return 1;
	}
	fprintf(tl, "t_s,temp_c,freq_mhz,ceiling_mhz,power_mw,energy_mj,battery_pct,"
		"battery_mwh\n");

	if (with_enpud) {
		int fds[2];
		char *argv[] = { "enpud", "-c", conf, "-s", (char *)sock, NULL };
		FILE *f;

		snprintf(conf, sizeof(conf), "%s/enpud.conf", o->dir);
		f = fopen(conf, "w");
		if (!f || fputs(enpud_conf, f) < 0 || fclose(f)) {
			fprintf(stderr, "enpu-scenario: %s: %s\n", conf, strerror(errno));
			ret = 1;
			goto out;
		}
		if (pipe2(fds, O_CLOEXEC)) {
			fprintf(stderr, "enpu-scenario: pipe: %s\n", strerror(errno));
			ret = 1;
			goto out;
		}
		enpud = spawn(argv, fds[1], fds[1]);
		close(fds[1]);
		log.fd = fds[0];
		fcntl(log.fd, F_SETFL, O_NONBLOCK);
		for (i = 0; i < 250 && !enpud_up(sock); i++) {
			if (waitpid(enpud, &status, WNOHANG) == enpud) {
				enpud = 0;
				break;
			}
			usleep(20000);
		}
		if (!enpud || i == 250) {
			fprintf(stderr, "enpu-scenario: enpud did not start\n");
			drain_log(&log, now_ns());
			ret = 2;
			goto out;
		}
	}

	t0 = now_ns();
	snprintf(secs, sizeof(secs), "%.1f", o->seconds);
	snprintf(epoch, sizeof(epoch), "%lld", (long long)t0);
	e0 = read_ll(hwmon_energy, -1);
	b0 = read_ll(BATTERY "energy_now", 0);
	for (i = 0; i < napps; i++) {
		int role = alone ? 1 : i;
		char csv[PATH_MAX];
		char *argv[] = { "enpu-app", (char *)app_role[role], "-t", secs, "-o", csv,
				 "-e", epoch, "-r", seed, NULL };

		snprintf(csv, sizeof(csv), "%s/%s-app%d.csv", o->dir, r->name, i);
		snprintf(seed, sizeof(seed), "%d", 1000 + i);	/* the same work every run */
		apps[i] = spawn(argv, -1, -1);
		if (apps[i] < 0) {
			fprintf(stderr, "enpu-scenario: fork: %s\n", strerror(errno));
			apps[i] = 0;
			r->app_failures++;
		}
	}

	stop_at = t0 + (int64_t)(o->seconds * NS);
	next = t0;
	for (;;) {
		struct timespec ts;
		long long mhz, cap, pct, pw, e;
		double t = (now_ns() - t0) / 1e9;
		int running = 0;

		for (i = 0; i < napps; i++) {
			if (apps[i] > 0 && waitpid(apps[i], &status, WNOHANG) == apps[i]) {
				apps[i] = 0;
				if (!WIFEXITED(status) || WEXITSTATUS(status)) {
					fprintf(stderr, "enpu-scenario: %s (app %d) failed: status %d\n",
						app_role[alone ? 1 : i], i, status);
					r->app_failures++;
				}
			}
			running += apps[i] > 0;
		}
		/* Past the end, enpud lets go (frozen work must finish). */
		if (enpud > 0 && now_ns() >= stop_at) {
			status = stop_enpud(enpud, &log, t0);
			if (status) {
				fprintf(stderr, "enpu-scenario: enpud exited with status %d\n", status);
				ret = 2;
			}
			enpud = 0;
		}
		drain_log(&log, t0);
		if (!running || interrupted)
			break;

		temp = zone_ll("temp");
		mhz = read_ll(DEVFREQ "cur_freq", 0) / 1000000;
		cap = read_ll(DEVFREQ "max_freq", 0) / 1000000;
		pct = read_ll(BATTERY "capacity", -1);
		e = read_ll(hwmon_energy, -1);
		pw = read_ll(hwmon_power, 0) / 1000;
		if (temp / 1000.0 > r->max_temp)
			r->max_temp = temp / 1000.0;
		if (temp / 1000.0 > r->control && t > 0)
			r->above_s += SAMPLE_MS / 1000.0;
		fprintf(tl, "%.3f,%.2f,%lld,%lld,%lld,%.1f,%lld,%.2f\n", t, temp / 1000.0, mhz,
			cap, pw, e >= e0 && e0 >= 0 ? (e - e0) / 1000.0 : 0, pct,
			read_ll(BATTERY "energy_now", 0) / 1000.0);
		if (live && live_tick++ % (2000 / SAMPLE_MS) == 0)
			live_view(live, t, r, temp, mhz, cap, pct, enpud > 0);

		next += SAMPLE_MS * MS;
		ts.tv_sec = next / NS;
		ts.tv_nsec = next % NS;
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
		if (now_ns() > stop_at + 60 * NS) {
			fprintf(stderr, "enpu-scenario: the apps did not finish\n");
			ret = 2;
			break;
		}
	}
	/* The window closes once every app's last work is done. */
	e1 = read_ll(hwmon_energy, -1);
	b1 = read_ll(BATTERY "energy_now", 0);
	r->battery_used_mwh = battery ? (b0 - b1) / 1000.0 : 0;
	r->energy_mj = e0 >= 0 && e1 >= e0 ? (e1 - e0) / 1000.0 : 0;
out:
	for (i = 0; i < napps; i++)
		if (apps[i] > 0) {
			kill(apps[i], SIGKILL);
			waitpid(apps[i], NULL, 0);
			r->app_failures++;
		}
	if (enpud > 0)
		stop_enpud(enpud, &log, t0);
	drain_log(&log, t0);
	if (log.fd >= 0)
		close(log.fd);
	r->decisions = log.lines;
	fclose(log.out);
	fclose(tl);
	if (collect(o->dir, r->name, r))
		ret = 1;
	r->overshoot = r->max_temp > r->control ? r->max_temp - r->control : 0;
	r->uj_per_job = r->jobs ? r->energy_mj * 1000 / r->jobs : 0;
	r->uj_per_work_ms = r->work_ms ? r->energy_mj * 1000 / r->work_ms : 0;
	write_summary(o->dir, r);
	if (r->app_failures && !ret)
		ret = 2;
	return ret;
}

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* A number from @lo to @hi, the whole of @s; false otherwise. */
static bool in_range(const char *s, double lo, double hi, double *v)
{
	char *end;

	*v = strtod(s, &end);
	return end != s && !*end && *v >= lo && *v <= hi;
}

static int usage(void)
{
	fprintf(stderr, "usage: enpu-scenario [-p enpud|step_wise|power_allocator|alone|all] "
		"[-t SECONDS] [-o DIR] [-b PCT] [-l LIVE] [-s SCALE]\n");
	return 1;
}

int main(int argc, char **argv)
{
	static const char *const all[] = { "step_wise", "power_allocator", "enpud" };
	struct opts o = { .policy = "enpud", .dir = "/tmp/scenario", .seconds = 60,
			  .battery = -1, .scale = 2 };
	struct sigaction sa = { .sa_handler = on_signal };
	struct result r[8];
	unsigned int nr = 0, i;
	char path[PATH_MAX];
	double v;
	FILE *live = NULL, *rep;
	ssize_t n;
	int c, ret = 0;

	while ((c = getopt(argc, argv, "p:t:o:b:l:s:h")) != -1) {
		switch (c) {
		case 'p':
			o.policy = optarg;
			break;
		case 't':
			if (!in_range(optarg, 1, 3600, &o.seconds))
				return usage();
			break;
		case 'o':
			o.dir = optarg;
			break;
		case 'b':
			if (!in_range(optarg, 1, 100, &v) || v != (int)v)
				return usage();
			o.battery = (int)v;
			break;
		case 'l':
			o.live = optarg;
			break;
		case 's':
			if (!in_range(optarg, 1, 1000, &v) || v != (int)v)
				return usage();
			o.scale = (int)v;
			break;
		default:
			return usage();
		}
	}
	if (optind != argc)
		return usage();
	if (strcmp(o.policy, "enpud") != 0 && strcmp(o.policy, "step_wise") != 0 &&
	    strcmp(o.policy, "power_allocator") != 0 && strcmp(o.policy, "alone") != 0 &&
	    strcmp(o.policy, "all") != 0) {
		fprintf(stderr, "enpu-scenario: unknown policy '%s'\n", o.policy);
		return usage();
	}
	n = readlink("/proc/self/exe", self_dir, sizeof(self_dir) - 1);
	if (n >= (ssize_t)sizeof(self_dir) - 1)
		n = 0;
	if (n > 0) {
		self_dir[n] = 0;
		*strrchr(self_dir, '/') = 0;
	}
	if (find_zone() || find_hwmon()) {
		fprintf(stderr, "enpu-scenario: no thermal zone or hwmon 'enpu' "
			"(is enpu.ko loaded?)\n");
		return 1;
	}
	if (mkdir(o.dir, 0755) && errno != EEXIST) {
		fprintf(stderr, "enpu-scenario: %s: %s\n", o.dir, strerror(errno));
		return 1;
	}
	if (o.live) {
		live = strcmp(o.live, "-") != 0 ? fopen(o.live, "ae") : stdout;
		if (!live) {
			fprintf(stderr, "enpu-scenario: %s: %s\n", o.live, strerror(errno));
			return 1;
		}
		setvbuf(live, NULL, _IOLBF, 0);
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	save_state();

	if (strcmp(o.policy, "all") != 0) {
		ret = run(&o, o.policy, o.battery > 0, live, &r[nr++]);
	} else {
		if (o.battery < 0)
			o.battery = 25;
		ret = run(&o, "alone", false, live, &r[nr++]);
		/* The three policies on the charger, then on the battery. */
		for (i = 0; i < 6 && !interrupted; i++) {
			int rc = run(&o, all[i % 3], i >= 3, live, &r[nr++]);

			if (rc)
				ret = rc;
		}
	}
	restore_state();

	snprintf(path, sizeof(path), "%s/report.md", o.dir);
	rep = fopen(path, "w");
	if (!rep) {
		fprintf(stderr, "enpu-scenario: %s: %s\n", path, strerror(errno));
		return 1;
	}
	report_head(rep);
	for (i = 0; i < nr; i++)
		report_row(rep, &r[i]);
	fclose(rep);
	if (!strcmp(o.policy, "all")) {
		snprintf(path, sizeof(path), "%s/compare.csv", o.dir);
		rep = fopen(path, "w");
		if (rep) {
			fprintf(rep, "run,miss_pct,p99_ms,indexer_jobs,max_c,overshoot_c,"
				"uj_per_job,uj_per_work_ms\n");
			for (i = 0; i < nr; i++)
				fprintf(rep, "%s,%.2f,%.1f,%lu,%.2f,%.2f,%.0f,%.1f\n", r[i].name,
					r[i].frames ? 100.0 * r[i].frames_late / r[i].frames : 0,
					r[i].req_p99, r[i].indexer_jobs, r[i].max_temp,
					r[i].overshoot, r[i].uj_per_job, r[i].uj_per_work_ms);
			fclose(rep);
		}
	}
	printf("run: %s, %.0f s each, results in %s\n", o.policy, o.seconds, o.dir);
	report_head(stdout);
	for (i = 0; i < nr; i++)
		report_row(stdout, &r[i]);
	return ret;
}
