r"""Exercises of chapter 5, *Momentum*.

Each exercise is named after the function the learner writes, so a notebook reads
``ch05.debiased_ema.check(debiased_ema)``. The reference solutions are the functions
defined first under the same names (the book shows them with ``literalinclude``);
:data:`SOLUTIONS` keeps them reachable after the names are bound to the exercises.

Besides fixed cases, every check draws a few fresh random cases each time it runs,
so an answer that happens to fit the fixed cases cannot pass by luck.
"""

import numpy as np

from . import FunctionExercise

__all__ = ["debiased_ema", "momentum_max_lr", "heavy_ball_rate", "velocity_momentum", "SOLUTIONS"]


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


class _WithRandomCases(FunctionExercise):
    """A :class:`FunctionExercise` that adds ``n_random`` cases from ``draw(rng)`` on every check."""

    def __init__(self, *args, draw, n_random=3, **kwargs):
        super().__init__(*args, **kwargs)
        self._fixed_cases = list(self.cases)
        self._draw = draw
        self._n_random = n_random

    def _judge(self, fn):
        rng = np.random.default_rng()
        self.cases = self._fixed_cases + [("a random case", self._draw(rng)) for _ in range(self._n_random)]
        return super()._judge(fn)


# --- functions used as test cases (named, so feedback messages can name them) ----------

A_TEST = np.array([[3.0, 1.0], [1.0, 2.0]])
B_TEST = np.array([1.0, -1.0])


def grad_quadratic(theta):
    """Gradient of J = 0.5 theta^T A theta - b^T theta with A = [[3, 1], [1, 2]], b = [1, -1]."""
    return A_TEST @ theta - B_TEST


def grad_square(theta):
    """Gradient of J = theta**2 / 2."""
    return 1.0 * theta


def _random_spd(rng):
    d = int(rng.integers(2, 5))
    Q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    A = (Q * rng.uniform(0.2, 20.0, d)) @ Q.T
    return (A + A.T) / 2


def _step_schedule(lr0, drop_at, factor, steps):
    return [lr0 if t < drop_at else lr0 * factor for t in range(steps)]


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


# --- the exercises ---------------------------------------------------------------------

debiased_ema = _WithRandomCases(
    "debiased_ema",
    SOLUTIONS["debiased_ema"],
    cases=[
        ("a constant input (the corrected average must equal it from the first step)", ([2.0, 2.0, 2.0, 2.0], 0.9)),
        ("a step from 0 to 1", ([0.0, 0.0, 1.0, 1.0, 1.0, 1.0], 0.5)),
        ("beta = 0.99, five values", ([1.0, 2.0, 3.0, 4.0, 5.0], 0.99)),
        ("beta = 0 (no memory: the average is the latest value)", ([1.0, -3.0, 5.0], 0.0)),
    ],
    draw=lambda rng: (list(rng.normal(1.0, 2.0, int(rng.integers(4, 12)))), float(rng.uniform(0.5, 0.99))),
    hint="Keep m = 0 and, for each value x_t, update m = beta*m + (1 - beta)*x. After t values the "
         "weights of the average add up to 1 - beta**t (sum the geometric series), so divide by that. "
         "Count t from 1 for the first value.",
    mistakes=[
        (_raw_ema, "You returned the plain moving average m_t: it is biased towards its zero start. "
                   "Divide each m_t by the total weight of its terms."),
        (_ema_power(1), "Your correction uses beta**(t+1): after the first value the weights add up to 1 - beta "
                        "(one term), so the exponent is the number of values averaged, counting from 1."),
        (lambda xs, beta: _raw_ema(xs, beta) / (1 - beta),
         "You divided by 1 - beta, the newest value's weight: that turns the average into momentum's buffer "
         "(a sum), not an unbiased average. The correct factor depends on t."),
        (_swapped_ema,
         "You swapped beta and 1 - beta: beta multiplies the old average, 1 - beta the new value."),
    ],
    rtol=1e-9,
    atol=1e-12,
)

