"""DutyFooter: the footer that is never cut — the screen's own keys first, the F-keys after, what does not fit left to F1.

Textual's Footer shows every ``show=True`` binding and cuts the row at the terminal's edge
(at 80 columns the case screen ended "i Re…"). DutyFooter shows whole keys only: the focused
widget's and the screen's own keys first (in their declared order), then F1 Help, then the
app's F-keys; keys that do not fit are left out from the end (the F-keys first, F1 last), and
all of them stay in F1 help and the command palette. It lays itself out again on a resize.
"""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

PALETTE_CELLS = 13
"""The command palette's key docked on the right ("▏^p palette ")."""


def key_cells(key_display: str, description: str) -> int:
    """The cells one footer key takes: " key " then "description "."""
    from rich.cells import cell_len

    return cell_len(key_display) + 2 + (cell_len(description) + 1 if description else 0)


class DutyFooter(Footer):
    """A footer whose keys are all whole: what does not fit at this width is left to F1 and the palette."""

    shown_keys: list[str]
    """The keys on show now (tests: every one is whole)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.shown_keys = []
        self._composed_width = 0

    def _fitted(self) -> list[tuple]:
        active = self.screen.active_bindings
        seen_actions: set[str] = set()
        own, app_keys = [], []
        for node, binding, enabled, tooltip in active.values():
            if not binding.show or binding.action in seen_actions:
                continue
            seen_actions.add(binding.action)
            (app_keys if node is self.app else own).append((binding, enabled, tooltip))
        # F1 (help) is the last of the app's keys to go: it says where the others are.
        app_keys.sort(key=lambda item: 0 if item[0].action == "help" else 1)
        chosen = own + app_keys
        width = (self.size.width or self.app.size.width) - (PALETTE_CELLS if self.show_command_palette else 0)

        def total(items) -> int:
            return sum(key_cells(self.app.get_key_display(b), b.description) for b, _e, _t in items)

        while chosen and total(chosen) > width:
            # Drop the app's F-keys from the end first (F1 last), then the screen's least used (its last).
            droppable = [item for item in chosen if item in app_keys and item[0].action != "help"]
            victim = droppable[-1] if droppable else (
                [item for item in chosen if item in own][-1] if any(item in own for item in chosen) else chosen[-1])
            chosen.remove(victim)
        return chosen

    def _signature(self, chosen: list[tuple]) -> tuple:
        """What the row shows: the same signature means nothing to draw again."""
        palette = None
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            found = self.screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
            palette = (found[1].key, found[2]) if found else None
        return (self.size.width or self.app.size.width, palette,
                tuple((b.key, self.app.get_key_display(b), b.description, b.action, e, t) for b, e, t in chosen))

    def bindings_changed(self, screen) -> None:
        # Textual's Footer composes its keys again on every change of bindings (each focus move):
        # that mounts every key and lays the whole screen out again. Do it only when the row differs.
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen:
            self.call_after_refresh(self._recompose_if_changed)

    async def _recompose_if_changed(self) -> None:
        if not self.is_attached or not self._bindings_ready:
            return
        if self._signature(self._fitted()) != self._shown_signature:
            await self.recompose()

    _shown_signature: tuple | None = None

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        self._composed_width = self.size.width or self.app.size.width
        chosen = self._fitted()
        self._shown_signature = self._signature(chosen)
        self.shown_keys = [binding.key for binding, _e, _t in chosen]
        for binding, enabled, tooltip in chosen:
            yield FooterKey(binding.key, self.app.get_key_display(binding), binding.description, binding.action,
                            disabled=not enabled, tooltip=tooltip).data_bind(compact=Footer.compact)
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            try:
                _node, binding, enabled, _tooltip = self.screen.active_bindings[self.app.COMMAND_PALETTE_BINDING]
            except KeyError:
                return
            yield FooterKey(binding.key, self.app.get_key_display(binding), binding.description, binding.action,
                            classes="-command-palette", disabled=not enabled,
                            tooltip=binding.tooltip or binding.description)

    def on_resize(self, event: events.Resize) -> None:
        if self._bindings_ready and event.size.width != self._composed_width:
            self.call_after_refresh(self.recompose)
