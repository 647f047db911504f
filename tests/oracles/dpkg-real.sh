#!/usr/bin/env bash
# tests/oracles/dpkg-real.sh: the real `dpkg --compare-versions`, for the pairs
# of tests/integration/versions.sh that libapt cannot judge (versions dpkg
# rejects or parses its own way: signs or spaces around the epoch, blanks,
# empty parts). Reads "A<TAB>B" lines and prints "<", "=", ">" or "!" (dpkg
# exits 2: a syntax error, not a warning). One or two dpkg runs per pair: keep
# the input to a few hundred lines.
set -uo pipefail
while IFS=$'\t' read -r a b; do
	dpkg --compare-versions "$a" lt "$b" 2>/dev/null
	rc=$?
	if [ $rc = 0 ]; then
		echo '<'
	elif [ $rc = 1 ]; then
		if dpkg --compare-versions "$a" eq "$b" 2>/dev/null; then echo '='; else echo '>'; fi
	else
		echo '!'
	fi
done
