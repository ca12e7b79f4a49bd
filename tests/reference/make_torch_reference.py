"""Write tests/reference/torch_reference.json: PyTorch's iterates and learning rates.

The tests compare lessonlib.optim and lessonlib.schedules with these values (to 1e-10
relative, float64), so they run without torch. Regenerate after changing a case:

    python tests/reference/make_torch_reference.py

The tests that have torch also import this file to run the same cases live.

Optimizers: every case runs ``N_STEPS`` steps from ``theta0`` on the 5-D problem
``grad(theta) = A @ theta - b + c * theta**3`` (the gradient of a quadratic plus a
quartic), with the gradient computed in numpy float64 at each iterate, so the whole
trajectory depends on the optimizer. Schedules: the learning rate in force at steps
t = 0..N, i.e. after t calls of ``scheduler.step()``; for ReduceLROnPlateau the rate
after each ``scheduler.step(loss)`` on a fixed loss sequence with plateaus.
"""

import json
import math
import pathlib
import re

import numpy as np
import torch

N_STEPS = 40
OUT = pathlib.Path(__file__).with_name("torch_reference.json")


def make_problem(seed, dim):
    """A random quadratic-plus-quartic problem with curvatures spread over [0.5, 10]."""
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.standard_normal((dim, dim)))
    A = Q @ np.diag(np.geomspace(0.5, 10.0, dim)) @ Q.T
    return {"A": A.tolist(), "b": rng.standard_normal(dim).tolist(), "c": 0.1,
            "theta0": (rng.standard_normal(dim) * 2).tolist()}


def problem_grad(problem, theta):
    A, b = np.array(problem["A"]), np.array(problem["b"])
    return A @ theta - b + problem["c"] * theta ** 3


def _case(name, optimizer, kwargs, torch_class, torch_kwargs, schedule=None, scheduler=None):
    return {"name": name, "optimizer": optimizer, "kwargs": kwargs, "schedule": schedule,
            "torch": {"class": torch_class, "kwargs": torch_kwargs, "scheduler": scheduler}}


def _sched(name, **kwargs):
    return {"schedule": name, "kwargs": kwargs}


def _torch_sched(cls, **kwargs):
    return {"class": cls, "kwargs": kwargs}


