r"""Exercises of chapter 11, *Beyond first order, beyond one machine*.

Each exercise is named after the function the learner writes, so a notebook reads
``ch11.newton_iterates.check(newton_iterates)``. The reference solutions are the
functions defined first under the same names (the book shows them with
``literalinclude``); :data:`SOLUTIONS` keeps them reachable after the names are bound
to the exercises.

=====================  =====================================================================
``newton_iterates``    Newton's method on :math:`J(x) = x^4/4 - a x` (a transfer to a new function)
``allreduce_unequal``  the big-batch gradient from shards of unequal sizes
``stale_is_stable``    does gradient descent with a gradient :math:`\tau` steps old converge?
=====================  =====================================================================
"""

import numpy as np

from . import FunctionExercise

__all__ = ["newton_iterates", "allreduce_unequal", "stale_is_stable", "SOLUTIONS"]

CHAPTER = "ch11"


# --- the solutions ---------------------------------------------------------------------

def newton_iterates(a, x0, steps):
    # J'(x) = x^3 - a, J''(x) = 3 x^2: x <- x - J'(x) / J''(x)
    xs = [float(x0)]
    for _ in range(steps):
        x = xs[-1]
        xs.append(x - (x**3 - a) / (3 * x**2))
    return np.array(xs)


def allreduce_unequal(shard_grads, shard_sizes):
    # each shard's mean gradient times its size is that shard's sum; add the sums, divide by all samples
    g = np.asarray(shard_grads, dtype=float)
    n = np.asarray(shard_sizes, dtype=float)
    return (n @ g) / n.sum()


def stale_is_stable(lr_lambda, delay):
    # e_{t+1} = e_t - lr*lambda*e_{t-delay}: characteristic polynomial z^(delay+1) - z^delay + lr*lambda;
    # the iteration converges when every root lies strictly inside the unit circle
    coefficients = np.zeros(delay + 2)
    coefficients[0], coefficients[1], coefficients[-1] = 1.0, -1.0, lr_lambda
    if delay == 0:
        coefficients = np.array([1.0, lr_lambda - 1.0])
    return bool(np.max(np.abs(np.roots(coefficients))) < 1.0)


SOLUTIONS = {f.__name__: f for f in (newton_iterates, allreduce_unequal, stale_is_stable)}


# --- the exercises ---------------------------------------------------------------------

def _newton_cases(rng):
    cases = []
    for _ in range(3):
        a = float(rng.choice([2.0, 5.0, 10.0, 0.5]))
        cases.append(("a random a and start", (a, float(rng.choice([0.8, 1.5, 3.0, 4.0])), int(rng.integers(3, 7)))))
    return cases


newton_iterates = FunctionExercise(
    "newton_iterates",
    SOLUTIONS["newton_iterates"],
    chapter=CHAPTER,
    examples=[
        ("a = 8 from x0 = 3", (8.0, 3.0, 5)),
        ("a = 1 from x0 = 0.5", (1.0, 0.5, 4)),
        ("no steps", (2.0, 1.0, 0)),
        ("integers", (27, 2, 3)),
    ],
    random_cases=_newton_cases,
    hints=[
        "Newton's step is x - J'(x) / J''(x) in one dimension. Differentiate J(x) = x^4/4 - a x twice.",
        "J'(x) = x^3 - a and J''(x) = 3 x^2. Start the list with x0 and append one iterate per step: "
        "steps + 1 numbers in all.",
        "xs = [x0]; repeat steps times: x = xs[-1]; xs.append(x - (x**3 - a) / (3 * x**2)); return np.array(xs).",
    ],
    mistakes=[
        (lambda a, x0, steps: _root_of_J(a, x0, steps),
         "You applied Newton's root-finding step x - J(x)/J'(x) to J itself: that looks for a zero of J. "
         "Minimising J means finding a zero of J', so the step is x - J'(x)/J''(x)."),
    ],
    show_expected=False,
    rtol=1e-9,
    atol=1e-12,
)


def _root_of_J(a, x0, steps):
    xs = [float(x0)]
    with np.errstate(all="ignore"):
        for _ in range(steps):
            x = xs[-1]
            xs.append(x - (x**4 / 4 - a * x) / (x**3 - a))
    return np.array(xs)


