r"""Exercises of chapter 1, "Loss functions and gradients".

Each exercise is defined right after its solution, a function of the same name:
the book shows the solution with ``literalinclude`` (``:pyobject:``), and then the
name is rebound to the exercise, so ``ch01.huber_gradient.check(answer)`` checks an
answer and ``ch01.huber_gradient.solution()`` prints the solution's source.
:data:`SOLUTIONS` keeps the solution functions reachable by name (for the tests).

======================  ======================================================================
``huber_gradient``      :math:`\frac1n X^\top\operatorname{clip}(X\theta - y, -\delta, \delta)` (transfer)
``central_difference``  :math:`\big(J(\theta + he_j) - J(\theta - he_j)\big)/2h` for each j
``regularized_logistic_gradient``  :math:`\frac1n X^\top(\sigma(X\theta) - y) + \lambda_{\mathrm{wd}}\theta` (transfer)
``gradient_at_point``   :math:`\nabla J` of :math:`\theta_1^2 + 3\theta_1\theta_2` at (1, -2)
``steepest_slope``      the largest directional derivative there, :math:`\lVert\nabla J\rVert`
======================  ======================================================================
"""

import numpy as np

from ..objectives import sigmoid
from . import FunctionExercise, ValueExercise, halves

__all__ = ["huber_gradient", "central_difference", "regularized_logistic_gradient", "gradient_at_point",
           "steepest_slope", "SOLUTIONS"]

SOLUTIONS = {}

CHAPTER = "ch01"


def _regression_cases(rng, labels):
    """Random (theta, X, y) of a few samples and parameters, in steps of 0.5."""
    cases = []
    for n, d in [(3, 2), (4, 3), (5, 1), (2, 3)]:
        X = halves(rng, (n, d))
        labels_n = (rng.random(n) < 0.5).astype(float) if labels else halves(rng, n)
        cases.append((f"random data, n = {n}, d = {d}", (halves(rng, d), X, labels_n)))
    return cases


# --- Exercise 1: the gradient of the Huber loss (a transfer of the least-squares derivation) ---

def huber_gradient(theta, X, y, delta):
    """Gradient of J(theta) = mean(huber(X @ theta - y)), huber(r) = r**2/2 if |r| <= delta else delta (|r| - delta/2)."""
    residual = X @ theta - y
    slope = np.clip(residual, -delta, delta)    # huber'(r): r inside [-delta, delta], delta * sign(r) outside
    return X.T @ slope / len(y)


def _huber_sign(theta, X, y, delta):
    return X.T @ np.clip(y - X @ theta, -delta, delta) / len(y)


def _huber_no_clip(theta, X, y, delta):
    return X.T @ (X @ theta - y) / len(y)


def _huber_mse_factor(theta, X, y, delta):
    return 2 * X.T @ np.clip(X @ theta - y, -delta, delta) / len(y)


def _huber_sum(theta, X, y, delta):
    return X.T @ np.clip(X @ theta - y, -delta, delta)


def _huber_l1_everywhere(theta, X, y, delta):
    return delta * X.T @ np.sign(X @ theta - y) / len(y)


def _huber_clip_magnitude(theta, X, y, delta):
    r = X @ theta - y
    return X.T @ np.where(np.abs(r) <= delta, r, delta) / len(y)


def _huber_cases(rng):
    cases = []
    for n, d in [(3, 2), (4, 3), (5, 1), (2, 3)]:
        cases.append((f"random data, n = {n}, d = {d}",
                      (halves(rng, d), halves(rng, (n, d)), halves(rng, n), float(rng.choice([1.0, 1.5, 2.0, 3.0])))))
    return cases


_X_ex = np.array([[1.0, 0.5], [1.0, -1.0], [1.0, 2.0]])

