"""The rent debit run (docs/RENTS_DEBIT.md, "The screen"): choose the through date, see a preview
(tenancies, weeks, charges, total, void loss; nothing posted), then F9 posts it after a confirm.

The date opens as this rent week's first day. Enter in the date, or F12, previews again; F9 asks
"Post …?" and posts in a thread worker (``run_debit``: one transaction, audited); the result line
says what was posted. A bad date or a refusal is said on the message line; the date typed stays.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Header, Input, Label, Static

from duty_tui.core.domain.errors import InputError, PermissionDenied
from duty_tui.core.domain.money import format_pence
from duty_tui.core.tui.kit.footer import DutyFooter
from duty_tui.core.tui.kit.validators import DateValidator
from duty_tui.core.tui.screens.base import DutyScreen
from duty_tui.core.tui.text import plain

if TYPE_CHECKING:
    from duty_tui.areas.rents.services.debit import DebitSummary

KEYS_LINE = "Enter or F12 preview · F9 post the debit · Esc back"


@dataclass
class DebitFigures(Message, bubble=False):
    """The debit worker finished: a preview or a posted run."""

    summary: DebitSummary


def summary_lines(summary: DebitSummary) -> list[str]:
    """The preview's or the result's figures, one a line."""
    first, last = summary.first_week, summary.last_week
    if (first is None or last is None) and summary.charged_properties == 0:
        weeks = "none: no charges are set up yet (duty-tui rent seed-charges --from DATE)"
    elif first is None or last is None:
        weeks = "none: every week through this date is posted"
    else:
        weeks = f"{first.year} week {first.number} (w/c {first.start:%d/%m/%Y})"
        if last.start != first.start:
            weeks += f" to {last.year} week {last.number} (w/c {last.start:%d/%m/%Y})"
    verb = "To post" if summary.preview else "Posted"
    return [f"Through      {summary.through:%d/%m/%Y}",
            f"Weeks        {weeks}",
            f"Tenancies    {summary.tenancies:,}",
            f"{verb:<12} {summary.posted:,} charges, {format_pence(summary.total_pence)}",
            f"Void loss    {format_pence(summary.void_loss_pence)} on {summary.void_properties:,} properties "
            "(recorded, not charged)",
            f"Rent-free    {summary.free_weeks:,} property weeks"]


class RentDebitScreen(DutyScreen):
    """Preview and post the weekly rent debit through a date."""

    SCOPE_NAME = "rent-debit"
    TITLE = "Rent debit run"
    DEFAULT_CSS = """
    RentDebitScreen #rd-date { height: 1; padding: 0 1; margin: 1 0; }
    RentDebitScreen #rd-date Label { width: auto; padding: 0 1 0 0; }
    RentDebitScreen #rd-date Input { width: 14; height: 1; border: none; padding: 0; }
    RentDebitScreen #rd-date Input.-invalid { border: none; text-style: underline; }
    RentDebitScreen #rd-figures { height: 1fr; padding: 0 1; }
    RentDebitScreen #rd-message { height: auto; max-height: 3; padding: 0 1; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back", id="rent-debit-back", show=False, tooltip="Back to the previous screen"),
        Binding("f12", "preview", "Preview", id="rent-debit-preview",
                tooltip="Work out what a run through the date would post (nothing is posted)"),
        Binding("f9", "post", "Post", id="rent-debit-post",
                tooltip="Post the debit through the date, after a confirm"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.previewed: DebitSummary | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="rd-date"):
            yield Label("Post rent weeks starting on or before")
            yield Input(id="rd-through", placeholder="DD/MM/YYYY", max_length=10, validators=[DateValidator(False)])
        yield Static("", id="rd-figures")
        yield Static(plain(KEYS_LINE), id="rd-message")
        yield DutyFooter()

    def on_mount(self) -> None:
        from duty_tui.areas.rents.services.debit import this_week_start

        ctx = self.duty_app.ctx
        box = self.query_one("#rd-through", Input)
        box.value = f"{this_week_start(ctx):%d/%m/%Y}"
        box.focus()
        self.action_preview()

    def _through(self) -> date | None:
        from duty_tui.core.domain.validators import parse_date

        box = self.query_one("#rd-through", Input)
        try:
            return parse_date(box.value)
        except ValueError as exc:
            self._say(f"Date: {exc}")
            box.focus()
            return None

    def action_preview(self) -> None:
        """Preview the run through the date typed (nothing is posted)."""
        through = self._through()
        if through is None:
            return
        self.previewed = None
        self._say("Working out the debit…")
        self.work_out(through, post=False)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_preview()

    def action_post(self) -> None:
        """Ask, then post the debit through the date typed."""
        from duty_tui.core.tui.kit.dialogs import ConfirmDialog

        through = self._through()
        if through is None:
            return
        if self.previewed is None or self.previewed.through != through:
            self._say("Preview first (Enter or F12): see what will be posted, then F9")
            return
        if not self.previewed.weeks:
            self._say(f"Nothing to post through {through:%d/%m/%Y}: every rent week to then is posted already")
            return
        question = (f"Post the rent debit through {through:%d/%m/%Y}: {self.previewed.posted:,} charges for "
                    f"{self.previewed.tenancies:,} tenancies, {format_pence(self.previewed.total_pence)}?")

        def answered(yes: bool | None) -> None:
            if yes:
                self._say("Posting the debit…")
                self.work_out(through, post=True)

        self.app.push_screen(ConfirmDialog(question, yes="Post it", no="No, not now"), answered)

    @work(thread=True, exclusive=True, exit_on_error=False, group="rent-debit")
    def work_out(self, through: date, post: bool) -> None:
        from duty_tui.areas.rents.services.debit import preview_debit, run_debit

        ctx = self.duty_app.ctx
        self.post_message(DebitFigures(run_debit(ctx, through) if post else preview_debit(ctx, through)))

    @on(DebitFigures)
    def _figures(self, message: DebitFigures) -> None:
        summary = message.summary
        self.query_one("#rd-figures", Static).update(plain("\n".join(summary_lines(summary))))
        if summary.preview:
            self.previewed = summary
            self._say("Preview: nothing is posted yet. F9 posts it · Esc back")
        else:
            self.previewed = None
            self._say(f"Posted {summary.posted:,} charges for {summary.tenancies:,} tenancies, "
                      f"{format_pence(summary.total_pence)}. Enter or F12 to preview again")

    def action_back(self) -> None:
        """Back."""
        self.app.pop_screen()

    def _say(self, text: str) -> None:
        self.query_one("#rd-message", Static).update(plain(text))

    def on_worker_error(self, error: BaseException | None) -> None:
        if isinstance(error, InputError | PermissionDenied):  # said on the message line; the date typed stays
            self._say(error.message)
            return
        self._say(KEYS_LINE)
        super().on_worker_error(error)
