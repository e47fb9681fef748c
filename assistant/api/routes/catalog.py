"""Catalog import over HTTP (the same validation and upsert as ``liveassist catalog import``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Query

from assistant.api.deps import EngineDep
from assistant.api.security import allowed
from assistant.catalog.importer import import_catalog, validate_catalog

router = APIRouter(prefix="/v1", tags=["catalog"], dependencies=[Depends(allowed("catalog"))])


@router.post("/catalog")
def post_catalog(engine: EngineDep, document: Any = Body(...),  # noqa: B008
                 replace: bool = Query(False, description="also delete what the catalog does not list")) -> dict[str, Any]:
    """Validate a whole catalog, then upsert it in one transaction. A bad field is named by its JSON path."""
    catalog, warnings = validate_catalog(document)
    report = import_catalog(engine, catalog, warnings=warnings, prune=replace)
    return report.__dict__ | {"summary": report.summary()}
