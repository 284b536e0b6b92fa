// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * select_ssi.c - SelectType=select/ssi: select/cons_tres, aware of
 * migrated load.
 *
 * Every entry point forwards to select/cons_tres, loaded through
 * plugin_context_create() with Slurm's own symbol table, the way Slurm's
 * select/other does for select/cray_aries.  Three add to it (guests.c):
 * job_test also excludes the cores busy with migrated-in guests, as
 * ssid counts them; job_begin and job_fini tell ssid, with the job's
 * --ssi-migratable policy from its SPANK environment, and its balancers
 * then look again.  Without a reachable ssid they add nothing.  Where
 * other code asks which plugin is in use (select_g_get_info_from_plugin(SELECT_CR_PLUGIN)), the
 * answer is cons_tres's, so gres and job code behave as under cons_tres.
 *
 * Rules for this file (slurmctld loads every select_*.so it finds, and so
 * do clients linked with libslurm, such as squeue, ssictl and
 * ssi-slurm-watch, when they unpack node and job records):
 *  - name Slurm's functions as slurm_xlator.h does (slurm_log_var...),
 *    which libslurmfull and libslurm both export; reference no data of
 *    Slurm's (a data symbol must resolve when the plugin is loaded);
 *    slurmctld-only functions (cr_*, find_node_record2) only on
 *    slurmctld's paths (job_test), where they resolve;
 *  - load cons_tres lazily, on the first call that needs it;
 *  - plugin_version equals SLURM_VERSION_NUMBER exactly, plugin_id is our
 *    own (>= 100, unique among select plugins).
 *
 * Known difference from cons_tres: reservations with CoreCnt are refused,
 * because Slurm checks for them by plugin id (state_control.c).
 */
#include "config.h"

#include <pthread.h>

/*
 * Slurm's own names for what both libslurmfull (slurmctld) and libslurm
 * (its clients, which load every select plugin too) export: log_var is
 * slurm_log_var, bit_or slurm_bit_or... as Slurm's plugins do.
 */
#include "src/common/slurm_xlator.h"

#include "slurm/slurm.h"
#include "slurm/slurm_errno.h"

#include "src/common/log.h"
#include "src/common/plugin.h"
#include "src/common/select.h"
#include "src/common/xstring.h"
#include "src/slurmctld/slurmctld.h"

#include "guests.h"

const char plugin_name[] = "slurm-ssi: cons_tres aware of migrated processes";
const char plugin_type[] = "select/ssi";
const uint32_t plugin_version = SLURM_VERSION_NUMBER;
/* Not in Slurm's enum select_plugin_type; 100-110 are taken there. */
const uint32_t plugin_id = 160;

#define WRAPPED_PLUGIN "select/cons_tres"

static slurm_select_ops_t ops;
/*
 * The symbols of a select plugin, in the order of slurm_select_ops_t:
 * plugin_id and the 36 entry points this file forwards.  Our own table,
 * not Slurm's node_select_syms: that is data of libslurmfull only, and a
 * data symbol must resolve when the plugin is loaded, which clients
 * linked with libslurm (ssictl, ssi-slurm-watch) also do when they
 * unpack node or job records.  A Slurm whose table differs must not build
 * this plugin silently.
 */
