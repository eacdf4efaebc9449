// SPDX-License-Identifier: MIT
/*
 * enpud: arbitrates the NPU among apps by thermal and battery budget.
 *
 * One event loop (io_uring, or epoll) over: the "enpu" netlink events,
 * the kernel's thermal netlink events, power_supply uevents, a signalfd,
 * a timerfd armed only while control is active, and the control socket.
 * Each control step rebuilds the view from the kernel (a CTX_GET dump),
 * asks the policy engine, and applies what changed.  Stateless: killed
 * and restarted, it picks up where the kernel is; while it is away the
 * kernel's own thermal governor protects the NPU.
 *
 * Exit status: 0 after SIGTERM or SIGINT, 1 when the kernel interfaces
 * cannot be opened, 2 for a bad command line or configuration.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <libenpu.h>
#include <linux/enpu_genl.h>

#include "config.h"
#include "loop.h"
#include "nl.h"
#include "policy.h"
#include "power.h"

#define ENPUD_DEFAULT_CONF	"/etc/enpu/enpud.conf"
#define ENPUD_DEFAULT_DIR	"/run/enpud"
#define ENPUD_DEFAULT_SOCK	ENPUD_DEFAULT_DIR "/enpud.sock"
#define ENPUD_MAX_CLIENTS	16
#define ENPUD_REQ_MAX		512
#define ENPUD_LOG_LINES		256
#define ENPUD_MAX_OVERRIDES	32
/* On battery, its state is read this often even without a uevent. */
#define ENPUD_BATTERY_POLL_S	30

struct client {
	int fd;			/* -1: free */
	uint64_t seq;		/* accept order */
	bool monitor;
	size_t len;
	char buf[ENPUD_REQ_MAX];
};

/* What `enpuctl set class|weight PID ...` said about a process. */
struct override {
	uint64_t seq;		/* when it was made: the oldest gives way */
	uint32_t pid;		/* 0: free */
	int class;		/* -1: not set */
	uint32_t weight;	/* 0: not set */
};

struct log_line {
	uint32_t pid;
	char text[224];
};

/* The daemon's state; largest members first, so that it packs. */
static struct enpud {
	struct enpu_policy pol;
	struct enpu_policy_output out;
	struct enpud_ctx ctxs[ENPU_POLICY_MAX_CTXS];
	struct enpu_policy_ctx pctx[ENPU_POLICY_MAX_CTXS];
	struct log_line log[ENPUD_LOG_LINES];
	struct client clients[ENPUD_MAX_CLIENTS];
	struct override overrides[ENPUD_MAX_OVERRIDES];
	struct enpud_config cfg;
	struct enpu_policy_device dev;
	struct enpud_loop loop;
	struct enpud_power power;
	struct enpud_nl nl;
	struct enpud_dev devinfo;
	const char *conf_path;
	const char *sock_path;
	uint64_t last_step_ns;
	uint64_t last_busy;	/* the contexts' device time at the last step */
	uint64_t client_seq;
	uint64_t override_seq;
	unsigned long steps, applied;
	struct enpud_battery bat;
	int sigfd, timerfd, lfd, batfd;
	uint32_t applied_cap;
	uint32_t applied_floor;
	int zone_id;			/* the controlled zone's id, or -1 */
	unsigned long samples;		/* its temperature samples seen */
	unsigned long client_wakeups;	/* loop callbacks for control clients */
	int32_t last_sample_mc;
	gid_t enpu_gid;
	uint32_t num_ctxs;
	uint32_t fg;		/* the foreground app's pid; 0: none known */
	uint32_t timer_ms;	/* the period the timer runs at */
	unsigned int log_head, log_count;
	bool conf_given, armed, bat_armed, have_gid;
} d;

