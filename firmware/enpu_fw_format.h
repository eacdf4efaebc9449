/* SPDX-License-Identifier: MIT */
/*
 * enpu firmware image format, version 1.
 *
 * Shared by the kernel driver (driver/enpu_fw.c), which validates an image
 * before the device boots from it, and by the host tool mkenpufw, which
 * builds images from a source file.  All fields are little-endian.
 * Documentation/firmware.rst describes every field and its limits.
 */
#ifndef ENPU_FW_FORMAT_H
#define ENPU_FW_FORMAT_H

#include <linux/types.h>

#define ENPU_FW_MAGIC		0x55504e45u	/* "ENPU" in file byte order */
#define ENPU_FW_FORMAT_VERSION	1u
#define ENPU_FW_CRC_OFFSET	12u	/* the CRC covers [12, image_size) */

#define ENPU_FW_MAX_CORES	8u
#define ENPU_FW_MAX_OPPS	16u
#define ENPU_FW_NAME_LEN	32u

/* Operation classes with their own multiply-accumulate throughput. */
enum enpu_fw_op_class {
	ENPU_FW_OPC_GEMM = 0,
	ENPU_FW_OPC_CONV = 1,
	ENPU_FW_OPC_ELTWISE = 2,	/* POOL, ADD */
	ENPU_FW_OPC_DMA = 3,		/* bytes per cycle */
	ENPU_FW_OPC_COUNT = 4,
};

/* Thermal trip points, strictly increasing in this order. */
enum enpu_fw_trip {
	ENPU_FW_TRIP_PASSIVE_ON = 0,	/* power allocator switch-on */
	ENPU_FW_TRIP_PASSIVE = 1,	/* control temperature */
	ENPU_FW_TRIP_HOT = 2,
	ENPU_FW_TRIP_CRITICAL = 3,	/* the NPU is reset and powered down */
	ENPU_FW_TRIP_COUNT = 4,
};

/* Limits on the thermal model and trips (milli-degrees Celsius). */
#define ENPU_FW_AMBIENT_MIN_MC	(-40000)
#define ENPU_FW_AMBIENT_MAX_MC	60000
#define ENPU_FW_TRIP_MAX_MC	150000
#define ENPU_FW_THERMAL_R_MAX	1000000u	/* m°C per W */
#define ENPU_FW_THERMAL_C_MAX	1000000u	/* mJ per °C */
#define ENPU_FW_FREQ_MAX_KHZ	10000000u
#define ENPU_FW_VOLT_MAX_UV	2000000u
#define ENPU_FW_POWER_MAX_MW	100000u
#define ENPU_FW_MACS_MAX	1000000u
#define ENPU_FW_OVERHEAD_MAX	1000000u

/**
 * struct enpu_fw_header - fixed header at offset 0 of the image
 * @magic: %ENPU_FW_MAGIC
 * @format_version: %ENPU_FW_FORMAT_VERSION
 * @crc32: CRC-32 (IEEE 802.3, as zlib) of bytes [12, @image_size)
 * @header_size: sizeof(struct enpu_fw_header) for this format version
 * @image_size: total image size in bytes; equals the file size
 * @fw_version: major << 16 | minor << 8 | patch, not 0
 * @isa_version: command-stream ISA version the firmware implements, 1..65535
 * @num_cores: number of NPU cores, 1..%ENPU_FW_MAX_CORES
 * @capabilities: DRM_ENPU_CAP_* bits (uapi/drm/enpu_accel.h), at least one
 * @num_opps: entries in the OPP table, 1..%ENPU_FW_MAX_OPPS
 * @opp_offset: byte offset of the OPP table; equals @header_size, and the
 *	table runs to the end of the image
 * @macs_per_cycle: throughput per &enum enpu_fw_op_class, all non-zero
 * @op_overhead_cycles: fixed cost of every instruction, at most
 *	%ENPU_FW_OVERHEAD_MAX
 * @static_power_mw: leakage power while powered on
 * @thermal_r_mc_per_w: junction-to-ambient thermal resistance
 * @thermal_c_mj_per_c: heat capacity
 * @ambient_mc: ambient temperature of the model (two's complement)
 * @trip_mc: trip temperatures per &enum enpu_fw_trip (two's complement),
 *	strictly increasing
 *	and above @ambient_mc
 * @name: 1..31 characters of [A-Za-z0-9._-], NUL-padded
 * @reserved: must be zero
 */
struct enpu_fw_header {
	__le32 magic;
	__le32 format_version;
	__le32 crc32;
	__le32 header_size;
	__le32 image_size;
	__le32 fw_version;
	__le32 isa_version;
	__le32 num_cores;
	__le64 capabilities;
	__le32 num_opps;
	__le32 opp_offset;
	__le32 macs_per_cycle[ENPU_FW_OPC_COUNT];
	__le32 op_overhead_cycles;
	__le32 static_power_mw;
	__le32 thermal_r_mc_per_w;
	__le32 thermal_c_mj_per_c;
	__le32 ambient_mc;
	__le32 trip_mc[ENPU_FW_TRIP_COUNT];
	char name[ENPU_FW_NAME_LEN];
	__le32 reserved[3];
};

/**
 * struct enpu_fw_opp - one operating performance point
 * @freq_khz: core clock, strictly increasing along the table
 * @volt_uv: supply voltage, non-decreasing along the table
 * @power_mw: dynamic power at full load, strictly increasing along the table
 * @reserved: must be zero
 */
struct enpu_fw_opp {
	__le32 freq_khz;
	__le32 volt_uv;
	__le32 power_mw;
	__le32 reserved;
};

#endif /* ENPU_FW_FORMAT_H */
