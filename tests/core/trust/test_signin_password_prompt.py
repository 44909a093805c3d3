"""`duty-tui staff set USER --password` at a real terminal (a pseudo-terminal): asked for twice, never echoed."""

from __future__ import annotations

import os
import sys

from builders import seed_office
from signin_helpers import PtyTerminal

from duty_tui.core.config.settings import Settings
from duty_tui.core.services.auth import sign_in
from duty_tui.core.services.context import ServiceContext

NEW_PASSWORD = "plaster kettle orbit"


def test_the_password_prompt_does_not_echo(engine, db_url, tmp_path):
    """`staff set USER --password` at a real terminal: asked twice, never shown, then it signs in."""
    seed_office(engine)
    env = dict(os.environ, TERM="xterm-256color")
    terminal = PtyTerminal([sys.executable, "-m", "duty_tui", "--db", db_url, "staff", "set", "income",
                            "--password", "--as", "admin"], env)
    try:
        terminal.wait_for("New password for income: ")
        terminal.type(NEW_PASSWORD + "\n")
        terminal.wait_for("The same again: ")
        terminal.type(NEW_PASSWORD + "\n")
        assert terminal.wait_exit() == 0
        terminal.wait_for("new password set")
    finally:
        terminal.close()
    assert NEW_PASSWORD not in terminal.text()
    assert sign_in(ServiceContext.create(engine, Settings(db_url=str(engine.url))), "income", NEW_PASSWORD).username == "income"
