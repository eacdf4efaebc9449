// SPDX-License-Identifier: GPL-2.0-only
/*
 * Budgets: a context may use @runtime of device time per @period, or be
 * frozen.  drm_sched asks before every job (prepare_job); a context that
 * has spent its budget gets a fence to wait on, which the period refill
 * (an hrtimer, armed only while a job is held) or a thaw signals.  Jobs are
 * not preemptible, so a job that overruns the budget is charged in full and
 * the overrun is carried into the next periods as debt.
 */
#include <linux/dma-fence.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/slab.h>

#include <drm/enpu_accel.h>

#include "enpu_budget.h"
#include "enpu_drv.h"
#include "enpu_fault.h"

static const char *enpu_gate_driver_name(struct dma_fence *fence)
{
	return ENPU_DRIVER_NAME;
}

static const char *enpu_gate_timeline_name(struct dma_fence *fence)
{
	return "enpu-budget";
}

static const struct dma_fence_ops enpu_gate_ops = {
	.get_driver_name = enpu_gate_driver_name,
	.get_timeline_name = enpu_gate_timeline_name,
};

/* Take the gate out under the lock; signal it outside. */
static void enpu_budget_open_gate(struct dma_fence *gate)
{
	if (gate) {
		dma_fence_signal(gate);
		dma_fence_put(gate);
	}
}

static enum hrtimer_restart enpu_budget_refill(struct hrtimer *timer)
{
	struct enpu_budget *b = container_of(timer, struct enpu_budget, timer);
	struct dma_fence *gate;
	unsigned long flags;

	spin_lock_irqsave(&b->lock, flags);
	gate = b->gate;
	b->gate = NULL;
	spin_unlock_irqrestore(&b->lock, flags);
	enpu_budget_open_gate(gate);
	return HRTIMER_NORESTART;
}

void enpu_budget_init(struct enpu_budget *b)
{
	spin_lock_init(&b->lock);
	b->fence_context = dma_fence_context_alloc(1);
	hrtimer_init(&b->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS_SOFT);
	b->timer.function = enpu_budget_refill;
}

void enpu_budget_fini(struct enpu_budget *b)
{
	hrtimer_cancel(&b->timer);
	enpu_budget_open_gate(b->gate);
	b->gate = NULL;
	dma_fence_put(b->last);
	b->last = NULL;
}

/* Close the periods that ended before @now; each pays back @runtime_ns. */
static void enpu_budget_roll(struct enpu_budget *b, u64 now)
{
	u64 n, paid;

	if (!b->runtime_ns || now < b->period_end)
		return;
	n = div64_u64(now - b->period_end, b->period_ns) + 1;
	b->period_end += n * b->period_ns;
	paid = n > div64_u64(U64_MAX, b->runtime_ns) ? U64_MAX : n * b->runtime_ns;
	b->used_ns = b->used_ns > paid ? b->used_ns - paid : 0;
}

/* 0 and 0 (no budget), or a runtime within a period the driver can keep. */
int enpu_budget_check(u64 runtime_us, u64 period_us)
{
	if (!runtime_us && !period_us)
		return 0;
	if (!runtime_us || runtime_us > period_us ||
	    period_us < DRM_ENPU_BUDGET_MIN_PERIOD_US ||
	    period_us > DRM_ENPU_BUDGET_MAX_PERIOD_US)
		return -EINVAL;
	return 0;
}

/**
 * enpu_budget_set() - give a context @runtime_us of device time per
 * @period_us; 0 and 0 remove the budget
 * @b: the context's budget
 * @runtime_us: device time per period
 * @period_us: the period
 *
 * Return: 0, or -EINVAL for a runtime longer than the period or a period
 * outside [1 ms, 10 s].
 */
