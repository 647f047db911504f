#!/usr/bin/python3
"""Differential test of util/jsonstream against Python's json module (the oracle).

Generates documents (valid ones with every escape, UTF-8 width, number shape and
whitespace, plus mutants of them: bytes deleted, inserted, replaced, cut, keys
duplicated, nesting past the depth limit), runs them through bw-jsonstream
(tests/tools/jsonstream.c), and checks, for each, that bulwark accepts exactly
what Python accepts under RFC 8259's rules and reports the same events.

Python is stricter or looser than RFC 8259 in known places, made explicit here:
  - bytes are decoded as strict UTF-8 first (json.loads(bytes) would sniff UTF-16/32);
  - NaN/Infinity are rejected (parse_constant raises);
  - duplicate keys are rejected (object_pairs_hook), as bulwark does by default;
  - lone surrogates from \\u escapes are rejected (the string must encode as UTF-8);
  - nesting deeper than the tool's -d limit is rejected.
Usage: jsonstream_diff.py BW_JSONSTREAM [N_DOCS] [SEED]; prints a summary, exits 1 on a difference.
"""
import json
import random
import subprocess
import sys

MAX_DEPTH = 40


class Num(str):
    pass


def no_constant(s):
    raise ValueError("constant " + s)


def pairs(kv):
    seen = set()
    for k, _ in kv:
        if k in seen:
            raise ValueError("duplicate key")
        seen.add(k)
    return ("obj", kv)


def events(v, depth, out):
    if isinstance(v, tuple) and v[0] == "obj":
        out.append("{@%d" % depth)
        for k, x in v[1]:
            out.append("K:%s@%d" % (k.encode("utf-8").hex(), depth + 1))
            events(x, depth + 1, out)
        out.append("}@%d" % depth)
    elif isinstance(v, list):
        out.append("[@%d" % depth)
        for x in v:
            events(x, depth + 1, out)
        out.append("]@%d" % depth)
    elif isinstance(v, Num):
        out.append("N:%s@%d" % (v, depth))
    elif isinstance(v, str):
        out.append("S:%s@%d" % (v.encode("utf-8").hex(), depth))
    elif v is True:
        out.append("T@%d" % depth)
    elif v is False:
        out.append("F@%d" % depth)
    elif v is None:
        out.append("Z@%d" % depth)
    else:
        raise AssertionError(repr(v))


def depth_of(v):
    if isinstance(v, tuple):
        return 1 + max([depth_of(x) for _, x in v[1]] or [0])
    if isinstance(v, list):
        return 1 + max([depth_of(x) for x in v] or [0])
    return 0


def oracle(doc):
    try:
        text = doc.decode("utf-8")
        v = json.loads(text, object_pairs_hook=pairs, parse_int=Num, parse_float=Num,
                       parse_constant=no_constant)
        if depth_of(v) > MAX_DEPTH:
            return None
        out = []
        events(v, 0, out)
        return "OK " + " ".join(out)
    except (ValueError, UnicodeError, RecursionError):
        return None


# ---------------------------------------------------------------- generation

def gen_string(r):
    parts = []
    for _ in range(r.randrange(0, 8)):
        k = r.randrange(12)
        if k < 4:
            parts.append(r.choice("abcxyz09 _-/"))
        elif k == 4:
            parts.append(r.choice(['\\"', "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t"]))
        elif k == 5:
            parts.append("\\u%04x" % r.choice([0, 0x1f, 0x41, 0xe9, 0x7ff, 0x800, 0xfffd, 0xffff]))
        elif k == 6:
            cp = r.randrange(0x10000, 0x110000) - 0x10000
            parts.append("\\u%04X\\u%04x" % (0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF)))
        elif k == 7:
            parts.append(r.choice(["é", "€", "中", "😀", "\U0010FFFF", "\u0800", "\x7f"]))
        elif k == 8:
            parts.append("\\u%04x" % r.choice([0xD800, 0xDBFF, 0xDC00, 0xDFFF]))  # lone surrogate
        elif k == 9:
            parts.append(r.choice(["\x01", "\x1f", "\t", "\n"]))  # raw control: invalid
        else:
            parts.append(r.choice(["key", "name", "version", "a", "b"]))
    return '"' + "".join(parts) + '"'


