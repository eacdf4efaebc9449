/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the enpu selftests, in the iommufd_utils.h shape: each ioctl
 * wrapped three ways, _enpu_x() returning 0 or -errno, test_x() asserting
 * success and test_err_x() expecting one errno.
 */
#ifndef ENPU_UTILS_H
#define ENPU_UTILS_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <drm/enpu_accel.h>

#define ENPU_ACCEL_DIR	"/dev/accel"
#define ENPU_OBJECTS	"/sys/kernel/debug/enpu/objects"

/* Open the first /dev/accel/accelN driven by enpu; -1 if there is none. */
static inline int enpu_open_device(void)
{
	char path[300], name[16];
	struct dirent *de;
	DIR *dir;
	int fd = -1;

	dir = opendir(ENPU_ACCEL_DIR);
	if (!dir)
		return -1;
	while ((de = readdir(dir))) {
		struct drm_version v = { .name = name, .name_len = sizeof(name) - 1 };

		if (strncmp(de->d_name, "accel", 5))
			continue;
		snprintf(path, sizeof(path), ENPU_ACCEL_DIR "/%s", de->d_name);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		memset(name, 0, sizeof(name));
		if (!ioctl(fd, DRM_IOCTL_VERSION, &v) && !strcmp(name, "enpu"))
			break;
		close(fd);
		fd = -1;
	}
	closedir(dir);
	return fd;
}

/* The live count of @kind ("devices", "files") from debugfs, or -1. */
static inline int enpu_objects(const char *kind)
{
	char key[32];
	int val, ret = -1;
	FILE *f;

	f = fopen(ENPU_OBJECTS, "r");
	if (!f)
		return -1;
	while (fscanf(f, "%31s %d", key, &val) == 2)
		if (!strcmp(key, kind))
			ret = val;
	fclose(f);
	return ret;
}

static inline int _enpu_query(int fd, __u32 type, __u32 *size, void *ptr,
			      __u32 flags, __u32 pad)
{
	struct drm_enpu_dev_query q = {
		.type = type,
		.size = *size,
		.pointer = (__u64)(uintptr_t)ptr,
		.flags = flags,
		.pad = pad,
	};

	if (ioctl(fd, DRM_IOCTL_ENPU_DEV_QUERY, &q))
		return -errno;
	*size = q.size;
	return 0;
}

#define test_query(fd, type, size, ptr) \
	ASSERT_EQ(0, _enpu_query(fd, type, size, ptr, 0, 0))

#define test_err_query(err, fd, type, size, ptr, flags, pad) \
	EXPECT_EQ(-(err), _enpu_query(fd, type, size, ptr, flags, pad))

static inline int _enpu_bo_create(int fd, __u64 size, __u32 flags,
				  __u32 *handle)
{
	struct drm_enpu_bo_create c = { .size = size, .flags = flags };

	if (ioctl(fd, DRM_IOCTL_ENPU_BO_CREATE, &c))
		return -errno;
	if (handle)
		*handle = c.handle;
	return 0;
}

#define test_bo_create(fd, size, flags, handle) \
	ASSERT_EQ(0, _enpu_bo_create(fd, size, flags, handle))

#define test_err_bo_create(err, fd, size, flags) \
	EXPECT_EQ(-(err), _enpu_bo_create(fd, size, flags, NULL))

static inline int _enpu_userptr(int fd, const void *ptr, __u64 size,
				__u32 flags, __u32 *handle)
{
	struct drm_enpu_bo_create_userptr c = {
		.user_ptr = (__u64)(uintptr_t)ptr,
		.size = size,
		.flags = flags,
	};

	if (ioctl(fd, DRM_IOCTL_ENPU_BO_CREATE_USERPTR, &c))
		return -errno;
	if (handle)
		*handle = c.handle;
	return 0;
}

#define test_userptr(fd, ptr, size, flags, handle) \
	ASSERT_EQ(0, _enpu_userptr(fd, ptr, size, flags, handle))

#define test_err_userptr(err, fd, ptr, size, flags) \
	EXPECT_EQ(-(err), _enpu_userptr(fd, ptr, size, flags, NULL))

static inline int _enpu_bo_info(int fd, __u32 handle, struct drm_enpu_bo_info *info)
{
	struct drm_enpu_bo_info i = { .handle = handle };

	if (info && (info->pad || info->pad2)) {
		i.pad = info->pad;
		i.pad2 = info->pad2;
	}
	if (ioctl(fd, DRM_IOCTL_ENPU_BO_INFO, &i))
		return -errno;
	if (info)
		*info = i;
	return 0;
}

