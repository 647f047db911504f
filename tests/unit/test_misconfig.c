/*
 * Unit tests for src/misconfig: the account-file parsers (passwd, group,
 * shadow, sudoers) and their bounds, password hash kinds, secret-looking
 * names, dates and the end-of-life table, the Dockerfile parser (directives,
 * continuations, heredocs, JSON form, expansion, hostile sizes), and every
 * Dockerfile rule over the corpus tests/data/dockerfiles (bad-ID: ID is
 * reported; good-* and clean-*: nothing is).
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bulwark/errors.h"
#include "bulwark/misconfig.h"
#include "misconfig/misconfig_int.h"

#define assert_contains(hay, needle)                                                   \
	do {                                                                           \
		const char *h_ = (hay), *n_ = (needle);                                \
		if (!strstr(h_, n_))                                                   \
			fail_msg("\"%s\" does not contain \"%s\"", h_, n_);            \
	} while (0)

/* ------------------------------------------------------------------ accounts */

static void test_passwd(void **state)
{
	(void)state;
	static const char text[] =
		"root:x:0:0:root:/root:/bin/bash\n"
		"# a comment\n"
		"\n"
		"daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\r\n"
		"toor:x:0:0::/root:/bin/sh\n"
		"broken:x:notanumber:0::/:/bin/sh\n"
		"short:x:5:5\n"
		"toomany:x:5:5:a:b:c:d\n"
		"big:x:4294967296:0::/:/bin/sh\n"
		"max:x:4294967295:0::/:/bin/sh\n"
		"+nis::::::\n"
		"app:x:10001:10001:App:/home/app:/bin/false";
	bw_accounts a = { 0 };
	char warn[256];

	assert_int_equal(bw_accounts__passwd(&a, text, sizeof(text) - 1, false, warn, sizeof(warn)), 0);
	assert_string_equal(warn, "");
	/* as glibc's fgetpwent: CR kept, short lines have empty fields, the shell is the rest */
	assert_int_equal(a.n_pw, 8);
	assert_string_equal(a.pw[0].name, "root");
	assert_int_equal(a.pw[1].uid, 1);
	assert_string_equal(a.pw[1].shell, "/usr/sbin/nologin\r");
	assert_int_equal(a.pw[2].line, 5);
	assert_string_equal(a.pw[3].name, "short");
	assert_string_equal(a.pw[3].shell, "");
	assert_string_equal(a.pw[4].shell, "c:d");
	assert_int_equal(a.pw[5].uid, 4294967295u);
	assert_string_equal(a.pw[6].name, "+nis"); /* a NIS compat entry: empty ids are 0 */
	assert_string_equal(a.pw[7].home, "/home/app");
	const bw_pw_entry *e = bw_accounts__user(&a, "toor", 4);
	assert_non_null(e);
	assert_int_equal(e->uid, 0);
	assert_null(bw_accounts__user(&a, "broken", 6));
	assert_null(bw_accounts__user(&a, "big", 3));
	assert_true(bw_accounts__has_uid(&a, 10001));
	assert_false(bw_accounts__has_uid(&a, 4242));
	bw_accounts__free(&a);
}

static void test_passwd_nul_and_truncated(void **state)
{
	(void)state;
	static const char text[] = "a:x:1:1::/:/bin/sh\nb\0x:x:2:2::/:/bin/sh\nc:x:3:3::/:/bin/sh\nd:x:4:4::/:/bin/s";
	bw_accounts a = { 0 };
	char warn[256];

	/* the NUL line is skipped; truncated: the cut last line is not trusted */
	assert_int_equal(bw_accounts__passwd(&a, text, sizeof(text) - 1, true, warn, sizeof(warn)), 0);
	assert_int_equal(a.n_pw, 2);
	assert_string_equal(a.pw[1].name, "c");
	assert_contains(warn, "larger than");
	bw_accounts__free(&a);
}

