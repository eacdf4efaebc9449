// SPDX-License-Identifier: MIT
/*
 * mkenpufw - build an enpu firmware image from a human-readable source file.
 *
 * Usage: mkenpufw [-o OUT] [--defect=KIND] SOURCE
 *
 * SOURCE holds "key = value" lines; '#' starts a comment (whole-line or
 * trailing) and blank lines are ignored.  firmware/enpu-fw.src is the
 * reference example and lists every key.  The image format is defined in
 * enpu_fw_format.h; all fields are written little-endian.
 *
 * The tool works in three steps: parse the source (syntax and per-value
 * ranges), validate it as a whole (missing keys, trip and OPP ordering),
 * then serialize the image and write it atomically (OUT.tmp, then rename).
 *
 * --defect=KIND deliberately corrupts the image after building it.  It
 * exists only to produce broken images for the driver's tests.
 *
 * Exit status:
 *   0  image written
 *   1  invalid source: one "SOURCE:LINE: message" line on stderr
 *      ("SOURCE: missing key 'KEY'" when a key is absent)
 *   2  usage error
 *   3  I/O error: the message names the file and the system error; also
 *      when OUT exists but is not a regular file (rename() would replace
 *      a device node or symlink instead of writing through it)
 */
#include <ctype.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "enpu_fw_format.h"

#define PROG		"mkenpufw"
#define DEFAULT_OUT	"enpu-fw.bin"
#define ISA_VERSION_MAX	65535

enum exit_code {
	EXIT_OK = 0,
	EXIT_BAD_SOURCE = 1,
	EXIT_USAGE = 2,
	EXIT_IO = 3,
};

#define IMAGE_MAX_SIZE	(sizeof(struct enpu_fw_header) + \
			 ENPU_FW_MAX_OPPS * sizeof(struct enpu_fw_opp))
#define TRUNCATED_HEADER_SIZE	40u
#define TRUNCATED_BODY_CUT	8u

_Static_assert(ENPU_FW_CRC_OFFSET ==
	       offsetof(struct enpu_fw_header, crc32) + 4,
	       "the CRC must cover everything after its own field");
_Static_assert(sizeof(struct enpu_fw_header) % 4 == 0,
	       "the OPP table must be 4-byte aligned");
_Static_assert(TRUNCATED_HEADER_SIZE < sizeof(struct enpu_fw_header),
	       "truncated-header must cut into the header");

/* Capability names; the bits mirror DRM_ENPU_CAP_* in uapi/drm/enpu_accel.h */
static const struct {
	const char *name;
	uint64_t bit;
} cap_names[] = {
	{ "spin",	1ull << 0 },
	{ "dma",	1ull << 1 },
	{ "gemm",	1ull << 2 },
	{ "conv2d",	1ull << 3 },
	{ "depthwise",	1ull << 4 },
	{ "pool",	1ull << 5 },
	{ "add",	1ull << 6 },
};

/* Names of enum enpu_fw_op_class in macs_per_cycle, indexed by class. */
static const char *const op_class_names[ENPU_FW_OPC_COUNT] = {
	[ENPU_FW_OPC_GEMM] = "gemm",
	[ENPU_FW_OPC_CONV] = "conv",
	[ENPU_FW_OPC_ELTWISE] = "eltwise",
	[ENPU_FW_OPC_DMA] = "dma",
};

enum defect {
	DEFECT_NONE,
	DEFECT_BAD_MAGIC,
	DEFECT_BAD_CRC,
	DEFECT_TRUNCATED_HEADER,
	DEFECT_TRUNCATED_BODY,
	DEFECT_BAD_FORMAT,
	DEFECT_ZERO_CORES,
	DEFECT_OPP_ORDER,
	DEFECT_TRIP_ORDER,
	DEFECT_COUNT,
};

static const char *const defect_names[DEFECT_COUNT] = {
	[DEFECT_BAD_MAGIC] = "bad-magic",
	[DEFECT_BAD_CRC] = "bad-crc",
	[DEFECT_TRUNCATED_HEADER] = "truncated-header",
	[DEFECT_TRUNCATED_BODY] = "truncated-body",
	[DEFECT_BAD_FORMAT] = "bad-format",
	[DEFECT_ZERO_CORES] = "zero-cores",
	[DEFECT_OPP_ORDER] = "opp-order",
	[DEFECT_TRIP_ORDER] = "trip-order",
};

