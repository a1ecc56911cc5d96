"""GET /v1/products."""

from __future__ import annotations

from fastapi import APIRouter

from payapp.db import run_db
from payapp.schemas import ProductView
from payapp.services.catalog import list_products

router = APIRouter(prefix="/v1", tags=["products"])


@router.get("/products")
async def products() -> dict:
    data: list[ProductView] = await run_db(list_products)
    return {"data": data, "count": len(data)}
