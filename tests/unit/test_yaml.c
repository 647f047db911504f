/*
 * Unit tests for src/util/yaml.c: the YAML 1.2 specification's chapter 2
 * examples (expected values transcribed from the spec's text), the core
 * schema's resolution in typed mode, and every rejection util/yaml.h promises,
 * with the error's line and column.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bulwark/errors.h"
#include "util/limits.h"
#include "util/yaml.h"

#define BIG (16u * 1024 * 1024)
#define TYPED BW_YAML_TYPED
#define ALIASES BW_YAML_ALLOW_ALIASES

#define assert_contains(hay, needle)                                                   \
	do {                                                                           \
		const char *h_ = (hay), *n_ = (needle);                                \
		if (!strstr(h_, n_))                                                   \
			fail_msg("\"%s\" does not contain \"%s\"", h_, n_);            \
	} while (0)

/* Parses yaml (one document) and compares with the JSON text expected. */
static void check_flags(const char *yaml, unsigned flags, const char *expected_json)
{
	json_error_t jerr;
	json_t *want = json_loads(expected_json, JSON_DECODE_ANY, &jerr);
	json_t *got = NULL;

	if (!want)
		fail_msg("bad expected JSON %s: %s", expected_json, jerr.text);
	if (bw_yaml_parse("t.yaml", yaml, strlen(yaml), BIG, flags, &got) != 0)
		fail_msg("parse failed: %s\n--- input:\n%s", bw_error_last()->message, yaml);
	if (!json_equal(got, want)) {
		char *g = json_dumps(got, JSON_ENCODE_ANY | JSON_SORT_KEYS);
		char *w = json_dumps(want, JSON_ENCODE_ANY | JSON_SORT_KEYS);
		fail_msg("got  %s\nwant %s\n--- input:\n%s", g, w, yaml);
	}
	json_decref(got);
	json_decref(want);
}

static void check(const char *yaml, const char *expected_json)
{
	check_flags(yaml, 0, expected_json);
}

static void check_all(const char *yaml, unsigned flags, const char *expected_json)
{
	json_t *want = json_loads(expected_json, 0, NULL);
	json_t *got = NULL;

	assert_non_null(want);
	if (bw_yaml_parse_all("t.yaml", yaml, strlen(yaml), BIG, flags, &got) != 0)
		fail_msg("parse_all failed: %s", bw_error_last()->message);
	if (!json_equal(got, want)) {
		char *g = json_dumps(got, JSON_SORT_KEYS);
		fail_msg("got %s, want %s", g, expected_json);
	}
	json_decref(got);
	json_decref(want);
}

/* Parsing must fail with BW_EINPUT, *out NULL, a one-line message that starts
 * with "t.yaml: " and contains each of the given fragments. */
static void reject_n(const char *yaml, size_t len, unsigned flags, bool all, const char *frag1,
		     const char *frag2)
{
	json_t *out = (json_t *)(uintptr_t)1;
	int rc = all ? bw_yaml_parse_all("t.yaml", yaml, len, BIG, flags, &out)
		     : bw_yaml_parse("t.yaml", yaml, len, BIG, flags, &out);
	if (rc != BW_EINPUT)
		fail_msg("rc %d, want BW_EINPUT, for:\n%.200s", rc, yaml);
	assert_null(out);
	assert_int_equal(bw_error_last()->code, BW_EINPUT);
	assert_true(strncmp(bw_error_last()->message, "t.yaml: ", 8) == 0);
	assert_null(strchr(bw_error_last()->message, '\n'));
	if (frag1)
		assert_contains(bw_error_last()->message, frag1);
	if (frag2)
		assert_contains(bw_error_last()->message, frag2);
}

static void reject(const char *yaml, unsigned flags, const char *frag1, const char *frag2)
{
	reject_n(yaml, strlen(yaml), flags, false, frag1, frag2);
}

/* ---------------------------------------------------- YAML 1.2 chapter 2 */

