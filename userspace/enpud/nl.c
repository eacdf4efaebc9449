// SPDX-License-Identifier: MIT
/*
 * libnl-genl for enpud, in the manner of the kernel's tools/lib/thermal:
 * families and groups resolved once at start, attributes parsed with
 * policies, events read from non-blocking sockets until they run dry.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>
#include <linux/enpu_genl.h>
#include <linux/thermal.h>

#include "nl.h"

static struct nla_policy dev_policy[ENPU_A_DEV_MAX + 1] = {
	[ENPU_A_DEV_ID] = { .type = NLA_U32 },
	[ENPU_A_DEV_TEMP] = { .type = NLA_U32 },
	[ENPU_A_DEV_FREQ] = { .type = NLA_U32 },
	[ENPU_A_DEV_FREQ_MAX] = { .type = NLA_U32 },
	[ENPU_A_DEV_FREQ_CAP] = { .type = NLA_U32 },
	[ENPU_A_DEV_POWER_CAP] = { .type = NLA_U32 },
	[ENPU_A_DEV_POWER] = { .type = NLA_U32 },
	[ENPU_A_DEV_ENERGY] = { .type = NLA_U64 },
	[ENPU_A_DEV_BUSY] = { .type = NLA_U64 },
	[ENPU_A_DEV_CORES] = { .type = NLA_U32 },
	[ENPU_A_DEV_RESETS] = { .type = NLA_U32 },
	[ENPU_A_DEV_SUSPENDED] = { .type = NLA_U8 },
	[ENPU_A_DEV_STATIC_POWER] = { .type = NLA_U32 },
	[ENPU_A_DEV_FREQ_FLOOR] = { .type = NLA_U32 },
};

static struct nla_policy ctx_policy[ENPU_A_CTX_MAX + 1] = {
	[ENPU_A_CTX_DEV_ID] = { .type = NLA_U32 },
	[ENPU_A_CTX_CLIENT] = { .type = NLA_U64 },
	[ENPU_A_CTX_ID] = { .type = NLA_U32 },
	[ENPU_A_CTX_PID] = { .type = NLA_U32 },
	[ENPU_A_CTX_COMM] = { .type = NLA_STRING },
	[ENPU_A_CTX_PRIORITY] = { .type = NLA_U32 },
	[ENPU_A_CTX_PRIORITY_GRANT] = { .type = NLA_U32 },
	[ENPU_A_CTX_CLASS] = { .type = NLA_U32 },
	[ENPU_A_CTX_PERIOD] = { .type = NLA_U32 },
	[ENPU_A_CTX_DEADLINE] = { .type = NLA_U32 },
	[ENPU_A_CTX_JOB_DURATION] = { .type = NLA_U32 },
	[ENPU_A_CTX_BUDGET_RUNTIME] = { .type = NLA_U32 },
	[ENPU_A_CTX_BUDGET_PERIOD] = { .type = NLA_U32 },
	[ENPU_A_CTX_FROZEN] = { .type = NLA_U8 },
	[ENPU_A_CTX_BUSY] = { .type = NLA_U64 },
	[ENPU_A_CTX_SUBMITTED] = { .type = NLA_U64 },
	[ENPU_A_CTX_COMPLETED] = { .type = NLA_U64 },
	[ENPU_A_CTX_FAILED] = { .type = NLA_U64 },
	[ENPU_A_CTX_STATE] = { .type = NLA_U32 },
	[ENPU_A_CTX_CORES_ALLOWED] = { .type = NLA_U32 },
};

static struct nla_policy event_policy[ENPU_A_EVENT_MAX + 1] = {
	[ENPU_A_EVENT_DEV_ID] = { .type = NLA_U32 },
	[ENPU_A_EVENT_CLIENT] = { .type = NLA_U64 },
	[ENPU_A_EVENT_CTX_ID] = { .type = NLA_U32 },
	[ENPU_A_EVENT_PID] = { .type = NLA_U32 },
	[ENPU_A_EVENT_FREQ_MAX] = { .type = NLA_U32 },
	[ENPU_A_EVENT_REASON] = { .type = NLA_U32 },
};

static uint32_t get_u32(struct nlattr **tb, int a)
{
	return tb[a] ? nla_get_u32(tb[a]) : 0;
}

static uint64_t get_u64(struct nlattr **tb, int a)
{
	return tb[a] ? nla_get_u64(tb[a]) : 0;
}

/* A socket subscribed to @group of @family, non-blocking, no seq check. */
static struct nl_sock *group_socket(const char *family, const char *group, int *ret)
{
	struct nl_sock *s = nl_socket_alloc();
	int grp;

