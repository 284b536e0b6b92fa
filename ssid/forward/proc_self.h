/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * proc_self.h - a migrated process's own /proc entries that describe its
 * memory and its running image are served on the node where it runs.
 *
 * Every path a migrated process opens is opened at home, where its
 * deputy holds its fds.  For /proc/self/maps, cmdline, status ... that
 * is the deputy's: a stub's address space, an empty command line.  So
 * when such an open succeeded at home (home's kernel checked it, with
 * the process's credentials), the relay opens the same entry here too,
 * in a proc mount of the process's pid namespace (where its pid and tids
 * are the home ones, as the texts print them), and installs it in the
 * process under the number home gave (SECCOMP_IOCTL_NOTIF_ADDFD).  Reads,
 * writes and seeks on that number then run here, natively
 * (SECCOMP_USER_NOTIF_FLAG_CONTINUE); everything else on it (fstat,
 * fcntl, poll) stays at home, on the home entry of the same name, which
 * is also what the fd is once the process is home again.  Closing and
 * duplicating are done at home and mirrored here (a closed number simply
 * stops being served here: relay_remote.c's proc_after()).
 *
 * Fds, cwd, root, mounts, namespaces, cgroups: they live at home and
 * are read there.  The one table of which entries are served here is
 * proc_self.c's.
 */
#ifndef SSID_PROC_SELF_H
#define SSID_PROC_SELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/seq_pos.h"

/* Longest relative path proc_self_path() writes, NUL included. */
#define PROC_SELF_PATH_MAX	64

/* The @i-th entry served where the process runs ("maps"), NULL past the last. */
const char *proc_self_served(size_t i);

/*
 * proc_self_path - does @path name an entry of the process's own that is
 * served where it runs?  Recognised: /proc/{self,thread-self,PID,TID}/ENTRY
 * and /proc/{self,PID}/task/TID/ENTRY, where PID is @home_pid, a TID one
 * for which @is_thread(@arg, TID) holds (its home tids), thread-self the
 * caller's (@caller_tid); "." and empty components are skipped, ".." is
 * not followed (such a path is not served here).
 * @out:	receives the entry's path relative to a proc mount of the
 *		process's namespace ("PID/ENTRY", "PID/task/TID/ENTRY").
 * Return: true if served here.
 */
bool proc_self_path(const char *path, uint32_t home_pid, uint32_t caller_tid,
		    bool (*is_thread)(const void *arg, uint32_t tid),
		    const void *arg, char out[PROC_SELF_PATH_MAX]);

/*
 * proc_self_valid - is @rel ("PID/ENTRY" ...) what proc_self_path() makes
 * of an entry served here, for this process (a path from a peer)?
 */
bool proc_self_valid(const char *rel, uint32_t home_pid,
		     bool (*is_thread)(const void *arg, uint32_t tid),
		     const void *arg);

/*
 * proc_self_held - call @cb for each fd of process @pid (at home: the
 * process itself, or its deputy) that holds an entry served where it
 * runs, with its O_ACCMODE | O_NONBLOCK | O_CLOEXEC flags, its offset,
 * its seq_file state (NULL if it has none, or it cannot be read) and the
 * entry's relative path (as proc_self_path()).  Return: 0 or -errno (its
 * fds cannot be listed).
 */
int proc_self_held(pid_t pid, uint32_t home_pid,
		   bool (*is_thread)(const void *arg, uint32_t tid), const void *targ,
		   void (*cb)(void *arg, int fd, int flags, uint64_t pos,
			      const struct seq_pos *seq, const char *path),
		   void *arg);

/*
 * proc_self_set_pos - at home, on the way back: fd @fd of process @pid
 * (@pidfd: its pidfd) takes offset @pos and seq_file state @seq (if not
 * NULL), if it holds entry @path.
 * Return: 0, -ESTALE (it holds another file), or -errno.
 */
int proc_self_set_pos(int pidfd, pid_t pid, uint32_t home_pid,
		      bool (*is_thread)(const void *arg, uint32_t tid),
		      const void *targ, int fd, uint64_t pos,
		      const struct seq_pos *seq, const char *path);

/* The process's fd numbers that hold an entry opened here, and which. */
struct proc_self_fd {
	int fd;
	uint64_t gen;			/* which install of @fd this is */
	char path[PROC_SELF_PATH_MAX];
};

struct proc_self_fds {
	struct proc_self_fd *fd;
	uint32_t n, cap;
	uint64_t gen;			/* the last install's */
};

bool proc_self_fds_has(const struct proc_self_fds *s, int fd);
/* the entry @fd holds, or NULL */
const char *proc_self_fds_path(const struct proc_self_fds *s, int fd);
/*
 * which install of @fd the set holds (each add is a new one), 0: none; a
 * close answered by home acts here only on the install it was asked of
 */
uint64_t proc_self_fds_gen(const struct proc_self_fds *s, int fd);
/* @fd holds @path now: 0, -ENOMEM */
int proc_self_fds_add(struct proc_self_fds *s, int fd, const char *path);
bool proc_self_fds_drop(struct proc_self_fds *s, int fd);	/* was it there */
/* drop those in [@lo, @hi]: how many were */
uint32_t proc_self_fds_drop_range(struct proc_self_fds *s, unsigned int lo,
				  unsigned int hi);
void proc_self_fds_free(struct proc_self_fds *s);

/*
 * proc_self_runs_here - does call @nr with @args act on an fd the set
 * holds, in a way that runs here (read, write, seek and their vector
 * and positioned forms)?
 */
bool proc_self_runs_here(const struct proc_self_fds *s, int nr,
			 const uint64_t args[6]);

/*
 * proc_self_dup_source - the fd a duplicating call (dup, dup2, dup3,
 * fcntl F_DUPFD and F_DUPFD_CLOEXEC) copies, and whether the copy is
 * close-on-exec; -1 for any other call.
 */
int proc_self_dup_source(int nr, const uint64_t args[6], bool *cloexec);

#endif /* SSID_PROC_SELF_H */