static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("enpud: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void send_all(int fd, const char *s)
{
	size_t len = strlen(s);

	while (len) {
		ssize_t n = send(fd, s, len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n <= 0)
			return;
		s += n;
		len -= n;
	}
}

/* A decision, logged with its reason, kept for explain, sent to monitors. */
static void decision(uint32_t pid, const char *fmt, ...)
{
	struct log_line *l = &d.log[d.log_head];
	char line[256];
	va_list ap;
	int i;

	va_start(ap, fmt);
	vsnprintf(l->text, sizeof(l->text), fmt, ap);
	va_end(ap);
	l->pid = pid;
	d.log_head = (d.log_head + 1) % ENPUD_LOG_LINES;
	if (d.log_count < ENPUD_LOG_LINES)
		d.log_count++;
	say("%s", l->text);
	snprintf(line, sizeof(line), "%s\n", l->text);
	for (i = 0; i < ENPUD_MAX_CLIENTS; i++)
		if (d.clients[i].fd >= 0 && d.clients[i].monitor)
			send_all(d.clients[i].fd, line);
}

/* --- the control step --------------------------------------------------------- */

static void arm(bool on)
{
	struct itimerspec its = {};
	long ms = d.pol.cfg.period_ms;

	if (on == d.armed && (!on || d.timer_ms == ms))
		return;
	if (on) {
		its.it_value.tv_sec = ms / 1000;
		its.it_value.tv_nsec = (ms % 1000) * 1000000;
		its.it_interval = its.it_value;
	}
	if (!timerfd_settime(d.timerfd, 0, &its, NULL)) {
		d.armed = on;
		d.timer_ms = ms;
	}
	/* The zone's samples while controlling; none to wake up for idle. */
	if (enpud_nl_sampling(&d.nl, on))
		say("cannot %s the thermal samples", on ? "join" : "leave");
}

static uid_t uid_of(uint32_t pid)
{
	char path[64], line[128];
	unsigned int uid = (unsigned int)-1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/status", pid);
	f = fopen(path, "re");
	if (!f)
		return (uid_t)-1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Uid: %u", &uid) == 1)
			break;
	fclose(f);
	return uid;
}

static bool is_foreground(uint32_t pid)
{
	return d.fg && d.fg == pid;
}

static struct override *override_of(uint32_t pid, bool create)
{
	struct override *slot = &d.overrides[0];
	int i;

	for (i = 0; i < ENPUD_MAX_OVERRIDES; i++) {
		if (d.overrides[i].pid == pid)
			return &d.overrides[i];
		/* A free slot, else the oldest entry, gives way. */
		if (slot->pid && (!d.overrides[i].pid || d.overrides[i].seq < slot->seq))
			slot = &d.overrides[i];
	}
	if (!create)
		return NULL;
	*slot = (struct override){ .seq = ++d.override_seq, .pid = pid, .class = -1 };
	return slot;
}

static void apply_override(struct enpu_policy_ctx *x)
{
	const struct override *o = override_of(x->pid, false);

	if (o && o->class >= 0)
		x->class = o->class;
	if (o && o->weight)
		x->weight = o->weight;
}

/*
 * The kernel's view, classified: hints, then config rules, then what
 * enpuctl set, then the foreground.
 */
static int refresh(void)
{
	uint32_t i;
	int ret;

	ret = enpud_nl_dev_get(&d.nl, &d.devinfo);
	if (!ret)
		ret = enpud_nl_ctx_dump(&d.nl, d.ctxs, ENPU_POLICY_MAX_CTXS, &d.num_ctxs);
	if (ret)
		return ret;
	for (i = 0; i < d.num_ctxs; i++) {
		const struct enpud_ctx *c = &d.ctxs[i];
		const struct enpud_rule *r = enpud_config_match(&d.cfg, c->comm, uid_of(c->pid));
		struct enpu_policy_ctx *x = &d.pctx[i];

		memset(x, 0, sizeof(*x));
		x->client = c->client;
		x->id = c->id;
		x->pid = c->pid;
		x->class = c->class;
		x->weight = 1;
		x->period_us = c->period;
		x->job_us = c->job;
		x->busy_ns = c->busy;
		if (r && r->has_class)
			x->class = r->class;
		if (r)
			x->weight = r->weight;
		apply_override(x);
		x->foreground = is_foreground(c->pid);
	}
	return 0;
}

static void apply(void)
{
	uint32_t i;
	int ret;

	if (d.out.freq_cap_khz != d.applied_cap) {
		uint32_t top = d.dev.opps[d.dev.num_opps - 1].freq_khz;

		ret = enpud_nl_set_freq_cap(&d.nl, d.out.freq_cap_khz == top ? 0 :
								      d.out.freq_cap_khz);
		if (!ret) {
			d.applied_cap = d.out.freq_cap_khz;
			d.applied++;
			decision(0, "npu: cap %u MHz (budget %u mW): %s",
				 d.out.freq_cap_khz / 1000, d.out.budget_mw, d.out.reason);
		} else {
			say("setting the frequency cap failed: %s", strerror(-ret));
		}
	}
	if (d.out.freq_floor_khz != d.applied_floor) {
		ret = enpud_nl_set_freq_floor(&d.nl, d.out.freq_floor_khz);
		if (!ret) {
			d.applied_floor = d.out.freq_floor_khz;
			d.applied++;
			if (d.out.freq_floor_khz)
				decision(0, "npu: floor %u MHz: the clock realtime work was admitted at",
					 d.out.freq_floor_khz / 1000);
			else
				decision(0, "npu: no floor: no realtime work admitted");
		} else if (ret != -EINVAL) {	/* -EINVAL: a kernel without floors */
			say("setting the frequency floor failed: %s", strerror(-ret));
		}
	}
	for (i = 0; i < d.out.num_ctxs; i++) {
		const struct enpu_policy_ctx_decision *x = &d.out.ctxs[i];
		const struct enpud_ctx *c = &d.ctxs[i];

		/* Apply what the kernel does not already have. */
		if (!x->changed && c->prio == x->priority && c->frozen == x->frozen &&
		    c->runtime == x->runtime_us && (!c->cores || c->cores == x->cores))
			continue;
		ret = enpud_nl_ctx_set(&d.nl, c, x->priority, x->runtime_us,
				       x->runtime_us ? x->period_us : 0, x->frozen,
				       c->cores && c->cores != x->cores ? x->cores : 0);
		if (ret == -ENOENT)	/* gone meanwhile */
			continue;
		if (ret) {
			say("context %llu/%u: %s", (unsigned long long)c->client, c->id,
			    strerror(-ret));
			continue;
		}
		d.applied++;
		decision(c->pid, "pid %u (%s) context %u: %s, priority %u, budget %u/%u us, cores 0x%x%s: %s",
			 c->pid, c->comm, c->id, enpud_class_name(d.pctx[i].class), x->priority,
			 x->runtime_us, x->runtime_us ? x->period_us : 0, x->cores,
			 x->frozen ? ", frozen" : "", x->reason);
	}
}

/*
 * Control is needed while the NPU works (its contexts' device time grew,
 * or jobs are in flight), is warm, or is held back.  Otherwise the timer
 * stops: the next event (the NPU waking up, a context, a trip, the
 * battery) starts it again.
 */
static bool active(void)
{
	uint32_t i, top = d.dev.opps[d.dev.num_opps - 1].freq_khz;
	uint64_t busy = 0;
	bool working;

	for (i = 0; i < d.num_ctxs; i++)
		busy += d.ctxs[i].busy;
	working = busy != d.last_busy;
	d.last_busy = busy;
	if (working || d.out.freq_cap_khz != top ||
	    d.devinfo.temp >= d.pol.cfg.switch_on_mc - 2000 ||
	    d.out.battery == ENPU_BATTERY_LOW || d.out.battery == ENPU_BATTERY_CRITICAL)
		return true;
	for (i = 0; i < d.out.num_ctxs; i++)
		if (d.out.ctxs[i].runtime_us || d.out.ctxs[i].frozen ||
		    d.ctxs[i].submitted != d.ctxs[i].completed + d.ctxs[i].failed)
			return true;
	return false;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void step(void)
{
	struct enpu_policy_input in = {};
	uint64_t now;
	int ret;

	ret = refresh();
	if (ret) {
		say("reading the kernel's view failed: %s", strerror(-ret));
		return;
	}
	now = now_ns();
	in.elapsed_ms = d.last_step_ns ? (now - d.last_step_ns) / 1000000 : 0;
	if (d.last_step_ns && !in.elapsed_ms)
		in.elapsed_ms = 1;
	d.last_step_ns = now;
	in.die_mc = d.devinfo.temp;
	in.battery_present = d.bat.present;
	in.charging = d.bat.charging;
	in.capacity_pct = d.bat.capacity;
	in.saver = d.cfg.saver;
	in.num_ctxs = d.num_ctxs;
	in.ctxs = d.pctx;
	enpu_policy_step(&d.pol, &in, &d.out);
	d.steps++;
	apply();
	arm(active());
}

/*
 * A clean stop hands the NPU back: no cap, no budget, nothing frozen
 * (priorities it set stay).  Killed, enpud leaves what it set; the
 * kernel's own thermal governor still protects the hardware.
 */
static void release(void)
{
	uint32_t i, all = (1u << d.dev.cores) - 1;

	if (refresh())
		return;
	enpud_nl_set_freq_cap(&d.nl, 0);
	if (d.applied_floor)
		enpud_nl_set_freq_floor(&d.nl, 0);
	for (i = 0; i < d.num_ctxs; i++)
		if (d.ctxs[i].runtime || d.ctxs[i].frozen ||
		    (d.ctxs[i].cores && d.ctxs[i].cores != all))
			enpud_nl_ctx_set(&d.nl, &d.ctxs[i], -1, 0, 0, 0,
					 d.ctxs[i].cores && d.ctxs[i].cores != all ? all : 0);
}

/* --- event sources ----------------------------------------------------------------- */

static void on_timer(void *arg)
{
	uint64_t n;

	(void)arg;
	if (read(d.timerfd, &n, sizeof(n)) == sizeof(n))
		step();
}

static void on_enpu_event(void *arg, const struct enpud_event *ev)
{
	bool *any = arg;

	/* enpud's own cap coming back: nothing new. */
	if (ev->cmd == ENPU_CMD_THROTTLE_NTF && ev->reason == ENPU_THROTTLE_REASON_CAP)
		return;
	*any = true;
	if (ev->cmd == ENPU_CMD_JOB_FAULT_NTF || ev->cmd == ENPU_CMD_JOB_TIMEOUT_NTF)
		decision(0, "kernel: context %llu/%u %s", (unsigned long long)ev->client,
			 ev->ctx, ev->cmd == ENPU_CMD_JOB_FAULT_NTF ? "faulted" : "hung");
}

/*
 * A sample of the controlled zone: counted, and a step at once when it
 * crosses the control or the severe temperature upwards (a step reads
 * everything else anyway; between crossings the timer paces them).
 */
static void on_sample(void *arg, const struct enpud_event *ev)
{
	bool *cross = arg;
	int32_t before = d.last_sample_mc;

	if (!ev->sample || (int)ev->tz_id != d.zone_id)
		return;
	d.samples++;
	d.last_sample_mc = ev->temp_mc;
	if ((before < d.pol.cfg.control_mc && ev->temp_mc >= d.pol.cfg.control_mc) ||
	    (before < d.pol.cfg.severe_mc && ev->temp_mc >= d.pol.cfg.severe_mc))
		*cross = true;
}

static void on_samples(void *arg)
{
	bool cross = false;

	(void)arg;
	if (enpud_nl_drain_samples(d.nl.sampling, on_sample, &cross) == -ENOBUFS)
		say("thermal samples were lost");
	if (cross)
		step();
}

static void on_nl(void *arg)
{
	struct nl_sock *s = arg;
	bool any = false;

	if (enpud_nl_drain(s, s == d.nl.thermal, on_enpu_event, &any) == -ENOBUFS) {
		say("netlink events were lost; the next step reads everything again");
		any = true;
	}
	if (any)
		step();
}

/*
 * A slow safety poll while on battery, in case a fuel gauge reports
 * without uevents; none while charging or without a battery.
 */
static void battery_poll(bool on)
{
	struct itimerspec its = {};

	if (on == d.bat_armed)
		return;
	if (on) {
		its.it_value.tv_sec = ENPUD_BATTERY_POLL_S;
		its.it_interval = its.it_value;
	}
	if (!timerfd_settime(d.batfd, 0, &its, NULL))
		d.bat_armed = on;
}

static void read_battery(void)
{
	if (!d.power.battery[0])
		enpud_power_scan(&d.power);
	enpud_power_read(&d.power, &d.bat);
	battery_poll(d.bat.present && !d.bat.charging);
}

static void on_uevent(void *arg)
{
	(void)arg;
	if (!enpud_power_drain(&d.power))
		return;
	read_battery();
	step();
}

static void on_battery_poll(void *arg)
{
	struct enpud_battery old = d.bat;
	uint64_t n;

	(void)arg;
	if (read(d.batfd, &n, sizeof(n)) != sizeof(n))
		return;
	read_battery();
	if (old.present != d.bat.present || old.charging != d.bat.charging ||
	    old.capacity != d.bat.capacity)
		step();
}

static int load_config(struct enpud_config *cfg)
{
	char err[256];

	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->zone, sizeof(cfg->zone), "enpu");
	if (!d.conf_given && access(d.conf_path, F_OK))
		return 0;	/* no file: the defaults */
	if (enpud_config_load(d.conf_path, cfg, err, sizeof(err))) {
		say("%s", err);
		return -1;
	}
	return 0;
}

/* What the zone says about its trips and sustainable power. */
static void zone_defaults(struct enpu_policy_config *z)
{
	char path[160], buf[64];
	int i;

	memset(z, 0, sizeof(*z));
	d.zone_id = -1;
	for (i = 0; i < 64; i++) {
		FILE *f;
		long v;

		snprintf(path, sizeof(path), "/sys/class/thermal/thermal_zone%d/type", i);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (!fgets(buf, sizeof(buf), f)) {
			fclose(f);
			continue;
		}
		fclose(f);
		buf[strcspn(buf, "\n")] = 0;
		if (strcmp(buf, d.cfg.zone) != 0)
			continue;
		d.zone_id = i;
#define ZREAD(attr, field, add) do { \
	snprintf(path, sizeof(path), "/sys/class/thermal/thermal_zone%d/" attr, i); \
	f = fopen(path, "re"); \
	if (f) { \
		if (fscanf(f, "%ld", &v) == 1) \
			z->field = v + (add); \
		fclose(f); \
	} } while (0)
		ZREAD("trip_point_0_temp", switch_on_mc, 0);
		ZREAD("trip_point_1_temp", control_mc, 0);
		ZREAD("sustainable_power", sustainable_mw, d.dev.static_mw);
#undef ZREAD
		return;
	}
}

