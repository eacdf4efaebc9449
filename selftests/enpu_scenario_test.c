// SPDX-License-Identifier: MIT
/*
 * The phone scenario, shortened: enpu-scenario runs the camera, the
 * assistant and two indexers for 15 s under enpud, with phonesim's
 * battery.  Only robust properties are asserted (comparisons between
 * policies are bench/scenario's): every app completes without errors,
 * every camera frame's result is right, enpud decided and logged, and
 * the report files exist and parse.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"

#define SCENARIO	"/tests/enpu-scenario"
#define DIR_OUT		"/tmp/scenario-test"
#define SECONDS		15

/* Run the scenario program with @args; its exit status, or -1. */
static int scenario(const char *args, char *err, size_t len)
{
	char cmd[256];
	FILE *p;
	size_t n;
	int status;

	snprintf(cmd, sizeof(cmd), "%s %s 2>&1 >/dev/null", SCENARIO, args);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	n = fread(err, 1, len - 1, p);
	err[n] = 0;
	status = pclose(p);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The number after "KEY": in a flat JSON object, or -1. */
static double json_num(const char *json, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\": ", key);
	p = strstr(json, pat);
	return p ? strtod(p + strlen(pat), NULL) : -1;
}

static int slurp(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, len - 1, f);
	buf[n] = 0;
	fclose(f);
	return (int)n;
}

/* Lines of a CSV file with exactly @fields fields each; -1 on a bad line. */
static long csv_rows(const char *path, int fields, const char *header)
{
	char line[512];
	long rows = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	if (!fgets(line, sizeof(line), f) || strncmp(line, header, strlen(header))) {
		fclose(f);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		int commas = 0;

		for (char *c = line; *c; c++)
			commas += *c == ',';
		if (commas != fields - 1) {
			fclose(f);
			return -1;
		}
		rows++;
	}
	fclose(f);
	return rows;
}

FIXTURE(scenario) {
	int unused;
};

FIXTURE_SETUP(scenario)
{
	system("rm -rf " DIR_OUT);
}

FIXTURE_TEARDOWN(scenario)
{
	system("rm -rf " DIR_OUT);
}

TEST_F(scenario, bad_usage_is_refused)
{
	char err[512];

	EXPECT_EQ(1, scenario("-p nonsense", err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "unknown policy 'nonsense'"));
	EXPECT_EQ(1, scenario("-t 0", err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "usage:"));
}

TEST_F_TIMEOUT(scenario, short_run_under_enpud, 180)
{
	static char json[4096], log[1 << 16];
	char err[2048], path[128];
	double frames;
	long rows;

	ASSERT_EQ(0, scenario("-p enpud -t 15 -o " DIR_OUT, err, sizeof(err)))
		TH_LOG("enpu-scenario: %s", err);

	ASSERT_LT(0, slurp(DIR_OUT "/enpud-summary.json", json, sizeof(json)));
	TH_LOG("%s", json);
	EXPECT_EQ(0, json_num(json, "app_failures"));
	/*
	 * 30 Hz for 15 s from the run's start, each frame counted (done,
	 * late or dropped); the camera's set-up may take a few periods.
	 */
	frames = json_num(json, "camera_frames");
	EXPECT_LE(SECONDS * 30 * 9 / 10, frames);
	EXPECT_GE(SECONDS * 30 + 1, frames);
	EXPECT_EQ(0, json_num(json, "camera_wrong"));
	EXPECT_LT(0, json_num(json, "assistant_requests"));
	EXPECT_LT(0, json_num(json, "indexer_jobs"));
	EXPECT_LT(0, json_num(json, "energy_mj"));
	EXPECT_LT(20, json_num(json, "max_temp_c"));
	EXPECT_LT(0, json_num(json, "decisions"));

	rows = csv_rows(DIR_OUT "/enpud-jobs.csv", 9, "app,pid,kind,");
	EXPECT_LE(frames + json_num(json, "assistant_requests") +
		  json_num(json, "indexer_jobs"), rows);
	/*
	 * A sample each 250 ms; on the debug tier's kernel reading the
	 * samples takes longer than that: at least one a second.
	 */
	rows = csv_rows(DIR_OUT "/enpud-timeline.csv", 8, "t_s,temp_c,");
	EXPECT_LE(SECONDS, rows);

	/* enpud's decisions, each with its time: the cap, and the contexts. */
	ASSERT_LT(0, slurp(DIR_OUT "/enpud-decisions.log", log, sizeof(log)));
	EXPECT_NE(NULL, strstr(log, "\tenpud: "));
	EXPECT_NE(NULL, strstr(log, "(camera)"));
	EXPECT_NE(NULL, strstr(log, "(indexer)"));
	/* The camera admitted: core 0 kept for it, the clock held. */
	EXPECT_NE(NULL, strstr(log, "realtime: admitted"));
	EXPECT_NE(NULL, strstr(log, "npu: floor "));
	EXPECT_NE(NULL, strstr(log, "off the realtime core"));

	snprintf(path, sizeof(path), "%s/report.md", DIR_OUT);
	ASSERT_LT(0, slurp(path, json, sizeof(json)));
	EXPECT_NE(NULL, strstr(json, "| enpud "));
}

TEST_HARNESS_MAIN
