/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * policy.h - the migration policy a job asks for with --ssi-migratable,
 * and its names on the control socket (the "policy" member of
 * task_register, job_event and the task views).  Part of libssiclient
 * (ssid/client/): the SPANK plugin parses the user's option, select/ssi
 * reads it back from the job's SPANK environment, both send ssid its name
 * (ssi_policy_name()), and ssid reads it back (ssi_policy_from_name()).
 */
#ifndef SSI_CLIENT_POLICY_H
#define SSI_CLIENT_POLICY_H

#include <stddef.h>

enum ssi_policy {
	SSI_POLICY_NONE = 0,	/* not migratable: the default for every job */
	SSI_POLICY_AUTO,	/* the balancer may move its tasks by itself */
	SSI_POLICY_MANUAL,	/* only `ssictl migrate/rebalance` moves them */
};

/*
 * Name of the job control environment variable.  The job record in
 * slurmctld (job_ptr->spank_job_env) holds it as it is; prologs and
 * epilogs see it prefixed with "SPANK_", as SSI_POLICY_JOB_ENV.
 */
#define SSI_POLICY_ENV		"SSI_MIGRATABLE"
#define SSI_POLICY_JOB_ENV	"SPANK_SSI_MIGRATABLE"

/*
 * ssi_policy_parse - parse the argument of --ssi-migratable.
 * @arg:	the option argument; NULL or "" (option given without a value)
 *		means SSI_POLICY_AUTO.
 * @out:	receives the policy on success.
 * @err:	receives a message for the user on failure (may be NULL).
 * @errlen:	size of @err.
 *
 * Return: 0 on success, -1 for an unknown value.
 */
int ssi_policy_parse(const char *arg, enum ssi_policy *out, char *err, size_t errlen);

/* ssi_policy_name - "none", "auto" or "manual"; never NULL. */
const char *ssi_policy_name(enum ssi_policy policy);

/*
 * ssi_policy_from_name - the policy ssi_policy_name() names.
 * @name:	"none", "auto" or "manual", exactly (NULL is no name).
 * @out:	receives the policy on success; untouched otherwise.
 *
 * Return: 0, or -1 for anything else.  Whether "none" is acceptable is
 * the caller's to say (ssid's task_register refuses it, job_event not).
 */
int ssi_policy_from_name(const char *name, enum ssi_policy *out);

/*
 * ssi_policy_from_env - find SSI_POLICY_ENV (a job record's spank_job_env)
 * or SSI_POLICY_JOB_ENV (a prolog's environment) in an environment array
 * and parse it.
 * @env:	NULL-terminated array of "NAME=value" strings, or NULL.
 * @count:	number of entries to look at (the array need not be
 *		NULL-terminated when @count is exact).
 *
 * Return: the policy; SSI_POLICY_NONE when absent or unparsable.
 */
enum ssi_policy ssi_policy_from_env(char **env, unsigned int count);

#endif /* SSI_CLIENT_POLICY_H */
