/* SPDX-License-Identifier: GPL-2.0 */
/*
 * not_carried.h - what a process may have that a migration does not carry
 * yet, looked for by ssid before the freeze: moved without it, the
 * process would silently see something else, so it is refused with a
 * reason that names it and goes on at home untouched.
 *
 * ssi.ko refuses what only the kernel sees (an LDT, protection keys,
 * shared and special mappings: kmod/ssi_dump.c); this is what /proc
 * shows: seccomp strict mode (its filters travel: seccomp_carry.h), POSIX timers on a CPU-time or an
 * alarm clock (ssi.ko refuses them too), and descriptors whose
 * meaning is the process that uses them (a signalfd reads the signals of
 * the task that reads it: at home, the deputy's; a perf event counts the
 * deputy).  One table, in not_carried.c.
 */
#ifndef SSID_NOT_CARRIED_H
#define SSID_NOT_CARRIED_H

#include <stddef.h>
#include <sys/types.h>

/*
 * not_carried - whether process @pid (@status: its /proc/PID/status
 * text) has something a migration does not carry.
 * Return: 0, or EOPNOTSUPP with the reason in @err (@errlen bytes).
 */
int not_carried(pid_t pid, const char *status, char *err, size_t errlen);

#endif /* SSID_NOT_CARRIED_H */
