r"""Exercises of chapter 7, *RMSProp*.

Each exercise is named after the function the learner writes, so a notebook reads
``ch07.rmsprop_step.check(rmsprop_step)``. The reference solutions are the functions
defined first under the same names (the book shows them with ``literalinclude``);
:data:`SOLUTIONS` keeps them reachable after the names are bound to the exercises.

=====================  =====================================================================
``rmsprop_step``       one step: :math:`v \leftarrow \beta v + (1-\beta) g^2`, :math:`\theta \leftarrow \theta - \eta g/(\sqrt v + \varepsilon)`
``transient_length``   how many steps the start-up transient lasts, for a given tolerance
``centred_steps``      the steps of centred RMSProp over a whole sequence of gradients
=====================  =====================================================================
"""

import math

import numpy as np

from . import FunctionExercise, halves

__all__ = ["rmsprop_step", "transient_length", "centred_steps", "SOLUTIONS"]

CHAPTER = "ch07"


# --- the solutions ---------------------------------------------------------------------

def rmsprop_step(theta, grad, v, lr, beta, eps):
    v_new = beta * v + (1 - beta) * grad**2                 # a moving average, not a sum
    theta_new = theta - lr * grad / (np.sqrt(v_new) + eps)  # divided by the root of the new average
    return theta_new, v_new


def transient_length(beta, tol):
    # constant gradient: v_t = (1 - beta^t) g^2, so step t is lr / sqrt(1 - beta^t) times sign(g);
    # the first t with 1 / sqrt(1 - beta^t) <= 1 + tol
    t = 1
    while 1 / math.sqrt(1 - beta**t) > 1 + tol:
        t += 1
    return t


def centred_steps(grads, lr, beta, eps):
    # row k of grads is g_k; row k of the answer is the step theta_{k+1} - theta_k
    grads = np.asarray(grads, dtype=float)
    m, v = np.zeros(grads.shape[1:]), np.zeros(grads.shape[1:])
    steps = np.empty_like(grads)
    for k, g in enumerate(grads):
        m = beta * m + (1 - beta) * g
        v = beta * v + (1 - beta) * g**2
        steps[k] = -lr * g / (np.sqrt(v - m**2) + eps)
    return steps


SOLUTIONS = {f.__name__: f for f in (rmsprop_step, transient_length, centred_steps)}


# --- the exercises ---------------------------------------------------------------------

def _step_cases(rng):
    cases = []
    for d in (1, 3, 5):
        theta, grad = halves(rng, d), halves(rng, d)
        v = np.round(rng.uniform(0.0, 4.0, d), 2)
        cases.append(("random theta, grad and v", (theta, grad, v, float(rng.choice([0.01, 0.1, 0.5])),
                                                   float(rng.choice([0.5, 0.9, 0.99])), 1e-8)))
    return cases


