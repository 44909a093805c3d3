"""Sign in: username and password (argon2), or the operating-system user on SSH hosts.

Under ``--auth os`` the OS account (the real uid, linked through ``staff_user.os_user``) signs in
once, when the process starts; after a lock or a sign-out this screen asks for the password.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.message import Message
from textual.widgets import Header, Input, Label, Static

from duty_tui.core.domain.errors import AuthError
from duty_tui.core.tui.kit.fields import HandOffTextInput, TextInput
from duty_tui.core.tui.kit.footer import DutyFooter
from duty_tui.core.tui.kit.workers import PasswordAccepted, PasswordRefused
from duty_tui.core.tui.screens.base import DutyScreen
from duty_tui.core.tui.text import plain
from duty_tui.core.tui.widgets.table import DutyTable


class LoginScreen(DutyScreen):
    """The first screen: who is at this terminal?"""

    SCOPE_NAME = "login"
    TITLE = "Sign in"
    KEYS_WAIT_SECONDS = 30.0  # kit/typeahead.py: keys typed while the password is checked wait for the dashboard
    _checking = False
    BINDINGS = [
        Binding("escape", "clear", "Clear", id="login-clear", tooltip="Clear the password and start again"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Center():
            with Vertical(id="login-box"):
                yield Static("Sign in to duty-tui", id="login-title")
                yield Label("Username")
                yield HandOffTextInput(placeholder="your username", id="username", max_length=64)
                yield Label("Password")
                yield TextInput(placeholder="password", password=True, id="password", max_length=256)
                yield Static("", id="login-message")
        if self.duty_app.demo:
            yield Static("DEMO OFFICE — synthetic people only. Demo users (password: demo):", id="demo-banner")
            yield DutyTable(id="demo-users", cursor_type="row", show_cursor=False)
        yield DutyFooter()

    def on_mount(self) -> None:
        if self.duty_app.demo:
            table = self.query_one("#demo-users", DutyTable)
            table.add_columns("username", "role", "name")
            table.can_focus = False
            if self.duty_app.ready.is_set():
                self.load_demo_users()
            # else: the app calls load_demo_users once the database layer has loaded
        if self.duty_app.settings.auth == "os":
            if self.duty_app.take_os_sign_in():
                self._message("Signing in as your computer account…")
                self._checking = True
                self.sign_in_os()
            else:  # after a lock or a sign-out the computer account is not enough (docs/STAFF.md)
                self._message("Signed out. Sign in with your password (or Ctrl+Q and connect again).")
        self.query_one("#username", Input).focus()
        if self.duty_app.exit_when_ready:
            self.call_after_refresh(self._ready_for_benchmark)
        else:
            self.call_after_refresh(self.duty_app.start_connecting)

    def _ready_for_benchmark(self) -> None:
        import sys
        import time

        print(f"READY {time.time():.6f}", file=sys.stderr, flush=True)
        self.app.exit()

    @work(thread=True, exit_on_error=False, group="demo-users")
    def load_demo_users(self) -> None:
        # Called only once the database layer has loaded: two threads importing the same
        # module graph at once can deadlock in Python's import locks.
        from duty_tui.core.demo.generator import DEMO_USERS

        self.post_message(self.DemoUsers(DEMO_USERS))

    @dataclass
    class DemoUsers(Message):
        """The demo's users, listed beside the sign-in box."""

        users: Any

    @on(DemoUsers)
    def _show_demo_users(self, message: DemoUsers) -> None:
        users = message.users
        table = self.query_one("#demo-users", DutyTable)
        for user in users:
            table.add_row(plain(user.username), plain(user.role), plain(user.display_name))

    def _message(self, text: str, error: bool = False) -> None:
        message = self.query_one("#login-message", Static)
        message.update(plain(text))
        message.set_class(error, "error")

    @on(Input.Submitted, "#username")
    def _username_done(self) -> None:
        self.query_one("#password", Input).focus()

    def tab_from(self, widget, delta: int) -> bool:
        """The kit's Tab hook (kit/fields.py ``field_key``): Tab goes to the password box and stops there.

        It never wraps round to the username box: after a refused password a tired person presses one
        Tab too many, and the password they type next would replace the username, in clear on the
        screen. Shift+Tab goes back to the username box, for a wrong username fixed on purpose.
        """
        # At once (Screen.set_focus, as the kit's own Tab does): keys typed behind the Tab land in the new box.
        self.set_focus(self.query_one("#username" if delta < 0 else "#password", Input))
        return True

    @on(Input.Submitted, "#password")
    def _password_done(self) -> None:
        username = self.query_one("#username", Input).value
        password = self.query_one("#password", Input).value
        if not username.strip():
            self._message("Enter your username first.", error=True)
            self.query_one("#username", Input).focus()
            return
        if not password:  # an Enter on an empty box is not a wrong password (no failed sign-in counted)
            self._message("Type your password, then Enter.", error=True)
            return
        self._message("Checking…")
        self._checking = True
        self.query_one("#password", Input).disabled = True
        self.sign_in(username, password)

    _refused_last = False

    def holds_key(self, event) -> bool:
        """kit/typeahead.py: an F-key for the signed-in desk (F2-F10) typed on the way in (behind the
        password, or while it is checked) waits for the dashboard. After a refusal it is refused too."""
        if event.key == "enter":
            self._refused_last = False  # another try
        key = event.key
        return (not self._refused_last and key.startswith("f") and key[1:].isdigit() and key != "f1")

    def keys_wait(self) -> bool:
        """While the password is checked, keys typed (F4 for the next caller) wait for the dashboard."""
        return self._checking or super().keys_wait()

    def action_clear(self) -> None:
        """Clear the password (the username is kept)."""
        self.query_one("#password", Input).value = ""
        self.query_one("#password", Input).focus()
        self._message("")

    @work(thread=True, exclusive=True, exit_on_error=False, group="auth")
    def sign_in(self, username: str, password: str) -> None:
        if not self.duty_app.ready.wait(60):
            self.post_message(PasswordRefused("The database did not answer in time; try again."))
            return
        from duty_tui.core.services.auth import sign_in

        try:
            actor = sign_in(self.duty_app.ctx, username, password)
        except AuthError as exc:
            self.post_message(PasswordRefused(exc.message))
            return
        self.post_message(PasswordAccepted(actor))

    @work(thread=True, exclusive=True, exit_on_error=False, group="auth")
    def sign_in_os(self) -> None:
        if not self.duty_app.ready.wait(60):
            self.post_message(PasswordRefused("The database did not answer in time; sign in with a password."))
            return
        from duty_tui.core.services.auth import sign_in_os_user

        try:
            actor = sign_in_os_user(self.duty_app.ctx)
        except AuthError as exc:
            self.post_message(PasswordRefused(f"{exc.message}. Sign in with a password instead."))
            return
        self.post_message(PasswordAccepted(actor))

    @on(PasswordAccepted)
    def _accepted(self, message: PasswordAccepted) -> None:
        self.duty_app.signed_in(message.actor)

    @on(PasswordRefused)
    def _refused_said(self, message: PasswordRefused) -> None:
        self._refused(message.text)

    def _refused(self, message: str) -> None:
        self._checking = False
        self._refused_last = True
        self.call_after_refresh(self.app.release_keys)  # keys typed meanwhile go where the cursor is now
        password = self.query_one("#password", Input)
        password.disabled = False
        password.value = ""
        username = self.query_one("#username", Input)
        (password if username.value.strip() else username).focus()
        self._message(message, error=True)

    def on_worker_error(self, error: BaseException | None) -> None:
        self._refused("Could not sign in: the database did not answer. Try again in a moment.")
        super().on_worker_error(error)
