// SPDX-License-Identifier: GPL-2.0-only
/*
 * Firmware: request the image, validate every field, boot the device from
 * it and check the boot handshake.  A defective image fails probe with one
 * dmesg line saying what is wrong.
 */
#include <linux/crc32.h>
#include <linux/ctype.h>
#include <linux/device.h>
#include <linux/firmware.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <drm/drm_print.h>

#include "enpu_drv.h"
#include "enpu_fault.h"
#include "enpu_fw.h"
#include "enpu_hw.h"

#include <drm/enpu_accel.h>

static __printf(3, 4) int enpu_fw_reject(char *why, size_t len, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vsnprintf(why, len, fmt, args);
	va_end(args);
	return -EINVAL;
}

/* 1..31 characters of [A-Za-z0-9._-], NUL-padded to the end. */
static bool enpu_fw_name_ok(const char *name)
{
	size_t len = strnlen(name, ENPU_FW_NAME_LEN), i;

	if (!len || len == ENPU_FW_NAME_LEN)
		return false;
	for (i = 0; i < len; i++)
		if (!isalnum(name[i]) && !strchr("._-", name[i]))
			return false;
	return !memchr_inv(name + len, 0, ENPU_FW_NAME_LEN - len);
}

static int enpu_fw_parse_opps(const u8 *data, struct enpu_fw_info *info,
			      u32 offset, char *why, size_t len)
{
	const struct enpu_fw_opp *opp = (const void *)(data + offset);
	u32 i;

	for (i = 0; i < info->num_opps; i++, opp++) {
		struct enpu_opp *o = &info->opps[i];

		o->freq_khz = le32_to_cpu(opp->freq_khz);
		o->volt_uv = le32_to_cpu(opp->volt_uv);
		o->power_mw = le32_to_cpu(opp->power_mw);

		if (opp->reserved)
			return enpu_fw_reject(why, len, "OPP %u: reserved field not zero", i);
		if (!o->freq_khz || o->freq_khz > ENPU_FW_FREQ_MAX_KHZ ||
		    !o->volt_uv || o->volt_uv > ENPU_FW_VOLT_MAX_UV ||
		    !o->power_mw || o->power_mw > ENPU_FW_POWER_MAX_MW)
			return enpu_fw_reject(why, len, "OPP %u: value out of range", i);
		if (i && (o->freq_khz <= o[-1].freq_khz ||
			  o->volt_uv < o[-1].volt_uv ||
			  o->power_mw <= o[-1].power_mw))
			return enpu_fw_reject(why, len,
					      "OPP table not increasing at entry %u", i);
	}
	return 0;
}

static int enpu_fw_parse_thermal(const struct enpu_fw_header *hdr,
				 struct enpu_fw_info *info, char *why, size_t len)
{
	s32 prev;
	int i;

	info->static_power_mw = le32_to_cpu(hdr->static_power_mw);
	info->thermal_r_mc_per_w = le32_to_cpu(hdr->thermal_r_mc_per_w);
	info->thermal_c_mj_per_c = le32_to_cpu(hdr->thermal_c_mj_per_c);
	info->ambient_mc = (s32)le32_to_cpu(hdr->ambient_mc);

	if (info->static_power_mw > ENPU_FW_POWER_MAX_MW)
		return enpu_fw_reject(why, len, "static power out of range");
	if (!info->thermal_r_mc_per_w ||
	    info->thermal_r_mc_per_w > ENPU_FW_THERMAL_R_MAX ||
	    !info->thermal_c_mj_per_c ||
	    info->thermal_c_mj_per_c > ENPU_FW_THERMAL_C_MAX)
		return enpu_fw_reject(why, len, "thermal constants out of range");
	if (info->ambient_mc < ENPU_FW_AMBIENT_MIN_MC ||
	    info->ambient_mc > ENPU_FW_AMBIENT_MAX_MC)
		return enpu_fw_reject(why, len, "ambient temperature out of range");

	prev = info->ambient_mc;
	for (i = 0; i < ENPU_FW_TRIP_COUNT; i++) {
		info->trip_mc[i] = (s32)le32_to_cpu(hdr->trip_mc[i]);
		if (info->trip_mc[i] <= prev ||
		    info->trip_mc[i] > ENPU_FW_TRIP_MAX_MC)
			return enpu_fw_reject(why, len,
					      "trips not increasing at trip %d", i);
		prev = info->trip_mc[i];
	}
	return 0;
}

/**
 * enpu_fw_parse() - validate a firmware image and decode it
 * @data: the image
 * @size: its size in bytes
 * @info: decoded image on success
 * @why: on failure, a one-line reason
 * @why_len: size of @why
 *
 * Checks run in an order that makes the reason precise: the header must be
 * complete before its fields are read, sizes must agree before the CRC is
 * computed, and the CRC must match before any value is trusted.
 *
 * Return: 0, or -EINVAL with @why set.
 */
