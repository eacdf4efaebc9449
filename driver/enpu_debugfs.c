// SPDX-License-Identifier: GPL-2.0-only
/*
 * debugfs: the module-wide object counters (enpu/objects) and per-device
 * files in the accel device's directory (accel/<device>/, with accel/<minor>
 * linking to it): firmware, and the harness knob inject_warn.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include <drm/drm_print.h>

#include "enpu_drv.h"

static struct dentry *enpu_debugfs_root;

static const char *const enpu_obj_names[ENPU_OBJ_COUNT] = {
	[ENPU_OBJ_DEVICE] = "devices",
	[ENPU_OBJ_FILE] = "files",
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
 * The DRM core does not call drm_driver.debugfs_init for accel devices in
 * 6.12, so probe calls this once the device is registered.
 */
void enpu_debugfs_init(struct enpu_device *edev)
{
	struct dentry *root = edev->drm.debugfs_root;

	debugfs_create_file("firmware", 0444, root, edev, &enpu_firmware_fops);
	debugfs_create_file_unsafe("inject_warn", 0200, root, edev,
				   &enpu_inject_warn_fops);
}
