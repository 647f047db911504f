#!/usr/bin/env bash
# tests/integration/versions.sh: src/version against ground truth it did not
# write itself, through build/bw-vercmp.
#
#  1. vectors (needs ../shared): every comparison line of the shared vector
#     files (data/versions: osv-scalibr's and claircore's) for our schemes must
#     agree, except the lines listed in tests/oracles/vector-deviations.tsv,
#     where the file and the reference implementation disagree; there we must
#     answer what the reference answers (checked by running it, where we can).
#  2. differential (the pair generator reads ../shared and the fixtures when
#     present, and makes its own edge cases anyway): for each scheme at least
#     10,000 pairs (tests/oracles/pairs.py) compared with the real
#     implementation: dpkg (libapt in bulk, the real dpkg for what libapt
#     cannot judge and a sample), rpm's own rpm.vercmp (Lua), node-semver for
#     npm/Cargo and Go, packaging for PyPI, Maven 3.8.7's ComparableVersion,
#     RubyGems' Gem::Version, Composer's VersionParser + version_compare. Prints
#     the pair count and every disagreement; the bar is zero. apk and NuGet have
#     no implementation in Debian: the vectors and unit tests cover them.
#  3. speed: 100,000 lines through bw-vercmp well under a second.
#
# Oracles: /usr/bin/python3 with python3-packaging and python3-apt, dpkg, rpm,
# node (the semver package is installed once into ~/.cache/bulwark-oracles),
# java (JDK: the oracle is a single-file source program) with
# /usr/share/java/maven3-artifact.jar (fetched with apt-get download into the
# cache when libmaven3-core-java is not installed), ruby, php with
# php-composer-semver. scripts/install-deps.sh installs them.
. "$(dirname "$0")/../lib/harness.sh"

VERCMP=${VERCMP:-$TOP/build/bw-vercmp}
ORACLES=$TOP/tests/oracles
PY=/usr/bin/python3
CACHE=${BULWARK_ORACLE_CACHE:-$HOME/.cache/bulwark-oracles}
W=$TMPROOT/versions
mkdir -p "$W"

if [ ! -x "$VERCMP" ]; then
  t_fail "versions: bw-vercmp" "$VERCMP is not built"
  exit 0
fi

# ------------------------------------------------------------ oracles
SEMVER_MOD=$CACHE/node_modules/semver
semver_oracle() {
  if [ ! -f "$SEMVER_MOD/package.json" ]; then
    mkdir -p "$CACHE"
    npm install --silent --no-audit --no-fund --prefix "$CACHE" semver@7 >"$W/npm.log" 2>&1 || return 1
  fi
  command -v node >/dev/null
}

# the maven-artifact jar: Debian's, or one unpacked from its .deb into the cache
maven_jar() {
  if [ -f /usr/share/java/maven3-artifact.jar ]; then
    echo /usr/share/java/maven3-artifact.jar
  else
    echo "$CACHE/maven/usr/share/java/maven3-artifact.jar"
  fi
}
maven_oracle() {
  local jar
  jar=$(maven_jar)
  if [ ! -f "$jar" ]; then
    mkdir -p "$CACHE/deb" "$CACHE/maven"
    (cd "$CACHE/deb" && apt-get download libmaven3-core-java >"$W/apt.log" 2>&1) || return 1
    dpkg-deb -x "$CACHE"/deb/libmaven3-core-java_*.deb "$CACHE/maven" || return 1
  fi
  [ -f "$jar" ] && command -v java >/dev/null
}

# oracle SCHEME < pairs > answers ("<", "=", ">", "!" per line)
oracle() {
  case $1 in
    pep440) "$PY" "$ORACLES/pep440.py" ;;
    semver) node "$ORACLES/semver.js" "$SEMVER_MOD" ;;
    go) node "$ORACLES/semver.js" "$SEMVER_MOD" go ;;
    rpm) cat >"$W/rpm-in.tsv" && bash "$ORACLES/rpm.sh" "$W/rpm-in.tsv" ;;
    maven) java -cp "$(maven_jar)" "$ORACLES/Cmp.java" ;;
    gem) ruby "$ORACLES/gem.rb" ;;
    composer) php "$ORACLES/composer.php" ;;
    dpkg-apt) "$PY" "$ORACLES/dpkg.py" ;;
    dpkg-real) bash "$ORACLES/dpkg-real.sh" ;;
    *) return 1 ;;
  esac
}

