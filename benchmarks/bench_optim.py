"""Time one optimizer step of lessonlib.optim against torch.optim on 1e6 float64 parameters.

    python benchmarks/bench_optim.py [--n 1000000] [--repeats 30]

Both single-threaded. For each optimizer: the median time per step over ``--repeats``
steps after warm-up, lessonlib's and torch's steps timed in turn inside each repeat so
that they share the machine's conditions, their ratio, and the ratio of the fastest
steps (less sensitive to other processes competing for the CPU and its caches). torch.optim runs with
``foreach=False``, the one-loop-per-parameter code that is also its default for CPU
tensors (``foreach`` kernels are its default only on accelerators).
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

from lessonlib import optim  # noqa: E402

# (label, lessonlib optimizer, torch class, torch keyword arguments)
CASES = [
    ("SGD", optim.SGD(lr=1e-3), torch.optim.SGD, {"lr": 1e-3}),
    ("SGD momentum", optim.SGD(lr=1e-3, momentum=0.9), torch.optim.SGD,
     {"lr": 1e-3, "momentum": 0.9}),
    ("SGD nesterov", optim.SGD(lr=1e-3, momentum=0.9, nesterov=True), torch.optim.SGD,
     {"lr": 1e-3, "momentum": 0.9, "nesterov": True}),
    ("AdaGrad", optim.AdaGrad(), torch.optim.Adagrad, {}),
    ("RMSProp", optim.RMSProp(beta=0.99), torch.optim.RMSprop, {}),
    ("RMSProp centered", optim.RMSProp(beta=0.99, centered=True), torch.optim.RMSprop,
     {"centered": True}),
    ("Adam", optim.Adam(), torch.optim.Adam, {}),
    ("Adam amsgrad", optim.Adam(amsgrad=True), torch.optim.Adam, {"amsgrad": True}),
    ("AdamW", optim.AdamW(), torch.optim.AdamW, {}),
]


def bench_case(opt, torch_class, torch_kwargs, n, repeats, warmup=3):
    rng = np.random.default_rng(0)
    theta0, grad = rng.standard_normal(n), rng.standard_normal(n)

    theta, state = theta0.copy(), opt.init(theta0)

    def lessonlib_step():
        nonlocal theta, state
        theta, state = opt.step(theta, grad, state)

    param = torch.nn.Parameter(torch.from_numpy(theta0.copy()))
    param.grad = torch.from_numpy(grad.copy())
    torch_step = torch_class([param], foreach=False, **torch_kwargs).step

    steps = [lessonlib_step, torch_step]
    for step in steps:
        for _ in range(warmup):
            step()
    times = np.empty((repeats, len(steps)))
    for r in range(repeats):
        for i, step in enumerate(steps):
            start = time.perf_counter()
            step()
            times[r, i] = time.perf_counter() - start
    return 1e3 * np.median(times, axis=0), 1e3 * times.min(axis=0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="number of parameters")
    parser.add_argument("--repeats", type=int, default=30, help="timed steps per optimizer")
    args = parser.parse_args()
    torch.set_num_threads(1)
    print(f"n = {args.n:,} float64 parameters, median of {args.repeats} steps, 1 thread; "
          f"numpy {np.__version__}, torch {torch.__version__}")
    header = (f"{'optimizer':<18}{'lessonlib ms':>13}{'torch ms':>10}{'ratio':>7}"
              f"{'ratio of minima':>17}")
    print(header)
    print("-" * len(header))
    for label, opt, torch_class, torch_kwargs in CASES:
        (ours, theirs), (ours_min, theirs_min) = bench_case(opt, torch_class, torch_kwargs,
                                                            args.n, args.repeats)
        print(f"{label:<18}{ours:>13.2f}{theirs:>10.2f}{ours / theirs:>7.2f}"
              f"{ours_min / theirs_min:>17.2f}")
    print("ms = median time per step; ratio = lessonlib / torch.optim; the ratio of the\n"
          "fastest steps is less sensitive to other processes on the machine")

if __name__ == "__main__":
    main()
