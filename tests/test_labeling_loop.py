"""Slow: the labeling loop simulated end to end on a small share of the corpus (the README's
figures come from `benchmarks/labeling_loop.py` with the full settings)."""
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))


def test_suggested_and_random_rounds_train_and_score():
    from labeling_loop import run

    rows = run(start=0.03, add=3, rounds=1, real=None, iterations=20)
    arms = {(r["round"], r["arm"]) for r in rows}
    assert arms == {(0, "start"), (1, "suggest"), (1, "random")}
    start = next(r["train docs"] for r in rows if r["arm"] == "start")
    assert all(r["train docs"] == start + 3 for r in rows if r["round"] == 1)
    assert all(0 < r["entities"] <= 1 and 0 <= r["relations"] <= 1 for r in rows)
