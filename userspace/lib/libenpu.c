// SPDX-License-Identifier: MIT
/*
 * libenpu: see libenpu.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "libenpu.h"

struct enpu_device {
	int fd;
};

/* ioctl() restarted on EINTR/EAGAIN, as libdrm does; 0 or -errno. */
static int enpu_ioctl(int fd, unsigned long request, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, request, arg);
	} while (ret == -1 && (errno == EINTR || errno == EAGAIN));
	return ret ? -errno : 0;
}

static int enpu_is_enpu(int fd)
{
	char name[16] = "";
	struct drm_version v = { .name = name, .name_len = sizeof(name) - 1 };

	return !enpu_ioctl(fd, DRM_IOCTL_VERSION, &v) && !strcmp(name, "enpu");
}

static int enpu_open_first(void)
{
	char path[300];
	struct dirent *de;
	DIR *dir = opendir("/dev/accel");
	int fd = -ENODEV;

	if (!dir)
		return -errno;
	while (fd < 0 && (de = readdir(dir))) {
		if (strncmp(de->d_name, "accel", 5) != 0)
			continue;
		snprintf(path, sizeof(path), "/dev/accel/%s", de->d_name);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			fd = -errno;
		} else if (!enpu_is_enpu(fd)) {
			close(fd);
			fd = -ENODEV;
		}
	}
	closedir(dir);
	return fd;
}

int enpu_device_open(const char *path, struct enpu_device **dev)
{
	struct enpu_device *d;
	int fd;

	if (path) {
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		if (!enpu_is_enpu(fd)) {
			close(fd);
			return -ENODEV;
		}
	} else {
		fd = enpu_open_first();
		if (fd < 0)
			return fd;
	}

	d = calloc(1, sizeof(*d));
	if (!d) {
		close(fd);
		return -ENOMEM;
	}
	d->fd = fd;
	*dev = d;
	return 0;
}

void enpu_device_close(struct enpu_device *dev)
{
	if (!dev)
		return;
	close(dev->fd);
	free(dev);
}

int enpu_device_fd(const struct enpu_device *dev)
{
	return dev->fd;
}

static int enpu_query(struct enpu_device *dev, uint32_t type, void *buf,
		      uint32_t *size)
{
	struct drm_enpu_dev_query q = {
		.type = type,
		.size = *size,
		.pointer = (uintptr_t)buf,
	};
	int ret = enpu_ioctl(dev->fd, DRM_IOCTL_ENPU_DEV_QUERY, &q);

	if (!ret)
		*size = q.size;
	return ret;
}

int enpu_device_info(struct enpu_device *dev, struct drm_enpu_device_info *info)
{
	uint32_t size = sizeof(*info);

	return enpu_query(dev, DRM_ENPU_QUERY_DEVICE_INFO, info, &size);
}

int enpu_device_opps(struct enpu_device *dev, struct drm_enpu_opp *opps,
		     unsigned int max, unsigned int *count)
{
	uint32_t size = max * sizeof(*opps);
	int ret;

	if (max > DRM_ENPU_QUERY_MAX_SIZE / sizeof(*opps))
		return -EINVAL;
	ret = enpu_query(dev, DRM_ENPU_QUERY_OPP_TABLE, opps, &size);
	if (!ret)
		*count = size / sizeof(*opps);
	return ret;
}

/* Wrap a fresh handle in a struct enpu_bo; closes the handle on failure. */
static int enpu_bo_wrap(struct enpu_device *dev, uint32_t handle,
			struct enpu_bo **out)
{
	struct drm_enpu_bo_info info = { .handle = handle };
	struct drm_gem_close close_args = { .handle = handle };
	struct enpu_bo *bo;
	int ret;

	ret = enpu_ioctl(dev->fd, DRM_IOCTL_ENPU_BO_INFO, &info);
	if (ret)
		goto err_close;
	bo = calloc(1, sizeof(*bo));
	if (!bo) {
		ret = -ENOMEM;
		goto err_close;
	}
	bo->dev = dev;
	bo->handle = handle;
	bo->flags = info.flags;
	bo->size = info.size;
	bo->va = info.va;
	bo->mmap_offset = info.mmap_offset;
	*out = bo;
	return 0;

err_close:
	enpu_ioctl(dev->fd, DRM_IOCTL_GEM_CLOSE, &close_args);
	return ret;
}

int enpu_bo_create(struct enpu_device *dev, uint64_t size, uint32_t flags,
		   struct enpu_bo **bo)
{
	struct drm_enpu_bo_create args = { .size = size, .flags = flags };
	int ret = enpu_ioctl(dev->fd, DRM_IOCTL_ENPU_BO_CREATE, &args);