static const char *wrapped_syms[] = {
	"plugin_id",
	"select_p_state_save", "select_p_state_restore", "select_p_job_init",
	"select_p_node_init", "select_p_job_test", "select_p_job_begin",
	"select_p_job_ready", "select_p_job_expand", "select_p_job_resized",
	"select_p_job_signal", "select_p_job_fini", "select_p_job_suspend",
	"select_p_job_resume", "select_p_step_pick_nodes", "select_p_step_start",
	"select_p_step_finish", "select_p_select_nodeinfo_pack",
	"select_p_select_nodeinfo_unpack", "select_p_select_nodeinfo_alloc",
	"select_p_select_nodeinfo_free", "select_p_select_nodeinfo_set_all",
	"select_p_select_nodeinfo_set", "select_p_select_nodeinfo_get",
	"select_p_select_jobinfo_alloc", "select_p_select_jobinfo_free",
	"select_p_select_jobinfo_set", "select_p_select_jobinfo_get",
	"select_p_select_jobinfo_copy", "select_p_select_jobinfo_pack",
	"select_p_select_jobinfo_unpack", "select_p_select_jobinfo_sprint",
	"select_p_select_jobinfo_xstrdup", "select_p_get_info_from_plugin",
	"select_p_update_node_config", "select_p_reconfigure", "select_p_resv_test",
};
_Static_assert(sizeof(slurm_select_ops_t) == 37 * sizeof(void *) &&
	       sizeof(wrapped_syms) / sizeof(wrapped_syms[0]) == 37,
	       "slurm_select_ops_t changed: review select_ssi.c");
static plugin_context_t *g_context;
static pthread_mutex_t g_context_lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * Load cons_tres.  Returns SLURM_SUCCESS or SLURM_ERROR; callers turn an
 * error into the failure value of their entry point.
 */
static int wrapped_init(void)
{
	int rc = SLURM_SUCCESS;

	slurm_mutex_lock(&g_context_lock);
	if (g_context)
		goto out;
	g_context = plugin_context_create("select", WRAPPED_PLUGIN, (void **)&ops,
					  wrapped_syms, sizeof(wrapped_syms));
	if (!g_context) {
		error("%s: cannot load %s", plugin_type, WRAPPED_PLUGIN);
		rc = SLURM_ERROR;
	}
out:
	slurm_mutex_unlock(&g_context_lock);
	return rc;
}

extern int init(void)
{
	verbose("%s loaded", plugin_type);
	return SLURM_SUCCESS;
}

extern int fini(void)
{
	int rc = SLURM_SUCCESS;

	guests_fini();
	slurm_mutex_lock(&g_context_lock);
	if (g_context)
		rc = plugin_context_destroy(g_context);
	g_context = NULL;
	slurm_mutex_unlock(&g_context_lock);
	return rc;
}

/*
 * FORWARD(fail, call, args...): return @fail if cons_tres cannot be
 * loaded, else what ops.@call(args) returns.
 */
#define FORWARD(fail, call, ...)					\
	do {								\
		if (wrapped_init() != SLURM_SUCCESS)			\
			return fail;					\
		return (*(ops.call))(__VA_ARGS__);			\
	} while (0)

/* IN dir_name: StateSaveLocation.  Called when slurmctld saves state. */
extern int select_p_state_save(char *dir_name)
{
	FORWARD(SLURM_ERROR, state_save, dir_name);
}

/* IN dir_name: StateSaveLocation.  Called at slurmctld start. */
extern int select_p_state_restore(char *dir_name)
{
	FORWARD(SLURM_ERROR, state_restore, dir_name);
}

/* IN job_list: every job slurmctld knows, after a (re)start. */
extern int select_p_job_init(List job_list)
{
	FORWARD(SLURM_ERROR, job_init, job_list);
}

/* Called after the node table is (re)built. */
extern int select_p_node_init(void)
{
	FORWARD(SLURM_ERROR, node_init);
}

/*
 * Pick nodes (and cores) for a job.  IN/OUT bitmap: usable nodes in,
 * chosen nodes out.  IN exc_core_bitmap: cores the job must not use.
 * RET SLURM_SUCCESS when the job fits.
 */
extern int select_p_job_test(job_record_t *job_ptr, bitstr_t *bitmap,
			     uint32_t min_nodes, uint32_t max_nodes,
			     uint32_t req_nodes, uint16_t mode,
			     List preemptee_candidates,
			     List *preemptee_job_list,
			     bitstr_t *exc_core_bitmap)
{
	bitstr_t *exc;
	int rc;

	if (wrapped_init() != SLURM_SUCCESS)
		return SLURM_ERROR;
	/*
	 * Only where cores are really handed out: SELECT_MODE_TEST_ONLY asks
	 * whether the job could ever run, which guests do not change.
	 */
	exc = mode == SELECT_MODE_TEST_ONLY ? NULL : guests_exclude_cores(exc_core_bitmap);
	rc = (*(ops.job_test))(job_ptr, bitmap, min_nodes, max_nodes, req_nodes,
			       mode, preemptee_candidates, preemptee_job_list,
			       exc ? exc : exc_core_bitmap);
	FREE_NULL_BITMAP(exc);
	return rc;
}

