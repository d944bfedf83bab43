"""Which IP complaints a principal may see, asked in one place by the API and the
console: staff every complaint; a brand its own notices; a merchant those against it."""

from __future__ import annotations

from sqlalchemy import Select, or_, select

from trustfair.access.roles import Principal
from trustfair.store.models import ComplaintRow


def visible_complaints(principal: Principal) -> Select[tuple[ComplaintRow]]:
    query = select(ComplaintRow)
    if not principal.sees_everything:
        brands = [o.id for o in principal.owns if o.type == "brand"]
        merchants = [o.id for o in principal.owns if o.type == "merchant"]
        query = query.where(
            or_(ComplaintRow.brand_id.in_(brands), ComplaintRow.merchant_id.in_(merchants))
        )
    return query
