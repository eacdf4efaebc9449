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

#endif /* ENPU_UTILS_H */
