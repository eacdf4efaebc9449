/* SPDX-License-Identifier: MIT */
/*
 * enpud's netlink: the "enpu" family (commands and events) and the
 * kernel's "thermal" family (events), through libnl-genl.  Separate
 * sockets for commands (which need sequence checks and acks) and for
 * each multicast group; the event sockets are non-blocking.
 */
#ifndef ENPUD_NL_H
#define ENPUD_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nl_sock;

struct enpud_nl {
	struct nl_sock *cmd;
	struct nl_sock *ev;
	struct nl_sock *thermal;
	struct nl_sock *sampling;	/* joined only while enpud controls */
	int family;
	int sampling_grp;
	bool sampling_on;
};

struct enpud_dev {
	uint32_t id, cores, freq, freq_max, freq_cap, power_cap, power, resets,
		 static_power, freq_floor;
	int32_t temp;
	uint64_t energy, busy;
	bool suspended;
};

struct enpud_ctx {
	uint64_t client, busy, submitted, completed, failed;
	uint32_t dev, id, pid, prio, grant, class, period, deadline, job, runtime,
		 bperiod, state, cores;
	bool frozen;
	char comm[16];
};

/* An event: the enpu command (ENPU_CMD_*_NTF), or -1 for a thermal one. */
struct enpud_event {
	int cmd;
	uint64_t client;
	uint32_t ctx, pid, freq_max, reason;
	bool has_ctx;
	bool sample;		/* a thermal zone's temperature sample */
	uint32_t tz_id;
	int32_t temp_mc;
};

typedef void (*enpud_event_cb)(void *arg, const struct enpud_event *ev);

int enpud_nl_open(struct enpud_nl *n, char *err, size_t len);
void enpud_nl_close(struct enpud_nl *n);
int enpud_nl_fd(struct nl_sock *s);
int enpud_nl_dev_get(struct enpud_nl *n, struct enpud_dev *d);
int enpud_nl_set_freq_cap(struct enpud_nl *n, uint32_t khz);
int enpud_nl_set_freq_floor(struct enpud_nl *n, uint32_t khz);
int enpud_nl_ctx_dump(struct enpud_nl *n, struct enpud_ctx *out, uint32_t max,
		      uint32_t *count);
int enpud_nl_ctx_set(struct enpud_nl *n, const struct enpud_ctx *c, int prio,
		     int64_t runtime_us, uint32_t period_us, int frozen, uint32_t cores);
int enpud_nl_drain(struct nl_sock *s, bool thermal, enpud_event_cb cb, void *arg);
int enpud_nl_drain_samples(struct nl_sock *s, enpud_event_cb cb, void *arg);
int enpud_nl_sampling(struct enpud_nl *n, bool on);

#endif /* ENPUD_NL_H */
