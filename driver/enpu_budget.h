/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef __ENPU_BUDGET_H__
#define __ENPU_BUDGET_H__

#include <linux/hrtimer.h>
#include <linux/spinlock.h>
#include <linux/types.h>

struct dma_fence;

/**
 * struct enpu_budget - a context's share of device time, and freeze
 * @lock: protects every field below but @timer
 * @runtime_ns: device time allowed per period; 0: no budget
 * @period_ns: the period
 * @period_end: end of the current period (ktime ns)
 * @used_ns: device time charged to the current period, debt included
 * @frozen: no job of the context may start
 * @gate: the fence held jobs wait on; signalled at refill or thaw
 * @last: hardware fence of the last job let through; while a budget or
 *	freeze is set the context runs one job at a time, so that each job is
 *	charged before the next one is admitted
 * @fence_context: context of the @gate fences
 * @seqno: last @gate seqno
 * @timer: the period refill, armed only while a job is held
 */
struct enpu_budget {
	spinlock_t lock; /* protects the budget's state */
	u64 runtime_ns;
	u64 period_ns;
	u64 period_end;
	u64 used_ns;
	bool frozen;
	struct dma_fence *gate;
	struct dma_fence *last;
	u64 fence_context;
	u64 seqno;
	struct hrtimer timer;
};

void enpu_budget_init(struct enpu_budget *b);
void enpu_budget_fini(struct enpu_budget *b);
int enpu_budget_check(u64 runtime_us, u64 period_us);
int enpu_budget_set(struct enpu_budget *b, u64 runtime_us, u64 period_us);
void enpu_budget_freeze(struct enpu_budget *b, bool frozen);
void enpu_budget_get(struct enpu_budget *b, u64 *runtime_us, u64 *period_us,
		     bool *frozen);
struct dma_fence *enpu_budget_admit(struct enpu_budget *b);
void enpu_budget_started(struct enpu_budget *b, struct dma_fence *hw_fence);
void enpu_budget_charge(struct enpu_budget *b, u64 ns);

#endif /* __ENPU_BUDGET_H__ */