def gen_number(r):
    s = r.choice(["", "", "-"])
    s += r.choice(["0", str(r.randrange(1, 10)), str(r.randrange(10, 10 ** 12)), "00", "01"])
    if r.random() < 0.3:
        s += "." + r.choice(["5", "0001", "", "x"])
    if r.random() < 0.3:
        s += r.choice(["e", "E"]) + r.choice(["", "+", "-"]) + r.choice(["10", "0", "", "400"])
    return s


def ws(r):
    return r.choice(["", "", "", " ", "\n", "\t", "\r\n  ", "\x0b" if r.random() < 0.02 else ""])


def gen_value(r, depth):
    k = r.randrange(10 if depth < MAX_DEPTH + 3 else 6)
    if k == 0:
        return gen_string(r)
    if k == 1:
        return gen_number(r)
    if k == 2:
        return r.choice(["true", "false", "null", "nul", "True", "NaN", "Infinity", "-Infinity"])
    if k in (3, 4, 5):
        return r.choice([gen_string, gen_number])(r)
    if k in (6, 7):
        items = [gen_value(r, depth + 1) for _ in range(r.randrange(0, 4))]
        return "[" + ws(r) + ("," + ws(r)).join(items) + ws(r) + "]"
    keys = [gen_string(r) for _ in range(r.randrange(0, 4))]
    if keys and r.random() < 0.1:
        keys.append(keys[0])  # duplicate
    items = [k + ws(r) + ":" + ws(r) + gen_value(r, depth + 1) for k in keys]
    return "{" + ws(r) + ("," + ws(r)).join(items) + ws(r) + "}"


def deep(r):
    n = r.randrange(MAX_DEPTH - 2, MAX_DEPTH + 3)
    opens = "".join(r.choice(["[", '{"k":']) for _ in range(n))
    closes = "".join("]" if c == "[" else "}" for c in reversed([c for c in opens if c in "[{"]))
    return opens + "1" + closes


def mutate(r, b):
    b = bytearray(b)
    for _ in range(r.randrange(1, 3)):
        k = r.randrange(5)
        i = r.randrange(len(b) + 1)
        if k == 0 and b:
            del b[min(i, len(b) - 1)]
        elif k == 1:
            b[i:i] = bytes([r.choice(b'{}[]:,"\\ 0-eE.tnu\x00\x80\xc0\xc3\xe0\xed\xf0\xf4\xf5\xff')])
        elif k == 2 and b:
            b[min(i, len(b) - 1)] = r.randrange(256)
        elif k == 3:
            b = b[:i]
        else:
            b[i:i] = r.choice([b"\xef\xbb\xbf", b"\xc3\xa9", b"\xe2\x82", b"\xf0\x9f\x98\x80", b"\xed\xa0\x80",
                               b"\xc0\xaf", b"\xf4\x90\x80\x80"])
    return bytes(b)


def main():
    tool = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 4000
    r = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 8259)
    docs = [b"", b" ", b"[]", b"{}", b"0", b"-0", b"\"\"", b"[1,]", b"{\"a\":1,}", b"\xef\xbb\xbf{}",
            b"[1] [2]", b"{\"a\" 1}", b"1 ", b" 1", b"[-]", b"[.5]", b"[1.]", b"[1e]", b"[01]", b"[\"\\u00\"]"]
    while len(docs) < n:
        k = r.random()
        if k < 0.05:
            d = deep(r).encode()
        else:
            d = (ws(r) + gen_value(r, 0) + ws(r)).encode("utf-8", "surrogatepass")
        if r.random() < 0.4:
            d = mutate(r, d)
        docs.append(d)
    stdin = b"".join(b"%d\n" % len(d) + d for d in docs)
    res = subprocess.run([tool, "-d", str(MAX_DEPTH), "-s", "200"], input=stdin, stdout=subprocess.PIPE,
                         check=True).stdout.decode("utf-8", "replace").split("\n")
    bad = accepted = 0
    for d, got in zip(docs, res):
        want = oracle(d)
        ok = got == want if want else got.startswith("ERR ")
        accepted += want is not None
        if not ok:
            bad += 1
            if bad <= 10:
                print("DIFF doc=%r\n  python: %s\n  bulwark: %s" % (d[:200], want, got[:300]))
    if len(res) - 1 != len(docs):
        print("tool printed %d results for %d documents" % (len(res) - 1, len(docs)))
        bad += 1
    print("%d documents (%d valid, %d invalid), %d differences" % (len(docs), accepted, len(docs) - accepted, bad))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
