// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suites for the driver's pure logic, built only against a kernel
 * with CONFIG_KUNIT (the debug tier) and run when the module loads:
 * the firmware parser, the device address space (allocator and page-table
 * translation), the command-stream decoder's validation, requantization,
 * and budget accounting.
 */
#include <kunit/test.h>
#include <linux/crc32.h>
#include <linux/dma-fence.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include <drm/enpu_accel.h>

#include "enpu_budget.h"
#include "enpu_fw.h"
#include "enpu_vm.h"
#include "sim/enpu_sim.h"

/* --- firmware parser ------------------------------------------------------ */

#define KT_OPPS	3

struct kt_image {
	struct enpu_fw_header hdr;
	struct enpu_fw_opp opp[KT_OPPS];
};

static void kt_image_crc(struct kt_image *img)
{
	const u8 *p = (const u8 *)img;

	img->hdr.crc32 = cpu_to_le32(~crc32_le(~0u, p + ENPU_FW_CRC_OFFSET,
					       sizeof(*img) - ENPU_FW_CRC_OFFSET));
}

static void kt_image_init(struct kt_image *img)
{
	static const s32 trips[ENPU_FW_TRIP_COUNT] = { 55000, 65000, 85000, 95000 };
	int i;

	memset(img, 0, sizeof(*img));
	img->hdr.magic = cpu_to_le32(ENPU_FW_MAGIC);
	img->hdr.format_version = cpu_to_le32(ENPU_FW_FORMAT_VERSION);
	img->hdr.header_size = cpu_to_le32(sizeof(img->hdr));
	img->hdr.image_size = cpu_to_le32(sizeof(*img));
	img->hdr.fw_version = cpu_to_le32(0x010000);
	img->hdr.isa_version = cpu_to_le32(1);
	img->hdr.num_cores = cpu_to_le32(2);
	img->hdr.capabilities = cpu_to_le64(DRM_ENPU_CAP_ALL);
	img->hdr.num_opps = cpu_to_le32(KT_OPPS);
	img->hdr.opp_offset = cpu_to_le32(sizeof(img->hdr));
	for (i = 0; i < ENPU_FW_OPC_COUNT; i++)
		img->hdr.macs_per_cycle[i] = cpu_to_le32(64);
	img->hdr.op_overhead_cycles = cpu_to_le32(32);
	img->hdr.static_power_mw = cpu_to_le32(150);
	img->hdr.thermal_r_mc_per_w = cpu_to_le32(20000);
	img->hdr.thermal_c_mj_per_c = cpu_to_le32(500);
	img->hdr.ambient_mc = cpu_to_le32(25000);
	for (i = 0; i < ENPU_FW_TRIP_COUNT; i++)
		img->hdr.trip_mc[i] = cpu_to_le32(trips[i]);
	strscpy(img->hdr.name, "kunit", sizeof(img->hdr.name));
	for (i = 0; i < KT_OPPS; i++) {
		img->opp[i].freq_khz = cpu_to_le32(200000 * (i + 1));
		img->opp[i].volt_uv = cpu_to_le32(600000 + 50000 * i);
		img->opp[i].power_mw = cpu_to_le32(250 * (i + 1));
	}
	kt_image_crc(img);
}

static int kt_parse(struct kunit *test, struct kt_image *img, size_t size,
		    char *why)
{
	struct enpu_fw_info *info = kunit_kzalloc(test, sizeof(*info), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, info);
	why[0] = 0;
	return enpu_fw_parse((const u8 *)img, size, info, why, 96);
}

static void enpu_fw_parse_good(struct kunit *test)
{
	struct kt_image *img = kunit_kzalloc(test, sizeof(*img), GFP_KERNEL);
	struct enpu_fw_info *info = kunit_kzalloc(test, sizeof(*info), GFP_KERNEL);
	char why[96];

	KUNIT_ASSERT_NOT_NULL(test, img);
	KUNIT_ASSERT_NOT_NULL(test, info);
	kt_image_init(img);
	KUNIT_ASSERT_EQ(test, 0, enpu_fw_parse((const u8 *)img, sizeof(*img),
					       info, why, sizeof(why)));
	KUNIT_EXPECT_EQ(test, 2u, info->num_cores);
	KUNIT_EXPECT_EQ(test, (u32)KT_OPPS, info->num_opps);
	KUNIT_EXPECT_EQ(test, 600000u, info->opps[KT_OPPS - 1].freq_khz);
	KUNIT_EXPECT_STREQ(test, "kunit", info->name);
}

