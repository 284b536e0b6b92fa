// SPDX-License-Identifier: GPL-2.0
/*
 * peer_msg.c - encode and validate ssid's peer messages (see peer_msg.h).
 */
#include <endian.h>
#include <stdio.h>
#include <string.h>

#include "daemon/conf.h"
#include "cluster/peer_msg.h"

/* A cursor over a buffer; every put/get is bounds-checked by the callers'
 * fixed lengths, get_* additionally against the received length.
 */
struct cur {
	unsigned char *p;
	const unsigned char *end;
};

static void put32(struct cur *c, uint32_t v)
{
	v = htobe32(v);
	memcpy(c->p, &v, 4);
	c->p += 4;
}

static void put64(struct cur *c, uint64_t v)
{
	v = htobe64(v);
	memcpy(c->p, &v, 8);
	c->p += 8;
}

static uint32_t get32(struct cur *c)
{
	uint32_t v;

	memcpy(&v, c->p, 4);
	c->p += 4;
	return be32toh(v);
}

static uint64_t get64(struct cur *c)
{
	uint64_t v;

	memcpy(&v, c->p, 8);
	c->p += 8;
	return be64toh(v);
}

/* Version byte and three reserved bytes (zero when sent, ignored). */
static void put_version(struct cur *c)
{
	c->p[0] = SSID_MSG_VERSION;
	c->p[1] = c->p[2] = c->p[3] = 0;
	c->p += 4;
}

static int get_version(struct cur *c, size_t need)
{
	if ((size_t)(c->end - c->p) < need || c->p[0] != SSID_MSG_VERSION)
		return -1;
	c->p += 4;
	return 0;
}

size_t msg_encode_heartbeat(const struct msg_heartbeat *m, void *buf)
{
	struct cur c = { buf, NULL };
	const struct load_vector *l = &m->load;

	put_version(&c);
	put64(&c, m->incarnation);
	put32(&c, m->seq);
	put32(&c, m->interval_ms);
	put32(&c, l->cores);
	put32(&c, l->pus);
	put32(&c, l->numa);
	put32(&c, l->runnable);
	put32(&c, l->cpu_permille);
	put32(&c, l->loadavg_centi);
	put64(&c, l->mem_total_kb);
	put64(&c, l->mem_free_kb);
	put32(&c, l->guests);
	put32(&c, l->deputies);
	return (size_t)(c.p - (unsigned char *)buf);
}

int msg_decode_heartbeat(const void *buf, size_t len, struct msg_heartbeat *m)
{
	struct cur c = { (unsigned char *)buf, (const unsigned char *)buf + len };
	struct load_vector *l = &m->load;

	if (!buf || get_version(&c, MSG_HEARTBEAT_LEN))
		return -1;
	m->incarnation = get64(&c);
	m->seq = get32(&c);
	m->interval_ms = get32(&c);
	l->cores = get32(&c);
	l->pus = get32(&c);
	l->numa = get32(&c);
	l->runnable = get32(&c);
	l->cpu_permille = get32(&c);
	l->loadavg_centi = get32(&c);
	l->mem_total_kb = get64(&c);
	l->mem_free_kb = get64(&c);
	l->guests = get32(&c);
	l->deputies = get32(&c);
	if (!l->pus || !l->numa || l->cores > l->pus ||
	    l->cpu_permille > 1000 || l->mem_free_kb > l->mem_total_kb ||
	    !m->interval_ms)
		return -1;
	return 0;
}

size_t msg_encode_ping(const struct msg_ping *m, void *buf)
{
	struct cur c = { buf, NULL };

	put_version(&c);
	put32(&c, m->id);
	put32(&c, m->flags);
	put64(&c, m->t_ns);
	return (size_t)(c.p - (unsigned char *)buf);
}

int msg_decode_ping(const void *buf, size_t len, struct msg_ping *m)
{
	struct cur c = { (unsigned char *)buf, (const unsigned char *)buf + len };

	if (!buf || get_version(&c, MSG_PING_LEN))
		return -1;
	m->id = get32(&c);
	m->flags = get32(&c);
	m->t_ns = get64(&c);
	return 0;
}

size_t msg_encode_hello(const struct msg_hello *m, void *buf)
{
	struct cur c = { buf, NULL };
	size_t n = strnlen(m->cluster, SSI_NODE_NAME_MAX);

	put_version(&c);
	c.p[0] = (unsigned char)(n >> 8);
	c.p[1] = (unsigned char)n;
	memcpy(c.p + 2, m->cluster, n);
	c.p += 2 + n;
	n = strnlen(m->id.release, NODE_ID_RELEASE_MAX);
	*c.p++ = (unsigned char)n;
	memcpy(c.p, m->id.release, n);
	c.p += n;
	put64(&c, m->id.vdso);
	return (size_t)(c.p - (unsigned char *)buf);
}