static int setup_policy(void)
{
	struct enpu_policy_config pc, zone;

	zone_defaults(&zone);
	enpud_config_apply_defaults(&d.cfg, &d.dev, &zone, &pc);
	if (enpu_policy_init(&d.pol, &pc, &d.dev)) {
		say("%s: the settings are inconsistent (trips, limits or periods)", d.conf_path);
		return -1;
	}
	return 0;
}

static void on_signal(void *arg)
{
	struct signalfd_siginfo si;

	(void)arg;
	while (read(d.sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			struct enpud_config fresh, old = d.cfg;

			if (load_config(&fresh)) {
				say("reload failed: keeping the last good configuration");
				continue;
			}
			d.cfg = fresh;
			if (setup_policy()) {
				d.cfg = old;
				setup_policy();
				say("reload failed: keeping the last good configuration");
				continue;
			}
			say("configuration reloaded from %s", d.conf_path);
			step();
		} else {
			d.loop.stop = true;
		}
	}
}

/* --- the control socket ------------------------------------------------------------- */

static bool privileged(int fd)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);
	gid_t groups[64];
	socklen_t glen = sizeof(groups);
	unsigned int i;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len))
		return false;
	if (cr.uid == 0 || (d.have_gid && cr.gid == d.enpu_gid))
		return true;
	if (d.have_gid && !getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &glen))
		for (i = 0; i < glen / sizeof(gid_t); i++)
			if (groups[i] == d.enpu_gid)
				return true;
	return false;
}

