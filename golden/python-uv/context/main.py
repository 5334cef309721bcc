"""A FastAPI service run by uvicorn; dependencies locked in uv.lock."""
import sys

from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()


class Quote(BaseModel):
    id: int
    text: str


QUOTES = [Quote(id=1, text="uv ok"), Quote(id=2, text="small images")]


@app.get("/")
def index() -> dict:
    return {"status": "uv ok", "python": sys.version.split()[0]}


@app.get("/quotes/{quote_id}")
def quote(quote_id: int) -> Quote:
    return QUOTES[(quote_id - 1) % len(QUOTES)]
