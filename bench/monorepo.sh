#!/usr/bin/env bash
# Benchmark (not a test): `dfslim fix --check --level 5` over a generated
# polyglot monorepo of 10,000 Dockerfiles (about 70% Go, the rest Node.js,
# Python, Rust and Java, naive and already slim). Prints wall time and peak memory of
# each run, measured by GNU time (`apt-get install time` if it is missing).
#
#   bench/monorepo.sh            # 10,000 files, 3 runs
#   N=2000 RUNS=1 bench/monorepo.sh
#   KEEP=1 bench/monorepo.sh     # keep the tree (its path is printed)
#   FIFO=1 bench/monorepo.sh     # on a shared, busy machine: run dfslim
#                                # under `chrt -f 50` (root) so that other
#                                # processes' load does not count in its wall time
#
# The tree: teams/<team>/services/<svc>/ with a Dockerfile, go.mod and
# main.go, in the shapes Go services really come in (the naive one-stage
# `go run` file, multi-stage ones, go install, ARG-templated versions,
# distroless and scratch runtimes, cgo with sqlite, apk/apt installs, CRLF,
# comments and continuations, already slim ones), naive Node.js, Python,
# Rust and Java services with their manifests and lock files, plus an
# ignored directory, compose files and a dfslim.toml. Targets on a 2-core
# machine: under 3 s and under 200 MB.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-10000}
RUNS=${RUNS:-3}
TIME=/usr/bin/time
if ! "$TIME" -v true >/dev/null 2>&1; then
    echo "GNU time is needed: apt-get install time" >&2
    exit 2
fi

# As installed (bench/build.sh: the dist profile, static-pie on x86_64 Linux).
BIN=$(bash "$(dirname "${BASH_SOURCE[0]}")/build.sh")

TREE=$(mktemp -d "${TMPDIR:-/tmp}/dfslim-bench.XXXXXX")
if [ -z "${KEEP:-}" ]; then
    trap 'rm -rf "$TREE"' EXIT
fi

python3 - "$TREE" "$N" <<'PY'
import os, random, sys

root, n = sys.argv[1], int(sys.argv[2])
rnd = random.Random(42)
GO = ["1.16", "1.19", "1.20", "1.21", "1.21.5", "1.22", "1.22.3", "1.23"]

def naive(v, name, port):
    return f"""# {name}: the Dockerfile the service started with.
FROM golang:{v}

COPY . /$GOPATH/src/{name}/
WORKDIR /$GOPATH/src/{name}/

RUN go mod download
RUN go build ./cmd/{name}/main.go

EXPOSE {port}
CMD ["go", "run", "./cmd/{name}/main.go"]
"""

def multistage(v, name, port):
    return f"""FROM golang:{v}-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN go build -trimpath -o /out/{name} ./cmd/{name}

FROM gcr.io/distroless/base-debian12
COPY --from=build /out/{name} /usr/local/bin/{name}
USER nonroot:nonroot
EXPOSE {port}
ENTRYPOINT ["/usr/local/bin/{name}"]
"""

def templated(v, name, port):
    return f"""# syntax=docker/dockerfile:1
ARG GO_VERSION={v}
FROM golang:${{GO_VERSION}} AS builder
ARG VERSION=dev
WORKDIR /app
COPY go.* ./
RUN --mount=type=cache,target=/go/pkg/mod \\
    go mod download
COPY . .
RUN --mount=type=cache,target=/root/.cache/go-build \\
    go build \\
      -ldflags "-X main.version=${{VERSION}}" \\
      -o /app/{name} \\
      ./cmd/{name}

FROM alpine:3.19
RUN apk add --no-cache ca-certificates tzdata
COPY --from=builder /app/{name} /{name}
EXPOSE {port}
CMD ["/{name}"]
"""