#define test_bo_info(fd, handle, info) \
	ASSERT_EQ(0, _enpu_bo_info(fd, handle, info))

#define test_err_bo_info(err, fd, handle, info) \
	EXPECT_EQ(-(err), _enpu_bo_info(fd, handle, info))

static inline int enpu_gem_close(int fd, __u32 handle)
{
	struct drm_gem_close c = { .handle = handle };

	return ioctl(fd, DRM_IOCTL_GEM_CLOSE, &c) ? -errno : 0;
}

/* The file's drm-client-id from fdinfo, or 0. */
static inline unsigned long long enpu_client_id(int fd)
{
	unsigned long long id = 0;
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "drm-client-id: %llu", &id) == 1)
			break;
	fclose(f);
	return id;
}

/* A kB figure from the file's fdinfo ("drm-total-memory" ...), or -1. */
static inline long long enpu_fdinfo_kib(int fd, const char *key)
{
	char path[64], line[256], name[64];
	long long val = -1, v;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char unit[8] = "";

		if (sscanf(line, "%63[^:]: %lld %7s", name, &v, unit) >= 2 &&
		    !strcmp(name, key))
			val = !strcmp(unit, "MiB") ? v * 1024 : v;
	}
	fclose(f);
	return val;
}

/*
 * Ask the device's translate hook how it resolves an access; returns 0 with
 * @result "ok ..." or "fault: ...", or -errno.
 */
static inline int enpu_translate(int fd, __u64 va, __u64 len, char rw,
				 char *result, size_t rlen)
{
	char cmd[96];
	ssize_t n;
	int dfd;

	dfd = open("/sys/kernel/debug/accel/enpu/translate", O_RDWR | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	snprintf(cmd, sizeof(cmd), "%llu %llx %llx %c", enpu_client_id(fd),
		 (unsigned long long)va, (unsigned long long)len, rw);
	if (write(dfd, cmd, strlen(cmd)) < 0) {
		n = -errno;
		close(dfd);
		return n;
	}
	n = read(dfd, result, rlen - 1);
	close(dfd);
	if (n < 0)
		return -errno;
	result[n] = 0;
	return 0;
}

/* Write @s to a sysfs/debugfs/proc file; 0, or -errno. */
static inline int enpu_write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	if (n < 0)
		n = -errno;
	close(fd);
	return n < 0 ? (int)n : n == (ssize_t)strlen(s) ? 0 : -EIO;
}

/* A number read from a sysfs/debugfs/proc file, or -1. */
static inline long enpu_read_long(const char *path)
{
	char buf[64] = "";
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	long v = -1;

	if (fd < 0)
		return -1;
	if (read(fd, buf, sizeof(buf) - 1) > 0)
		v = strtol(buf, NULL, 10);
	close(fd);
	return v;
}

/* Read a one-line sysfs or debugfs file into @buf, without its newline. */
static inline int enpu_read_str(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = 0;
	return 0;
}

/*
 * Find the thermal zone of type @type: its id, with its sysfs directory
 * (ending in '/') in @dir; -1 if there is none.
 */
static inline int enpu_thermal_zone(const char *type, char *dir, size_t len)
{
	char path[96], buf[64];
	int i;

	for (i = 0; i < 64; i++) {
		snprintf(path, sizeof(path), "/sys/class/thermal/thermal_zone%d/type", i);
		if (!enpu_read_str(path, buf, sizeof(buf)) && !strcmp(buf, type)) {
			snprintf(dir, len, "/sys/class/thermal/thermal_zone%d/", i);
			return i;
		}
	}
	return -1;
}

#define ENPU_TIME_SCALE	"/sys/module/enpu/parameters/thermal_time_scale"

/*
 * Let the die cool to its idle temperature: 100 ms at a 1000x thermal
 * clock is 100 s of model time, ten time constants.  A hot die would be
 * throttled by the thermal zone.
 */
static inline int enpu_cool_down(void)
{
	int ret = enpu_write_file(ENPU_TIME_SCALE, "1000");

	usleep(100000);
	return ret ? ret : enpu_write_file(ENPU_TIME_SCALE, "1");
}

#endif /* ENPU_UTILS_H */
