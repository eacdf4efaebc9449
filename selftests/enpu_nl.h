/* SPDX-License-Identifier: MIT */
/*
 * A small generic netlink client for the selftests: resolve a family and
 * its multicast groups, send a request with u8/u32/u64 attributes, read
 * replies, dumps and events into an attribute table.  Static binaries in
 * the guest have no libnl; enpud uses libnl.
 */
#ifndef ENPU_NL_H
#define ENPU_NL_H

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#define NL_MAX_ATTR	32
#define NL_BUF		65536

struct nl_sock {
	int fd;
	__u16 family;
	__u32 seq;
	char grp_name[4][GENL_NAMSIZ];
	__u32 grp_id[4];
	int ngrps;
};

/* One received message: its command and its top-level attributes. */
struct nl_msg {
	__u8 cmd;
	struct nlattr *tb[NL_MAX_ATTR];
};

static inline void nl_parse(struct nlattr *tb[NL_MAX_ATTR], void *data, int len)
{
	struct nlattr *a;

	memset(tb, 0, sizeof(struct nlattr *) * NL_MAX_ATTR);
	for (a = data; len >= (int)sizeof(*a) && a->nla_len >= sizeof(*a) &&
	     a->nla_len <= len;
	     len -= NLA_ALIGN(a->nla_len), a = (void *)((char *)a + NLA_ALIGN(a->nla_len)))
		if ((a->nla_type & NLA_TYPE_MASK) < NL_MAX_ATTR)
			tb[a->nla_type & NLA_TYPE_MASK] = a;
}

static inline void *nl_data(const struct nlattr *a)
{
	return (char *)a + NLA_HDRLEN;
}

static inline __u32 nl_u32(const struct nlattr *a)
{
	__u32 v;

	memcpy(&v, nl_data(a), sizeof(v));
	return v;
}

static inline __u64 nl_u64(const struct nlattr *a)
{
	__u64 v;

	memcpy(&v, nl_data(a), sizeof(v));
	return v;
}

static inline __u8 nl_u8(const struct nlattr *a)
{
	return *(__u8 *)nl_data(a);
}

/* A request being built. */
struct nl_req {
	union {
		struct nlmsghdr nlh;
		char buf[1024];
	};
};

static inline void nl_req_init(struct nl_req *r, __u16 family, __u8 cmd,
			       __u16 flags)
{
	struct genlmsghdr *g;

	memset(r, 0, sizeof(*r));
	r->nlh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	r->nlh.nlmsg_type = family;
	r->nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	g = NLMSG_DATA(&r->nlh);
	g->cmd = cmd;
	g->version = 1;
}

static inline void nl_put(struct nl_req *r, __u16 type, const void *v, int len)
{
	struct nlattr *a = (void *)(r->buf + NLMSG_ALIGN(r->nlh.nlmsg_len));

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy(nl_data(a), v, len);
	r->nlh.nlmsg_len = NLMSG_ALIGN(r->nlh.nlmsg_len) + NLA_ALIGN(a->nla_len);
}

static inline void nl_put_u8(struct nl_req *r, __u16 type, __u8 v)
{
	nl_put(r, type, &v, sizeof(v));
}

static inline void nl_put_u32(struct nl_req *r, __u16 type, __u32 v)
{
	nl_put(r, type, &v, sizeof(v));
}

static inline void nl_put_u64(struct nl_req *r, __u16 type, __u64 v)
{
	nl_put(r, type, &v, sizeof(v));
}

static inline void nl_put_str(struct nl_req *r, __u16 type, const char *s)
{
	nl_put(r, type, s, strlen(s) + 1);
}

/*
 * Send @r and read until its ack (or the end of its dump), calling @cb
 * for every data message.  Other messages are dropped: listen for events
 * on a socket of their own.  Returns 0, the request's -errno, or -EIO for a
 * malformed answer.
 */
static inline int nl_talk(struct nl_sock *s, struct nl_req *r,
			  int (*cb)(struct nl_msg *m, void *arg), void *arg)
{
	static char buf[NL_BUF];
	struct nlmsghdr *h;
	int len;

	r->nlh.nlmsg_seq = ++s->seq;
	if (send(s->fd, r, r->nlh.nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		len = recv(s->fd, buf, sizeof(buf), 0);
		if (len < 0)
			return -errno;
		for (h = (void *)buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
			struct genlmsghdr *g = NLMSG_DATA(h);
			struct nl_msg m;

			if (h->nlmsg_seq != s->seq)
				continue;	/* an event, or an old answer */
			if (h->nlmsg_type == NLMSG_ERROR)
				return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
			if (h->nlmsg_type == NLMSG_DONE)	/* a dump's end */
				return h->nlmsg_len >= NLMSG_LENGTH(sizeof(int)) ?
				       *(int *)NLMSG_DATA(h) : 0;
			if (h->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN))
				return -EIO;
			m.cmd = g->cmd;
			nl_parse(m.tb, (char *)g + GENL_HDRLEN,
				 h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN));
			if (cb) {
				int ret = cb(&m, arg);

				if (ret)
					return ret;
			}
		}
	}
}

