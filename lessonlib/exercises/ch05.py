r"""Exercises of chapter 5, *Momentum*.

Each exercise is named after the function the learner writes, so a notebook reads
``ch05.debiased_ema.check(debiased_ema)``. The reference solutions are the functions
defined first under the same names (the book shows them with ``literalinclude``);
:data:`SOLUTIONS` keeps them reachable after the names are bound to the exercises.

Besides the chapter's examples and edge cases, every check draws fresh random cases
(in round numbers, so a failing case can be pasted) each time it runs.
"""

import numpy as np

from . import FunctionExercise, halves
from .ch02 import _spd, quadratic_grad

CHAPTER = "ch05"

__all__ = ["debiased_ema", "momentum_max_lr", "heavy_ball_rate", "velocity_momentum", "SOLUTIONS",
           "grad_square"]


# --- the solutions ---------------------------------------------------------------------

def debiased_ema(xs, beta):
    m, out = 0.0, []
    for t, x in enumerate(xs, start=1):      # after x_0 the average holds t = 1 value
        m = beta * m + (1 - beta) * x
        out.append(m / (1 - beta**t))
    return np.array(out)


def momentum_max_lr(A, beta):
    L = np.linalg.eigvalsh(A)[-1]            # the stiffest direction binds first
    return 2 * (1 + beta) / L


def heavy_ball_rate(lr, beta, eigenvalues):
    rate = 0.0
    for lam in eigenvalues:
        roots = np.roots([1.0, -(1 + beta - lr * lam), beta])   # the roots of p(zeta)
        rate = max(rate, np.max(np.abs(roots)))
    return rate


def velocity_momentum(grad, theta0, lrs, beta):
    theta = np.asarray(theta0, dtype=float)
    u = np.zeros_like(theta)
    for lr in lrs:                           # lrs[t] is the learning rate of step t
        u = beta * u - lr * grad(theta)      # each step keeps the lr it was taken with
        theta = theta + u
    return theta


SOLUTIONS = {f.__name__: f for f in (debiased_ema, momentum_max_lr, heavy_ball_rate, velocity_momentum)}


# --- functions used as test cases and typical mistakes ------------------------------------

def grad_square(theta):
    """Gradient of J = theta**2 / 2."""
    return 1.0 * theta


def _step_schedule(lr0, drop_at, steps):
    return [lr0 if t < drop_at else lr0 / 10 for t in range(steps)]


def _buffer_form(grad, theta0, lrs, beta):
    theta = np.asarray(theta0, dtype=float)
    b = np.zeros_like(theta)
    for lr in lrs:
        b = beta * b + grad(theta)
        theta = theta - lr * b
    return theta


def _old_velocity(grad, theta0, lrs, beta):
    theta = np.asarray(theta0, dtype=float)
    u = np.zeros_like(theta)
    for lr in lrs:
        theta_new = theta + u
        u = beta * u - lr * grad(theta)
        theta = theta_new
    return theta


def _raw_ema(xs, beta):
    m, out = 0.0, []
    for x in xs:
        m = beta * m + (1 - beta) * x
        out.append(m)
    return np.array(out)


def _ema_power(shift):
    def wrong(xs, beta):
        with np.errstate(divide="ignore", invalid="ignore"):
            return _raw_ema(xs, beta) / (1 - beta ** (np.arange(1, len(xs) + 1) + shift))
    return wrong


def _swapped_ema(xs, beta):
    with np.errstate(divide="ignore", invalid="ignore"):
        return SOLUTIONS["debiased_ema"](xs, 1 - beta)


def _hb_rate_where(lr, beta, lams):
    return max(np.max(np.abs(np.roots([1.0, -(1 + beta - lr * lam), beta]))) for lam in lams)


def _plus_root_only(lr, beta, lams):
    roots = []
    for lam in lams:
        a = 1 + beta - lr * lam
        roots.append(abs((a + np.sqrt(complex(a * a - 4 * beta))) / 2))
    return max(roots)


# --- the exercises ---------------------------------------------------------------------

def _ema_cases(rng):
    return [(f"random values, beta = {beta}", ([float(x) for x in halves(rng, int(rng.integers(4, 10)))], beta))
            for beta in (float(b) for b in rng.choice([0.5, 0.8, 0.9, 0.95, 0.99], size=3))]


