"""Trust features' cost: the every-few-seconds draft of an open form, and writing it.

Run:  .venv/bin/python bench/bench_trust.py [--db PATH] [-n N]

1. Draft snapshot on the UI thread: ``DraftKeeper.pending()`` on a filled contact form
   (caller chosen, two reasons, a 4,000-character note), beside the baseline of drawing
   that same screen once (the compositor rendering every line at 80x24). The snapshot runs
   every 3 s; it must cost a small fraction of one frame.
2. Writing the draft (``services.drafts.save_draft``, in a worker), beside the baseline of
   saving the contact itself (``services.contacts.log_contact``), on a copy of --db
   (default /work/council.db, else a fresh ``small`` demo).

Medians and p95 from one run; ratios to the baseline. Nothing here is asserted in a test.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from duty_tui.core.config.settings import Settings  # noqa: E402
from duty_tui.core.db.engine import make_engine  # noqa: E402
from duty_tui.core.db.migrate import upgrade  # noqa: E402
from duty_tui.core.services.auth import find_actor  # noqa: E402
from duty_tui.core.services.context import ServiceContext  # noqa: E402

COUNCIL = Path("/work/council.db")


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1))]


def line(name: str, values: list[float], base: list[float] | None = None) -> str:
    text = f"{name:<44} median {statistics.median(values) * 1000:8.3f} ms   p95 {pct(values, 95) * 1000:8.3f} ms"
    if base:
        text += f"   ratio {statistics.median(values) / statistics.median(base):6.3f}x"
    return text


def database(path: str | None, workdir: Path) -> str:
    source = Path(path) if path else COUNCIL
    target = workdir / "bench.db"
    if source.exists():
        shutil.copyfile(source, target)
        url = f"sqlite:///{target}"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        return url
    from duty_tui.core.demo.generator import generate

    url = f"sqlite:///{target}"
    engine = make_engine(url)
    upgrade(engine)
    from datetime import date

    generate(engine, size="small", seed=1, today=date.today(), office_name="Bench office")
    engine.dispose()
    return url


async def snapshot_cost(ctx: ServiceContext, settings: Settings, rounds: int) -> tuple[list[float], list[float]]:
    from duty_tui.areas.frontdesk.tui.contact import LogContactScreen
    from duty_tui.core.tui.app import make_app

    app = make_app(settings, ctx=ctx, demo=False)
    snaps: list[float] = []
    draws: list[float] = []
    async with app.run_test(size=(80, 24)) as pilot:
        app.signed_in(ctx.actor)
        await pilot.pause()
        app.push_screen(LogContactScreen(person_ref=None))
        await pilot.pause()
        await app.workers.wait_for_complete()
        screen = app.screen
        screen._add_reason("rent.payment")
        screen._add_reason("repair.report") if any(r.code == "repair.report" for r in screen.form.reasons) else None
        from textual.widgets import TextArea

        screen.query_one("#notes", TextArea).text = ("Tenant says the boiler has failed again. " * 100)[:4000]
        await pilot.pause()
        for i in range(rounds):
            screen.query_one("#notes", TextArea).text += str(i % 10)  # a change each time: a real snapshot
            started = time.perf_counter()
            app.drafts.pending()
            snaps.append(time.perf_counter() - started)
            started = time.perf_counter()
            screen._compositor.render_strips()
            draws.append(time.perf_counter() - started)
    return snaps, draws


def write_cost(ctx: ServiceContext, rounds: int) -> tuple[list[float], list[float]]:
    from duty_tui.areas.frontdesk.services.contact_draft import ContactDraft
    from duty_tui.areas.frontdesk.services.contacts import log_contact
    from duty_tui.core.services.drafts import DraftIn, save_draft

    note = ("Tenant says the boiler has failed again. " * 100)[:4000]
    values = {"notes": note, "_reasons": ["rent.payment"], "channel": "phone", "outcome": "resolved"}
    writes: list[float] = []
    saves: list[float] = []
    key = uuid.uuid4().hex
    for i in range(rounds):
        started = time.perf_counter()
        save_draft(ctx, DraftIn(key, "contact", "Contact: bench", "duty_tui.areas.frontdesk.tui.contact:LogContactScreen",
                                {"person_ref": None}, dict(values, n=i)))
        writes.append(time.perf_counter() - started)
        started = time.perf_counter()
        log_contact(ctx, ContactDraft(channel="phone", reasons=("rent.payment",), outcome="resolved", notes=note,
                                      anonymous=True, save_key=uuid.uuid4().hex))
        saves.append(time.perf_counter() - started)
    return writes, saves


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db")
    parser.add_argument("-n", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = database(args.db, Path(tmp))
        settings = Settings(db_url=url)
        engine = make_engine(url)
        ctx = ServiceContext.create(engine, settings, terminal="bench")
        ctx = ctx.as_actor(find_actor(ctx, "reception"))
        snaps, draws = asyncio.run(snapshot_cost(ctx, settings, args.n))
        writes, saves = write_cost(ctx, args.n)
        print(f"database: {url} ({args.n} rounds)")
        print(line("draw the contact screen (baseline)", draws))
        print(line("draft snapshot of the contact form", snaps, draws))
        print(line("save the contact (baseline)", saves))
        print(line("write its draft", writes, saves))
        engine.dispose()


if __name__ == "__main__":
    main()
