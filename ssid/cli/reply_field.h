/* SPDX-License-Identifier: GPL-2.0 */
/*
 * reply_field.h - the fields of ssid's JSON replies as ssictl prints
 * them: one lookup, one "-" for a field that is not there, one way of
 * writing a KiB figure.  Used by ssictl.c and mon.c.
 */
#ifndef SSICTL_REPLY_FIELD_H
#define SSICTL_REPLY_FIELD_H

#include <stddef.h>

#include <json-c/json.h>

/* Member @k of object @o (NULL if either is missing). */
json_object *jmember(json_object *o, const char *k);

/* Member @k as text, "-" if it is not there. */
const char *jstr(json_object *o, const char *k);

/* A KiB figure @v as "2.0G", "500M" ... into @buf; "-" if @v is NULL. */
void fmt_kb(char *buf, size_t n, json_object *v);

#endif
