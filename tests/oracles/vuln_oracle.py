#!/usr/bin/python3
"""tests/oracles/vuln_oracle.py: an independent oracle for vulnerability matching.

It reads the same advisory feeds bulwark imports and decides, from docs/matching.md alone,
which installed packages each advisory record applies to. It shares no code with src/ (it
must never read or import it): the version orderings live in versions.py beside this file,
each checked against the shared vector files by the `selftest` mode.

  vuln_oracle.py match --packages PKGS.json --feed PATH [--feed PATH ...] > FINDINGS.json
  vuln_oracle.py selftest [--shared DIR]

PKGS.json is {"distro": {"family", "version"}, "packages": [{"type", "name", "version",
"source_name"?, "source_version"?}]}. The output is a JSON array with one object per
(package, advisory record) that applies, sorted; nothing is merged across records (the
tests merge by "ids"):
  {"type", "package", "installed_version", "advisory", "ids", "fixed_version",
   "status": fixed|affected|will_not_fix, "severity": LOW|MEDIUM|HIGH|CRITICAL|UNKNOWN}

Feeds are recognised by content, as the importer must: a directory tree, a .tar.gz/.tgz/
.tar/.zip archive, or a single file (.json, .json.gz, .yaml) holding OSV records (one per
file, a list, or a {"vulns": [...]} wrapper), the Debian security tracker JSON export, a
Debian DSA/DLA/DTSA `list` file, or an Alpine/Wolfi/Chainguard secdb (JSON or YAML).
"""
import argparse
import functools
import gzip
import io
import json
import math
import os
import re
import sys
import tarfile
import time
import zipfile

# no __pycache__ left in the source tree by a test run
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import versions as V  # noqa: E402

try:
	import yaml
	# Every YAML scalar stays a string: a secfixes key 1.10 must not become the float 1.1.
	_YAML_LOADER = getattr(yaml, "CBaseLoader", yaml.BaseLoader)
except ImportError:
	yaml = None

# Debian release codenames the contract maps to release numbers (docs/matching.md).
DEBIAN_CODENAMES = {"buster": "10", "bullseye": "11", "bookworm": "12", "trixie": "13",
		    "forky": "14"}

# Families whose rpm packages are matched against the RHEL-compatible OSV ecosystems.
RPM_FAMILIES = ("almalinux", "rocky", "rhel", "centos")

# Only these fields of an OSV record name the same flaw as its id (docs/matching.md:
# "share an id or alias"); `related` and `upstream` are other flaws or parents.
OSV_ALIAS_FIELDS = ("aliases",)

SEVERITIES = ("LOW", "MEDIUM", "HIGH", "CRITICAL", "UNKNOWN")
STATUS_STRENGTH = {"fixed": 3, "affected": 2, "will_not_fix": 1}


def warn(msg):
	print("vuln_oracle: " + msg, file=sys.stderr)


# ============================================================================ severity

_SEVERITY_WORDS = {
	"low": "LOW", "negligible": "LOW", "unimportant": "LOW",
	"moderate": "MEDIUM", "medium": "MEDIUM",
	"high": "HIGH", "important": "HIGH",
	"critical": "CRITICAL",
}


def severity_word(word):
	"""A severity label from a feed (any case, Debian's trailing '*' ignored)."""
	if not isinstance(word, str):
		return "UNKNOWN"
	return _SEVERITY_WORDS.get(word.strip().rstrip("*").strip().lower(), "UNKNOWN")


def severity_of_score(score):
	"""CVSS qualitative rating of a base score (the v3 scale; 0.0 'None' has no rating)."""
	if score is None or score <= 0:
		return "UNKNOWN"
	if score < 4.0:
		return "LOW"
	if score < 7.0:
		return "MEDIUM"
	if score < 9.0:
		return "HIGH"
	return "CRITICAL"


def _cvss_metrics(vector):
	out = {}
	for part in vector.split("/"):
		if ":" in part:
			k, _, v = part.partition(":")
			out[k] = v
	return out


def _roundup_v31(x):
	# CVSS v3.1 Appendix A: round up to one decimal, robust to float error
	i = int(round(x * 100000))
	if i % 10000 == 0:
		return i / 100000.0
	return (math.floor(i / 10000) + 1) / 10.0


