// SPDX-License-Identifier: GPL-2.0-only
/*
 * Driver-local fault points.
 *
 * enpu/fail_nth works like the kernel's /proc/<pid>/fail-nth, for the
 * driver's own allocations only: writing N makes the N-th allocation the
 * writing process reaches fail (once); reading gives what is left of the
 * count, 0 once the fault was injected.  Writing 0 disarms it.  A
 * fail-nth sweep writes 1, 2, ... before repeating an ioctl until a run
 * reads back non-zero: every allocation of the path has then failed once.
 *
 * enpu/fail_hw takes "submit N" or "boot N": the next N ring writes or
 * firmware boots fail with -EIO.  Reading shows both counts.
 */
#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>

#include "enpu_fault.h"

static DEFINE_SPINLOCK(enpu_fault_lock);
static pid_t enpu_fault_tgid;
static unsigned int enpu_fault_left;
static atomic_t enpu_fault_hw_left[ENPU_FAULT_HW_COUNT];

bool enpu_fault_alloc(void)
{
	bool fail = false;

	if (likely(!READ_ONCE(enpu_fault_left)))
		return false;
	spin_lock(&enpu_fault_lock);
	if (enpu_fault_left && current->tgid == enpu_fault_tgid)
		fail = !--enpu_fault_left;
	spin_unlock(&enpu_fault_lock);
	return fail;
}

bool enpu_fault_hw(enum enpu_fault_hw point)
{
	return atomic_add_unless(&enpu_fault_hw_left[point], -1, 0);
}

static int enpu_fail_nth_get(void *data, u64 *val)
{
	spin_lock(&enpu_fault_lock);
	*val = enpu_fault_left;
	spin_unlock(&enpu_fault_lock);
	return 0;
}

static int enpu_fail_nth_set(void *data, u64 val)
{
	if (val > INT_MAX)
		return -EINVAL;
	spin_lock(&enpu_fault_lock);
	enpu_fault_tgid = current->tgid;
	enpu_fault_left = val;
	spin_unlock(&enpu_fault_lock);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(enpu_fail_nth_fops, enpu_fail_nth_get,
			 enpu_fail_nth_set, "%llu\n");

static const char *const enpu_fault_hw_names[ENPU_FAULT_HW_COUNT] = {
	[ENPU_FAULT_SUBMIT] = "submit",
	[ENPU_FAULT_BOOT] = "boot",
};

static int enpu_fail_hw_show(struct seq_file *m, void *unused)
{
	int i;

	for (i = 0; i < ENPU_FAULT_HW_COUNT; i++)
		seq_printf(m, "%s %d\n", enpu_fault_hw_names[i],
			   atomic_read(&enpu_fault_hw_left[i]));
	return 0;
}

static int enpu_fail_hw_open(struct inode *inode, struct file *f)
{
	return single_open(f, enpu_fail_hw_show, NULL);
}

static ssize_t enpu_fail_hw_write(struct file *f, const char __user *ubuf,
				  size_t len, loff_t *pos)
{
	char buf[32], name[8];
	unsigned int n;
	int i;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = 0;
	if (sscanf(buf, "%7s %u", name, &n) != 2 || n > INT_MAX)
		return -EINVAL;
	for (i = 0; i < ENPU_FAULT_HW_COUNT; i++)
		if (!strcmp(name, enpu_fault_hw_names[i])) {
			atomic_set(&enpu_fault_hw_left[i], n);
			return len;
		}
	return -EINVAL;
}

static const struct file_operations enpu_fail_hw_fops = {
	.owner = THIS_MODULE,
	.open = enpu_fail_hw_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
	.write = enpu_fail_hw_write,
};

void enpu_fault_debugfs_init(struct dentry *root)
{
	debugfs_create_file_unsafe("fail_nth", 0600, root, NULL,
				   &enpu_fail_nth_fops);
	debugfs_create_file("fail_hw", 0600, root, NULL, &enpu_fail_hw_fops);
}
