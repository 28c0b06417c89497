"""The publicity API as it runs, plus the read benchmark's baseline: an endpoint of the same
process that reads one row (by primary key) and answers it as JSON."""

from fastapi import Request

from services.publicity.entrypoints.api import app


@app.get("/bench/one-row", include_in_schema=False)
async def one_row(request: Request, code: str) -> dict:
    async with request.app.state.store.pool.acquire() as conn:
        row = await conn.fetchrow("select code, name, district from stats.villages where code = $1", code)
    return dict(row) if row else {}
