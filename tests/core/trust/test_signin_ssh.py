"""README "Over SSH", run as written on this host: a real sshd on 127.0.0.1, a real login, a shared database.

The two code blocks of the README's "Over SSH" section are taken from README.md itself — the
setup script and the sshd_config block — with only their paths and names made the test's own
(a temporary folder for /etc/duty-tui, /var/lib/duty-tui; throwaway group and account names;
this checkout's duty-tui for /opt/duty-tui). Then a real sshd (its own config, port and host
key; key authentication) takes a real `ssh -tt` login through a pseudo-terminal, and the
account must land in duty-tui signed in as its linked staff user, on the shared database, with
the audit trail naming the terminal `ssh:127.0.0.1/<account>`.

Test-only differences, each needed to run a second sshd inside a test: UsePAM no (a container's
PAM session modules may refuse), so the new account gets the password field "*" instead of "!"
(sshd without PAM refuses "!" as locked); StrictModes no (the keys live under /tmp).

Root only; skipped where sshd is not installed, except in CI (DUTY_REQUIRE_POSTGRES=1 as root),
where .ci/run installs openssh-server and a skip would be a failure.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import port_for
from signin_helpers import CTRL_Q, HOME_FOOTER, PtyTerminal, duty_tui_for_others, unavailable
from sqlmodel import select

from duty_tui.core.db.engine import make_engine, session_scope
from duty_tui.core.db.models import AuditEvent

README = Path(__file__).resolve().parents[3] / "README.md"
SSHD = "/usr/sbin/sshd"


def readme_blocks() -> tuple[str, str]:
    """The setup script and the sshd_config block of README's "Over SSH" section."""
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Over SSH\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, flags=re.S)
    assert len(blocks) == 2, f"README 'Over SSH' should hold two sh blocks (setup, sshd_config); found {len(blocks)}"
    return blocks[0], blocks[1]


