"""Named random streams derived from one seed (common random numbers)."""

from __future__ import annotations

import zlib
from typing import Protocol

import numpy as np

_GOLD = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def _splitmix(x: np.ndarray | np.uint64) -> np.ndarray:
    """SplitMix64's finaliser: a bijective mix of 64-bit integers (elementwise)."""
    with np.errstate(over="ignore"):
        x = np.asarray(x, dtype=np.uint64)
        x = (x ^ (x >> np.uint64(30))) * _M1
        x = (x ^ (x >> np.uint64(27))) * _M2
        return np.asarray(x ^ (x >> np.uint64(31)), dtype=np.uint64)


def _name_key(name: str) -> int:
    """Stable 32-bit key of a stream name (independent of Python's hash seed)."""
    return zlib.crc32(name.encode("utf-8"))


class Streams:
    """The random streams of one run: every stochastic decision draws from its own.

    A stream is identified by a name (``"transmission.household"``) and, for daily
    draws, by the day; each (seed, name, day) triple gets an independent generator, so
    switching a policy on or off does not shift the draws of unrelated processes or of
    other days. Draws that should not depend on who else draws (a resident's course, a
    household pair's contact) use ``uniform``, keyed by what they are for (common
    random numbers across paired scenarios).

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

    def uniform(self, name: str, *keys: np.ndarray | int) -> np.ndarray:
        """Uniforms on [0, 1) keyed by (seed, name, keys): the same keys, the same draw.

        A counter-based draw: each value is a hash of the seed, the stream name and its
        keys (e.g. day, resident), so a resident's draw does not depend on who else
        draws that day. Paired scenarios thus keep their draws resident by resident
        (common random numbers) even after their epidemics part ways.

        Args:
            name: Stream name.
            keys: Integer keys (scalars or arrays, broadcast together; non-negative).

        Returns:
            Uniforms of the broadcast shape of the keys (float64).
        """
        with np.errstate(over="ignore"):
            h = _splitmix(np.uint64(self.seed) * _GOLD ^ np.uint64(_name_key(name)))
            for k in keys:
                h = _splitmix(h ^ (np.asarray(k).astype(np.uint64) + _GOLD))
        return (np.asarray(h) >> np.uint64(11)).astype(np.float64) * 2.0**-53


class Draws(Protocol):
    """Where a process takes its uniforms: ``draws(stage, keys...)`` of the keys' shape."""

    def __call__(self, stage: str, *keys: np.ndarray | int) -> np.ndarray:
        """Uniforms on [0, 1) for ``stage``, one per element of the broadcast keys."""
        ...


class KeyedDraws:
    """Uniforms keyed by what they are for (stage, resident, ...): the model's draws.

    Args:
        streams: The run's streams.
        prefix: Stream-name prefix (``"disease"``).
        fixed: Keys put before every call's keys (e.g. the day).
    """

    def __init__(self, streams: Streams, prefix: str, *fixed: int) -> None:
        self.streams = streams
        self.prefix = prefix
        self.fixed = fixed

    def __call__(self, stage: str, *keys: np.ndarray | int) -> np.ndarray:
        """Uniforms keyed by (seed, prefix.stage, fixed keys, keys)."""
        return self.streams.uniform(f"{self.prefix}.{stage}", *self.fixed, *keys)


class GeneratorDraws:
    """Uniforms from a generator, ignoring the keys' values (sampling, calibration).

    Args:
        rng: The generator.
    """

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng

    def __call__(self, stage: str, *keys: np.ndarray | int) -> np.ndarray:
        """Fresh uniforms of the keys' broadcast shape."""
        return self.rng.random(np.broadcast(*keys).shape)