static void test_spec_collections(void **state)
{
	(void)state;
	/* Example 2.1 Sequence of Scalars */
	check("- Mark McGwire\n- Sammy Sosa\n- Ken Griffey\n",
	      "[\"Mark McGwire\", \"Sammy Sosa\", \"Ken Griffey\"]");
	/* Example 2.2 Mapping Scalars to Scalars */
	check("hr:  65    # Home runs\navg: 0.278 # Batting average\nrbi: 147   # Runs Batted In\n",
	      "{\"hr\": \"65\", \"avg\": \"0.278\", \"rbi\": \"147\"}");
	check_flags("hr:  65    # Home runs\navg: 0.278 # Batting average\nrbi: 147   # Runs Batted In\n",
		    TYPED, "{\"hr\": 65, \"avg\": 0.278, \"rbi\": 147}");
	/* Example 2.3 Mapping Scalars to Sequences */
	check("american:\n  - Boston Red Sox\n  - Detroit Tigers\n  - New York Yankees\n"
	      "national:\n  - New York Mets\n  - Chicago Cubs\n  - Atlanta Braves\n",
	      "{\"american\": [\"Boston Red Sox\", \"Detroit Tigers\", \"New York Yankees\"],"
	      " \"national\": [\"New York Mets\", \"Chicago Cubs\", \"Atlanta Braves\"]}");
	/* Example 2.4 Sequence of Mappings */
	check("-\n  name: Mark McGwire\n  hr:   65\n  avg:  0.278\n"
	      "-\n  name: Sammy Sosa\n  hr:   63\n  avg:  0.288\n",
	      "[{\"name\": \"Mark McGwire\", \"hr\": \"65\", \"avg\": \"0.278\"},"
	      " {\"name\": \"Sammy Sosa\", \"hr\": \"63\", \"avg\": \"0.288\"}]");
	/* Example 2.5 Sequence of Sequences (flow) */
	check("- [name        , hr, avg  ]\n- [Mark McGwire, 65, 0.278]\n- [Sammy Sosa  , 63, 0.288]\n",
	      "[[\"name\", \"hr\", \"avg\"], [\"Mark McGwire\", \"65\", \"0.278\"],"
	      " [\"Sammy Sosa\", \"63\", \"0.288\"]]");
	/* Example 2.6 Mapping of Mappings (flow) */
	check("Mark McGwire: {hr: 65, avg: 0.278}\nSammy Sosa: {\n    hr: 63,\n    avg: 0.288\n  }\n",
	      "{\"Mark McGwire\": {\"hr\": \"65\", \"avg\": \"0.278\"},"
	      " \"Sammy Sosa\": {\"hr\": \"63\", \"avg\": \"0.288\"}}");
	/* Example 2.12 Compact Nested Mapping */
	check("---\n# Products purchased\n- item    : Super Hoop\n  quantity: 1\n"
	      "- item    : Basketball\n  quantity: 4\n- item    : Big Shoes\n  quantity: 1\n",
	      "[{\"item\": \"Super Hoop\", \"quantity\": \"1\"},"
	      " {\"item\": \"Basketball\", \"quantity\": \"4\"},"
	      " {\"item\": \"Big Shoes\", \"quantity\": \"1\"}]");
}

static void test_spec_documents_and_comments(void **state)
{
	(void)state;
	/* Example 2.7 Two Documents in a Stream */
	const char *two = "# Ranking of 1998 home runs\n---\n- Mark McGwire\n- Sammy Sosa\n- Ken Griffey\n\n"
			  "# Team ranking\n---\n- Chicago Cubs\n- St Louis Cardinals\n";
	check_all(two, 0, "[[\"Mark McGwire\", \"Sammy Sosa\", \"Ken Griffey\"],"
			  " [\"Chicago Cubs\", \"St Louis Cardinals\"]]");
	reject(two, 0, "line 8 column 1", "a second document in a stream that must hold only one");

	/* Example 2.8 Play by Play Feed (documents ended by "...") */
	check_all("---\ntime: 20:03:20\nplayer: Sammy Sosa\naction: strike (miss)\n...\n"
		  "---\ntime: 20:03:47\nplayer: Sammy Sosa\naction: grand slam\n...\n",
		  0,
		  "[{\"time\": \"20:03:20\", \"player\": \"Sammy Sosa\", \"action\": \"strike (miss)\"},"
		  " {\"time\": \"20:03:47\", \"player\": \"Sammy Sosa\", \"action\": \"grand slam\"}]");
	/* Example 2.9 Single Document with Two Comments */
	check("---\nhr: # 1998 hr ranking\n  - Mark McGwire\n  - Sammy Sosa\n"
	      "rbi:\n  # 1998 rbi ranking\n  - Sammy Sosa\n  - Ken Griffey\n",
	      "{\"hr\": [\"Mark McGwire\", \"Sammy Sosa\"], \"rbi\": [\"Sammy Sosa\", \"Ken Griffey\"]}");

	/* Example 2.28 Log File: three documents */
	check_all("---\nTime: 2001-11-23 15:01:42 -5\nUser: ed\nWarning:\n  This is an error message\n"
		  "  for the log file\n---\nTime: 2001-11-23 15:02:31 -5\nUser: ed\nWarning:\n"
		  "  A slightly different error\n  message.\n---\nDate: 2001-11-23 15:03:17 -5\n"
		  "User: ed\nFatal:\n  Unknown variable \"bar\"\nStack:\n  - file: TopClass.py\n"
		  "    line: 23\n    code: |\n      x = MoreObject(\"345\\n\")\n  - file: MoreClass.py\n"
		  "    line: 58\n    code: |-\n      foo = bar\n",
		  0,
		  "[{\"Time\": \"2001-11-23 15:01:42 -5\", \"User\": \"ed\","
		  "  \"Warning\": \"This is an error message for the log file\"},"
		  " {\"Time\": \"2001-11-23 15:02:31 -5\", \"User\": \"ed\","
		  "  \"Warning\": \"A slightly different error message.\"},"
		  " {\"Date\": \"2001-11-23 15:03:17 -5\", \"User\": \"ed\","
		  "  \"Fatal\": \"Unknown variable \\\"bar\\\"\","
		  "  \"Stack\": [{\"file\": \"TopClass.py\", \"line\": \"23\","
		  "              \"code\": \"x = MoreObject(\\\"345\\\\n\\\")\\n\"},"
		  "             {\"file\": \"MoreClass.py\", \"line\": \"58\", \"code\": \"foo = bar\"}]}]");

	/* empty streams and empty documents: as PyYAML (None / [] / '') */
	check("", "null");
	check("# only a comment\n", "null");
	check_all("", 0, "[]");
	check("---\n", "\"\"");
	check_flags("---\n", TYPED, "null");
	check_all("---\n---\n", 0, "[\"\", \"\"]");
	check_all("--- a\n--- b\n", 0, "[\"a\", \"b\"]");
}

