// SPDX-License-Identifier: MIT
/*
 * Module and device lifetime: load/unload cycles, unload refused while a
 * file is open, unbind/bind with a file open and with jobs in flight, and
 * probe failing cleanly
 * with one clear dmesg line on each class of firmware defect.
 *
 * Runs as root in the test guest; ENPU_KO names the module file.  Every
 * test leaves enpu loaded with its good firmware, as it found it.
 */
#include <linux/sync_file.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "enpu_utils.h"
#include "enpu_job_utils.h"

/* drm's module reference count; absent where drm is built in (arm64 tier) */
#define DRM_REFCNT	"/sys/module/drm/refcnt"
#define ENPU_SYSFS	"/sys/module/enpu"
#define ENPU_PLATFORM	"/sys/bus/platform/drivers/enpu/"

static int enpu_load(const char *params)
{
	const char *ko = getenv("ENPU_KO");
	int fd, ret;

	if (!ko)
		return -ENOENT;
	fd = open(ko, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, params, 0) ? -errno : 0;
	close(fd);
	return ret;
}

/*
 * phonesim reads enpu's energy counter every 100 ms through symbol_get(),
 * which holds a reference on the module for a moment: a refusal is tried
 * again for 100 ms before it counts.
 */
static int enpu_unload(void)
{
	int i, ret = 0;

	for (i = 0; i < 50; i++) {
		ret = syscall(SYS_delete_module, "enpu", O_NONBLOCK) ? -errno : 0;
		if (ret != -EWOULDBLOCK)
			break;
		usleep(2000);
	}
	return ret;
}

/* drm's reference count, or -1 when drm is built into the kernel. */
static int drm_refcnt(void)
{
	return access(DRM_REFCNT, F_OK) ? -1 : (int)enpu_read_long(DRM_REFCNT);
}

static bool enpu_loaded(void)
{
	struct stat st;

	return !stat(ENPU_SYSFS, &st);
}

/* /dev/kmsg positioned at its end: what the kernel logs from now on. */
static int kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

/*
 * Count the new kernel log lines containing @needle; the last one is kept
 * in @line.
 */
static int kmsg_count(int fd, const char *needle, char *line, size_t len)
{
	char rec[1024];
	int count = 0;
	ssize_t n;

	while ((n = read(fd, rec, sizeof(rec) - 1)) > 0 || (n < 0 && errno == EPIPE)) {
		char *msg;

		if (n <= 0)
			continue;
		rec[n] = 0;
		msg = strchr(rec, ';');
		if (msg && strstr(msg, needle)) {
			count++;
			snprintf(line, len, "%s", msg + 1);
		}
	}
	return count;
}

FIXTURE(module) {
	int drm_refcnt;
};

FIXTURE_SETUP(module)
{
	ASSERT_NE(NULL, getenv("ENPU_KO"));
	ASSERT_TRUE(enpu_loaded());
	ASSERT_EQ(0, enpu_unload());
	self->drm_refcnt = drm_refcnt();
	if (!access(DRM_REFCNT, F_OK))
		ASSERT_LE(0, self->drm_refcnt);
}

FIXTURE_TEARDOWN(module)
{
	if (!enpu_loaded())
		EXPECT_EQ(0, enpu_load(""));
}

TEST_F(module, load_unload_cycles)
{
	struct drm_enpu_device_info info;
	int i;

	for (i = 0; i < 10; i++) {
		__u32 size = sizeof(info);
		int fd;

		ASSERT_EQ(0, enpu_load("")) TH_LOG("cycle %d", i);
		EXPECT_EQ(1, enpu_objects("devices"));
		EXPECT_EQ(0, enpu_objects("files"));

		fd = enpu_open_device();
		ASSERT_LE(0, fd) TH_LOG("cycle %d: no device", i);
		EXPECT_EQ(1, enpu_objects("files"));
		test_query(fd, DRM_ENPU_QUERY_DEVICE_INFO, &size, &info);
		close(fd);
		EXPECT_EQ(0, enpu_objects("files"));

		ASSERT_EQ(0, enpu_unload()) TH_LOG("cycle %d", i);
		EXPECT_FALSE(enpu_loaded());
		EXPECT_EQ(self->drm_refcnt, drm_refcnt());
	}
}

