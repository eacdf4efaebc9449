// SPDX-License-Identifier: MIT
/*
 * Buffer objects: BO_CREATE, BO_INFO, CPU mmap, the device's view through
 * the translate hook, fdinfo memory keys, PRIME export/import (with another
 * file of the device and with udmabuf), and a create/destroy stress run
 * racing open/close of the device.
 */
#include <linux/udmabuf.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "enpu_utils.h"

#define SZ_4K	4096ull
#define SZ_64K	65536ull

static void *bo_mmap(int fd, __u32 handle, size_t size)
{
	struct drm_enpu_bo_info info = {};

	if (_enpu_bo_info(fd, handle, &info))
		return MAP_FAILED;
	return mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		    info.mmap_offset);
}

static int prime_export(int fd, __u32 handle)
{
	struct drm_prime_handle p = { .handle = handle, .flags = DRM_CLOEXEC | DRM_RDWR };

	return ioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &p) ? -errno : p.fd;
}

static int prime_import(int fd, int dmabuf, __u32 *handle)
{
	struct drm_prime_handle p = { .fd = dmabuf };

	if (ioctl(fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &p))
		return -errno;
	*handle = p.handle;
	return 0;
}

FIXTURE(bo) {
	int fd;
};

FIXTURE_SETUP(bo)
{
	self->fd = enpu_open_device();
	ASSERT_LE(0, self->fd) TH_LOG("no enpu device");
}

FIXTURE_TEARDOWN(bo)
{
	close(self->fd);
	/* Everything the test made is gone once its files are closed. */
	EXPECT_EQ(0, enpu_objects("bos"));
	EXPECT_EQ(0, enpu_objects("mappings"));
	EXPECT_EQ(0, enpu_objects("files"));
}

TEST_F(bo, create_mmap_write_read)
{
	struct drm_enpu_bo_info info = {};
	__u32 handle = 0, k;
	__u32 *p;

	test_bo_create(self->fd, SZ_64K + 1, 0, &handle);
	test_bo_info(self->fd, handle, &info);
	EXPECT_EQ(SZ_64K + SZ_4K, info.size);
	EXPECT_EQ(0, info.flags);
	EXPECT_LE(DRM_ENPU_VA_START, info.va);
	EXPECT_GE(DRM_ENPU_VA_END, info.va + info.size);
	EXPECT_EQ(0, info.va % SZ_4K);
	EXPECT_EQ(1, enpu_objects("bos"));
	EXPECT_EQ(1, enpu_objects("mappings"));

	p = bo_mmap(self->fd, handle, info.size);
	ASSERT_NE(MAP_FAILED, p);
	for (k = 0; k < info.size / 4; k++)
		p[k] = k * 2654435761u;
	munmap(p, info.size);

	p = bo_mmap(self->fd, handle, info.size);
	ASSERT_NE(MAP_FAILED, p);
	for (k = 0; k < info.size / 4; k++)
		ASSERT_EQ(k * 2654435761u, p[k]);
	munmap(p, info.size);

	EXPECT_EQ(0, enpu_gem_close(self->fd, handle));
	EXPECT_EQ(0, enpu_objects("bos"));
	test_err_bo_info(ENOENT, self->fd, handle, NULL);
}

TEST_F(bo, distinct_addresses)
{
	struct drm_enpu_bo_info a = {}, b = {};
	__u32 ha = 0, hb = 0;

	test_bo_create(self->fd, SZ_4K, 0, &ha);
	test_bo_create(self->fd, SZ_4K, 0, &hb);
	test_bo_info(self->fd, ha, &a);
	test_bo_info(self->fd, hb, &b);
	EXPECT_TRUE(a.va + a.size <= b.va || b.va + b.size <= a.va);
	EXPECT_NE(a.mmap_offset, b.mmap_offset);
}

