"""`duty-tui lettings application …` (docs/CLI.md): create, qualify, band, show --json, check, status,
review, letter; bad input exits 2 naming the rule, with nothing saved."""

from __future__ import annotations

import json

from builders import seed_office
from sqlalchemy import text

from duty_tui.core.cli import run


def test_application_commands_end_to_end_and_bad_input_exits_2(engine, db_url, capsys):
    seed_office(engine)
    base = ["--db", db_url, "lettings", "application"]
    assert run([*base, "create", "P0000004", "--as", "leader"]) == 2
    assert "pairs children by sex: give f or m for P0000005" in capsys.readouterr().err
    assert run([*base, "create", "P0000004", "--child", "P0000005=x", "--as", "leader"]) == 2
    assert "--child 'P0000005=x'" in capsys.readouterr().err
    assert run([*base, "create", "P0000004", "--child", "P0000005=f", "--current-bedrooms", "1",
                "--income", "18,500", "--json", "--as", "leader"]) == 0
    ref = json.loads(capsys.readouterr().out)["ref"]
    assert run([*base, "qualify", ref, "--residence-years", "6", "--json", "--as", "leader"]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "active"
    assert run([*base, "band", ref, "--band", "C", "--as", "leader"]) == 2
    assert "a band needs its reasons" in capsys.readouterr().err
    assert run([*base, "band", ref, "--band", "C", "--reasons", "Overcrowded: 1 bedroom short", "--json",
                "--as", "leader"]) == 0
    band = json.loads(capsys.readouterr().out)
    assert run([*base, "check", ref, "identity", "received", "--as", "leader"]) == 0
    assert run([*base, "show", "P0000005", "--json", "--as", "reception"]) == 0  # the desk, from a member
    shown = json.loads(capsys.readouterr().out)
    assert (shown["ref"], shown["band"], shown["bedroom_need"], shown["bedrooms_short"], shown["position"],
            shown["of"]) == (ref, "C", 2, 1, 1, 1)
    assert shown["checks"][0]["received_on"] is not None
    assert run([*base, "letter", str(band["decision"]), "--as", "leader"]) == 0
    assert "band C" in capsys.readouterr().out
    assert run([*base, "review", str(band["decision"]), "--as", "leader"]) == 0
    assert run([*base, "status", ref, "suspended", "--as", "leader"]) == 2
    assert "needs its reason" in capsys.readouterr().err
    assert run([*base, "status", ref, "housed", "--reason", "Let 4 Station Road", "--as", "leader"]) == 0
    with engine.connect() as c:
        assert c.execute(text("SELECT status FROM lettings_application")).scalar_one() == "housed"
