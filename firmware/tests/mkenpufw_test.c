// SPDX-License-Identifier: MIT
/*
 * Tests of the mkenpufw host tool.
 *
 * Environment:
 *   MKENPUFW     path of the mkenpufw binary under test
 *   ENPU_FW_SRC  path of the default image source (firmware/enpu-fw.src)
 *
 * mkenpufw runs via fork() + execv() with stdout and stderr captured in
 * unlinked temporary files.  Every file a test creates (in $TMPDIR, else
 * /tmp) is removed before the test checks any result, so a failing
 * assertion leaves nothing behind.
 *
 * The images are decoded byte by byte with a bitwise CRC-32 written
 * independently of mkenpufw's table-driven one.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * The harness's callbacks, including the wrapper every TEST() expands to,
 * have parameters they do not use; -Wextra would reject them.
 */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#include "enpu_fw_format.h"

#define HDR_SIZE	sizeof(struct enpu_fw_header)
#define OPP_SIZE	sizeof(struct enpu_fw_opp)
#define HDR_OFF(field)	offsetof(struct enpu_fw_header, field)
#define OPP_OFF(i, field) \
	(HDR_SIZE + (i) * OPP_SIZE + offsetof(struct enpu_fw_opp, field))

/* Default source: enpu-fw.src has 5 OPPs. */
#define DEFAULT_NUM_OPPS	5u
#define DEFAULT_IMAGE_SIZE	(HDR_SIZE + DEFAULT_NUM_OPPS * OPP_SIZE)

struct run_result {
	int status;		/* exit code; -1 if killed by a signal */
	char out[4096];		/* captured stdout */
	char err[4096];		/* captured stderr */
	bool have_img;		/* the output file exists */
	bool tmp_left;		/* OUT.tmp was left behind */
	size_t img_len;		/* size of the output file */
	uint8_t img[1024];	/* its first bytes */
};

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