TEST_F(bo, create_errors)
{
	test_err_bo_create(EINVAL, self->fd, 0, 0);
	test_err_bo_create(EINVAL, self->fd, DRM_ENPU_BO_MAX_SIZE + 1, 0);
	test_err_bo_create(EINVAL, self->fd, 1ull << 63, 0);
	test_err_bo_create(EINVAL, self->fd, ~0ull, 0);
	test_err_bo_create(EINVAL, self->fd, SZ_4K, 0x2);
	test_err_bo_create(EINVAL, self->fd, SZ_4K, 0x80000000);
	EXPECT_EQ(0, enpu_objects("bos"));
}

TEST_F(bo, info_errors)
{
	struct drm_enpu_bo_info info = { .pad = 1 };
	__u32 handle = 0;

	test_err_bo_info(ENOENT, self->fd, 0, NULL);
	test_err_bo_info(ENOENT, self->fd, 12345, NULL);
	test_bo_create(self->fd, SZ_4K, 0, &handle);
	test_err_bo_info(EINVAL, self->fd, handle, &info);
	info.pad = 0;
	info.pad2 = 1;
	test_err_bo_info(EINVAL, self->fd, handle, &info);
}

TEST_F(bo, device_translation)
{
	struct drm_enpu_bo_info rw = {}, ro = {};
	__u32 hrw = 0, hro = 0;
	char r[96];

	test_bo_create(self->fd, 4 * SZ_4K, 0, &hrw);
	test_bo_create(self->fd, SZ_4K, DRM_ENPU_BO_DEVICE_READ_ONLY, &hro);
	test_bo_info(self->fd, hrw, &rw);
	test_bo_info(self->fd, hro, &ro);
	EXPECT_EQ(DRM_ENPU_BO_DEVICE_READ_ONLY, ro.flags);

	ASSERT_EQ(0, enpu_translate(self->fd, rw.va, rw.size, 'w', r, sizeof(r)));
	EXPECT_EQ(0, strncmp(r, "ok ", 3)) TH_LOG("%s", r);
	ASSERT_EQ(0, enpu_translate(self->fd, rw.va + 100, 8, 'r', r, sizeof(r)));
	EXPECT_EQ(0, strncmp(r, "ok ", 3)) TH_LOG("%s", r);

	/* Past the end of the buffer, by one byte and by a page. */
	ASSERT_EQ(0, enpu_translate(self->fd, rw.va + rw.size - 1, 2, 'r', r, sizeof(r)));
	EXPECT_STREQ("fault: page not mapped\n", r);
	ASSERT_EQ(0, enpu_translate(self->fd, rw.va + rw.size, 1, 'r', r, sizeof(r)));
	EXPECT_STREQ("fault: page not mapped\n", r);

	/* Outside the address space, and an address range that wraps. */
	ASSERT_EQ(0, enpu_translate(self->fd, 0x1000, 4, 'r', r, sizeof(r)));
	EXPECT_STREQ("fault: address outside the address space\n", r);
	ASSERT_EQ(0, enpu_translate(self->fd, rw.va, ~0ull, 'r', r, sizeof(r)));
	EXPECT_STREQ("fault: address outside the address space\n", r);

	/* Read-only buffers: reads resolve, writes fault. */
	ASSERT_EQ(0, enpu_translate(self->fd, ro.va, ro.size, 'r', r, sizeof(r)));
	EXPECT_EQ(0, strncmp(r, "ok ", 3)) TH_LOG("%s", r);
	ASSERT_EQ(0, enpu_translate(self->fd, ro.va, 4, 'w', r, sizeof(r)));
	EXPECT_STREQ("fault: write to a read-only page\n", r);

	/* A closed buffer is gone from the device's view. */
	EXPECT_EQ(0, enpu_gem_close(self->fd, hrw));
	ASSERT_EQ(0, enpu_translate(self->fd, rw.va, 4, 'r', r, sizeof(r)));
	EXPECT_STREQ("fault: page not mapped\n", r);
}

TEST_F(bo, fdinfo_memory)
{
	__u32 handle = 0;

	EXPECT_EQ(0, enpu_fdinfo_kib(self->fd, "drm-total-memory") > 0);
	test_bo_create(self->fd, 256 * 1024, 0, &handle);
	EXPECT_EQ(256, enpu_fdinfo_kib(self->fd, "drm-total-memory"));
	EXPECT_EQ(256, enpu_fdinfo_kib(self->fd, "drm-resident-memory"));
}

