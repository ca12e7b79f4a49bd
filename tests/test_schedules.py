"""lessonlib.schedules: agreement with torch.optim.lr_scheduler, definitions and argument checks."""

import json
import math
import pathlib
import re

import numpy as np
import pytest

from lessonlib import schedules
from lessonlib.optim import SGD
from lessonlib.schedules import (ReduceOnPlateau, constant, cosine_annealing,
                                 cosine_warm_restarts, exponential_decay, inverse_sqrt_decay,
                                 inverse_time_decay, linear_decay, polynomial_decay, step_decay,
                                 warmup)

REFERENCE_DIR = pathlib.Path(__file__).parent / "reference"
REFERENCE = json.loads((REFERENCE_DIR / "torch_reference.json").read_text())
CASES = {case["name"]: case for case in REFERENCE["schedules"]}
PLATEAUS = {case["name"]: case for case in REFERENCE["plateaus"]}
RTOL, ATOL = 1e-10, 1e-15


def build_schedule(spec):
    kwargs = {key: build_schedule(value) if isinstance(value, dict) else value
              for key, value in spec["kwargs"].items()}
    return getattr(schedules, spec["schedule"])(**kwargs)


def test_reference_covers_every_schedule():
    names = {case["schedule"]["schedule"] for case in CASES.values()}
    assert names == set(schedules.__all__) - {"Schedule", "ReduceOnPlateau"}
    assert PLATEAUS
    assert REFERENCE["generator"] == "tests/reference/make_torch_reference.py"
    assert REFERENCE["torch_version"]


