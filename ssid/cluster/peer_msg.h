/* SPDX-License-Identifier: GPL-2.0 */
/*
 * peer_msg.h - the messages ssid daemons exchange through the transport.
 *
 * The transport delivers (type, payload) pairs whole, in order, from an
 * authenticated peer.  Payloads here are fixed layouts in network byte
 * order, each starting with a one-byte version.  A receiver accepts a
 * payload of its version that is at least as long as the layout it knows
 * and ignores trailing bytes (room for fields appended later without a
 * version bump); anything shorter or of another version is refused.
 * Documented in doc/ssid.8 (PEER MESSAGES).
 */
#ifndef SSID_PEER_MSG_H
#define SSID_PEER_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdint.h>

#include "common/defaults.h"
#include "common/seq_pos.h"
#include "cluster/load.h"
#include "cluster/node_id.h"

#define SSID_MSG_VERSION	1

/* Message types: the transport reserves those below 0x0100. */
enum ssid_msg_type {
	SSID_MSG_HEARTBEAT = 0x0100,	/* load vector, every interval */
	SSID_MSG_PING = 0x0101,		/* echo request */
	SSID_MSG_PONG = 0x0102,		/* echo reply: the ping's fields back */
	SSID_MSG_HELLO = 0x0103,	/* first on every connection: cluster */
	/* migration and forwarding (doc/ssid.8 PEER MESSAGES) */
	SSID_MSG_MIG_OFFER = 0x0110,	/* home -> remote: a process is coming */
	SSID_MSG_MIG_IMAGE = 0x0111,	/* home -> remote: image bytes (bulk) */
	SSID_MSG_MIG_ACCEPTED = 0x0112,	/* remote -> home: it runs here now */
	SSID_MSG_MIG_FAILED = 0x0113,	/* remote -> home: refused, and why */
	SSID_MSG_FWD_REQ = 0x0114,	/* remote -> home: a forwarded call */
	SSID_MSG_FWD_REP = 0x0115,	/* home -> remote: its result */
	SSID_MSG_MIG_SIGNAL = 0x0116,	/* home -> remote: the home pid got it */
	SSID_MSG_MIG_EXIT = 0x0117,	/* remote -> home: the wait status */
	SSID_MSG_MIG_ABORT = 0x0118,	/* home -> remote: cancel, kill it */
	SSID_MSG_MIG_RECALL = 0x0119,	/* home -> remote: send it back */
	SSID_MSG_MIG_BACK = 0x011a,	/* remote -> home: its image (bulk) */
	SSID_MSG_MIG_BACK_FAILED = 0x011b, /* remote -> home: recall refused */
	SSID_MSG_MIG_BACK_DONE = 0x011c, /* home -> remote: landed (0) or not */
	SSID_MSG_FWD_CANCEL = 0x011d,	/* remote -> home: a signal interrupted it */
	SSID_MSG_MIG_THREADS = 0x011e,	/* remote -> home: its tids for the home tids */
	SSID_MSG_MIG_THREAD_END = 0x011f, /* remote -> home: this thread ended */
	SSID_MSG_MIG_SPAWN = 0x0120,	/* remote -> home: it makes a thread */
	SSID_MSG_MIG_SPAWNED = 0x0121,	/* home -> remote: its deputy thread */
	SSID_MSG_MIG_PROC_FDS = 0x0122,	/* home -> remote: its /proc entries held */
	SSID_MSG_MIG_PROC_POS = 0x0123,	/* remote -> home: where they were read to */
	SSID_MSG_MIG_FILE_REQ = 0x0124,	/* remote -> home: a mapped file it lacks */
	SSID_MSG_MIG_FILE_DATA = 0x0125, /* home -> remote: its content (bulk) */
	SSID_MSG_MIG_SECCOMP = 0x0126,	/* home -> remote: its own seccomp filters */
	SSID_MSG_MIG_USAGE = 0x0127,	/* remote -> home: CPU and memory it used */
	SSID_MSG_TYPE_MAX = SSID_MSG_MIG_USAGE,
	/* cluster-wide views and requests (cluster_view.c) */
	SSID_MSG_TASKS_QUERY = 0x0200,	/* what tasks are yours, who are your guests */
	SSID_MSG_TASKS_REPLY = 0x0201,	/* the answer, one record per task/guest */
	SSID_MSG_MIGRATE_REQ = 0x0202,	/* move your process, for my client */
	SSID_MSG_MIGRATE_REP = 0x0203,	/* how that went */
	SSID_MSG_JOB_EVENT = 0x0204,	/* a Slurm job started or ended */
	SSID_MSG_CLUSTER_MIN = SSID_MSG_TASKS_QUERY,
	SSID_MSG_CLUSTER_MAX = SSID_MSG_JOB_EVENT,
	/* DSM page traffic (doc/dsm.md, "Peer messages"): one struct msg_dsm */
	SSID_MSG_DSM_ASK = 0x0300,	/* mapper node -> home: a page, to read or write */
	SSID_MSG_DSM_REVOKE = 0x0301,	/* home -> holder: give it up (content back?) */
	SSID_MSG_DSM_REVOKED = 0x0302,	/* holder -> home: done (the content) */
	SSID_MSG_DSM_GRANT = 0x0303,	/* home -> requester: yours (the content) */
	SSID_MSG_DSM_FAIL = 0x0304,	/* home -> requester: lost, an errno */
	SSID_MSG_DSM_WAKE = 0x0305,	/* any -> mapper nodes: a futex wake */
	SSID_MSG_DSM_DROP = 0x0306,	/* mapper node -> home: no mapper left here */
	SSID_MSG_DSM_MIN = SSID_MSG_DSM_ASK,
	SSID_MSG_DSM_MAX = SSID_MSG_DSM_DROP
};

