"""The HTTP baseline: a FastAPI endpoint that validates the same body and does nothing else."""

from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()


class Body(BaseModel):
    code: str
    name: str
    district: str
    town: str
    village_type: str
    income_2018: str
    income_2019: str
    income_2020: str


@app.post("/villages", status_code=201)
async def register(body: Body) -> dict:
    return {"code": body.code, "stream_version": 1}


@app.get("/healthz")
async def healthz() -> dict:
    return {"status": "ok"}
