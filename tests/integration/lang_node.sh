#!/usr/bin/env bash
# Node.js packages (`bulwark sbom`, type npm):
#   - kitchen-sink: the installed copies (node_modules/**/package.json) equal ../shared's
#     ground truth (name, version, path, license, layer) and `npm ls --all` run in /app/node;
#     the one lock file of a project without node_modules (a vscode extension inside a
#     Ruby gem) gives exactly its non-dev entries, as jq reads them from the same file;
#   - ../shared/data/pkgdb/npm: the upstream parsers' expectations (package.json placed as
#     an installed copy; package-lock.json v1 and v3 as a project's lock file);
#   - lock files written here (yarn v1/berry, pnpm 5/6/9) and the precedence rules;
#   - hostile inputs made here: each is exit 0, one warning naming the file, and the
#     other packages still listed.
. "$(dirname "$0")/../lib/harness.sh"

npm_of() { # JSON -> "name\tversion" of npm packages, sorted
  jq -r '.packages[] | select(.type == "npm") | [.name, .version] | @tsv' "$1" | LC_ALL=C sort
}
sbom_dir() { # ROOT OUT ERR: bulwark sbom of a directory; prints the exit code
  local rc=0
  timeout 300 "$BULWARK" sbom --format json -o "$2" "dir:$1" 2>"$3" || rc=$?
  echo "$rc"
}