def install(v, name, port):
    return f"""FROM golang:{v}
ENV GO111MODULE=on
WORKDIR /go/src/github.com/acme/{name}
COPY . .
RUN go get -d -v ./... && go install -v ./...
EXPOSE {port}
CMD ["{name}"]
"""

def cgo(v, name, port):
    return f"""FROM golang:{v}
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev libsqlite3-dev \\
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
ENV CGO_ENABLED=1
RUN go build -o /usr/bin/{name} .
EXPOSE {port}
CMD ["/usr/bin/{name}"]
"""

def alpine_tools(v, name, port):
    return f"""FROM golang:{v}-alpine
RUN apk add --no-cache git make
WORKDIR /build
COPY . .
RUN make build && cp bin/{name} /usr/local/bin/
EXPOSE {port}
ENTRYPOINT ["{name}"]
"""

def slim(v, name, port):
    return f"""FROM golang:{v}-alpine AS builder
ENV CGO_ENABLED=0
WORKDIR /src
COPY . .
RUN go build -ldflags="-s -w" -o /{name} .

FROM scratch
COPY --from=builder /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/
COPY --from=builder /{name} /{name}
EXPOSE {port}
ENTRYPOINT ["/{name}"]
"""

def crlf(v, name, port):
    return naive(v, name, port).replace("\n", "\r\n")

def shell_cmd(v, name, port):
    return f"""from golang:{v}
workdir /srv/{name}
copy . .
# build and run
run go build -o server . && \\
    # strip nothing yet
    ls -l server
expose {port}
cmd ./server --port={port}
"""

def node(v, name, port):
    return f"""FROM node:20-alpine
WORKDIR /app
COPY package*.json ./
RUN npm ci --omit=dev
COPY . .
EXPOSE {port}
CMD ["node", "server.js"]
"""

def node_naive(v, name, port):
    return f"""FROM node:20
WORKDIR /usr/src/app
COPY package*.json ./
RUN npm install
COPY . .
EXPOSE {port}
CMD ["npm", "start"]
"""

def python_naive(v, name, port):
    return f"""FROM python:3.12
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
EXPOSE {port}
CMD ["gunicorn", "-b", "0.0.0.0:{port}", "app:app"]
"""

def rust_naive(v, name, port):
    return f"""FROM rust:1.80
WORKDIR /usr/src/{name}
COPY . .
RUN cargo build --release
EXPOSE {port}
CMD ["./target/release/{name}"]
"""

def java_naive(v, name, port):
    return f"""FROM maven:3.9-eclipse-temurin-17
WORKDIR /app
COPY pom.xml .
COPY src ./src
RUN mvn -B package -DskipTests
EXPOSE {port}
CMD ["java", "-jar", "target/{name}-1.0.jar"]
"""

# The manifests each ecosystem's analysis reads from the build context.
CONTEXT = {
    node: {"package.json": '{{"name":"{n}","scripts":{{"start":"node server.js"}},"dependencies":{{"express":"^4"}}}}\n',
           "package-lock.json": '{{"lockfileVersion":3,"packages":{{"":{{}}}}}}\n', "server.js": "require('express')\n"},
    node_naive: {"package.json": '{{"name":"{n}","scripts":{{"start":"node server.js"}},"dependencies":{{"express":"^4"}},"devDependencies":{{"nodemon":"^3"}}}}\n',
                 "package-lock.json": '{{"lockfileVersion":3,"packages":{{"":{{}}}}}}\n', "server.js": "require('express')\n"},
    python_naive: {"requirements.txt": "flask==3.0.3\ngunicorn==22.0.0\n", "app.py": "from flask import Flask\napp = Flask(__name__)\n"},
    rust_naive: {"Cargo.toml": '[package]\nname = "{n}"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\ntiny_http = "0.12"\n',
                 "Cargo.lock": 'version = 3\n\n[[package]]\nname = "tiny_http"\nversion = "0.12.0"\n', "src/main.rs": "fn main() {{}}\n"},
    java_naive: {"pom.xml": "<project><groupId>com.acme</groupId><artifactId>{n}</artifactId><version>1.0</version><packaging>jar</packaging></project>\n",
                 "src/main/java/App.java": "class App {{ public static void main(String[] a) {{}} }}\n"},
}

