#!/usr/bin/env bash
# tests/integration/jsonstream.sh: util/jsonstream (the incremental JSON parser) against Python's
# json module: generated and mutated documents, each parsed whole, byte by byte and split at every
# offset (tests/oracles/jsonstream_diff.py drives bw-jsonstream), must be accepted exactly when
# Python accepts them and give the same events.
. "$(dirname "$0")/../lib/harness.sh"
TOOL=$(dirname "$BULWARK")/bw-jsonstream
if [ ! -x "$TOOL" ]; then t_fail "jsonstream: driver" "$TOOL is not built"; exit 0; fi
for seed in 1 2 3; do
  if out=$(/usr/bin/python3 "$TOP/tests/oracles/jsonstream_diff.py" "$TOOL" 20000 "$seed" 2>&1); then
    t_ok "jsonstream = Python json (seed $seed): $(tail -1 <<<"$out")"
  else
    t_fail "jsonstream = Python json (seed $seed)" "$(head -c 600 <<<"$out" | tr '\n' ' ')"
  fi
done
