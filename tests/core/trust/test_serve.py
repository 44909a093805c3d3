"""`duty-tui serve` attacked from outside (issue 10 items 5, 8, 9, 10): a real server, a real websocket.

Each test starts `python -m duty_tui ... serve` as a subprocess on 127.0.0.1 and a free port, against a
seeded database, and talks to it as a browser would: aiohttp's websocket client speaking textual-serve's
protocol (``["stdin", keys]`` in, the app's terminal output back as binary frames, JSON text frames for
downloads). What the app draws is read from that output; the app process's command line from
/proc/PID/cmdline (psutil); what the server printed from its stdout and stderr.

Waiting is for something the app drew (or the server answering), never a fixed sleep. Where a key's
effect is a focus change with nothing else drawn, the wait is for the cursor: Textual draws it over the
first letter of a focused, empty Input's placeholder, so ``p`` and ``assword`` arrive in separate runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import psutil
import pytest
from builders import PASSWORD, seed_office
from sqlalchemy import text
from sqlalchemy.engine import make_url

from duty_tui.core.db.engine import make_engine
from duty_tui.core.services.context import os_identity

PG_PASSWORD = "Pw-s3cret-9f2c"
"""Put in the PostgreSQL URL; the throwaway server trusts its test role, so it is carried, not checked."""

_ANSI = re.compile(r"\x1b\[[0-9;?<>=$ ]*[A-Za-z~@]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][A-Za-z0-9]|\x1b[=>]")
WAIT = 60.0
"""Seconds any one step may take on a loaded two-core machine before the test fails (with the screen)."""


def free_port() -> int:
    """A TCP port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Served:
    """A running `duty-tui serve`."""

    process: subprocess.Popen
    port: int
    out: Path
    err: Path
    seen_children: set[int] = field(default_factory=set)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        """Everything the server printed so far (stdout and stderr)."""
        return self.out.read_text(errors="replace") + self.err.read_text(errors="replace")

    def children(self) -> list[psutil.Process]:
        """The app processes (and anything else) serve has started, live now."""
        found = psutil.Process(self.process.pid).children(recursive=True)
        self.seen_children.update(child.pid for child in found)
        return found


@contextlib.contextmanager
def serving(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> Iterator[Served]:
    """Start `python -m duty_tui ARGS` (ending in serve ...), wait until it listens, stop it after."""
    port = free_port()
    out, err = tmp_path / "serve.out", tmp_path / "serve.err"
    environment = {**os.environ, **(env or {})}
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "duty_tui", *args, "--host", "127.0.0.1", "--port", str(port)],
            stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr, env=environment)
    served = Served(process, port, out, err)
    try:
        deadline = time.monotonic() + WAIT
        while True:
            if process.poll() is not None:
                pytest.fail(f"serve exited with {process.returncode} before listening:\n{served.output()}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"serve did not listen on {port} within {WAIT:.0f} s:\n{served.output()}")
                time.sleep(0.05)
        yield served
    finally:
        with contextlib.suppress(psutil.Error):
            served.children()
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)
        for pid in served.seen_children:  # never leave an app process behind, whatever happened
            with contextlib.suppress(psutil.Error):
                psutil.Process(pid).kill()


