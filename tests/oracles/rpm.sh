#!/usr/bin/env bash
# tests/oracles/rpm.sh PAIRS: rpm's own ordering of [E:]V[-R] strings, for
# tests/integration/versions.sh. One rpm process runs rpm.vercmp (rpmverCmp:
# epoch, version, release) over every "A<TAB>B" line of PAIRS in its embedded
# Lua and prints "<", "=", ">" or "!" (rpm.vercmp raised: an empty version).
set -euo pipefail
pairs=$1
case $pairs in /*) ;; *) pairs=$PWD/$pairs ;; esac
# the file name goes into Lua as a long string; refuse names that could end it
case $pairs in *']]'* | *'%'*) echo "rpm.sh: unusable path $pairs" >&2; exit 2 ;; esac
rpm --eval "%{lua:
local out = {}
for line in io.lines([[$pairs]]) do
	local a, b = line:match('^([^\t]*)\t(.*)$')
	local ok, r = pcall(rpm.vercmp, a, b)
	if not ok then out[#out + 1] = '!'
	elseif r < 0 then out[#out + 1] = '<'
	elseif r > 0 then out[#out + 1] = '>'
	else out[#out + 1] = '=' end
end
print(table.concat(out, '\n'))
}"