/* ------------------------------------------------------------------ */
/* Source model                                                        */
/* ------------------------------------------------------------------ */

enum key_id {
	K_NAME,
	K_FW_VERSION,
	K_ISA_VERSION,
	K_CORES,
	K_CAPABILITIES,
	K_MACS,
	K_OP_OVERHEAD,
	K_STATIC_POWER,
	K_THERMAL_R,
	K_THERMAL_C,
	K_AMBIENT,
	K_TRIP_PASSIVE_ON,
	K_TRIP_PASSIVE,
	K_TRIP_HOT,
	K_TRIP_CRITICAL,
	K_OPP,
	K_COUNT,
};

struct src_opp {
	uint32_t freq_khz;
	uint32_t volt_uv;
	uint32_t power_mw;
	unsigned int line;
};

/* Everything the source describes, in host byte order. */
struct fw_src {
	char name[ENPU_FW_NAME_LEN];
	uint32_t fw_version;
	uint32_t isa_version;
	uint32_t num_cores;
	uint64_t capabilities;
	uint32_t macs_per_cycle[ENPU_FW_OPC_COUNT];
	uint32_t op_overhead_cycles;
	uint32_t static_power_mw;
	uint32_t thermal_r_mc_per_w;
	uint32_t thermal_c_mj_per_c;
	int32_t ambient_mc;
	int32_t trip_mc[ENPU_FW_TRIP_COUNT];
	struct src_opp opp[ENPU_FW_MAX_OPPS];
	unsigned int num_opps;
	unsigned int key_line[K_COUNT];	/* first line setting a key; 0: unset */
};

enum key_kind {
	KIND_NAME,
	KIND_VERSION,
	KIND_UINT,	/* uint32_t field at .offset, range .min .. .max */
	KIND_INT,	/* int32_t field at .offset, range .min .. .max */
	KIND_CAPS,
	KIND_MACS,
	KIND_OPP,
};

struct key_desc {
	const char *key;
	enum key_kind kind;
	size_t offset;
	long long min;
	long long max;
};

#define UINT_KEY(k, field, lo, hi) \
	{ .key = (k), .kind = KIND_UINT, \
	  .offset = offsetof(struct fw_src, field), .min = (lo), .max = (hi) }
#define INT_KEY(k, field, lo, hi) \
	{ .key = (k), .kind = KIND_INT, \
	  .offset = offsetof(struct fw_src, field), .min = (lo), .max = (hi) }

static const struct key_desc keys[K_COUNT] = {
	[K_NAME] = { .key = "name", .kind = KIND_NAME },
	[K_FW_VERSION] = { .key = "fw_version", .kind = KIND_VERSION },
	[K_ISA_VERSION] = UINT_KEY("isa_version", isa_version,
				   1, ISA_VERSION_MAX),
	[K_CORES] = UINT_KEY("cores", num_cores, 1, ENPU_FW_MAX_CORES),
	[K_CAPABILITIES] = { .key = "capabilities", .kind = KIND_CAPS },
	[K_MACS] = { .key = "macs_per_cycle", .kind = KIND_MACS },
	[K_OP_OVERHEAD] = UINT_KEY("op_overhead_cycles", op_overhead_cycles,
				   0, ENPU_FW_OVERHEAD_MAX),
	[K_STATIC_POWER] = UINT_KEY("static_power_mw", static_power_mw,
				    0, ENPU_FW_POWER_MAX_MW),
	[K_THERMAL_R] = UINT_KEY("thermal_r_mc_per_w", thermal_r_mc_per_w,
				 1, ENPU_FW_THERMAL_R_MAX),
	[K_THERMAL_C] = UINT_KEY("thermal_c_mj_per_c", thermal_c_mj_per_c,
				 1, ENPU_FW_THERMAL_C_MAX),
	[K_AMBIENT] = INT_KEY("ambient_mc", ambient_mc,
			      ENPU_FW_AMBIENT_MIN_MC, ENPU_FW_AMBIENT_MAX_MC),
	[K_TRIP_PASSIVE_ON] = INT_KEY("trip_passive_on_mc",
				      trip_mc[ENPU_FW_TRIP_PASSIVE_ON],
				      ENPU_FW_AMBIENT_MIN_MC,
				      ENPU_FW_TRIP_MAX_MC),
	[K_TRIP_PASSIVE] = INT_KEY("trip_passive_mc",
				   trip_mc[ENPU_FW_TRIP_PASSIVE],
				   ENPU_FW_AMBIENT_MIN_MC, ENPU_FW_TRIP_MAX_MC),
	[K_TRIP_HOT] = INT_KEY("trip_hot_mc", trip_mc[ENPU_FW_TRIP_HOT],
			       ENPU_FW_AMBIENT_MIN_MC, ENPU_FW_TRIP_MAX_MC),
	[K_TRIP_CRITICAL] = INT_KEY("trip_critical_mc",
				    trip_mc[ENPU_FW_TRIP_CRITICAL],
				    ENPU_FW_AMBIENT_MIN_MC,
				    ENPU_FW_TRIP_MAX_MC),
	[K_OPP] = { .key = "opp", .kind = KIND_OPP },
};

