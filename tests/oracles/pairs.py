#!/usr/bin/python3
"""tests/oracles/pairs.py: version pairs for the differential test of
tests/integration/versions.sh.

    pairs.py OUTDIR [--shared DIR] [--fixtures DIR] [--count N] [--seed S]

Writes OUTDIR/SCHEME.tsv ("A<TAB>B" lines, at least N per scheme, default
12000) for dpkg, rpm, apk, semver, go, pep440, maven, gem, composer, nuget.

The versions are real ones where we have them -- OSV ranges and version lists
in ../shared/data/vulndb (tar.gz archives and loose records), Alpine and Wolfi
secdb fixed versions, the Debian security tracker lists, the package
databases of ../shared/data/pkgdb (their EXPECTED.json) and the fixture
images' packages.json -- plus generated ones: each scheme's edge cases
(epochs, '~', '^', leading zeros, numbers past 2^64, letters, empty parts,
white space, spellings the reference rejects) and mutations of the real
versions. Pairs are neighbours in a natural sort (close calls), each version
against itself and against its mutations, then seeded random pairs.
Nothing is written outside OUTDIR; no tab, newline or control byte goes into
a version (the oracles read lines).
"""
import glob
import json
import os
import random
import re
import sys
import tarfile

SCHEMES = ["dpkg", "rpm", "apk", "semver", "go", "pep440", "maven", "gem", "composer", "nuget"]

ECOSYSTEM = {
    "Debian": "dpkg", "Ubuntu": "dpkg", "Alpine": "apk", "Wolfi": "apk", "Chainguard": "apk",
    "AlmaLinux": "rpm", "Rocky Linux": "rpm", "Red Hat": "rpm", "openSUSE": "rpm", "SUSE": "rpm",
    "PyPI": "pep440", "npm": "semver", "crates.io": "semver", "Bitnami": "semver", "Go": "go",
    "Maven": "maven", "RubyGems": "gem", "Packagist": "composer", "NuGet": "nuget",
}
PKGTYPE = {
    "dpkg": "dpkg", "deb": "dpkg", "apk": "apk", "rpm": "rpm", "python": "pep440", "pypi": "pep440",
    "npm": "semver", "cargo": "semver", "composer": "composer", "ruby": "gem", "gem": "gem",
    "dotnet": "nuget", "nuget": "nuget", "maven": "maven", "java": "maven", "golang": "go", "go": "go",
}


CONTROL = re.compile("[\x00-\x1f\x7f]")


def clean(v):
    return isinstance(v, str) and len(v) <= 300 and not CONTROL.search(v)


class Pool:
    def __init__(self):
        self.real = {s: set() for s in SCHEMES}

    def add(self, scheme, v):
        if scheme in self.real and clean(v) and v not in ("0",):
            self.real[scheme].add(v)


def osv_record(pool, rec):
    for aff in rec.get("affected") or []:
        eco = ((aff.get("package") or {}).get("ecosystem") or "").split(":")[0]
        scheme = ECOSYSTEM.get(eco)
        if not scheme:
            continue
        for v in aff.get("versions") or []:
            pool.add(scheme, v)
        for rng in aff.get("ranges") or []:
            for ev in rng.get("events") or []:
                for k in ("introduced", "fixed", "last_affected", "limit"):
                    if k in ev:
                        pool.add(scheme, ev[k])


