"""An aiohttp service that also uses numpy: C-extension wheels (aiohttp, multidict,
yarl, frozenlist, propcache, numpy) whose downloads pip keeps in /root/.cache/pip
unless told not to."""
import sys

import numpy as np
from aiohttp import web


async def index(request):
    total = int(np.arange(1, 101).sum())
    return web.Response(text=f"aiohttp ok on Python {sys.version.split()[0]} numpy {np.__version__} sum={total}\n")


app = web.Application()
app.router.add_get("/", index)

if __name__ == "__main__":
    web.run_app(app, host="0.0.0.0", port=8003)