# have_oracle SCHEME: why not, on stdout, when the reference cannot run
have_oracle() {
  case $1 in
    pep440) "$PY" -c 'import packaging.version' 2>/dev/null || echo "python3-packaging missing" ;;
    dpkg*) "$PY" -c 'import apt_pkg' 2>/dev/null && command -v dpkg >/dev/null || echo "python3-apt or dpkg missing" ;;
    semver | go) semver_oracle || echo "node or the semver npm package missing (see $W/npm.log)" ;;
    rpm) command -v rpm >/dev/null || echo "rpm missing" ;;
    maven) maven_oracle || echo "java or maven3-artifact.jar missing" ;;
    gem) command -v ruby >/dev/null || echo "ruby missing" ;;
    composer) command -v php >/dev/null && [ -f /usr/share/php/Composer/Semver/autoload.php ] ||
      echo "php-cli or php-composer-semver missing" ;;
  esac
}

# ours SCHEME < pairs > answers
ours() {
  sed "s/^/$1\t/" | "$VERCMP"
}

# compare NAME PAIRS OURS REF: one line per disagreement, then a summary
compare() {
  local name=$1 pairs=$2 mine=$3 ref=$4 n bad
  n=$(grep -c '' "$pairs")
  if [ "$(grep -c '' "$ref")" != "$n" ] || [ "$(grep -c '' "$mine")" != "$n" ]; then
    t_fail "versions: differential $name" "the oracle or bw-vercmp answered $(grep -c '' "$ref")/$(grep -c '' "$mine") of $n lines"
    return
  fi
  # "~": the reference orders the pair neither way; any strict order will do
  paste "$pairs" "$mine" "$ref" |
    awk -F'\t' '$3 != $4 && !($4 == "~" && ($3 == "<" || $3 == ">")) { printf "# [%s] [%s]: ours %s, reference %s\n", $1, $2, $3, $4 }' >"$W/$name.bad"
  bad=$(grep -c '' "$W/$name.bad")
  if [ "$bad" = 0 ]; then
    t_ok "versions: differential $name: $n pairs, 0 disagreements"
  else
    t_fail "versions: differential $name" "$n pairs, $bad disagreements"
    cat "$W/$name.bad"
  fi
}

