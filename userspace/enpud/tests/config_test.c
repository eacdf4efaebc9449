// SPDX-License-Identifier: MIT
/*
 * Host tests of enpud.conf parsing: the shipped file loads, every kind of
 * error names its line, rules match by name and uid, and the engine's
 * settings come from the file, then the zone, then the defaults.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "config.h"

static const struct enpu_policy_device npu = {
	.cores = 2, .static_mw = 150, .num_opps = 2,
	.opps = { { 200000, 250 }, { 1000000, 3000 } },
};

/* Write @text to a temporary file; its path in @path. */
static int temp_conf(const char *text, char *path, size_t len)
{
	int fd;

	snprintf(path, len, "/tmp/enpud-config-test.XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		close(fd);
		return -1;
	}
	return close(fd);
}

static int load(const char *text, struct enpud_config *cfg, char *err, size_t len)
{
	char path[64];
	int ret;

	if (temp_conf(text, path, sizeof(path)))
		return -2;
	ret = enpud_config_load(path, cfg, err, len);
	unlink(path);
	return ret;
}

TEST(shipped_file_loads)
{
	struct enpud_config cfg;
	char err[256] = "";

	ASSERT_EQ(0, enpud_config_load("userspace/enpud/enpud.conf", &cfg, err, sizeof(err))) {
		TH_LOG("%s", err);
	}
	EXPECT_STREQ("enpu", cfg.zone);
	EXPECT_EQ(20, cfg.policy.battery_low_pct);
	EXPECT_EQ(1, cfg.num_rules);
	EXPECT_STREQ("indexer", cfg.rules[0].comm);
	EXPECT_EQ(ENPU_POLICY_BACKGROUND, cfg.rules[0].class);
}

TEST(errors_name_their_line)
{
	static const struct { const char *text, *want; } bad[] = {
		{ "[thermal]\ncontrol_mc = 65000\nfoo = 1\n", ":3: unknown key \"foo\" in [thermal]" },
		{ "[policy]\nperiod_ms = -5\n", ":2: bad number \"-5\" for period_ms" },
		{ "[policy]\n\nperiod_ms = 10x\n", ":3: bad number \"10x\"" },
		{ "[nonsense]\na = 1\n", ":2: unknown section [nonsense]" },
		{ "[rule cam]\nclass = fast\n", ":2: rule cam: unknown class \"fast\"" },
		{ "[rule cam]\ncomm = a_very_long_process_name\n", ":2: rule cam: comm" },
		{ "[rule cam]\nweight = 0\n", ":2: rule cam: weight \"0\" is not 1..1000" },
		{ "[battery]\nsaver = perhaps\n", ":2: battery: saver" },
		{ "[policy]\njust a line\n", ":2: not a \"key = value\" line" },
	};
	struct enpud_config cfg;
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char err[256] = "";

		EXPECT_EQ(-1, load(bad[i].text, &cfg, err, sizeof(err)));
		EXPECT_NE(NULL, strstr(err, bad[i].want)) {
			TH_LOG("case %u: got \"%s\", want \"%s\"", i, err, bad[i].want);
		}
	}
	{
		char err[256];

		EXPECT_EQ(-1, enpud_config_load("/nonexistent/enpud.conf", &cfg, err, sizeof(err)));
		EXPECT_NE(NULL, strstr(err, "No such file"));
	}
}

TEST(rules_match_by_name_and_uid)
{
	struct enpud_config cfg;
	char err[256] = "";
	const struct enpud_rule *r;

	ASSERT_EQ(0, load("[rule cam]\ncomm = camera\nuid = 1000\nclass = realtime\n"
			  "[rule any-camera]\ncomm = camera\nclass = interactive\nweight = 3\n",
			  &cfg, err, sizeof(err)));
	r = enpud_config_match(&cfg, "camera", 1000);
	ASSERT_NE(NULL, r);
	EXPECT_STREQ("cam", r->name);
	r = enpud_config_match(&cfg, "camera", 2000);
	ASSERT_NE(NULL, r);
	EXPECT_STREQ("any-camera", r->name);
	EXPECT_EQ(3, r->weight);
	EXPECT_EQ(NULL, enpud_config_match(&cfg, "indexer", 1000));
}

TEST(settings_from_file_then_zone_then_defaults)
{
	struct enpu_policy_config zone = { .control_mc = 70000, .switch_on_mc = 60000,
					   .sustainable_mw = 2500 }, out;
	struct enpud_config cfg;
	char err[256] = "";

	ASSERT_EQ(0, load("[thermal]\ncontrol_mc = 68000\n[policy]\nperiod_ms = 50\n",
			  &cfg, err, sizeof(err)));
	enpud_config_apply_defaults(&cfg, &npu, &zone, &out);
	EXPECT_EQ(68000, out.control_mc);	/* the file */
	EXPECT_EQ(60000, out.switch_on_mc);	/* the zone */
	EXPECT_EQ(2500, out.sustainable_mw);
	EXPECT_EQ(50, out.period_ms);
	EXPECT_EQ(73000, out.severe_mc);	/* follows the control temperature */
	EXPECT_EQ(2500 / 8, out.k_po);		/* power_allocator's rule: 8 C apart */
	EXPECT_EQ(20, out.battery_low_pct);	/* the engine's default */
}

TEST_HARNESS_MAIN
