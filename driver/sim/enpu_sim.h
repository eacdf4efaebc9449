/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef __ENPU_SIM_H__
#define __ENPU_SIM_H__

#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "enpu_fw_format.h"
#include "../enpu_hw.h"

struct enpu_sim;

/**
 * struct enpu_sim_core - one emulated core
 * @sim: its device
 * @index: core number
 * @lock: protects the ring, @active, @hung, @abort and @stats.busy_*
 * @ring: submitted jobs; @head is the next to run, @tail the next free slot
 * @head: ring read index (free-running)
 * @tail: ring write index (free-running)
 * @active: the job the core holds (running, or hung)
 * @hung: @active hangs: no progress, no completion until a reset
 * @abort: a core reset asked the worker to stop @active
 * @progress: advances while the core executes (see enpu_hw_core_stats)
 * @stats: busy time and cycles
 * @work: the core's worker, queued by the doorbell
 */
struct enpu_sim_core {
	struct enpu_sim *sim;
	u32 index;
	spinlock_t lock; /* protects ring, head, tail, active, hung, abort */
	struct enpu_hw_job *ring[ENPU_HW_RING_SIZE];
	u32 head;
	u32 tail;
	struct enpu_hw_job *active;
	bool hung;
	bool abort;
	atomic64_t progress;
	struct enpu_hw_core_stats stats;
	struct work_struct work;
};

/**
 * struct enpu_sim - state of one emulated NPU
 * @hw: the boundary object handed to the driver
 * @lock: serialises boot and halt
 * @running: firmware booted and not halted
 * @crashed: the firmware stopped (fault injection); cores hold their jobs
 *	until @reset
 * @stop_status: status of the jobs a halt or reset completes
 * @hang_next: the next job a core starts hangs
 * @fatal_work: raises the error interrupt after a crash
 * @fw_version: version register, valid while @running
 * @num_cores: cores the firmware brought up
 * @freq_khz: core clock
 * @overhead_cycles: fixed cost of every instruction
 * @dma_bytes_per_cycle: DMA throughput
 * @gemm_macs_per_cycle: GEMM throughput
 * @eltwise_per_cycle: POOL/ADD throughput (window elements per cycle)
 * @conv_macs_per_cycle: CONV2D throughput
 * @wq: runs the cores' workers
 * @model_lock: protects the power and thermal model below
 * @model_ns: when the model was last advanced (0: never booted)
 * @powered: the NPU is powered (booted, not halted)
 * @busy_cores: cores holding a job
 * @num_opps: operating points
 * @opp_index: the current one
 * @opp_freq_khz: their frequencies
 * @opp_power_mw: their dynamic power at full load
 * @static_power_mw: leakage while powered
 * @thermal_r: junction-to-ambient resistance, m°C per W
 * @thermal_c: heat capacity, mJ per °C
 * @ambient_mc: ambient temperature
 * @temp_nc: die temperature, nano-degrees
 * @energy_uj: energy drawn, uJ
 * @energy_pj: and the pJ below a uJ
 * @clock_cycles: the timestamp counter: cycles at the frequencies run
 * @clock_ucycles: its fraction, in millionths of a cycle
 * @cores: the cores
 */
struct enpu_sim {
	struct enpu_hw hw;
	struct mutex lock; /* serialises boot and halt */
	bool running;
	bool crashed;
	int stop_status;
	atomic_t hang_next;
	struct work_struct fatal_work;
	u32 fw_version;
	u32 num_cores;
	u32 freq_khz;
	u32 overhead_cycles;
	u32 dma_bytes_per_cycle;
	u32 gemm_macs_per_cycle;
	u32 eltwise_per_cycle;
	u32 conv_macs_per_cycle;
	struct workqueue_struct *wq;
	spinlock_t model_lock; /* protects the power and thermal model */
	u64 model_ns;
	bool powered;
	u32 busy_cores;
	u32 num_opps;
	u32 opp_index;
	u32 opp_freq_khz[ENPU_FW_MAX_OPPS];
	u32 opp_power_mw[ENPU_FW_MAX_OPPS];
	u32 static_power_mw;
	u32 thermal_r;
	u32 thermal_c;
	s32 ambient_mc;
	s64 temp_nc;
	u64 energy_uj;
	u64 energy_pj;
	u64 clock_cycles;
	u64 clock_ucycles;
	struct enpu_sim_core cores[ENPU_FW_MAX_CORES];
};

/**
 * struct enpu_sim_quant - quantization of one int8 op
 * @a_zp: zero point of the first input
 * @b_zp: zero point of the second input
 * @out_zp: zero point of the output
 * @act_min: lower clamp of the output
 * @act_max: upper clamp of the output
 * @multiplier: Q31 requantization multiplier
 * @shift: requantization shift, -31..30 (positive: left)
 */
struct enpu_sim_quant {
	s32 a_zp;
	s32 b_zp;
	s32 out_zp;
	s32 act_min;
	s32 act_max;
	s32 multiplier;
	int shift;
};

/**
 * struct enpu_sim_pool - a pooling operation
 * @h: input height
 * @w: input width
 * @c: channels
 * @oh: output height
 * @ow: output width
 * @kh: window height
 * @kw: window width
 * @sh: vertical stride
 * @sw: horizontal stride
 * @pad_top: rows of padding above the image
 * @pad_left: columns of padding left of the image
 * @avg: average (else max)
 * @act_min: lower clamp
 * @act_max: upper clamp
 */
struct enpu_sim_pool {
	u32 h, w, c, oh, ow, kh, kw, sh, sw, pad_top, pad_left;
	bool avg;
	s32 act_min, act_max;
};

int enpu_sim_exec(struct enpu_sim_core *c, struct enpu_hw_job *job);
void enpu_sim_model_boot(struct enpu_sim *sim, const struct enpu_fw_header *hdr,
			 const struct enpu_fw_opp *opp, u32 nopps);
void enpu_sim_model_busy(struct enpu_sim *sim, int delta);
void enpu_sim_model_power_off(struct enpu_sim *sim);
int enpu_sim_set_freq(struct enpu_hw *hw, u32 khz);
void enpu_sim_telemetry(struct enpu_hw *hw, struct enpu_hw_telemetry *t);
u64 enpu_sim_timestamp(struct enpu_hw *hw);
bool enpu_sim_stopping(struct enpu_sim_core *c);
void enpu_sim_pool(const s8 *in, s8 *out, const struct enpu_sim_pool *p);
void enpu_sim_add(const s8 *a, const s8 *b, s8 *out, u32 count, u32 left_shift,
		  const struct enpu_sim_quant *qa, const struct enpu_sim_quant *qb,
		  const struct enpu_sim_quant *qo);
struct drm_enpu_conv2d;
int enpu_sim_conv2d(const s8 *in, const s8 *f, const s32 *bias, s8 *out,
		    const struct drm_enpu_conv2d *c, const struct enpu_sim_quant *q);
s32 enpu_sim_requant(s32 acc, const struct enpu_sim_quant *q);
int enpu_sim_gemm(const s8 *a, const s8 *b, const s32 *bias, s8 *c,
		  u32 m, u32 n, u32 k, const struct enpu_sim_quant *q);

#endif /* __ENPU_SIM_H__ */