OPTIMIZER_CASES = [
    _case("sgd", "SGD", {"lr": 0.05}, "SGD", {"lr": 0.05}),
    _case("sgd_momentum", "SGD", {"lr": 0.02, "momentum": 0.9},
          "SGD", {"lr": 0.02, "momentum": 0.9}),
    _case("sgd_nesterov", "SGD", {"lr": 0.02, "momentum": 0.9, "nesterov": True},
          "SGD", {"lr": 0.02, "momentum": 0.9, "nesterov": True}),
    _case("sgd_weight_decay", "SGD", {"lr": 0.05, "weight_decay": 0.1},
          "SGD", {"lr": 0.05, "weight_decay": 0.1}),
    _case("sgd_momentum_weight_decay", "SGD", {"lr": 0.02, "momentum": 0.8, "weight_decay": 0.05},
          "SGD", {"lr": 0.02, "momentum": 0.8, "weight_decay": 0.05}),
    _case("adagrad", "AdaGrad", {"lr": 0.5}, "Adagrad", {"lr": 0.5}),
    _case("adagrad_lr_decay", "AdaGrad", {"lr": 0.5, "lr_decay": 0.05},
          "Adagrad", {"lr": 0.5, "lr_decay": 0.05}),
    _case("adagrad_initial_accumulator", "AdaGrad", {"lr": 0.5, "initial_accumulator_value": 0.3},
          "Adagrad", {"lr": 0.5, "initial_accumulator_value": 0.3}),
    _case("adagrad_weight_decay", "AdaGrad", {"lr": 0.5, "eps": 1e-6, "weight_decay": 0.1},
          "Adagrad", {"lr": 0.5, "eps": 1e-6, "weight_decay": 0.1}),
    _case("rmsprop", "RMSProp", {"lr": 0.01, "beta": 0.99}, "RMSprop", {"lr": 0.01, "alpha": 0.99}),
    _case("rmsprop_beta09", "RMSProp", {"lr": 0.01}, "RMSprop", {"lr": 0.01, "alpha": 0.9}),
    _case("rmsprop_centered", "RMSProp", {"lr": 0.01, "beta": 0.9, "centered": True},
          "RMSprop", {"lr": 0.01, "alpha": 0.9, "centered": True}),
    _case("rmsprop_momentum", "RMSProp", {"lr": 0.005, "beta": 0.99, "momentum": 0.9},
          "RMSprop", {"lr": 0.005, "alpha": 0.99, "momentum": 0.9}),
    _case("rmsprop_centered_momentum_weight_decay", "RMSProp",
          {"lr": 0.005, "beta": 0.95, "eps": 1e-6, "centered": True, "momentum": 0.5,
           "weight_decay": 0.1},
          "RMSprop", {"lr": 0.005, "alpha": 0.95, "eps": 1e-6, "centered": True, "momentum": 0.5,
                      "weight_decay": 0.1}),
    _case("adam", "Adam", {"lr": 0.1}, "Adam", {"lr": 0.1}),
    _case("adam_betas", "Adam", {"lr": 0.05, "beta1": 0.5, "beta2": 0.9, "eps": 1e-3},
          "Adam", {"lr": 0.05, "betas": (0.5, 0.9), "eps": 1e-3}),
    _case("adam_amsgrad", "Adam", {"lr": 0.1, "amsgrad": True}, "Adam", {"lr": 0.1, "amsgrad": True}),
    _case("adam_weight_decay", "Adam", {"lr": 0.1, "weight_decay": 0.1},
          "Adam", {"lr": 0.1, "weight_decay": 0.1}),
    _case("adam_amsgrad_weight_decay", "Adam", {"lr": 0.1, "weight_decay": 0.1, "amsgrad": True},
          "Adam", {"lr": 0.1, "weight_decay": 0.1, "amsgrad": True}),
    _case("adamw", "AdamW", {"lr": 0.1, "weight_decay": 0.1},
          "AdamW", {"lr": 0.1, "weight_decay": 0.1}),
    _case("adamw_amsgrad", "AdamW", {"lr": 0.1, "amsgrad": True},
          "AdamW", {"lr": 0.1, "amsgrad": True}),
    _case("adam_step_decay", "Adam", {}, "Adam", {"lr": 0.2},
          schedule=_sched("step_decay", lr0=0.2, step_size=10, gamma=0.5),
          scheduler=_torch_sched("StepLR", step_size=10, gamma=0.5)),
    _case("adamw_exponential_decay", "AdamW", {"weight_decay": 0.2}, "AdamW",
          {"lr": 0.2, "weight_decay": 0.2},
          schedule=_sched("exponential_decay", lr0=0.2, gamma=0.95),
          scheduler=_torch_sched("ExponentialLR", gamma=0.95)),
    _case("sgd_momentum_cosine", "SGD", {"momentum": 0.9}, "SGD", {"lr": 0.03, "momentum": 0.9},
          schedule=_sched("cosine_annealing", lr0=0.03, total_steps=50, lr_min=0.001),
          scheduler=_torch_sched("CosineAnnealingLR", T_max=50, eta_min=0.001)),
    _case("adagrad_lr_decay_step_decay", "AdaGrad", {"lr_decay": 0.05}, "Adagrad",
          {"lr": 0.5, "lr_decay": 0.05},
          schedule=_sched("step_decay", lr0=0.5, step_size=5, gamma=0.8),
          scheduler=_torch_sched("StepLR", step_size=5, gamma=0.8)),
]


def _warmup(steps):
    return {"class": "LinearLR", "kwargs": {"start_factor": 1 / (steps + 1), "end_factor": 1.0,
                                            "total_iters": steps}}


