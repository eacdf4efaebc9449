// SPDX-License-Identifier: MIT
/*
 * enpud.conf: sections [thermal], [battery], [policy] and one
 * [rule NAME] per classification rule.  Every key is optional; unknown
 * sections, keys and bad values are errors with their line number.
 */
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"

static const char *const class_names[] = {
	[ENPU_POLICY_BACKGROUND] = "background",
	[ENPU_POLICY_NORMAL] = "normal",
	[ENPU_POLICY_INTERACTIVE] = "interactive",
	[ENPU_POLICY_REALTIME] = "realtime",
};

const char *enpud_class_name(uint32_t class)
{
	return class < 4 ? class_names[class] : "?";
}

/* A class by its name, or -1. */
int enpud_class_parse(const char *name)
{
	int i;

	for (i = 0; i < 4; i++)
		if (!strcmp(name, class_names[i]))
			return i;
	return -1;
}

struct parse {
	struct enpud_config *cfg;
	char msg[160];		/* the first error */
	int line;		/* its line, counted by the reader */
	FILE *f;
	int cur;		/* lines read so far */
};

static bool parse_u32(const char *v, uint32_t *out)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(v, &end, 0);
	if (errno || end == v || *end || n > UINT32_MAX || *v == '-')
		return false;
	*out = n;
	return true;
}

static bool parse_s32(const char *v, int32_t *out)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 0);
	if (errno || end == v || *end || n < INT32_MIN || n > INT32_MAX)
		return false;
	*out = n;
	return true;
}

static bool parse_bool(const char *v, bool *out)
{
	if (!strcasecmp(v, "true") || !strcasecmp(v, "yes") || !strcmp(v, "1"))
		*out = true;
	else if (!strcasecmp(v, "false") || !strcasecmp(v, "no") || !strcmp(v, "0"))
		*out = false;
	else
		return false;
	return true;
}

struct key {
	const char *section, *name;
	char type;		/* u: u32, s: s32 */
	size_t offset;
};

#define PK(sec, name, field, t) { sec, name, t, offsetof(struct enpu_policy_config, field) }

static const struct key keys[] = {
	PK("thermal", "control_mc", control_mc, 's'),
	PK("thermal", "switch_on_mc", switch_on_mc, 's'),
	PK("thermal", "severe_mc", severe_mc, 's'),
	PK("thermal", "severe_clear_mc", severe_clear_mc, 's'),
	PK("thermal", "sustainable_mw", sustainable_mw, 'u'),
	PK("thermal", "k_po", k_po, 'u'),
	PK("thermal", "k_pu", k_pu, 'u'),
	PK("thermal", "k_i", k_i, 'u'),
	PK("battery", "low_pct", battery_low_pct, 'u'),
	PK("battery", "critical_pct", battery_critical_pct, 'u'),
	PK("battery", "hysteresis_pct", battery_hyst_pct, 'u'),
	PK("battery", "cap_mw", battery_cap_mw, 'u'),
	PK("battery", "low_cap_mw", battery_low_cap_mw, 'u'),
	PK("battery", "saver_cap_mw", saver_cap_mw, 'u'),
	PK("policy", "period_ms", period_ms, 'u'),
	PK("policy", "rt_limit_pct", rt_limit_pct, 'u'),
	PK("policy", "rt_cores", rt_cores, 'u'),
	PK("policy", "budget_period_us", budget_period_us, 'u'),
	PK("policy", "share_hysteresis_pct", share_hyst_pct, 'u'),
};

static int fail(struct parse *ps, const char *fmt, const char *a, const char *b)
{
	if (!ps->msg[0]) {
		snprintf(ps->msg, sizeof(ps->msg), fmt, a, b);
		ps->line = ps->cur;
	}
	return 0;
}

static struct enpud_rule *rule_for(struct parse *ps, const char *name)
{
	struct enpud_config *cfg = ps->cfg;
	uint32_t i;

