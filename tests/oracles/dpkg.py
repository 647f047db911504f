#!/usr/bin/python3
# tests/oracles/dpkg.py: Debian version ordering by libapt (python3-apt's
# apt_pkg.version_compare, dpkg's algorithm), for tests/integration/versions.sh.
# Reads "A<TAB>B" lines on stdin and prints "<", "=" or ">". libapt does not
# validate, so it never says "!": the test checks our rejections against real
# `dpkg --compare-versions` instead.
import sys
import apt_pkg

apt_pkg.init_system()
out = []
for raw in sys.stdin.buffer:
    line = raw.rstrip(b"\n").decode("utf-8", "surrogateescape")
    a, _, b = line.partition("\t")
    r = apt_pkg.version_compare(a, b)
    out.append("<" if r < 0 else ">" if r > 0 else "=")
sys.stdout.write("\n".join(out) + ("\n" if out else ""))
