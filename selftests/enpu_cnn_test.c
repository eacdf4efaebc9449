// SPDX-License-Identifier: MIT
/*
 * The example network end to end: /tests/enpu-run must report the NPU's
 * scores bit-exact with the CPU reference.
 */
#include <stdio.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "enpu_utils.h"

TEST(cnn_bit_exact)
{
	char line[256], last[256] = "";
	FILE *p = popen("/tests/enpu-run 2>&1", "r");
	int status;

	ASSERT_NE(NULL, p);
	while (fgets(line, sizeof(line), p)) {
		TH_LOG("%s", line);
		snprintf(last, sizeof(last), "%s", line);
	}
	status = pclose(p);
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_STREQ("bit-exact\n", last);
	EXPECT_EQ(0, enpu_objects("bos"));
	EXPECT_EQ(0, enpu_objects("contexts"));
}

TEST_HARNESS_MAIN
