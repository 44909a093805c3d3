"""The App: screens, keymap, theme and the global bindings. Kept small on purpose."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from textual import events, on
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.theme import Theme

from duty_tui.core import registry
from duty_tui.core.domain.errors import DatabaseUnavailable, DutyError
from duty_tui.core.services.context import Actor, ServiceContext
from duty_tui.core.tui.drafts import DraftKeeper, draft_seconds
from duty_tui.core.tui.kit.changes import ChangeNotices
from duty_tui.core.tui.kit.navigation import Navigation
from duty_tui.core.tui.kit.typeahead import KeysWait
from duty_tui.core.tui.session import IDLE_CHECK_SECONDS, DatabaseWatch, DraftOffers, SharedTerminal

if TYPE_CHECKING:
    from duty_tui.core.config.settings import Settings


def _key_order(key: registry.AreaKey) -> tuple[int, str]:
    number = key.key[1:]
    return (int(number), key.key) if key.key.startswith("f") and number.isdigit() else (99, key.key)


def _area_bindings() -> list[Binding]:
    """Each area's F-keys, in key order (duty_tui.core.registry: the areas of this build)."""
    return [Binding(key.key, f"open_area({key.home!r})", key.label, id=key.binding_id, priority=True,
                    tooltip=key.tooltip) for key in sorted(registry.keys(), key=_key_order)]

HIGH_CONTRAST = Theme(
    name="duty-high-contrast",
    primary="#FFFF00",
    secondary="#00FFFF",
    accent="#FFFFFF",
    foreground="#FFFFFF",
    background="#000000",
    surface="#000000",
    panel="#1A1A1A",
    success="#00FF00",
    warning="#FFFF00",
    error="#FF4040",
    dark=True,
)


