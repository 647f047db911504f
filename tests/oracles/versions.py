"""tests/oracles/versions.py: the version orderings the vulnerability oracle relies on.

Written independently of src/version/ (which this must never import or read): one
function per scheme, each `compare(a, b)` returning -1, 0 or 1. Where Debian ships the
ecosystem's own implementation it is used directly (dpkg through python3-apt, PEP 440
through python3-packaging); the other schemes are reimplemented here from their published
rules and checked against the shared vector files by `vuln_oracle.py selftest`, and against
the real tools (rpm, ruby, php) when they are installed.

A scheme never raises on odd input: every string has a place in its order, as in the tools
these mirror (apk, rpm, Maven and RubyGems all accept anything), except PEP 440 and SemVer
whose invalid strings get the documented fallbacks below.
"""
import re

try:
	import apt_pkg
	apt_pkg.init_system()
except ImportError:  # selftest reports it; matching deb packages then fails loudly
	apt_pkg = None

try:
	from packaging.version import Version as _Pep440Version, InvalidVersion as _InvalidPep440
except ImportError:
	_Pep440Version = None


def _sign(x):
	return (x > 0) - (x < 0)


def _is_number(s):
	# ASCII digits only: str.isdigit() also accepts superscripts that int() refuses
	return s.isascii() and s.isdigit()


# ---------------------------------------------------------------------------- dpkg

def dpkg_compare(a, b):
	"""Debian policy 5.6.12 ordering, by libapt itself."""
	if apt_pkg is None:
		raise RuntimeError("python3-apt is not installed (needed for dpkg ordering)")
	return _sign(apt_pkg.version_compare(a, b))


# ---------------------------------------------------------------------------- rpm

def rpm_segment_compare(a, b):
	"""rpmvercmp(): alternating alphabetic and numeric segments; `~` sorts before
	everything (even the end), `^` after the end but before anything else."""
	if a == b:
		return 0
	i = j = 0
	la, lb = len(a), len(b)
	while i < la or j < lb:
		while i < la and not (a[i].isascii() and a[i].isalnum()) and a[i] not in "~^":
			i += 1
		while j < lb and not (b[j].isascii() and b[j].isalnum()) and b[j] not in "~^":
			j += 1
		ca = a[i] if i < la else ""
		cb = b[j] if j < lb else ""
		if ca == "~" or cb == "~":
			if ca != "~":
				return 1
			if cb != "~":
				return -1
			i += 1
			j += 1
			continue
		if ca == "^" or cb == "^":
			if ca == "":
				return -1
			if cb == "":
				return 1
			if ca != "^":
				return 1
			if cb != "^":
				return -1
			i += 1
			j += 1
			continue
		if ca == "" or cb == "":
			break
		numeric = ca.isdigit()
		if numeric:
			si, sj = i, j
			while i < la and a[i].isascii() and a[i].isdigit():
				i += 1
			while j < lb and b[j].isascii() and b[j].isdigit():
				j += 1
		else:
			si, sj = i, j
			while i < la and a[i].isascii() and a[i].isalpha():
				i += 1
			while j < lb and b[j].isascii() and b[j].isalpha():
				j += 1
		seg_a, seg_b = a[si:i], b[sj:j]
		if seg_b == "":
			# one numeric and one alphabetic segment: numeric is newer
			return 1 if numeric else -1
		if numeric:
			seg_a = seg_a.lstrip("0")
			seg_b = seg_b.lstrip("0")
			if len(seg_a) != len(seg_b):
				return 1 if len(seg_a) > len(seg_b) else -1
		if seg_a != seg_b:
			return 1 if seg_a > seg_b else -1
	ra, rb = i >= la, j >= lb
	if ra and rb:
		return 0
	return -1 if ra else 1


def rpm_split_evr(evr):
	"""[epoch:]version[-release] as rpm parses it: the epoch is the leading digits before
	a ':', the release what follows the last '-' (None when there is no '-')."""
	k = 0
	while k < len(evr) and evr[k].isascii() and evr[k].isdigit():
		k += 1
	if k < len(evr) and evr[k] == ":":
		epoch, rest = evr[:k] or "0", evr[k + 1:]
	else:
		epoch, rest = "0", evr
	dash = rest.rfind("-")
	if dash >= 0:
		return epoch, rest[:dash], rest[dash + 1:]
	return epoch, rest, None


