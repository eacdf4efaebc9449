// SPDX-License-Identifier: MIT
/*
 * enpuctl: talk to enpud over its control socket.
 *
 *   enpuctl [-s SOCKET] [--json] status
 *   enpuctl [-s SOCKET] [--json] top [-n COUNT]
 *   enpuctl [-s SOCKET] [--json] explain PID
 *   enpuctl [-s SOCKET] set saver on|off
 *   enpuctl [-s SOCKET] set class PID background|normal|interactive|realtime
 *   enpuctl [-s SOCKET] set weight PID 1..1000
 *   enpuctl [-s SOCKET] foreground PID
 *   enpuctl [-s SOCKET] monitor
 *
 * Exit status: 0 done; 1 enpud refused or failed the request; 2 bad
 * usage; 3 enpud cannot be reached.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define ENPUD_DEFAULT_SOCK	"/run/enpud/enpud.sock"

static int usage(void)
{
	fprintf(stderr,
		"usage: enpuctl [-s SOCKET] [--json] COMMAND\n"
		"  status              the NPU's temperature, cap, budget and battery\n"
		"  top [-n COUNT]      the per-app table, every second (COUNT times)\n"
		"  explain PID         why this app gets what it gets\n"
		"  set saver on|off    battery saver mode (root or group enpu)\n"
		"  set class PID CLASS this app's class: background, normal, interactive,\n"
		"                      realtime (root or group enpu)\n"
		"  set weight PID N    this app's weight among shared apps, 1..1000\n"
		"  foreground PID      this app is in the foreground (root or group enpu)\n"
		"  monitor             every decision, as it is made\n");
	return 2;
}

/* Send @req and copy the answer to stdout; the first line is the verdict. */
static int ask(const char *sock, const char *req, bool clear)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[4096];
	bool first = true, ok = false;
	ssize_t n;
	int fd;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		fprintf(stderr, "enpuctl: cannot reach enpud at %s: %s\n", sock, strerror(errno));
		if (fd >= 0)
			close(fd);
		return 3;
	}
	if (send(fd, req, strlen(req), MSG_NOSIGNAL) < 0) {
		fprintf(stderr, "enpuctl: %s: %s\n", sock, strerror(errno));
		close(fd);
		return 3;
	}
	if (clear)
		fputs("\033[H\033[2J", stdout);
	while ((n = recv(fd, buf, sizeof(buf) - 1, 0)) > 0) {
		char *body = buf;

		buf[n] = 0;
		if (first) {
			char *eol = strchr(buf, '\n');

			first = false;
			ok = !strncmp(buf, "ok\n", 3);
			if (!ok) {
				fprintf(stderr, "enpuctl: enpud: %.*s\n",
					eol ? (int)(eol - buf) : (int)n,
					strncmp(buf, "error: ", 7) ? buf : buf + 7);
				close(fd);
				return 1;
			}
			body = eol + 1;
		}
		fputs(body, stdout);
		fflush(stdout);
	}
	close(fd);
	if (first) {
		fprintf(stderr, "enpuctl: enpud closed the connection without answering\n");
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *sock = ENPUD_DEFAULT_SOCK;
	char req[512];
	bool json = false;
	int i = 1, count = -1, ret;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-s") && i + 1 < argc)
			sock = argv[++i];
		else if (!strcmp(argv[i], "--json"))
			json = true;
		else
			return usage();
	}
	if (i == argc)
		return usage();
	if (!strcmp(argv[i], "status") && argc - i == 1) {
		snprintf(req, sizeof(req), "status%s\n", json ? " --json" : "");
	} else if (!strcmp(argv[i], "top") &&
		   (argc - i == 1 || (argc - i == 3 && !strcmp(argv[i + 1], "-n")))) {
		if (argc - i == 3) {
			char *end;

			count = strtol(argv[i + 2], &end, 10);
			if (*end || count < 1)
				return usage();
		}
		snprintf(req, sizeof(req), "top%s\n", json ? " --json" : "");
		for (;;) {
			ret = ask(sock, req, !json && count != 1);
			if (ret || (count > 0 && --count == 0))
				return ret;
			sleep(1);
		}
	} else if (!strcmp(argv[i], "explain") && argc - i == 2) {
		snprintf(req, sizeof(req), "explain %s%s\n", argv[i + 1], json ? " --json" : "");
	} else if (!strcmp(argv[i], "set") && argc - i == 3) {
		snprintf(req, sizeof(req), "set %s %s\n", argv[i + 1], argv[i + 2]);
	} else if (!strcmp(argv[i], "set") && argc - i == 4) {
		snprintf(req, sizeof(req), "set %s %s %s\n", argv[i + 1], argv[i + 2],
			 argv[i + 3]);
	} else if (!strcmp(argv[i], "foreground") && argc - i == 2) {
		snprintf(req, sizeof(req), "foreground %s\n", argv[i + 1]);
	} else if (!strcmp(argv[i], "monitor") && argc - i == 1) {
		snprintf(req, sizeof(req), "monitor\n");
	} else {
		return usage();
	}
	return ask(sock, req, false);
}