/* [n] printable, non-blank ASCII bytes */
static int printable(const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] <= ' ' || p[i] >= 0x7f)
			return 0;
	return 1;
}

int msg_decode_hello(const void *buf, size_t len, struct msg_hello *m)
{
	struct cur c = { (unsigned char *)buf, (const unsigned char *)buf + len };
	size_t n;

	if (!buf || get_version(&c, 4 + 2))
		return -1;
	n = (size_t)c.p[0] << 8 | c.p[1];
	c.p += 2;
	if (n > SSI_NODE_NAME_MAX || (size_t)(c.end - c.p) < n ||
	    !printable(c.p, n))
		return -1;
	memcpy(m->cluster, c.p, n);
	m->cluster[n] = '\0';
	c.p += n;
	if (c.end - c.p < 1)
		return -1;
	n = *c.p++;
	if (n > NODE_ID_RELEASE_MAX || (size_t)(c.end - c.p) < n + 8 ||
	    !printable(c.p, n))
		return -1;
	memcpy(m->id.release, c.p, n);
	m->id.release[n] = '\0';
	c.p += n;
	m->id.vdso = get64(&c);
	return 0;
}

/* ------------------------------------------------------------ migration */

static void put_bytes(struct cur *c, const void *p, size_t n)
{
	memcpy(c->p, p, n);
	c->p += n;
}

static void get_bytes(struct cur *c, void *p, size_t n)
{
	memcpy(p, c->p, n);
	c->p += n;
}

/* Keep printable ASCII, turn anything else into '?'; NUL-terminate. */
static void sanitize(char *s, size_t cap)
{
	size_t i;

	s[cap - 1] = '\0';
	for (i = 0; s[i]; i++)
		if ((unsigned char)s[i] < ' ' || (unsigned char)s[i] >= 0x7f)
			s[i] = '?';
}

size_t msg_encode_mig_offer(const struct msg_mig_offer *m, void *buf)
{
	struct cur c = { buf, NULL };
	char comm[MSG_MIG_COMM_LEN] = "";
	uint32_t i, n = m->ngroups > MSG_MIG_GROUPS_MAX ? MSG_MIG_GROUPS_MAX :
			m->ngroups;

	memcpy(comm, m->comm, strnlen(m->comm, sizeof(comm) - 1));
	put_version(&c);
	put64(&c, m->id);
	put32(&c, m->pid);
	put32(&c, m->ppid);
	put32(&c, m->tid);
	put32(&c, m->uid);
	put32(&c, m->gid);
	put32(&c, n);
	put64(&c, m->image_size);
	put_bytes(&c, comm, sizeof(comm));
	for (i = 0; i < n; i++)
		put32(&c, m->groups[i]);
	put32(&c, m->seccomp_len);
	return (size_t)(c.p - (unsigned char *)buf);
}

int msg_decode_mig_offer(const void *buf, size_t len, struct msg_mig_offer *m)
{
	struct cur c = { (unsigned char *)buf, (const unsigned char *)buf + len };
	uint32_t i;

	if (!buf || get_version(&c, MSG_MIG_OFFER_LEN))
		return -1;
	m->id = get64(&c);
	m->pid = get32(&c);
	m->ppid = get32(&c);
	m->tid = get32(&c);
	m->uid = get32(&c);
	m->gid = get32(&c);
	m->ngroups = get32(&c);
	m->image_size = get64(&c);
	get_bytes(&c, m->comm, sizeof(m->comm));
	sanitize(m->comm, sizeof(m->comm));
	if (!m->pid || m->pid > INT32_MAX || m->ppid > INT32_MAX ||
	    !m->tid || m->tid > INT32_MAX || m->ngroups > MSG_MIG_GROUPS_MAX ||
	    m->image_size > MSG_MIG_IMAGE_MAX ||
	    m->uid == UINT32_MAX || m->gid == UINT32_MAX ||
	    (size_t)(c.end - c.p) < 4 * (size_t)m->ngroups)
		return -1;
	for (i = 0; i < m->ngroups; i++) {
		m->groups[i] = get32(&c);
		if (m->groups[i] == UINT32_MAX)
			return -1;
	}
	/* appended: an older sender's offer ends before it */
	m->seccomp_len = (size_t)(c.end - c.p) >= 4 ? get32(&c) : 0;
	return m->seccomp_len > MSG_MIG_SECCOMP_MAX ? -1 : 0;
}