def rpm_compare(a, b):
	"""EVR order of rpm.vercmp (rpm 4.18): a missing epoch is 0; when only one side has a
	release (even an empty one, "1-"), that side is the newer."""
	ea, va, ra = rpm_split_evr(a)
	eb, vb, rb = rpm_split_evr(b)
	r = rpm_segment_compare(ea, eb) or rpm_segment_compare(va, vb)
	if r:
		return r
	if ra is None or rb is None:
		return (ra is not None) - (rb is not None)
	return rpm_segment_compare(ra, rb)


# ---------------------------------------------------------------------------- apk

_APK_SUFFIX_WEIGHT = {"alpha": 0, "beta": 1, "pre": 2, "rc": 3, "": 4,
		      "cvs": 5, "svn": 6, "git": 7, "hg": 8, "p": 9}
_APK_NUMBERS = re.compile(r"(?:[0-9]+\.?)*")
_APK_SUFFIX = re.compile(r"_(alpha|beta|pre|rc|cvs|svn|git|hg|p)([0-9]*)")
_APK_HASH = re.compile(r"~[0-9a-f]+")
_APK_REVISION = re.compile(r"-r([0-9]*)")


def apk_parse(s):
	"""number{.number}...{letter}{_suffix{number}}...{~hash}{-r#}, as apk-package(5)
	describes it. Returns a dict; `invalid` when something other than a revision
	follows the recognised parts."""
	v = {"numbers": [], "letter": "", "suffixes": [], "revision": 0,
	     "remainder": "", "invalid": False}
	m = _APK_NUMBERS.match(s)
	head = m.group(0)
	if head:
		v["numbers"] = head.split(".")
	rest = s[len(head):]
	if rest[:1] and "a" <= rest[0] <= "z":
		v["letter"] = rest[0]
		rest = rest[1:]
	while True:
		m = _APK_SUFFIX.match(rest)
		if not m:
			break
		v["suffixes"].append((_APK_SUFFIX_WEIGHT[m.group(1)], int(m.group(2) or "0")))
		rest = rest[m.end():]
	m = _APK_HASH.match(rest)
	if m:  # a commit hash carries no order
		rest = rest[m.end():]
	if rest:
		m = _APK_REVISION.match(rest)
		if m:
			v["revision"] = int(m.group(1) or "0")
			rest = rest[m.end():]
		else:
			v["invalid"] = True
	v["remainder"] = rest
	return v


def _apk_number_compare(x, y, first):
	# Past the first component, a leading zero makes the component a decimal fraction
	# (1.02 < 1.1), which a plain string comparison orders correctly.
	if not first and ((x[:1] == "0") or (y[:1] == "0")):
		return _sign((x > y) - (x < y))
	return _sign(int(x or "0") - int(y or "0"))


def apk_compare(a, b):
	va, vb = apk_parse(a), apk_parse(b)
	if va["invalid"] and vb["invalid"]:
		return _sign((a > b) - (a < b))
	na, nb = va["numbers"], vb["numbers"]
	for k in range(max(len(na), len(nb))):
		x = na[k] if k < len(na) else "0"
		y = nb[k] if k < len(nb) else "0"
		first = k == 0 or k >= len(na) or k >= len(nb)
		r = _apk_number_compare(x, y, first)
		if r:
			return r
	la, lb = va["letter"], vb["letter"]
	if la != lb:
		if not la:
			return -1
		if not lb:
			return 1
		return 1 if la > lb else -1
	sa, sb = va["suffixes"], vb["suffixes"]
	for k in range(max(len(sa), len(sb))):
		x = sa[k] if k < len(sa) else (4, 0)
		y = sb[k] if k < len(sb) else (4, 0)
		if x != y:
			return 1 if x > y else -1
	if not va["invalid"] and not vb["invalid"] and va["revision"] != vb["revision"]:
		return 1 if va["revision"] > vb["revision"] else -1
	# Trailing garbage makes a version older than the same version without it.
	if not va["remainder"] and vb["remainder"]:
		return 1
	if va["remainder"] and not vb["remainder"]:
		return -1
	return 0


# ---------------------------------------------------------------------------- semver

_SEMVER = re.compile(r"^[vV]?(\d+)(?:\.(\d+))?(?:\.(\d+))?"
		     r"(?:-([0-9A-Za-z.-]*))?(?:\+(.*))?$", re.S | re.ASCII)


