"""Tests of lessonlib.train: minimize, History, batches, divergence handling."""

import numpy as np
import pytest

from lessonlib.data import make_regression
from lessonlib.objectives import LinearRegressionMSE, Quadratic
from lessonlib.optim import SGD, Adam
from lessonlib._validate import lr_at
from lessonlib.train import DivergenceError, EpochHistory, History, batches, minimize, train_epochs


@pytest.fixture
def quad():
    return Quadratic.from_eigenvalues([1.0, 10.0], angle=0.5, minimizer=[1.0, -2.0])


def test_sgd_reaches_minimizer(quad):
    hist = minimize(quad, SGD(lr=1 / quad.L), np.zeros(2), steps=300)
    assert isinstance(hist, History)
    assert hist.stopped == "max_steps"
    np.testing.assert_allclose(hist.theta, [1.0, -2.0], atol=1e-10)
    assert hist.losses[-1] == pytest.approx(quad.min_value, abs=1e-12)
    # gradient descent with lr = 1/L decreases the loss monotonically
    assert np.all(np.diff(hist.losses) <= 1e-12)


def test_history_shapes_and_properties(quad):
    theta0 = np.array([3.0, 4.0])
    hist = minimize(quad, SGD(lr=0.05), theta0, steps=7)
    assert hist.thetas.shape == (8, 2)
    assert hist.losses.shape == (8,)
    assert hist.lrs.shape == (7,)
    assert hist.grad_norms.shape == (7,)
    assert hist.steps == 7
    np.testing.assert_array_equal(hist.theta, hist.thetas[-1])
    np.testing.assert_array_equal(hist.thetas[0], [3.0, 4.0])
    np.testing.assert_allclose(hist.losses, [quad.loss(t) for t in hist.thetas], rtol=1e-14)
    np.testing.assert_allclose(hist.grad_norms, [np.linalg.norm(quad.grad(t)) for t in hist.thetas[:-1]])
    np.testing.assert_array_equal(hist.lrs, 0.05)
    # each step is theta - lr * grad
    np.testing.assert_allclose(hist.thetas[1], theta0 - 0.05 * quad.grad(theta0), rtol=1e-14)
    # theta0 untouched
    np.testing.assert_array_equal(theta0, [3.0, 4.0])


def test_zero_steps(quad):
    hist = minimize(quad, SGD(lr=0.1), [1.0, 1.0], steps=0)
    assert hist.steps == 0 and hist.thetas.shape == (1, 2) and hist.stopped == "max_steps"
    with pytest.raises(ValueError, match="steps"):
        minimize(quad, SGD(lr=0.1), [1.0, 1.0], steps=-1)


def test_grad_tol_stops(quad):
    tol = 1e-4
    hist = minimize(quad, SGD(lr=0.1), np.zeros(2), steps=10_000, grad_tol=tol)
    assert hist.stopped == "grad_tol"
    assert hist.steps < 10_000
    assert np.linalg.norm(quad.grad(hist.theta)) <= tol
    assert np.all(hist.grad_norms > tol)  # the stopping gradient is not recorded as a step
    assert len(hist.thetas) == hist.steps + 1 == len(hist.losses) == len(hist.grad_norms) + 1


def test_loss_tol_stops(quad):
    tol = 1e-8
    hist = minimize(quad, SGD(lr=0.1), np.zeros(2), steps=10_000, loss_tol=tol)
    assert hist.stopped == "loss_tol"
    assert hist.steps < 10_000
    last, prev = hist.losses[-1], hist.losses[-2]
    assert abs(last - prev) <= tol * max(1.0, abs(prev))
    steps_before = np.abs(np.diff(hist.losses[:-1])) / np.maximum(1.0, np.abs(hist.losses[:-2]))
    assert np.all(steps_before > tol)