debiased_ema = FunctionExercise(
    "debiased_ema",
    SOLUTIONS["debiased_ema"],
    chapter=CHAPTER,
    examples=[
        ("a constant input (the corrected average must equal it from the first value)", ([2.0, 2.0, 2.0, 2.0], 0.9)),
        ("a step from 0 to 1", ([0.0, 0.0, 1.0, 1.0, 1.0, 1.0], 0.5)),
        ("beta = 0.99, five values", ([1.0, 2.0, 3.0, 4.0, 5.0], 0.99)),
        ("a single value (its corrected average is itself)", ([3.5], 0.9)),
    ],
    random_cases=_ema_cases,
    hints=[
        "Run the moving average from m = 0 over the values, and after each value divide by the total weight "
        "that the values seen so far carry. How much weight do t values carry?",
        "After t values the weights (1 - beta) * beta**k, k = 0 .. t-1, add up to 1 - beta**t (a geometric "
        "series): divide m_t by that. Count t from 1 for the first value.",
        "m = 0; for t, x in enumerate(xs, start=1): m = beta*m + (1 - beta)*x; append m / (1 - beta**t).",
    ],
    mistakes=[
        (_raw_ema, "You returned the plain moving average m_t: it is biased towards its zero start. "
                   "Divide each m_t by the total weight of its terms."),
        (_ema_power(1), "Your correction uses beta**(t+1): after the first value the weights add up to 1 - beta "
                        "(one term), so the exponent is the number of values averaged, counting from 1."),
        (lambda xs, beta: _raw_ema(xs, beta) / (1 - beta),
         "You divided by 1 - beta, the newest value's weight: that turns the average into momentum's buffer "
         "(a sum), not an unbiased average. The correct factor depends on t."),
        (_swapped_ema, "You swapped beta and 1 - beta: beta multiplies the old average, 1 - beta the new value."),
    ],
    rtol=1e-9,
    atol=1e-12,
)


def _lr_cases(rng):
    return [(f"a random {d}x{d} Hessian", (_spd(rng, d), float(rng.choice([0.5, 0.8, 0.9, 0.95]))))
            for d in (2, 3, 3)]


momentum_max_lr = FunctionExercise(
    "momentum_max_lr",
    SOLUTIONS["momentum_max_lr"],
    chapter=CHAPTER,
    examples=[
        ("a diagonal Hessian, beta = 0.9", (np.array([[4.0, 0.0], [0.0, 1.0]]), 0.9)),
        ("an integer Hessian with off-diagonal entries, beta = 0.5", (np.array([[5, 2], [2, 2]]), 0.5)),
        ("no momentum (beta = 0): gradient descent", (np.array([[2.0, 0.0], [0.0, 8.0]]), 0.0)),
    ],
    random_cases=_lr_cases,
    hints=[
        "Work one eigenvalue lambda at a time: momentum's 2x2 matrix has the characteristic polynomial "
        "p(zeta) = zeta**2 - (1 + beta - lr*lambda) zeta + beta. When are both roots inside the unit circle?",
        "Both roots are inside the unit circle iff p(1) > 0, p(-1) > 0 and beta < 1. Write p(-1) out: which "
        "eigenvalue makes it fail first as lr grows?",
        "p(-1) = 2 + 2*beta - lr*lambda > 0 for every eigenvalue, so lr < 2*(1 + beta) / L with L the largest "
        "eigenvalue (np.linalg.eigvalsh(A)[-1]).",
    ],
    mistakes=[
        (lambda A, beta: 2 / np.linalg.eigvalsh(A)[-1],
         "You returned 2/L, plain gradient descent's limit: momentum widens the stable range. Evaluate p(-1)."),
        (lambda A, beta: 2 * (1 - beta) / np.linalg.eigvalsh(A)[-1],
         "You returned 2(1 - beta)/L: keeping the long-run step lr/(1 - beta) below 2/L is a reasonable "
         "tuning rule, but it is not the stability limit; evaluate p(-1)."),
        (lambda A, beta: 2 * (1 + beta) / np.linalg.eigvalsh(A)[0],
         "You used the smallest eigenvalue: the stiffest direction (the largest eigenvalue) fails first."),
        (lambda A, beta: 2 * (1 + beta) / ((1 + 2 * beta) * np.linalg.eigvalsh(A)[-1]),
         "That is Nesterov momentum's limit; this exercise is about heavy ball."),
        (lambda A, beta: 2 * (1 + beta) / np.max(np.diag(A)),
         "You used the largest diagonal entry of A: it equals the largest eigenvalue only when A is "
         "diagonal. Use np.linalg.eigvalsh(A)."),
    ],
    rtol=1e-9,
    show_expected=False,
)


def _rate_cases(rng):
    cases = []
    for _ in range(3):
        lams = [float(x) for x in np.sort(rng.integers(1, 41, 3) / 2)]
        cases.append(("random eigenvalues", (float(rng.choice([0.01, 0.02, 0.05, 0.1])),
                                             float(rng.choice([0.0, 0.25, 0.5, 0.81, 0.9])), lams)))
    return cases


