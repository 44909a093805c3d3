"""A screen's own keys win over keys a keymap added to a widget (issue 11, C18).

The vim keymap gives lists ``g`` (first row) and ``l`` (open); a statement binds ``g`` for
Arrangements and the callers list binds ``l`` for "left". Textual looks a key up from the focused
widget outwards, so the list would take it. ``ScreenKeysWin`` drops such keys from the widget's
bindings for that screen only: the key does what the screen (and its hint line and footer) says.
A widget's own default keys (↓ ↑ Enter …) stay the widget's. ``duty-tui keys`` lists where this
happens (keymaps.lists_under_screens).
"""

from __future__ import annotations

from textual.binding import BindingsMap
from textual.dom import DOMNode


class ScreenKeysWin:
    """Mixin for screens and dialogs (before ``Screen`` in the bases)."""

    @property
    def _binding_chain(self) -> list[tuple[DOMNode, BindingsMap]]:
        chain: list[tuple[DOMNode, BindingsMap]] = super()._binding_chain  # type: ignore[misc]  # a mixin: the Screen after it in the bases has it
        return screen_keys_win(self, chain)


def screen_keys_win(screen: DOMNode, chain: list[tuple[DOMNode, BindingsMap]]) -> list[tuple[DOMNode, BindingsMap]]:
    """Remove, from the widgets between the focus and ``screen``, keys the screen binds that the
    widget has only through a keymap. ``chain`` holds copies (Screen._binding_chain), so it is edited in place."""
    screen_map = next((bindings for node, bindings in chain if node is screen), None)
    if screen_map is None:
        return chain
    screen_keys = set(screen_map.key_to_bindings)
    for node, bindings in chain:
        if node is screen:
            break
        defaults = type(node)._merged_bindings
        default_keys = set(defaults.key_to_bindings) if defaults is not None else set()
        for key in list(bindings.key_to_bindings):
            if key in screen_keys and key not in default_keys:
                del bindings.key_to_bindings[key]
    return chain
