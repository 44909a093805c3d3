"""Start-up: `duty-tui` to its first usable screen vs a bare Textual app with the same widgets.

Both run headless as fresh processes, alternately, in the same run; each prints
`READY <epoch seconds>` the moment its first screen has been drawn and focused,
and the time from spawning the process to that line is what counts. Reports
medians and the ratio (target: at most 1.5x). Also reports peak RSS of each.

    .venv/bin/python bench/bench_startup.py --db sqlite:////work/council.db [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def time_to_ready(command: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Seconds from spawn to READY, and the child's peak RSS in KB."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.time()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    ready_lines = [line for line in done.stderr.splitlines() if line.startswith("READY ")]
    if done.returncode != 0 or not ready_lines:
        raise SystemExit(f"{command} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return float(ready_lines[0].split()[1]) - started, max(rss, before)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="database URL (the council demo database)")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    env = {**os.environ, "DUTY_BENCH_EXIT_WHEN_READY": "1", "DUTY_CONFIG": "/nonexistent/duty.toml"}
    python = sys.executable
    ours = [python, "-m", "duty_tui", "--db", args.db]
    bare = [python, str(ROOT / "bench" / "baseline_app.py")]
    time_to_ready(ours, env), time_to_ready(bare, env)  # warm the OS file cache for both
    ours_times, bare_times = [], []
    for _ in range(args.runs):
        ours_times.append(time_to_ready(ours, env)[0])
        bare_times.append(time_to_ready(bare, env)[0])
    med_ours, med_bare = statistics.median(ours_times), statistics.median(bare_times)
    print(f"duty-tui first screen: median {med_ours * 1000:.0f} ms (min {min(ours_times) * 1000:.0f})")
    print(f"bare Textual app:      median {med_bare * 1000:.0f} ms (min {min(bare_times) * 1000:.0f})")
    print(f"ratio (medians): {med_ours / med_bare:.2f}x  over {args.runs} alternating runs; target <= 1.5x")


if __name__ == "__main__":
    main()
