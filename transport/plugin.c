// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * plugin.c - loading back-end plugins by name, as Slurm loads its own:
 * dlopen "<dir>/transport_<name>.so", check plugin_type and plugin_version,
 * resolve "tp_p_<op>" for every member of struct ssi_tp_plugin_ops through
 * a symbol table kept parallel to the struct.
 */
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "internal.h"

#ifndef SSI_TP_PLUGIN_DIR
#error "SSI_TP_PLUGIN_DIR must be defined by the build"
#endif

/* Parallel to struct ssi_tp_plugin_ops, member for member. */
static const struct {
	const char *sym;
	int optional;
} op_syms[] = {
	{ "tp_p_init", 0 },
	{ "tp_p_fini", 0 },
	{ "tp_p_listen", 0 },
	{ "tp_p_connect", 0 },
	{ "tp_p_send", 0 },
	{ "tp_p_queued", 0 },
	{ "tp_p_close", 0 },
	{ "tp_p_bulk_release", 1 },
	{ "tp_p_describe", 1 },
};

_Static_assert(sizeof(struct ssi_tp_plugin_ops) ==
	       sizeof(op_syms) / sizeof(op_syms[0]) * sizeof(void (*)(void)),
	       "op_syms[] must list every member of struct ssi_tp_plugin_ops");

static int name_ok(const char *name)
{
	size_t i;

	for (i = 0; name[i]; i++)
		if (!(name[i] >= 'a' && name[i] <= 'z') &&
		    !(name[i] >= '0' && name[i] <= '9') && name[i] != '_')
			return 0;
	return i > 0 && i < 64;
}

static ssi_tp_err_t fail(struct ssi_tp *tp, const char *fmt, const char *a,
			 const char *b)
{
	ssi_tp_core_errmsg(tp, fmt, a, b);
	ssi_tp_core_log(tp, LOG_ERR, "%s", tp->errmsg);
	return SSI_TP_ERR_PLUGIN;
}

ssi_tp_err_t ssi_tp_plugin_load(struct ssi_tp *tp, const char *dir,
				const char *name)
{
	void (**ops)(void) = (void (**)(void))&tp->plugin.ops;
	char path[PATH_MAX], type[80];
	const uint32_t *version;
	const char *ptype;
	void *h;
	size_t i;

	if (!name || !name_ok(name)) {
		ssi_tp_core_errmsg(tp, "invalid transport plugin name '%s'",
				   name ? name : "(null)");
		return SSI_TP_ERR_BAD_ARG;
	}
	if (!dir || !*dir)
		dir = getenv(SSI_TP_PLUGIN_DIR_ENV);
	if (!dir || !*dir)
		dir = SSI_TP_PLUGIN_DIR;
	if (snprintf(path, sizeof(path), "%s/transport_%s.so", dir, name) >=
	    (int)sizeof(path)) {
		ssi_tp_core_errmsg(tp, "plugin path too long");
		return SSI_TP_ERR_BAD_ARG;
	}

	h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return fail(tp, "cannot load transport plugin %s: %s", path,
			    dlerror());
	tp->plugin.handle = h;

	snprintf(type, sizeof(type), "transport/%s", name);
	ptype = dlsym(h, "plugin_type");
	version = dlsym(h, "plugin_version");
	if (!ptype || !version || strcmp(ptype, type)) {
		ssi_tp_plugin_unload(tp);
		return fail(tp, "%s is not a %s plugin", path, type);
	}
	if (*version != SSI_TP_PLUGIN_VERSION) {
		ssi_tp_core_errmsg(tp, "%s has plugin API version %u, need %u",
				   path, *version, SSI_TP_PLUGIN_VERSION);
		ssi_tp_core_log(tp, LOG_ERR, "%s", tp->errmsg);
		ssi_tp_plugin_unload(tp);
		return SSI_TP_ERR_PLUGIN;
	}
	for (i = 0; i < sizeof(op_syms) / sizeof(op_syms[0]); i++) {
		/* POSIX guarantees object and function pointers convert */
		*(void **)&ops[i] = dlsym(h, op_syms[i].sym);
		if (!ops[i] && !op_syms[i].optional) {
			ssi_tp_plugin_unload(tp);
			return fail(tp, "%s lacks symbol %s", path,
				    op_syms[i].sym);
		}
	}
	ssi_tp_core_log(tp, LOG_DEBUG, "loaded transport plugin %s (%s)", path,
			(const char *)(dlsym(h, "plugin_name") ?: "?"));
	return SSI_TP_OK;
}

void ssi_tp_plugin_unload(struct ssi_tp *tp)
{
	if (tp->plugin.handle)
		dlclose(tp->plugin.handle);
	memset(&tp->plugin, 0, sizeof(tp->plugin));
}

int ssi_tp_core_opt(const char *opts, const char *key, char *val,
		    size_t vallen)
{
	size_t klen = strlen(key);
	const char *p = opts, *end;
	size_t n;

	while (p && *p) {
		end = strchrnul(p, ',');
		if ((size_t)(end - p) > klen && !strncmp(p, key, klen) &&
		    p[klen] == '=') {
			n = (size_t)(end - p) - klen - 1;
			if (n >= vallen)
				return -1;
			memcpy(val, p + klen + 1, n);
			val[n] = '\0';
			return 1;
		}
		p = *end ? end + 1 : end;
	}
	return 0;
}

int ssi_tp_core_opts_check(ssi_tp_t tp, const char *opts,
			   const char *const *keys)
{
	const char *p = opts, *end, *eq;
	size_t i, n;

	while (p && *p) {
		end = strchrnul(p, ',');
		eq = memchr(p, '=', (size_t)(end - p));
		n = eq ? (size_t)(eq - p) : (size_t)(end - p);
		for (i = 0; keys[i]; i++)
			if (strlen(keys[i]) == n && !strncmp(p, keys[i], n))
				break;
		if (!keys[i] || !eq) {
			ssi_tp_core_errmsg(tp, "bad transport option '%.*s'",
					   (int)(end - p), p);
			ssi_tp_core_log(tp, LOG_ERR, "%s", tp->errmsg);
			return -1;
		}
		p = *end ? end + 1 : end;
	}
	return 0;
}
