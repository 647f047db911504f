#!/usr/bin/python3
"""secrets_check.py EXPECTED_DIR REPORT.json: compares `bulwark scan --scanners secret
--format json` of the kitchen-sink fixture with the fixture's ground truth
(EXPECTED_DIR/kitchen-sink/secrets.json and image.json, written by the fixture
builder, independently of src/). Prints one line per planted item, "ok ITEM" or
"MISS ITEM: why", and exits 1 when any item is missed."""
import json
import os
import sys

exp_dir, report = sys.argv[1], sys.argv[2]
planted = json.load(open(os.path.join(exp_dir, "kitchen-sink", "secrets.json")))
image = json.load(open(os.path.join(exp_dir, "kitchen-sink", "image.json")))
secrets = json.load(open(report))["secrets"]
diff_ids = [l["diff_id"] for l in image["layers"]]
bad = 0


def redacted_of(value, match):
    """Our redaction keeps at most the first and last four characters of the value."""
    keep = 4 if len(value) >= 20 else 2 if len(value) >= 12 else 1 if len(value) >= 8 else 0
    return match.startswith(value[:keep]) and match.endswith(value[len(value) - keep:]) and value not in match


for item in planted:
    name = item["id"]
    if item.get("negative_control"):
        hits = [s for s in secrets if s["path"] == item["path"] and s["line"] == item["line"]]
        print(("MISS %s: the look-alike was reported" % name) if hits else "ok %s (not reported)" % name)
        bad += bool(hits)
        continue
    if item.get("where") == "config.Env":
        want = ["config:env:" + item["key"]]
    elif item.get("where") == "history.created_by":
        want = ["config:history:%d" % i for i in item["history_indices"]]
    else:
        want = None
    if want:
        for path in want:
            hits = [s for s in secrets if s["path"] == path and s["layer"] is None and redacted_of(item["value"], s["match"])]
            if hits:
                print("ok %s at %s (%s)" % (name, path, hits[0]["rule"]))
            else:
                print("MISS %s: nothing at %s" % (name, path))
                bad += 1
        continue
    for added in item["added_in_layers"]:
        idx = added["index"] - 1
        hits = [s for s in secrets if s["path"] == item["path"] and s["line"] == item["line"]
                and s["layer_index"] == idx + 1 and s["layer"] == diff_ids[idx]]
        if not hits:
            print("MISS %s: nothing at %s:%d in layer %d" % (name, item["path"], item["line"], idx + 1))
            bad += 1
            continue
        s = hits[0]
        deleted = item["deleted_in_layer"] is not None or not item.get("present_in_final_rootfs", True)
        if s["deleted_in_later_layer"] != deleted:
            print("MISS %s: deleted_in_later_layer %s, want %s" % (name, s["deleted_in_later_layer"], deleted))
            bad += 1
        elif not redacted_of(item["value"], s["match"]):
            print("MISS %s: match %r is not the redacted value" % (name, s["match"]))
            bad += 1
        else:
            print("ok %s at %s:%d layer %d deleted=%s (%s)" % (name, item["path"], item["line"], idx + 1, deleted, s["rule"]))
sys.exit(1 if bad else 0)