/* An /etc/passwd of 1,000,000 lines: bounded entries, one warning line. */
static void test_passwd_million(void **state)
{
	(void)state;
	size_t n = 1000000, cap = n * 64, len = 0;
	char *text = malloc(cap);
	bw_accounts a = { 0 };
	char warn[256];

	assert_non_null(text);
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, cap - len, "user%zu:x:%zu:100::/home/u:/bin/sh\n", i, i + 1000);
	assert_int_equal(bw_accounts__passwd(&a, text, len, false, warn, sizeof(warn)), 0);
	assert_int_equal(a.n_pw, BW_ACCOUNTS_MAX_ENTRIES);
	assert_contains(warn, "more than 65536 entries");
	assert_null(strchr(warn, '\n'));
	bw_accounts__free(&a);
	free(text);
}

static void test_long_lines(void **state)
{
	(void)state;
	size_t n = BW_ACCOUNTS_MAX_LINE + 100;
	char *text = malloc(n + 64);
	bw_accounts a = { 0 };
	char warn[256];

	memset(text, 'a', n);
	memcpy(text + n, "\nok:x:7:7::/:/bin/sh\n", 22);
	assert_int_equal(bw_accounts__passwd(&a, text, n + 21, false, warn, sizeof(warn)), 0);
	assert_int_equal(a.n_pw, 1);
	assert_contains(warn, "1 lines longer than");
	bw_accounts__free(&a);
	free(text);
}

static void test_group_shadow(void **state)
{
	(void)state;
	static const char group[] = "root:x:0:\nsudo:x:27:alice,bob\nbad:x::\nshort:x:9\n";
	static const char shadow[] =
		"root:*:19000:0:99999:7:::\n"
		"alice::19000:0:99999:7:::\n"
		"bob:$1$salt$abcdefghijklmnopqrstuv:19000::::::\n"
		"carol:$y$j9T$abc$def:19000::::::\n"
		"dave:!$6$x$y:1::::::\n"
		"erin:abcdefghijklm:1::::::\n"
		"frank:$6$salt$hash\n"
		"nofields\n";
	bw_accounts a = { 0 };
	char warn[256];
	const char *scheme;

	assert_int_equal(bw_accounts__group(&a, group, sizeof(group) - 1, false, warn, sizeof(warn)), 0);
	assert_int_equal(a.n_gr, 3);
	assert_string_equal(a.gr[1].members, "alice,bob");
	assert_int_equal(bw_accounts__shadow(&a, shadow, sizeof(shadow) - 1, false, warn, sizeof(warn)), 0);
	/* as glibc's fgetspent: "frank:$6$salt$hash" (two fields) and "nofields" are no entries */
	assert_int_equal(a.n_sp, 6);
	assert_int_equal(bw_accounts__hash_kind(a.sp[0].hash, &scheme), BW_HASH_LOCKED);
	assert_int_equal(bw_accounts__hash_kind(a.sp[1].hash, &scheme), BW_HASH_EMPTY);
	assert_int_equal(bw_accounts__hash_kind(a.sp[2].hash, &scheme), BW_HASH_WEAK);
	assert_string_equal(scheme, "MD5-crypt");
	assert_int_equal(bw_accounts__hash_kind(a.sp[3].hash, &scheme), BW_HASH_OK);
	assert_int_equal(bw_accounts__hash_kind(a.sp[4].hash, &scheme), BW_HASH_LOCKED);
	assert_int_equal(bw_accounts__hash_kind(a.sp[5].hash, &scheme), BW_HASH_WEAK);
	assert_string_equal(scheme, "DES-crypt");
	assert_int_equal(bw_accounts__hash_kind("$6$salt$hash", &scheme), BW_HASH_OK);
	assert_int_equal(bw_accounts__hash_kind("x", &scheme), BW_HASH_LOCKED);
	assert_int_equal(bw_accounts__hash_kind("abc!efghijklm", &scheme), BW_HASH_LOCKED);
	bw_accounts__free(&a);
}