class Browser:
    """One browser tab's websocket: keys in, the screen's output read as it arrives."""

    def __init__(self, websocket: aiohttp.ClientWebSocketResponse) -> None:
        self.websocket = websocket
        self.raw = ""
        self.messages: list[list] = []

    def screen(self, since: int = 0) -> str:
        """The output since ``since`` with the escape sequences taken out."""
        return _ANSI.sub("", self.raw[since:])

    async def _read_until(self, done, what: str) -> None:
        async def read() -> None:
            while not done():
                message = await self.websocket.receive()
                if message.type == aiohttp.WSMsgType.BINARY:
                    self.raw += message.data.decode("utf-8", "replace")
                elif message.type == aiohttp.WSMsgType.TEXT:
                    self.messages.append(json.loads(message.data))
                else:
                    raise AssertionError(f"the session ended ({message.type.name}) waiting for {what}; "
                                         f"screen:\n{self.screen()[-3000:]}")
        try:
            await asyncio.wait_for(read(), WAIT)
        except TimeoutError:
            raise AssertionError(f"waited {WAIT:.0f} s for {what}; screen:\n{self.screen()[-3000:]}") from None

    async def wait_for(self, marker: str, since: int = 0) -> None:
        """Until ``marker`` is drawn (after output position ``since``)."""
        await self._read_until(lambda: marker in self.screen(since), repr(marker))

    async def wait_for_focus(self, placeholder: str, since: int) -> None:
        """Until the Input whose placeholder is ``placeholder`` has the focus (the cursor on its first letter)."""
        pattern = re.compile(re.escape(placeholder[0]) + r"\x1b\[0m(?:\x1b\[[0-9;]*m)+" + re.escape(placeholder[1:]))
        await self._read_until(lambda: pattern.search(self.raw, since) is not None, f"focus on {placeholder!r}")

    async def wait_for_message(self, kind: str) -> list:
        """Until the server sends a JSON message of ``kind`` (e.g. deliver_file_start)."""
        await self._read_until(lambda: any(m[0] == kind for m in self.messages), f"a {kind!r} message")
        return next(m for m in self.messages if m[0] == kind)

    async def keys(self, keys: str) -> int:
        """Send keys as xterm.js does; returns the output position before them (for the next wait)."""
        mark = len(self.raw)
        await self.websocket.send_json(["stdin", keys])
        return mark

    async def sign_in(self, username: str = "reception", password: str = PASSWORD) -> None:
        """The login screen, a username, Enter, the password, Enter: signed in."""
        await self.wait_for("Sign in to duty-tui")
        await self.wait_for(username, await self.keys(username))
        await self.wait_for_focus("password", await self.keys("\r"))
        await self.wait_for("•" * len(password), await self.keys(password))
        await self.wait_for("Rita Reception", await self.keys("\r"))


@contextlib.asynccontextmanager
async def browser(served: Served, origin: str | None = None, headers: dict[str, str] | None = None):
    """A websocket to /ws sent with this Origin (the served one by default), as the page's script opens it."""
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(f"{served.origin}/ws?width=80&height=24", origin=origin or served.origin,
                                      headers=headers or {}) as websocket:
            yield Browser(websocket)


async def refused(served: Served, origin: str | None) -> int:
    """The HTTP status the websocket upgrade gets with this Origin header (None: no Origin at all)."""
    async with aiohttp.ClientSession() as session:
        try:
            async with session.ws_connect(f"{served.origin}/ws?width=80&height=24", origin=origin):
                return 101
        except aiohttp.WSServerHandshakeError as exc:
            return exc.status