def semver_parse(s):
	"""SemVer 2.0 with the leniency npm, Go and crates data need: a leading `v`, missing
	minor/patch read as 0. Returns (major, minor, patch, prerelease identifiers) or
	None for a string that is not a version at all. Anything after the three numbers that
	is not a pre-release goes with the build metadata, which has no precedence."""
	s = s.strip()
	m = _SEMVER.match(s)
	if not m:
		m2 = re.match(r"^[vV]?([0-9]+)(?:\.([0-9]+))?(?:\.([0-9]+))?", s)
		if not m2:
			return None
		# e.g. 1.1.3.4.5: the extra parts are build metadata
		return (int(m2.group(1)), int(m2.group(2) or 0), int(m2.group(3) or 0), ())
	pre = ()
	if m.group(4) is not None and m.group(4) != "":
		pre = tuple(m.group(4).split("."))
	return (int(m.group(1)), int(m.group(2) or 0), int(m.group(3) or 0), pre)


def _semver_identifier_compare(x, y):
	xd, yd = _is_number(x), _is_number(y)
	if xd and yd:
		return _sign(int(x) - int(y))
	if xd != yd:  # numeric identifiers have lower precedence
		return -1 if xd else 1
	return _sign((x > y) - (x < y))


def semver_compare(a, b):
	pa, pb = semver_parse(a), semver_parse(b)
	if pa is None or pb is None:
		# not versions: they sort before every version, among themselves as strings
		if pa is None and pb is None:
			return _sign((a > b) - (a < b))
		return -1 if pa is None else 1
	if pa[:3] != pb[:3]:
		return 1 if pa[:3] > pb[:3] else -1
	xa, xb = pa[3], pb[3]
	if not xa or not xb:
		return _sign(len(xb) - len(xa)) if (xa or xb) else 0
	for x, y in zip(xa, xb):
		r = _semver_identifier_compare(x, y)
		if r:
			return r
	return _sign(len(xa) - len(xb))


def go_compare(a, b):
	"""Go module versions are SemVer with a `v`; the toolchain (`stdlib`) is compared
	after `go1.19.8` became `1.19.8` (done by the caller)."""
	return semver_compare(a, b)


# ---------------------------------------------------------------------------- PEP 440

_LEGACY_PART = re.compile(r"(\d+|[a-z]+|\.|-)")
_LEGACY_MAP = {"pre": "c", "preview": "c", "-": "final-", "rc": "c", "dev": "@"}


def _pep440_legacy_key(s):
	"""Ordering of strings that are not PEP 440 versions, as setuptools' LegacyVersion
	had it (pip used it until packaging 22): they sort before every valid version."""
	parts = []
	for p in _LEGACY_PART.split(s.lower()):
		p = _LEGACY_MAP.get(p, p)
		if not p or p == ".":
			continue
		if p[:1].isdigit():
			p = p.zfill(8)
		else:
			p = "*" + p
		if p.startswith("*"):
			if p < "*final":
				while parts and parts[-1] == "*final-":
					parts.pop()
			while parts and parts[-1] == "00000000":
				parts.pop()
		parts.append(p)
	parts.append("*final")
	return tuple(parts)


def pep440_key(s):
	if _Pep440Version is None:
		raise RuntimeError("python3-packaging is not installed (needed for PEP 440 ordering)")
	try:
		return (1, _Pep440Version(s.strip()))
	except _InvalidPep440:
		return (0, _pep440_legacy_key(s.strip()))


def pep440_compare(a, b):
	ka, kb = pep440_key(a), pep440_key(b)
	if ka[0] != kb[0]:
		return _sign(ka[0] - kb[0])
	return _sign((ka[1] > kb[1]) - (ka[1] < kb[1]))


# ---------------------------------------------------------------------------- Maven

# The version order of the POM reference ("Version Order Specification"), which Maven's
# ComparableVersion implements: known qualifiers in this order, unknown ones after them.
_MAVEN_KEYWORDS = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"]


