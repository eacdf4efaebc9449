/* SPDX-License-Identifier: MIT */
/*
 * enpud's event loop: readiness of a few file descriptors, on io_uring
 * (multishot poll) or, where io_uring is unavailable (disabled by
 * kernel.io_uring_disabled, seccomp or SELinux), on epoll.
 */
#ifndef ENPUD_LOOP_H
#define ENPUD_LOOP_H

#include <stdbool.h>

#define ENPUD_LOOP_MAX	64

typedef void (*enpud_loop_cb)(void *arg);

struct enpud_loop_slot {
	int fd;			/* -1: free */
	unsigned int gen;	/* tells a late completion from a reused slot */
	enpud_loop_cb cb;
	void *arg;
};

struct enpud_loop {
	bool uring;		/* else epoll */
	void *ring;		/* struct io_uring */
	int epfd;
	bool stop;
	unsigned long wakeups;	/* callbacks run, for the benchmark */
	struct enpud_loop_slot slot[ENPUD_LOOP_MAX];
};

int enpud_loop_init(struct enpud_loop *l, bool force_epoll);
void enpud_loop_fini(struct enpud_loop *l);
int enpud_loop_add(struct enpud_loop *l, int fd, enpud_loop_cb cb, void *arg);
void enpud_loop_del(struct enpud_loop *l, int fd);
int enpud_loop_run(struct enpud_loop *l);
const char *enpud_loop_backend(const struct enpud_loop *l);

#endif /* ENPUD_LOOP_H */
