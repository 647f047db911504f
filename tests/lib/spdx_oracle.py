#!/usr/bin/python3
"""spdx_oracle.py BW_SPDXEXPR [N] [SEED]: bulwark's SPDX expression parser and
normaliser against an independent one, nexB's license-expression (Debian's
python3-license-expression, with its SPDX license and exception keys).

Generates N random expressions (default 3000) over the SPDX identifiers that
both know, in random case, with the deprecated spellings the SPDX list still
carries (GPL-2.0, GPL-2.0+, ...), exceptions after WITH, random parentheses and
white space, and feeds them to `bw-spdxexpr -n`. Both trees are flattened
(A AND (B AND C) is A AND B AND C) and compared with identifiers in lower case.
Also checks that both refuse the same malformed ones. Prints one summary line,
the disagreements, and exits 1 when there is any.
"""
import json
import random
import re
import subprocess
import sys

from license_expression import get_spdx_licensing, LicenseWithExceptionSymbol, LicenseSymbol
from license_expression import ExpressionError

bw, n, seed = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 3000, int(sys.argv[3]) if len(sys.argv) > 3 else 7
top = re.sub(r"/build[^/]*/bw-spdxexpr$", "", bw)
rng = random.Random(seed)
lic = get_spdx_licensing()

ours_ids = set(s.lower() for s in re.findall(r'^\t"([^"]+)",$', open(top + "/src/report/spdx_ids.c").read(), re.M))
idstring = re.compile(r"^[A-Za-z0-9.\-]+\+?$")

licenses, exceptions = [], []
for key, sym in lic.known_symbols.items():
    names = [key] + [a for a in getattr(sym, "aliases", ()) or ()]
    for name in names:
        # the SPDX universe: ids (and deprecated ids) on the list bulwark carries
        if not idstring.match(name) or name.rstrip("+").lower() not in ours_ids:
            continue
        (exceptions if sym.is_exception else licenses).append(name)
licenses, exceptions = sorted(set(licenses)), sorted(set(exceptions))
if len(licenses) < 300 or len(exceptions) < 20:
    sys.exit("spdx_oracle: only %d licenses and %d exceptions in common" % (len(licenses), len(exceptions)))


def case(s):
    r = rng.random()
    return s.lower() if r < 0.15 else s.upper() if r < 0.25 else s


def gen(depth=0):
    if depth > 3 or rng.random() < 0.4:
        s = case(rng.choice(licenses))
        if rng.random() < 0.15:
            s += " WITH " + case(rng.choice(exceptions))
        return s
    op = rng.choice([" AND ", " OR "])
    parts = [gen(depth + 1) for _ in range(rng.randint(2, 3))]
    s = op.join(parts)
    if rng.random() < 0.5 or depth == 0 and rng.random() < 0.2:
        s = "(" + rng.choice(["", " "]) + s + rng.choice(["", " "]) + ")"
    return s


def broken(s):
    # not "A AND B AND" (a dangling operator after two operands): license-expression
    # 30.1 accepts it, against the grammar; bulwark's unit tests cover that case
    r = rng.randint(1, 4)
    if r == 1:
        return "(" + s
    if r == 2:
        return s + ")"
    if r == 3:
        return "OR " + s
    return s + " WITH"


def flat(t):
    """nested lists with n-ary AND/OR and lower-case ids"""
    if isinstance(t, str):
        return t.lower()
    if t[0] == "WITH":
        return ["WITH", flat(t[1]), t[2].lower()]
    out = [t[0]]
    for a in t[1:]:
        a = flat(a)
        if isinstance(a, list) and a[0] == t[0]:
            out.extend(a[1:])
        else:
            out.append(a)
    return out


def oracle(expr):
    def walk(x):
        if isinstance(x, LicenseWithExceptionSymbol):
            return ["WITH", x.license_symbol.key, x.exception_symbol.key]
        if isinstance(x, LicenseSymbol):
            return x.key
        name = type(x).__name__
        return [name] + [walk(a) for a in x.args]
    try:
        return flat(walk(lic.parse(expr, validate=True, strict=True)))
    except (ExpressionError, IndexError):
        return None


exprs = [gen() for _ in range(n)]
bad = [broken(e) for e in exprs[: n // 5]]
inputs = exprs + bad
out = subprocess.run([bw, "-n"], input="\n".join(inputs) + "\n", capture_output=True, text=True, check=True)
results = [json.loads(l) for l in out.stdout.splitlines()]
assert len(results) == len(inputs), (len(results), len(inputs))

disagree = []
wellformed_disagree = 0
for e, r in zip(exprs, results):
    want = oracle(e)
    got = flat(r["tree"]) if r["tree"] is not None else None
    if want is None or got != want or not r["spdx"]:
        disagree.append("%r: bulwark %s (spdx %s), license-expression %s" % (e, json.dumps(got), r["spdx"], json.dumps(want)))
        wellformed_disagree += 1
refused = 0
for e, r in zip(bad, results[len(exprs):]):
    if oracle(e) is not None:
        disagree.append("%r: license-expression accepts it" % e)
    elif r["tree"] is not None:
        disagree.append("%r: bulwark parsed it as %s" % (e, json.dumps(r["tree"])))
    else:
        refused += 1
print("%d expressions over %d licenses and %d exceptions: %d agree; %d malformed refused by both; %d disagree"
      % (len(exprs), len(licenses), len(exceptions), len(exprs) - wellformed_disagree, refused, len(disagree)))
for d in disagree[:15]:
    print("  " + d)
sys.exit(1 if disagree else 0)
