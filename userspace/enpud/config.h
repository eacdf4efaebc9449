/* SPDX-License-Identifier: MIT */
/*
 * enpud's configuration: an INI file (/etc/enpu/enpud.conf), parsed with
 * libinih.  Errors name the file and the line.
 */
#ifndef ENPUD_CONFIG_H
#define ENPUD_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "policy.h"

#define ENPUD_MAX_RULES	32
#define ENPUD_COMM_LEN	16

/* A classification rule: processes named @comm (and of @uid) get @class. */
struct enpud_rule {
	char name[32];
	char comm[ENPUD_COMM_LEN];
	bool has_uid;
	uid_t uid;
	bool has_class;
	uint32_t class;
	uint32_t weight;
};

/**
 * struct enpud_config - the whole configuration
 * @policy: the policy engine's settings; fields left at 0 take the
 *	engine's defaults for the device (enpu_policy_defaults())
 * @zone: type of the thermal zone to control
 * @saver: battery saver mode
 * @num_rules: entries in @rules
 * @rules: classification rules, first match wins
 */
struct enpud_config {
	struct enpu_policy_config policy;
	char zone[32];
	bool saver;
	uint32_t num_rules;
	struct enpud_rule rules[ENPUD_MAX_RULES];
};

int enpud_config_load(const char *path, struct enpud_config *cfg, char *err,
		      size_t err_len);
void enpud_config_apply_defaults(const struct enpud_config *cfg,
				 const struct enpu_policy_device *dev,
				 const struct enpu_policy_config *zone,
				 struct enpu_policy_config *out);
const struct enpud_rule *enpud_config_match(const struct enpud_config *cfg,
					    const char *comm, uid_t uid);
const char *enpud_class_name(uint32_t class);
int enpud_class_parse(const char *name);

#endif /* ENPUD_CONFIG_H */
