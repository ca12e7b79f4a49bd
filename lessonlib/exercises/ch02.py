r"""Exercises of chapter 2, *Gradient descent*.

Each exercise is named after the function the learner writes, so a notebook reads
``ch02.gradient_descent.check(gradient_descent)``. The reference solutions are the
functions defined first under the same names (the book shows them with
``literalinclude``); :data:`SOLUTIONS` keeps them reachable after the names are
bound to the exercises at the bottom of the module.
"""

import numpy as np

from . import FunctionExercise, describe, halves

CHAPTER = "ch02"

__all__ = ["gradient_descent", "max_stable_lr", "optimal_lr_and_rate", "square_closed_form", "SOLUTIONS",
           "quadratic_grad", "grad_square", "grad_quadratic", "grad_nonconvex"]


# --- the solutions ---------------------------------------------------------------------

def gradient_descent(grad, theta0, lr, steps):
    theta = np.asarray(theta0, dtype=float)
    for _ in range(steps):
        theta = theta - lr * grad(theta)    # a new array: theta0 is left untouched
    return theta


def max_stable_lr(A):
    L = np.linalg.eigvalsh(A)[-1]           # eigvalsh sorts ascending: the last is the largest
    return 2.0 / L


def optimal_lr_and_rate(mu, L):
    lr = 2.0 / (L + mu)
    rate = (L - mu) / (L + mu)
    return lr, rate


def square_closed_form(theta0, lr, a, T):
    return (1.0 - lr * a) ** T * theta0


SOLUTIONS = {f.__name__: f for f in (gradient_descent, max_stable_lr, optimal_lr_and_rate, square_closed_form)}


# --- gradients used as test cases (named, so feedback messages can name them) ----------

def grad_square(theta):
    """Gradient of J = theta**2."""
    return 2.0 * theta


def grad_quadratic(theta):
    """Gradient of J = 0.5 theta^T A theta - b^T theta with A = [[3, 1], [1, 2]], b = [1, -1]."""
    return np.array([[3.0, 1.0], [1.0, 2.0]]) @ theta - np.array([1.0, -1.0])


def grad_nonconvex(theta):
    """Gradient of J = theta**4 - 3 theta**2 + theta."""
    return 4.0 * theta**3 - 6.0 * theta + 1.0


class quadratic_grad:
    """Gradient of J = 0.5 theta^T A theta - b^T theta, printed as the call that makes it."""

    def __init__(self, A, b):
        self.A, self.b = np.asarray(A, dtype=float), np.asarray(b, dtype=float)

    def __call__(self, theta):
        return self.A @ theta - self.b

    def __repr__(self):
        return f"ch02.quadratic_grad(A={describe(self.A)}, b={describe(self.b)})"


def _spd(rng, d):
    """A random symmetric positive definite matrix with integer entries."""
    M = rng.integers(-2, 3, size=(d, d)).astype(float)
    return M @ M.T + np.eye(d)


def _gd_cases(rng):
    cases = []
    for d in (1, 2, 3):
        A = _spd(rng, d)
        lr = float(rng.choice([0.01, 0.02, 0.05]))
        cases.append((f"a random {d}-D quadratic",
                      (quadratic_grad(A, halves(rng, d)), halves(rng, d), lr, int(rng.integers(1, 8)))))
    cases.append(("the non-convex J from a random start",
                  (grad_nonconvex, halves(rng, 1, -1.5, 1.5), 0.05, int(rng.integers(2, 12)))))
    return cases


# --- the exercises ---------------------------------------------------------------------

