r"""Exercises of chapter 10, *Choosing and monitoring the learning rate*.

Each exercise is named after the function the learner writes, so a notebook reads
``ch10.clip_global_norm.check(clip_global_norm)``. The reference solutions are the
functions defined first under the same names (the book shows them with
``literalinclude``); :data:`SOLUTIONS` keeps them reachable after the names are bound
to the exercises.

=====================  =====================================================================
``clip_global_norm``   clip by norm across the arrays of several layers at once
``largest_stable_lr``  :math:`(2 + 2\beta)/\lambda_{\max}(H)` for heavy-ball momentum on a quadratic
``smoothed_losses``    the range test's bias-corrected moving average of the losses
=====================  =====================================================================
"""

import numpy as np

from . import FunctionExercise, halves

__all__ = ["clip_global_norm", "largest_stable_lr", "smoothed_losses", "SOLUTIONS"]

CHAPTER = "ch10"


# --- the solutions ---------------------------------------------------------------------

def clip_global_norm(grads, max_norm):
    # one norm over every entry of every array: the length of the whole gradient
    total = np.sqrt(sum(np.sum(np.square(g)) for g in grads))
    scale = min(1.0, max_norm / total) if total > 0 else 1.0
    return tuple(scale * np.asarray(g, dtype=float) for g in grads)


def largest_stable_lr(H, momentum):
    # heavy ball on a quadratic is stable for 0 < lr * lambda < 2 + 2 * momentum, for every
    # eigenvalue lambda of H: the largest eigenvalue sets the limit
    L = np.linalg.eigvalsh(np.asarray(H, dtype=float)).max()
    return float((2 + 2 * momentum) / L)


def smoothed_losses(losses, beta):
    # m_{t+1} = beta m_t + (1 - beta) loss_t from m_0 = 0, divided by 1 - beta^(t+1)
    out, m = [], 0.0
    for t, loss in enumerate(losses):
        m = beta * m + (1 - beta) * loss
        out.append(m / (1 - beta ** (t + 1)))
    return np.array(out)


SOLUTIONS = {f.__name__: f for f in (clip_global_norm, largest_stable_lr, smoothed_losses)}


# --- the exercises ---------------------------------------------------------------------

def _clip_cases(rng):
    cases = []
    for shapes, c in ((((2, 3), (3,)), 1.0), (((4,), (2, 2), (1,)), 2.5), (((3, 2),), 0.5)):
        grads = [halves(rng, s) for s in shapes]
        cases.append(("random layers", (grads, c)))
    return cases


def _clip_each(grads, max_norm):
    out = []
    for g in grads:
        g = np.asarray(g, dtype=float)
        n = np.linalg.norm(g)
        out.append(g * min(1.0, max_norm / n) if n > 0 else g)
    return tuple(out)


clip_global_norm = FunctionExercise(
    "clip_global_norm",
    SOLUTIONS["clip_global_norm"],
    chapter=CHAPTER,
    examples=[
        ("two layers, too long", ([np.array([[3.0, 0.0], [0.0, 0.0]]), np.array([4.0, 0.0])], 1.0)),
        ("already short enough", ([np.array([0.3, -0.4]), np.array([[0.1]])], 1.0)),
        ("one layer", ([np.array([6.0, 8.0, 0.0])], 5.0)),
        ("a short gradient", ([np.array([0.5]), np.array([-0.5, 0.5])], 2.0)),
        ("a layer of zeros", ([np.zeros(3), np.array([0.0, 12.0])], 3.0)),
        ("lists", ([[1.0, 1.0], [1.0, 1.0]], 1.0)),
    ],
    random_cases=_clip_cases,
    hints=[
        "Treat all the arrays as ONE long gradient vector: what is its length? Clipping by norm keeps "
        "the direction of that whole vector.",
        "The global norm is the square root of the sum of the squares of every entry of every array. "
        "If it exceeds max_norm, every array is multiplied by the same factor.",
        "total = sqrt(sum of np.sum(g**2) over the arrays); factor = min(1, max_norm / total); "
        "return a tuple (or list) of factor * g.",
    ],
    mistakes=[
        (_clip_each,
         "You clipped each layer by its own norm: that changes the direction of the whole gradient "
         "(layers are scaled by different factors). Use one norm over all the arrays."),
        (lambda grads, c: tuple(np.clip(np.asarray(g, dtype=float), -c, c) for g in grads),
         "You clipped each entry by value: clipping by norm keeps the direction and caps the length."),
        (lambda grads, c: tuple(np.asarray(g, dtype=float) * c / np.sqrt(sum(np.sum(np.square(h)) for h in grads))
                                for g in grads),
         "You rescaled every gradient to length max_norm, also the short ones: a gradient already "
         "shorter than max_norm must pass unchanged."),
    ],
    show_expected=False,
    rtol=1e-9,
    atol=1e-12,
)


