#!/usr/bin/env python3
"""Dump BuildKit's view of Dockerfiles as JSON, for differential tests.

Usage: dump.py FILE_OR_DIR...

Uses the PyPI package `dockerfile` (pinned in requirements.txt), which wraps
the Go parser of BuildKit v0.12.5.  Prints one JSON list, one entry per file
(directories expand to every regular file below them, sorted, recursively):

    {"path": P, "ok": true, "instructions": [...]}
    {"path": P, "ok": false, "error": MSG, "line": null}

About "line": the package gives no line for parse errors.  BuildKit attaches
the location to the Go error (parser.ErrorLocation), but its Error() text is
only the bare message, and the binding raises `dockerfile.GoParseError` (a
ValueError) built from that text alone: args == (message,), no extra
attributes, and no message in v0.12.5's parser contains a line number (e.g.
"unterminated heredoc", "file with no instructions").  So "line" is always
null; the key is kept so the schema can carry one if a future binding does.
"""
import json
import os
import sys

import dockerfile


def files_of(args):
    for arg in args:
        if os.path.isdir(arg):
            found = []
            for root, _dirs, names in os.walk(arg):
                found += [os.path.join(root, n) for n in names]
            yield from sorted(p for p in found if os.path.isfile(p))
        else:
            yield arg


def keys_of(keyword, values):
    if keyword in ("ENV", "LABEL"):
        return list(values[0::2])  # values alternate key, value
    if keyword == "ARG":
        return [v.split("=", 1)[0] for v in values]
    return []


def instruction(cmd):
    keyword = cmd.cmd.upper()
    values = list(cmd.value)
    image = alias = None
    if keyword == "FROM":
        image = values[0] if values else None
        if len(values) == 3 and values[1].lower() == "as":
            alias = values[2]
    # For ONBUILD, `value` and `json` describe the inner instruction; its
    # flags are not reported at all by the binding.
    return {
        "keyword": keyword,
        "sub_keyword": cmd.sub_cmd.upper() if cmd.sub_cmd else None,
        "start_line": cmd.start_line,
        "end_line": cmd.end_line,
        "form": "json" if cmd.json else "shell",
        "flags": list(cmd.flags),
        "from_image": image,
        "from_alias": alias,
        "keys": keys_of(keyword, values),
    }


def dump(path):
    with open(path, "rb") as f:
        data = f.read()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return {"path": path, "ok": False, "error": "not utf-8", "line": None}
    try:
        # parse_file hands the exact bytes to Go (parse_string would stop
        # at a NUL byte, since the binding passes it as a C string).
        cmds = dockerfile.parse_file(path)
    except dockerfile.GoParseError as e:
        return {"path": path, "ok": False, "error": str(e), "line": None}
    return {"path": path, "ok": True, "instructions": [instruction(c) for c in cmds]}


def main(argv):
    if not argv:
        sys.exit("usage: dump.py FILE_OR_DIR...")
    json.dump([dump(p) for p in files_of(argv)], sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1:])
