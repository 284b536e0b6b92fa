// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * check_state_table.c - doc/state.md's table of per-process and
 * per-thread state against the code that decides each item: the /proc
 * entries served where the process runs (ssid/forward/proc_self.c), the
 * mapping attributes the image carries (SSI_VMAF_*), the syscall table
 * (ssid/forward/syscall_policy.c) and the words of each refusal.
 */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run_suite.h"
#include "ssid/forward/proc_self.h"
#include "ssid/forward/syscall_policy.h"
#include "ssi_imgcheck.h"

#define MAX_ROWS	400
#define MAX_CELL	512

enum { C_STATE, C_OF, C_TREATMENT, C_HOW, C_CALLS, NR_CELLS };

struct row {
	int line;
	char cell[NR_CELLS][MAX_CELL];
};

static struct row rows[MAX_ROWS];
static int nr_rows;

/* The code whose refusals the table quotes. */
static const char *const refusers[] = {
	"kmod/ssi_dump.c", "kmod/ssi_restore.c",
	"ssid/migrate/not_carried.c", "ssid/migrate/home_side.c",
	"ssid/forward/signalfd_here.c", "kmod/ssi_ptimer.c",
	"ssid/migrate/restore_helper.c", "ssid/migrate/seccomp_carry.c",
	"ssid/migrate/seccomp_read.c", "kmod/ssi_imgcheck.c",
};
static char *refuser_text;

static char *trim(char *s)
{
	char *e;

	while (*s == ' ')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\n'))
		*--e = '\0';
	return s;
}

