#!/usr/bin/python3
"""tests/lib/numbers_gen.py OUTDIR SEED: text files with planted payment card numbers,
US SSNs and IBANs (valid and invalid, in every format the rules know and some they
do not), for the differential test of src/secrets/numbers.c against the Hyperscan
regex path (tests/integration/secrets_numbers.sh). Everything is generated: check
digits are computed here (Luhn, ISO 7064 mod 97-10), never copied from real data.

  OUTDIR/mixed.txt      ~300 KB of filler text with items and near-misses mixed in
  OUTDIR/edge/N.txt     one item per file with a context before and after, incl. none
                        (the item at the very start and end of the file)
  OUTDIR/boundary/*.txt an item straddling the scanner's 64 KiB piece boundary at every
                        offset (the filler before it is 65536 - k bytes)
"""
import os
import random
import sys

out, seed = sys.argv[1], int(sys.argv[2])
rng = random.Random(seed)
DIG = "0123456789"
UP = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def luhn_complete(body):
    """body + the Luhn check digit."""
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return body + str((10 - total % 10) % 10)


def card(valid=True):
    prefix, length = rng.choice([("4", 16), ("4", 13), ("4", 19), ("51", 16), ("55", 16), ("2221", 16),
                                 ("2720", 16), ("34", 15), ("37", 15), ("6011", 16), ("65", 16), ("3528", 16),
                                 ("36", 14), ("38", 14), ("62", 17), ("62", 19), ("5", 18), ("3", 12), ("7", 16)])
    body = prefix + "".join(rng.choice(DIG) for _ in range(length - len(prefix) - 1))
    n = luhn_complete(body)
    if not valid:
        n = n[:-1] + str((int(n[-1]) + rng.randint(1, 9)) % 10)
    style = rng.random()
    if style < 0.45 or len(n) < 13:
        return n
    sep = lambda: rng.choice(" -") if rng.random() < 0.9 else rng.choice(["  ", "--", "_", "."])
    if style < 0.8:
        groups = [n[i:i + 4] for i in range(0, len(n), 4)]
    else:  # Amex 4-6-5 and other shapes the rule does not know
        groups = [n[:4], n[4:10], n[10:]]
    s = groups[0]
    for g in groups[1:]:
        s += sep() + g
    return s


def ssn(valid=True):
    area = rng.choice([rng.randint(1, 665), rng.randint(667, 899)]) if valid else rng.choice([0, 666, rng.randint(900, 999)])
    group = rng.randint(1, 99) if valid or rng.random() < 0.5 else 0
    serial = rng.randint(1, 9999) if valid or rng.random() < 0.5 else 0
    s = "%03d-%02d-%04d" % (area, group, serial)
    if rng.random() < 0.1:
        s = s.replace("-", rng.choice([" ", "", "--"]), rng.randint(1, 2))
    return s


IBAN_LEN = {"DE": 22, "GB": 22, "FR": 27, "NL": 18, "ES": 24, "IT": 27, "CH": 21, "BE": 16, "NO": 15,
            "MT": 31, "LC": 32, "AT": 20, "PL": 28, "SE": 24, "IE": 22, "ZZ": 20}


def iban(valid=True, compact=False):
    cc = rng.choice(list(IBAN_LEN))
    n = IBAN_LEN[cc] - 4 + (0 if valid or rng.random() < 0.5 else rng.choice([-1, 1, 12]))
    bban = "".join(rng.choice(DIG if rng.random() < 0.7 else UP) for _ in range(max(n, 1)))
    num = int("".join(str(int(ch, 36)) for ch in bban + cc + "00"))
    check = "%02d" % (98 - num % 97)
    if not valid and rng.random() < 0.5:
        check = "%02d" % ((int(check) + rng.randint(1, 96)) % 100)
    s = cc + check + bban
    r = rng.random()
    if r < 0.5 or compact:
        return s
    if r < 0.9:
        return " ".join(s[i:i + 4] for i in range(0, len(s), 4))
    if r < 0.95:
        return s.lower()
    return " ".join(s[i:i + rng.choice([3, 4, 5])] for i in range(0, len(s), 4))