# ------------------------------------------------------------ 1. vectors
VECTORS="apk:osv-scalibr/alpine-versions.txt dpkg:osv-scalibr/debian-versions.txt
rpm:osv-scalibr/redhat-versions.txt rpm:claircore/rpmver-rpmvercmp pep440:osv-scalibr/pypi-versions.txt
semver:osv-scalibr/semver-versions.txt maven:osv-scalibr/maven-versions.txt maven:claircore/maven-compare.list
nuget:osv-scalibr/nuget-versions.txt composer:osv-scalibr/packagist-versions.txt gem:osv-scalibr/rubygems-versions.txt"
DEV=$ORACLES/vector-deviations.tsv
if need_shared "versions: vectors"; then
  grep -v '^#' "$DEV" | cut -f1-5 >"$W/deviations"
  : >"$W/deviations-hit"
  for entry in $VECTORS; do
    scheme=${entry%%:*} file=$SHARED/data/versions/${entry#*:}
    name="versions: vectors $scheme ${entry#*:}"
    if [ ! -f "$file" ]; then
      t_fail "$name" "$file is missing"
      continue
    fi
    "$PY" "$ORACLES/vectors.py" "$file" >"$W/vec.tsv" || { t_fail "$name" "unreadable"; continue; }
    cut -f1,2 "$W/vec.tsv" | ours "$scheme" >"$W/vec.ours"
    # SCHEME A OP B OURS for every line that disagrees with the file
    paste "$W/vec.tsv" "$W/vec.ours" |
      awk -F'\t' -v s="$scheme" '$3 != $4 { print s "\t" $1 "\t" $3 "\t" $2 "\t" $4 }' >"$W/vec.bad"
    unexplained=$(grep -vxF -f "$W/deviations" "$W/vec.bad")
    cat "$W/vec.bad" >>"$W/deviations-hit"
    total=$(grep -c '' "$W/vec.tsv")
    if [ -z "$unexplained" ]; then
      t_ok "$name: $total lines agree ($(grep -c '' "$W/vec.bad") listed deviations)"
    else
      t_fail "$name" "$(grep -c '' <<<"$unexplained") of $total lines disagree"
      awk -F'\t' '{ printf "# %s %s %s: ours %s\n", $2, $3, $4, $5 }' <<<"$unexplained"
    fi
  done
  stale=$(grep -vxF -f "$W/deviations-hit" "$W/deviations")
  if [ -z "$stale" ]; then
    t_ok "versions: every listed vector deviation still occurs"
  else
    t_fail "versions: vector deviations" "listed but not seen: $(tr '\t\n' ' ;' <<<"$stale")"
  fi
  # where the reference runs here, it must answer as we do on those lines
  for scheme in $(grep -v '^#' "$DEV" | awk -F'\t' '$6 != "-" { print $1 }' | sort -u); do
    why=$(have_oracle "$scheme")
    if [ -n "$why" ]; then
      t_fail "versions: deviations $scheme confirmed by the reference" "$why"
      continue
    fi
    grep -v '^#' "$DEV" | awk -F'\t' -v s="$scheme" '$1 == s { print $2 "\t" $4 }' >"$W/dev-pairs"
    grep -v '^#' "$DEV" | awk -F'\t' -v s="$scheme" '$1 == s { print $5 }' >"$W/dev-ours"
    oracle "$scheme" <"$W/dev-pairs" >"$W/dev-ref" 2>"$W/dev-ref.err"
    compare "deviations-$scheme" "$W/dev-pairs" "$W/dev-ours" "$W/dev-ref"
  done
fi

# ------------------------------------------------------------ 2. differential
pairs_args=()
[ -d "$SHARED/data" ] && pairs_args+=(--shared "$SHARED")
[ -n "${FIXTURES:-}" ] && [ -d "$FIXTURES/../expected" ] && pairs_args+=(--fixtures "$FIXTURES/../expected")
for f in "$HOME"/.cache/bulwark-fixtures/*/expected; do
  [ -n "${FIXTURES:-}" ] || { [ -d "$f" ] && pairs_args+=(--fixtures "$f") && break; }
done
if ! "$PY" "$ORACLES/pairs.py" "$W/pairs" "${pairs_args[@]}" >"$W/pairs.log" 2>&1; then
  t_fail "versions: pair generator" "$(tail -3 "$W/pairs.log" | tr '\n' ' ')"
  exit 0
fi
sed 's/^/# /' "$W/pairs.log"

for scheme in semver go pep440 rpm maven gem composer; do
  why=$(have_oracle "$scheme")
  if [ -n "$why" ]; then
    t_fail "versions: differential $scheme" "$why"
    continue
  fi
  p=$W/pairs/$scheme.tsv
  ours "$scheme" <"$p" >"$W/$scheme.ours"
  oracle "$scheme" <"$p" >"$W/$scheme.ref" 2>"$W/$scheme.err"
  compare "$scheme" "$p" "$W/$scheme.ours" "$W/$scheme.ref"
done

why=$(have_oracle dpkg)
if [ -n "$why" ]; then
  t_fail "versions: differential dpkg" "$why"
else
  "$PY" "$ORACLES/dpkg-split.py" "$W/pairs/dpkg.tsv" "$W/dpkg-apt.tsv" "$W/dpkg-real.tsv" 300 | sed 's/^/# dpkg: /'
  ours dpkg <"$W/dpkg-apt.tsv" >"$W/dpkg-apt.ours"
  oracle dpkg-apt <"$W/dpkg-apt.tsv" >"$W/dpkg-apt.ref"
  compare dpkg-libapt "$W/dpkg-apt.tsv" "$W/dpkg-apt.ours" "$W/dpkg-apt.ref"
  ours dpkg <"$W/dpkg-real.tsv" >"$W/dpkg-real.ours"
  oracle dpkg-real <"$W/dpkg-real.tsv" >"$W/dpkg-real.ref"
  compare dpkg-real "$W/dpkg-real.tsv" "$W/dpkg-real.ours" "$W/dpkg-real.ref"
fi

for scheme in apk nuget; do
  n=$(grep -c '' "$W/pairs/$scheme.tsv")
  ours "$scheme" <"$W/pairs/$scheme.tsv" >"$W/$scheme.ours"
  if [ "$(grep -c '' "$W/$scheme.ours")" = "$n" ]; then
    t_ok "versions: $scheme: $n pairs answered (no reference implementation in Debian)"
  else
    t_fail "versions: $scheme" "bw-vercmp answered $(grep -c '' "$W/$scheme.ours") of $n lines"
  fi
done

# ------------------------------------------------------------ 3. speed
for i in $(seq 1 9); do cat "$W/pairs/"{dpkg,rpm,pep440,semver,maven}.tsv; done | head -100000 |
  awk -F'\t' 'BEGIN { split("dpkg rpm pep440 semver maven", s, " ") } { print s[NR % 5 + 1] "\t" $0 }' >"$W/speed.tsv"
start=$(date +%s%N)
"$VERCMP" <"$W/speed.tsv" >/dev/null
ms=$((($(date +%s%N) - start) / 1000000))
lines=$(grep -c '' "$W/speed.tsv")
if [ "$ms" -lt 1000 ]; then
  t_ok "versions: $lines lines through bw-vercmp in $ms ms"
else
  t_fail "versions: speed" "$lines lines took $ms ms (want < 1000)"
fi