/* @s as the inside of a JSON string: quotes, backslashes, controls escaped. */
static const char *json_str(char *out, size_t len, const char *s)
{
	size_t n = 0;

	for (; *s && n + 7 < len; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\') {
			out[n++] = '\\';
			out[n++] = c;
		} else if (c < 0x20) {
			n += snprintf(out + n, len - n, "\\u%04x", c);
		} else {
			out[n++] = c;
		}
	}
	out[n] = 0;
	return out;
}

static void reply_status(int fd, bool json)
{
	char buf[1024];

	if (json)
		snprintf(buf, sizeof(buf),
			 "{\"backend\":\"%s\",\"temp_mc\":%d,\"freq_cap_khz\":%u,\"budget_mw\":%u,"
			 "\"battery\":{\"present\":%s,\"charging\":%s,\"capacity\":%u,\"state\":%d},"
			 "\"saver\":%s,\"contexts\":%u,\"steps\":%lu,\"applied\":%lu,"
			 "\"armed\":%s,\"wakeups\":%lu,\"client_wakeups\":%lu,\"samples\":%lu}\n",
			 enpud_loop_backend(&d.loop), d.devinfo.temp, d.out.freq_cap_khz,
			 d.out.budget_mw, d.bat.present ? "true" : "false",
			 d.bat.charging ? "true" : "false", d.bat.capacity, d.out.battery,
			 d.cfg.saver ? "true" : "false", d.num_ctxs, d.steps, d.applied,
			 d.armed ? "true" : "false", d.loop.wakeups, d.client_wakeups,
			 d.samples);
	else
		snprintf(buf, sizeof(buf),
			 "loop: %s, %s\nnpu: %.1f C, cap %u MHz, budget %u mW\n%s\n"
			 "battery: %s\ncontexts: %u\nsteps: %lu, changes applied: %lu, wakeups: %lu "
			 "(%lu for clients), thermal samples: %lu\n",
			 enpud_loop_backend(&d.loop), d.armed ? "controlling" : "idle",
			 d.devinfo.temp / 1000.0, d.out.freq_cap_khz / 1000, d.out.budget_mw,
			 d.out.reason,
			 !d.bat.present ? "none" : d.bat.charging ? "charging" : "discharging",
			 d.num_ctxs, d.steps, d.applied, d.loop.wakeups, d.client_wakeups,
			 d.samples);
	send_all(fd, buf);
}