def near_miss():
    return rng.choice([
        lambda: "".join(rng.choice(DIG) for _ in range(rng.randint(2, 25))),
        lambda: "%04d-%02d-%02d" % (rng.randint(1990, 2030), rng.randint(1, 12), rng.randint(1, 28)),
        lambda: "%03d-%03d-%04d" % (rng.randint(200, 999), rng.randint(0, 999), rng.randint(0, 9999)),
        lambda: "v%d.%d.%d" % (rng.randint(0, 9), rng.randint(0, 99), rng.randint(0, 999)),
        lambda: " ".join("".join(rng.choice(DIG) for _ in range(4)) for _ in range(rng.randint(2, 6))),
        lambda: rng.choice(UP) + rng.choice(UP) + "".join(rng.choice(DIG) for _ in range(rng.randint(2, 6))),
        lambda: "GB82 WEST 1234 5698 7654 32" [: rng.randint(4, 27)],
        lambda: "build 4" + "".join(rng.choice(DIG) for _ in range(15)),
        lambda: "password=4" + "".join(rng.choice(DIG) for _ in range(15)),
        lambda: "ABCD" + "".join(rng.choice(DIG + UP) for _ in range(rng.randint(8, 40))),
    ])()


def item():
    r = rng.random()
    if r < 0.4:
        return card(rng.random() < 0.6)
    if r < 0.6:
        return ssn(rng.random() < 0.6)
    if r < 0.85:
        return iban(rng.random() < 0.6)
    return near_miss()


BEFORE = ["", " ", "\n", "card: ", "x", ".", "-", "/", "+", "_", "build ", "\t", "(", "\"", ":", "=", "\r\n", "\xe9",
          "AB", "AB12 ", "1234 ", "4111 ", "5"]
AFTER = ["", " ", "\n", " x", "-", "-1", " 1", ".", "x", "\r\n", ",", "\"", " AB", " A", "1", "_", "a", ")", " -",
         "--", " 12", " ABC", " ABCD", " ABCDE"]
WORDS = ("the of and a to in is you that it he was for on are as with his they I at be this have from or one had "
         "by word but not what all were we when your can said there use an each which she do how their if will "
         "Sub Perl POD DES ID UTF8 0x1F ISO8859 RFC2822 GB2312 AB12 MD5 SHA256 1999 2024-01-01 100 42 7").split()


def filler(n, words=WORDS):
    s = []
    size = 0
    while size < n:
        w = rng.choice(words)
        sep = rng.choice([" "] * 8 + ["\n", ", ", ". "])
        s.append(w + sep)
        size += len(w) + len(sep)
    return "".join(s)[:n]


os.makedirs(os.path.join(out, "edge"), exist_ok=True)
os.makedirs(os.path.join(out, "boundary"), exist_ok=True)
with open(os.path.join(out, "mixed.txt"), "w", encoding="latin-1") as f:
    parts = []
    for _ in range(6000):
        parts.append(filler(rng.randint(0, 60)))
        parts.append(rng.choice(BEFORE) + item() + rng.choice(AFTER))
    # runs of items glued together: one item's suffix is the next one's prefix
    for _ in range(200):
        parts.append(rng.choice([" ", "\n", "-", ""]).join(item() for _ in range(rng.randint(2, 5))) + "\n")
    f.write("".join(parts))
for i in range(600):
    with open(os.path.join(out, "edge", "%d.txt" % i), "w", encoding="latin-1") as f:
        f.write(rng.choice(BEFORE) + item() + rng.choice(AFTER))
grouped = lambda n: " ".join(n[i:i + 4] for i in range(0, len(n), 4))
grouped_iban = lambda: grouped(iban(True, True))
# no numbers near the planted item and no word right before it: the card validator refuses
# a number in a table of numbers ("word 4111...")
TEXT = [w for w in WORDS if not any(ch.isdigit() for ch in w)]
for name, make in [("card", lambda: card(True)), ("card-grouped", lambda: grouped(luhn_complete("4" + "".join(rng.choice(DIG) for _ in range(14))))),
                   ("ssn", lambda: ssn(True)), ("iban", lambda: iban(True)), ("iban-grouped", grouped_iban)]:
    for k in range(0, 48):
        body = rng.choice(["", "\n", "card: "]) + make()
        with open(os.path.join(out, "boundary", "%s-%02d.txt" % (name, k)), "w", encoding="latin-1") as f:
            f.write(filler(65536 - k - 1, TEXT) + "\n" + body + rng.choice(AFTER) + " " + filler(rng.randint(0, 100), TEXT))
