"""lessonlib.optim: agreement with torch.optim, argument checks, purity and invariances."""

import dataclasses
import json
import pathlib
import re

import numpy as np
import pytest

from lessonlib import optim, reference, schedules
from lessonlib.optim import SGD, AdaGrad, Adam, AdamState, AdamW, AMSGradState, RMSProp

REFERENCE_DIR = pathlib.Path(__file__).parent / "reference"
REFERENCE = json.loads((REFERENCE_DIR / "torch_reference.json").read_text())
CASES = {case["name"]: case for case in REFERENCE["optimizers"]}
RTOL, ATOL = 1e-10, 1e-12

OPTIMIZERS = [SGD, AdaGrad, RMSProp, Adam, AdamW]
# Configurations exercising every state field and branch of each optimizer, each with
# and without weight decay (which replaces grad by a fresh array).
CONFIGS = [
    SGD(lr=0.05),
    SGD(lr=0.05, momentum=0.9, weight_decay=0.1),
    SGD(lr=0.05, momentum=0.9, nesterov=True),
    AdaGrad(lr=0.5),
    AdaGrad(lr=0.5, lr_decay=0.1, initial_accumulator_value=0.1, weight_decay=0.1),
    RMSProp(lr=0.01),
    RMSProp(lr=0.01, centered=True, momentum=0.9, weight_decay=0.1),
    Adam(lr=0.1, weight_decay=0.1),
    Adam(lr=0.1, amsgrad=True),
    AdamW(lr=0.1),
    AdamW(lr=0.1, weight_decay=0.0),
    AdamW(lr=0.1, amsgrad=True),
]


build_optimizer = reference.build_optimizer
run = reference.replay          # the iterates (n_steps + 1, d) from the problem's theta0


def test_reference_covers_every_optimizer_and_a_schedule():
    assert {case["optimizer"] for case in CASES.values()} == {cls.__name__ for cls in OPTIMIZERS}
    assert any(case["schedule"] for case in CASES.values())
    assert REFERENCE["generator"] == "tests/reference/make_torch_reference.py"
    assert REFERENCE["torch_version"]


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_torch_reference(name):
    case = CASES[name]
    expected = np.array(case["iterates"])
    got = run(build_optimizer(case), REFERENCE["problem"], REFERENCE["n_steps"])
    # The run must move, or agreeing with torch would prove little.
    assert np.abs(expected[-1] - expected[0]).max() > 0.1
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_torch_live_on_a_fresh_problem(torch_reference, name):
    case = CASES[name]
    problem = torch_reference.make_problem(seed=7, dim=8)
    expected = torch_reference.run_torch_optimizer(case, problem, 30)
    got = run(build_optimizer(case), problem, 30)
    assert np.abs(expected[-1] - expected[0]).max() > 0.1
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=ATOL)


# --- argument checks -------------------------------------------------------------------

