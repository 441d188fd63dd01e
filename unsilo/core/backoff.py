"""How long to wait before trying again: exponential, capped and jittered, for every queue
that retries (the outbound deliveries, the outbox of emails)."""

import random

_jitter = random.Random()


def backoff(attempts: int, base: float, ceiling: float, rng: random.Random = _jitter) -> float:
    """Seconds to wait after the `attempts`-th failed attempt: base × 2^(attempts−1), at most
    `ceiling`, then half to all of it, so many things that failed together do not retry
    together."""
    top = min(ceiling, base * 2 ** max(0, attempts - 1))
    return top * (0.5 + rng.random() / 2)
