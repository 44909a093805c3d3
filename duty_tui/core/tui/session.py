"""What a shared front-office terminal needs besides its screens, as mixins for the App.

- ``SharedTerminal``: the idle lock, lock now / switch user, hang-ups (SIGHUP/SIGTERM) and quit
  keeping every form as a draft, pastes made inert; every way a session ends is audited, and
  under ``--auth os`` only the first sign-in of the process comes from the OS account.
- ``DraftOffers``: after sign-in, the forms this person did not finish, offered back.
- ``DatabaseWatch``: the database stopped answering — a banner on every screen, saves that wait
  and go through (once) when it answers again.

Each expects the App's ``ctx``, ``settings``, ``drafts`` (a DraftKeeper), ``locked``,
``last_input``, ``db_down``, ``_when_back``, ``_probe_timer``, ``os_sign_in_left`` and ``_ending``
(set in ``DutyApp.__init__``), and its ``actor``, ``signed_in``, ``_show_subtitle`` and
``report_error``: ``TerminalHost`` declares them for the type checker (``object`` at run time).
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual import events
from textual.message import Message
from textual.screen import Screen

from duty_tui.core.domain.errors import DutyError
from duty_tui.core.domain.validators import visible_controls
from duty_tui.core.tui.drafts import DraftForm
from duty_tui.core.tui.kit.hosts import AppHost

if TYPE_CHECKING:
    from collections.abc import Callable

    from textual.timer import Timer

    from duty_tui.core.config.settings import Settings
    from duty_tui.core.services.context import Actor, ServiceContext

    class TerminalHost(AppHost):
        """What the mixins below use of DutyApp (set in its ``__init__`` or defined on it)."""

        settings: Settings
        locked: bool
        last_input: float
        db_down: bool
        _when_back: list[Callable[[], object]]
        _probe_timer: Timer | None
        os_sign_in_left: bool
        _ending: str | None

        @property
        def actor(self) -> Actor | None: ...

        def signed_in(self, actor: Actor) -> None: ...

        def _show_subtitle(self) -> None: ...

        def report_error(self, error: BaseException | None) -> None: ...
else:
    TerminalHost = AppHost

IDLE_CHECK_SECONDS = 5.0
"""How often the idle lock looks at the clock."""

PROBE_SECONDS = 2.0
"""How often an unreachable database is tried again."""


def _quiet_sign_out(ctx: ServiceContext, how: str, *, locked: bool = False) -> None:
    from duty_tui.core.services.auth import sign_out

    with contextlib.suppress(DutyError):
        sign_out(ctx, how, locked=locked)


class SharedTerminal(TerminalHost):
    """Idle lock, switch user, hang-ups and quit (forms kept as drafts), inert pastes."""

    def _install_signal_handlers(self) -> None:
        import asyncio

        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError, AttributeError):
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGHUP, signal.SIGTERM):
                loop.add_signal_handler(signum, self.hang_up, signum)

    def hang_up(self, signum: int = signal.SIGHUP) -> None:
        """The terminal hung up (SIGHUP) or we were told to stop (SIGTERM): keep every form, then go."""
        # Whatever happens to the terminal from here, the process ends within a few seconds.
        watchdog = threading.Timer(5.0, os._exit, (128 + signum,))
        watchdog.daemon = True
        watchdog.start()
        self._ending = "hangup" if signum == signal.SIGHUP else "terminated"
        try:
            self.drafts.keep_all()
            self.drafts.flush_now()
        except Exception as exc:  # the database and the spool both failed: say so in the crash log
            _crash_log(exc)
        self.exit(return_code=128 + signum)

    def exit(self, result=None, return_code: int = 0, message=None) -> None:
        """Leaving, however it happens: forms closing now keep their drafts; the session's end is audited."""
        drafts = getattr(self, "drafts", None)
        if drafts is not None:
            drafts.keeping = True
        stop_notices = getattr(self, "stop_change_notices", None)
        if stop_notices is not None:
            stop_notices()
        self.end_session(getattr(self, "_ending", None) or "quit")
        super().exit(result, return_code, message)

    def end_session(self, how: str) -> None:
        """Audit, once and on this thread (the process may be about to end), that the signed-in session ended.

        ``how``: quit, hangup (SIGHUP), terminated (SIGTERM), ... — F10 and switch user audit their own.
        A lock does not end the session: quitting a locked terminal is audited with ``locked``.
        """
        ctx = getattr(self, "ctx", None)
        if ctx is None or ctx.actor is None or getattr(self, "_ended_actor", None) is ctx.actor:
            return
        self._ended_actor = ctx.actor
        if getattr(self, "db_down", False):
            return  # the database is away: nothing can be written (docs/STAFF.md, what is not promised)
        try:
            from duty_tui.core.services.auth import sign_out

            sign_out(ctx, how, locked=bool(getattr(self, "locked", False)))
        except DutyError:
            pass  # the database went away just now: leaving regardless
        except Exception as exc:  # a bug: leaving regardless, with the reason in the crash log
            _crash_log(exc)

    def take_os_sign_in(self) -> bool:
        """True once per process under ``--auth os``: only the first sign-in comes from the OS account.

        After a lock, an idle lock or a sign-out the login screen asks for a password, so a shared
        terminal never reopens without one.
        """
        left = bool(getattr(self, "os_sign_in_left", False))
        self.os_sign_in_left = False
        return left

    async def action_quit(self) -> None:
        """Close duty-tui; forms in progress are kept as drafts."""
        with contextlib.suppress(Exception):
            self.drafts.keep_all()
            self.drafts.flush_now()
        self.exit()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseDown, events.Paste)) and not getattr(event, "is_forwarded", False):
            self.last_input = time.monotonic()
        if isinstance(event, events.Paste):
            # Text boxes draw what they hold as it is: a pasted escape sequence would reach the
            # terminal. Control characters in a paste become visible symbols (newlines and tabs stay).
            event.text = visible_controls(event.text)
        await super().on_event(event)

    def idle_seconds(self) -> float:
        """Seconds since the last key or click."""
        return time.monotonic() - self.last_input

    def check_idle_lock(self) -> None:
        """Lock a signed-in terminal left idle for longer than the setting.

        Not ``check_idle``: that is Textual's own MessagePump method, which wakes the app's message
        loop for ``call_next`` callbacks. Overriding it left a resize (scheduled through a timer and
        ``call_next``) waiting for the next key, so screens kept their old size.
        """
        if self.actor is None or self.locked:
            return
        try:  # the start-up preview may still hold the setting as text
            minutes = int(getattr(self.settings, "idle_lock_minutes", 5))
        except (TypeError, ValueError):
            minutes = 5
        if self.idle_seconds() >= minutes * 60:
            self.lock(f"Locked after {minutes} minute{'s' if minutes != 1 else ''} without a key.")

    def action_lock(self) -> None:
        """Lock now (leaving the desk), or switch user."""
        self.lock("Locked by its user.")

    def lock(self, reason: str) -> None:
        """Cover everything with the lock screen until a password is given."""
        from duty_tui.core.services.auth import record_lock
        from duty_tui.core.tui.screens.lock import LockScreen

        if self.actor is None or self.locked:
            return
        self.locked = True
        ctx = self.ctx
        self.run_worker(lambda: record_lock(ctx, reason), thread=True, exit_on_error=False, group="auth")
        self.push_screen(LockScreen(reason))

    def unlocked(self, actor: Actor) -> None:
        """A password was given at the lock screen: the same person carries on; someone else switches in."""
        from duty_tui.core.tui.screens.lock import LockScreen

        self.locked = False
        self.last_input = time.monotonic()
        if self.actor is not None and actor.username == self.actor.username:
            if isinstance(self.screen, LockScreen):
                self.pop_screen()
            return
        previous = self.ctx
        self.drafts.keep_all()
        self.drafts.flush_in_background()
        self.run_worker(lambda: _quiet_sign_out(previous, "switch_user", locked=True), thread=True,
                        exit_on_error=False, group="auth")
        self.signed_in(actor)


