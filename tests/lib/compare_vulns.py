#!/usr/bin/python3
"""tests/lib/compare_vulns.py ORACLE.json SCAN.json: bulwark's findings against the oracle's.

The oracle (tests/oracles/vuln_oracle.py) reports one record per (package, advisory) match,
unmerged. Here they are merged as docs/matching.md says (records of one package sharing an id
or alias become one finding; its fixed version is the highest; its status the strongest) with
the oracle's own version comparators, and compared with `bulwark scan --format json`:
the same findings (package, installed version, set of ids), the same fixed version, the same
status. Prints counts and every difference; exit 1 on any.
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "oracles"))
import versions  # noqa: E402  (the oracle's comparators, independent of src/)

COMPARE = {
    "deb": versions.dpkg_compare, "rpm": versions.rpm_compare, "apk": versions.apk_compare,
    "npm": versions.semver_compare, "cargo": versions.semver_compare, "golang": versions.go_compare,
    "pypi": versions.pep440_compare, "maven": versions.maven_compare, "gem": versions.gem_compare,
    "composer": versions.composer_compare, "nuget": versions.nuget_compare,
}
RANK = {"fixed": 2, "affected": 1, "will_not_fix": 0}


def merged_oracle(records):
    by_pkg = {}
    for r in records:
        by_pkg.setdefault((r["type"], r["package"], r["installed_version"]), []).append(r)
    out = {}
    for key, recs in by_pkg.items():
        groups = []  # list of [ids set, records]
        for r in recs:
            ids = set(r["ids"]) | {r["advisory"]}
            hit = [g for g in groups if g[0] & ids]
            merged = [ids, [r]]
            for g in hit:
                merged[0] |= g[0]
                merged[1] += g[1]
                groups.remove(g)
            groups.append(merged)
        cmp = COMPARE[key[0]]
        for ids, rs in groups:
            status = max((r["status"] for r in rs), key=lambda s: RANK[s])
            fixed = None
            if status == "fixed":
                for r in rs:
                    f = r.get("fixed_version")
                    if f and (fixed is None or cmp(f, fixed) > 0):
                        fixed = f
            out[key + (frozenset(ids),)] = (fixed, status)
    return out


def bulwark_findings(scan):
    out = {}
    for v in scan.get("vulnerabilities", []):
        if v.get("suppressed_by"):
            continue
        ids = frozenset([v["id"]] + v.get("aliases", []))
        # the oracle names a package by its own version (a deb's binary version, not the
        # source version that was compared); Go's toolchain is "1.19.8" there, "go1.19.8" here
        version = v.get("package_version") or v["installed_version"]
        if v["type"] == "golang" and v["package"] == "stdlib" and version.startswith("go"):
            version = version[2:]
        out[(v["type"], v["package"], version, ids)] = (v.get("fixed_version"), v["status"])
    return out


def main():
    oracle = merged_oracle(json.load(open(sys.argv[1])))
    got = bulwark_findings(json.load(open(sys.argv[2])))
    missing = sorted(set(oracle) - set(got), key=str)
    extra = sorted(set(got) - set(oracle), key=str)
    differ = sorted((k for k in set(oracle) & set(got) if oracle[k] != got[k]), key=str)
    print(f"# oracle {len(oracle)} findings, bulwark {len(got)}: {len(missing)} missing, "
          f"{len(extra)} extra, {len(differ)} with another fixed version or status")
    for k in missing[:40]:
        print(f"#   missing: {k[0]} {k[1]} {k[2]} {sorted(k[3])} {oracle[k]}")
    for k in extra[:40]:
        print(f"#   extra:   {k[0]} {k[1]} {k[2]} {sorted(k[3])} {got[k]}")
    for k in differ[:40]:
        print(f"#   differs: {k[0]} {k[1]} {k[2]} {sorted(k[3])} oracle {oracle[k]} bulwark {got[k]}")
    sys.exit(1 if missing or extra or differ else 0)


if __name__ == "__main__":
    main()
