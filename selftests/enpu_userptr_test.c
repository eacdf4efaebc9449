// SPDX-License-Identifier: MIT
/*
 * Userptr buffers: pinning the caller's memory, every documented errno,
 * RLIMIT_MEMLOCK accounting for an unprivileged caller, coherence with CPU
 * writes, fork after pinning, and release after the pinning process exits.
 * The device's view of memory is read through the debugfs translate hook.
 */
#include <sys/mman.h>
#include <grp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <stdint.h>

#include "kselftest_harness.h"
#include "enpu_utils.h"

#define PAGE	4096ul
#define MIB	(1024ul * 1024)

static void *map_anon(size_t size, int prot)
{
	return mmap(NULL, size, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
		    -1, 0);
}

/* VmLck of this process in kB (what account_locked_vm() charges). */
static long vm_locked_kb(void)
{
	char line[128];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmLck: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* The first 8 bytes at @va as the device reads them, as hex. */
static int device_peek(int fd, __u64 va, char *hex, size_t len)
{
	char r[96];
	int ret = enpu_translate(fd, va, 8, 'r', r, sizeof(r));

	if (ret)
		return ret;
	if (strncmp(r, "ok ", 3) || !strchr(r + 3, ' '))
		return -EFAULT;
	snprintf(hex, len, "%.16s", strchr(r + 3, ' ') + 1);
	return 0;
}

FIXTURE(userptr) {
	int fd;
};

FIXTURE_SETUP(userptr)
{
	self->fd = enpu_open_device();
	ASSERT_LE(0, self->fd) TH_LOG("no enpu device");
}

FIXTURE_TEARDOWN(userptr)
{
	close(self->fd);
	EXPECT_EQ(0, enpu_objects("bos"));
	EXPECT_EQ(0, enpu_objects("mappings"));
	EXPECT_EQ(0, vm_locked_kb());
}

TEST_F(userptr, pin_and_device_reads)
{
	struct drm_enpu_bo_info info = {};
	__u32 handle = 0;
	char hex[20];
	uint64_t *p;

	p = map_anon(16 * PAGE, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	p[0] = 0x8877665544332211ull;
	p[PAGE / 8] = 0x0123456789abcdefull;

	test_userptr(self->fd, p, 16 * PAGE, 0, &handle);
	EXPECT_EQ(64, vm_locked_kb());
	test_bo_info(self->fd, handle, &info);
	EXPECT_EQ(16 * PAGE, info.size);
	EXPECT_EQ(0, info.mmap_offset);
	EXPECT_EQ(0, info.flags);

	ASSERT_EQ(0, device_peek(self->fd, info.va, hex, sizeof(hex)));
	EXPECT_STREQ("1122334455667788", hex);
	ASSERT_EQ(0, device_peek(self->fd, info.va + PAGE, hex, sizeof(hex)));
	EXPECT_STREQ("efcdab8967452301", hex);

	/* Later CPU writes through the original mapping reach the device. */
	p[0] = 0xa5a5a5a5a5a5a5a5ull;
	ASSERT_EQ(0, device_peek(self->fd, info.va, hex, sizeof(hex)));
	EXPECT_STREQ("a5a5a5a5a5a5a5a5", hex);

	EXPECT_EQ(0, enpu_gem_close(self->fd, handle));
	EXPECT_EQ(0, vm_locked_kb());
	munmap(p, 16 * PAGE);
}

TEST_F(userptr, no_mmap_no_export)
{
	struct drm_prime_handle prime = { .flags = DRM_CLOEXEC };
	__u32 handle = 0;
	void *p = map_anon(PAGE, PROT_READ | PROT_WRITE);

	ASSERT_NE(MAP_FAILED, p);
	test_userptr(self->fd, p, PAGE, 0, &handle);
	prime.handle = handle;
	EXPECT_EQ(-1, ioctl(self->fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &prime));
	EXPECT_EQ(EOPNOTSUPP, errno);
	munmap(p, PAGE);
}

TEST_F(userptr, range_errors)
{
	char *p = map_anon(4 * PAGE, PROT_READ | PROT_WRITE);

	ASSERT_NE(MAP_FAILED, p);
	test_err_userptr(EINVAL, self->fd, p + 1, PAGE, 0);
	test_err_userptr(EINVAL, self->fd, p, PAGE + 1, 0);
	test_err_userptr(EINVAL, self->fd, p, 100, 0);
	test_err_userptr(EINVAL, self->fd, p, 0, 0);
	test_err_userptr(EINVAL, self->fd, p, PAGE, 0x2);
	test_err_userptr(EINVAL, self->fd, (void *)(uintptr_t)(~0ul & ~(PAGE - 1)),
			 2 * PAGE, 0);
	test_err_userptr(EINVAL, self->fd, (void *)(uintptr_t)0xffff888000000000ul,
			 PAGE, 0);
	test_err_userptr(EINVAL, self->fd, p, DRM_ENPU_BO_MAX_SIZE + PAGE, 0);
	EXPECT_EQ(0, enpu_objects("bos"));
	EXPECT_EQ(0, vm_locked_kb());
	munmap(p, 4 * PAGE);
}

TEST_F(userptr, fault_errors)
{
	char *p = map_anon(4 * PAGE, PROT_READ | PROT_WRITE);
	struct drm_enpu_bo_info info = {};
	__u32 handle = 0;
	char r[96];

	ASSERT_NE(MAP_FAILED, p);

	/* PROT_NONE, and a hole in the middle of the range. */
	ASSERT_EQ(0, mprotect(p, PAGE, PROT_NONE));
	test_err_userptr(EFAULT, self->fd, p, PAGE, 0);
	test_err_userptr(EFAULT, self->fd, p, PAGE, DRM_ENPU_BO_DEVICE_READ_ONLY);
	ASSERT_EQ(0, munmap(p + 2 * PAGE, PAGE));
	test_err_userptr(EFAULT, self->fd, p + PAGE, 3 * PAGE, 0);
	EXPECT_EQ(0, vm_locked_kb());

	/* Read-only memory: only a read-only pin works, and the device cannot write. */
	ASSERT_EQ(0, mprotect(p + PAGE, PAGE, PROT_READ));
	test_err_userptr(EFAULT, self->fd, p + PAGE, PAGE, 0);
	test_userptr(self->fd, p + PAGE, PAGE, DRM_ENPU_BO_DEVICE_READ_ONLY, &handle);
	test_bo_info(self->fd, handle, &info);
	EXPECT_EQ(DRM_ENPU_BO_DEVICE_READ_ONLY, info.flags);
	ASSERT_EQ(0, enpu_translate(self->fd, info.va, 4, 'w', r, sizeof(r)));
	EXPECT_STREQ("fault: write to a read-only page\n", r);
	EXPECT_EQ(0, enpu_gem_close(self->fd, handle));

	EXPECT_EQ(0, enpu_objects("bos"));
	EXPECT_EQ(0, vm_locked_kb());
	munmap(p, 4 * PAGE);
}

TEST_F(userptr, memfd_shared_mapping)
{
	__u32 handle = 0;
	int memfd = memfd_create("enpu-userptr", 0);
	void *p;

	ASSERT_LE(0, memfd);
	ASSERT_EQ(0, ftruncate(memfd, 4 * PAGE));
	p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	ASSERT_NE(MAP_FAILED, p);
	test_userptr(self->fd, p, 4 * PAGE, 0, &handle);
	EXPECT_EQ(0, enpu_gem_close(self->fd, handle));
	munmap(p, 4 * PAGE);
	close(memfd);
}

TEST_F(userptr, fork_keeps_the_pin)
{
	struct drm_enpu_bo_info info = {};
	__u32 handle = 0;
	uint64_t *p;
	char hex[20];
	int status;
	pid_t pid;

	p = map_anon(PAGE, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	p[0] = 0x1111111111111111ull;
	test_userptr(self->fd, p, PAGE, 0, &handle);
	test_bo_info(self->fd, handle, &info);

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		p[0] = 0x2222222222222222ull;	/* the child's copy */
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, device_peek(self->fd, info.va, hex, sizeof(hex)));
	EXPECT_STREQ("1111111111111111", hex);

	p[0] = 0x3333333333333333ull;	/* the parent still owns the pinned page */
	ASSERT_EQ(0, device_peek(self->fd, info.va, hex, sizeof(hex)));
	EXPECT_STREQ("3333333333333333", hex);
	munmap(p, PAGE);
}

/*
 * Steps of the unprivileged memlock check; the child exits with the
 * number of the first step that went wrong.
 */
static int memlock_child(int fd)
{
	struct rlimit lim = { .rlim_cur = MIB, .rlim_max = MIB };
	char *a = map_anon(MIB, PROT_READ | PROT_WRITE);
	char *b = map_anon(PAGE, PROT_READ | PROT_WRITE);
	__u32 handle = 0;

	if (a == MAP_FAILED || b == MAP_FAILED)
		return 1;
	if (setrlimit(RLIMIT_MEMLOCK, &lim) || setgroups(0, NULL) ||
	    setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
		return 2;
	if (_enpu_userptr(fd, a, MIB, 0, &handle))
		return 3;
	if (_enpu_userptr(fd, b, PAGE, 0, NULL) != -ENOMEM)
		return 4;
	if (enpu_gem_close(fd, handle))
		return 5;
	if (_enpu_userptr(fd, b, PAGE, 0, NULL))
		return 6;
	if (_enpu_userptr(fd, a, MIB, 0, NULL) != -ENOMEM)
		return 7;
	return 0;
}

TEST_F(userptr, memlock_limit_unprivileged)
{
	int status;
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (!pid)
		_exit(memlock_child(self->fd));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("failed at step %d", WEXITSTATUS(status));
}

TEST_F(userptr, memlock_root_not_limited)
{
	struct rlimit lim = { .rlim_cur = MIB, .rlim_max = MIB };
	char *a = map_anon(4 * MIB, PROT_READ | PROT_WRITE);
	__u32 handle = 0;

	ASSERT_NE(MAP_FAILED, a);
	ASSERT_EQ(0, setrlimit(RLIMIT_MEMLOCK, &lim));	/* this test's child only */
	test_userptr(self->fd, a, 4 * MIB, 0, &handle);
	EXPECT_EQ(4096, vm_locked_kb());
	EXPECT_EQ(0, enpu_gem_close(self->fd, handle));
	munmap(a, 4 * MIB);
}

/* A child pins through its own file, hands the file over and exits. */
TEST_F(userptr, released_after_the_pinner_exits)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = {}, c;
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;
	int sv[2], status, got;
	pid_t pid;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		void *p = map_anon(8 * PAGE, PROT_READ | PROT_WRITE);
		int fd = enpu_open_device();

		if (fd < 0 || p == MAP_FAILED || _enpu_userptr(fd, p, 8 * PAGE, 0, NULL))
			_exit(1);
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
		_exit(sendmsg(sv[1], &msg, 0) == 1 ? 0 : 2);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(1, recvmsg(sv[0], &msg, 0));
	cm = CMSG_FIRSTHDR(&msg);
	ASSERT_NE(NULL, cm);
	memcpy(&got, CMSG_DATA(cm), sizeof(int));

	/* The pinner is gone; its buffer lives on until this last close. */
	EXPECT_EQ(1, enpu_objects("bos"));
	close(got);
	EXPECT_EQ(0, enpu_objects("bos"));
	close(sv[0]);
	close(sv[1]);
}

TEST_HARNESS_MAIN
