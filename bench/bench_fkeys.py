"""F-key speed: the time from pressing each area's F-key to its screen being usable, against F2.

"Usable": the area's screen (or the dialog it opens first, F6's applicant picker) is on top,
something on it has focus, and none of its workers is still loading. Each F-key is pressed
20 times from the dashboard (F3 between), in one run, headless at 80x24 (Pilot drives the
real app; key handling and drawing are the app's own).

Run:  .venv/bin/python bench/bench_fkeys.py [--db PATH] [--rounds 20] [--profile f6]

The database is a copy of --db, else a fresh ``small`` demo office. ``--profile f6`` writes
a pyinstrument report of one F6 press to stdout (pip install pyinstrument).
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

KEYS = ("f2", "f4", "f5", "f6", "f7", "f8")
NAMES = {"f2": "search", "f4": "log contact", "f5": "take payment", "f6": "approach (triage)",
         "f7": "queues", "f8": "callers"}


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1))]


def database(path: str | None, workdir: Path) -> str:
    target = workdir / "bench.db"
    if path:
        shutil.copy(path, target)
    else:
        subprocess.run([sys.executable, "-m", "duty_tui", "demo", "--size", "small", "--no-tui",
                        "--db", f"sqlite:///{target}"], check=True, stdout=subprocess.DEVNULL)
    return f"sqlite:///{target}"


def usable(app) -> bool:
    from duty_tui.core.tui.screens.home import HomeScreen

    screen = app.screen
    if isinstance(screen, HomeScreen) or not screen.is_mounted or screen.focused is None:
        return False
    return not any(worker.is_running and worker.node is screen for worker in app.workers)


async def wait_until(pilot, condition, limit: float = 30.0) -> None:
    start = time.perf_counter()
    while not condition():
        await pilot.pause(0)
        if time.perf_counter() - start > limit:
            raise TimeoutError(f"the screen never became usable: {[type(s).__name__ for s in pilot.app.screen_stack]}")


async def run(db_url: str, rounds: int, profile: str | None) -> dict[str, list[float]]:
    from duty_tui.core.config.settings import Settings
    from duty_tui.core.db.engine import make_engine
    from duty_tui.core.services.auth import find_actor
    from duty_tui.core.tui.app import make_app
    from duty_tui.core.tui.screens.home import HomeScreen

    settings = Settings(db_url=db_url)
    app = make_app(settings, engine=make_engine(db_url, create=False), demo=True)
    times: dict[str, list[float]] = {key: [] for key in KEYS}
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.signed_in(find_actor(app.ctx, "leader"))
        await wait_until(pilot, lambda: isinstance(app.screen, HomeScreen) and not any(w.is_running for w in app.workers))
        for key in KEYS:  # once each first: imports and caches warm, as after a few minutes at the desk
            await pilot.press(key)
            await wait_until(pilot, lambda: usable(app))
            await pilot.press("f3")
            await wait_until(pilot, lambda: isinstance(app.screen, HomeScreen))
        if profile:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0005, async_mode="enabled")
            profiler.start()
            await pilot.press(profile)
            await wait_until(pilot, lambda: usable(app))
            profiler.stop()
            print(profiler.output_text(unicode=True, color=False, show_all=True, timeline=False))
            return times
        for _ in range(rounds):
            for key in KEYS:
                start = time.perf_counter()
                await pilot.press(key)
                await wait_until(pilot, lambda: usable(app))
                times[key].append(time.perf_counter() - start)
                await pilot.press("f3")
                await wait_until(pilot, lambda: isinstance(app.screen, HomeScreen))
                await app.workers.wait_for_complete()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="an SQLite demo database to copy (default: a fresh small demo)")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--profile", choices=KEYS, help="profile one press of this key instead")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        times = asyncio.run(run(database(args.db, Path(tmp)), args.rounds, args.profile))
    if args.profile:
        return
    base = statistics.median(times["f2"])
    print(f"F-key to usable screen, {args.rounds} presses each, 80x24 headless (median / p95; ratio to F2's median)")
    for key in KEYS:
        values = times[key]
        median = statistics.median(values)
        print(f"  {key.upper():<4} {NAMES[key]:<20} median {median * 1000:7.1f} ms  p95 {pct(values, 95) * 1000:7.1f} ms"
              f"  ×{median / base:4.2f}")


if __name__ == "__main__":
    main()
