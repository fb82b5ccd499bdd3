"""The utils package itself: the book's seed and the number of parallel chains."""

import os

import numpy as np
import pymc as pm
import pytest

from utils import book_seed, sampler_cores


def test_book_seed(monkeypatch):
    monkeypatch.delenv("COURSE_SEED", raising=False)
    assert book_seed() == 20261123
    monkeypatch.setenv("COURSE_SEED", "7")
    assert book_seed() == 7
    monkeypatch.setenv("COURSE_SEED", "seven")
    with pytest.raises(ValueError, match="COURSE_SEED must be a whole number"):
        book_seed()


def test_sampler_cores(monkeypatch):
    assert sampler_cores() == len(os.sched_getaffinity(0)) >= 1
    monkeypatch.delattr(os, "sched_getaffinity")
    monkeypatch.setattr(os, "cpu_count", lambda: None)
    assert sampler_cores() == 1
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    assert sampler_cores() == 8


def test_parallel_chains_give_the_same_draws():
    # chapter 1: "the draws are the same either way; only the waiting time differs"
    with pm.Model():
        mu = pm.Normal("mu", 0, 1)
        pm.Normal("y", mu, 1, observed=[0.3, -0.2, 1.1])
        options = dict(draws=50, tune=50, chains=4, random_seed=3, progressbar=False)
        one = pm.sample(cores=1, **options)
        two = pm.sample(cores=2, **options)
    assert one.posterior.attrs["inference_library"] == "nutpie"
    np.testing.assert_array_equal(one.posterior["mu"], two.posterior["mu"])
