"""One tenant's notice of variation of rent as text and PDF (docs/RENTS_REVIEW.md).

The letter is ``data/rents/letters/<letter_code>.txt`` (the rule in data/rents/review.toml names it
for the office's nation); ``{name}`` placeholders are filled and paragraphs wrapped at 76 columns.
"""

from __future__ import annotations

import re
import textwrap
from datetime import date, timedelta

from sqlalchemy import select

from duty_tui.areas.rents.domain.review_data import letter_template, policy_for
from duty_tui.areas.rents.services.charges import charges_in_force
from duty_tui.areas.rents.services.review import OFFICE, PROPERTY, review_row
from duty_tui.areas.rents.services.review_apply import ACCOUNT, NOTICE, PERMISSION, TENANCY
from duty_tui.core.db.engine import session_scope
from duty_tui.core.domain.errors import NotFound
from duty_tui.core.domain.money import format_pence
from duty_tui.core.domain.validators import inert
from duty_tui.core.services import audit
from duty_tui.core.services.context import ServiceContext
from duty_tui.core.services.pdf import text_pdf

WIDTH = 76
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def fill(template: str, values: dict[str, str]) -> list[str]:
    """The template filled: a line that is one placeholder keeps the value's own lines; other
    paragraphs are joined and wrapped at ``WIDTH``."""
    out: list[str] = []
    for paragraph in template.split("\n\n"):
        lines = paragraph.splitlines()
        if len(lines) == 1 and PLACEHOLDER.fullmatch(lines[0].strip()):
            out.extend(values.get(lines[0].strip()[1:-1], "").split("\n"))
        else:
            filled = [PLACEHOLDER.sub(lambda m: values.get(m.group(1), ""), line) for line in lines]
            if all(len(line) <= WIDTH for line in filled) and len(filled) > 1:
                out.extend(filled)
            else:
                out.extend(textwrap.wrap(" ".join(filled), WIDTH) or [""])
        out.append("")
    while out and not out[-1].strip():
        out.pop()
    return out


def _charge_table(old: list, new: list) -> str:
    before = {c.code: c for c in old}
    rows = [f"  {'Charge':<30} {'Now':>10} {'From then':>10}  Frequency"]
    for c in new:
        was = before.get(c.code)
        rows.append(f"  {c.words[:30]:<30} {format_pence(was.amount_pence) if was else '-':>10} "
                    f"{format_pence(c.amount_pence):>10}  {c.frequency}")
    return "\n".join(rows)


def notice_text(ctx: ServiceContext, ref: str, tenancy_ref: str) -> list[str]:
    """A tenancy's notice of variation under an applied review, as lines of text (an audited read)."""
    ctx.require(PERMISSION)
    wanted = (tenancy_ref or "").strip().upper()
    with session_scope(ctx.engine) as session:
        connection = session.connection()
        review = review_row(connection, ref)
        row = connection.execute(
            select(NOTICE, TENANCY.c.property_id, ACCOUNT.c.ref.label("account_ref"),
                   ACCOUNT.c.holder_name, PROPERTY.c.address_line1, PROPERTY.c.address_line2, PROPERTY.c.town,
                   PROPERTY.c.postcode, OFFICE.c.name.label("office_name"))
            .join(TENANCY, TENANCY.c.id == NOTICE.c.tenancy_id).join(PROPERTY, PROPERTY.c.id == TENANCY.c.property_id)
            .outerjoin(OFFICE, OFFICE.c.id == PROPERTY.c.office_id)
            .outerjoin(ACCOUNT, ACCOUNT.c.id == NOTICE.c.account_id)
            .where(NOTICE.c.review_id == review["id"], TENANCY.c.ref == wanted)).mappings().first()
        if row is None:
            raise NotFound(f"review {review['ref']} has no notice for tenancy {wanted!r}; "
                           "see its notices with `duty-tui rent review show`")
        first: date = row["effective_from"]
        old = charges_in_force(connection, ctx.settings.data_dir, row["tenancy_id"], row["property_id"],
                               first - timedelta(days=1))
        new = charges_in_force(connection, ctx.settings.data_dir, row["tenancy_id"], row["property_id"], first)
    policy = policy_for(ctx.settings.data_dir, review["policy_code"], first)
    begins = review["rent_year_start"].year
    address = "\n".join(inert(p) for p in (row["address_line1"], row["address_line2"], row["town"], row["postcode"]) if p)
    values = {
        "office_name": inert(row["office_name"] or ctx.settings.office_name),
        "date": f"{row['given_on']:%d %B %Y}", "tenants": inert(row["holder_name"] or "The tenant"),
        "address": address, "account_ref": row["account_ref"] or "-", "tenancy_ref": wanted,
        "effective_from": f"{first:%A %d %B %Y}", "rent_year": f"{begins}/{(begins + 1) % 100:02d}",
        "charge_table": _charge_table(old, new), "old_weekly": format_pence(row["old_weekly_pence"]),
        "new_weekly": format_pence(row["new_weekly_pence"]), "review_ref": review["ref"],
        "policy_words": f"{review['description']} ({policy.source.split(':')[0]})"}
    audit.record_read(ctx, "rent.notice_viewed", "tenancy", wanted, {"review": review["ref"]})
    return fill(letter_template(ctx.settings.data_dir, row["letter_code"]), values)


def notice_pdf(ctx: ServiceContext, ref: str, tenancy_ref: str) -> bytes:
    """The same notice as a PDF."""
    lines = notice_text(ctx, ref, tenancy_ref)
    return text_pdf(f"Notice of variation of rent {tenancy_ref.strip().upper()}", lines)


__all__ = ["fill", "notice_pdf", "notice_text"]