def cvss3_base_score(vector):
	"""CVSS v3.0/v3.1 base score from a vector (specification section 7.1)."""
	m = _cvss_metrics(vector)
	try:
		changed = m["S"] == "C"
		av = {"N": 0.85, "A": 0.62, "L": 0.55, "P": 0.2}[m["AV"]]
		ac = {"L": 0.77, "H": 0.44}[m["AC"]]
		pr = {"N": 0.85, "L": 0.68 if changed else 0.62, "H": 0.5 if changed else 0.27}[m["PR"]]
		ui = {"N": 0.85, "R": 0.62}[m["UI"]]
		cia = [{"H": 0.56, "L": 0.22, "N": 0.0}[m[k]] for k in ("C", "I", "A")]
	except KeyError:
		return None
	iss = 1 - (1 - cia[0]) * (1 - cia[1]) * (1 - cia[2])
	if changed:
		impact = 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02) ** 15
	else:
		impact = 6.42 * iss
	exploitability = 8.22 * av * ac * pr * ui
	if impact <= 0:
		return 0.0
	roundup = _roundup_v31 if vector.startswith("CVSS:3.1") else (lambda x: math.ceil(x * 10 - 1e-9) / 10.0)
	if changed:
		return roundup(min(1.08 * (impact + exploitability), 10))
	return roundup(min(impact + exploitability, 10))


def cvss2_base_score(vector):
	"""CVSS v2 base score (specification section 3.2.1)."""
	m = _cvss_metrics(vector)
	try:
		av = {"L": 0.395, "A": 0.646, "N": 1.0}[m["AV"]]
		ac = {"H": 0.35, "M": 0.61, "L": 0.71}[m["AC"]]
		au = {"M": 0.45, "S": 0.56, "N": 0.704}[m["Au"]]
		cia = [{"N": 0.0, "P": 0.275, "C": 0.660}[m[k]] for k in ("C", "I", "A")]
	except KeyError:
		return None
	impact = 10.41 * (1 - (1 - cia[0]) * (1 - cia[1]) * (1 - cia[2]))
	exploitability = 20 * av * ac * au
	f = 0 if impact == 0 else 1.176
	return round(((0.6 * impact) + (0.4 * exploitability) - 1.5) * f + 1e-9, 1)


def cvss_base_score(entry):
	"""Score of one OSV severity[] entry, or None when it is not a CVSS v2/v3 vector.
	CVSS v4 vectors are not scored by this oracle (their score needs the specification's
	macro-vector table)."""
	vector = entry.get("score") if isinstance(entry, dict) else None
	if not isinstance(vector, str):
		return None
	if vector.startswith("CVSS:3."):
		return cvss3_base_score(vector)
	if entry.get("type") == "CVSS_V2" or re.match(r"^\(?AV:[LAN]/AC:[HML]/Au:[MSN]/", vector):
		return cvss2_base_score(vector.strip("()"))
	return None


# ============================================================================ feeds

class Feeds:
	"""Everything imported, in the shapes the matchers below use."""

	def __init__(self):
		self.osv = {}			# (ecosystem, key) -> [(record, affected entry)]
		self.osv_records = 0
		self.debian_json = []		# (source, id, release number, release dict)
		self.debian_lists = []		# (advisory id, [ids], [(release number, pkg, version)])
		self.secdb = []			# (distro, release or None, pkg name, secfixes dict)
		self.debian_releases = set()	# releases some Debian tracker data covered
		self.alpine_releases = set()	# v3.N releases some Alpine secdb covered


def osv_package_key(ecosystem, name):
	"""The name under which a package is looked up in its ecosystem (docs/matching.md)."""
	base = ecosystem.split(":", 1)[0]
	if base == "PyPI":
		return re.sub(r"[-_.]+", "-", name).lower()
	if base in ("Packagist", "NuGet"):
		return name.lower()
	return name


def add_osv_record(feeds, rec, origin):
	"""Index one OSV record by every (ecosystem, package) it names."""
	if not isinstance(rec, dict) or not isinstance(rec.get("id"), str):
		warn("%s: not an OSV record (no id), skipped" % origin)
		return
	feeds.osv_records += 1
	if rec.get("withdrawn") not in (None, "", "null", "~"):
		return
	for entry in rec.get("affected") or []:
		if not isinstance(entry, dict):
			continue
		pkg = entry.get("package") or {}
		eco, name = pkg.get("ecosystem"), pkg.get("name")
		if not isinstance(eco, str) or not isinstance(name, str):
			continue
		feeds.osv.setdefault((eco, osv_package_key(eco, name)), []).append((rec, entry))


def load_osv_document(feeds, doc, origin):
	"""One parsed JSON/YAML document that holds OSV records in any of their wrappings."""
	if isinstance(doc, list):
		for rec in doc:
			add_osv_record(feeds, rec, origin)
	elif isinstance(doc, dict) and isinstance(doc.get("vulns"), list):
		for rec in doc["vulns"]:
			add_osv_record(feeds, rec, origin)
	else:
		add_osv_record(feeds, doc, origin)


def load_debian_tracker_json(feeds, doc, origin):
	"""{source: {CVE: {releases: {codename: {status, fixed_version, urgency, nodsa...}}}}}"""
	n = 0
	for source, issues in doc.items():
		if not isinstance(issues, dict):
			continue
		for vuln_id, issue in issues.items():
			releases = issue.get("releases") if isinstance(issue, dict) else None
			if not isinstance(releases, dict):
				continue
			for codename, rel in releases.items():
				number = DEBIAN_CODENAMES.get(codename)
				if number is None or not isinstance(rel, dict):
					continue
				feeds.debian_json.append((source, vuln_id, number, rel))
				feeds.debian_releases.add(number)
				n += 1
	return n


