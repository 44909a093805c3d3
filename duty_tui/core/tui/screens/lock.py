"""The lock screen: a shared terminal left alone shows nothing personal until a password is given.

It covers every screen beneath it (a full screen, not a dialog), so nothing behind it is
drawn. The member of staff who locked it types their password to carry on exactly where
they were (under ``--auth os`` too: the computer account alone unlocks nothing). At a busy
desk a colleague switches in with ↓ to their name (or "someone else"), their password and
Enter; the first person's open forms are kept as drafts and offered back to them when they
next sign in.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.widgets import Input, Label, Static

from duty_tui.core.domain.errors import AuthError
from duty_tui.core.tui.kit.fields import HandOffTextInput, TextInput
from duty_tui.core.tui.kit.footer import DutyFooter
from duty_tui.core.tui.kit.workers import PasswordAccepted, PasswordRefused
from duty_tui.core.tui.screens.base import DutyScreen
from duty_tui.core.tui.text import plain
from duty_tui.core.tui.widgets.table import DutyTable

SOMEONE_ELSE = ""


class LockScreen(DutyScreen):
    """Locked: who is signing in — the same person (unlock) or a colleague (switch user)."""

    SCOPE_NAME = "lock"
    TITLE = "Locked"
    AUTO_FOCUS = "#lock-password"
    DEFAULT_CSS = """
    LockScreen { align: center middle; }
    LockScreen #lock-box { width: 64; max-width: 100%; height: auto; border: heavy $primary; padding: 0 1; }
    LockScreen #lock-title { text-style: bold; }
    LockScreen #lock-users { height: auto; max-height: 9; margin: 1 0 0 0; overflow-x: hidden; }
    LockScreen #lock-message { height: auto; color: $text-muted; }
    LockScreen #lock-message.error { color: $error; text-style: bold; }
    LockScreen #lock-username-row { height: auto; }
    """
    BINDINGS = [
        Binding("down", "move(1)", "Next person", id="lock-next-user", show=False,
                tooltip="Choose the next person in the list (switch user)"),
        Binding("up", "move(-1)", "Previous person", id="lock-previous-user", show=False,
                tooltip="Choose the previous person in the list"),
        Binding("escape", "clear", "Clear", id="lock-clear", tooltip="Clear the password and start again"),
        # The app refuses its own actions while locked (nothing behind the lock is reachable), and
        # Textual's Tab is the app's focus_next: the lock moves between its own boxes itself.
        Binding("tab", "box(1)", "Next box", id="lock-next-box", show=False,
                tooltip="From the username to the password box (never type a password where it shows)"),
        Binding("shift+tab", "box(-1)", "Previous box", id="lock-previous-box", show=False,
                tooltip="Back from the password to the username box"),
    ]

    def __init__(self, reason: str = "") -> None:
        super().__init__()
        self.reason = reason
        self.people: list[tuple[str, str]] = []  # (username, display name); "" = someone else

    def compose(self) -> ComposeResult:
        with Center():
            with Vertical(id="lock-box"):
                yield Static("duty-tui is locked", id="lock-title")
                yield Static("", id="lock-reason")
                yield DutyTable(id="lock-users", cursor_type="row", show_header=False)
                with Vertical(id="lock-username-row"):
                    yield Label("Username")
                    yield HandOffTextInput(placeholder="your username", id="lock-username", max_length=64)
                yield Label("Password", id="lock-password-label")
                yield TextInput(placeholder="password, then Enter", password=True, id="lock-password", max_length=256)
                yield Static("", id="lock-message")
        yield DutyFooter()

    def on_mount(self) -> None:
        app = self.duty_app
        actor = app.actor
        current = (actor.username, actor.display_name) if actor else None
        self.people = ([current] if current else []) + [p for p in app.recent_users if p != current]
        self.people.append((SOMEONE_ELSE, "Someone else (type a username)"))
        table = self.query_one("#lock-users", DutyTable)
        table.add_column("", key="mark", width=2)
        table.add_column("who", width=32)
        table.add_column("username", width=16)
        table.can_focus = False
        for index, (username, name) in enumerate(self.people):
            table.add_row(plain(""), plain(name), plain(username), key=str(index))
        table.styles.height = len(self.people)
        reason = self.reason
        if getattr(app.settings, "auth", "password") == "os":  # the OS account unlocks nothing (docs/STAFF.md)
            reason += "\nNo duty-tui password? Ctrl+Q, then connect again."
        self.query_one("#lock-reason", Static).update(plain(reason))
        self._chosen_changed()
        self.query_one("#lock-password", Input).focus()

    def chosen(self) -> str:
        """The username highlighted (empty for someone else)."""
        row = self.query_one("#lock-users", DutyTable).cursor_row
        return self.people[row][0] if 0 <= row < len(self.people) else SOMEONE_ELSE

    def action_move(self, delta: int) -> None:
        """Highlight another person."""
        table = self.query_one("#lock-users", DutyTable)
        table.move_cursor(row=max(0, min(len(self.people) - 1, table.cursor_row + delta)))
        self._chosen_changed()

    def _chosen_changed(self) -> None:
        table = self.query_one("#lock-users", DutyTable)
        for index in range(len(self.people)):  # the choice is marked in text, not by colour alone
            table.update_cell(str(index), "mark", plain("▶" if index == table.cursor_row else ""))
        chosen = self.chosen()
        actor = self.duty_app.actor
        self.query_one("#lock-username-row").display = chosen == SOMEONE_ELSE
        if chosen == SOMEONE_ELSE:
            self._message("Type your username, then your password.")
            self.query_one("#lock-username", Input).focus()
        else:
            same = actor is not None and chosen == actor.username
            self._message("Type your password to carry on where you were." if same else
                          f"Switch user: {chosen} types their password. Open forms are kept as drafts.")
            self.query_one("#lock-password", Input).focus()

    def _message(self, text: str, error: bool = False) -> None:
        message = self.query_one("#lock-message", Static)
        message.update(plain(text))
        message.set_class(error, "error")

    def action_box(self, delta: int) -> None:
        """Tab: to the password box, and no further (never round to the username box, where the password
        typed next after a refusal would replace the name in clear). Shift+Tab: back to the username box
        when it is shown (someone else), to fix a wrong username on purpose."""
        username = self.query_one("#lock-username", Input)
        back = delta < 0 and username in self.focus_chain  # not while it is hidden
        # At once (Screen.set_focus, as the kit's own Tab does): keys typed behind the Tab land in the new box.
        self.set_focus(username if back else self.query_one("#lock-password", Input))

    def tab_from(self, widget, delta: int) -> bool:
        """The kit's Tab hook (kit/fields.py ``field_key``): the boxes' Tab is the lock's own (``action_box``)."""
        self.action_box(delta)
        return True

    def action_clear(self) -> None:
        """Clear the password."""
        self.query_one("#lock-password", Input).value = ""
        self.query_one("#lock-password", Input).focus()

    @on(Input.Submitted, "#lock-username")
    def _username_done(self) -> None:
        self.query_one("#lock-password", Input).focus()

    @on(Input.Submitted, "#lock-password")
    def _password_done(self) -> None:
        username = self.chosen() or self.query_one("#lock-username", Input).value.strip()
        password = self.query_one("#lock-password", Input).value
        if not username:
            self._message("Type your username first.", error=True)
            self.query_one("#lock-username", Input).focus()
            return
        if not password:  # an Enter on an empty box is not a wrong password (no failed sign-in counted)
            self._message("Type your password, then Enter.", error=True)
            return
        self.query_one("#lock-password", Input).disabled = True
        self._message("Checking…")
        self.check(username, password)

    @work(thread=True, exclusive=True, exit_on_error=False, group="lock")
    def check(self, username: str, password: str) -> None:
        from duty_tui.core.services.auth import sign_in

        app = self.duty_app
        current = app.actor
        same = current is not None and current.username == username
        try:
            actor = sign_in(app.ctx, username, password, action="unlock" if same else "switch_user")
        except AuthError as exc:
            self.post_message(PasswordRefused(exc.message))
            return
        self.post_message(PasswordAccepted(actor))

    @on(PasswordAccepted)
    def _accepted(self, message: PasswordAccepted) -> None:
        self.duty_app.unlocked(message.actor)

    @on(PasswordRefused)
    def _refused_said(self, message: PasswordRefused) -> None:
        self._refused(message.text)

    def _refused(self, message: str) -> None:
        password = self.query_one("#lock-password", Input)
        password.disabled = False
        password.value = ""
        password.focus()
        self._message(message, error=True)

    def on_worker_error(self, error: BaseException | None) -> None:
        self._refused("Could not check the password: the database did not answer. Try again in a moment.")
        super().on_worker_error(error)
