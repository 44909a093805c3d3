"""The fast start-up preview and the full settings take each value from the same place (one
order of precedence, duty_tui.core.config.preview.layered): config file < environment < command line."""

from __future__ import annotations

import itertools

import pytest

from duty_tui.core.config.preview import preview_settings
from duty_tui.core.config.settings import load_settings
from duty_tui.core.domain.errors import EnvironmentProblem


@pytest.mark.parametrize("in_file,in_env,on_line", list(itertools.product((False, True), repeat=3)))
def test_the_preview_and_the_full_settings_agree_on_where_each_value_comes_from(tmp_path, monkeypatch,
                                                                                in_file, in_env, on_line):
    config = tmp_path / "duty.toml"
    config.write_text('[duty]\noffice_name = "From the file"\nidle_lock_minutes = 7\n' if in_file else "[duty]\n")
    monkeypatch.delenv("DUTY_OFFICE_NAME", raising=False)
    monkeypatch.delenv("DUTY_IDLE_LOCK_MINUTES", raising=False)
    if in_env:
        monkeypatch.setenv("DUTY_OFFICE_NAME", "From the environment")
        monkeypatch.setenv("DUTY_IDLE_LOCK_MINUTES", "9")
    line = {"office_name": "From the command line", "idle_lock_minutes": 11} if on_line else {}
    preview = preview_settings(config, **line)
    full = load_settings(config, **line)
    expected = ("From the command line" if on_line else "From the environment" if in_env
                else "From the file" if in_file else type(full).model_fields["office_name"].default)
    assert preview.office_name == full.office_name == expected
    assert int(preview.idle_lock_minutes) == full.idle_lock_minutes == (11 if on_line else 9 if in_env else 7 if in_file else 5)


def test_a_bad_value_names_where_it_came_from(tmp_path, monkeypatch):
    config = tmp_path / "duty.toml"
    config.write_text("[duty]\nidle_lock_minutes = 0\n")
    with pytest.raises(EnvironmentProblem, match=r"idle_lock_minutes \(config file .*duty.toml\)"):
        load_settings(config)
    monkeypatch.setenv("DUTY_IDLE_LOCK_MINUTES", "0")
    with pytest.raises(EnvironmentProblem, match=r"idle_lock_minutes \(environment DUTY_IDLE_LOCK_MINUTES\)"):
        load_settings(config)
    with pytest.raises(EnvironmentProblem, match=r"idle_lock_minutes \(command line\)"):
        load_settings(config, idle_lock_minutes=0)