static void enpu_fw_parse_defects(struct kunit *test)
{
	struct kt_image *img = kunit_kzalloc(test, sizeof(*img), GFP_KERNEL);
	char why[96];

	KUNIT_ASSERT_NOT_NULL(test, img);

	kt_image_init(img);
	img->hdr.magic = cpu_to_le32(0x12345678);
	KUNIT_EXPECT_EQ(test, -EINVAL, kt_parse(test, img, sizeof(*img), why));
	KUNIT_EXPECT_NOT_NULL(test, strstr(why, "bad magic"));

	kt_image_init(img);
	img->opp[1].power_mw ^= cpu_to_le32(1);	/* CRC no longer matches */
	KUNIT_EXPECT_EQ(test, -EINVAL, kt_parse(test, img, sizeof(*img), why));
	KUNIT_EXPECT_NOT_NULL(test, strstr(why, "bad CRC"));

	kt_image_init(img);
	KUNIT_EXPECT_EQ(test, -EINVAL, kt_parse(test, img, 40, why));
	KUNIT_EXPECT_NOT_NULL(test, strstr(why, "truncated header"));

	kt_image_init(img);
	img->hdr.num_cores = 0;
	kt_image_crc(img);
	KUNIT_EXPECT_EQ(test, -EINVAL, kt_parse(test, img, sizeof(*img), why));
	KUNIT_EXPECT_NOT_NULL(test, strstr(why, "core count"));

	kt_image_init(img);
	img->opp[2].freq_khz = img->opp[1].freq_khz;
	kt_image_crc(img);
	KUNIT_EXPECT_EQ(test, -EINVAL, kt_parse(test, img, sizeof(*img), why));
	KUNIT_EXPECT_NOT_NULL(test, strstr(why, "OPP table"));

	kt_image_init(img);
	img->hdr.trip_mc[3] = img->hdr.trip_mc[2];
	kt_image_crc(img);
	KUNIT_EXPECT_EQ(test, -EINVAL, kt_parse(test, img, sizeof(*img), why));
	KUNIT_EXPECT_NOT_NULL(test, strstr(why, "trips"));
}

static struct kunit_case enpu_fw_cases[] = {
	KUNIT_CASE(enpu_fw_parse_good),
	KUNIT_CASE(enpu_fw_parse_defects),
	{}
};

static struct kunit_suite enpu_fw_suite = {
	.name = "enpu_fw",
	.test_cases = enpu_fw_cases,
};

/* --- address space and decoder ------------------------------------------- */

#define KT_PAGES	2

/* A VM with KT_PAGES real pages mapped (the device reads them by PA). */
struct kt_vm {
	struct enpu_vm *vm;
	struct enpu_vm_map map;
	struct sg_table sgt;
	struct page *pages[KT_PAGES];
};

static void kt_vm_exit(void *data)
{
	struct kt_vm *v = data;
	int i;

	if (v->map.vm)
		enpu_vm_unmap(&v->map);
	enpu_vm_put(v->vm);
	sg_free_table(&v->sgt);
	for (i = 0; i < KT_PAGES; i++)
		if (v->pages[i])
			__free_page(v->pages[i]);
}

static struct kt_vm *kt_vm_new(struct kunit *test, bool read_only)
{
	struct kt_vm *v = kunit_kzalloc(test, sizeof(*v), GFP_KERNEL);
	struct scatterlist *sg;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, v);
	v->vm = enpu_vm_create();
	KUNIT_ASSERT_NOT_NULL(test, v->vm);
	KUNIT_ASSERT_EQ(test, 0, sg_alloc_table(&v->sgt, KT_PAGES, GFP_KERNEL));
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, kt_vm_exit, v));
	for_each_sgtable_sg(&v->sgt, sg, i) {
		v->pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		KUNIT_ASSERT_NOT_NULL(test, v->pages[i]);
		sg_set_page(sg, v->pages[i], PAGE_SIZE, 0);
		sg_dma_address(sg) = page_to_phys(v->pages[i]);
		sg_dma_len(sg) = PAGE_SIZE;
	}
	KUNIT_ASSERT_EQ(test, 0, enpu_vm_map(v->vm, &v->map, &v->sgt,
					     KT_PAGES * PAGE_SIZE, read_only));
	return v;
}

