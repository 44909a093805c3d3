"""One advert's shortlist (docs/LETTINGS_LETTING.md): ranked bids and who was skipped and why, the
offer in hand, and the keys to run the shortlist, offer to the top eligible bidder, record the answer,
book a viewing and complete the sign-up. Every action runs its service in a worker."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from duty_tui.areas.lettings.services.bids import ShortlistRow
from duty_tui.core.domain.errors import DutyError
from duty_tui.core.tui.kit.fields import FormField
from duty_tui.core.tui.kit.form_screen import FormDialog
from duty_tui.core.tui.kit.list_screen import ListPage, ListScreen
from duty_tui.core.tui.kit.list_table import Column
from duty_tui.core.tui.kit.workers import Done
from duty_tui.core.tui.text import plain

SKIP_WORDS = {"not_qualifying": "does not qualify", "bedroom_need": "bedroom need outside the range",
              "age": "under the minimum age", "accessible_only": "kept for an accessible need"}


class ShortlistScreen(ListScreen):
    """The shortlist of one advert and its offer."""

    NAV_EXEMPT = True
    SCOPE_NAME = "lettings-shortlist"
    TITLE = "Shortlist"
    LIST_ID = "shortlist-table"
    COUNT_ID = "shortlist-count"
    NOUN = ("bid", "bids")
    EMPTY = "No bids on this advert."
    COLUMNS = (
        Column("place", "#", priority=0, never_cut=True, justify="right"),
        Column("ref", "Application", priority=0, never_cut=True),
        Column("band", "Band", priority=0, never_cut=True),
        Column("name", "Name", min=6, ideal=16, priority=3),
        Column("status", "Status", priority=0, never_cut=True),
        Column("why", "Skipped because", min=8, ideal=26, priority=1),
    )
    DEFAULT_CSS = """
    ShortlistScreen #shortlist-offer { height: auto; margin: 0 1; }
    ShortlistScreen #shortlist-message { height: auto; margin: 0 1; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back", id="shortlist-back", tooltip="Back to the adverts"),
        Binding("r", "rank", "Run shortlist", id="shortlist-rank",
                tooltip="Rank the bids under the policy and record who is skipped and why"),
        Binding("c", "checks", "Checks", id="shortlist-checks",
                tooltip="Pre-tenancy and affordability checks of the highlighted bidder, before an offer"),
        Binding("m", "offer", "Offer top", id="shortlist-offer",
                tooltip="Offer the home to the top eligible bidder (one live offer per home)"),
        Binding("v", "viewing", "Viewing", id="shortlist-viewing", tooltip="Book a viewing for the offer"),
        Binding("a", "accept", "Accepted", id="shortlist-accept", tooltip="Record that the applicant accepted"),
        Binding("x", "refuse", "Refused", id="shortlist-refuse",
                tooltip="Record a refusal with its reason, judged reasonable or not"),
        Binding("s", "signup", "Sign up", id="shortlist-signup",
                tooltip="Complete the sign-up: tenancy and rent account created, the void closed"),
    ]

    def __init__(self, advert_ref: str) -> None:
        super().__init__()
        self.advert_ref = advert_ref
        self.offer_ref: str | None = None
        self.offer_status: str | None = None

    def compose_below(self) -> ComposeResult:
        yield Static("", id="shortlist-offer")
        yield Static("r shortlist · c checks · m offer top · v viewing · a accepted · x refused · s sign up",
                     id="shortlist-message")

    def on_mount(self) -> None:
        super().on_mount()
        self.sub_title = self.advert_ref

    def say(self, text: str) -> None:
        """Write the message line."""
        self.query_one("#shortlist-message", Static).update(plain(text))

    def fetch(self) -> ListPage:
        from duty_tui.areas.lettings.services.bids import shortlist
        from duty_tui.areas.lettings.services.offers import offers_for

        ctx = self.duty_app.ctx
        try:
            return ListPage(shortlist(ctx, self.advert_ref), extra=(offers_for(ctx, self.advert_ref), ""))
        except DutyError as exc:
            return ListPage([], extra=([], exc.message))

    def row_key(self, item: ShortlistRow) -> str:
        return item.application_ref

    def row_cells(self, r: ShortlistRow) -> dict:
        return {"place": str(r.place) if r.place else "-", "ref": r.application_ref, "band": r.band or "-",
                "name": r.name, "status": r.status, "why": SKIP_WORDS.get(r.skip_reason or "", r.skip_reason or "")}

    def after_load(self, page: ListPage) -> None:
        offers, problem = page.extra or ([], "")
        if problem:
            self.say(problem)
        latest = offers[0] if offers else None
        self.offer_ref = latest.ref if latest else None
        self.offer_status = latest.status if latest else None
        if latest is None:
            text = "No offer yet."
        else:
            seen = ", ".join(f"{moment:%d/%m %H:%M}" for moment in latest.viewings) or "none booked"
            review = f" · s202 review by {latest.review_by:%d/%m/%Y}" if latest.review_by else ""
            text = (f"Offer {latest.ref} to {latest.application_ref}: {latest.status}, answer by "
                    f"{latest.respond_by:%d/%m/%Y}{review}\nViewings: {seen}\n{latest.affordability_note or ''}")
        self.query_one("#shortlist-offer", Static).update(plain(text))

    def open_item(self, item: Any) -> None:
        """Enter on a bid: nothing more to open; the keys act on the advert."""

    # -- actions ------------------------------------------------------------------------------------

    def _need_offer(self, status: str) -> str | None:
        if self.offer_ref is None or self.offer_status != status:
            self.say(f"No {status} offer on {self.advert_ref}.")
            return None
        return self.offer_ref

    def action_back(self) -> None:
        """Back to the adverts."""
        self.app.pop_screen()

    def action_rank(self) -> None:
        """Run the shortlist."""
        self.run_service("rank")

    def action_checks(self) -> None:
        """Show the highlighted bidder's pre-tenancy checks."""
        row = self.highlighted()
        if row is not None:
            self.run_service("checks", row.application_ref, reload=False)

    def action_offer(self) -> None:
        """Offer to the top eligible bidder."""
        self.run_service("offer")

    def action_accept(self) -> None:
        """Record the acceptance."""
        if offer := self._need_offer("live"):
            self.run_service("accept", offer)

    def _saved(self, text: str | None) -> None:
        """A dialog that saved itself closed: say what was done and read the list again."""
        if text:
            self.say(text)
            self.reload()

    def action_refuse(self) -> None:
        """Ask the reason and the judgement; the dialog records the refusal (a refusal by a rule keeps the typing)."""
        offer = self._need_offer("live")
        if offer is None:
            return
        advert = self.advert_ref
        self.app.push_screen(FormDialog(f"Refusal of {offer}", [
            FormField("reason", "Reason", required=True, max_length=200, placeholder="the applicant's reason"),
            FormField("reasonable", "Reasonable refusal", kind="check", value=False)], submit="Record",
            save=lambda ctx, values: _perform(ctx, advert, "refuse", offer, values["reason"],
                                              bool(values["reasonable"]))), self._saved)

    def action_viewing(self) -> None:
        """Ask the day and time; the dialog books the viewing."""
        offer = self._need_offer("live")
        if offer is None:
            return
        advert = self.advert_ref
        self.app.push_screen(FormDialog(f"Viewing for {offer}", [
            FormField("day", "Day", kind="date", required=True),
            FormField("at", "Time (HH:MM)", required=True, max_length=5, placeholder="14:00", check=_time_problem)],
            submit="Book", save=lambda ctx, values: _perform(ctx, advert, "viewing", offer, values["day"],
                                                             values["at"])), self._saved)

    def action_signup(self) -> None:
        """Ask the start date; the dialog completes the sign-up."""
        offer = self._need_offer("accepted")
        if offer is None:
            return
        advert = self.advert_ref
        self.app.push_screen(FormDialog(f"Sign up {offer}", [
            FormField("start", "Tenancy starts", kind="date", required=True)], submit="Sign up",
            save=lambda ctx, values: _perform(ctx, advert, "signup", offer, values["start"])), self._saved)

    @work(thread=True, exclusive=True, exit_on_error=False, group="shortlist-change")
    def run_service(self, what: str, *args: Any, reload: bool = True) -> None:
        """Run one service and say what happened (a refusal by a rule is said, nothing is lost)."""
        try:
            self.post_message(Done(_perform(self.duty_app.ctx, self.advert_ref, what, *args), reload=reload))
        except DutyError as exc:
            self.post_message(Done(exc.message, reload=False))

    def on_done(self, message: Done) -> None:
        self.say(message.text)
        if message.reload:
            self.reload()


