"""Adverts (docs/LETTINGS_LETTING.md): this cycle's adverts; Enter opens one's shortlist
(``tui/shortlist.py``) where the lettings officer offers, records the answer, books viewings and signs up."""

from __future__ import annotations

from textual.binding import Binding

from duty_tui.areas.lettings.services.homes import AdvertRow
from duty_tui.core.domain.money import format_pence
from duty_tui.core.tui.kit.list_screen import ListPage, ListScreen
from duty_tui.core.tui.kit.list_table import Column


class AdvertsScreen(ListScreen):
    """The adverts of the cycles open today, direct matches and homes being offered."""

    SCOPE_NAME = "lettings-adverts"
    TITLE = "Adverts"
    LIST_ID = "adverts-table"
    COUNT_ID = "adverts-count"
    NOUN = ("advert", "adverts")
    EMPTY = "No adverts in a cycle open today."
    RELOAD_ON_RESUME = True
    COLUMNS = (
        Column("ref", "Advert", priority=0, never_cut=True),
        Column("cycle", "Cycle", min=6, ideal=8, priority=2),
        Column("status", "Status", priority=0, never_cut=True),
        Column("beds", "Beds", priority=1, never_cut=True),
        Column("rent", "Rent/wk", priority=1, never_cut=True, justify="right"),
        Column("bids", "Bids", priority=0, never_cut=True, justify="right"),
        Column("address", "Home", min=10, ideal=30, priority=3),
    )
    BINDINGS = [
        Binding("escape", "back", "Back", id="adverts-back", tooltip="Back to the previous screen"),
        Binding("f9", "reload", "Reload", id="adverts-reload", tooltip="Load the list again"),
    ]

    def fetch(self) -> ListPage:
        from duty_tui.areas.lettings.services.homes import list_adverts

        return ListPage(list_adverts(self.duty_app.ctx))

    def row_key(self, item: AdvertRow) -> str:
        return item.ref

    def row_cells(self, a: AdvertRow) -> dict:
        return {"ref": a.ref, "cycle": a.cycle or "direct", "status": a.status, "beds": a.bedrooms,
                "rent": format_pence(a.weekly_rent_pence), "bids": str(a.bids), "address": a.address}

    def open_item(self, item: AdvertRow) -> None:
        from duty_tui.areas.lettings.tui.shortlist import ShortlistScreen

        self.app.push_screen(ShortlistScreen(item.ref))

    def action_back(self) -> None:
        """Back."""
        self.app.pop_screen()

    def action_reload(self) -> None:
        """Load again."""
        self.reload()