size_t msg_encode_mig_seccomp(const struct msg_mig_seccomp *m, void *buf)
{
	struct cur c = { buf, NULL };

	put_version(&c);
	put64(&c, m->id);
	return (size_t)(c.p - (unsigned char *)buf);
}

int msg_decode_mig_seccomp(const void *buf, size_t len, struct msg_mig_seccomp *m)
{
	struct cur c = { (unsigned char *)buf, (const unsigned char *)buf + len };

	if (!buf || get_version(&c, MSG_MIG_SECCOMP_HDR_LEN))
		return -1;
	m->id = get64(&c);
	m->data = c.p;
	m->len = (size_t)(c.end - c.p);
	return !m->len || m->len > MSG_MIG_SECCOMP_MAX ? -1 : 0;
}

size_t msg_encode_mig_image(const struct msg_mig_image *m, void *buf)
{
	struct cur c = { buf, NULL };

	put_version(&c);
	put64(&c, m->id);
	put64(&c, m->offset);
	put32(&c, m->flags);
	put32(&c, 0);
	put64(&c, m->mono_ns);
	put64(&c, m->boot_ns);
	return (size_t)(c.p - (unsigned char *)buf);
}

int msg_decode_mig_image(const void *buf, size_t len, struct msg_mig_image *m)
{
	struct cur c = { (unsigned char *)buf, (const unsigned char *)buf + len };

	if (!buf || get_version(&c, MSG_MIG_IMAGE_LEN))
		return -1;
	m->id = get64(&c);
	m->offset = get64(&c);
	m->flags = get32(&c);
	get32(&c);
	m->mono_ns = get64(&c);
	m->boot_ns = get64(&c);
	return (m->offset > MSG_MIG_IMAGE_MAX ||
		(m->flags & ~MSG_MIG_IMAGE_LAST)) ? -1 : 0;
}

size_t msg_encode_mig_value(const struct msg_mig_value *m, void *buf)
{
	struct cur c = { buf, NULL };

	put_version(&c);
	put64(&c, m->id);
	put32(&c, (uint32_t)m->value);
	return (size_t)(c.p - (unsigned char *)buf);
}

int msg_decode_mig_value(const void *buf, size_t len, struct msg_mig_value *m)
{
	struct cur c = { (unsigned char *)buf, (const unsigned char *)buf + len };

	if (!buf || get_version(&c, MSG_MIG_VALUE_LEN))
		return -1;
	m->id = get64(&c);
	m->value = (int32_t)get32(&c);
	return 0;
}

size_t msg_encode_mig_usage(const struct msg_mig_usage *m, void *buf)
{
	struct cur c = { buf, NULL };

	put_version(&c);
	put64(&c, m->id);
	put64(&c, m->utime_ns);
	put64(&c, m->stime_ns);
	put64(&c, m->maxrss_kb);
	put64(&c, m->anon_kb);
	put64(&c, m->file_kb);
	put64(&c, m->shmem_kb);
	put64(&c, m->swap_kb);
	put64(&c, m->vm_kb);
	put64(&c, m->vm_peak_kb);
	return (size_t)(c.p - (unsigned char *)buf);
}

int msg_decode_mig_usage(const void *buf, size_t len, struct msg_mig_usage *m)
{
	struct cur c = { (unsigned char *)buf, (const unsigned char *)buf + len };

	if (!buf || get_version(&c, MSG_MIG_USAGE_LEN))
		return -1;
	m->id = get64(&c);
	m->utime_ns = get64(&c);
	m->stime_ns = get64(&c);
	m->maxrss_kb = get64(&c);
	m->anon_kb = m->file_kb = m->shmem_kb = m->swap_kb = 0;
	m->vm_kb = m->vm_peak_kb = 0;
	if (len >= MSG_MIG_USAGE_MEM_LEN) {
		m->anon_kb = get64(&c);
		m->file_kb = get64(&c);
		m->shmem_kb = get64(&c);
		m->swap_kb = get64(&c);
		m->vm_kb = get64(&c);
		m->vm_peak_kb = get64(&c);
	}
	return (m->utime_ns > MSG_MIG_USAGE_CPU_MAX_NS ||
		m->stime_ns > MSG_MIG_USAGE_CPU_MAX_NS ||
		m->maxrss_kb > MSG_MIG_USAGE_RSS_MAX_KB ||
		m->anon_kb > MSG_MIG_USAGE_RSS_MAX_KB ||
		m->file_kb > MSG_MIG_USAGE_RSS_MAX_KB ||
		m->shmem_kb > MSG_MIG_USAGE_RSS_MAX_KB ||
		m->swap_kb > MSG_MIG_USAGE_RSS_MAX_KB ||
		m->vm_kb > MSG_MIG_USAGE_RSS_MAX_KB ||
		m->vm_peak_kb > MSG_MIG_USAGE_RSS_MAX_KB) ? -1 : 0;
}