SOLUTIONS["huber_gradient"] = huber_gradient
huber_gradient = FunctionExercise(
    "huber_gradient",
    solution=SOLUTIONS["huber_gradient"],
    chapter=CHAPTER,
    examples=[
        ("three samples, residuals inside and outside delta", (np.array([0.5, -1.0]), _X_ex, np.array([0.5, 0.0, 3.0]), 1.0)),
        ("a delta larger than every residual", (np.array([0.5, -1.0]), _X_ex, np.array([1.0, 0.0, 3.0]), 100.0)),
        ("a single sample", (np.array([0.5, -1.0]), _X_ex[:1], np.array([2.0]), 1.0)),
        ("integer inputs", (np.array([1, -1]), np.array([[1, 2], [1, 0], [1, -1]]), np.array([2, 0, 1]), 1)),
    ],
    random_cases=_huber_cases,
    hints=[
        "Follow the least-squares derivation of the chapter with a different per-sample loss: the chain rule "
        "gives huber'(r_i) * x_i for sample i, with the residual r_i = x_i . theta - y_i.",
        "huber'(r) is r where |r| <= delta and delta * sign(r) outside: the residual clipped to "
        "[-delta, delta]. The two pieces meet at |r| = delta, so there is no gap.",
        "With r = X @ theta - y, the gradient is X.T @ np.clip(r, -delta, delta) / n (the mean over samples; "
        "no factor 2, since huber(r) = r**2 / 2 inside).",
    ],
    mistakes=[
        (_huber_sign, "Sign error: you used y - X @ theta, which gives the NEGATIVE gradient. The residual is "
                      "prediction minus target, X @ theta - y."),
        (_huber_no_clip, "You never clipped the residual: that is the gradient of r**2 / 2 for every sample. "
                         "Outside [-delta, delta] the Huber loss grows linearly, its slope is delta * sign(r)."),
        (_huber_mse_factor, "You kept the factor 2 of least squares: inside [-delta, delta] the Huber loss is "
                            "r**2 / 2, whose derivative is r."),
        (_huber_sum, "You summed over the samples instead of averaging: J is a mean, so divide by n = len(y)."),
        (_huber_l1_everywhere, "You used delta * sign(r) for every sample: that is the slope of the linear part "
                               "only; inside [-delta, delta] the slope is r itself."),
        (_huber_clip_magnitude, "Outside [-delta, delta] you used +delta for every residual: the slope of the "
                                "linear part is delta * sign(r), negative for negative residuals."),
    ],
    no_loops=True,
)


# --- Exercise 2: the central-difference gradient ------------------------------------

def central_difference(f, theta, h):
    """Central-difference estimate of the gradient of the scalar function f at theta."""
    grad = np.zeros_like(theta, dtype=float)
    for j in range(theta.size):
        step = np.zeros_like(theta, dtype=float)
        step[j] = h
        grad[j] = (f(theta + step) - f(theta - step)) / (2 * h)
    return grad


def _forward_difference(f, theta, h):
    grad = np.zeros_like(theta, dtype=float)
    for j in range(theta.size):
        step = np.zeros_like(theta, dtype=float)
        step[j] = h
        grad[j] = (f(theta + step) - f(theta)) / h
    return grad


def _central_missing_two(f, theta, h):
    grad = np.zeros_like(theta, dtype=float)
    for j in range(theta.size):
        step = np.zeros_like(theta, dtype=float)
        step[j] = h
        grad[j] = (f(theta + step) - f(theta - step)) / h
    return grad


def _all_coordinates_at_once(f, theta, h):
    slope = (f(theta + h) - f(theta - h)) / (2 * h)
    return np.full(theta.shape, slope)


def sum_of_cubes(theta):
    """A test function with a large third derivative (the forward difference's error shows)."""
    return float(np.sum(theta**3) + theta[0] * theta[-1])


def log_sum_exp(theta):
    """A smooth convex test function, log(sum(exp(theta)))."""
    return float(np.logaddexp.reduce(theta))


def _central_cases(rng):
    cases = []
    for f, d, h in [(sum_of_cubes, 3, 1e-3), (log_sum_exp, 2, 1e-4), (sum_of_cubes, 2, 1e-2),
                    (log_sum_exp, 4, 1e-3)]:
        cases.append((f"a random point, {f.__name__}", (f, halves(rng, d, -2.0, 2.0), h)))
    return cases


SOLUTIONS["central_difference"] = central_difference
central_difference = FunctionExercise(
    "central_difference",
    solution=SOLUTIONS["central_difference"],
    chapter=CHAPTER,
    examples=[
        ("the chapter's integer point", (sum_of_cubes, np.array([1, -2]), 1e-3)),
        ("a cubic in three variables", (sum_of_cubes, np.array([1.0, -2.0, 0.5]), 1e-2)),
        ("theta = 0", (log_sum_exp, np.zeros(3), 1e-3)),
        ("a single coordinate", (sum_of_cubes, np.array([2.0]), 1e-2)),
    ],
    random_cases=_central_cases,
    hints=[
        "A partial derivative is a slope along one axis: move only coordinate j, once up and once down, "
        "and compare the two values of f.",
        "For each j, build a vector `step` of zeros with step[j] = h; the two evaluation points are "
        "theta + step and theta - step, 2h apart.",
        "grad[j] = (f(theta + step) - f(theta - step)) / (2 * h). Make `grad` and `step` float arrays "
        "(np.zeros(theta.shape)): with np.zeros_like, an integer theta gives integer arrays that "
        "truncate h and the slopes. Do not change theta itself.",
    ],
    mistakes=[
        (_forward_difference, "This is the FORWARD difference (f(theta + h e_j) - f(theta)) / h, "
                              "whose error is O(h); the central difference compares theta + h e_j "
                              "with theta - h e_j, and its error is O(h**2)."),
        (_central_missing_two, "You divided by h instead of 2 * h: the two evaluation points are "
                               "2h apart."),
        (_all_coordinates_at_once, "You moved all coordinates at once (theta + h): that measures the "
                                   "slope along (1, 1, ..., 1), not one partial derivative. Move only "
                                   "coordinate j, by h * e_j."),
    ],
)


