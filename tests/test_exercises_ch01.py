"""Tests of the chapter 1 exercises (lessonlib.exercises.ch01).

Each check must accept its own solution, call an untouched stub "not attempted",
reject typical wrong answers while naming the mistake, and report an answer that
raises as an error instead of crashing. The wrong answers are written here, not
taken from the module's ``mistakes`` lists, so the tests also check that those
lists recognise the mistakes a learner really makes.
"""

import numpy as np
import pytest

from lessonlib.exercises import ch01
from lessonlib.objectives import sigmoid

FUNCTION_EXERCISES = [ch01.huber_gradient, ch01.central_difference, ch01.regularized_logistic_gradient]
VALUE_EXERCISES = [ch01.gradient_at_point, ch01.steepest_slope]


def stub(*args):
    raise NotImplementedError


def crashes(*args):
    return 1.0 / 0.0


# --- every exercise ------------------------------------------------------------------

@pytest.mark.parametrize("exercise", FUNCTION_EXERCISES, ids=lambda e: e.name)
def test_function_solution_is_correct(exercise):
    verdict = exercise.verdict(ch01.SOLUTIONS[exercise.name])
    assert verdict.status == "correct", verdict.message


@pytest.mark.parametrize("exercise", VALUE_EXERCISES, ids=lambda e: e.name)
def test_value_solution_is_correct(exercise):
    verdict = exercise.verdict(ch01.SOLUTIONS[exercise.name]())
    assert verdict.status == "correct", verdict.message


@pytest.mark.parametrize("exercise", FUNCTION_EXERCISES, ids=lambda e: e.name)
def test_stub_is_not_attempted(exercise, capsys):
    assert exercise.verdict(stub).status == "not_attempted"
    exercise.check(stub)
    assert "not attempted yet" in capsys.readouterr().out


@pytest.mark.parametrize("exercise", VALUE_EXERCISES, ids=lambda e: e.name)
def test_value_stub_is_not_attempted(exercise):
    assert exercise.verdict(...).status == "not_attempted"
    assert exercise.verdict(None).status == "not_attempted"


@pytest.mark.parametrize("exercise", FUNCTION_EXERCISES, ids=lambda e: e.name)
def test_exception_is_reported_as_error(exercise):
    verdict = exercise.verdict(crashes)
    assert verdict.status == "error"
    assert "ZeroDivisionError" in verdict.message


@pytest.mark.parametrize("exercise", FUNCTION_EXERCISES + VALUE_EXERCISES, ids=lambda e: e.name)
def test_hint_and_solution_print(exercise, capsys):
    exercise.hint()
    exercise.solution()
    out = capsys.readouterr().out
    assert out.startswith(f"Hint 1 of {len(exercise.hints)} ({exercise.name}):")
    assert f"def {exercise.name}(" in out


@pytest.mark.parametrize("exercise", FUNCTION_EXERCISES, ids=lambda e: e.name)
def test_none_return_is_not_attempted(exercise):
    assert exercise.verdict(lambda *args: None).status == "not_attempted"


# --- exercise 1: huber_gradient (transfer of the least-squares derivation) -------------

def huber_loss(theta, X, y, delta):
    r = np.abs(X @ theta - y)
    return np.mean(np.where(r <= delta, 0.5 * r**2, delta * (r - 0.5 * delta)))


HUBER_WRONG = {
    "sign": (lambda theta, X, y, d: X.T @ np.clip(y - X @ theta, -d, d) / len(y), "Sign error"),
    "no clip": (lambda theta, X, y, d: X.T @ (X @ theta - y) / len(y), "never clipped"),
    "factor 2": (lambda theta, X, y, d: 2 * X.T @ np.clip(X @ theta - y, -d, d) / len(y), "factor 2"),
    "sum": (lambda theta, X, y, d: X.T @ np.clip(X @ theta - y, -d, d), "summed"),
    "L1 everywhere": (lambda theta, X, y, d: d * X.T @ np.sign(X @ theta - y) / len(y), "for every sample"),
    "no sign outside": (lambda theta, X, y, d: X.T @ np.where(np.abs(X @ theta - y) <= d, X @ theta - y, d)
                        / len(y), "delta * sign(r)"),
}


