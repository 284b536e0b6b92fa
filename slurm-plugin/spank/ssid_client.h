/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ssid_client.h - the Slurm plugins' side of ssid's control socket
 * (protocol: doc/ssid.8, CONTROL SOCKET): one JSON request, one reply.
 */
#ifndef SSI_SSID_CLIENT_H
#define SSI_SSID_CLIENT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <json-c/json.h>

#define SSID_CLIENT_SOCKET_DEFAULT	"/run/ssi/ssid.sock"
#define SSID_CLIENT_TIMEOUT_MS_DEFAULT	1000

/*
 * ssid_call - send @req (not consumed) and wait for the reply.
 * @result: if not NULL, the reply's "result" (a new reference the caller
 *          puts; NULL when the reply has none).
 * Return: as ssid_task_register().
 */
int ssid_call(const char *sock, int timeout_ms, json_object *req,
	      json_object **result, char *err, size_t errlen);

/*
 * ssid_task_register - tell ssid that @pid is task @task of job @job step
 * @step, migratable with @policy ("auto" or "manual").
 * ssid_task_unregister - forget it.
 * @sock, @timeout_ms: where ssid listens and how long to wait for it.
 * @err, @errlen: a message when the call fails.
 *
 * Return: 0 when ssid answered ok; -1 otherwise (ssid down, timeout, or
 * ssid refused: the message says which).  Never blocks longer than
 * @timeout_ms; never raises SIGPIPE.
 */
int ssid_task_register(const char *sock, int timeout_ms, pid_t pid, uint32_t job,
		       uint32_t step, uint32_t task, const char *policy,
		       char *err, size_t errlen);
int ssid_task_unregister(const char *sock, int timeout_ms, pid_t pid,
			 char *err, size_t errlen);

#endif /* SSI_SSID_CLIENT_H */