def _tools_missing() -> str | None:
    if os.geteuid() != 0:
        return "running a second sshd and creating accounts needs root"
    if not os.access(SSHD, os.X_OK):
        return f"{SSHD} is not installed (apt-get install openssh-server)"
    for tool in ("ssh", "ssh-keygen", "useradd", "userdel", "groupadd", "groupdel", "install", "bash"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    return None


def _wait_listening(port: int, sshd: subprocess.Popen, log: Path, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if sshd.poll() is not None:
            break
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.1)
    unavailable(f"sshd did not start (exit {sshd.poll()}): {log.read_text(errors='replace')[-800:]}")


def _quietly(*argv: str) -> None:
    subprocess.run(list(argv), capture_output=True, check=False)


def test_the_readme_ssh_recipe_signs_the_account_in_on_the_shared_database():
    missing = _tools_missing()
    if missing:
        unavailable(missing)
    setup, sshd_block = readme_blocks()
    with duty_tui_for_others() as (_python, duty_tui):
        _run_the_recipe(setup, sshd_block, duty_tui)


def _run_the_recipe(setup: str, sshd_block: str, duty_tui: str) -> None:
    tag = uuid.uuid4().hex[:10]
    group, account = f"dg{tag}", f"dt{tag}"
    base = Path(tempfile.mkdtemp(prefix="duty-ssh-", dir="/tmp"))
    base.chmod(0o755)

    def ours(text: str) -> str:
        for theirs, mine in (("/opt/duty-tui/.venv/bin/duty-tui", duty_tui),
                             ("/etc/duty-tui", str(base / "etc/duty-tui")),
                             ("/var/lib/duty-tui", str(base / "var/lib/duty-tui")),
                             ("duty-staff", group)):
            text = text.replace(theirs, mine)
        return re.sub(r"\brita\b", account, text)

    root_env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8",
                "HOME": str(base / "root"), "XDG_DATA_HOME": str(base / "root/data"),
                "XDG_CONFIG_HOME": str(base / "root/config"), "XDG_STATE_HOME": str(base / "root/state")}
    sshd = None
    engine = None
    try:
        script = subprocess.run(["bash", "-euo", "pipefail", "-c", ours(setup)], env=root_env, cwd=base,
                                stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300, check=False)
        assert script.returncode == 0, f"README setup failed:\n{script.stdout}\n{script.stderr}"
        subprocess.run(["usermod", "-p", "*", account], check=True, capture_output=True)  # see the docstring

        ssh_dir = base / "ssh"
        ssh_dir.mkdir(mode=0o700)
        keys = base / "keys"  # sshd reads authorized keys as the account
        keys.mkdir(mode=0o755)
        for key in ("host", "client"):
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(ssh_dir / key)], check=True)
        shutil.copyfile(ssh_dir / "client.pub", keys / account)
        (keys / account).chmod(0o644)
        port = port_for.get_port(None)
        config = ssh_dir / "sshd_config"
        config.write_text("\n".join([
            f"Port {port}", "ListenAddress 127.0.0.1", f"HostKey {ssh_dir / 'host'}", f"PidFile {ssh_dir / 'pid'}",
            f"AuthorizedKeysFile {keys}/%u", "StrictModes no", "UsePAM no",
            "PasswordAuthentication no", "KbdInteractiveAuthentication no", "PubkeyAuthentication yes",
            "PermitRootLogin no", f"AllowUsers {account}", "PrintMotd no", "PrintLastLog no", "LogLevel VERBOSE",
            "", ours(sshd_block)]))
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege-separation folder
        checked = subprocess.run([SSHD, "-t", "-f", str(config)], capture_output=True, text=True, check=False)
        assert checked.returncode == 0, f"sshd rejects README's block:\n{checked.stderr}\n{config.read_text()}"
        log = ssh_dir / "sshd.log"
        sshd = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)], stdout=subprocess.DEVNULL,
                                stderr=log.open("w"), stdin=subprocess.DEVNULL)
        _wait_listening(port, sshd, log)

        client = ["ssh", "-F", "/dev/null", "-tt", "-i", str(ssh_dir / "client"), "-p", str(port),
                  "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
                  "-o", "LogLevel=ERROR", f"{account}@127.0.0.1"]
        terminal = PtyTerminal(client, {"PATH": root_env["PATH"], "TERM": "xterm-256color", "LANG": "C.UTF-8",
                                        "HOME": str(base / "root"), "LOGNAME": "admin", "USER": "admin"})
        try:
            terminal.wait_for(HOME_FOOTER, timeout=120)  # signed in straight away, as the linked staff user
            terminal.type(CTRL_Q)
            code = terminal.wait_exit(60)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\nsshd log:\n{log.read_text(errors='replace')[-2000:]}") from None
        finally:
            terminal.close()
        assert code == 0, terminal.text()[-800:]

        engine = make_engine(f"sqlite:///{base / 'var/lib/duty-tui/duty.db'}")
        with session_scope(engine) as session:
            trail = list(session.exec(select(AuditEvent).order_by(AuditEvent.id)).all())
        added = [json.loads(e.detail) for e in trail if e.action == "staff.add"]
        assert [a["username"] for a in added] == ["ada", account] and added[0].get("first_admin") is True
        [login] = [e for e in trail if e.action == "login"]
        assert (login.actor, json.loads(login.detail)) == (account, {"method": "os"})
        assert login.terminal == f"ssh:127.0.0.1/{account}"  # checked against sshd; the real account
        [logout] = [e for e in trail if e.action == "logout"]
        assert (logout.actor, json.loads(logout.detail), logout.terminal) == (account, {"how": "quit"},
                                                                              login.terminal)
        database = base / "var/lib/duty-tui/duty.db"
        assert oct(database.stat().st_mode & 0o777) == "0o660" and database.stat().st_gid == _gid(group)
    finally:
        if engine is not None:
            engine.dispose()
        if sshd is not None:
            sshd.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                sshd.wait(10)
            if sshd.poll() is None:
                sshd.kill()
        _quietly("pkill", "-KILL", "-u", account)
        _quietly("userdel", "-r", account)
        _quietly("groupdel", group)
        shutil.rmtree(base, ignore_errors=True)


def _gid(group: str) -> int:
    import grp

    return grp.getgrnam(group).gr_gid