def _allreduce_cases(rng):
    cases = []
    for K, d in ((2, 3), (3, 2), (4, 1)):
        sizes = rng.integers(1, 9, K)
        grads = np.round(rng.uniform(-3, 3, (K, d)), 2)
        cases.append(("random shards", (grads, sizes)))
    return cases


allreduce_unequal = FunctionExercise(
    "allreduce_unequal",
    SOLUTIONS["allreduce_unequal"],
    chapter=CHAPTER,
    examples=[
        ("two shards, 3 and 1 samples", (np.array([[1.0, 0.0], [5.0, 4.0]]), np.array([3, 1]))),
        ("equal shards", (np.array([[2.0], [4.0], [0.0]]), np.array([5, 5, 5]))),
        ("one shard", (np.array([[1.5, -2.0, 0.5]]), np.array([7]))),
        ("lists", ([[1.0, 1.0], [3.0, -1.0]], [1, 2])),
    ],
    random_cases=_allreduce_cases,
    hints=[
        "The gradient of the whole batch is the mean over ALL its samples. Each worker sends the mean over "
        "its own shard: how do you get back each shard's sum?",
        "A shard's sum is its size times its mean. Add the sums and divide by the total number of samples.",
        "(shard_sizes @ shard_grads) / sum(shard_sizes), with both as float arrays.",
    ],
    mistakes=[
        (lambda g, n: np.mean(np.asarray(g, dtype=float), axis=0),
         "You averaged the shard means with equal weights, as DDP does: that is the big-batch gradient only "
         "when the shards are equal. Weight each shard by its number of samples."),
        (lambda g, n: np.asarray(n, dtype=float) @ np.asarray(g, dtype=float),
         "You added the shards' sums but did not divide by the number of samples: the loss is a mean."),
    ],
    show_expected=False,
    rtol=1e-9,
    atol=1e-12,
)


def _stale_cases(rng):
    bounds = {0: 2.0, 1: 1.0, 2: 0.618, 3: 0.445, 4: 0.347, 6: 0.241}
    cases = []
    for delay in rng.choice(list(bounds), 4, replace=False):
        factor = float(rng.choice([0.5, 0.8, 0.95, 1.05, 1.25, 1.6]))
        cases.append(("a random delay and rate", (round(factor * bounds[int(delay)], 3), int(delay))))
    return cases


stale_is_stable = FunctionExercise(
    "stale_is_stable",
    SOLUTIONS["stale_is_stable"],
    chapter=CHAPTER,
    examples=[
        ("no delay, stable", (1.5, 0)),
        ("no delay, unstable", (2.5, 0)),
        ("delay 1, stable", (0.9, 1)),
        ("delay 1, unstable", (1.2, 1)),
        ("delay 3, a rate stable without delay", (0.6, 3)),
        ("delay 10, small rate", (0.1, 10)),
        ("delay 2, just above the bound", (0.64, 2)),
        ("delay 3, just above the bound", (0.47, 3)),
    ],
    random_cases=_stale_cases,
    hints=[
        "Write the error recursion e_{t+1} = e_t - (lr*lambda) e_{t-delay} and try e_t = z^t: which polynomial "
        "must z satisfy? The iteration converges when every root has |z| < 1.",
        "The polynomial is z^(delay+1) - z^delay + lr*lambda. np.roots takes its coefficients from the highest "
        "power down: 1, -1, then delay-1 zeros, then lr*lambda (for delay 0: z - 1 + lr*lambda).",
        "Build the coefficient array, take np.roots, and return bool(max |root| < 1). (Or use the chapter's "
        "closed-form bound, if you derived it.)",
    ],
    mistakes=[
        (lambda lam, delay: bool(lam < 2.0),
         "You used the bound without delay, lr*lambda < 2: a stale gradient makes the usable rate much smaller."),
        (lambda lam, delay: bool(lam < 2.0 / (delay + 1)),
         "You guessed the bound 2/(delay+1): close for small delays, but not right. Find the roots of the "
         "characteristic polynomial."),
    ],
    show_expected=False,
)