# (name, lessonlib schedule, torch lr, torch scheduler or None, number of steps N)
SCHEDULE_CASES = [
    ("constant", _sched("constant", lr=0.1), 0.1, None, 20),
    ("exponential_decay", _sched("exponential_decay", lr0=0.1, gamma=0.9), 0.1,
     _torch_sched("ExponentialLR", gamma=0.9), 60),
    ("exponential_decay_gamma1", _sched("exponential_decay", lr0=0.1, gamma=1.0), 0.1,
     _torch_sched("ExponentialLR", gamma=1.0), 20),
    ("step_decay", _sched("step_decay", lr0=0.1, step_size=7, gamma=0.5), 0.1,
     _torch_sched("StepLR", step_size=7, gamma=0.5), 60),
    ("step_decay_every_step", _sched("step_decay", lr0=1.0, step_size=1, gamma=0.9), 1.0,
     _torch_sched("StepLR", step_size=1, gamma=0.9), 30),
    ("inverse_time_decay", _sched("inverse_time_decay", lr0=0.1, decay_rate=0.5), 0.1,
     {"class": "LambdaLR", "lambda": "inverse_time", "decay_rate": 0.5}, 60),
    ("inverse_sqrt_decay", _sched("inverse_sqrt_decay", lr0=0.1, decay_rate=0.3), 0.1,
     {"class": "LambdaLR", "lambda": "inverse_sqrt", "decay_rate": 0.3}, 60),
    ("linear_decay", _sched("linear_decay", lr0=0.1, lr_min=0.01, total_steps=25), 0.1,
     _torch_sched("LinearLR", start_factor=1.0, end_factor=0.1, total_iters=25), 40),
    ("linear_decay_to_zero", _sched("linear_decay", lr0=0.5, lr_min=0.0, total_steps=30), 0.5,
     _torch_sched("LinearLR", start_factor=1.0, end_factor=0.0, total_iters=30), 40),
    ("polynomial_decay", _sched("polynomial_decay", lr0=0.1, lr_min=0.0, power=2.0,
                                total_steps=30), 0.1,
     _torch_sched("PolynomialLR", total_iters=30, power=2.0), 40),
    ("polynomial_decay_poly09", _sched("polynomial_decay", lr0=0.01, lr_min=0.0, power=0.9,
                                       total_steps=50), 0.01,
     _torch_sched("PolynomialLR", total_iters=50, power=0.9), 50),
    ("cosine_annealing", _sched("cosine_annealing", lr0=0.1, total_steps=40), 0.1,
     _torch_sched("CosineAnnealingLR", T_max=40), 40),
    ("cosine_annealing_lr_min", _sched("cosine_annealing", lr0=0.1, total_steps=25, lr_min=0.01),
     0.1, _torch_sched("CosineAnnealingLR", T_max=25, eta_min=0.01), 25),
    ("cosine_warm_restarts", _sched("cosine_warm_restarts", lr0=0.1, period=5), 0.1,
     _torch_sched("CosineAnnealingWarmRestarts", T_0=5), 40),
    ("cosine_warm_restarts_mult2_lr_min", _sched("cosine_warm_restarts", lr0=0.1, period=3,
                                                 period_mult=2, lr_min=0.01), 0.1,
     _torch_sched("CosineAnnealingWarmRestarts", T_0=3, T_mult=2, eta_min=0.01), 100),
    ("cosine_warm_restarts_mult3", _sched("cosine_warm_restarts", lr0=1.0, period=2,
                                          period_mult=3, lr_min=0.0), 1.0,
     _torch_sched("CosineAnnealingWarmRestarts", T_0=2, T_mult=3), 90),
    ("warmup_constant", _sched("warmup", schedule=_sched("constant", lr=0.1), warmup_steps=5),
     0.1, _warmup(5), 20),
    ("warmup_cosine", _sched("warmup", schedule=_sched("cosine_annealing", lr0=0.1,
                                                        total_steps=30, lr_min=0.001),
                             warmup_steps=8), 0.1,
     {"class": "SequentialLR", "milestones": [8],
      "schedulers": [_warmup(8), _torch_sched("CosineAnnealingLR", T_max=30, eta_min=0.001)]},
     38),
]

PLATEAU_LOSSES = [1.0, 0.9, 0.8, 0.8, 0.8, 0.8, 0.79999, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.65,
                  0.66, 0.67, 0.65, 0.64999, 0.65, 0.6, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5,
                  0.5, 0.49, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.3,
                  0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3]

# ReduceOnPlateau keyword arguments (torch's mode="min", threshold_mode="rel", eps=1e-8).
PLATEAU_CASES = [
    ("plateau_defaults", {"lr0": 0.1}),
    ("plateau_patience2_cooldown2", {"lr0": 1.0, "factor": 0.5, "patience": 2, "cooldown": 2}),
    ("plateau_patience0_min_lr", {"lr0": 1.0, "factor": 0.5, "patience": 0, "cooldown": 1,
                                  "min_lr": 0.1}),
    ("plateau_threshold", {"lr0": 0.1, "factor": 0.3, "patience": 1, "threshold": 0.05,
                           "cooldown": 3, "min_lr": 1e-3}),
    ("plateau_eps_skips_tiny_reduction", {"lr0": 2e-8, "factor": 0.1, "patience": 0}),
]

_LAMBDAS = {"inverse_time": lambda rho: (lambda t: 1 / (1 + rho * t)),
            "inverse_sqrt": lambda rho: (lambda t: 1 / math.sqrt(1 + rho * t))}