static void test_sudoers(void **state)
{
	(void)state;
	static const char text[] =
		"Defaults env_reset\n"
		"# alice ALL=(ALL) NOPASSWD: ALL\n"
		"root ALL=(ALL:ALL) ALL\n"
		"%sudo ALL=(ALL) \\\n"
		"    NOPASSWD: ALL\n"
		"#includedir /etc/sudoers.d\n"
		"bob ALL = (root) NOPASSWD : /usr/bin/apt\n"
		"carol ALL=(ALL) NOPASSWDX: ALL\n"
		"#1000 ALL=(ALL) NOPASSWD:ALL\n";
	bw_accounts a = { 0 };
	char warn[256];

	assert_int_equal(bw_accounts__sudoers(&a, "/etc/sudoers", text, sizeof(text) - 1, false, warn, sizeof(warn)), 0);
	assert_int_equal(a.n_sudo, 5);
	assert_false(a.sudo[0].nopasswd);
	assert_true(a.sudo[1].nopasswd);
	assert_int_equal(a.sudo[1].line, 4);
	assert_true(a.sudo[2].nopasswd);
	assert_false(a.sudo[3].nopasswd);
	assert_true(a.sudo[4].nopasswd); /* "#1000" is a uid, not a comment */
	bw_accounts__free(&a);
}

/* ------------------------------------------------------------------ helpers */

static void test_secret_names(void **state)
{
	(void)state;
	static const char *const yes[] = { "DB_PASSWORD", "API_TOKEN", "aws_secret_access_key", "GITHUB_TOKEN",
					   "NPM_TOKEN", "MYSQL_ROOT_PASSWORD", "client-secret", "PRIVATE_KEY" };
	static const char *const no[] = { "PATH", "DB_PASSWORD_FILE", "TOKEN_URL", "GPG_KEY", "NODE_ENV",
					  "SECRET_PATH", "PASSWORD_LENGTH", "HOME", "" };
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (!bw_misconfig__secret_name(yes[i], strlen(yes[i])))
			fail_msg("%s should look like a secret", yes[i]);
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (bw_misconfig__secret_name(no[i], strlen(no[i])))
			fail_msg("%s should not look like a secret", no[i]);
	char out[32];
	bw_misconfig__redact("glpat-oebYaLDmSO8QldgKXTcc", 26, out, sizeof(out));
	assert_string_equal(out, "gl****cc");
	bw_misconfig__redact("short", 5, out, sizeof(out));
	assert_string_equal(out, "*****");
	bw_misconfig__redact("abc\x01\x02xyz0", 9, out, sizeof(out));
	assert_null(strchr(out, '\x01'));
}

static void test_dates_eol(void **state)
{
	(void)state;
	int64_t d;
	assert_true(bw_misconfig__date_days("1970-01-01", &d));
	assert_int_equal(d, 0);
	assert_true(bw_misconfig__date_days("2024-02-29", &d));
	assert_int_equal(d, 19782);
	assert_true(bw_misconfig__date_days("2023-11-14T22:13:20Z", &d));
	assert_int_equal(d, 19675);
	assert_false(bw_misconfig__date_days("2023-02-29", &d));
	assert_false(bw_misconfig__date_days("2023-13-01", &d));
	assert_false(bw_misconfig__date_days("20231114", &d));
	assert_false(bw_misconfig__today("2023-1-1", &d));

	const bw_eol_entry *e = bw_eol__find("alpine", "3.18.4");
	assert_non_null(e);
	assert_string_equal(e->version, "3.18");
	assert_null(bw_eol__find("alpine", "3.1"));
	assert_string_equal(bw_eol__find("debian", "12")->eol, "2028-06-30");
	assert_string_equal(bw_eol__find("rocky", "9.1")->version, "9");
	assert_string_equal(bw_eol__find("amazon", "2023")->version, "2023");
	assert_string_equal(bw_eol__find("amazon", "2")->version, "2");
	assert_null(bw_eol__find("debian", NULL));
	/* every date in the table is a real date */
	size_t n;
	const bw_eol_entry *t = bw_eol__table(&n);
	for (size_t i = 0; i < n; i++)
		if (!bw_misconfig__date_days(t[i].eol, &d) || !t[i].source[0])
			fail_msg("eol entry %s %s", t[i].family, t[i].version);
}

