/* SPDX-License-Identifier: GPL-2.0 */
/*
 * defaults.h - every tunable and path of ssid and ssictl, with the reason
 * for its value.  Values that an administrator may want to change are also
 * keys of ssi.conf(5); the rest are limits that protect the daemon.
 */
#ifndef SSID_DEFAULTS_H
#define SSID_DEFAULTS_H

/* ------------------------------------------------------------------ paths */

/* Slurm keeps its configuration in /etc/slurm; ours sits beside it. */
#define SSI_CONF_PATH			"/etc/ssi/ssi.conf"

/*
 * /run is a tmpfs cleared at boot, so a stale socket never survives a
 * reboot; systemd's RuntimeDirectory=ssi creates /run/ssi for us.
 */
#define SSI_CONTROL_SOCKET		"/run/ssi/ssid.sock"

/* Only used in daemon mode (without -D); systemd tracks the pid itself. */
#define SSI_PID_FILE			"/run/ssi/ssid.pid"

/*
 * Where a remote node keeps its copies of files that guests map and that
 * exist only at their home (migrate/file_fetch.h): on disk, not in /run,
 * as they may be large; each lives as long as its guest.
 */
#define SSI_STATE_DIR			"/var/lib/ssi"
#define SSI_FILE_COPY_DIR		SSI_STATE_DIR "/files"

/* ------------------------------------------------------------ membership */

/* The port every ssid listens on unless a node or Port= says otherwise. */
#define SSI_DEFAULT_PORT		7070

/*
 * One heartbeat a second: cheap (a ~100 byte message per peer) and fast
 * enough for a balancer that acts on a scale of seconds.
 */
#define SSI_HEARTBEAT_INTERVAL_MS	1000

/*
 * A node is down after five silent intervals: tolerates a few lost or late
 * heartbeats on a loaded node without flapping, and still declares a dead
 * node within seconds, before Slurm's own (much longer) SlurmdTimeout.
 */
#define SSI_HEARTBEAT_TIMEOUT_MS	5000

/*
 * Reconnect backoff: the first retry comes quickly (a peer that restarts
 * is back within a fraction of a second), later ones double up to the
 * maximum so that a node that is powered off costs almost nothing.
 */
#define SSI_RECONNECT_MIN_MS		200
#define SSI_RECONNECT_MAX_MS		5000

/*
 * A connection attempt (TCP handshake plus munge authentication) that has
 * not finished in this time is abandoned and retried with backoff: a node
 * whose network is gone must not hold a slot forever.
 */
#define SSI_CONNECT_TIMEOUT_MS		3000

/* An explicit `ssictl ping` waits this long for each reply. */
#define SSI_PING_TIMEOUT_MS		2000

/* `ssictl ping` sends this many probes unless told otherwise, at most the max. */
#define SSI_PING_COUNT			3
#define SSI_PING_COUNT_MAX		100

/*
 * RTT shown in `ssictl show nodes` is an exponentially weighted average
 * over the heartbeat probes with this weight (1/8, as TCP's SRTT), so one
 * slow reply does not make a node look far away.
 */
#define SSI_RTT_EWMA_SHIFT		3

/* ---------------------------------------------------------------- balancer */

/*
 * Balancing parameters are parsed and shown now; the balancer that uses
 * them comes with migration.  MOSIX-like: compare with a few random peers,
 * move when the gap in load per CPU exceeds the threshold, and do not move
 * back and forth: a node must stay beyond the threshold plus hysteresis.
 * Loads are in per-mille of one CPU per CPU (1000 = every CPU busy).
 */
#define SSI_BALANCE_INTERVAL_MS		5000
#define SSI_BALANCE_THRESHOLD		250
#define SSI_BALANCE_HYSTERESIS		100
#define SSI_BALANCE_CANDIDATES		3

/*
 * ssid's nice value.  Migrations are asked of overloaded nodes: at the
 * default nice, the dump and stream compete with the very tasks they
 * relieve (on a node of one CPU with four CPU-bound tasks, for a fifth of
 * it).  ssid itself uses little CPU.
 */
#define SSI_NICE			(-5)

/*
 * What a node takes in (migrate/admission.c): migrations arriving at once
 * (each holds its image in memory until restored), and the share of the
 * node's available memory one image may fill.
 */
#define SSI_MAX_INCOMING		4
#define SSI_INCOMING_MEMORY_PCT		50

/*
 * MemoryLowWater: below this share of its memory available (MemAvailable
 * of MemTotal, percent), a node's migratable tasks move to nodes with room
 * before the OOM killer acts (the automatic balancer; 0: never).
 */
#define SSI_MEMORY_LOW_WATER_PCT	5
#define SSI_MEMORY_LOW_WATER_MAX	90

/*
 * What ssid learns from Slurm (slurm/slurm_view.h): node states and
 * partitions are loaded every SlurmPollInterval by ssi-slurm-watch, with
 * their update times, so an unchanged cluster costs slurmctld one small
 * answer per node and interval.  Ten seconds: an administrator who drains
 * a node sees migrations stop going there within that, and a thousand
 * nodes ask slurmctld a hundred times a second, as many slurmd pings.
 */
