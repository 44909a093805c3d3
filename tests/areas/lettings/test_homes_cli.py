"""`duty-tui lettings void|cycle|advert|bid|shortlist|offer|signup` (docs/CLI.md): a home let from
the command line, end to end, and bad input exiting 2 with the rule named."""

from __future__ import annotations

import json
from datetime import timedelta

from areas.lettings.homes_builders import add_application, rows
from builders import seed_office

from duty_tui.core.cli import run
from duty_tui.core.domain.local_time import local_date


def test_a_home_let_from_the_command_line_and_refusals_exit_2(engine, db_url, capsys, tmp_path):
    from datetime import UTC, datetime

    seed_office(engine)
    today = local_date(datetime.now(UTC))
    add_application(engine, "LA000001", band="A")
    add_application(engine, "LA000002", band="B")
    base, as_lead = ["--db", db_url, "lettings"], ["--as", "leader"]
    ended = (today - timedelta(days=30)).isoformat()
    assert run([*base, "void", "record", "PR000002", "--ended", ended, "--floor", "2", "--lift", *as_lead]) == 0
    void_id = capsys.readouterr().out.strip()
    assert rows(engine, "SELECT floor, has_lift FROM lettings_property") == [(2, True)]
    assert run([*base, "void", "list", "--json", *as_lead]) == 0
    assert json.loads(capsys.readouterr().out)[0]["days_void"] == 30
    assert run([*base, "cycle", "open", "W1", "--opens", today.isoformat(), "--closes",
                (today + timedelta(days=6)).isoformat(), "--limit", "2", *as_lead]) == 0
    assert run([*base, "advert", "create", void_id, "--bedrooms", "1-1", "--cycle", "W1", *as_lead]) == 0
    advert = capsys.readouterr().out.strip()
    assert run([*base, "advert", "create", void_id, "--bedrooms", "two", "--cycle", "W1", *as_lead]) == 2
    assert "MIN-MAX" in capsys.readouterr().err
    for app in ("LA000002", "LA000001"):
        assert run([*base, "bid", "place", advert, app, *as_lead]) == 0
    assert run([*base, "bid", "place", advert, "LA000001", *as_lead]) == 2
    assert "one bid per advert" in capsys.readouterr().err
    assert run([*base, "shortlist", advert, "--json", *as_lead]) == 0
    assert [r["application_ref"] for r in json.loads(capsys.readouterr().out)] == ["LA000001", "LA000002"]
    assert run([*base, "offer", "checks", advert, "LA000001", "--json", *as_lead]) == 0
    assert json.loads(capsys.readouterr().out)["affordable"] is True     # £95.00 of £384.61 a week
    assert run([*base, "offer", "make", advert, *as_lead]) == 0
    offer = capsys.readouterr().out.strip()
    assert run([*base, "offer", "make", advert, "--to", "LA000002", *as_lead]) == 2
    assert "one live offer per home" in capsys.readouterr().err
    assert run([*base, "offer", "refuse", offer, "--reason", "too small", "--reasonable", *as_lead]) == 0
    assert run([*base, "offer", "make", advert, *as_lead]) == 0
    second = capsys.readouterr().out.strip()
    assert rows(engine, "SELECT l.ref FROM lettings_offer o JOIN lettings_application l ON l.id = o.application_id "
                        "WHERE o.ref = :r", r=second) == [("LA000002",)]
    assert run([*base, "offer", "viewing", second, "--at", f"{today.isoformat()} 14:00", *as_lead]) == 0
    assert run([*base, "offer", "accept", second, *as_lead]) == 0
    assert run([*base, "signup", "complete", second, "--start", today.isoformat(), "--json", *as_lead]) == 0
    done = json.loads(capsys.readouterr().out)
    assert done["relet_days"] == 30 and done["account_ref"].startswith("RNT")
    assert run([*base, "signup", "pack", second, "--out", str(tmp_path / "pack.pdf"), *as_lead]) == 0
    assert (tmp_path / "pack.pdf").read_bytes().startswith(b"%PDF")
    assert run([*base, "void", "list", "--as", "reception"]) == 2
