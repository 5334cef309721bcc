#!/usr/bin/env python3
"""Fill and render the npm part of the e2e registry mirror (target/e2e/mirror/npm).

    npm-mirror.py DIR URL [--lock FILE]... [--spec NAME@VERSION]... [--full NAME@VERSION]...

DIR  the mirror's npm directory (target/e2e/mirror/npm)
URL  the URL builds reach it at (http://<docker0 ip>:8765/npm), written into
     every packument's dist.tarball

Every package named by a lock file (package-lock.json v2/v3 "packages",
pnpm-lock.yaml "packages", yarn.lock entries) or by --spec is fetched ON THE
MACHINE from the real registry (https://registry.npmjs.org, through the
machine's CA bundle) once: its version manifest goes to DIR/.raw/ and its
tarball to DIR/<name>/-/<file>.tgz (the registry's own layout, scoped names as
DIR/@scope/name/-/name-<v>.tgz), checked against the integrity the registry
gives. --full takes the version's entry from the full packument instead, which
keeps dist.signatures (corepack verifies them when it downloads a package
manager).

Then, on every run (the URL may change), each name gets
  DIR/<name>/index.json            the packument npm/pnpm ask for
  DIR/<name>/<version>/index.json  the version manifest (corepack asks for it)
  DIR/<name>/latest/index.json     the highest version's manifest
with dist.tarball pointing at URL. Only the versions the mirror holds are listed.
"""
import base64
import hashlib
import json
import os
import re
import sys
import time
import urllib.parse
import urllib.request

REGISTRY = "https://registry.npmjs.org"
RAW = ".raw"


def log(msg):
    sys.stderr.write(f"[npm-mirror] {msg}\n")


def fetch(url, tries=4):
    last = None
    for i in range(tries):
        try:
            with urllib.request.urlopen(url, timeout=60) as r:
                return r.read()
        except Exception as e:  # network hiccup: retry
            last = e
            time.sleep(1 + 2 * i)
    raise SystemExit(f"npm-mirror: fetching {url} failed: {last}")


def quote_name(name):
    return name.replace("/", "%2f") if name.startswith("@") else name


def version_key(v):
    main, _, pre = v.partition("-")
    nums = []
    for p in main.split("."):
        nums.append(int(p) if p.isdigit() else 0)
    # a release sorts after its pre-releases
    return (nums, 0 if pre else 1, pre)


# ---- lock file readers -> set of (name, version) --------------------------------
def from_package_lock(path):
    with open(path) as f:
        lock = json.load(f)
    out = set()
    for key, meta in (lock.get("packages") or {}).items():
        if not key or "node_modules/" not in key:
            continue
        if meta.get("link") or meta.get("inBundle"):
            continue
        name = meta.get("name") or key.rsplit("node_modules/", 1)[1]
        ver = meta.get("version")
        resolved = meta.get("resolved", "")
        if resolved and not resolved.startswith(REGISTRY):
            raise SystemExit(f"npm-mirror: {path}: {key} resolved outside the registry: {resolved}")
        if ver:
            out.add((name, ver))
    for name, meta in (lock.get("dependencies") or {}).items():  # lockfileVersion 1
        if isinstance(meta, dict) and meta.get("version") and not meta.get("bundled"):
            out.add((name, meta["version"]))
    return out


PNPM_KEY = re.compile(r"^  '?/?((?:@[^/@\s']+/)?[^@\s'/]+)@([0-9][^(':\s]*)")


def from_pnpm_lock(path):
    out = set()
    section = None
    with open(path) as f:
        for line in f:
            if line and not line[0].isspace():
                section = line.strip().rstrip(":")
                continue
            if section in ("packages", "snapshots"):
                m = PNPM_KEY.match(line)
                if m:
                    out.add((m.group(1), m.group(2)))
    return out


YARN_RESOLVED = re.compile(r'^\s+resolved "?(https?://[^"#\s]+)')


def from_yarn_lock(path):
    out = set()
    with open(path) as f:
        for line in f:
            m = YARN_RESOLVED.match(line)
            if not m:
                continue
            url = urllib.parse.unquote(m.group(1))
            path_ = urllib.parse.urlparse(url).path.lstrip("/")
            name, _, file = path_.partition("/-/")
            base = name.split("/")[-1]
            ver = file[len(base) + 1 : -len(".tgz")]
            out.add((name, ver))
    return out


