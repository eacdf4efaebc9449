/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef __ENPU_JOB_H__
#define __ENPU_JOB_H__

struct drm_device;
struct drm_file;
struct enpu_device;

int enpu_sched_init(struct enpu_device *edev);
void enpu_sched_fini(struct enpu_device *edev);
void enpu_device_stop(struct enpu_device *edev);
int enpu_device_restart(struct enpu_device *edev);
int enpu_ioctl_submit(struct drm_device *drm, void *data, struct drm_file *file);

#endif /* __ENPU_JOB_H__ */