heavy_ball_rate = FunctionExercise(
    "heavy_ball_rate",
    SOLUTIONS["heavy_ball_rate"],
    chapter=CHAPTER,
    examples=[
        ("an oscillating setting: every root has modulus sqrt(beta)", (0.1, 0.81, [1.0, 4.0, 9.0])),
        ("an over-damped slow eigenvalue and a flipping stiff one", (0.01, 0.5, [0.1, 5.0, 295.0])),
        ("no momentum: gradient descent's max|1 - lr*lambda|", (0.15, 0.0, [1.0, 4.0, 10.0])),
        ("a step near the stability limit", (0.35, 0.7, [1.0, 2.0, 9.5])),
        ("a flipping eigenvalue decides the rate", (0.1, 0.25, [2.0, 24.0])),
        ("every eigenvalue flips", (0.1, 0.1, [20.5, 21.0])),
    ],
    random_cases=_rate_cases,
    hints=[
        "Each eigenvalue has its own 2x2 matrix and two roots; the error shrinks like the largest root modulus, "
        "and the quadratic's rate is the worst over its eigenvalues.",
        "For each eigenvalue find both roots of zeta**2 - (1 + beta - lr*lam) zeta + beta = 0 (np.roots, or the "
        "quadratic formula with a complex square root) and take the largest modulus; return the largest over all "
        "eigenvalues.",
    ],
    mistakes=[
        (lambda lr, beta, lams: np.sqrt(beta),
         "You returned sqrt(beta): that is the modulus only when the roots are complex (the oscillating band). "
         "Over-damped or flipping eigenvalues have a real root larger in modulus."),
        (lambda lr, beta, lams: max(abs(1 - lr * lam) for lam in lams),
         "You returned gradient descent's rate max|1 - lr*lambda|: the momentum term changes the roots."),
        (lambda lr, beta, lams: _hb_rate_where(lr, beta, [max(lams)]),
         "You looked at the largest eigenvalue only: the slowest direction is often the smallest one."),
        (_plus_root_only,
         "You kept one root of the quadratic formula per eigenvalue: when both roots are real and negative "
         "(a flipping eigenvalue) the other one has the larger modulus. Take the larger modulus of the two."),
        (lambda lr, beta, lams: _hb_rate_where(lr, beta, [min(lams)]),
         "You looked at the smallest eigenvalue only: the largest one can have the slowest (or a diverging) root."),
    ],
    rtol=1e-6,
)


def _velocity_cases(rng):
    cases = []
    for _ in range(3):
        A = _spd(rng, 2)
        steps = int(rng.integers(6, 12))
        lrs = _step_schedule(float(rng.choice([0.02, 0.05])), int(rng.integers(2, steps)), steps)
        cases.append(("a random quadratic with a step schedule",
                      (quadratic_grad(A, halves(rng, 2)), halves(rng, 2), lrs, float(rng.choice([0.5, 0.8, 0.9])))))
    return cases


velocity_momentum = FunctionExercise(
    "velocity_momentum",
    SOLUTIONS["velocity_momentum"],
    chapter=CHAPTER,
    examples=[
        ("a constant learning rate", (grad_square, np.array([1.0]), [0.1] * 5, 0.9)),
        ("a step schedule: lr drops tenfold after 4 steps",
         (quadratic_grad(np.array([[3.0, 1.0], [1.0, 2.0]]), np.array([1.0, -1.0])), np.array([2.0, -1.0]),
          _step_schedule(0.2, 4, 10), 0.8)),
        ("an integer start and beta = 0: gradient descent with a schedule", (grad_square, np.array([3]), [0.5, 0.25, 0.1], 0.0)),
        ("zero steps (theta0 comes back)", (grad_square, np.array([0.5, 0.5]), [], 0.9)),
    ],
    random_cases=_velocity_cases,
    hints=[
        "Keep two arrays, theta and the velocity u (starting at zeros), and update both at every step; step t "
        "uses lrs[t].",
        "At step t: u = beta*u - lrs[t]*grad(theta), then theta = theta + u. Write `theta = theta + u` (a new "
        "array): `theta += u` would change theta0, and fails for an integer theta0.",
    ],
    mistakes=[
        (_buffer_form, "You wrote the buffer form b = beta*b + g, theta -= lr*b (PyTorch's): it multiplies the whole "
                       "history by today's learning rate. In the velocity form each gradient keeps the lr of its "
                       "own step."),
        (_old_velocity, "You moved theta with the velocity from before the update: compute the new u first, "
                        "then theta = theta + u."),
        (lambda grad, theta0, lrs, beta: SOLUTIONS["velocity_momentum"](lambda th: -grad(th), theta0, lrs, beta),
         "Your steps go uphill: the velocity must subtract lr*grad (u = beta*u - lr*g)."),
        (lambda grad, theta0, lrs, beta: SOLUTIONS["velocity_momentum"](grad, theta0, [lrs[0]] * len(lrs), beta)
         if lrs else np.asarray(theta0, dtype=float),
         "You used the first learning rate at every step: step t uses lrs[t]."),
    ],
    rtol=1e-9,
    atol=1e-12,
)
