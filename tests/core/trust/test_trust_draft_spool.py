"""Drafts written while the database is away go to the user's own spool file, for that database only."""

from __future__ import annotations

import stat

from builders import NOW, seed_office

from duty_tui.core.config.settings import Settings
from duty_tui.core.db.engine import make_engine
from duty_tui.core.db.migrate import upgrade
from duty_tui.core.domain.errors import DatabaseUnavailable
from duty_tui.core.services import drafts
from duty_tui.core.services.auth import find_actor
from duty_tui.core.services.context import ServiceContext


def ctx_for(engine) -> ServiceContext:
    ctx = ServiceContext.create(engine, Settings(db_url=str(engine.url)), terminal="desk-1", clock=lambda: NOW)
    return ctx.as_actor(find_actor(ctx, "reception"))


def a_draft(key: str = "k1") -> drafts.DraftIn:
    return drafts.DraftIn(key, "contact", "Contact: P0000001 John Smith", "duty_tui.areas.frontdesk.tui.contact:LogContactScreen",
                          {"person_ref": "P0000001"}, {"notes": "Asked about the arrears letter"}, "P0000001")


def test_a_spooled_draft_reaches_its_own_database_and_no_other(engine, tmp_path, monkeypatch):
    monkeypatch.setenv("DUTY_DRAFT_SPOOL", str(tmp_path / "spool"))
    seed_office(engine)
    other = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    upgrade(other)
    seed_office(other)
    ctx, elsewhere = ctx_for(engine), ctx_for(other)

    def away(*_args, **_kwargs):
        raise DatabaseUnavailable("database is locked by another program")

    with monkeypatch.context() as patch:
        patch.setattr(drafts, "save_draft", away)
        where = drafts.keep(ctx, [a_draft()])
    spooled = tmp_path / "spool"
    [path] = list(spooled.iterdir())
    assert where == str(path) and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(spooled.stat().st_mode) == 0o700

    assert drafts.adopt_spooled(elsewhere) == 0 and drafts.list_drafts(elsewhere) == []
    assert drafts.adopt_spooled(ctx) == 1
    [back] = drafts.list_drafts(ctx)
    assert back.key == "k1" and back.values == {"notes": "Asked about the arrears letter"}
    assert list(spooled.iterdir()) == []
    other.dispose()


def test_a_draft_that_reaches_the_database_or_is_saved_leaves_the_spool(engine, tmp_path, monkeypatch):
    monkeypatch.setenv("DUTY_DRAFT_SPOOL", str(tmp_path / "spool"))
    seed_office(engine)
    ctx = ctx_for(engine)
    drafts.spool(ctx, [a_draft("k1"), a_draft("k2")])
    assert drafts.keep(ctx, [a_draft("k1")]) == "database"  # the database is back: k1 is kept there now
    drafts.delete_draft(ctx, "k2")  # k2's form was saved while the database was away
    assert list((tmp_path / "spool").iterdir()) == []
    assert drafts.adopt_spooled(ctx) == 0
    assert [d.key for d in drafts.list_drafts(ctx)] == ["k1"]