def gather(pool, shared, fixtures):
    vulndb = os.path.join(shared, "data", "vulndb")
    for tgz in glob.glob(os.path.join(vulndb, "osv", "*.tar.gz")):
        # the PyPA archive holds YAML; its derived twin holds the same as JSON
        if tgz.replace(".tar.gz", ".derived-json.tar.gz") in glob.glob(os.path.join(vulndb, "osv", "*.tar.gz")):
            continue
        with tarfile.open(tgz) as t:
            for m in t:
                if m.isfile() and m.name.endswith(".json"):
                    try:
                        osv_record(pool, json.load(t.extractfile(m)))
                    except (ValueError, UnicodeDecodeError):
                        pass
    for path in glob.glob(os.path.join(vulndb, "osv", "**", "*.json"), recursive=True):
        try:
            with open(path, encoding="utf-8") as f:
                osv_record(pool, json.load(f))
        except (ValueError, UnicodeDecodeError):
            pass
    for path in glob.glob(os.path.join(vulndb, "osv", "**", "*.json.gz"), recursive=True):
        import gzip
        try:
            with gzip.open(path, "rt", encoding="utf-8") as f:
                data = json.load(f)
            for rec in data if isinstance(data, list) else [data]:
                osv_record(pool, rec)
        except (ValueError, OSError):
            pass
    for sub, scheme in (("alpine-secdb", "apk"), ("wolfi-secdb", "apk")):
        for path in glob.glob(os.path.join(vulndb, sub, "**", "*.json"), recursive=True):
            try:
                with open(path, encoding="utf-8") as f:
                    doc = json.load(f)
            except ValueError:
                continue
            for p in doc.get("packages") or []:
                for v in ((p.get("pkg") or {}).get("secfixes") or {}):
                    pool.add(scheme, v)
    line = re.compile(r"^\s+\[[a-z-]+\] - \S+ (\S+)")
    for path in glob.glob(os.path.join(vulndb, "debian-security-tracker", "**", "list"), recursive=True):
        with open(path, encoding="utf-8", errors="replace") as f:
            for ln in f:
                m = line.match(ln)
                if m and not m.group(1).startswith("<"):
                    pool.add("dpkg", m.group(1))
    # package databases: EXPECTED.json under pkgdb/<type>/...
    for path in glob.glob(os.path.join(shared, "data", "pkgdb", "**", "EXPECTED.json"), recursive=True):
        kind = os.path.relpath(path, os.path.join(shared, "data", "pkgdb")).split(os.sep)[0]
        scheme = PKGTYPE.get(kind)
        if scheme:
            walk_versions(pool, scheme, json.load(open(path, encoding="utf-8")))
    if fixtures:
        for path in glob.glob(os.path.join(fixtures, "**", "packages.json"), recursive=True):
            try:
                doc = json.load(open(path, encoding="utf-8"))
            except ValueError:
                continue
            if isinstance(doc, dict):
                for kind, pkgs in doc.items():
                    if PKGTYPE.get(kind):
                        walk_versions(pool, PKGTYPE[kind], pkgs)