/*
 * Highest type the transport delivers to ssid: its own, and those of the
 * transport benchmark (0xfb01..0xfb08, transport/bench/bench.h), served to
 * benchmark clients only.  Anything above is refused by the transport.
 */
#define SSID_MSG_TYPE_ACCEPT_MAX	0xfbff

struct msg_heartbeat {
	uint64_t incarnation;	/* sender's start time (ns, realtime):
				 * changes when the peer restarts */
	uint32_t seq;		/* increments by one per heartbeat */
	uint32_t interval_ms;	/* the sender's HeartbeatInterval */
	struct load_vector load;
};

struct msg_ping {
	uint32_t id;		/* chosen by the sender, echoed */
	uint32_t flags;		/* echoed; MSG_PING_* */
	uint64_t t_ns;		/* sender's monotonic clock, echoed */
};

struct msg_hello {
	char cluster[SSI_NODE_NAME_MAX + 1];	/* ClusterName, "" if unset */
	struct node_id id;		/* kernel release and vDSO */
};

#define MSG_PING_PROBE	0x1	/* a heartbeat RTT probe, not ssictl's */

/* ------------------------------------------------------------ migration */

/* Bounds a receiver enforces before allocating anything. */
#define MSG_MIG_GROUPS_MAX	1024		/* supplementary groups */
#define MSG_MIG_IMAGE_MAX	(64ULL << 30)	/* bytes of one image */
#define MSG_MIG_DETAIL_MAX	200		/* failure text */
#define MSG_MIG_COMM_LEN	16		/* as TASK_COMM_LEN */
#define MSG_MIG_SIGINFO_LEN	128

/*
 * A migration is named by the id its home node chose; the remote node
 * keys it by (peer, id), so ids of different homes never collide.
 */
struct msg_mig_offer {
	uint64_t id;
	uint32_t pid, ppid, tid;	/* home values: getpid/getppid/gettid */
	uint32_t uid, gid;		/* credentials the process runs with */
	uint32_t ngroups;
	uint64_t image_size;		/* bytes that MIG_IMAGE will carry, or
					 * 0: streamed, the LAST one says */
	char comm[MSG_MIG_COMM_LEN];	/* NUL-terminated, printable */
	uint32_t groups[MSG_MIG_GROUPS_MAX];
	/*
	 * Bytes of its own seccomp filters that MIG_SECCOMP carries, sent
	 * before the image; 0: none (an offer without the field says so).
	 */
	uint32_t seccomp_len;
};