@dataclass
class DraftsFound(Message, bubble=False):
    """Forms this member of staff did not finish (posted by the worker that looked)."""

    found: list[Any]


@dataclass
class DatabaseBack(Message, bubble=False):
    """The probe worker heard the database answer again."""


class DraftOffers(TerminalHost):
    """Offer back the forms a member of staff did not finish.

    The app's mixins use conventional handler names (``on_drafts_found``), not ``@on``: Textual
    registers decorated handlers only on message-pump classes.
    """

    def offer_drafts(self) -> None:
        """After sign-in: offer back any forms this person did not finish."""
        ctx = self.ctx

        def find() -> None:
            from duty_tui.core.services.drafts import adopt_spooled, list_drafts

            adopt_spooled(ctx)
            found = list_drafts(ctx)
            if found:
                self.post_message(DraftsFound(found))

        self.run_worker(find, thread=True, exit_on_error=False, group="drafts-offer")

    def on_drafts_found(self, message: DraftsFound) -> None:
        self._show_drafts(message.found)

    def _show_drafts(self, found) -> None:
        from duty_tui.core.tui.dialogs.drafts import DraftsDialog

        if self.actor is None or self.locked:
            return

        def chosen(result) -> None:
            if not result:
                return
            what, view = result
            if what == "open":
                self.reopen_draft(view)
            elif what == "discard":
                from duty_tui.core.services.drafts import delete_draft

                ctx = self.ctx
                self.run_worker(lambda: delete_draft(ctx, view.key, reason="discarded"), thread=True,
                                exit_on_error=False, group="drafts-delete")
                rest = [d for d in found if d.key != view.key]
                if rest:
                    self._show_drafts(rest)

        self.push_screen(DraftsDialog(found), chosen)

    def action_drafts(self) -> None:
        """Forms you did not finish."""
        self.offer_drafts()

    def reopen_draft(self, view) -> None:
        """Open the draft's form again with everything that was typed."""
        import importlib

        from duty_tui.core import registry

        module_name, _, class_name = registry.screen_alias(view.screen).partition(":")
        screen_class = None
        if module_name.startswith(tuple(f"{package}." for package in registry.tui_packages()[1:])):  # an area's form
            with contextlib.suppress(ImportError, AttributeError):
                screen_class = getattr(importlib.import_module(module_name), class_name)
        if not (isinstance(screen_class, type) and issubclass(screen_class, DraftForm)
                and issubclass(screen_class, Screen)):  # a DraftForm is a form screen
            self.notify(f"This draft ({view.title}) belongs to a form this version does not have.", severity="error")
            return
        try:
            screen = screen_class(**view.args)
        except TypeError:
            screen = screen_class()
        self.drafts.adopt(screen, view.key)
        self.push_screen(screen)
        screen.call_after_refresh(screen.restore_draft, view.values)
        ctx = self.ctx
        from duty_tui.core.services.drafts import reopened

        self.run_worker(lambda: reopened(ctx, view.key), thread=True, exit_on_error=False, group="drafts-delete")

    def _clear_to(self, screen: Screen) -> None:
        while len(self.screen_stack) > 2:
            self.pop_screen()
        if len(self.screen_stack) == 2:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)


