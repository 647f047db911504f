#!/usr/bin/env python3
"""tests/lib/tarcases.py: tar archives for the layer tar reader, and Python's listing of them.

  tarcases.py make DIR      writes DIR/good-*.tar (archives every reader must read) and
                            DIR/bad-*.tar (each malformed in one way; DIR/bad-*.msg holds the
                            problem bw-tarlist must name)
  tarcases.py list FILE     prints FILE's entries as tests/tools/tarlist.c does, read by
                            Python's tarfile: the independent oracle of tar_reader.sh

The good archives cover what layer writers produce: POSIX ustar with the prefix field,
GNU long names/links ('L'/'K') and base-256 numbers, pax extended headers (long and UTF-8
names, big ids, a global header), a v7 header, every entry type, a pre-POSIX '\\0' entry
named "dir/", header-only types with a non-zero size field, empty and zero-length files,
and data that is not a multiple of 512 bytes.
"""
import hashlib
import io
import os
import sys
import tarfile

TYPES = {tarfile.REGTYPE: "f", tarfile.AREGTYPE: "f", tarfile.CONTTYPE: "f", tarfile.LNKTYPE: "h",
         tarfile.SYMTYPE: "l", tarfile.CHRTYPE: "c", tarfile.BLKTYPE: "b", tarfile.DIRTYPE: "d",
         tarfile.FIFOTYPE: "p"}


def esc(b):
    return "".join(chr(c) if 0x21 <= c <= 0x7e and c != 0x25 else "%%%02X" % c for c in b)


def listing(path):
    out = []
    with open(path, "rb") as f:
        data = f.read()
    if not data:
        return out  # an empty stream is an empty archive (tarfile calls it an error)
    # tarfile drops a directory name's trailing '/'; learn which names had one from the raw headers
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:", encoding="utf-8", errors="surrogateescape") as tf:
        nfile = 0
        for ti in tf:
            name = ti.name.encode("utf-8", "surrogateescape")
            raw = ti.pax_headers.get("path")
            if raw is not None:
                name = raw.encode("utf-8", "surrogateescape")
            elif ti.isdir() and header_name_has_slash(data, ti):
                name += b"/"
            t = TYPES[ti.type]
            link = esc(ti.linkname.encode("utf-8", "surrogateescape")) if t in "hl" else "-"
            size = ti.size if t == "f" else 0
            if t == "f":
                if nfile % 2 == 0:
                    h = hashlib.sha256(tf.extractfile(ti).read()).hexdigest()
                else:
                    h = "skipped"
                nfile += 1
            else:
                h = "-"
            out.append("%s %s %s %o %d %d %d %s" % (t, esc(name), link, ti.mode & 0o7777, ti.uid, ti.gid, size, h))
    return out


def header_name_has_slash(data, ti):
    """The raw name of ti (a GNU long name, or the ustar prefix/name) ends in '/'."""
    off = ti.offset
    while True:
        hdr = data[off:off + 512]
        flag = hdr[156:157]
        size = int(hdr[124:136].strip(b" \0") or b"0", 8)
        if flag == b"L":  # GNU long name: the name is this header's data
            return data[off + 512:off + 512 + size].split(b"\0", 1)[0].endswith(b"/")
        if flag not in (b"x", b"g", b"K"):
            return hdr[:100].split(b"\0", 1)[0].endswith(b"/")
        off += 512 + (size + 511) // 512 * 512


def add(tf, name, type=tarfile.REGTYPE, data=b"", **kw):
    ti = tarfile.TarInfo(name)
    ti.type = type
    ti.mode = kw.pop("mode", 0o644)
    ti.mtime = 1700000000
    for k, v in kw.items():
        setattr(ti, k, v)
    if type in (tarfile.REGTYPE, tarfile.AREGTYPE, tarfile.CONTTYPE):
        ti.size = len(data)
        tf.addfile(ti, io.BytesIO(data))
    else:
        tf.addfile(ti)