/*
 * MIG_SECCOMP (home -> remote, after the offer, before the image): the
 * process's own seccomp filters, oldest first, in the encoding of
 * migrate/seccomp_carry.h (checked there): the header, then those bytes
 * to the end of the payload, 1 .. MSG_MIG_SECCOMP_MAX of them.
 */
#define MSG_MIG_SECCOMP_MAX	(1u << 20)
#define MSG_MIG_SECCOMP_HDR_LEN	(4 + 8)

struct msg_mig_seccomp {
	uint64_t id;
	const void *data;		/* decode: points into the payload */
	size_t len;
};

size_t msg_encode_mig_seccomp(const struct msg_mig_seccomp *m, void *buf);
int msg_decode_mig_seccomp(const void *buf, size_t len, struct msg_mig_seccomp *m);

/*
 * MIG_USAGE (remote -> home, while it runs and before MIG_EXIT): what the
 * process has used on the remote node since it landed there, in total
 * (home charges its deputy the growth, migrate/usage.h), and the memory
 * it holds there now.  Times are at most MSG_MIG_USAGE_CPU_MAX_NS, the
 * memory figures at most MSG_MIG_USAGE_RSS_MAX_KB.  A message of
 * MSG_MIG_USAGE_LEN bytes (an older peer's) has no memory held.
 */
#define MSG_MIG_USAGE_CPU_MAX_NS	(1ULL << 60)
#define MSG_MIG_USAGE_RSS_MAX_KB	(1ULL << 40)

struct msg_mig_usage {
	uint64_t id;
	uint64_t utime_ns, stime_ns;	/* CPU time used there */
	uint64_t maxrss_kb;		/* its peak resident set there */
	/* what it holds there now, each at most MSG_MIG_USAGE_RSS_MAX_KB;
	 * all 0: not known (a zombie's, or from a peer that sends none) */
	uint64_t anon_kb, file_kb, shmem_kb, swap_kb, vm_kb, vm_peak_kb;
};

size_t msg_encode_mig_usage(const struct msg_mig_usage *m, void *buf);
int msg_decode_mig_usage(const void *buf, size_t len, struct msg_mig_usage *m);

/*
 * DSM_*: a page of a segment (home's id for it).  @value is the access
 * asked or granted (1 read, 2 write), the access a revoked holder keeps
 * (0 or 1), an errno (FAIL, 1..4095) or a count of waiters (WAKE, >= 1);
 * @page a page index, or a byte offset in the segment (WAKE); DROP has
 * neither.  MSG_DSM_DATA: REVOKE asks for the content back, REVOKED and
 * GRANT carry it, MSG_DSM_PAGE bytes right after the fixed fields.
 */
#define MSG_DSM_PAGE		4096
#define MSG_DSM_DATA		0x1
#define MSG_DSM_PAGES_MAX	(1ULL << 22)	/* ssid/dsm/directory.h: 16 GiB */
#define MSG_DSM_ERRNO_MAX	4095
#define MSG_DSM_LEN		(4 + 4 + 4 + 8 + 8)

struct msg_dsm {
	uint64_t seg;
	uint64_t page;
	uint32_t value;
	uint32_t flags;			/* MSG_DSM_DATA */
	const void *data;		/* MSG_DSM_PAGE bytes when it has them:
					 * encode copies them, decode points
					 * into the payload */
};

/*
 * msg_encode_dsm - @m into @buf (room for MSG_DSM_LEN + MSG_DSM_PAGE);
 * returns the length.  msg_decode_dsm - a payload of message @type into
 * @m: 0, or -1 for a value, page or flags that @type cannot have, or
 * content missing.
 */
size_t msg_encode_dsm(uint16_t type, const struct msg_dsm *m, void *buf);
int msg_decode_dsm(uint16_t type, const void *buf, size_t len, struct msg_dsm *m);