def test_divergence_raises_with_helpful_message(quad):
    lr = 0.25  # > 2/L = 0.2
    with pytest.raises(DivergenceError) as info:
        minimize(quad, SGD(lr=lr), np.ones(2), steps=500)
    msg = str(info.value)
    assert "diverged" in msg
    assert "0.25" in msg
    assert "2/L" in msg and "0.2" in msg
    assert isinstance(info.value, FloatingPointError)


def test_divergence_stop_returns_history(quad):
    hist = minimize(quad, SGD(lr=0.25), np.ones(2), steps=500, on_divergence="stop")
    assert hist.stopped == "diverged"
    assert hist.steps < 500
    assert len(hist.thetas) == len(hist.losses) == hist.steps + 1 == len(hist.grad_norms) + 1
    assert np.all(np.isfinite(hist.losses[:-1]))
    assert np.all(np.abs(hist.losses[:-1]) <= 1e10 * max(1.0, abs(hist.losses[0])))
    assert abs(hist.losses[-1]) > 1e10 * max(1.0, abs(hist.losses[0])) or not np.isfinite(hist.losses[-1])


def test_invalid_on_divergence_raises(quad):
    with pytest.raises(ValueError, match="on_divergence"):
        minimize(quad, SGD(lr=0.1), np.ones(2), steps=3, on_divergence="ignore")


def test_schedule_lrs_recorded(quad):
    def schedule(t):
        return 0.1 / (1 + t)

    hist = minimize(quad, SGD(lr=schedule), np.ones(2), steps=12)
    np.testing.assert_allclose(hist.lrs, [schedule(t) for t in range(12)], rtol=1e-15)
    assert lr_at(SGD(lr=schedule).lr, 3) == pytest.approx(0.025)
    assert lr_at(SGD(lr=0.3).lr, 3) == 0.3


# ---------------------------------------------------------------- batches