int msg_decode_mig_exit(const void *buf, size_t len, struct msg_mig_value *m)
{
	int st;

	if (msg_decode_mig_value(buf, len, m))
		return -1;
	st = m->value;
	/* an exit (code << 8) or a death by signal 1..64, maybe with core */
	if ((st & 0x7f) == 0)
		return (st & ~0xff00) ? -1 : 0;
	return ((st & 0x7f) > 64 || (st & ~0xff)) ? -1 : 0;
}

size_t msg_encode_mig_failed(const struct msg_mig_failed *m, void *buf)
{
	struct cur c = { buf, NULL };
	size_t n = strnlen(m->detail, MSG_MIG_DETAIL_MAX);

	put_version(&c);
	put64(&c, m->id);
	put32(&c, m->reason);
	put32(&c, (uint32_t)m->err);
	c.p[0] = (unsigned char)(n >> 8);
	c.p[1] = (unsigned char)n;
	c.p += 2;
	put_bytes(&c, m->detail, n);
	return (size_t)(c.p - (unsigned char *)buf);
}

int msg_decode_mig_failed(const void *buf, size_t len, struct msg_mig_failed *m)
{
	struct cur c = { (unsigned char *)buf, (const unsigned char *)buf + len };
	size_t n;

	if (!buf || get_version(&c, 4 + 8 + 4 + 4 + 2))
		return -1;
	m->id = get64(&c);
	m->reason = get32(&c);
	m->err = (int32_t)get32(&c);
	n = (size_t)c.p[0] << 8 | c.p[1];
	c.p += 2;
	if (n > MSG_MIG_DETAIL_MAX || (size_t)(c.end - c.p) < n ||
	    m->err < 0 || m->err > 4095)
		return -1;
	get_bytes(&c, m->detail, n);
	m->detail[n] = '\0';
	sanitize(m->detail, n + 1);
	return 0;
}

size_t msg_encode_fwd(const struct msg_fwd *m, void *buf)
{
	struct cur c = { buf, NULL };

	put_version(&c);
	put64(&c, m->id);
	put64(&c, m->seq);
	put32(&c, m->tid);
	put32(&c, 0);
	return (size_t)(c.p - (unsigned char *)buf);
}

int msg_decode_fwd(const void *buf, size_t len, struct msg_fwd *m)
{
	struct cur c = { (unsigned char *)buf, (const unsigned char *)buf + len };

	if (!buf || get_version(&c, MSG_FWD_HDR_LEN))
		return -1;
	m->id = get64(&c);
	m->seq = get64(&c);
	m->tid = get32(&c);
	c.p += 4;
	m->data = c.p;
	m->len = (size_t)(c.end - c.p);
	return 0;
}

size_t msg_encode_mig_signal(const struct msg_mig_signal *m, void *buf)
{
	struct cur c = { buf, NULL };

	put_version(&c);
	put64(&c, m->id);
	put32(&c, m->signo);
	put32(&c, m->tid);
	put_bytes(&c, m->siginfo, sizeof(m->siginfo));
	return (size_t)(c.p - (unsigned char *)buf);
}

int msg_decode_mig_signal(const void *buf, size_t len, struct msg_mig_signal *m)
{
	struct cur c = { (unsigned char *)buf, (const unsigned char *)buf + len };

	if (!buf || get_version(&c, MSG_MIG_SIGNAL_LEN))
		return -1;
	m->id = get64(&c);
	m->signo = get32(&c);
	m->tid = get32(&c);
	get_bytes(&c, m->siginfo, sizeof(m->siginfo));
	return (m->signo < 1 || m->signo > 64 || m->tid > INT32_MAX) ? -1 : 0;
}

size_t msg_encode_mig_threads(const struct msg_mig_threads *m, void *buf)
{
	struct cur c = { buf, NULL };
	uint32_t i;

	put_version(&c);
	put64(&c, m->id);
	put32(&c, m->n);
	for (i = 0; i < m->n; i++) {
		put32(&c, (uint32_t)m->home[i]);
		put32(&c, (uint32_t)m->remote[i]);
	}
	return (size_t)(c.p - (unsigned char *)buf);
}

