// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * policy.c - parse and name the --ssi-migratable policy (policy.h); part
 * of libssiclient, the control socket's client library.
 */
#include <stdio.h>
#include <string.h>

#include "client/policy.h"

static const char *const policy_names[] = {
	[SSI_POLICY_NONE]	= "none",
	[SSI_POLICY_AUTO]	= "auto",
	[SSI_POLICY_MANUAL]	= "manual",
};

#define POLICY_COUNT	(sizeof(policy_names) / sizeof(policy_names[0]))

int ssi_policy_from_name(const char *name, enum ssi_policy *out)
{
	unsigned int i;

	for (i = 0; name && i < POLICY_COUNT; i++) {
		if (!strcmp(name, policy_names[i])) {
			*out = (enum ssi_policy)i;
			return 0;
		}
	}
	return -1;
}

int ssi_policy_parse(const char *arg, enum ssi_policy *out, char *err, size_t errlen)
{
	enum ssi_policy p;

	if (!arg || !*arg) {
		*out = SSI_POLICY_AUTO;
		return 0;
	}
	/* "none" is what a job without the option gets, not a value of it */
	if (!ssi_policy_from_name(arg, &p) && p != SSI_POLICY_NONE) {
		*out = p;
		return 0;
	}
	if (err && errlen)
		snprintf(err, errlen,
			 "invalid --ssi-migratable value '%s': use 'auto' or 'manual'", arg);
	return -1;
}

const char *ssi_policy_name(enum ssi_policy policy)
{
	if ((unsigned int)policy >= POLICY_COUNT)
		return "none";
	return policy_names[policy];
}

enum ssi_policy ssi_policy_from_env(char **env, unsigned int count)
{
	static const char key[] = SSI_POLICY_ENV "=", spank_key[] = SSI_POLICY_JOB_ENV "=";
	enum ssi_policy policy;
	const char *val;
	unsigned int i;

	if (!env)
		return SSI_POLICY_NONE;
	for (i = 0; i < count && env[i]; i++) {
		if (!strncmp(env[i], key, sizeof(key) - 1))
			val = env[i] + sizeof(key) - 1;
		else if (!strncmp(env[i], spank_key, sizeof(spank_key) - 1))
			val = env[i] + sizeof(spank_key) - 1;
		else
			continue;
		/* An empty value here is not "auto": the plugin never sets it. */
		if (!*val || ssi_policy_parse(val, &policy, NULL, 0))
			return SSI_POLICY_NONE;
		return policy;
	}
	return SSI_POLICY_NONE;
}
