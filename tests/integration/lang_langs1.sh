#!/usr/bin/env bash
# Python, Ruby, PHP and .NET packages (`bulwark sbom`):
#   - the kitchen-sink fixture against ../shared's ground truth (importlib.metadata and
#     Gem::Specification run inside the image): equal (name, version) sets and layers;
#   - the upstream expectations beside ../shared/data/pkgdb/{python,ruby,composer,dotnet};
#   - lock files written here (requirements, Pipfile.lock, poetry.lock, uv.lock, Gemfile.lock,
#     composer.lock), and lock entries an installed distribution already lists not repeated;
#   - hostile files made here: each gives exit 0, exactly one warning naming the file, and
#     the other packages are still listed.
. "$(dirname "$0")/../lib/harness.sh"

# pairs JSON TYPE: sorted unique "name<TAB>version" of bulwark's packages of TYPE
pairs() {
  jq -r --arg t "$2" '.packages[] | select(.type == $t) | [.name, .version] | @tsv' "$1" | LC_ALL=C sort -u
}

# --- kitchen-sink: equality with what the image's own python3 and ruby report
if need_shared "lang_langs1 kitchen-sink"; then
  FIXTURES=${FIXTURES:-$("$TOP/tests/lib/fixtures.sh" "$SHARED")}
  EXPECTED=$(dirname "$FIXTURES")/expected/kitchen-sink
  out=$TMPROOT/ks.json
  t_run_expect "kitchen-sink sbom" 0 "" -- "$BULWARK" sbom --format json -o "$out" "oci:$FIXTURES/kitchen-sink/oci:latest"
  t_eq "kitchen-sink: no python/ruby/php/dotnet warning" "" \
    "$(grep -E 'analyzer (python|ruby|php|dotnet):' "$T_ERR" | head -3)"
  for eco in python:pypi gem:gem; do
    key=${eco%%:*} type=${eco##*:}
    want=$(jq -r --arg k "$key" '.[$k][] | [.name, .version] | @tsv' "$EXPECTED/packages.json" | LC_ALL=C sort -u)
    t_eq "kitchen-sink $type packages = ground truth ($(grep -c '' <<<"$want"))" "$want" "$(pairs "$out" "$type")"
  done
  # the layer of each evidence file (METADATA / PKG-INFO, gemspec), 1-based as in the ground truth
  t_eq "kitchen-sink pypi layers = ground truth" \
    "$(jq -r '.python[] | [.name, .layer] | @tsv' "$EXPECTED/packages.json" | LC_ALL=C sort -u)" \
    "$(jq -r '.packages[] | select(.type == "pypi") | [.name, .layer_index] | @tsv' "$out" | LC_ALL=C sort -u)"
  t_eq "kitchen-sink gem layers = ground truth" \
    "$(jq -r '.gem[] | [.name, .layer] | @tsv' "$EXPECTED/packages.json" | LC_ALL=C sort -u)" \
    "$(jq -r '.packages[] | select(.type == "gem") | [.name, .layer_index] | @tsv' "$out" | LC_ALL=C sort -u)"
  # both metadata directories of Debian's python3-cryptography are listed, as importlib does
  t_eq "kitchen-sink cryptography listed from both metadata dirs" \
    "$(jq -r '.python[] | select(.name == "cryptography") | .metadata_path' "$EXPECTED/packages.json" | LC_ALL=C sort)" \
    "$(jq -r '.packages[] | select(.type == "pypi" and .name == "cryptography") | .path | sub("/(METADATA|PKG-INFO)$"; "")' "$out" | LC_ALL=C sort)"
  t_eq "kitchen-sink pypi purls are PEP 503 normalised" \
    "pkg:pypi/pyyaml@6.0 pkg:pypi/charset-normalizer@3.0.1" \
    "$(jq -r '[.packages[] | select(.type == "pypi" and (.name == "PyYAML" or .name == "charset-normalizer")) | .purl] | sort_by(startswith("pkg:pypi/c")) | join(" ")' "$out")"
  t_eq "kitchen-sink gem purls" "0" \
    "$(jq '[.packages[] | select(.type == "gem") | select(.purl != "pkg:gem/\(.name)@\(.version)")] | length' "$out")"
  t_eq "kitchen-sink minitest license" '["MIT"]' \
    "$(jq -c '[.packages[] | select(.name == "minitest") | .licenses[]]' "$out")"
  # the Gemfile.lock files inside installed gems (rbs, typeprof) are their development setup
  t_eq "kitchen-sink: no gem from a Gemfile.lock inside an installed gem" "0" \
    "$(jq '[.packages[] | select(.type == "gem" and (.path | endswith("Gemfile.lock")))] | length' "$out")"
fi

# --- upstream expectations: files placed at realistic paths in one root
if need_shared "lang_langs1 pkgdb"; then
  P=$SHARED/data/pkgdb
  root=$TMPROOT/pkgdb
  mkdir -p "$root/site" "$root/gems/specifications" "$root/dotnet"
  for f in "$P"/python/trivy-metadata/*.METADATA; do
    d=$root/site/$(basename "$f" .METADATA).dist-info; mkdir -p "$d"; cp "$f" "$d/METADATA"
  done
  for f in "$P"/python/trivy-metadata/*.PKG-INFO; do
    d=$root/site/$(basename "$f" .PKG-INFO | sed 's/[.-]egg-info$//').egg-info; mkdir -p "$d"; cp "$f" "$d/PKG-INFO"
  done
  cp "$P"/ruby/*/*.gemspec "$root/gems/specifications/"
  for d in "$P"/composer/*/; do
    mkdir -p "$root/php/$(basename "$d")"; cp -r "$d/vendor" "$root/php/$(basename "$d")/"
  done
  cp "$P"/dotnet/*/*.deps.json "$root/dotnet/"
  out=$TMPROOT/pkgdb.json err=$TMPROOT/pkgdb.err
  "$BULWARK" sbom --format json -o "$out" "dir:$root" 2>"$err"
  rc=$?
  t_eq "pkgdb: exit 0" 0 "$rc"
  for eco in python:pypi ruby:gem composer:composer dotnet:nuget; do
    dir=${eco%%:*} type=${eco##*:}
    want=$(jq -r '.cases[] | .packages[] | [.name, .version] | @tsv' "$P/$dir"/*/EXPECTED.json | LC_ALL=C sort -u)
    t_eq "pkgdb $dir = upstream expectations ($(grep -c '' <<<"$want"))" "$want" "$(pairs "$out" "$type")"
  done
  # the malformed gemspec (block variable spec, assignments to s) gives no package and one warning
  t_eq "pkgdb ruby: malformed00.gemspec warned once" 1 "$(grep -c 'malformed00.gemspec' "$err")"
  t_eq "pkgdb: no other warning" 1 "$(grep -c '' "$err")"
  # licenses as upstream expects them (pypi classifiers mapped to SPDX ids where exact)
  t_eq "pkgdb licenses" \
    "iniconfig:MIT pyphen:GPL-2.0-or-later,LGPL-2.0-or-later,MPL-1.1 distlib:PSF-2.0 rake:MIT pear/log:MIT pear/pear_exception:BSD-2-Clause" \
    "$(for n in iniconfig pyphen distlib rake pear/log pear/pear_exception; do
         printf '%s:%s ' "$n" "$(jq -r --arg n "$n" '.packages[] | select(.name == $n) | .licenses | join(",")' "$out")"
       done | sed 's/ $//')"
  t_eq "pkgdb composer purl" "pkg:composer/pear/pear_exception@v1.0.2" \
    "$(jq -r '.packages[] | select(.name == "pear/pear_exception") | .purl' "$out")"
  t_eq "pkgdb nuget purl" "pkg:nuget/Newtonsoft.Json@13.0.3" \
    "$(jq -r '.packages[] | select(.name == "Newtonsoft.Json" and .version == "13.0.3") | .purl' "$out")"
fi

# --- lock files written here
root=$TMPROOT/locks
mkdir -p "$root/py/req" "$root/py/pipenv" "$root/py/poetry" "$root/py/uv" "$root/site/requests-2.31.0.dist-info" \
  "$root/rb" "$root/php" "$root/usr/lib/ruby/gems/3.1.0/gems/tool-1.0"
printf 'Metadata-Version: 2.1\nName: requests\nVersion: 2.31.0\n' >"$root/site/requests-2.31.0.dist-info/METADATA"
cat >"$root/py/req/requirements-prod.txt" <<'EOF'
# pinned
Flask==2.3.2
requests[socks] == 2.31.0 ; python_version >= "3.8" \
    --hash=sha256:0000
Django>=4.0
numpy==1.*
-r other.txt
zope.interface==6.0  # comment
EOF
cat >"$root/py/pipenv/Pipfile.lock" <<'EOF'
{"_meta": {"hash": {"sha256": "x"}}, "default": {"certifi": {"version": "==2023.7.22"}, "mylib": {"git": "https://x"}},
 "develop": {"pytest": {"version": "==7.4.0"}}}
EOF
cat >"$root/py/poetry/poetry.lock" <<'EOF'
[[package]]
name = "attrs"
version = "23.1.0"
description = "Classes Without Boilerplate"

[package.dependencies]
name = "not-a-package"

[[package]]
name = "Click"
version = "8.1.6"

[metadata]
lock-version = "2.0"
EOF
cat >"$root/py/uv/uv.lock" <<'EOF'
version = 1
requires-python = ">=3.12"

[[package]]
name = "idna"
version = "3.4"
source = { registry = "https://pypi.org/simple" }
EOF
cat >"$root/rb/Gemfile.lock" <<'EOF'
GIT
  remote: https://github.com/x/y.git
  specs:
    fromgit (0.1.0)

GEM
  remote: https://rubygems.org/
  specs:
    nokogiri (1.15.4-x86_64-linux)
      racc (~> 1.4)
    racc (1.7.1)
    rack (3.0.8)

PLATFORMS
  x86_64-linux

DEPENDENCIES
  nokogiri
EOF
cp "$root/rb/Gemfile.lock" "$root/usr/lib/ruby/gems/3.1.0/gems/tool-1.0/Gemfile.lock"
cat >"$root/php/composer.lock" <<'EOF'
{"packages": [{"name": "monolog/monolog", "version": "3.4.0", "license": ["MIT"]}],
 "packages-dev": [{"name": "phpunit/phpunit", "version": "10.3.1", "license": "BSD-3-Clause"}]}
EOF
out=$TMPROOT/locks.json
t_run_expect "lock files: sbom" 0 "" -- "$BULWARK" sbom --format json -o "$out" "dir:$root"
t_eq "lock files: no warning" "" "$(cat "$T_ERR")"
t_eq "lock files: pypi (requests from its METADATA only)" \
  "$(printf 'Click\t8.1.6\nFlask\t2.3.2\nattrs\t23.1.0\ncertifi\t2023.7.22\nidna\t3.4\npytest\t7.4.0\nrequests\t2.31.0\nzope.interface\t6.0' | LC_ALL=C sort)" \
  "$(pairs "$out" pypi)"
t_eq "lock files: requests listed once, from METADATA" "/site/requests-2.31.0.dist-info/METADATA" \
  "$(jq -r '.packages[] | select(.name == "requests") | .path' "$out")"
t_eq "lock files: gem (GEM specs; not inside an installed gem)" \
  "$(printf 'nokogiri\t1.15.4\nracc\t1.7.1\nrack\t3.0.8')" "$(pairs "$out" gem)"
t_eq "lock files: composer" "$(printf 'monolog/monolog\t3.4.0\nphpunit/phpunit\t10.3.1')" "$(pairs "$out" composer)"
t_eq "lock files: purls" "pkg:pypi/zope-interface@6.0 pkg:pypi/click@8.1.6" \
  "$(jq -r '[.packages[] | select(.name == "zope.interface" or .name == "Click") | .purl] | sort_by(startswith("pkg:pypi/c")) | join(" ")' "$out")"

# --- hostile files: one warning each, naming the file; the valid neighbours still listed
root=$TMPROOT/hostile
mkdir -p "$root/site/junk-1.0.dist-info" "$root/site/good-1.0.dist-info" "$root/gems/specifications" \
  "$root/app/vendor/composer" "$root/ok/vendor/composer" "$root/dotnet"
head -c 65536 /dev/urandom >"$root/site/junk-1.0.dist-info/METADATA"
printf 'Metadata-Version: 2.1\nName: good\nVersion: 1.0\n' >"$root/site/good-1.0.dist-info/METADATA"
head -c 65536 /dev/urandom >"$root/gems/specifications/junk-1.0.gemspec"
printf 'Gem::Specification.new do |s|\n  s.name = "good".freeze\n  s.version = "2.0"\nend\n' \
  >"$root/gems/specifications/good-2.0.gemspec"
# 20 MB of nested arrays: larger than the analyzer reads (and far deeper than JSON may nest)
python3 -c 'import sys; sys.stdout.write("[" * 10485760 + "]" * 10485760)' >"$root/app/vendor/composer/installed.json"
printf '{"packages": [{"name": "good/pkg", "version": "3.0"}]}' >"$root/ok/vendor/composer/installed.json"
printf '{"libraries": {"Dup/1.0.0": {"type": "package"}, "Dup/1.0.0": {"type": "package"}}}' >"$root/dotnet/dup.deps.json"
printf '{"libraries": {"Good/4.0.0": {"type": "package"}}}' >"$root/dotnet/good.deps.json"
out=$TMPROOT/hostile.json err=$TMPROOT/hostile.err
timeout 120 "$BULWARK" sbom --format json -o "$out" "dir:$root" 2>"$err"
t_eq "hostile: exit 0" 0 "$?"
for f in site/junk-1.0.dist-info/METADATA gems/specifications/junk-1.0.gemspec app/vendor/composer/installed.json \
  dotnet/dup.deps.json; do
  t_eq "hostile: one warning naming /$f" 1 "$(grep -c "/$f: analyzer" "$err")"
done
t_eq "hostile: four warnings in all" 4 "$(grep -c '' "$err")"
t_eq "hostile: valid neighbours listed" "composer:good/pkg:3.0 gem:good:2.0 nuget:Good:4.0.0 pypi:good:1.0" \
  "$(jq -r '[.packages[] | "\(.type):\(.name):\(.version)"] | sort | join(" ")' "$out")"
t_check "hostile: oversized installed.json named as too large" grep -q 'installed.json: analyzer php: larger than' "$err"
t_check "hostile: duplicate deps.json key named" grep -qi 'dup.deps.json.*dup' "$err"
exit 0