def _stable_cases(rng):
    cases = []
    for d in (2, 3, 4):
        Q = np.linalg.qr(rng.standard_normal((d, d)))[0]
        eig = np.round(rng.uniform(0.5, 20.0, d), 1)
        cases.append(("a random positive definite H", (Q @ np.diag(eig) @ Q.T, float(rng.choice([0.0, 0.5, 0.9])))))
    return cases


largest_stable_lr = FunctionExercise(
    "largest_stable_lr",
    SOLUTIONS["largest_stable_lr"],
    chapter=CHAPTER,
    examples=[
        ("diagonal H, no momentum", (np.diag([1.0, 10.0]), 0.0)),
        ("diagonal H, momentum 0.9", (np.diag([1.0, 10.0]), 0.9)),
        ("a coupled H", (np.array([[2.0, 1.0], [1.0, 2.0]]), 0.5)),
        ("lists", ([[4.0, 0.0], [0.0, 1.0]], 0.0)),
    ],
    random_cases=_stable_cases,
    hints=[
        "On a quadratic every eigen-direction of H evolves on its own. For which rates is each "
        "direction stable, with momentum beta (chapter 5)?",
        "Heavy ball is stable in a direction of eigenvalue lambda when 0 < lr * lambda < 2 + 2 beta. "
        "Which eigenvalue gives the tightest limit? H need not be diagonal.",
        "L = np.linalg.eigvalsh(H).max(); return (2 + 2 * momentum) / L.",
    ],
    mistakes=[
        (lambda H, beta: float(2 / np.linalg.eigvalsh(np.asarray(H, dtype=float)).max()),
         "You used gradient descent's limit 2/L: momentum widens it (chapter 5)."),
        (lambda H, beta: float((2 + 2 * beta) / np.max(np.diag(np.asarray(H, dtype=float)))),
         "You read L off the diagonal of H: for a coupled H the largest eigenvalue is larger than "
         "the largest diagonal entry."),
        (lambda H, beta: float((2 + 2 * beta) / np.linalg.eigvalsh(np.asarray(H, dtype=float)).min()),
         "You used the smallest eigenvalue: the stiffest direction (the largest eigenvalue) is the "
         "first to blow up."),
    ],
    show_expected=False,
    rtol=1e-9,
    atol=1e-12,
)


def _smooth_cases(rng):
    cases = []
    for T in (5, 12, 30):
        losses = np.round(2.0 * np.exp(-np.arange(T) / 8) + 0.1 * rng.standard_normal(T), 3)
        cases.append(("noisy falling losses", (losses, float(rng.choice([0.5, 0.8, 0.9])))))
    return cases


smoothed_losses = FunctionExercise(
    "smoothed_losses",
    SOLUTIONS["smoothed_losses"],
    chapter=CHAPTER,
    examples=[
        ("a constant loss stays constant", (np.full(5, 2.0), 0.9)),
        ("three losses", (np.array([3.0, 1.0, 2.0]), 0.5)),
        ("beta = 0: no smoothing", (np.array([1.0, 4.0, 2.0]), 0.0)),
        ("lists", ([2.5, 2.0, 1.5, 1.8], 0.8)),
    ],
    random_cases=_smooth_cases,
    hints=[
        "This is chapter 5's exponential moving average of the losses, started at m_0 = 0. What does "
        "an average started at 0 give for a constant loss, and how did Adam fix it?",
        "m_{t+1} = beta m_t + (1 - beta) loss_t; entry t of the answer is m_{t+1} / (1 - beta^(t+1)), "
        "so the first entry is the first loss itself.",
        "Loop over enumerate(losses): update m, append m / (1 - beta ** (t + 1)); return an array.",
    ],
    mistakes=[
        (lambda losses, beta: SOLUTIONS["smoothed_losses"](losses, beta)
         * (1 - beta ** np.arange(1, len(losses) + 1)),
         "You forgot the bias correction: an average started at 0 is too small in the first steps; "
         "divide by 1 - beta^(t+1)."),
        (lambda losses, beta: SOLUTIONS["smoothed_losses"](losses, 1 - beta),
         "Your weights are swapped: beta weights the old average, 1 - beta the new loss."),
        (lambda losses, beta: np.cumsum(losses) / np.arange(1, len(losses) + 1),
         "You computed the running mean of all the losses so far: a moving average weights the recent "
         "losses more (weights (1 - beta) beta^k), so it follows the falling loss."),
    ],
    rtol=1e-9,
    atol=1e-12,
)
