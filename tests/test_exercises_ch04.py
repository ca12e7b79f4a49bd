"""The chapter 4 exercises: solutions pass, stubs are "not attempted", typical mistakes are named."""

import math

import numpy as np
import pytest

from lessonlib import schedule_theory
from lessonlib.exercises import ch04
from lessonlib.schedules import cosine_annealing, exponential_decay, step_decay
from exercise_helpers import assert_wrong

SOLVE = ch04.SOLUTIONS


# --- step_decay_lr ----------------------------------------------------------------------

@pytest.mark.parametrize("answer, words", [
    (lambda lr0, gamma, step_size, t: lr0 - gamma / max(t, 1), "source notes"),
    (lambda lr0, gamma, step_size, t: lr0 * gamma ** ((t + 1) // step_size), "Off by one"),
    (lambda lr0, gamma, step_size, t: lr0 * gamma ** -(-t // step_size), "rounded t / step_size up"),
    (lambda lr0, gamma, step_size, t: lr0 * gamma ** t, "exponential decay"),
    (lambda lr0, gamma, step_size, t: lr0 * math.pow(gamma, t / step_size), "forgot the floor"),
])
def test_step_decay_lr_mistakes_are_named(answer, words):
    assert_wrong(ch04.step_decay_lr, answer, words)


def test_step_decay_lr_matches_lessonlib():
    for lr0, gamma, size in [(0.1, 0.5, 10), (1.0, 0.1, 30), (0.2, 0.9, 1)]:
        schedule = step_decay(lr0, size, gamma)
        for t in range(0, 100, 7):
            assert SOLVE["step_decay_lr"](lr0, gamma, size, t) == pytest.approx(schedule(t), rel=1e-14)


# --- cosine_lr --------------------------------------------------------------------------

@pytest.mark.parametrize("answer, words", [
    (lambda lr0, lr_min, T, t: lr_min + (lr0 - lr_min) * (1 + math.cos(math.pi * t / T)) / 2, "clamp"),
    (lambda lr0, lr_min, T, t: lr_min + (lr0 - lr_min) * math.cos(math.pi * min(t, T) / T), "cos itself"),
    (lambda lr0, lr_min, T, t: lr0 * (1 + math.cos(math.pi * min(t, T) / T)) / 2, "ignored lr_min"),
    (lambda lr0, lr_min, T, t: lr_min + (lr0 - lr_min) * (1 + math.cos(2 * math.pi * min(t, T) / T)) / 2,
     "full period"),
    (lambda lr0, lr_min, T, t: lr_min + (lr0 - lr_min) * (1 - math.cos(math.pi * min(t, T) / T)) / 2,
     "rises"),
])
def test_cosine_lr_mistakes_are_named(answer, words):
    assert_wrong(ch04.cosine_lr, answer, words)


def test_cosine_lr_matches_lessonlib():
    for lr0, lr_min, T in [(0.1, 0.0, 100), (0.5, 0.05, 40), (1.0, 0.2, 8)]:
        schedule = cosine_annealing(lr0, T, lr_min)
        for t in range(0, 2 * T):
            assert SOLVE["cosine_lr"](lr0, lr_min, T, t) == pytest.approx(schedule(t), rel=1e-12, abs=1e-15)


# --- power_decay_sums_finite ------------------------------------------------------------

@pytest.mark.parametrize("answer, words", [
    (lambda p: (p >= 1, p > 0.5), "harmonic series 1 + 1/2"),
    (lambda p: (p > 1, p >= 0.5), "At p = 1/2"),
    (lambda p: (p > 1, p > 1), "doubles the exponent"),
    (lambda p: (p > 0, p > 0), "tend to 0"),
    (lambda p: (p > 0.5, p > 1), "swapped"),
    (lambda p: (True, True), None),
])
def test_power_decay_sums_finite_mistakes_are_named(answer, words):
    verdict = ch04.power_decay_sums_finite.verdict(answer)
    assert verdict.status == "wrong", verdict.message
    if words:
        assert words in verdict.message, verdict.message


def test_power_decay_sums_finite_accepts_numpy_booleans_and_rejects_a_single_answer():
    assert ch04.power_decay_sums_finite.verdict(lambda p: (np.bool_(p > 1), np.bool_(p > 0.5))).ok
    verdict = ch04.power_decay_sums_finite.verdict(lambda p: p > 1)
    assert verdict.status == "wrong" and "expected a tuple of 2 values" in verdict.message


def test_power_decay_sums_finite_agrees_with_partial_sums():
    # Integral test on the terms t = 1e4 .. 1e6 - 1 of sum (1 + t)**(-q): a convergent sum
    # (q > 1) adds less than its tail bound 1e4**(1 - q) / (q - 1); a divergent one adds
    # at least the integral from 1e4 to 1e6.
    for p in [0.3, 0.5, 0.75, 1.0, 1.5]:
        S, Q = schedule_theory.robbins_monro_sums(lambda t: (1.0 + t) ** -p, [10**4, 10**6])
        answers = SOLVE["power_decay_sums_finite"](p)
        for sums, q, is_finite in [(S, p, answers[0]), (Q, 2 * p, answers[1])]:
            growth = sums[1] - sums[0]
            if q > 1:
                assert is_finite and growth <= 1e4 ** (1 - q) / (q - 1)
            else:
                lower = (math.log(1e6 + 1) - math.log(1e4 + 1) if q == 1
                         else ((1e6 + 1) ** (1 - q) - (1e4 + 1) ** (1 - q)) / (1 - q))
                assert not is_finite and growth >= lower


# --- gamma_for_reach (a transfer task: the reach bound solved for gamma) ------------------

@pytest.mark.parametrize("answer, words", [
    (lambda lr0, G, distance: 1 - lr0 / distance, "left out the gradient bound"),
    (lambda lr0, G, distance: G * lr0 / distance, "1 - gamma, not gamma"),
    (lambda lr0, G, distance: distance / (distance + G * lr0), "starts at t = 1"),
    (lambda lr0, G, distance: (1 - G * lr0 / distance) ** 0.5, "SQUARED rates"),
    (lambda lr0, G, distance: 1 - distance / (G * lr0), None),
])
def test_gamma_for_reach_mistakes_are_named(answer, words):
    verdict = ch04.gamma_for_reach.verdict(answer)
    assert verdict.status == "wrong", verdict.message
    if words:
        assert words in verdict.message, verdict.message


def test_gamma_for_reach_inverts_lessonlibs_reach():
    for lr0, G, distance in [(1.0, 0.75, 15.0), (0.1, 2.0, 100.0), (0.3, 4.5, 20.0)]:
        gamma = SOLVE["gamma_for_reach"](lr0, G, distance)
        assert 0 < gamma < 1
        assert schedule_theory.exponential_reach(lr0, gamma, G) == pytest.approx(distance, rel=1e-12)
        # a slightly faster decay cannot reach that far any more
        assert schedule_theory.exponential_reach(lr0, gamma - 1e-3, G) < distance
        S, _ = schedule_theory.robbins_monro_sums(exponential_decay(lr0, gamma), 10**5)
        assert G * S == pytest.approx(distance, rel=1e-6)
