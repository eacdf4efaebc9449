// SPDX-License-Identifier: GPL-2.0-only
/*
 * debugfs: the module-wide object counters (enpu/objects) and per-device
 * files in the accel device's directory (accel/<device name>/; 6.12 makes
 * no accel/<minor> link for accel devices): firmware, translate, sched
 * (per-core busy time and resets), contexts, budget (budgets and freeze
 * for an administrator; the netlink family has the same levers), the fault
 * injection knobs inject_hang and inject_fw_crash, force_reset, and the
 * harness knob inject_warn.  The module-wide fault points (fail_nth,
 * fail_hw) live in enpu_fault.c.
 */
#include <linux/debugfs.h>
#include <linux/hex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <drm/drm_drv.h>
#include <drm/drm_print.h>

#include "enpu_budget.h"
#include "enpu_ctx.h"
#include "enpu_drv.h"
#include "enpu_fault.h"
#include "enpu_hw.h"
#include "enpu_vm.h"

static struct dentry *enpu_debugfs_root;

static const char *const enpu_obj_names[ENPU_OBJ_COUNT] = {
	[ENPU_OBJ_DEVICE] = "devices",
	[ENPU_OBJ_FILE] = "files",
	[ENPU_OBJ_BO] = "bos",
	[ENPU_OBJ_MAPPING] = "mappings",
	[ENPU_OBJ_CTX] = "contexts",
	[ENPU_OBJ_JOB] = "jobs",
};

