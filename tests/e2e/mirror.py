#!/usr/bin/env python3
"""A static HTTP server for the package-registry mirrors the e2e builds use.

Serves DIR (target/e2e/mirror) read-only. A request for a directory answers
its index.json (npm packuments: /npm/<name>/index.json, scoped names as
/npm/@scope/name/index.json, which `@scope%2fname` decodes to), else its
index.html (PEP 503 pages: /pypi/simple/<name>/index.html), else a listing
of links (pip --find-links). Nothing else: no writes, no CGI.

    mirror.py DIR HOST PORT
"""
import html
import http.server
import os
import sys
import urllib.parse


class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".json": "application/json",
        ".tgz": "application/octet-stream",
        ".whl": "application/octet-stream",
        ".crate": "application/octet-stream",
        ".jar": "application/java-archive",
        ".pom": "text/xml",
    }

    def translate_path(self, path):
        path = urllib.parse.unquote(path.split("?", 1)[0].split("#", 1)[0])
        root = os.path.realpath(self.directory)
        full = os.path.realpath(os.path.join(root, path.lstrip("/")))
        if full != root and not full.startswith(root + os.sep):
            return os.path.join(root, "\0")  # outside the mirror: 404
        return full

    def send_head(self):
        path = self.translate_path(self.path)
        if os.path.isdir(path):
            for index in ("index.json", "index.html"):
                if os.path.isfile(os.path.join(path, index)):
                    self.path = self.path.split("?", 1)[0].rstrip("/") + "/" + index
                    return super().send_head()
        return super().send_head()

    def end_headers(self):
        # What PyPI sends: pip's HTTP cache (the one a naive `pip install` leaves
        # in /root/.cache/pip) only keeps responses marked cacheable.
        p = self.path.split("?", 1)[0]
        if p.startswith("/pypi/files/"):
            self.send_header("Cache-Control", "max-age=365000000, immutable, public")
        elif p.startswith("/pypi/simple/"):
            self.send_header("Cache-Control", "max-age=600, public")
        super().end_headers()

    def list_directory(self, path):
        names = sorted(os.listdir(path))
        body = "".join(
            f'<a href="{urllib.parse.quote(n)}">{html.escape(n)}</a><br>\n' for n in names
        )
        data = f"<!DOCTYPE html><html><body>\n{body}</body></html>\n".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        return None

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))


def main():
    directory, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    os.makedirs(directory, exist_ok=True)
    handler = lambda *a, **k: Handler(*a, directory=directory, **k)
    server = http.server.ThreadingHTTPServer((host, port), handler)
    server.serve_forever()


if __name__ == "__main__":
    main()