static void test_check_table(void **state)
{
	(void)state;
	size_t n;
	const bw_misconfig_check *c = bw_misconfig_checks(&n);
	assert_true(n >= 30);
	for (size_t i = 0; i < n; i++) {
		assert_ptr_equal(bw_misconfig_check_find(c[i].id), &c[i]);
		assert_true(c[i].title[0] && c[i].rationale[0] && c[i].remediation[0]);
		assert_true(!strcmp(c[i].severity, "CRITICAL") || !strcmp(c[i].severity, "HIGH") ||
			    !strcmp(c[i].severity, "MEDIUM") || !strcmp(c[i].severity, "LOW"));
		if (i)
			assert_true(strncmp(c[i - 1].id, c[i].id, 6) != 0 || strcmp(c[i - 1].id, c[i].id) < 0);
	}
	assert_null(bw_misconfig_check_find("BW-XX-001"));
}

/* ------------------------------------------------------------------ Dockerfile parser */

static void parse(bw_dockerfile *df, const char *text)
{
	assert_int_equal(bw_dockerfile__parse(df, text, strlen(text)), 0);
}

static void test_df_parse(void **state)
{
	(void)state;
	bw_dockerfile df;
	parse(&df,
	      "# syntax=docker/dockerfile:1\n"          /* 1 */
	      "# escape=`\n"                            /* 2 */
	      "\n"                                      /* 3 */
	      "from debian:12 AS base\n"                /* 4 */
	      "RUN echo a `\n"                          /* 5 */
	      "  # dropped comment\n"                   /* 6 */
	      "  && echo b\n"                           /* 7 */
	      "COPY <<EOF /x\n"                         /* 8 */
	      "USER root\n"                             /* 9 */
	      "EOF\n"                                   /* 10 */
	      "CMD [\"a\", \"b c\"]\n"                  /* 11 */
	      "ENV A=\"x y\" B=z\n"                     /* 12 */
	      "# escape=\\\n"                           /* 13: not a directive any more */
	      "FROM base\n");                           /* 14 */
	assert_int_equal(df.escape, '`');
	assert_int_equal(df.n, 6);
	assert_string_equal(df.v[0].keyword, "FROM");
	assert_int_equal(df.v[0].line, 4);
	assert_int_equal(df.v[0].argc, 3);
	assert_string_equal(df.v[1].keyword, "RUN");
	assert_string_equal(df.v[1].args, "echo a    && echo b");
	assert_string_equal(df.v[2].keyword, "COPY");
	assert_string_equal(df.v[2].heredoc, "USER root\n");
	assert_int_equal(df.v[3].line, 11);
	assert_true(df.v[3].json);
	assert_int_equal(df.v[3].argc, 2);
	assert_string_equal(df.v[3].argv[1], "b c");
	assert_string_equal(df.v[4].argv[0], "A=x y");
	assert_int_equal(df.v[5].stage, 1);
	assert_string_equal(df.warning, "");
	bw_dockerfile__free(&df);

	/* <<- strips leading tabs; two heredocs in one RUN; flags kept apart */
	parse(&df, "FROM x\nRUN --mount=type=cache,target=/var/cache/apt <<-A <<B\n\tone\n\tA\ntwo\nB\nUSER 1\n");
	assert_int_equal(df.n, 3);
	assert_string_equal(df.v[1].flags, "--mount=type=cache,target=/var/cache/apt");
	assert_string_equal(df.v[1].heredoc, "one\ntwo\n");
	bw_dockerfile__free(&df);
}