def walk_versions(pool, scheme, node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k in ("version", "source_version") and isinstance(v, str):
                pool.add(scheme, v)
            else:
                walk_versions(pool, scheme, v)
    elif isinstance(node, list):
        for v in node:
            walk_versions(pool, scheme, v)


BIG = ["18446744073709551616", "18446744073709551617", "99999999999999999999999",
       "9223372036854775807", "9223372036854775808", "2147483647", "2147483648",
       "4294967296", "9007199254740991", "9007199254740992", "9007199254740993", "000000000000000000001"]


def cross(*parts):
    out = [""]
    for p in parts:
        out = [a + b for a in out for b in p]
    return out


def edge_cases(scheme):
    """Hand-picked and combinatorial edge cases per scheme."""
    e = []
    if scheme == "dpkg":
        e += cross(["", "0:", "1:", "00:", "2:", "10:"], ["1.0", "1.0~rc1", "1.0~", "1.0+dfsg", "1.00", "01.0",
                   "1.0a", "1.0~~", "1.0.0"], ["", "-1", "-0", "-1ubuntu1", "-1~bpo1", "-1+deb12u1", "-0.1"])
        e += ["1:" + b for b in BIG] + ["1." + b for b in BIG] + [b + ":1.0" for b in BIG[:6]]
        e += ["", ":1.0", "a:1.0", "1:", "1.0-", "-1", "1:-1", "1 0", " 1.0", "1.0 ", "+1:1.0", "-1:1.0",
              "-0:1.0", "1:1:1", "1.0-1-1", "1..0", "a1.0", "~1", "1_0", "1#0", "1.0-a_b", "1:a",
              "2147483647:1", "2147483648:1", "<unknown>", "1:1.0-", "0:0", "1.0-~", "1.0~-1"]
    elif scheme == "rpm":
        e += cross(["", "0:", "1:", ":", "01:"], ["1.0", "1.0~rc1", "1.0^git1", "1.0^", "1.0~", "1.00", "01.0",
                   "1.0a", "1_0", "1.0.0", "1.0+x", "a.b"], ["", "-1", "-1.el8", "-1.fc39", "-", "-0~1"])
        e += ["1." + b for b in BIG] + [b + ":1" for b in BIG[:4]]
        e += ["", "-", "~", "^", "~~", "^^", "1~^", "1^~", "1.0-1-1", "1:", "a", "A", "Z1", "z1", "1.a", "1a",
              "..", "1..0", "1.0.", ".1", "1#", "é1", "1é"]
    elif scheme == "apk":
        e += cross(["1", "1.0", "1.00", "1.01", "0.1", "2.10", "10.2"], ["", "a", "z", "_alpha", "_beta2", "_pre1",
                   "_rc3", "_cvs", "_svn1", "_git20200101", "_hg", "_p1", "_p", "_foo", "_alpha_p1"],
                   ["", "-r0", "-r1", "-r10", "-r01"])
        e += ["1." + b for b in BIG] + ["1.0_p" + b for b in BIG[:4]] + ["1-r" + b for b in BIG[:4]]
        e += ["a", "b", ".1", "1..2", "1...2", "1-r", "1-r-1", "1-ruff", "1--r1", "1.2.0A", "1A", "1_", "1__p1",
              "1-r1-r2", "1.2b3", "1~abc", "1.0.0~git", "1_rc1-r0", "0", "00", "1.0-", "1-x", "_p1", "-r1"]
    elif scheme in ("semver", "go"):
        v = "v" if scheme == "go" else ""
        e += cross([v + "0.0.0", v + "1.2.3", v + "1.0.0", v + "0.10.0", v + "10.0.0"],
                   ["", "-alpha", "-alpha.1", "-alpha.beta", "-beta.2", "-beta.11", "-rc.1", "-0", "-1", "-01",
                    "-0a", "--", "-a-b", "-A", "-a.", "-.a", "-x.7.z.92"], ["", "+build", "+001", "+a.b", "+", "+a..b"])
        e += [v + "1.0.0-" + b for b in BIG] + [v + "1.0.0-" + b + ".1" for b in BIG]
        e += [v + b + ".0.0" for b in BIG] + [v + "1." + b + ".0" for b in BIG[:6]]
        e += [v + "1.0.0-18446744073709551616.2", v + "1.0.0-18446744073709551617.1",
              v + "1.0.0-9007199254740993.1", v + "1.0.0-9007199254740992.2"]
        if scheme == "go":
            e += ["v0.0.0-20191109021931-daa7c04131f5", "v0.0.0-20191109021932-aaaaaaaaaaaa",
                  "v1.2.4-0.20191109021931-daa7c04131f5", "v1.2.3-pre.0.20191109021931-daa7c04131f5",
                  "v2.0.0+incompatible", "v2.0.1+incompatible", "v2.0.0-rc1+incompatible", "2.0.0+incompatible",
                  "v1.2", "v1", "vv1.2.3", "V1.2.3", "v1.2.3+meta+incompatible", "v01.2.3", "1.2.3"]
        e += [v + "1.2", v + "1", v + "1.2.3.4", " " + v + "1.2.3", v + "1.2.3 ", "=" + v + "1.2.3", v + "01.2.3",
              v + "1.02.3", "\u00a0" + v + "1.2.3", v + "1.2.3\u2028", "\ufeff" + v + "1.2.3", v + "1.2.3\u0085",
              v + "1.2.3-" + "a" * 240, v + "1.2.3-" + "a" * 250, v + "1.2.3+" + "b" * 250, "  " + v + "1.2.3-" + "c" * 245,
              v + "1.2.3-ä", v + "1.2.3-a_b", v + "1.2.3-a+b+c", ""]
    elif scheme == "pep440":
        e += cross(["", "1!", "0!", "v", "V"], ["1.0", "1", "1.0.0", "2.0", "01.0"],
                   ["", "a1", "b2", "rc1", "c1", ".alpha1", "-beta", "_pre2", "preview", "A1", "RC"],
                   ["", ".post1", "-1", "post", ".rev2", "r3", "-post-4"], ["", ".dev0", "dev", "-dev3", "_DEV"],
                   ["", "+local", "+1.2", "+a-b_c", "+ubuntu.1"])[::23]
        e += ["1.0." + b for b in BIG] + ["1.0a" + b for b in BIG[:4]] + ["1.0+" + b for b in BIG[:4]]
        e += ["", "1.0-", "1.0a.", "1.0a_", "1.0.post.", "1.0.dev.", "1.0+", "1.0+a.", "1.0+.a", "1.0++a", "1..0",
              ".1", "1.", "a", "1.0c", "1.0rc", "1.0pre", "1.0r", "1.0rev", "1.0-r1", "1.0-rev1", "1.0ab", "1.0a-1",
              "1.0a.-1", "1.0--1", "1!", "!1", "1!2!3", " 1.0 ", "\t1.0", "\u20281.0", "1.0\u00a0", "\u00851.0",
              "1.0\x1c", "1.0.dev1.post1", "1.0post1.dev1", "1.0-dev", "1.0a1.post1.dev1+x", "1.0+LOCAL",
              "1.0+local.01", "1.0+local.1", "1.0_1", "1.0-_1", "V1.0", "vv1.0", "1.0 1"]
    elif scheme == "maven":
        e += cross(["1", "1.0", "1.0.0", "2", "1.1", "0"], ["", "-alpha", "-alpha-1", "a1", "b2", "m3", "-beta",
                   ".RC1", "-rc", "-cr1", "-SNAPSHOT", "-ga", "-final", "-release", "-sp", "-sp1", "-foo", ".foo",
                   "-1", ".0", "-0", "-", ".", "xyz", "-a", "-b", "-m", "-abc1", "GA"], ["", ".1", "-1", "-sp", "a"])
        e += ["1." + b for b in BIG] + ["1-" + b for b in BIG[:6]] + ["1." + b + ".0" for b in BIG[:4]]
        e += ["", ".", "-", "..", "--", "-1", ".1", "a", "A", "1-A", "1-a", "1.0.RC1", "1.0.0.RC1", "1.0.0-RC2",
              "2.0.a", "2.0.0.a", "1-1", "1-ga-1", "1-sp-1", "1.0alpha1", "1.0-alpha-1", "1-0.1", "1-0-1",
              "9.4.1.jre16", "9.4.1.jre16-preview", "2.3-pfd", "1-1.foo-bar1baz-.1", "1___2", "1..2", "1--2",
              "1a1a1a1", "1.a1.a1", "1ALPHA1", "1Alpha-1", "0.0.0-0", "1.0.0.0.0.0.1", "1-0-0-0-1"]
    elif scheme == "gem":
        e += cross(["1", "1.0", "1.0.0", "0.9", "2", "1.2.4", "10.0"], ["", ".a", ".beta", ".beta.1", ".rc1", ".pre",
                   ".0", ".a.0", ".0.a", "-1", "-beta", "-beta.2", "-a-b", ".b1", ".A", ".ALPHA", ".z"])
        e += ["1." + b for b in BIG] + [b + ".0" for b in BIG[:6]]
        e += ["", " ", "  1.0  ", "\t1.0\n"[:-1], "1beta", "1 0", "1.", ".1", "1..0", "1-", "1.0-", "-1", "a",
              "1.0.a10", "1.0.a9", "1.0.a.10", "1.0.a.9", "1.0a", "1.0-a.", "1.0-.a", "1_0", "1+0", "01", "001.0",
              "1.0.0.0.0", "1.0.0.0.a", "1.0.0.a.0"]
    elif scheme == "composer":
        e += cross(["", "v", "V"], ["1", "1.0", "1.0.0", "1.0.0.0", "2.3.4", "12345", "123456"],
                   ["", "-dev", ".x-dev", "-alpha", "-alpha2", "a1", "-beta.3", "b2", "-RC1", "rc2", "-rc.1.2",
                    "-patch1", "pl2", "p3", "-stable", "-STABLE", "-beta-dev", "beta1-dev", "-foo", ".0-dev",
                    "@dev", "@stable", "+build.1", " as 1.0", "-alpha-1.2"])[::2]
        e += ["2023.01.01", "20230101", "2023-01-01", "2023:01:01", "20230101123", "2023.01.01.1", "2023.1.1",
              "202301", "2023", "2023.01.01.01.01.01.01", "2023.01.01.01.01.01.01.01", "2023-01-01-beta",
              "2023.01.01-dev", "v20230101", "99999", "100000"]
        e += ["1." + b for b in BIG] + [b for b in BIG[:6]] + ["1.0.0.0-beta" + b for b in BIG[:4]]
        e += ["", "dev-master", "dev-feature/x", "master", "trunk", "default", "DEV-foo", "1.x-dev", "1.*-dev",
              "1.0.x-dev", "1.0.0.x-dev", "v1.x-dev", "foo-dev", "1.0.0.0.0", "1.0-", "1.0-beta.", "1.0 as 2.0",
              "1.0 as", "1.0@beta", "1.0@RC", "1.0+", "1.0+a b", "1,0", "1.0-ALPHA", "1.0-Beta", "1.0RC", "1.0-pl",
              "1.0.0-p", "1.0.0-dev-dev", "1.0-stable-dev", "1.0beta2dev", "x", "1.2.3.#", "1.0.0-a.b"]
    elif scheme == "nuget":
        e += cross(["1", "1.0", "1.0.0", "1.0.0.0", "1.0.0.1", "01.0", "2.1"], ["", "-beta", "-BETA", "-beta.2",
                   "-beta.10", "-1", "-01", "-alpha-x", "-a.b.c"], ["", "+meta", "+01", "+a.b"])
        e += ["1." + b for b in BIG] + ["1.0.0-" + b for b in BIG[:8]]
        e += ["", "1.0.0-", "1.0.0+", "1.0.0-beta+", "1.0.0-a..b", "1.0.0.0.0", "a", " 1.0 ", "1.0.0-a_b",
              "1.0.0--1", "1.0.0-0", "1.0.0-00"]
    return [x for x in e if clean(x)]


def mutate(scheme, v, rng):
    """A few variants of a real version near it in order."""
    out = set()
    m = re.search(r"\d+(?!.*\d)", v)
    if m:
        n = m.group(0)
        for repl in (str(int(n) + 1), str(max(int(n) - 1, 0)), "0" + n, n + "0", "18446744073709551616"):
            out.add(v[:m.start()] + repl + v[m.end():])
    tails = {
        "dpkg": ["~rc1", "+b1", "-1", "~", ".0"], "rpm": ["~rc1", "^20200101", ".1", "-1", "~"],
        "apk": ["_rc1", "_p1", "-r1", "a", ".0"], "semver": ["-rc.1", "-0", "+b", ".1"], "go": ["-0", "+incompatible"],
        "pep440": ["rc1", ".post1", ".dev0", "+local", ".0"], "maven": ["-SNAPSHOT", ".0", "-1", "-sp"],
        "gem": [".0", ".a", "-1"], "composer": ["-dev", "-beta1", ".0", "-RC"], "nuget": [".0", "-beta", "+m"],
    }[scheme]
    for t in tails:
        out.add(v + t)
    if scheme in ("maven", "pep440", "nuget", "composer", "gem"):
        out.add(v.upper())
    out.discard(v)
    return sorted(x for x in out if clean(x))


RUNS = re.compile(r"\d+|\D+")


def natural_key(v):
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in RUNS.findall(v)]