	if (strlen(name) >= sizeof(cfg->rules[0].name))
		return NULL;
	for (i = 0; i < cfg->num_rules; i++)
		if (!strcmp(cfg->rules[i].name, name))
			return &cfg->rules[i];
	if (cfg->num_rules == ENPUD_MAX_RULES)
		return NULL;
	snprintf(cfg->rules[cfg->num_rules].name, sizeof(cfg->rules[0].name), "%s", name);
	cfg->rules[cfg->num_rules].weight = 1;
	return &cfg->rules[cfg->num_rules++];
}

static int rule_key(struct parse *ps, const char *rname, const char *name, const char *v)
{
	struct enpud_rule *r = rule_for(ps, rname);
	uint32_t n;

	if (!r && strlen(rname) >= sizeof(ps->cfg->rules[0].name))
		return fail(ps, "rule name \"%s\" is longer than 31 characters%s", rname, "");
	if (!r)
		return fail(ps, "too many rules (at most %s)%s", "32", "");
	if (!strcmp(name, "comm")) {
		if (strlen(v) >= sizeof(r->comm))
			return fail(ps, "rule %s: comm \"%s\" is longer than 15 characters",
				    rname, v);
		snprintf(r->comm, sizeof(r->comm), "%s", v);
	} else if (!strcmp(name, "uid")) {
		if (!parse_u32(v, &n))
			return fail(ps, "rule %s: bad uid \"%s\"", rname, v);
		r->has_uid = true;
		r->uid = n;
	} else if (!strcmp(name, "class")) {
		int class = enpud_class_parse(v);

		if (class < 0)
			return fail(ps, "rule %s: unknown class \"%s\" (background, normal, interactive or realtime)",
				    rname, v);
		r->has_class = true;
		r->class = class;
	} else if (!strcmp(name, "weight")) {
		if (!parse_u32(v, &n) || !n || n > 1000)
			return fail(ps, "rule %s: weight \"%s\" is not 1..1000", rname, v);
		r->weight = n;
	} else {
		return fail(ps, "rule %s: unknown key \"%s\"", rname, name);
	}
	return 1;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct parse *ps = user;
	unsigned int i;

	if (!strncmp(section, "rule ", 5) && section[5])
		return rule_key(ps, section + 5, name, value);
	if (!strcmp(section, "thermal") && !strcmp(name, "zone")) {
		if (!*value || strlen(value) >= sizeof(ps->cfg->zone))
			return fail(ps, "thermal: bad zone \"%s\"%s", value, "");
		snprintf(ps->cfg->zone, sizeof(ps->cfg->zone), "%s", value);
		return 1;
	}
	if (!strcmp(section, "battery") && !strcmp(name, "saver")) {
		if (!parse_bool(value, &ps->cfg->saver))
			return fail(ps, "battery: saver \"%s\" is not true or false%s", value, "");
		return 1;
	}
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		void *field;

		if (strcmp(section, keys[i].section) != 0 || strcmp(name, keys[i].name) != 0)
			continue;
		field = (char *)&ps->cfg->policy + keys[i].offset;
		if (keys[i].type == 'u' ? !parse_u32(value, field) : !parse_s32(value, field))
			return fail(ps, "bad number \"%s\" for %s", value, name);
		return 1;
	}
	if (strcmp(section, "thermal") != 0 && strcmp(section, "battery") != 0 &&
	    strcmp(section, "policy") != 0)
		return fail(ps, "unknown section [%s]%s", section, "");
	return fail(ps, "unknown key \"%s\" in [%s]", name, section);
}

/* libinih's line reader, counting lines so that errors can name theirs. */
static char *reader(char *str, int num, void *stream)
{
	struct parse *ps = stream;
	char *s = fgets(str, num, ps->f);

	if (s)
		ps->cur++;
	return s;
}

/**
 * enpud_config_load() - read and check a configuration file
 * @path: the file
 * @cfg: out: the configuration (untouched on error)
 * @err: out: "PATH:LINE: what is wrong" on error
 * @err_len: size of @err
 *
 * Return: 0, or -1 with @err set.
 */