static void test_spec_scalars(void **state)
{
	(void)state;
	/* Example 2.13 In literals, newlines are preserved */
	check("# ASCII Art\n--- |\n  \\//||\\/||\n  // ||  ||__\n", "\"\\\\//||\\\\/||\\n// ||  ||__\\n\"");
	/* Example 2.14 In the folded scalars, newlines become spaces */
	check("--- >\n  Mark McGwire's\n  year was crippled\n  by a knee injury.\n",
	      "\"Mark McGwire's year was crippled by a knee injury.\\n\"");
	/* Example 2.15 Folded newlines are preserved for "more indented" and blank lines */
	check(">\n Sammy Sosa completed another\n fine season with great stats.\n\n"
	      "   63 Home Runs\n   0.288 Batting Average\n\n What a year!\n",
	      "\"Sammy Sosa completed another fine season with great stats.\\n\\n"
	      "  63 Home Runs\\n  0.288 Batting Average\\n\\nWhat a year!\\n\"");
	/* Example 2.16 Indentation determines scope */
	check("name: Mark McGwire\naccomplishment: >\n  Mark set a major league\n  home run record in 1998.\n"
	      "stats: |\n  65 Home Runs\n  0.278 Batting Average\n",
	      "{\"name\": \"Mark McGwire\","
	      " \"accomplishment\": \"Mark set a major league home run record in 1998.\\n\","
	      " \"stats\": \"65 Home Runs\\n0.278 Batting Average\\n\"}");
	/* Example 2.17 Quoted Scalars */
	check("unicode: \"Sosa did fine.\\u263A\"\ncontrol: \"\\b1998\\t1999\\t2000\\n\"\n"
	      "hex esc: \"\\x0d\\x0a is \\r\\n\"\n\nsingle: '\"Howdy!\" he cried.'\n"
	      "quoted: ' # Not a ''comment''.'\ntie-fighter: '|\\-*-/|'\n",
	      "{\"unicode\": \"Sosa did fine.\\u263a\", \"control\": \"\\b1998\\t1999\\t2000\\n\","
	      " \"hex esc\": \"\\r\\n is \\r\\n\", \"single\": \"\\\"Howdy!\\\" he cried.\","
	      " \"quoted\": \" # Not a 'comment'.\", \"tie-fighter\": \"|\\\\-*-/|\"}");
	/* Example 2.18 Multi-line Flow Scalars */
	check("plain:\n  This unquoted scalar\n  spans many lines.\n\nquoted: \"So does this\n  quoted scalar.\\n\"\n",
	      "{\"plain\": \"This unquoted scalar spans many lines.\", \"quoted\": \"So does this quoted scalar.\\n\"}");
	/* chomping indicators: strip, clip, keep */
	check("s: |-\n  a\n\nc: |\n  a\n\nk: |+\n  a\n\n", "{\"s\": \"a\", \"c\": \"a\\n\", \"k\": \"a\\n\\n\"}");
	/* a UTF-8 byte order mark is allowed and not part of the value */
	check("\xEF\xBB\xBFkey: v\n", "{\"key\": \"v\"}");
	/* non-ASCII text is kept as UTF-8 */
	check("name: caf\xC3\xA9 \xF0\x9F\x98\x80\n", "{\"name\": \"caf\\u00e9 \\ud83d\\ude00\"}");
}