/* CRC-32 (IEEE 802.3), one bit at a time. */
static uint32_t crc32_bitwise(const uint8_t *p, size_t len)
{
	uint32_t crc = 0xFFFFFFFFu;
	int bit;

	while (len--) {
		crc ^= *p++;
		for (bit = 0; bit < 8; bit++) {
			if (crc & 1)
				crc = (crc >> 1) ^ 0xEDB88320u;
			else
				crc >>= 1;
		}
	}
	return ~crc;
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 |
	       (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_le64(const uint8_t *p)
{
	return (uint64_t)get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint32_t image_crc(const uint8_t *img, size_t len)
{
	return crc32_bitwise(img + ENPU_FW_CRC_OFFSET,
			     len - ENPU_FW_CRC_OFFSET);
}

static void swap_le32(uint8_t *a, uint8_t *b)
{
	uint32_t t = get_le32(a);

	put_le32(a, get_le32(b));
	put_le32(b, t);
}

static const char *tmp_dir(void)
{
	const char *d = getenv("TMPDIR");

	return d && *d ? d : "/tmp";
}

static const char *need_env(struct __test_metadata *_metadata,
			    const char *name)
{
	const char *v = getenv(name);

	if (!v || !*v) {
		TH_LOG("environment variable %s is not set; set MKENPUFW to the mkenpufw binary and ENPU_FW_SRC to firmware/enpu-fw.src",
		       name);
		ASSERT_TRUE(false);
	}
	return v;
}

/* True if @s is exactly one non-empty line ending in '\n'. */
static bool one_line(const char *s)
{
	size_t len = strlen(s);

	return len > 1 && s[len - 1] == '\n' && strchr(s, '\n') == s + len - 1;
}

static bool starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* An already unlinked temporary file to capture output in. */
static int capture_fd(void)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/mkenpufw-test-cap-XXXXXX",
		 tmp_dir());
	fd = mkstemp(path);
	if (fd >= 0)
		unlink(path);
	return fd;
}

static void read_capture(int fd, char *buf, size_t size)
{
	ssize_t n = pread(fd, buf, size - 1, 0);

	buf[n > 0 ? n : 0] = '\0';
}

/* Run @argv (argv[0] is the binary); returns 0, or -1 with errno set. */
static int run_tool(char *const argv[], struct run_result *r)
{
	int outfd = capture_fd(), errfd = capture_fd();
	int status, ret = -1, err;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	r->status = -1;
	if (outfd < 0 || errfd < 0)
		goto out;
	pid = fork();
	if (pid < 0)
		goto out;
	if (pid == 0) {
		if (dup2(outfd, STDOUT_FILENO) < 0 ||
		    dup2(errfd, STDERR_FILENO) < 0)
			_exit(126);
		execv(argv[0], argv);
		dprintf(STDERR_FILENO, "exec %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			goto out;
	if (WIFEXITED(status))
		r->status = WEXITSTATUS(status);
	read_capture(outfd, r->out, sizeof(r->out));
	read_capture(errfd, r->err, sizeof(r->err));
	ret = 0;
out:
	err = errno;
	if (outfd >= 0)
		close(outfd);
	if (errfd >= 0)
		close(errfd);
	errno = err;
	return ret;
}

static void slurp(const char *path, struct run_result *r)
{
	struct stat st;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (!fstat(fd, &st)) {
		r->have_img = true;
		r->img_len = (size_t)st.st_size;
		n = read(fd, r->img, sizeof(r->img));
		if (n < 0)
			r->have_img = false;
	}
	close(fd);
}

/*
 * Run "mkenpufw -o DIR/out.bin [--defect=@defect] @src" in a fresh
 * temporary directory, collect the output file and remove everything.
 */
static int build(const char *tool, const char *src, const char *defect,
		 struct run_result *r)
{
	char dir[PATH_MAX], out[PATH_MAX + 16], tmp[PATH_MAX + 32];
	char defect_arg[64];
	char *argv[6];
	int n = 0, ret, err;

	snprintf(dir, sizeof(dir), "%s/mkenpufw-test-XXXXXX", tmp_dir());
	if (!mkdtemp(dir))
		return -1;
	snprintf(out, sizeof(out), "%s/out.bin", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", out);

	argv[n++] = (char *)tool;
	argv[n++] = "-o";
	argv[n++] = out;
	if (defect) {
		snprintf(defect_arg, sizeof(defect_arg), "--defect=%s", defect);
		argv[n++] = defect_arg;
	}
	argv[n++] = (char *)src;
	argv[n] = NULL;

	ret = run_tool(argv, r);
	err = errno;
	if (!ret) {
		slurp(out, r);
		r->tmp_left = access(tmp, F_OK) == 0;
	}
	unlink(out);
	unlink(tmp);
	rmdir(dir);
	errno = err;
	return ret;
}

/* Write @text to a new temporary source file; @path receives its name. */
static int write_source(char *path, size_t size, const char *text)
{
	size_t len = strlen(text);
	int fd, err;

	snprintf(path, size, "%s/mkenpufw-test-src-XXXXXX", tmp_dir());
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	if (write(fd, text, len) != (ssize_t)len || close(fd)) {
		err = errno;
		unlink(path);
		errno = err ? err : EIO;
		return -1;
	}
	return 0;
}

/* Build an image from source text; the source file is removed again. */
static void build_text(struct __test_metadata *_metadata, const char *text,
		       const char *defect, char *src_path, size_t size,
		       struct run_result *r)
{
	const char *tool = need_env(_metadata, "MKENPUFW");
	int ret;

	ASSERT_EQ(0, write_source(src_path, size, text))
		TH_LOG("cannot create a source in %s: %s", tmp_dir(),
		       strerror(errno));
	ret = build(tool, src_path, defect, r);
	unlink(src_path);
	ASSERT_EQ(0, ret) TH_LOG("cannot run %s: %s", tool, strerror(errno));
}

/* Build the default source (ENPU_FW_SRC) and expect success. */
static void build_default(struct __test_metadata *_metadata,
			  const char *defect, struct run_result *r)
{
	const char *tool = need_env(_metadata, "MKENPUFW");
	const char *src = need_env(_metadata, "ENPU_FW_SRC");

	ASSERT_EQ(0, build(tool, src, defect, r))
		TH_LOG("cannot run %s: %s", tool, strerror(errno));
	ASSERT_EQ(0, r->status) TH_LOG("stderr: %s", r->err);
	ASSERT_STREQ("", r->err);
	ASSERT_TRUE(r->have_img);
	ASSERT_FALSE(r->tmp_left);
	ASSERT_GE(sizeof(r->img), r->img_len);
}

/* ------------------------------------------------------------------ */
/* Test sources                                                        */
/* ------------------------------------------------------------------ */

/* A valid source; comments give the line numbers the tests rely on. */
static const char *const base_lines[] = {
	"name = test-fw",					/*  1 */
	"fw_version = 1.2.3",					/*  2 */
	"isa_version = 1",					/*  3 */
	"cores = 2",						/*  4 */
	"capabilities = spin dma gemm conv2d depthwise pool add", /*  5 */
	"macs_per_cycle = gemm:256 conv:128 eltwise:64 dma:32",	/*  6 */
	"op_overhead_cycles = 32",				/*  7 */
	"static_power_mw = 150",				/*  8 */
	"thermal_r_mc_per_w = 20000",				/*  9 */
	"thermal_c_mj_per_c = 500",				/* 10 */
	"ambient_mc = 25000",					/* 11 */
	"trip_passive_on_mc = 55000",				/* 12 */
	"trip_passive_mc = 65000",				/* 13 */
	"trip_hot_mc = 85000",					/* 14 */
	"trip_critical_mc = 100000",				/* 15 */
	"opp = 200000 600000 250",				/* 16 */
	"opp = 400000 650000 600",				/* 17 */
	"opp = 600000 700000 1100",				/* 18 */
};

#define NUM_BASE_LINES	(sizeof(base_lines) / sizeof(base_lines[0]))

/*
 * The base source with line @line (1-based; 0 for none) replaced by @text,
 * which may span several lines or be empty.
 */
static void base_source(char *buf, size_t size, unsigned int line,
			const char *text)
{
	size_t used = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < NUM_BASE_LINES; i++)
		used += (size_t)snprintf(buf + used, size - used, "%s\n",
					 i + 1 == line ? text : base_lines[i]);
}

/*
 * Replace line @line of the base source by @text and expect mkenpufw to
 * fail with exactly one "SOURCE:@expect_line:" line on stderr.
 */
static void expect_bad(struct __test_metadata *_metadata, unsigned int line,
		       const char *text, unsigned int expect_line)
{
	char source[8192], path[PATH_MAX], prefix[PATH_MAX + 32];
	struct run_result r;

	base_source(source, sizeof(source), line, text);
	build_text(_metadata, source, NULL, path, sizeof(path), &r);
	snprintf(prefix, sizeof(prefix), "%s:%u: ", path, expect_line);

	EXPECT_EQ(1, r.status) TH_LOG("line %u = '%s'", line, text);
	EXPECT_TRUE(one_line(r.err))
		TH_LOG("line %u = '%s': stderr '%s'", line, text, r.err);
	EXPECT_TRUE(starts_with(r.err, prefix))
		TH_LOG("line %u = '%s': expected '%s...', got '%s'", line,
		       text, prefix, r.err);
	EXPECT_FALSE(r.have_img);
	EXPECT_FALSE(r.tmp_left);
}

/* Blank out the line of @key and expect "SOURCE: missing key '@key'". */
static void expect_missing(struct __test_metadata *_metadata,
			   const char *source, const char *key)
{
	char path[PATH_MAX], want[PATH_MAX + 64];
	struct run_result r;

	build_text(_metadata, source, NULL, path, sizeof(path), &r);
	snprintf(want, sizeof(want), "%s: missing key '%s'\n", path, key);

	EXPECT_EQ(1, r.status);
	EXPECT_STREQ(want, r.err);
	EXPECT_FALSE(r.have_img);
}

/* ------------------------------------------------------------------ */
/* Valid sources                                                       */
/* ------------------------------------------------------------------ */

TEST(crc32_reference)
{
	static const uint8_t check[] = "123456789";

	/* The standard check value of CRC-32/ISO-HDLC (zlib's crc32). */
	ASSERT_EQ(0xCBF43926u, crc32_bitwise(check, sizeof(check) - 1));
}

TEST(default_source)
{
	static const uint32_t opps[DEFAULT_NUM_OPPS][3] = {
		{ 200000, 600000, 250 },
		{ 400000, 650000, 600 },
		{ 600000, 700000, 1100 },
		{ 800000, 800000, 1900 },
		{ 1000000, 900000, 3000 },
	};
	static const int32_t trips[ENPU_FW_TRIP_COUNT] = {
		55000, 65000, 85000, 100000,
	};
	char name[ENPU_FW_NAME_LEN] = "enpu-sim";
	struct run_result r;
	const uint8_t *img = r.img;
	unsigned int i;

	build_default(_metadata, NULL, &r);

	ASSERT_EQ(DEFAULT_IMAGE_SIZE, r.img_len);
	EXPECT_EQ(ENPU_FW_MAGIC, get_le32(img + HDR_OFF(magic)));
	EXPECT_EQ(0, memcmp(img, "ENPU", 4));
	EXPECT_EQ(ENPU_FW_FORMAT_VERSION,
		  get_le32(img + HDR_OFF(format_version)));
	EXPECT_EQ(image_crc(img, r.img_len), get_le32(img + HDR_OFF(crc32)));
	EXPECT_EQ(HDR_SIZE, get_le32(img + HDR_OFF(header_size)));
	EXPECT_EQ(DEFAULT_IMAGE_SIZE, get_le32(img + HDR_OFF(image_size)));
	EXPECT_EQ(0x010000u, get_le32(img + HDR_OFF(fw_version)));
	EXPECT_EQ(1u, get_le32(img + HDR_OFF(isa_version)));
	EXPECT_EQ(2u, get_le32(img + HDR_OFF(num_cores)));
	EXPECT_EQ(0x7Full, get_le64(img + HDR_OFF(capabilities)));
	EXPECT_EQ(DEFAULT_NUM_OPPS, get_le32(img + HDR_OFF(num_opps)));
	EXPECT_EQ(HDR_SIZE, get_le32(img + HDR_OFF(opp_offset)));
	EXPECT_EQ(256u, get_le32(img + HDR_OFF(macs_per_cycle) +
				 4 * ENPU_FW_OPC_GEMM));
	EXPECT_EQ(256u, get_le32(img + HDR_OFF(macs_per_cycle) +
				 4 * ENPU_FW_OPC_CONV));
	EXPECT_EQ(64u, get_le32(img + HDR_OFF(macs_per_cycle) +
				4 * ENPU_FW_OPC_ELTWISE));
	EXPECT_EQ(64u, get_le32(img + HDR_OFF(macs_per_cycle) +
				4 * ENPU_FW_OPC_DMA));
	EXPECT_EQ(32u, get_le32(img + HDR_OFF(op_overhead_cycles)));
	EXPECT_EQ(150u, get_le32(img + HDR_OFF(static_power_mw)));
	EXPECT_EQ(20000u, get_le32(img + HDR_OFF(thermal_r_mc_per_w)));
	EXPECT_EQ(500u, get_le32(img + HDR_OFF(thermal_c_mj_per_c)));
	EXPECT_EQ(25000, (int32_t)get_le32(img + HDR_OFF(ambient_mc)));
	for (i = 0; i < ENPU_FW_TRIP_COUNT; i++)
		EXPECT_EQ(trips[i],
			  (int32_t)get_le32(img + HDR_OFF(trip_mc) + 4 * i));
	EXPECT_EQ(0, memcmp(name, img + HDR_OFF(name), sizeof(name)));
	for (i = 0; i < 3; i++)
		EXPECT_EQ(0u, get_le32(img + HDR_OFF(reserved) + 4 * i));
	for (i = 0; i < DEFAULT_NUM_OPPS; i++) {
		EXPECT_EQ(opps[i][0], get_le32(img + OPP_OFF(i, freq_khz)));
		EXPECT_EQ(opps[i][1], get_le32(img + OPP_OFF(i, volt_uv)));
		EXPECT_EQ(opps[i][2], get_le32(img + OPP_OFF(i, power_mw)));
		EXPECT_EQ(0u, get_le32(img + OPP_OFF(i, reserved)));
	}
}

TEST(base_source_builds)
{
	char source[8192], path[PATH_MAX];
	struct run_result r;

	base_source(source, sizeof(source), 0, NULL);
	build_text(_metadata, source, NULL, path, sizeof(path), &r);
	ASSERT_EQ(0, r.status) TH_LOG("stderr: %s", r.err);
	ASSERT_EQ(HDR_SIZE + 3 * OPP_SIZE, r.img_len);
	EXPECT_EQ(0x010203u, get_le32(r.img + HDR_OFF(fw_version)));
	EXPECT_EQ(32u, get_le32(r.img + HDR_OFF(macs_per_cycle) +
				4 * ENPU_FW_OPC_DMA));
	EXPECT_EQ(image_crc(r.img, r.img_len),
		  get_le32(r.img + HDR_OFF(crc32)));
	EXPECT_STREQ("test-fw", (const char *)r.img + HDR_OFF(name));
}

TEST(comments_and_blank_lines)
{
	/* The base source in other clothes: same image expected. */
	static const char decorated[] =
		"# SPDX-License-Identifier: MIT\n"
		"\n"
		"   \t \n"
		"  # indented comment = with an equals sign\n"
		"name=test-fw# comment right after the value\n"
		"\tfw_version\t=\t1.2.3\t\n"
		"isa_version = 1   # trailing comment\n"
		"cores = 2\r\n"
		"capabilities =   add pool depthwise conv2d gemm dma spin\n"
		"\n"
		"macs_per_cycle = dma:32   eltwise:64\tconv:128 gemm:256\n"
		"op_overhead_cycles = 32\n"
		"#static_power_mw = 999\n"
		"static_power_mw = 150\n"
		"thermal_r_mc_per_w = 20000\n"
		"thermal_c_mj_per_c = 500\n"
		"ambient_mc = 25000\n"
		"trip_passive_on_mc = 55000\n"
		"trip_passive_mc = 65000\n"
		"trip_hot_mc = 85000\n"
		"trip_critical_mc = 100000\n"
		"opp = 200000 600000 250\n"
		"opp =\t400000\t650000\t600 # second\n"
		"#opp = 500000 650000 700\n"
		"opp = 600000 700000 1100";	/* no final newline */
	char source[8192], path[PATH_MAX];
	struct run_result plain, fancy;

	base_source(source, sizeof(source), 0, NULL);
	build_text(_metadata, source, NULL, path, sizeof(path), &plain);
	build_text(_metadata, decorated, NULL, path, sizeof(path), &fancy);

	ASSERT_EQ(0, plain.status) TH_LOG("stderr: %s", plain.err);
	ASSERT_EQ(0, fancy.status) TH_LOG("stderr: %s", fancy.err);
	EXPECT_STREQ("", fancy.err);
	ASSERT_EQ(plain.img_len, fancy.img_len);
	EXPECT_EQ(0, memcmp(plain.img, fancy.img, plain.img_len));
}

/* ------------------------------------------------------------------ */
/* Invalid sources                                                     */
/* ------------------------------------------------------------------ */

TEST(bad_unknown_key)
{
	expect_bad(_metadata, 7, "op_overhead_cycles = 32\nfrobnicate = 1", 8);
	expect_bad(_metadata, 4, "Cores = 2", 4);
	expect_bad(_metadata, 4, "core s = 2", 4);
}

TEST(bad_duplicate_key)
{
	expect_bad(_metadata, 4, "cores = 2\ncores = 2", 5);
	expect_bad(_metadata, 18, "opp = 600000 700000 1100\nname = again",
		   19);
	expect_bad(_metadata, 11, "ambient_mc = 25000\n\n# x\nambient_mc = 1",
		   14);
}

TEST(bad_missing_key)
{
	char source[8192];
	unsigned int i;

	/* Each scalar key in turn, replaced by a blank line. */
	for (i = 0; i < 15; i++) {
		char key[64];

		snprintf(key, sizeof(key), "%.*s",
			 (int)strcspn(base_lines[i], " "), base_lines[i]);
		base_source(source, sizeof(source), i + 1, "");
		expect_missing(_metadata, source, key);
	}

	/* No opp line at all. */
	snprintf(source, sizeof(source), "%s\n", base_lines[0]);
	for (i = 1; i < 15; i++) {
		strcat(source, base_lines[i]);
		strcat(source, "\n");
	}
	expect_missing(_metadata, source, "opp");

	/* An empty file misses the first key. */
	expect_missing(_metadata, "", "name");
}

TEST(bad_malformed_number)
{
	expect_bad(_metadata, 4, "cores = 2x", 4);
	expect_bad(_metadata, 4, "cores = x", 4);
	expect_bad(_metadata, 4, "cores = 0x2", 4);
	expect_bad(_metadata, 4, "cores = +2", 4);
	expect_bad(_metadata, 4, "cores = 2.0", 4);
	expect_bad(_metadata, 4, "cores = -", 4);
	expect_bad(_metadata, 4, "cores = 2 3", 4);
	expect_bad(_metadata, 4, "cores =", 4);
	expect_bad(_metadata, 4, "cores 2", 4);
	expect_bad(_metadata, 4, "= 2", 4);
	expect_bad(_metadata, 11, "ambient_mc = 25000mC", 11);
	expect_bad(_metadata, 6, "macs_per_cycle = gemm:2x conv:1 eltwise:1 dma:1",
		   6);
	expect_bad(_metadata, 6, "macs_per_cycle = gemm: conv:1 eltwise:1 dma:1",
		   6);
	expect_bad(_metadata, 17, "opp = 400000 650000 x600", 17);
	expect_bad(_metadata, 17, "opp = 400000 650000", 17);
	expect_bad(_metadata, 17, "opp = 400000 650000 600 7", 17);
}

TEST(bad_out_of_range)
{
	expect_bad(_metadata, 4, "cores = 0", 4);
	expect_bad(_metadata, 4, "cores = 9", 4);
	expect_bad(_metadata, 4, "cores = -1", 4);
	expect_bad(_metadata, 4, "cores = 99999999999999999999999999", 4);
	expect_bad(_metadata, 3, "isa_version = 0", 3);
	expect_bad(_metadata, 3, "isa_version = 65536", 3);
	expect_bad(_metadata, 7, "op_overhead_cycles = 1000001", 7);
	expect_bad(_metadata, 8, "static_power_mw = 100001", 8);
	expect_bad(_metadata, 9, "thermal_r_mc_per_w = 0", 9);
	expect_bad(_metadata, 10, "thermal_c_mj_per_c = 1000001", 10);
	expect_bad(_metadata, 11, "ambient_mc = -40001", 11);
	expect_bad(_metadata, 11, "ambient_mc = 60001", 11);
	expect_bad(_metadata, 15, "trip_critical_mc = 150001", 15);
	expect_bad(_metadata, 6, "macs_per_cycle = gemm:1 conv:1 eltwise:1 dma:0",
		   6);
	expect_bad(_metadata, 6, "macs_per_cycle = gemm:1000001 conv:1 eltwise:1 dma:1",
		   6);
	expect_bad(_metadata, 16, "opp = 0 600000 250", 16);
	expect_bad(_metadata, 18, "opp = 10000001 700000 1100", 18);
	expect_bad(_metadata, 18, "opp = 600000 2000001 1100", 18);
	expect_bad(_metadata, 18, "opp = 600000 700000 100001", 18);
}

TEST(bad_fw_version)
{
	expect_bad(_metadata, 2, "fw_version = 1.2", 2);
	expect_bad(_metadata, 2, "fw_version = 1.2.3.4", 2);
	expect_bad(_metadata, 2, "fw_version = 1.2.256", 2);
	expect_bad(_metadata, 2, "fw_version = 1..3", 2);
	expect_bad(_metadata, 2, "fw_version = a.b.c", 2);
	expect_bad(_metadata, 2, "fw_version = -1.2.3", 2);
	expect_bad(_metadata, 2, "fw_version = 1.2.3x", 2);
	expect_bad(_metadata, 2, "fw_version = 1.2.3 4", 2);
	expect_bad(_metadata, 2, "fw_version = 3", 2);
	expect_bad(_metadata, 2, "fw_version = 0.0.0", 2);
}

TEST(bad_unknown_capability)
{
	expect_bad(_metadata, 5, "capabilities = spin dma teleport", 5);
	expect_bad(_metadata, 5, "capabilities = GEMM", 5);
	expect_bad(_metadata, 5, "capabilities = spin,dma", 5);
	expect_bad(_metadata, 5, "capabilities = spin spin", 5);
}

TEST(bad_incomplete_macs)
{
	expect_bad(_metadata, 6, "macs_per_cycle = gemm:256 conv:128 eltwise:64",
		   6);
	expect_bad(_metadata, 6, "macs_per_cycle = gemm:256", 6);
	expect_bad(_metadata, 6, "macs_per_cycle = gemm:1 conv:1 eltwise:1 dma:1 gemm:1",
		   6);
	expect_bad(_metadata, 6, "macs_per_cycle = gemm:1 conv:1 eltwise:1 fpu:1",
		   6);
	expect_bad(_metadata, 6, "macs_per_cycle = 256 256 64 64", 6);
}

TEST(bad_too_many_opps)
{
	char opps[4096], source[8192], path[PATH_MAX];
	struct run_result r;
	size_t used;
	unsigned int i;

	/* Line 18 holds the third OPP; add 14 more: the 17th is on line 32. */
	used = (size_t)snprintf(opps, sizeof(opps), "%s", base_lines[17]);
	for (i = 4; i <= ENPU_FW_MAX_OPPS + 1; i++)
		used += (size_t)snprintf(opps + used, sizeof(opps) - used,
					 "\nopp = %u 700000 %u", i * 200000,
					 i * 1000);
	expect_bad(_metadata, 18, opps, 32);

	/* Exactly the maximum is fine. */
	*strrchr(opps, '\n') = '\0';
	base_source(source, sizeof(source), 18, opps);
	build_text(_metadata, source, NULL, path, sizeof(path), &r);
	ASSERT_EQ(0, r.status) TH_LOG("stderr: %s", r.err);
	EXPECT_EQ(HDR_SIZE + ENPU_FW_MAX_OPPS * OPP_SIZE, r.img_len);
	EXPECT_EQ(ENPU_FW_MAX_OPPS, get_le32(r.img + HDR_OFF(num_opps)));
}

TEST(bad_opp_freq_order)
{
	expect_bad(_metadata, 17, "opp = 200000 650000 600", 17);
	expect_bad(_metadata, 18, "opp = 300000 700000 1100", 18);
	expect_bad(_metadata, 16, "opp = 500000 600000 250", 17);
}

TEST(bad_opp_power_order)
{
	expect_bad(_metadata, 18, "opp = 600000 700000 600", 18);
	expect_bad(_metadata, 17, "opp = 400000 650000 100", 17);
	/* Voltage may stay the same but not go down. */
	expect_bad(_metadata, 18, "opp = 600000 640000 1100", 18);
}

TEST(bad_trip_order)
{
	expect_bad(_metadata, 14, "trip_hot_mc = 60000", 14);
	expect_bad(_metadata, 13, "trip_passive_mc = 55000", 13);
	expect_bad(_metadata, 15, "trip_critical_mc = 85000", 15);
	expect_bad(_metadata, 12, "trip_passive_on_mc = 70000", 13);
}

TEST(bad_trip_below_ambient)
{
	expect_bad(_metadata, 12, "trip_passive_on_mc = 20000", 12);
	expect_bad(_metadata, 12, "trip_passive_on_mc = 25000", 12);
	expect_bad(_metadata, 12, "trip_passive_on_mc = -1000", 12);
	/* The trip line is blamed even when ambient comes later. */
	expect_bad(_metadata, 11, "ambient_mc = 60000", 12);
}

TEST(bad_name)
{
	expect_bad(_metadata, 1, "name = bad name", 1);
	expect_bad(_metadata, 1, "name = a/b", 1);
	expect_bad(_metadata, 1, "name = caf\xc3\xa9", 1);
	expect_bad(_metadata, 1, "name = \"quoted\"", 1);
	expect_bad(_metadata, 1, "name = abcdefghijklmnopqrstuvwxyz012345", 1);
	expect_bad(_metadata, 1, "name =", 1);
}

TEST(name_at_limit)
{
	char source[8192], path[PATH_MAX];
	struct run_result r;

	base_source(source, sizeof(source), 1,
		    "name = A.b_c-0123456789012345678901234");
	build_text(_metadata, source, NULL, path, sizeof(path), &r);
	ASSERT_EQ(0, r.status) TH_LOG("stderr: %s", r.err);
	EXPECT_EQ(0, memcmp("A.b_c-0123456789012345678901234",
			    r.img + HDR_OFF(name), ENPU_FW_NAME_LEN));
}

/* ------------------------------------------------------------------ */
/* Defects                                                             */
/* ------------------------------------------------------------------ */

/*
 * Build the default image with --defect=@kind and compare it to
 * @expect, which the test derived from the valid image itself.
 */
static void expect_defect(struct __test_metadata *_metadata,
			  const char *kind, const uint8_t *expect, size_t len)
{
	struct run_result r;
	size_t i;

	build_default(_metadata, kind, &r);
	ASSERT_EQ(len, r.img_len);
	for (i = 0; i < len; i++)
		ASSERT_EQ(expect[i], r.img[i]) TH_LOG("%s: byte %zu", kind, i);
}

/* Build the valid default image into @r; returns its size. */
static size_t valid_default(struct __test_metadata *_metadata,
			    struct run_result *r)
{
	build_default(_metadata, NULL, r);
	ASSERT_EQ(DEFAULT_IMAGE_SIZE, r->img_len);
	return r->img_len;
}

static void fix_crc(uint8_t *img, size_t len)
{
	put_le32(img + HDR_OFF(crc32), image_crc(img, len));
}

TEST(defect_bad_magic)
{
	struct run_result valid;
	size_t len = valid_default(_metadata, &valid);
	uint8_t *img = valid.img;

	put_le32(img + HDR_OFF(magic), ENPU_FW_MAGIC ^ 1);
	fix_crc(img, len);
	expect_defect(_metadata, "bad-magic", img, len);
	EXPECT_NE(ENPU_FW_MAGIC, get_le32(img + HDR_OFF(magic)));
	EXPECT_EQ(image_crc(img, len), get_le32(img + HDR_OFF(crc32)));
}

TEST(defect_bad_crc)
{
	struct run_result valid;
	size_t len = valid_default(_metadata, &valid);
	uint8_t *img = valid.img;

	put_le32(img + HDR_OFF(crc32), image_crc(img, len) ^ 1);
	expect_defect(_metadata, "bad-crc", img, len);
}

TEST(defect_truncated_header)
{
	struct run_result valid;
	size_t len = valid_default(_metadata, &valid);
	uint8_t *img = valid.img;

	ASSERT_LT(40u, len);
	expect_defect(_metadata, "truncated-header", img, 40);
}

TEST(defect_truncated_body)
{
	struct run_result valid;
	size_t len = valid_default(_metadata, &valid);
	uint8_t *img = valid.img;

	/* The header still claims the full size. */
	EXPECT_EQ(len, get_le32(img + HDR_OFF(image_size)));
	expect_defect(_metadata, "truncated-body", img, len - 8);
}

TEST(defect_bad_format)
{
	struct run_result valid;
	size_t len = valid_default(_metadata, &valid);
	uint8_t *img = valid.img;

	put_le32(img + HDR_OFF(format_version), 99);
	fix_crc(img, len);
	expect_defect(_metadata, "bad-format", img, len);
}

TEST(defect_zero_cores)
{
	struct run_result valid;
	size_t len = valid_default(_metadata, &valid);
	uint8_t *img = valid.img;

	put_le32(img + HDR_OFF(num_cores), 0);
	fix_crc(img, len);
	expect_defect(_metadata, "zero-cores", img, len);
}

TEST(defect_opp_order)
{
	struct run_result valid;
	size_t len = valid_default(_metadata, &valid);
	uint8_t *img = valid.img;

	swap_le32(img + OPP_OFF(0, freq_khz), img + OPP_OFF(1, freq_khz));
	fix_crc(img, len);
	EXPECT_GT(get_le32(img + OPP_OFF(0, freq_khz)),
		  get_le32(img + OPP_OFF(1, freq_khz)));
	expect_defect(_metadata, "opp-order", img, len);
}

TEST(defect_opp_order_needs_two_opps)
{
	char source[8192], path[PATH_MAX];
	struct run_result r;
	char *second;

	base_source(source, sizeof(source), 0, NULL);
	second = strstr(source, "opp = 400000");
	ASSERT_NE(NULL, second);
	*second = '\0';
	build_text(_metadata, source, "opp-order", path, sizeof(path), &r);
	EXPECT_EQ(1, r.status);
	EXPECT_TRUE(one_line(r.err)) TH_LOG("stderr: %s", r.err);
	EXPECT_TRUE(starts_with(r.err, path));
	EXPECT_FALSE(r.have_img);
}

TEST(defect_trip_order)
{
	struct run_result valid;
	size_t len = valid_default(_metadata, &valid);
	uint8_t *img = valid.img;

	swap_le32(img + HDR_OFF(trip_mc) + 4 * ENPU_FW_TRIP_PASSIVE,
		  img + HDR_OFF(trip_mc) + 4 * ENPU_FW_TRIP_HOT);
	fix_crc(img, len);
	expect_defect(_metadata, "trip-order", img, len);
}

TEST(defect_unknown)
{
	const char *tool = need_env(_metadata, "MKENPUFW");
	const char *src = need_env(_metadata, "ENPU_FW_SRC");
	struct run_result r;

	ASSERT_EQ(0, build(tool, src, "bad-everything", &r));
	EXPECT_EQ(2, r.status);
	EXPECT_FALSE(r.have_img);
	EXPECT_NE(NULL, strstr(r.err, "bad-everything"));

	ASSERT_EQ(0, build(tool, src, "", &r));
	EXPECT_EQ(2, r.status);
	EXPECT_FALSE(r.have_img);
}

/* ------------------------------------------------------------------ */
/* Command line and I/O                                                */
/* ------------------------------------------------------------------ */

TEST(unwritable_output)
{
	const char *tool = need_env(_metadata, "MKENPUFW");
	const char *src = need_env(_metadata, "ENPU_FW_SRC");
	char file[PATH_MAX], out[PATH_MAX + 16];
	char *argv[] = { (char *)tool, "-o", out, (char *)src, NULL };
	struct run_result r;
	int fd, ret;

	/* A path below a regular file fails with ENOTDIR, even for root. */
	snprintf(file, sizeof(file), "%s/mkenpufw-test-file-XXXXXX",
		 tmp_dir());
	fd = mkstemp(file);
	ASSERT_LE(0, fd);
	close(fd);
	snprintf(out, sizeof(out), "%s/x.bin", file);
	ret = run_tool(argv, &r);
	unlink(file);
	ASSERT_EQ(0, ret);

	EXPECT_EQ(3, r.status);
	EXPECT_TRUE(one_line(r.err)) TH_LOG("stderr: %s", r.err);
	EXPECT_NE(NULL, strstr(r.err, out)) TH_LOG("stderr: %s", r.err);
	EXPECT_NE(NULL, strstr(r.err, strerror(ENOTDIR)))
		TH_LOG("stderr: %s", r.err);
}

TEST(output_not_regular_file)
{
	const char *tool = need_env(_metadata, "MKENPUFW");
	const char *src = need_env(_metadata, "ENPU_FW_SRC");
	char dir[PATH_MAX], link[PATH_MAX + 16], target[PATH_MAX + 32];
	char *argv[] = { (char *)tool, "-o", link, (char *)src, NULL };
	struct run_result r;
	bool still_link, target_made;
	struct stat st;
	int ret;

	/* A symlink must not be replaced by the image (nor written through). */
	snprintf(dir, sizeof(dir), "%s/mkenpufw-test-XXXXXX", tmp_dir());
	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(link, sizeof(link), "%s/link.bin", dir);
	snprintf(target, sizeof(target), "%s/target.bin", dir);
	ret = symlink(target, link);
	if (!ret)
		ret = run_tool(argv, &r);
	still_link = !lstat(link, &st) && S_ISLNK(st.st_mode);
	target_made = !access(target, F_OK);
	unlink(link);
	unlink(target);
	snprintf(target, sizeof(target), "%s.tmp", link);
	unlink(target);
	rmdir(dir);
	ASSERT_EQ(0, ret);

	EXPECT_EQ(3, r.status);
	EXPECT_TRUE(one_line(r.err)) TH_LOG("stderr: %s", r.err);
	EXPECT_NE(NULL, strstr(r.err, link));
	EXPECT_TRUE(still_link);
	EXPECT_FALSE(target_made);
}

TEST(missing_source)
{
	const char *tool = need_env(_metadata, "MKENPUFW");
	char path[PATH_MAX];
	struct run_result r;

	snprintf(path, sizeof(path), "%s/mkenpufw-test-no-such-dir-%d/x.src",
		 tmp_dir(), (int)getpid());
	ASSERT_EQ(0, build(tool, path, NULL, &r));
	EXPECT_EQ(3, r.status);
	EXPECT_TRUE(one_line(r.err)) TH_LOG("stderr: %s", r.err);
	EXPECT_NE(NULL, strstr(r.err, path));
	EXPECT_NE(NULL, strstr(r.err, strerror(ENOENT)));
	EXPECT_FALSE(r.have_img);
}

TEST(usage_errors)
{
	const char *tool = need_env(_metadata, "MKENPUFW");
	const char *src = need_env(_metadata, "ENPU_FW_SRC");
	char *no_args[] = { (char *)tool, NULL };
	char *two_sources[] = { (char *)tool, (char *)src, (char *)src, NULL };
	char *no_out[] = { (char *)tool, (char *)src, "-o", NULL };
	char *bad_opt[] = { (char *)tool, "--frobnicate", (char *)src, NULL };
	char *bad_short[] = { (char *)tool, "-x", (char *)src, NULL };
	char **cases[] = { no_args, two_sources, no_out, bad_opt, bad_short };
	struct run_result r;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ASSERT_EQ(0, run_tool(cases[i], &r));
		EXPECT_EQ(2, r.status) TH_LOG("case %zu", i);
		EXPECT_TRUE(starts_with(r.err, "mkenpufw: "))
			TH_LOG("case %zu: stderr: %s", i, r.err);
	}
}

TEST(help)
{
	const char *tool = need_env(_metadata, "MKENPUFW");
	char *argv[] = { (char *)tool, "--help", NULL };
	struct run_result r;

	ASSERT_EQ(0, run_tool(argv, &r));
	EXPECT_EQ(0, r.status);
	EXPECT_STREQ("", r.err);
	EXPECT_TRUE(starts_with(r.out, "Usage: mkenpufw"));
	EXPECT_NE(NULL, strstr(r.out, "Exit status"));
	EXPECT_NE(NULL, strstr(r.out, "--defect=KIND"));
}

TEST_HARNESS_MAIN