_LIST_HEADER = re.compile(r"^\[[^\]]*\]\s+((?:DSA|DLA|DTSA)-[0-9]+(?:-[0-9]+)?)\s")
_LIST_IDS = re.compile(r"^\s+\{([^}]*)\}")
_LIST_FIX = re.compile(r"^\s+\[([a-z-]+)\]\s+-\s+(\S+)\s+(\S+)")


def looks_like_debian_list(text):
	for line in text.splitlines()[:5]:
		if _LIST_HEADER.match(line):
			return True
	return False


def load_debian_list(feeds, text, origin):
	"""The tracker's DSA/DLA/DTSA `list` text format: a header line per advisory, then
	indented `{CVE ...}` and `[codename] - package version` lines."""
	current = None
	n = 0
	for line in text.splitlines():
		m = _LIST_HEADER.match(line)
		if m:
			current = (m.group(1), [], [])
			feeds.debian_lists.append(current)
			n += 1
			continue
		if current is None:
			continue
		m = _LIST_IDS.match(line)
		if m:
			current[1].extend(m.group(1).split())
			continue
		m = _LIST_FIX.match(line)
		if m:
			number = DEBIAN_CODENAMES.get(m.group(1))
			if number is not None:
				current[2].append((number, m.group(2), m.group(3)))
				feeds.debian_releases.add(number)
	return n


def secdb_distro(doc):
	"""Which distribution a secdb document describes: (family, release or None)."""
	release = doc.get("distroversion")
	url = " ".join(str(doc.get(k, "")) for k in ("urlprefix", "apkurl", "reponame")).lower()
	if isinstance(release, str) and release:
		return "alpine", release
	if "cgr.dev" in url or "chainguard" in url:
		return "chainguard", None
	return "wolfi", None


def load_secdb(feeds, doc, origin):
	family, release = secdb_distro(doc)
	if family == "alpine":
		feeds.alpine_releases.add(release)
	n = 0
	items = doc.get("packages")
	for item in items if isinstance(items, list) else []:
		pkg = item.get("pkg") if isinstance(item, dict) else None
		if not isinstance(pkg, dict) or not isinstance(pkg.get("name"), str):
			continue
		fixes = pkg.get("secfixes") or {}
		if isinstance(fixes, dict):
			feeds.secdb.append((family, release, pkg["name"], fixes))
			n += 1
	return n


def is_secdb(doc):
	# a secdb names its repository; an empty one has "packages": "" (YAML's empty value)
	return (isinstance(doc, dict) and "packages" in doc and "id" not in doc
		and ("reponame" in doc or "distroversion" in doc or "apkurl" in doc
		     or isinstance(doc.get("packages"), list)))


def is_debian_tracker_json(doc):
	if not isinstance(doc, dict) or not doc:
		return False
	for issues in doc.values():
		if isinstance(issues, dict):
			for issue in issues.values():
				return isinstance(issue, dict) and "releases" in issue
	return False


def load_document(feeds, doc, origin):
	"""Dispatch a parsed JSON or YAML document by its shape."""
	if is_secdb(doc):
		load_secdb(feeds, doc, origin)
	elif isinstance(doc, dict) and "id" not in doc and "vulns" not in doc and is_debian_tracker_json(doc):
		load_debian_tracker_json(feeds, doc, origin)
	elif isinstance(doc, (dict, list)):
		load_osv_document(feeds, doc, origin)
	else:
		warn("%s: not a feed document, skipped" % origin)


def load_bytes(feeds, data, name):
	"""One file's content, recognised by its name and then by its content."""
	low = name.lower()
	if low.endswith((".tar.gz", ".tgz", ".tar")):
		with tarfile.open(fileobj=io.BytesIO(data)) as tar:
			for member in tar:
				if member.isfile():
					load_bytes(feeds, tar.extractfile(member).read(), name + "!" + member.name)
		return
	if low.endswith(".zip"):
		with zipfile.ZipFile(io.BytesIO(data)) as zf:
			for info in zf.infolist():
				if not info.is_dir():
					load_bytes(feeds, zf.read(info), name + "!" + info.filename)
		return
	if low.endswith(".gz"):
		load_bytes(feeds, gzip.decompress(data), name[:-3])
		return
	base = os.path.basename(low)
	if low.endswith(".json"):
		load_document(feeds, json.loads(data), name)
	elif low.endswith((".yaml", ".yml")):
		if yaml is None:
			raise RuntimeError("python3-yaml is not installed (needed for %s)" % name)
		for doc in yaml.load_all(data, Loader=_YAML_LOADER):
			if doc is not None:
				load_document(feeds, doc, name)
	else:
		text = data.decode("utf-8", "replace")
		if looks_like_debian_list(text):
			load_debian_list(feeds, text, name)
		elif base not in ("sources.md", "readme.md", "license", ".id-allocator") and not base.endswith(".md"):
			warn("%s: not a recognised feed file, skipped" % name)