BAD_ARGUMENTS = [
    (SGD, {"lr": -0.1}, "lr must be > 0, got -0.1"),
    (SGD, {"lr": 0.0}, "lr must be > 0, got 0.0"),
    (Adam, {"lr": float("nan")}, "lr must be a finite number, got nan"),
    (AdaGrad, {"lr": -1}, "lr must be > 0, got -1"),
    (RMSProp, {"lr": 0}, "lr must be > 0, got 0"),
    (AdamW, {"lr": -1e-3}, "lr must be > 0, got -0.001"),
    (Adam, {"beta1": 1.0}, "beta1 must be in [0, 1), got 1.0"),
    (Adam, {"beta1": -0.1}, "beta1 must be in [0, 1), got -0.1"),
    (Adam, {"beta2": 1.5}, "beta2 must be in [0, 1), got 1.5"),
    (AdamW, {"beta1": 1.0}, "beta1 must be in [0, 1), got 1.0"),
    (AdamW, {"beta2": -0.5}, "beta2 must be in [0, 1), got -0.5"),
    (RMSProp, {"beta": 1.0}, "beta must be in [0, 1), got 1.0"),
    (RMSProp, {"beta": -0.1}, "beta must be in [0, 1), got -0.1"),
    (AdaGrad, {"eps": -1e-10}, "eps must be >= 0, got -1e-10"),
    (RMSProp, {"eps": -1e-8}, "eps must be >= 0, got -1e-08"),
    (Adam, {"eps": -1e-8}, "eps must be >= 0, got -1e-08"),
    (AdamW, {"eps": -1.0}, "eps must be >= 0, got -1.0"),
    (SGD, {"lr": 0.1, "momentum": -0.9}, "momentum must be >= 0, got -0.9"),
    (RMSProp, {"momentum": -0.5}, "momentum must be >= 0, got -0.5"),
    (SGD, {"lr": 0.1, "weight_decay": -0.1}, "weight_decay must be >= 0, got -0.1"),
    (AdaGrad, {"weight_decay": -0.1}, "weight_decay must be >= 0, got -0.1"),
    (RMSProp, {"weight_decay": -0.1}, "weight_decay must be >= 0, got -0.1"),
    (Adam, {"weight_decay": -0.1}, "weight_decay must be >= 0, got -0.1"),
    (AdamW, {"weight_decay": -0.1}, "weight_decay must be >= 0, got -0.1"),
    (AdaGrad, {"lr_decay": -0.1}, "lr_decay must be >= 0, got -0.1"),
    (AdaGrad, {"initial_accumulator_value": -1.0},
     "initial_accumulator_value must be >= 0, got -1.0"),
    (SGD, {"lr": 0.1, "nesterov": True}, "nesterov=True needs momentum > 0"),
]


@pytest.mark.parametrize("cls, kwargs, message", BAD_ARGUMENTS,
                         ids=[f"{c.__name__}-{'-'.join(k)}-{k.get('lr', '')}"
                              for c, k, _ in BAD_ARGUMENTS])
