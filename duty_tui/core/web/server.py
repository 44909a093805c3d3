"""The web server behind `duty-tui serve`: textual-serve's Server, made fit to face a browser.

What it changes from textual-serve 1.1.3, and why:

- **Origins.** The websocket that starts an app session is opened only for a page served
  here: its ``Origin`` must be this server's own (``http://HOST:PORT``; for a loopback HOST
  also its other loopback names) or the origin of ``--public-url``. Anything else, and a
  missing Origin, gets 403 before any process starts, so a page on another site cannot open
  sessions in a visitor's browser (cross-site websocket hijacking, DNS rebinding).
- **The audit terminal.** Each session's app process is told the browser's address in
  ``DUTY_TERMINAL_ID`` (``web:ADDRESS``), so the audit trail records where a sign-in came
  from instead of the server's ``host:notty/user``. ``X-Forwarded-For`` is believed only
  behind ``--public-url`` and only from a proxy on this machine (a loopback peer); then the
  right-most address (the one that proxy added) is recorded with the proxy
  (``web:CLIENT via 127.0.0.1``). Every other header value is ignored, so a browser cannot
  write its own terminal name.
- **No URL in argv.** The app process is started without a shell, with no ``--db``: the
  database URL reaches it in its environment (``DUTY_DB_URL``), which only this OS user
  and root can read (/proc/PID/environ is 0400), not in its command line (``ps`` shows
  that to everyone).
- **No outside hosts.** The page is our own (``page/``): its script, style sheet and the
  Roboto Mono font it asks for are all served from here, and a Content-Security-Policy
  keeps the page from fetching or connecting anywhere else.
- **Nothing printed holds a password, or a control character.** The server's stdout and
  stderr pass through ``SafeStream`` (the password and the URL replaced by ``***``, every
  line through ``inert``); logging shows no local variables in tracebacks (textual-serve's
  Rich handler would print the child's environment, database URL included, on an error).
"""

from __future__ import annotations

import asyncio
import html
import io
import ipaddress
import logging
import shlex
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from aiohttp import hdrs, web
from textual_serve.app_service import AppService
from textual_serve.server import Server

from duty_tui.core.domain.validators import inert

log = logging.getLogger("duty-tui.serve")

PAGE_DIR = Path(__file__).resolve().parent / "page"
"""Our page: index.html (a template), duty.css, duty.js."""

TEXTUAL_SERVE_STATIC = Path(__import__("textual_serve").__file__).resolve().parent / "static"
"""textual-serve's own assets: js/textual.js (xterm.js and the protocol), css/xterm.css, fonts/."""

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
WILDCARD_HOSTS = ("", "0.0.0.0", "::")
_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
MIN_SECRET = 4
"""Passwords shorter than this are not searched for in output (they would blank ordinary words)."""


# --- origins -------------------------------------------------------------------------------


def _url_host(host: str) -> str:
    """A host as it appears in a URL: IPv6 addresses in brackets."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def origin_of(url: str | None) -> str | None:
    """The origin ``scheme://host[:port]`` of a URL (lower case, default port left out); None if it has none."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if scheme not in ("http", "https") or not host:
        return None
    origin = f"{scheme}://{_url_host(host)}"
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        origin += f":{port}"
    return origin


def served_origins(host: str, port: int, public_url: str | None) -> frozenset[str]:
    """The origins whose pages may open a session: this server's own and ``--public-url``'s."""
    origins: set[str] = set()
    public = origin_of(public_url)
    if public:
        origins.add(public)
    if host not in WILDCARD_HOSTS:
        names = LOOPBACK_NAMES if host.lower() in LOOPBACK_NAMES else (host,)
        for name in names:
            own = origin_of(f"http://{_url_host(name)}:{port}")
            if own:
                origins.add(own)
    return frozenset(origins)


# --- the browser's address -----------------------------------------------------------------


def _address(value: str | None) -> str | None:
    """``value`` as a normalised IP address, or None when it is not one."""
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value.strip().strip("[]")))
    except ValueError:
        return None


def browser_terminal(remote: str | None, forwarded_for: Sequence[str] = (), *, trust_proxy: bool) -> str:
    """The audit terminal of a browser session: ``web:ADDRESS`` (``web:CLIENT via PROXY`` behind a proxy).

    ``forwarded_for`` (the X-Forwarded-For header values) counts only when ``trust_proxy``
    (``--public-url`` was given) and the peer is on this machine; then its right-most entry
    (appended by that proxy: entries to its left come from the browser and prove nothing).
    """
    peer = _address(remote)
    if peer is None:
        return "web:unknown"
    if trust_proxy and forwarded_for and ipaddress.ip_address(peer).is_loopback:
        last = ",".join(forwarded_for).split(",")[-1]
        client = _address(last)
        if client is not None:
            return f"web:{client} via {peer}"[:128]
    return f"web:{peer}"


