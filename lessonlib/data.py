"""Data sets: seeded synthetic regression and the scikit-learn digits.

Nothing is downloaded: the digits (1,797 8x8 images of handwritten digits) ship
inside scikit-learn.
"""

from typing import NamedTuple

import numpy as np

__all__ = ["make_regression", "Split", "load_digits"]


def make_regression(n=100, d=1, noise=0.5, seed=0, bias=True):
    r"""Synthetic linear data :math:`y = X\theta^* + \varepsilon`, :math:`\varepsilon \sim N(0, \text{noise}^2)`.

    Features are standard normal; with ``bias=True`` a first column of ones is
    prepended, so ``X`` has ``d + 1`` columns and ``theta_true[0]`` is the intercept.

    Returns
    -------
    X : array (n, d + bias), y : array (n,), theta_true : array (d + bias,)
    """
    if n < 1 or d < 1:
        raise ValueError(f"n and d must be >= 1, got n={n}, d={d}")
    rng = np.random.default_rng(seed)
    features = rng.standard_normal((n, d))
    X = np.hstack([np.ones((n, 1)), features]) if bias else features
    theta_true = rng.uniform(-2.0, 2.0, size=X.shape[1])
    y = X @ theta_true + noise * rng.standard_normal(n)
    return X, y, theta_true


class Split(NamedTuple):
    X_train: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray


def load_digits(test_size=0.25, seed=0, digits=None, bias=True):
    """The scikit-learn digits, split (stratified) and standardised with the training statistics.

    Parameters
    ----------
    test_size : float
        Fraction of samples held out for testing.
    seed : int
        Seed of the split.
    digits : tuple of int, optional
        Keep only these digits, relabelled 0, 1, ... in the given order; ``(3, 8)``
        gives a binary task with label 1 for an 8.
    bias : bool
        Append a column of ones (after standardising).

    Pixels that are constant in the training set are left at 0 rather than divided by 0.
    """
    from sklearn.datasets import load_digits as _sk_load_digits
    from sklearn.model_selection import train_test_split

    X, y = _sk_load_digits(return_X_y=True)
    if digits is not None:
        label = {digit: i for i, digit in enumerate(digits)}
        keep = np.isin(y, list(label))
        X, y = X[keep], np.array([label[digit] for digit in y[keep]])
    X_train, X_test, y_train, y_test = train_test_split(
        X.astype(float), y, test_size=test_size, random_state=seed, stratify=y)
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    std[std == 0] = 1.0
    X_train, X_test = (X_train - mean) / std, (X_test - mean) / std
    if bias:
        X_train = np.hstack([X_train, np.ones((len(X_train), 1))])
        X_test = np.hstack([X_test, np.ones((len(X_test), 1))])
    return Split(X_train, X_test, y_train, y_test)