static void reply_top(int fd, bool json)
{
	char line[512];
	uint32_t i;

	if (!json)
		send_all(fd, "PID     COMM            CTX  CLASS        PRIO  BUDGET_US      FROZEN  BUSY_MS\n");
	for (i = 0; i < d.num_ctxs && i < d.out.num_ctxs; i++) {
		const struct enpud_ctx *c = &d.ctxs[i];
		const struct enpu_policy_ctx_decision *x = &d.out.ctxs[i];

		char budget[24] = "-", comm[64];

		if (x->runtime_us)
			snprintf(budget, sizeof(budget), "%u/%u", x->runtime_us, x->period_us);
		if (json)
			snprintf(line, sizeof(line),
				 "{\"pid\":%u,\"comm\":\"%s\",\"client\":%llu,\"ctx\":%u,\"class\":\"%s\","
				 "\"priority\":%u,\"runtime_us\":%u,\"period_us\":%u,\"frozen\":%s,"
				 "\"busy_ns\":%llu}\n",
				 c->pid, json_str(comm, sizeof(comm), c->comm),
				 (unsigned long long)c->client, c->id,
				 enpud_class_name(d.pctx[i].class), x->priority, x->runtime_us,
				 x->period_us, x->frozen ? "true" : "false",
				 (unsigned long long)c->busy);
		else
			snprintf(line, sizeof(line), "%-7u %-15s %-4u %-12s %-5u %-14s %-7s %llu\n",
				 c->pid, c->comm, c->id, enpud_class_name(d.pctx[i].class),
				 x->priority, budget,
				 x->frozen ? "yes" : "no",
				 (unsigned long long)(c->busy / 1000000));
		send_all(fd, line);
	}
}

