// SPDX-License-Identifier: MIT
/*
 * Contexts and jobs: CTX_CREATE/DESTROY/QUERY, SUBMIT of NOP, SPIN and
 * DMA_COPY streams, timeline and out syncobjs, sync_file, in-fences across
 * files, bad streams making only their own context guilty, many jobs from
 * many threads, and lifetime (close, destroy and free with jobs queued).
 */
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

#include "kselftest_harness.h"
#include "enpu_utils.h"
#include "enpu_job_utils.h"


FIXTURE(job) {
	int fd;
	__u32 ctx, syncobj;
	struct buf cmd, src, dst;
};

FIXTURE_SETUP(job)
{
	self->fd = enpu_open_device();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, ctx_create(self->fd, DRM_ENPU_PRIORITY_NORMAL, &self->ctx,
				&self->syncobj));
	ASSERT_EQ(0, buf_new(self->fd, SZ_4K, 0, &self->cmd));
	ASSERT_EQ(0, buf_new(self->fd, 4 * SZ_4K, 0, &self->src));
	ASSERT_EQ(0, buf_new(self->fd, 4 * SZ_4K, 0, &self->dst));
}

FIXTURE_TEARDOWN(job)
{
	buf_free(self->fd, &self->cmd);
	buf_free(self->fd, &self->src);
	buf_free(self->fd, &self->dst);
	close(self->fd);
	EXPECT_EQ(0, jobs_drain());
	EXPECT_EQ(0, enpu_objects("contexts"));
	EXPECT_EQ(0, enpu_objects("bos"));
}

TEST_F(job, ctx_lifecycle_and_errors)
{
	struct drm_enpu_ctx_create bad = { .priority = 4 };
	struct drm_enpu_ctx_query q;
	__u32 id = 0, ids[DRM_ENPU_MAX_CTX], n = 1, i;

	ASSERT_EQ(0, ctx_query(self->fd, self->ctx, &q));
	EXPECT_EQ(DRM_ENPU_CTX_OK, q.state);
	EXPECT_EQ(0, q.submitted);
	EXPECT_NE(0, self->syncobj);

	EXPECT_EQ(-1, ioctl(self->fd, DRM_IOCTL_ENPU_CTX_CREATE, &bad));
	EXPECT_EQ(EINVAL, errno);
	bad = (struct drm_enpu_ctx_create){ .class_hint = 4 };
	EXPECT_EQ(-1, ioctl(self->fd, DRM_IOCTL_ENPU_CTX_CREATE, &bad));
	bad = (struct drm_enpu_ctx_create){ .flags = 1 };
	EXPECT_EQ(-1, ioctl(self->fd, DRM_IOCTL_ENPU_CTX_CREATE, &bad));
	bad = (struct drm_enpu_ctx_create){ .pad = 1 };
	EXPECT_EQ(-1, ioctl(self->fd, DRM_IOCTL_ENPU_CTX_CREATE, &bad));
	EXPECT_EQ(EINVAL, errno);

	/* Root may ask for REALTIME. */
	ASSERT_EQ(0, ctx_create(self->fd, DRM_ENPU_PRIORITY_REALTIME, &id, NULL));
	EXPECT_EQ(0, ctx_destroy(self->fd, id));
	EXPECT_EQ(-ENOENT, ctx_destroy(self->fd, id));
	EXPECT_EQ(-ENOENT, ctx_query(self->fd, id, &q));

	/* The table is bounded. */
	for (i = 0; i < DRM_ENPU_MAX_CTX - 1; i++, n++) {
		ASSERT_EQ(0, ctx_create(self->fd, 0, &ids[i], NULL));
	}
	EXPECT_EQ(-ENOSPC, ctx_create(self->fd, 0, &id, NULL));
	for (i = 0; i < n - 1; i++) {
		EXPECT_EQ(0, ctx_destroy(self->fd, ids[i]));
	}
}