/* MIG_IMAGE: header; the bytes are the message's bulk part. */
struct msg_mig_image {
	uint64_t id;
	uint64_t offset;		/* of the bulk part in the image */
	uint32_t flags;			/* MSG_MIG_IMAGE_* */
	/*
	 * With MSG_MIG_IMAGE_LAST: the sender's CLOCK_MONOTONIC and
	 * CLOCK_BOOTTIME in ns, read after the process froze (else 0).  The
	 * receiver's clocks for the process start there: they never run
	 * backwards across a migration.
	 */
	uint64_t mono_ns, boot_ns;
};

/* The image is complete after this message's bytes (maybe none). */
#define MSG_MIG_IMAGE_LAST	0x1u

/* MIG_ACCEPTED, MIG_EXIT, MIG_ABORT, ...: an id and one value. */
struct msg_mig_value {
	uint64_t id;
	int32_t value;			/* ACCEPTED: remote pid; EXIT: wait
					 * status; ABORT: 0; THREAD_END: the
					 * home tid of the thread that ended;
					 * SPAWN: the home tid of the thread
					 * that creates one; SPAWNED: the new
					 * deputy thread's tid, or -errno */
};

struct msg_mig_failed {
	uint64_t id;
	uint32_t reason;		/* enum ssi_reason, 0 if none */
	int32_t err;			/* positive errno */
	char detail[MSG_MIG_DETAIL_MAX + 1];
};

/* FWD_REQ, FWD_REP: header, then call_wire.h bytes to the end. */
struct msg_fwd {
	uint64_t id;
	uint64_t seq;			/* the request's, echoed in the reply */
	uint32_t tid;			/* REQ, CANCEL: home tid of the thread
					 * that made the call (its deputy
					 * thread runs it); REP: 0 */
	const void *data;		/* decode: points into the payload */
	size_t len;
};

struct msg_mig_signal {
	uint64_t id;
	uint32_t signo;			/* 1..64 */
	uint32_t tid;			/* 0: for the process (kill); else the
					 * home tid it was sent to (tgkill) */
	uint8_t siginfo[MSG_MIG_SIGINFO_LEN];
};

#define MSG_MIG_OFFER_LEN	(4 + 8 + 6 * 4 + 8 + MSG_MIG_COMM_LEN)
#define MSG_MIG_IMAGE_LEN	(4 + 8 + 8 + 4 + 4 + 8 + 8)
#define MSG_MIG_VALUE_LEN	(4 + 8 + 4)
#define MSG_MIG_USAGE_LEN	(4 + 8 + 8 + 8 + 8)
#define MSG_MIG_USAGE_MEM_LEN	(MSG_MIG_USAGE_LEN + 6 * 8)
#define MSG_MIG_FAILED_MAX	(4 + 8 + 4 + 4 + 2 + MSG_MIG_DETAIL_MAX)
#define MSG_FWD_HDR_LEN		(4 + 8 + 8 + 4 + 4)
#define MSG_MIG_SIGNAL_LEN	(4 + 8 + 4 + 4 + MSG_MIG_SIGINFO_LEN)
#define MSG_MIG_OFFER_MAX	(MSG_MIG_OFFER_LEN + 4 * MSG_MIG_GROUPS_MAX + 4)

/* Encoded sizes (version 1). */
#define MSG_HEARTBEAT_LEN	(4 + 8 + 4 + 4 + 6 * 4 + 2 * 8 + 2 * 4)
#define MSG_PING_LEN		(4 + 4 + 4 + 8)
#define MSG_HELLO_MAX		(4 + 2 + SSI_NODE_NAME_MAX + 1 + NODE_ID_RELEASE_MAX + 8)

/*
 * msg_encode_heartbeat, msg_encode_ping - write @m into @buf, which must
 * hold MSG_HEARTBEAT_LEN / MSG_PING_LEN bytes.  Return the length written.
 */
size_t msg_encode_heartbeat(const struct msg_heartbeat *m, void *buf);
size_t msg_encode_ping(const struct msg_ping *m, void *buf);
/* msg_encode_hello - @buf holds MSG_HELLO_MAX bytes; returns the length. */
size_t msg_encode_hello(const struct msg_hello *m, void *buf);

