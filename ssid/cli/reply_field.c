// SPDX-License-Identifier: GPL-2.0
/*
 * reply_field.c - the fields of ssid's replies as ssictl prints them
 * (see reply_field.h).
 */
#include <stdio.h>

#include "cli/reply_field.h"

json_object *jmember(json_object *o, const char *k)
{
	json_object *v = NULL;

	if (o)
		json_object_object_get_ex(o, k, &v);
	return v;
}

const char *jstr(json_object *o, const char *k)
{
	json_object *v = jmember(o, k);

	return v ? json_object_get_string(v) : "-";
}

void fmt_kb(char *buf, size_t n, json_object *v)
{
	static const char units[] = "KMGTP";
	double x;
	int u = 0;

	if (!v) {
		snprintf(buf, n, "-");
		return;
	}
	x = (double)json_object_get_uint64(v);
	while (x >= 1024 && u < 4) {
		x /= 1024;
		u++;
	}
	snprintf(buf, n, x < 10 ? "%.1f%c" : "%.0f%c", x, units[u]);
}
