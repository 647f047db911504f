#!/usr/bin/python3
"""validate.py SCHEMA_DIR cyclonedx|spdx|sarif FILE: validates FILE against the official JSON
schema kept in SCHEMA_DIR (../shared/data/schemas), with Debian's python3-jsonschema.
Prints "valid" or the first errors (path: message) and exits 0 / 1."""
import json
import os
import sys

import jsonschema
from jsonschema import _legacy_validators, _utils, _validators


def _extras_msg(extras):
    # jsonschema 4.10 sorts the extra items to word this message, which raises
    # TypeError when they are objects (CycloneDX license lists): keep their order
    return ", ".join(repr(e) for e in extras), "was" if len(extras) == 1 else "were"


for _m in (_utils, _validators, _legacy_validators):
    if hasattr(_m, "extras_msg"):
        _m.extras_msg = _extras_msg

schema_dir, kind, path = sys.argv[1], sys.argv[2], sys.argv[3]
name = {"cyclonedx": "bom-1.6.SNAPSHOT.schema.json", "spdx": "spdx-schema.json",
        "sarif": "sarif-schema-2.1.0.json"}[kind]
schema = json.load(open(os.path.join(schema_dir, name)))
# the CycloneDX schema references spdx.SNAPSHOT.schema.json and jsf-0.82.SNAPSHOT.schema.json
# by relative URL: resolve them from the same folder, never from the network
store = {}
for f in os.listdir(schema_dir):
    if f.endswith(".json"):
        doc = json.load(open(os.path.join(schema_dir, f)))
        store["file://" + os.path.join(os.path.abspath(schema_dir), f)] = doc
        if isinstance(doc, dict) and "$id" in doc:
            store[doc["$id"]] = doc
# a relative $ref resolves against the referring schema's $id: serve every local file
# under every folder URL an $id names (e.g. http://cyclonedx.org/schema/)
folders = {d["$id"].rsplit("/", 1)[0] for d in list(store.values()) if isinstance(d, dict) and "$id" in d}
for folder in folders:
    for f in os.listdir(schema_dir):
        if f.endswith(".json"):
            store[folder + "/" + f] = json.load(open(os.path.join(schema_dir, f)))
base = "file://" + os.path.join(os.path.abspath(schema_dir), name)
resolver = jsonschema.RefResolver(base_uri=base, referrer=schema, store=store)
validator_cls = jsonschema.validators.validator_for(schema)
validator = validator_cls(schema, resolver=resolver, format_checker=jsonschema.FormatChecker())
doc = json.load(open(path))
errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
if errors:
    for e in errors[:10]:
        print("/".join(str(p) for p in e.absolute_path) + ": " + e.message[:300])
    sys.exit(1)
print("valid")
