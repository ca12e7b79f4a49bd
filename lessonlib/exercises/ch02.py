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

__all__ = ["gradient_descent", "max_stable_lr", "rate_at_lr", "square_closed_form", "SOLUTIONS",
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


def rate_at_lr(eigenvalues, lr):
    # each eigen-coordinate of the error is multiplied by (1 - lr * lambda_i) per step;
    # the norm of the error contracts (in the worst case) by the largest of their sizes
    return float(np.max(np.abs(1.0 - lr * np.asarray(eigenvalues, dtype=float))))


def square_closed_form(theta0, lr, a, T):
    return (1.0 - lr * a) ** T * theta0


SOLUTIONS = {f.__name__: f for f in (gradient_descent, max_stable_lr, rate_at_lr, square_closed_form)}


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


def _rate_cases(rng):
    cases = []
    for lr_L in (0.3, 0.8, 1.5, 1.9):           # lr * L: the small end binds below 2 / (mu + L), the large end above
        eigenvalues = rng.choice(np.arange(1, 41) / 2, size=3, replace=False)
        lr = round(lr_L * float(rng.uniform(0.9, 1.1)) / float(eigenvalues.max()), 4)
        cases.append(("a random three-eigenvalue quadratic", (eigenvalues, lr)))
    return cases


rate_at_lr = FunctionExercise(
    "rate_at_lr",
    SOLUTIONS["rate_at_lr"],
    chapter=CHAPTER,
    examples=[
        ("eigenvalues 1, 4, 10 with lr = 0.1", (np.array([1.0, 4.0, 10.0]), 0.1)),
        ("the same quadratic, lr = 0.19", (np.array([10.0, 1.0, 4.0]), 0.19)),
        ("a step beyond the stability limit", (np.array([1.0, 4.0, 10.0]), 0.25)),
        ("integer eigenvalues in a list", ([2, 3, 5], 0.25)),
        ("every factor 1 - lr * lambda negative", (np.array([5.0, 6.0, 7.0]), 0.3)),
    ],
    random_cases=_rate_cases,
    hints=[
        "Work in the eigenbasis of the Hessian: there gradient descent acts on each coordinate of the error "
        "separately. What factor multiplies coordinate i in one step?",
        "Coordinate i is multiplied by 1 - lr * lambda_i. The error's norm is guaranteed to shrink only by the "
        "largest |1 - lr * lambda_i| (the worst start puts all the error there). Can that be negative?",
        "Return max_i |1 - lr * lambda_i|. Only the smallest and the largest eigenvalue can attain it (the "
        "middle one never does), and it is above 1 when lr > 2 / L.",
    ],
    mistakes=[
        (lambda eigenvalues, lr: float(np.max(1 - lr * np.asarray(eigenvalues, dtype=float))),
         "You left out the absolute value: a factor 1 - lr * lambda below 0 flips the sign of that coordinate "
         "every step, and its size |1 - lr * lambda| is what counts."),
        (lambda eigenvalues, lr: abs(1 - lr * float(np.max(eigenvalues))),
         "You looked only at the largest eigenvalue: when lr is small, the slow direction (the smallest "
         "eigenvalue, factor 1 - lr * mu) decides."),
        (lambda eigenvalues, lr: abs(1 - lr * float(np.min(eigenvalues))),
         "You looked only at the smallest eigenvalue: when lr is large, the stiff direction (the largest "
         "eigenvalue, factor |1 - lr * L|) decides."),
        (lambda eigenvalues, lr: (float(np.max(eigenvalues)) - float(np.min(eigenvalues)))
         / (float(np.max(eigenvalues)) + float(np.min(eigenvalues))),
         "(L - mu)/(L + mu) is the rate at the BEST step 2/(L + mu) only; at the given lr evaluate "
         "max_i |1 - lr * lambda_i|."),
        (lambda eigenvalues, lr: float(np.max(np.abs(1.0 - lr * np.asarray(eigenvalues, dtype=float)))) ** 2,
         "You squared the factor: the square is how fast the LOSS gap shrinks; the exercise asks for the "
         "error |theta - theta*|."),
        (lambda eigenvalues, lr: float(np.abs(1.0 - lr * np.median(eigenvalues))),
         "You used the middle eigenvalue: the worst direction is always one of the two ends of the spectrum."),
    ],
    rtol=1e-9,
    atol=1e-12,
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
