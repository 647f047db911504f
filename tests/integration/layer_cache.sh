#!/usr/bin/env bash
# tests/integration/layer_cache.sh: the layer result cache (docs/layer-cache.md). The oracle
# is bulwark itself with --no-cache: every cached run must print byte for byte what an
# uncached run prints, whatever happened to the cache in between.
. "$(dirname "$0")/../lib/harness.sh"
need_shared "layer_cache: fixture images" || exit 0
W=$TMPROOT/layer_cache; mkdir -p "$W"
export BULWARK_DB=$W/db.sqlite BULWARK_STATE=$W/state.sqlite
unset BULWARK_NO_CACHE   # tests/run.sh turns the cache off for every other test
IMAGES=$("$TOP/tests/lib/fixtures.sh" "$SHARED") || { t_fail "layer_cache: fixtures" "cannot build the fixture images"; exit 0; }
"$BULWARK" -q db import "$SHARED/data/vulndb/osv/ghsa-npm" "$SHARED/data/vulndb/osv/go-vulndb-data-osv.tar.gz" \
  "$TOP/data/demo-feed/debian-bookworm.json" || { t_fail "layer_cache: import" "db import failed"; exit 0; }
entries() { "$BULWARK" cache info --format json | jq .entries; }
bytes() { "$BULWARK" cache info --format json | jq .bytes; }