def test_reference_file_is_small():
    assert (REFERENCE_DIR / "torch_reference.json").stat().st_size < 200_000


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_torch_reference(name):
    case = CASES[name]
    schedule = build_schedule(case["schedule"])
    expected = np.array(case["lrs"])
    got = [schedule(t) for t in range(len(expected))]
    assert all(type(lr) is float for lr in got)
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=ATOL)
    # Vectorised: an array of steps gives the same values, as an array.
    np.testing.assert_allclose(schedule(np.arange(len(expected))), expected, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("name", sorted(PLATEAUS))
def test_reduce_on_plateau_matches_torch_reference(name):
    case = PLATEAUS[name]
    plateau = ReduceOnPlateau(**case["kwargs"])
    assert plateau.lr == case["lr"][0]
    for k, loss in enumerate(case["losses"]):
        assert plateau.step(loss) == pytest.approx(case["lr"][k + 1], rel=RTOL)
        assert plateau.lr == pytest.approx(case["lr"][k + 1], rel=RTOL)
        assert plateau.best == case["best"][k]
        assert plateau.num_bad_epochs == case["num_bad_epochs"][k]
        assert plateau.cooldown_counter == case["cooldown_counter"][k]
    assert len(set(case["lr"])) > 1  # the loss sequence does trigger reductions


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_torch_live(torch_reference, name):
    case = CASES[name]
    n = len(case["lrs"]) - 1
    expected = torch_reference.run_torch_schedule(case["torch"]["lr"], case["torch"]["scheduler"], n)
    schedule = build_schedule(case["schedule"])
    np.testing.assert_allclose([schedule(t) for t in range(n + 1)], expected, rtol=RTOL, atol=ATOL)


def _random_cases(seed):
    """Random settings of every schedule with a torch counterpart: (schedule, lr, torch spec, n)."""
    rng = np.random.default_rng(seed)
    lr0 = float(rng.uniform(0.01, 1.0))
    gamma = float(rng.uniform(0.5, 1.0))
    size, period, mult = (int(x) for x in rng.integers(1, 6, size=3))
    total = int(rng.integers(5, 40))
    power = float(rng.uniform(0.3, 3.0))
    end_fraction, min_fraction = (float(x) for x in rng.uniform(0.0, 0.5, size=2))
    return [
        (exponential_decay(lr0, gamma), lr0, {"class": "ExponentialLR", "kwargs": {"gamma": gamma}}, 60),
        (step_decay(lr0, size, gamma), lr0,
         {"class": "StepLR", "kwargs": {"step_size": size, "gamma": gamma}}, 60),
        (linear_decay(lr0, lr0 * end_fraction, total), lr0,
         {"class": "LinearLR", "kwargs": {"start_factor": 1.0, "end_factor": end_fraction,
                                          "total_iters": total}}, 60),
        (polynomial_decay(lr0, 0.0, power, total), lr0,
         {"class": "PolynomialLR", "kwargs": {"total_iters": total, "power": power}}, 60),
        (cosine_annealing(lr0, total, lr0 * min_fraction), lr0,
         {"class": "CosineAnnealingLR", "kwargs": {"T_max": total, "eta_min": lr0 * min_fraction}},
         total),
        (cosine_warm_restarts(lr0, period, mult, lr0 * min_fraction), lr0,
         {"class": "CosineAnnealingWarmRestarts",
          "kwargs": {"T_0": period, "T_mult": mult, "eta_min": lr0 * min_fraction}}, 120),
    ]


@pytest.mark.parametrize("seed", range(4))
def test_matches_torch_live_with_random_settings(torch_reference, seed):
    for schedule, lr, spec, n in _random_cases(seed):
        expected = torch_reference.run_torch_schedule(lr, spec, n)
        got = schedule(np.arange(n + 1))
        np.testing.assert_allclose(got, expected, rtol=RTOL, atol=ATOL, err_msg=repr(schedule))


@pytest.mark.parametrize("seed", range(3))
def test_reduce_on_plateau_matches_torch_live_on_a_random_walk(torch_reference, seed):
    rng = np.random.default_rng(seed)
    # Positive losses: for a negative best lessonlib deliberately departs from torch (see
    # test_reduce_on_plateau_needs_a_lower_loss_when_losses_are_negative).
    losses = np.exp(np.cumsum(rng.normal(-0.01, 0.02, size=200))).tolist()
    kwargs = {"lr0": 0.1, "factor": 0.5, "patience": 3, "cooldown": 2, "min_lr": 1e-4}
    expected = torch_reference.run_torch_plateau(kwargs, losses)
    plateau = ReduceOnPlateau(**kwargs)
    got = [plateau.lr] + [plateau.step(loss) for loss in losses]
    np.testing.assert_allclose(got, expected["lr"], rtol=RTOL)
    assert min(got) < 0.1


# --- definitions -----------------------------------------------------------------------

def test_closed_forms_at_a_few_steps():
    assert exponential_decay(0.1, 0.5)(3) == pytest.approx(0.1 / 8)
    assert step_decay(1.0, 10, 0.1)(9) == 1.0
    assert step_decay(1.0, 10, 0.1)(10) == pytest.approx(0.1)
    assert inverse_time_decay(0.1, 0.5)(2) == pytest.approx(0.05)
    assert inverse_sqrt_decay(0.1, 1.0)(3) == pytest.approx(0.05)
    assert linear_decay(1.0, 0.5, 10)(5) == pytest.approx(0.75)
    assert polynomial_decay(1.0, 0.2, 2.0, 10)(5) == pytest.approx(0.8 * 0.25 + 0.2)
    assert cosine_annealing(1.0, 10)(5) == pytest.approx(0.5)
    assert cosine_annealing(1.0, 10, lr_min=0.2)(10) == pytest.approx(0.2)


def test_schedules_return_python_floats_for_integer_steps():
    for schedule in [constant(0.1), exponential_decay(0.1, 0.9), step_decay(0.1, 2, 0.5),
                     cosine_warm_restarts(0.1, 3, 2), warmup(cosine_annealing(0.1, 5), 2)]:
        for t in (0, 4, np.int64(7)):
            assert type(schedule(t)) is float


def test_schedules_accept_arrays_of_any_shape():
    t = np.arange(12).reshape(3, 4)
    for schedule in [constant(0.1), exponential_decay(0.1, 0.9), step_decay(0.1, 2, 0.5),
                     inverse_time_decay(0.1, 1.0), inverse_sqrt_decay(0.1, 1.0),
                     linear_decay(0.1, 0.0, 5), polynomial_decay(0.1, 0.0, 2.0, 5),
                     cosine_annealing(0.1, 5), cosine_warm_restarts(0.1, 2, 2, 0.01),
                     warmup(step_decay(0.1, 2, 0.5), 3)]:
        values = schedule(t)
        assert isinstance(values, np.ndarray) and values.shape == (3, 4)
        np.testing.assert_allclose(values, [[schedule(int(k)) for k in row] for row in t],
                                   rtol=1e-15)


def test_decays_stay_at_their_floor_after_total_steps():
    t = np.arange(10, 40)
    np.testing.assert_array_equal(linear_decay(0.1, 0.02, 10)(t), 0.02)
    np.testing.assert_array_equal(polynomial_decay(0.1, 0.02, 0.5, 10)(t), 0.02)
    np.testing.assert_array_equal(cosine_annealing(0.1, 10, lr_min=0.02)(t), 0.02)


def test_warm_restarts_restart_at_lr0_with_growing_periods():
    schedule = cosine_warm_restarts(0.1, period=3, period_mult=2, lr_min=0.01)
    lrs = schedule(np.arange(46))
    starts = [0, 3, 9, 21, 45]  # cycles of 3, 6, 12, 24 steps
    np.testing.assert_array_equal(np.flatnonzero(lrs == 0.1), starts)
    assert all(lrs[s - 1] < lrs[s - 2] for s in starts[1:])  # decreasing into each restart
    assert lrs.min() > 0.01


def test_warmup_definition():
    inner = cosine_annealing(0.1, 20, lr_min=0.001)
    W = 4
    schedule = warmup(inner, W)
    ramp = [schedule(t) for t in range(W + 1)]
    np.testing.assert_allclose(ramp, [0.1 * (t + 1) / (W + 1) for t in range(W + 1)], rtol=1e-15)
    np.testing.assert_allclose(np.diff(ramp), 0.1 / (W + 1), rtol=1e-12)  # equal increments
    assert ramp[0] > 0 and ramp[-1] == inner(0)
    for t in range(W, W + 25):
        assert schedule(t) == inner(t - W)


def test_warmup_accepts_any_callable_or_a_number():
    assert warmup(lambda t: 0.5 / (1 + t), 1)(0) == 0.25
    assert warmup(lambda t: 0.5 / (1 + t), 1)(2) == 0.25
    assert [warmup(0.3, 2)(t) for t in range(4)] == pytest.approx([0.1, 0.2, 0.3, 0.3])


def test_reduce_on_plateau_drives_an_optimizer():
    plateau = ReduceOnPlateau(0.1, factor=0.5, patience=0)
    opt = SGD(lr=plateau)
    theta = np.array([1.0])
    state = opt.init(theta)
    theta, state = opt.step(theta, np.array([1.0]), state)
    np.testing.assert_allclose(theta, 0.9)
    plateau.step(1.0)
    plateau.step(1.0)  # no improvement, patience 0: halve
    assert plateau(123) == 0.05
    theta, state = opt.step(theta, np.array([1.0]), state)
    np.testing.assert_allclose(theta, 0.85)


def test_reduce_on_plateau_counts_bad_epochs_and_cooldown():
    plateau = ReduceOnPlateau(1.0, factor=0.1, patience=1, cooldown=2)
    assert plateau.best == math.inf and plateau.num_bad_epochs == 0
    assert plateau.step(5.0) == 1.0 and plateau.best == 5.0
    assert plateau.step(5.0) == 1.0 and plateau.num_bad_epochs == 1
    assert plateau.step(5.0) == pytest.approx(0.1)
    assert plateau.cooldown_counter == 2 and plateau.num_bad_epochs == 0
    for _ in range(2):  # cooldown: bad epochs are not counted
        assert plateau.step(6.0) == pytest.approx(0.1) and plateau.num_bad_epochs == 0
    assert plateau.step(6.0) == pytest.approx(0.1) and plateau.num_bad_epochs == 1
    assert plateau.step(6.0) == pytest.approx(0.01)


def test_reduce_on_plateau_needs_a_lower_loss_when_losses_are_negative():
    # torch's rule loss < best * (1 - threshold) would call -9.9995 an improvement on
    # best = -10 (the bar -9.999 sits above the best) and never reduce the rate.
    plateau = ReduceOnPlateau(1.0, factor=0.5, patience=1, threshold=1e-4)
    assert plateau.step(-10.0) == 1.0 and plateau.best == -10.0
    worse = -9.9995
    assert worse < -10.0 * (1 - 1e-4)                     # torch's test would accept it
    assert plateau.step(worse) == 1.0 and plateau.best == -10.0 and plateau.num_bad_epochs == 1
    assert plateau.step(worse) == 0.5                      # patience exhausted: reduced
    assert plateau.step(-10.0 - 2e-3) == 0.5 and plateau.best == -10.002   # beats 10 by > 1e-4 * 10


@pytest.mark.parametrize("best", [10.0, -10.0, 0.0])
def test_reduce_on_plateau_threshold_is_relative_to_the_size_of_the_best(best):
    plateau = ReduceOnPlateau(1.0, patience=0, threshold=0.01)
    plateau.step(best)
    bar = best - 0.01 * abs(best)
    plateau.step(bar)                                       # equal to the bar: not better
    assert plateau.best == best and plateau.lr == pytest.approx(0.1)
    plateau.step(bar - 1e-9)
    assert plateau.best == bar - 1e-9


def test_reprs_show_the_call_that_made_the_schedule():
    assert repr(exponential_decay(0.1, 0.9)) == "exponential_decay(lr0=0.1, gamma=0.9)"
    assert repr(warmup(cosine_annealing(0.1, 10), 5)) == \
        "warmup(schedule=cosine_annealing(lr0=0.1, total_steps=10, lr_min=0.0), warmup_steps=5)"
    text = repr(ReduceOnPlateau(0.1, patience=3))
    for field in ("lr0=0.1", "factor=0.1", "patience=3", "threshold=0.0001", "cooldown=0",
                  "min_lr=0.0", "lr=0.1", "best=inf", "num_bad_epochs=0", "cooldown_counter=0"):
        assert field in text


# --- argument checks -------------------------------------------------------------------

BAD_ARGUMENTS = [
    (constant, (0.0,), "lr must be > 0, got 0.0"),
    (exponential_decay, (0.0, 0.9), "lr0 must be > 0, got 0.0"),
    (exponential_decay, (-0.1, 0.9), "lr0 must be > 0, got -0.1"),
    (exponential_decay, (0.1, 0.0), "gamma must be in (0, 1], got 0.0"),
    (exponential_decay, (0.1, 1.5), "gamma must be in (0, 1], got 1.5"),
    (step_decay, (0.1, 10, -0.5), "gamma must be in (0, 1], got -0.5"),
    (step_decay, (0.1, 0, 0.5), "step_size must be an integer >= 1, got 0"),
    (step_decay, (0.1, 2.5, 0.5), "step_size must be an integer >= 1, got 2.5"),
    (step_decay, (-1.0, 10, 0.5), "lr0 must be > 0, got -1.0"),
    (inverse_time_decay, (0.1, -1.0), "decay_rate must be >= 0, got -1.0"),
    (inverse_time_decay, (0.0, 1.0), "lr0 must be > 0, got 0.0"),
    (inverse_sqrt_decay, (0.1, -0.5), "decay_rate must be >= 0, got -0.5"),
    (inverse_sqrt_decay, (-0.1, 0.5), "lr0 must be > 0, got -0.1"),
    (linear_decay, (0.1, -0.01, 10), "lr_min must be >= 0, got -0.01"),
    (linear_decay, (0.1, 0.2, 10), "lr_min must be in [0, lr0] = [0, 0.1], got 0.2"),
    (linear_decay, (0.1, 0.0, 0), "total_steps must be an integer >= 1, got 0"),
    (linear_decay, (0.0, 0.0, 10), "lr0 must be > 0, got 0.0"),
    (polynomial_decay, (0.1, 0.0, 0.0, 10), "power must be > 0, got 0.0"),
    (polynomial_decay, (0.1, 0.0, -1.0, 10), "power must be > 0, got -1.0"),
    (polynomial_decay, (0.1, 0.0, 1.0, -5), "total_steps must be an integer >= 1, got -5"),
    (polynomial_decay, (0.1, 0.5, 1.0, 10), "lr_min must be in [0, lr0] = [0, 0.1], got 0.5"),
    (polynomial_decay, (-0.1, 0.0, 1.0, 10), "lr0 must be > 0, got -0.1"),
    (cosine_annealing, (0.1, 0), "total_steps must be an integer >= 1, got 0"),
    (cosine_annealing, (0.1, 10, -0.1), "lr_min must be >= 0, got -0.1"),
    (cosine_annealing, (0.1, 10, 0.2), "lr_min must be in [0, lr0] = [0, 0.1], got 0.2"),
    (cosine_annealing, (0.0, 10), "lr0 must be > 0, got 0.0"),
    (cosine_warm_restarts, (0.1, 0), "period must be an integer >= 1, got 0"),
    (cosine_warm_restarts, (0.1, 5, 0), "period_mult must be an integer >= 1, got 0"),
    (cosine_warm_restarts, (0.1, 5, 1.5), "period_mult must be an integer >= 1, got 1.5"),
    (cosine_warm_restarts, (0.1, 5, 1, 0.5), "lr_min must be in [0, lr0] = [0, 0.1], got 0.5"),
    (cosine_warm_restarts, (-0.1, 5), "lr0 must be > 0, got -0.1"),
    (warmup, (constant(0.1), 0), "warmup_steps must be an integer >= 1, got 0"),
    (warmup, (constant(0.1), -3), "warmup_steps must be an integer >= 1, got -3"),
    (ReduceOnPlateau, (0.0,), "lr0 must be > 0, got 0.0"),
    (ReduceOnPlateau, (0.1, 0.0), "factor must be in (0, 1), got 0.0"),
    (ReduceOnPlateau, (0.1, 1.0), "factor must be in (0, 1), got 1.0"),
    (ReduceOnPlateau, (0.1, 1.5), "factor must be in (0, 1), got 1.5"),
    (ReduceOnPlateau, (0.1, 0.5, -1), "patience must be an integer >= 0, got -1"),
    (ReduceOnPlateau, (0.1, 0.5, 10, -1e-4), "threshold must be in [0, 1), got -0.0001"),
    (ReduceOnPlateau, (0.1, 0.5, 10, 1e-4, -2), "cooldown must be an integer >= 0, got -2"),
    (ReduceOnPlateau, (0.1, 0.5, 10, 1e-4, 0, -0.1), "min_lr must be >= 0, got -0.1"),
    (ReduceOnPlateau, (0.1, 0.5, 10, 1e-4, 0, 1.0), "min_lr must be in [0, lr0] = [0, 0.1], got 1.0"),
]


@pytest.mark.parametrize("make, args, message", BAD_ARGUMENTS,
                         ids=[f"{m.__name__}-{i}" for i, (m, _, _) in enumerate(BAD_ARGUMENTS)])
def test_invalid_argument_raises_a_message_naming_it(make, args, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        make(*args)