static char *slurp(const char *rel)
{
	char path[4096];
	long n;
	char *buf;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", SRCDIR, rel);
	f = fopen(path, "r");
	ck_assert_msg(f, "cannot open %s", path);
	ck_assert(!fseek(f, 0, SEEK_END));
	n = ftell(f);
	ck_assert(n > 0 && !fseek(f, 0, SEEK_SET));
	buf = malloc((size_t)n + 1);
	ck_assert(buf && fread(buf, 1, (size_t)n, f) == (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/*
 * The rows of every five-column table in doc/state.md: "| a | b | c | d |
 * e |" lines, less the header ("State") and the separator.
 */
static void load(void)
{
	char *text = slurp("doc/state.md"), *line, *save = NULL;
	int lineno = 0;
	size_t i;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct row r = { .line = ++lineno };
		char *p = line, *bar;
		int n = 0;

		if (strncmp(line, "| ", 2) || !strncmp(line, "| State ", 8))
			continue;
		p++;
		while ((bar = strchr(p, '|')) && n < NR_CELLS + 1) {
			*bar = '\0';
			if (n < NR_CELLS)
				snprintf(r.cell[n], MAX_CELL, "%s", trim(p));
			n++;
			p = bar + 1;
		}
		if (n != NR_CELLS)
			continue;	/* the two-column table of treatments */
		ck_assert_msg(nr_rows < MAX_ROWS, "more than %d rows", MAX_ROWS);
		rows[nr_rows++] = r;
	}
	free(text);
	ck_assert_msg(nr_rows > 50, "only %d rows in doc/state.md", nr_rows);

	refuser_text = strdup("");
	for (i = 0; i < sizeof(refusers) / sizeof(refusers[0]); i++) {
		char *t = slurp(refusers[i]);
		size_t a = strlen(refuser_text), b = strlen(t);

		refuser_text = realloc(refuser_text, a + b + 1);
		ck_assert(refuser_text);
		memcpy(refuser_text + a, t, b + 1);
		free(t);
	}
}

static const struct row *find(const char *state)
{
	int i;

	for (i = 0; i < nr_rows; i++)
		if (!strcmp(rows[i].cell[C_STATE], state))
			return &rows[i];
	return NULL;
}

/* The next `name` in @s from *@pos; false when there is none. */
static bool next_code(const char *s, size_t *pos, char *out, size_t outlen)
{
	const char *a = strchr(s + *pos, '`'), *b;

	if (!a || !(b = strchr(a + 1, '`')))
		return false;
	snprintf(out, outlen, "%.*s", (int)(b - a - 1), a + 1);
	*pos = (size_t)(b + 1 - s);
	return true;
}

static long syscall_nr(const char *name)
{
	long nr;

	for (nr = 0; nr < SSI_SC_MAX; nr++) {
		const struct ssi_sc_entry *e = ssi_sc_lookup(nr);

		if (e && e->name && !strcmp(e->name, name))
			return nr;
	}
	return -1;
}

START_TEST(test_treatments)
{
	static const char *const known[] = { "carried", "here", "home", "refused", "gap" };
	int i, gaps = 0;
	size_t k;

	for (i = 0; i < nr_rows; i++) {
		const struct row *r = &rows[i];
		bool ok = false;

		for (k = 0; k < sizeof(known) / sizeof(known[0]); k++)
			ok |= !strcmp(r->cell[C_TREATMENT], known[k]);
		ck_assert_msg(ok, "line %d (%s): treatment '%s'", r->line, r->cell[C_STATE],
			      r->cell[C_TREATMENT]);
		ck_assert_msg(!strcmp(r->cell[C_OF], "process") || !strcmp(r->cell[C_OF], "thread"),
			      "line %d (%s): of '%s'", r->line, r->cell[C_STATE], r->cell[C_OF]);
		ck_assert_msg(!find(r->cell[C_STATE]) || find(r->cell[C_STATE]) == r,
			      "line %d: '%s' twice", r->line, r->cell[C_STATE]);
		gaps += !strcmp(r->cell[C_TREATMENT], "gap");
	}
	printf("state table: %d rows, %d gaps\n", nr_rows, gaps);
}
END_TEST

/* /proc/self/E says "here" exactly when proc_self.c serves E there. */
START_TEST(test_proc_entries)
{
	char key[128];
	const char *e;
	size_t i;
	int r;

	for (i = 0; (e = proc_self_served(i)); i++) {
		const struct row *row;

		snprintf(key, sizeof(key), "`/proc/self/%s`", e);
		row = find(key);
		ck_assert_msg(row, "no row for %s, which is served here", key);
		ck_assert_msg(!strcmp(row->cell[C_TREATMENT], "here"),
			      "%s is served here, the table says %s", key, row->cell[C_TREATMENT]);
	}
	for (r = 0; r < nr_rows; r++) {
		const char *s = rows[r].cell[C_STATE];
		bool listed = false;

		if (strncmp(s, "`/proc/self/", 12) || strcmp(rows[r].cell[C_TREATMENT], "here"))
			continue;
		for (i = 0; (e = proc_self_served(i)); i++) {
			snprintf(key, sizeof(key), "`/proc/self/%s`", e);
			listed |= !strcmp(key, s);
		}
		ck_assert_msg(listed, "line %d: %s 'here', but proc_self.c does not serve it",
			      rows[r].line, s);
	}
}
END_TEST

/* Every SSI_VMAF_* bit of the format has a "carried" row. */
START_TEST(test_vma_attributes)
{
	char key[64];
	unsigned int bit;
	int r, found;

	for (bit = 1; bit & SSI_VMAF_MASK; bit <<= 1) {
		const char *n = ssi_vmaf_name(bit);

		ck_assert_msg(n, "SSI_VMAF bit %#x has no name", bit);
		snprintf(key, sizeof(key), "`SSI_VMAF_%s`:", n);
		found = 0;
		for (r = 0; r < nr_rows; r++) {
			if (strncmp(rows[r].cell[C_STATE], key, strlen(key)))
				continue;
			found++;
			ck_assert_msg(!strcmp(rows[r].cell[C_TREATMENT], "carried"),
				      "line %d: %s is carried", rows[r].line, key);
		}
		ck_assert_msg(found == 1, "%d rows for SSI_VMAF_%s", found, n);
	}
	ck_assert_ptr_null(ssi_vmaf_name(SSI_VMAF_MASK + 1));
}
END_TEST

/*
 * The calls in the last column: in the syscall table; the ones that make
 * refused state pull home (or run away only what makes none), those that change home state never run away.
 */
START_TEST(test_calls)
{
	char name[64];
	int r, n = 0;

	for (r = 0; r < nr_rows; r++) {
		const struct row *row = &rows[r];
		const char *t = row->cell[C_TREATMENT];
		size_t pos = 0;

		while (next_code(row->cell[C_CALLS], &pos, name, sizeof(name))) {
			long nr = syscall_nr(name);
			const struct ssi_sc_entry *e;

			ck_assert_msg(nr >= 0, "line %d: no syscall '%s'", row->line, name);
			e = ssi_sc_lookup(nr);
			n++;
			/* a LOCAL_IF runs away only what makes no state, pulls home the rest */
			if (!strcmp(t, "refused"))
				ck_assert_msg(e->policy == SSI_SC_PULL_HOME ||
					      (e->policy == SSI_SC_LOCAL_IF && !e->otherwise),
					      "line %d: %s makes refused state (%s) but is %s",
					      row->line, name, row->cell[C_STATE],
					      ssi_sc_policy_name(e->policy));
			if (!strcmp(t, "home"))
				ck_assert_msg(e->policy == SSI_SC_FORWARD ||
					      e->policy == SSI_SC_CACHED ||
					      e->policy == SSI_SC_PULL_HOME,
					      "line %d: %s changes home state (%s) but is %s",
					      row->line, name, row->cell[C_STATE],
					      ssi_sc_policy_name(e->policy));
		}
	}
	ck_assert_int_gt(n, 50);
}
END_TEST

/* A refusal's quoted words are in the code that refuses. */
START_TEST(test_refusal_words)
{
	char quote[MAX_CELL];
	int r;

	for (r = 0; r < nr_rows; r++) {
		const struct row *row = &rows[r];
		const char *s = row->cell[C_HOW], *a, *b;
		int quotes = 0;

		if (strcmp(row->cell[C_TREATMENT], "refused"))
			continue;
		while ((a = strchr(s, '"')) && (b = strchr(a + 1, '"'))) {
			snprintf(quote, sizeof(quote), "%.*s", (int)(b - a - 1), a + 1);
			ck_assert_msg(strstr(refuser_text, quote),
				      "line %d (%s): no refusal says \"%s\"", row->line,
				      row->cell[C_STATE], quote);
			quotes++;
			s = b + 1;
		}
		ck_assert_msg(quotes, "line %d (%s): refused, but no words quoted", row->line,
			      row->cell[C_STATE]);
	}
}
END_TEST

static Suite *state_table_suite(void)
{
	Suite *s = suite_create("state_table");
	TCase *tc = tcase_create("table");

	tcase_add_unchecked_fixture(tc, load, NULL);
	tcase_add_test(tc, test_treatments);
	tcase_add_test(tc, test_proc_entries);
	tcase_add_test(tc, test_vma_attributes);
	tcase_add_test(tc, test_calls);
	tcase_add_test(tc, test_refusal_words);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run(state_table_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}