gradient_descent = FunctionExercise(
    "gradient_descent",
    SOLUTIONS["gradient_descent"],
    chapter=CHAPTER,
    examples=[
        ("J = theta**2, three steps", (grad_square, np.array([1.0]), 0.1, 3)),
        ("an integer start", (grad_quadratic, np.array([2, -1]), 0.2, 5)),
        ("zero steps (theta0 must come back unchanged)", (grad_square, np.array([0.5, -2.0]), 0.1, 0)),
    ],
    random_cases=_gd_cases,
    hints=[
        "Keep a current point theta, starting at theta0, and update it `steps` times with the rule "
        "of the chapter. What does one step need to know about the current point?",
        "Evaluate grad(theta) at the CURRENT theta inside the loop, and move against it, scaled by lr.",
        "theta = np.asarray(theta0, dtype=float); then repeat `steps` times: theta = theta - lr * grad(theta). "
        "`theta = theta - ...` makes a new array (theta0 stays untouched) and works for an integer theta0, "
        "where `theta -= ...` fails.",
    ],
    mistakes=[
        (lambda grad, theta0, lr, steps: SOLUTIONS["gradient_descent"](lambda th: -grad(th), theta0, lr, steps),
         "Your steps go uphill: you added lr * grad instead of subtracting it (that is gradient ascent)."),
        (lambda grad, theta0, lr, steps: SOLUTIONS["gradient_descent"](grad, theta0, lr, max(steps - 1, 0)),
         "That is one step too few: the loop must run exactly `steps` times (range(steps))."),
        (lambda grad, theta0, lr, steps: SOLUTIONS["gradient_descent"](grad, theta0, lr, steps + 1),
         "That is one step too many: the loop must run exactly `steps` times (range(steps))."),
        (lambda grad, theta0, lr, steps: np.asarray(theta0, dtype=float) - steps * lr * grad(np.asarray(theta0, dtype=float)),
         "You used the gradient at theta0 for every step: evaluate grad(theta) at the current theta inside the loop."),
        (lambda grad, theta0, lr, steps: SOLUTIONS["gradient_descent"](grad, theta0, 1.0, steps),
         "You forgot the learning rate: the step is lr * grad(theta), not grad(theta)."),
    ],
)


def _hessian_cases(rng):
    return [(f"a random {d}x{d} Hessian", (_spd(rng, d),)) for d in (2, 2, 3, 3)]


max_stable_lr = FunctionExercise(
    "max_stable_lr",
    SOLUTIONS["max_stable_lr"],
    chapter=CHAPTER,
    examples=[
        ("a diagonal Hessian", (np.array([[4.0, 0.0], [0.0, 1.0]]),)),
        ("an integer Hessian with off-diagonal entries", (np.array([[5, 2], [2, 2]]),)),
        ("a 1-D quadratic J = 0.25 theta**2", (np.array([[0.5]]),)),
    ],
    random_cases=_hessian_cases,
    hints=[
        "In the eigenbasis of A the error decouples: each eigen-coordinate is multiplied by the same "
        "factor at every step. What is that factor for the eigenvalue lambda?",
        "The factor is 1 - lr * lambda; all coordinates shrink only if |1 - lr * lambda| < 1 for EVERY "
        "eigenvalue. Which eigenvalue breaks this first as lr grows?",
        "The largest eigenvalue L binds: lr < 2 / L. np.linalg.eigvalsh(A) returns the eigenvalues in "
        "ascending order, so L is its last entry.",
    ],
    mistakes=[
        (lambda A: 1.0 / np.linalg.eigvalsh(A)[-1],
         "You returned 1/L: that step gives the largest *guaranteed decrease* per step, but larger steps "
         "up to 2/L still converge."),
        (lambda A: 2.0 / np.linalg.eigvalsh(A)[0],
         "You used the smallest eigenvalue mu: the stiffest direction (the largest eigenvalue L) is the "
         "first to blow up, so the limit is 2/L."),
        (lambda A: 2.0 / (np.linalg.eigvalsh(A)[0] + np.linalg.eigvalsh(A)[-1]),
         "You returned 2/(L + mu): that is the *fastest* step, not the largest stable one."),
        (lambda A: 2.0 / np.max(np.diag(A)),
         "You used the largest diagonal entry of A: it equals the largest eigenvalue only when A is "
         "diagonal. Use np.linalg.eigvalsh(A)."),
    ],
)


def _mu_L_cases(rng):
    cases = []
    for _ in range(4):
        mu = int(rng.integers(1, 30)) / 10
        cases.append(("a random spectrum", (mu, round(mu * int(rng.integers(2, 300)), 1))))
    return cases


