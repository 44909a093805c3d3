"""The quarter's statistics and the H-CLIC report (statistics.view).
"""

from __future__ import annotations

from duty_tui.areas.housing_options.services.common import housing_reference
from duty_tui.core.db.engine import session_scope
from duty_tui.core.domain.errors import InputError, PermissionDenied
from duty_tui.core.services import audit
from duty_tui.core.services.context import ServiceContext


def quarter_statistics(ctx: ServiceContext, quarter: str):
    """The quarter's live-table figures (statistics.view)."""
    from duty_tui.areas.housing_options.domain.stats import parse_quarter
    from duty_tui.areas.housing_options.reports import compute_statistics

    ctx.require("statistics.view")
    try:
        q = parse_quarter(quarter)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    stats = compute_statistics(ctx.engine, q, housing_reference(ctx))
    with session_scope(ctx.engine, write=True) as session:
        audit.record(session, ctx, "housing.statistics_viewed", "statistics", q.label, {})
    return stats


def write_homelessness_report(ctx: ServiceContext, quarter: str, out_dir):
    """Write the quarter's CSV tables, the H-CLIC extract and its data-quality report to a new or empty folder.

    The extract holds dates of birth and support needs (special-category data), so besides
    statistics.view the role must be one that may see them (HCLIC_EXTRACT_NEEDS). The export is
    audited once everything is read and before any file is written, naming the cases in it.
    """
    from pathlib import Path

    from duty_tui.areas.housing_options.domain.stats import parse_quarter
    from duty_tui.areas.housing_options.reports import write_report

    actor = ctx.require("statistics.view")
    missing = [p for p in HCLIC_EXTRACT_NEEDS if not ctx.can(p)]
    if missing:
        raise PermissionDenied(f"the H-CLIC extract holds dates of birth and support needs (special-category data); "
                               f"your role ({actor.role_name}) may not see them ({', '.join(missing)})")
    try:
        q = parse_quarter(quarter)
    except ValueError as exc:
        raise InputError(str(exc)) from None

    def audit_first(summary) -> None:
        with session_scope(ctx.engine, write=True) as session:
            audit.record(session, ctx, "housing.report_written", "statistics", q.label,
                         {"files": len(summary.files), "cases": summary.extract_cases,
                          "case_refs": list(summary.case_refs), "data_quality_problems": summary.problems})

    return write_report(ctx.engine, q, housing_reference(ctx), Path(out_dir), office_name=ctx.settings.office_name,
                        before_writing=audit_first)


HCLIC_EXTRACT_NEEDS = ("person.view_sensitive", "homelessness.assess")
"""Who may produce the H-CLIC extract: those who may see full dates of birth and homelessness support needs."""
