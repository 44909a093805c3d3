"""Regenerate docs/screenshot.svg: the person view of the demo office at 80x24, saved by Textual.

    .venv/bin/python docs/screenshot.py
"""

from __future__ import annotations

import asyncio
import tempfile
from datetime import date
from pathlib import Path

OUT = Path(__file__).resolve().parent / "screenshot.svg"


async def main() -> None:
    from duty_tui.core.config.settings import Settings
    from duty_tui.core.db.engine import make_engine
    from duty_tui.core.db.migrate import upgrade
    from duty_tui.core.demo import generator
    from duty_tui.core.tui.app import make_app

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/demo.db"
        engine = make_engine(url)
        upgrade(engine)
        generator.generate(engine, size="small", seed=0, today=date(2026, 11, 23),
                           office_name="Riverside Housing Options", jurisdiction="england")
        settings = Settings(db_url=url, office_name="Riverside Housing Options")
        app = make_app(settings, engine=engine, demo=True)

        def keys(text: str) -> list[str]:
            return ["space" if c == " " else c for c in text]

        async with app.run_test(size=(80, 24)) as pilot:
            async def settle() -> None:
                await pilot.pause()
                await app.workers.wait_for_complete()
                await pilot.pause()

            await settle()
            await pilot.press(*keys("leader"), "enter", *keys("demo"), "enter")
            await settle()
            await pilot.press("f2", *keys("jon smtih"))
            await pilot.pause(0.3)
            await settle()
            await pilot.press("down", "down", "enter")
            await settle()
            app.save_screenshot(filename=OUT.name, path=str(OUT.parent))
        engine.dispose()
    print(f"wrote {OUT}")


if __name__ == "__main__":
    asyncio.run(main())