def read_lock(path):
    base = os.path.basename(path)
    if base == "pnpm-lock.yaml":
        return from_pnpm_lock(path)
    if base == "yarn.lock":
        return from_yarn_lock(path)
    return from_package_lock(path)


# ---- fill --------------------------------------------------------------------------
def raw_path(d, name, ver):
    return os.path.join(d, RAW, quote_name(name), ver + ".json")


def check_integrity(data, integrity, shasum):
    if integrity:
        for item in integrity.split():
            algo, _, want = item.partition("-")
            if algo in ("sha512", "sha384", "sha256", "sha1"):
                got = base64.b64encode(hashlib.new(algo, data).digest()).decode()
                return got == want
    if shasum:
        return hashlib.sha1(data).hexdigest() == shasum
    return False


def fill_one(d, name, ver, full):
    rp = raw_path(d, name, ver)
    if os.path.isfile(rp):
        with open(rp) as f:
            manifest = json.load(f)
    else:
        if full:
            pack = json.loads(fetch(f"{REGISTRY}/{quote_name(name)}"))
            manifest = pack["versions"][ver]
        else:
            manifest = json.loads(fetch(f"{REGISTRY}/{quote_name(name)}/{ver}"))
        for k in list(manifest):
            if k in ("readme", "readmeFilename", "_npmOperationalInternal", "_npmUser", "maintainers", "contributors"):
                del manifest[k]
    dist = manifest["dist"]
    file = dist["tarball"].rsplit("/", 1)[1]
    tgz = os.path.join(d, name, "-", file)
    if not os.path.isfile(tgz):
        data = fetch(dist["tarball"])
        if not check_integrity(data, dist.get("integrity"), dist.get("shasum")):
            raise SystemExit(f"npm-mirror: {name}@{ver}: tarball does not match its integrity")
        os.makedirs(os.path.dirname(tgz), exist_ok=True)
        with open(tgz + ".part", "wb") as f:
            f.write(data)
        os.replace(tgz + ".part", tgz)
    if not os.path.isfile(rp):
        os.makedirs(os.path.dirname(rp), exist_ok=True)
        with open(rp + ".part", "w") as f:
            json.dump(manifest, f, sort_keys=True)
        os.replace(rp + ".part", rp)
        return True
    return False


# ---- render ------------------------------------------------------------------------
def write_json(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    data = json.dumps(obj, sort_keys=True, indent=1)
    if os.path.isfile(path):
        with open(path) as f:
            if f.read() == data:
                return
    with open(path + ".part", "w") as f:
        f.write(data)
    os.replace(path + ".part", path)


def render(d, url):
    url = url.rstrip("/")
    raw = os.path.join(d, RAW)
    names = 0
    for qname in sorted(os.listdir(raw)) if os.path.isdir(raw) else []:
        name = qname.replace("%2f", "/")
        versions = {}
        for fn in os.listdir(os.path.join(raw, qname)):
            if not fn.endswith(".json"):
                continue
            with open(os.path.join(raw, qname, fn)) as f:
                m = json.load(f)
            file = m["dist"]["tarball"].rsplit("/", 1)[1]
            m["dist"]["tarball"] = f"{url}/{name}/-/{file}"
            versions[m["version"]] = m
        if not versions:
            continue
        latest = max(versions, key=version_key)
        write_json(
            os.path.join(d, name, "index.json"),
            {"_id": name, "name": name, "dist-tags": {"latest": latest}, "versions": versions},
        )
        for v, m in versions.items():
            write_json(os.path.join(d, name, v, "index.json"), m)
        write_json(os.path.join(d, name, "latest", "index.json"), versions[latest])
        names += 1
    return names


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    d, url = argv[1], argv[2]
    want = {}
    i = 3
    while i < len(argv):
        opt, val = argv[i], argv[i + 1]
        i += 2
        if opt == "--lock":
            for nv in read_lock(val):
                want.setdefault(nv, False)
        elif opt in ("--spec", "--full"):
            name, _, ver = val.rpartition("@")
            want[(name, ver)] = opt == "--full" or want.get((name, ver), False)
        else:
            sys.exit(f"npm-mirror: unknown option {opt}")
    os.makedirs(d, exist_ok=True)
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=8) as pool:
        fetched = sum(pool.map(lambda item: fill_one(d, item[0][0], item[0][1], item[1]), sorted(want.items())))
    names = render(d, url)
    log(f"{len(want)} package versions wanted, {fetched} fetched now; {names} packuments rendered for {url}")


if __name__ == "__main__":
    main(sys.argv)