class DutyApp(Navigation, ChangeNotices, SharedTerminal, KeysWait, DraftOffers, DatabaseWatch, App[None]):
    """duty-tui: one fast screen for the whole front office."""

    CSS_PATH = "app.tcss"
    TITLE = "duty-tui"
    ENABLE_COMMAND_PALETTE = True

    BINDINGS = [
        Binding("f1", "help", "Help", id="help", tooltip="List the keys in force on this screen", priority=True),
        Binding("f2", "search", "Search", id="search", priority=True,
                tooltip="Find a person by name, address, postcode, phone or ref, from anywhere"),
        Binding("f3", "home", "Home", id="home", tooltip="Back to the duty dashboard", priority=True),
        *_area_bindings(),
        Binding("f10", "sign_out", "Sign out", id="sign-out", priority=True,
                tooltip="Sign out so the next person can sign in (forms in progress are kept as drafts)"),
        Binding("ctrl+l", "lock", "Lock", id="lock", priority=True, show=False,
                tooltip="Lock this terminal, or switch user: ↓ to a colleague, their password, Enter"),
        Binding("ctrl+q", "quit", "Quit", id="quit", tooltip="Close duty-tui", show=False),
    ]

    def __init__(self, settings: Settings, ctx: ServiceContext | None = None, *, demo: bool = False,
                 keymap: dict[str, str] | None = None, keymap_warnings: list[str] | None = None,
                 validate_keymap: bool = False, settings_loader=None) -> None:
        super().__init__()
        # With a settings_loader, ``settings`` is a quick preview; the loader validates in the background.
        self.settings = settings
        self._settings_loader = settings_loader
        # Without a ctx the database layer (SQLAlchemy) loads in a worker after the first paint.
        self.ctx: ServiceContext = ctx  # type: ignore[assignment]  # None only until that worker sets it
        self.ready = threading.Event()
        self.remembered: dict[str, Any] = {}
        """What an area's screens remember for this terminal until the app closes ("frontdesk.desk": the
        reception desk chosen; names start with the area's)."""
        if ctx is not None:
            self.ready.set()
        self.demo = demo
        self._keymap_overrides = keymap or {}
        self.keymap_warnings = keymap_warnings or []
        self._validate_keymap = validate_keymap
        self.exit_when_ready = False  # set by the start-up benchmark
        self.drafts = DraftKeeper(self)
        self.locked = False
        self.last_input = time.monotonic()
        self.recent_users: list[tuple[str, str]] = []  # (username, display name) signed in here, newest first
        self.db_down = False
        self._when_back: list = []
        self._probe_timer = None
        self.os_sign_in_left = getattr(settings, "auth", "password") == "os"  # once per process (take_os_sign_in)
        self._ending: str | None = None  # how the session ends, for the audit (set by hang_up)

    @cached_property
    def calendar(self):
        """The office's working-day calendar (its jurisdiction's bank holidays)."""
        from duty_tui.core.domain.clocks import WorkingCalendar

        return WorkingCalendar(self.settings.jurisdiction)

    # ----------------------------------------------------------------- start-up
    def on_mount(self) -> None:
        self.register_theme(HIGH_CONTRAST)
        try:
            self.theme = self.settings.theme
        except Exception:
            self.notify(f"theme {self.settings.theme!r} is not known; using textual-dark "
                        "(try duty-high-contrast, ansi-dark or ansi-light)", severity="warning", timeout=10)
        if self._keymap_overrides:
            self.set_keymap(self._keymap_overrides)
        for warning in self.keymap_warnings:
            self.notify(warning, title="Keymap", severity="warning", timeout=15)
        self.sub_title = self.settings.office_name
        from duty_tui.core.tui.screens.login import LoginScreen

        self.push_screen(LoginScreen())
        from duty_tui.core.config.private_files import readable_by_others_warning

        warning = readable_by_others_warning(self.settings.db_url)  # one stat(): fine before the first paint
        if warning:
            self.notify(warning, title="Personal data readable by others", severity="warning", timeout=30)
        if self.ready.is_set():
            self.start_change_notices()
            if self._validate_keymap:
                self.call_after_refresh(self._check_keymap)
        # else: checked once the database layer has loaded (_connected). Checking imports every
        # screen module, and two threads importing SQLAlchemy at once can leave a module half-built.
        self.set_interval(draft_seconds(self.settings), self.drafts.tick, name="drafts")
        self.set_interval(IDLE_CHECK_SECONDS, self.check_idle_lock, name="idle-lock")
        if not self.is_headless:
            self._install_signal_handlers()

    def start_connecting(self) -> None:
        """Load the database layer in a worker, once the first screen is on show."""
        if not self.ready.is_set() and not any(w.name == "connect" for w in self.workers):
            self.run_worker(self._connect, thread=True, exit_on_error=False, group="connect", name="connect")

    def _connect(self) -> None:
        """Load the database layer and build the service context (in a worker)."""
        try:
            if self._settings_loader is not None:
                self.settings = self._settings_loader()
            ctx = ServiceContext.connect(self.settings)
            from duty_tui.core.services import auth, dashboard, people, search  # noqa: F401  (warm the first clicks)
        except DutyError as exc:
            self.post_message(self.ConnectFailed(f"duty-tui: {exc.message}", 3))
            return
        except Exception as exc:  # a bug: keep the details, say so plainly
            log = _log_crash(exc)
            self.post_message(self.ConnectFailed(
                f"duty-tui: could not load the database layer ({type(exc).__name__}); details saved to {log}", 1))
            return
        self.post_message(self.Connected(ctx))

    @dataclass
    class ConnectFailed(Message):
        """The database layer could not load: the app ends with ``return_code`` and says why."""

        text: str
        return_code: int

    @dataclass
    class Connected(Message):
        """The database layer loaded (posted by the connect worker)."""

        ctx: ServiceContext

    @dataclass
    class KeymapChecked(Message):
        """The chosen keymap, checked in a worker: what it binds and what it warns about."""

        loaded: Any

    @on(ConnectFailed)
    def _connect_failed(self, message: ConnectFailed) -> None:
        self.exit(return_code=message.return_code, message=message.text)

    @on(Connected)
    def _connected(self, message: Connected) -> None:
        ctx = message.ctx
        from duty_tui.core.tui.screens.login import LoginScreen

        self.ctx = ctx
        self.ready.set()
        self.start_change_notices()
        if self._validate_keymap:
            self.call_after_refresh(self._check_keymap)
        for screen in self.screen_stack:
            if isinstance(screen, LoginScreen) and self.demo:
                screen.load_demo_users()

    def _check_keymap(self) -> None:
        """Warn, after the first paint, about unknown ids and clashes in the chosen keymap.

        Checking imports every screen module to collect their bindings: seconds on a busy machine.
        It runs in a worker so the UI thread stays free (a resize or a key is handled at once).
        """
        self.run_worker(self._check_keymap_in_worker, thread=True, exit_on_error=False, group="keymap",
                        name="keymap-check")

    def _check_keymap_in_worker(self) -> None:
        from duty_tui.core.tui.keymaps import load_keymap

        loaded = load_keymap(self.settings.keymap, self.settings.keymap_dir)
        self.post_message(self.KeymapChecked(loaded))

    @on(KeymapChecked)
    def _keymap_checked(self, message: KeymapChecked) -> None:
        loaded = message.loaded
        if loaded.keymap != self._keymap_overrides:
            self._keymap_overrides = loaded.keymap
            self.set_keymap(loaded.keymap)
        for warning in loaded.warnings:
            self.notify(warning, title="Keymap", severity="warning", timeout=15)

    @property
    def actor(self) -> Actor | None:
        """The signed-in member of staff."""
        ctx = getattr(self, "ctx", None)  # Textual may ask before __init__ has finished
        return ctx.actor if ctx is not None else None

    def signed_in(self, actor: Actor) -> None:
        """Switch to the signed-in user and show their dashboard."""
        from duty_tui.core.tui.screens.home import HomeScreen

        self.ctx = self.ctx.as_actor(actor)
        self.locked = False
        self.last_input = time.monotonic()
        self.drafts.reset()
        entry = (actor.username, actor.display_name)
        self.recent_users = [entry] + [u for u in self.recent_users if u != entry][:7]
        self._show_subtitle()
        self._clear_to(HomeScreen())
        self.offer_drafts()

    def _show_subtitle(self) -> None:
        actor = self.actor
        parts = [f"{actor.display_name} · {actor.role_name}"] if actor else []
        parts.append(self.settings.office_name)
        if self.db_down:
            parts.insert(0, "⚠ DATABASE UNREACHABLE")
        self.sub_title = " · ".join(parts)

    HEADER_SIDES = 18
    """The header's icon (8 cells) and clock space (10) beside its title."""

    def format_title(self, title: str, sub_title: str):
        """Titles can hold a person's name: show them inert, whatever they contain.

        The title is never cut for its sub-title: the sub-title's parts (who · role · office) are
        dropped from the end until the line fits the terminal, the office first. Not dim: the header
        is read at 4.5:1 (tests/core/tui/test_contrast.py).
        """
        from textual.content import Content

        from duty_tui.core.tui.text import visible

        title, sub_title = visible(title, limit=200), visible(sub_title, limit=200)
        room = (self._title_width or self.size.width or 80) - self.HEADER_SIDES
        parts = [p for p in sub_title.split(" · ") if p] if sub_title else []
        while parts and len(title) + 3 + len(" · ".join(parts)) > room:
            parts.pop()
        if not parts:
            return Content(title)
        return Content.assemble(title, " — ", " · ".join(parts))

    _title_width = 0

    def on_resize(self, event) -> None:
        """The header's title is fitted to the width: fit it again (this runs before App takes the new size)."""
        from textual.widgets import Header
        from textual.widgets._header import HeaderTitle

        self._title_width = event.size.width
        for header in self.screen.query(Header):
            for shown in header.query(HeaderTitle):
                shown.update(header.format_title())

    def notify(self, message: str, *, title: str = "", severity="information", timeout=None,
               markup: bool = False) -> None:
        """Toasts quote what people typed and stored: never read as markup unless a caller insists."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    # ------------------------------------------------------------------ actions
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if getattr(self, "locked", False) and action not in ("quit", "sign_out"):
            return False  # nothing behind the lock screen is reachable: no search, no palette, no F-keys
        if action in ("search", "home", "sign_out", "open_area", "lock") and self.actor is None:
            return False
        if action == "open_area":
            # Hidden (not just greyed out) until the area's screen exists in this build, and from a role
            # that may not use it (pressing the key says so: _on_key).
            return _area_available(str(parameters[0])) and self.area_refusal(str(parameters[0])) is None
        if action == "search":
            return self.area_refusal("search") is None
        return True

    def area_refusal(self, area: str) -> str | None:
        """Why the signed-in role may not use an area's home (None when it may)."""
        needed = _needed(area)
        ctx = getattr(self, "ctx", None)
        if needed is None or ctx is None or ctx.actor is None or ctx.can(needed[0]):
            return None
        return (f"Your role ({ctx.actor.role_name}) may not {needed[1]} ({needed[0]}). "
                "Ask a colleague or a team leader.")

    async def _on_key(self, event: events.Key) -> None:
        # An F-key for an area this role may not use is hidden (check_action), so its binding does not
        # run: say why at once rather than do nothing.
        if self.actor is not None and not getattr(self, "locked", False):
            from textual.actions import parse

            for namespace, bindings in self.screen._binding_chain:
                if namespace is not self:
                    continue
                for binding in bindings.key_to_bindings.get(event.key, ()):
                    _target, name, params = parse(binding.action)
                    area = str(params[0]) if name == "open_area" and params else "search" if name == "search" else None
                    refusal = self.area_refusal(area) if area else None
                    if refusal:
                        event.stop()
                        event.prevent_default()
                        self.notify(refusal, title="Not for your role", severity="warning")
                        return

    def current_person_ref(self) -> str | None:
        """The person on screen (person view), so F4/F5/F6 start with them."""
        from duty_tui.core.tui.screens.person import PersonScreen

        for screen in reversed(self.screen_stack):
            if isinstance(screen, PersonScreen):
                return screen.ref
        return None

    def current_account_ref(self) -> str | None:
        """The account on screen (a statement, its arrangements), nearer than any person view; else None."""
        from duty_tui.core.tui.screens.person import PersonScreen

        for screen in reversed(self.screen_stack):
            ref = getattr(screen, "payment_account_ref", None)
            if ref:
                return ref
            if isinstance(screen, PersonScreen):
                return None
        return None

    def action_open_area(self, area: str) -> None:
        """Open an area's main screen (log contact, payment, approach, queues, callers) on the dashboard."""
        refusal = self.area_refusal(area)
        if refusal:
            self.notify(refusal, title="Not for your role", severity="warning")
            return
        key = registry.key_for(area)
        if key is None:
            self.notify(f"{area} is not part of this build.", severity="warning")
            return
        screen_class = registry.load(key.screen)
        if key.takes_account:
            # From a statement (or its arrangements) the payment is for that account (issue 11 B10).
            self.open_area(screen_class(person_ref=self.current_person_ref(),
                                        account_ref=self.current_account_ref()))
            return
        self.open_area(screen_class(person_ref=self.current_person_ref()))

    def action_search(self) -> None:
        """Open the global search (or go back to it, and focus it, if it is already open)."""
        from duty_tui.core.tui.screens.search import SearchScreen

        refusal = self.area_refusal("search")
        if refusal:
            self.notify(refusal, title="Not for your role", severity="warning")
            return
        for index, screen in enumerate(self.screen_stack):
            if isinstance(screen, SearchScreen):
                self._pop_to(index)
                screen.focus_query()
                return
        self.open_area(SearchScreen())

    def action_home(self) -> None:
        """Back to the dashboard."""
        from duty_tui.core.tui.screens.home import HomeScreen

        self.go_home()
        if isinstance(self.screen, HomeScreen):
            self.screen.refresh_data()

    def action_help(self) -> None:
        """Show the keys in force here: this screen's own actions first, with their full descriptions,
        then the keys that work everywhere, then Textual's own keys last."""
        from duty_tui.core.tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.pop_screen()
            return
        sections: dict[str, list[tuple[str, str, str, bool]]] = {"screen": [], "global": [], "framework": []}
        seen: set[tuple[str, str]] = set()
        widget_rows: list[tuple[str, str, str, bool]] = []
        for active in self.active_bindings.values():
            binding = active.binding
            if not binding.description or (binding.action, binding.description) in seen and binding.id:
                continue
            seen.add((binding.action, binding.description))
            if not binding.id:
                section = "framework"
            elif active.node is self:
                section = "global"
            else:
                section = "screen"
            row = (binding.key_display or self.get_key_display(binding), binding.description,
                   binding.tooltip or active.tooltip or "", bool(active.enabled))
            if section == "screen" and not isinstance(active.node, Screen):
                widget_rows.append(row)  # the focused list's or box's keys: after the screen's own
            else:
                sections[section].append(row)
        sections["screen"].extend(widget_rows)
        sections["framework"].append(("ctrl+p", "Palette", "Find any action by name", True))
        self.push_screen(HelpScreen(sections, screen_title=self.screen.title or type(self.screen).__name__))

    def action_sign_out(self) -> None:
        """Sign out and return to the login screen."""
        from duty_tui.core.services.auth import sign_out
        from duty_tui.core.tui.screens.login import LoginScreen

        ctx, locked = self.ctx, self.locked
        self.drafts.keep_all()
        self.drafts.flush_in_background()
        self.ctx = self.ctx.as_actor(None)
        self.locked = False
        self._show_subtitle()
        self.run_worker(lambda: sign_out(ctx, "sign_out", locked=locked), thread=True, exit_on_error=False,
                        group="auth")
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.push_screen(LoginScreen())

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The command palette: every action by a plain name — the app's, every area's screens, and the
        actions of the screen it was opened on. Textual's own generic entries are left out."""
        from duty_tui.core.tui.kit.palette import screen_commands

        titles: set[str] = set()

        def command(title: str, help_text: str, callback) -> SystemCommand:
            titles.add(title.lower())
            return SystemCommand(title, help_text, callback)

        if self.actor is not None and self.area_refusal("search") is None:
            yield command("Search people", "Find a person by name, address, postcode, phone or ref (F2)",
                          self.action_search)
        if self.actor is not None:
            yield command("Home: duty dashboard", "My work, my team's queue, today's counts (F3)", self.action_home)
            yield command("Sign out", "Sign out of duty-tui (F10)", self.action_sign_out)
            yield command("Lock / switch user", "Lock this terminal, or let a colleague sign in (Ctrl+L)",
                          self.action_lock)
            yield command("Unfinished forms (drafts)", "Forms you started and did not save", self.action_drafts)
            for key in sorted(registry.keys(), key=_key_order):
                if self.area_refusal(key.home) is None:
                    yield command(key.palette, f"{key.palette} ({key.key.upper()})",
                                  lambda home=key.home: self.action_open_area(home))
            for each in registry.areas():
                for entry in each.palette:
                    yield command(entry.title, entry.help,
                                  lambda path=entry.screen, args=entry.args: self._open_named(path, args))
            for title, help_text, callback in screen_commands(self, screen):
                if title.lower() not in titles:
                    yield command(title, help_text, callback)
        yield command("Keys in force", "List the keys on this screen (F1)", self.action_help)
        for theme in ("duty-high-contrast", "ansi-dark", "ansi-light", "textual-dark", "textual-light"):
            yield command(f"Theme: {theme}", f"Switch to the {theme} theme",
                          lambda theme=theme: setattr(self, "theme", theme))
        yield command("Quit duty-tui", "Close duty-tui; forms in progress are kept as drafts (Ctrl+Q)",
                      lambda: self.call_later(self.action_quit))

    def _open_named(self, path: str, args: tuple = ()) -> None:
        self.open_area(registry.load(path)(*args))

    # ------------------------------------------------------------------- errors
    def report_error(self, error: BaseException | None) -> None:
        """Show a failed worker's error as a message, never a traceback."""
        if isinstance(error, DatabaseUnavailable):
            self.database_lost(error.message)
            return
        if isinstance(error, DutyError):
            # Messages may quote what someone typed: never read them as markup.
            self.notify(error.message, severity="error", timeout=10, markup=False)
            return
        log = _log_crash(error)
        # Never "nothing was lost": an unexpected failure rolled its transaction back, so what it
        # was saving was NOT saved; only the screen knows whether the typing is still on it.
        self.notify(f"Something went wrong ({type(error).__name__}): that step did not finish and was not saved. "
                    f"Check before trying again. Details saved to {log}.",
                    severity="error", timeout=15)