	*ret = -ENOMEM;
	if (!s)
		return NULL;
	*ret = genl_connect(s);
	if (*ret)
		goto err;
	grp = genl_ctrl_resolve_grp(s, family, group);
	if (grp < 0) {
		*ret = grp;
		goto err;
	}
	*ret = nl_socket_add_membership(s, grp);
	if (*ret)
		goto err;
	nl_socket_disable_seq_check(s);
	*ret = nl_socket_set_nonblocking(s);
	if (*ret)
		goto err;
	nl_socket_set_buffer_size(s, 256 * 1024, 0);
	return s;
err:
	nl_socket_free(s);
	return NULL;
}

/* Open the three sockets.  Returns 0, or -1 with @err saying why. */
int enpud_nl_open(struct enpud_nl *n, char *err, size_t len)
{
	int ret;

	memset(n, 0, sizeof(*n));
	n->cmd = nl_socket_alloc();
	if (!n->cmd || genl_connect(n->cmd)) {
		snprintf(err, len, "netlink: cannot open a generic netlink socket");
		goto fail;
	}
	n->family = genl_ctrl_resolve(n->cmd, ENPU_FAMILY_NAME);
	if (n->family < 0) {
		snprintf(err, len, "netlink: no \"%s\" family (is enpu.ko loaded?)",
			 ENPU_FAMILY_NAME);
		goto fail;
	}
	n->ev = group_socket(ENPU_FAMILY_NAME, ENPU_MCGRP_EVENTS, &ret);
	if (!n->ev) {
		snprintf(err, len, "netlink: cannot join enpu events: %s", nl_geterror(ret));
		goto fail;
	}
	n->thermal = group_socket(THERMAL_GENL_FAMILY_NAME, THERMAL_GENL_EVENT_GROUP_NAME,
				  &ret);
	if (!n->thermal) {
		snprintf(err, len, "netlink: cannot join thermal events: %s",
			 nl_geterror(ret));
		goto fail;
	}
	/*
	 * Temperature samples come every polling period of every zone, idle
	 * or not: joined only while enpud controls (enpud_nl_sampling()).
	 * Their command numbers overlap the events', hence a socket of
	 * their own.
	 */
	n->sampling = group_socket(THERMAL_GENL_FAMILY_NAME, THERMAL_GENL_SAMPLING_GROUP_NAME,
				   &ret);
	if (!n->sampling) {
		snprintf(err, len, "netlink: cannot join thermal samples: %s",
			 nl_geterror(ret));
		goto fail;
	}
	n->sampling_grp = genl_ctrl_resolve_grp(n->sampling, THERMAL_GENL_FAMILY_NAME,
						THERMAL_GENL_SAMPLING_GROUP_NAME);
	if (n->sampling_grp < 0 || nl_socket_drop_membership(n->sampling, n->sampling_grp)) {
		snprintf(err, len, "netlink: cannot leave thermal samples");
		goto fail;
	}
	return 0;
fail:
	enpud_nl_close(n);
	return -1;
}

/* Join or leave the thermal samples.  Returns 0 or a libnl error. */
int enpud_nl_sampling(struct enpud_nl *n, bool on)
{
	int ret;

	if (on == n->sampling_on)
		return 0;
	ret = on ? nl_socket_add_membership(n->sampling, n->sampling_grp) :
		   nl_socket_drop_membership(n->sampling, n->sampling_grp);
	if (!ret)
		n->sampling_on = on;
	return ret;
}

void enpud_nl_close(struct enpud_nl *n)
{
	if (n->cmd)
		nl_socket_free(n->cmd);
	if (n->ev)
		nl_socket_free(n->ev);
	if (n->thermal)
		nl_socket_free(n->thermal);
	if (n->sampling)
		nl_socket_free(n->sampling);
	memset(n, 0, sizeof(*n));
}

int enpud_nl_fd(struct nl_sock *s)
{
	return nl_socket_get_fd(s);
}

/* --- requests ---------------------------------------------------------------- */