# --- Exercise 3: L2-regularised logistic regression (a transfer of the logistic derivation) ---

def regularized_logistic_gradient(theta, X, y, l2):
    """Gradient of mean cross-entropy of sigmoid(X @ theta) against y in {0, 1}, plus l2/2 * |theta|**2."""
    p = sigmoid(X @ theta)
    return X.T @ (p - y) / len(y) + l2 * theta


def _reg_no_penalty(theta, X, y, l2):
    return X.T @ (sigmoid(X @ theta) - y) / len(y)


def _reg_half(theta, X, y, l2):
    return X.T @ (sigmoid(X @ theta) - y) / len(y) + l2 / 2 * theta


def _reg_double(theta, X, y, l2):
    return X.T @ (sigmoid(X @ theta) - y) / len(y) + 2 * l2 * theta


def _reg_minus(theta, X, y, l2):
    return X.T @ (sigmoid(X @ theta) - y) / len(y) - l2 * theta


def _reg_over_n(theta, X, y, l2):
    return X.T @ (sigmoid(X @ theta) - y) / len(y) + l2 * theta / len(y)


def _reg_sign(theta, X, y, l2):
    return X.T @ (y - sigmoid(X @ theta)) / len(y) + l2 * theta


def _reg_sum(theta, X, y, l2):
    return X.T @ (sigmoid(X @ theta) - y) + l2 * theta


def _reg_extra_sigma_prime(theta, X, y, l2):
    p = sigmoid(X @ theta)
    return X.T @ ((p - y) * p * (1 - p)) / len(y) + l2 * theta


def _reg_cases(rng):
    cases = []
    for n, d in [(3, 2), (4, 3), (5, 1), (2, 3)]:
        cases.append((f"random data, n = {n}, d = {d}",
                      (halves(rng, d, -2.0, 2.0), halves(rng, (n, d)), (rng.random(n) < 0.5).astype(float),
                       float(rng.choice([0.1, 0.5, 1.0, 2.0])))))
    return cases


_X_logit = np.array([[1.0, 2.0], [1.0, -1.0], [1.0, 0.5]])
_y_logit = np.array([1.0, 0.0, 0.0])

SOLUTIONS["regularized_logistic_gradient"] = regularized_logistic_gradient
regularized_logistic_gradient = FunctionExercise(
    "regularized_logistic_gradient",
    solution=SOLUTIONS["regularized_logistic_gradient"],
    chapter=CHAPTER,
    examples=[
        ("three samples, two parameters", (np.array([0.2, 0.7]), _X_logit, _y_logit, 0.5)),
        ("no penalty (l2 = 0)", (np.array([0.2, 0.7]), _X_logit, _y_logit, 0.0)),
        ("theta = 0", (np.zeros(2), _X_logit, _y_logit, 1.0)),
        ("a single sample", (np.array([0.2, 0.7]), _X_logit[:1], np.array([0.0]), 0.5)),
        ("integer inputs", (np.array([1, 0]), np.array([[1, 2], [1, -1], [1, 0]]), np.array([1, 0, 1]), 1)),
    ],
    random_cases=_reg_cases,
    hints=[
        "The loss is a sum of two parts, and the gradient of a sum is the sum of the gradients: the chapter "
        "derived the first part; what is the gradient of l2/2 * |theta|**2?",
        "l2/2 * |theta|**2 = l2/2 * sum_j theta_j**2; its partial derivative in theta_j is l2 * theta_j. "
        "The penalty is not averaged over the samples.",
        "With p = sigmoid(X @ theta): X.T @ (p - y) / n + l2 * theta.",
    ],
    mistakes=[
        (_reg_no_penalty, "You left out the penalty: the gradient of l2/2 * |theta|**2 is l2 * theta, added "
                          "to the data term."),
        (_reg_half, "The penalty's gradient is l2 * theta: the 2 from differentiating theta_j**2 cancels the 1/2."),
        (_reg_double, "The penalty's gradient is l2 * theta, not 2 * l2 * theta: the penalty is l2/2 * "
                      "|theta|**2, and the 1/2 cancels the 2."),
        (_reg_minus, "The penalty pulls theta towards 0, so its gradient is +l2 * theta (it is added to J)."),
        (_reg_over_n, "You divided the penalty by n: only the data term is a mean over the samples; "
                      "l2/2 * |theta|**2 is added once."),
        (_reg_sign, "Sign error in the data term: the derivative of the loss with respect to the logit is p - y."),
        (_reg_sum, "You summed the data term over the samples instead of averaging: divide it by n = len(y)."),
        (_reg_extra_sigma_prime, "You multiplied by sigma'(z) = p * (1 - p): with the cross-entropy that factor "
                                 "cancels."),
    ],
)


