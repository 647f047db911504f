#!/usr/bin/python3
"""bench/lib/mixsbom.py: a realistic 2,000-package SBOM for bench/scan.sh.

Usage: mixsbom.py BASE.cdx.json DB.sqlite N > OUT.cdx.json

Starts from a real image's CycloneDX SBOM (bench uses kitchen-sink's: Debian 12 debs and
language packages) and adds language packages until there are N: a third named after
advisories in the database at a version past their newest fix (looked up, not affected),
a tenth at an old version (affected, as in an image nobody updated), the rest names no
advisory mentions. That is the density of real images: most packages have no advisory,
most that have one are fixed. Deterministic (fixed seed).
"""
import json
import random
import sqlite3
import sys

ECOS = {  # store ecosystem key (docs/matching.md) -> purl type
    "npm": "npm", "pypi": "pypi", "go": "golang", "cargo": "cargo",
}


def main():
    base, db, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    rng = random.Random(6)
    doc = json.load(open(base))
    comps = doc["components"]
    con = sqlite3.connect(db)
    names = {}
    for eco, typ in ECOS.items():
        rows = con.execute("SELECT DISTINCT name FROM affected WHERE ecosystem = ?", (eco,)).fetchall()
        names[typ] = sorted(r[0] for r in rows)
    types = [t for t in names if names[t]]
    have = len([c for c in comps if c.get("type") == "library"])
    i = 0
    while have < n:
        typ = types[i % len(types)]
        i += 1
        r = rng.random()
        if r < 0.33 and names[typ]:
            name = rng.choice(names[typ])
            version = "999.0.0"          # past every fix
        elif r < 0.43 and names[typ]:
            name = rng.choice(names[typ])
            version = "0.1.0"            # old
        else:
            name = f"bench-unlisted-{typ}-{i}"
            version = f"{rng.randint(0, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}"
        if typ == "golang" and not name.startswith("bench-"):
            version = "v" + version
        comps.append({"type": "library", "name": name, "version": version,
                      "purl": f"pkg:{typ}/{name}@{version}", "bom-ref": f"bench-{i}"})
        have += 1
    json.dump(doc, sys.stdout)


main()
