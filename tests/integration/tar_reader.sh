#!/usr/bin/env bash
# The layer tar reader (src/image/tar.c), through build/bw-tarlist, against Python's tarfile
# as the independent reader: every entry's type, name, link, mode, ids, size and data hash
# must agree, on archives written by Python (ustar, GNU, pax, v7, old-style entries), by GNU
# tar in each of its formats, and on the real layers of the fixture images. The reader is fed
# in chunks of 1, 7, 511, 512, 513 bytes and 1 MiB, so headers and extended headers straddle
# chunks; the listing must not change. Malformed archives (tests/lib/tarcases.py) must fail
# with exit 3 and the one-line message naming the problem. tests/run.sh runs it a second time
# on the ASan+UBSan build (LABEL=asan), without the fixture layers.
. "$(dirname "$0")/../lib/harness.sh"
label=${LABEL:-release}
TARLIST=${TARLIST:-$TOP/build/bw-tarlist}
dir=$TMPROOT/tarcases-$label
python3 "$TOP/tests/lib/tarcases.py" make "$dir"

# GNU tar's own formats, of a tree with long names, links and a setuid file.
tree=$TMPROOT/tartree-$label
long=$(printf 'segment-%02d-abcdefghij/' $(seq 1 14))
mkdir -p "$tree/short/dir" "$tree/$long"
printf 'data\n' >"$tree/short/file"; chmod 4755 "$tree/short/file"
head -c 100000 /dev/urandom >"$tree/short/dir/random"
printf 'deep\n' >"$tree/${long}file-with-a-long-name"
ln -s ../short/file "$tree/short/dir/sym"
ln "$tree/short/file" "$tree/short/hard"
ln -s "/$long" "$tree/short/longlink"
mkfifo "$tree/short/fifo"
for fmt in gnu oldgnu posix; do
  tar --format=$fmt -C "$tree" -cf "$dir/good-gnutar-$fmt.tar" .
done
for fmt in ustar v7; do
  tar --format=$fmt -C "$tree" -cf "$dir/good-gnutar-$fmt.tar" short
done

# compare NAME FILE: bw-tarlist at every chunk size against tarfile
compare() {
  local name=$1 f=$2 c want got bad=""
  want=$(python3 "$TOP/tests/lib/tarcases.py" list "$f" 2>&1) || { t_fail "$name" "tarfile: $want"; return; }
  for c in 1048576 513 512 511 7 1; do
    got=$("$TARLIST" "$c" <"$f" 2>&1) || { bad="chunk $c: $got"; break; }
    [ "$got" = "$want" ] || { bad="chunk $c: $(diff <(echo "$want") <(echo "$got") | head -5)"; break; }
  done
  if [ -n "$bad" ]; then t_fail "$name" "$bad"; else t_ok "$name ($(grep -c '' <<<"$want") entries)"; fi
}

for f in "$dir"/good-*.tar; do
  compare "$label tar reader $(basename "$f" .tar) = tarfile" "$f"
done

for f in "$dir"/bad-*.tar; do
  t_run_expect "$label tar reader $(basename "$f" .tar) refused" 3 "$(cat "${f%.tar}.msg")" -- \
    sh -c "exec '$TARLIST' 1048576 <'$f'"
  t_run_expect "$label tar reader $(basename "$f" .tar) refused (7-byte chunks)" 3 "$(cat "${f%.tar}.msg")" -- \
    sh -c "exec '$TARLIST' 7 <'$f'"
done

# The real layers of the fixture images (the release build only: byte-sized chunks of tens
# of megabytes are minutes under ASan, and the generated archives above cover the code).
if [ "$label" = release ] && need_shared "tar reader: fixture layers"; then
  IMAGES=$("$TOP/tests/lib/fixtures.sh" "$SHARED") || { t_fail "tar reader: fixtures" "cannot build the fixture images"; exit 0; }
  for img in kitchen-sink debian-minbase rpm-root; do
    oci=$IMAGES/$img/oci
    mf=$(jq -r '.manifests[0].digest' "$oci/index.json" | cut -d: -f2)
    n=0
    for b in $(jq -r '.layers[].digest' "$oci/blobs/sha256/$mf" | cut -d: -f2); do
      n=$((n + 1))
      layer=$TMPROOT/layer.tar
      case $(head -c 4 "$oci/blobs/sha256/$b" | od -An -tx1 | tr -d ' ') in
        1f8b*) gzip -dc "$oci/blobs/sha256/$b" >"$layer" ;;
        28b52ffd) zstd -qdc "$oci/blobs/sha256/$b" >"$layer" ;;
        *) cp "$oci/blobs/sha256/$b" "$layer" ;;
      esac
      compare "tar reader $img layer $n = tarfile" "$layer"
    done
  done
fi
