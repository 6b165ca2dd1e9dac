"""Verification throughput in one process, against the unavoidable work in the same run.

    python bench/verify_bench.py --url sqlite:////tmp/vbench.db --scale 20000 --n 3000

Builds the demo world once (reused on later runs), then times, over the same random sample of
certificate numbers: (a) the row fetch every verification needs (the certificate by its
normalised number), (b) a full verdict through ``Verifier`` with a market. Prints a table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from accordia import models as m
from accordia.db.engine import make_engine
from accordia.db.migrate import current_revision, upgrade
from accordia.demo.generator import generate
from accordia.reference import load_reference
from accordia.services.verification import Verifier

ROW = select(m.Certificate).where(m.Certificate.number_norm == bindparam("norm"))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--scale", type=int, default=20000)
    ap.add_argument("--n", type=int, default=3000)
    a = ap.parse_args()
    engine = make_engine(a.url)
    with Session(engine) as s:
        fresh = current_revision(engine) is None or not s.execute(select(m.Cab.id).limit(1)).first()
    if fresh:
        upgrade(engine)
        load_reference(engine)
        generate(engine, scale=a.scale, index=False)
    with Session(engine) as s:
        numbers = s.execute(select(m.Certificate.number, m.Certificate.number_norm)).all()
    sample = random.Random(1).sample(numbers, min(a.n, len(numbers)))
    on = dt.date(2026, 6, 1)
    with Session(engine) as s:
        Verifier(s).verify(sample[0][0], market="GB", on=on)  # warm the chain cache
        t = time.perf_counter()
        for _n, norm in sample:
            s.execute(ROW, {"norm": norm}).scalars().first()
        fetch = len(sample) / (time.perf_counter() - t)
        t = time.perf_counter()
        for number, _norm in sample:
            Verifier(s).verify(number, market="GB", on=on)
        verdicts = len(sample) / (time.perf_counter() - t)
    print("| engine | certificates | row fetches/s | verdicts/s | ratio |")
    print("|---|---|---|---|---|")
    print(
        f"| {engine.dialect.name} | {len(numbers)} | {fetch:,.0f} | {verdicts:,.0f} | "
        f"{verdicts / fetch:.2f} |"
    )


if __name__ == "__main__":
    main()