static void enpu_vm_translate_bounds(struct kunit *test)
{
	struct kt_vm *v = kt_vm_new(test, false), *ro = kt_vm_new(test, true);
	u64 va = v->map.node.start, size = KT_PAGES * PAGE_SIZE;
	const char *why;
	dma_addr_t dma;

	KUNIT_EXPECT_GE(test, va, (u64)DRM_ENPU_VA_START);
	KUNIT_EXPECT_EQ(test, 0, enpu_vm_translate(v->vm, va, size,
						   ENPU_ACCESS_WRITE, &dma, &why));
	KUNIT_EXPECT_EQ(test, page_to_phys(v->pages[0]), dma);
	KUNIT_EXPECT_EQ(test, 0, enpu_vm_translate(v->vm, va + PAGE_SIZE + 8, 8,
						   ENPU_ACCESS_READ, &dma, &why));
	KUNIT_EXPECT_EQ(test, page_to_phys(v->pages[1]) + 8, dma);
	/* One byte past the buffer is the guard page. */
	KUNIT_EXPECT_EQ(test, -EFAULT, enpu_vm_translate(v->vm, va, size + 1,
							 ENPU_ACCESS_READ, NULL, &why));
	KUNIT_EXPECT_EQ(test, -EFAULT, enpu_vm_translate(v->vm, 0, 8,
							 ENPU_ACCESS_READ, NULL, &why));
	KUNIT_EXPECT_EQ(test, -EFAULT, enpu_vm_translate(v->vm, va, U64_MAX,
							 ENPU_ACCESS_READ, NULL, &why));
	KUNIT_EXPECT_EQ(test, -EFAULT, enpu_vm_translate(v->vm, U64_MAX - 3, 8,
							 ENPU_ACCESS_READ, NULL, &why));
	/* A read-only mapping refuses writes only. */
	va = ro->map.node.start;
	KUNIT_EXPECT_EQ(test, 0, enpu_vm_translate(ro->vm, va, 8,
						   ENPU_ACCESS_READ, NULL, &why));
	KUNIT_EXPECT_EQ(test, -EFAULT, enpu_vm_translate(ro->vm, va, 8,
							 ENPU_ACCESS_WRITE, NULL, &why));
}

/* Run @n instructions from the first mapped page through the decoder. */
static int kt_exec(struct kunit *test, struct kt_vm *v,
		   const struct drm_enpu_instr *in, int n)
{
	struct enpu_sim *sim = kunit_kzalloc(test, sizeof(*sim), GFP_KERNEL);
	struct enpu_hw_job job = {
		.vm = v->vm, .cmd_va = v->map.node.start,
		.cmd_size = n * sizeof(*in),
	};

	KUNIT_ASSERT_NOT_NULL(test, sim);
	sim->running = true;
	sim->freq_khz = 1000000;
	sim->overhead_cycles = 32;
	sim->dma_bytes_per_cycle = 64;
	sim->gemm_macs_per_cycle = 64;
	sim->eltwise_per_cycle = 64;
	sim->conv_macs_per_cycle = 64;
	sim->cores[0].sim = sim;
	memcpy(page_address(v->pages[0]), in, n * sizeof(*in));
	return enpu_sim_exec(&sim->cores[0], &job);
}

