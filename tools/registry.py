"""Every tool the assistant may call, by name. Planners look tools up here and nowhere else."""

from __future__ import annotations

from tools.base import Tool
from tools.catalog import find_product, product_facts
from tools.inventory import check_stock
from tools.knowledge import search_knowledge
from tools.logistics import estimate_shipping, shipping_carriers
from tools.orders import order_status
from tools.policy import store_policy
from tools.sizes import size_advice

ALL_TOOLS: tuple[Tool, ...] = (
    find_product, check_stock, estimate_shipping, order_status, size_advice, store_policy, product_facts,
    search_knowledge, shipping_carriers,
)
TOOLS: dict[str, Tool] = {t.name: t for t in ALL_TOOLS}