	return ret ? ret : enpu_bo_wrap(dev, args.handle, bo);
}

int enpu_bo_create_userptr(struct enpu_device *dev, void *ptr, uint64_t size,
			   uint32_t flags, struct enpu_bo **bo)
{
	struct drm_enpu_bo_create_userptr args = {
		.user_ptr = (uintptr_t)ptr,
		.size = size,
		.flags = flags,
	};
	int ret = enpu_ioctl(dev->fd, DRM_IOCTL_ENPU_BO_CREATE_USERPTR, &args);

	if (ret)
		return ret;
	ret = enpu_bo_wrap(dev, args.handle, bo);
	if (!ret)
		(*bo)->map = ptr;	/* the caller's own mapping; never unmapped here */
	return ret;
}

int enpu_bo_import(struct enpu_device *dev, int dmabuf_fd, struct enpu_bo **bo)
{
	struct drm_prime_handle args = { .fd = dmabuf_fd };
	int ret = enpu_ioctl(dev->fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &args);

	return ret ? ret : enpu_bo_wrap(dev, args.handle, bo);
}

int enpu_bo_export(struct enpu_bo *bo, int *dmabuf_fd)
{
	struct drm_prime_handle args = {
		.handle = bo->handle,
		.flags = DRM_CLOEXEC | DRM_RDWR,
	};
	int ret = enpu_ioctl(bo->dev->fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &args);

	if (!ret)
		*dmabuf_fd = args.fd;
	return ret;
}

int enpu_bo_map(struct enpu_bo *bo, void **ptr)
{
	void *p;

	if (!bo->map) {
		if (!bo->mmap_offset)
			return -EINVAL;
		p = mmap(NULL, bo->size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 bo->dev->fd, bo->mmap_offset);
		if (p == MAP_FAILED)
			return -errno;
		bo->map = p;
	}
	*ptr = bo->map;
	return 0;
}

void enpu_bo_free(struct enpu_bo *bo)
{
	struct drm_gem_close args;

	if (!bo)
		return;
	if (bo->map && bo->mmap_offset)
		munmap(bo->map, bo->size);
	args = (struct drm_gem_close){ .handle = bo->handle };
	enpu_ioctl(bo->dev->fd, DRM_IOCTL_GEM_CLOSE, &args);
	free(bo);
}

int enpu_ctx_create(struct enpu_device *dev, uint32_t priority,
		    uint32_t class_hint, uint32_t *ctx_id, uint32_t *syncobj)
{
	struct drm_enpu_ctx_create args = {
		.priority = priority,
		.class_hint = class_hint,
	};
	int ret = enpu_ioctl(dev->fd, DRM_IOCTL_ENPU_CTX_CREATE, &args);

	if (ret)
		return ret;
	*ctx_id = args.ctx_id;
	if (syncobj)
		*syncobj = args.syncobj;
	return 0;
}

int enpu_ctx_destroy(struct enpu_device *dev, uint32_t ctx_id)
{
	struct drm_enpu_ctx_destroy args = { .ctx_id = ctx_id };

	return enpu_ioctl(dev->fd, DRM_IOCTL_ENPU_CTX_DESTROY, &args);
}

int enpu_ctx_query(struct enpu_device *dev, uint32_t ctx_id,
		   struct drm_enpu_ctx_query *query)
{
	memset(query, 0, sizeof(*query));
	query->ctx_id = ctx_id;
	return enpu_ioctl(dev->fd, DRM_IOCTL_ENPU_CTX_QUERY, query);
}

int enpu_ctx_set_param(struct enpu_device *dev, uint32_t ctx_id,
		       uint32_t param, uint64_t value)
{
	struct drm_enpu_ctx_set_param args = {
		.ctx_id = ctx_id,
		.param = param,
		.value = value,
	};

	return enpu_ioctl(dev->fd, DRM_IOCTL_ENPU_CTX_SET_PARAM, &args);
}

int enpu_job_submit(struct enpu_device *dev, uint32_t ctx_id,
		    const struct enpu_bo *cmd, uint32_t cmd_size,
		    const struct enpu_submit *extra, uint64_t *point)
{
	struct drm_enpu_submit args = {
		.ctx_id = ctx_id,
		.cmd_va = cmd->va,
		.cmd_size = cmd_size,
	};
	int ret;

	if (extra) {
		args.bos = (uintptr_t)extra->bos;
		args.bo_count = extra->bo_count;
		args.in_fences = (uintptr_t)extra->in_fences;
		args.in_fence_count = extra->in_fence_count;
		args.out_syncobj = extra->out_syncobj;
	}
	/*
	 * A context moving to other cores may wait in SUBMIT for its queued
	 * jobs; a signal then ends it with EINTR before anything was queued.
	 */
	do
		ret = ioctl(dev->fd, DRM_IOCTL_ENPU_SUBMIT, &args) ? -errno : 0;
	while (ret == -EINTR);
	if (!ret && point)
		*point = args.point;
	return ret;
}