static void reply_explain(int fd, uint32_t pid, bool json)
{
	char line[512], reason[2 * ENPU_POLICY_REASON];
	unsigned int i, n = 0;

	for (i = 0; i < d.num_ctxs && i < d.out.num_ctxs; i++) {
		if (d.ctxs[i].pid != pid)
			continue;
		n++;
		if (json)
			snprintf(line, sizeof(line), "{\"ctx\":%u,\"reason\":\"%s\"}\n",
				 d.ctxs[i].id, json_str(reason, sizeof(reason),
							 d.out.ctxs[i].reason));
		else
			snprintf(line, sizeof(line), "context %u (%s): %s\n", d.ctxs[i].id,
				 enpud_class_name(d.pctx[i].class), d.out.ctxs[i].reason);
		send_all(fd, line);
	}
	if (!json) {
		snprintf(line, sizeof(line), "npu: %s\n", d.out.reason);
		send_all(fd, line);
		for (i = 0; i < d.log_count; i++) {
			const struct log_line *l = &d.log[(d.log_head + ENPUD_LOG_LINES -
							   d.log_count + i) % ENPUD_LOG_LINES];

			if (l->pid == pid) {
				snprintf(line, sizeof(line), "log: %s\n", l->text);
				send_all(fd, line);
			}
		}
	}
	if (!n && !json) {
		snprintf(line, sizeof(line), "pid %u has no context on the NPU\n", pid);
		send_all(fd, line);
	}
}