# --- cold and warm runs print what an uncached run prints, for every command that reads layers
for img in kitchen-sink debian-minbase rpm-root; do
  ref=oci:$IMAGES/$img/oci
  for cmd in "sbom --format json" "scan --format json" "inspect --files --deleted --format json" "sbom --format cyclonedx" \
             "scan --scanners vuln,secret,misconfig --format sarif"; do
    tag="$img ${cmd%% *}${cmd#* --format }"; tag=${tag// /-}
    "$BULWARK" --no-cache $cmd "$ref" >"$W/$tag.nocache" 2>/dev/null
    "$BULWARK" $cmd "$ref" >"$W/$tag.cold" 2>/dev/null
    "$BULWARK" $cmd "$ref" >"$W/$tag.warm" 2>/dev/null
    # cyclonedx carries a serial number and a timestamp: compare without them
    for f in nocache cold warm; do jq -S 'del(.serialNumber, .metadata.timestamp)' "$W/$tag.$f" >"$W/$tag.$f.n"; done
    if cmp -s "$W/$tag.nocache.n" "$W/$tag.cold.n" && cmp -s "$W/$tag.nocache.n" "$W/$tag.warm.n"; then
      t_ok "layer_cache: $tag: cold and warm = uncached"
    else
      t_fail "layer_cache: $tag" "$(diff "$W/$tag.nocache.n" "$W/$tag.warm.n" | head -5)"
    fi
  done
done
n=$(entries)
t_check "layer_cache: entries were stored ($n)" test "$n" -gt 0
t_eq "layer_cache: --no-cache with no store creates none" "" \
  "$(BULWARK_STATE=$W/none.sqlite "$BULWARK" --no-cache sbom "oci:$IMAGES/debian-minbase/oci" >/dev/null; ls "$W/none.sqlite" 2>/dev/null)"

# --- a warm scan reads no layer blob: delete them all from a copy of the layout
cp -r "$IMAGES/kitchen-sink/oci" "$W/ks"
"$BULWARK" --no-cache sbom "oci:$W/ks" --format json >"$W/ks.nocache"
"$BULWARK" sbom "oci:$W/ks" --format json >/dev/null
# inspect runs the OS analyzer alone: no image result, so its warm run replays the layer entries
"$BULWARK" --no-cache inspect --files --format json "oci:$W/ks" >"$W/ks.inspect.nocache"
"$BULWARK" inspect --files --format json "oci:$W/ks" >/dev/null
manifest=$W/ks/blobs/sha256/$(jq -r '.manifests[0].digest' "$W/ks/index.json" | cut -d: -f2)
for d in $(jq -r '.layers[].digest' "$manifest" | cut -d: -f2); do rm "$W/ks/blobs/sha256/$d"; done
t_run_expect "layer_cache: warm scan with every layer blob gone" 0 "" -- "$BULWARK" sbom "oci:$W/ks" --format json -o "$W/ks.warm"
t_check "layer_cache: ... gives the uncached result" cmp -s "$W/ks.nocache" "$W/ks.warm"
t_run_expect "layer_cache: warm inspect --files (layer entries) with every layer blob gone" 0 "" -- \
  "$BULWARK" inspect --files --format json "oci:$W/ks" -o "$W/ks.inspect.warm"
t_check "layer_cache: ... gives the uncached result" cmp -s "$W/ks.inspect.nocache" "$W/ks.inspect.warm"
t_run_expect "layer_cache: --no-cache still reads the blobs" 3 "" -- "$BULWARK" --no-cache sbom "oci:$W/ks"

# --- a corrupt entry is detected by its checksum, dropped and recomputed
ref=oci:$IMAGES/kitchen-sink/oci
sqlite3 "$BULWARK_STATE" "UPDATE layer_cache SET data = zeroblob(16) || substr(data, 17)"
"$BULWARK" sbom "$ref" --format json >"$W/corrupt.json" 2>"$W/corrupt.err"
t_check "layer_cache: corrupt entry: warning" grep -q "failed its checksum" "$W/corrupt.err"
t_check "layer_cache: corrupt entry: result unchanged" cmp -s "$W/corrupt.json" "$W/kitchen-sink-sbomjson.nocache"
"$BULWARK" sbom "$ref" --format json >/dev/null 2>"$W/corrupt2.err"
t_eq "layer_cache: corrupt entry: recomputed (no warning the next time)" "" "$(cat "$W/corrupt2.err")"
# a well-formed checksum over a malformed payload (as if bulwark had a bug): read the layer again
head -c 3000 /dev/urandom >"$W/junk"; zstd -q -f "$W/junk" -o "$W/junk.zst"
sum=sha256:$(sha256sum "$W/junk.zst" | cut -c1-64)
sqlite3 "$BULWARK_STATE" "UPDATE layer_cache SET data = readfile('$W/junk.zst'), checksum = '$sum'"
"$BULWARK" sbom "$ref" --format json >"$W/junk.json" 2>"$W/junk.err"
t_check "layer_cache: malformed entry: warning" grep -q "malformed; reading the layer again" "$W/junk.err"
t_check "layer_cache: malformed entry: result unchanged" cmp -s "$W/junk.json" "$W/kitchen-sink-sbomjson.nocache"

# --- the size cap evicts least-recently-used entries
"$BULWARK" cache clear >/dev/null
t_eq "layer_cache: clear" 0 "$(entries)"
"$BULWARK" sbom "$ref" --format json >/dev/null
full=$(bytes)
cap=$((full / 2))
"$BULWARK" cache clear >/dev/null
"$BULWARK" --cache-size "$cap" sbom "$ref" --format json >"$W/capped.json"
t_check "layer_cache: --cache-size $cap: stays under the cap ($(bytes) bytes)" test "$(bytes)" -le "$cap" -a "$(entries)" -gt 0
t_check "layer_cache: --cache-size: result unchanged" cmp -s "$W/capped.json" "$W/kitchen-sink-sbomjson.nocache"
"$BULWARK" cache clear >/dev/null
"$BULWARK" sbom "oci:$IMAGES/rpm-root/oci" >/dev/null      # oldest
"$BULWARK" sbom "$ref" >/dev/null                          # newest
rpm_ids=$(skopeo inspect --config "oci:$IMAGES/rpm-root/oci" | jq -r '.rootfs.diff_ids[]')
ks_ids=$(skopeo inspect --config "$ref" | jq -r '.rootfs.diff_ids[]')
"$BULWARK" cache prune --max-size "$((full - 1))" >/dev/null
left=$(sqlite3 "$BULWARK_STATE" "SELECT diff_id FROM layer_cache")
rpm_left=0; for d in $rpm_ids; do grep -q "$d" <<<"$left" && rpm_left=$((rpm_left + 1)); done
ks_left=0; for d in $ks_ids; do grep -q "$d" <<<"$left" && ks_left=$((ks_left + 1)); done
t_eq "layer_cache: prune evicts the least recently used first (rpm-root's entries gone, some of kitchen-sink's kept)" \
  "0 yes" "$rpm_left $([ "$ks_left" -gt 0 ] && echo yes || echo no)"
t_run_expect "layer_cache: --cache-size junk" 2 "cache-size" -- "$BULWARK" --cache-size 12Q sbom "$ref"

# --- four processes scanning overlapping images at once, from an empty cache
"$BULWARK" cache clear >/dev/null
pids=(); i=0
for img in kitchen-sink debian-minbase kitchen-sink rpm-root; do
  i=$((i + 1))
  "$BULWARK" scan "oci:$IMAGES/$img/oci" --format json -o "$W/par.$i.json" 2>"$W/par.$i.err" & pids+=($!)
done
rc=0; for p in "${pids[@]}"; do wait "$p" || rc=1; done
same=0; i=0
for img in kitchen-sink debian-minbase kitchen-sink rpm-root; do
  i=$((i + 1)); cmp -s "$W/par.$i.json" "$W/$img-scanjson.nocache" && same=$((same + 1))
done
t_eq "layer_cache: 4 concurrent scans: all succeed, all equal the uncached result" "0 4" "$rc $same"
t_eq "layer_cache: 4 concurrent scans: no warning" "" "$(cat "$W"/par.*.err)"

# --- the image result (imagecache.c): scans whose analyzers keep only packages store the
# finished result under the manifest digest; a hit reads no layer blob and no layer entry
images_stored() { sqlite3 "$BULWARK_STATE" "SELECT count(*) FROM layer_cache WHERE key LIKE 'image/%'"; }
"$BULWARK" cache clear >/dev/null
cp -r "$IMAGES/kitchen-sink/oci" "$W/ks2"
"$BULWARK" --no-cache scan "oci:$W/ks2" --format json -o "$W/ks2.nocache"
"$BULWARK" scan "oci:$W/ks2" --format json -o /dev/null
t_eq "layer_cache: image result: one entry for the scan" 1 "$(images_stored)"
"$BULWARK" scan --scanners vuln,misconfig "oci:$W/ks2" --format json -o /dev/null
t_eq "layer_cache: image result: none for misconfig (its checks walk the tree)" 1 "$(images_stored)"
sqlite3 "$BULWARK_STATE" "DELETE FROM layer_cache WHERE key NOT LIKE 'image/%'"
manifest=$W/ks2/blobs/sha256/$(jq -r '.manifests[0].digest' "$W/ks2/index.json" | cut -d: -f2)
for d in $(jq -r '.layers[].digest' "$manifest" | cut -d: -f2); do rm "$W/ks2/blobs/sha256/$d"; done
t_run_expect "layer_cache: image result: scan with no layer blob and no layer entry" 0 "" -- \
  "$BULWARK" scan "oci:$W/ks2" --format json -o "$W/ks2.warm"
t_check "layer_cache: image result: ... gives the uncached result" cmp -s "$W/ks2.nocache" "$W/ks2.warm"
t_run_expect "layer_cache: image result: misconfig still needs the layers" 3 "" -- \
  "$BULWARK" scan --scanners vuln,misconfig "oci:$W/ks2"
# a corrupt or malformed image entry is dropped and the layers are read again
"$BULWARK" scan "$ref" --format json >/dev/null
sqlite3 "$BULWARK_STATE" "UPDATE layer_cache SET data = zeroblob(16) || substr(data, 17) WHERE key LIKE 'image/%'"
"$BULWARK" scan "$ref" --format json >"$W/icorrupt.json" 2>"$W/icorrupt.err"
t_check "layer_cache: image result: corrupt entry: warning" grep -q "cached image result failed its checksum" "$W/icorrupt.err"
t_check "layer_cache: image result: corrupt entry: result unchanged" cmp -s "$W/icorrupt.json" "$W/kitchen-sink-scanjson.nocache"
"$BULWARK" scan "$ref" --format json >/dev/null 2>"$W/icorrupt2.err"
t_eq "layer_cache: image result: recomputed (no warning the next time)" "" "$(cat "$W/icorrupt2.err")"
sqlite3 "$BULWARK_STATE" "UPDATE layer_cache SET data = readfile('$W/junk.zst'), checksum = '$sum' WHERE key LIKE 'image/%'"
"$BULWARK" scan "$ref" --format json >"$W/ijunk.json" 2>"$W/ijunk.err"
t_check "layer_cache: image result: malformed entry: warning" grep -q "cached image result is malformed" "$W/ijunk.err"
t_check "layer_cache: image result: malformed entry: result unchanged" cmp -s "$W/ijunk.json" "$W/kitchen-sink-scanjson.nocache"
# a library client that walks the files after a hit: the tree is built on demand, from the
# blobs (the cache may be closed by then), and holds what an uncached scan's tree holds
IF=$TOP/build/bw-imagefiles
"$BULWARK" cache clear >/dev/null
"$IF" "$BULWARK_STATE" "$ref" >"$W/if.cold"
sqlite3 "$BULWARK_STATE" "DELETE FROM layer_cache WHERE key NOT LIKE 'image/%'"
"$IF" "$BULWARK_STATE" "$ref" >"$W/if.warm"
t_eq "layer_cache: image result: the library's warm scan stored no layer entry (it was a hit)" 0 \
  "$(sqlite3 "$BULWARK_STATE" "SELECT count(*) FROM layer_cache WHERE key NOT LIKE 'image/%'")"
t_check "layer_cache: image result: files walked after a hit = after a full scan" cmp -s "$W/if.cold" "$W/if.warm"
t_eq "layer_cache: image result: ... = inspect --files --no-cache" \
  "$(jq -r '.files[].path' "$W/kitchen-sink-inspectjson.nocache" | wc -l)" "$(sed -n 's/^walked //p' "$W/if.warm")"

# --- the secret scanner saves its findings per layer; the key carries the rule set, so a
# --secret-config run is not answered from a run with other rules
ksw=oci:$IMAGES/kitchen-sink/oci
cat >"$W/rules.yaml" <<'YAML'
rules:
  - {id: fixture-region, regex: 'eu-west-[0-9]', severity: LOW, category: custom, path: '/app/*'}
disable: [credit-card]
YAML
"$BULWARK" cache clear >/dev/null
"$BULWARK" --no-cache scan --scanners secret --format json "$ksw" -o "$W/sec.nocache"
"$BULWARK" --no-cache scan --scanners secret --secret-config "$W/rules.yaml" --format json "$ksw" -o "$W/seccfg.nocache"
"$BULWARK" scan --scanners secret --format json "$ksw" -o "$W/sec.cold"
n_sec=$(entries)
"$BULWARK" scan --scanners secret --format json "$ksw" -o "$W/sec.warm"
t_eq "layer_cache: secrets: the cold run stored entries, the warm run none (it was answered by the cache)" \
  "yes $n_sec" "$([ "$n_sec" -gt 0 ] && echo yes || echo no) $(entries)"
t_check "layer_cache: secrets: cold and warm = uncached" cmp -s "$W/sec.nocache" "$W/sec.warm"
"$BULWARK" scan --scanners secret --secret-config "$W/rules.yaml" --format json "$ksw" -o "$W/seccfg.cold"
t_check "layer_cache: secrets: other rules are other entries ($(entries) > $n_sec)" test "$(entries)" -gt "$n_sec"
"$BULWARK" scan --scanners secret --secret-config "$W/rules.yaml" --format json "$ksw" -o "$W/seccfg.warm"
t_check "layer_cache: secrets: --secret-config cold and warm = uncached" \
  cmp -s "$W/seccfg.nocache" "$W/seccfg.warm"
t_check "layer_cache: secrets: ... and differ from the built-in rules' result" \
  test "$(jq '[.secrets[] | select(.rule == "fixture-region")] | length' "$W/seccfg.warm")" -gt 0 -a \
  "$(jq '[.secrets[] | select(.rule == "credit-card")] | length' "$W/seccfg.warm")" = 0
t_check "layer_cache: secrets: the deleted flag survives the cache" \
  test "$(jq '[.secrets[] | select(.deleted_in_later_layer)] | length' "$W/sec.warm")" -gt 0

# --- diff and drift read file digests, which the digest analyzer saves per layer
mb=oci:$IMAGES/debian-minbase/oci
"$BULWARK" cache clear >/dev/null
"$BULWARK" --no-cache diff "$mb" "$ksw" --format json >"$W/diff.nocache"
"$BULWARK" diff "$mb" "$ksw" --format json >"$W/diff.cold"
n_diff=$(entries)
"$BULWARK" diff "$mb" "$ksw" --format json >"$W/diff.warm"
t_eq "layer_cache: diff: the cold run stored entries, the warm run none" "yes $n_diff" \
  "$([ "$n_diff" -gt 0 ] && echo yes || echo no) $(entries)"
t_check "layer_cache: diff: cold and warm = uncached" cmp -s "$W/diff.nocache" "$W/diff.warm"
t_check "layer_cache: diff: ... and the warm run still tells content changes by digest" \
  test "$(jq '[.files[] | select(.change == "changed" and (.what | index("content")) and .to.digest != null)] | length' \
    "$W/diff.warm")" -gt 0