/* Source key of each trip, indexed by enum enpu_fw_trip. */
static const enum key_id trip_keys[ENPU_FW_TRIP_COUNT] = {
	[ENPU_FW_TRIP_PASSIVE_ON] = K_TRIP_PASSIVE_ON,
	[ENPU_FW_TRIP_PASSIVE] = K_TRIP_PASSIVE,
	[ENPU_FW_TRIP_HOT] = K_TRIP_HOT,
	[ENPU_FW_TRIP_CRITICAL] = K_TRIP_CRITICAL,
};

struct parser {
	const char *path;
	unsigned int line;
};

/* Report a source error at @line; always returns -1. */
static int __attribute__((format(printf, 3, 4)))
src_error_at(const struct parser *p, unsigned int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%u: ", p->path, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

#define src_error(p, ...) src_error_at((p), (p)->line, __VA_ARGS__)

/* ------------------------------------------------------------------ */
/* Parsing                                                             */
/* ------------------------------------------------------------------ */

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		end--;
	*end = '\0';
	return s;
}

/* Split off the next whitespace-separated token of *@cursor, or NULL. */
static char *next_token(char **cursor)
{
	char *s = *cursor, *tok;

	while (isspace((unsigned char)*s))
		s++;
	if (!*s) {
		*cursor = s;
		return NULL;
	}
	tok = s;
	while (*s && !isspace((unsigned char)*s))
		s++;
	if (*s)
		*s++ = '\0';
	*cursor = s;
	return tok;
}

/* Reject anything left in @cursor after a value's last expected token. */
static int expect_end(const struct parser *p, char *cursor, const char *key)
{
	const char *extra = next_token(&cursor);

	if (extra)
		return src_error(p, "unexpected '%s' after the %s value",
				 extra, key);
	return 0;
}

/* Parse a decimal integer in [@min, @max]; @what names it in messages. */
static int parse_number(const struct parser *p, const char *what,
			const char *tok, long long min, long long max,
			long long *out)
{
	const char *digits = tok[0] == '-' ? tok + 1 : tok;
	char *end;
	long long v;

	if (!isdigit((unsigned char)digits[0]))
		goto malformed;
	errno = 0;
	v = strtoll(tok, &end, 10);
	if (*end)
		goto malformed;
	if (errno == ERANGE || v < min || v > max)
		return src_error(p, "%s %s out of range (%lld..%lld)",
				 what, tok, min, max);
	*out = v;
	return 0;

malformed:
	return src_error(p, "invalid number '%s' for %s", tok, what);
}

static int parse_name(const struct parser *p, struct fw_src *src, char *val)
{
	size_t len = strlen(val), i;

	if (len > ENPU_FW_NAME_LEN - 1)
		return src_error(p, "name is %zu characters long (at most %u)",
				 len, ENPU_FW_NAME_LEN - 1);
	for (i = 0; i < len; i++) {
		unsigned char c = val[i];

		if (!isalnum(c) && c != '.' && c != '_' && c != '-')
			return src_error(p, "invalid character 0x%02x in name (allowed: A-Z a-z 0-9 . _ -)",
					 c);
	}
	memcpy(src->name, val, len + 1);
	return 0;
}

