/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef __ENPU_FW_H__
#define __ENPU_FW_H__

#include <linux/types.h>

#include "enpu_fw_format.h"

struct enpu_device;

/**
 * struct enpu_opp - an operating performance point, in host byte order
 * @freq_khz: core clock
 * @volt_uv: supply voltage
 * @power_mw: dynamic power at full load
 */
struct enpu_opp {
	u32 freq_khz;
	u32 volt_uv;
	u32 power_mw;
};

/**
 * struct enpu_fw_info - a validated firmware image, in host byte order
 *
 * The fields mirror &struct enpu_fw_header; see enpu_fw_format.h.
 */
struct enpu_fw_info {
	u32 format_version;
	u32 fw_version;
	u32 isa_version;
	u32 num_cores;
	u64 capabilities;
	u32 num_opps;
	struct enpu_opp opps[ENPU_FW_MAX_OPPS];
	u32 macs_per_cycle[ENPU_FW_OPC_COUNT];
	u32 op_overhead_cycles;
	u32 static_power_mw;
	u32 thermal_r_mc_per_w;
	u32 thermal_c_mj_per_c;
	s32 ambient_mc;
	s32 trip_mc[ENPU_FW_TRIP_COUNT];
	char name[ENPU_FW_NAME_LEN];
};

int enpu_fw_parse(const u8 *data, size_t size, struct enpu_fw_info *info,
		  char *why, size_t why_len);
int enpu_fw_boot(struct enpu_device *edev);
int enpu_fw_warm_boot(struct enpu_device *edev);
void enpu_fw_fini(struct enpu_device *edev);

#endif /* __ENPU_FW_H__ */