int enpu_budget_set(struct enpu_budget *b, u64 runtime_us, u64 period_us)
{
	struct dma_fence *gate;
	unsigned long flags;

	if (enpu_budget_check(runtime_us, period_us))
		return -EINVAL;
	spin_lock_irqsave(&b->lock, flags);
	b->runtime_ns = runtime_us * NSEC_PER_USEC;
	b->period_ns = period_us * NSEC_PER_USEC;
	b->period_end = ktime_get_ns() + b->period_ns;
	b->used_ns = 0;
	gate = b->frozen ? NULL : b->gate;
	if (gate)
		b->gate = NULL;
	spin_unlock_irqrestore(&b->lock, flags);
	enpu_budget_open_gate(gate);
	return 0;
}

void enpu_budget_freeze(struct enpu_budget *b, bool frozen)
{
	struct dma_fence *gate = NULL;
	unsigned long flags;

	spin_lock_irqsave(&b->lock, flags);
	b->frozen = frozen;
	if (!frozen) {
		gate = b->gate;
		b->gate = NULL;
	}
	spin_unlock_irqrestore(&b->lock, flags);
	enpu_budget_open_gate(gate);
}

void enpu_budget_get(struct enpu_budget *b, u64 *runtime_us, u64 *period_us,
		     bool *frozen)
{
	unsigned long flags;

	spin_lock_irqsave(&b->lock, flags);
	*runtime_us = div_u64(b->runtime_ns, NSEC_PER_USEC);
	*period_us = div_u64(b->period_ns, NSEC_PER_USEC);
	*frozen = b->frozen;
	spin_unlock_irqrestore(&b->lock, flags);
}

/**
 * enpu_budget_admit() - may the context's next job start now?
 * @b: the context's budget
 *
 * Return: NULL if it may, else a fence (a reference) to wait on before
 * asking again.
 */
struct dma_fence *enpu_budget_admit(struct enpu_budget *b)
{
	struct dma_fence *fence = NULL, *fresh = NULL;
	unsigned long flags;

	for (;;) {
		spin_lock_irqsave(&b->lock, flags);
		if (!b->frozen && !b->runtime_ns)
			break;
		if (b->last && !dma_fence_is_signaled(b->last)) {
			fence = dma_fence_get(b->last);
			break;
		}
		enpu_budget_roll(b, ktime_get_ns());
		if (!b->frozen && b->used_ns < b->runtime_ns)
			break;
		if (b->gate || fresh) {
			if (!b->gate) {
				dma_fence_init(fresh, &enpu_gate_ops, &b->lock,
					       b->fence_context, ++b->seqno);
				b->gate = fresh;
				fresh = NULL;
				if (!b->frozen)
					hrtimer_start(&b->timer,
						      ns_to_ktime(b->period_end),
						      HRTIMER_MODE_ABS_SOFT);
			}
			fence = dma_fence_get(b->gate);
			break;
		}
		spin_unlock_irqrestore(&b->lock, flags);
		fresh = enpu_kzalloc(sizeof(*fresh), GFP_KERNEL);
		if (!fresh)	/* admit rather than stall the queue */
			return NULL;
	}
	spin_unlock_irqrestore(&b->lock, flags);
	kfree(fresh);
	return fence;
}

/* The job just admitted reached the device with @hw_fence. */
void enpu_budget_started(struct enpu_budget *b, struct dma_fence *hw_fence)
{
	struct dma_fence *old;
	unsigned long flags;

	spin_lock_irqsave(&b->lock, flags);
	old = b->last;
	b->last = b->frozen || b->runtime_ns ? dma_fence_get(hw_fence) : NULL;
	spin_unlock_irqrestore(&b->lock, flags);
	dma_fence_put(old);
}

/* Charge @ns of device time, from the completion interrupt. */
void enpu_budget_charge(struct enpu_budget *b, u64 ns)
{
	unsigned long flags;

	spin_lock_irqsave(&b->lock, flags);
	if (b->runtime_ns) {
		enpu_budget_roll(b, ktime_get_ns());
		b->used_ns += ns;
	}
	spin_unlock_irqrestore(&b->lock, flags);
}