class DatabaseWatch(TerminalHost):
    """Say when the database is away, on every screen; run waiting saves when it is back."""

    def database_lost(self, message: str) -> None:
        """The database stopped answering: say so on every screen and watch for it coming back."""
        first = not self.db_down
        self.db_down = True
        self._show_subtitle()
        self.sync_banner(self.screen)
        if first:
            self.notify(f"{message}\nKeep typing: nothing is lost, and waiting saves go through when it answers.",
                        title="Database unreachable", severity="error", timeout=15)
        if self._probe_timer is None:
            self._probe_timer = self.set_interval(PROBE_SECONDS, self._probe_database, name="db-probe")

    def retry_when_database_back(self, message: str, retry) -> None:
        """A save failed because the database is away: say so everywhere, and call ``retry`` (on the UI
        thread) once it answers — once, however many times the same save asks."""
        self.database_lost(message)
        if retry not in self._when_back:  # bound methods of the same screen compare equal
            self._when_back.append(retry)

    def _probe_database(self) -> None:
        if any(w.name == "db-probe" and not w.is_finished for w in self.workers):
            return
        ctx = self.ctx

        def probe() -> None:
            from duty_tui.core.services.health import database_answers

            if database_answers(ctx):
                self.post_message(DatabaseBack())

        self.run_worker(probe, thread=True, exit_on_error=False, group="db-probe", name="db-probe")

    def on_database_back(self, message: DatabaseBack) -> None:
        self._database_back()

    def _database_back(self) -> None:
        if not self.db_down:
            return
        self.db_down = False
        if self._probe_timer is not None:
            self._probe_timer.stop()
            self._probe_timer = None
        self._show_subtitle()
        for screen in self.screen_stack:
            self.sync_banner(screen)
        waiting, self._when_back = self._when_back, []
        self.notify("The database is answering again" + (f"; saving {len(waiting)} waiting form(s)." if waiting
                                                          else "."), title="Database back", timeout=8)
        for callback in waiting:
            try:
                callback()
            except Exception as exc:
                self.report_error(exc)

    def sync_banner(self, screen: Screen) -> None:
        """Show (or take down) the 'database unreachable' banner on a full screen."""
        from textual.widgets import Static

        if getattr(screen, "is_modal", False) or not screen.is_mounted:
            return
        found = screen.query("#db-banner")
        if self.db_down and not found:
            from textual.widgets import Header

            # One line under the header (not docked: a second docked widget would cover the header).
            banner = Static("⚠ DATABASE UNREACHABLE — keep typing; saves go through (once) when it is back.",
                            id="db-banner")
            headers = [child for child in screen.children if isinstance(child, Header)]
            if headers:
                screen.mount(banner, after=headers[0])
            else:
                screen.mount(banner, before=0 if screen.children else None)
        elif not self.db_down and found:
            found.remove()


def _crash_log(error: BaseException) -> str:
    from duty_tui.core.tui.app import _log_crash

    return _log_crash(error)
