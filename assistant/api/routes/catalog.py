"""Catalog import over HTTP (the same validation and upsert as ``liveassist catalog import``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Query, Request

from assistant.api.deps import EngineDep, SettingsDep
from assistant.api.security import allowed
from assistant.catalog.importer import import_catalog, validate_catalog
from assistant.knowledge.hooks import index_after_change

router = APIRouter(prefix="/v1", tags=["catalog"], dependencies=[Depends(allowed("catalog"))])


@router.post("/catalog")
def post_catalog(engine: EngineDep, settings: SettingsDep, request: Request, document: Any = Body(...),  # noqa: B008
                 replace: bool = Query(False, description="also delete what the catalog does not list")) -> dict[str, Any]:
    """Validate a whole catalog, then upsert it in one transaction. A bad field is named by its JSON path.

    Then the knowledge index is brought up to date; ``knowledge`` says what changed in it, or, with
    ``ok: false``, why it could not be (the import has succeeded all the same).
    """
    catalog, warnings = validate_catalog(document)
    report = import_catalog(engine, catalog, warnings=warnings, prune=replace)
    request.app.state.live.catalog_changed()
    knowledge = index_after_change(engine, settings, "catalog import")
    return report.__dict__ | {"summary": report.summary(), "knowledge": knowledge}
