/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Tracepoints of the job life cycle (submit, run, done, timeout) and of
 * resets: /sys/kernel/tracing/events/enpu/.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM enpu

#if !defined(__ENPU_TRACE_H__) || defined(TRACE_HEADER_MULTI_READ)
#define __ENPU_TRACE_H__

#include <linux/tracepoint.h>

DECLARE_EVENT_CLASS(enpu_job,
		    TP_PROTO(u64 client, u32 ctx, u64 point, u32 core),
		    TP_ARGS(client, ctx, point, core),
		    TP_STRUCT__entry(__field(u64, client)
				     __field(u64, point)
				     __field(u32, ctx)
				     __field(u32, core)),
		    TP_fast_assign(__entry->client = client;
				   __entry->point = point;
				   __entry->ctx = ctx;
				   __entry->core = core;),
		    TP_printk("client=%llu ctx=%u point=%llu core=%u",
			      __entry->client, __entry->ctx, __entry->point,
			      __entry->core)
);

/* Pushed to the scheduler; @core is the one the context's queue is on. */
DEFINE_EVENT(enpu_job, enpu_job_submit,
	     TP_PROTO(u64 client, u32 ctx, u64 point, u32 core),
	     TP_ARGS(client, ctx, point, core)
);

/* Written into @core's ring. */
DEFINE_EVENT(enpu_job, enpu_job_run,
	     TP_PROTO(u64 client, u32 ctx, u64 point, u32 core),
	     TP_ARGS(client, ctx, point, core)
);

TRACE_EVENT(enpu_job_done,
	    TP_PROTO(u64 client, u32 ctx, u64 point, u32 core, int status,
		     u64 busy_ns),
	    TP_ARGS(client, ctx, point, core, status, busy_ns),
	    TP_STRUCT__entry(__field(u64, client)
			     __field(u64, point)
			     __field(u64, busy_ns)
			     __field(u32, ctx)
			     __field(u32, core)
			     __field(int, status)),
	    TP_fast_assign(__entry->client = client;
			   __entry->point = point;
			   __entry->busy_ns = busy_ns;
			   __entry->ctx = ctx;
			   __entry->core = core;
			   __entry->status = status;),
	    TP_printk("client=%llu ctx=%u point=%llu core=%u status=%d busy_ns=%llu",
		      __entry->client, __entry->ctx, __entry->point,
		      __entry->core, __entry->status, __entry->busy_ns)
);

TRACE_EVENT(enpu_job_timeout,
	    TP_PROTO(u64 client, u32 ctx, u64 point, u32 core, u64 held_ms),
	    TP_ARGS(client, ctx, point, core, held_ms),
	    TP_STRUCT__entry(__field(u64, client)
			     __field(u64, point)
			     __field(u64, held_ms)
			     __field(u32, ctx)
			     __field(u32, core)),
	    TP_fast_assign(__entry->client = client;
			   __entry->point = point;
			   __entry->held_ms = held_ms;
			   __entry->ctx = ctx;
			   __entry->core = core;),
	    TP_printk("client=%llu ctx=%u point=%llu core=%u held_ms=%llu",
		      __entry->client, __entry->ctx, __entry->point,
		      __entry->core, __entry->held_ms)
);

/* @core is -1 for a device reset (firmware reload). */
TRACE_EVENT(enpu_reset,
	    TP_PROTO(int core, const char *reason),
	    TP_ARGS(core, reason),
	    TP_STRUCT__entry(__field(int, core)
			     __string(reason, reason)),
	    TP_fast_assign(__entry->core = core;
			   __assign_str(reason);),
	    TP_printk("core=%d reason=%s", __entry->core, __get_str(reason))
);

#endif /* __ENPU_TRACE_H__ */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE enpu_trace
#include <trace/define_trace.h>