@pytest.mark.parametrize("name", HUBER_WRONG)
def test_huber_gradient_names_the_mistake(name):
    answer, words = HUBER_WRONG[name]
    for seed in range(10):
        verdict = ch01.huber_gradient.verdict(answer, seed=seed)
        assert verdict.status == "wrong"
        assert words in verdict.message, verdict.message


def test_huber_gradient_shape_error_is_reported():
    no_transpose = ch01.huber_gradient.verdict(lambda theta, X, y, d: X @ np.clip(X @ theta - y, -d, d) / len(y))
    assert no_transpose.status == "error" and "ValueError: matmul" in no_transpose.message


def test_huber_gradient_in_place_update_is_flagged():
    def modifies_theta(theta, X, y, delta):
        theta -= 0.0 * theta + 1.0
        return X.T @ np.clip(X @ (theta + 1.0) - y, -delta, delta) / len(y)

    verdict = ch01.huber_gradient.verdict(modifies_theta)
    assert verdict.status == "wrong" and "modified its input `theta`" in verdict.message


def test_huber_gradient_matches_central_differences_of_the_loss():
    from lessonlib.gradcheck import numerical_grad

    for _, (theta, X, y, delta), _ in ch01.huber_gradient._cases(5):
        theta = theta.astype(float) + 0.01          # away from the kinks at |r| = delta
        np.testing.assert_allclose(ch01.SOLUTIONS["huber_gradient"](theta, X, y, delta),
                                   numerical_grad(lambda t: huber_loss(t, X, y, delta), theta), atol=1e-6)


def test_huber_gradient_equals_half_the_mse_gradient_for_a_large_delta():
    from lessonlib.objectives import LinearRegressionMSE

    _, (theta, X, y, delta), _ = ch01.huber_gradient.cases[1]
    np.testing.assert_allclose(ch01.SOLUTIONS["huber_gradient"](theta, X, y, delta),
                               LinearRegressionMSE(X, y).grad(theta) / 2, rtol=1e-12)


# --- exercise 2: central_difference ----------------------------------------------------

def forward(f, theta, h):
    out = []
    for j in range(theta.size):
        e = np.eye(theta.size)[j]
        out.append((f(theta + h * e) - f(theta)) / h)
    return np.array(out)


def central_over_h(f, theta, h):
    return np.array([(f(theta + h * e) - f(theta - h * e)) / h for e in np.eye(theta.size)])


def all_at_once(f, theta, h):
    return np.full(theta.shape, (f(theta + h) - f(theta - h)) / (2 * h))


def perturbs_in_place(f, theta, h):
    grad = np.zeros(theta.size)
    for j in range(theta.size):
        theta[j] += h
        f_plus = f(theta)
        theta[j] -= 2 * h
        grad[j] = (f_plus - f(theta)) / (2 * h)
    return grad


@pytest.mark.parametrize("answer, words", [
    (forward, "FORWARD difference"),
    (central_over_h, "instead of 2 * h"),
    (all_at_once, "all coordinates at once"),
    (perturbs_in_place, "modified its input `theta`"),
], ids=["forward", "missing 2", "all at once", "in place"])
def test_central_difference_names_the_mistake(answer, words):
    verdict = ch01.central_difference.verdict(answer)
    assert verdict.status == "wrong"
    assert words in verdict.message


def test_central_difference_with_eye_is_accepted():
    def with_eye(f, theta, h):
        return np.array([(f(theta + h * e) - f(theta - h * e)) / (2 * h) for e in np.eye(theta.size)])

    assert ch01.central_difference.verdict(with_eye).status == "correct"


