#!/usr/bin/python3
"""tests/oracles/fixture_packages.py: a fixture image's ground-truth package list as the
PKGS.json that vuln_oracle.py matches.

  fixture_packages.py EXPECTED_IMAGE_DIR > PKGS.json

EXPECTED_IMAGE_DIR is <fixture cache>/expected/<image>/ (tests/lib/fixtures.sh prints the
images directory; `expected` sits beside it). Its packages.json was read back from the built
image with the real tools (dpkg-query, rpm, importlib.metadata, npm ls, Gem::Specification,
go version -m, the jars' pom.properties); image.json holds the image's os-release.

Conversion, per packages.json key:
  deb     type deb, with source_name/source_version (dpkg's Source and its version)
  rpm     type rpm, version "[epoch:]version-release" (the evr field)
  python  type pypi, the name as given (the oracle normalises it)
  npm     type npm; one copy per distinct name and version
  gem     type gem (default and bundled gems included, as Gem::Specification lists them)
  go      type golang; the toolchain `stdlib` go1.19.8 becomes 1.19.8; main modules whose
          version is (devel) are skipped
  maven   type maven, name "group:artifact"; a jar known only by its MANIFEST.MF has no
          group id and is skipped (reported on stderr)
Duplicates (same type, name and version, e.g. a dist-info and an egg-info of one
distribution) are listed once.
"""
import json
import os
import sys


def note(msg):
	print("fixture_packages: " + msg, file=sys.stderr)


def convert(expected_dir):
	with open(os.path.join(expected_dir, "packages.json")) as fh:
		packages = json.load(fh)
	with open(os.path.join(expected_dir, "image.json")) as fh:
		os_release = json.load(fh).get("os_release") or {}
	out = []
	seen = set()

	def add(entry):
		key = (entry["type"], entry["name"], entry["version"])
		if key not in seen:
			seen.add(key)
			out.append(entry)

	for p in packages.get("deb", []):
		add({"type": "deb", "name": p["name"], "version": p["version"],
		     "source_name": p.get("source") or p["name"],
		     "source_version": p.get("source_version") or p["version"]})
	for p in packages.get("rpm", []):
		evr = p.get("evr")
		if not evr:
			evr = "%s-%s" % (p["version"], p["release"])
			if p.get("epoch") is not None:
				evr = "%s:%s" % (p["epoch"], evr)
		add({"type": "rpm", "name": p["name"], "version": evr})
	for p in packages.get("python", []):
		# Debian installs its python3-* packages under /usr/lib/python3/dist-packages (Debian
		# Python policy; pip uses /usr/local/lib/python3.X/dist-packages): those are the
		# distribution's packages, matched as debs, not against PyPI (docs/matching.md)
		if (p.get("metadata_path") or "").startswith("/usr/lib/python3/dist-packages/"):
			continue
		add({"type": "pypi", "name": p["name"], "version": p["version"]})
	for p in packages.get("npm", []):
		add({"type": "npm", "name": p["name"], "version": p["version"]})
	for p in packages.get("gem", []):
		add({"type": "gem", "name": p["name"], "version": p["version"]})
	for p in packages.get("go", []):
		if p.get("main_module") or p["version"] == "(devel)":
			continue
		version = p["version"]
		if p["name"] == "stdlib" and version.startswith("go"):
			version = version[2:]
		add({"type": "golang", "name": p["name"], "version": version})
	for p in packages.get("maven", []):
		if not p.get("group"):
			note("%s %s at %s has no group id (identified by %s), skipped" % (
				p.get("artifact"), p.get("version"), p.get("location"), p.get("identified_by")))
			continue
		add({"type": "maven", "name": "%s:%s" % (p["group"], p["artifact"]), "version": p["version"]})
	return {"distro": {"family": os_release.get("ID", ""), "version": os_release.get("VERSION_ID", "")},
		"packages": out}


def main(argv):
	if len(argv) != 1:
		print(__doc__.split("\n\n")[1].strip(), file=sys.stderr)
		return 2
	json.dump(convert(argv[0]), sys.stdout, indent=1)
	sys.stdout.write("\n")
	return 0


if __name__ == "__main__":
	sys.exit(main(sys.argv[1:]))