int msg_decode_mig_threads(const void *buf, size_t len, struct msg_mig_threads *m)
{
	struct cur c = { (unsigned char *)buf, (const unsigned char *)buf + len };
	uint32_t i;

	if (!buf || get_version(&c, MSG_MIG_THREADS_LEN(0)))
		return -1;
	m->id = get64(&c);
	m->n = get32(&c);
	if (!m->n || m->n > MSG_MIG_THREADS_MAX ||
	    (size_t)(c.end - c.p) < 8 * (size_t)m->n)
		return -1;
	for (i = 0; i < m->n; i++) {
		m->home[i] = (int32_t)get32(&c);
		m->remote[i] = (int32_t)get32(&c);
		if (m->home[i] <= 0 || m->remote[i] <= 0)
			return -1;
	}
	return 0;
}

size_t msg_encode_mig_file_req(const struct msg_mig_file_req *m, void *buf)
{
	struct cur c = { buf, NULL };

	put_version(&c);
	put64(&c, m->id);
	put32(&c, m->index);
	put32(&c, 0);
	put64(&c, m->start);
	put64(&c, m->end);
	put64(&c, m->size);
	put32(&c, m->digest_kind);
	put32(&c, m->digest_len);
	put_bytes(&c, m->digest, sizeof(m->digest));
	return (size_t)(c.p - (unsigned char *)buf);
}

int msg_decode_mig_file_req(const void *buf, size_t len, struct msg_mig_file_req *m)
{
	struct cur c = { (unsigned char *)buf, (const unsigned char *)buf + len };

	if (!buf || get_version(&c, MSG_MIG_FILE_REQ_LEN))
		return -1;
	m->id = get64(&c);
	m->index = get32(&c);
	get32(&c);
	m->start = get64(&c);
	m->end = get64(&c);
	m->size = get64(&c);
	m->digest_kind = get32(&c);
	m->digest_len = get32(&c);
	get_bytes(&c, m->digest, sizeof(m->digest));
	return (m->start >= m->end || (m->start | m->end) & 4095 ||
		m->size > MSG_MIG_FILE_MAX || m->digest_len > sizeof(m->digest)) ? -1 : 0;
}

size_t msg_encode_mig_file_data(const struct msg_mig_file_data *m, void *buf)
{
	struct cur c = { buf, NULL };

	put_version(&c);
	put64(&c, m->id);
	put32(&c, m->index);
	put32(&c, m->flags);
	put64(&c, m->offset);
	put64(&c, m->size);
	put32(&c, (uint32_t)m->err);
	put32(&c, 0);
	return (size_t)(c.p - (unsigned char *)buf);
}

int msg_decode_mig_file_data(const void *buf, size_t len, struct msg_mig_file_data *m)
{
	struct cur c = { (unsigned char *)buf, (const unsigned char *)buf + len };

	if (!buf || get_version(&c, MSG_MIG_FILE_DATA_LEN))
		return -1;
	m->id = get64(&c);
	m->index = get32(&c);
	m->flags = get32(&c);
	m->offset = get64(&c);
	m->size = get64(&c);
	m->err = (int32_t)get32(&c);
	get32(&c);
	return ((m->flags & ~MSG_MIG_FILE_LAST) || m->size > MSG_MIG_FILE_MAX ||
		m->offset > m->size || m->err < 0) ? -1 : 0;
}

/* ------------------------------------------------------- cluster views */

size_t msg_encode_tasks_query(const struct msg_tasks_query *m, void *buf)
{
	struct cur c = { buf, NULL };

	put_version(&c);
	put32(&c, m->id);
	return (size_t)(c.p - (unsigned char *)buf);
}

int msg_decode_tasks_query(const void *buf, size_t len, struct msg_tasks_query *m)
{
	struct cur c = { (unsigned char *)buf, (const unsigned char *)buf + len };

	if (!buf || get_version(&c, MSG_TASKS_QUERY_LEN))
		return -1;
	m->id = get32(&c);
	return 0;
}

size_t msg_encode_tasks_reply(const struct msg_tasks_reply *m, void *buf)
{
	struct cur c = { buf, NULL };

	put_version(&c);
	put32(&c, m->id);
	put32(&c, m->flags);
	put32(&c, m->count);
	return (size_t)(c.p - (unsigned char *)buf);
}