int enpu_fw_parse(const u8 *data, size_t size, struct enpu_fw_info *info,
		  char *why, size_t why_len)
{
	const struct enpu_fw_header *hdr = (const void *)data;
	u32 image_size, opp_offset, opp_end, crc, i;
	int ret;

	if (size < sizeof(*hdr))
		return enpu_fw_reject(why, why_len, "truncated header (%zu bytes)", size);
	if (le32_to_cpu(hdr->magic) != ENPU_FW_MAGIC)
		return enpu_fw_reject(why, why_len, "bad magic 0x%08x",
				      le32_to_cpu(hdr->magic));

	info->format_version = le32_to_cpu(hdr->format_version);
	if (info->format_version != ENPU_FW_FORMAT_VERSION)
		return enpu_fw_reject(why, why_len, "unsupported format version %u",
				      info->format_version);
	if (le32_to_cpu(hdr->header_size) != sizeof(*hdr))
		return enpu_fw_reject(why, why_len, "bad header size %u",
				      le32_to_cpu(hdr->header_size));

	image_size = le32_to_cpu(hdr->image_size);
	if (image_size > size)
		return enpu_fw_reject(why, why_len,
				      "truncated body (%zu of %u bytes)", size, image_size);
	if (image_size != size)
		return enpu_fw_reject(why, why_len,
				      "image size %u does not match file size %zu",
				      image_size, size);

	crc = ~crc32_le(~0u, data + ENPU_FW_CRC_OFFSET, size - ENPU_FW_CRC_OFFSET);
	if (crc != le32_to_cpu(hdr->crc32))
		return enpu_fw_reject(why, why_len,
				      "bad CRC (header 0x%08x, computed 0x%08x)",
				      le32_to_cpu(hdr->crc32), crc);

	for (i = 0; i < ARRAY_SIZE(hdr->reserved); i++)
		if (hdr->reserved[i])
			return enpu_fw_reject(why, why_len, "reserved header field not zero");

	/* 0 is what a device that is not running reports: never a version. */
	info->fw_version = le32_to_cpu(hdr->fw_version);
	if (!info->fw_version || info->fw_version > 0xffffff)
		return enpu_fw_reject(why, why_len, "bad firmware version 0x%x",
				      info->fw_version);
	info->isa_version = le32_to_cpu(hdr->isa_version);
	if (!info->isa_version || info->isa_version > U16_MAX)
		return enpu_fw_reject(why, why_len, "bad ISA version %u",
				      info->isa_version);

	info->num_cores = le32_to_cpu(hdr->num_cores);
	if (!info->num_cores || info->num_cores > ENPU_FW_MAX_CORES)
		return enpu_fw_reject(why, why_len, "bad core count %u", info->num_cores);

	info->capabilities = le64_to_cpu(hdr->capabilities);
	if (!info->capabilities)
		return enpu_fw_reject(why, why_len, "no capabilities");
	if (info->capabilities & ~DRM_ENPU_CAP_ALL)
		return enpu_fw_reject(why, why_len, "unknown capabilities 0x%llx",
				      info->capabilities & ~DRM_ENPU_CAP_ALL);

	for (i = 0; i < ENPU_FW_OPC_COUNT; i++) {
		info->macs_per_cycle[i] = le32_to_cpu(hdr->macs_per_cycle[i]);
		if (!info->macs_per_cycle[i] ||
		    info->macs_per_cycle[i] > ENPU_FW_MACS_MAX)
			return enpu_fw_reject(why, why_len,
					      "MACs per cycle of class %u out of range", i);
	}
	info->op_overhead_cycles = le32_to_cpu(hdr->op_overhead_cycles);
	if (info->op_overhead_cycles > ENPU_FW_OVERHEAD_MAX)
		return enpu_fw_reject(why, why_len, "instruction overhead out of range");

	if (!enpu_fw_name_ok(hdr->name))
		return enpu_fw_reject(why, why_len, "bad firmware name");
	strscpy(info->name, hdr->name, sizeof(info->name));

	info->num_opps = le32_to_cpu(hdr->num_opps);
	if (!info->num_opps || info->num_opps > ENPU_FW_MAX_OPPS)
		return enpu_fw_reject(why, why_len, "bad OPP count %u", info->num_opps);

	/* Format 1 has nothing but the OPP table after the header. */
	opp_offset = le32_to_cpu(hdr->opp_offset);
	opp_end = opp_offset + info->num_opps * (u32)sizeof(struct enpu_fw_opp);
	if (opp_offset != sizeof(*hdr) || opp_end != image_size)
		return enpu_fw_reject(why, why_len,
				      "OPP table does not fill the image after the header");

	ret = enpu_fw_parse_opps(data, info, opp_offset, why, why_len);
	if (ret)
		return ret;

	return enpu_fw_parse_thermal(hdr, info, why, why_len);
}