def load_feed(feeds, path):
	if os.path.isdir(path):
		for root, dirs, files in os.walk(path):
			dirs.sort()
			for f in sorted(files):
				p = os.path.join(root, f)
				with open(p, "rb") as fh:
					load_bytes(feeds, fh.read(), p)
	else:
		with open(path, "rb") as fh:
			load_bytes(feeds, fh.read(), path)


# ============================================================================ packages

def distro_ecosystems(distro, pkg_type):
	"""The OSV ecosystems whose records apply to an OS package on this distribution."""
	family = (distro.get("family") or "").lower()
	version = str(distro.get("version") or "")
	if pkg_type == "deb" and family == "debian":
		return ["Debian:" + version.split(".")[0]]
	if pkg_type == "deb" and family == "ubuntu":
		return ["Ubuntu:" + version, "Ubuntu:%s:LTS" % version, "Ubuntu:Pro:%s:LTS" % version]
	if pkg_type == "apk" and family == "alpine":
		release = alpine_release(version)
		return ["Alpine:" + release] if release else []
	if pkg_type == "apk" and family == "wolfi":
		return ["Wolfi"]
	if pkg_type == "apk" and family == "chainguard":
		return ["Chainguard"]
	if pkg_type == "rpm" and family in RPM_FAMILIES:
		major = version.split(".")[0]
		return ["AlmaLinux:" + major, "Rocky Linux:" + major]
	return []


def alpine_release(version):
	m = re.match(r"^v?(\d+)\.(\d+)", version)
	return "v%s.%s" % (m.group(1), m.group(2)) if m else None


LANGUAGE_ECOSYSTEMS = {
	"pypi": ("PyPI", "pep440"),
	"npm": ("npm", "semver"),
	"golang": ("Go", "go"),
	"cargo": ("crates.io", "semver"),
	"maven": ("Maven", "maven"),
	"gem": ("RubyGems", "gem"),
	"composer": ("Packagist", "composer"),
	"nuget": ("NuGet", "nuget"),
}
OS_SCHEMES = {"deb": "dpkg", "apk": "apk", "rpm": "rpm"}


def installed_version(pkg):
	"""The version advisories are compared with: dpkg's on the source version."""
	if pkg["type"] == "deb":
		return pkg.get("source_version") or pkg["version"]
	if pkg["type"] == "golang" and pkg.get("name") == "stdlib":
		return re.sub(r"^go", "", pkg["version"])
	return pkg["version"]


def os_key(pkg):
	"""Source (deb) or origin (apk) package name, else the binary name."""
	if pkg["type"] in ("deb", "apk"):
		return pkg.get("source_name") or pkg["name"]
	return pkg["name"]


# ============================================================================ OSV matching

def _event_sort_key(cmp):
	"""Events ordered by version, introduced "0" lowest; at one version an introduced
	comes before the events that end a range."""
	order = {"introduced": 0, "last_affected": 1, "fixed": 2, "limit": 3}

	def compare(x, y):
		(kx, vx), (ky, vy) = x, y
		zx, zy = kx == "introduced" and vx == "0", ky == "introduced" and vy == "0"
		if zx or zy:
			if zx and zy:
				return 0
			return -1 if zx else 1
		r = cmp(vx, vy)
		return r if r else order[kx] - order[ky]
	return functools.cmp_to_key(compare)


def range_contains(events, version, cmp):
	"""(inside, smallest fixed above version) for one range's events (docs/matching.md)."""
	evs = []
	for ev in events:
		if isinstance(ev, dict):
			for kind in ("introduced", "fixed", "last_affected", "limit"):
				if isinstance(ev.get(kind), str):
					evs.append((kind, ev[kind]))
	evs.sort(key=_event_sort_key(cmp))
	inside = False
	for kind, ver in evs:
		if kind == "introduced":
			if ver != "0" and cmp(ver, version) > 0:
				break
			inside = True
		elif kind == "fixed":
			if cmp(ver, version) > 0:
				break
			inside = False
		elif kind == "last_affected":
			if cmp(ver, version) >= 0:
				break
			inside = False
	for kind, ver in evs:
		if kind == "limit" and cmp(version, ver) >= 0:
			inside = False
	if not inside:
		return False, None
	fixes = [ver for kind, ver in evs if kind == "fixed" and cmp(ver, version) > 0]
	smallest = None
	for f in fixes:
		if smallest is None or cmp(f, smallest) < 0:
			smallest = f
	return True, smallest