int msg_decode_tasks_reply(const void *buf, size_t len, struct msg_tasks_reply *m)
{
	struct cur c = { (unsigned char *)buf, (const unsigned char *)buf + len };

	if (!buf || get_version(&c, MSG_TASKS_REPLY_HDR_LEN))
		return -1;
	m->id = get32(&c);
	m->flags = get32(&c);
	m->count = get32(&c);
	m->recs = c.p;
	if (m->count > MSG_TASKS_REC_MAX ||
	    (size_t)(c.end - c.p) < (size_t)m->count * MSG_TASK_REC_LEN)
		return -1;
	return 0;
}

/* Slurm ids travel as u64, -1 as all ones. */
static void put_id(struct cur *c, int64_t v)
{
	put64(c, v < 0 ? UINT64_MAX : (uint64_t)v);
}

static int get_id(struct cur *c, int64_t *v)
{
	uint64_t u = get64(c);

	if (u == UINT64_MAX) {
		*v = -1;
		return 0;
	}
	if (u > INT64_MAX)
		return -1;
	*v = (int64_t)u;
	return 0;
}

size_t msg_encode_task(const struct msg_task *m, void *buf)
{
	struct cur c = { buf, NULL };
	char state[MSG_TASK_STATE_LEN] = "", node[SSI_NODE_NAME_MAX] = "";

	memcpy(state, m->state, strnlen(m->state, sizeof(state) - 1));
	memcpy(node, m->node, strnlen(m->node, sizeof(node)));
	put32(&c, m->kind);
	put32(&c, m->flags);
	put32(&c, m->pid);
	put32(&c, m->local_pid);
	put32(&c, m->uid);
	put_id(&c, m->job);
	put_id(&c, m->step);
	put_id(&c, m->task);
	put_bytes(&c, state, sizeof(state));
	put_bytes(&c, node, sizeof(node));
	put32(&c, m->runnable);
	return (size_t)(c.p - (unsigned char *)buf);
}

int msg_decode_task(const struct msg_tasks_reply *r, uint32_t i,
		    struct msg_task *m)
{
	const unsigned char *p = (const unsigned char *)r->recs +
				 (size_t)i * MSG_TASK_REC_LEN;
	struct cur c = { (unsigned char *)p, p + MSG_TASK_REC_LEN };

	if (i >= r->count)
		return -1;
	m->kind = get32(&c);
	m->flags = get32(&c);
	m->pid = get32(&c);
	m->local_pid = get32(&c);
	m->uid = get32(&c);
	if (get_id(&c, &m->job) || get_id(&c, &m->step) || get_id(&c, &m->task))
		return -1;
	get_bytes(&c, m->state, MSG_TASK_STATE_LEN);
	sanitize(m->state, sizeof(m->state));
	memset(m->node, 0, sizeof(m->node));
	get_bytes(&c, m->node, SSI_NODE_NAME_MAX);
	m->runnable = get32(&c);
	if ((m->kind != MSG_TASK_TASK && m->kind != MSG_TASK_GUEST) ||
	    !m->pid || !m->local_pid || m->pid > INT32_MAX ||
	    m->local_pid > INT32_MAX || !conf_valid_node_name(m->node))
		return -1;
	return 0;
}

/* A NUL-padded string field of @n bytes (no NUL when it fills them). */
static void put_str(struct cur *c, const char *s, size_t n)
{
	size_t l = strnlen(s, n);

	memcpy(c->p, s, l);
	memset(c->p + l, 0, n - l);
	c->p += n;
}

/* Into @s of @n + 1 bytes, sanitised. */
static void get_str(struct cur *c, char *s, size_t n)
{
	get_bytes(c, s, n);
	s[n] = '\0';
	sanitize(s, n + 1);
}

size_t msg_encode_migrate_req(const struct msg_migrate_req *m, void *buf)
{
	struct cur c = { buf, NULL };

	put_version(&c);
	put32(&c, m->id);
	put32(&c, m->pid);
	put32(&c, m->uid);
	put32(&c, m->flags);
	put_str(&c, m->node, SSI_NODE_NAME_MAX);
	return (size_t)(c.p - (unsigned char *)buf);
}

int msg_decode_migrate_req(const void *buf, size_t len, struct msg_migrate_req *m)
{
	struct cur c = { (unsigned char *)buf, (const unsigned char *)buf + len };

	if (!buf || get_version(&c, MSG_MIGRATE_REQ_LEN))
		return -1;
	m->id = get32(&c);
	m->pid = get32(&c);
	m->uid = get32(&c);
	m->flags = get32(&c);
	get_str(&c, m->node, SSI_NODE_NAME_MAX);
	if (!m->pid || m->pid > INT32_MAX || !conf_valid_node_name(m->node))
		return -1;
	return 0;
}

