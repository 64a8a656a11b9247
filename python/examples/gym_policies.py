"""Two policies for one episode each in tplus.gym.MarketEnv: uniformly random
actions, and a simple rule (buy a few lots below NAV early in the week,
offer them a little above NAV once T+1 lets it sell). Trains nothing; prints
each policy's total reward and what its orders came to.

    python python/examples/gym_policies.py [scenario.toml] [--days N]
"""

import argparse
from pathlib import Path

import numpy as np

import tplus
import tplus.gym

ROOT = Path(__file__).resolve().parents[2]
OBS = {name: i for i, name in enumerate(tplus.gym.OBSERVATION)}


def rule(env: tplus.gym.MarketEnv, obs: np.ndarray) -> list[int]:
    """Bid 2 ticks under NAV for 5 lots while holding under 60 lots; offer
    what may be sold 2 ticks over NAV; otherwise hold."""
    sizes, offsets = env.sizes, env.price_offsets
    if obs[OBS["sellable"]] >= 5 and obs[OBS["own_ask_lots"]] == 0:
        return [2, sizes.index(5), offsets.index(2)]
    if obs[OBS["held"]] < 60 and obs[OBS["own_bid_lots"]] == 0:
        return [1, sizes.index(5), offsets.index(-2)]
    return [0, 0, 0]


def episode(env: tplus.gym.MarketEnv, policy, seed: int) -> float:
    obs, _ = env.reset(seed=seed)
    total, done, truncated = 0.0, False, False
    while not (done or truncated):
        obs, reward, done, truncated, _ = env.step(policy(obs))
        total += reward
    return total


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("scenario", nargs="?", default=str(ROOT / "scenarios" / "baseline.toml"))
    ap.add_argument("--days", type=int, default=None)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    env = tplus.gym.MarketEnv(args.scenario, days=args.days)
    rng = np.random.default_rng(args.seed)
    policies = {
        "random": lambda obs: rng.integers(env.action_space.nvec),
        "rule": lambda obs: rule(env, obs),
    }
    for name, policy in policies.items():
        total = episode(env, policy, args.seed)
        t = env.tally()
        print(
            f"{name:>6}: reward {total:+.2f} over {env.sim.days} day(s); orders {t['orders']}, "
            f"refused {t['rejected']}, bought {t['lots_bought']} lots, sold {t['lots_sold']} lots"
        )


if __name__ == "__main__":
    main()
