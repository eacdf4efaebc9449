/* SPDX-License-Identifier: MIT */
/* The battery and the charger, as enpud sees them. */
#ifndef ENPUD_POWER_H
#define ENPUD_POWER_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

struct enpud_power {
	int fd;			/* the uevent socket */
	char battery[PATH_MAX];	/* sysfs directory, "" if none */
	char mains[PATH_MAX];
};

struct enpud_battery {
	bool present;
	bool charging;
	uint32_t capacity;
};

int enpud_power_open(struct enpud_power *p);
void enpud_power_close(struct enpud_power *p);
void enpud_power_scan(struct enpud_power *p);
void enpud_power_read(struct enpud_power *p, struct enpud_battery *b);
bool enpud_power_drain(struct enpud_power *p);

#endif /* ENPUD_POWER_H */