# --- output that holds no password -------------------------------------------------------------


def url_secrets(url: str) -> list[str]:
    """What must never be printed of a database URL: its password, as written and percent-decoded."""
    found: set[str] = set()
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        password = None
    if password:
        found.update({password, unquote(password)})
    for name, _, value in (item.partition("=") for item in (urlsplit(url).query or "").split("&")):
        if name.lower() == "password" and value:
            found.update({value, unquote(value)})
    return sorted((s for s in found if len(s) >= MIN_SECRET), key=len, reverse=True)


class SafeStream(io.TextIOBase):
    """A text stream that writes to another with the secrets replaced by ``***`` and each line inert."""

    def __init__(self, target, secrets: Iterable[str]) -> None:
        super().__init__()
        self.target = target
        self.secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def clean(self, text: str) -> str:
        """``text`` with no secret in it and every control shown as a visible symbol (newlines kept)."""
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return inert(text, limit=None)  # newlines stay; ESC, BEL and the rest are shown, not obeyed

    def write(self, text: str) -> int:
        if not isinstance(text, str):  # a text stream (click probes with bytes to tell the two apart)
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        self.target.write(self.clean(text))
        return len(text)

    def flush(self) -> None:
        self.target.flush()

    def isatty(self) -> bool:
        return False  # no colours: the output is plain lines

    @property
    def encoding(self) -> str:  # type: ignore[override]  # a read-only property where TextIO has an attribute
        return getattr(self.target, "encoding", "utf-8")


class _InertFormatter(logging.Formatter):
    """Log records as plain lines: controls in header values (User-Agent, Origin) shown, not obeyed."""

    def format(self, record: logging.LogRecord) -> str:
        return inert(super().format(record), limit=20_000)


# --- one app process per websocket -------------------------------------------------------------


class AppSession(AppService):
    """textual-serve's AppService, started from an argv (no shell) with our environment added."""

    def __init__(self, argv: Sequence[str], environment: Mapping[str, str], **kwargs: Any) -> None:
        super().__init__(shlex.join(argv), **kwargs)
        self.argv = list(argv)
        self.environment = dict(environment)

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        environment = super()._build_environment(width=width, height=height)
        environment.update(self.environment)
        return environment

    async def _open_app_process(self, width: int = 80, height: int = 24):
        environment = self._build_environment(width=width, height=height)
        self._process = process = await asyncio.create_subprocess_exec(
            *self.argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=environment,
        )
        assert process.stdin is not None
        self._stdin = process.stdin
        return process


# --- the server ----------------------------------------------------------------------------------