@pytest.mark.parametrize("n,batch_size", [(10, 5), (10, 3), (7, 7), (5, 1), (11, 4)])
def test_batches_without_replacement_cover_each_epoch(n, batch_size):
    gen = batches(n, batch_size, seed=1)
    per_epoch = -(-n // batch_size)
    epochs = []
    for _ in range(3):
        chunk = [next(gen) for _ in range(per_epoch)]
        sizes = [len(b) for b in chunk]
        assert sizes[:-1] == [batch_size] * (per_epoch - 1)
        assert sizes[-1] == n - batch_size * (per_epoch - 1)
        idx = np.concatenate(chunk)
        np.testing.assert_array_equal(np.sort(idx), np.arange(n))
        epochs.append(idx)
    if n > 2:
        assert not np.array_equal(epochs[0], epochs[1])  # a fresh permutation each epoch


def test_batches_with_replacement():
    gen = batches(6, 4, seed=3, replacement=True)
    draws = [next(gen) for _ in range(200)]
    assert all(len(b) == 4 for b in draws)
    allidx = np.concatenate(draws)
    assert allidx.min() >= 0 and allidx.max() <= 5
    assert set(allidx.tolist()) == set(range(6))
    assert any(len(set(b.tolist())) < 4 for b in draws)  # repeats happen


def test_batches_reproducible():
    a, b, c = batches(20, 6, seed=5), batches(20, 6, seed=5), batches(20, 6, seed=6)
    first_a = [next(a) for _ in range(4)]
    first_b = [next(b) for _ in range(4)]
    first_c = [next(c) for _ in range(4)]
    assert all(np.array_equal(x, y) for x, y in zip(first_a, first_b))
    assert not all(np.array_equal(x, y) for x, y in zip(first_a, first_c))


@pytest.mark.parametrize("batch_size", [0, -1, 11])
def test_batches_invalid_size_raises(batch_size):
    with pytest.raises(ValueError, match="batch_size"):
        batches(10, batch_size)


# ---------------------------------------------------------------- mini-batch minimize

def _linreg():
    X, y, _ = make_regression(n=200, d=3, noise=0.1, seed=2)
    return LinearRegressionMSE(X, y)


def test_minibatch_decreases_loss_and_is_reproducible():
    obj = _linreg()
    run = lambda seed: minimize(obj, SGD(lr=0.05), np.zeros(4), steps=300, batch_size=16, seed=seed)  # noqa: E731
    h1, h2, h3 = run(0), run(0), run(1)
    assert h1.losses[-1] < 0.05 * h1.losses[0]
    assert h1.losses[-1] < 2 * obj.loss(obj.minimizer) + 0.01
    np.testing.assert_array_equal(h1.thetas, h2.thetas)
    np.testing.assert_array_equal(h1.losses, h2.losses)
    assert not np.array_equal(h1.thetas, h3.thetas)
    # the recorded losses are full-data losses
    np.testing.assert_allclose(h1.losses[5], obj.loss(h1.thetas[5]), rtol=1e-14)


def test_minibatch_uses_batch_gradients():
    obj = _linreg()
    hist = minimize(obj, SGD(lr=0.05), np.zeros(4), steps=3, batch_size=16, seed=7)
    gen = batches(obj.n, 16, seed=7)
    theta = np.zeros(4)
    for t in range(3):
        theta = theta - 0.05 * obj.batch_grad(theta, next(gen))
        np.testing.assert_allclose(hist.thetas[t + 1], theta, rtol=1e-14)


def test_minimize_invalid_batch_size_raises():
    with pytest.raises(ValueError, match="batch_size"):
        minimize(_linreg(), SGD(lr=0.1), np.zeros(4), steps=5, batch_size=0)


# ---------------------------------------------------------------- sparse recording, gradient evaluations

def test_history_built_by_hand_keeps_working():
    hist = History(np.zeros((2, 1)), np.zeros(2), np.ones(1), np.ones(1), "max_steps")
    assert hist.grad_evals is None and hist.recorded_steps is None
    assert hist.steps == 1


def test_grad_evals_count_samples_touched(quad):
    obj = _linreg()
    full = minimize(obj, SGD(lr=0.05), np.zeros(4), steps=5)
    np.testing.assert_array_equal(full.grad_evals, 200 * np.arange(6))
    np.testing.assert_array_equal(full.recorded_steps, np.arange(6))
    mini = minimize(obj, SGD(lr=0.05), np.zeros(4), steps=7, batch_size=16)
    np.testing.assert_array_equal(mini.grad_evals, 16 * np.arange(8))
    no_data = minimize(quad, SGD(lr=0.05), np.zeros(2), steps=3)
    np.testing.assert_array_equal(no_data.grad_evals, np.arange(4))


def test_grad_evals_count_the_last_partial_batch():
    X, y, _ = make_regression(n=10, d=1, seed=0)
    hist = minimize(LinearRegressionMSE(X, y), SGD(lr=0.05), np.zeros(2), steps=6, batch_size=4)
    np.testing.assert_array_equal(hist.grad_evals, [0, 4, 8, 10, 14, 18, 20])


@pytest.mark.parametrize("k", [1, 3, 10, 25])
def test_record_every_keeps_the_same_run(k):
    obj = _linreg()
    every = minimize(obj, SGD(lr=0.05), np.zeros(4), steps=23, batch_size=8, seed=3)
    sparse = minimize(obj, SGD(lr=0.05), np.zeros(4), steps=23, batch_size=8, seed=3, record_every=k)
    expected_steps = sorted(set(range(0, 24, k)) | {23})
    np.testing.assert_array_equal(sparse.recorded_steps, expected_steps)
    np.testing.assert_array_equal(sparse.thetas, every.thetas[expected_steps])
    np.testing.assert_array_equal(sparse.losses, every.losses[expected_steps])
    np.testing.assert_array_equal(sparse.grad_evals, every.grad_evals[expected_steps])
    np.testing.assert_array_equal(sparse.lrs, every.lrs)              # per-step records stay complete
    np.testing.assert_array_equal(sparse.grad_norms, every.grad_norms)
    assert sparse.steps == 23 and sparse.stopped == "max_steps"


def test_record_every_evaluates_the_loss_only_when_recording():
    class Counting:
        def __init__(self, objective):
            self.objective, self.calls = objective, 0

        def loss(self, theta):
            self.calls += 1
            return self.objective.loss(theta)

        def __getattr__(self, name):
            return getattr(self.objective, name)

    obj = Counting(_linreg())
    minimize(obj, SGD(lr=0.05), np.zeros(4), steps=100, batch_size=8, record_every=10)
    assert obj.calls == 11


def test_record_every_with_grad_tol_records_the_last_iterate(quad):
    every = minimize(quad, SGD(lr=0.1), np.zeros(2), steps=10_000, grad_tol=1e-4)
    sparse = minimize(quad, SGD(lr=0.1), np.zeros(2), steps=10_000, grad_tol=1e-4, record_every=50)
    assert sparse.stopped == "grad_tol" and sparse.steps == every.steps
    assert sparse.recorded_steps[-1] == every.steps
    np.testing.assert_array_equal(sparse.theta, every.theta)
    assert sparse.grad_evals[-1] == every.steps


def test_record_every_still_detects_divergence(quad):
    hist = minimize(quad, SGD(lr=0.25), np.ones(2), steps=5000, on_divergence="stop", record_every=7)
    assert hist.stopped == "diverged" and hist.steps < 5000
    assert abs(hist.losses[-1]) > 1e10 * max(1.0, abs(hist.losses[0])) or not np.isfinite(hist.losses[-1])
    with pytest.raises(DivergenceError):
        minimize(quad, SGD(lr=0.25), np.ones(2), steps=5000, record_every=7)


def test_record_every_catches_non_finite_parameters_between_records():
    class Overflowing:
        def loss(self, theta):
            return 0.0                   # a loss that never notices anything

        def grad(self, theta):
            return np.full_like(theta, -1e150)   # finite, with a finite norm

    with np.errstate(over="ignore"):             # the step overflows to inf, on purpose
        hist = minimize(Overflowing(), SGD(lr=1e300), np.zeros(1), steps=100, on_divergence="stop",
                        record_every=50)
    assert hist.stopped == "diverged" and hist.steps == 1
    assert not np.isfinite(hist.theta).all()


@pytest.mark.parametrize("k", [0, -2, 1.5, True])
def test_record_every_invalid_raises(quad, k):
    with pytest.raises(ValueError, match="record_every"):
        minimize(quad, SGD(lr=0.1), np.zeros(2), steps=3, record_every=k)


def test_loss_tol_needs_every_step_recorded(quad):
    with pytest.raises(ValueError, match="record_every=1"):
        minimize(quad, SGD(lr=0.1), np.zeros(2), steps=3, loss_tol=1e-6, record_every=2)


def test_minimize_adjusting_lr_joins_chunks_and_follows_the_plateau():
    from lessonlib.data import make_regression
    from lessonlib.objectives import LinearRegressionMSE
    from lessonlib.schedules import ReduceOnPlateau
    from lessonlib.train import minimize_adjusting_lr

    X, y, _ = make_regression(n=200, d=3, seed=1)
    obj = LinearRegressionMSE(X, y)
    plateau = ReduceOnPlateau(0.05, factor=0.5, patience=1)
    run = minimize_adjusting_lr(obj, 0.05, np.zeros(4), 100, 10, lambda loss, lr: plateau.step(loss), batch_size=10)
    assert run.thetas.shape == (101, 4) and run.losses.shape == (101,) and run.lrs.shape == (100,)
    np.testing.assert_array_equal(run.recorded_steps, np.arange(101))
    np.testing.assert_array_equal(run.grad_evals, 10 * np.arange(101))
    assert np.all(run.lrs[:10] == 0.05) and np.ptp(run.lrs.reshape(10, 10), axis=1).max() == 0
    assert run.lrs[-1] < 0.05                     # the noise floor is a plateau: the rate was cut
    assert run.losses[-1] < 0.5 * run.losses[0]
    # each chunk is an ordinary minimize run from the previous chunk's end
    first = minimize(obj, SGD(0.05), np.zeros(4), 10, batch_size=10, seed=0)
    np.testing.assert_array_equal(run.thetas[:11], first.thetas)
    with pytest.raises(ValueError, match="every"):
        minimize_adjusting_lr(obj, 0.05, np.zeros(4), 100, 0, lambda loss, lr: lr)


# ---------------------------------------------------------------- one lr_at, stopping rules

def test_minimize_checks_the_schedule_with_the_one_lr_at(quad):
    def bad(t):
        return 0.5 - 0.25 * t                    # negative from t = 3

    with pytest.raises(ValueError, match=r"returned lr=-0.25 at step t=3"):
        minimize(quad, SGD(lr=bad), np.ones(2), steps=10)
    assert lr_at(0.1, 5) == 0.1 and isinstance(lr_at(1, 0), float)


def test_a_stopping_gradient_costs_nothing():
    obj = _linreg()
    hist = minimize(obj, SGD(lr=0.1), np.zeros(4), steps=10_000, grad_tol=1e-3)
    assert hist.stopped == "grad_tol"
    assert hist.grad_evals[-1] == obj.n * hist.steps     # the last gradient only stopped the run
    mini = minimize(obj, SGD(lr=0.05), np.zeros(4), steps=50, batch_size=16, grad_tol=1e9)
    assert mini.steps == 0 and mini.stopped == "grad_tol" and mini.grad_evals.tolist() == [0]


def test_non_finite_gradient_stops_or_raises_with_the_step():
    class NanAfterTwo:
        calls = 0

        def loss(self, theta):
            return float(theta @ theta)

        def grad(self, theta):
            self.calls += 1
            return 2 * theta if self.calls <= 2 else np.full_like(theta, np.nan)

    hist = minimize(NanAfterTwo(), SGD(lr=0.1), np.ones(2), steps=10, on_divergence="stop")
    assert hist.stopped == "diverged" and hist.steps == 2 and len(hist.thetas) == 3
    with pytest.raises(DivergenceError, match=r"step 2: .*gradient itself is no longer finite"):
        minimize(NanAfterTwo(), SGD(lr=0.1), np.ones(2), steps=10)


# ---------------------------------------------------------------- train_epochs

def _toy_mlp(n=60, seed=0):
    from lessonlib.nn import MLP

    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 4))
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int) + (X[:, 2] > 1).astype(int)
    return MLP(X[:40], y[:40], hidden=(8,)), MLP(X[40:], y[40:], hidden=(8,))


