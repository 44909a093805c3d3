"""The payments actions in the command palette (ctrl+p) while the payment screen (F5) is open."""

from __future__ import annotations

from textual.command import DiscoveryHit, Hit, Hits, Provider

__all__ = ["PALETTE", "PaymentCommands"]

PALETTE = (
    ("Payments: cash up my till", "Count my till for today (c on the list)", "open('cashup')"),
    ("Payments: cash-ups to sign off", "Cash-ups waiting for a second person (o on the list)", "open('signoff')"),
    ("Payments: suspense", "Move unmatched money to the right account (u on the list)", "open('suspense')"),
    ("Payments: refunds to authorise", "Refund requests waiting for a decision (r on the list)", "open('refunds')"),
    ("Payments: broken arrangements", "Arrangements that are behind (b on the list)", "open('broken')"),
    ("Payments: open the highlighted account", "Statement, reversals, refunds, arrangements (v)", "view_account"),
    ("Payments: post the payment", "Check, confirm and post (F9)", "post"),
)


class PaymentCommands(Provider):
    """Every payments action in the command palette (ctrl+p) while the payment screen is open."""

    async def discover(self) -> Hits:
        for name, help_text, action in PALETTE:
            yield DiscoveryHit(name, self._runner(action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, action in PALETTE:
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), self._runner(action), help=help_text)

    def _runner(self, action: str):
        screen = self.screen

        async def run() -> None:
            await screen.run_action(action)

        return run