TEST_F(module, unload_refused_while_open)
{
	int fd;

	ASSERT_EQ(0, enpu_load(""));
	fd = enpu_open_device();
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EWOULDBLOCK, enpu_unload());
	EXPECT_TRUE(enpu_loaded());
	close(fd);
	EXPECT_EQ(0, enpu_objects("files"));
	EXPECT_EQ(0, enpu_unload());
}

TEST_F(module, unbind_with_file_open)
{
	struct drm_enpu_device_info info;
	__u32 size = sizeof(info);
	int fd, fd2;

	ASSERT_EQ(0, enpu_load(""));
	fd = enpu_open_device();
	ASSERT_LE(0, fd);

	ASSERT_EQ(0, enpu_write_file(ENPU_PLATFORM "unbind", "enpu"));
	EXPECT_EQ(0, enpu_objects("devices"));
	EXPECT_EQ(-ENODEV, _enpu_query(fd, DRM_ENPU_QUERY_DEVICE_INFO, &size,
				       &info, 0, 0));
	EXPECT_EQ(1, enpu_objects("files"));
	close(fd);
	EXPECT_EQ(0, enpu_objects("files"));

	ASSERT_EQ(0, enpu_write_file(ENPU_PLATFORM "bind", "enpu"));
	fd2 = enpu_open_device();
	ASSERT_LE(0, fd2);
	test_query(fd2, DRM_ENPU_QUERY_DEVICE_INFO, &size, &info);
	close(fd2);
	EXPECT_EQ(0, enpu_unload());
}

/*
 * Unbind while a file has a job on a core and more queued: every fence
 * completes with an error, ioctls fail with -ENODEV, everything is freed
 * when the file closes, and binding again gives a working device.  Twice.
 */
TEST_F(module, unbind_with_jobs_in_flight)
{
	int round;

	ASSERT_EQ(0, enpu_load(""));
	for (round = 0; round < 2; round++) {
		struct drm_syncobj_handle h = {};
		struct sync_file_info info = {};
		struct drm_enpu_ctx_query q;
		struct submit_opts o = {};
		__u32 ctx = 0, sync = 0, out = 0, size;
		struct pollfd pfd;
		struct buf cmd = {};
		__u64 point = 0;
		int fd, i;

		fd = enpu_open_device();
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, ctx_create(fd, DRM_ENPU_PRIORITY_NORMAL, &ctx, &sync));
		ASSERT_EQ(0, buf_new(fd, 4096, 0, &cmd));
		ASSERT_EQ(0, syncobj_create(fd, &out));
		put(&cmd, 0, DRM_ENPU_OP_SPIN, 500000000, 0, 0);	/* ~500 ms */
		size = put(&cmd, 1, DRM_ENPU_OP_END, 0, 0, 0);
		for (i = 0; i < 4; i++) {
			o.out = i == 3 ? out : 0;
			ASSERT_EQ(0, submit(fd, ctx, &cmd, size, &o, &point));
		}
		h.handle = out;
		h.flags = DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE;
		h.fd = -1;
		ASSERT_EQ(0, ioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &h));
		usleep(100000);		/* the first job is on a core */

		ASSERT_EQ(0, enpu_write_file(ENPU_PLATFORM "unbind", "enpu"));
		/* The last job's fence completed, with an error. */
		pfd = (struct pollfd){ .fd = h.fd, .events = POLLIN };
		EXPECT_EQ(1, poll(&pfd, 1, 0));
		ASSERT_EQ(0, ioctl(h.fd, SYNC_IOC_FILE_INFO, &info));
		EXPECT_GT(0, info.status);
		close(h.fd);
		EXPECT_EQ(-ENODEV, ctx_query(fd, ctx, &q));
		EXPECT_EQ(-ENODEV, submit(fd, ctx, &cmd, size, NULL, NULL));
		EXPECT_EQ(0, enpu_objects("devices"));
		EXPECT_EQ(0, enpu_objects("jobs"));
		EXPECT_EQ(0, enpu_objects("contexts"));
		munmap(cmd.cpu, cmd.size);
		close(fd);
		EXPECT_EQ(0, enpu_objects("files"));
		EXPECT_EQ(0, enpu_objects("bos"));

		ASSERT_EQ(0, enpu_write_file(ENPU_PLATFORM "bind", "enpu"));
		fd = enpu_open_device();
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, ctx_create(fd, DRM_ENPU_PRIORITY_NORMAL, &ctx, &sync));
		ASSERT_EQ(0, buf_new(fd, 4096, 0, &cmd));
		size = put(&cmd, 0, DRM_ENPU_OP_END, 0, 0, 0);
		ASSERT_EQ(0, submit(fd, ctx, &cmd, size, NULL, &point));
		EXPECT_EQ(0, timeline_wait(fd, sync, point, 10 * NS));
		buf_free(fd, &cmd);
		close(fd);
	}
	EXPECT_EQ(0, enpu_unload());
}

