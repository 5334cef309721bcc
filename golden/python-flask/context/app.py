"""A small Flask service, served by gunicorn (see Dockerfile)."""
import platform

from flask import Flask, jsonify, render_template_string

app = Flask(__name__)

PAGE = "<h1>{{ title }}</h1><p>Python {{ version }}</p>"


@app.get("/")
def index():
    return render_template_string(PAGE, title="flask ok", version=platform.python_version())


@app.get("/health")
def health():
    return jsonify(status="ok", python=platform.python_version())


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=8000)