def test_central_difference_cases_separate_central_from_forward():
    # On the first case the O(h) error of the forward difference (about 0.03 here) is
    # thousands of times the check's tolerance, so a forward difference cannot pass.
    _, (f, theta, h), _ = ch01.central_difference.cases[1]
    expected = ch01.SOLUTIONS["central_difference"](f, theta, h)
    gap = np.abs(forward(f, theta, h) - expected)
    assert np.all(gap > 1e3 * ch01.central_difference.rtol * np.abs(expected))


# --- exercise 3: regularized_logistic_gradient (transfer of the logistic derivation) -----

def _data_term(theta, X, y):
    return X.T @ (sigmoid(X @ theta) - y) / len(y)


REG_WRONG = {
    "no penalty": (lambda theta, X, y, l2: _data_term(theta, X, y), "left out the penalty"),
    "l2 / 2": (lambda theta, X, y, l2: _data_term(theta, X, y) + 0.5 * l2 * theta, "cancels the 1/2"),
    "2 l2": (lambda theta, X, y, l2: _data_term(theta, X, y) + 2 * l2 * theta, "not 2 * l2 * theta"),
    "minus": (lambda theta, X, y, l2: _data_term(theta, X, y) - l2 * theta, "towards 0"),
    "over n": (lambda theta, X, y, l2: _data_term(theta, X, y) + l2 * theta / len(y), "divided the penalty by n"),
    "y - p": (lambda theta, X, y, l2: -_data_term(theta, X, y) + l2 * theta, "Sign error"),
    "sum": (lambda theta, X, y, l2: len(y) * _data_term(theta, X, y) + l2 * theta, "summed"),
}


@pytest.mark.parametrize("name", REG_WRONG)
def test_regularized_logistic_gradient_names_the_mistake(name):
    answer, words = REG_WRONG[name]
    for seed in range(10):
        verdict = ch01.regularized_logistic_gradient.verdict(answer, seed=seed)
        assert verdict.status == "wrong"
        assert words in verdict.message, verdict.message


def test_regularized_logistic_gradient_agrees_with_lessonlib():
    from lessonlib.objectives import LogisticRegression

    for _, (theta, X, y, l2), _ in ch01.regularized_logistic_gradient._cases(2):
        expected = LogisticRegression(X, y.astype(int)).grad(theta) + l2 * theta
        np.testing.assert_allclose(ch01.SOLUTIONS["regularized_logistic_gradient"](theta, X, y, l2), expected,
                                   rtol=1e-12, atol=1e-15)


# --- exercises 4 and 5: values ---------------------------------------------------------

@pytest.mark.parametrize("answer, words", [
    (np.array([4.0, -3.0]), "minus the gradient"),
    (np.array([2.0, 3.0]), "cross term"),
    (np.array([-4.0, -6.0]), "not 3 * theta2"),
    (np.array([3.0, -4.0]), "swapped"),
])
def test_gradient_at_point_names_the_mistake(answer, words):
    verdict = ch01.gradient_at_point.verdict(answer)
    assert verdict.status == "wrong"
    assert words in verdict.message


def test_gradient_at_point_accepts_a_list_and_rejects_a_scalar():
    assert ch01.gradient_at_point.verdict([-4, 3]).status == "correct"
    assert ch01.gradient_at_point.verdict(5.0).status == "wrong"
    assert ch01.gradient_at_point.verdict("(-4, 3)").status == "wrong"


@pytest.mark.parametrize("answer, words", [
    (25.0, "SQUARED"), (7.0, "L1"), (-5.0, "smallest"), (3.0, "theta2 axis"),
])
def test_steepest_slope_names_the_mistake(answer, words):
    verdict = ch01.steepest_slope.verdict(answer)
    assert verdict.status == "wrong"
    assert words in verdict.message


def test_steepest_slope_matches_random_directions():
    # The claimed maximum really is the largest slope grad . u over unit vectors u.
    grad = ch01.SOLUTIONS["gradient_at_point"]()
    angles = np.linspace(0, 2 * np.pi, 10_001)
    slopes = np.cos(angles) * grad[0] + np.sin(angles) * grad[1]
    assert slopes.max() == pytest.approx(ch01.SOLUTIONS["steepest_slope"](), rel=1e-6)
