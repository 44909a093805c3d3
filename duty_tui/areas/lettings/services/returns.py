"""The lettings measures (docs/LETTINGS_RETURNS.md): re-let times, void rent loss, lets by band and route,
and `duty-tui report lettings` (CSV files).

A let is a ``lettings_void`` whose ``let_on`` falls in the period. Its band and route come from the
accepted offer on an advert of that void (a bid: choice-based; the advert's direct match: direct match;
an offer without a bid: direct offer); mutual exchanges and successions have no offer. Void rent loss
is the rents area's (hook ``rents.void_loss_weeks``); a build without rents reports it as not known.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from duty_tui.areas.lettings.db.models import LettingsAdvert, LettingsApplication, LettingsOffer, LettingsVoid
from duty_tui.areas.lettings.domain.relet import (
    Let,
    Measures,
    load_relet_rules,
    measure,
    route_of,
    rule_on,
    void_loss_for,
)
from duty_tui.core import registry
from duty_tui.core.db.engine import session_scope
from duty_tui.core.db.models import Property
from duty_tui.core.domain.errors import InputError
from duty_tui.core.services import audit
from duty_tui.core.services.context import ServiceContext

VOID = LettingsVoid.__table__  # type: ignore[attr-defined]
ADVERT = LettingsAdvert.__table__  # type: ignore[attr-defined]
OFFER = LettingsOffer.__table__  # type: ignore[attr-defined]
APPLICATION = LettingsApplication.__table__  # type: ignore[attr-defined]
PROPERTY = Property.__table__  # type: ignore[attr-defined]
MAX_DAYS = 3 * 366

LETS_CSV, SUMMARY_CSV, BANDS_CSV, ROUTES_CSV = "lets.csv", "summary.csv", "lets_by_band.csv", "lets_by_route.csv"
LETS_HEADER = ("let_on", "property_ref", "void_type", "tenancy_ended_on", "relet_days", "counted", "band", "route",
               "application_ref", "void_loss_pence")
SUMMARY_HEADER = ("measure", "value", "note")
BANDS_HEADER = ("band", "lets")
ROUTES_HEADER = ("route", "lets")


def require_view(ctx: ServiceContext) -> None:
    ctx.require("statistics.view")


def check_period(date_from: date, date_to: date) -> None:
    if date_to < date_from:
        raise InputError("--to is before --from: give the period's first day, then its last")
    if (date_to - date_from).days > MAX_DAYS:
        raise InputError("the period is longer than three years: give a shorter one (returns are yearly)")


def _lets(connection: Any, date_from: date, date_to: date) -> list[tuple]:
    rows = connection.execute(
        select(VOID.c.id, VOID.c.property_id, PROPERTY.c.ref, VOID.c.void_type, VOID.c.tenancy_ended_on, VOID.c.let_on)
        .join(PROPERTY, PROPERTY.c.id == VOID.c.property_id)
        .where(VOID.c.let_on >= date_from, VOID.c.let_on <= date_to)).all()
    return [tuple(row) for row in rows]


def _accepted(connection: Any, date_from: date, date_to: date) -> dict[int, tuple]:
    """void id → (band, application ref, direct match, from a bid) of its accepted offer."""
    rows = connection.execute(
        select(ADVERT.c.void_id, APPLICATION.c.band, APPLICATION.c.ref, ADVERT.c.direct_match_application_id,
               OFFER.c.application_id, OFFER.c.bid_id)
        .select_from(OFFER.join(ADVERT, ADVERT.c.id == OFFER.c.advert_id)
                     .join(VOID, VOID.c.id == ADVERT.c.void_id)
                     .join(APPLICATION, APPLICATION.c.id == OFFER.c.application_id))
        .where(OFFER.c.status == "accepted", VOID.c.let_on >= date_from, VOID.c.let_on <= date_to)
        .order_by(OFFER.c.id)).all()
    return {void_id: (band, ref, match is not None and match == applicant, bid is not None)
            for void_id, band, ref, match, applicant, bid in rows}


def compute_measures(ctx: ServiceContext, date_from: date, date_to: date) -> Measures:
    """The period's re-let times, void loss and lets by band and route (read-only; the caller audits)."""
    require_view(ctx)
    check_period(date_from, date_to)
    rule = rule_on(load_relet_rules(ctx.settings.data_dir), date_to)
    weeks_hook = registry.hook("rents.void_loss_weeks")
    with session_scope(ctx.engine) as session:
        connection = session.connection()
        raw = _lets(connection, date_from, date_to)
        offers = _accepted(connection, date_from, date_to)
        first = min([ended for *_, ended, _ in raw], default=date_from) - timedelta(days=6)
        weeks = weeks_hook(connection, min(first, date_from), date_to) if weeks_hook else []
    loss = void_loss_for([(vid, pid, ended, let_on) for vid, pid, _, _, ended, let_on in raw], weeks)
    lets = []
    for vid, _, pref, vtype, ended, let_on in raw:
        band, app_ref, direct, from_bid = offers.get(vid, (None, None, False, False))
        lets.append(Let(vid, pref, vtype, ended, let_on, band,
                        route_of(vtype, vid in offers, direct, from_bid), app_ref, loss.get(vid, 0)))
    period_loss = sum(p for _, week, p in weeks if date_from <= week <= date_to)
    return measure(date_from, date_to, rule, lets, period_loss)