AREA_PERMISSIONS: dict[str, tuple[str, str]] = {"search": ("person.search", "search for people")}
"""What the core's own homes need (the permission its services require) and what it is for; each area's
F-key names its own (duty_tui.core.registry.AreaKey). A role without it is not offered the home
(footer, palette) and is told so at once when it presses the key."""


def _needed(area: str) -> tuple[str, str] | None:
    key = registry.key_for(area)
    return (key.permission, key.purpose) if key is not None else AREA_PERMISSIONS.get(area)


def _area_available(area: str) -> bool:
    """True when this build has the area whose main screen this key opens."""
    return registry.key_for(area) is not None


def _log_crash(error: BaseException | None) -> str:
    from duty_tui.core.domain.errors import log_crash

    return log_crash(error)  # 0600, scrubbed of SQL parameters, row values and passwords


def make_app(settings: Settings, *, engine=None, ctx: ServiceContext | None = None, demo: bool | None = None,
             fast: bool = False, settings_loader=None) -> DutyApp:
    """Build the App for the CLI and for the tests alike.

    ``fast`` (the CLI) defers loading the database layer and validating the keymap until after the
    first screen is drawn; the database has already been checked by ``duty_tui.core.db.preflight``.
    """
    from duty_tui.core.tui.keymaps import load_keymap, read_keymap
    from duty_tui.core.tui.kit.paste import install as keep_pastes_in_order

    keep_pastes_in_order()  # before the terminal is read: a paste holding an ESC arrives whole (kit/paste.py)
    if fast:
        return DutyApp(settings, ctx, demo=bool(demo or settings.demo),
                       keymap=read_keymap(settings.keymap, settings.keymap_dir), validate_keymap=True,
                       settings_loader=settings_loader)
    if ctx is None:
        ctx = ServiceContext.create(engine, settings) if engine is not None else ServiceContext.connect(settings)
    if demo is None:
        from duty_tui.core.services.auth import demo_mode

        demo = settings.demo or demo_mode(ctx)
    loaded = load_keymap(settings.keymap, settings.keymap_dir)
    return DutyApp(settings, ctx, demo=demo, keymap=loaded.keymap, keymap_warnings=loaded.warnings)