/* One request; returns true to keep the connection (monitor). */
static bool handle(struct client *cl, char *req)
{
	char *argv[4] = {}, *save = NULL, *tok;
	bool json = false;
	int argc = 0;
	unsigned int pid, w;

	for (tok = strtok_r(req, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (!strcmp(tok, "--json"))
			json = true;
		else if (argc < 4)
			argv[argc++] = tok;
	}
	if (!argc) {
		send_all(cl->fd, "error: empty request\n");
		return false;
	}
	if (!strcmp(argv[0], "status") && argc == 1) {
		send_all(cl->fd, "ok\n");
		reply_status(cl->fd, json);
	} else if (!strcmp(argv[0], "top") && argc == 1) {
		send_all(cl->fd, "ok\n");
		reply_top(cl->fd, json);
	} else if (!strcmp(argv[0], "explain") && argc == 2 && sscanf(argv[1], "%u", &pid) == 1) {
		send_all(cl->fd, "ok\n");
		reply_explain(cl->fd, pid, json);
	} else if (!strcmp(argv[0], "monitor") && argc == 1) {
		send_all(cl->fd, "ok\n");
		cl->monitor = true;
		return true;
	} else if ((!strcmp(argv[0], "set") || !strcmp(argv[0], "foreground")) &&
		   !privileged(cl->fd)) {
		send_all(cl->fd, "error: permission denied (root or group enpu only)\n");
	} else if (!strcmp(argv[0], "set") && argc == 3 && !strcmp(argv[1], "saver") &&
		   (!strcmp(argv[2], "on") || !strcmp(argv[2], "off"))) {
		d.cfg.saver = !strcmp(argv[2], "on");
		decision(0, "control: battery saver %s", argv[2]);
		send_all(cl->fd, "ok\n");
		step();
	} else if (!strcmp(argv[0], "set") && argc == 4 && !strcmp(argv[1], "class") &&
		   sscanf(argv[2], "%u", &pid) == 1 && pid && enpud_class_parse(argv[3]) >= 0) {
		override_of(pid, true)->class = enpud_class_parse(argv[3]);
		decision(pid, "control: pid %u is %s", pid, argv[3]);
		send_all(cl->fd, "ok\n");
		step();
	} else if (!strcmp(argv[0], "set") && argc == 4 && !strcmp(argv[1], "weight") &&
		   sscanf(argv[2], "%u", &pid) == 1 && pid && sscanf(argv[3], "%u", &w) == 1 &&
		   w >= 1 && w <= 1000) {
		override_of(pid, true)->weight = w;
		decision(pid, "control: pid %u weighs %u", pid, w);
		send_all(cl->fd, "ok\n");
		step();
	} else if (!strcmp(argv[0], "foreground") && argc == 2 &&
		   sscanf(argv[1], "%u", &pid) == 1) {
		d.fg = pid;	/* one app is in the foreground at a time */
		decision(pid, "control: pid %u is in the foreground", pid);
		send_all(cl->fd, "ok\n");
		step();
	} else {
		send_all(cl->fd, "error: unknown request (status, top, explain PID, monitor, set saver on|off, set class PID CLASS, set weight PID 1..1000, foreground PID)\n");
	}
	return false;
}

static void client_close(struct client *cl)
{
	enpud_loop_del(&d.loop, cl->fd);
	close(cl->fd);
	cl->fd = -1;
}

static void on_client(void *arg)
{
	struct client *cl = arg;
	char *nl;
	ssize_t n;

	d.client_wakeups++;
	n = recv(cl->fd, cl->buf + cl->len, sizeof(cl->buf) - 1 - cl->len, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0 || cl->monitor) {	/* closed, or a monitor talking: done */
		client_close(cl);
		return;
	}
	cl->len += n;
	cl->buf[cl->len] = 0;
	nl = strchr(cl->buf, '\n');
	if (!nl) {
		if (cl->len == sizeof(cl->buf) - 1) {
			send_all(cl->fd, "error: request too long\n");
			client_close(cl);
		}
		return;
	}
	*nl = 0;
	if (!handle(cl, cl->buf))
		client_close(cl);
}

static void on_accept(void *arg)
{
	int fd, i;

	(void)arg;
	d.client_wakeups++;
	while ((fd = accept4(d.lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		for (i = 0; i < ENPUD_MAX_CLIENTS && d.clients[i].fd >= 0; i++)
			;
		if (i == ENPUD_MAX_CLIENTS) {
			/*
			 * Full: the oldest client that has not finished its
			 * request gives way, so that silent connections
			 * cannot lock everybody out.
			 */
			int old = -1, j;

			for (j = 0; j < ENPUD_MAX_CLIENTS; j++)
				if (!d.clients[j].monitor &&
				    (old < 0 || d.clients[j].seq < d.clients[old].seq))
					old = j;
			if (old < 0) {
				send_all(fd, "error: too many clients\n");
				close(fd);
				continue;
			}
			send_all(d.clients[old].fd, "error: too many clients\n");
			client_close(&d.clients[old]);
			i = old;
		}
		d.clients[i] = (struct client){ .fd = fd, .seq = ++d.client_seq };
		if (enpud_loop_add(&d.loop, fd, on_client, &d.clients[i])) {
			close(fd);
			d.clients[i].fd = -1;
		}
	}
}

static int open_control(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct group *g = getgrnam("enpu");

	if (strlen(d.sock_path) >= sizeof(sa.sun_path)) {
		say("%s: socket path too long", d.sock_path);
		return -1;
	}
	if (g) {
		d.enpu_gid = g->gr_gid;
		d.have_gid = true;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", d.sock_path);
	/* The default's directory: systemd's RuntimeDirectory=, or made here. */
	if (!strcmp(d.sock_path, ENPUD_DEFAULT_SOCK) && mkdir(ENPUD_DEFAULT_DIR, 0755) &&
	    errno != EEXIST) {
		say("%s: %s", ENPUD_DEFAULT_DIR, strerror(errno));
		return -1;
	}
	d.lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (d.lfd < 0)
		return -1;
	unlink(d.sock_path);
	/* Anyone may connect and read; requests that change policy are checked. */
	if (bind(d.lfd, (struct sockaddr *)&sa, sizeof(sa)) || chmod(d.sock_path, 0666) ||
	    listen(d.lfd, 16)) {
		say("%s: %s", d.sock_path, strerror(errno));
		return -1;
	}
	return 0;
}

/* --- start up ------------------------------------------------------------------------- */

static int read_device(void)
{
	struct drm_enpu_opp opps[ENPU_POLICY_MAX_OPPS];
	struct enpu_device *dev;
	unsigned int n = 0, i;
	int ret;

	ret = enpud_nl_dev_get(&d.nl, &d.devinfo);
	if (ret) {
		say("netlink DEV_GET: %s", strerror(-ret));
		return -1;
	}
	ret = enpu_device_open(NULL, &dev);
	if (!ret) {
		ret = enpu_device_opps(dev, opps, ENPU_POLICY_MAX_OPPS, &n);
		enpu_device_close(dev);
	}
	if (ret || !n) {
		say("reading the NPU's OPP table: %s", strerror(ret ? -ret : ENODEV));
		return -1;
	}
	d.dev.cores = d.devinfo.cores;
	d.dev.num_opps = n < ENPU_POLICY_MAX_OPPS ? n : ENPU_POLICY_MAX_OPPS;
	for (i = 0; i < d.dev.num_opps; i++) {
		d.dev.opps[i].freq_khz = opps[i].freq_khz;
		d.dev.opps[i].power_mw = opps[i].power_mw;
	}
	d.dev.static_mw = d.devinfo.static_power;
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: enpud [-c CONFIG] [-s SOCKET] [--epoll] [--check-config]\n"
		   "  -c CONFIG       configuration file (default " ENPUD_DEFAULT_CONF ")\n"
		   "  -s SOCKET       control socket (default " ENPUD_DEFAULT_SOCK ")\n"
		   "  --epoll         use epoll even where io_uring works\n"
		   "  --check-config  check the configuration and exit\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "socket", required_argument, NULL, 's' },
		{ "epoll", no_argument, NULL, 'e' },
		{ "check-config", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	bool force_epoll = false, check_only = false;
	char err[256];
	sigset_t mask;
	int c, i, ret;

	d.conf_path = ENPUD_DEFAULT_CONF;
	d.sock_path = ENPUD_DEFAULT_SOCK;
	while ((c = getopt_long(argc, argv, "c:s:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			d.conf_path = optarg;
			d.conf_given = true;
			break;
		case 's':
			d.sock_path = optarg;
			break;
		case 'e':
			force_epoll = true;
			break;
		case 'k':
			check_only = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (load_config(&d.cfg))
		return 2;
	if (check_only) {
		/* The file's own consistency, on a nominal one-OPP device. */
		static const struct enpu_policy_config none;
		static struct enpu_policy pol;
		struct enpu_policy_device nominal = {
			.cores = 1, .num_opps = 1, .opps = { { 1000000, 1000 } },
		};
		struct enpu_policy_config pc;

		enpud_config_apply_defaults(&d.cfg, &nominal, &none, &pc);
		if (enpu_policy_init(&pol, &pc, &nominal)) {
			say("%s: the settings are inconsistent (trips, limits or periods)",
			    d.conf_path);
			return 2;
		}
		printf("%s: ok, %u rules\n", d.conf_path, d.cfg.num_rules);
		return 0;
	}
	for (i = 0; i < ENPUD_MAX_CLIENTS; i++)
		d.clients[i].fd = -1;
	d.lfd = d.sigfd = d.timerfd = d.batfd = d.power.fd = -1;

	if (enpud_nl_open(&d.nl, err, sizeof(err))) {
		say("%s", err);
		return 1;
	}
	if (read_device())
		goto fail;
	if (setup_policy())
		goto fail_config;
	/* A cap a killed enpud left is the kernel's: start from it. */
	d.applied_cap = d.devinfo.freq_cap ? d.devinfo.freq_cap :
			d.dev.opps[d.dev.num_opps - 1].freq_khz;
	d.applied_floor = d.devinfo.freq_floor;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	d.sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	d.timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	d.batfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	ret = enpud_power_open(&d.power);
	if (d.sigfd < 0 || d.timerfd < 0 || d.batfd < 0 || ret || open_control())
		goto fail;
	read_battery();

	ret = enpud_loop_init(&d.loop, force_epoll);
	if (ret) {
		say("event loop: %s", strerror(-ret));
		goto fail;
	}
	if (enpud_loop_add(&d.loop, d.sigfd, on_signal, NULL) ||
	    enpud_loop_add(&d.loop, d.timerfd, on_timer, NULL) ||
	    enpud_loop_add(&d.loop, enpud_nl_fd(d.nl.ev), on_nl, d.nl.ev) ||
	    enpud_loop_add(&d.loop, enpud_nl_fd(d.nl.thermal), on_nl, d.nl.thermal) ||
	    enpud_loop_add(&d.loop, enpud_nl_fd(d.nl.sampling), on_samples, NULL) ||
	    enpud_loop_add(&d.loop, d.power.fd, on_uevent, NULL) ||
	    enpud_loop_add(&d.loop, d.batfd, on_battery_poll, NULL) ||
	    enpud_loop_add(&d.loop, d.lfd, on_accept, NULL)) {
		say("event loop: cannot watch the descriptors");
		goto fail;
	}
	say("started: %s loop, %u cores, %u OPPs, control %.1f C, %u rules, socket %s",
	    enpud_loop_backend(&d.loop), d.dev.cores, d.dev.num_opps,
	    d.pol.cfg.control_mc / 1000.0, d.cfg.num_rules, d.sock_path);
	step();		/* the kernel's view now: a restart resumes from here */
	ret = enpud_loop_run(&d.loop);
	if (ret)
		say("event loop: %s", strerror(-ret));
	release();
	say("stopping");

	for (i = 0; i < ENPUD_MAX_CLIENTS; i++)
		if (d.clients[i].fd >= 0)
			close(d.clients[i].fd);
	enpud_loop_fini(&d.loop);
	close(d.lfd);
	unlink(d.sock_path);
	close(d.sigfd);
	close(d.timerfd);
	close(d.batfd);
	enpud_power_close(&d.power);
	enpud_nl_close(&d.nl);
	return ret ? 1 : 0;

fail_config:
	enpud_nl_close(&d.nl);
	return 2;
fail:
	if (d.lfd >= 0) {
		close(d.lfd);
		unlink(d.sock_path);
	}
	if (d.sigfd >= 0)
		close(d.sigfd);
	if (d.timerfd >= 0)
		close(d.timerfd);
	if (d.batfd >= 0)
		close(d.batfd);
	enpud_power_close(&d.power);
	enpud_nl_close(&d.nl);
	return 1;
}