static void test_spec_types_and_tags(void **state)
{
	(void)state;
	/* Example 2.19 Integers, 2.20 Floating Point (finite ones), 2.21 Miscellaneous */
	check_flags("canonical: 12345\ndecimal: +12345\noctal: 0o14\nhexadecimal: 0xC\n", TYPED,
		    "{\"canonical\": 12345, \"decimal\": 12345, \"octal\": 12, \"hexadecimal\": 12}");
	check("canonical: 12345\ndecimal: +12345\noctal: 0o14\nhexadecimal: 0xC\n",
	      "{\"canonical\": \"12345\", \"decimal\": \"+12345\", \"octal\": \"0o14\", \"hexadecimal\": \"0xC\"}");
	check_flags("canonical: 1.23015e+3\nexponential: 12.3015e+02\nfixed: 1230.15\n", TYPED,
		    "{\"canonical\": 1230.15, \"exponential\": 1230.15, \"fixed\": 1230.15}");
	reject("negative infinity: -.inf\n", TYPED, "line 1 column 20", "infinite or NaN");
	reject("not a number: .nan\n", TYPED, "line 1 column 15", "infinite or NaN");
	check("negative infinity: -.inf\nnot a number: .nan\n",
	      "{\"negative infinity\": \"-.inf\", \"not a number\": \".nan\"}");
	check_flags("null:\nbooleans: [ true, false ]\nstring: '012345'\n", TYPED,
		    "{\"null\": null, \"booleans\": [true, false], \"string\": \"012345\"}");
	check("null:\nbooleans: [ true, false ]\nstring: '012345'\n",
	      "{\"null\": \"\", \"booleans\": [\"true\", \"false\"], \"string\": \"012345\"}");
	/* Example 2.22 Timestamps: no timestamp type in the core schema, strings in both modes */
	check_flags("canonical: 2001-12-15T02:59:43.1Z\ndate: 2002-12-14\n", TYPED,
		    "{\"canonical\": \"2001-12-15T02:59:43.1Z\", \"date\": \"2002-12-14\"}");

	/* Example 2.23 Various Explicit Tags: ignored by default (as BaseLoader), */
	const char *ex223 = "---\nnot-date: !!str 2002-04-28\n\npicture: !!binary |\n R0lGODlhDAAMAIQAAP//9/X\n"
			    " 17unp5WZmZgAAAOfn515eXv\n\napplication specific tag: !something |\n"
			    " The semantics of the tag\n above may be different for\n different documents.\n";
	check(ex223, "{\"not-date\": \"2002-04-28\", \"picture\": \"R0lGODlhDAAMAIQAAP//9/X\\n17unp5WZmZgAAAOfn515eXv\\n\","
		     " \"application specific tag\": \"The semantics of the tag\\nabove may be different for\\ndifferent documents.\\n\"}");
	/* but not core tags in typed mode */
	reject(ex223, TYPED, "line 4 column 10", "tag !!binary is not allowed");
	reject("a: !something x\n", TYPED, "line 1 column 4", "tag !something is not allowed");
	/* Example 2.24 Global Tags */
	const char *ex224 = "%TAG ! tag:clarkevans.com,2002:\n--- !shape\n- !circle\n  center: &ORIGIN {x: 73, y: 129}\n"
			    "  radius: 7\n";
	reject(ex224, TYPED, "line 2 column 5", "tag tag:clarkevans.com,2002:shape is not allowed on a sequence");
	/* Example 2.25 Sets and 2.26 Ordered Mappings */
	check("--- !!set\n? Mark McGwire\n? Sammy Sosa\n? Ken Griff\n",
	      "{\"Mark McGwire\": \"\", \"Sammy Sosa\": \"\", \"Ken Griff\": \"\"}");
	reject("--- !!set\n? Mark McGwire\n", TYPED, "tag !!set is not allowed on a mapping", NULL);
	check("--- !!omap\n- Mark McGwire: 65\n- Sammy Sosa: 63\n",
	      "[{\"Mark McGwire\": \"65\"}, {\"Sammy Sosa\": \"63\"}]");
	reject("--- !!omap\n- Mark McGwire: 65\n", TYPED, "!!omap is not allowed on a sequence", NULL);

	/* core tags in typed mode: the tag decides, and the value must fit it */
	check_flags("a: !!str 12\nb: !!int \"12\"\nc: !!float 1\nd: !!bool 'true'\ne: !!null ''\n"
		    "f: ! 12\ng: !!seq [1]\nh: !!map {k: 1}\ni: !<tag:yaml.org,2002:int> 0x10\n",
		    TYPED, "{\"a\": \"12\", \"b\": 12, \"c\": 1.0, \"d\": true, \"e\": null, \"f\": \"12\","
			   " \"g\": [1], \"h\": {\"k\": 1}, \"i\": 16}");
	reject("a: !!int abc\n", TYPED, "line 1 column 4", "!!int value \"abc\" is not an integer");
	reject("a: !!int 1.5\n", TYPED, "is not an integer", NULL);
	reject("a: !!float 0x10\n", TYPED, "!!float value \"0x10\" is not a number", NULL);
	reject("a: !!bool yes\n", TYPED, "!!bool value \"yes\" is not true or false", NULL);
	reject("a: !!null 0\n", TYPED, "!!null value \"0\" is not a null", NULL);
	reject("a: !!timestamp 2001-12-14\n", TYPED, "tag !!timestamp is not allowed", NULL);
	reject("a: !!map [1]\n", TYPED, "tag !!map is not allowed on a sequence", NULL);
	reject("a: !!seq {b: 1}\n", TYPED, "tag !!seq is not allowed on a mapping", NULL);
	reject("a: !!seq x\n", TYPED, "tag !!seq is not allowed", NULL);
	reject("!!int a: 1\n", TYPED, "line 1 column 1", "!!int value \"a\" is not an integer");
}