static int parse_fw_version(const struct parser *p, struct fw_src *src,
			    char *val)
{
	char *cursor = val, *tok = next_token(&cursor);
	const char *s = tok;
	unsigned int part[3];
	int i;

	for (i = 0; i < 3; i++) {
		unsigned int v = 0;

		if (!isdigit((unsigned char)*s))
			goto bad;
		while (isdigit((unsigned char)*s)) {
			v = v * 10 + (unsigned int)(*s++ - '0');
			if (v > 255)
				goto bad;
		}
		part[i] = v;
		if (i < 2 && *s++ != '.')
			goto bad;
	}
	if (*s)
		goto bad;
	if (expect_end(p, cursor, "fw_version"))
		return -1;
	src->fw_version = part[0] << 16 | part[1] << 8 | part[2];
	/* A device that is not running reports version 0. */
	if (!src->fw_version)
		return src_error(p, "fw_version 0.0.0 is reserved");
	return 0;

bad:
	return src_error(p, "invalid fw_version '%s' (expected MAJOR.MINOR.PATCH, each 0..255)",
			 tok);
}

static int parse_caps(const struct parser *p, struct fw_src *src, char *val)
{
	char *cursor = val, *tok;
	size_t i;

	while ((tok = next_token(&cursor))) {
		for (i = 0; i < sizeof(cap_names) / sizeof(cap_names[0]); i++)
			if (!strcmp(tok, cap_names[i].name))
				break;
		if (i == sizeof(cap_names) / sizeof(cap_names[0]))
			return src_error(p, "unknown capability '%s' (known: spin dma gemm conv2d depthwise pool add)",
					 tok);
		if (src->capabilities & cap_names[i].bit)
			return src_error(p, "capability '%s' listed twice",
					 tok);
		src->capabilities |= cap_names[i].bit;
	}
	return 0;
}

static int parse_macs(const struct parser *p, struct fw_src *src, char *val)
{
	char *cursor = val, *tok;
	char what[64];
	long long v;
	int i;

	while ((tok = next_token(&cursor))) {
		char *colon = strchr(tok, ':');

		if (!colon)
			return src_error(p, "expected CLASS:N in macs_per_cycle, got '%s'",
					 tok);
		*colon = '\0';
		for (i = 0; i < ENPU_FW_OPC_COUNT; i++)
			if (!strcmp(tok, op_class_names[i]))
				break;
		if (i == ENPU_FW_OPC_COUNT)
			return src_error(p, "unknown class '%s' in macs_per_cycle (expected gemm conv eltwise dma)",
					 tok);
		if (src->macs_per_cycle[i])
			return src_error(p, "class '%s' given twice in macs_per_cycle",
					 tok);
		snprintf(what, sizeof(what), "macs_per_cycle %s", tok);
		if (parse_number(p, what, colon + 1, 1, ENPU_FW_MACS_MAX, &v))
			return -1;
		src->macs_per_cycle[i] = (uint32_t)v;
	}
	for (i = 0; i < ENPU_FW_OPC_COUNT; i++)
		if (!src->macs_per_cycle[i])
			return src_error(p, "macs_per_cycle is missing '%s:N'",
					 op_class_names[i]);
	return 0;
}

static int parse_opp(const struct parser *p, struct fw_src *src, char *val)
{
	static const struct {
		const char *what;
		long long max;
	} fields[3] = {
		{ "opp freq_khz", ENPU_FW_FREQ_MAX_KHZ },
		{ "opp volt_uv", ENPU_FW_VOLT_MAX_UV },
		{ "opp power_mw", ENPU_FW_POWER_MAX_MW },
	};
	char *cursor = val;
	long long v[3];
	struct src_opp *opp;
	int i;

	if (src->num_opps == ENPU_FW_MAX_OPPS)
		return src_error(p, "too many opp entries (at most %u)",
				 ENPU_FW_MAX_OPPS);
	for (i = 0; i < 3; i++) {
		const char *tok = next_token(&cursor);

		if (!tok)
			return src_error(p, "opp needs FREQ_KHZ VOLT_UV POWER_MW");
		if (parse_number(p, fields[i].what, tok, 1, fields[i].max,
				 &v[i]))
			return -1;
	}
	if (expect_end(p, cursor, "opp"))
		return -1;
	opp = &src->opp[src->num_opps++];
	opp->freq_khz = (uint32_t)v[0];
	opp->volt_uv = (uint32_t)v[1];
	opp->power_mw = (uint32_t)v[2];
	opp->line = p->line;
	return 0;
}

