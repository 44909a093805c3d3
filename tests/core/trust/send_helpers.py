"""Printers and mail servers for the send tests: a fake ``lp`` on PATH, a private CUPS, a real SMTP server.

- ``FakeCups``: small ``lp`` and ``lpstat`` scripts written into a folder put first on PATH. ``lp``
  records its arguments and standard input; ``lpstat`` answers as CUPS does for a queue that is
  idle, stopped (``cupsdisable``), refusing jobs (``cupsreject``) or unknown, or for a print server
  that is not running.
- ``PrivateCups``: the real ``cupsd``, started as a child of the test with its own configuration,
  spool and socket under the test's folder (nothing of the system's CUPS is read or changed), and a
  queue whose backend writes each job to a file. Skips cleanly when CUPS is not installed or the
  tests do not run as root (cupsd refuses to drop to ``lp`` otherwise).
- ``MailServer``: aiosmtpd on 127.0.0.1, keeping every message; it can refuse a recipient or the
  message, and ask for a user name and password.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import textwrap
import time
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest


class FakeCups:
    """``lp`` and ``lpstat`` stand-ins; ``state`` is idle, stopped, rejecting, down or missing."""

    def __init__(self, folder: Path, monkeypatch: pytest.MonkeyPatch, queues: tuple[str, ...] = ("desk-1", "receipts")):
        self.bin = folder / "bin"
        self.bin.mkdir(parents=True)
        self.jobs = folder / "jobs"
        self.jobs.mkdir()
        self.state_file = folder / "state"
        self.state = "idle"
        self.monkeypatch = monkeypatch
        queue_list = " ".join(queues)
        (self.bin / "lp").write_text(textwrap.dedent(f"""\
            #!/bin/sh
            state=$(cat {self.state_file})
            n=$(ls {self.jobs} | grep -c '\\.args$')
            n=$((n + 1))
            printf '%s\\n' "$@" > {self.jobs}/$n.args
            cat > {self.jobs}/$n.data
            if [ "$state" = rejecting ]; then
                echo 'lp: Destination "desk-1" is not accepting jobs.' >&2; exit 1
            fi
            queue=$2
            echo "request id is $queue-$n (0 file(s))"
            """))
        (self.bin / "lpstat").write_text(textwrap.dedent(f"""\
            #!/bin/sh
            state=$(cat {self.state_file})
            case "$1" in
              -r) if [ "$state" = down ]; then echo "scheduler is not running"; else echo "scheduler is running"; fi ;;
              -e) [ "$state" = down ] || printf '%s\\n' {queue_list} ;;
              -p) if [ "$state" = down ]; then echo 'lpstat: Scheduler is not running.' >&2; exit 1; fi
                  case "$2" in {"|".join(queues)}) ;; *) echo "lpstat: Invalid destination name in list \\"$2\\"." >&2; exit 1;; esac
                  if [ "$state" = stopped ]; then
                      printf 'printer %s disabled since Tue 10 Mar 2026 09:00:00 GMT -\\n\\tout of paper\\n' "$2"
                  else
                      printf 'printer %s is idle.  enabled since Tue 10 Mar 2026 09:00:00 GMT\\n' "$2"
                  fi ;;
              -a) if [ "$state" = rejecting ]; then
                      printf '%s not accepting requests since Tue 10 Mar 2026 -\\n\\tmoved\\n' "$2"
                  else
                      printf '%s accepting requests since Tue 10 Mar 2026\\n' "$2"
                  fi ;;
            esac
            """))
        for tool in ("lp", "lpstat"):
            (self.bin / tool).chmod(0o755)
        self.set("idle")
        monkeypatch.setenv("PATH", f"{self.bin}{os.pathsep}{os.environ.get('PATH', '')}")

    def set(self, state: str) -> None:
        """idle, stopped, rejecting or down; ``missing`` removes lp and lpstat from PATH."""
        self.state = state
        self.state_file.write_text(state)
        if state == "missing":
            for tool in ("lp", "lpstat"):
                (self.bin / tool).rename(self.bin / f"{tool}.gone")
            self.monkeypatch.setenv("PATH", str(self.bin))  # nor a real CUPS client on this machine

    def printed(self) -> list[tuple[list[str], bytes]]:
        """Each lp call: (arguments, what it was given on standard input), in order."""
        calls = sorted(self.jobs.glob("*.args"), key=lambda p: int(p.stem))
        return [(p.read_text().splitlines(), (self.jobs / f"{p.stem}.data").read_bytes()) for p in calls]


class PrivateCups:
    """A real cupsd of the test's own, with queue ``desk`` whose backend writes each job to ``out/``."""

    def __init__(self) -> None:
        # Its own folder in /tmp, not under pytest's (which only root may enter): the backend runs as lp.
        self.folder = Path(tempfile.mkdtemp(prefix="duty-cups-"))
        self.socket = self.folder / "cups.sock"
        self.out = self.folder / "out"
        self.process: subprocess.Popen | None = None

    @staticmethod
    def skip_unless_possible() -> None:
        """Skip (with the reason) when a private cupsd cannot run here."""
        if not shutil.which("cupsd") or not shutil.which("lpadmin") or not shutil.which("lp"):
            pytest.skip("CUPS is not installed (apt-get install cups-daemon cups-client)")
        if os.geteuid() != 0:
            pytest.skip("a private cupsd needs root (it runs its backends as the lp user)")
        if not Path("/usr/lib/cups/daemon/cups-exec").exists():
            pytest.skip("CUPS's cups-exec helper is missing")

    def start(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Write the configuration and start cupsd in the foreground of a child process; wait for its socket."""
        f = self.folder
        for name in ("root", "spool", "state", "cache", "log", "bin/backend"):
            (f / name).mkdir(parents=True, exist_ok=True)
        for path in (f, *f.iterdir(), f / "bin/backend"):
            path.chmod(0o755)
        (f / "bin/daemon").symlink_to("/usr/lib/cups/daemon")
        self.out.mkdir()
        self.out.chmod(0o777)  # the backend runs as lp
        backend = f / "bin/backend/capture"
        backend.write_text('#!/bin/sh\n[ $# -eq 0 ] && { echo \'direct capture "Unknown" "Capture"\'; exit 0; }\n'
                           'out="${DEVICE_URI#capture:}"\n'
                           'if [ -n "$6" ]; then cat "$6" > "$out/$1"; else cat > "$out/$1"; fi\n')
        backend.chmod(0o755)
        (f / "cupsd.conf").write_text(f"Listen {self.socket}\nLogLevel warn\nWebInterface No\nBrowsing No\n"
                                      "DefaultAuthType None\n<Location />\n  Order allow,deny\n  Allow all\n"
                                      "</Location>\n<Policy default>\n  <Limit All>\n    Order deny,allow\n"
                                      "  </Limit>\n</Policy>\n")
        (f / "cups-files.conf").write_text(
            f"ServerRoot {f}/root\nRequestRoot {f}/spool\nStateDir {f}/state\nCacheDir {f}/cache\n"
            f"ServerBin {f}/bin\nErrorLog {f}/log/error_log\nAccessLog {f}/log/access_log\n"
            f"PageLog {f}/log/page_log\nUser lp\nGroup lp\n")
        self.process = subprocess.Popen(["cupsd", "-f", "-c", str(f / "cupsd.conf"), "-s", str(f / "cups-files.conf")],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 15
        while not self.socket.exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                log = (f / "log/error_log").read_text() if (f / "log/error_log").exists() else ""
                pytest.skip(f"cupsd did not start here: {log[-300:]}")
            time.sleep(0.05)
        monkeypatch.setenv("CUPS_SERVER", str(self.socket))
        self.admin("lpadmin", "-p", "desk", "-E", "-v", f"capture:{self.out}")

    def admin(self, *args: str) -> None:
        """Run a CUPS admin command (lpadmin, cupsdisable, cupsenable, cupsreject, cupsaccept) on this server."""
        subprocess.run(list(args), check=True, capture_output=True, env={**os.environ, "CUPS_SERVER": str(self.socket)},
                       timeout=15)

    def printed(self, count: int, timeout: float = 15) -> list[bytes]:
        """The first ``count`` jobs the backend wrote, waiting for them."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            files = sorted(self.out.iterdir(), key=lambda p: int(p.name))
            if len(files) >= count and all(p.stat().st_size for p in files[:count]):
                return [p.read_bytes() for p in files[:count]]
            time.sleep(0.05)
        raise AssertionError(f"CUPS printed {len(list(self.out.iterdir()))} jobs, not {count}")

    def stop(self) -> None:
        """Stop cupsd (our child: by its pid)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        shutil.rmtree(self.folder, ignore_errors=True)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (for a server that is not there)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class MailServer:
    """A real SMTP server (aiosmtpd) on 127.0.0.1; ``refuse`` is None, "recipient" or "message"."""

    def __init__(self, *, login: tuple[str, str] | None = None) -> None:
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult

        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.logins: list[tuple[str, str]] = []
        self.refuse: str | None = None
        server = self

        class Handler:
            async def handle_RCPT(self, smtp, session, envelope, address, rcpt_options):
                if server.refuse == "recipient":
                    return "550 5.1.1 No such mailbox here"
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, smtp, session, envelope):
                if server.refuse == "message":
                    return "554 5.7.1 Message rejected as spam"
                server.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
                server.messages.append(message_from_bytes(envelope.content, policy=policy.default))
                return "250 Message accepted"

        def authenticator(smtp, session, envelope, mechanism, auth_data):
            user, password = auth_data.login.decode(), auth_data.password.decode()
            server.logins.append((user, password))
            return AuthResult(success=login is not None and (user, password) == login)

        options = {"authenticator": authenticator, "auth_require_tls": False} if login else {}
        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port, **options)

    def __enter__(self) -> MailServer:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()

    def settings(self, **more) -> dict:
        """The Settings fields that point duty-tui at this server."""
        return {"smtp_host": "127.0.0.1", "smtp_port": self.port, "smtp_security": "none",
                "smtp_from": "housing@example.gov.uk", **more}


def attachments(message: EmailMessage) -> list[tuple[str, str, bytes]]:
    """(file name, content type, bytes) of each attachment."""
    return [(part.get_filename(), part.get_content_type(), part.get_payload(decode=True))
            for part in message.iter_attachments()]