/* The YAML 1.2 core schema, plain scalars, typed mode; everything else stays text. */
static void test_typed_core_schema(void **state)
{
	(void)state;
	check_flags("[null, Null, NULL, ~, '', \"null\", nULL, None]", TYPED,
		    "[null, null, null, null, \"\", \"null\", \"nULL\", \"None\"]");
	check_flags("[true, True, TRUE, false, False, FALSE, tRUE, yes, no, on, off, y, n, 'true']", TYPED,
		    "[true, true, true, false, false, false, \"tRUE\", \"yes\", \"no\", \"on\", \"off\","
		    " \"y\", \"n\", \"true\"]");
	check_flags("[0, -0, +1, 007, 0o17, 0x1f, 0xFF, 9223372036854775807, -9223372036854775808,"
		    " 0o777777777777777777777, 0x7FFFFFFFFFFFFFFF]", TYPED,
		    "[0, 0, 1, 7, 15, 31, 255, 9223372036854775807, -9223372036854775808,"
		    " 9223372036854775807, 9223372036854775807]");
	/* not integers in the core schema (YAML 1.1 forms, signs on 0o/0x, separators) */
	check_flags("[-0x1, +0o7, 0b101, 1_000, 0o8, 0xG, 0x, 0o, 1:20, '12', \"0x1\", 0123abc]", TYPED,
		    "[\"-0x1\", \"+0o7\", \"0b101\", \"1_000\", \"0o8\", \"0xG\", \"0x\", \"0o\", \"1:20\","
		    " \"12\", \"0x1\", \"0123abc\"]");
	reject("n: 9223372036854775808\n", TYPED, "line 1 column 4", "integer 9223372036854775808 is out of the 64-bit range");
	reject("n: -9223372036854775809\n", TYPED, "out of the 64-bit range", NULL);
	reject("n: 0x8000000000000000\n", TYPED, "out of the 64-bit range", NULL);
	reject("n: 0o1000000000000000000000\n", TYPED, "out of the 64-bit range", NULL);
	reject("n: 99999999999999999999999999\n", TYPED, "out of the 64-bit range", NULL);
	check_flags("[1.5, -1.5, +.5, 1., .5, 1e3, 1E-3, -2.5e+2, 0.0, 1e-400]", TYPED,
		    "[1.5, -1.5, 0.5, 1.0, 0.5, 1000.0, 0.001, -250.0, 0.0, 0.0]");
	check_flags("[., +, -, 1e, e3, 1.2.3, 1e3.0, .e3, 1,5, 1.5x, '1.5', 1_0.5]", TYPED,
		    "[\".\", \"+\", \"-\", \"1e\", \"e3\", \"1.2.3\", \"1e3.0\", \".e3\", 1, 5, \"1.5x\","
		    " \"1.5\", \"1_0.5\"]");
	reject("f: 1e999\n", TYPED, "float 1e999 is infinite or NaN", NULL);
	reject("f: .Inf\n", TYPED, "infinite or NaN", NULL);
	reject("f: +.INF\n", TYPED, "infinite or NaN", NULL);
	reject("f: .NaN\n", TYPED, "infinite or NaN", NULL);
	/* -.nan is not a core form: a string */
	check_flags("f: -.nan\n", TYPED, "{\"f\": \"-.nan\"}");
	/* quoted and block scalars are strings even when they look like numbers */
	check_flags("a: '1'\nb: \"true\"\nc: |\n  1\nd: >-\n  null\n", TYPED,
		    "{\"a\": \"1\", \"b\": \"true\", \"c\": \"1\\n\", \"d\": \"null\"}");
	/* keys are always text, in typed mode too */
	check_flags("1: a\ntrue: b\nnull: c\n~: d\n", TYPED,
		    "{\"1\": \"a\", \"true\": \"b\", \"null\": \"c\", \"~\": \"d\"}");
	/* the default mode keeps advisory versions as written */
	check("versions: [1.10, 0, 1.0, 2.0.0, 1e3, 0x10, true, null, ~, 007]\nempty:\n",
	      "{\"versions\": [\"1.10\", \"0\", \"1.0\", \"2.0.0\", \"1e3\", \"0x10\", \"true\", \"null\", \"~\","
	      " \"007\"], \"empty\": \"\"}");
}

/* Key order is the document's (json_equal ignores it; check it here). */
static void test_key_order(void **state)
{
	(void)state;
	json_t *v = NULL;
	const char *y = "zeta: 1\nalpha: 2\nmid: 3\n";
	const char *want[] = { "zeta", "alpha", "mid" };
	size_t i = 0;
	const char *k;
	json_t *x;

	assert_int_equal(bw_yaml_parse("t.yaml", y, strlen(y), BIG, 0, &v), 0);
	json_object_foreach(v, k, x) {
		assert_true(i < 3);
		assert_string_equal(k, want[i]);
		i++;
	}
	assert_int_equal(i, 3);
	json_decref(v);
}

/* ------------------------------------------------------------------ rejections */

static void test_reject_anchors_by_default(void **state)
{
	(void)state;
	/* Example 2.10 Node for "Sammy Sosa" appears twice in this document */
	const char *ex210 = "---\nhr:\n  - Mark McGwire\n  # Following node labeled SS\n  - &SS Sammy Sosa\n"
			    "rbi:\n  - *SS # Subsequent occurrence\n  - Ken Griffey\n";
	reject(ex210, 0, "line 5 column 5", "anchor &SS: anchors and aliases are not allowed");
	reject(ex210, TYPED, "anchor &SS", NULL);
	reject("a: &x [1]\n", 0, "line 1 column 4", "anchor &x");
	reject("a: &x {b: 1}\n", 0, "anchor &x", NULL);
	reject("&x a: 1\n", 0, "line 1 column 1", "anchor &x");
	reject("a: *x\n", 0, "line 1 column 4", "alias *x: anchors and aliases are not allowed");
	check_flags(ex210, ALIASES, "{\"hr\": [\"Mark McGwire\", \"Sammy Sosa\"],"
				    " \"rbi\": [\"Sammy Sosa\", \"Ken Griffey\"]}");
}