static int enpu_objects_show(struct seq_file *m, void *unused)
{
	int i;

	for (i = 0; i < ENPU_OBJ_COUNT; i++)
		seq_printf(m, "%s %d\n", enpu_obj_names[i],
			   atomic_read(&enpu_objects[i]));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(enpu_objects);

void enpu_debugfs_module_init(void)
{
	enpu_debugfs_root = debugfs_create_dir(ENPU_DRIVER_NAME, NULL);
	debugfs_create_file("objects", 0444, enpu_debugfs_root, NULL,
			    &enpu_objects_fops);
	enpu_fault_debugfs_init(enpu_debugfs_root);
}

void enpu_debugfs_module_exit(void)
{
	debugfs_remove_recursive(enpu_debugfs_root);
}

static int enpu_firmware_show(struct seq_file *m, void *unused)
{
	struct enpu_device *edev = m->private;
	const struct enpu_fw_info *fw = &edev->fw;
	u32 i;

	seq_printf(m, "name %s\nversion %u.%u.%u\nisa %u\ncores %u\n",
		   fw->name, fw->fw_version >> 16, (fw->fw_version >> 8) & 0xff,
		   fw->fw_version & 0xff, fw->isa_version, fw->num_cores);
	seq_printf(m, "capabilities 0x%llx\n", fw->capabilities);
	for (i = 0; i < fw->num_opps; i++)
		seq_printf(m, "opp %u %u kHz %u uV %u mW\n", i,
			   fw->opps[i].freq_khz, fw->opps[i].volt_uv,
			   fw->opps[i].power_mw);
	return 0;
}

DEFINE_SHOW_ATTRIBUTE(enpu_firmware);

/*
 * Writing 1 raises a WARN.  The test harness uses it to prove that a guest
 * kernel splat fails `make check`; nothing else should ever write it.
 */
static int enpu_inject_warn_set(void *data, u64 val)
{
	struct enpu_device *edev = data;

	if (val != 1)
		return -EINVAL;
	drm_WARN(&edev->drm, 1, "deliberate warning from debugfs inject_warn\n");
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(enpu_inject_warn_fops, NULL, enpu_inject_warn_set,
			 "%llu\n");

/*
 * translate: a test hook into the device's view of memory until jobs
 * exist.  Write "CLIENT_ID VA LEN r|w" (the client id is the file's
 * drm-client-id in fdinfo); reading back gives "ok 0xDMA" or
 * "fault: REASON", as enpu_vm_translate() resolved it.  A read also shows
 * the first bytes (up to 8) as the device reads them: "ok 0xDMA HEX".
 */
struct enpu_translate {
	struct enpu_device *edev;
	char result[80];
};

static int enpu_translate_open(struct inode *inode, struct file *f)
{
	struct enpu_translate *t = kzalloc(sizeof(*t), GFP_KERNEL);

	if (!t)
		return -ENOMEM;
	t->edev = inode->i_private;
	f->private_data = t;
	return nonseekable_open(inode, f);
}

static int enpu_translate_release(struct inode *inode, struct file *f)
{
	kfree(f->private_data);
	return 0;
}

static ssize_t enpu_translate_write(struct file *f, const char __user *ubuf,
				    size_t len, loff_t *pos)
{
	struct enpu_translate *t = f->private_data;
	struct drm_device *drm = &t->edev->drm;
	const char *why = "no such client";
	struct drm_file *file;
	dma_addr_t addr = 0;
	u64 client, va, size;
	char buf[96], rw, data[17] = "";
	u8 bytes[8];
	int ret = -EFAULT;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = 0;
	if (sscanf(buf, "%llu %llx %llx %c", &client, &va, &size, &rw) != 4 ||
	    (rw != 'r' && rw != 'w'))
		return -EINVAL;

	mutex_lock(&drm->filelist_mutex);
	list_for_each_entry(file, &drm->filelist, lhead) {
		struct enpu_file *efile = file->driver_priv;

		if (file->client_id != client)
			continue;
		ret = enpu_vm_translate(efile->vm, va, size,
					rw == 'w' ? ENPU_ACCESS_WRITE : ENPU_ACCESS_READ,
					&addr, &why);
		if (!ret && rw == 'r') {
			size = min_t(u64, size, sizeof(bytes));
			ret = enpu_vm_read(efile->vm, va, bytes, size, &why);
			if (!ret)
				bin2hex(data, bytes, size)[0] = 0;
		}
		break;
	}
	mutex_unlock(&drm->filelist_mutex);

	if (ret)
		snprintf(t->result, sizeof(t->result), "fault: %s\n", why);
	else
		snprintf(t->result, sizeof(t->result), "ok %pad%s%s\n", &addr,
			 data[0] ? " " : "", data);
	return len;
}

static ssize_t enpu_translate_read(struct file *f, char __user *ubuf,
				   size_t len, loff_t *pos)
{
	struct enpu_translate *t = f->private_data;

	return simple_read_from_buffer(ubuf, len, pos, t->result,
				       strlen(t->result));
}

static const struct file_operations enpu_translate_fops = {
	.owner = THIS_MODULE,
	.open = enpu_translate_open,
	.release = enpu_translate_release,
	.write = enpu_translate_write,
	.read = enpu_translate_read,
};

static int enpu_sched_show(struct seq_file *m, void *unused)
{
	struct enpu_device *edev = m->private;
	struct enpu_hw_core_stats st;
	int idx;
	u32 i;

	if (!drm_dev_enter(&edev->drm, &idx))
		return -ENODEV;
	for (i = 0; i < edev->fw.num_cores; i++) {
		edev->hw->ops->core_stats(edev->hw, i, &st);
		seq_printf(m, "core%u busy_ns %llu busy_cycles %llu progress %llu resets %d\n",
			   i, st.busy_ns, st.busy_cycles, st.progress,
			   atomic_read(&edev->core_resets[i]));
	}
	seq_printf(m, "device_resets %d\nresets %d\nwarm_boots %d\n",
		   atomic_read(&edev->device_resets), atomic_read(&edev->resets),
		   atomic_read(&edev->pm.warm_boots));
	drm_dev_exit(idx);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(enpu_sched);

static int enpu_contexts_show(struct seq_file *m, void *unused)
{
	struct enpu_device *edev = m->private;
	struct drm_device *drm = &edev->drm;
	struct drm_file *file;
	struct enpu_ctx *ctx;
	unsigned long id;

	seq_puts(m, "client ctx priority class cores runtime_us period_us frozen busy_ns submitted completed failed guilty\n");
	mutex_lock(&drm->filelist_mutex);
	list_for_each_entry(file, &drm->filelist, lhead) {
		struct enpu_file *efile = file->driver_priv;

		xa_lock(&efile->ctxs);
		xa_for_each(&efile->ctxs, id, ctx) {
			u64 runtime, period;
			bool frozen;

			enpu_budget_get(&ctx->budget, &runtime, &period, &frozen);
			seq_printf(m, "%llu %u %u %u 0x%x %llu %llu %d %lld %lld %lld %lld %d\n",
				   file->client_id, ctx->id, ctx->priority,
				   ctx->class_hint, ctx->core_mask, runtime, period,
				   frozen, atomic64_read(&ctx->busy_ns),
				   atomic64_read(&ctx->submitted),
				   atomic64_read(&ctx->completed),
				   atomic64_read(&ctx->failed),
				   atomic_read(&ctx->guilty));
		}
		xa_unlock(&efile->ctxs);
	}
	mutex_unlock(&drm->filelist_mutex);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(enpu_contexts);

/*
 * budget: the control plane's levers over one context, for an
 * administrator at a shell (enpud uses the netlink family).  Write
 * "CLIENT CTX RUNTIME_US PERIOD_US" to give the context RUNTIME_US of
 * device time per PERIOD_US ("CLIENT CTX 0 0" removes the budget),
 * "CLIENT CTX freeze" or "CLIENT CTX thaw".
 */
static ssize_t enpu_budget_write(struct file *f, const char __user *ubuf,
				 size_t len, loff_t *pos)
{
	struct enpu_device *edev = file_inode(f)->i_private;
	u64 client, runtime, period;
	char buf[96], word[8];
	struct enpu_ctx *ctx;
	int ret = 0;
	u32 id;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = 0;

	if (sscanf(buf, "%llu %u %llu %llu", &client, &id, &runtime, &period) == 4) {
		ctx = enpu_ctx_find(edev, client, id);
		if (!ctx)
			return -ENOENT;
		ret = enpu_budget_set(&ctx->budget, runtime, period);
	} else if (sscanf(buf, "%llu %u %7s", &client, &id, word) == 3 &&
		   (!strcmp(word, "freeze") || !strcmp(word, "thaw"))) {
		ctx = enpu_ctx_find(edev, client, id);
		if (!ctx)
			return -ENOENT;
		enpu_budget_freeze(&ctx->budget, !strcmp(word, "freeze"));
	} else {
		return -EINVAL;
	}
	enpu_ctx_put(ctx);
	return ret ? ret : len;
}

static const struct file_operations enpu_budget_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = enpu_budget_write,
};

/* Writing 1 makes the next job a core starts hang (recovery tests). */
static int enpu_inject_hang_set(void *data, u64 val)
{
	struct enpu_device *edev = data;

	if (val != 1)
		return -EINVAL;
	return edev->hw->ops->inject(edev->hw, ENPU_HW_FAULT_HANG);
}
DEFINE_DEBUGFS_ATTRIBUTE(enpu_inject_hang_fops, NULL, enpu_inject_hang_set,
			 "%llu\n");

/* Writing 1 resets the device (firmware reload), as after a crash. */
static int enpu_force_reset_set(void *data, u64 val)
{
	struct enpu_device *edev = data;

	if (val != 1)
		return -EINVAL;
	queue_work(edev->reset_wq, &edev->reset_work);
	flush_work(&edev->reset_work);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(enpu_force_reset_fops, NULL, enpu_force_reset_set,
			 "%llu\n");

/*
 * Writing 1 crashes the firmware (waking the NPU if it sleeps), and
 * returns once the driver has reset the device.
 */
static int enpu_inject_fw_crash_set(void *data, u64 val)
{
	struct enpu_device *edev = data;
	int ret, before;

	if (val != 1)
		return -EINVAL;
	ret = enpu_pm_get(edev);
	if (ret)
		return ret;
	before = atomic_read(&edev->device_resets);
	ret = edev->hw->ops->inject(edev->hw, ENPU_HW_FAULT_FW_CRASH);
	if (!ret && !wait_event_timeout(edev->reset_done,
					atomic_read(&edev->device_resets) != before,
					10 * HZ))
		ret = -ETIMEDOUT;
	enpu_pm_put(edev);
	return ret;
}
DEFINE_DEBUGFS_ATTRIBUTE(enpu_inject_fw_crash_fops, NULL,
			 enpu_inject_fw_crash_set, "%llu\n");

/*
 * The DRM core does not call drm_driver.debugfs_init for accel devices in
 * 6.12, so probe calls this once the device is registered.
 */
void enpu_debugfs_init(struct enpu_device *edev)
{
	struct dentry *root = edev->drm.debugfs_root;

	debugfs_create_file("firmware", 0444, root, edev, &enpu_firmware_fops);
	debugfs_create_file_unsafe("inject_warn", 0200, root, edev,
				   &enpu_inject_warn_fops);
	debugfs_create_file("translate", 0600, root, edev, &enpu_translate_fops);
	debugfs_create_file("sched", 0444, root, edev, &enpu_sched_fops);
	debugfs_create_file("contexts", 0444, root, edev, &enpu_contexts_fops);
	debugfs_create_file("budget", 0200, root, edev, &enpu_budget_fops);
	debugfs_create_file_unsafe("inject_hang", 0200, root, edev,
				   &enpu_inject_hang_fops);
	debugfs_create_file_unsafe("inject_fw_crash", 0200, root, edev,
				   &enpu_inject_fw_crash_fops);
	debugfs_create_file_unsafe("force_reset", 0200, root, edev,
				   &enpu_force_reset_fops);
}
