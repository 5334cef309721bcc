"""An aiohttp service (C-extension wheels: aiohttp, multidict, yarl, frozenlist, propcache)."""
import sys

from aiohttp import web


async def index(request):
    return web.Response(text=f"aiohttp ok on Python {sys.version.split()[0]}\n")


app = web.Application()
app.router.add_get("/", index)

if __name__ == "__main__":
    web.run_app(app, host="0.0.0.0", port=8003)
