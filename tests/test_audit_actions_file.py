"""data/audit_actions.toml is read whole when a person's access log is shown: one entry too long, and
no one can see who looked at a record. Checked here for every entry, so a new action's words are caught
by the test that adds them, not by the access-log tests far away."""

from __future__ import annotations

from pathlib import Path

from duty_tui.core.services.audit_views import ACTIONS_FILE, _action_words


def test_every_audit_action_has_words_the_access_log_accepts():
    data_dir = Path(__file__).resolve().parents[1] / "data"
    words = _action_words(data_dir / ACTIONS_FILE)
    assert words and all(1 <= len(w) <= 60 for w in words.values())
