#!/usr/bin/env python3
"""Turn Debian's packaged Maven repository into a remote repository for the e2e mirror.

    maven-repo.py STAGING OUT

STAGING is a directory where the .deb files of the Maven plugin packages were
unpacked (dpkg-deb -x); its usr/share/maven-repo is a Maven 2 layout whose jars
are symlinks into usr/share/java (relative or absolute, resolved inside
STAGING). OUT (the mirror's maven/ directory, written anew) gets:

  * every .pom and .jar of usr/share/maven-repo as a regular file (hard links
    to the unpacked files, so the data is stored once);
  * a .sha1 beside each, so Maven validates downloads instead of warning;
  * maven-metadata.xml per artifact (its versions; <release>/<latest> the highest
    real version, Debian's "debian"/"3.x" aliases listed but never chosen), and per
    group holding Maven plugins (their goal prefixes, read from
    META-INF/maven/plugin.xml), so `mvn dependency:go-offline` or
    `mvn clean` resolve a plugin by prefix as they would against Maven Central;
  * relocation POMs for the versions Maven 3.8 asks for by default that Debian
    does not relocate itself (RELOCATE below), as Debian does for the others
    (e.g. maven-compiler-plugin 3.1 -> 3.10.1), so `mvn dependency:go-offline`,
    which resolves every lifecycle's plugins, works.
"""
import hashlib
import os
import re
import shutil
import sys
import zipfile
from xml.sax.saxutils import escape


# (groupId, artifactId, version Maven 3.8.7 asks for by default) -> relocated to
# Debian's: the site lifecycle's plugin, and the plexus-utils 1.1 Maven adds to every
# plugin that does not depend on plexus-utils itself (maven-clean-plugin 3.2.0 does
# not: without it `mvn clean package` fails). That one is not resolved through the
# POM, so a relocation is not followed: it gets Debian's jar under its name (COPY).
RELOCATE = [("org.apache.maven.plugins", "maven-site-plugin", "3.3")]
COPY = [("org.codehaus.plexus", "plexus-utils", "1.1")]

PLAIN_POM = """<project>
  <modelVersion>4.0.0</modelVersion>
  <groupId>{g}</groupId>
  <artifactId>{a}</artifactId>
  <version>{v}</version>
  <packaging>jar</packaging>
  <description>dfslim e2e: Debian's {a} {to} under the version Maven asks for</description>
</project>
"""

RELOCATION_POM = """<project>
  <modelVersion>4.0.0</modelVersion>
  <groupId>{g}</groupId>
  <artifactId>{a}</artifactId>
  <version>{v}</version>
  <packaging>jar</packaging>
  <distributionManagement>
    <relocation>
      <groupId>{g}</groupId>
      <artifactId>{a}</artifactId>
      <version>{to}</version>
    </relocation>
  </distributionManagement>
</project>
"""


def resolve(staging, path):
    """Follow symlinks of a path inside staging, absolute ones relative to staging."""
    for _ in range(40):
        if not os.path.islink(path):
            return path
        target = os.readlink(path)
        if os.path.isabs(target):
            path = os.path.join(staging, target.lstrip("/"))
        else:
            path = os.path.normpath(os.path.join(os.path.dirname(path), target))
    raise RuntimeError(f"symlink loop at {path}")


def version_key(v):
    parts = re.split(r"[.\-]", v)
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts]


def is_real_version(v):
    return bool(re.match(r"^\d+(\.\d+)*([.\-][A-Za-z0-9]+)*$", v)) and not v.endswith(".x")