optimal_lr_and_rate = FunctionExercise(
    "optimal_lr_and_rate",
    SOLUTIONS["optimal_lr_and_rate"],
    chapter=CHAPTER,
    examples=[
        ("a moderately conditioned problem, kappa = 10", (1.0, 10.0)),
        ("a perfectly conditioned problem (mu = L)", (2.0, 2.0)),
        ("integer inputs", (1, 4)),
    ],
    random_cases=_mu_L_cases,
    hints=[
        "The error contracts by max(|1 - lr*mu|, |1 - lr*L|) per step. Sketch both terms as functions of lr.",
        "The first term falls and the second rises as lr grows; the maximum is smallest where they are "
        "equal: 1 - lr*mu = -(1 - lr*L).",
        "Solve for lr, then evaluate |1 - lr*mu| there; return the tuple (lr, rate).",
    ],
    mistakes=[
        (lambda mu, L: (1.0 / L, 1.0 - mu / L),
         "You used lr = 1/L (rate 1 - 1/kappa): a safe step, but balancing the two ends of the spectrum "
         "does better."),
        (lambda mu, L: (2.0 / (L + mu), (L - mu) / L),
         "The step is right, but the rate (kappa - 1)/kappa is not: evaluate |1 - lr*mu| at your lr."),
        (lambda mu, L: (2.0 / (L + mu), ((L - mu) / (L + mu)) ** 2),
         "The step is right, but you squared the rate: the square is how fast the *loss gap* "
         "shrinks; the exercise asks for the error |theta - theta*|."),
        (lambda mu, L: (2.0 / (L + mu), (mu - L) / (L + mu)),
         "Your rate is negative (mu and L swapped in (L - mu)/(L + mu)?): a contraction factor is an "
         "absolute value, |1 - lr*mu|."),
        (lambda mu, L: (2.0 / (L + mu), (np.sqrt(L) - np.sqrt(mu)) / (np.sqrt(L) + np.sqrt(mu))),
         "The step is right, but your rate, with square roots, is that of heavy-ball momentum "
         "(chapter 5), not of plain gradient descent."),
    ],
)


def _closed_form_cases(rng):
    cases = []
    for _ in range(3):
        a = int(rng.integers(1, 10)) / 2
        cases.append(("a random run", (float(halves(rng, ())) or 1.0, int(rng.integers(1, 20)) / 100, a,
                                       int(rng.integers(1, 30)))))
    for _ in range(2):
        a = int(rng.integers(2, 10)) / 2
        lr = round(float(rng.uniform(1.05, 1.9)) / a, 3)
        cases.append(("a random oscillating run (lr * a > 1)",
                      (float(halves(rng, ())) or -1.0, lr, a, 2 * int(rng.integers(1, 5)) + 1)))
    return cases


square_closed_form = FunctionExercise(
    "square_closed_form",
    SOLUTIONS["square_closed_form"],
    chapter=CHAPTER,
    examples=[
        ("the notes' run: J = theta**2 (a = 2), lr = 0.01, 1000 steps", (1.0, 0.01, 2.0, 1000)),
        ("zero steps", (-1.5, 0.05, 4.0, 0)),
        ("integer inputs", (3, 0.25, 2, 3)),
    ],
    random_cases=_closed_form_cases,
    hints=[
        "Write down one step of gradient descent on J = a * theta**2 / 2. What is its gradient?",
        "The gradient is a * theta, so one step gives theta_1 = theta_0 - lr * a * theta_0: theta is "
        "multiplied by a fixed factor. What do T steps do?",
        "T steps multiply theta0 by (1 - lr * a) T times: theta_T = (1 - lr * a)**T * theta0. Keep the "
        "sign of the factor (it oscillates when lr * a > 1).",
    ],
    mistakes=[
        (lambda theta0, lr, a, T: (1.0 - lr) ** T * theta0,
         "You dropped the curvature a: one step multiplies theta by (1 - lr*a), not (1 - lr)."),
        (lambda theta0, lr, a, T: (1.0 - lr * a) ** (T - 1) * theta0,
         "Your exponent is T - 1: theta_1 already has one factor (1 - lr*a), so theta_T has T of them."),
        (lambda theta0, lr, a, T: (1.0 - 2.0 * lr * a) ** T * theta0,
         "You used the gradient 2*a*theta: the derivative of a*theta**2/2 is a*theta (the notes' theta**2 "
         "is the case a = 2)."),
        (lambda theta0, lr, a, T: (1.0 - lr * a / 2) ** T * theta0,
         "You used the gradient a*theta/2: the derivative of a*theta**2/2 is a*theta."),
        (lambda theta0, lr, a, T: (1.0 - lr * a * T) * theta0,
         "You added up T steps of the first size, (1 - T*lr*a)*theta0: each step is proportional to the "
         "current theta, so the factors multiply."),
        (lambda theta0, lr, a, T: abs(1.0 - lr * a) ** T * theta0,
         "You lost the sign of (1 - lr*a): when lr*a > 1 the iterate flips sign every step."),
    ],
    rtol=1e-9,
    atol=1e-15,
    no_loops=True,
)