static int parse_scalar(const struct parser *p, struct fw_src *src,
			const struct key_desc *kd, char *val)
{
	char *cursor = val, *tok = next_token(&cursor);
	char *field = (char *)src + kd->offset;
	long long v;

	if (parse_number(p, kd->key, tok, kd->min, kd->max, &v) ||
	    expect_end(p, cursor, kd->key))
		return -1;
	if (kd->kind == KIND_INT)
		*(int32_t *)(void *)field = (int32_t)v;
	else
		*(uint32_t *)(void *)field = (uint32_t)v;
	return 0;
}

/* Parse one source line (modified in place). */
static int parse_line(const struct parser *p, struct fw_src *src, char *line)
{
	char *hash = strchr(line, '#'), *s, *eq, *key, *val;
	const struct key_desc *kd;
	int id;

	if (hash)
		*hash = '\0';
	s = trim(line);
	if (!*s)
		return 0;
	eq = strchr(s, '=');
	if (!eq)
		return src_error(p, "expected 'key = value'");
	*eq = '\0';
	key = trim(s);
	val = trim(eq + 1);
	if (!*key)
		return src_error(p, "missing key before '='");
	for (id = 0; id < K_COUNT; id++)
		if (!strcmp(key, keys[id].key))
			break;
	if (id == K_COUNT)
		return src_error(p, "unknown key '%s'", key);
	kd = &keys[id];
	if (!*val)
		return src_error(p, "missing value for '%s'", key);
	if (id != K_OPP && src->key_line[id])
		return src_error(p, "duplicate key '%s' (first set on line %u)",
				 key, src->key_line[id]);
	if (!src->key_line[id])
		src->key_line[id] = p->line;

	switch (kd->kind) {
	case KIND_NAME:
		return parse_name(p, src, val);
	case KIND_VERSION:
		return parse_fw_version(p, src, val);
	case KIND_UINT:
	case KIND_INT:
		return parse_scalar(p, src, kd, val);
	case KIND_CAPS:
		return parse_caps(p, src, val);
	case KIND_MACS:
		return parse_macs(p, src, val);
	case KIND_OPP:
		return parse_opp(p, src, val);
	}
	return -1;
}

/* Parse @f into @src; returns an enum exit_code. */
static int parse_source(struct parser *p, FILE *f, struct fw_src *src)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int ret = EXIT_OK;

	while ((len = getline(&line, &cap, f)) >= 0) {
		p->line++;
		if (strlen(line) != (size_t)len) {
			src_error(p, "NUL byte in line");
			ret = EXIT_BAD_SOURCE;
			break;
		}
		if (parse_line(p, src, line)) {
			ret = EXIT_BAD_SOURCE;
			break;
		}
	}
	if (ret == EXIT_OK && ferror(f)) {
		fprintf(stderr, "%s: cannot read '%s': %s\n", PROG, p->path,
			strerror(errno));
		ret = EXIT_IO;
	}
	free(line);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Validation                                                          */
/* ------------------------------------------------------------------ */