def osv_entry_match(entry, version, cmp):
	"""None when the affected[] entry does not cover version, else the fixed version
	(None when no containing range has a fix)."""
	listed = any(isinstance(v, str) and cmp(v, version) == 0 for v in entry.get("versions") or [])
	containing = []
	for rng in entry.get("ranges") or []:
		if not isinstance(rng, dict) or rng.get("type") not in ("ECOSYSTEM", "SEMVER"):
			continue
		inside, fix = range_contains(rng.get("events") or [], version, cmp)
		if inside:
			containing.append(fix)
	if not listed and not containing:
		return False, None
	if not containing or any(f is None for f in containing):
		return True, None
	# several ranges hold the version: every one must be left, so the highest fix
	best = containing[0]
	for f in containing[1:]:
		if cmp(f, best) > 0:
			best = f
	return True, best


def osv_severity(rec, entry, distro_ecosystem):
	db = rec.get("database_specific") if isinstance(rec.get("database_specific"), dict) else {}
	if db.get("severity"):
		return severity_word(db["severity"])
	if distro_ecosystem:
		for holder in (entry.get("ecosystem_specific"), entry.get("database_specific")):
			if isinstance(holder, dict) and holder.get("severity"):
				return severity_word(holder["severity"])
		for s in rec.get("severity") or []:
			if isinstance(s, dict) and s.get("type") == "Ubuntu":
				return severity_word(s.get("score"))
	best = None
	for s in list(rec.get("severity") or []) + list(entry.get("severity") or []):
		score = cvss_base_score(s)
		if score is not None and (best is None or score > best):
			best = score
	return severity_of_score(best)


def osv_ids(rec):
	ids = {rec["id"]}
	for field in OSV_ALIAS_FIELDS:
		for a in rec.get(field) or []:
			if isinstance(a, str):
				ids.add(a)
	return sorted(ids)


def match_osv(feeds, pkg, ecosystems, key, version, scheme, distro_ecosystem, out):
	cmp = V.SCHEMES[scheme]
	for eco in ecosystems:
		for rec, entry in feeds.osv.get((eco, osv_package_key(eco, key)), ()):
			hit, fixed = osv_entry_match(entry, version, cmp)
			if not hit:
				continue
			add_finding(out, pkg, rec["id"], osv_ids(rec), fixed,
				    "fixed" if fixed is not None else "affected",
				    osv_severity(rec, entry, distro_ecosystem), scheme)


# ============================================================================ distro feeds

def match_debian_json(feeds, pkg, release, out):
	source, version = os_key(pkg), installed_version(pkg)
	for src, vuln_id, number, rel in feeds.debian_json:
		if src != source or number != release:
			continue
		status = rel.get("status")
		severity = severity_word(rel.get("urgency"))
		if status == "resolved":
			fixed = rel.get("fixed_version")
			if not isinstance(fixed, str) or fixed == "0":
				continue
			if V.dpkg_compare(version, fixed) < 0:
				add_finding(out, pkg, vuln_id, [vuln_id], fixed, "fixed", severity, "dpkg")
		elif status in ("open", "undetermined"):
			eol = str(rel.get("urgency", "")).rstrip("*") == "end-of-life"
			wontfix = "nodsa" in rel or "nodsa_reason" in rel or eol
			add_finding(out, pkg, vuln_id, [vuln_id], None,
				    "will_not_fix" if wontfix else "affected", severity, "dpkg")


def match_debian_lists(feeds, pkg, release, out):
	source, version = os_key(pkg), installed_version(pkg)
	for adv_id, cves, fixes in feeds.debian_lists:
		for number, name, fixed in fixes:
			if number != release or name != source or fixed.startswith("<"):
				continue
			if V.dpkg_compare(version, fixed) < 0:
				add_finding(out, pkg, adv_id, sorted(set([adv_id] + cves)), fixed, "fixed",
					    "UNKNOWN", "dpkg")


def secdb_applies(family, release, distro):
	image_family = (distro.get("family") or "").lower()
	if family == "alpine":
		return image_family == "alpine" and release == alpine_release(str(distro.get("version") or ""))
	if family == "wolfi":
		return image_family in ("wolfi", "chainguard")
	return image_family == "chainguard"


def match_secdb(feeds, pkg, distro, out):
	origin, version = os_key(pkg), installed_version(pkg)
	for family, release, name, fixes in feeds.secdb:
		if name != origin or not secdb_applies(family, release, distro):
			continue
		for fixed, ids in fixes.items():
			if fixed == "0" or not isinstance(ids, list):
				continue  # "0": never affected
			if V.apk_compare(version, fixed) >= 0:
				continue
			for entry in ids:
				words = str(entry).split()
				if words:
					add_finding(out, pkg, words[0], [words[0]], fixed, "fixed", "UNKNOWN", "apk")


# ============================================================================ findings