/*
 * msg_decode_heartbeat, msg_decode_ping - parse @len bytes at @buf into @m.
 * Return 0, or -1 if the version is not SSID_MSG_VERSION, the payload is
 * too short, or a field is out of range (pus or numa of 0, free memory
 * above total, CPU use above 1000 per mille).  @m is undefined on error.
 */
int msg_decode_heartbeat(const void *buf, size_t len, struct msg_heartbeat *m);
int msg_decode_ping(const void *buf, size_t len, struct msg_ping *m);
/* msg_decode_hello - also -1 for a name that is too long or not printable. */
int msg_decode_hello(const void *buf, size_t len, struct msg_hello *m);

/*
 * Migration messages.  Encoders write into @buf of the _LEN/_MAX size
 * and return the length (MIG_FWD: the header only; the call_wire.h bytes
 * follow as a second iovec).  Decoders return 0, or -1 for another
 * version, a short payload or a field out of range: an offer with pid 0,
 * more than MSG_MIG_GROUPS_MAX groups or an image of more than
 * MSG_MIG_IMAGE_MAX bytes or more than MSG_MIG_SECCOMP_MAX bytes of
 * seccomp filters; image data with unknown flags; a signal outside 1..64; an exit status that
 * is neither an exit nor a death by signal; a detail that is too long.
 * Strings are sanitised to printable ASCII.
 */
size_t msg_encode_mig_offer(const struct msg_mig_offer *m, void *buf);
int msg_decode_mig_offer(const void *buf, size_t len, struct msg_mig_offer *m);
size_t msg_encode_mig_image(const struct msg_mig_image *m, void *buf);
int msg_decode_mig_image(const void *buf, size_t len, struct msg_mig_image *m);
size_t msg_encode_mig_value(const struct msg_mig_value *m, void *buf);
int msg_decode_mig_value(const void *buf, size_t len, struct msg_mig_value *m);
/* msg_decode_mig_exit - as _value, and the value must be a wait status. */
int msg_decode_mig_exit(const void *buf, size_t len, struct msg_mig_value *m);
size_t msg_encode_mig_failed(const struct msg_mig_failed *m, void *buf);
int msg_decode_mig_failed(const void *buf, size_t len, struct msg_mig_failed *m);
size_t msg_encode_fwd(const struct msg_fwd *m, void *buf);
int msg_decode_fwd(const void *buf, size_t len, struct msg_fwd *m);
size_t msg_encode_mig_signal(const struct msg_mig_signal *m, void *buf);
int msg_decode_mig_signal(const void *buf, size_t len, struct msg_mig_signal *m);

/*
 * MIG_THREADS (remote -> home): which thread of the process is which, as
 * (home tid, remote tid) pairs, the leader first; sent before ACCEPTED.
 * The home node needs it when the process comes back: the image it gets
 * names the threads by their remote tids.  Tids are 1..INT32_MAX, and
 * there are 1..MSG_MIG_THREADS_MAX pairs.
 */
#define MSG_MIG_THREADS_MAX	1024		/* SSI_IMG_MAX_THREADS */
#define MSG_MIG_THREADS_LEN(n)	(4 + 8 + 4 + 8 * (size_t)(n))

struct msg_mig_threads {
	uint64_t id;
	uint32_t n;
	int32_t home[MSG_MIG_THREADS_MAX];
	int32_t remote[MSG_MIG_THREADS_MAX];
};

size_t msg_encode_mig_threads(const struct msg_mig_threads *m, void *buf);
int msg_decode_mig_threads(const void *buf, size_t len, struct msg_mig_threads *m);

