/* SPDX-License-Identifier: MIT */
/*
 * Job helpers shared by the selftests: contexts, buffers with their CPU
 * mappings, command streams written by hand, SUBMIT and timeline waits.
 * Include after enpu_utils.h.
 */
#ifndef ENPU_JOB_UTILS_H
#define ENPU_JOB_UTILS_H

#include <stdint.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define SZ_4K	4096u
#define NS	1000000000ll
#define ENPU_DEBUGFS	"/sys/kernel/debug/accel/enpu/"

static inline int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * NS + ts.tv_nsec;
}

static inline int ctx_create(int fd, __u32 prio, __u32 *id, __u32 *syncobj)
{
	struct drm_enpu_ctx_create c = { .priority = prio, .class_hint = 1 };

	if (ioctl(fd, DRM_IOCTL_ENPU_CTX_CREATE, &c))
		return -errno;
	*id = c.ctx_id;
	if (syncobj)
		*syncobj = c.syncobj;
	return 0;
}

static inline int ctx_query(int fd, __u32 id, struct drm_enpu_ctx_query *q)
{
	*q = (struct drm_enpu_ctx_query){ .ctx_id = id };
	return ioctl(fd, DRM_IOCTL_ENPU_CTX_QUERY, q) ? -errno : 0;
}

static inline int ctx_destroy(int fd, __u32 id)
{
	struct drm_enpu_ctx_destroy d = { .ctx_id = id };

	return ioctl(fd, DRM_IOCTL_ENPU_CTX_DESTROY, &d) ? -errno : 0;
}

/* A buffer with its CPU mapping and device address. */
struct buf {
	__u32 handle;
	__u64 va;
	__u64 size;
	void *cpu;
};

static inline int buf_new(int fd, __u64 size, __u32 flags, struct buf *b)
{
	struct drm_enpu_bo_info info = {};
	int ret;

	ret = _enpu_bo_create(fd, size, flags, &b->handle);
	if (!ret)
		ret = _enpu_bo_info(fd, b->handle, &info);
	if (ret)
		return ret;
	b->va = info.va;
	b->size = info.size;
	b->cpu = mmap(NULL, info.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		      info.mmap_offset);
	return b->cpu == MAP_FAILED ? -errno : 0;
}

static inline void buf_free(int fd, struct buf *b)
{
	munmap(b->cpu, b->size);
	enpu_gem_close(fd, b->handle);
}

/* Write instructions into a command buffer; returns the stream size. */
static inline __u32 put(struct buf *cmd, unsigned int i, __u16 op, __u64 a0, __u64 a1,
		 __u64 a2)
{
	struct drm_enpu_instr *in = (struct drm_enpu_instr *)cmd->cpu + i;

	memset(in, 0, sizeof(*in));
	in->opcode = op;
	in->arg[0] = a0;
	in->arg[1] = a1;
	in->arg[2] = a2;
	return (i + 1) * sizeof(*in);
}

struct submit_opts {
	struct drm_enpu_bo_ref *bos;
	__u32 bo_count;
	struct drm_enpu_fence_ref *in;
	__u32 in_count;
	__u32 out;
};

static inline int submit(int fd, __u32 ctx, struct buf *cmd, __u32 size,
		  const struct submit_opts *o, __u64 *point)
{
	struct drm_enpu_submit s = {
		.ctx_id = ctx,
		.cmd_va = cmd->va,
		.cmd_size = size,
	};

	if (o) {
		s.bos = (uintptr_t)o->bos;
		s.bo_count = o->bo_count;
		s.in_fences = (uintptr_t)o->in;
		s.in_fence_count = o->in_count;
		s.out_syncobj = o->out;
	}
	if (ioctl(fd, DRM_IOCTL_ENPU_SUBMIT, &s))
		return -errno;
	if (point)
		*point = s.point;
	return 0;
}

static inline int timeline_wait(int fd, __u32 syncobj, __u64 point, int64_t timeout_ns)
{
	struct drm_syncobj_timeline_wait w = {
		.handles = (uintptr_t)&syncobj,
		.points = (uintptr_t)&point,
		.timeout_nsec = now_ns() + timeout_ns,
		.count_handles = 1,
		.flags = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT,
	};

	return ioctl(fd, DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT, &w) ? -errno : 0;
}

static inline int syncobj_create(int fd, __u32 *handle)
{
	struct drm_syncobj_create c = {};

	if (ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &c))
		return -errno;
	*handle = c.handle;
	return 0;
}