struct talk {
	int done;		/* 1 while waiting; 0 or -errno at the end */
	int (*parse)(struct nlattr **tb, void *arg);
	struct nla_policy *policy;
	int maxattr;
	void *arg;
};

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct talk *t = arg;
	struct nlattr *tb[64];
	int ret;

	ret = genlmsg_parse(nlmsg_hdr(msg), 0, tb, t->maxattr, t->policy);
	if (ret) {
		t->done = -EIO;
		return NL_STOP;
	}
	ret = t->parse ? t->parse(tb, t->arg) : 0;
	if (ret) {
		t->done = ret;
		return NL_STOP;
	}
	return NL_OK;
}

static int on_finish(struct nl_msg *msg, void *arg)
{
	struct talk *t = arg;

	(void)msg;
	if (t->done > 0)
		t->done = 0;
	return NL_STOP;
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct talk *t = arg;

	(void)nla;
	t->done = e->error ? e->error : 0;
	return NL_STOP;
}

/* Send @msg (consumed) and read answers until its ack or dump end. */
static int talk(struct enpud_nl *n, struct nl_msg *msg, struct talk *t)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int ret;

	if (!cb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	t->done = 1;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, t);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, t);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_finish, t);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, t);
	ret = nl_send_auto(n->cmd, msg);
	nlmsg_free(msg);
	while (ret >= 0 && t->done > 0)
		ret = nl_recvmsgs(n->cmd, cb);
	nl_cb_put(cb);
	if (ret < 0 && t->done > 0)
		return -EIO;
	return t->done;
}

static struct nl_msg *request(struct enpud_nl *n, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (msg && !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, n->family, 0, flags,
				cmd, ENPU_FAMILY_VERSION)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

static int parse_dev(struct nlattr **tb, void *arg)
{
	struct enpud_dev *d = arg;

	d->id = get_u32(tb, ENPU_A_DEV_ID);
	d->temp = (int32_t)get_u32(tb, ENPU_A_DEV_TEMP);
	d->freq = get_u32(tb, ENPU_A_DEV_FREQ);
	d->freq_max = get_u32(tb, ENPU_A_DEV_FREQ_MAX);
	d->freq_cap = get_u32(tb, ENPU_A_DEV_FREQ_CAP);
	d->power_cap = get_u32(tb, ENPU_A_DEV_POWER_CAP);
	d->freq_floor = get_u32(tb, ENPU_A_DEV_FREQ_FLOOR);
	d->power = get_u32(tb, ENPU_A_DEV_POWER);
	d->energy = get_u64(tb, ENPU_A_DEV_ENERGY);
	d->busy = get_u64(tb, ENPU_A_DEV_BUSY);
	d->cores = get_u32(tb, ENPU_A_DEV_CORES);
	d->resets = get_u32(tb, ENPU_A_DEV_RESETS);
	d->suspended = tb[ENPU_A_DEV_SUSPENDED] && nla_get_u8(tb[ENPU_A_DEV_SUSPENDED]);
	d->static_power = get_u32(tb, ENPU_A_DEV_STATIC_POWER);
	return 0;
}

int enpud_nl_dev_get(struct enpud_nl *n, struct enpud_dev *d)
{
	struct talk t = { .parse = parse_dev, .policy = dev_policy,
			  .maxattr = ENPU_A_DEV_MAX, .arg = d };
	struct nl_msg *msg = request(n, ENPU_CMD_DEV_GET, 0);

	return msg ? talk(n, msg, &t) : -ENOMEM;
}

static int dev_set_u32(struct enpud_nl *n, int attr, uint32_t v)
{
	struct talk t = { .policy = dev_policy, .maxattr = ENPU_A_DEV_MAX };
	struct nl_msg *msg = request(n, ENPU_CMD_DEV_SET, 0);

	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, attr, v)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return talk(n, msg, &t);
}

int enpud_nl_set_freq_cap(struct enpud_nl *n, uint32_t khz)
{
	return dev_set_u32(n, ENPU_A_DEV_FREQ_CAP, khz);
}

int enpud_nl_set_freq_floor(struct enpud_nl *n, uint32_t khz)
{
	return dev_set_u32(n, ENPU_A_DEV_FREQ_FLOOR, khz);
}

struct dump {
	struct enpud_ctx *out;
	uint32_t max, count;
};

