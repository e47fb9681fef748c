"""The stores eval cases are asked in: a name (the case's ``store``) → the catalog it imports."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

STORES: dict[str, Path] = {
    "zh_demo": ROOT / "assistant" / "demo" / "store_zh.json",
    "en_tau": ROOT / "evals" / "stores" / "tau_retail_en.json",
    "example": ROOT / "tests" / "data" / "catalog.example.json",
}


def catalog_path(name: str) -> Path:
    """The catalog file of a store.

    Raises:
        KeyError: the name is not one of :data:`STORES` (the message lists them).
    """
    try:
        return STORES[name]
    except KeyError:
        raise KeyError(f"unknown store {name!r} (stores: {', '.join(STORES)})") from None
