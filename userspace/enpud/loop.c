// SPDX-License-Identifier: MIT
/*
 * The event loop: one multishot poll per file descriptor on io_uring,
 * re-armed when the kernel ends it; epoll behind the same calls when
 * io_uring cannot be set up.  Callbacks drain their descriptor (all of
 * enpud's are non-blocking), so level-triggered readiness is enough.
 */
#include <errno.h>
#include <liburing.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "loop.h"

#define ENPUD_RING_ENTRIES	64

static struct io_uring *ring_of(struct enpud_loop *l)
{
	return l->ring;
}

static int uring_arm(struct enpud_loop *l, int i)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring_of(l));

	if (!sqe)
		return -EBUSY;
	io_uring_prep_poll_multishot(sqe, l->slot[i].fd, POLLIN);
	io_uring_sqe_set_data64(sqe, (uint64_t)l->slot[i].gen << 32 | (i + 1));
	return 0;
}

/*
 * Set up io_uring unless told not to or it is unavailable; epoll
 * otherwise.  Returns 0 or -errno.
 */
int enpud_loop_init(struct enpud_loop *l, bool force_epoll)
{
	struct io_uring *ring;
	int i;

	memset(l, 0, sizeof(*l));
	l->epfd = -1;
	for (i = 0; i < ENPUD_LOOP_MAX; i++)
		l->slot[i].fd = -1;
	if (!force_epoll) {
		ring = calloc(1, sizeof(*ring));
		if (!ring)
			return -ENOMEM;
		if (!io_uring_queue_init(ENPUD_RING_ENTRIES, ring, 0)) {
			l->ring = ring;
			l->uring = true;
			return 0;
		}
		free(ring);
	}
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	return l->epfd < 0 ? -errno : 0;
}

void enpud_loop_fini(struct enpud_loop *l)
{
	if (l->uring) {
		io_uring_queue_exit(ring_of(l));
		free(l->ring);
		l->ring = NULL;
	}
	if (l->epfd >= 0)
		close(l->epfd);
	l->epfd = -1;
}

const char *enpud_loop_backend(const struct enpud_loop *l)
{
	return l->uring ? "io_uring" : "epoll";
}

/* Call @cb(@arg) whenever @fd is readable.  Returns 0 or -errno. */
int enpud_loop_add(struct enpud_loop *l, int fd, enpud_loop_cb cb, void *arg)
{
	int i;

	for (i = 0; i < ENPUD_LOOP_MAX && l->slot[i].fd >= 0; i++)
		;
	if (i == ENPUD_LOOP_MAX)
		return -ENOSPC;
	l->slot[i].fd = fd;
	l->slot[i].cb = cb;
	l->slot[i].arg = arg;
	l->slot[i].gen++;
	if (l->uring) {
		int ret = uring_arm(l, i);

		if (!ret)
			ret = io_uring_submit(ring_of(l)) < 0 ? -EIO : 0;
		if (ret)
			l->slot[i].fd = -1;
		return ret;
	} else {
		struct epoll_event ev = { .events = EPOLLIN, .data.u32 = i };

		if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev)) {
			l->slot[i].fd = -1;
			return -errno;
		}
	}
	return 0;
}

/* Stop watching @fd (before the caller closes it). */
void enpud_loop_del(struct enpud_loop *l, int fd)
{
	int i;

	for (i = 0; i < ENPUD_LOOP_MAX && l->slot[i].fd != fd; i++)
		;
	if (i == ENPUD_LOOP_MAX)
		return;
	l->slot[i].fd = -1;
	if (l->uring) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(ring_of(l));

		if (sqe) {
			io_uring_prep_poll_remove(sqe, (uint64_t)l->slot[i].gen << 32 | (i + 1));
			io_uring_sqe_set_data64(sqe, 0);
			io_uring_submit(ring_of(l));
		}
	} else {
		epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
	}
}

static int run_uring(struct enpud_loop *l)
{
	struct io_uring_cqe *cqe;
	int ret;

	ret = io_uring_wait_cqe(ring_of(l), &cqe);
	if (ret == -EINTR)
		return 0;
	if (ret)
		return ret;
	do {
		uint64_t data = io_uring_cqe_get_data64(cqe);
		unsigned int idx = (uint32_t)data, gen = data >> 32;
		bool more = cqe->flags & IORING_CQE_F_MORE;
		int res = cqe->res;

		io_uring_cqe_seen(ring_of(l), cqe);
		if (!idx || idx > ENPUD_LOOP_MAX)
			continue;
		idx--;
		/* Removed, maybe reused since: a late completion. */
		if (l->slot[idx].fd < 0 || l->slot[idx].gen != gen)
			continue;
		if (res >= 0) {
			l->wakeups++;
			l->slot[idx].cb(l->slot[idx].arg);
		}
		/* Ended (an error, or the kernel's choice): arm it again. */
		if (!more && l->slot[idx].fd >= 0 && !uring_arm(l, idx))
			io_uring_submit(ring_of(l));
	} while (!l->stop && !io_uring_peek_cqe(ring_of(l), &cqe));
	return 0;
}

static int run_epoll(struct enpud_loop *l)
{
	struct epoll_event ev[16];
	int n, i;

	n = epoll_wait(l->epfd, ev, 16, -1);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	for (i = 0; i < n && !l->stop; i++) {
		unsigned int idx = ev[i].data.u32;

		if (idx < ENPUD_LOOP_MAX && l->slot[idx].fd >= 0) {
			l->wakeups++;
			l->slot[idx].cb(l->slot[idx].arg);
		}
	}
	return 0;
}

/* Run until a callback sets @l->stop.  Returns 0 or -errno. */
int enpud_loop_run(struct enpud_loop *l)
{
	int ret = 0;

	while (!l->stop && !ret)
		ret = l->uring ? run_uring(l) : run_epoll(l);
	return ret;
}
