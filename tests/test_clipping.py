"""Tests of lessonlib.clipping and of the exploding-gradient objective Recurrence."""

import numpy as np
import pytest

from lessonlib.clipping import Clipped, clip_by_norm, clip_by_value
from lessonlib.gradcheck import check_grad
from lessonlib.objectives import Recurrence
from lessonlib.optim import SGD, Adam
from lessonlib.train import minimize


def test_clip_by_norm_keeps_the_direction_and_caps_the_length():
    rng = np.random.default_rng(0)
    for _ in range(20):
        g = rng.standard_normal(7) * rng.uniform(0.1, 10)
        c = rng.uniform(0.5, 3)
        clipped = clip_by_norm(g, c)
        assert np.linalg.norm(clipped) == pytest.approx(min(np.linalg.norm(g), c), rel=1e-12)
        cosine = clipped @ g / (np.linalg.norm(clipped) * np.linalg.norm(g))
        assert cosine == pytest.approx(1.0, abs=1e-12)


def test_clip_by_norm_is_the_projection_onto_the_ball():
    # the nearest point of the ball ||u|| <= c to g: no sampled point of the ball is nearer
    rng = np.random.default_rng(1)
    g, c = np.array([3.0, -4.0]), 2.0
    projection = clip_by_norm(g, c)
    points = rng.standard_normal((5000, 2))
    points *= c * np.sqrt(rng.uniform(0, 1, (5000, 1))) / np.linalg.norm(points, axis=1, keepdims=True)
    assert np.linalg.norm(points - g, axis=1).min() >= np.linalg.norm(projection - g) - 1e-12


def test_a_short_gradient_passes_unchanged_and_is_not_modified():
    g = np.array([0.1, -0.2])
    out = clip_by_norm(g, 1.0)
    np.testing.assert_array_equal(out, g)
    out[0] = 5.0
    assert g[0] == 0.1


def test_clip_by_value_turns_the_direction():
    g = np.array([10.0, 1.0])
    np.testing.assert_array_equal(clip_by_value(g, 2.0), [2.0, 1.0])
    assert np.linalg.norm(clip_by_norm(g, 2.0)) == pytest.approx(2.0)


@pytest.mark.parametrize("bad", [0.0, -1.0, np.nan, np.inf])
def test_clipping_rejects_a_bad_threshold(bad):
    with pytest.raises(ValueError, match="max_norm"):
        clip_by_norm(np.ones(2), bad)
    with pytest.raises(ValueError, match="max_norm"):
        Clipped(SGD(0.1), bad)
    with pytest.raises(ValueError, match="max_value"):
        clip_by_value(np.ones(2), bad)


def test_clipped_optimizer_steps_along_the_clipped_gradient():
    theta, g = np.array([1.0, 2.0]), np.array([30.0, 40.0])
    opt = Clipped(Adam(0.1), max_norm=5.0)
    assert opt.lr == 0.1
    new, state = opt.step(theta, g, opt.init(theta))
    expected, _ = Adam(0.1).step(theta, np.array([3.0, 4.0]), Adam(0.1).init(theta))
    np.testing.assert_allclose(new, expected, rtol=1e-15)
    assert state.t == 1


def test_recurrence_gradient_and_constants():
    f = Recurrence(depth=6, target=2.0)
    for w in (0.7, 1.05, -0.9):
        assert check_grad(f.loss, f.grad, np.array([w]), tol=1e-7).ok
    assert f.loss(f.minimizer) == pytest.approx(0.0, abs=1e-24)
    h = 1e-4
    w = f.minimizer
    curvature = (f.grad(w + h) - f.grad(w - h))[0] / (2 * h)
    assert curvature == pytest.approx(f.L_at_minimum, rel=1e-6)
    grid = np.linspace(0.5, 1.2, 5)[None, :]
    np.testing.assert_allclose(f.loss(grid), [f.loss(np.array([x])) for x in grid[0]])


def test_recurrence_rejects_bad_arguments():
    with pytest.raises(ValueError, match="depth"):
        Recurrence(depth=0)
    with pytest.raises(ValueError, match="target"):
        Recurrence(target=-1.0)
    with pytest.raises(ValueError, match="1 coordinate"):
        Recurrence().loss(np.ones(2))


def test_clipping_rescues_the_run_that_falls_off_the_cliff():
    f = Recurrence(depth=20)
    lr = 1 / f.L_at_minimum
    plain = minimize(f, SGD(lr), np.array([1.1]), 300, on_divergence="stop")
    clipped = minimize(f, Clipped(SGD(lr), max_norm=1.0), np.array([1.1]), 300)
    assert plain.thetas[1, 0] < 0 and plain.losses[-1] > 0.4       # thrown to the flat side, stuck
    assert clipped.losses[-1] < 1e-12
    assert np.all(np.abs(np.diff(clipped.thetas[:, 0])) <= lr * 1.0 + 1e-15)


def test_clipping_does_nothing_for_a_vanishing_gradient():
    f = Recurrence(depth=20)
    lr = 1 / f.L_at_minimum
    plain = minimize(f, SGD(lr), np.array([0.5]), 200)
    clipped = minimize(f, Clipped(SGD(lr), max_norm=1.0), np.array([0.5]), 200)
    np.testing.assert_array_equal(plain.thetas, clipped.thetas)