def make_scheduler(optimizer, spec):
    """A torch scheduler on ``optimizer`` from a JSON spec (``None`` for none)."""
    if spec is None:
        return None
    cls = getattr(torch.optim.lr_scheduler, spec["class"])
    if spec["class"] == "LambdaLR":
        return cls(optimizer, _LAMBDAS[spec["lambda"]](spec["decay_rate"]))
    if spec["class"] == "SequentialLR":
        inner = [make_scheduler(optimizer, s) for s in spec["schedulers"]]
        return cls(optimizer, inner, milestones=spec["milestones"])
    return cls(optimizer, **spec["kwargs"])


def run_torch_optimizer(case, problem, n_steps):
    """Iterates theta_0 .. theta_n of ``case``'s torch optimizer on ``problem``, float64."""
    param = torch.nn.Parameter(torch.tensor(problem["theta0"], dtype=torch.float64))
    spec = case["torch"]
    kwargs = dict(spec["kwargs"])
    if "betas" in kwargs:
        kwargs["betas"] = tuple(kwargs["betas"])
    optimizer = getattr(torch.optim, spec["class"])([param], foreach=False, **kwargs)
    scheduler = make_scheduler(optimizer, spec["scheduler"])
    iterates = [param.detach().numpy().copy()]
    for _ in range(n_steps):
        param.grad = torch.from_numpy(problem_grad(problem, param.detach().numpy()))
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        iterates.append(param.detach().numpy().copy())
    return np.array(iterates)


def _dummy_optimizer(lr):
    return torch.optim.SGD([torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))], lr=lr)


def run_torch_schedule(lr, spec, n_steps):
    """The learning rate torch's optimizer holds at steps 0 .. n_steps."""
    optimizer = _dummy_optimizer(lr)
    scheduler = make_scheduler(optimizer, spec)
    lrs = []
    for _ in range(n_steps + 1):
        lrs.append(float(optimizer.param_groups[0]["lr"]))
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
    return lrs


def run_torch_plateau(kwargs, losses):
    """Learning rate and state of ReduceLROnPlateau before and after each ``step(loss)``."""
    kwargs = dict(kwargs)
    optimizer = _dummy_optimizer(kwargs.pop("lr0"))
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(
        optimizer, mode="min", threshold_mode="rel", eps=1e-8, **kwargs)
    record = {"lr": [float(optimizer.param_groups[0]["lr"])], "best": [], "num_bad_epochs": [],
              "cooldown_counter": []}
    for loss in losses:
        optimizer.step()
        scheduler.step(loss)
        record["lr"].append(float(optimizer.param_groups[0]["lr"]))
        record["best"].append(float(scheduler.best))
        record["num_bad_epochs"].append(scheduler.num_bad_epochs)
        record["cooldown_counter"].append(scheduler.cooldown_counter)
    return record


def main():
    torch.set_default_dtype(torch.float64)
    problem = make_problem(seed=2024, dim=5)
    optimizers = [dict(case, iterates=run_torch_optimizer(case, problem, N_STEPS).tolist())
                  for case in OPTIMIZER_CASES]
    schedules = [{"name": name, "schedule": sched, "torch": {"lr": lr, "scheduler": spec},
                  "lrs": run_torch_schedule(lr, spec, n)}
                 for name, sched, lr, spec, n in SCHEDULE_CASES]
    plateaus = [dict({"name": name, "kwargs": kwargs, "losses": PLATEAU_LOSSES},
                     **run_torch_plateau(kwargs, PLATEAU_LOSSES))
                for name, kwargs in PLATEAU_CASES]
    reference = {
        "generator": "tests/reference/make_torch_reference.py",
        "torch_version": torch.__version__,
        "numpy_version": np.__version__,
        "dtype": "float64",
        "n_steps": N_STEPS,
        "problem": dict(problem, gradient="A @ theta - b + c * theta**3"),
        "optimizers": optimizers,
        "schedules": schedules,
        "plateaus": plateaus,
    }
    # json writes floats with repr, the shortest string that reads back exactly;
    # lists of numbers go on one line each.
    text = json.dumps(reference, indent=1)
    text = re.sub(r"\[[-+0-9.eE,\s]*\]", lambda m: re.sub(r"\s+", "", m[0]).replace(",", ", "), text)
    OUT.write_text(text + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size / 1024:.0f} KiB): {len(optimizers)} optimizer, "
          f"{len(schedules)} schedule and {len(plateaus)} plateau cases, torch {torch.__version__}")


if __name__ == "__main__":
    main()
