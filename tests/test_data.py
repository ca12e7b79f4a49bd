"""Tests of lessonlib.data."""

import numpy as np
import pytest

from lessonlib.data import Split, load_digits, make_regression


def test_make_regression_shapes_and_bias():
    X, y, theta = make_regression(n=50, d=3, seed=1)
    assert X.shape == (50, 4) and y.shape == (50,) and theta.shape == (4,)
    np.testing.assert_array_equal(X[:, 0], 1.0)
    assert np.all(np.abs(theta) <= 2.0)
    X, y, theta = make_regression(n=20, d=2, bias=False)
    assert X.shape == (20, 2) and theta.shape == (2,)
    assert not np.any(np.all(X == 1.0, axis=0))


def test_make_regression_reproducible_and_seed_dependent():
    a = make_regression(n=30, d=2, seed=7)
    b = make_regression(n=30, d=2, seed=7)
    c = make_regression(n=30, d=2, seed=8)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[0], c[0])
    assert not np.array_equal(a[1], c[1])
    assert not np.array_equal(a[2], c[2])


def test_make_regression_noise():
    X, y, theta = make_regression(n=40, d=3, noise=0.0, seed=2)
    np.testing.assert_allclose(y, X @ theta, rtol=0, atol=1e-14)
    X, y, theta = make_regression(n=4000, d=2, noise=0.5, seed=3)
    resid = y - X @ theta
    assert resid.std() == pytest.approx(0.5, rel=0.05)
    assert abs(resid.mean()) < 0.05


@pytest.mark.parametrize("kwargs", [{"n": 0}, {"d": 0}])
def test_make_regression_invalid(kwargs):
    with pytest.raises(ValueError, match="must be >= 1"):
        make_regression(**kwargs)


@pytest.fixture(scope="module")
def digits():
    return load_digits()


def test_load_digits_shapes(digits):
    assert isinstance(digits, Split)
    assert digits.X_train.shape == (1347, 65)
    assert digits.X_test.shape == (450, 65)
    assert digits.y_train.shape == (1347,) and digits.y_test.shape == (450,)
    assert set(np.unique(digits.y_train)) == set(range(10))
    np.testing.assert_array_equal(digits.X_train[:, -1], 1.0)
    np.testing.assert_array_equal(digits.X_test[:, -1], 1.0)


def test_load_digits_standardised_with_train_statistics(digits):
    from sklearn.datasets import load_digits as sk_load
    from sklearn.model_selection import train_test_split

    Xtr = digits.X_train[:, :-1]
    np.testing.assert_allclose(Xtr.mean(axis=0), 0.0, atol=1e-12)
    std = Xtr.std(axis=0)
    assert np.all(np.isclose(std, 1.0) | (std == 0.0))
    assert np.sum(std == 0.0) >= 1  # some border pixels are always 0 in training
    # the test set is standardised with the training mean and std, not its own
    X, y = sk_load(return_X_y=True)
    raw_train, raw_test, _, _ = train_test_split(X.astype(float), y, test_size=0.25, random_state=0, stratify=y)
    mean, sd = raw_train.mean(axis=0), raw_train.std(axis=0)
    sd[sd == 0] = 1.0
    np.testing.assert_allclose(digits.X_test[:, :-1], (raw_test - mean) / sd, rtol=1e-12, atol=1e-12)
    assert not np.allclose(digits.X_test[:, :-1].mean(axis=0), 0.0, atol=1e-3)
    assert np.all(np.isfinite(digits.X_test))


def test_load_digits_binary_task():
    split = load_digits(digits=(3, 8))
    n = len(split.y_train) + len(split.y_test)
    assert n == 183 + 174  # threes and eights in the data set
    assert set(np.unique(split.y_train)) == {0, 1}
    assert set(np.unique(split.y_test)) == {0, 1}
    assert np.sum(split.y_train == 1) + np.sum(split.y_test == 1) == 174  # label 1 is an 8
    reversed_split = load_digits(digits=(8, 3))
    assert np.sum(reversed_split.y_train == 1) + np.sum(reversed_split.y_test == 1) == 183  # now 1 is a 3
    assert split.X_train.shape[1] == 65


def test_load_digits_stratified_and_seeded():
    split = load_digits(digits=(3, 8))
    frac_train = np.mean(split.y_train == 1)
    frac_test = np.mean(split.y_test == 1)
    assert abs(frac_train - frac_test) < 0.01
    assert len(split.y_test) == int(np.ceil(0.25 * 357))
    again = load_digits(digits=(3, 8))
    np.testing.assert_array_equal(split.X_train, again.X_train)
    other = load_digits(digits=(3, 8), seed=1)
    assert not np.array_equal(split.y_train, other.y_train) or not np.array_equal(split.X_train, other.X_train)


def test_load_digits_no_bias_and_test_size():
    split = load_digits(bias=False, test_size=0.5)
    assert split.X_train.shape[1] == 64
    assert abs(len(split.y_train) - len(split.y_test)) <= 1