def add_finding(out, pkg, advisory, ids, fixed, status, severity, scheme):
	"""One finding per (package, advisory record); the same record seen twice (two
	feeds, two secdb repositories) keeps the highest fix and the strongest status."""
	key = (pkg["type"], pkg["name"], pkg["version"], advisory)
	new = {"type": pkg["type"], "package": pkg["name"], "installed_version": pkg["version"],
	       "advisory": advisory, "ids": sorted(set(ids)), "fixed_version": fixed,
	       "status": status, "severity": severity}
	old = out.get(key)
	if old is None:
		out[key] = new
		return
	cmp = V.SCHEMES[scheme]
	if fixed is not None and (old["fixed_version"] is None or cmp(fixed, old["fixed_version"]) > 0):
		old["fixed_version"] = fixed
	if STATUS_STRENGTH[status] > STATUS_STRENGTH[old["status"]]:
		old["status"] = status
	old["ids"] = sorted(set(old["ids"]) | set(ids))
	if old["severity"] == "UNKNOWN":
		old["severity"] = severity


def match_package(feeds, distro, pkg, out):
	ptype = pkg.get("type")
	version = installed_version(pkg)
	if ptype in LANGUAGE_ECOSYSTEMS:
		eco, scheme = LANGUAGE_ECOSYSTEMS[ptype]
		match_osv(feeds, pkg, [eco], pkg["name"], version, scheme, False, out)
		return
	if ptype not in OS_SCHEMES:
		warn("package %s: unknown type %r, skipped" % (pkg.get("name"), ptype))
		return
	family = (distro.get("family") or "").lower()
	ecosystems = distro_ecosystems(distro, ptype)
	if ptype == "deb" and family == "debian":
		release = str(distro.get("version") or "").split(".")[0]
		match_debian_json(feeds, pkg, release, out)
		match_debian_lists(feeds, pkg, release, out)
		if release in feeds.debian_releases:
			ecosystems = []  # the distribution's own feed wins
	if ptype == "apk":
		match_secdb(feeds, pkg, distro, out)
		if family == "alpine" and alpine_release(str(distro.get("version") or "")) in feeds.alpine_releases:
			ecosystems = []
	match_osv(feeds, pkg, ecosystems, os_key(pkg), version, OS_SCHEMES[ptype], True, out)


def run_match(args):
	with open(args.packages) as fh:
		spec = json.load(fh)
	distro = spec.get("distro") or {}
	feeds = Feeds()
	t0 = time.monotonic()
	for path in args.feed:
		load_feed(feeds, path)
	t1 = time.monotonic()
	out = {}
	for pkg in spec.get("packages") or []:
		if not isinstance(pkg, dict) or not isinstance(pkg.get("name"), str) \
				or not isinstance(pkg.get("version"), str):
			warn("package entry without name/version skipped: %r" % (pkg,))
			continue
		match_package(feeds, distro, pkg, out)
	t2 = time.monotonic()
	findings = [out[k] for k in sorted(out)]
	json.dump(findings, sys.stdout, indent=1)
	sys.stdout.write("\n")
	if args.verbose:
		warn("%d OSV records, %d Debian JSON entries, %d DSA/DLA advisories, %d secdb packages;"
		     " %d findings; load %.2fs, match %.2fs" % (
			     feeds.osv_records, len(feeds.debian_json), len(feeds.debian_lists),
			     len(feeds.secdb), len(findings), t1 - t0, t2 - t1))
	return 0


# ============================================================================ selftest

VECTOR_FILES = [
	("apk", "osv-scalibr/alpine-versions.txt"),
	("semver", "osv-scalibr/semver-versions.txt"),
	("maven", "osv-scalibr/maven-versions.txt"),
	("maven", "claircore/maven-compare.list"),
	("gem", "osv-scalibr/rubygems-versions.txt"),
	("dpkg", "osv-scalibr/debian-versions.txt"),
	("rpm", "osv-scalibr/redhat-versions.txt"),
	("rpm", "claircore/rpmver-rpmvercmp"),
	("pep440", "osv-scalibr/pypi-versions.txt"),
	("composer", "osv-scalibr/packagist-versions.txt"),
	("nuget", "osv-scalibr/nuget-versions.txt"),
]
_OPS = {"<": -1, ">": 1, "=": 0, "==": 0}


def read_vectors(path):
	"""`A op B` lines; '#' and '//' start comments."""
	cases = []
	with open(path) as fh:
		for line in fh:
			s = line.strip()
			if not s or s.startswith("#") or s.startswith("//"):
				continue
			parts = s.split()
			if len(parts) != 3 or parts[1] not in _OPS:
				raise ValueError("%s: unreadable vector line %r" % (path, s))
			cases.append((parts[0], _OPS[parts[1]], parts[2]))
	return cases


def check_pairs(name, cmp, cases, failures):
	"""Each case both ways round; returns the number that held."""
	good = 0
	for a, want, b in cases:
		got, back = cmp(a, b), cmp(b, a)
		if got == want and back == -want:
			good += 1
		else:
			failures.append("%s: %s vs %s: want %d, got %d (reversed %d)" % (name, a, b, want, got, back))
	return good


