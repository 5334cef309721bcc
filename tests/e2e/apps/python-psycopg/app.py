"""Answers with the libpq version psycopg2 was built against and loads at run
time: psycopg2 is a C extension linked to libpq.so.5 (no database needed)."""
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import psycopg2
import psycopg2.extensions


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = (
            f"psycopg2 {psycopg2.__version__} "
            f"libpq build={psycopg2.__libpq_version__} "
            f"runtime={psycopg2.extensions.libpq_version()}\n"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


if __name__ == "__main__":
    ThreadingHTTPServer(("0.0.0.0", 8001), Handler).serve_forever()