/*
 * MIG_PROC_FDS (home -> remote, after the image, always): the process's
 * fds served where it runs, to be made there too: those that hold one of
 * its own /proc entries (forward/proc_self.h) and its signalfds
 * (forward/signalfd_here.h).  The remote node serves no call of the
 * process before it has the list.  MIG_PROC_POS (remote -> home, before
 * the image back): the /proc ones served there, with how far they were
 * read, which the home fds take.  Each entry: the fd, its O_ACCMODE |
 * O_NONBLOCK | O_CLOEXEC flags, its offset and the entry's path in a proc
 * mount of the process's namespace ("PID/ENTRY", "PID/task/TID/ENTRY",
 * checked again by the receiver) or, path "signalfd", its signal mask
 * (bit N-1: signal N) where the offset is; then the length of the text
 * of its seq_file state (common/seq_pos.h) or MSG_MIG_PROC_NO_SEQ, and
 * if there is one: where its last read ended, its iterator, the text
 * (at most SEQ_POS_TEXT_MAX bytes).  0..MAX entries; the sender leaves
 * /proc ones beyond to be read at home, and refuses to migrate a process
 * with more signalfds.
 */
#define MSG_MIG_PROC_FDS_MAX	64
#define MSG_MIG_PROC_PATH_LEN	63		/* PROC_SELF_PATH_MAX - 1 */
#define MSG_MIG_PROC_NO_SEQ	0xffffffffu
#define MSG_MIG_PROC_FD_LEN	(4 + 4 + 8 + MSG_MIG_PROC_PATH_LEN + 4)
#define MSG_MIG_PROC_SEQ_LEN(len) (8 + 8 + (size_t)(len))
/* without seq_file states; MSG_MIG_PROC_FDS_MAX_LEN with the largest */
#define MSG_MIG_PROC_FDS_LEN(n)	(4 + 8 + 4 + MSG_MIG_PROC_FD_LEN * (size_t)(n))
#define MSG_MIG_PROC_FDS_MAX_LEN (MSG_MIG_PROC_FDS_LEN(MSG_MIG_PROC_FDS_MAX) + \
	MSG_MIG_PROC_FDS_MAX * MSG_MIG_PROC_SEQ_LEN(SEQ_POS_TEXT_MAX))
#define MSG_MIG_PROC_FLAGS	(O_ACCMODE | O_NONBLOCK | O_CLOEXEC)

struct msg_mig_proc_fd {
	int32_t fd;
	uint32_t flags;
	uint64_t pos;
	char path[MSG_MIG_PROC_PATH_LEN + 1];
	bool has_seq;
	struct seq_pos seq;
};

struct msg_mig_proc_fds {
	uint64_t id;
	uint32_t n;
	struct msg_mig_proc_fd fd[MSG_MIG_PROC_FDS_MAX];
};

/*
 * msg_mig_proc_fds_add - append an entry to @arg, a struct
 * msg_mig_proc_fds (the callback of proc_self_held() and
 * relay_remote_proc_held()), with seq_file state @seq if not NULL; one
 * beyond MSG_MIG_PROC_FDS_MAX is left out, and stays read at home.
 */
void msg_mig_proc_fds_add(void *arg, int fd, int flags, uint64_t pos,
			  const struct seq_pos *seq, const char *path);
/* decode: -1 also for an fd < 0, unknown flags, a seq_file text too long */
size_t msg_encode_mig_proc_fds(const struct msg_mig_proc_fds *m, void *buf);
int msg_decode_mig_proc_fds(const void *buf, size_t len, struct msg_mig_proc_fds *m);

/*
 * MIG_FILE_REQ (remote -> home, while the home task is frozen and the
 * remote restores it): the image maps file @index (FILES order) which is
 * missing or different on the remote node; @start..@end is a mapping of
 * it in the process (the home node reads it there, through
 * /proc/PID/map_files, so it serves only what the process maps), and the
 * identity the image recorded, which the home node keeps with the
 * original (the way home: doc/state.md).  MIG_FILE_DATA (home -> remote):
 * the file's bytes from @offset (bulk), @size in all; MSG_MIG_FILE_LAST
 * on the last; @err != 0 (with LAST, no bulk): there is no copy.
 */
#define MSG_MIG_FILE_LAST	0x1U
#define MSG_MIG_FILE_MAX	(1ULL << 30)	/* SSI_HASH_MAX: files copied */
#define MSG_MIG_FILE_REQ_LEN	(4 + 8 + 4 + 4 + 8 + 8 + 8 + 4 + 4 + 32)
#define MSG_MIG_FILE_DATA_LEN	(4 + 8 + 4 + 4 + 8 + 8 + 4 + 4)