def _time_problem(text: str) -> str | None:
    try:
        time.fromisoformat(text.strip())
    except ValueError:
        return "give the time as HH:MM, e.g. 14:00"
    return None


def _perform(ctx: Any, advert_ref: str, what: str, *args: Any) -> str:
    from duty_tui.areas.lettings.services import bids, offers, signup
    from duty_tui.core.domain.local_time import UK

    if what == "rank":
        found = bids.run_shortlist(ctx, advert_ref)
        return f"Shortlist run: {sum(1 for r in found if r.place)} eligible, " \
               f"{sum(1 for r in found if r.status == 'skipped')} skipped."
    if what == "checks":
        checked = bids.pre_tenancy_checks(ctx, advert_ref, args[0])
        return f"{checked.application_ref}: " + "; ".join(
            f"{'ok' if passed else 'NO'} {check} ({note})" for check, passed, note in checked.checks)
    if what == "offer":
        return f"Offer {offers.make_offer(ctx, advert_ref)} made."
    if what == "accept":
        offers.accept_offer(ctx, args[0])
        return f"{args[0]} accepted; book the sign-up."
    if what == "refuse":
        return offers.refuse_offer(ctx, args[0], args[1], reasonable=args[2]).message + "; m offers to the next."
    if what == "viewing":
        moment = datetime.combine(args[1], time.fromisoformat(args[2].strip()), tzinfo=UK)
        offers.book_viewing(ctx, args[0], moment)
        return f"Viewing booked {moment:%d/%m/%Y %H:%M}."
    done = signup.complete_signup(ctx, args[0], args[1])
    relet = "excluded from re-let times" if done.relet_days is None else f"re-let in {done.relet_days} days"
    return f"Signed up: tenancy {done.tenancy_ref}, rent account {done.account_ref}; {relet}."