static int validate(const struct parser *p, const struct fw_src *src)
{
	unsigned int i;
	int id;

	for (id = 0; id < K_COUNT; id++) {
		if (!src->key_line[id]) {
			fprintf(stderr, "%s: missing key '%s'\n", p->path,
				keys[id].key);
			return -1;
		}
	}

	for (i = 0; i < ENPU_FW_TRIP_COUNT; i++) {
		enum key_id k = trip_keys[i];
		unsigned int line = src->key_line[k];

		if (src->trip_mc[i] <= src->ambient_mc)
			return src_error_at(p, line, "%s (%d) must be above ambient_mc (%d)",
					    keys[k].key, src->trip_mc[i],
					    src->ambient_mc);
		if (i > 0 && src->trip_mc[i] <= src->trip_mc[i - 1])
			return src_error_at(p, line, "%s (%d) must be above %s (%d)",
					    keys[k].key, src->trip_mc[i],
					    keys[trip_keys[i - 1]].key,
					    src->trip_mc[i - 1]);
	}

	for (i = 1; i < src->num_opps; i++) {
		const struct src_opp *prev = &src->opp[i - 1];
		const struct src_opp *cur = &src->opp[i];

		if (cur->freq_khz <= prev->freq_khz)
			return src_error_at(p, cur->line, "opp freq_khz %u must be above the previous opp's %u",
					    cur->freq_khz, prev->freq_khz);
		if (cur->volt_uv < prev->volt_uv)
			return src_error_at(p, cur->line, "opp volt_uv %u must not be below the previous opp's %u",
					    cur->volt_uv, prev->volt_uv);
		if (cur->power_mw <= prev->power_mw)
			return src_error_at(p, cur->line, "opp power_mw %u must be above the previous opp's %u",
					    cur->power_mw, prev->power_mw);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Serialization                                                       */
/* ------------------------------------------------------------------ */

/* CRC-32 as in IEEE 802.3 and zlib: reflected, poly 0xEDB88320. */
static uint32_t crc32_ieee(const uint8_t *buf, size_t len)
{
	uint32_t table[256], crc;
	unsigned int i, k;

	for (i = 0; i < 256; i++) {
		crc = i;
		for (k = 0; k < 8; k++)
			crc = crc & 1 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
		table[i] = crc;
	}
	crc = 0xFFFFFFFFu;
	while (len--)
		crc = table[(crc ^ *buf++) & 0xFF] ^ (crc >> 8);
	return crc ^ 0xFFFFFFFFu;
}

/* The image as little-endian structures, before serialization. */
struct fw_image {
	struct enpu_fw_header hdr;
	struct enpu_fw_opp opp[ENPU_FW_MAX_OPPS];
	uint32_t num_opps;
};

static void image_from_src(const struct fw_src *src, struct fw_image *img)
{
	struct enpu_fw_header *h = &img->hdr;
	size_t hdr_size = sizeof(*h);
	unsigned int i;

	memset(img, 0, sizeof(*img));
	img->num_opps = src->num_opps;
	h->magic = htole32(ENPU_FW_MAGIC);
	h->format_version = htole32(ENPU_FW_FORMAT_VERSION);
	h->header_size = htole32((uint32_t)hdr_size);
	h->image_size = htole32((uint32_t)(hdr_size +
				src->num_opps * sizeof(struct enpu_fw_opp)));
	h->fw_version = htole32(src->fw_version);
	h->isa_version = htole32(src->isa_version);
	h->num_cores = htole32(src->num_cores);
	h->capabilities = htole64(src->capabilities);
	h->num_opps = htole32(src->num_opps);
	h->opp_offset = htole32((uint32_t)hdr_size);
	for (i = 0; i < ENPU_FW_OPC_COUNT; i++)
		h->macs_per_cycle[i] = htole32(src->macs_per_cycle[i]);
	h->op_overhead_cycles = htole32(src->op_overhead_cycles);
	h->static_power_mw = htole32(src->static_power_mw);
	h->thermal_r_mc_per_w = htole32(src->thermal_r_mc_per_w);
	h->thermal_c_mj_per_c = htole32(src->thermal_c_mj_per_c);
	h->ambient_mc = htole32((uint32_t)src->ambient_mc);
	for (i = 0; i < ENPU_FW_TRIP_COUNT; i++)
		h->trip_mc[i] = htole32((uint32_t)src->trip_mc[i]);
	memcpy(h->name, src->name, sizeof(h->name));
	for (i = 0; i < src->num_opps; i++) {
		img->opp[i].freq_khz = htole32(src->opp[i].freq_khz);
		img->opp[i].volt_uv = htole32(src->opp[i].volt_uv);
		img->opp[i].power_mw = htole32(src->opp[i].power_mw);
	}
}

/* Field-level defects; the CRC is computed afterwards, over the result. */
static void apply_field_defect(struct fw_image *img, enum defect defect)
{
	struct enpu_fw_header *h = &img->hdr;
	__le32 tmp;

	switch (defect) {
	case DEFECT_BAD_MAGIC:
		h->magic = htole32(le32toh(h->magic) ^ 1);
		break;
	case DEFECT_BAD_FORMAT:
		h->format_version = htole32(99);
		break;
	case DEFECT_ZERO_CORES:
		h->num_cores = htole32(0);
		break;
	case DEFECT_OPP_ORDER:
		tmp = img->opp[0].freq_khz;
		img->opp[0].freq_khz = img->opp[1].freq_khz;
		img->opp[1].freq_khz = tmp;
		break;
	case DEFECT_TRIP_ORDER:
		tmp = h->trip_mc[ENPU_FW_TRIP_PASSIVE];
		h->trip_mc[ENPU_FW_TRIP_PASSIVE] = h->trip_mc[ENPU_FW_TRIP_HOT];
		h->trip_mc[ENPU_FW_TRIP_HOT] = tmp;
		break;
	default:
		break;
	}
}

/*
 * Serialize @img into @buf (IMAGE_MAX_SIZE bytes), fill in the CRC and apply
 * the CRC and size defects.  Returns the number of bytes to write.
 */
static size_t serialize(const struct fw_image *img, enum defect defect,
			uint8_t *buf)
{
	size_t size = sizeof(img->hdr) + img->num_opps * sizeof(img->opp[0]);
	uint32_t crc;
	__le32 le;

	memcpy(buf, &img->hdr, sizeof(img->hdr));
	memcpy(buf + sizeof(img->hdr), img->opp,
	       img->num_opps * sizeof(img->opp[0]));
	crc = crc32_ieee(buf + ENPU_FW_CRC_OFFSET, size - ENPU_FW_CRC_OFFSET);
	if (defect == DEFECT_BAD_CRC)
		crc ^= 1;
	le = htole32(crc);
	memcpy(buf + offsetof(struct enpu_fw_header, crc32), &le, sizeof(le));

	if (defect == DEFECT_TRUNCATED_HEADER)
		return TRUNCATED_HEADER_SIZE;
	if (defect == DEFECT_TRUNCATED_BODY)
		return size - TRUNCATED_BODY_CUT;
	return size;
}

/* ------------------------------------------------------------------ */
/* Output                                                              */
/* ------------------------------------------------------------------ */

static int write_all(int fd, const uint8_t *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Write @len bytes to @out via @out.tmp and rename(); enum exit_code. */
static int write_atomic(const char *out, const uint8_t *buf, size_t len)
{
	size_t tmp_len = strlen(out) + sizeof(".tmp");
	const char *what = "create";
	struct stat st;
	char *tmp;
	int fd, err;

	tmp = malloc(tmp_len);
	if (!tmp) {
		fprintf(stderr, "%s: %s\n", PROG, strerror(errno));
		return EXIT_IO;
	}
	snprintf(tmp, tmp_len, "%s.tmp", out);

	/* rename() would replace a device node or symlink, not write to it */
	if (!lstat(out, &st) && !S_ISREG(st.st_mode)) {
		fprintf(stderr, "%s: refusing to replace '%s': not a regular file\n",
			PROG, out);
		free(tmp);
		return EXIT_IO;
	}

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
		  0644);
	if (fd < 0)
		goto fail;
	what = "write";
	if (write_all(fd, buf, len) || fsync(fd)) {
		err = errno;
		close(fd);
		errno = err;
		goto fail_unlink;
	}
	if (close(fd))
		goto fail_unlink;
	if (rename(tmp, out)) {
		err = errno;
		unlink(tmp);
		fprintf(stderr, "%s: cannot rename '%s' to '%s': %s\n", PROG,
			tmp, out, strerror(err));
		free(tmp);
		return EXIT_IO;
	}
	free(tmp);
	return EXIT_OK;

fail_unlink:
	err = errno;
	unlink(tmp);
	errno = err;
fail:
	fprintf(stderr, "%s: cannot %s '%s': %s\n", PROG, what, tmp,
		strerror(errno));
	free(tmp);
	return EXIT_IO;
}

/* ------------------------------------------------------------------ */
/* Command line                                                        */
/* ------------------------------------------------------------------ */

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: " PROG " [-o OUT] [--defect=KIND] SOURCE\n"
		"Build an enpu firmware image from the source file SOURCE.\n"
		"\n"
		"  -o OUT         write the image to OUT (default: " DEFAULT_OUT ")\n"
		"  --defect=KIND  corrupt the image on purpose; for the driver's\n"
		"                 tests only.  KIND is one of: bad-magic bad-crc\n"
		"                 truncated-header truncated-body bad-format\n"
		"                 zero-cores opp-order trip-order\n"
		"  -h, --help     show this help and exit\n"
		"\n"
		"Exit status:\n"
		"  0  image written\n"
		"  1  invalid source (\"SOURCE:LINE: message\" on stderr)\n"
		"  2  usage error\n"
		"  3  I/O error\n");
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: ", PROG);
	fprintf(stderr, fmt, arg);
	fprintf(stderr,
		"\nUsage: " PROG " [-o OUT] [--defect=KIND] SOURCE (see --help)\n");
	return EXIT_USAGE;
}