static void test_aliases_when_allowed(void **state)
{
	(void)state;
	/* Example 2.27 Invoice: the bill-to address is repeated by alias */
	const char *ex227 = "--- !<tag:clarkevans.com,2002:invoice>\ninvoice: 34843\ndate   : 2001-01-23\n"
			    "bill-to: &id001\n  given  : Chris\n  family : Dumars\n  address:\n"
			    "    lines: |\n      458 Walkman Dr.\n      Suite #292\n    city    : Royal Oak\n"
			    "    state   : MI\n    postal  : 48046\nship-to: *id001\nproduct:\n"
			    "  - sku         : BL394D\n    quantity    : 4\n    description : Basketball\n"
			    "    price       : 450.00\ntax  : 251.42\ntotal: 4443.52\ncomments:\n"
			    "  Late afternoon is best.\n  Backup contact is Nancy\n  Billsmer @ 338-4338.\n";
	const char *addr = "{\"given\": \"Chris\", \"family\": \"Dumars\", \"address\":"
			   " {\"lines\": \"458 Walkman Dr.\\nSuite #292\\n\", \"city\": \"Royal Oak\","
			   " \"state\": \"MI\", \"postal\": \"48046\"}}";
	char want[2048];
	snprintf(want, sizeof(want),
		 "{\"invoice\": \"34843\", \"date\": \"2001-01-23\", \"bill-to\": %s, \"ship-to\": %s,"
		 " \"product\": [{\"sku\": \"BL394D\", \"quantity\": \"4\", \"description\": \"Basketball\","
		 " \"price\": \"450.00\"}], \"tax\": \"251.42\", \"total\": \"4443.52\","
		 " \"comments\": \"Late afternoon is best. Backup contact is Nancy Billsmer @ 338-4338.\"}",
		 addr, addr);
	reject(ex227, 0, "line 4 column 10", "anchor &id001");
	check_flags(ex227, ALIASES, want);

	/* an alias shares the anchored value (one more reference, no copy) */
	json_t *v = NULL;
	const char *y = "a: &x {k: [1]}\nb: *x\nc: [*x, *x]\n";
	assert_int_equal(bw_yaml_parse("t.yaml", y, strlen(y), BIG, ALIASES, &v), 0);
	assert_ptr_equal(json_object_get(v, "a"), json_object_get(v, "b"));
	assert_ptr_equal(json_object_get(v, "a"), json_array_get(json_object_get(v, "c"), 1));
	char *text = json_dumps(v, JSON_COMPACT);
	assert_string_equal(text, "{\"a\":{\"k\":[\"1\"]},\"b\":{\"k\":[\"1\"]},"
				  "\"c\":[{\"k\":[\"1\"]},{\"k\":[\"1\"]}]}");
	free(text);
	json_decref(v);

	/* typed values keep their type through an alias; an anchored key may be aliased */
	check_flags("a: &n 5\nb: *n\n&k key: 1\nc: *k\n", TYPED | ALIASES,
		    "{\"a\": 5, \"b\": 5, \"key\": 1, \"c\": \"key\"}");
	/* aliases must follow a complete node of the same document */
	reject("a: *x\nb: &x 1\n", ALIASES, "line 1 column 4", "alias *x names no complete node");
	reject("a: &x [1, *x]\n", ALIASES, "line 1 column 11", "alias *x names no complete node");
	reject_n("--- &x a\n--- *x\n", 16, ALIASES, true, "line 2 column 5", "alias *x names no complete node");
	reject("a: &x 1\nb: &x 2\n", ALIASES, "line 2 column 4", "anchor &x is defined twice");
	reject("a: &x [1, &x 2]\n", ALIASES, "line 1 column 11", "anchor &x is defined twice");
	reject("a: &x {b: &x [2]}\n", ALIASES, "line 1 column 11", "anchor &x is defined twice");
	reject("&x k: 1\nb: &x 2\n", ALIASES, "line 2 column 4", "anchor &x is defined twice");
	reject("a: &x 1\n*x : 2\n", ALIASES, "line 2 column 1", "alias *x as a mapping key is not supported");
	reject("a: &x 1\nb: *x\n", TYPED, "anchor &x: anchors and aliases are not allowed", NULL);
}

