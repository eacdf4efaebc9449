// SPDX-License-Identifier: GPL-2.0-only
/*
 * enpu: module, platform driver, DRM accel device, file lifetime and the
 * device query ioctl.
 */
#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <drm/drm_accel.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_ioctl.h>
#include <drm/drm_print.h>

#include <drm/enpu_accel.h>

#include "enpu_ctx.h"
#include "enpu_drv.h"
#include "enpu_fault.h"
#include "enpu_gem.h"
#include "enpu_genl.h"
#include "enpu_job.h"
#include "enpu_hw.h"
#include "enpu_pm.h"
#include "enpu_vm.h"

static char *enpu_firmware = ENPU_DEFAULT_FW;
module_param_named(firmware, enpu_firmware, charp, 0444);
MODULE_PARM_DESC(firmware, "firmware image name (default " ENPU_DEFAULT_FW ")");

static bool enpu_sim = true;
module_param_named(sim, enpu_sim, bool, 0444);
MODULE_PARM_DESC(sim, "create the emulated NPU device (default on)");

atomic_t enpu_objects[ENPU_OBJ_COUNT];

static struct platform_device *enpu_sim_pdev;

static void enpu_file_stats_release(struct kref *ref)
{
	kfree(container_of(ref, struct enpu_file_stats, ref));
}

void enpu_file_stats_put(struct enpu_file_stats *stats)
{
	kref_put(&stats->ref, enpu_file_stats_release);
}

static int enpu_open(struct drm_device *drm, struct drm_file *file)
{
	struct enpu_file *efile;

	efile = enpu_kzalloc(sizeof(*efile), GFP_KERNEL);
	if (!efile)
		return -ENOMEM;

	efile->stats = enpu_kzalloc(sizeof(*efile->stats), GFP_KERNEL);
	efile->vm = enpu_vm_create();
	if (!efile->vm || !efile->stats) {
		if (efile->vm)
			enpu_vm_put(efile->vm);
		kfree(efile->stats);
		kfree(efile);
		return -ENOMEM;
	}
	kref_init(&efile->stats->ref);
	efile->edev = to_enpu_device(drm);
	xa_init_flags(&efile->ctxs, XA_FLAGS_ALLOC1);
	file->driver_priv = efile;
	enpu_obj_get(ENPU_OBJ_FILE);
	return 0;
}

/* Runs after the DRM core released the file's GEM handles. */
static void enpu_postclose(struct drm_device *drm, struct drm_file *file)
{
	struct enpu_file *efile = file->driver_priv;

	enpu_ctx_destroy_all(efile);
	xa_destroy(&efile->ctxs);
	enpu_vm_put(efile->vm);
	enpu_file_stats_put(efile->stats);
	kfree(efile);
	enpu_obj_put(ENPU_OBJ_FILE);
}

static u32 enpu_query_device_info(struct enpu_device *edev,
				  struct drm_enpu_device_info *info)
{
	const struct enpu_fw_info *fw = &edev->fw;

	info->fw_version = fw->fw_version;
	info->isa_version = fw->isa_version;
	info->fw_format = fw->format_version;
	info->num_cores = fw->num_cores;
	info->capabilities = fw->capabilities;
	info->va_start = DRM_ENPU_VA_START;
	info->va_end = DRM_ENPU_VA_END;
	info->num_opps = fw->num_opps;
	strscpy(info->fw_name, fw->name, sizeof(info->fw_name));
	return sizeof(*info);
}

static u32 enpu_query_opps(struct enpu_device *edev, struct drm_enpu_opp *opps)
{
	const struct enpu_fw_info *fw = &edev->fw;
	u32 i;

	for (i = 0; i < fw->num_opps; i++) {
		opps[i].freq_khz = fw->opps[i].freq_khz;
		opps[i].volt_uv = fw->opps[i].volt_uv;
		opps[i].power_mw = fw->opps[i].power_mw;
	}
	return fw->num_opps * sizeof(*opps);
}

static u32 enpu_query_telemetry(struct enpu_device *edev,
				struct drm_enpu_telemetry *tm)
{
	struct enpu_hw_telemetry t;

	edev->hw->ops->telemetry(edev->hw, &t);
	tm->temp_mc = t.temp_mc;
	tm->freq_khz = t.freq_khz;
	tm->power_mw = t.power_mw;
	tm->freq_max_khz = enpu_pm_freq_max_khz(edev);
	tm->energy_uj = t.energy_uj;
	tm->busy_ns = t.busy_ns;
	return sizeof(*tm);
}

/*
 * Copy an answer of @len bytes to the user buffer of @q->size bytes:
 * truncate to the buffer, zero-fill what the answer does not cover, and
 * report the full answer size.
 */
static int enpu_query_copy(struct drm_enpu_dev_query *q, const void *answer,
			   u32 len)
{
	void __user *ptr = u64_to_user_ptr(q->pointer);
	u32 n = min(q->size, len);

	if (q->pointer) {
		if (copy_to_user(ptr, answer, n))
			return -EFAULT;
		if (q->size > n && clear_user(ptr + n, q->size - n))
			return -EFAULT;
	}
	q->size = len;
	return 0;
}