# --- Exercise 4: a gradient by hand --------------------------------------------------

def gradient_at_point():
    """The gradient of J(theta) = theta1**2 + 3 * theta1 * theta2 at theta = (1, -2)."""
    theta1, theta2 = 1.0, -2.0
    dJ_dtheta1 = 2 * theta1 + 3 * theta2   # from theta1**2 and from 3 * theta1 * theta2
    dJ_dtheta2 = 3 * theta1                # only the cross term depends on theta2
    return np.array([dJ_dtheta1, dJ_dtheta2])


SOLUTIONS["gradient_at_point"] = gradient_at_point
gradient_at_point = ValueExercise(
    "gradient_at_point",
    expected=SOLUTIONS["gradient_at_point"](),
    chapter=CHAPTER,
    hints=[
        "The gradient is the vector of the two partial derivatives: differentiate J with respect to "
        "theta1 holding theta2 fixed, then with respect to theta2 holding theta1 fixed.",
        "Both terms of J contain theta1, so dJ/dtheta1 has two parts; only the cross term "
        "3 * theta1 * theta2 contains theta2.",
        "dJ/dtheta1 = 2 theta1 + 3 theta2 and dJ/dtheta2 = 3 theta1: plug in theta1 = 1, theta2 = -2 and "
        "enter np.array([dJ/dtheta1, dJ/dtheta2]).",
    ],
    solution=SOLUTIONS["gradient_at_point"],
    mistakes=[
        (np.array([4.0, -3.0]), "Both signs are flipped: that is minus the gradient (the direction of "
                                "steepest descent)."),
        (np.array([2.0, 3.0]), "The cross term 3 * theta1 * theta2 also depends on theta1: it adds "
                               "3 * theta2 to dJ/dtheta1."),
        (np.array([-4.0, -6.0]), "dJ/dtheta2 of 3 * theta1 * theta2 is 3 * theta1, not 3 * theta2."),
        (np.array([3.0, -4.0]), "The components are swapped: the first one is dJ/dtheta1."),
    ],
)


# --- Exercise 5: the steepest slope --------------------------------------------------

def steepest_slope():
    """The largest rate of increase of J at (1, -2) over unit directions u: max grad . u."""
    grad = np.array([2 * 1.0 + 3 * -2.0, 3 * 1.0])
    return float(np.linalg.norm(grad))   # attained at u = grad / |grad| (Cauchy-Schwarz)


SOLUTIONS["steepest_slope"] = steepest_slope
steepest_slope = ValueExercise(
    "steepest_slope",
    expected=SOLUTIONS["steepest_slope"](),
    chapter=CHAPTER,
    hints=[
        "The rate of increase along a unit vector u is the directional derivative grad . u. Which u makes "
        "a dot product with a fixed vector largest?",
        "Cauchy-Schwarz: grad . u <= |grad| |u| = |grad| for a unit u, with equality when u points along grad.",
        "The answer is the Euclidean length of the gradient of the previous exercise, "
        "sqrt(g1**2 + g2**2): a positive number.",
    ],
    solution=SOLUTIONS["steepest_slope"],
    mistakes=[
        (25.0, "That is the SQUARED length of the gradient; the slope is the length itself."),
        (7.0, "That is the sum of the absolute components (the L1 norm); Cauchy-Schwarz gives the "
              "Euclidean length sqrt(g1**2 + g2**2)."),
        (-5.0, "Negative: that is the smallest directional derivative, along -grad / |grad| (steepest "
               "descent); the question asks for the largest."),
        (3.0, "That is the slope along the theta2 axis only; the gradient's own direction is steeper."),
        (-4.0, "That is the slope along the theta1 axis only; the gradient's own direction is steeper."),
    ],
)
