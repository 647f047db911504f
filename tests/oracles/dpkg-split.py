#!/usr/bin/python3
# tests/oracles/dpkg-split.py PAIRS APT REAL [SAMPLE]: splits dpkg pairs between
# the two oracles of tests/integration/versions.sh. libapt (APT) takes the pairs
# of plain versions, [digits:]digit[A-Za-z0-9.+~:-]* with nothing empty, where
# it orders exactly as dpkg; the real dpkg (REAL) takes every other pair (dpkg
# may reject them, or read a signed or spaced epoch its own way) plus a seeded
# sample of SAMPLE plain pairs (default 300). Three kinds of version go to
# neither: "" and "<unknown>" (dpkg --compare-versions reads them as the blank
# version, bw_version_compare() refuses them) and those starting with '-'
# (dpkg's command line takes them for options); their count goes to stdout.
import random
import re
import sys

plain = re.compile(r"^([0-9]+:)?[0-9][A-Za-z0-9.+~:-]*$")


def odd(v):
    # an epoch past INT_MAX is an error to dpkg, a number to libapt
    m = re.match(r"^0*([0-9]+):", v)
    if m and len(m.group(1)) > 9:
        return True
    if not plain.match(v) or v.endswith("-") or v.endswith(":"):
        return True
    upstream = v.split(":", 1)[1] if re.match(r"^[0-9]+:", v) else v
    return upstream.startswith("-")


rng = random.Random(440)
sample = int(sys.argv[4]) if len(sys.argv) > 4 else 300
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
plain_pairs, odd_pairs = [], []
skipped = 0
for line in lines:
    a, b = line.split("\t")
    if any(v in ("", "<unknown>") or v.startswith("-") for v in (a, b)):
        skipped += 1
        continue
    (odd_pairs if odd(a) or odd(b) else plain_pairs).append(line)
with open(sys.argv[2], "w", encoding="utf-8") as f:
    f.writelines(p + "\n" for p in plain_pairs)
with open(sys.argv[3], "w", encoding="utf-8") as f:
    f.writelines(p + "\n" for p in odd_pairs + rng.sample(plain_pairs, min(sample, len(plain_pairs))))
print(f"{len(plain_pairs)} pairs for libapt, {len(odd_pairs)} odd pairs for dpkg, {skipped} skipped")