/* A job was allocated the resources job_test picked; ssid hears of it. */
extern int select_p_job_begin(job_record_t *job_ptr)
{
	int rc;

	if (wrapped_init() != SLURM_SUCCESS)
		return SLURM_ERROR;
	rc = (*(ops.job_begin))(job_ptr);
	if (rc == SLURM_SUCCESS)
		guests_job_event(job_ptr, true);
	return rc;
}

/* RET 1 when the job's nodes are ready to run it. */
extern int select_p_job_ready(job_record_t *job_ptr)
{
	FORWARD(SLURM_ERROR, job_ready, job_ptr);
}

/* Move all resources of from_job_ptr to to_job_ptr. */
extern int select_p_job_expand(job_record_t *from_job_ptr, job_record_t *to_job_ptr)
{
	FORWARD(SLURM_ERROR, job_expand, from_job_ptr, to_job_ptr);
}

/* node_ptr was removed from a running job. */
extern int select_p_job_resized(job_record_t *job_ptr, node_record_t *node_ptr)
{
	FORWARD(SLURM_ERROR, job_resized, job_ptr, node_ptr);
}

/* A signal is being sent to the job. */
extern int select_p_job_signal(job_record_t *job_ptr, int signal)
{
	FORWARD(SLURM_ERROR, job_signal, job_ptr, signal);
}

/* The job ended: its resources are free again, and ssid hears of it. */
extern int select_p_job_fini(job_record_t *job_ptr)
{
	int rc;

	if (wrapped_init() != SLURM_SUCCESS)
		return SLURM_ERROR;
	rc = (*(ops.job_fini))(job_ptr);
	guests_job_event(job_ptr, false);
	return rc;
}

/* scontrol suspend.  IN indf_susp: suspended indefinitely (not gang). */
extern int select_p_job_suspend(job_record_t *job_ptr, bool indf_susp)
{
	FORWARD(SLURM_ERROR, job_suspend, job_ptr, indf_susp);
}

/* scontrol resume. */
extern int select_p_job_resume(job_record_t *job_ptr, bool indf_susp)
{
	FORWARD(SLURM_ERROR, job_resume, job_ptr, indf_susp);
}

/* RET the nodes for a step of job_ptr, or NULL. */
extern bitstr_t *select_p_step_pick_nodes(job_record_t *job_ptr,
					  select_jobinfo_t *jobinfo,
					  uint32_t node_count,
					  bitstr_t **avail_nodes)
{
	FORWARD(NULL, step_pick_nodes, job_ptr, jobinfo, node_count, avail_nodes);
}

/* A step starts: account its resources. */
extern int select_p_step_start(step_record_t *step_ptr)
{
	FORWARD(SLURM_ERROR, step_start, step_ptr);
}

/* A step ends.  IN killing_step: it is being killed. */
extern int select_p_step_finish(step_record_t *step_ptr, bool killing_step)
{
	FORWARD(SLURM_ERROR, step_finish, step_ptr, killing_step);
}

extern int select_p_select_nodeinfo_pack(select_nodeinfo_t *nodeinfo,
					 buf_t *buffer,
					 uint16_t protocol_version)
{
	FORWARD(SLURM_ERROR, nodeinfo_pack, nodeinfo, buffer, protocol_version);
}

extern int select_p_select_nodeinfo_unpack(select_nodeinfo_t **nodeinfo,
					   buf_t *buffer,
					   uint16_t protocol_version)
{
	FORWARD(SLURM_ERROR, nodeinfo_unpack, nodeinfo, buffer, protocol_version);
}