static int enpu_ioctl_dev_query(struct drm_device *drm, void *data,
				struct drm_file *file)
{
	struct enpu_device *edev = to_enpu_device(drm);
	struct drm_enpu_dev_query *q = data;
	union {
		struct drm_enpu_device_info info;
		struct drm_enpu_opp opps[ENPU_FW_MAX_OPPS];
		struct drm_enpu_telemetry tm;
	} answer = {};
	u32 len;
	int ret, idx;

	if (q->flags || q->pad) {
		drm_dbg(drm, "DEV_QUERY: flags 0x%x pad 0x%x must be zero\n",
			q->flags, q->pad);
		return -EINVAL;
	}
	if (q->size > DRM_ENPU_QUERY_MAX_SIZE) {
		drm_dbg(drm, "DEV_QUERY: size %u over the maximum\n", q->size);
		return -EINVAL;
	}

	if (!drm_dev_enter(drm, &idx))
		return -ENODEV;

	switch (q->type) {
	case DRM_ENPU_QUERY_DEVICE_INFO:
		len = enpu_query_device_info(edev, &answer.info);
		break;
	case DRM_ENPU_QUERY_OPP_TABLE:
		len = enpu_query_opps(edev, answer.opps);
		break;
	case DRM_ENPU_QUERY_TELEMETRY:
		len = enpu_query_telemetry(edev, &answer.tm);
		break;
	default:
		drm_dbg(drm, "DEV_QUERY: unknown type %u\n", q->type);
		ret = -EINVAL;
		goto out;
	}
	ret = enpu_query_copy(q, &answer, len);
out:
	drm_dev_exit(idx);
	return ret;
}

static const struct drm_ioctl_desc enpu_ioctls[] = {
	DRM_IOCTL_DEF_DRV(ENPU_DEV_QUERY, enpu_ioctl_dev_query, 0),
	DRM_IOCTL_DEF_DRV(ENPU_BO_CREATE, enpu_ioctl_bo_create, 0),
	DRM_IOCTL_DEF_DRV(ENPU_BO_INFO, enpu_ioctl_bo_info, 0),
	DRM_IOCTL_DEF_DRV(ENPU_BO_CREATE_USERPTR, enpu_ioctl_bo_create_userptr, 0),
	DRM_IOCTL_DEF_DRV(ENPU_CTX_CREATE, enpu_ioctl_ctx_create, 0),
	DRM_IOCTL_DEF_DRV(ENPU_CTX_DESTROY, enpu_ioctl_ctx_destroy, 0),
	DRM_IOCTL_DEF_DRV(ENPU_CTX_QUERY, enpu_ioctl_ctx_query, 0),
	DRM_IOCTL_DEF_DRV(ENPU_SUBMIT, enpu_ioctl_submit, 0),
	DRM_IOCTL_DEF_DRV(ENPU_CTX_SET_PARAM, enpu_ioctl_ctx_set_param, 0),
};

/*
 * Engine keys of Documentation/gpu/drm-usage-stats.rst: the device is one
 * engine "npu" with a core per unit of capacity.  Time and cycles count
 * every job the file ran to its end, including jobs a reset stopped.
 */
static void enpu_show_fdinfo(struct drm_printer *p, struct drm_file *file)
{
	struct enpu_file *efile = file->driver_priv;
	struct enpu_device *edev = efile->edev;
	int idx;

	drm_printf(p, "drm-engine-npu:\t%llu ns\n",
		   atomic64_read(&efile->stats->busy_ns));
	drm_printf(p, "drm-engine-capacity-npu:\t%u\n", edev->fw.num_cores);
	drm_printf(p, "drm-cycles-npu:\t%llu\n",
		   atomic64_read(&efile->stats->cycles));
	if (drm_dev_enter(&edev->drm, &idx)) {
		drm_printf(p, "drm-total-cycles-npu:\t%llu\n",
			   edev->hw->ops->timestamp(edev->hw));
		drm_dev_exit(idx);
	}
	drm_show_memory_stats(p, file);
}

static const struct file_operations enpu_fops = {
	.owner = THIS_MODULE,
	DRM_ACCEL_FOPS,
	.show_fdinfo = drm_show_fdinfo,
};

static const struct drm_driver enpu_drm_driver = {
	.driver_features = DRIVER_GEM | DRIVER_COMPUTE_ACCEL | DRIVER_SYNCOBJ |
			   DRIVER_SYNCOBJ_TIMELINE,
	.open = enpu_open,
	.postclose = enpu_postclose,
	.gem_create_object = enpu_gem_create_object,
	/* No dumb-buffer ioctls: BO_CREATE is the one way to make a buffer. */
	.gem_prime_import_sg_table = enpu_gem_prime_import_sg_table,
	.show_fdinfo = enpu_show_fdinfo,
	.ioctls = enpu_ioctls,
	.num_ioctls = ARRAY_SIZE(enpu_ioctls),
	.fops = &enpu_fops,
	.name = ENPU_DRIVER_NAME,
	.desc = ENPU_DRIVER_DESC,
	.date = "20261124",
	.major = DRM_ENPU_DRIVER_MAJOR,
	.minor = DRM_ENPU_DRIVER_MINOR,
};

