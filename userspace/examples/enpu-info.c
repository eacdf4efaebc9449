// SPDX-License-Identifier: MIT
/*
 * enpu-info: print what an enpu device reports through DEV_QUERY.
 *
 * Usage: enpu-info [DEVICE]   (default: the first enpu device in /dev/accel)
 * Exit status: 0 printed, 1 no device or it cannot be opened, 2 a query
 * failed.
 */
#include <stdio.h>
#include <string.h>

#include "libenpu.h"

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : NULL;
	struct drm_enpu_device_info info;
	struct drm_enpu_opp opps[16];
	struct enpu_device *dev;
	unsigned int i, n = 0;
	int ret;

	ret = enpu_device_open(path, &dev);
	if (ret) {
		fprintf(stderr, "enpu-info: %s: %s%s\n",
			path ? path : "no enpu device in /dev/accel", strerror(-ret),
			path ? "" : " (is the enpu module loaded?)");
		return 1;
	}

	ret = enpu_device_info(dev, &info);
	if (!ret)
		ret = enpu_device_opps(dev, opps, 16, &n);
	if (ret) {
		fprintf(stderr, "enpu-info: DEV_QUERY: %s\n", strerror(-ret));
		enpu_device_close(dev);
		return 2;
	}

	printf("firmware      %s %u.%u.%u (image format %u)\n", info.fw_name,
	       info.fw_version >> 16, (info.fw_version >> 8) & 0xff,
	       info.fw_version & 0xff, info.fw_format);
	printf("isa version   %u\n", info.isa_version);
	printf("cores         %u\n", info.num_cores);
	printf("capabilities  0x%llx\n", (unsigned long long)info.capabilities);
	printf("device VA     0x%llx-0x%llx\n", (unsigned long long)info.va_start,
	       (unsigned long long)info.va_end);
	printf("OPPs          %u\n", info.num_opps);
	for (i = 0; i < n && i < 16; i++)
		printf("  opp %-2u %8u kHz %8u uV %6u mW\n", i, opps[i].freq_khz,
		       opps[i].volt_uv, opps[i].power_mw);
	enpu_device_close(dev);
	return 0;
}