TEST_F(bo, prime_export_import_other_file)
{
	struct drm_enpu_bo_info i1 = {}, i2 = {};
	__u32 h1 = 0, h2 = 0;
	int fd2, dmabuf;
	__u32 *p, *q, *d;
	char r[96];

	test_bo_create(self->fd, SZ_64K, 0, &h1);
	test_bo_info(self->fd, h1, &i1);
	dmabuf = prime_export(self->fd, h1);
	ASSERT_LE(0, dmabuf);

	fd2 = enpu_open_device();
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, prime_import(fd2, dmabuf, &h2));
	test_bo_info(fd2, h2, &i2);
	EXPECT_EQ(i1.size, i2.size);
	EXPECT_EQ(2, enpu_objects("mappings"));
	EXPECT_EQ(1, enpu_objects("bos"));	/* the same object */

	/* Same pages: through the first file, the second, and the dma-buf. */
	p = bo_mmap(self->fd, h1, SZ_64K);
	q = bo_mmap(fd2, h2, SZ_64K);
	d = mmap(NULL, SZ_64K, PROT_READ | PROT_WRITE, MAP_SHARED, dmabuf, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_NE(MAP_FAILED, q);
	ASSERT_NE(MAP_FAILED, d);
	p[0] = 0x12345678;
	d[100] = 0xcafe;
	EXPECT_EQ(0x12345678, q[0]);
	EXPECT_EQ(0xcafe, p[100]);
	EXPECT_EQ(0xcafe, q[100]);

	/* The second file's device view reaches the same memory. */
	ASSERT_EQ(0, enpu_translate(fd2, i2.va, SZ_64K, 'w', r, sizeof(r)));
	EXPECT_EQ(0, strncmp(r, "ok ", 3)) TH_LOG("%s", r);

	munmap(p, SZ_64K);
	munmap(q, SZ_64K);
	munmap(d, SZ_64K);
	/* Close in an unusual order: exporter first, then the dma-buf. */
	close(self->fd);
	self->fd = fd2;
	EXPECT_EQ(1, enpu_objects("bos"));
	close(dmabuf);
}

TEST_F(bo, import_udmabuf)
{
	struct udmabuf_create create = { .offset = 0, .size = SZ_64K };
	struct drm_enpu_bo_info info = {};
	int memfd, ufd, dmabuf;
	__u32 handle = 0, *m, *b;
	char r[96];

	memfd = memfd_create("enpu-udmabuf", MFD_ALLOW_SEALING);
	ASSERT_LE(0, memfd);
	ASSERT_EQ(0, ftruncate(memfd, SZ_64K));
	ASSERT_EQ(0, fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK));
	ufd = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, ufd) TH_LOG("no /dev/udmabuf");
	create.memfd = memfd;
	dmabuf = ioctl(ufd, UDMABUF_CREATE, &create);
	ASSERT_LE(0, dmabuf);

	ASSERT_EQ(0, prime_import(self->fd, dmabuf, &handle));
	test_bo_info(self->fd, handle, &info);
	EXPECT_EQ(SZ_64K, info.size);
	ASSERT_EQ(0, enpu_translate(self->fd, info.va, SZ_64K, 'w', r, sizeof(r)));
	EXPECT_EQ(0, strncmp(r, "ok ", 3)) TH_LOG("%s", r);

	m = mmap(NULL, SZ_64K, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	b = bo_mmap(self->fd, handle, SZ_64K);
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_NE(MAP_FAILED, b);
	m[7] = 0xfeedbeef;
	EXPECT_EQ(0xfeedbeef, b[7]);
	munmap(m, SZ_64K);
	munmap(b, SZ_64K);

	/* Drop the dma-buf and the memfd before the handle. */
	close(dmabuf);
	close(memfd);
	close(ufd);
	EXPECT_EQ(1, enpu_objects("bos"));
}

