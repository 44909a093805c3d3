"""The dialogs behind the case actions (queues and case screen) and the one place that runs them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from duty_tui.areas.frontdesk.domain.rules import parse_when
from duty_tui.core.tui.kit.fields import FormField
from duty_tui.core.tui.kit.form_screen import FormDialog, refill


def _push(screen, title: str, fields: list[FormField], then: Callable[[dict], None], *, intro: str = "",
          submit: str = "Save", values: dict[str, Any] | None = None) -> None:
    """Open the action's form (refilled with ``values``, typing kept from a refused save)."""
    def done(result: dict | None) -> None:
        if result:
            then(result)

    if values:
        intro = "Your typing is back in the form." + (f" {intro}" if intro else "")
    screen.app.push_screen(FormDialog(title, refill(fields, values), intro=intro, submit=submit,
                                      result=_as_text, refilled=bool(values)), done)


def _as_text(values: dict[str, Any]) -> dict[str, Any]:
    """The values as the services below take them: blank choices as "" (text is already stripped)."""
    return {key: "" if value is None else value for key, value in values.items()}


def _staff_options(staff) -> tuple[tuple[str, str], ...]:
    return tuple((s.username, f"{s.name} ({s.team or 'no team'}, {s.open_cases} open)") for s in staff)


def reassign_dialog(screen, row, staff, then, values: dict | None = None) -> None:
    """Reassign in two steps: the team, then a form with that team's officers — each with their open
    cases, fewest first (blank: the team's unassigned work) — and a note. ``staff``: StaffChoice list.
    ``values`` (a refused save, a kept draft) reopens the form with the earlier choices and note."""
    from duty_tui.areas.frontdesk.services.routing import list_teams
    from duty_tui.areas.frontdesk.tui.choose import ChooseDialog

    teams = list(list_teams(screen.duty_app.ctx))  # data/teams.toml: no database
    names = dict(teams)

    def form(team: str | None) -> None:
        if not team:
            return  # Esc: nothing changes
        theirs = sorted((s for s in staff if s.team == team), key=lambda s: (s.open_cases, s.name))
        officers = tuple((s.username, f"{s.name} — {s.open_cases} open" + (f", {s.overdue} overdue" if s.overdue
                                                                           else "")) for s in theirs)
        officer = row.assignee_username if row.assignee_username in {s.username for s in theirs} else ""
        typed = dict(values or {})
        typed["team"] = team
        _push(screen, f"Reassign {row.ref} to {names.get(team, team)}", [
            FormField("team", "Team", kind="select", options=((team, names.get(team, team)),), value=team,
                      required=True),
            FormField("officer", "Officer (blank: the team's unassigned work)",
                      kind="select", options=officers, value=officer),
            FormField("note", "Why (goes on the timeline)", max_length=200),
        ], then, submit="Reassign", values=typed if values else None)

    if values and values.get("team"):
        form(values["team"])
        return
    current = getattr(row, "team_code", None) or next((code for code, name in teams if name == row.team), "")
    screen.app.push_screen(ChooseDialog(f"Reassign {row.ref}: to which team?", teams, current), form)


def escalate_dialog(screen, row, then, values: dict | None = None) -> None:
    """The reason for escalating."""
    _push(screen, f"Escalate {row.ref}", [FormField("reason", "Reason", required=True, max_length=200,
                                                    placeholder="e.g. tenant chased three times")], then,
          submit="Escalate", values=values)


def close_dialog(screen, row, then, values: dict | None = None) -> None:
    """An outcome from data/frontdesk/frontdesk.toml and a note."""
    from duty_tui.areas.frontdesk.services.common import fd_reference

    outcomes = tuple((o.code, o.name) for o in fd_reference(screen.duty_app.ctx).case_outcomes.values())
    _push(screen, f"Close {row.ref}", [
        FormField("outcome", "Outcome", kind="select", options=outcomes, required=True),
        FormField("note", "Note", max_length=200),
    ], then, submit="Close case", values=values)


def note_dialog(screen, row, then, values: dict | None = None) -> None:
    """A note for the timeline."""
    _push(screen, f"Note on {row.ref}", [FormField("text", "Note", kind="lines", required=True)], then,
          submit="Add note", values=values)


def complaint_dialog(screen, row, step: str, staff, then, values: dict | None = None) -> None:
    """Acknowledge, extend, respond or escalate a complaint (``staff``: who may handle the next stage)."""
    from duty_tui.areas.frontdesk.services.complaints import RESPONSE_OUTCOMES

    ctx = screen.duty_app.ctx
    if step == "acknowledge":
        fields = [FormField("when", "Acknowledged (blank: now)", placeholder="e.g. 09:30 or 07/04/2026 09:30",
                            check=_when_problem(ctx))]
        title, submit = f"Acknowledge complaint {row.ref}", "Acknowledge"
    elif step == "extend":
        fields = [FormField("days", "Extend by (working days)", required=True, check=_days_problem),
                  FormField("reason", "Reason (given to the complainant)", required=True, max_length=400)]
        title, submit = f"Extend complaint {row.ref}", "Extend"
    elif step == "respond":
        fields = [FormField("outcome", "Outcome", kind="select", required=True,
                            options=tuple((o, o.replace("_", " ")) for o in RESPONSE_OUTCOMES)),
                  FormField("summary", "Summary of the response sent", kind="lines", required=True)]
        title, submit = f"Respond to complaint {row.ref}", "Record response"
    else:
        fields = [FormField("handler", "Handler for the next stage (not the last stage's)", kind="select",
                            options=_staff_options(staff)),
                  FormField("when", "Escalation requested (blank: now)", check=_when_problem(ctx))]
        title, submit = f"Escalate complaint {row.ref} to the next stage", "Escalate"
    _push(screen, title, fields, then, submit=submit, values=values)


