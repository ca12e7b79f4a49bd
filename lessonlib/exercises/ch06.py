r"""Exercises of chapter 6, *AdaGrad*.

Each exercise is named after the function the learner writes, so a notebook reads
``ch06.adagrad_step.check(adagrad_step)``. The reference solutions are the functions
defined first under the same names (the book shows them with ``literalinclude``);
:data:`SOLUTIONS` keeps them reachable after the names are bound to the exercises.

=========================  =================================================================
``adagrad_step``           one step: :math:`G \leftarrow G + g^2`, :math:`\theta \leftarrow \theta - \eta g/(\sqrt G + \varepsilon)`
``effective_steps``        the per-coordinate steps :math:`\eta/(\sqrt{G_{t+1}} + \varepsilon)` of a whole run
``adagrad_distance``       the distance travelled in T steps under a constant gradient (:math:`\varepsilon = 0`)
=========================  =================================================================
"""

import math

import numpy as np

from . import FunctionExercise, halves

__all__ = ["adagrad_step", "effective_steps", "adagrad_distance", "SOLUTIONS"]

CHAPTER = "ch06"


# --- the solutions ---------------------------------------------------------------------

def adagrad_step(theta, grad, G, lr, eps):
    G_new = G + grad**2                                     # accumulate first ...
    theta_new = theta - lr * grad / (np.sqrt(G_new) + eps)  # ... then step with the new sum
    return theta_new, G_new


def effective_steps(grads, lr, eps):
    # row k of grads is g_k; row k of the answer is lr / (sqrt(g_0^2 + ... + g_k^2) + eps)
    G = np.cumsum(np.asarray(grads, dtype=float) ** 2, axis=0)
    return lr / (np.sqrt(G) + eps)


def adagrad_distance(lr, T):
    # with g_t = c for every t, G_t = t c^2 after t steps, so step t moves lr * c / (sqrt(t) |c|):
    # lr / sqrt(t) whatever c is; add steps t = 1 .. T
    return lr * sum(1 / math.sqrt(t) for t in range(1, T + 1))


SOLUTIONS = {f.__name__: f for f in (adagrad_step, effective_steps, adagrad_distance)}


def _steps_before_update(grads, lr, eps):
    g2 = np.asarray(grads, dtype=float) ** 2
    G = np.vstack([np.zeros((1,) + g2.shape[1:]), np.cumsum(g2, axis=0)[:-1]])
    with np.errstate(divide="ignore"):
        return lr / (np.sqrt(G) + eps)


# --- the exercises ---------------------------------------------------------------------

def _step_cases(rng):
    cases = []
    for d in (1, 3, 5):
        theta, grad = halves(rng, d), halves(rng, d)
        G = np.round(rng.uniform(0.0, 4.0, d), 2)
        cases.append(("random theta, grad and G", (theta, grad, G, float(rng.choice([0.01, 0.1, 0.5])), 1e-10)))
    return cases


adagrad_step = FunctionExercise(
    "adagrad_step",
    SOLUTIONS["adagrad_step"],
    chapter=CHAPTER,
    examples=[
        ("the first step (G = 0)", (np.array([1.0, -2.0]), np.array([0.5, -4.0]), np.zeros(2), 0.1, 1e-10)),
        ("a later step", (np.array([1.0, -2.0]), np.array([0.5, -4.0]), np.array([1.0, 9.0]), 0.1, 1e-10)),
        ("a coordinate with zero gradient so far", (np.array([0.5, 0.5]), np.array([0.0, 2.0]), np.array([0.0, 4.0]),
                                                    0.5, 1e-10)),
        ("a large eps", (np.array([0.0, 0.0]), np.array([1.0, -1.0]), np.array([3.0, 0.0]), 1.0, 1.0)),
        ("eps = 0.5", (np.array([2.0, 0.0, -1.0]), np.array([-1.0, 0.5, 2.0]), np.array([0.0, 1.0, 5.0]), 0.2, 0.5)),
    ],
    random_cases=_step_cases,
    hints=[
        "Two things change: the accumulator G (a running sum of what?) and theta. In which order?",
        "G gains the elementwise square of the gradient, grad**2, before the step; every coordinate gets its "
        "own step lr / (sqrt(G) + eps).",
        "G_new = G + grad**2, theta_new = theta - lr * grad / (np.sqrt(G_new) + eps); return (theta_new, G_new).",
    ],
    mistakes=[
        (lambda theta, grad, G, lr, eps: (theta - lr * grad / (np.sqrt(G) + eps), G + grad**2),
         "You stepped with the old accumulator G: the current gradient's square is added first, so the "
         "first step is lr * sign(grad), not a division by eps."),
        (lambda theta, grad, G, lr, eps: (theta - lr * grad / (G + grad**2 + eps), G + grad**2),
         "You divided by G itself: the step divides by its square root, sqrt(G) + eps (the root keeps the "
         "step independent of the gradient's scale)."),
        (lambda theta, grad, G, lr, eps: (theta - lr * grad / (np.sqrt(grad**2) + eps), grad**2),
         "Your G forgets the past: it holds only the current grad**2. AdaGrad adds it to the running sum G."),
        (lambda theta, grad, G, lr, eps: (theta - lr * grad / (np.sqrt(np.sum(G + grad**2)) + eps), G + grad**2),
         "You used one accumulator for all coordinates (a sum over the vector): AdaGrad keeps one per "
         "coordinate, elementwise."),
        (lambda theta, grad, G, lr, eps: (theta - lr * grad / np.sqrt(G + grad**2 + eps), G + grad**2),
         "You put eps inside the square root: in AdaGrad (the paper and torch) it is added after it, "
         "sqrt(G) + eps."),
    ],
    rtol=1e-10,
    atol=1e-12,
)