def test_invalid_hyperparameter_raises_a_message_naming_it(cls, kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        cls(**kwargs)


def test_sgd_needs_a_learning_rate():
    with pytest.raises(TypeError, match="lr"):
        SGD()


@pytest.mark.parametrize("opt", CONFIGS, ids=repr)
def test_grad_of_the_wrong_shape_is_rejected(opt):
    theta = np.zeros(2)
    message = ("grad has shape (3,) but theta has shape (2,); "
               "pass the gradient of the loss with respect to theta")
    with pytest.raises(ValueError, match=re.escape(message)):
        opt.step(theta, np.ones(3), opt.init(theta))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("opt", CONFIGS, ids=repr)
def test_non_finite_grad_says_the_run_diverged(opt, bad):
    theta = np.ones(4)
    state = opt.init(theta)
    for _ in range(3):
        theta, state = opt.step(theta, 0.1 * theta, state)
    grad = np.array([1.0, bad, 2.0, 3.0])
    with pytest.raises(ValueError) as info:
        opt.step(theta, grad, state)
    message = str(info.value)
    assert "diverged" in message and "nan/inf" in message and "step t=3" in message
    assert f"try lr={opt.lr / 10:g} or smaller" in message


def test_huge_finite_grad_is_not_mistaken_for_divergence():
    # The sum overflows to inf, yet every entry is finite: the step must go ahead.
    opt = SGD(lr=1e-300)
    theta = np.zeros(3)
    new_theta, _ = opt.step(theta, np.full(3, 1e308), opt.init(theta))
    np.testing.assert_allclose(new_theta, -1e8)


@pytest.mark.parametrize("value", [-0.1, np.nan, np.inf])
def test_schedule_value_that_is_not_a_learning_rate_is_rejected_at_its_step(value):
    opt = SGD(lr=lambda t: 0.1 if t < 2 else value)
    theta = np.ones(2)
    state = opt.init(theta)
    for _ in range(2):
        theta, state = opt.step(theta, theta, state)
    with pytest.raises(ValueError, match=rf"returned lr={value} at step t=2; .* finite and >= 0"):
        opt.step(theta, theta, state)


@pytest.mark.parametrize("make", [SGD, Adam, AdaGrad, RMSProp])
def test_schedule_that_reaches_zero_makes_a_no_op_step(make):
    opt = make(lr=schedules.linear_decay(0.1, 0.0, total_steps=2))
    theta = np.ones(2)
    state = opt.init(theta)
    for _ in range(2):
        theta, state = opt.step(theta, theta, state)
    new_theta, state = opt.step(theta, theta, state)
    np.testing.assert_array_equal(new_theta, theta)
    assert state.t == 3


# --- purity, shapes, state -------------------------------------------------------------

def _arrays(state):
    return [x for x in state if isinstance(x, np.ndarray)]


@pytest.mark.parametrize("opt", CONFIGS, ids=repr)
def test_step_does_not_modify_or_alias_its_inputs(opt):
    rng = np.random.default_rng(0)
    theta = rng.standard_normal(6)
    state = opt.init(theta)
    for _ in range(3):
        theta, state = opt.step(theta, rng.standard_normal(6), state)
    grad = rng.standard_normal(6)
    before = [theta.copy(), grad.copy()] + [x.copy() for x in _arrays(state)]
    new_theta, new_state = opt.step(theta, grad, state)
    for old, kept in zip([theta, grad] + _arrays(state), before):
        np.testing.assert_array_equal(old, kept)
    assert state.t == 3 and new_state.t == 4
    assert not np.array_equal(new_theta, theta)
    for new in [new_theta] + _arrays(new_state):
        for old in [theta, grad] + _arrays(state):
            assert not np.shares_memory(new, old)


@pytest.mark.parametrize("opt", CONFIGS, ids=repr)
def test_any_shape_of_theta_gives_the_same_iterates_as_flat(opt):
    rng = np.random.default_rng(1)
    grads = rng.standard_normal((5, 6))
    flat = np.linspace(-1, 1, 6)
    grid = flat.reshape(2, 3)
    scalar = np.array(0.7)
    one = np.array([0.7])
    flat_state, grid_state = opt.init(flat), opt.init(grid)
    scalar_state, one_state = opt.init(scalar), opt.init(one)
    for g in grads:
        flat, flat_state = opt.step(flat, g, flat_state)
        grid, grid_state = opt.step(grid, g.reshape(2, 3), grid_state)
        scalar, scalar_state = opt.step(scalar, np.array(g[0]), scalar_state)
        one, one_state = opt.step(one, g[:1], one_state)
    assert grid.shape == (2, 3) and scalar.shape == () and one.shape == (1,)
    assert isinstance(scalar, np.ndarray)
    np.testing.assert_array_equal(grid.ravel(), flat)
    np.testing.assert_array_equal(scalar.reshape(1), one)
    assert all(x.shape == () for x in _arrays(scalar_state))


def test_state_is_a_printable_named_tuple():
    theta = np.zeros(2)
    assert repr(Adam().init(theta)) == "AdamState(t=0, m=array([0., 0.]), v=array([0., 0.]))"
    assert repr(SGD(lr=0.1).init(theta)) == "SGDState(t=0, b=None)"
    assert repr(SGD(lr=0.1, momentum=0.9).init(theta)).startswith("SGDState(t=0, b=array(")
    text = repr(Adam(amsgrad=True).init(theta))
    assert text.startswith("AMSGradState(t=0, m=") and "v_max=array([0., 0.])" in text
    assert repr(AdaGrad(initial_accumulator_value=0.5).init(theta)) == \
        "AdaGradState(t=0, G=array([0.5, 0.5]))"
    text = repr(RMSProp(centered=True).init(theta))
    assert text.startswith("RMSPropState(t=0, v=array(") and "m=array(" in text and "b=None" in text
    assert AdamState._fields == ("t", "m", "v")
    assert AMSGradState._fields == ("t", "m", "v", "v_max")


def test_optimizer_repr_shows_its_hyperparameters():
    assert repr(Adam()) == ("Adam(lr=0.001, beta1=0.9, beta2=0.999, eps=1e-08, "
                            "weight_decay=0.0, amsgrad=False)")
    assert repr(SGD(lr=0.1, momentum=0.9)) == \
        "SGD(lr=0.1, momentum=0.9, nesterov=False, weight_decay=0.0)"
    assert repr(SGD(lr=schedules.cosine_annealing(0.1, 10))).startswith(
        "SGD(lr=cosine_annealing(lr0=0.1, total_steps=10, lr_min=0.0), momentum=0.0")
    for opt in CONFIGS:
        for field in dataclasses.fields(opt):
            assert f"{field.name}=" in repr(opt)


def test_hyperparameters_are_frozen():
    opt = Adam()
    with pytest.raises(dataclasses.FrozenInstanceError):
        opt.lr = 0.1


def test_defaults_are_the_documented_ones():
    assert (Adam().lr, Adam().beta1, Adam().beta2, Adam().eps, Adam().weight_decay) == \
        (1e-3, 0.9, 0.999, 1e-8, 0.0)
    assert (AdamW().lr, AdamW().weight_decay) == (1e-3, 1e-2)
    assert (AdaGrad().lr, AdaGrad().eps, AdaGrad().initial_accumulator_value) == (1e-2, 1e-10, 0.0)
    assert (RMSProp().lr, RMSProp().beta, RMSProp().eps) == (1e-2, 0.9, 1e-8)


# --- semantics and invariances ----------------------------------------------------------

def test_sgd_takes_the_schedules_value_at_t_equal_state_t():
    calls = []

    def lr(t):
        calls.append(t)
        return [0.5, 0.1, 0.01][t]

    opt = SGD(lr=lr)
    theta = np.array([1.0, -2.0])
    state = opt.init(theta)
    grad = np.array([1.0, 1.0])
    theta1, state = opt.step(theta, grad, state)
    np.testing.assert_array_equal(theta1, theta - 0.5 * grad)
    theta2, state = opt.step(theta1, grad, state)
    np.testing.assert_array_equal(theta2, theta1 - 0.1 * grad)
    assert calls == [0, 1]


def test_sgd_momentum_buffer_starts_as_the_first_gradient():
    opt = SGD(lr=0.1, momentum=0.9)
    theta = np.array([1.0, 2.0])
    grad = np.array([0.3, -0.7])
    new_theta, state = opt.step(theta, grad, opt.init(theta))
    np.testing.assert_array_equal(state.b, grad)
    np.testing.assert_array_equal(new_theta, theta - 0.1 * grad)


@pytest.mark.parametrize("opt", [Adam(lr=0.01, eps=0.0), Adam(lr=0.01, eps=0.0, amsgrad=True),
                                 AdamW(lr=0.01, eps=0.0, weight_decay=0.0)], ids=repr)
@pytest.mark.parametrize("scale", [1e-8, 1.0, 1e6])
def test_adam_first_step_is_minus_lr_times_sign_of_grad(opt, scale):
    theta = np.zeros(4)
    grad = scale * np.array([3.0, -1e-4, 250.0, -7.0])
    new_theta, _ = opt.step(theta, grad, opt.init(theta))
    np.testing.assert_allclose(new_theta, -0.01 * np.sign(grad), rtol=1e-14)


def _run_on_fixed_problem(opt, coordinate_scale):
    """Iterates on grad(theta) = D @ (theta - 1 + 0.1 theta^3), D = diag(coordinate_scale)."""
    theta = np.array([0.5, -1.0, 2.0])
    state = opt.init(theta)
    iterates = [theta]
    for _ in range(25):
        grad = coordinate_scale * (theta - 1 + 0.1 * theta ** 3)
        theta, state = opt.step(theta, grad, state)
        iterates.append(theta)
    return np.array(iterates)


@pytest.mark.parametrize("opt", [AdaGrad(lr=0.3, eps=0.0), Adam(lr=0.1, eps=0.0),
                                 Adam(lr=0.1, eps=0.0, amsgrad=True)], ids=repr)
def test_adaptive_methods_ignore_the_scale_of_each_coordinates_gradient(opt):
    base = _run_on_fixed_problem(opt, np.array([1.0, 1.0, 1.0]))
    assert np.abs(base[-1] - base[0]).max() > 0.5
    # A power of two rescales exactly in floating point, so the iterates are identical.
    np.testing.assert_array_equal(_run_on_fixed_problem(opt, np.array([1.0, 2.0 ** 20, 2.0 ** -30])),
                                  base)
    np.testing.assert_allclose(_run_on_fixed_problem(opt, np.array([1.0, 1e3, 3e-7])), base,
                               rtol=1e-12)


def test_sgd_is_not_scale_invariant():
    # The control for the test above: the property is not true of every optimizer.
    opt = SGD(lr=0.1)
    base = _run_on_fixed_problem(opt, np.array([1.0, 1.0, 1.0]))
    scaled = _run_on_fixed_problem(opt, np.array([1.0, 0.5, 1.0]))
    assert not np.allclose(scaled, base)


def test_adamw_decay_is_decoupled_from_the_adaptive_scaling():
    theta = np.array([2.0, -3.0])
    zero = np.zeros(2)
    decoupled, _ = AdamW(lr=0.1, weight_decay=0.5).step(theta, zero, AdamW().init(theta))
    np.testing.assert_array_equal(decoupled, theta * (1 - 0.1 * 0.5))
    # Adam's L2 term goes through the normalisation: its first step is -lr * sign(theta).
    coupled, _ = Adam(lr=0.1, weight_decay=0.5, eps=0.0).step(theta, zero, Adam().init(theta))
    np.testing.assert_allclose(coupled, theta - 0.1 * np.sign(theta), rtol=1e-15)


def test_adamw_decays_with_the_scheduled_learning_rate():
    opt = AdamW(lr=schedules.step_decay(0.1, step_size=1, gamma=0.5), weight_decay=1.0)
    theta = np.array([1.0])
    state = opt.init(theta)
    for lr in (0.1, 0.05, 0.025):
        new_theta, state = opt.step(theta, np.zeros(1), state)
        np.testing.assert_allclose(new_theta, theta * (1 - lr), rtol=1e-15)
        theta = new_theta


def test_amsgrad_keeps_the_running_maximum_of_v():
    opt = Adam(lr=0.01, amsgrad=True)
    theta = np.zeros(2)
    state = opt.init(theta)
    v_history = []
    for g in ([3.0, 0.1], [0.0, 0.1], [0.0, 5.0], [0.1, 0.0]):
        theta, state = opt.step(theta, np.array(g), state)
        v_history.append(state.v)
        np.testing.assert_array_equal(state.v_max, np.max(v_history, axis=0))
    assert (state.v_max > state.v).all()


def test_adagrad_lr_decay_divides_by_one_plus_t_lr_decay():
    opt = AdaGrad(lr=1.0, eps=0.0, lr_decay=0.5)
    theta = np.array([0.0])
    state = opt.init(theta)
    grads = [2.0, 2.0, 2.0]
    for t, g in enumerate(grads):
        new_theta, state = opt.step(theta, np.array([g]), state)
        expected = g / np.sqrt(sum(x * x for x in grads[:t + 1])) / (1 + 0.5 * t)
        np.testing.assert_allclose(theta - new_theta, expected, rtol=1e-15)
        theta = new_theta


def test_rmsprop_first_step_matches_its_formula():
    beta, lr, eps = 0.9, 0.01, 1e-8
    theta, grad = np.array([1.0, 2.0]), np.array([0.5, -4.0])
    plain, _ = RMSProp(lr=lr, beta=beta, eps=eps).step(theta, grad, RMSProp().init(theta))
    # v_1 = (1 - beta) g^2; centered also subtracts m_1^2 = (1 - beta)^2 g^2.
    np.testing.assert_allclose(plain, theta - lr * grad / (np.sqrt((1 - beta) * grad ** 2) + eps),
                               rtol=1e-15)
    opt = RMSProp(lr=lr, beta=beta, eps=eps, centered=True)
    centered, _ = opt.step(theta, grad, opt.init(theta))
    np.testing.assert_allclose(
        centered, theta - lr * grad / (np.sqrt(beta * (1 - beta) * grad ** 2) + eps), rtol=1e-14)


def test_rmsprop_eps_in_sqrt_puts_eps_under_the_root():
    g = np.array([1e-4, 2.0, -3.0])
    for centered in (False, True):
        opt = RMSProp(lr=0.1, beta=0.9, eps=1e-6, centered=centered, eps_in_sqrt=True)
        theta, _ = opt.step(np.zeros(3), g, opt.init(np.zeros(3)))
        v = 0.1 * g**2
        spread = v - (0.1 * g) ** 2 if centered else v
        np.testing.assert_allclose(theta, -0.1 * g / np.sqrt(spread + 1e-6), rtol=1e-12)