struct msg_mig_file_req {
	uint64_t id;
	uint32_t index;
	uint64_t start, end;
	uint64_t size;			/* the image's identity of the file */
	uint32_t digest_kind, digest_len;
	uint8_t digest[32];
};

struct msg_mig_file_data {
	uint64_t id;
	uint32_t index;
	uint32_t flags;			/* MSG_MIG_FILE_* */
	uint64_t offset, size;
	int32_t err;
};

/* decode: -1 also for an empty or unaligned range, a size or offset beyond MSG_MIG_FILE_MAX, a digest longer than 32 */
size_t msg_encode_mig_file_req(const struct msg_mig_file_req *m, void *buf);
int msg_decode_mig_file_req(const void *buf, size_t len, struct msg_mig_file_req *m);
size_t msg_encode_mig_file_data(const struct msg_mig_file_data *m, void *buf);
int msg_decode_mig_file_data(const void *buf, size_t len, struct msg_mig_file_data *m);

/* ------------------------------------------------------- cluster views */

/*
 * TASKS_QUERY asks a peer for its registry; TASKS_REPLY answers with one
 * record per task registered there (kind TASK, where it runs now) and per
 * guest running there (kind GUEST, with its home and its pid here), so
 * that the asking node can say of every task where it runs and under
 * which pid.  A node that has more records than MSG_TASKS_REC_MAX sends
 * the first ones and sets MSG_TASKS_TRUNCATED.
 */
#define MSG_TASKS_REC_MAX	16384
#define MSG_TASKS_TRUNCATED	0x1u
#define MSG_TASK_STATE_LEN	16

enum msg_task_kind {
	MSG_TASK_TASK = 1,		/* registered with the sender */
	MSG_TASK_GUEST = 2,		/* migrated in, running at the sender */
};

#define MSG_TASK_AUTO	0x1u		/* policy auto */

struct msg_task {
	uint32_t kind;			/* enum msg_task_kind */
	uint32_t flags;			/* MSG_TASK_* */
	uint32_t pid;			/* the home pid */
	uint32_t local_pid;		/* TASK: = pid; GUEST: its pid here */
	uint32_t uid;
	int64_t job, step, task;	/* Slurm ids, -1 if none (GUEST: -1) */
	char state[MSG_TASK_STATE_LEN];	/* "home", "deputy", "running", ... */
	char node[SSI_NODE_NAME_MAX + 1]; /* TASK: where it runs; GUEST: home */
	uint32_t runnable;		/* its runnable threads on this node
					 * (TASK away from home: 0, unknown) */
};

struct msg_tasks_query {
	uint32_t id;			/* chosen by the asker, echoed */
};

/* TASKS_REPLY: this header, then @count records of MSG_TASK_REC_LEN. */
struct msg_tasks_reply {
	uint32_t id;
	uint32_t flags;			/* MSG_TASKS_TRUNCATED */
	uint32_t count;
	const void *recs;		/* decode: points into the payload */
};

#define MSG_TASKS_QUERY_LEN	(4 + 4)
#define MSG_TASKS_REPLY_HDR_LEN	(4 + 4 + 4 + 4)
#define MSG_TASK_REC_LEN	(5 * 4 + 3 * 8 + MSG_TASK_STATE_LEN + SSI_NODE_NAME_MAX + 4)

size_t msg_encode_tasks_query(const struct msg_tasks_query *m, void *buf);
int msg_decode_tasks_query(const void *buf, size_t len, struct msg_tasks_query *m);
/* msg_encode_tasks_reply - the header only; the records follow it. */
size_t msg_encode_tasks_reply(const struct msg_tasks_reply *m, void *buf);
/*
 * msg_decode_tasks_reply - -1 also if the payload does not hold @count
 * records or @count exceeds MSG_TASKS_REC_MAX.  m->recs points at the
 * first record, for msg_decode_task().
 */
