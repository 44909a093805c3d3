"""Benchmark `triage assess` on 100,000 approaches in one JSON array (a script, not a test).

Runs the real command in a subprocess (parse + assess + write, interpreter start-up
included), three times, and a baseline that only loads and dumps the same JSON, in the
same run so the ratio is meaningful on any machine. Prints a markdown snippet.

    .venv/bin/python bench/bench_triage.py [--items N] [--runs R] [--seed S]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from duty_tui.areas.housing_options.domain.homelessness import PRIORITY_NEED_GROUNDS  # noqa: E402

TARGET_SECONDS = 10.0


def make_approaches(count: int, seed: int) -> list[dict]:
    """Varied, valid approaches: every status, both jurisdictions, relief running and ended."""
    rnd = random.Random(seed)
    first = date(2025, 1, 1)
    items = []
    for _ in range(count):
        start = first + timedelta(days=rnd.randrange(730))
        obj: dict = {"approach_date": start.isoformat()}
        if rnd.random() < 0.7:
            obj["as_of"] = (start + timedelta(days=rnd.choice((0, 10, 55, 56, 90, 200)))).isoformat()
        if rnd.random() < 0.15:
            obj["jurisdiction"] = "scotland"
        obj["eligible"] = rnd.choice((True, True, True, False, None))
        obj["homeless"] = rnd.choice((True, True, False, None))
        if rnd.random() < 0.1:
            obj["rough_sleeping"] = True
        if rnd.random() < 0.08:
            obj["domestic_abuse_risk_at_home"] = True
        if rnd.random() < 0.3:
            obj["loss_date"] = (start + timedelta(days=rnd.randrange(1, 120))).isoformat()
        if rnd.random() < 0.2:
            obj["s21_expiry"] = (start + timedelta(days=rnd.randrange(-30, 100))).isoformat()
        roll = rnd.random()
        if roll < 0.3:
            obj["priority_need"] = None
        elif roll < 0.5:
            obj["priority_need"] = []
        else:
            obj["priority_need"] = rnd.sample(PRIORITY_NEED_GROUNDS, rnd.choice((1, 1, 2)))
        obj["intentional"] = rnd.choice((True, False, False, None))
        obj["local_connection"] = rnd.choice(("here", "here", "elsewhere", "none", None))
        if rnd.random() < 0.05:
            obj["da_risk_in_connected_area"] = True
        if rnd.random() < 0.05:
            obj["relief_start"] = (start - timedelta(days=rnd.randrange(1, 60))).isoformat()
        items.append(obj)
    return items


def time_command(command: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        done = subprocess.run(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
        times.append(time.perf_counter() - began)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(command)} exited {done.returncode}: {done.stderr.decode()[:500]}")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    python = sys.executable
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "approaches.json"
        path.write_text(json.dumps(make_approaches(args.items, args.seed)), encoding="utf-8")
        size_mb = path.stat().st_size / 1e6

        module_cmd = [python, "-m", "duty_tui.areas.housing_options.cli", "assess", str(path)]
        # One checked run first: the output is a JSON array of the same length, and the
        # statuses are spread (the bench is not timing one easy path).
        check = subprocess.run(module_cmd, cwd=REPO, capture_output=True, check=False)
        if check.returncode != 0:
            raise SystemExit(f"triage assess failed: {check.stderr.decode()[:500]}")
        out = json.loads(check.stdout)
        assert len(out) == args.items
        statuses: dict[str, int] = {}
        for item in out:
            statuses[item["status"]] = statuses.get(item["status"], 0) + 1
        out_mb = len(check.stdout) / 1e6
        del out, check

        rows = [("`python -m duty_tui.areas.housing_options.cli assess FILE`", time_command(module_cmd, args.runs))]
        cli = shutil.which("duty-tui", path=str(Path(python).parent))
        if cli:
            rows.append(("`duty-tui triage assess FILE`", time_command([cli, "triage", "assess", str(path)], args.runs)))
        baseline_cmd = [python, "-c", "import json,sys; json.dump(json.load(open(sys.argv[1])), sys.stdout)", str(path)]
        baseline = time_command(baseline_cmd, args.runs)

    base = statistics.median(baseline)
    print(f"### `triage assess`: {args.items:,} approaches in one array\n")
    print(f"Input {size_mb:.1f} MB, output {out_mb:.1f} MB (indent 2, with reasons); "
          f"median of {args.runs} runs, subprocess wall time including interpreter start-up.")
    print("Statuses: " + ", ".join(f"{k} {v:,}" for k, v in sorted(statuses.items())) + "\n")
    print("| command | median s | items/s | × baseline | target < 10 s |")
    print("|---|---:|---:|---:|---|")
    for label, times in rows:
        med = statistics.median(times)
        verdict = "yes" if med < TARGET_SECONDS else "**no**"
        print(f"| {label} | {med:.2f} | {args.items / med:,.0f} | {med / base:.1f} | {verdict} |")
    print(f"| baseline: `json.load` + `json.dump` of the input | {base:.2f} | {args.items / base:,.0f} | 1.0 | |")
    print("\nRuns (s): " + "; ".join(f"{label.split('`')[1].split()[0]} {', '.join(f'{t:.2f}' for t in times)}"
                                    for label, times in rows + [("`baseline`", baseline)]))
    print(f"Python {sys.version.split()[0]} on {sys.platform}. The baseline is `json.dump` to a stream, "
          "which goes through the pure-Python encoder: a like-for-like floor, not C speed.")


if __name__ == "__main__":
    main()
