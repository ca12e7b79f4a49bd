"""The chapter 10 exercises: solutions agree with lessonlib, other correct forms pass, mistakes are named."""

import numpy as np
import pytest

from lessonlib.clipping import clip_by_norm
from lessonlib.exercises import ch10
from lessonlib.monitor import smooth
from exercise_helpers import assert_wrong

SOLVE = ch10.SOLUTIONS


def test_clip_global_norm_is_clip_by_norm_of_the_concatenated_gradient():
    rng = np.random.default_rng(0)
    grads = [rng.standard_normal((3, 2)), rng.standard_normal(4)]
    flat = clip_by_norm(np.concatenate([g.ravel() for g in grads]), 1.5)
    np.testing.assert_allclose(np.concatenate([g.ravel() for g in SOLVE["clip_global_norm"](grads, 1.5)]), flat)


def test_clip_global_norm_accepts_a_vectorised_answer_returning_a_list():
    def flat(grads, max_norm):
        sizes = [np.size(g) for g in grads]
        v = np.concatenate([np.ravel(g) for g in grads]).astype(float)
        v = v * min(1.0, max_norm / np.linalg.norm(v)) if np.linalg.norm(v) > 0 else v
        parts = np.split(v, np.cumsum(sizes)[:-1])
        return [p.reshape(np.shape(g)) for p, g in zip(parts, grads)]
    assert ch10.clip_global_norm.verdict(flat).status == "correct"


@pytest.mark.parametrize("index, words", [(0, "its own norm"), (1, "by value"), (2, "also the short ones")])
def test_clip_global_norm_mistakes_are_named(index, words):
    assert_wrong(ch10.clip_global_norm, ch10.clip_global_norm.mistakes[index][0], words)


def test_largest_stable_lr_is_the_edge_of_stability_of_heavy_ball():
    from lessonlib.objectives import Quadratic
    from lessonlib.train import minimize
    from lessonlib.optim import SGD
    f = Quadratic.from_eigenvalues([1.0, 8.0], angle=0.4)
    edge = SOLVE["largest_stable_lr"](f.A, 0.5)
    inside = minimize(f, SGD(0.97 * edge, momentum=0.5), np.ones(2), 2000)
    outside = minimize(f, SGD(1.03 * edge, momentum=0.5), np.ones(2), 2000, on_divergence="stop")
    assert inside.losses[-1] < 1e-6 and outside.stopped == "diverged"


@pytest.mark.parametrize("index, words", [(0, "2/L"), (1, "diagonal"), (2, "smallest")])
def test_largest_stable_lr_mistakes_are_named(index, words):
    assert_wrong(ch10.largest_stable_lr, ch10.largest_stable_lr.mistakes[index][0], words)


def test_smoothed_losses_is_lessonlibs_smooth_and_a_vectorised_form_passes():
    rng = np.random.default_rng(4)
    losses = rng.uniform(0, 3, 9)
    np.testing.assert_allclose(SOLVE["smoothed_losses"](losses, 0.8), smooth(losses, 0.8), rtol=1e-13)

    def vectorised(losses, beta):
        losses = np.asarray(losses, dtype=float)
        t = np.arange(1, len(losses) + 1)
        weights = (1 - beta) * beta ** (t[:, None] - 1 - np.arange(len(losses))[None, :])
        return np.tril(weights) @ losses / (1 - beta**t)
    with np.errstate(all="ignore"):
        assert ch10.smoothed_losses.verdict(vectorised).status == "correct"


@pytest.mark.parametrize("index, words", [(0, "bias correction"), (1, "swapped"), (2, "running mean")])
def test_smoothed_losses_mistakes_are_named(index, words):
    with np.errstate(all="ignore"):
        assert_wrong(ch10.smoothed_losses, ch10.smoothed_losses.mistakes[index][0], words)