def test_train_epochs_records_each_epoch_and_takes_ceil_n_over_b_steps():
    mlp, test = _toy_mlp()
    theta0 = mlp.init(0)
    hist = train_epochs(mlp, SGD(0.1), theta0, 5, 16, test=test)
    assert isinstance(hist, EpochHistory) and hist.stopped == "max_epochs"
    assert hist.steps == 5 * 3                                     # 40 samples: batches 16, 16, 8
    np.testing.assert_array_equal(hist.epochs, np.arange(6))
    for field in (hist.train_loss, hist.test_loss, hist.train_accuracy, hist.test_accuracy):
        assert field.shape == (6,)
    assert hist.train_loss[0] == mlp.loss(theta0) and hist.test_loss[0] == test.loss(theta0)
    assert hist.train_loss[-1] == mlp.loss(hist.theta) and hist.test_accuracy[-1] == test.accuracy(hist.theta)
    assert hist.train_loss[-1] < hist.train_loss[0]
    assert theta0 is not hist.theta and np.array_equal(theta0, mlp.init(0))   # theta0 untouched


def test_train_epochs_is_the_loop_over_reshuffled_batches():
    mlp, _ = _toy_mlp()
    hist = train_epochs(mlp, SGD(0.1, momentum=0.9), mlp.init(1), 3, 16, seed=4)
    opt, theta, gen = SGD(0.1, momentum=0.9), mlp.init(1), batches(mlp.n, 16, seed=4)
    state = opt.init(theta)
    epochs = []
    for _ in range(3):
        epoch = [next(gen) for _ in range(3)]
        epochs.append(np.concatenate(epoch))
        for idx in epoch:
            theta, state = opt.step(theta, mlp.batch_grad(theta, idx), state)
    np.testing.assert_array_equal(hist.theta, theta)
    assert not np.array_equal(epochs[0], epochs[1])               # a new order every epoch
    assert sorted(epochs[2]) == list(range(40))