def repair_step_dialog(screen, row, then, values: dict | None = None) -> None:
    """Record a repair step (investigated — significant or not —, summary sent, works, completed)."""
    from duty_tui.areas.frontdesk.services.repairs import STEPS

    _push(screen, f"Record a step on {row.ref}", [
        FormField("step", "Step", kind="select", options=tuple(STEPS.items()), required=True),
        FormField("on", "On (blank: today)", placeholder="DD/MM/YYYY", check=_date_problem),
        FormField("significant", "Investigation found a significant hazard", kind="check", value=True),
    ], then, submit="Record", values=values)


def _when_problem(ctx):
    def check(text: str) -> str | None:
        try:
            parse_when(text, ctx.now())
        except ValueError as exc:
            return str(exc)
        return None

    return check


def _days_problem(text: str) -> str | None:
    return None if text.strip().isdigit() and int(text) > 0 else "a whole number of working days, e.g. 5"


def _date_problem(text: str) -> str | None:
    from duty_tui.core.domain.validators import parse_date

    try:
        parse_date(text)
    except ValueError as exc:
        return str(exc)
    return None


def perform(ctx, action: str, ref: str, version: int, values: dict[str, Any]) -> str:
    """Run a case action through its service (in a worker thread); returns what to tell the user."""
    from duty_tui.areas.frontdesk.services import complaints, repairs, routing

    if action == "take":
        routing.take_case(ctx, ref, version)
        return f"{ref} is yours."
    if action == "reassign":
        routing.reassign_case(ctx, ref, version, values["team"], values.get("officer", ""), values.get("note", ""))
        return f"{ref} reassigned."
    if action == "escalate":
        routing.escalate_case(ctx, ref, version, values["reason"])
        return f"{ref} escalated."
    if action == "close":
        routing.close_case(ctx, ref, version, values["outcome"], values.get("note", ""))
        return f"{ref} closed."
    if action == "note":
        routing.add_case_note(ctx, ref, values["text"])
        return f"Note added to {ref}."
    if action == "acknowledge":
        complaints.acknowledge_complaint(ctx, ref, version, parse_when(values.get("when", ""), ctx.now()))
        return f"{ref}: acknowledgement recorded; the response clock now counts from it."
    if action == "extend":
        complaints.extend_complaint(ctx, ref, version, int(values["days"]), values["reason"])
        return f"{ref}: extended by {values['days']} working days."
    if action == "respond":
        complaints.respond_complaint(ctx, ref, version, values["outcome"], values["summary"])
        return f"{ref}: response recorded."
    if action == "escalate_complaint":
        complaints.escalate_complaint(ctx, ref, version, values.get("handler", ""),
                                      parse_when(values.get("when", ""), ctx.now()))
        return f"{ref}: moved to the next stage."
    if action == "repair_step":
        from duty_tui.core.domain.validators import parse_date

        on = parse_date(values["on"]) if values.get("on", "").strip() else None
        repairs.record_repair_step(ctx, ref, version, values["step"], on,
                                   significant=bool(values.get("significant", True)))
        return f"{ref}: {repairs.STEPS[values['step']].lower()} recorded."
    raise ValueError(f"unknown case action {action!r}")


# --- after a refused save (someone else saved the case first) ----------------------------------

NOTE_FIELDS = {"reassign": "note", "escalate": "reason", "close": "note", "note": "text", "extend": "reason",
               "respond": "summary"}
"""The free-text field of each action: what 'c' in the conflict dialog keeps as a note of its own."""


def open_action_form(screen, action: str, row, staff, then: Callable[[dict], None],
                     values: dict[str, Any] | None = None) -> bool:
    """Open the form for ``action`` (pre-filled with ``values``); False for an action without a form (take)."""
    if action == "reassign":
        reassign_dialog(screen, row, staff, then, values=values)
    elif action == "escalate":
        escalate_dialog(screen, row, then, values=values)
    elif action == "close":
        close_dialog(screen, row, then, values=values)
    elif action == "note":
        note_dialog(screen, row, then, values=values)
    elif action in ("acknowledge", "extend", "respond", "escalate_complaint"):
        complaint_dialog(screen, row, "escalate" if action == "escalate_complaint" else action, staff, then,
                         values=values)
    elif action == "repair_step":
        repair_step_dialog(screen, row, then, values=values)
    else:
        return False
    return True


def after_conflict(screen, error, action: str, row, staff, values: dict[str, Any], seen: int,
                   run: Callable[[str, dict, int], None], refresh: Callable[[], None]) -> None:
    """Show both versions; then the user's typing goes back into the action's form.

    r: the screen reloads and the form reopens with the typing, bound to the newer version (saving
    puts it over theirs on purpose); Esc: the form reopens exactly as it was (the old version, so
    saving shows the conflict again); c: the action's note text is added as a note of its own.
    """
    from duty_tui.core.tui.dialogs.conflict import show_conflict

    note_field = NOTE_FIELDS.get(action)
    note_text = str(values.get(note_field) or "").strip() if note_field else ""

    def reload() -> None:
        refresh()
        newer = error.version if error.version is not None else seen
        if not open_action_form(screen, action, row, staff, lambda v: run(action, v, newer), values):
            screen.notify(f"{row.ref} reloaded; press the key again to {action} it over the newer version.",
                          timeout=8, markup=False)

    def back() -> None:
        open_action_form(screen, action, row, staff, lambda v: run(action, v, seen), values)

    show_conflict(screen, error, None, on_reload=reload, on_back=back, note_text=note_text or None,
                  on_note=(lambda text: run("note", {"text": text}, seen)) if note_text and action != "note" else None)
