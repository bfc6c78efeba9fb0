"""Conditional sampling: ``DiffusionSampler.sample(conditions=...)`` against the real rows
that meet the same conditions.

For each table (``bench_tables.py``'s loaders; ``diamonds`` of its tuning group, ``cpssw8``
of its held-out one), ``DiffusionSampler`` at its defaults is fitted on 5,000 rows drawn
at random; the other rows are the holdout. For each condition, from common to rarer than
1% of the rows, it draws as many rows as the holdout has matching ones (at most 2,000)
and reports:

* ``freq``: the condition's frequency in the table; ``n``: rows compared;
* ``met``: the fraction of sampled rows that meet the condition (1 is the contract);
* ``c2st``: :func:`skae.metrics.c2st_score` of the conditional rows against the matching
  holdout rows (0.5 is ideal), beside the unconditional sample's against the holdout;
* ``c2st_rejection``: the same for the rows of a 50,000-row unconditional sample that
  meet the condition (the model's own conditional, what rejection sampling would give;
  on as many rows as were accepted, when fewer);
* ``s_per_1000``: seconds per 1,000 conditional rows.

``--resampling``: how many passes per step of the flow (``CONDITIONAL_RESAMPLES``) the
inpainting needs, on ``diamonds``: the C2ST against 3,000 holdout rows of 3,000 rows
sampled with a range that covers the whole ``carat`` column (no condition at all, so they
should score as an unconditional sample does), for several passes and steps.

Run:  python benchmarks/bench_conditional.py [--tables diamonds cpssw8] [--seed 0]
      python benchmarks/bench_conditional.py --resampling
Needs ``pip install -e ".[bench]"``.
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch

sys.path.insert(0, str(Path(__file__).parent))
import bench_tables  # noqa: E402

import skae._diffusion  # noqa: E402
from skae import DiffusionSampler  # noqa: E402
from skae.metrics import c2st_score  # noqa: E402

MAX_ROWS = 2000
POOL = 50_000

#: table: conditions, common to rare.
CONDITIONS = {
    "diamonds": [
        {"cut": "Ideal"},
        {"carat": (1.0, 1.5)},
        {"clarity": "I1"},
        {"carat": (2.5, None)},
        {"cut": "Fair", "color": "J"},
    ],
    "cpssw8": [
        {"region": "South"},
        {"age": (30, 40)},
        {"education": 8},
        {"age": 64},
        {"gender": "female", "region": "West", "age": (60, None)},
    ],
}


def meets(frame, conditions):
    """A mask of the rows of ``frame`` that meet ``conditions``."""
    mask = np.ones(len(frame), dtype=bool)
    for column, value in conditions.items():
        if isinstance(value, tuple):
            low, high = (-np.inf if value[0] is None else value[0]), value[1]
            mask &= frame[column].between(low, np.inf if high is None else high).to_numpy()
        else:
            mask &= (frame[column] == value).to_numpy()
    return mask


def c2st(real, synthetic, seed):
    n = min(len(real), len(synthetic))
    pick = lambda frame: frame.sample(n, random_state=seed)  # noqa: E731
    return c2st_score(pick(real), pick(synthetic), random_state=seed)


def resampling(seed):
    frame = bench_tables.TABLES["diamonds"][0]()
    order = np.random.RandomState(seed).permutation(len(frame))
    train = frame.iloc[order[: bench_tables.N_TRAIN]]
    holdout = frame.iloc[order[bench_tables.N_TRAIN :]].sample(3000, random_state=seed)
    model = DiffusionSampler(random_state=seed).fit(train)
    plain = model.sample(3000, random_state=seed + 3)
    print(f"unconditional: c2st {c2st_score(holdout, plain, random_state=seed):.3f}")
    default = skae._diffusion.CONDITIONAL_RESAMPLES
    for passes, steps in [(1, 10), (5, 10), (10, 10), (20, 10), (5, 25)]:
        skae._diffusion.CONDITIONAL_RESAMPLES = passes
        model.set_params(n_steps=steps)
        rows = model.sample(3000, random_state=seed + 3, conditions={"carat": (None, None)})
        score = c2st_score(holdout, rows, random_state=seed)
        print(f"{passes:2d} passes, {steps} steps: c2st {score:.3f}")
    skae._diffusion.CONDITIONAL_RESAMPLES = default


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", nargs="+", default=list(CONDITIONS), choices=list(CONDITIONS))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--resampling", action="store_true", help="passes per step, diamonds")
    args = parser.parse_args()
    torch.set_num_threads(1)
    if args.resampling:
        return resampling(args.seed)
    pd.set_option("display.width", 200)
    for table in args.tables:
        frame = bench_tables.TABLES[table][0]()
        order = np.random.RandomState(args.seed).permutation(len(frame))
        train = frame.iloc[order[: bench_tables.N_TRAIN]]
        holdout = frame.iloc[order[bench_tables.N_TRAIN :]]
        start = time.perf_counter()
        model = DiffusionSampler(random_state=args.seed).fit(train)
        fit_seconds = time.perf_counter() - start
        pool = model.sample(POOL, random_state=args.seed + 1)
        unconditional = c2st(holdout, pool.iloc[:MAX_ROWS], args.seed)
        rows = []
        for conditions in CONDITIONS[table]:
            real = holdout[meets(holdout, conditions)]
            n = min(MAX_ROWS, len(real))
            start = time.perf_counter()
            samples = model.sample(n, random_state=args.seed + 2, conditions=conditions)
            seconds = time.perf_counter() - start
            accepted = pool[meets(pool, conditions)]
            rows.append(
                dict(
                    conditions=str(conditions),
                    freq=meets(frame, conditions).mean(),
                    n=n,
                    met=meets(samples, conditions).mean(),
                    c2st=c2st(real, samples, args.seed),
                    c2st_rejection=c2st(real, accepted, args.seed) if len(accepted) else np.nan,
                    accepted=len(accepted),
                    s_per_1000=1000 * seconds / n,
                )
            )
        print(f"\n{table}: fit {fit_seconds:.0f} s; unconditional c2st {unconditional:.3f}")
        print(pd.DataFrame(rows).round(3).to_string(index=False))


if __name__ == "__main__":
    main()
