// SPDX-License-Identifier: MIT
/*
 * DRM_IOCTL_ENPU_DEV_QUERY: size negotiation, truncation, zero fill, and
 * every documented errno.
 */
#include <stdint.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "enpu_utils.h"

#define INFO_SIZE ((__u32)sizeof(struct drm_enpu_device_info))

FIXTURE(query) {
	int fd;
	struct drm_enpu_device_info info;
	long page;
};

FIXTURE_SETUP(query)
{
	__u32 size = INFO_SIZE;

	self->page = sysconf(_SC_PAGESIZE);
	self->fd = enpu_open_device();
	ASSERT_LE(0, self->fd) TH_LOG("no enpu device under " ENPU_ACCEL_DIR);
	test_query(self->fd, DRM_ENPU_QUERY_DEVICE_INFO, &size, &self->info);
	ASSERT_EQ(INFO_SIZE, size);
}

FIXTURE_TEARDOWN(query)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(query, size_only)
{
	__u32 size = 0;

	test_query(self->fd, DRM_ENPU_QUERY_DEVICE_INFO, &size, NULL);
	EXPECT_EQ(INFO_SIZE, size);

	/* With no pointer nothing is written, whatever the (bounded) size. */
	size = 4096;
	test_query(self->fd, DRM_ENPU_QUERY_DEVICE_INFO, &size, NULL);
	EXPECT_EQ(INFO_SIZE, size);

	size = 0;
	test_query(self->fd, DRM_ENPU_QUERY_OPP_TABLE, &size, NULL);
	EXPECT_EQ(self->info.num_opps * sizeof(struct drm_enpu_opp), size);
}

TEST_F(query, device_info)
{
	const struct drm_enpu_device_info *i = &self->info;

	EXPECT_EQ(1, i->fw_format);
	EXPECT_LE(1, i->num_cores);
	EXPECT_GE(8, i->num_cores);
	EXPECT_LE(1, i->isa_version);
	EXPECT_NE(0, i->capabilities);
	EXPECT_EQ(0, i->capabilities & ~DRM_ENPU_CAP_ALL);
	EXPECT_EQ(DRM_ENPU_VA_START, i->va_start);
	EXPECT_EQ(DRM_ENPU_VA_END, i->va_end);
	EXPECT_LE(1, i->num_opps);
	EXPECT_GE(16, i->num_opps);
	EXPECT_EQ(0, i->pad);
	EXPECT_NE(0, i->fw_name[0]);
	EXPECT_NE(NULL, memchr(i->fw_name, 0, sizeof(i->fw_name)));
}

TEST_F(query, opp_table)
{
	struct drm_enpu_opp opps[16];
	__u32 size = sizeof(opps), n, k;

	test_query(self->fd, DRM_ENPU_QUERY_OPP_TABLE, &size, opps);
	n = size / sizeof(opps[0]);
	ASSERT_EQ(self->info.num_opps, n);
	for (k = 0; k < n; k++) {
		EXPECT_NE(0, opps[k].freq_khz);
		EXPECT_EQ(0, opps[k].pad);
		if (!k)
			continue;
		EXPECT_LT(opps[k - 1].freq_khz, opps[k].freq_khz);
		EXPECT_LE(opps[k - 1].volt_uv, opps[k].volt_uv);
		EXPECT_LT(opps[k - 1].power_mw, opps[k].power_mw);
	}
	/* The zero-filled tail past the table. */
	for (k = n; k < 16; k++)
		EXPECT_EQ(0, opps[k].freq_khz);
}

TEST_F(query, truncated_copy)
{
	unsigned char buf[INFO_SIZE];
	__u32 size = 8, k;

	memset(buf, 0xa5, sizeof(buf));
	test_query(self->fd, DRM_ENPU_QUERY_DEVICE_INFO, &size, buf);
	EXPECT_EQ(INFO_SIZE, size);
	EXPECT_EQ(0, memcmp(buf, &self->info, 8));
	for (k = 8; k < sizeof(buf); k++)
		ASSERT_EQ(0xa5, buf[k]) TH_LOG("byte %u written past the size", k);
}

TEST_F(query, zero_fill)
{
	unsigned char buf[1024];
	__u32 size = sizeof(buf), k;

	memset(buf, 0xa5, sizeof(buf));
	test_query(self->fd, DRM_ENPU_QUERY_DEVICE_INFO, &size, buf);
	EXPECT_EQ(INFO_SIZE, size);
	EXPECT_EQ(0, memcmp(buf, &self->info, INFO_SIZE));
	for (k = INFO_SIZE; k < sizeof(buf); k++)
		ASSERT_EQ(0, buf[k]) TH_LOG("byte %u not zero-filled", k);
}

TEST_F(query, unknown_type)
{
	__u32 size = INFO_SIZE;

	test_err_query(EINVAL, self->fd, 3, &size, &self->info, 0, 0);
	test_err_query(EINVAL, self->fd, 0xffffffff, &size, &self->info, 0, 0);
}

TEST_F(query, nonzero_flags_or_pad)
{
	__u32 size = INFO_SIZE;

	test_err_query(EINVAL, self->fd, DRM_ENPU_QUERY_DEVICE_INFO, &size,
		       &self->info, 1, 0);
	test_err_query(EINVAL, self->fd, DRM_ENPU_QUERY_DEVICE_INFO, &size,
		       &self->info, 0x80000000, 0);
	test_err_query(EINVAL, self->fd, DRM_ENPU_QUERY_DEVICE_INFO, &size,
		       &self->info, 0, 1);
}

TEST_F(query, size_over_maximum)
{
	__u32 size = DRM_ENPU_QUERY_MAX_SIZE + 1;

	test_err_query(EINVAL, self->fd, DRM_ENPU_QUERY_DEVICE_INFO, &size,
		       &self->info, 0, 0);
	size = 0xffffffff;
	test_err_query(EINVAL, self->fd, DRM_ENPU_QUERY_DEVICE_INFO, &size,
		       NULL, 0, 0);
}

TEST_F(query, bad_pointer)
{
	char *map;
	__u32 size;

	map = mmap(NULL, 2 * self->page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, map);

	/* Unmapped and read-only memory. */
	ASSERT_EQ(0, mprotect(map, self->page, PROT_NONE));
	size = INFO_SIZE;
	test_err_query(EFAULT, self->fd, DRM_ENPU_QUERY_DEVICE_INFO, &size,
		       map, 0, 0);
	ASSERT_EQ(0, mprotect(map, self->page, PROT_READ));
	test_err_query(EFAULT, self->fd, DRM_ENPU_QUERY_DEVICE_INFO, &size,
		       map, 0, 0);

	/* A kernel address. */
	test_err_query(EFAULT, self->fd, DRM_ENPU_QUERY_DEVICE_INFO, &size,
		       (void *)(uintptr_t)0xffff888000000000ull, 0, 0);

	/* The answer fits, but the zero-filled tail runs into a hole. */
	ASSERT_EQ(0, mprotect(map, self->page, PROT_READ | PROT_WRITE));
	ASSERT_EQ(0, mprotect(map + self->page, self->page, PROT_NONE));
	size = 2 * INFO_SIZE;
	test_err_query(EFAULT, self->fd, DRM_ENPU_QUERY_DEVICE_INFO, &size,
		       map + self->page - INFO_SIZE - 8, 0, 0);

	munmap(map, 2 * self->page);
}

TEST_HARNESS_MAIN
