#!/usr/bin/env python3
"""Fill the crates.io mirror (a static sparse registry) from Cargo.lock files.

    crates-mirror.py missing MIRROR LOCK...       print "name version" of locked
                                                  crates.io packages not mirrored yet
    crates-mirror.py fill MIRROR CARGO_HOME RAW_INDEX_DIR BASE_URL LOCK...

`fill` copies each locked package's .crate from CARGO_HOME's download cache
(filled by `cargo fetch`) to MIRROR/dl/<name>/<name>-<version>.crate,
checking it against the lock file's checksum; then writes, for every mirrored
crate, its sparse index file MIRROR/index/<prefix>/<name>, holding the lines of
the real index (https://index.crates.io, fetched once and kept under
RAW_INDEX_DIR) for the versions the mirror has, so that
resolution never picks a version it cannot download; and MIRROR/index/config.json
pointing downloads at BASE_URL/dl/. Cargo (>= 1.68) uses it as
`sparse+BASE_URL/index/` through source replacement.
"""
import glob
import hashlib
import json
import os
import shutil
import sys
import tomllib
import urllib.request

CRATES_IO = "registry+https://github.com/rust-lang/crates.io-index"
INDEX_URL = "https://index.crates.io/"


def locked(lock_files):
    out = set()
    for path in lock_files:
        with open(path, "rb") as f:
            lock = tomllib.load(f)
        for pkg in lock.get("package", []):
            if pkg.get("source") == CRATES_IO:
                if "checksum" not in pkg:
                    sys.exit(f"{path}: {pkg['name']} {pkg['version']} has no checksum (lock file v1?)")
                out.add((pkg["name"], pkg["version"], pkg["checksum"]))
    return sorted(out)


def crate_path(mirror, name, version):
    return os.path.join(mirror, "dl", name, f"{name}-{version}.crate")


def index_rel(name):
    n = name.lower()
    if len(n) <= 2:
        return f"{len(n)}/{n}"
    if len(n) == 3:
        return f"3/{n[0]}/{n}"
    return f"{n[:2]}/{n[2:4]}/{n}"


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_atomic(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + ".part", "wb") as f:
        f.write(data)
    os.replace(path + ".part", path)


def raw_index(raw_dir, name):
    """The real index file of a crate, fetched once and kept."""
    rel = index_rel(name)
    cached = os.path.join(raw_dir, rel)
    if not os.path.isfile(cached):
        req = urllib.request.Request(INDEX_URL + rel, headers={"User-Agent": "dfslim-e2e-mirror"})
        with urllib.request.urlopen(req, timeout=60) as r:
            write_atomic(cached, r.read())
    with open(cached, "rb") as f:
        return f.read().decode()


def fill(mirror, cache_dir, raw_dir, base_url, lock_files):
    for name, version, checksum in locked(lock_files):
        dest = crate_path(mirror, name, version)
        if os.path.isfile(dest) and sha256(dest) == checksum:
            continue
        found = glob.glob(os.path.join(cache_dir, "registry", "cache", "*", f"{name}-{version}.crate"))
        if not found:
            sys.exit(f"{name} {version}: not in {cache_dir} (did cargo fetch run?)")
        if sha256(found[0]) != checksum:
            sys.exit(f"{name} {version}: checksum mismatch with Cargo.lock")
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        shutil.copyfile(found[0], dest + ".part")
        os.replace(dest + ".part", dest)
    # One index file per mirrored crate, with the versions the mirror holds.
    dl = os.path.join(mirror, "dl")
    for name in sorted(os.listdir(dl)):
        have = {f[len(name) + 1 : -len(".crate")] for f in os.listdir(os.path.join(dl, name)) if f.endswith(".crate")}
        lines = [l for l in raw_index(raw_dir, name).splitlines() if l.strip() and json.loads(l)["vers"] in have]
        missing = have - {json.loads(l)["vers"] for l in lines}
        if missing:
            sys.exit(f"{name}: versions {sorted(missing)} not in the crates.io index")
        data = ("\n".join(lines) + "\n").encode()
        out = os.path.join(mirror, "index", index_rel(name))
        if not os.path.isfile(out) or open(out, "rb").read() != data:
            write_atomic(out, data)
    config = {"dl": base_url.rstrip("/") + "/dl/{crate}/{crate}-{version}.crate", "api": None}
    write_atomic(os.path.join(mirror, "index", "config.json"), (json.dumps(config, indent=2) + "\n").encode())


def main():
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "missing" and len(sys.argv) >= 3:
        for name, version, checksum in locked(sys.argv[3:]):
            p = crate_path(sys.argv[2], name, version)
            if not os.path.isfile(p) or sha256(p) != checksum:
                print(name, version)
    elif cmd == "fill" and len(sys.argv) >= 6:
        fill(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