SHAPES = [(naive, 20), (multistage, 16), (templated, 12), (install, 6), (cgo, 5),
          (alpine_tools, 5), (slim, 6), (crlf, 3), (shell_cmd, 4), (node, 3),
          (node_naive, 8), (python_naive, 6), (rust_naive, 3), (java_naive, 3)]
weighted = [f for f, w in SHAPES for _ in range(w)]

def write(path, text, binary=False):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", newline="") as f:
        f.write(text)

write(f"{root}/.gitignore", "build/\n*.tmp\n")
write(f"{root}/dfslim.toml", '[[override]]\npaths = ["teams/team-00/**"]\nlevel = 3\n')
names = ["api", "worker", "gateway", "auth", "billing", "search", "notify", "ingest"]
teams = max(1, n // 100)
made = 0
for t in range(teams):
    team = f"{root}/teams/team-{t:02d}"
    compose = ["services:"]
    for s in range(n // teams + (1 if t < n % teams else 0)):
        name = f"{rnd.choice(names)}{s}"
        svc = f"{team}/services/{name}"
        shape = rnd.choice(weighted)
        df = shape(rnd.choice(GO), name, rnd.choice([80, 8080, 9000, 3000]))
        fname = "Dockerfile" if s % 10 else "Dockerfile.prod"
        write(f"{svc}/{fname}", df)
        if shape in CONTEXT:
            for rel, text in CONTEXT[shape].items():
                write(f"{svc}/{rel}", text.format(n=name))
        else:
            write(f"{svc}/go.mod", f"module github.com/acme/{name}\n\ngo 1.21\n")
            cgo_src = 'import "C"\n' if shape is cgo else ""
            write(f"{svc}/main.go", f"package main\n\n{cgo_src}func main() {{}}\n")
        if s % 10 == 0:
            compose.append(f"  {name}:\n    build:\n      context: ./services/{name}\n      dockerfile: {fname}")
        made += 1
    write(f"{team}/docker-compose.yml", "\n".join(compose) + "\n")
    # Ignored by git: never looked at.
    write(f"{team}/build/Dockerfile", naive("1.21", "ignored", 80))
print(f"generated {made} Dockerfiles in {root}", file=sys.stderr)
PY

git -C "$TREE" init -q
PRIO=()
if [ -n "${FIFO:-}" ]; then
    PRIO=(chrt -f 50)
fi
echo "dfslim fix --check --level 5 . on $N Dockerfiles ($(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)${FIFO:+, SCHED_FIFO})"
for i in $(seq "$RUNS"); do
    set +e
    (cd "$TREE" && "${PRIO[@]}" "$TIME" -v "$BIN" fix --check --level 5 . >/dev/null 2>"$TREE.stderr")
    code=$?
    set -e
    wall=$(grep 'Elapsed (wall clock)' "$TREE.stderr" | awk '{print $NF}')
    rss=$(grep 'Maximum resident set size' "$TREE.stderr" | awk '{print $NF}')
    user=$(grep 'User time' "$TREE.stderr" | awk '{print $NF}')
    sys=$(grep 'System time' "$TREE.stderr" | awk '{print $NF}')
    summary=$(grep -E '^[0-9]+ files:' "$TREE.stderr" || true)
    printf 'run %d: wall %s, cpu %ss user + %ss sys, peak RSS %d MB, exit %d\n' \
        "$i" "$wall" "$user" "$sys" "$((rss / 1024))" "$code"
    [ "$i" = 1 ] && echo "  $summary"
done
rm -f "$TREE.stderr"
if [ -n "${KEEP:-}" ]; then
    echo "tree kept: $TREE"
fi