def maven_tokens(version):
	"""Split into (prefix, value) tokens at '.', '-' and digit/letter transitions (a
	transition counts as '-'), lower-cased, aliases resolved, then trailing null values
	(0, "", final, ga) trimmed at the end and before each remaining '-'."""
	tokens = []
	pieces = re.split(r"([.-])", version)  # raw tokens at even places, separators between
	for n in range(0, len(pieces), 2):
		parts = re.findall(r"[0-9]+|[^0-9]+", pieces[n]) or [""]
		for k, part in enumerate(parts):
			if k > 0:
				prefix = "-"  # a digit/letter transition
			else:
				prefix = pieces[n - 1] if n > 0 else ""
			value = part.lower() or "0"  # an empty token is 0
			if value == "cr":
				value = "rc"
			elif value in ("ga", "final", "release"):
				value = ""
			if k < len(parts) - 1:
				# a, b, m directly followed by a number stand for alpha, beta, milestone
				value = {"a": "alpha", "b": "beta", "m": "milestone"}.get(value, value)
			if _is_number(value):
				value = str(int(value))
			tokens.append((prefix, value))
	# MNG-6964: "1-0.alpha" is older than "1" (Maven drops the 0 that opens a hyphen group
	# when a qualifier follows it), so such a 0 goes and the qualifier takes the '-'.
	k = 0
	while k + 1 < len(tokens):
		if (tokens[k][0] == "-" and tokens[k][1] in ("0", "")
				and tokens[k + 1][0] == "." and not _is_number(tokens[k + 1][1])):
			tokens[k:k + 2] = [("-", tokens[k + 1][1])]
		k += 1
	i = len(tokens) - 1
	while i > 0:
		if tokens[i][1] in ("0", ""):
			del tokens[i]
			i -= 1
			continue
		while i >= 0 and tokens[i][0] != "-":
			i -= 1
		i -= 1
	return tokens


def _maven_null_like(token):
	# the padding for a missing token: 0 after '.', "" after '-' ("sp" sorts after "")
	prefix, value = token
	if prefix == ".":
		return (".", "" if value == "sp" else "0", True)
	return ("-", "", True)


def _maven_token_less(x, y):
	(px, vx, nullx), (py, vy, nully) = x, y
	if px == py:
		dx, dy = _is_number(vx), _is_number(vy)
		if dx and dy:
			return int(vx) < int(vy)
		# numbers sort after qualifiers, unless they are padding
		if dx and not nullx:
			return False
		if dy and not nully:
			return True
		ix = _MAVEN_KEYWORDS.index(vx) if vx in _MAVEN_KEYWORDS else len(_MAVEN_KEYWORDS)
		iy = _MAVEN_KEYWORDS.index(vy) if vy in _MAVEN_KEYWORDS else len(_MAVEN_KEYWORDS)
		if ix == iy == len(_MAVEN_KEYWORDS):
			return vx < vy
		return ix < iy
	# ".qualifier" < "-qualifier" < "-number" < ".number"
	def rank(p, v):
		return (2 if p == "-" else 3) if _is_number(v) else (1 if p == "-" else 0)
	return rank(px, vx) < rank(py, vy)


def maven_compare(a, b):
	ta, tb = maven_tokens(a), maven_tokens(b)
	if ta == tb:
		return 0
	for k in range(max(len(ta), len(tb))):
		x = ta[k] + (False,) if k < len(ta) else _maven_null_like(tb[k])
		y = tb[k] + (False,) if k < len(tb) else _maven_null_like(ta[k])
		if x[:2] == y[:2]:
			continue
		return -1 if _maven_token_less(x, y) else 1
	return 0


# ---------------------------------------------------------------------------- RubyGems

def _gem_segments(s):
	s = s.strip() or "0"
	s = s.replace("-", ".pre.")
	return [int(t) if _is_number(t) else t for t in re.findall(r"[0-9]+|[a-zA-Z]+", s)]


def _gem_canonical(s):
	"""Gem::Version#canonical_segments: trailing zeros dropped from the numeric part
	and from the part from the first string segment on."""
	segs = _gem_segments(s)
	k = next((i for i, x in enumerate(segs) if isinstance(x, str)), len(segs))
	out = []
	for part in (segs[:k], segs[k:]):
		part = list(part)
		while part and part[-1] == 0:
			part.pop()
		out.extend(part)
	return out


def gem_compare(a, b):
	x, y = _gem_canonical(a), _gem_canonical(b)
	for k in range(max(len(x), len(y))):
		l = x[k] if k < len(x) else 0
		r = y[k] if k < len(y) else 0
		if l == r:
			continue
		if isinstance(l, str) and not isinstance(r, str):
			return -1
		if not isinstance(l, str) and isinstance(r, str):
			return 1
		return _sign((l > r) - (l < r))
	return 0


# ---------------------------------------------------------------------------- Composer