rmsprop_step = FunctionExercise(
    "rmsprop_step",
    SOLUTIONS["rmsprop_step"],
    chapter=CHAPTER,
    examples=[
        ("the first step (v = 0)", (np.array([1.0, -2.0]), np.array([0.5, -4.0]), np.zeros(2), 0.1, 0.9, 1e-8)),
        ("a later step", (np.array([1.0, -2.0]), np.array([0.5, -4.0]), np.array([1.0, 9.0]), 0.1, 0.9, 1e-8)),
        ("beta = 0.5 and a large eps", (np.array([0.0, 1.0]), np.array([1.0, -2.0]), np.array([4.0, 0.25]), 0.5, 0.5,
                                        1.0)),
        ("integer inputs", (np.array([1, 2, 3]), np.array([2, 0, -2]), np.array([1, 1, 1]), 0.01, 0.99, 1e-8)),
    ],
    random_cases=_step_cases,
    hints=[
        "AdaGrad kept a running sum of squared gradients. What does RMSProp keep instead, and with which weights?",
        "v_new is a moving average: beta times the old v plus (1 - beta) times grad**2; then every coordinate "
        "steps by lr * grad / (sqrt(v_new) + eps).",
        "v_new = beta * v + (1 - beta) * grad**2; theta_new = theta - lr * grad / (np.sqrt(v_new) + eps); "
        "return (theta_new, v_new).",
    ],
    mistakes=[
        (lambda theta, grad, v, lr, beta, eps: (theta - lr * grad / (np.sqrt(v + grad**2) + eps), v + grad**2),
         "You added grad**2 to v as AdaGrad does: RMSProp keeps a moving average, beta * v + (1 - beta) * grad**2."),
        (lambda theta, grad, v, lr, beta, eps: (theta - lr * grad / (np.sqrt((1 - beta) * v + beta * grad**2) + eps),
                                                (1 - beta) * v + beta * grad**2),
         "Your weights are swapped: the old average keeps the weight beta (close to 1), the new square gets 1 - beta."),
        (lambda theta, grad, v, lr, beta, eps: (theta - lr * grad / (np.sqrt(v) + eps), beta * v + (1 - beta) * grad**2),
         "You stepped with the old v: update the average with the current gradient first, then divide by its root."),
        (lambda theta, grad, v, lr, beta, eps: (theta - lr * grad / np.sqrt(beta * v + (1 - beta) * grad**2 + eps),
                                                beta * v + (1 - beta) * grad**2),
         "You put eps inside the square root (as Keras and optax do): this chapter, like torch, adds it after "
         "the root, sqrt(v) + eps."),
        (lambda theta, grad, v, lr, beta, eps: (theta - lr * grad / (beta * v + (1 - beta) * grad**2 + eps),
                                                beta * v + (1 - beta) * grad**2),
         "You divided by v itself: the step divides by its square root, the root mean square of the gradient."),
    ],
    rtol=1e-10,
    atol=1e-12,
)


def _transient_cases(rng):
    return [("random beta and tolerance", (float(rng.choice([0.8, 0.9, 0.95, 0.98, 0.99, 0.995])),
                                           float(rng.choice([0.01, 0.02, 0.05, 0.2, 0.5]))))
            for _ in range(4)]


transient_length = FunctionExercise(
    "transient_length",
    SOLUTIONS["transient_length"],
    chapter=CHAPTER,
    examples=[
        ("beta = 0.9, within 10%", (0.9, 0.1)),
        ("beta = 0.99, within 10%", (0.99, 0.1)),
        ("beta = 0.999, within 1%", (0.999, 0.01)),
        ("beta = 0: no memory, no transient", (0.0, 0.1)),
        ("a loose tolerance", (0.9, 3.0)),
    ],
    random_cases=_transient_cases,
    hints=[
        "Under a constant gradient g, what is v_t after t steps from v_0 = 0, and so how long is step t compared "
        "with lr?",
        "v_t = (1 - beta^t) g^2, so step t is lr / sqrt(1 - beta^t): find the first t >= 1 where "
        "1 / sqrt(1 - beta^t) <= 1 + tol.",
        "Count t up from 1 while 1 / math.sqrt(1 - beta**t) > 1 + tol (or solve beta^t <= 1 - 1/(1 + tol)^2 "
        "with logarithms and round up).",
    ],
    mistakes=[
        (lambda beta, tol: next(t for t in range(1, 10**6) if 1 / (1 - beta**t) <= 1 + tol),
         "You compared 1 / (1 - beta^t): the step divides by the square root of v, so the factor is "
         "1 / sqrt(1 - beta^t)."),
        (lambda beta, tol: max(1, round(1 / (1 - beta))),
         "1 / (1 - beta) is the window of the average, a rough time scale; the question asks for the first step "
         "whose factor is within the tolerance."),
        (lambda beta, tol: next(t for t in range(1, 10**6) if 1 / math.sqrt(1 - beta**t) <= 1 + tol) - 1,
         "Off by one: return the first step t that is within the tolerance (t counts the gradients, from t = 1 for the first step)."),
    ],
    show_expected=False,
    rtol=0,
    atol=0,
)


