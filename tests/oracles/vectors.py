#!/usr/bin/python3
# tests/oracles/vectors.py FILE: the comparison lines of a shared vector file
# (../shared/data/versions, format in its SOURCES.md: "A OP B", OP one of
# <, >, =, ==; '#' or '//' comments; blank lines) as "A<TAB>B<TAB>OP" with OP
# one of <, =, >.
import sys

for raw in open(sys.argv[1], encoding="utf-8"):
    line = raw.strip()
    if not line or line.startswith("#") or line.startswith("//"):
        continue
    parts = line.split()
    if len(parts) != 3 or parts[1] not in ("<", ">", "=", "=="):
        sys.exit(f"vectors.py: {sys.argv[1]}: cannot read line: {line}")
    a, op, b = parts
    print(f"{a}\t{b}\t{'=' if op == '==' else op}")