size_t msg_encode_migrate_rep(const struct msg_migrate_rep *m, void *buf)
{
	struct cur c = { buf, NULL };

	put_version(&c);
	put32(&c, m->id);
	put32(&c, m->flags);
	put32(&c, m->pid);
	put32(&c, m->remote_pid);
	put64(&c, m->bytes);
	put64(&c, m->pages);
	put64(&c, m->vmas);
	put64(&c, m->dump_ns);
	put64(&c, m->transfer_ns);
	put64(&c, m->frozen_ns);
	put_str(&c, m->code, MSG_MIGRATE_CODE_LEN);
	put_str(&c, m->node, SSI_NODE_NAME_MAX);
	put_str(&c, m->msg, MSG_MIGRATE_TEXT_MAX);
	return (size_t)(c.p - (unsigned char *)buf);
}

int msg_decode_migrate_rep(const void *buf, size_t len, struct msg_migrate_rep *m)
{
	struct cur c = { (unsigned char *)buf, (const unsigned char *)buf + len };

	if (!buf || get_version(&c, MSG_MIGRATE_REP_LEN))
		return -1;
	m->id = get32(&c);
	m->flags = get32(&c);
	m->pid = get32(&c);
	m->remote_pid = get32(&c);
	m->bytes = get64(&c);
	m->pages = get64(&c);
	m->vmas = get64(&c);
	m->dump_ns = get64(&c);
	m->transfer_ns = get64(&c);
	m->frozen_ns = get64(&c);
	get_str(&c, m->code, MSG_MIGRATE_CODE_LEN);
	get_str(&c, m->node, SSI_NODE_NAME_MAX);
	get_str(&c, m->msg, MSG_MIGRATE_TEXT_MAX);
	if (!m->pid || m->pid > INT32_MAX ||
	    (!m->code[0] && !conf_valid_node_name(m->node)))
		return -1;
	return 0;
}

size_t msg_encode_job_event(const struct msg_job_event *m, void *buf)
{
	struct cur c = { buf, NULL };

	put_version(&c);
	put32(&c, m->job);
	put32(&c, m->event);
	return (size_t)(c.p - (unsigned char *)buf);
}

int msg_decode_job_event(const void *buf, size_t len, struct msg_job_event *m)
{
	struct cur c = { (unsigned char *)buf, (const unsigned char *)buf + len };

	if (!buf || get_version(&c, MSG_JOB_EVENT_LEN))
		return -1;
	m->job = get32(&c);
	m->event = get32(&c);
	return m->event == MSG_JOB_START || m->event == MSG_JOB_END ? 0 : -1;
}

/* ------------------------------------------- /proc entries held */

void msg_mig_proc_fds_add(void *arg, int fd, int flags, uint64_t pos,
			  const struct seq_pos *seq, const char *path)
{
	struct msg_mig_proc_fds *m = arg;
	struct msg_mig_proc_fd *f;

	if (m->n == MSG_MIG_PROC_FDS_MAX)
		return;
	f = &m->fd[m->n++];
	f->fd = fd;
	f->flags = (uint32_t)flags;
	f->pos = pos;
	snprintf(f->path, sizeof(f->path), "%s", path);
	f->has_seq = seq && seq->len <= SEQ_POS_TEXT_MAX;
	if (f->has_seq) {
		f->seq.read_pos = seq->read_pos;
		f->seq.index = seq->index;
		f->seq.len = seq->len;
		memcpy(f->seq.text, seq->text, seq->len);
	}
}

size_t msg_encode_mig_proc_fds(const struct msg_mig_proc_fds *m, void *buf)
{
	struct cur c = { buf, NULL };
	uint32_t i;

	put_version(&c);
	put64(&c, m->id);
	put32(&c, m->n);
	for (i = 0; i < m->n; i++) {
		put32(&c, (uint32_t)m->fd[i].fd);
		put32(&c, m->fd[i].flags);
		put64(&c, m->fd[i].pos);
		put_str(&c, m->fd[i].path, MSG_MIG_PROC_PATH_LEN);
		if (!m->fd[i].has_seq) {
			put32(&c, MSG_MIG_PROC_NO_SEQ);
			continue;
		}
		put32(&c, m->fd[i].seq.len);
		put64(&c, (uint64_t)m->fd[i].seq.read_pos);
		put64(&c, (uint64_t)m->fd[i].seq.index);
		put_bytes(&c, m->fd[i].seq.text, m->fd[i].seq.len);
	}
	return (size_t)(c.p - (unsigned char *)buf);
}