def _centred_cases(rng):
    cases = []
    for T, d in ((4, 2), (6, 1), (5, 3)):
        grads = halves(rng, (T, d))
        grads[0] = 1.5          # a nonzero first gradient: v - m^2 > 0 from the first step
        cases.append(("random gradients", (grads, float(rng.choice([0.01, 0.1])), float(rng.choice([0.5, 0.9])),
                                           1e-8)))
    return cases


centred_steps = FunctionExercise(
    "centred_steps",
    SOLUTIONS["centred_steps"],
    chapter=CHAPTER,
    examples=[
        ("three steps of one coordinate", (np.array([[1.0], [2.0], [-1.0]]), 0.1, 0.9, 1e-8)),
        ("two coordinates", (np.array([[1.0, -2.0], [1.0, 2.0], [0.5, 0.0], [1.0, -1.0]]), 0.01, 0.5, 1e-8)),
        ("nested lists", ([[2.0, 1.0], [0.0, -1.0]], 0.1, 0.9, 1e-3)),
    ],
    random_cases=_centred_cases,
    hints=[
        "Centred RMSProp keeps two moving averages per coordinate, started at 0. Of what? And what does "
        "v - m^2 estimate?",
        "Each step: m <- beta m + (1 - beta) g, v <- beta v + (1 - beta) g^2, both before the step; then the "
        "step is -lr * g / (sqrt(v - m**2) + eps). Row k of the answer uses g = grads[k].",
        "Loop over the rows with m and v as arrays of zeros (one entry per column), update both, and store "
        "-lr * g / (np.sqrt(v - m**2) + eps) as row k.",
    ],
    mistakes=[
        (lambda grads, lr, beta, eps: _uncentred(grads, lr, beta, eps),
         "Your steps are not centred: divide by sqrt(v - m^2), the estimated standard deviation, not by sqrt(v)."),
        (lambda grads, lr, beta, eps: _centred_variant(grads, lr, beta, eps, root_first=True),
         "You took sqrt(v) - m: the spread is v - m^2 under one square root, sqrt(v - m**2)."),
        (lambda grads, lr, beta, eps: _centred_variant(grads, lr, beta, eps, eps_inside=True),
         "You put eps inside the square root, sqrt(v - m**2 + eps), as Graves writes it: this chapter (and "
         "torch) adds it after the root, sqrt(v - m**2) + eps."),
        (lambda grads, lr, beta, eps: _centred_variant(grads, lr, beta, eps, old_m=True),
         "You used m from before this step: update both averages with the current gradient, then divide."),
    ],
    rtol=1e-9,
    atol=1e-12,
)


def _uncentred(grads, lr, beta, eps):
    grads = np.asarray(grads, dtype=float)
    v = np.zeros(grads.shape[1:])
    out = np.empty_like(grads)
    for k, g in enumerate(grads):
        v = beta * v + (1 - beta) * g**2
        out[k] = -lr * g / (np.sqrt(v) + eps)
    return out


def _centred_variant(grads, lr, beta, eps, root_first=False, old_m=False, eps_inside=False):
    grads = np.asarray(grads, dtype=float)
    m, v = np.zeros(grads.shape[1:]), np.zeros(grads.shape[1:])
    out = np.empty_like(grads)
    for k, g in enumerate(grads):
        m_before = m
        m = beta * m + (1 - beta) * g
        v = beta * v + (1 - beta) * g**2
        mm = m_before if old_m else m
        spread = np.maximum(v - mm**2, 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            if root_first:
                denom = np.sqrt(v) - mm + eps
            elif eps_inside:
                denom = np.sqrt(spread + eps)
            else:
                denom = np.sqrt(spread) + eps
            out[k] = -lr * g / denom
    return out