def test_train_epochs_is_deterministic_under_a_seed():
    mlp, test = _toy_mlp()
    run = lambda seed: train_epochs(mlp, Adam(0.01), mlp.init(0), 4, 8, test=test, seed=seed)  # noqa: E731
    a, b, c = run(0), run(0), run(1)
    np.testing.assert_array_equal(a.theta, b.theta)
    np.testing.assert_array_equal(a.test_loss, b.test_loss)
    assert not np.array_equal(a.theta, c.theta)


def test_train_epochs_without_test_or_predict_records_what_exists():
    hist = train_epochs(_linreg(), SGD(0.05), np.zeros(4), 2, 50)
    assert hist.test_loss is None and hist.train_accuracy is None and hist.test_accuracy is None
    assert hist.train_loss.shape == (3,) and hist.steps == 8
    zero = train_epochs(_linreg(), SGD(0.05), np.zeros(4), 0, 50)
    assert zero.steps == 0 and zero.train_loss.shape == (1,)


def test_train_epochs_divergence_raises_or_stops():
    mlp, test = _toy_mlp()
    with np.errstate(all="ignore"):
        with pytest.raises(DivergenceError, match=r"diverged in epoch \d+.*learning rate 1e\+08.*try 1e\+07"):
            train_epochs(mlp, SGD(1e8), mlp.init(0), 50, 8)
        hist = train_epochs(mlp, SGD(1e8), mlp.init(0), 50, 8, test=test, on_divergence="stop")
    assert hist.stopped == "diverged" and len(hist.train_loss) < 51
    assert np.isfinite(hist.train_loss).all()                     # only finite epochs are recorded