int msg_decode_mig_proc_fds(const void *buf, size_t len, struct msg_mig_proc_fds *m)
{
	struct cur c = { (unsigned char *)buf, (const unsigned char *)buf + len };
	uint32_t i;

	if (!buf || get_version(&c, MSG_MIG_PROC_FDS_LEN(0)))
		return -1;
	m->id = get64(&c);
	m->n = get32(&c);
	if (m->n > MSG_MIG_PROC_FDS_MAX)
		return -1;
	for (i = 0; i < m->n; i++) {
		struct msg_mig_proc_fd *f = &m->fd[i];
		uint32_t len;

		if ((size_t)(c.end - c.p) < MSG_MIG_PROC_FD_LEN)
			return -1;
		f->fd = (int32_t)get32(&c);
		f->flags = get32(&c);
		f->pos = get64(&c);
		get_str(&c, f->path, MSG_MIG_PROC_PATH_LEN);
		len = get32(&c);
		if (f->fd < 0 || (f->flags & ~(uint32_t)MSG_MIG_PROC_FLAGS) ||
		    !f->path[0])
			return -1;
		f->has_seq = len != MSG_MIG_PROC_NO_SEQ;
		if (!f->has_seq)
			continue;
		if (len > SEQ_POS_TEXT_MAX ||
		    (size_t)(c.end - c.p) < MSG_MIG_PROC_SEQ_LEN(len))
			return -1;
		f->seq.len = len;
		f->seq.read_pos = (int64_t)get64(&c);
		f->seq.index = (int64_t)get64(&c);
		get_bytes(&c, f->seq.text, len);
		/* what SSI_IOC_SEQ_SET takes */
		if (f->seq.read_pos < 0 || f->seq.index < -2 || f->pos > INT64_MAX)
			return -1;
	}
	return 0;
}

/* ----------------------------------------------------------------- DSM */

/* Do DSM messages of @type carry the content when MSG_DSM_DATA is set? */
static bool dsm_carries(uint16_t type)
{
	return type == SSID_MSG_DSM_REVOKED || type == SSID_MSG_DSM_GRANT;
}

size_t msg_encode_dsm(uint16_t type, const struct msg_dsm *m, void *buf)
{
	struct cur c = { buf, NULL };

	put_version(&c);
	put32(&c, m->flags);
	put32(&c, m->value);
	put64(&c, m->seg);
	put64(&c, m->page);
	if (dsm_carries(type) && (m->flags & MSG_DSM_DATA))
		put_bytes(&c, m->data, MSG_DSM_PAGE);
	return (size_t)(c.p - (unsigned char *)buf);
}

/* What @m's value and page may be in a message of @type. */
static bool dsm_valid(uint16_t type, const struct msg_dsm *m)
{
	bool page_ok = m->page < MSG_DSM_PAGES_MAX;

	switch (type) {
	case SSID_MSG_DSM_ASK:
	case SSID_MSG_DSM_GRANT:
		return page_ok && (m->value == 1 || m->value == 2);
	case SSID_MSG_DSM_REVOKE:
		return page_ok && m->value <= 1;
	case SSID_MSG_DSM_REVOKED:
		return page_ok && !m->value;
	case SSID_MSG_DSM_FAIL:
		return page_ok && m->value >= 1 && m->value <= MSG_DSM_ERRNO_MAX;
	case SSID_MSG_DSM_WAKE:
		return m->page < MSG_DSM_PAGES_MAX * MSG_DSM_PAGE && m->value >= 1;
	case SSID_MSG_DSM_DROP:
		return !m->page && !m->value;
	}
	return false;
}

int msg_decode_dsm(uint16_t type, const void *buf, size_t len, struct msg_dsm *m)
{
	struct cur c = { (unsigned char *)buf, (const unsigned char *)buf + len };

	if (!buf || get_version(&c, MSG_DSM_LEN))
		return -1;
	m->flags = get32(&c);
	m->value = get32(&c);
	m->seg = get64(&c);
	m->page = get64(&c);
	m->data = NULL;
	if (m->flags & ~MSG_DSM_DATA)
		return -1;
	/* only a revocation asks, only a grant or its answer carries */
	if ((m->flags & MSG_DSM_DATA) && !dsm_carries(type) && type != SSID_MSG_DSM_REVOKE)
		return -1;
	if (dsm_carries(type) && (m->flags & MSG_DSM_DATA)) {
		if ((size_t)(c.end - c.p) < MSG_DSM_PAGE)
			return -1;
		m->data = c.p;
	}
	return dsm_valid(type, m) ? 0 : -1;
}