def login_terminals(url: str) -> list[str]:
    """The audit terminal of every sign-in, oldest first."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return list(connection.execute(text(
                "SELECT terminal FROM audit_event WHERE action = 'login' ORDER BY id")).scalars())
    finally:
        engine.dispose()


@pytest.fixture
def seeded_sqlite(sqlite_url: str) -> str:
    """A migrated SQLite database with the seeded office (users' password: builders.PASSWORD)."""
    engine = make_engine(sqlite_url)
    seed_office(engine)
    engine.dispose()
    return sqlite_url


@pytest.fixture
def seeded_url(db_url: str) -> str:
    """The seeded office on both backends; the PostgreSQL URL carries a password."""
    engine = make_engine(db_url)
    seed_office(engine)
    engine.dispose()
    if db_url.startswith("postgresql"):
        return make_url(db_url).set(password=PG_PASSWORD).render_as_string(hide_password=False)
    return db_url


# --- item 9: origins -----------------------------------------------------------------------------------


async def test_a_page_on_another_site_cannot_open_a_session(seeded_sqlite, tmp_path):
    with serving(tmp_path, "--db", seeded_sqlite, "serve") as served:
        port = served.port
        for origin in ("http://evil.example", f"http://127.0.0.1:{port}.evil.example", f"http://127.0.0.1:{port + 1}",
                       f"https://127.0.0.1:{port}", "null", None):
            assert await refused(served, origin) == 403, f"a page from {origin!r} opened a session"
        assert served.children() == [], "a refused websocket started an app process"
        assert "refused a session for a page from 'http://evil.example'" in served.output()

        async with browser(served) as tab:  # the page served here: the app draws its login screen
            await tab.wait_for("Sign in to duty-tui")
            assert len(served.children()) >= 1
        assert await refused(served, f"http://localhost:{port}") == 101  # the same server by its other name


async def test_public_url_origin_and_the_proxy_s_forwarded_address(seeded_sqlite, tmp_path):
    public = "https://duty.example.org"
    with serving(tmp_path, "--db", seeded_sqlite, "serve", "--public-url", public) as served:
        assert await refused(served, "http://duty.example.org") == 403  # not the same origin: other scheme
        assert await refused(served, "https://duty.example.org.evil.example") == 403
        async with aiohttp.ClientSession() as session, session.get(served.origin) as page:
            assert 'data-session-websocket-url="wss://duty.example.org/ws"' in await page.text()
        # Behind the proxy: the right-most X-Forwarded-For entry is the one the proxy (on this machine) added;
        # the left one is whatever the browser claimed.
        forwarded = {"X-Forwarded-For": "10.9.9.9, 203.0.113.9"}
        async with browser(served, origin=public, headers=forwarded) as tab:
            await tab.sign_in()
    assert login_terminals(seeded_sqlite) == [f"web:203.0.113.9 via 127.0.0.1/{os_identity()}"]


async def test_forwarded_for_is_ignored_without_a_public_url(seeded_sqlite, tmp_path):
    with serving(tmp_path, "--db", seeded_sqlite, "serve") as served:
        async with browser(served, headers={"X-Forwarded-For": "203.0.113.9"}) as tab:
            await tab.sign_in()
    assert login_terminals(seeded_sqlite) == [f"web:127.0.0.1/{os_identity()}"]


# --- item 8: the URL never in argv, the password never printed; item 9: the audit terminal ---------------


# PostgreSQL only: its URL carries the password this guards (a SQLite URL is a file path).
@pytest.mark.parametrize("db_backend", [pytest.param("postgres", id="postgres", marks=pytest.mark.postgres)], indirect=True)
@pytest.mark.parametrize("source", ["environment", "flag"])
async def test_url_never_in_the_app_s_command_line_nor_the_password_in_output(seeded_url, source, tmp_path):
    if source == "environment":
        args, env = ["serve"], {"DUTY_DB_URL": seeded_url}
    else:
        args, env = ["--db", seeded_url, "serve"], {}
    password = make_url(seeded_url).password
    with serving(tmp_path, *args, env=env) as served:
        async with browser(served) as tab:
            await tab.sign_in()
            apps = [child for child in served.children() if "duty_tui" in " ".join(child.cmdline())]
            assert apps, "no app process found for the session"
            for child in apps:
                argv = " ".join(child.cmdline())
                assert seeded_url not in argv and "--db" not in argv, argv
                assert not password or password not in argv, argv
                # It went by the environment instead (which only this OS user and root can read).
                assert child.environ().get("DUTY_DB_URL") == seeded_url
                assert child.environ().get("DUTY_TERMINAL_ID") == "web:127.0.0.1"
        printed = served.output()
    assert "serving duty-tui on http://127.0.0.1:" in printed
    if password:
        assert password not in printed and "session opened for web:127.0.0.1" in printed
        assert (f"{make_url(seeded_url).username}:***@" in printed), printed
        if source == "flag":
            assert "warning: the database password given with --db" in printed
    assert login_terminals(seeded_url) == [f"web:127.0.0.1/{os_identity()}"]


# --- item 10: no outside hosts ---------------------------------------------------------------------------

_REFERENCE = re.compile(r"""(?:href|src)\s*=\s*["']([^"']+)["']""", re.I)
_CSS_URL = re.compile(r"""url\(\s*["']?([^"')]+)["']?\s*\)|@import\s+["']([^"']+)["']""", re.I)


async def test_the_page_and_everything_it_loads_come_from_this_server(seeded_sqlite, tmp_path):
    from urllib.parse import urljoin, urlsplit

    with serving(tmp_path, "--db", seeded_sqlite, "serve") as served:
        async with aiohttp.ClientSession() as session:
            async with session.get(served.origin + "/") as page:
                html = await page.text()
                policy = page.headers["Content-Security-Policy"]
            assert page.status == 200
            assert "googleapis" not in html and "jsdelivr" not in html
            for directive in ("default-src 'none'", "script-src 'self'", "font-src 'self'", "frame-ancestors 'none'",
                              f"connect-src 'self' ws://127.0.0.1:{served.port}"):
                assert directive in policy, policy
            pending = [urljoin(served.origin + "/", ref) for ref in _REFERENCE.findall(html)]
            assert any(u.endswith("textual.js") for u in pending) and any(u.endswith(".css") for u in pending)
            fetched: set[str] = set()
            while pending:
                url = pending.pop()
                if url in fetched:
                    continue
                fetched.add(url)
                assert urlsplit(url).netloc == f"127.0.0.1:{served.port}", f"the page loads {url} from elsewhere"
                async with session.get(url) as asset:
                    assert asset.status == 200, f"{url}: {asset.status}"
                    body = await asset.read()
                if url.endswith(".css"):
                    css = body.decode()
                    pending += [urljoin(url, a or b) for a, b in _CSS_URL.findall(css)]
            assert any(u.endswith(".ttf") for u in fetched), "the font is not served from here"
            for url in (served.origin + "/static/", served.origin + "/page/"):
                async with session.get(url) as listing:
                    assert listing.status in (403, 404), f"{url} lists a folder"


# --- item 5: no --auth os in a browser ---------------------------------------------------------------------


@pytest.mark.parametrize("how", ["root-flag", "serve-flag", "environment", "config-file"])
def test_serve_refuses_os_auth(seeded_sqlite, tmp_path, how):
    port = free_port()
    args, env = ["--db", seeded_sqlite, "serve", "--host", "127.0.0.1", "--port", str(port)], dict(os.environ)
    if how == "root-flag":
        args = ["--auth", "os", *args]
        source = "--auth os"
    elif how == "serve-flag":
        args += ["--auth", "os"]
        source = "--auth os"
    elif how == "environment":
        env["DUTY_AUTH"] = "os"
        source = "DUTY_AUTH=os"
    else:
        config = tmp_path / "duty.toml"
        config.write_text('[duty]\nauth = "os"\n')
        args = ["--config", str(config), *args]
        source = f'auth = "os" (config file {config})'
    try:
        result = subprocess.run([sys.executable, "-m", "duty_tui", *args], env=env, capture_output=True, text=True,
                                timeout=60, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"serve started with auth=os ({how}) instead of refusing: {exc.stderr!r}")
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and f"serve cannot use {source}" in lines[0] and "OS user" in lines[0], result.stderr
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()


def test_serve_on_every_address_needs_the_public_url(seeded_sqlite):
    result = subprocess.run([sys.executable, "-m", "duty_tui", "--db", seeded_sqlite, "serve", "--host", "0.0.0.0",
                             "--port", str(free_port())], capture_output=True, text=True, timeout=60,
                            stdin=subprocess.DEVNULL)
    assert result.returncode == 2 and "give --public-url" in result.stderr, result.stderr


# --- item 10: a document asked for in a browser is downloaded there ----------------------------------------


async def test_a_receipt_printed_in_a_browser_is_downloaded_by_that_browser(seeded_sqlite, tmp_path):
    with serving(tmp_path, "--db", seeded_sqlite, "serve") as served:
        async with browser(served) as tab:
            await tab.sign_in()
            await tab.wait_for("Find the account", await tab.keys("\x1b[15~"))  # F5: take a payment
            await tab.wait_for("RNT000001", await tab.keys("RNT000001"))
            await tab.wait_for("Paying RNT000001", await tab.keys("\r"))
            await tab.wait_for_focus("0.00", await tab.keys("\r"))  # the account chosen: the amount box
            await tab.wait_for("50", await tab.keys("50"))
            await tab.wait_for("Take £50.00", await tab.keys("\x1b[20~"))  # F9 posts (Enter moves on)
            await tab.wait_for("RECEIPT MAIN-000001", await tab.keys("y"))
            await tab.wait_for("(•) Download to this browser", await tab.keys("p"))  # the send dialog
            await tab.keys("\r")
            _, key = await tab.wait_for_message("deliver_file_start")
            async with aiohttp.ClientSession() as session, session.get(f"{served.origin}/download/{key}") as download:
                assert download.status == 200
                assert download.headers["Content-Type"].startswith("application/pdf")
                assert download.headers["Content-Disposition"] == "attachment; filename=receipt-MAIN-000001.pdf"
                pdf = await download.read()
            await tab.wait_for("sent to this browser as a download")
    assert pdf.startswith(b"%PDF") and b"MAIN-000001" in pdf
    # Nothing was left on the server's disk for the receipt.
    data_home = Path(os.environ["XDG_DATA_HOME"])
    assert not list(data_home.rglob("receipt-*")), list(data_home.rglob("*"))


# --- the pieces, without a server ------------------------------------------------------------------------


def test_origins_a_session_may_come_from():
    from duty_tui.core.web.server import origin_of, served_origins

    assert origin_of("HTTPS://Duty.Example.org:443/x?y") == "https://duty.example.org"
    assert origin_of("http://[::1]:8000") == "http://[::1]:8000"
    assert origin_of("null") is None and origin_of("file:///etc/passwd") is None and origin_of("") is None
    assert served_origins("localhost", 8000, None) == {
        "http://localhost:8000", "http://127.0.0.1:8000", "http://[::1]:8000"}
    assert served_origins("duty-host", 80, None) == {"http://duty-host"}
    assert served_origins("0.0.0.0", 8000, "https://duty.example.org/") == {"https://duty.example.org"}


def test_the_audit_terminal_of_a_browser():
    from duty_tui.core.web.server import browser_terminal

    assert browser_terminal("198.51.100.4", [], trust_proxy=False) == "web:198.51.100.4"
    assert browser_terminal("127.0.0.1", ["203.0.113.9"], trust_proxy=False) == "web:127.0.0.1"
    # Behind --public-url's proxy on this machine: the right-most entry, named with the proxy.
    assert browser_terminal("127.0.0.1", ["1.1.1.1, 203.0.113.9"], trust_proxy=True) == "web:203.0.113.9 via 127.0.0.1"
    assert browser_terminal("::1", ["1.1.1.1", "2001:db8::7"], trust_proxy=True) == "web:2001:db8::7 via ::1"
    # A proxy elsewhere is not believed, nor a value that is not an address (it would be written to the audit).
    assert browser_terminal("198.51.100.4", ["203.0.113.9"], trust_proxy=True) == "web:198.51.100.4"
    assert browser_terminal("127.0.0.1", ["\x1b[2Jevil"], trust_proxy=True) == "web:127.0.0.1"
    assert browser_terminal(None, [], trust_proxy=False) == "web:unknown"


def test_what_serve_prints_holds_no_password_and_no_control():
    import io

    from duty_tui.core.web.server import SafeStream, url_secrets

    url = "postgresql+psycopg://duty:p%40ss-w0rd@db.example/duty?sslmode=require&password=Second-pw"
    secrets = url_secrets(url)
    assert {"p%40ss-w0rd", "p@ss-w0rd", "Second-pw"} <= set(secrets)
    target = io.StringIO()
    stream = SafeStream(target, secrets)
    stream.write(f"app said: cannot reach {url}\n")
    stream.write("password p@ss-w0rd \x1b]52;c;ZXZpbA==\x07 done\n")
    printed = target.getvalue()
    assert "ss-w0rd" not in printed and "Second-pw" not in printed and "\x1b" not in printed and "\x07" not in printed
    assert "duty:***@db.example" in printed and "\u241b]52;c;ZXZpbA==\u2407" in printed
    assert url_secrets("sqlite:////tmp/duty.db") == []