def build_pairs(scheme, real, count, rng):
    real = sorted(real)
    edges = edge_cases(scheme)
    versions = set(real) | set(edges)
    muts = {}
    for v in rng.sample(real, min(len(real), 1500)):
        muts[v] = mutate(scheme, v, rng)
        versions.update(muts[v])
    ordered = sorted(versions, key=lambda v: (natural_key(v), v))
    must, near = [], []
    for v in edges:
        must.append((v, v))
    # the edge cases against each other and against real versions
    for a in edges:
        for _ in range(4):
            must.append((a, rng.choice(edges)))
        if real:
            must.append((a, rng.choice(real)))
    for i in range(len(ordered)):
        for d in (1, 2):
            if i + d < len(ordered):
                near.append((ordered[i], ordered[i + d]))
    for v, ms in muts.items():
        for m in ms:
            near.append((v, m) if rng.random() < 0.5 else (m, v))
    rng.shuffle(near)
    must_set = set(must)
    pairs, seen = [], set()
    for p in must + near:
        if len(pairs) >= count and p not in must_set:
            break
        if p not in seen:
            seen.add(p)
            pairs.append(p)
    while len(pairs) < count:
        p = (rng.choice(ordered), rng.choice(ordered))
        if p not in seen:
            seen.add(p)
            pairs.append(p)
    return pairs


def main(argv):
    out = argv[1]
    shared = fixtures = None
    count, seed = 12000, 440
    i = 2
    while i < len(argv):
        if argv[i] == "--shared":
            shared = argv[i + 1]
        elif argv[i] == "--fixtures":
            fixtures = argv[i + 1]
        elif argv[i] == "--count":
            count = int(argv[i + 1])
        elif argv[i] == "--seed":
            seed = int(argv[i + 1])
        else:
            sys.exit("pairs.py: unknown argument " + argv[i])
        i += 2
    pool = Pool()
    if shared and os.path.isdir(shared):
        gather(pool, shared, fixtures)
    os.makedirs(out, exist_ok=True)
    for scheme in SCHEMES:
        rng = random.Random(f"{seed}-{scheme}")
        pairs = build_pairs(scheme, pool.real[scheme], count, rng)
        with open(os.path.join(out, scheme + ".tsv"), "w", encoding="utf-8", newline="\n") as f:
            for a, b in pairs:
                f.write(f"{a}\t{b}\n")
        print(f"{scheme}\t{len(pool.real[scheme])} real versions\t{len(pairs)} pairs")


if __name__ == "__main__":
    main(sys.argv)