FIXTURE(firmware) {
	int drm_refcnt;
	int kmsg;
};

FIXTURE_VARIANT(firmware) {
	const char *params;
	const char *message;
};

#define FW_DEFECT(_name, _file, _msg)					\
	FIXTURE_VARIANT_ADD(firmware, _name) {				\
		.params = "firmware=enpu/defect-" _file ".bin",		\
		.message = _msg,					\
	}

FW_DEFECT(bad_magic, "bad-magic", "rejected: bad magic");
FW_DEFECT(bad_crc, "bad-crc", "rejected: bad CRC");
FW_DEFECT(truncated_header, "truncated-header", "rejected: truncated header");
FW_DEFECT(truncated_body, "truncated-body", "rejected: truncated body");
FW_DEFECT(bad_format, "bad-format", "rejected: unsupported format version 99");
FW_DEFECT(zero_cores, "zero-cores", "rejected: bad core count 0");
FW_DEFECT(opp_order, "opp-order", "rejected: OPP table not increasing");
FW_DEFECT(trip_order, "trip-order", "rejected: trips not increasing");

FIXTURE_VARIANT_ADD(firmware, missing) {
	.params = "firmware=enpu/no-such-image.bin",
	.message = "enpu/no-such-image.bin: not loaded (-2)",
};

FIXTURE_SETUP(firmware)
{
	ASSERT_TRUE(enpu_loaded());
	ASSERT_EQ(0, enpu_unload());
	self->drm_refcnt = drm_refcnt();
	if (!access(DRM_REFCNT, F_OK))
		ASSERT_LE(0, self->drm_refcnt);
	self->kmsg = kmsg_open();
	ASSERT_LE(0, self->kmsg);
}

FIXTURE_TEARDOWN(firmware)
{
	close(self->kmsg);
	if (!enpu_loaded())
		EXPECT_EQ(0, enpu_load(""));
}

TEST_F(firmware, probe_fails_cleanly)
{
	char line[512] = "";
	int fd;

	EXPECT_EQ(-ENODEV, enpu_load(variant->params));
	EXPECT_FALSE(enpu_loaded());
	EXPECT_EQ(self->drm_refcnt, drm_refcnt());

	/*
	 * One line from the driver, and it names the defect.  (Debian's
	 * firmware loader adds its own "firmware: failed to load" lines.)
	 */
	EXPECT_EQ(1, kmsg_count(self->kmsg, "enpu: firmware ", line, sizeof(line)));
	EXPECT_NE(NULL, strstr(line, variant->message))
		TH_LOG("dmesg: %s", line);

	/* The good image loads in the same boot. */
	ASSERT_EQ(0, enpu_load(""));
	fd = enpu_open_device();
	EXPECT_LE(0, fd);
	if (fd >= 0)
		close(fd);
}

TEST_HARNESS_MAIN
