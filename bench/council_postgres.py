"""A council-scale demo office in a throwaway PostgreSQL server, for the rents benches' ``--postgres``.

    with council_postgres() as url: ...
    .venv/bin/python bench/council_postgres.py [--week 2026-11-23] [--to 2026-11-29] [--runs 3]

As a script: builds the council demo in PostgreSQL once, then runs bench_rents_reconciliation (reads) and
bench_rent_debit (posts a week) against it.

Starts a server as the unprivileged ``postgres`` user (tests/conftest.py ``running_postgres``, as
bench_payments does), creates a database, builds ``duty-tui demo --size council`` (seed 0) in it with the
command line, yields its URL, and stops the server and deletes its files on exit. Building the demo takes
minutes; the time is printed.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def council_postgres(size: str = "council") -> Iterator[str]:
    """A PostgreSQL URL holding the demo office of ``size``; the server lives for the ``with`` block."""
    sys.path.insert(0, str(ROOT / "tests"))
    from conftest import find_pg_ctl, running_postgres

    pg_ctl = find_pg_ctl()
    if pg_ctl is None:
        raise SystemExit("PostgreSQL server binaries not found (set DUTY_PG_CTL to a pg_ctl)")
    with running_postgres(pg_ctl) as server:
        server.create_database("council")
        url = server.url("council")
        started = time.perf_counter()
        subprocess.run([str(Path(sys.executable).parent / "duty-tui"), "demo", "--size", size, "--db", url, "--no-tui"],
                       check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        print(f"postgresql: demo --size {size} built in {time.perf_counter() - started:.0f} s", flush=True)
        yield url


def main() -> None:
    import argparse

    sys.path.insert(0, str(ROOT / "bench"))
    import bench_rent_debit
    import bench_rents_reconciliation

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--week", default=None)
    parser.add_argument("--to", default="2026-11-29")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with council_postgres() as url:
        args.db = url
        bench_rents_reconciliation.run(args)
        bench_rent_debit.run(args)


if __name__ == "__main__":
    main()
