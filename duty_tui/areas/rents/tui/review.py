"""The rent review screen (docs/RENTS_REVIEW.md): year, percentage and posting day; F12 models the review
and shows its effect (by rent group, the largest changes); F9 applies it after a confirm; then the notices
are listed and Enter opens one notice's text (scrollable at 80x24)."""

from __future__ import annotations

from dataclasses import dataclass, field

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Header, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from duty_tui.core.domain.errors import ConflictError, InputError, NotFound, PermissionDenied
from duty_tui.core.domain.money import format_pence
from duty_tui.core.tui.kit.footer import DutyFooter
from duty_tui.core.tui.screens.base import DutyScreen
from duty_tui.core.tui.text import plain

KEYS_LINE = "F12 model and show the effect · F9 apply · Enter on a notice opens it · Esc back"


@dataclass
class ReviewModelled(Message, bubble=False):
    """The worker modelled a review: its ref and the effect's lines."""

    ref: str
    lines: list[str] = field(default_factory=list)


@dataclass
class ReviewApplied(Message, bubble=False):
    """The worker applied the review: how many notices, and the notices to list."""

    count: int
    notices: list[dict] = field(default_factory=list)


@dataclass
class NoticeRead(Message, bubble=False):
    """The worker read one notice's text."""

    lines: list[str] = field(default_factory=list)


class RentNoticeScreen(DutyScreen):
    """One notice of variation's text, scrollable."""

    NAV_EXEMPT = True
    SCOPE_NAME = "rent-notice"
    TITLE = "Notice of variation"
    DEFAULT_CSS = "RentNoticeScreen #rn-body { height: 1fr; padding: 0 1; }"
    BINDINGS = [Binding("escape", "back", "Back", id="rent-notice-back", show=False, tooltip="Back to the review")]

    def __init__(self, lines: list[str]) -> None:
        super().__init__()
        self.lines = lines

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="rn-body"):
            yield Static(plain("\n".join(self.lines)))
        yield DutyFooter()

    def on_mount(self) -> None:
        self.query_one("#rn-body", VerticalScroll).focus()

    def action_back(self) -> None:
        """Back."""
        self.app.pop_screen()