def main():
    staging, out = sys.argv[1], sys.argv[2]
    repo = os.path.join(staging, "usr/share/maven-repo")
    if os.path.exists(out):
        shutil.rmtree(out)
    files = 0
    for dirpath, dirnames, filenames in os.walk(repo):
        rel = os.path.relpath(dirpath, repo)
        for name in filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
            src = resolve(staging, os.path.join(dirpath, name))
            if not os.path.isfile(src):
                continue  # dangling (a file of a package we did not unpack)
            dst_dir = os.path.join(out, rel)
            os.makedirs(dst_dir, exist_ok=True)
            dst = os.path.join(dst_dir, name)
            try:
                os.link(src, dst)
            except OSError:
                shutil.copy2(src, dst)
            with open(dst, "rb") as f:
                digest = hashlib.sha1(f.read()).hexdigest()
            with open(dst + ".sha1", "w") as f:
                f.write(digest)
            files += 1

    for g, a, v in RELOCATE:
        adir = os.path.join(out, *g.split("."), a)
        have = [d for d in os.listdir(adir) if is_real_version(d)] if os.path.isdir(adir) else []
        if not have or os.path.isdir(os.path.join(adir, v)):
            continue
        to = sorted(have, key=version_key)[-1]
        os.makedirs(os.path.join(adir, v))
        write(os.path.join(adir, v, f"{a}-{v}.pom"), RELOCATION_POM.format(g=g, a=a, v=v, to=to))
    for g, a, v in COPY:
        adir = os.path.join(out, *g.split("."), a)
        have = [d for d in os.listdir(adir) if is_real_version(d)] if os.path.isdir(adir) else []
        if not have or os.path.isdir(os.path.join(adir, v)):
            continue
        to = sorted(have, key=version_key)[-1]
        os.makedirs(os.path.join(adir, v))
        write(os.path.join(adir, v, f"{a}-{v}.pom"), PLAIN_POM.format(g=g, a=a, v=v, to=to))
        jar = os.path.join(adir, v, f"{a}-{v}.jar")
        os.link(os.path.join(adir, to, f"{a}-{to}.jar"), jar)
        shutil.copy(os.path.join(adir, to, f"{a}-{to}.jar.sha1"), jar + ".sha1")

    # maven-metadata.xml per artifact and per plugin group
    prefixes = {}  # groupId -> {artifactId: prefix}
    artifacts = 0
    for dirpath, dirnames, filenames in os.walk(out):
        versions = [d for d in dirnames if any(n.endswith(".pom") for n in os.listdir(os.path.join(dirpath, d)))]
        if not versions:
            continue
        rel = os.path.relpath(dirpath, out).split(os.sep)
        group, artifact = ".".join(rel[:-1]), rel[-1]
        real = sorted((v for v in versions if is_real_version(v)), key=version_key)
        ordered = real + sorted(v for v in versions if v not in real)
        release = real[-1] if real else ordered[-1]
        write(os.path.join(dirpath, "maven-metadata.xml"),
              "<metadata>\n"
              f"  <groupId>{escape(group)}</groupId>\n"
              f"  <artifactId>{escape(artifact)}</artifactId>\n"
              "  <versioning>\n"
              f"    <latest>{escape(release)}</latest>\n"
              f"    <release>{escape(release)}</release>\n"
              "    <versions>\n"
              + "".join(f"      <version>{escape(v)}</version>\n" for v in ordered)
              + "    </versions>\n"
              "  </versioning>\n"
              "</metadata>\n")
        artifacts += 1
        jar = os.path.join(dirpath, release, f"{artifact}-{release}.jar")
        if os.path.isfile(jar):
            try:
                with zipfile.ZipFile(jar) as z:
                    xml = z.read("META-INF/maven/plugin.xml").decode("utf-8", "replace")
            except (KeyError, zipfile.BadZipFile):
                xml = ""
            m = re.search(r"<goalPrefix>([^<]+)</goalPrefix>", xml)
            if m:
                prefixes.setdefault(group, {})[artifact] = m.group(1).strip()
    for group, plugins in prefixes.items():
        body = "".join(
            f"    <plugin>\n      <name>{escape(a)}</name>\n      <prefix>{escape(p)}</prefix>\n"
            f"      <artifactId>{escape(a)}</artifactId>\n    </plugin>\n"
            for a, p in sorted(plugins.items()))
        write(os.path.join(out, *group.split("."), "maven-metadata.xml"),
              f"<metadata>\n  <plugins>\n{body}  </plugins>\n</metadata>\n")
    print(f"maven-repo.py: {files} files, {artifacts} artifacts, "
          f"{sum(len(p) for p in prefixes.values())} plugin prefixes")


def write(path, text):
    with open(path, "w") as f:
        f.write(text)
    with open(path + ".sha1", "w") as f:
        f.write(hashlib.sha1(text.encode()).hexdigest())


if __name__ == "__main__":
    main()