class DutyServer(Server):
    """textual-serve's Server with an origin check, the browser's address, our page and no URL in argv."""

    def __init__(self, argv: Sequence[str], environment: Mapping[str, str], *, host: str, port: int,
                 public_url: str | None, title: str = "duty-tui") -> None:
        super().__init__(shlex.join(argv), host=host, port=port, title=title, public_url=public_url,
                         statics_path=TEXTUAL_SERVE_STATIC, templates_path=PAGE_DIR)
        self.argv = list(argv)
        self.environment = dict(environment)
        self.origins = served_origins(host, port, public_url)
        self.trust_proxy = public_url is not None
        self.prefix = urlsplit(self.public_url).path.rstrip("/")
        self.template = (PAGE_DIR / "index.html").read_text(encoding="utf-8")

    # -- set-up
    def initialize_logging(self) -> None:
        """Plain lines on stderr; no locals in tracebacks (they would show the app's environment)."""
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(_InertFormatter("%(asctime)s %(name)s %(levelname)s %(message)s", "%H:%M:%S"))
        for name in ("duty-tui.serve", "textual-serve", "aiohttp"):
            logger = logging.getLogger(name)
            logger.handlers[:] = [handler]
            logger.setLevel(logging.INFO)
            logger.propagate = False

    async def _make_app(self) -> web.Application:
        app = web.Application(middlewares=[self._headers])
        app.add_routes([
            web.get("/", self.handle_index, name="index"),
            web.get("/ws", self.handle_websocket, name="websocket"),
            web.get("/download/{key}", self.handle_download, name="download"),
            web.static("/static", self.statics_path, show_index=False, name="static"),
            web.static("/page", PAGE_DIR / "static", show_index=False, name="page"),
        ])
        return app

    def serve(self, debug: bool = False) -> None:
        """Serve until SIGINT or SIGTERM; OSError if the address cannot be listened on."""
        self.initialize_logging()
        web.run_app(self._make_app(), host=self.host, port=self.port, print=None, handle_signals=True,
                    access_log=logging.getLogger("aiohttp.access"),
                    access_log_format='%a "%r" %s %b')

    # -- every response
    @web.middleware
    async def _headers(self, request: web.Request, handler) -> web.StreamResponse:
        response = await handler(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        # Revalidate (ETag) rather than keep an old page script after duty-tui or textual-serve is upgraded.
        response.headers.setdefault("Cache-Control", "no-cache")
        return response

    # -- the page
    def websocket_url(self) -> str:
        """Where the page's script opens its websocket: --public-url's (or our own) /ws, as ws: or wss:."""
        scheme = "wss" if self.public_url.startswith("https") else "ws"
        return f"{scheme}:{self.public_url.split(':', 1)[1].rstrip('/')}/ws"

    def content_security_policy(self) -> str:
        """The page may load and connect only to this origin (and its websocket)."""
        public = origin_of(self.public_url) or ""
        ws_origin = "ws" + public[len("http"):] if public else ""
        return ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; font-src 'self'; "
                f"img-src 'self' data:; connect-src 'self' {ws_origin}; frame-ancestors 'none'; "
                "base-uri 'none'; form-action 'none'")

    async def handle_index(self, request: web.Request) -> web.Response:
        """The page: our template, every URL in it on this origin."""
        try:
            font_size = min(40, max(8, int(request.query.get("fontsize", "16"))))
        except ValueError:
            font_size = 16
        values = {
            "title": self.title,
            "static": f"{self.prefix}/static/",
            "page": f"{self.prefix}/page/",
            "websocket_url": self.websocket_url(),
            "font_size": str(font_size),
        }
        text = self.template
        for name, value in values.items():
            text = text.replace("{{ " + name + " }}", html.escape(value, quote=True))
        response = web.Response(text=text, content_type="text/html", charset="utf-8")
        response.headers["Content-Security-Policy"] = self.content_security_policy()
        response.headers["Cache-Control"] = "no-store"
        return response

    async def on_startup(self, app: web.Application) -> None:
        """Nothing: the command prints its own banner (textual-serve's would print the command)."""

    # -- the session
    def origin_allowed(self, origin: str | None) -> bool:
        """True when a page from ``origin`` may open a session here."""
        return origin_of(origin) in self.origins if origin else False

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """Check the Origin, then run one app process for this websocket (textual-serve's loop)."""
        origin = request.headers.get(hdrs.ORIGIN)
        if not self.origin_allowed(origin):
            log.warning("refused a session for a page from %s (allowed: %s)",
                        repr(origin) if origin else "no origin", ", ".join(sorted(self.origins)))
            raise web.HTTPForbidden(text="This duty-tui server only starts sessions for its own page.\n")
        terminal = browser_terminal(request.remote, request.headers.getall(hdrs.X_FORWARDED_FOR, []),
                                    trust_proxy=self.trust_proxy)
        websocket = web.WebSocketResponse(heartbeat=15)
        width = _int(request.query.get("width"), 80)
        height = _int(request.query.get("height"), 24)
        app_service: AppService | None = None
        try:
            await websocket.prepare(request)
            log.info("session opened for %s", terminal)
            app_service = AppSession(
                self.argv,
                {**self.environment, "DUTY_TERMINAL_ID": terminal},
                write_bytes=websocket.send_bytes,
                write_str=websocket.send_str,
                close=websocket.close,
                download_manager=self.download_manager,
                debug=False,
            )
            await app_service.start(width, height)
            try:
                await self._process_messages(websocket, app_service)
            finally:
                await app_service.stop()
        except asyncio.CancelledError:
            await websocket.close()
        except Exception:
            log.exception("the session for %s failed", terminal)
        finally:
            if app_service is not None:
                await app_service.stop()
        return websocket


def _int(value: str | None, default: int) -> int:
    try:
        return max(1, min(1000, int(value))) if value is not None else default
    except ValueError:
        return default


def child_environment(db_url: str) -> dict[str, str]:
    """What every session's app process gets besides the server's own environment."""
    return {"DUTY_DB_URL": db_url, "DUTY_AUTH": "password"}