TEST_F(job, high_priority_needs_cap_sys_nice)
{
	int status;
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (!pid) {
		__u32 id;

		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(1);
		if (ctx_create(self->fd, DRM_ENPU_PRIORITY_HIGH, &id, NULL) != -EACCES)
			_exit(2);
		if (ctx_create(self->fd, DRM_ENPU_PRIORITY_NORMAL, &id, NULL))
			_exit(3);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_F(job, nop_and_timeline)
{
	struct drm_enpu_ctx_query q;
	__u64 p1 = 0, p2 = 0;
	__u32 size;

	put(&self->cmd, 0, DRM_ENPU_OP_NOP, 0, 0, 0);
	size = put(&self->cmd, 1, DRM_ENPU_OP_END, 0, 0, 0);
	ASSERT_EQ(0, submit(self->fd, self->ctx, &self->cmd, size, NULL, &p1));
	ASSERT_EQ(0, submit(self->fd, self->ctx, &self->cmd, size, NULL, &p2));
	EXPECT_EQ(1, p1);
	EXPECT_EQ(2, p2);
	ASSERT_EQ(0, timeline_wait(self->fd, self->syncobj, p2, 10 * NS));
	ASSERT_EQ(0, ctx_query(self->fd, self->ctx, &q));
	EXPECT_EQ(2, q.submitted);
	EXPECT_EQ(2, q.completed);
	EXPECT_EQ(0, q.failed);
}

TEST_F(job, dma_copy)
{
	struct drm_enpu_bo_ref bos[] = {
		{ self->cmd.handle, DRM_ENPU_BO_REF_READ },
		{ self->src.handle, DRM_ENPU_BO_REF_READ },
		{ self->dst.handle, DRM_ENPU_BO_REF_WRITE },
	};
	struct submit_opts o = { .bos = bos, .bo_count = 3 };
	__u32 *s = self->src.cpu, *d = self->dst.cpu, size, k;
	__u64 point = 0;

	for (k = 0; k < 4 * SZ_4K / 4; k++)
		s[k] = k ^ 0x5a5a5a5a;
	/* An unaligned, page-crossing copy of 3 pages and a bit. */
	put(&self->cmd, 0, DRM_ENPU_OP_DMA_COPY, self->src.va + 4, self->dst.va + 8,
	    3 * SZ_4K + 100);
	size = put(&self->cmd, 1, DRM_ENPU_OP_END, 0, 0, 0);
	ASSERT_EQ(0, submit(self->fd, self->ctx, &self->cmd, size, &o, &point));
	ASSERT_EQ(0, timeline_wait(self->fd, self->syncobj, point, 10 * NS));
	EXPECT_EQ(0, d[0]);
	EXPECT_EQ(0, d[1]);
	EXPECT_EQ(0, memcmp((char *)d + 8, (char *)s + 4, 3 * SZ_4K + 100));
	EXPECT_EQ(0, ((char *)d)[8 + 3 * SZ_4K + 100]);
}

TEST_F(job, spin_takes_its_modeled_time)
{
	struct drm_enpu_device_info info;
	__u32 isize = sizeof(info), size, khz;
	struct drm_enpu_opp opps[16];
	__u32 osize = sizeof(opps);
	__u64 point = 0, cycles;
	int64_t t0, dt, modeled;

	test_query(self->fd, DRM_ENPU_QUERY_DEVICE_INFO, &isize, &info);
	test_query(self->fd, DRM_ENPU_QUERY_OPP_TABLE, &osize, opps);
	khz = opps[info.num_opps - 1].freq_khz;	/* the cores run at the top OPP */
	cycles = (__u64)khz * 200;			/* 200 ms */
	modeled = 200 * 1000000ll;

	put(&self->cmd, 0, DRM_ENPU_OP_SPIN, cycles, 0, 0);
	size = put(&self->cmd, 1, DRM_ENPU_OP_END, 0, 0, 0);
	t0 = now_ns();
	ASSERT_EQ(0, submit(self->fd, self->ctx, &self->cmd, size, NULL, &point));
	ASSERT_EQ(0, timeline_wait(self->fd, self->syncobj, point, 30 * NS));
	dt = now_ns() - t0;
	EXPECT_LE(modeled, dt);
	/* A wait with a timeout shorter than a job fails with ETIME. */
	ASSERT_EQ(0, submit(self->fd, self->ctx, &self->cmd, size, NULL, &point));
	EXPECT_EQ(-ETIME, timeline_wait(self->fd, self->syncobj, point, 10000000));
	EXPECT_EQ(0, timeline_wait(self->fd, self->syncobj, point, 30 * NS));
}

TEST_F(job, out_syncobj_and_sync_file)
{
	struct drm_syncobj_handle h = {};
	struct drm_enpu_bo_ref bos[] = {
		{ self->src.handle, DRM_ENPU_BO_REF_READ },
		{ self->dst.handle, DRM_ENPU_BO_REF_WRITE },
	};
	struct submit_opts o = { .bos = bos, .bo_count = 2 };
	__u32 out = 0, imported = 0, size;
	struct drm_enpu_fence_ref in = {};
	struct submit_opts o2 = { .in = &in, .in_count = 1 };
	struct pollfd pfd;
	__u64 point = 0;

	ASSERT_EQ(0, syncobj_create(self->fd, &out));
	put(&self->cmd, 0, DRM_ENPU_OP_SPIN, 20000000, 0, 0);
	size = put(&self->cmd, 1, DRM_ENPU_OP_END, 0, 0, 0);
	o.out = out;
	ASSERT_EQ(0, submit(self->fd, self->ctx, &self->cmd, size, &o, &point));

	/* Out syncobj -> sync_file -> poll, as Android would. */
	h.handle = out;
	h.flags = DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE;
	h.fd = -1;
	ASSERT_EQ(0, ioctl(self->fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &h));
	pfd = (struct pollfd){ .fd = h.fd, .events = POLLIN };
	EXPECT_EQ(1, poll(&pfd, 1, 30000));

	/* sync_file -> a new syncobj -> an in-fence of the next job. */
	ASSERT_EQ(0, syncobj_create(self->fd, &imported));
	h.handle = imported;
	h.flags = DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE;
	ASSERT_EQ(0, ioctl(self->fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &h));
	close(h.fd);
	in.syncobj = imported;
	size = put(&self->cmd, 0, DRM_ENPU_OP_END, 0, 0, 0);
	ASSERT_EQ(0, submit(self->fd, self->ctx, &self->cmd, size, &o2, &point));
	ASSERT_EQ(0, timeline_wait(self->fd, self->syncobj, point, 10 * NS));
}

/* Job B in another file waits for job A through A's timeline syncobj. */
TEST_F(job, in_fence_across_files)
{
	struct drm_syncobj_handle h = { .handle = self->syncobj, .fd = -1 };
	struct buf cmd2, mid;
	struct drm_enpu_bo_ref bos_a[] = {
		{ self->src.handle, DRM_ENPU_BO_REF_READ },
		{ self->dst.handle, DRM_ENPU_BO_REF_WRITE },
	};
	__u32 ctx2 = 0, sync2 = 0, imported = 0, size, *s = self->src.cpu;
	struct drm_enpu_fence_ref in = {};
	struct submit_opts oa = { .bos = bos_a, .bo_count = 2 }, ob = {};
	__u64 pa = 0, pb = 0;
	int fd2, dmabuf;
	__u32 dst_in_2;
	struct drm_prime_handle p = {}, q = {};
	struct drm_syncobj_handle sq = {};
	struct drm_enpu_bo_info di = {};

	fd2 = enpu_open_device();
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, ctx_create(fd2, 1, &ctx2, &sync2));
	ASSERT_EQ(0, buf_new(fd2, SZ_4K, 0, &cmd2));
	ASSERT_EQ(0, buf_new(fd2, SZ_4K, 0, &mid));

	/* Share dst with the second file. */
	p.handle = self->dst.handle;
	p.flags = DRM_CLOEXEC | DRM_RDWR;
	ASSERT_EQ(0, ioctl(self->fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &p));
	dmabuf = p.fd;
	q.fd = dmabuf;
	ASSERT_EQ(0, ioctl(fd2, DRM_IOCTL_PRIME_FD_TO_HANDLE, &q));
	dst_in_2 = q.handle;
	close(dmabuf);
	ASSERT_EQ(0, _enpu_bo_info(fd2, dst_in_2, &di));

	/* A: spin 100 ms, then copy src -> dst. */
	s[0] = 0xdeadbeef;
	put(&self->cmd, 0, DRM_ENPU_OP_SPIN, 100000000, 0, 0);
	put(&self->cmd, 1, DRM_ENPU_OP_DMA_COPY, self->src.va, self->dst.va, 64);
	size = put(&self->cmd, 2, DRM_ENPU_OP_END, 0, 0, 0);
	ASSERT_EQ(0, submit(self->fd, self->ctx, &self->cmd, size, &oa, &pa));

	/* B (other file): after A's point, copy dst -> mid. */
	ASSERT_EQ(0, ioctl(self->fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &h));
	sq.fd = h.fd;
	ASSERT_EQ(0, ioctl(fd2, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &sq));
	imported = sq.handle;
	close(h.fd);
	in.syncobj = imported;
	in.point = pa;
	ob.in = &in;
	ob.in_count = 1;
	put(&cmd2, 0, DRM_ENPU_OP_DMA_COPY, di.va, mid.va, 64);
	size = put(&cmd2, 1, DRM_ENPU_OP_END, 0, 0, 0);
	ASSERT_EQ(0, submit(fd2, ctx2, &cmd2, size, &ob, &pb));
	ASSERT_EQ(0, timeline_wait(fd2, sync2, pb, 30 * NS));
	EXPECT_EQ(0xdeadbeef, ((__u32 *)mid.cpu)[0]);

	buf_free(fd2, &cmd2);
	buf_free(fd2, &mid);
	close(fd2);
}

FIXTURE(bad) {
	int fd, fd2;
	__u32 ctx, good, other;
	__u32 sync, sync_good, sync_other;
	struct buf cmd, ro, src, dst, cmd2, src2, dst2;
};

FIXTURE_VARIANT(bad) {
	int kind;
	int error;
};

enum { UNKNOWN_OP, NO_END, RESERVED, UNMAPPED, PAST_END, READ_ONLY, STREAM_PAST_BO, SPIN_ZERO };

FIXTURE_VARIANT_ADD(bad, unknown_opcode) { .kind = UNKNOWN_OP, .error = -EINVAL };
FIXTURE_VARIANT_ADD(bad, missing_end) { .kind = NO_END, .error = -EINVAL };
FIXTURE_VARIANT_ADD(bad, reserved_field) { .kind = RESERVED, .error = -EINVAL };
FIXTURE_VARIANT_ADD(bad, operand_unmapped) { .kind = UNMAPPED, .error = -EFAULT };
FIXTURE_VARIANT_ADD(bad, past_end_of_bo) { .kind = PAST_END, .error = -EFAULT };
FIXTURE_VARIANT_ADD(bad, write_read_only) { .kind = READ_ONLY, .error = -EFAULT };
FIXTURE_VARIANT_ADD(bad, stream_past_its_bo) { .kind = STREAM_PAST_BO, .error = -EFAULT };
FIXTURE_VARIANT_ADD(bad, spin_zero) { .kind = SPIN_ZERO, .error = -EINVAL };

FIXTURE_SETUP(bad)
{
	self->fd = enpu_open_device();
	self->fd2 = enpu_open_device();
	ASSERT_LE(0, self->fd);
	ASSERT_LE(0, self->fd2);
	ASSERT_EQ(0, ctx_create(self->fd, 1, &self->ctx, &self->sync));
	ASSERT_EQ(0, ctx_create(self->fd, 1, &self->good, &self->sync_good));
	ASSERT_EQ(0, ctx_create(self->fd2, 1, &self->other, &self->sync_other));
	ASSERT_EQ(0, buf_new(self->fd, SZ_4K, 0, &self->cmd));
	ASSERT_EQ(0, buf_new(self->fd, SZ_4K, DRM_ENPU_BO_DEVICE_READ_ONLY, &self->ro));
	ASSERT_EQ(0, buf_new(self->fd, SZ_4K, 0, &self->src));
	ASSERT_EQ(0, buf_new(self->fd, SZ_4K, 0, &self->dst));
	ASSERT_EQ(0, buf_new(self->fd2, SZ_4K, 0, &self->cmd2));
	ASSERT_EQ(0, buf_new(self->fd2, SZ_4K, 0, &self->src2));
	ASSERT_EQ(0, buf_new(self->fd2, SZ_4K, 0, &self->dst2));
}

FIXTURE_TEARDOWN(bad)
{
	/* A mapping keeps its file, and so the file's contexts, alive. */
	buf_free(self->fd, &self->cmd);
	buf_free(self->fd, &self->ro);
	buf_free(self->fd, &self->src);
	buf_free(self->fd, &self->dst);
	buf_free(self->fd2, &self->cmd2);
	buf_free(self->fd2, &self->src2);
	buf_free(self->fd2, &self->dst2);
	close(self->fd);
	close(self->fd2);
	EXPECT_EQ(0, jobs_drain());
	EXPECT_EQ(0, enpu_objects("contexts"));
	EXPECT_EQ(0, enpu_objects("bos"));
}

/* A copy on a healthy context; returns 0 when the data arrived. */
static int good_copy(int fd, __u32 ctx, __u32 sync, struct buf *cmd,
		     struct buf *src, struct buf *dst, __u32 val)
{
	__u64 point = 0;
	__u32 size;
	int ret;

	((__u32 *)src->cpu)[0] = val;
	put(cmd, 0, DRM_ENPU_OP_DMA_COPY, src->va, dst->va, 4);
	size = put(cmd, 1, DRM_ENPU_OP_END, 0, 0, 0);
	ret = submit(fd, ctx, cmd, size, NULL, &point);
	if (!ret)
		ret = timeline_wait(fd, sync, point, 30 * NS);
	if (!ret && ((__u32 *)dst->cpu)[0] != val)
		ret = -EIO;
	return ret;
}

TEST_F(bad, faults_only_its_context)
{
	struct drm_enpu_instr *in = self->cmd.cpu;
	struct drm_enpu_ctx_query q;
	__u32 size = 0;
	__u64 point = 0;
	int i;

	switch (variant->kind) {
	case UNKNOWN_OP:
		put(&self->cmd, 0, 999, 0, 0, 0);
		size = put(&self->cmd, 1, DRM_ENPU_OP_END, 0, 0, 0);
		break;
	case NO_END:
		for (i = 0; i < 4; i++)
			size = put(&self->cmd, i, DRM_ENPU_OP_NOP, 0, 0, 0);
		break;
	case RESERVED:
		put(&self->cmd, 0, DRM_ENPU_OP_NOP, 0, 0, 0);
		in[0].pad = 1;
		size = put(&self->cmd, 1, DRM_ENPU_OP_END, 0, 0, 0);
		break;
	case UNMAPPED:
		/* The top of the address space: nothing is mapped there. */
		put(&self->cmd, 0, DRM_ENPU_OP_DMA_COPY, DRM_ENPU_VA_END - SZ_4K,
		    self->dst.va, 4);
		size = put(&self->cmd, 1, DRM_ENPU_OP_END, 0, 0, 0);
		break;
	case PAST_END:
		put(&self->cmd, 0, DRM_ENPU_OP_DMA_COPY, self->src.va, self->dst.va, SZ_4K + 1);
		size = put(&self->cmd, 1, DRM_ENPU_OP_END, 0, 0, 0);
		break;
	case READ_ONLY:
		put(&self->cmd, 0, DRM_ENPU_OP_DMA_COPY, self->src.va, self->ro.va, 4);
		size = put(&self->cmd, 1, DRM_ENPU_OP_END, 0, 0, 0);
		break;
	case STREAM_PAST_BO:
		for (i = 0; i < 64; i++)
			put(&self->cmd, i, DRM_ENPU_OP_NOP, 0, 0, 0);
		size = 2 * SZ_4K;	/* END would be past the buffer */
		break;
	case SPIN_ZERO:
		put(&self->cmd, 0, DRM_ENPU_OP_SPIN, 0, 0, 0);
		size = put(&self->cmd, 1, DRM_ENPU_OP_END, 0, 0, 0);
		break;
	}
	((__u32 *)self->ro.cpu)[0] = 7;
	ASSERT_EQ(0, submit(self->fd, self->ctx, &self->cmd, size, NULL, &point));
	ASSERT_EQ(0, timeline_wait(self->fd, self->sync, point, 30 * NS));

	ASSERT_EQ(0, ctx_query(self->fd, self->ctx, &q));
	EXPECT_EQ(DRM_ENPU_CTX_GUILTY, q.state);
	EXPECT_EQ(1, q.failed);
	EXPECT_EQ(0, q.completed);
	EXPECT_EQ(variant->error, q.last_error);
	EXPECT_EQ(7, ((__u32 *)self->ro.cpu)[0]);
	EXPECT_EQ(-EBADFD, submit(self->fd, self->ctx, &self->cmd, size, NULL, NULL));

	/* Other contexts, in this file and in another, carry on. */
	EXPECT_EQ(0, good_copy(self->fd, self->good, self->sync_good, &self->cmd,
			       &self->src, &self->dst, 0x600d));
	EXPECT_EQ(0, good_copy(self->fd2, self->other, self->sync_other, &self->cmd2,
			       &self->src2, &self->dst2, 0x0da7a));
	ASSERT_EQ(0, ctx_query(self->fd, self->good, &q));
	EXPECT_EQ(DRM_ENPU_CTX_OK, q.state);
}

TEST_F(job, submit_errors)
{
	struct drm_enpu_bo_ref bad_ref = { self->src.handle, 0 };
	struct drm_enpu_bo_ref no_bo = { 9999, DRM_ENPU_BO_REF_READ };
	struct drm_enpu_fence_ref no_sync = { .syncobj = 9999 };
	struct submit_opts o = {};
	__u32 size = put(&self->cmd, 0, DRM_ENPU_OP_END, 0, 0, 0);
	struct drm_enpu_submit s = { .ctx_id = self->ctx, .cmd_va = self->cmd.va,
				     .cmd_size = size, .flags = 1 };

	EXPECT_EQ(-1, ioctl(self->fd, DRM_IOCTL_ENPU_SUBMIT, &s));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-EINVAL, submit(self->fd, self->ctx, &self->cmd, 0, NULL, NULL));
	EXPECT_EQ(-EINVAL, submit(self->fd, self->ctx, &self->cmd, 65, NULL, NULL));
	EXPECT_EQ(-EINVAL, submit(self->fd, self->ctx, &self->cmd,
				  DRM_ENPU_MAX_CMD_SIZE + 64, NULL, NULL));
	EXPECT_EQ(-ENOENT, submit(self->fd, 77, &self->cmd, size, NULL, NULL));
	o.bos = &bad_ref;
	o.bo_count = 1;
	EXPECT_EQ(-EINVAL, submit(self->fd, self->ctx, &self->cmd, size, &o, NULL));
	o.bos = &no_bo;
	EXPECT_EQ(-ENOENT, submit(self->fd, self->ctx, &self->cmd, size, &o, NULL));
	o.bos = (void *)16;
	EXPECT_EQ(-EFAULT, submit(self->fd, self->ctx, &self->cmd, size, &o, NULL));
	o = (struct submit_opts){ .in = &no_sync, .in_count = 1 };
	EXPECT_EQ(-ENOENT, submit(self->fd, self->ctx, &self->cmd, size, &o, NULL));
	o = (struct submit_opts){ .out = 9999 };
	EXPECT_EQ(-ENOENT, submit(self->fd, self->ctx, &self->cmd, size, &o, NULL));
	o = (struct submit_opts){ .bo_count = DRM_ENPU_MAX_BO_REFS + 1 };
	EXPECT_EQ(-EINVAL, submit(self->fd, self->ctx, &self->cmd, size, &o, NULL));
	/* The context's own timeline cannot be an out syncobj. */
	o = (struct submit_opts){ .out = self->syncobj };
	EXPECT_EQ(-EINVAL, submit(self->fd, self->ctx, &self->cmd, size, &o, NULL));
	EXPECT_EQ(0, enpu_objects("jobs"));
}

