"""The register officer's forms (docs/LETTINGS_REGISTER.md): a new application, a qualification
decision and a band decision. Each is a ``FormDialog`` that saves itself through the services; a
refusal is said beside its field and everything typed stays for the next F9.
"""

from __future__ import annotations

from typing import Any

from duty_tui.core.domain.errors import InputError
from duty_tui.core.tui.kit.fields import FormField
from duty_tui.core.tui.kit.form_screen import FormDialog

NEEDS = (("", "None"), ("wheelchair", "Wheelchair"), ("step_free", "Step-free"), ("ground_floor", "Ground floor"))
DUTIES = (("", "None"), ("prevention", "Prevention"), ("relief", "Relief"), ("main", "Main duty"))


def _sexes(text: str) -> tuple[tuple[str, str], ...]:
    pairs = []
    for part in (text or "").replace(";", ",").split(","):
        if not part.strip():
            continue
        ref, _, sex = part.partition("=")
        if sex.strip().lower() not in ("f", "m"):
            raise InputError(f"children: {part.strip()!r} — give PERSON_REF=f or =m, e.g. P0000005=f",
                             problems=[f"children: write each child as REF=f or REF=m ({part.strip()!r})"])
        pairs.append((ref.strip().upper(), sex.strip().lower()))
    return tuple(pairs)


def new_application_dialog(person_ref: str) -> FormDialog:
    """The new-application form; dismisses with the new reference."""
    from duty_tui.areas.lettings.services.register import NewApplication, create_application

    fields = [
        FormField("children", "Children", placeholder="P0000005=f, P0000006=m",
                  hint="Each child's sex (the bedroom standard pairs children by it)"),
        FormField("current_home", "Current home", max_length=200),
        FormField("current_bedrooms", "Bedrooms now", restrict=r"[0-9]*", max_length=2, width=4),
        FormField("reasons", "Reasons to move", kind="lines"),
        FormField("local_connection", "Local connection", max_length=200),
        FormField("income", "Income a year", kind="money", row="money"),
        FormField("savings", "Savings", kind="money", row="money"),
        FormField("arrears", "Arrears owed", kind="money", row="arrears"),
        FormField("agreement", "Keeping a repayment agreement", kind="check", row="arrears"),
        FormField("homeless_duty", "Homeless duty", kind="choice", options=DUTIES, value=""),
        FormField("accessible", "Accessible need", kind="choice", options=NEEDS, value=""),
    ]

    def save(ctx: Any, values: dict[str, Any]) -> str:
        bedrooms = (values.get("current_bedrooms") or "").strip()
        return create_application(ctx, NewApplication(
            person_ref, None, values.get("current_home") or None, int(bedrooms) if bedrooms else None, None,
            (values.get("reasons") or "").strip() or None, values.get("local_connection") or None,
            values.get("income"), values.get("savings"), values.get("arrears"), bool(values.get("agreement")),
            values.get("homeless_duty") or None, values.get("accessible") or None,
            _sexes(values.get("children") or "")))

    return FormDialog(f"New register application for {person_ref}'s household", fields, submit="Make",
                      save=save, intro="Bedroom need is worked out from the household's members.")


def qualify_dialog(ref: str) -> FormDialog:
    """The qualification form; dismisses with the outcome."""
    from duty_tui.areas.lettings.domain.register import QualificationFacts
    from duty_tui.areas.lettings.services.register_decisions import decide_qualification

    fields = [
        FormField("residence_years", "Years in district", restrict=r"[0-9]*", max_length=2, width=4),
        FormField("exempt", "Exempt from residence rule", kind="check"),
        FormField("arrears_weeks", "Weeks of arrears", restrict=r"[0-9]*", max_length=3, width=5),
        FormField("behaviour", "Unacceptable behaviour found", kind="check"),
    ]

    def save(ctx: Any, values: dict[str, Any]) -> str:
        years = (values.get("residence_years") or "").strip()
        weeks = (values.get("arrears_weeks") or "").strip()
        decided = decide_qualification(ctx, ref, QualificationFacts(
            int(years) if years else None, bool(values.get("exempt")), None, None, int(weeks) if weeks else 0,
            False, bool(values.get("behaviour"))))
        return f"{decided.outcome.replace('_', ' ')}, review by {decided.review_by:%d/%m/%Y}"

    return FormDialog(f"Qualification: {ref}", fields, submit="Decide", save=save,
                      intro="Tested against every rule in data/lettings/qualification.toml; notified today.")


def band_dialog(ref: str, ctx: Any) -> FormDialog:
    """The band decision form; dismisses with the band and its review date."""
    from duty_tui.areas.lettings.domain.reference import load_bands
    from duty_tui.areas.lettings.services.register_decisions import decide_band

    bands = tuple((b.code, f"{b.code}: {b.words}"[:50]) for b in load_bands(ctx.settings.data_dir))
    fields = [
        FormField("band", "Band", kind="choice", options=bands, required=True),
        FormField("effective_on", "Effective from", kind="date", value=f"{ctx.today():%d/%m/%Y}", required=True),
        FormField("reasons", "Reasons", kind="lines", required=True,
                  hint="The grounds the applicant is told (s166A(9))"),
    ]

    def save(ctx: Any, values: dict[str, Any]) -> str:
        decided = decide_band(ctx, ref, values["band"], values["effective_on"], values.get("reasons") or "")
        return f"band {values['band']}, review by {decided.review_by:%d/%m/%Y}"

    return FormDialog(f"Band decision: {ref}", fields, submit="Decide", save=save)


__all__ = ["band_dialog", "new_application_dialog", "qualify_dialog"]