momentum_max_lr = _WithRandomCases(
    "momentum_max_lr",
    SOLUTIONS["momentum_max_lr"],
    cases=[
        ("a diagonal Hessian, beta = 0.9", (np.array([[4.0, 0.0], [0.0, 1.0]]), 0.9)),
        ("a Hessian with off-diagonal entries, beta = 0.5", (np.array([[5.0, 2.0], [2.0, 2.0]]), 0.5)),
        ("no momentum (beta = 0): gradient descent", (np.array([[2.0, 0.0], [0.0, 8.0]]), 0.0)),
    ],
    draw=lambda rng: (_random_spd(rng), float(rng.uniform(0.1, 0.95))),
    hint="Per eigenvalue lambda, heavy ball's matrix has characteristic polynomial "
         "p(zeta) = zeta**2 - (1 + beta - lr*lambda) zeta + beta. Both roots lie inside the unit circle iff "
         "p(1) > 0, p(-1) > 0 and beta < 1. Which eigenvalue fails first as lr grows?",
    mistakes=[
        (lambda A, beta: 2 / np.linalg.eigvalsh(A)[-1],
         "You returned 2/L, plain gradient descent's limit: momentum widens the stable range. Evaluate p(-1)."),
        (lambda A, beta: 2 * (1 - beta) / np.linalg.eigvalsh(A)[-1],
         "You returned 2(1 - beta)/L: keeping the long-run step lr/(1 - beta) below 2/L is a reasonable "
         "tuning rule, but it is not the stability limit; evaluate p(-1) = 2 + 2*beta - lr*L."),
        (lambda A, beta: 2 * (1 + beta) / np.linalg.eigvalsh(A)[0],
         "You used the smallest eigenvalue: the stiffest direction (the largest eigenvalue) fails first."),
        (lambda A, beta: 2 * (1 + beta) / ((1 + 2 * beta) * np.linalg.eigvalsh(A)[-1]),
         "That is Nesterov momentum's limit; this exercise is about heavy ball."),
        (lambda A, beta: 2 * (1 + beta) / np.max(np.diag(A)),
         "You used the largest diagonal entry of A: it equals the largest eigenvalue only when A is "
         "diagonal. Use np.linalg.eigvalsh(A)."),
    ],
    rtol=1e-9,
)


def _draw_rate_case(rng):
    lams = list(np.sort(rng.uniform(0.5, 30.0, 3)))
    beta = float(rng.uniform(0.0, 0.95))
    lr = float(rng.uniform(0.05, 0.95) * 2 * (1 + beta) / lams[-1])
    return lr, beta, lams


heavy_ball_rate = _WithRandomCases(
    "heavy_ball_rate",
    SOLUTIONS["heavy_ball_rate"],
    cases=[
        ("an oscillating setting: every root has modulus sqrt(beta)", (0.1, 0.81, [1.0, 4.0, 9.0])),
        ("an over-damped slow eigenvalue and a flipping stiff one", (0.01, 0.5, [0.1, 5.0, 295.0])),
        ("no momentum: gradient descent's max|1 - lr*lambda|", (0.15, 0.0, [1.0, 4.0, 10.0])),
        ("a step near the stability limit", (0.35, 0.7, [1.0, 2.0, 9.5])),
    ],
    draw=_draw_rate_case,
    hint="For each eigenvalue find both roots of zeta**2 - (1 + beta - lr*lam) zeta + beta = 0 (np.roots or the "
         "quadratic formula with a complex square root) and take the largest modulus; the rate is the "
         "largest over all eigenvalues.",
    mistakes=[
        (lambda lr, beta, lams: np.sqrt(beta),
         "You returned sqrt(beta): that is the modulus only when the roots are complex (the oscillating band). "
         "Over-damped or flipping eigenvalues have a real root larger in modulus."),
        (lambda lr, beta, lams: max(abs(1 - lr * lam) for lam in lams),
         "You returned gradient descent's rate max|1 - lr*lambda|: the momentum term changes the roots."),
        (lambda lr, beta, lams: _hb_rate_where(lr, beta, [max(lams)]),
         "You looked at the largest eigenvalue only: the slowest direction is often the smallest one."),
        (lambda lr, beta, lams: _hb_rate_where(lr, beta, [min(lams)]),
         "You looked at the smallest eigenvalue only: the largest one can have the slowest (or a diverging) root."),
    ],
    rtol=1e-6,
)


def _draw_velocity_case(rng):
    theta0 = rng.normal(0.0, 2.0, 2)
    beta = float(rng.uniform(0.5, 0.95))
    lrs = _step_schedule(float(rng.uniform(0.05, 0.2)), int(rng.integers(3, 8)), 0.1, int(rng.integers(10, 20)))
    return grad_quadratic, theta0, lrs, beta


velocity_momentum = _WithRandomCases(
    "velocity_momentum",
    SOLUTIONS["velocity_momentum"],
    cases=[
        ("a constant learning rate", (grad_square, np.array([1.0]), [0.1] * 5, 0.9)),
        ("a step schedule: lr drops tenfold after 4 steps", (grad_quadratic, np.array([2.0, -1.0]),
                                                            _step_schedule(0.2, 4, 0.1, 10), 0.8)),
        ("beta = 0: gradient descent with a schedule", (grad_square, np.array([3.0]), [0.5, 0.25, 0.1], 0.0)),
        ("zero steps (theta0 comes back)", (grad_quadratic, np.array([0.5, 0.5]), [], 0.9)),
    ],
    draw=_draw_velocity_case,
    hint="Start from u = 0. At step t: u = beta*u - lrs[t]*grad(theta), then theta = theta + u. "
         "Write `theta = theta + u` (a new array), not `theta += u`, which would change theta0.",
    mistakes=[
        (_buffer_form, "You wrote the buffer form b = beta*b + g, theta -= lr*b (torch's): it multiplies the whole "
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