# --- kitchen-sink: equality with the ground truth
if need_shared "node kitchen-sink"; then
  FIXTURES=${FIXTURES:-$("$TOP/tests/lib/fixtures.sh" "$SHARED")}
  EXPECTED=$(dirname "$FIXTURES")/expected/kitchen-sink
  IMG=$FIXTURES/kitchen-sink/oci
  out=$TMPROOT/ks.json
  t_run_expect "kitchen-sink sbom" 0 "" -- "$BULWARK" sbom --format json -o "$out" "oci:$IMG:latest"
  installed='.packages[] | select(.type == "npm" and (.path | endswith("/package.json")))'
  t_eq "kitchen-sink npm installed copies = ground truth ($(jq '.npm | length' "$EXPECTED/packages.json"))" \
    "$(jq -r '.npm[] | [.name, .version, .path, .license, .layer] | @tsv' "$EXPECTED/packages.json" | LC_ALL=C sort)" \
    "$(jq -r "$installed | [.name, .version, .path, (.licenses | join(\",\")), .layer_index] | @tsv" "$out" | LC_ALL=C sort)"
  # npm ls --all: every (name, version) of the tree, deduped, as npm itself resolved it
  t_eq "kitchen-sink npm (name, version) = npm ls --all" \
    "$(jq -r 'def deps: (.dependencies // {}) | to_entries[] | ([.key, .value.version] | @tsv), (.value | deps); deps' \
        "$EXPECTED/raw/npm-ls_app_node.json" | LC_ALL=C sort -u)" \
    "$(jq -r "$installed | select(.path | startswith(\"/app/node/\")) | [.name, .version] | @tsv" "$out" | LC_ALL=C sort -u)"
  t_eq "kitchen-sink npm purls" "pkg:npm/%40hapi/hoek@8.2.0 0" \
    "$(jq -r '[.packages[] | select(.name == "@hapi/hoek") | .purl][0]' "$out") $(jq '[.packages[] | select(.type == "npm" and (.purl | test("^pkg:npm/(%40[^/@]+/)?[^/@%]+@[^@]+$") | not))] | length' "$out")"
  t_eq "kitchen-sink: the project's own package.json and the hidden lock are not packages" "0" \
    "$(jq '[.packages[] | select(.type == "npm" and (.path == "/app/node/package.json" or (.path | test("node_modules/\\.package-lock|/app/node/package-lock"))))] | length' "$out")"
  # a lock file shipped inside an installed package of another ecosystem (a vscode
  # extension inside the typeprof gem) describes its authors' tree, not installed software
  lock=usr/lib/ruby/gems/3.1.0/gems/typeprof-0.21.2/vscode/package-lock.json
  x=$TMPROOT/ks-x
  mkdir -p "$x"
  for b in "$IMG"/blobs/sha256/*; do
    tar -xzf "$b" -C "$x" "$lock" 2>/dev/null || true
  done
  if [ -f "$x/$lock" ]; then
    t_eq "kitchen-sink: the lock file inside the typeprof gem lists no packages" "0" \
      "$(jq "[.packages[] | select(.path == \"/$lock\")] | length" "$out")"
  else
    t_fail "kitchen-sink vscode lock file" "not found in the layers"
  fi
fi

# --- the upstream expectations of ../shared/data/pkgdb/npm
if need_shared "node pkgdb"; then
  P=$SHARED/data/pkgdb/npm
  # package.json: the project's own file is not a package; installed, it is the expected one
  root=$TMPROOT/pkgjson
  mkdir -p "$root/app/node_modules/bootstrap" "$root/app/node_modules/tv4"
  cp "$P/trivy-package-json/package.json" "$root/app/package.json"
  cp "$P/trivy-package-json/package.json" "$root/app/node_modules/bootstrap/package.json"
  cp "$P/trivy-package-json/legacy_array_package.json" "$root/app/node_modules/tv4/package.json"
  rc=$(sbom_dir "$root" "$TMPROOT/pkgjson.json" "$TMPROOT/pkgjson.err")
  t_eq "pkgdb trivy-package-json: installed copies = upstream expectation (name, version, licenses)" \
    "0 $(jq -r '[.cases[].packages[] | .name + "@" + .version + ":" + (.licenses | join(","))] | sort | join(" ")' "$P/trivy-package-json/EXPECTED.json")" \
    "$rc $(jq -r '[.packages[] | .name + "@" + .version + ":" + (.licenses | join(","))] | sort | join(" ")' "$TMPROOT/pkgjson.json")"
  t_eq "pkgdb trivy-package-json: /app/package.json is the project, not a package" "0" \
    "$(jq '[.packages[] | select(.path == "/app/package.json")] | length' "$TMPROOT/pkgjson.json")"
  for v in v1 v3; do
    d=$P/trivy-package-lock-$v
    root=$TMPROOT/lock-$v
    mkdir -p "$root/srv/app"
    cp "$d/package-lock.json" "$root/srv/app/package-lock.json"
    rc=$(sbom_dir "$root" "$TMPROOT/lock-$v.json" "$TMPROOT/lock-$v.err")
    # dev-only entries are not in a runtime image: the expectation without them
    t_eq "pkgdb trivy-package-lock-$v = upstream expectation, dev entries left out" \
      "0 $(jq -r '[.cases[].packages[] | select(.dev != "true") | .name + "@" + .version] | unique | join(" ")' "$d/EXPECTED.json")" \
      "$rc $(jq -r '[.packages[] | .name + "@" + .version] | sort | join(" ")' "$TMPROOT/lock-$v.json")"
    # installed packages win: with node_modules beside it, the lock file is not used
    mkdir -p "$root/srv/app/node_modules/left-pad"
    echo '{"name": "left-pad", "version": "1.3.0", "license": "WTFPL"}' >"$root/srv/app/node_modules/left-pad/package.json"
    sbom_dir "$root" "$TMPROOT/lock-$v-nm.json" /dev/null >/dev/null
    t_eq "pkgdb trivy-package-lock-$v: node_modules present, only installed copies" "left-pad	1.3.0" \
      "$(npm_of "$TMPROOT/lock-$v-nm.json")"
  done
fi

# --- lock files written here
root=$TMPROOT/locks
mkdir -p "$root/y1" "$root/berry" "$root/p5" "$root/p9" "$root/both"
printf '# yarn lockfile v1\n\n\n"@babel/code-frame@^7.0.0", "@babel/code-frame@^7.10.4":\n  version "7.12.13"\n  dependencies:\n    js-tokens "^4.0.0"\n\njs-tokens@^4.0.0:\n  version "4.0.0"\n' >"$root/y1/yarn.lock"
printf '__metadata:\n  version: 6\n\n"lodash@npm:^4.17.0":\n  version: 4.17.21\n  linkType: hard\n\n"app@workspace:.":\n  version: 0.0.0-use.local\n' >"$root/berry/yarn.lock"
printf 'lockfileVersion: 5.4\n\npackages:\n\n  /@types/node/14.18.0:\n    dev: false\n\n  /typescript/4.9.5:\n    dev: true\n' >"$root/p5/pnpm-lock.yaml"
printf "lockfileVersion: '9.0'\n\npackages:\n\n  'react-dom@18.2.0':\n    resolution: {integrity: x}\n\nsnapshots:\n\n  react-dom@18.2.0(react@18.2.0): {}\n" >"$root/p9/pnpm-lock.yaml"
printf '{"lockfileVersion": 3, "packages": {"": {}, "node_modules/ms": {"version": "2.1.3"}}}' >"$root/both/package-lock.json"
printf 'ms@^2:\n  version "2.0.0"\n' >"$root/both/yarn.lock"
rc=$(sbom_dir "$root" "$TMPROOT/locks.json" "$TMPROOT/locks.err")
t_eq "lock files: yarn v1, berry, pnpm 5 (dev left out), pnpm 9; package-lock.json over yarn.lock" \
  "0 @babel/code-frame@7.12.13:/y1/yarn.lock @types/node@14.18.0:/p5/pnpm-lock.yaml js-tokens@4.0.0:/y1/yarn.lock lodash@4.17.21:/berry/yarn.lock ms@2.1.3:/both/package-lock.json react-dom@18.2.0:/p9/pnpm-lock.yaml" \
  "$rc $(jq -r '[.packages[] | .name + "@" + .version + ":" + .path] | sort | join(" ")' "$TMPROOT/locks.json")"
t_eq "lock files: purl of a scoped package" "pkg:npm/%40types/node@14.18.0" \
  "$(jq -r '.packages[] | select(.name == "@types/node") | .purl' "$TMPROOT/locks.json")"

# --- hostile inputs: one warning naming the file, the scan goes on
hostile() { # NAME ROOT FILE-IN-IMAGE: the scan of ROOT warns once about FILE and still lists ok@1.0.0
  local name=$1 root=$2 file=$3 out=$TMPROOT/h-$1.json err=$TMPROOT/h-$1.err rc
  mkdir -p "$root/app/node_modules/ok"
  echo '{"name": "ok", "version": "1.0.0"}' >"$root/app/node_modules/ok/package.json"
  rc=$(sbom_dir "$root" "$out" "$err")
  t_eq "hostile $name: exit 0, one warning naming $file, other packages listed" "0 1 1 1" \
    "$rc $(grep -ci 'warn' "$err") $(grep -c -- "$file" "$err") $(jq '[.packages[] | select(.name == "ok" and .version == "1.0.0")] | length' "$out")"
}
root=$TMPROOT/h-big
mkdir -p "$root/app/node_modules/huge"
printf '{"name": "huge", "version": "1.0.0", "readme": "' >"$root/app/node_modules/huge/package.json"
truncate -s 200M "$root/app/node_modules/huge/package.json" # sparse: no 200 MB on the disk
hostile "package.json of 200 MB" "$root" /app/node_modules/huge/package.json
t_check "hostile package.json of 200 MB: said to be too large" grep -q 'huge/package.json.*larger than' "$TMPROOT/h-package.json of 200 MB.err"

root=$TMPROOT/h-deep
mkdir -p "$root/proj"
python3 -c '
import sys
n = 10000
sys.stdout.write("{\"lockfileVersion\": 1, \"dependencies\": " + "{\"a\": {\"version\": \"1.0.0\", \"dependencies\": " * n + "{}" + "}}" * n + "}")
' >"$root/proj/package-lock.json"
hostile "package-lock.json nested 10,000 deep" "$root" /proj/package-lock.json

root=$TMPROOT/h-line
mkdir -p "$root/proj"
{ printf 'a@^1:\n  version "1.0.0"\n\n"b@'; head -c 10485760 /dev/zero | tr '\0' 'x'; printf '":\n  version "2.0.0"\n'; } >"$root/proj/yarn.lock"
hostile "yarn.lock with a 10 MB line" "$root" /proj/yarn.lock
t_check "hostile yarn.lock with a 10 MB line: says which line" grep -q 'yarn.lock.*line 4 is longer' "$TMPROOT/h-yarn.lock with a 10 MB line.err"
exit 0
