"""Two tplus.gym.MarketEnv episodes on two threads against the same two one
after the other: what releasing the GIL during a step buys. Each round
runs both ways (random policy, fixed seeds, `--steps` steps each); the
median of the rounds' ratios is printed with the range.

    python python/benches/gym_threads.py [scenario.toml] [--rounds 5] [--steps 3000] [--days 2]
"""

import argparse
import statistics
import threading
import time
from pathlib import Path

import numpy as np

import tplus
import tplus.gym

ROOT = Path(__file__).resolve().parents[2]


def episode(scenario: tplus.Scenario, seed: int, steps: int) -> None:
    env = tplus.gym.MarketEnv(scenario)
    env.reset(seed=seed)
    rng = np.random.default_rng(seed)
    for _ in range(steps):
        if env.step(rng.integers(env.action_space.nvec))[2]:
            break


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("scenario", nargs="?", default=str(ROOT / "scenarios" / "baseline.toml"))
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--days", type=int, default=2)
    args = ap.parse_args()
    s = tplus.Scenario.from_file(args.scenario).with_params({"simulation.days": args.days})
    ratios = []
    for r in range(args.rounds):
        start = time.perf_counter()
        episode(s, 1, args.steps)
        episode(s, 2, args.steps)
        one_after_other = time.perf_counter() - start
        threads = [threading.Thread(target=episode, args=(s, k, args.steps)) for k in (1, 2)]
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        together = time.perf_counter() - start
        ratios.append(one_after_other / together)
        print(f"round {r + 1}: one after the other {one_after_other:.2f} s, two threads {together:.2f} s, "
              f"{ratios[-1]:.2f}x", flush=True)
    print(f"median {statistics.median(ratios):.2f}x ({min(ratios):.2f}-{max(ratios):.2f}) over {args.rounds} rounds")


if __name__ == "__main__":
    main()
