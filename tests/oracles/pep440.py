#!/usr/bin/python3
# tests/oracles/pep440.py: the reference ordering of PyPI versions, for
# tests/integration/versions.sh. Reads "A<TAB>B" lines on stdin and prints
# "<", "=" or ">" (packaging.version.Version ordering) or "!" when
# packaging rejects either side (InvalidVersion). Debian's python3-packaging.
import sys
from packaging.version import Version, InvalidVersion


def parse(s):
    try:
        return Version(s)
    except InvalidVersion:
        return None


out = []
for raw in sys.stdin.buffer:
    line = raw.rstrip(b"\n").decode("utf-8", "surrogateescape")
    a, _, b = line.partition("\t")
    va, vb = parse(a), parse(b)
    if va is None or vb is None:
        out.append("!")
    else:
        out.append("<" if va < vb else ">" if va > vb else "=")
sys.stdout.write("\n".join(out) + ("\n" if out else ""))