static bw_misconfigs *lint_text(const char *text)
{
	bw_misconfigs *m = NULL;
	assert_int_equal(bw_misconfig_check_dockerfile_mem(&m, "Dockerfile", text, strlen(text), NULL), 0);
	return m;
}

static bool has_id(const bw_misconfigs *m, const char *id, unsigned line)
{
	for (size_t i = 0; i < bw_misconfigs_count(m); i++)
		if (!strcmp(bw_misconfigs_at(m, i)->id, id) && (!line || bw_misconfigs_at(m, i)->line == line))
			return true;
	return false;
}

static void test_df_expansion(void **state)
{
	(void)state;
	static const char *const pinned[] = {
		"ARG TAG=12@sha256:0000000000000000000000000000000000000000000000000000000000000000\nFROM debian:${TAG}\n",
		"ARG D=sha256:0000000000000000000000000000000000000000000000000000000000000000\nFROM debian:12@${D:-x}\n",
		"FROM debian:12@${D:-sha256:0000000000000000000000000000000000000000000000000000000000000000}\n",
		"ARG X=1\nFROM debian:12${X:+@sha256:0000000000000000000000000000000000000000000000000000000000000000}\n",
	};
	for (size_t i = 0; i < sizeof(pinned) / sizeof(pinned[0]); i++) {
		bw_misconfigs *m = lint_text(pinned[i]);
		if (has_id(m, "BW-DF-002", 0) || has_id(m, "BW-DF-003", 0))
			fail_msg("case %zu: a pinned FROM reported as unpinned", i);
		bw_misconfigs_free(m);
	}
	/* an unset variable with no default cannot be judged: no finding */
	bw_misconfigs *m = lint_text("FROM ${BASE}\nUSER 1\nHEALTHCHECK CMD true\n");
	assert_int_equal(bw_misconfigs_count(m), 0);
	bw_misconfigs_free(m);
	/* USER from ENV, and ${X:-root} defaults */
	m = lint_text("FROM a@sha256:00\nENV U=app\nUSER $U\nHEALTHCHECK CMD true\n");
	assert_false(has_id(m, "BW-DF-001", 0));
	bw_misconfigs_free(m);
	m = lint_text("FROM a@sha256:00\nUSER ${NOPE:-root}\nHEALTHCHECK CMD true\n");
	assert_true(has_id(m, "BW-DF-001", 2));
	bw_misconfigs_free(m);
	/* a stage inherits the USER of the stage it is built FROM */
	m = lint_text("FROM a@sha256:00 AS b\nUSER 1000\nFROM b\nHEALTHCHECK CMD true\n");
	assert_int_equal(bw_misconfigs_count(m), 0);
	bw_misconfigs_free(m);
}

static void test_df_hostile(void **state)
{
	(void)state;
	bw_dockerfile df;

	/* 100,001 continued lines: bounded, one warning */
	size_t n = 100010, cap = n * 8 + 64, len = 0;
	char *t = malloc(cap);
	len += (size_t)snprintf(t, cap, "FROM a\nRUN true");
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(t + len, cap - len, " \\\n x%zu", i % 10);
	assert_int_equal(bw_dockerfile__parse(&df, t, len), 0);
	assert_contains(df.warning, "more than 100000 continued lines");
	assert_int_equal(df.n, 1);
	bw_dockerfile__free(&df);
	free(t);

	/* invalid UTF-8: one warning naming the line, the rest still parsed */
	parse(&df, "FROM a\nLABEL x=\xff\xfe\nUSER 1\n");
	assert_contains(df.warning, "invalid UTF-8 at line 2");
	assert_int_equal(df.n, 3);
	bw_dockerfile__free(&df);

	/* over 100 MB: the first 100 MB, one warning */
	size_t big = BW_DOCKERFILE_MAX_BYTES + 4096;
	t = malloc(big);
	memset(t, '\n', big);
	memcpy(t, "FROM a\n", 7);
	memcpy(t + big - 16, "USER root\n", 10);
	assert_int_equal(bw_dockerfile__parse(&df, t, big), 0);
	assert_contains(df.warning, "larger than 100 MB");
	assert_int_equal(df.n, 1);
	bw_dockerfile__free(&df);
	free(t);

	/* NUL bytes, a lone escape at the end, unterminated quotes and heredocs */
	static const char odd[] = "FROM a\nRUN \"unterminated \\\nRUN <<EOF\nno end\n\0USER\n\\";
	assert_int_equal(bw_dockerfile__parse(&df, odd, sizeof(odd) - 1), 0);
	bw_dockerfile__free(&df);
}