/* The first /dev/dri/card* driven by vgem, or -1. */
static int open_vgem(void)
{
	char path[32], name[16];
	int i, fd;

	for (i = 0; i < 16; i++) {
		struct drm_version v = { .name = name, .name_len = sizeof(name) - 1 };

		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		memset(name, 0, sizeof(name));
		if (!ioctl(fd, DRM_IOCTL_VERSION, &v) && !strcmp(name, "vgem"))
			return fd;
		close(fd);
	}
	return -1;
}

TEST_F(bo, import_vgem)
{
	struct drm_mode_create_dumb dumb = { .width = 1024, .height = 16, .bpp = 32 };
	struct drm_enpu_bo_info info = {};
	__u32 handle = 0, *v, *b;
	int vgem, dmabuf;
	char r[96];

	vgem = open_vgem();
	ASSERT_LE(0, vgem) TH_LOG("no vgem device");
	ASSERT_EQ(0, ioctl(vgem, DRM_IOCTL_MODE_CREATE_DUMB, &dumb));
	dmabuf = prime_export(vgem, dumb.handle);
	ASSERT_LE(0, dmabuf);

	ASSERT_EQ(0, prime_import(self->fd, dmabuf, &handle));
	test_bo_info(self->fd, handle, &info);
	EXPECT_EQ(dumb.size, info.size);
	ASSERT_EQ(0, enpu_translate(self->fd, info.va, info.size, 'w', r, sizeof(r)));
	EXPECT_EQ(0, strncmp(r, "ok ", 3)) TH_LOG("%s", r);

	v = mmap(NULL, info.size, PROT_READ | PROT_WRITE, MAP_SHARED, dmabuf, 0);
	b = bo_mmap(self->fd, handle, info.size);
	ASSERT_NE(MAP_FAILED, v);
	ASSERT_NE(MAP_FAILED, b);
	v[5] = 0x600dcafe;
	EXPECT_EQ(0x600dcafe, b[5]);
	munmap(v, info.size);
	munmap(b, info.size);

	/* The exporter goes first. */
	close(vgem);
	close(dmabuf);
	EXPECT_EQ(1, enpu_objects("bos"));
}

/* Stress: creators racing a thread that opens and closes the device. */
struct stress {
	int fd;
	volatile int stop;
	int errors;
};

static void *stress_creator(void *arg)
{
	struct stress *s = arg;
	__u32 handle = 0;
	int i;

	for (i = 0; i < 1000; i++) {
		if (_enpu_bo_create(s->fd, SZ_4K * (1 + i % 4), 0, &handle) ||
		    _enpu_bo_info(s->fd, handle, NULL) ||
		    enpu_gem_close(s->fd, handle))
			__atomic_add_fetch(&s->errors, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void *stress_reopener(void *arg)
{
	struct stress *s = arg;
	__u32 handle = 0;

	while (!s->stop) {
		int fd = enpu_open_device();

		if (fd < 0) {
			__atomic_add_fetch(&s->errors, 1, __ATOMIC_RELAXED);
			break;
		}
		/* Leave a buffer behind for close to clean up. */
		if (_enpu_bo_create(fd, SZ_64K, 0, &handle))
			__atomic_add_fetch(&s->errors, 1, __ATOMIC_RELAXED);
		close(fd);
	}
	return NULL;
}

TEST_F_TIMEOUT(bo, stress_create_destroy, 300)
{
	struct stress s = { .fd = self->fd };
	pthread_t creators[8], reopener;
	int i;

	ASSERT_EQ(0, pthread_create(&reopener, NULL, stress_reopener, &s));
	for (i = 0; i < 8; i++)
		ASSERT_EQ(0, pthread_create(&creators[i], NULL, stress_creator, &s));
	for (i = 0; i < 8; i++)
		pthread_join(creators[i], NULL);
	s.stop = 1;
	pthread_join(reopener, NULL);
	EXPECT_EQ(0, s.errors);
	EXPECT_EQ(0, enpu_objects("bos"));
}

TEST_HARNESS_MAIN