def _run_tool(argv, stdin_text):
	import subprocess
	try:
		res = subprocess.run(argv, input=stdin_text, capture_output=True, text=True, timeout=300)
	except (OSError, subprocess.TimeoutExpired):
		return None
	if res.returncode != 0:
		return None
	return res.stdout.split()


def tool_check(label, argv_builder, pairs, cmp, failures):
	"""Compare our ordering with a real implementation over many pairs; None when the
	tool is not installed."""
	got = argv_builder(pairs)
	if got is None:
		print("selftest: %-34s skipped (tool not installed)" % label)
		return None
	if len(got) != len(pairs):
		failures.append("%s: tool printed %d results for %d pairs" % (label, len(got), len(pairs)))
		return False
	bad = checked = 0
	for (a, b), r in zip(pairs, got):
		if r == "x":
			continue  # the tool has no answer for this pair
		checked += 1
		if cmp(a, b) != V._sign(int(r)):
			bad += 1
			if bad <= 10:
				failures.append("%s: %s vs %s: tool says %s, oracle %d" % (label, a, b, r, cmp(a, b)))
	print("selftest: %-34s %d/%d agree" % (label, checked - bad, checked))
	return bad == 0


def _lua_quote(s):
	# every byte as a decimal escape: safe for any UTF-8 and for rpm's macro expander
	return '"' + "".join("\\%d" % b for b in s.encode("utf-8")) + '"'


def _rpm_tool(pairs):
	import tempfile
	lines = ["local p = {"]
	for a, b in pairs:
		lines.append("{%s, %s}," % (_lua_quote(a), _lua_quote(b)))
	lines.append("}\nlocal out = {}\nfor _, x in ipairs(p) do out[#out+1] = tostring(rpm.vercmp(x[1], x[2])) end\n"
		     "print(table.concat(out, ' '))")
	with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
		fh.write("\n".join(lines))
		script = fh.name
	try:
		return _run_tool(["rpm", "--eval", "%%{lua: dofile(%s)}" % json.dumps(script)], "")
	finally:
		os.unlink(script)


def _ruby_tool(pairs):
	# Gem::Version refuses malformed strings ("1beta"); those pairs print "x"
	prog = ("require 'json'; JSON.parse(STDIN.read).each { |a, b| "
		"puts((Gem::Version.correct?(a) && Gem::Version.correct?(b)) ? "
		"(Gem::Version.new(a) <=> Gem::Version.new(b)) : 'x') }")
	return _run_tool(["ruby", "-e", prog], json.dumps(pairs))


def _php_tool(pairs):
	prog = ('foreach (json_decode(stream_get_contents(STDIN)) as $p) '
		'echo version_compare($p[0], $p[1]), "\\n";')
	return _run_tool(["php", "-r", prog], json.dumps(pairs))


def all_pairs(cases, limit=4000):
	vs = sorted({x for a, _, b in cases for x in (a, b)})
	pairs = [(a, b) for a in vs for b in vs]
	return pairs[:limit]