int enpud_config_load(const char *path, struct enpud_config *cfg, char *err,
		      size_t err_len)
{
	static struct enpud_config fresh;
	struct parse ps = { .cfg = &fresh };
	int ret;

	memset(&fresh, 0, sizeof(fresh));
	snprintf(fresh.zone, sizeof(fresh.zone), "enpu");
	ps.f = fopen(path, "r");
	if (!ps.f) {
		snprintf(err, err_len, "%s: %s", path, strerror(errno));
		return -1;
	}
	ret = ini_parse_stream(reader, &ps, handler, &ps);
	fclose(ps.f);
	if (ret && !ps.msg[0]) {	/* a syntax error of the file itself */
		snprintf(err, err_len, "%s:%d: not a \"key = value\" line or a [section]",
			 path, ret);
		return -1;
	}
	if (ret) {
		snprintf(err, err_len, "%s:%d: %s", path, ps.line, ps.msg);
		return -1;
	}
	*cfg = fresh;
	return 0;
}

/**
 * enpud_config_apply_defaults() - the policy engine's settings
 * @cfg: the configuration
 * @dev: the device
 * @zone: what the thermal zone says (control and switch-on trips,
 *	sustainable power; 0 where it says nothing)
 * @out: out: the file's settings, the zone's where the file is silent,
 *	the engine's defaults for the rest; gains follow the final
 *	sustainable power and trips as the kernel's power_allocator
 *	derives them
 */
void enpud_config_apply_defaults(const struct enpud_config *cfg,
				 const struct enpu_policy_device *dev,
				 const struct enpu_policy_config *zone,
				 struct enpu_policy_config *out)
{
	const struct enpu_policy_config *c = &cfg->policy;
	struct enpu_policy_config def;
	int32_t dt;

	enpu_policy_defaults(&def, dev);
#define PICK(f) (c->f ? c->f : zone->f ? zone->f : def.f)
	*out = def;
	out->period_ms = PICK(period_ms);
	out->control_mc = PICK(control_mc);
	out->switch_on_mc = PICK(switch_on_mc);
	out->sustainable_mw = PICK(sustainable_mw);
	out->severe_mc = c->severe_mc ? c->severe_mc : out->control_mc + 5000;
	out->severe_clear_mc = c->severe_clear_mc ? c->severe_clear_mc :
			       out->control_mc - 2000;
	dt = (out->control_mc - out->switch_on_mc) / 1000;
	if (dt < 1)
		dt = 1;
	out->k_po = c->k_po ? c->k_po : out->sustainable_mw / dt;
	out->k_pu = c->k_pu ? c->k_pu : 2 * out->sustainable_mw / dt;
	out->k_i = c->k_i ? c->k_i : (out->k_pu / 10 ? out->k_pu / 10 : 1);
	out->battery_low_pct = PICK(battery_low_pct);
	out->battery_critical_pct = PICK(battery_critical_pct);
	out->battery_hyst_pct = PICK(battery_hyst_pct);
	out->battery_cap_mw = c->battery_cap_mw;
	out->battery_low_cap_mw = PICK(battery_low_cap_mw);
	out->saver_cap_mw = PICK(saver_cap_mw);
	out->rt_limit_pct = PICK(rt_limit_pct);
	out->rt_cores = PICK(rt_cores);
	out->budget_period_us = PICK(budget_period_us);
	out->share_hyst_pct = PICK(share_hyst_pct);
#undef PICK
}

/* The first rule that matches a process, or NULL. */
const struct enpud_rule *enpud_config_match(const struct enpud_config *cfg,
					    const char *comm, uid_t uid)
{
	uint32_t i;

	for (i = 0; i < cfg->num_rules; i++) {
		const struct enpud_rule *r = &cfg->rules[i];

		if (r->comm[0] && strcmp(r->comm, comm) != 0)
			continue;
		if (r->has_uid && r->uid != uid)
			continue;
		return r;
	}
	return NULL;
}