/* The boot handshake: the device must report the version it was given. */
static int enpu_fw_handshake(struct enpu_device *edev, u32 version)
{
	u32 running = edev->hw->ops->fw_version(edev->hw);

	if (running == version)
		return 0;
	dev_err(edev->drm.dev, "firmware %s: boot handshake failed (device reports 0x%x)\n",
		edev->fw_name, running);
	edev->hw->ops->halt(edev->hw);
	return -EIO;
}

/**
 * enpu_fw_boot() - load, validate and boot the firmware
 * @edev: the device
 *
 * At probe this fills &enpu_device.fw.  A device reset boots the image the
 * loader gives now; it must describe the same device (cores and OPPs) as
 * the one probed, whose description stays.  A copy of the image stays in
 * memory for warm boots.
 *
 * Return: 0, or a negative errno after one dmesg line saying why.
 */
int enpu_fw_boot(struct enpu_device *edev)
{
	struct device *dev = edev->drm.dev;
	const struct firmware *fw;
	struct enpu_fw_info *info;
	bool reload = edev->fw.num_cores;
	char why[96];
	void *image;
	int ret;

	info = enpu_kzalloc(sizeof(*info), GFP_KERNEL);
	if (!info)
		return -ENOMEM;

	ret = firmware_request_nowarn(&fw, edev->fw_name, dev);
	if (ret) {
		dev_err(dev, "firmware %s: not loaded (%d)\n", edev->fw_name, ret);
		goto out_free;
	}

	ret = enpu_fw_parse(fw->data, fw->size, info, why, sizeof(why));
	if (!ret && reload && (info->num_cores != edev->fw.num_cores ||
			       info->num_opps != edev->fw.num_opps ||
			       memcmp(info->opps, edev->fw.opps, sizeof(info->opps)))) {
		/* devfreq, the energy model and the scheduler stay as probed. */
		snprintf(why, sizeof(why), "cores or OPPs differ from the probed image");
		ret = -EINVAL;
	}
	if (ret) {
		dev_err(dev, "firmware %s rejected: %s\n", edev->fw_name, why);
		goto out_release;
	}

	ret = enpu_fault_hw(ENPU_FAULT_BOOT) ? -EIO :
	      edev->hw->ops->boot(edev->hw, fw->data, fw->size);
	if (ret) {
		dev_err(dev, "firmware %s: device refused to boot (%d)\n",
			edev->fw_name, ret);
		goto out_release;
	}

	ret = enpu_fw_handshake(edev, info->fw_version);
	if (ret)
		goto out_release;

	/* Kept for warm boots (runtime resume): no file system needed then. */
	image = kvmemdup(fw->data, fw->size, GFP_KERNEL);
	if (!image) {
		edev->hw->ops->halt(edev->hw);
		ret = -ENOMEM;
		goto out_release;
	}
	kvfree(edev->fw_image);
	edev->fw_image = image;
	edev->fw_image_size = fw->size;
	edev->fw_image_version = info->fw_version;
	if (!reload)
		edev->fw = *info;
	drm_info(&edev->drm, "firmware %s %u.%u.%u booted, %u cores\n",
		 info->name, info->fw_version >> 16,
		 (info->fw_version >> 8) & 0xff, info->fw_version & 0xff,
		 info->num_cores);
out_release:
	release_firmware(fw);
out_free:
	kfree(info);
	return ret;
}

/**
 * enpu_fw_warm_boot() - boot the device again from the image in memory
 * @edev: the device, booted before by enpu_fw_boot()
 *
 * What runtime resume does: no firmware request, no parsing.
 *
 * Return: 0, or a negative errno if the device refused the image.
 */
int enpu_fw_warm_boot(struct enpu_device *edev)
{
	int ret;

	ret = enpu_fault_hw(ENPU_FAULT_BOOT) ? -EIO :
	      edev->hw->ops->boot(edev->hw, edev->fw_image, edev->fw_image_size);
	if (ret) {
		dev_err(edev->drm.dev, "warm boot: device refused to boot (%d)\n", ret);
		return ret;
	}
	return enpu_fw_handshake(edev, edev->fw_image_version);
}

void enpu_fw_fini(struct enpu_device *edev)
{
	kvfree(edev->fw_image);
	edev->fw_image = NULL;
}
