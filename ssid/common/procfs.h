/* SPDX-License-Identifier: GPL-2.0 */
/*
 * procfs.h - reading a process's /proc files: ssid's one reader of
 * /proc/PID/stat, status, comm and task/ (the task registry, the load
 * sampler, the balancer, migrations and the relay all ask them).
 *
 * The readers do I/O; the parsers are pure and take the text as read.
 * /proc/PID/stat's second field (comm) may hold spaces and ')', so its
 * fields are counted from the last ')'.
 */
#ifndef SSID_PROCFS_H
#define SSID_PROCFS_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * procfs_read_file - read the file at @path into @buf (@len bytes, at
 * least 1), NUL-terminated; one read, as /proc files are made whole.
 * Return: 0, or -errno: -ESRCH when the process is gone.
 */
int procfs_read_file(const char *path, char *buf, size_t len);

/* procfs_read - procfs_read_file() of /proc/@pid/@file. */
int procfs_read(pid_t pid, const char *file, char *buf, size_t len);

/*
 * procfs_fd_link - what fd @fd of @pid is (/proc/@pid/fd/@fd: a path,
 * "pipe:[N]", "anon_inode:[signalfd]" ...) into @buf, NUL-terminated.
 * Return: 0, or -1 if it cannot be read or is @len bytes or longer.
 */
int procfs_fd_link(pid_t pid, int fd, char *buf, size_t len);

/*
 * procfs_fdinfo - /proc/@pid/fdinfo/@fd into @text (@len bytes) and its
 * file flags ("flags:", octal) into @flags; the rest of @text for the
 * caller ("pos:", "sigmask:" ...).  Return: 0, -ESRCH (gone), -EIO (no
 * flags), -errno.
 */
int procfs_fdinfo(pid_t pid, int fd, char *text, size_t len, unsigned int *flags);

/*
 * procfs_stat_field - field @n (numbered as in proc(5), 3 or more) of a
 * /proc/PID/stat text: a pointer into @text at its first character, or
 * NULL when the text has no such field.
 */
const char *procfs_stat_field(const char *text, unsigned int n);

/* procfs_stat_state - the state letter (field 3); 0 if there is none. */
char procfs_stat_state(const char *text);

/*
 * procfs_stat_u64 - field @n (3 or more) as a decimal number that the
 * next blank, newline or the end of the text ends.  Returns 0 or -1.
 */
int procfs_stat_u64(const char *text, unsigned int n, uint64_t *v);

/*
 * procfs_status_value - in a /proc/PID/status text, the value of the
 * line "@key:": a pointer into @text past the colon and the blanks after
 * it (the value ends at the newline), or NULL without such a line.
 */
const char *procfs_status_value(const char *text, const char *key);

/*
 * procfs_status_u64 - the first number of the line "@key:" in @base (10,
 * or 16 for the signal masks), ended by a blank, newline or the end of
 * the text.  Returns 0 or -1.
 */
int procfs_status_u64(const char *text, const char *key, int base, uint64_t *v);

/* procfs_status_uid - the real uid (the first of the "Uid:" line); 0 or -1. */
int procfs_status_uid(const char *text, uid_t *uid);

/*
 * procfs_status_ids - the four ids of the "Uid:" or "Gid:" (@key) line:
 * real, effective, saved, file system; 0 or -1.
 */
int procfs_status_ids(const char *text, const char *key, uint64_t ids[4]);

/*
 * procfs_each_thread - call @fn(tid, @arg) for each thread of process
 * @pid (/proc/@pid/task) until one returns nonzero.  Return: that value,
 * 0, or -ESRCH when the process is gone.
 */
int procfs_each_thread(pid_t pid, int (*fn)(pid_t tid, void *arg), void *arg);

/* procfs_each_fd - the same for each open fd of @pid (/proc/@pid/fd). */
int procfs_each_fd(pid_t pid, int (*fn)(int fd, void *arg), void *arg);

/*
 * procfs_each_timer - the same for each POSIX timer of @pid: its id and
 * the clock it counts (/proc/@pid/timers: a CPU-time clock reads < 0).
 * None on a kernel built without that file.
 */
int procfs_each_timer(pid_t pid, int (*fn)(int id, int clock, void *arg), void *arg);

/*
 * procfs_threads - how many threads process @pid has (*@threads), and how
 * many of them are runnable (*@runnable: state R), from
 * /proc/@pid/task/TID/stat.  What a process weighs on a CPU: a 4-thread
 * OpenMP loop, 4.  Return: 0, or -ESRCH when the process is gone.
 */
int procfs_threads(pid_t pid, uint32_t *threads, uint32_t *runnable);

/*
 * procfs_thread_gone - whether thread @tid of process @pid has ended (and
 * been reaped): /proc/@pid/task/@tid is no more.  Any other answer of
 * procfs (a transient error) counts as not gone.
 */
bool procfs_thread_gone(pid_t pid, pid_t tid);

/*
 * procfs_ns_tid - the id thread @tid of process @pid (ids as ssid sees
 * them) has in its own pid namespace: the last number of "NSpid:" in
 * /proc/@pid/task/@tid/status.  0 when it cannot be read.
 */
pid_t procfs_ns_tid(pid_t pid, pid_t tid);

#endif /* SSID_PROCFS_H */