TEST_F(job, bo_list_duplicates_and_64bit_points)
{
	struct drm_enpu_bo_ref bos[] = {
		{ self->cmd.handle, DRM_ENPU_BO_REF_READ },
		{ self->cmd.handle, DRM_ENPU_BO_REF_READ },
		{ self->dst.handle, DRM_ENPU_BO_REF_WRITE },
	};
	struct submit_opts o = { .bos = bos, .bo_count = 3 };
	__u64 big = (1ull << 32) + 5, point = 0;
	struct drm_syncobj_timeline_array sig;
	struct drm_enpu_fence_ref in = {};
	__u32 tl = 0, size;

	size = put(&self->cmd, 0, DRM_ENPU_OP_END, 0, 0, 0);
	ASSERT_EQ(0, submit(self->fd, self->ctx, &self->cmd, size, &o, &point));
	ASSERT_EQ(0, timeline_wait(self->fd, self->syncobj, point, 10 * NS));

	/* A point above 2^32 on an application timeline is waited on as is. */
	ASSERT_EQ(0, syncobj_create(self->fd, &tl));
	sig = (struct drm_syncobj_timeline_array){ .handles = (uintptr_t)&tl,
		.points = (uintptr_t)&big, .count_handles = 1 };
	ASSERT_EQ(0, ioctl(self->fd, DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL, &sig));
	in.syncobj = tl;
	in.point = big;
	o = (struct submit_opts){ .in = &in, .in_count = 1 };
	ASSERT_EQ(0, submit(self->fd, self->ctx, &self->cmd, size, &o, &point));
	ASSERT_EQ(0, timeline_wait(self->fd, self->syncobj, point, 10 * NS));
	in.point = big + 1;	/* nothing submitted for it */
	EXPECT_EQ(-EINVAL, submit(self->fd, self->ctx, &self->cmd, size, &o, NULL));
}

