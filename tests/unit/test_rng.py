import numpy as np

from sim.rng import Streams


def test_streams_are_reproducible_and_independent_by_name_and_day():
    a, b = Streams(7), Streams(7)
    assert np.array_equal(a.day("x", 3).random(5), b.day("x", 3).random(5))
    assert not np.array_equal(a.day("x", 3).random(5), a.day("y", 3).random(5))
    assert not np.array_equal(a.day("x", 3).random(5), a.day("x", 4).random(5))
    assert not np.array_equal(a.get("x").random(5), Streams(8).get("x").random(5))


def test_draws_on_one_stream_do_not_shift_another():
    s = Streams(1)
    first = s.day("transmission.market", 10).random(3)
    s.day("transmission.household", 10).random(1000)  # another process draws a lot
    assert np.array_equal(first, s.day("transmission.market", 10).random(3))