static void enpu_decoder_validation(struct kunit *test)
{
	struct kt_vm *v = kt_vm_new(test, false);
	u64 va = v->map.node.start;
	struct drm_enpu_instr in[3] = {};

	KUNIT_EXPECT_EQ(test, 0, kt_exec(test, v, in, 1));		/* END */
	in[0].opcode = DRM_ENPU_OP_NOP;
	KUNIT_EXPECT_EQ(test, -EINVAL, kt_exec(test, v, in, 1));	/* no END */
	KUNIT_EXPECT_EQ(test, 0, kt_exec(test, v, in, 2));
	in[0].opcode = 0x7777;
	KUNIT_EXPECT_EQ(test, -EINVAL, kt_exec(test, v, in, 2));	/* opcode */
	in[0].opcode = DRM_ENPU_OP_NOP;
	in[0].flags = 1;
	KUNIT_EXPECT_EQ(test, -EINVAL, kt_exec(test, v, in, 2));	/* flags */
	in[0].flags = 0;
	in[0].opcode = DRM_ENPU_OP_SPIN;
	KUNIT_EXPECT_EQ(test, -EINVAL, kt_exec(test, v, in, 2));	/* SPIN 0 */
	in[0].arg[0] = 1000;
	KUNIT_EXPECT_EQ(test, 0, kt_exec(test, v, in, 2));
	in[0].opcode = DRM_ENPU_OP_DMA_COPY;
	in[0].arg[0] = va + PAGE_SIZE;
	in[0].arg[1] = va + PAGE_SIZE + 64;
	in[0].arg[2] = 64;
	KUNIT_EXPECT_EQ(test, 0, kt_exec(test, v, in, 2));
	in[0].arg[2] = PAGE_SIZE;	/* the destination runs into the guard */
	KUNIT_EXPECT_EQ(test, -EFAULT, kt_exec(test, v, in, 2));
	in[0].arg[1] = 4096;		/* below the address space */
	in[0].arg[2] = 64;
	KUNIT_EXPECT_EQ(test, -EFAULT, kt_exec(test, v, in, 2));
	in[0].arg[1] = va;
	in[0].arg[3] = 1;		/* a reserved argument */
	KUNIT_EXPECT_EQ(test, -EINVAL, kt_exec(test, v, in, 2));
}

static struct kunit_case enpu_vm_cases[] = {
	KUNIT_CASE(enpu_vm_translate_bounds),
	KUNIT_CASE(enpu_decoder_validation),
	{}
};

static struct kunit_suite enpu_vm_suite = {
	.name = "enpu_vm",
	.test_cases = enpu_vm_cases,
};

/* --- requantization ------------------------------------------------------- */

static void enpu_requant_values(struct kunit *test)
{
	struct enpu_sim_quant q = { .multiplier = 1 << 30, .shift = 0 };

	/*
	 * x * 0.5: the doubling high mul rounds a positive tie up and a
	 * negative one toward zero (its nudge is 1 - 2^30), as TFLite's does.
	 */
	KUNIT_EXPECT_EQ(test, 50, enpu_sim_requant(100, &q));
	KUNIT_EXPECT_EQ(test, -50, enpu_sim_requant(-100, &q));
	KUNIT_EXPECT_EQ(test, 1, enpu_sim_requant(1, &q));
	KUNIT_EXPECT_EQ(test, 0, enpu_sim_requant(-1, &q));
	/* a right shift rounds half away from zero */
	q.shift = -1;
	KUNIT_EXPECT_EQ(test, 25, enpu_sim_requant(100, &q));
	KUNIT_EXPECT_EQ(test, 1, enpu_sim_requant(2, &q));
	KUNIT_EXPECT_EQ(test, -1, enpu_sim_requant(-2, &q));
	/* a left shift saturates before the multiplication */
	q.shift = 30;
	q.multiplier = S32_MAX;
	KUNIT_EXPECT_EQ(test, S32_MAX - 1, enpu_sim_requant(1 << 20, &q));
	KUNIT_EXPECT_EQ(test, S32_MIN + 1, enpu_sim_requant(-(1 << 20), &q));
	/* the one overflow of the doubling high mul saturates */
	q.shift = 0;
	q.multiplier = S32_MIN;
	KUNIT_EXPECT_EQ(test, S32_MAX, enpu_sim_requant(S32_MIN, &q));
}

static struct kunit_case enpu_requant_cases[] = {
	KUNIT_CASE(enpu_requant_values),
	{}
};

static struct kunit_suite enpu_requant_suite = {
	.name = "enpu_requant",
	.test_cases = enpu_requant_cases,
};