/* Many threads, one context each, many small jobs: all signal, in order. */
struct storm {
	int fd;
	__u32 ctx, syncobj;
	struct buf *cmd;
	__u32 size;
	int jobs;
	int errors;
	__u64 last;
};

static void *storm_thread(void *arg)
{
	struct storm *s = arg;
	__u64 point = 0, prev = 0;
	int i;

	for (i = 0; i < s->jobs; i++) {
		if (submit(s->fd, s->ctx, s->cmd, s->size, NULL, &point) ||
		    point != prev + 1)
			s->errors++;
		prev = point;
	}
	s->last = prev;
	if (timeline_wait(s->fd, s->syncobj, prev, 120 * NS))
		s->errors++;
	return NULL;
}

TEST_F_TIMEOUT(job, many_jobs_many_threads, 600)
{
	struct storm st[8];
	pthread_t t[8];
	int i;

	put(&self->cmd, 0, DRM_ENPU_OP_NOP, 0, 0, 0);
	for (i = 0; i < 8; i++) {
		st[i] = (struct storm){ .fd = self->fd, .cmd = &self->cmd,
					.size = put(&self->cmd, 1, DRM_ENPU_OP_END, 0, 0, 0),
					.jobs = 1250 };
		ASSERT_EQ(0, ctx_create(self->fd, 1, &st[i].ctx, &st[i].syncobj));
	}
	for (i = 0; i < 8; i++) {
		ASSERT_EQ(0, pthread_create(&t[i], NULL, storm_thread, &st[i]));
	}
	for (i = 0; i < 8; i++) {
		struct drm_enpu_ctx_query q;
		struct drm_syncobj_timeline_array a;
		__u64 value = 0;

		pthread_join(t[i], NULL);
		EXPECT_EQ(0, st[i].errors);
		ASSERT_EQ(0, ctx_query(self->fd, st[i].ctx, &q));
		EXPECT_EQ(1250, q.completed);
		a = (struct drm_syncobj_timeline_array){
			.handles = (uintptr_t)&st[i].syncobj,
			.points = (uintptr_t)&value, .count_handles = 1 };
		ASSERT_EQ(0, ioctl(self->fd, DRM_IOCTL_SYNCOBJ_QUERY, &a));
		EXPECT_EQ(1250, value);
	}
}

