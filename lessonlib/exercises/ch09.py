r"""Exercises of chapter 9, *Optimizers face to face*.

Each exercise is named after the function the learner writes, so a notebook reads
``ch09.output_delta.check(output_delta)``. The reference solutions are the functions
defined first under the same names (the book shows them with ``literalinclude``);
:data:`SOLUTIONS` keeps them reachable after the names are bound to the exercises.

=====================  =====================================================================
``output_delta``       :math:`\delta_D = (\mathrm{softmax}(z) - Y)/B`, stable for large logits
``tanh_delta``         one step of the backward recursion through a tanh layer
``forgiveness``        how many decades of learning rates train within a factor of the best
=====================  =====================================================================
"""

import math

import numpy as np

from . import FunctionExercise, halves

__all__ = ["output_delta", "tanh_delta", "forgiveness", "SOLUTIONS"]

CHAPTER = "ch09"


# --- the solutions ---------------------------------------------------------------------

def output_delta(logits, y):
    z = np.asarray(logits, dtype=float)
    z = z - z.max(axis=1, keepdims=True)            # shift each row: exp never overflows
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    p[np.arange(len(p)), y] -= 1.0                  # p - Y, Y the one-hot labels
    return p / len(p)                               # the loss is a mean over the batch


def tanh_delta(delta, W, a):
    # delta: (B, d_l), W: (d_{l-1}, d_l), a = tanh(z_{l-1}): (B, d_{l-1})
    return (np.asarray(delta) @ np.asarray(W).T) * (1.0 - np.asarray(a) ** 2)


def forgiveness(lrs, final_losses, factor):
    # the rates whose run did not diverge (nan) and ends within `factor` of the best loss;
    # the width of that range, in decades (log10 of the largest over the smallest)
    lrs, losses = np.asarray(lrs, dtype=float), np.asarray(final_losses, dtype=float)
    ok = np.isfinite(losses)
    good = lrs[ok][losses[ok] <= factor * losses[ok].min()]
    return float(np.log10(good.max() / good.min()))


SOLUTIONS = {f.__name__: f for f in (output_delta, tanh_delta, forgiveness)}


def _good(lrs, losses, factor, below=np.less_equal):
    lrs, losses = np.asarray(lrs, dtype=float), np.asarray(losses, dtype=float)
    ok = np.isfinite(losses)
    return lrs[ok][below(losses[ok], factor * losses[ok].min())]


def _natural_log_width(lrs, losses, factor):
    good = _good(lrs, losses, factor)
    return float(np.log(good.max() / good.min()))


def _strictly_within(lrs, losses, factor):
    good = _good(lrs, losses, factor, below=np.less)
    return float(np.log10(good.max() / good.min())) if good.size else float("nan")


# --- the exercises ---------------------------------------------------------------------

def _delta_cases(rng):
    cases = []
    for B, k in ((3, 4), (5, 2), (2, 3)):
        cases.append(("random logits", (halves(rng, (B, k)), rng.integers(0, k, B))))
    return cases


def _naive_softmax(logits):
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(np.asarray(logits, dtype=float))
        return e / e.sum(axis=1, keepdims=True)


output_delta = FunctionExercise(
    "output_delta",
    SOLUTIONS["output_delta"],
    chapter=CHAPTER,
    examples=[
        ("two samples, three classes", (np.array([[1.0, 2.0, 0.5], [0.0, 0.0, 0.0]]), np.array([1, 2]))),
        ("one sample", (np.array([[2.0, -1.0]]), np.array([0]))),
        ("large logits (a confident network)", (np.array([[800.0, 0.0, -5.0], [3.0, 900.0, 1.0]]), np.array([1, 1]))),
        ("integer logits", (np.array([[1, 2], [3, 4], [0, 0]]), np.array([0, 1, 1]))),
    ],
    random_cases=_delta_cases,
    hints=[
        "The loss is the mean over the batch of -log softmax(z_i)[y_i]. Differentiate one sample's loss with "
        "respect to its logits first: what do you get for the true class, and for the others?",
        "For one sample the derivative is softmax(z_i) minus the one-hot vector of y_i; the mean divides by B. "
        "Large logits overflow exp: subtract each row's maximum first (softmax does not change).",
        "p = softmax of (logits - logits.max(axis=1, keepdims=True)); p[np.arange(B), y] -= 1; return p / B.",
    ],
    mistakes=[
        (lambda logits, y: SOLUTIONS["output_delta"](logits, y) * len(y),
         "You forgot the 1/B: the loss is the mean over the batch, so each sample's derivative is divided by B."),
        (lambda logits, y: -SOLUTIONS["output_delta"](logits, y),
         "Sign error: the derivative of -log p_y is p - Y (the predicted probabilities minus the one-hot labels)."),
        (lambda logits, y: _naive_softmax(np.asarray(logits) - np.max(logits)) / len(y),
         "You returned the probabilities only: subtract the one-hot labels Y (1 at the true class)."),
    ],
    rtol=1e-9,
    atol=1e-12,
)


def _tanh_cases(rng):
    cases = []
    for B, d_prev, d in ((2, 3, 2), (4, 2, 3), (1, 4, 1)):
        a = np.round(rng.uniform(-0.9, 0.9, (B, d_prev)), 2)
        cases.append(("random delta, W and activations", (halves(rng, (B, d)), halves(rng, (d_prev, d)), a)))
    return cases


