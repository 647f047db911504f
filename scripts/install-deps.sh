#!/usr/bin/env bash
# Installs the Debian 12 packages bulwark needs to build, test and run its demo,
# skipping those already present. Needs root (or sudo) only when something is missing.
set -euo pipefail

PACKAGES=(
  # build
  gcc make pkg-config meson ninja-build
  libarchive-dev libisal-dev libjansson-dev libzstd-dev zlib1g-dev libssl-dev libsqlite3-dev libyaml-dev libcurl4-openssl-dev
  # tests: unit tests, fuzzers (clang + libFuzzer/sanitizer runtimes), oracles
  libcmocka-dev clang libclang-rt-14-dev python3 python3-jsonschema skopeo umoci jq zstd rpm sqlite3
  # oracles for version ordering and vulnerability matching (tests/integration/versions.sh, vuln*.sh):
  # RubyGems, Composer, node-semver, libapt, packaging, and a JDK to run the Maven oracle as a source file
  python3-packaging python3-apt python3-yaml nodejs npm ruby php-cli php-composer-semver default-jdk-headless
  # CVSS oracle for 2.0/3.x scores (tests/integration/cvss.sh; Debian has no python3-cvss)
  ruby-cvss-suite
  # oracle for SPDX license expressions (tests/integration/policy_licenses.sh)
  python3-license-expression
  # registry tests: a real registry on loopback, TLS certificates, htpasswd
  docker-registry openssl apache2-utils python3-cryptography
  # fixtures (../shared/fixtures/build-images.sh) and the demo image
  debootstrap ca-certificates
  # pin/record tests: patch(1) applies pin's diff, the sqlite3 CLI reads the records store
  patch sqlite3
  # benchmarks: igzip is the decompression floor; GNU time reads peak RSS
  isal time bc
  # the HTML report rendered headless (tests/integration/reports.sh)
  chromium
  # signing (issue 10): cosign key secretbox, PKCS#11 header, SoftHSM2 token and tools, the Python oracle's NaCl
  libsodium-dev libp11-kit-dev softhsm2 opensc python3-nacl
  # secrets: Hyperscan (one streaming database for every rule) and PCRE2 (captures)
  libhyperscan-dev libpcre2-dev
)

# Packages whose only use is a command: a working command installed some other
# way (a vendor JDK, nodesource's node) satisfies them, and apt would refuse to
# install over it.
declare -A BY_COMMAND=([nodejs]=node [npm]=npm [default-jre-headless]=java [default-jdk-headless]=javac)

missing=()
for p in "${PACKAGES[@]}"; do
  if [ -n "${BY_COMMAND[$p]:-}" ] && command -v "${BY_COMMAND[$p]}" >/dev/null; then
    continue
  fi
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root to install: ${missing[*]}" >&2; exit 1; }
  SUDO=sudo
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
