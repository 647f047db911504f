#!/usr/bin/env bash
# OS detection: one small image per distribution family, from the release files those
# distributions ship (contents as the distributions write them), through `dir:` roots.
. "$(dirname "$0")/../lib/harness.sh"

# check NAME EXPECTED("family version codename") FILE=CONTENT...
check() {
  local name=$1 want=$2; shift 2
  local root=$TMPROOT/os-$name
  mkdir -p "$root"
  for kv in "$@"; do
    local f=${kv%%=*} c=${kv#*=}
    mkdir -p "$root/$(dirname "$f")"
    if [[ $c == @* ]]; then ln -sfn "${c#@}" "$root/$f"; else printf '%b' "$c" >"$root/$f"; fi
  done
  local got
  got=$("$BULWARK" inspect --format json "dir:$root" | jq -r '.artifact.os | if . == null then "none" else "\(.family) \(.version // "-") \(.codename // "-")" end')
  t_eq "os $name" "$want" "$got"
}

check debian-12 "debian 12 bookworm" \
  'usr/lib/os-release=PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\nVERSION_CODENAME=bookworm\nID=debian\n' \
  'etc/os-release=@../usr/lib/os-release'
check debian-sid "debian trixie/sid -" \
  'etc/os-release=PRETTY_NAME="Debian GNU/Linux trixie/sid"\nNAME="Debian GNU/Linux"\nID=debian\n' 'etc/debian_version=trixie/sid\n'
check distroless "debian 12 -" \
  'etc/os-release=PRETTY_NAME="Distroless"\nNAME="Debian GNU/Linux"\nID="debian"\nVERSION_ID="12"\nVERSION="Debian GNU/Linux 12 (bookworm)"\nHOME_URL="https://github.com/GoogleContainerTools/distroless"\n'
check ubuntu-22.04 "ubuntu 22.04 jammy" \
  'etc/os-release=PRETTY_NAME="Ubuntu 22.04.3 LTS"\nNAME="Ubuntu"\nVERSION_ID="22.04"\nVERSION="22.04.3 LTS (Jammy Jellyfish)"\nVERSION_CODENAME=jammy\nID=ubuntu\nID_LIKE=debian\nUBUNTU_CODENAME=jammy\n'
check alpine-3.18 "alpine 3.18.4 -" \
  'etc/os-release=NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.18.4\nPRETTY_NAME="Alpine Linux v3.18"\n' 'etc/alpine-release=3.18.4\n'
check alpine-old "alpine 3.4.6 -" 'etc/alpine-release=3.4.6\n'
check wolfi "wolfi 20230201 -" 'etc/os-release=ID=wolfi\nNAME="Wolfi"\nPRETTY_NAME="Wolfi"\nVERSION_ID="20230201"\n'
check chainguard "chainguard 20230214 -" 'etc/os-release=ID=chainguard\nNAME="Chainguard"\nPRETTY_NAME="Chainguard"\nVERSION_ID="20230214"\n'
check rhel-9 "redhat 9.2 -" 'etc/os-release=NAME="Red Hat Enterprise Linux"\nVERSION="9.2 (Plow)"\nID="rhel"\nID_LIKE="fedora"\nVERSION_ID="9.2"\n'
check centos-7 "centos 7 -" 'etc/os-release=NAME="CentOS Linux"\nVERSION="7 (Core)"\nID="centos"\nID_LIKE="rhel fedora"\nVERSION_ID="7"\n'
check centos-6 "centos 6.10 Final" 'etc/centos-release=CentOS release 6.10 (Final)\n' 'etc/redhat-release=@centos-release'
check rhel-6 "redhat 6.10 Santiago" 'etc/redhat-release=Red Hat Enterprise Linux Server release 6.10 (Santiago)\n'
check rocky-9 "rocky 9.1 -" 'etc/os-release=NAME="Rocky Linux"\nVERSION="9.1 (Blue Onyx)"\nID="rocky"\nVERSION_ID="9.1"\n'
check alma-9 "alma 9.3 -" 'etc/os-release=NAME="AlmaLinux"\nVERSION="9.3 (Shamrock Pampas Cat)"\nID="almalinux"\nVERSION_ID="9.3"\n'
check oracle-8 "oracle 8.9 -" 'etc/os-release=NAME="Oracle Linux Server"\nVERSION="8.9"\nID="ol"\nVERSION_ID="8.9"\n'
check fedora-39 "fedora 39 -" 'etc/os-release=NAME="Fedora Linux"\nVERSION="39 (Container Image)"\nID=fedora\nVERSION_ID=39\n'
check amazon-2 "amazon 2 -" 'etc/os-release=NAME="Amazon Linux"\nVERSION="2"\nID="amzn"\nVERSION_ID="2"\n'
check amazon-2018 "amazon 2018.03 -" 'etc/system-release=Amazon Linux AMI release 2018.03\n'
check sles-15 "sles 15.5 -" 'etc/os-release=NAME="SLES"\nVERSION="15-SP5"\nVERSION_ID="15.5"\nID="sles"\n'
check opensuse-leap "opensuse-leap 15.5 -" 'etc/os-release=NAME="openSUSE Leap"\nVERSION="15.5"\nID="opensuse-leap"\nVERSION_ID="15.5"\n'
check photon-5 "photon 5.0 -" 'etc/os-release=NAME="VMware Photon OS"\nVERSION="5.0"\nID=photon\nVERSION_ID=5.0\n'
check azurelinux-3 "azurelinux 3.0 -" 'etc/os-release=NAME="Microsoft Azure Linux"\nVERSION="3.0.20240727"\nID=azurelinux\nVERSION_ID="3.0"\n'
check mariner-2 "cbl-mariner 2.0 -" 'etc/os-release=NAME="Common Base Linux Mariner"\nVERSION="2.0.20230303"\nID=mariner\nVERSION_ID="2.0"\n'
check ubuntu-lsb "ubuntu 14.04 trusty" 'etc/lsb-release=DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=14.04\nDISTRIB_CODENAME=trusty\nDISTRIB_DESCRIPTION="Ubuntu 14.04.6 LTS"\n'
check debian-old "debian 8 -" 'etc/debian_version=8.11\n'
check scratch "none" 'app/hello=#!/bin/true\n'