# Published CVSS examples (FIRST CVSS v3.1 specification, section 8 / user guide; NVD v2).
CVSS_EXAMPLES = [
	("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
	("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0),
	("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 7.5),
	("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1),
	("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8),
	("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N", 5.9),
	("CVSS:3.0/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N", 6.4),
	("CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:N/I:N/A:N", 0.0),
	("AV:N/AC:L/Au:N/C:P/I:P/A:P", 7.5),
	("AV:N/AC:M/Au:N/C:N/I:P/A:N", 4.3),
	("AV:L/AC:L/Au:N/C:C/I:C/A:C", 7.2),
]


def ghsa_records(shared):
	"""GHSA records of the shared data, for the CVSS cross-check."""
	recs = []
	npm_dir = os.path.join(shared, "data/vulndb/osv/ghsa-npm")
	if os.path.isdir(npm_dir):
		for f in sorted(os.listdir(npm_dir)):
			if f.endswith(".json"):
				with open(os.path.join(npm_dir, f)) as fh:
					recs.append(json.load(fh))
	mvn = os.path.join(shared, "data/vulndb/osv/ghsa-maven-sample/zeppelin-server-vulnerabilities.json.gz")
	if os.path.exists(mvn):
		with gzip.open(mvn) as fh:
			recs.extend(json.load(fh)["vulns"])
	return recs


def run_selftest(args):
	shared = args.shared
	vdir = os.path.join(shared, "data/versions")
	failures = []
	total_good = total = 0
	cases_by_scheme = {}
	for scheme, rel in VECTOR_FILES:
		path = os.path.join(vdir, rel)
		cases = read_vectors(path)
		good = check_pairs("%s %s" % (scheme, rel), V.SCHEMES[scheme], cases, failures)
		print("selftest: %-8s %-36s %d/%d" % (scheme, rel, good, len(cases)))
		total_good += good
		total += len(cases)
		cases_by_scheme.setdefault(scheme, []).extend(cases)
	# the real tools, where installed, over every pair of the vector files' versions
	rpm_pairs = all_pairs(cases_by_scheme["rpm"], 40000)
	evr = ["1.0-1", "1:1.0-1", "0:1.0-1", "1.0", "1.0-", "1.0-0", "1.0-1.el9", "1.0-1.el9_1",
	       "2:1.18.1-1.el10_0", "1.6.0-1.module_el8.5.0+2604+960c7771", "3.0.1-43.el9_0",
	       "1:3.0.1-43.el9_0", "1:3.0.7-6.el9_2", "5.1.8-5.el9", "7.76.1-23.el9", "7.76.1-23.el9_2.1",
	       "1.0~rc1-1", "1.0^git1-1", "a:1.0", ":1.0", "1.0-1-2"]
	rpm_pairs += [(a, b) for a in evr for b in evr]
	tool_check("rpm: rpm.vercmp (rpm --eval)", _rpm_tool, rpm_pairs, V.rpm_compare, failures)
	# RubyGems over its own vectors plus the SemVer ones (pre-releases written the gem way)
	gem_cases = cases_by_scheme["gem"] + [(a.lstrip("v"), w, b.lstrip("v"))
					      for a, w, b in cases_by_scheme["semver"]]
	tool_check("gem: Gem::Version (ruby)", _ruby_tool, all_pairs(gem_cases, 20000),
		   V.gem_compare, failures)
	# version_compare() itself, on the strings where Composer adds nothing to it
	# (PHP's strtol saturates past 19 digits, so the huge-number cases are left out)
	plain = [c for c in cases_by_scheme["composer"]
		 if not any(("+" in x) or ("#" in x) or x[:1] in "vV" or re.search(r"\d{19}", x)
			    for x in (c[0], c[2]))]
	tool_check("composer: version_compare (php)", _php_tool, all_pairs(plain),
		   V.composer_compare, failures)
	# arbitrary strings: every ordering answers, and answers antisymmetrically
	import random
	rnd = random.Random(440)
	alphabet = "0123456789.-_+~^:abcprvxzRCA#\u00e9\u00b2 "
	for scheme, cmp in sorted(V.SCHEMES.items()):
		for _ in range(2000):
			a = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 10)))
			b = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 10)))
			try:
				if cmp(a, b) != -cmp(b, a):
					failures.append("%s: %r vs %r is not antisymmetric" % (scheme, a, b))
			except Exception as e:  # an oracle must not die on odd input
				failures.append("%s: %r vs %r raised %r" % (scheme, a, b, e))
	print("selftest: %-34s %d schemes x 2000 random pairs" % ("orderings: total, antisymmetric", len(V.SCHEMES)))
	# CVSS base scores: published examples, then GitHub's labels on the shared GHSA records
	for vector, want in CVSS_EXAMPLES:
		got = cvss_base_score({"type": "CVSS_V3" if vector.startswith("CVSS:3") else "CVSS_V2",
				       "score": vector})
		if got != want:
			failures.append("cvss: %s: want %.1f, got %r" % (vector, want, got))
	print("selftest: %-34s %d examples" % ("cvss: published base scores", len(CVSS_EXAMPLES)))
	agree = compared = 0
	for rec in ghsa_records(shared):
		label = (rec.get("database_specific") or {}).get("severity")
		scores = [cvss_base_score(s) for s in rec.get("severity") or [] if s.get("type") == "CVSS_V3"]
		scores = [s for s in scores if s is not None]
		if label and scores:
			compared += 1
			agree += severity_of_score(max(scores)) == severity_word(label)
	print("selftest: %-34s %d/%d GHSA labels match their CVSS v3 score (informational)" % (
		"cvss: GitHub severity labels", agree, compared))
	if compared and agree < compared * 0.9:
		failures.append("cvss: only %d of %d GitHub labels agree with the computed scores" % (agree, compared))
	for f in failures[:40]:
		print("FAIL " + f)
	print("selftest: %d/%d vector comparisons hold, %d failures" % (total_good, total, len(failures)))
	return 1 if failures else 0


# ============================================================================ main

def main(argv):
	ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
	sub = ap.add_subparsers(dest="cmd", required=True)
	m = sub.add_parser("match", help="match a package list against feeds")
	m.add_argument("--packages", required=True)
	m.add_argument("--feed", action="append", required=True)
	m.add_argument("-v", "--verbose", action="store_true", help="counts and timings on stderr")
	s = sub.add_parser("selftest", help="check every version ordering against the shared vectors")
	here = os.path.dirname(os.path.abspath(__file__))
	s.add_argument("--shared", default=os.environ.get("SHARED", os.path.join(here, "../../../shared")))
	args = ap.parse_args(argv)
	if args.cmd == "match":
		return run_match(args)
	return run_selftest(args)


if __name__ == "__main__":
	sys.exit(main(sys.argv[1:]))
