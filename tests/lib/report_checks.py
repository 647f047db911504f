#!/usr/bin/python3
"""report_checks.py: independent readers of bulwark's report documents, standard library only
(tests/integration/reports.sh). Each subcommand prints one line of facts:

  png FILE                 WIDTH HEIGHT COLOURS (distinct RGBA values, counted up to 1000)
  dom FILE                 ROWS SCRIPTS: rows in the tbody of #findings-table and <script>
                           elements in an HTML document (a Chromium --dump-dom, or the file)
  dom-cells FILE TEXT      how many table cells have exactly TEXT as their text content
  dom-attr FILE ID NAME    the value of attribute NAME of the element with id ID ("-" if none)
  junit FILE               TESTS FAILURES CASES FAILED_CASES FINDINGS: the root's counts, the
                           testcase elements (policy suite excluded), those with a <failure>,
                           and the lines of their failure texts (one per finding)
  junit-names FILE         every testcase name attribute, one per line (as XML reads it)
  width FILE               the widest line in code points
"""
import struct
import sys
import xml.etree.ElementTree as ET
import zlib
from html.parser import HTMLParser


def png(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise SystemExit("not a PNG")
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
        pos += 12 + n
    width, height, depth, ctype, _, _, interlace = ihdr
    if depth != 8 or interlace or ctype not in (0, 2, 4, 6):
        raise SystemExit(f"unsupported PNG: depth {depth} type {ctype} interlace {interlace}")
    bpp = {0: 1, 2: 3, 4: 2, 6: 4}[ctype]
    raw = zlib.decompress(idat)
    stride = width * bpp
    prev = bytearray(stride)
    colours = set()
    off = 0
    for _ in range(height):
        f = raw[off]
        line = bytearray(raw[off + 1:off + 1 + stride])
        off += 1 + stride
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pred) & 255
        if len(colours) < 1000:
            for i in range(0, stride, bpp):
                colours.add(bytes(line[i:i + bpp]))
        prev = line
    print(width, height, len(colours))


class Dom(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []
        self.rows = 0
        self.scripts = 0
        self.cells = []
        self.cell = None
        self.attrs_by_id = {}
        self.in_findings = False
        self.in_tbody = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.attrs_by_id[a["id"]] = a
        if tag == "script":
            self.scripts += 1
        if tag == "table":
            self.in_findings = a.get("id") == "findings-table"
        if tag == "tbody" and self.in_findings:
            self.in_tbody = True
        if tag == "tr" and self.in_tbody:
            self.rows += 1
        if tag == "td":
            self.cell = ""

    def handle_endtag(self, tag):
        if tag == "tbody":
            self.in_tbody = False
        if tag == "table":
            self.in_findings = False
        if tag == "td" and self.cell is not None:
            self.cells.append(self.cell)
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def dom(path):
    d = Dom()
    d.feed(open(path, encoding="utf-8", errors="replace").read())
    return d


def junit(path):
    root = ET.parse(path).getroot()
    cases = failed = lines = 0
    for suite in root.iter("testsuite"):
        if suite.get("name") == "policy":
            continue
        for case in suite.iter("testcase"):
            cases += 1
            f = case.find("failure")
            if f is not None:
                failed += 1
                lines += len([l for l in (f.text or "").split("\n") if l.strip()])
    print(root.get("tests"), root.get("failures"), cases, failed, lines)


def main():
    cmd, path = sys.argv[1], sys.argv[2]
    if cmd == "png":
        png(path)
    elif cmd == "dom":
        d = dom(path)
        print(d.rows, d.scripts)
    elif cmd == "dom-cells":
        print(sum(1 for c in dom(path).cells if c == sys.argv[3]))
    elif cmd == "dom-attr":
        print(dom(path).attrs_by_id.get(sys.argv[3], {}).get(sys.argv[4]) or "-")
    elif cmd == "junit":
        junit(path)
    elif cmd == "junit-names":
        for case in ET.parse(path).getroot().iter("testcase"):
            print(case.get("name"))
    elif cmd == "width":
        print(max((len(l) for l in open(path, encoding="utf-8").read().split("\n")), default=0))
    else:
        raise SystemExit("unknown command " + cmd)


main()
