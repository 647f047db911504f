#!/usr/bin/python3
"""tests/lib/yaml_oracle.py: the PyYAML side of tests/integration/yaml.sh.

Run with /usr/bin/python3 (Debian's python3-yaml).

  yaml_oracle.py compare MODE BW_OUT ROOT [JSON_ROOT]
      BW_OUT holds bw-yaml2json's lines "PATH<TAB>JSON" (or "PATH<TAB>!error: ...").
      MODE pyyaml:  the reference is yaml.load(PATH, BaseLoader), the pure-Python
                    loader (not libyaml, which bulwark uses): every scalar a string.
      MODE core12:  the reference is PyYAML with its YAML 1.1 resolvers replaced by
                    the YAML 1.2 core schema's regular expressions, written here
                    from the spec (section 10.3.2); for bw-yaml2json -t. Mapping
                    keys are the scalar's text, as util/yaml.h promises.
      MODE derived: the reference is the JSON file at PATH with ROOT replaced by
                    JSON_ROOT and .yaml by .json.
      Values are compared as ordered trees: mappings as lists of pairs (key order
      counts, and a duplicate key could not hide), every scalar with its type.
      Prints one summary line (and up to five "# ..." lines naming failures);
      exits 0 only when every file parsed on both sides and every pair is equal.

  yaml_oracle.py scalars OUT
      Writes OUT, a mapping "kN: X" of plain scalars that probe the core schema:
      a fixed list of near misses and 6,000 random strings over the characters
      numbers, nulls and booleans are made of (fixed seed). A candidate is kept
      when it is a plain scalar value there (BaseLoader reads it back as X) and
      the reference can represent it: no infinity, NaN or integer past int64,
      which bulwark refuses by design (tests/unit/test_yaml.c checks those
      errors). Prints the number of scalars written.
"""
import json
import random
import re
import sys
import time

import yaml


class Core12Loader(yaml.SafeLoader):
    """PyYAML with the YAML 1.2 core schema instead of YAML 1.1's resolvers."""

    def construct_mapping(self, node, deep=False):
        mapping = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise yaml.constructor.ConstructorError(None, None, 'non-scalar key',
                                                        key_node.start_mark)
            if key_node.value in mapping:
                raise yaml.constructor.ConstructorError(None, None, 'duplicate key',
                                                        key_node.start_mark)
            mapping[key_node.value] = self.construct_object(value_node, deep=deep)
        return mapping


def core12_int(loader, node):
    v = loader.construct_scalar(node)
    if v.startswith('0o'):
        return int(v[2:], 8)
    if v.startswith('0x'):
        return int(v[2:], 16)
    return int(v, 10)


def core12_float(loader, node):
    v = float(loader.construct_scalar(node))
    if v != v or v in (float('inf'), float('-inf')):
        raise ValueError('infinity or NaN: not representable in JSON')
    return v


Core12Loader.yaml_implicit_resolvers = {}
for _tag, _regexp, _first in [
        ('null', r'^(?:null|Null|NULL|~|)$', ['n', 'N', '~', '']),
        ('bool', r'^(?:true|True|TRUE|false|False|FALSE)$', list('tTfF')),
        ('int', r'^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$', list('-+0123456789')),
        ('float', r'^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?'
                  r'|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$', list('-+.0123456789'))]:
    Core12Loader.add_implicit_resolver('tag:yaml.org,2002:' + _tag, re.compile(_regexp), _first)
Core12Loader.add_constructor('tag:yaml.org,2002:int', core12_int)
Core12Loader.add_constructor('tag:yaml.org,2002:float', core12_float)


def ordered(v):
    if isinstance(v, dict):
        return ('map', [(k, ordered(x)) for k, x in v.items()])
    if isinstance(v, list):
        return ('seq', [ordered(x) for x in v])
    return (type(v).__name__, v)


def pairs_hook(p):
    return ['__pairs__', p]


def from_json(v):
    if isinstance(v, list) and len(v) == 2 and v[0] == '__pairs__':
        return ('map', [(k, from_json(x)) for k, x in v[1]])
    if isinstance(v, list):
        return ('seq', [from_json(x) for x in v])
    return (type(v).__name__, v)