def _effective_cases(rng):
    cases = []
    for T, d in ((4, 2), (7, 3), (10, 1)):
        grads = halves(rng, (T, d))
        grads[0, 0] = 1.5          # no coordinate starts at an exact zero
        cases.append(("random gradients", (grads, float(rng.choice([0.05, 0.1, 1.0])), 1e-8)))
    return cases


effective_steps = FunctionExercise(
    "effective_steps",
    SOLUTIONS["effective_steps"],
    chapter=CHAPTER,
    examples=[
        ("three steps of one coordinate with gradient 2", (np.array([[2.0], [2.0], [2.0]]), 1.0, 0.0)),
        ("two coordinates, one rare", (np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 3.0], [1.0, 0.0]]), 0.1, 1e-8)),
        ("nested lists", ([[0.5, -1.0], [0.5, 1.0]], 0.1, 1e-8)),
        ("a single step", (np.array([[3.0, -4.0]]), 0.5, 1e-8)),
    ],
    random_cases=_effective_cases,
    hints=[
        "Row t of the answer needs the accumulator after step t's gradient has been added: "
        "the sum of squares of rows 0 .. t, per column.",
        "A running sum down the rows is np.cumsum(..., axis=0) (or a loop that keeps G and appends a row).",
        "lr / (np.sqrt(np.cumsum(np.asarray(grads) ** 2, axis=0)) + eps).",
    ],
    mistakes=[
        (lambda grads, lr, eps: lr / (np.sqrt(np.cumsum(np.abs(np.asarray(grads, float)), axis=0)) + eps),
         "You accumulated |g| instead of g**2: AdaGrad sums squared gradients."),
        (lambda grads, lr, eps: lr / (np.cumsum(np.asarray(grads, float) ** 2, axis=0) + eps),
         "You forgot the square root of the accumulator: the step is lr / (sqrt(G_t) + eps)."),
        (lambda grads, lr, eps: lr / (np.sqrt(np.cumsum(np.asarray(grads, float) ** 2, axis=1)) + eps),
         "You summed along the wrong axis: rows are time steps, columns coordinates; accumulate down the "
         "rows (axis=0)."),
        (lambda grads, lr, eps: lr / (np.sqrt(np.asarray(grads, float) ** 2) + eps),
         "Your accumulator holds only the current step's g**2: AdaGrad sums all past squares."),
        (_steps_before_update,
         "Your row k divides by the accumulator before g_k is added (G_k, zero at the start): AdaGrad adds "
         "the current squared gradient first, so step k uses G_{k+1}, which includes g_k."),
    ],
    rtol=1e-10,
    atol=1e-12,
)


def _distance_cases(rng):
    return [("random lr and T", (float(rng.choice([0.01, 0.1, 0.3])), int(rng.integers(2, 500)))) for _ in range(4)]


adagrad_distance = FunctionExercise(
    "adagrad_distance",
    SOLUTIONS["adagrad_distance"],
    chapter=CHAPTER,
    examples=[
        ("one step", (0.1, 1)),
        ("four steps", (1.0, 4)),
        ("a long run", (0.01, 10_000)),
    ],
    random_cases=_distance_cases,
    hints=[
        "Take eps = 0 and a gradient c in every step. What is G after t steps, and how far does step t move?",
        "After t steps G = t c**2, so step t moves lr * |c| / (sqrt(t) |c|) = lr / sqrt(t): c cancels.",
        "Add lr / sqrt(t) for t = 1, ..., T (a loop, or lr * np.sum(1 / np.sqrt(np.arange(1, T + 1)))).",
    ],
    mistakes=[
        (lambda lr, T: 2 * lr * math.sqrt(T),
         "2 lr sqrt(T) is the integral approximation of the sum, not its value: add lr / sqrt(t) for "
         "t = 1 .. T exactly."),
        (lambda lr, T: lr * T,
         "lr * T is what SGD would travel with a unit gradient: AdaGrad's step t is lr / sqrt(t)."),
        (lambda lr, T: lr * sum(1 / t for t in range(1, T + 1)),
         "You used 1/t: after t steps the accumulator is t c**2, and the step divides by its square root, "
         "so step t is lr / sqrt(t)."),
        (lambda lr, T: lr * sum(1 / math.sqrt(t) for t in range(1, T)),
         "Off by one: the sum has T terms, t = 1 .. T (range(1, T + 1))."),
    ],
    rtol=1e-9,
    atol=1e-12,
)
