/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef __ENPU_GENL_H__
#define __ENPU_GENL_H__

#include <linux/types.h>
#include <linux/enpu_genl.h>

struct enpu_ctx;
struct enpu_device;

int enpu_genl_register(void);
void enpu_genl_unregister(void);

int enpu_total_energy_uj(u64 *uj);

void enpu_genl_add_device(struct enpu_device *edev);
void enpu_genl_remove_device(struct enpu_device *edev);

/*
 * Events for the "events" multicast group.  Each costs nothing when
 * nobody listens; none sleeps.
 */
void enpu_genl_ctx_event(struct enpu_ctx *ctx, u8 cmd);
void enpu_genl_job_event(struct enpu_ctx *ctx, u8 cmd, u32 core, int error);
void enpu_genl_reset_event(struct enpu_device *edev, int core);
void enpu_genl_throttle_event(struct enpu_device *edev, u32 freq_khz,
			      u32 reason, s32 temp_mc);
void enpu_genl_power_event(struct enpu_device *edev, bool suspended);

#endif /* __ENPU_GENL_H__ */