static int enpu_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	struct enpu_device *edev;
	int ret;

	/* Each fallible step is a fault point (enpu/fail_nth). */
	if (enpu_fault_alloc())
		return -ENOMEM;
	edev = devm_drm_dev_alloc(dev, &enpu_drm_driver, struct enpu_device, drm);
	if (IS_ERR(edev))
		return PTR_ERR(edev);

	ret = dma_coerce_mask_and_coherent(dev, DMA_BIT_MASK(64));
	if (ret)
		return ret;
	dma_set_max_seg_size(dev, UINT_MAX);

	edev->fw_name = enpu_firmware;
	edev->hw = enpu_fault_alloc() ? ERR_PTR(-ENOMEM) : enpu_sim_create(dev);
	if (IS_ERR(edev->hw))
		return PTR_ERR(edev->hw);

	ret = enpu_fw_boot(edev);
	if (ret)
		return ret;

	ret = enpu_fault_call(enpu_sched_init(edev));
	if (ret)
		goto err_fw;

	platform_set_drvdata(pdev, edev);
	ret = enpu_pm_init(edev);
	if (ret)
		goto err_sched;

	ret = enpu_fault_call(drm_dev_register(&edev->drm, 0));
	if (ret)
		goto err_pm;

	enpu_debugfs_init(edev);
	enpu_genl_add_device(edev);
	enpu_obj_get(ENPU_OBJ_DEVICE);
	return 0;

err_pm:
	enpu_pm_fini(edev);
err_sched:
	enpu_sched_fini(edev);
err_fw:
	edev->hw->ops->halt(edev->hw);
	enpu_fw_fini(edev);
	return ret;
}

/*
 * Unbind, with files possibly open and jobs in flight: ioctls fail with
 * -ENODEV from now on (drm_dev_unplug()), the device fails every job it
 * holds with -ENODEV, the files' contexts are destroyed (their queued jobs
 * fail the same way), and once every job is freed the schedulers stop.
 * What the files still hold (buffers, address spaces) goes when they
 * close.
 */
static void enpu_remove(struct platform_device *pdev)
{
	struct enpu_device *edev = platform_get_drvdata(pdev);
	struct drm_file *file;

	enpu_genl_remove_device(edev);
	drm_dev_unplug(&edev->drm);
	enpu_pm_fini(edev);
	edev->hw->ops->halt(edev->hw);

	mutex_lock(&edev->drm.filelist_mutex);
	list_for_each_entry(file, &edev->drm.filelist, lhead)
		enpu_ctx_destroy_all(file->driver_priv);
	mutex_unlock(&edev->drm.filelist_mutex);
	enpu_sched_fini(edev);
	enpu_fw_fini(edev);
	enpu_obj_put(ENPU_OBJ_DEVICE);
}

static struct platform_driver enpu_platform_driver = {
	.probe = enpu_probe,
	.remove = enpu_remove,
	.driver = {
		.name = ENPU_DRIVER_NAME,
		.pm = pm_ptr(&enpu_pm_ops),
	},
};

static int __init enpu_init(void)
{
	struct platform_device *pdev;
	bool bound;
	int ret;

	enpu_debugfs_module_init();

	/* Before any device: events may be sent from probe on. */
	ret = enpu_genl_register();
	if (ret)
		goto err_debugfs;

	ret = platform_driver_register(&enpu_platform_driver);
	if (ret)
		goto err_genl;

	if (!enpu_sim)
		return 0;

	pdev = platform_device_register_simple(ENPU_DRIVER_NAME, PLATFORM_DEVID_NONE,
					       NULL, 0);
	if (IS_ERR(pdev)) {
		ret = PTR_ERR(pdev);
		goto err_driver;
	}

	/*
	 * Probe ran synchronously.  If the emulated device did not bind
	 * (bad firmware, say) the module is useless: fail the load so that
	 * insmod reports it; probe already said why in dmesg.
	 */
	device_lock(&pdev->dev);
	bound = device_is_bound(&pdev->dev);
	device_unlock(&pdev->dev);
	if (!bound) {
		platform_device_unregister(pdev);
		ret = -ENODEV;
		goto err_driver;
	}
	enpu_sim_pdev = pdev;
	return 0;

err_driver:
	platform_driver_unregister(&enpu_platform_driver);
err_genl:
	enpu_genl_unregister();
err_debugfs:
	enpu_debugfs_module_exit();
	return ret;
}

static void __exit enpu_exit(void)
{
	/*
	 * Unbind first: device_del() tears the device's PM QoS constraints
	 * down before it unbinds, and remove still drops the cooling
	 * device's frequency request.
	 */
	platform_driver_unregister(&enpu_platform_driver);
	platform_device_unregister(enpu_sim_pdev);
	enpu_genl_unregister();
	enpu_debugfs_module_exit();
}

module_init(enpu_init);
module_exit(enpu_exit);

MODULE_DESCRIPTION(ENPU_DRIVER_DESC);
MODULE_LICENSE("GPL");
MODULE_FIRMWARE(ENPU_DEFAULT_FW);