class RentReviewScreen(DutyScreen):
    """Model a rent review, see its effect, apply it and open its notices."""

    SCOPE_NAME = "rent-review"
    TITLE = "Rent review"
    DEFAULT_CSS = """
    RentReviewScreen #rr-fields { height: 1; padding: 0 1; margin: 1 0 0 0; }
    RentReviewScreen #rr-fields Label { width: auto; padding: 0 1 0 0; }
    RentReviewScreen #rr-fields Input { width: 12; height: 1; border: none; padding: 0; margin: 0 1 0 0; }
    RentReviewScreen #rr-effect { height: auto; max-height: 10; padding: 0 1; }
    RentReviewScreen #rr-notices { height: 1fr; border: none; }
    RentReviewScreen #rr-message { height: auto; max-height: 2; padding: 0 1; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back", id="rent-review-back", show=False, tooltip="Back to the previous screen"),
        Binding("f12", "model", "Model", id="rent-review-model",
                tooltip="Model the review for the year and percentage and show its effect"),
        Binding("f9", "apply", "Apply", id="rent-review-apply", tooltip="Apply the modelled review, after a confirm"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.ref: str | None = None
        self.applied = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="rr-fields"):
            yield Label("Year")
            yield Input(id="rr-year", max_length=4)
            yield Label("Percent")
            yield Input(id="rr-percent", max_length=6)
            yield Label("Notices on")
            yield Input(id="rr-given", placeholder="DD/MM/YYYY", max_length=10)
        yield Static("", id="rr-effect")
        yield OptionList(id="rr-notices")
        yield Static(plain(KEYS_LINE), id="rr-message")
        yield DutyFooter()

    def on_mount(self) -> None:
        self.query_one("#rr-year", Input).focus()

    def _say(self, text: str) -> None:
        self.query_one("#rr-message", Static).update(plain(text))

    def action_model(self) -> None:
        """Model the review and show its effect."""
        try:
            year = int(self.query_one("#rr-year", Input).value.strip())
            percent = self.query_one("#rr-percent", Input).value.strip().removesuffix("%")
            bp = round(float(percent) * 100)
        except ValueError:
            self._say("Give the year the rent year begins in (e.g. 2026) and a percentage (e.g. 4.8)")
            return
        self._say("Modelling…")
        self.model(year, bp)

    @work(thread=True, exclusive=True, exit_on_error=False, group="rent-review")
    def model(self, year: int, bp: int) -> None:
        from duty_tui.areas.rents.services.review import model_review, review_effect

        ctx = self.duty_app.ctx
        effect = review_effect(ctx, model_review(ctx, year=year, percent_bp=bp), largest=3)
        lines = [f"{effect.ref} {effect.rent_year} from {effect.effective_from:%d/%m/%Y}: {effect.changed:,} of "
                 f"{effect.lines:,} charges change, {effect.capped:,} capped"]
        lines += [f"{g.group[:28]:<28} {format_pence(g.old_weekly_pence):>12} -> {format_pence(g.new_weekly_pence):>12}"
                  for g in effect.groups[:4]]
        lines += [f"  {c.property_ref:<10} {c.charge_code[:16]:<16} {format_pence(c.old_pence):>10} -> "
                  f"{format_pence(c.new_pence):>10}" for c in effect.largest]
        self.post_message(ReviewModelled(effect.ref, lines))

    @on(ReviewModelled)
    def _modelled(self, message: ReviewModelled) -> None:
        ref, lines = message.ref, message.lines
        self.ref, self.applied = ref, False
        self.query_one("#rr-effect", Static).update(plain("\n".join(lines)))
        self._say(f"Modelled {ref}: nothing changed yet. F9 applies it · Esc back")

    def action_apply(self) -> None:
        """Ask, then apply the modelled review."""
        from duty_tui.core.domain.validators import parse_date
        from duty_tui.core.tui.kit.dialogs import ConfirmDialog

        if self.applied:
            self._say(f"{self.ref} is applied: its notices are listed (Enter opens one). F12 models another")
            return
        if self.ref is None:
            self._say("Model a review first (F12), then F9 applies it")
            return
        raw = self.query_one("#rr-given", Input).value.strip()
        try:
            given = parse_date(raw) if raw else None
        except ValueError as exc:
            self._say(f"Notices on: {exc}")
            return
        ref = self.ref

        def answered(yes: bool | None) -> None:
            if yes:
                self._say("Applying…")
                self.apply(ref, given)

        self.app.push_screen(ConfirmDialog(f"Apply rent review {ref} and make its notices?", yes="Apply it",
                                           no="No, not now"), answered)

    @work(thread=True, exclusive=True, exit_on_error=False, group="rent-review")
    def apply(self, ref: str, given) -> None:
        from duty_tui.areas.rents.services.review_apply import apply_review, list_notices

        ctx = self.duty_app.ctx
        done = apply_review(ctx, ref, given)
        self.post_message(ReviewApplied(done.notices, list_notices(ctx, ref)))

    @on(ReviewApplied)
    def _applied(self, message: ReviewApplied) -> None:
        count, notices = message.count, message.notices
        self.applied = True
        box = self.query_one("#rr-notices", OptionList)
        box.clear_options()
        box.add_options([Option(f"{n['tenancy']:<8} {n['account'] or '':<10} {format_pence(n['old_weekly_pence']):>10}"
                                f" -> {format_pence(n['new_weekly_pence']):>10}", id=n["tenancy"]) for n in notices])
        if notices:
            box.highlighted = 0  # Enter opens the first at once; ↓/↑ move
        box.focus()
        self._say(f"Applied {self.ref}: {count:,} notices. Enter opens one · Esc back")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if self.ref and event.option.id:
            self.open_notice(self.ref, event.option.id)

    @work(thread=True, exclusive=True, exit_on_error=False, group="rent-review")
    def open_notice(self, ref: str, tenancy: str) -> None:
        from duty_tui.areas.rents.services.review_notice import notice_text

        lines = notice_text(self.duty_app.ctx, ref, tenancy)
        self.post_message(NoticeRead(lines))

    @on(NoticeRead)
    def _notice_read(self, message: NoticeRead) -> None:
        self.app.push_screen(RentNoticeScreen(message.lines))

    def action_back(self) -> None:
        """Back."""
        self.app.pop_screen()

    def on_worker_error(self, error: BaseException | None) -> None:
        if isinstance(error, InputError | PermissionDenied | ConflictError | NotFound):
            self._say(error.message)
            return
        self._say(KEYS_LINE)
        super().on_worker_error(error)
