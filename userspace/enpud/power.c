// SPDX-License-Identifier: MIT
/*
 * The battery: power_supply uevents from a NETLINK_KOBJECT_UEVENT socket
 * say when to look; the values come from sysfs.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/netlink.h>

#include "power.h"

#define PS_DIR	"/sys/class/power_supply"

static int read_line(const char *dir, const char *attr, char *buf, size_t len)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, attr);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	if (!fgets(buf, len, f)) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

/* Find the first battery and the first charger in sysfs. */
void enpud_power_scan(struct enpud_power *p)
{
	struct dirent *de;
	char type[32];
	DIR *d;

	p->battery[0] = p->mains[0] = 0;
	d = opendir(PS_DIR);
	if (!d)
		return;
	while ((de = readdir(d))) {
		char dir[PATH_MAX];

		if (de->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof(dir), PS_DIR "/%s", de->d_name);
		if (read_line(dir, "type", type, sizeof(type)))
			continue;
		if (!strcmp(type, "Battery") && !p->battery[0])
			snprintf(p->battery, sizeof(p->battery), "%s", dir);
		else if ((!strcmp(type, "Mains") || !strcmp(type, "USB")) && !p->mains[0])
			snprintf(p->mains, sizeof(p->mains), "%s", dir);
	}
	closedir(d);
}

/* Open the uevent socket and find the supplies.  Returns 0 or -errno. */
int enpud_power_open(struct enpud_power *p)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1 };

	p->fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
		       NETLINK_KOBJECT_UEVENT);
	if (p->fd < 0)
		return -errno;
	if (bind(p->fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int ret = -errno;

		close(p->fd);
		p->fd = -1;
		return ret;
	}
	enpud_power_scan(p);
	return 0;
}

void enpud_power_close(struct enpud_power *p)
{
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
}

/* Read the battery's state now. */
void enpud_power_read(struct enpud_power *p, struct enpud_battery *b)
{
	char buf[32];
	unsigned int cap;

	memset(b, 0, sizeof(*b));
	if (p->battery[0] && !read_line(p->battery, "capacity", buf, sizeof(buf)) &&
	    sscanf(buf, "%u", &cap) == 1) {
		b->present = true;
		b->capacity = cap > 100 ? 100 : cap;
		if (!read_line(p->battery, "status", buf, sizeof(buf)))
			b->charging = !strcmp(buf, "Charging") || !strcmp(buf, "Full");
	}
	if (p->mains[0] && !read_line(p->mains, "online", buf, sizeof(buf)) &&
	    !strcmp(buf, "1"))
		b->charging = true;
}

/* Read every pending uevent; true if one was a power supply's. */
bool enpud_power_drain(struct enpud_power *p)
{
	char msg[4096];
	bool supply = false;
	ssize_t n;

	while ((n = recv(p->fd, msg, sizeof(msg) - 1, 0)) > 0) {
		ssize_t off;

		msg[n] = 0;
		for (off = 0; off < n; off += strlen(msg + off) + 1)
			if (!strcmp(msg + off, "SUBSYSTEM=power_supply"))
				supply = true;
	}
	return supply;
}