tanh_delta = FunctionExercise(
    "tanh_delta",
    SOLUTIONS["tanh_delta"],
    chapter=CHAPTER,
    examples=[
        ("two samples, widths 3 -> 2", (np.array([[1.0, -1.0], [0.5, 2.0]]), np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]),
                                        np.array([[0.0, 0.5, -0.5], [0.9, 0.0, 0.2]]))),
        ("saturated units pass nothing back", (np.array([[1.0]]), np.array([[2.0], [3.0]]), np.array([[1.0, -1.0]]))),
        ("lists", ([[1.0, 2.0]], [[1.0, -1.0], [0.5, 0.5]], [[0.1, 0.2]])),
    ],
    random_cases=_tanh_cases,
    hints=[
        "delta_{l-1} is dJ/dz_{l-1}. Go back through two steps: z_l = a_{l-1} W_l + c_l (what does dJ/da_{l-1} "
        "look like?), then a_{l-1} = tanh(z_{l-1}).",
        "dJ/da_{l-1} = delta_l W_l^T (shapes: (B, d_l) times (d_l, d_{l-1})); tanh'(z) = 1 - tanh(z)^2 = 1 - a^2, "
        "applied elementwise.",
        "(delta @ W.T) * (1 - a**2).",
    ],
    mistakes=[
        (lambda delta, W, a: (np.asarray(delta) @ np.asarray(W).T) * (np.asarray(a) > 0),
         "You used ReLU's slope [a > 0]: this layer is tanh, whose slope is 1 - a^2."),
        (lambda delta, W, a: (np.asarray(delta) @ np.asarray(W).T) * (1.0 - np.tanh(np.asarray(a)) ** 2),
         "You applied tanh to the activation again: a is already tanh(z), so the slope is 1 - a^2."),
        (lambda delta, W, a: np.asarray(delta) @ np.asarray(W).T,
         "You stopped at dJ/da_{l-1}: multiply elementwise by the slope of tanh, 1 - a^2, to get dJ/dz_{l-1}."),
    ],
    rtol=1e-10,
    atol=1e-12,
)


def _forgiveness_cases(rng):
    cases = []
    for K in (6, 7, 9):
        lrs = 10.0 ** (np.arange(K) / 2 - 3)
        centre = rng.integers(1, K - 2)
        losses = np.round(0.2 + 0.1 * rng.integers(1, 4) * (np.arange(K) - centre) ** 2, 2)   # a U over log(lr)
        losses[-1] = np.nan                                 # the largest rate diverged
        cases.append(("a random sweep", (lrs, losses, float(rng.choice([2.0, 3.0, 5.0])))))
    return cases


forgiveness = FunctionExercise(
    "forgiveness",
    SOLUTIONS["forgiveness"],
    chapter=CHAPTER,
    examples=[
        ("a sweep over half decades", (10.0 ** np.arange(-3, 0.5, 0.5), np.array([2.0, 1.0, 0.4, 0.3, 0.5, 0.9, 2.5]),
                                      2.0)),
        ("a diverged run (nan)", (np.array([0.001, 0.01, 0.1, 1.0]), np.array([0.8, 0.3, 0.2, np.nan]), 2.0)),
        ("only the best is good enough", (np.array([0.01, 0.1, 1.0]), np.array([1.0, 0.1, 1.0]), 1.5)),
        ("lists", ([0.001, 0.01, 0.1], [0.5, 0.4, 0.45], 1.3)),
        ("losses exactly at the bound (a tie counts)", (np.array([0.001, 0.01, 0.1, 1.0]),
                                                         np.array([0.5, 0.25, 0.5, np.nan]), 2.0)),
        ("a tie on one side only", (np.array([0.01, 0.1, 1.0, 10.0]), np.array([0.75, 0.25, 0.5, 1.0]), 3.0)),
    ],
    random_cases=_forgiveness_cases,
    hints=[
        "First find the best final loss among the runs that did not diverge (a nan is a diverged run). Which rates "
        "end within `factor` of it?",
        "Keep the rates with a finite loss <= factor * best; the answer is the width of their range on a log "
        "scale: log10(largest / smallest).",
        "ok = np.isfinite(losses); good = lrs[ok][losses[ok] <= factor * losses[ok].min()]; "
        "return np.log10(good.max() / good.min()).",
    ],
    mistakes=[
        (lambda lrs, losses, factor: float(np.sum(np.asarray(losses)[np.isfinite(losses)]
                                                  <= factor * np.nanmin(losses))),
         "You counted the good rates: the question asks for the width of their range in decades, "
         "log10(largest / smallest)."),
        (lambda lrs, losses, factor: float(np.log10(np.max(np.asarray(lrs)[np.asarray(losses) <= factor * np.nanmin(losses)])
                                                    / np.min(lrs))),
         "Your range starts at the smallest rate of the sweep: it must start at the smallest *good* rate."),
        (_strictly_within,
         "You kept only the rates strictly below factor times the best: a loss exactly at that bound is "
         "within it (<=), and such ties happen on some inputs."),
        (_natural_log_width,
         "You took the natural logarithm: the width is asked in decades, log10(largest / smallest)."),
        (lambda lrs, losses, factor: float(np.max(np.asarray(lrs)[np.asarray(losses) <= factor * np.nanmin(losses)])
                                           - np.min(np.asarray(lrs)[np.asarray(losses) <= factor * np.nanmin(losses)])),
         "You measured the range on a linear scale: learning rates are compared by factors, so take "
         "log10(largest / smallest)."),
    ],
    show_expected=False,
    rtol=1e-9,
    atol=1e-12,
)