int msg_decode_tasks_reply(const void *buf, size_t len, struct msg_tasks_reply *m);
/* msg_encode_task - one record into @buf (MSG_TASK_REC_LEN bytes). */
size_t msg_encode_task(const struct msg_task *m, void *buf);
/*
 * msg_decode_task - record @i of a decoded reply.  -1 for an unknown kind,
 * a pid of 0, an id below -1, or a node name that is not a valid NodeName;
 * the state is sanitised to printable ASCII.
 */
int msg_decode_task(const struct msg_tasks_reply *r, uint32_t i,
		    struct msg_task *m);

/*
 * MIGRATE_REQ: a node's ssid asks a task's home to move it, on behalf of
 * its own client (ssictl rebalance or migrate run on a node that is not
 * the task's home).  The home checks the client's uid as its own control
 * socket would; peers are ssids that passed the munge handshake.
 */
#define MSG_MIGRATE_ADMIN	0x1u	/* the client is root or SlurmUser */
#define MSG_MIGRATE_CODE_LEN	32
#define MSG_MIGRATE_TEXT_MAX	200

struct msg_migrate_req {
	uint32_t id;			/* chosen by the asker, echoed */
	uint32_t pid;			/* the home pid */
	uint32_t uid;			/* the client's */
	uint32_t flags;			/* MSG_MIGRATE_ADMIN */
	char node[SSI_NODE_NAME_MAX + 1]; /* where to; the home's own name:
					 * bring it back */
};

/* MIGRATE_REP: the result, as the home's control socket would give it. */
#define MSG_MIGRATE_HOME	0x1u	/* it came back home */
#define MSG_MIGRATE_VIA_HOME	0x2u	/* it went through home */

struct msg_migrate_rep {
	uint32_t id;
	uint32_t flags;			/* MSG_MIGRATE_HOME, _VIA_HOME */
	uint32_t pid, remote_pid;
	uint64_t bytes, pages, vmas;
	uint64_t dump_ns, transfer_ns, frozen_ns;
	char code[MSG_MIGRATE_CODE_LEN + 1];	/* "" done, else a CTL_E_* code */
	char node[SSI_NODE_NAME_MAX + 1];	/* where it runs now */
	char msg[MSG_MIGRATE_TEXT_MAX + 1];	/* why it failed */
};

#define MSG_MIGRATE_REQ_LEN	(4 + 4 * 4 + SSI_NODE_NAME_MAX)
#define MSG_MIGRATE_REP_LEN	(4 + 4 * 4 + 6 * 8 + MSG_MIGRATE_CODE_LEN + \
				 SSI_NODE_NAME_MAX + MSG_MIGRATE_TEXT_MAX)

/*
 * Encoders write the _LEN bytes into @buf.  Decoders return -1 for a short
 * payload, another version, a pid of 0 or beyond INT32_MAX, or a node name
 * that is not a NodeName (a reply's node may be empty when it failed);
 * texts are sanitised.
 */
size_t msg_encode_migrate_req(const struct msg_migrate_req *m, void *buf);
int msg_decode_migrate_req(const void *buf, size_t len, struct msg_migrate_req *m);
size_t msg_encode_migrate_rep(const struct msg_migrate_rep *m, void *buf);
int msg_decode_migrate_rep(const void *buf, size_t len, struct msg_migrate_rep *m);

/*
 * JOB_EVENT: select/ssi told the controller's ssid that a job started or
 * ended; that ssid tells every node, whose balancer then looks again soon.
 */
enum msg_job_event_kind {
	MSG_JOB_START = 1,
	MSG_JOB_END = 2,
};

struct msg_job_event {
	uint32_t job;
	uint32_t event;			/* enum msg_job_event_kind */
};

#define MSG_JOB_EVENT_LEN	(4 + 4 + 4)

size_t msg_encode_job_event(const struct msg_job_event *m, void *buf);
/* msg_decode_job_event - also -1 for an unknown event. */
int msg_decode_job_event(const void *buf, size_t len, struct msg_job_event *m);

#endif /* SSID_PEER_MSG_H */
