"""The chapter 9 exercises: solutions pass, stubs are "not attempted", typical mistakes are named."""

import numpy as np
import pytest

from lessonlib.exercises import ch09
from lessonlib.nn import MLP, softmax
from exercise_helpers import assert_wrong

SOLVE = ch09.SOLUTIONS


def test_output_delta_is_what_the_mlp_backpropagates():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((6, 4)), np.array([0, 1, 2, 0, 1, 2])
    mlp = MLP(X, y, hidden=())
    theta = mlp.init(1)
    W, c = mlp.unpack(theta)[0]
    delta = SOLVE["output_delta"](X @ W + c, y)
    np.testing.assert_allclose(mlp.grad(theta)[:W.size].reshape(W.shape), X.T @ delta, rtol=1e-12)


def test_output_delta_accepts_a_loop():
    def looped(logits, y):
        rows = []
        for z, label in zip(np.asarray(logits, float), y):
            p = softmax(z[None, :])[0]
            p[label] -= 1
            rows.append(p / len(y))
        return rows
    assert ch09.output_delta.verdict(looped).status == "correct"


def test_naive_softmax_fails_on_the_large_logits_case():
    def naive(logits, y):
        e = np.exp(np.asarray(logits, float))
        p = e / e.sum(axis=1, keepdims=True)
        p[np.arange(len(p)), y] -= 1
        return p / len(p)
    with np.errstate(over="ignore", invalid="ignore"):
        assert_wrong(ch09.output_delta, naive, "large logits")


@pytest.mark.parametrize("answer, words", [
    (lambda z, y: SOLVE["output_delta"](z, y) * len(y), "1/B"),
    (lambda z, y: -SOLVE["output_delta"](z, y), "Sign error"),
])
def test_output_delta_mistakes_are_named(answer, words):
    assert_wrong(ch09.output_delta, answer, words)


def test_tanh_delta_matches_the_mlp_backward_pass():
    rng = np.random.default_rng(2)
    X, y = rng.standard_normal((5, 3)), np.array([0, 1, 1, 0, 1])
    mlp = MLP(X, y, hidden=(4,), activation="tanh")
    theta = mlp.init(3)
    activations, logits = mlp.forward(theta, X)
    delta_out = SOLVE["output_delta"](logits, y)
    W2 = mlp.unpack(theta)[1][0]
    delta_hidden = SOLVE["tanh_delta"](delta_out, W2, activations[1])
    W1 = mlp.unpack(theta)[0][0]
    np.testing.assert_allclose(mlp.grad(theta)[:W1.size].reshape(W1.shape), X.T @ delta_hidden, rtol=1e-12)


@pytest.mark.parametrize("answer, words", [
    (lambda d, W, a: (np.asarray(d) @ np.asarray(W).T) * (np.asarray(a) > 0), "ReLU"),
    (lambda d, W, a: np.asarray(d) @ np.asarray(W).T, "slope of tanh"),
])
def test_tanh_delta_mistakes_are_named(answer, words):
    assert_wrong(ch09.tanh_delta, answer, words)


def test_forgiveness_loop_version_passes():
    def looped(lrs, losses, factor):
        finite = [(lr, loss) for lr, loss in zip(lrs, losses) if loss == loss]
        best = min(loss for _, loss in finite)
        good = [lr for lr, loss in finite if loss <= factor * best]
        return float(np.log10(max(good) / min(good)))
    assert ch09.forgiveness.verdict(looped).status == "correct"


def test_forgiveness_mistakes_are_named_and_the_answer_is_not_shown():
    verdict = ch09.forgiveness.verdict(lambda lrs, losses, factor: 1.0)
    assert verdict.status == "wrong" and "the right answer" not in verdict.message
    assert_wrong(ch09.forgiveness, ch09.forgiveness.mistakes[0][0], "width")


def test_forgiveness_names_a_strict_inequality_and_natural_logs():
    def strict(lrs, losses, factor):
        lrs, losses = np.asarray(lrs, float), np.asarray(losses, float)
        ok = np.isfinite(losses)
        good = lrs[ok][losses[ok] < factor * losses[ok].min()]
        return float(np.log10(good.max() / good.min()))

    def natural(lrs, losses, factor):
        lrs, losses = np.asarray(lrs, float), np.asarray(losses, float)
        ok = np.isfinite(losses)
        good = lrs[ok][losses[ok] <= factor * losses[ok].min()]
        return float(np.log(good.max() / good.min()))

    assert_wrong(ch09.forgiveness, strict, "ties")
    assert_wrong(ch09.forgiveness, natural, "decades")
