r"""Exercises of chapter 2, *Gradient descent*.

Each exercise is named after the function the learner writes, so a notebook reads
``ch02.gradient_descent.check(gradient_descent)``. The reference solutions are the
functions defined first under the same names (the book shows them with
``literalinclude``); :data:`SOLUTIONS` keeps them reachable after the names are
bound to the exercises at the bottom of the module.
"""

import numpy as np

from . import FunctionExercise

__all__ = ["gradient_descent", "max_stable_lr", "optimal_lr_and_rate", "square_closed_form", "SOLUTIONS"]


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


# --- the exercises ---------------------------------------------------------------------

gradient_descent = FunctionExercise(
    "gradient_descent",
    SOLUTIONS["gradient_descent"],
    cases=[
        ("J = theta**2, three steps", (grad_square, np.array([1.0]), 0.1, 3)),
        ("a 2-D quadratic", (grad_quadratic, np.array([2.0, -1.0]), 0.2, 5)),
        ("the non-convex J = theta**4 - 3 theta**2 + theta", (grad_nonconvex, np.array([1.5]), 0.05, 10)),
        ("zero steps (theta0 must come back unchanged)", (grad_square, np.array([0.5, -2.0]), 0.1, 0)),
    ],
    hint="Start from theta = theta0 and repeat `steps` times: theta = theta - lr * grad(theta). "
         "Write `theta = theta - ...` (a new array) rather than `theta -= ...`, which would change theta0.",
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

max_stable_lr = FunctionExercise(
    "max_stable_lr",
    SOLUTIONS["max_stable_lr"],
    cases=[
        ("a diagonal Hessian", (np.array([[4.0, 0.0], [0.0, 1.0]]),)),
        ("a Hessian with off-diagonal entries", (np.array([[5.0, 2.0], [2.0, 2.0]]),)),
        ("a 3-D Hessian", (np.array([[2.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 4.0]]),)),
        ("a 1-D quadratic J = 0.25 theta**2", (np.array([[0.5]]),)),
    ],
    hint="Each eigen-coordinate of the error is multiplied by (1 - lr * lambda) per step; all of them "
         "shrink only if |1 - lr * lambda| < 1 for every eigenvalue. Which eigenvalue binds first? "
         "np.linalg.eigvalsh(A) gives the eigenvalues in ascending order.",
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

optimal_lr_and_rate = FunctionExercise(
    "optimal_lr_and_rate",
    SOLUTIONS["optimal_lr_and_rate"],
    cases=[
        ("a moderately conditioned problem, kappa = 10", (1.0, 10.0)),
        ("a badly conditioned problem, kappa = 100", (0.5, 50.0)),
        ("a perfectly conditioned problem (mu = L)", (2.0, 2.0)),
    ],
    hint="The contraction is max(|1 - lr*mu|, |1 - lr*L|). The first term falls and the second rises "
         "as lr grows; the best lr makes them equal: 1 - lr*mu = -(1 - lr*L). Return the tuple (lr, rate).",
    mistakes=[
        (lambda mu, L: (1.0 / L, 1.0 - mu / L),
         "You used lr = 1/L (rate 1 - 1/kappa): a safe step, but balancing the two ends of the spectrum "
         "does better."),
        (lambda mu, L: (2.0 / (L + mu), (L - mu) / L),
         "The step is right, but the rate (kappa - 1)/kappa is not: evaluate |1 - lr*mu| at lr = 2/(L + mu)."),
        (lambda mu, L: (2.0 / (L + mu), ((L - mu) / (L + mu)) ** 2),
         "The step is right, but you squared the rate: ((kappa-1)/(kappa+1))**2 is how fast the *loss gap* "
         "shrinks; the exercise asks for the error |theta - theta*|."),
        (lambda mu, L: (2.0 / (L + mu), (mu - L) / (L + mu)),
         "Your rate is negative: you swapped mu and L in (L - mu)/(L + mu)."),
        (lambda mu, L: (2.0 / (L + mu), (np.sqrt(L) - np.sqrt(mu)) / (np.sqrt(L) + np.sqrt(mu))),
         "The step is right, but (sqrt(kappa) - 1)/(sqrt(kappa) + 1) is the rate of heavy-ball momentum "
         "(chapter 5), not of plain gradient descent."),
    ],
)

square_closed_form = FunctionExercise(
    "square_closed_form",
    SOLUTIONS["square_closed_form"],
    cases=[
        ("the notes' run: J = theta**2 (a = 2), lr = 0.01, 1000 steps", (1.0, 0.01, 2.0, 1000)),
        ("a = 1, five steps", (2.0, 0.1, 1.0, 5)),
        ("an oscillating run (lr * a > 1)", (1.0, 0.3, 5.0, 3)),
        ("zero steps", (-1.5, 0.05, 4.0, 0)),
    ],
    hint="The gradient of a*theta**2/2 is a*theta, so one step multiplies theta by (1 - lr*a). "
         "What do T steps do?",
    mistakes=[
        (lambda theta0, lr, a, T: (1.0 - lr) ** T * theta0,
         "You dropped the curvature a: one step multiplies theta by (1 - lr*a), not (1 - lr)."),
        (lambda theta0, lr, a, T: (1.0 - lr * a) ** max(T - 1, 0) * theta0,
         "Your exponent is T - 1: theta_1 already has one factor (1 - lr*a), so theta_T has T of them."),
        (lambda theta0, lr, a, T: (1.0 - 2.0 * lr * a) ** T * theta0,
         "You used the gradient 2*a*theta: the derivative of a*theta**2/2 is a*theta (the notes' theta**2 "
         "is the case a = 2)."),
        (lambda theta0, lr, a, T: (1.0 - lr * a * T) * theta0,
         "You added up T steps of the first size, (1 - T*lr*a)*theta0: each step is proportional to the "
         "current theta, so the factors multiply."),
        (lambda theta0, lr, a, T: abs(1.0 - lr * a) ** T * theta0,
         "You lost the sign of (1 - lr*a): when lr*a > 1 the iterate flips sign every step."),
    ],
    rtol=1e-9,
    atol=1e-15,
)