struct options {
	const char *out;
	const char *source;
	enum defect defect;
};

/* Returns EXIT_OK to go on, another exit code to stop with. */
static int parse_args(int argc, char **argv, struct options *opt, bool *help)
{
	static const struct option longopts[] = {
		{ "defect", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, i;

	opt->out = DEFAULT_OUT;
	opt->source = NULL;
	opt->defect = DEFECT_NONE;
	*help = false;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":ho:", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			*help = true;
			return EXIT_OK;
		case 'o':
			if (!*optarg)
				return usage_error("empty output path%s", "");
			opt->out = optarg;
			break;
		case 'd':
			for (i = DEFECT_NONE + 1; i < DEFECT_COUNT; i++)
				if (!strcmp(optarg, defect_names[i]))
					break;
			if (i == DEFECT_COUNT)
				return usage_error("unknown defect kind '%s'",
						   optarg);
			opt->defect = (enum defect)i;
			break;
		case ':':
			return usage_error("option '%s' needs an argument",
					   argv[optind - 1]);
		default:
			if (optopt) {
				char name[3] = { '-', (char)optopt, '\0' };

				return usage_error("unknown option '%s'", name);
			}
			return usage_error("unknown option '%s'",
					   argv[optind - 1]);
		}
	}
	if (optind == argc)
		return usage_error("no SOURCE given%s", "");
	if (argc - optind > 1)
		return usage_error("more than one SOURCE given (extra: '%s')",
				   argv[optind + 1]);
	opt->source = argv[optind];
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	uint8_t buf[IMAGE_MAX_SIZE];
	struct fw_image img;
	struct options opt;
	struct fw_src src;
	struct parser p;
	bool help;
	size_t len;
	FILE *f;
	int ret;

	ret = parse_args(argc, argv, &opt, &help);
	if (ret != EXIT_OK)
		return ret;
	if (help) {
		usage(stdout);
		return EXIT_OK;
	}

	/* Parse */
	f = fopen(opt.source, "r");
	if (!f) {
		fprintf(stderr, "%s: cannot open '%s': %s\n", PROG, opt.source,
			strerror(errno));
		return EXIT_IO;
	}
	memset(&src, 0, sizeof(src));
	p.path = opt.source;
	p.line = 0;
	ret = parse_source(&p, f, &src);
	fclose(f);
	if (ret != EXIT_OK)
		return ret;

	/* Validate */
	if (validate(&p, &src))
		return EXIT_BAD_SOURCE;
	if (opt.defect == DEFECT_OPP_ORDER && src.num_opps < 2) {
		fprintf(stderr, "%s: --defect=opp-order needs at least 2 opp entries\n",
			opt.source);
		return EXIT_BAD_SOURCE;
	}

	/* Serialize */
	image_from_src(&src, &img);
	apply_field_defect(&img, opt.defect);
	len = serialize(&img, opt.defect, buf);
	return write_atomic(opt.out, buf, len);
}
