"""Named random streams derived from one seed (common random numbers)."""

from __future__ import annotations

import zlib

import numpy as np


def _name_key(name: str) -> int:
    """Stable 32-bit key of a stream name (independent of Python's hash seed)."""
    return zlib.crc32(name.encode("utf-8"))


class Streams:
    """The random streams of one run: every stochastic decision draws from its own.

    A stream is identified by a name (``"transmission.household"``) and, for daily
    draws, by the day. Each (seed, name, day) triple gets an independent generator, so
    switching a policy on or off does not shift the draws of unrelated processes or of
    other days (common random numbers across paired scenarios).

    Args:
        seed: The run's master seed (non-negative integer).
    """

    def __init__(self, seed: int) -> None:
        if seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed}")
        self.seed = int(seed)

    def get(self, name: str) -> np.random.Generator:
        """Return the generator of a one-off stream (population synthesis, calibration)."""
        return np.random.Generator(
            np.random.PCG64(np.random.SeedSequence([self.seed, _name_key(name)]))
        )

    def day(self, name: str, day: int) -> np.random.Generator:
        """Return the generator of a daily stream for ``day`` (0-based day index)."""
        seq = np.random.SeedSequence([self.seed, _name_key(name), int(day) + 1])
        return np.random.Generator(np.random.PCG64(seq))