def common(tf, longname_ok):
    add(tf, "etc/", tarfile.DIRTYPE, mode=0o755)
    add(tf, "etc/passwd", data=b"root:x:0:0:root:/root:/bin/sh\n")
    add(tf, "etc/empty", data=b"")
    add(tf, "etc/block", data=bytes(range(256)) * 2)           # exactly 512 bytes
    add(tf, "etc/odd", data=b"x" * 513, mode=0o4755, uid=1000, gid=1000)
    add(tf, "usr/bin/big", data=os.urandom(3 * 1024 * 1024 + 7))
    add(tf, "etc/shadow-link", tarfile.SYMTYPE, linkname="../etc/passwd")
    add(tf, "etc/hard", tarfile.LNKTYPE, linkname="etc/passwd")
    add(tf, "dev/null", tarfile.CHRTYPE, devmajor=1, devminor=3, mode=0o666)
    add(tf, "dev/loop0", tarfile.BLKTYPE, devmajor=7, devminor=0, mode=0o660)
    add(tf, "run/fifo", tarfile.FIFOTYPE)
    add(tf, "etc/.wh.removed", data=b"")
    add(tf, "etc/.wh..wh..opq", data=b"")
    if longname_ok:
        deep = "/".join(["d%02d-%s" % (i, "n" * 20) for i in range(12)])  # ~300 bytes
        add(tf, deep + "/file", data=b"deep\n")
        add(tf, "link-to-deep", tarfile.SYMTYPE, linkname="/" + deep + "/file")
        add(tf, "hard-to-deep", tarfile.LNKTYPE, linkname=deep + "/file")


def make_good(d):
    for fmt, nm in ((tarfile.GNU_FORMAT, "gnu"), (tarfile.PAX_FORMAT, "pax")):
        with tarfile.open(os.path.join(d, "good-%s.tar" % nm), "w", format=fmt) as tf:
            common(tf, True)
            add(tf, "big-ids", data=b"ids\n", uid=3000000000, gid=2 ** 40)  # past 7 octal digits
            add(tf, "caf\u00e9/na\u00efve.txt", data="\u00e9t\u00e9\n".encode())
    with tarfile.open(os.path.join(d, "good-ustar.tar"), "w", format=tarfile.USTAR_FORMAT) as tf:
        common(tf, False)
        # 100 < len <= 255 with a '/' to split at: the ustar prefix field
        add(tf, "p" * 90 + "/" + "q" * 60 + "/name", data=b"prefixed\n")
    # A pax archive with a global header, and a per-file header that sets only mtime.
    with tarfile.open(os.path.join(d, "good-paxglobal.tar"), "w", format=tarfile.PAX_FORMAT,
                      pax_headers={"comment": "global"}) as tf:
        add(tf, "a", data=b"a\n", pax_headers={"comment": "x" * 2000})
        add(tf, "b/", tarfile.DIRTYPE, mode=0o700)
    # Old-style headers: v7 (no magic) and a pre-POSIX '\0' entry named "dir/" (a directory).
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tf:
        add(tf, "v7file", data=b"seven\n")
        add(tf, "olddir/", tarfile.AREGTYPE, data=b"")
        add(tf, "olddir/f", tarfile.AREGTYPE, data=b"in old dir\n")
        add(tf, "sym-with-size", tarfile.SYMTYPE, linkname="v7file")
    raw = bytearray(buf.getvalue())
    raw[257:265] = b"\0" * 8                          # v7: no magic, no version
    rechecksum(raw, 0)
    patch_size(raw, find_header(raw, b"sym-with-size"), 4096)  # header-only type: size ignored
    with open(os.path.join(d, "good-oldstyle.tar"), "wb") as f:
        f.write(raw)
    # The stream may end after one zero block, or right after the last entry.
    with open(os.path.join(d, "good-gnu.tar"), "rb") as f:
        g = f.read()
    end = len(g.rstrip(b"\0"))
    end = (end + 511) // 512 * 512
    with open(os.path.join(d, "good-onezero.tar"), "wb") as f:
        f.write(g[:end] + b"\0" * 512)
    with open(os.path.join(d, "good-nozero.tar"), "wb") as f:
        f.write(g[:end])
    with open(os.path.join(d, "good-empty.tar"), "wb") as f:
        pass
    # As many extension headers before one entry as the reader allows (BW_MAX_TAR_EXT_HEADERS)
    raw = bytearray()
    for i in range(16):
        raw += ext_header(b"x", record(b"comment=%d" % i))
    with open(os.path.join(d, "good-ext16.tar"), "wb") as f:
        f.write(raw + simple([("after-sixteen", tarfile.REGTYPE, b"16\n")]))


def find_header(raw, name):
    for off in range(0, len(raw), 512):
        if raw[off:off + len(name) + 1] == name + b"\0":
            return off
    raise SystemExit("no header " + name.decode())


def rechecksum(raw, off):
    raw[off + 148:off + 156] = b" " * 8
    s = sum(raw[off:off + 512])
    raw[off + 148:off + 156] = b"%06o\0 " % s


def patch_size(raw, off, size):
    raw[off + 124:off + 136] = b"%011o\0" % size
    rechecksum(raw, off)


