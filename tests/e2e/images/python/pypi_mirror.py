#!/usr/bin/env python3
"""Fill the e2e PyPI mirror (a PEP 503 "simple" index) from lock files.

    pypi_mirror.py OUT_DIR LOCKFILE...

LOCKFILE is a pinned requirements file (`name==version` lines, `#` comments,
`-r other.txt` ignored) or a uv.lock (every registry package in it). Every pin
is fetched with `pip download --no-deps` for the images' interpreter (CPython
3.11, manylinux x86_64): the wheel when one fits, else the sdist. For each
sdist the build requirements in its pyproject.toml (default: setuptools, wheel)
are fetched too, with their dependencies, so pip's isolated builds inside the
images find them. Then OUT_DIR/simple/<normalized-name>/index.html is written
for every file in OUT_DIR/files (links with #sha256=), plus
OUT_DIR/simple/index.html.

Idempotent: a pin whose file is already in OUT_DIR/files is not fetched again;
the index is always rewritten (cheap). pip runs on the machine
(`python3 -m pip`), from the real index configured there (PyPI).
"""
import hashlib
import html
import os
import re
import subprocess
import sys
import tarfile
import tomllib
import zipfile

PY_VERSION = "3.11"
ABIS = ["cp311", "abi3", "none"]
# glibc 2.36 (Debian 12) accepts every manylinux tag up to 2_36.
PLATFORMS = [f"manylinux_2_{m}_x86_64" for m in (36, 35, 34, 31, 28, 27, 26, 24, 17, 12, 5)] + [
    "manylinux2014_x86_64",
    "manylinux2010_x86_64",
    "manylinux1_x86_64",
    "linux_x86_64",
    "any",
]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*==\s*([A-Za-z0-9.+!_-]+)")


def normalize(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def pins_of(path):
    if os.path.basename(path) == "uv.lock":
        with open(path, "rb") as f:
            lock = tomllib.load(f)
        out = []
        for pkg in lock.get("package", []):
            if "registry" in pkg.get("source", {}):
                out.append((pkg["name"], pkg["version"]))
        return out
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if not line or line.startswith("-"):
                continue
            m = PIN.match(line)
            if not m:
                sys.exit(f"{path}: not a pin (name==version): {line!r}")
            out.append((m.group(1), m.group(2)))
    return out


def file_name_version(fn):
    """(normalized name, version) of a wheel or sdist file name."""
    if fn.endswith(".whl"):
        parts = fn[:-4].split("-")
        return normalize(parts[0]), parts[1]
    for ext in (".tar.gz", ".zip", ".tar.bz2"):
        if fn.endswith(ext):
            base = fn[: -len(ext)]
            name, _, version = base.rpartition("-")
            return normalize(name), version
    return None, None


def have(files_dir, name, version):
    n = normalize(name)
    for fn in os.listdir(files_dir):
        fnn, fv = file_name_version(fn)
        if fnn == n and fv == version:
            return True
    return False


def pip_env():
    env = dict(os.environ)
    for k in ("PIP_FIND_LINKS", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_NO_INDEX", "PIP_TRUSTED_HOST"):
        env.pop(k, None)
    return env


def download(files_dir, reqs, deps=False):
    cmd = [sys.executable, "-m", "pip", "download", "-q", "--disable-pip-version-check",
           "-d", files_dir, "--python-version", PY_VERSION, "--implementation", "cp"]
    for a in ABIS:
        cmd += ["--abi", a]
    for p in PLATFORMS:
        cmd += ["--platform", p]
    cmd += ["--only-binary=:all:"] if deps else ["--no-deps"]
    cmd += reqs
    subprocess.run(cmd, check=True, env=pip_env())


def build_requires(sdist):
    try:
        with tarfile.open(sdist) as t:
            for m in t.getmembers():
                if m.name.count("/") == 1 and m.name.endswith("/pyproject.toml"):
                    data = tomllib.loads(t.extractfile(m).read().decode())
                    return data.get("build-system", {}).get("requires", ["setuptools>=40.8.0", "wheel"])
    except (tarfile.TarError, tomllib.TOMLDecodeError):
        pass
    return ["setuptools>=40.8.0", "wheel"]


def write_index(out):
    files_dir = os.path.join(out, "files")
    simple = os.path.join(out, "simple")
    projects = {}
    for fn in sorted(os.listdir(files_dir)):
        n, _ = file_name_version(fn)
        if n:
            projects.setdefault(n, []).append(fn)
    for n, fns in projects.items():
        d = os.path.join(simple, n)
        os.makedirs(d, exist_ok=True)
        links = []
        for fn in fns:
            h = hashlib.sha256()
            with open(os.path.join(files_dir, fn), "rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    h.update(chunk)
            links.append(f'<a href="../../files/{html.escape(fn)}#sha256={h.hexdigest()}">{html.escape(fn)}</a><br>')
        page = "<!DOCTYPE html>\n<html><head><title>Links for %s</title></head><body>\n<h1>Links for %s</h1>\n%s\n</body></html>\n" % (
            n, n, "\n".join(links))
        tmp = os.path.join(d, "index.html.part")
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(page)
        os.replace(tmp, os.path.join(d, "index.html"))
    root = "<!DOCTYPE html>\n<html><body>\n%s\n</body></html>\n" % "\n".join(
        f'<a href="{n}/">{n}</a><br>' for n in sorted(projects))
    with open(os.path.join(simple, "index.html.part"), "w", encoding="utf-8") as f:
        f.write(root)
    os.replace(os.path.join(simple, "index.html.part"), os.path.join(simple, "index.html"))
    return len(projects), sum(len(v) for v in projects.values())


def main():
    out, locks = sys.argv[1], sys.argv[2:]
    files_dir = os.path.join(out, "files")
    os.makedirs(files_dir, exist_ok=True)
    wanted = []
    for lock in locks:
        for name, version in pins_of(lock):
            if (name, version) not in wanted:
                wanted.append((name, version))
    missing = [f"{n}=={v}" for n, v in wanted if not have(files_dir, n, v)]
    if missing:
        print(f"pypi_mirror: fetching {len(missing)} pins", file=sys.stderr)
        # One call per batch of distinct names (the locks may pin one project at
        # two versions, e.g. pip); a batch that fails is retried pin by pin so
        # the error names the pin.
        batches = []
        for req in missing:
            name = normalize(req.split("==")[0])
            for b in batches:
                if name not in b:
                    b[name] = req
                    break
            else:
                batches.append({name: req})
        for b in batches:
            try:
                download(files_dir, list(b.values()))
            except subprocess.CalledProcessError:
                for req in b.values():
                    download(files_dir, [req])
    for fn in sorted(os.listdir(files_dir)):
        if fn.endswith((".tar.gz", ".zip")):
            reqs = build_requires(os.path.join(files_dir, fn))
            stamp = os.path.join(out, ".build-requires-" + fn + ".done")
            if not os.path.exists(stamp):
                print(f"pypi_mirror: build requirements of {fn}: {reqs}", file=sys.stderr)
                download(files_dir, reqs, deps=True)
                open(stamp, "w").close()
    n, f = write_index(out)
    print(f"pypi_mirror: {n} projects, {f} files in {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
