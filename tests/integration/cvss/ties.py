#!/usr/bin/python3
"""Which CVSS 4.0 vectors score exactly halfway between two tenths.

Reads 4.0 vectors on stdin; prints, per vector, "tN" when the exact value of
the specification's formula (section 8.2) is N/10 + 0.05, else "-". Used only
by make-reference.sh to mark those ties in the reference files: there the
one-decimal result depends on how each calculator's binary floating point
happens to land (FIRST's own calculator, which bulwark follows, gives 4.9 for
the exact 4.95 of AV:N/AC:L/AT:P/PR:H/UI:A/VC:L/VI:L/VA:L/SC:H/SI:H/SA:H, other
implementations 5.0), so two correct calculators may differ by 0.1 there and
nowhere else.

The computation is in exact rationals (fractions.Fraction). The MacroVector
scores are read from src/match/cvss.c: a wrong entry there would show up as
disagreements with the independent calculators, not hide behind this script.
"""
import os
import re
import sys
from fractions import Fraction as F

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), '../../../src/match/cvss.c')
MACRO = {k: F(int(t), 10) for k, t in re.findall(r'\{ "([0-2]{6})", (\d+) \}', open(SRC).read())}
assert len(MACRO) == 270, len(MACRO)

# severity levels within each EQ, in steps from the most severe (spec section 8.2)
LEVELS = {'AV': 'NALP', 'PR': 'NLH', 'UI': 'NPA', 'AC': 'LH', 'AT': 'NP', 'VC': 'HLN', 'VI': 'HLN',
          'VA': 'HLN', 'SC': '?HLN', 'SI': 'SHLN', 'SA': 'SHLN', 'CR': 'HML', 'IR': 'HML', 'AR': 'HML'}
# highest severity vectors per EQ level, letters of: AV PR UI / AC AT / VC VI VA CR IR AR / SC SI SA
MAX1 = {0: ['NNN'], 1: ['ANN', 'NLN', 'NNP'], 2: ['PNN', 'ALP']}
MAX2 = {0: ['LN'], 1: ['HN', 'LP']}
MAX36 = {(0, 0): ['HHHHHH'], (0, 1): ['HHLMMH', 'HHHMMM'], (1, 0): ['LHHHHH', 'HLHHHH'],
         (1, 1): ['LHLHMH', 'LHHHMM', 'HLHMHM', 'HLLMHH', 'LLHHHM'], (2, 1): ['LLLHHH']}
MAX4 = {0: 'HSS', 1: 'HHH', 2: 'LLL'}
DEPTH1, DEPTH2, DEPTH4 = [1, 4, 5], [1, 2], [6, 5, 4]
DEPTH36 = {(0, 0): 7, (0, 1): 6, (1, 0): 8, (1, 1): 8, (2, 1): 10}
NAMES = ['AV', 'PR', 'UI', 'AC', 'AT', 'VC', 'VI', 'VA', 'CR', 'IR', 'AR', 'SC', 'SI', 'SA']


def exact(vector):
    m = dict(p.split(':') for p in vector.split('/')[1:])

    def eff(k):
        x = m.get(k, 'X')
        if x == 'X' and k == 'E':
            return 'A'
        if x == 'X' and k in ('CR', 'IR', 'AR'):
            return 'H'
        mod = m.get('M' + k, 'X')
        return mod if mod != 'X' else x

    if all(eff(k) == 'N' for k in ('VC', 'VI', 'VA', 'SC', 'SI', 'SA')):
        return F(0)
    av, pr, ui = eff('AV'), eff('PR'), eff('UI')
    e1 = 0 if (av, pr, ui) == ('N', 'N', 'N') else 1 if ('N' in (av, pr, ui) and av != 'P') else 2
    e2 = 0 if (eff('AC'), eff('AT')) == ('L', 'N') else 1
    vc, vi, va = eff('VC'), eff('VI'), eff('VA')
    e3 = 0 if vc == vi == 'H' else 1 if 'H' in (vc, vi, va) else 2
    e4 = 0 if 'S' in (m.get('MSI'), m.get('MSA')) else 1 if 'H' in (eff('SC'), eff('SI'), eff('SA')) else 2
    e5 = 'APU'.index(eff('E'))
    e6 = 0 if ((eff('CR') == 'H' and vc == 'H') or (eff('IR') == 'H' and vi == 'H')
               or (eff('AR') == 'H' and va == 'H')) else 1

    def look(*eq):
        return MACRO.get(''.join(map(str, eq)))

    value = look(e1, e2, e3, e4, e5, e6)
    if (e3, e6) == (0, 0):
        lower36 = max(look(e1, e2, e3, e4, e5, e6 + 1), look(e1, e2, e3 + 1, e4, e5, e6))
    elif (e3, e6) == (1, 0):
        lower36 = look(e1, e2, e3, e4, e5, e6 + 1)
    else:
        lower36 = look(e1, e2, e3 + 1, e4, e5, e6)
    dist = None
    for a in MAX1[e1]:
        for b in MAX2[e2]:
            for c in MAX36[(e3, e6)]:
                top = a + b + c + MAX4[e4]
                dist = {n: LEVELS[n].index(eff(n)) - LEVELS[n].index(top[i]) for i, n in enumerate(NAMES)}
                if min(dist.values()) >= 0:
                    break
            else:
                continue
            break
        else:
            continue
        break
    moves = []
    for lower, d, depth in (
            (look(e1 + 1, e2, e3, e4, e5, e6), dist['AV'] + dist['PR'] + dist['UI'], DEPTH1[e1]),
            (look(e1, e2 + 1, e3, e4, e5, e6), dist['AC'] + dist['AT'], DEPTH2[e2]),
            (lower36, sum(dist[k] for k in ('VC', 'VI', 'VA', 'CR', 'IR', 'AR')), DEPTH36[(e3, e6)]),
            (look(e1, e2, e3, e4 + 1, e5, e6), dist['SC'] + dist['SI'] + dist['SA'], DEPTH4[e4]),
            (look(e1, e2, e3, e4, e5 + 1, e6), 0, 1)):
        if lower is not None:
            moves.append((value - lower) * F(d, depth))
    mean = sum(moves) / len(moves) if moves else F(0)
    return min(F(10), max(F(0), value - mean))


def main():
    for line in sys.stdin:
        x = exact(line.strip()) * 10
        print(f't{x.numerator // x.denominator}' if x.denominator == 2 else '-')


if __name__ == '__main__':
    main()