TEST_F(job, lifetime_with_jobs_queued)
{
	struct drm_enpu_bo_ref bos[] = {
		{ self->src.handle, DRM_ENPU_BO_REF_READ },
		{ self->dst.handle, DRM_ENPU_BO_REF_WRITE },
	};
	struct submit_opts o = { .bos = bos, .bo_count = 2 };
	struct buf tmp, c2;
	__u32 size, ctx2 = 0, cx = 0;
	int i, fd2;

	/* A BO freed while a queued job still holds it. */
	ASSERT_EQ(0, buf_new(self->fd, SZ_4K, 0, &tmp));
	bos[0].handle = tmp.handle;
	put(&self->cmd, 0, DRM_ENPU_OP_SPIN, 10000000, 0, 0);
	size = put(&self->cmd, 1, DRM_ENPU_OP_END, 0, 0, 0);
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, submit(self->fd, self->ctx, &self->cmd, size, &o, NULL));
	}
	buf_free(self->fd, &tmp);

	/* A context destroyed with jobs in flight. */
	ASSERT_EQ(0, ctx_create(self->fd, 1, &ctx2, NULL));
	bos[0].handle = self->src.handle;
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, submit(self->fd, ctx2, &self->cmd, size, &o, NULL));
	}
	EXPECT_EQ(0, ctx_destroy(self->fd, ctx2));

	/* A file closed with jobs queued. */
	fd2 = enpu_open_device();
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, ctx_create(fd2, 1, &cx, NULL));
	ASSERT_EQ(0, buf_new(fd2, SZ_4K, 0, &c2));
	put(&c2, 0, DRM_ENPU_OP_SPIN, 10000000, 0, 0);
	size = put(&c2, 1, DRM_ENPU_OP_END, 0, 0, 0);
	for (i = 0; i < 8; i++) {
		ASSERT_EQ(0, submit(fd2, cx, &c2, size, NULL, NULL));
	}
	munmap(c2.cpu, c2.size);
	close(fd2);
	EXPECT_EQ(0, jobs_drain());
	EXPECT_EQ(1, enpu_objects("contexts"));	/* the fixture's */
}

TEST_HARNESS_MAIN