static inline int set_param(int fd, __u32 ctx, __u32 param, __u64 value)
{
	struct drm_enpu_ctx_set_param p = {
		.ctx_id = ctx, .param = param, .value = value,
	};

	return ioctl(fd, DRM_IOCTL_ENPU_CTX_SET_PARAM, &p) ? -errno : 0;
}

static inline __u32 top_khz(int fd)
{
	struct drm_enpu_device_info info;
	struct drm_enpu_opp opps[16];
	__u32 isize = sizeof(info), osize = sizeof(opps);

	if (_enpu_query(fd, DRM_ENPU_QUERY_DEVICE_INFO, &isize, &info, 0, 0) ||
	    _enpu_query(fd, DRM_ENPU_QUERY_OPP_TABLE, &osize, opps, 0, 0))
		return 0;
	return opps[info.num_opps - 1].freq_khz;
}

/* A stream of one SPIN of @ms at the top OPP; returns its size. */
static inline __u32 spin_ms(struct buf *cmd, __u32 khz, __u32 ms)
{
	put(cmd, 0, DRM_ENPU_OP_SPIN, (__u64)khz * ms, 0, 0);
	return put(cmd, 1, DRM_ENPU_OP_END, 0, 0, 0);
}

/* A context on the cores of @mask with @prio. */
static inline int ctx_on(int fd, __u32 prio, __u32 mask, __u32 *id, __u32 *syncobj)
{
	int ret = ctx_create(fd, prio, id, syncobj);

	return ret ? ret : set_param(fd, *id, DRM_ENPU_PARAM_CORE_MASK, mask);
}

/* A copy job: @src's first word into @dst. */
struct copy_job {
	struct buf cmd, src, dst;
	__u32 size;
};

static inline int copy_job_new(int fd, struct copy_job *c)
{
	int ret = buf_new(fd, SZ_4K, 0, &c->cmd);

	if (!ret)
		ret = buf_new(fd, SZ_4K, 0, &c->src);
	if (!ret)
		ret = buf_new(fd, SZ_4K, 0, &c->dst);
	if (ret)
		return ret;
	put(&c->cmd, 0, DRM_ENPU_OP_DMA_COPY, c->src.va, c->dst.va, 64);
	c->size = put(&c->cmd, 1, DRM_ENPU_OP_END, 0, 0, 0);
	return 0;
}

static inline int copy_job_submit(int fd, __u32 ctx, struct copy_job *c, __u32 value,
			   __u64 *point)
{
	struct drm_enpu_bo_ref bos[] = {
		{ c->src.handle, DRM_ENPU_BO_REF_READ },
		{ c->dst.handle, DRM_ENPU_BO_REF_WRITE },
	};
	struct submit_opts o = { .bos = bos, .bo_count = 2 };

	((__u32 *)c->src.cpu)[0] = value;
	((__u32 *)c->dst.cpu)[0] = 0;
	return submit(fd, ctx, &c->cmd, c->size, &o, point);
}

static inline void copy_job_free(int fd, struct copy_job *c)
{
	buf_free(fd, &c->cmd);
	buf_free(fd, &c->src);
	buf_free(fd, &c->dst);
}

static inline __u32 copy_job_result(struct copy_job *c)
{
	return ((volatile __u32 *)c->dst.cpu)[0];
}

/*
 * A figure from debugfs "sched": "busy_ns" sums the cores, "core0 resets"
 * style keys read one core, "device_resets" and "resets" the device.
 */
static inline long long sched_stat(const char *key)
{
	char line[256], name[16];
	unsigned long long busy, cycles, progress;
	long long sum = 0, val = -1, v;
	int resets;
	FILE *f = fopen(ENPU_DEBUGFS "sched", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%15s busy_ns %llu busy_cycles %llu progress %llu resets %d",
			   name, &busy, &cycles, &progress, &resets) == 5) {
			char k[32];

			sum += busy;
			snprintf(k, sizeof(k), "%s resets", name);
			if (!strcmp(k, key))
				val = resets;
		} else if (sscanf(line, "%15s %lld", name, &v) == 2 &&
			   !strcmp(name, key)) {
			val = v;
		}
	}
	fclose(f);
	return strcmp(key, "busy_ns") ? val : sum;
}

/* Wait until the live job count drops to zero (jobs finish asynchronously). */
static inline int jobs_drain(void)
{
	int i;

	for (i = 0; i < 200 && enpu_objects("jobs"); i++)
		usleep(50000);
	return enpu_objects("jobs");
}

#endif /* ENPU_JOB_UTILS_H */