extern select_nodeinfo_t *select_p_select_nodeinfo_alloc(void)
{
	FORWARD(NULL, nodeinfo_alloc);
}

extern int select_p_select_nodeinfo_free(select_nodeinfo_t *nodeinfo)
{
	FORWARD(SLURM_ERROR, nodeinfo_free, nodeinfo);
}

extern int select_p_select_nodeinfo_set_all(void)
{
	FORWARD(SLURM_ERROR, nodeinfo_set_all);
}

extern int select_p_select_nodeinfo_set(job_record_t *job_ptr)
{
	FORWARD(SLURM_ERROR, nodeinfo_set, job_ptr);
}

extern int select_p_select_nodeinfo_get(select_nodeinfo_t *nodeinfo,
					enum select_nodedata_type dinfo,
					enum node_states state, void *data)
{
	FORWARD(SLURM_ERROR, nodeinfo_get, nodeinfo, dinfo, state, data);
}

extern select_jobinfo_t *select_p_select_jobinfo_alloc(void)
{
	FORWARD(NULL, jobinfo_alloc);
}

extern int select_p_select_jobinfo_free(select_jobinfo_t *jobinfo)
{
	FORWARD(SLURM_ERROR, jobinfo_free, jobinfo);
}

extern int select_p_select_jobinfo_set(select_jobinfo_t *jobinfo,
				       enum select_jobdata_type data_type,
				       void *data)
{
	FORWARD(SLURM_ERROR, jobinfo_set, jobinfo, data_type, data);
}

extern int select_p_select_jobinfo_get(select_jobinfo_t *jobinfo,
				       enum select_jobdata_type data_type,
				       void *data)
{
	FORWARD(SLURM_ERROR, jobinfo_get, jobinfo, data_type, data);
}

extern select_jobinfo_t *select_p_select_jobinfo_copy(select_jobinfo_t *jobinfo)
{
	FORWARD(NULL, jobinfo_copy, jobinfo);
}

extern int select_p_select_jobinfo_pack(select_jobinfo_t *jobinfo,
					buf_t *buffer,
					uint16_t protocol_version)
{
	FORWARD(SLURM_ERROR, jobinfo_pack, jobinfo, buffer, protocol_version);
}

extern int select_p_select_jobinfo_unpack(select_jobinfo_t **jobinfo,
					  buf_t *buffer,
					  uint16_t protocol_version)
{
	FORWARD(SLURM_ERROR, jobinfo_unpack, jobinfo, buffer, protocol_version);
}

extern char *select_p_select_jobinfo_sprint(select_jobinfo_t *jobinfo,
					    char *buf, size_t size, int mode)
{
	FORWARD(NULL, jobinfo_sprint, jobinfo, buf, size, mode);
}

extern char *select_p_select_jobinfo_xstrdup(select_jobinfo_t *jobinfo, int mode)
{
	FORWARD(NULL, jobinfo_xstrdup, jobinfo, mode);
}

/*
 * Answers what cons_tres answers, SELECT_CR_PLUGIN included: gres and job
 * code then treat the cluster exactly as under cons_tres.
 */
extern int select_p_get_info_from_plugin(enum select_plugindata_info dinfo,
					 job_record_t *job_ptr, void *data)
{
	FORWARD(SLURM_ERROR, get_info_from_plugin, dinfo, job_ptr, data);
}

extern int select_p_update_node_config(int index)
{
	FORWARD(SLURM_ERROR, update_node_config, index);
}

extern int select_p_reconfigure(void)
{
	FORWARD(SLURM_ERROR, reconfigure);
}

extern bitstr_t *select_p_resv_test(resv_desc_msg_t *resv_desc_ptr,
				    uint32_t node_cnt, bitstr_t *avail_bitmap,
				    bitstr_t **core_bitmap)
{
	FORWARD(NULL, resv_test, resv_desc_ptr, node_cnt, avail_bitmap, core_bitmap);
}
