#!/usr/bin/python3
"""tests/lib/pkgdb_roots.py PKGDB OUT: root filesystems and oracle package lists from
../shared/data/pkgdb.

For each selected fixture folder it writes OUT/NAME/root/ (the fixture's files placed where
they sit in a real image, plus an os-release for the OS databases) and OUT/NAME/pkgs.json
(the oracle's input, built from the folder's EXPECTED.json: the upstream projects' own test
expectations, not from bulwark). Prints the NAMEs.
"""
import json
import os
import shutil
import sys

PKGDB, OUT = sys.argv[1], sys.argv[2]

# folder, package type, where inputs go in the image, distro (family, version, os-release text)
CASES = [
    ("dpkg/trivy-ubuntu-18.04", "deb", "", ("ubuntu", "18.04")),
    ("apk/scalibr-alpine-3.18", "apk", "", ("alpine", "3.18.4")),
    ("cargo/trivy-cargo-normal", "cargo", "app/", None),
    ("cargo/trivy-cargo-mixed", "cargo", "app/", None),
    ("npm/trivy-package-lock-v3", "npm", "app/", None),
    ("composer/trivy-vendor", "composer", "app/", None),
    ("composer/syft-composer_1", "composer", "app/", None),
    ("dotnet/trivy-deps-json", "nuget", "app/", None),
    ("python/trivy-metadata", "pypi", None, None),
    ("ruby/trivy-gemspec", "gem", "usr/local/lib/ruby/gems/3.1.0/specifications/", None),
]


def deb_version(p, prefix=""):
    v = p.get(prefix + "version") or ""
    if p.get(prefix + "release"):
        v += "-" + p[prefix + "release"]
    if p.get(prefix + "epoch"):
        v = "%s:%s" % (p[prefix + "epoch"], v)
    return v


for folder, ptype, where, distro in CASES:
    src = os.path.join(PKGDB, folder)
    name = folder.replace("/", "-")
    root = os.path.join(OUT, name, "root")
    os.makedirs(root, exist_ok=True)
    expected = json.load(open(os.path.join(src, "EXPECTED.json")))
    packages = []
    for case in expected["cases"]:
        inp = case["input"]
        if ptype == "pypi":
            # METADATA of a wheel, PKG-INFO of an egg: into site-packages as the installer lays them out
            for p in case.get("packages", []):
                kind = "egg-info" if inp.endswith("PKG-INFO") else "dist-info"
                d = os.path.join(root, "usr/local/lib/python3.11/site-packages",
                                 "%s-%s.%s" % (p["name"], p["version"], kind))
                os.makedirs(d, exist_ok=True)
                shutil.copy(os.path.join(src, inp), os.path.join(d, "PKG-INFO" if kind == "egg-info" else "METADATA"))
        else:
            dest = os.path.join(root, where, inp)
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            shutil.copy(os.path.join(src, inp), dest)
        for p in case.get("packages", []):
            # dev dependencies of a lock file are not in a production install: bulwark, like
            # Trivy by default, leaves them out (docs/packages.md)
            if str(p.get("dev", "false")).lower() == "true":
                continue
            if ptype == "deb":
                packages.append({"type": "deb", "name": p["name"], "version": deb_version(p),
                                 "source_name": p.get("src_name") or p["name"],
                                 "source_version": deb_version(p, "src_") if p.get("src_version") else deb_version(p)})
            elif ptype == "apk":
                packages.append({"type": "apk", "name": p["name"], "version": p["version"],
                                 "source_name": p.get("origin") or p["name"], "source_version": p["version"]})
            else:
                packages.append({"type": ptype, "name": p["name"], "version": p["version"]})
    if distro:
        os.makedirs(os.path.join(root, "etc"), exist_ok=True)
        with open(os.path.join(root, "etc/os-release"), "w") as f:
            f.write("ID=%s\nVERSION_ID=%s\n" % distro)
    with open(os.path.join(OUT, name, "pkgs.json"), "w") as f:
        json.dump({"distro": {"family": distro[0] if distro else "", "version": distro[1] if distro else ""},
                   "packages": packages}, f)
    print(name)