@pytest.mark.parametrize("kwargs, message", [
    ({"epochs": -1}, "epochs must be an integer >= 0, got -1"),
    ({"epochs": 2.5}, "epochs must be an integer >= 0, got 2.5"),
    ({"batch_size": 0}, "batch_size must be between 1 and n=40, got 0"),
    ({"on_divergence": "ignore"}, "on_divergence must be"),
])
def test_train_epochs_bad_arguments(kwargs, message):
    mlp, _ = _toy_mlp()
    args = {"epochs": 2, "batch_size": 8} | kwargs
    with pytest.raises(ValueError, match=message):
        train_epochs(mlp, SGD(0.1), mlp.init(0), args.pop("epochs"), args.pop("batch_size"), **args)


def test_the_mlp_learns_the_digits():
    from lessonlib.data import load_digits
    from lessonlib.nn import MLP
    data = load_digits(bias=False, seed=0)
    mlp = MLP(data.X_train, data.y_train, hidden=(32,), l2=1e-4)
    hist = train_epochs(mlp, Adam(1e-2), mlp.init(0), 3, 64, test=mlp.on(data.X_test, data.y_test))
    assert hist.test_accuracy[0] < 0.3                             # an untrained network guesses
    assert hist.test_accuracy[-1] > 0.93
    assert np.all(np.diff(hist.train_loss) < 0)
