"""The command palette's view of a screen: its own actions, by the plain names its bindings give them.

Every ``Binding`` with an ``id`` on the screen (and on the widget focused there) becomes a palette
entry named by its description ("Cash-up", "Refunds", "Arrangements"), with its tooltip and key as
help, offered only where ``check_action`` allows it. Textual's generic entries are not offered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from textual.binding import Binding
from textual.screen import Screen


def own_bindings(node) -> list[Binding]:
    """Bindings with an id declared by ``node``'s own classes (a keymap's keys applied)."""
    seen: set[str] = set()
    found: list[Binding] = []
    keymap = getattr(node.app, "_keymap", {}) or {}
    for cls in type(node).__mro__:
        for item in cls.__dict__.get("BINDINGS", []):
            if isinstance(item, Binding) and item.id and item.id not in seen and item.description:
                seen.add(item.id)
                keys = keymap.get(item.id, item.key)
                found.append(Binding(keys, item.action, item.description, show=item.show, id=item.id,
                                     tooltip=item.tooltip, priority=item.priority, key_display=item.key_display))
    return found


def screen_commands(app, screen: Screen) -> Iterable[tuple[str, str, Callable[[], object]]]:
    """(title, help, callback) for each action of ``screen`` and its focused widget."""
    nodes = [screen]
    focused = screen.focused
    if focused is not None and focused is not screen:
        nodes.append(focused)
    titles: set[str] = set()
    for node in nodes:
        for binding in own_bindings(node):
            action, _, params = binding.action.partition("(")
            try:
                allowed = node.check_action(action, ()) if not params else True
            except Exception:
                allowed = True
            if allowed is False or binding.description.lower() in titles:
                continue
            titles.add(binding.description.lower())
            first_key = binding.key.split(",")[0].strip()
            key = app.get_key_display(Binding(first_key, binding.action)) if first_key else ""
            help_text = (binding.tooltip or binding.description) + (f" ({key})" if key else "")
            yield binding.description, help_text, (lambda a=binding.action, n=node: app.call_later(app.run_action, a, n))