def compare(mode, bw_out, root, json_root=None):
    total = same = differ = bw_err = ref_err = 0
    ref_seconds = 0.0
    notes = []
    for line in open(bw_out, encoding='utf-8'):
        path, _, text = line.rstrip('\n').partition('\t')
        total += 1
        if text.startswith('!error: '):
            bw_err += 1
            notes.append('bulwark failed on %s: %s' % (path, text[8:]))
            continue
        mine = from_json(json.loads(text, object_pairs_hook=pairs_hook))
        try:
            if mode in ('pyyaml', 'core12'):
                data = open(path, 'rb').read()
                t0 = time.perf_counter()
                ref = yaml.load(data, Loader=yaml.BaseLoader if mode == 'pyyaml' else Core12Loader)
                ref_seconds += time.perf_counter() - t0
                ref = ordered(ref)
            else:
                ref_path = json_root + path[len(root):-len('.yaml')] + '.json'
                with open(ref_path, encoding='utf-8') as f:
                    ref = from_json(json.load(f, object_pairs_hook=pairs_hook))
        except Exception as e:
            ref_err += 1
            notes.append('reference failed on %s: %s' % (path, str(e).replace('\n', ' ')))
            continue
        if mine == ref:
            same += 1
        else:
            differ += 1
            notes.append('differs: %s' % path)
            if mode != 'derived' and mine[0] == ref[0] == 'map':
                for (k1, v1), (k2, v2) in zip(mine[1], ref[1]):
                    if (k1, v1) != (k2, v2):
                        notes.append('first difference: %r: %r vs %r: %r' % (k1, v1, k2, v2))
                        break
    print('%d files: %d equal, %d differ, %d bulwark errors, %d reference errors%s'
          % (total, same, differ, bw_err, ref_err,
             ', PyYAML %.0f ms' % (ref_seconds * 1000) if mode != 'derived' else ''))
    for n in notes[:5]:
        print('#', n[:300])
    return 0 if total and same == total else 1


FIXED_SCALARS = [
    '0', '-0', '+0', '007', '0o17', '0o8', '0x1f', '0XFF', '0x', '0o', '-0x1', '+0o7',
    '0b101', '1_000', '1:20', '1.5', '-1.5', '+.5', '1.', '.5', '.', '+', '-.', '1e3',
    '1E-3', '-2.5e+2', '1e', 'e3', '1.2.3', '1e3.0', '.e3', '1.5x', '1e-400',
    'null', 'Null', 'NULL', 'nULL', '~', 'None', 'true', 'True', 'TRUE', 'tRUE', 'false',
    'False', 'FALSE', 'yes', 'no', 'on', 'off', 'y', 'n', '9223372036854775807',
    '-9223372036854775808', '0x7FFFFFFFFFFFFFFF', '0o777777777777777777777', '2001-12-14',
    '12:30:45', '1.10', '0.1', '123456789012345678901234567890.5', '4.9e-324', '1.7976931348623157e308']


def scalars(out):
    rng = random.Random(20240607)
    alphabet = '0123456789+-.eEoxXabcfABCFinfINFaNtrueFALSEnul~_'
    cands = FIXED_SCALARS + [''.join(rng.choice(alphabet) for _ in range(rng.randint(1, 8)))
                             for _ in range(6000)]
    kept, seen = [], set()
    for c in cands:
        if c in seen:
            continue
        seen.add(c)
        try:
            if yaml.load('k: ' + c, Loader=yaml.BaseLoader) != {'k': c}:
                continue
            v = yaml.load('k: ' + c, Loader=Core12Loader)['k']
        except Exception:
            continue
        if isinstance(v, int) and not isinstance(v, bool) and not -2**63 <= v < 2**63:
            continue
        kept.append(c)
    with open(out, 'w', encoding='utf-8') as f:
        for i, c in enumerate(kept):
            f.write('k%d: %s\n' % (i, c))
    print(len(kept))
    return 0


if __name__ == '__main__':
    if len(sys.argv) >= 5 and sys.argv[1] == 'compare':
        sys.exit(compare(*sys.argv[2:6]))
    if len(sys.argv) == 3 and sys.argv[1] == 'scalars':
        sys.exit(scalars(sys.argv[2]))
    print(__doc__, file=sys.stderr)
    sys.exit(2)