/* Billion laughs: nine levels of nine aliases expand to 9^9 nodes. */
static void test_billion_laughs(void **state)
{
	(void)state;
	char y[2048];
	size_t n = 0;

	n += (size_t)snprintf(y + n, sizeof(y) - n, "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
	for (int i = 1; i <= 9; i++)
		n += (size_t)snprintf(y + n, sizeof(y) - n,
				      "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n",
				      i, i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
	reject(y, ALIASES, "more than 1000000 nodes (the limit)", NULL);
	reject(y, 0, "line 1 column 5", "anchor &a0");
	/* the first few levels are well under the bound and expand in full */
	check_flags("a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n", ALIASES,
		    "{\"a\": [\"x\", \"x\"], \"b\": [[\"x\", \"x\"], [\"x\", \"x\"]],"
		    " \"c\": [[[\"x\", \"x\"], [\"x\", \"x\"]], [[\"x\", \"x\"], [\"x\", \"x\"]]]}");
}

static char *nested(const char *open, const char *close, int levels, const char *leaf)
{
	size_t lo = strlen(open), lc = strlen(close), ll = strlen(leaf);
	char *s = malloc(levels * (lo + lc) + ll + 2);
	char *p = s;

	for (int i = 0; i < levels; i++, p += lo)
		memcpy(p, open, lo);
	memcpy(p, leaf, ll);
	p += ll;
	for (int i = 0; i < levels; i++, p += lc)
		memcpy(p, close, lc);
	*p = '\0';
	return s;
}

static void test_depth(void **state)
{
	(void)state;
	json_t *v = NULL;
	char *ok = nested("[", "]", BW_MAX_JSON_DEPTH, "x");
	char *deep = nested("[", "]", BW_MAX_JSON_DEPTH + 1, "x");
	char *flow_maps = nested("{a: ", "}", BW_MAX_JSON_DEPTH + 1, "x");
	char *huge = nested("[", "]", 100000, "x");

	assert_int_equal(bw_yaml_parse("t.yaml", ok, strlen(ok), BIG, 0, &v), 0);
	json_decref(v);
	reject(deep, 0, "line 1 column 65", "nested deeper than 64 levels");
	reject(flow_maps, 0, "nested deeper than 64 levels", NULL);
	reject(huge, 0, "nested deeper than 64 levels", NULL);

	/* block mappings, one level per line */
	char block[8192];
	size_t n = 0;
	for (int i = 0; i <= BW_MAX_JSON_DEPTH; i++)
		n += (size_t)snprintf(block + n, sizeof(block) - n, "%*sk%d:\n", i, "", i);
	reject(block, 0, "line 65 column 65", "nested deeper than 64 levels");

	/* an alias may not carry a deep node deeper than the bound */
	char *anchored = nested("[", "]", 60, "x");
	char aliased[1024];
	snprintf(aliased, sizeof(aliased), "a: &d %s\nb: [[[[*d]]]]\n", anchored);
	reject(aliased, ALIASES, "line 2 column 8", "alias *d expands to nesting deeper than 64 levels");
	snprintf(aliased, sizeof(aliased), "a: &d %s\nb: [[[*d]]]\n", anchored);
	assert_int_equal(bw_yaml_parse("t.yaml", aliased, strlen(aliased), BIG, ALIASES, &v), 0);
	json_decref(v);
	free(ok);
	free(deep);
	free(flow_maps);
	free(huge);
	free(anchored);
}

static void test_size_and_node_bounds(void **state)
{
	(void)state;
	json_t *v = NULL;
	const char *y = "a: b\n";

	assert_int_equal(bw_yaml_parse("t.yaml", y, 5, 5, 0, &v), 0);
	json_decref(v);
	v = (json_t *)(uintptr_t)1;
	assert_int_equal(bw_yaml_parse("t.yaml", y, 5, 4, 0, &v), BW_EINPUT);
	assert_null(v);
	assert_string_equal(bw_error_last()->message, "t.yaml: 5 bytes, larger than the limit of 4");
	assert_int_equal(bw_yaml_parse_all("t.yaml", y, 5, 4, 0, &v), BW_EINPUT);

	/* nodes: a flow sequence of exactly the bound (it counts too) passes, one more fails */
	size_t items = BW_MAX_YAML_NODES - 1;
	char *big = malloc(2 * (items + 1) + 2);
	char *p = big;
	*p++ = '[';
	for (size_t i = 0; i < items; i++) {
		*p++ = 'a';
		*p++ = ',';
	}
	p[-1] = ']';
	*p = '\0';
	assert_int_equal(bw_yaml_parse("t.yaml", big, strlen(big), BIG, 0, &v), 0);
	assert_int_equal(json_array_size(v), items);
	json_decref(v);
	p[-1] = ',';
	*p++ = 'a';
	*p++ = ']';
	*p = '\0';
	reject(big, 0, "more than 1000000 nodes (the limit)", NULL);
	free(big);

	/* documents */
	size_t docs = BW_MAX_YAML_DOCUMENTS + 1;
	char *many = malloc(4 * docs + 1);
	for (size_t i = 0; i < docs; i++)
		memcpy(many + 4 * i, "---\n", 4);
	many[4 * docs] = '\0';
	reject_n(many, 4 * docs, 0, true, "more than 10000 documents (the limit)", NULL);
	assert_int_equal(bw_yaml_parse_all("t.yaml", many, 4 * (docs - 1), BIG, 0, &v), 0);
	assert_int_equal(json_array_size(v), docs - 1);
	json_decref(v);
	free(many);
}

static void test_keys(void **state)
{
	(void)state;
	char y[4096];

	/* duplicates, however they are written */
	reject("a: 1\nb: 2\na: 3\n", 0, "line 3 column 1", "duplicate mapping key \"a\"");
	reject("{a: 1, a: 2}", 0, "line 1 column 8", "duplicate mapping key \"a\"");
	reject("1: a\n'1': b\n", 0, "duplicate mapping key \"1\"", NULL);
	reject("x:\n  k: 1\n  \"k\": 2\n", TYPED, "line 3 column 3", "duplicate mapping key \"k\"");
	check("a: {k: 1}\nb: {k: 2}\n", "{\"a\": {\"k\": \"1\"}, \"b\": {\"k\": \"2\"}}");
	/* non-scalar keys (Example 2.11 Mapping between Sequences) */
	reject("? - Detroit Tigers\n  - Chicago cubs\n:\n  - 2001-07-23\n", 0, "line 1 column 3",
	       "a sequence as a mapping key (keys must be scalars)");
	reject("? {a: b}\n: c\n", 0, "a mapping as a mapping key", NULL);
	reject("{[a]: b}\n", 0, "a sequence as a mapping key", NULL);
	/* length */
	memset(y, 'k', BW_MAX_YAML_KEY_BYTES);
	memcpy(y + BW_MAX_YAML_KEY_BYTES, ": v\n", 5);
	json_t *v = NULL;
	assert_int_equal(bw_yaml_parse("t.yaml", y, strlen(y), BIG, 0, &v), 0);
	json_decref(v);
	/* libyaml itself refuses implicit keys past 1024 characters: an explicit key */
	memcpy(y, "? ", 2);
	memset(y + 2, 'k', BW_MAX_YAML_KEY_BYTES + 1);
	memcpy(y + 2 + BW_MAX_YAML_KEY_BYTES + 1, "\n: v\n", 6);
	reject(y, 0, "line 1 column 3", "mapping key of 1025 bytes, longer than the limit of 1024");
	/* merge keys: ordinary keys by default (as BaseLoader), refused in typed mode */
	check("<<: x\na: 1\n", "{\"<<\": \"x\", \"a\": \"1\"}");
	reject("a: 1\n<<: {b: 2}\n", TYPED, "line 2 column 1", "merge key << is not supported");
	check_flags("'<<': x\n", TYPED, "{\"<<\": \"x\"}");
	/* an empty key is the empty string */
	check("? \n: v\n", "{\"\": \"v\"}");
}

static void test_nul_and_encoding(void **state)
{
	(void)state;
	reject_n("a: 1\nb: x\0y\n", 11, 0, false, "line 2 column 5", "NUL byte");
	reject("a: \"x\\0y\"\n", 0, "line 1 column 4", "NUL byte in a scalar");
	reject("a: \"x\\x00y\"\n", 0, "NUL byte in a scalar", NULL);
	reject("a: \"x\\u0000y\"\n", TYPED, "NUL byte in a scalar", NULL);
	reject("\"k\\0\": 1\n", 0, "line 1 column 1", "NUL byte in a mapping key");
	/* UTF-16 (it has NUL bytes) and invalid UTF-8 */
	reject_n("\xFF\xFE" "a\0:\0 \0b\0\n\0", 12, 0, false, "NUL byte", NULL);
	reject("a: \xC3\x28\n", 0, "line 1 column 5", "invalid trailing UTF-8 octet");
	reject("a: \xED\xA0\x80\n", 0, "invalid", NULL);   /* an encoded surrogate */
	reject("a: \"\\uD800\"\n", 0, "invalid Unicode character escape code", NULL);
}

static void test_syntax_errors(void **state)
{
	(void)state;
	json_t *v = (json_t *)(uintptr_t)1;

	reject("a: [1, 2\n", 0, "line 2 column 1", "did not find expected ',' or ']'");
	reject("a: b\n c: d\n", 0, "line 2 column 3", "mapping values are not allowed in this context");
	reject("a:\n  - b\n  c: d\n", 0, "line 3 column 3", "did not find expected");
	reject("a: \"unterminated\n", 0, "found unexpected end of stream", NULL);
	reject("\ta: b\n", 0, "line 1 column 1", "found character that cannot start any token");
	reject("%YAML 2.0\n--- a\n", 0, "found incompatible YAML document", NULL);
	/* unknown flags are the caller's mistake, not the input's */
	assert_int_equal(bw_yaml_parse("t.yaml", "a", 1, BIG, 0x80, &v), BW_EINTERNAL);
	assert_null(v);
	/* an empty buffer with a NULL pointer is an empty stream */
	assert_int_equal(bw_yaml_parse("t.yaml", NULL, 0, BIG, 0, &v), 0);
	assert_true(json_is_null(v));
	json_decref(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_collections),
		cmocka_unit_test(test_spec_documents_and_comments),
		cmocka_unit_test(test_spec_scalars),
		cmocka_unit_test(test_spec_types_and_tags),
		cmocka_unit_test(test_typed_core_schema),
		cmocka_unit_test(test_key_order),
		cmocka_unit_test(test_reject_anchors_by_default),
		cmocka_unit_test(test_aliases_when_allowed),
		cmocka_unit_test(test_billion_laughs),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_size_and_node_bounds),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_nul_and_encoding),
		cmocka_unit_test(test_syntax_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
