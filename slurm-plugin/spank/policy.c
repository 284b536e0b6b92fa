// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * policy.c - parse and name the --ssi-migratable policy.
 */
#include <stdio.h>
#include <string.h>

#include "policy.h"

static const char *const policy_names[] = {
	[SSI_POLICY_NONE]	= "none",
	[SSI_POLICY_AUTO]	= "auto",
	[SSI_POLICY_MANUAL]	= "manual",
};

int ssi_policy_parse(const char *arg, enum ssi_policy *out, char *err, size_t errlen)
{
	if (!arg || !*arg) {
		*out = SSI_POLICY_AUTO;
		return 0;
	}
	if (!strcmp(arg, "auto")) {
		*out = SSI_POLICY_AUTO;
		return 0;
	}
	if (!strcmp(arg, "manual")) {
		*out = SSI_POLICY_MANUAL;
		return 0;
	}
	if (err && errlen)
		snprintf(err, errlen,
			 "invalid --ssi-migratable value '%s': use 'auto' or 'manual'", arg);
	return -1;
}

const char *ssi_policy_name(enum ssi_policy policy)
{
	if ((unsigned int)policy >= sizeof(policy_names) / sizeof(policy_names[0]))
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