/* ------------------------------------------------------------------ corpus */

/* tests/data/dockerfiles, found from __FILE__ (SRC/tests/unit/test_misconfig.c, relative to
 * the build directory under meson test) or from the source root (tests/run.sh runs there). */
static DIR *corpus_dir(char *out, size_t n)
{
	char from_file[4096];
	snprintf(from_file, sizeof(from_file), "%s", __FILE__);
	char *slash = strrchr(from_file, '/');
	*slash = '\0';
	slash = strrchr(from_file, '/');
	snprintf(slash, sizeof(from_file) - (size_t)(slash - from_file), "/data/dockerfiles");
	const char *const tries[] = { from_file, "tests/data/dockerfiles", "../tests/data/dockerfiles" };
	for (size_t i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
		DIR *d = opendir(tries[i]);
		if (d) {
			snprintf(out, n, "%s", tries[i]);
			return d;
		}
	}
	return NULL;
}

static void test_df_corpus(void **state)
{
	(void)state;
	char dir[4096], path[8192];
	DIR *d;
	struct dirent *e;
	size_t bad = 0, good = 0, clean = 0;
	size_t n_checks;
	const bw_misconfig_check *checks = bw_misconfig_checks(&n_checks);

	assert_non_null(d = corpus_dir(dir, sizeof(dir)));
	while ((e = readdir(d))) {
		bw_misconfigs *m = NULL;
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		assert_int_equal(bw_misconfig_check_dockerfile(&m, path, NULL), 0);
		if (!strncmp(e->d_name, "bad-", 4)) {
			char id[16];
			snprintf(id, sizeof(id), "%.9s", e->d_name + 4);
			if (!has_id(m, id, 0))
				fail_msg("%s: %s not reported", e->d_name, id);
			bad++;
		} else {
			if (bw_misconfigs_count(m))
				fail_msg("%s: %s reported (%s)", e->d_name, bw_misconfigs_at(m, 0)->id,
					 bw_misconfigs_at(m, 0)->evidence);
			if (!strncmp(e->d_name, "good-", 5))
				good++;
			else
				clean++;
		}
		bw_misconfigs_free(m);
	}
	closedir(d);
	/* one bad and one good example per Dockerfile rule */
	size_t df_rules = 0;
	for (size_t i = 0; i < n_checks; i++)
		df_rules += !strncmp(checks[i].id, "BW-DF-", 6);
	assert_int_equal(bad, df_rules);
	assert_int_equal(good, df_rules);
	assert_true(clean >= 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_passwd),
		cmocka_unit_test(test_passwd_nul_and_truncated),
		cmocka_unit_test(test_passwd_million),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_group_shadow),
		cmocka_unit_test(test_sudoers),
		cmocka_unit_test(test_secret_names),
		cmocka_unit_test(test_dates_eol),
		cmocka_unit_test(test_check_table),
		cmocka_unit_test(test_df_parse),
		cmocka_unit_test(test_df_expansion),
		cmocka_unit_test(test_df_hostile),
		cmocka_unit_test(test_df_corpus),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