#define SSI_SLURM_POLL_MS		10000
#define SSI_SLURM_POLL_MIN_MS		1000
#define SSI_SLURM_POLL_MAX_MS		3600000

/*
 * A watcher that died is started again after this (not at once: one that
 * cannot start would spin); a job slurmctld did not know is asked again
 * after this too (a job id seen by slurmstepd before slurmctld answers
 * for it, or slurmctld down for a moment).
 */
#define SSI_SLURM_RETRY_MS		5000
/*
 * How long a user's migration waits for what ssid does not know of Slurm
 * yet (a job's partition, asked when its first task registered; the node
 * states right after ssid started) before it is refused with the reason:
 * a libslurm call gives up on slurmctld after MessageTimeout (10 s by
 * default), and the watcher may be asked again once in that time.
 */
#define SSI_SLURM_WAIT_MS		15000

/* Jobs whose partition ssid keeps; beyond, the least recently used go. */
#define SSI_SLURM_JOBS_MAX		4096

/*
 * A watcher's line holds every node and partition of the cluster: about
 * 60 bytes a node, so 64 MiB is a cluster of a million nodes; longer is
 * refused, not buffered without end.
 */
#define SSI_SLURM_LINE_MAX		(64u << 20)

/* ----------------------------------------------------------------- limits */

/*
 * Enough for thousands of nodes on one line is not needed: Slurm's own
 * parser takes lines of up to 1024 bytes, so do we; longer is an error,
 * not a silent truncation.
 */
#define SSI_CONF_LINE_MAX		1024

/* Node names: Slurm's hostname limit; addresses: a numeric IPv6 or a name. */
#define SSI_NODE_NAME_MAX		64
#define SSI_ADDR_MAX			256

/*
 * A cluster of more nodes than this wants hierarchical gossip, which ssid
 * does not do; refusing the file is better than a quadratic mesh.
 */
#define SSI_NODES_MAX			1024

/* Heartbeat bounds: below 100 ms is busy polling, above 10 min is useless. */
#define SSI_HEARTBEAT_MIN_MS		100
#define SSI_HEARTBEAT_MAX_MS		600000

/*
 * A control request is a short JSON object; 64 KiB leaves room for future
 * requests that carry lists while bounding what one client can make the
 * daemon buffer.  A longer line gets an error reply and is discarded.
 */
#define SSI_CTL_LINE_MAX		65536

/*
 * Replies can be long (a node table); a client that does not read them is
 * cut off once this much output is queued, rather than growing memory.
 */
#define SSI_CTL_OUTQ_MAX		(4 << 20)

/* Control clients served at once; more are accepted and closed at once. */
#define SSI_CTL_CLIENTS_MAX		256

/* An idle control client is closed after this long (a stuck ssictl). */
#define SSI_CTL_IDLE_MS			60000

/*
 * The SPANK plugin waits this long for ssid (plugstack.conf timeout=):
 * slurmstepd starts the task meanwhile, so a dead ssid costs each task
 * start at most this.
 */
#define SSI_SPANK_TIMEOUT_MS		1000

/* ssictl waits this long for a reply; ping adds its own time on top. */
#define SSICTL_TIMEOUT_MS		5000
/* ssictl migrate: dump, transfer and restore of a big image */
#define SSICTL_MIGRATE_TIMEOUT_MS	120000
/* The longest reply ssictl reads: a node or task table of a big cluster. */
#define SSICTL_REPLY_MAX		(64u << 20)

/*
 * Registered tasks: one per local task of a migratable job step, so a few
 * hundred on a big node; the cap bounds what registrations can cost.
 * Exited tasks are noticed within the prune period (a /proc read per
 * task), soon enough for `ssictl show tasks`; migration will learn of
 * exits at once from the kernel module.
 */
#define SSI_TASKS_MAX			65536
#define SSI_TASKS_PRUNE_MS		2000
/* After a registration, how soon its process's owner is read again. */
#define SSI_TASKS_OWNER_MS		200
/*
 * Most tasks in one step_register request (the SPANK plugin sends more in
 * several): about 40 bytes each within SSI_CTL_LINE_MAX.
 */
#define SSI_STEP_TASKS_MAX		1024

/*
 * A cluster-wide view (ssictl show jobs, rebalance) waits this long for
 * every up node's answer; a node that stays silent is listed as such
 * rather than holding the command: an up node answers within one round
 * trip, so this is the heartbeat's order of patience, not a migration's.
 */
#define SSI_CLUSTER_QUERY_MS		3000

/* epoll_wait returns at most this many events per call. */
#define SSI_EPOLL_EVENTS		64

/*
 * How long ssid waits for the init of a guest's pid namespace to answer
 * (migrate/guest_pidns.h): one write to /proc; more means it is stuck,
 * and the migration or the thread it was for is refused.
 */
#define SSI_PIDNS_ANSWER_MS		2000

#endif /* SSID_DEFAULTS_H */