def simple(entries, fmt=tarfile.USTAR_FORMAT):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as tf:
        for e in entries:
            add(tf, *e)
    return bytearray(buf.getvalue())


def make_bad(d):
    cases = {}
    raw = simple([("a", tarfile.REGTYPE, b"hello\n"), ("b", tarfile.REGTYPE, b"x" * 2000)])
    r = bytearray(raw); r[0] ^= 1
    cases["checksum"] = (r, "header checksum mismatch")
    off = find_header(raw, b"b")
    cases["truncated-data"] = (raw[:off + 512 + 1000], "the archive ends inside an entry's data")
    cases["truncated-header"] = (raw[:off + 300], "the archive ends inside a header block")
    r = bytearray(raw[:off]) + b"\0" * 512 + raw[off:]
    cases["header-after-end"] = (r, "a header follows an end-of-archive block")
    r = bytearray(raw); r[off + 156:off + 157] = b"Q"; rechecksum(r, off)
    cases["unknown-type"] = (r, "unknown entry type 0x51")
    r = bytearray(raw); r[off + 156:off + 157] = b"S"; rechecksum(r, off)
    cases["gnu-sparse"] = (r, "sparse files are not supported")
    r = bytearray(raw); r[off + 124:off + 136] = b"\xff" * 12; rechecksum(r, off)
    cases["negative-size"] = (r, "a numeric header field is not a number")
    r = bytearray(raw); r[off + 124:off + 136] = b"0000000x000\0"; rechecksum(r, off)
    cases["size-not-octal"] = (r, "a numeric header field is not a number")
    r = bytearray(raw); r[off + 124:off + 136] = b"\x80" + b"\xff" * 11; rechecksum(r, off)
    cases["size-overflow"] = (r, "a numeric header field is not a number")
    cases["pax-sparse"] = (pax_archive(b"GNU.sparse.major=1"), "sparse files are not supported")
    cases["pax-bad-length"] = (pax_archive(None, b"99 path=x\n"), "a pax record is malformed")
    cases["pax-no-key"] = (pax_archive(None, b"7 =abc\n"), "a pax record has no key")
    cases["pax-bad-size"] = (pax_archive(b"size=-5"), "the pax size is not a number")
    cases["pax-nul-path"] = (pax_archive(b"path=a\0b"), "holds a NUL byte")
    big = b"x" * ((1 << 20) + 1)
    cases["pax-too-big"] = (ext_archive(b"x", big), "an extended header is larger than 1 MiB")
    cases["long-name-too-big"] = (ext_archive(b"L", big), "an extended header is larger than 1 MiB")
    r = bytearray()
    for _ in range(17):
        r += ext_header(b"x", record(b"comment=loop"))
    cases["ext-loop"] = (r + simple([("a", tarfile.REGTYPE, b"a")]), "too many extended headers")
    cases["ext-at-end"] = (ext_header(b"x", record(b"path=x")) + b"\0" * 1024,
                           "the archive ends after an extended header")
    for name, (data, msg) in cases.items():
        with open(os.path.join(d, "bad-%s.tar" % name), "wb") as f:
            f.write(data)
        with open(os.path.join(d, "bad-%s.msg" % name), "w") as f:
            f.write(msg + "\n")


def record(kv):
    n = len(kv) + 3
    while len(b"%d " % n) + len(kv) + 1 != n:
        n = len(b"%d " % n) + len(kv) + 1
    return b"%d %s\n" % (n, kv)


def ext_header(flag, payload):
    h = bytearray(512)
    h[0:9] = b"PaxHeader"
    h[100:108] = b"0000644\0"
    h[108:116] = h[116:124] = b"0000000\0"
    h[124:136] = b"%011o\0" % len(payload)
    h[136:148] = b"00000000000\0"
    h[156:157] = flag
    h[257:265] = b"ustar\x0000"
    rechecksum(h, 0)
    pad = (512 - len(payload) % 512) % 512
    return h + payload + b"\0" * pad


def pax_archive(kv, raw_records=None):
    payload = raw_records if raw_records is not None else record(kv)
    return ext_header(b"x", payload) + simple([("a", tarfile.REGTYPE, b"a")])


def ext_archive(flag, payload):
    return ext_header(flag, payload) + simple([("a", tarfile.REGTYPE, b"a")])


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "make":
        os.makedirs(sys.argv[2], exist_ok=True)
        make_good(sys.argv[2])
        make_bad(sys.argv[2])
    elif len(sys.argv) == 3 and sys.argv[1] == "list":
        print("\n".join(listing(sys.argv[2])))
    else:
        sys.exit(__doc__)