_PHP_SPECIAL = [("dev", 0), ("alpha", 1), ("a", 1), ("beta", 2), ("b", 2),
		("RC", 3), ("rc", 3), ("#", 4), ("pl", 5), ("p", 5)]


def _php_special_order(form):
	for name, order in _PHP_SPECIAL:
		if form.startswith(name):
			return order
	return -1


def _php_canonicalize(v):
	"""php_canonicalize_version(): `-_+` become '.', a '.' is put between a run of digits
	and a run of non-digits, other non-alphanumerics become '.'."""
	if not v:
		return ""
	out = [v[0]]
	prev = v[0]
	isdig = lambda c: c.isascii() and c.isdigit()
	isndig = lambda c: not (c.isascii() and c.isdigit()) and c != "."
	for c in v[1:]:
		if c in "-_+":
			if out[-1] != ".":
				out.append(".")
		elif (isndig(prev) and isdig(c)) or (isdig(prev) and isndig(c)):
			if out[-1] != ".":
				out.append(".")
			out.append(c)
		elif not (c.isascii() and c.isalnum()) and c != "#":
			# PHP turns any other character into '.'; '#' is kept as an element of
			# its own (it ranks between RC and pl), as OSV's Packagist ordering does
			if out[-1] != ".":
				out.append(".")
		else:
			out.append(c)
		prev = c
	return "".join(out)


def php_version_compare(a, b):
	"""PHP's version_compare(), which Composer's constraints end in."""
	if not a or not b:
		if not a and not b:
			return 0
		return 1 if a else -1
	pa = (a if a[0] == "#" else _php_canonicalize(a)).split(".")
	pb = (b if b[0] == "#" else _php_canonicalize(b)).split(".")
	isdig = lambda s: s[:1].isascii() and s[:1].isdigit()
	n = min(len(pa), len(pb))
	for k in range(n):
		x, y = pa[k], pb[k]
		if isdig(x) and isdig(y):
			r = _sign(int(re.match(r"[0-9]*", x).group(0) or 0) - int(re.match(r"[0-9]*", y).group(0) or 0))
		elif not isdig(x) and not isdig(y):
			r = _sign(_php_special_order(x) - _php_special_order(y))
		elif isdig(x):
			r = _sign(_php_special_order("#N#") - _php_special_order(y))
		else:
			r = _sign(_php_special_order(x) - _php_special_order("#N#"))
		if r:
			return r
	if len(pa) > n:
		x = pa[n]
		return 1 if isdig(x) else php_version_compare(".".join(pa[n:]), "#N#")
	if len(pb) > n:
		y = pb[n]
		return -1 if isdig(y) else php_version_compare("#N#", ".".join(pb[n:]))
	return 0


def composer_compare(a, b):
	"""Composer: a leading v is dropped and so is +build metadata (VersionParser does
	both), then version_compare()."""
	def prep(s):
		s = s.strip()
		if s[:1] in ("v", "V") and s[1:2].isdigit():
			s = s[1:]
		if "+" in s:
			s = s.split("+", 1)[0]
		return s
	return php_version_compare(prep(a), prep(b))


# ---------------------------------------------------------------------------- NuGet

def _nuget_parse(s):
	s = s.strip()
	s = s.split("+", 1)[0]  # metadata has no precedence
	core, _, pre = s.partition("-")
	nums = []
	for p in core.split("."):
		nums.append(int(p) if _is_number(p) else 0)
	while len(nums) < 4:
		nums.append(0)
	return nums, (pre.split(".") if pre else [])


def nuget_compare(a, b):
	"""NuGet.Versioning: four numeric parts, then SemVer 2.0 pre-release precedence with
	labels compared case-insensitively."""
	(na, pa), (nb, pb) = _nuget_parse(a), _nuget_parse(b)
	if na != nb:
		return 1 if na > nb else -1
	if not pa or not pb:
		return _sign(len(pb) - len(pa)) if (pa or pb) else 0
	for x, y in zip(pa, pb):
		r = _semver_identifier_compare(x.lower(), y.lower())
		if r:
			return r
	return _sign(len(pa) - len(pb))


SCHEMES = {
	"dpkg": dpkg_compare,
	"rpm": rpm_compare,
	"apk": apk_compare,
	"semver": semver_compare,
	"go": go_compare,
	"pep440": pep440_compare,
	"maven": maven_compare,
	"gem": gem_compare,
	"composer": composer_compare,
	"nuget": nuget_compare,
}
