#!/usr/bin/python3
"""CVSS vectors for tests/integration/cvss.sh, one per line on stdout.

  gen.py base VERSION          every base vector of 2.0, 3.0, 3.1 or 4.0, in a
                               fixed order (the metrics' and values' order of
                               the specifications, last metric fastest)
  gen.py random VERSION N SEED N vectors: every base metric plus a random
                               subset of the version's other metrics, each
                               with a random value ("X"/"ND" included); the
                               2.0 ones in the guide's fixed order, the others
                               in the specification's order
  gen.py shuffle SEED          the vectors of stdin with the metrics after the
                               "CVSS:x.y/" prefix in a random order (3.x, 4.0)

The metric tables are the specifications' (v2 guide section 2, v3.0/v3.1
section 7.4, v4.0 section 7), written out here on their own so that a typo in
src/match/cvss.c does not carry over.
"""
import itertools
import random
import sys

V2_BASE = [('AV', 'LAN'), ('AC', 'HML'), ('Au', 'MSN'), ('C', 'NPC'), ('I', 'NPC'), ('A', 'NPC')]
V2_OPT = [('E', ['U', 'POC', 'F', 'H', 'ND']), ('RL', ['OF', 'TF', 'W', 'U', 'ND']),
          ('RC', ['UC', 'UR', 'C', 'ND']), ('CDP', ['N', 'L', 'LM', 'MH', 'H', 'ND']),
          ('TD', ['N', 'L', 'M', 'H', 'ND']), ('CR', ['L', 'M', 'H', 'ND']),
          ('IR', ['L', 'M', 'H', 'ND']), ('AR', ['L', 'M', 'H', 'ND'])]
V3_BASE = [('AV', 'NALP'), ('AC', 'LH'), ('PR', 'NLH'), ('UI', 'NR'), ('S', 'UC'),
           ('C', 'HLN'), ('I', 'HLN'), ('A', 'HLN')]
V3_OPT = [('E', 'XUPFH'), ('RL', 'XOTWU'), ('RC', 'XURC'), ('CR', 'XLMH'), ('IR', 'XLMH'),
          ('AR', 'XLMH'), ('MAV', 'XNALP'), ('MAC', 'XLH'), ('MPR', 'XNLH'), ('MUI', 'XNR'),
          ('MS', 'XUC'), ('MC', 'XNLH'), ('MI', 'XNLH'), ('MA', 'XNLH')]
V4_BASE = [('AV', 'NALP'), ('AC', 'LH'), ('AT', 'NP'), ('PR', 'NLH'), ('UI', 'NPA'),
           ('VC', 'HLN'), ('VI', 'HLN'), ('VA', 'HLN'), ('SC', 'HLN'), ('SI', 'HLN'), ('SA', 'HLN')]
V4_OPT = [('E', 'XAPU'), ('CR', 'XHML'), ('IR', 'XHML'), ('AR', 'XHML'), ('MAV', 'XNALP'),
          ('MAC', 'XLH'), ('MAT', 'XNP'), ('MPR', 'XNLH'), ('MUI', 'XNPA'), ('MVC', 'XHLN'),
          ('MVI', 'XHLN'), ('MVA', 'XHLN'), ('MSC', 'XHLN'), ('MSI', 'XSHLN'), ('MSA', 'XSHLN'),
          ('S', 'XNP'), ('AU', 'XNY'), ('R', 'XAUI'), ('V', 'XDC'), ('RE', 'XLMH'),
          ('U', ['X', 'Clear', 'Green', 'Amber', 'Red'])]

TABLES = {'2.0': ('', V2_BASE, V2_OPT), '3.0': ('CVSS:3.0/', V3_BASE, V3_OPT),
          '3.1': ('CVSS:3.1/', V3_BASE, V3_OPT), '4.0': ('CVSS:4.0/', V4_BASE, V4_OPT)}


def join(prefix, pairs):
    return prefix + '/'.join(f'{k}:{v}' for k, v in pairs)


def main(argv):
    mode = argv[1]
    if mode == 'base':
        prefix, base, _ = TABLES[argv[2]]
        keys = [k for k, _ in base]
        for combo in itertools.product(*[list(v) for _, v in base]):
            print(join(prefix, zip(keys, combo)))
    elif mode == 'random':
        prefix, base, opt = TABLES[argv[2]]
        rnd = random.Random(int(argv[4]))
        for _ in range(int(argv[3])):
            pairs = [(k, rnd.choice(list(v))) for k, v in base]
            pairs += [(k, rnd.choice(list(v))) for k, v in opt if rnd.random() < 0.4]
            print(join(prefix, pairs))
    elif mode == 'shuffle':
        rnd = random.Random(int(argv[2]))
        for line in sys.stdin:
            prefix, _, rest = line.strip().partition('/')
            parts = rest.split('/')
            rnd.shuffle(parts)
            print(prefix + '/' + '/'.join(parts))
    else:
        sys.exit(f'gen.py: unknown mode {mode}')


if __name__ == '__main__':
    main(sys.argv)
