// SPDX-License-Identifier: MIT
/*
 * enpu-info: print what an enpu device reports through DEV_QUERY.
 *
 * Usage: enpu-info [DEVICE]   (default: the first enpu device in /dev/accel)
 * Exit status: 0 printed, 1 no device or it cannot be opened, 2 a query
 * failed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <drm/enpu_accel.h>

static int is_enpu(int fd)
{
	char name[16] = "";
	struct drm_version v = { .name = name, .name_len = sizeof(name) - 1 };

	return !ioctl(fd, DRM_IOCTL_VERSION, &v) && !strcmp(name, "enpu");
}

static int open_first_enpu(char *path, size_t len)
{
	struct dirent *de;
	DIR *dir = opendir("/dev/accel");
	int fd = -1;

	if (!dir)
		return -1;
	while (fd < 0 && (de = readdir(dir))) {
		if (strncmp(de->d_name, "accel", 5))
			continue;
		snprintf(path, len, "/dev/accel/%s", de->d_name);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd >= 0 && !is_enpu(fd)) {
			close(fd);
			fd = -1;
		}
	}
	closedir(dir);
	return fd;
}

static int query(int fd, uint32_t type, void *buf, uint32_t size)
{
	struct drm_enpu_dev_query q = {
		.type = type, .size = size, .pointer = (uintptr_t)buf,
	};

	return ioctl(fd, DRM_IOCTL_ENPU_DEV_QUERY, &q) ? -errno : (int)q.size;
}

int main(int argc, char **argv)
{
	struct drm_enpu_opp opps[16];
	struct drm_enpu_device_info info;
	char path[300];
	int fd, ret;
	uint32_t i;

	if (argc > 1) {
		snprintf(path, sizeof(path), "%s", argv[1]);
		fd = open(path, O_RDWR | O_CLOEXEC);
	} else {
		fd = open_first_enpu(path, sizeof(path));
	}
	if (fd < 0) {
		fprintf(stderr, "enpu-info: %s: %s\n", argc > 1 ? path : "no enpu device in /dev/accel",
			argc > 1 ? strerror(errno) : "is the enpu module loaded?");
		return 1;
	}

	ret = query(fd, DRM_ENPU_QUERY_DEVICE_INFO, &info, sizeof(info));
	if (ret >= 0)
		ret = query(fd, DRM_ENPU_QUERY_OPP_TABLE, opps, sizeof(opps));
	if (ret < 0) {
		fprintf(stderr, "enpu-info: %s: DEV_QUERY: %s\n", path, strerror(-ret));
		close(fd);
		return 2;
	}

	printf("device        %s\n", path);
	printf("firmware      %s %u.%u.%u (image format %u)\n", info.fw_name,
	       info.fw_version >> 16, (info.fw_version >> 8) & 0xff,
	       info.fw_version & 0xff, info.fw_format);
	printf("isa version   %u\n", info.isa_version);
	printf("cores         %u\n", info.num_cores);
	printf("capabilities  0x%llx\n", (unsigned long long)info.capabilities);
	printf("device VA     0x%llx-0x%llx\n", (unsigned long long)info.va_start,
	       (unsigned long long)info.va_end);
	printf("OPPs          %u\n", info.num_opps);
	for (i = 0; i < info.num_opps && i < 16; i++)
		printf("  opp %-2u %8u kHz %8u uV %6u mW\n", i, opps[i].freq_khz,
		       opps[i].volt_uv, opps[i].power_mw);
	close(fd);
	return 0;
}