static inline int nl_resolve_cb(struct nl_msg *m, void *arg)
{
	struct nl_sock *s = arg;
	struct nlattr *grps = m->tb[CTRL_ATTR_MCAST_GROUPS], *g;
	int len;

	if (!m->tb[CTRL_ATTR_FAMILY_ID])
		return -EIO;
	s->family = *(__u16 *)nl_data(m->tb[CTRL_ATTR_FAMILY_ID]);
	if (!grps)
		return 0;
	len = grps->nla_len - NLA_HDRLEN;
	for (g = nl_data(grps); len >= NLA_HDRLEN && s->ngrps < 4;
	     len -= NLA_ALIGN(g->nla_len), g = (void *)((char *)g + NLA_ALIGN(g->nla_len))) {
		struct nlattr *tb[NL_MAX_ATTR];

		nl_parse(tb, nl_data(g), g->nla_len - NLA_HDRLEN);
		if (!tb[CTRL_ATTR_MCAST_GRP_NAME] || !tb[CTRL_ATTR_MCAST_GRP_ID])
			continue;
		strncpy(s->grp_name[s->ngrps], nl_data(tb[CTRL_ATTR_MCAST_GRP_NAME]),
			GENL_NAMSIZ - 1);
		s->grp_id[s->ngrps++] = nl_u32(tb[CTRL_ATTR_MCAST_GRP_ID]);
	}
	return 0;
}

/* Open a socket for generic netlink family @name: 0 or -errno. */
static inline int nl_open(struct nl_sock *s, const char *name)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = 10 };
	struct nl_req r;
	int ret;

	memset(s, 0, sizeof(*s));
	s->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (s->fd < 0)
		return -errno;
	if (bind(s->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    setsockopt(s->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0) {
		ret = -errno;
		close(s->fd);
		return ret;
	}
	nl_req_init(&r, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0);
	nl_put_str(&r, CTRL_ATTR_FAMILY_NAME, name);
	ret = nl_talk(s, &r, nl_resolve_cb, s);
	if (!ret && !s->family)
		ret = -ENOENT;
	if (ret)
		close(s->fd);
	return ret;
}

/* Join multicast group @name of the family: 0 or -errno. */
static inline int nl_subscribe(struct nl_sock *s, const char *name)
{
	int i;

	for (i = 0; i < s->ngrps; i++)
		if (!strcmp(s->grp_name[i], name))
			return setsockopt(s->fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
					  &s->grp_id[i], sizeof(s->grp_id[i])) ? -errno : 0;
	return -ENOENT;
}

/*
 * Wait up to @ms for an event of command @cmd for which @match (if any)
 * returns true; other events are skipped.  Returns 1 if seen, 0 if not,
 * or -errno.  The matching event's attributes stay valid until the next
 * call.
 */
static inline int nl_wait_event(struct nl_sock *s, __u8 cmd, int ms,
				bool (*match)(struct nl_msg *m, void *arg),
				void *arg, struct nl_msg *out)
{
	static char buf[NL_BUF];
	struct pollfd p = { .fd = s->fd, .events = POLLIN };

	for (;;) {
		struct nlmsghdr *h;
		int len;

		if (poll(&p, 1, ms) <= 0)
			return 0;
		len = recv(s->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (len < 0)
			return errno == EAGAIN ? 0 : -errno;
		for (h = (void *)buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
			struct genlmsghdr *g = NLMSG_DATA(h);
			struct nl_msg m;

			if (h->nlmsg_type != s->family ||
			    h->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN) || g->cmd != cmd)
				continue;
			m.cmd = g->cmd;
			nl_parse(m.tb, (char *)g + GENL_HDRLEN,
				 h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN));
			if (match && !match(&m, arg))
				continue;
			if (out)
				*out = m;
			return 1;
		}
	}
}

static inline void nl_close(struct nl_sock *s)
{
	close(s->fd);
}

/* A kobject uevent socket, or -1. */
static inline int uevent_open(void)
{
	struct sockaddr_nl addr = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	int s = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);

	if (s < 0)
		return -1;
	if (bind(s, (struct sockaddr *)&addr, sizeof(addr))) {
		close(s);
		return -1;
	}
	return s;
}

/* Wait up to @ms for one uevent carrying all @n lines of @needles. */
static inline bool uevent_seen_all(int s, const char *const *needles, int n, int ms)
{
	struct pollfd p = { .fd = s, .events = POLLIN };
	char msg[4096];

	while (poll(&p, 1, ms) == 1) {
		ssize_t len = recv(s, msg, sizeof(msg) - 1, 0), off;
		int i, found = 0;

		if (len <= 0)
			return false;
		msg[len] = 0;
		for (i = 0; i < n; i++)
			for (off = 0; off < len; off += strlen(msg + off) + 1)
				if (!strcmp(msg + off, needles[i])) {
					found++;
					break;
				}
		if (found == n)
			return true;
	}
	return false;
}

static inline bool uevent_seen(int s, const char *needle, int ms)
{
	return uevent_seen_all(s, &needle, 1, ms);
}

#endif /* ENPU_NL_H */