def lettings_statistics(ctx: ServiceContext, date_from: date, date_to: date) -> Measures:
    """The measures for the statistics screen, audited as viewed (they name applicants' references)."""
    found = compute_measures(ctx, date_from, date_to)
    audit.record_read(ctx, "lettings.statistics_viewed", "report", "lettings", audit_detail(found))
    return found


def audit_detail(m: Measures) -> dict[str, Any]:
    return {"from": m.date_from.isoformat(), "to": m.date_to.isoformat(), "lets": len(m.lets),
            "counted": len(m.counted)}


def summary_rows(m: Measures, void_loss_known: bool) -> list[tuple[Any, ...]]:
    """summary.csv: the headline figures with what each one means."""
    excluded = ", ".join(m.rule.excluded) or "none"
    unknown = "" if void_loss_known else "not known: this build has no rents area"
    return [
        ("lets", len(m.lets), "homes whose new tenancy started in the period"),
        ("lets_counted", len(m.counted), f"lets counted in the re-let time (excluded: {excluded})"),
        ("average_relet_days", "" if m.average_days is None else m.average_days,
         "calendar days from tenancy end to new tenancy start, mean over counted lets"),
        ("median_relet_days", "" if m.median_days is None else m.median_days, "median over counted lets"),
        ("longest_relet_days", "" if m.longest_days is None else m.longest_days, "longest counted let"),
        *(((f"excluded_{t}", n, "lets of this void type, not in the re-let time") for t, n in m.excluded_by_type)),
        ("void_loss_pence_lets", m.lets_void_loss_pence if void_loss_known else "",
         unknown or "rent_void_loss of the weeks each let's void touched"),
        ("void_loss_pence_period", m.period_void_loss_pence if void_loss_known else "",
         unknown or "rent_void_loss of weeks starting in the period (as the rent reconciliation)"),
        ("rule_source", m.rule.source, f"re-let exclusions in force from {m.rule.effective_from.isoformat()}"),
    ]


def let_rows(m: Measures) -> Iterable[tuple[Any, ...]]:
    for item in m.lets:
        let = item.let
        yield (let.let_on.isoformat(), let.property_ref, let.void_type, let.tenancy_ended_on.isoformat(),
               let.days(), "yes" if item.counted else "no", let.band or "", let.route, let.application_ref or "",
               let.void_loss_pence)


def write_csv(handle: Any, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)


def write_lettings_report(ctx: ServiceContext, *, date_from: date, date_to: date,
                          out_dir: Path) -> tuple[Measures, list[Path]]:
    """Write summary.csv, lets.csv, lets_by_band.csv and lets_by_route.csv into ``out_dir`` (new or empty)."""
    from duty_tui.core.services.outputs import OutputFolder

    require_view(ctx)
    check_period(date_from, date_to)
    known = registry.hook("rents.void_loss_weeks") is not None
    try:
        with OutputFolder(Path(out_dir)) as folder:
            found = compute_measures(ctx, date_from, date_to)
            names = [SUMMARY_CSV, LETS_CSV, BANDS_CSV, ROUTES_CSV]
            audit.record_read(ctx, "lettings.report_written", "report", "lettings",
                              {**audit_detail(found), "files": names})
            for name, header, rows in ((SUMMARY_CSV, SUMMARY_HEADER, summary_rows(found, known)),
                                       (LETS_CSV, LETS_HEADER, let_rows(found)),
                                       (BANDS_CSV, BANDS_HEADER, found.by_band),
                                       (ROUTES_CSV, ROUTES_HEADER, found.by_route)):
                with folder.create(name) as handle:
                    write_csv(handle, header, rows)
            return found, list(folder.files)
    except OSError as exc:
        raise InputError(f"--out {out_dir}: cannot write there ({exc.strerror or exc}); choose a folder you "
                         "may write to") from None
