"""Steps per second of tplus.gym.MarketEnv under a random policy: whole
episodes (reset excluded from the timing, each episode timed on its own),
the median over the episodes printed with the range.

    python python/benches/gym_steps.py [scenario.toml] [--episodes 5] [--step-seconds 10]
"""

import argparse
import statistics
import time
from pathlib import Path

import numpy as np

import tplus.gym

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("scenario", nargs="?", default=str(ROOT / "scenarios" / "baseline.toml"))
    ap.add_argument("--episodes", type=int, default=5)
    ap.add_argument("--step-seconds", type=float, default=10.0)
    ap.add_argument("--days", type=int, default=None)
    ap.add_argument("--hold", action="store_true", help="hold at every step instead of random actions")
    args = ap.parse_args()
    env = tplus.gym.MarketEnv(args.scenario, step_seconds=args.step_seconds, days=args.days)
    rng = np.random.default_rng(0)
    rates = []
    for k in range(args.episodes):
        env.reset(seed=k)
        n = 100_000
        actions = np.zeros((n, 3), dtype=np.int64) if args.hold else rng.integers(env.action_space.nvec, size=(n, 3))
        steps, done = 0, False
        start = time.perf_counter()
        while not done:
            done = env.step(actions[steps % n])[2]
            steps += 1
        wall = time.perf_counter() - start
        rates.append(steps / wall)
        print(f"episode {k}: {steps} steps in {wall:.3f} s = {steps / wall:,.0f} steps/s")
    print(
        f"median {statistics.median(rates):,.0f} steps/s over {len(rates)} episodes "
        f"(range {min(rates):,.0f}-{max(rates):,.0f}); step {args.step_seconds:g} s, {Path(args.scenario).name}"
    )


if __name__ == "__main__":
    main()