int enpu_wait(struct enpu_device *dev, uint32_t syncobj, uint64_t point,
	      int64_t timeout_ns)
{
	struct timespec now;
	struct drm_syncobj_timeline_wait args = {
		.handles = (uintptr_t)&syncobj,
		.points = (uintptr_t)&point,
		.count_handles = 1,
		.flags = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT,
	};

	clock_gettime(CLOCK_MONOTONIC, &now);
	args.timeout_nsec = now.tv_sec * 1000000000ll + now.tv_nsec + timeout_ns;
	return enpu_ioctl(dev->fd, DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT, &args);
}

void enpu_cs_init(struct enpu_cs *cs, void *mem, size_t bytes)
{
	cs->instr = mem;
	cs->count = 0;
	cs->max = bytes / sizeof(struct drm_enpu_instr);
	cs->error = 0;
}

static struct drm_enpu_instr *enpu_cs_next(struct enpu_cs *cs, uint16_t opcode)
{
	struct drm_enpu_instr *in;

	if (cs->count >= cs->max) {
		cs->error = -ENOSPC;
		return NULL;
	}
	in = &cs->instr[cs->count++];
	memset(in, 0, sizeof(*in));
	in->opcode = opcode;
	return in;
}

void enpu_cs_nop(struct enpu_cs *cs)
{
	enpu_cs_next(cs, DRM_ENPU_OP_NOP);
}

void enpu_cs_spin(struct enpu_cs *cs, uint64_t cycles)
{
	struct drm_enpu_instr *in = enpu_cs_next(cs, DRM_ENPU_OP_SPIN);

	if (in)
		in->arg[0] = cycles;
}

void enpu_cs_dma_copy(struct enpu_cs *cs, uint64_t src_va, uint64_t dst_va,
		      uint64_t bytes)
{
	struct drm_enpu_instr *in = enpu_cs_next(cs, DRM_ENPU_OP_DMA_COPY);

	if (in) {
		in->arg[0] = src_va;
		in->arg[1] = dst_va;
		in->arg[2] = bytes;
	}
}

void enpu_cs_gemm(struct enpu_cs *cs, uint64_t a_va, uint64_t b_va,
		  uint64_t bias_va, uint64_t c_va, uint32_t m, uint32_t n,
		  uint32_t k, uint64_t quant, uint64_t requant)
{
	struct drm_enpu_instr *in = enpu_cs_next(cs, DRM_ENPU_OP_GEMM);

	if (!in)
		return;
	in->arg[0] = a_va;
	in->arg[1] = b_va;
	in->arg[2] = bias_va;
	in->arg[3] = c_va;
	in->arg[4] = DRM_ENPU_GEMM_DIMS(m, n, k);
	in->arg[5] = quant;
	in->arg[6] = requant;
}

void enpu_cs_pool(struct enpu_cs *cs, uint64_t in_va, uint64_t out_va,
		  uint32_t h, uint32_t w, uint32_t c, uint32_t oh, uint32_t ow,
		  uint64_t window, uint64_t clamp)
{
	struct drm_enpu_instr *in = enpu_cs_next(cs, DRM_ENPU_OP_POOL);

	if (!in)
		return;
	in->arg[0] = in_va;
	in->arg[1] = out_va;
	in->arg[2] = DRM_ENPU_POOL_DIMS(h, w, c);
	in->arg[3] = DRM_ENPU_POOL_OUT(oh, ow);
	in->arg[4] = window;
	in->arg[5] = clamp;
}

void enpu_cs_conv2d(struct enpu_cs *cs, uint64_t desc_va)
{
	struct drm_enpu_instr *in = enpu_cs_next(cs, DRM_ENPU_OP_CONV2D);

	if (in)
		in->arg[0] = desc_va;
}

void enpu_cs_add(struct enpu_cs *cs, uint64_t desc_va)
{
	struct drm_enpu_instr *in = enpu_cs_next(cs, DRM_ENPU_OP_ADD);

	if (in)
		in->arg[0] = desc_va;
}

void enpu_cs_end(struct enpu_cs *cs)
{
	enpu_cs_next(cs, DRM_ENPU_OP_END);
}

int enpu_cs_size(const struct enpu_cs *cs, uint32_t *size)
{
	if (cs->error)
		return cs->error;
	*size = cs->count * sizeof(struct drm_enpu_instr);
	return 0;
}
