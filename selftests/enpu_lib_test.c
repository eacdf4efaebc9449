// SPDX-License-Identifier: MIT
/*
 * libenpu against the real driver: device info, buffers, userptr, PRIME
 * between two opens of the device, and clean error returns.
 */
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "enpu_utils.h"
#include "libenpu.h"

FIXTURE(lib) {
	struct enpu_device *dev;
};

FIXTURE_SETUP(lib)
{
	ASSERT_EQ(0, enpu_device_open(NULL, &self->dev));
}

FIXTURE_TEARDOWN(lib)
{
	enpu_device_close(self->dev);
	EXPECT_EQ(0, enpu_objects("bos"));
	EXPECT_EQ(0, enpu_objects("files"));
}

TEST_F(lib, info_and_opps)
{
	struct drm_enpu_device_info info;
	struct drm_enpu_opp opps[2];
	unsigned int n = 0;

	ASSERT_EQ(0, enpu_device_info(self->dev, &info));
	EXPECT_LE(1, info.num_cores);
	ASSERT_EQ(0, enpu_device_opps(self->dev, opps, 2, &n));
	EXPECT_EQ(info.num_opps, n);	/* the full count, though 2 were copied */
	EXPECT_LT(opps[0].freq_khz, opps[1].freq_khz);
}

TEST_F(lib, open_errors)
{
	struct enpu_device *d;

	EXPECT_EQ(-ENOENT, enpu_device_open("/dev/accel/no-such", &d));
	EXPECT_EQ(-ENODEV, enpu_device_open("/dev/null", &d));
}

TEST_F(lib, bo_lifecycle)
{
	struct enpu_bo *bo = NULL, *none = NULL;
	uint32_t *p = NULL;

	EXPECT_EQ(-EINVAL, enpu_bo_create(self->dev, 0, 0, &none));
	EXPECT_EQ(NULL, none);
	ASSERT_EQ(0, enpu_bo_create(self->dev, 10000, 0, &bo));
	EXPECT_EQ(12288, bo->size);
	EXPECT_LE(DRM_ENPU_VA_START, bo->va);
	ASSERT_EQ(0, enpu_bo_map(bo, (void **)&p));
	p[0] = 42;
	enpu_bo_free(bo);
	enpu_bo_free(NULL);
	EXPECT_EQ(0, enpu_objects("bos"));
}

TEST_F(lib, userptr)
{
	struct enpu_bo *bo = NULL;
	void *mem, *p = NULL;

	mem = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, mem);
	ASSERT_EQ(0, enpu_bo_create_userptr(self->dev, mem, 8192, 0, &bo));
	EXPECT_EQ(0, bo->mmap_offset);
	ASSERT_EQ(0, enpu_bo_map(bo, &p));
	EXPECT_EQ(mem, p);
	enpu_bo_free(bo);
	/* The caller's memory is still mapped and usable. */
	((char *)mem)[0] = 1;
	EXPECT_EQ(-EINVAL, enpu_bo_create_userptr(self->dev, (char *)mem + 1, 4096, 0, &bo));
	munmap(mem, 8192);
}

TEST_F(lib, prime_between_devices)
{
	struct enpu_device *other;
	struct enpu_bo *a = NULL, *b = NULL;
	uint32_t *pa = NULL, *pb = NULL;
	int dmabuf = -1;

	ASSERT_EQ(0, enpu_device_open(NULL, &other));
	ASSERT_EQ(0, enpu_bo_create(self->dev, 4096, 0, &a));
	ASSERT_EQ(0, enpu_bo_export(a, &dmabuf));
	ASSERT_EQ(0, enpu_bo_import(other, dmabuf, &b));
	close(dmabuf);
	ASSERT_EQ(0, enpu_bo_map(a, (void **)&pa));
	ASSERT_EQ(0, enpu_bo_map(b, (void **)&pb));
	pa[3] = 0xabcdef;
	EXPECT_EQ(0xabcdef, pb[3]);
	EXPECT_EQ(-EBADF, enpu_bo_import(other, dmabuf, &b));
	enpu_bo_free(a);
	enpu_bo_free(b);
	enpu_device_close(other);
}

TEST_F(lib, submit_and_wait)
{
	struct enpu_bo *cmd = NULL, *src = NULL, *dst = NULL;
	struct drm_enpu_ctx_query q;
	uint32_t ctx = 0, sync = 0, size = 0, *s = NULL, *d = NULL;
	struct enpu_cs cs;
	uint64_t point = 0;
	void *c = NULL;

	ASSERT_EQ(0, enpu_ctx_create(self->dev, DRM_ENPU_PRIORITY_NORMAL,
				     DRM_ENPU_CLASS_INTERACTIVE, &ctx, &sync));
	ASSERT_EQ(0, enpu_bo_create(self->dev, 4096, 0, &cmd));
	ASSERT_EQ(0, enpu_bo_create(self->dev, 4096, 0, &src));
	ASSERT_EQ(0, enpu_bo_create(self->dev, 4096, 0, &dst));
	ASSERT_EQ(0, enpu_bo_map(cmd, &c));
	ASSERT_EQ(0, enpu_bo_map(src, (void **)&s));
	ASSERT_EQ(0, enpu_bo_map(dst, (void **)&d));
	s[10] = 0x1234abcd;

	enpu_cs_init(&cs, c, cmd->size);
	enpu_cs_nop(&cs);
	enpu_cs_spin(&cs, 1000);
	enpu_cs_dma_copy(&cs, src->va, dst->va, 4096);
	enpu_cs_end(&cs);
	ASSERT_EQ(0, enpu_cs_size(&cs, &size));
	EXPECT_EQ(4 * sizeof(struct drm_enpu_instr), size);
	ASSERT_EQ(0, enpu_job_submit(self->dev, ctx, cmd, size, NULL, &point));
	ASSERT_EQ(0, enpu_wait(self->dev, sync, point, 30000000000ll));
	EXPECT_EQ(0x1234abcd, d[10]);
	ASSERT_EQ(0, enpu_ctx_query(self->dev, ctx, &q));
	EXPECT_EQ(1, q.completed);
	EXPECT_LT(0, q.busy_ns);

	/* Parameters go through, and their errors come back as -errno. */
	EXPECT_EQ(0, enpu_ctx_set_param(self->dev, ctx, DRM_ENPU_PARAM_PERIOD_US, 33333));
	EXPECT_EQ(-EINVAL, enpu_ctx_set_param(self->dev, ctx, DRM_ENPU_PARAM_CLASS, 9));
	EXPECT_EQ(-ENOENT, enpu_ctx_set_param(self->dev, ctx + 1, DRM_ENPU_PARAM_CLASS, 0));
	ASSERT_EQ(0, enpu_ctx_query(self->dev, ctx, &q));
	EXPECT_EQ(33333, q.hint_period_us);

	/* The builder refuses to overflow its memory. */
	enpu_cs_init(&cs, c, 2 * sizeof(struct drm_enpu_instr));
	enpu_cs_nop(&cs);
	enpu_cs_nop(&cs);
	enpu_cs_end(&cs);
	EXPECT_EQ(-ENOSPC, enpu_cs_size(&cs, &size));

	EXPECT_EQ(0, enpu_ctx_destroy(self->dev, ctx));
	EXPECT_EQ(-ENOENT, enpu_ctx_destroy(self->dev, ctx));
	enpu_bo_free(cmd);
	enpu_bo_free(src);
	enpu_bo_free(dst);
}

TEST_HARNESS_MAIN