static int parse_ctx(struct nlattr **tb, void *arg)
{
	struct dump *dp = arg;
	struct enpud_ctx *c;

	if (!tb[ENPU_A_CTX_CLIENT] || !tb[ENPU_A_CTX_ID])
		return -EIO;
	if (dp->count == dp->max)
		return 0;	/* more than enpud tracks: the rest wait */
	c = &dp->out[dp->count++];
	memset(c, 0, sizeof(*c));
	c->dev = get_u32(tb, ENPU_A_CTX_DEV_ID);
	c->client = get_u64(tb, ENPU_A_CTX_CLIENT);
	c->id = get_u32(tb, ENPU_A_CTX_ID);
	c->pid = get_u32(tb, ENPU_A_CTX_PID);
	if (tb[ENPU_A_CTX_COMM])
		snprintf(c->comm, sizeof(c->comm), "%s", nla_get_string(tb[ENPU_A_CTX_COMM]));
	c->prio = get_u32(tb, ENPU_A_CTX_PRIORITY);
	c->grant = get_u32(tb, ENPU_A_CTX_PRIORITY_GRANT);
	c->class = get_u32(tb, ENPU_A_CTX_CLASS);
	c->period = get_u32(tb, ENPU_A_CTX_PERIOD);
	c->deadline = get_u32(tb, ENPU_A_CTX_DEADLINE);
	c->job = get_u32(tb, ENPU_A_CTX_JOB_DURATION);
	c->runtime = get_u32(tb, ENPU_A_CTX_BUDGET_RUNTIME);
	c->bperiod = get_u32(tb, ENPU_A_CTX_BUDGET_PERIOD);
	c->frozen = tb[ENPU_A_CTX_FROZEN] && nla_get_u8(tb[ENPU_A_CTX_FROZEN]);
	c->cores = get_u32(tb, ENPU_A_CTX_CORES_ALLOWED);
	c->busy = get_u64(tb, ENPU_A_CTX_BUSY);
	c->submitted = get_u64(tb, ENPU_A_CTX_SUBMITTED);
	c->completed = get_u64(tb, ENPU_A_CTX_COMPLETED);
	c->failed = get_u64(tb, ENPU_A_CTX_FAILED);
	c->state = get_u32(tb, ENPU_A_CTX_STATE);
	return 0;
}

/* Every context of every device, up to @max. */
int enpud_nl_ctx_dump(struct enpud_nl *n, struct enpud_ctx *out, uint32_t max,
		      uint32_t *count)
{
	struct dump dp = { .out = out, .max = max };
	struct talk t = { .parse = parse_ctx, .policy = ctx_policy,
			  .maxattr = ENPU_A_CTX_MAX, .arg = &dp };
	struct nl_msg *msg = request(n, ENPU_CMD_CTX_GET, NLM_F_DUMP);
	int ret;

	if (!msg)
		return -ENOMEM;
	ret = talk(n, msg, &t);
	*count = dp.count;
	return ret;
}

/*
 * Set what is given: @prio (-1: leave), a budget when @runtime_us >= 0
 * (0 with period 0 clears it), @frozen (-1: leave), @cores (0: leave).
 */
int enpud_nl_ctx_set(struct enpud_nl *n, const struct enpud_ctx *c, int prio,
		     int64_t runtime_us, uint32_t period_us, int frozen, uint32_t cores)
{
	struct talk t = { .policy = ctx_policy, .maxattr = ENPU_A_CTX_MAX };
	struct nl_msg *msg = request(n, ENPU_CMD_CTX_SET, 0);
	int bad = 0;

	if (!msg)
		return -ENOMEM;
	bad |= nla_put_u32(msg, ENPU_A_CTX_DEV_ID, c->dev);
	bad |= nla_put_u64(msg, ENPU_A_CTX_CLIENT, c->client);
	bad |= nla_put_u32(msg, ENPU_A_CTX_ID, c->id);
	if (prio >= 0)
		bad |= nla_put_u32(msg, ENPU_A_CTX_PRIORITY, prio);
	if (runtime_us >= 0) {
		bad |= nla_put_u32(msg, ENPU_A_CTX_BUDGET_RUNTIME, runtime_us);
		bad |= nla_put_u32(msg, ENPU_A_CTX_BUDGET_PERIOD, period_us);
	}
	if (frozen >= 0)
		bad |= nla_put_u8(msg, ENPU_A_CTX_FROZEN, frozen);
	if (cores)
		bad |= nla_put_u32(msg, ENPU_A_CTX_CORES_ALLOWED, cores);
	if (bad) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return talk(n, msg, &t);
}