/* --- budgets --------------------------------------------------------------- */

static void kt_budget_exit(void *data)
{
	enpu_budget_fini(data);
}

static struct enpu_budget *kt_budget_new(struct kunit *test)
{
	struct enpu_budget *b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, b);
	enpu_budget_init(b);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, kt_budget_exit, b));
	return b;
}

static void enpu_budget_limits(struct kunit *test)
{
	struct enpu_budget *b = kt_budget_new(test);
	u64 runtime, period;
	bool frozen;

	KUNIT_EXPECT_EQ(test, -EINVAL, enpu_budget_set(b, 2000, 1000));
	KUNIT_EXPECT_EQ(test, -EINVAL, enpu_budget_set(b, 10, 100));
	KUNIT_EXPECT_EQ(test, -EINVAL, enpu_budget_set(b, 0, 50000));
	KUNIT_EXPECT_EQ(test, -EINVAL, enpu_budget_set(b, 1, 20000000));
	KUNIT_EXPECT_EQ(test, 0, enpu_budget_set(b, 10000, 50000));
	enpu_budget_get(b, &runtime, &period, &frozen);
	KUNIT_EXPECT_EQ(test, 10000ull, runtime);
	KUNIT_EXPECT_EQ(test, 50000ull, period);
	KUNIT_EXPECT_FALSE(test, frozen);
	KUNIT_EXPECT_EQ(test, 0, enpu_budget_set(b, 0, 0));
	KUNIT_EXPECT_NULL(test, enpu_budget_admit(b));
}

static void enpu_budget_charge_and_refill(struct kunit *test)
{
	struct enpu_budget *b = kt_budget_new(test);
	struct dma_fence *gate;

	/* 10 ms per 10 s: one overrun holds the context for the period. */
	KUNIT_ASSERT_EQ(test, 0, enpu_budget_set(b, 10000, 10000000));
	KUNIT_EXPECT_NULL(test, enpu_budget_admit(b));
	enpu_budget_charge(b, 9 * NSEC_PER_MSEC);
	KUNIT_EXPECT_NULL(test, enpu_budget_admit(b));
	enpu_budget_charge(b, 3 * NSEC_PER_MSEC);	/* 2 ms of debt */
	gate = enpu_budget_admit(b);
	KUNIT_ASSERT_NOT_NULL(test, gate);
	KUNIT_EXPECT_FALSE(test, dma_fence_is_signaled(gate));
	/* Removing the budget releases the held job. */
	KUNIT_EXPECT_EQ(test, 0, enpu_budget_set(b, 0, 0));
	KUNIT_EXPECT_TRUE(test, dma_fence_is_signaled(gate));
	dma_fence_put(gate);
	KUNIT_EXPECT_NULL(test, enpu_budget_admit(b));
}

static void enpu_budget_freeze_thaw(struct kunit *test)
{
	struct enpu_budget *b = kt_budget_new(test);
	struct dma_fence *gate;
	bool frozen;
	u64 r, p;

	enpu_budget_freeze(b, true);
	enpu_budget_get(b, &r, &p, &frozen);
	KUNIT_EXPECT_TRUE(test, frozen);
	gate = enpu_budget_admit(b);
	KUNIT_ASSERT_NOT_NULL(test, gate);
	KUNIT_EXPECT_FALSE(test, dma_fence_is_signaled(gate));
	enpu_budget_freeze(b, false);
	KUNIT_EXPECT_TRUE(test, dma_fence_is_signaled(gate));
	dma_fence_put(gate);
	KUNIT_EXPECT_NULL(test, enpu_budget_admit(b));
}

static struct kunit_case enpu_budget_cases[] = {
	KUNIT_CASE(enpu_budget_limits),
	KUNIT_CASE(enpu_budget_charge_and_refill),
	KUNIT_CASE(enpu_budget_freeze_thaw),
	{}
};

static struct kunit_suite enpu_budget_suite = {
	.name = "enpu_budget",
	.test_cases = enpu_budget_cases,
};

kunit_test_suites(&enpu_fw_suite, &enpu_vm_suite, &enpu_requant_suite,
		  &enpu_budget_suite);
