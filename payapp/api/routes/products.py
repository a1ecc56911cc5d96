"""GET /v1/products."""

from __future__ import annotations

from fastapi import APIRouter

from payapp.services import catalog

router = APIRouter(prefix="/v1", tags=["products"])


@router.get("/products")
async def products() -> dict:
    data = await catalog.products()
    return {"data": data, "count": len(data)}