/* --- events ------------------------------------------------------------------- */

struct drain {
	bool thermal;
	enpud_event_cb cb;
	void *arg;
};

static int on_event(struct nl_msg *msg, void *arg)
{
	struct drain *dr = arg;
	struct genlmsghdr *g = nlmsg_data(nlmsg_hdr(msg));
	struct enpud_event ev = { .cmd = -1 };
	struct nlattr *tb[ENPU_A_EVENT_MAX + 1];

	if (!dr->thermal) {
		if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, ENPU_A_EVENT_MAX, event_policy))
			return NL_SKIP;
		ev.cmd = g->cmd;
		ev.has_ctx = tb[ENPU_A_EVENT_CLIENT] && tb[ENPU_A_EVENT_CTX_ID];
		ev.client = get_u64(tb, ENPU_A_EVENT_CLIENT);
		ev.ctx = get_u32(tb, ENPU_A_EVENT_CTX_ID);
		ev.pid = get_u32(tb, ENPU_A_EVENT_PID);
		ev.freq_max = get_u32(tb, ENPU_A_EVENT_FREQ_MAX);
		ev.reason = get_u32(tb, ENPU_A_EVENT_REASON);
	}
	dr->cb(dr->arg, &ev);
	return NL_OK;
}

static struct nla_policy sample_policy[THERMAL_GENL_ATTR_MAX + 1] = {
	[THERMAL_GENL_ATTR_TZ_ID] = { .type = NLA_U32 },
	[THERMAL_GENL_ATTR_TZ_TEMP] = { .type = NLA_U32 },
};

static int on_sample(struct nl_msg *msg, void *arg)
{
	struct drain *dr = arg;
	struct genlmsghdr *g = nlmsg_data(nlmsg_hdr(msg));
	struct enpud_event ev = { .cmd = -1, .sample = true };
	struct nlattr *tb[THERMAL_GENL_ATTR_MAX + 1];

	if (g->cmd != THERMAL_GENL_SAMPLING_TEMP ||
	    genlmsg_parse(nlmsg_hdr(msg), 0, tb, THERMAL_GENL_ATTR_MAX, sample_policy) ||
	    !tb[THERMAL_GENL_ATTR_TZ_ID] || !tb[THERMAL_GENL_ATTR_TZ_TEMP])
		return NL_SKIP;
	ev.tz_id = nla_get_u32(tb[THERMAL_GENL_ATTR_TZ_ID]);
	ev.temp_mc = (int32_t)nla_get_u32(tb[THERMAL_GENL_ATTR_TZ_TEMP]);
	dr->cb(dr->arg, &ev);
	return NL_OK;
}

/* Multicast messages carry no sequence number of ours. */
static int accept_any_seq(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

/*
 * Read every pending event of @s (an event socket), calling @cb for
 * each.  Returns 0, or -ENOBUFS when events were lost (the caller then
 * rebuilds its view from a dump).
 */
static int drain(struct nl_sock *s, nl_recvmsg_msg_cb_t handler, struct drain *dr)
{
	struct nl_cb *ncb = nl_cb_alloc(NL_CB_DEFAULT);
	int ret, lost = 0;

	if (!ncb)
		return -ENOMEM;
	nl_cb_set(ncb, NL_CB_VALID, NL_CB_CUSTOM, handler, dr);
	nl_cb_set(ncb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, accept_any_seq, NULL);
	for (;;) {
		ret = nl_recvmsgs(s, ncb);
		if (ret == -NLE_AGAIN)
			break;
		if (ret == -NLE_NOMEM)	/* the kernel dropped events (ENOBUFS) */
			lost = 1;
		else if (ret < 0)
			break;
	}
	nl_cb_put(ncb);
	return lost ? -ENOBUFS : 0;
}

int enpud_nl_drain(struct nl_sock *s, bool thermal, enpud_event_cb cb, void *arg)
{
	struct drain dr = { .thermal = thermal, .cb = cb, .arg = arg };

	return drain(s, on_event, &dr);
}

/* Read every pending temperature sample of the sampling socket @s. */
int enpud_nl_drain_samples(struct nl_sock *s, enpud_event_cb cb, void *arg)
{
	struct drain dr = { .thermal = true, .cb = cb, .arg = arg };

	return drain(s, on_sample, &dr);
}
