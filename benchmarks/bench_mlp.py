"""The MLP of lessonlib.nn against scikit-learn's MLPClassifier on the digits, per epoch.

    python benchmarks/bench_mlp.py [--epochs 30] [--repeats 3] [--hidden 64] [--batch-size 32]

Both sides train the same network (64 standardised pixels -> ReLU hidden layer(s) ->
softmax over 10 digits) on the same split (lessonlib.data.load_digits, 1,347 training and
450 test images) with the same batch size, number of epochs, learning rate and L2
penalty, single-threaded. Two solvers: Adam (lr 3e-3) and SGD with momentum 0.9 (lr
0.05, heavy-ball, not Nesterov). Per solver it prints the test accuracy after the last
epoch and the wall time per epoch (median over ``--repeats`` runs, the two libraries
timed in turn so that both see the same machine conditions), their ratio, and the ratio
of the fastest runs.

What "the same" means, where the two differ:

- L2: scikit-learn adds ``alpha / (2 B) * ||W||^2`` to each mini-batch's mean loss (B the
  size of that batch), so its ``alpha`` is lessonlib's ``l2`` times the batch size (the
  last, smaller batch of an epoch gets a larger penalty in scikit-learn).
- Initialisation: scikit-learn draws Glorot-uniform weights and biases, lessonlib He-normal
  weights and zero biases; the two runs start from different points, so their accuracies
  differ by the spread between seeds.
- Work per epoch: lessonlib's time includes evaluating the full training and test loss and
  accuracy after every epoch (four forward passes); scikit-learn's includes its own
  bookkeeping (the running training loss). scikit-learn's early stopping is disabled
  (``tol=0``, ``n_iter_no_change=epochs``), so both run every epoch.
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402

from lessonlib.data import load_digits  # noqa: E402
from lessonlib.nn import MLP  # noqa: E402
from lessonlib.optim import SGD, Adam  # noqa: E402
from lessonlib.train import train_epochs  # noqa: E402

# (label, lessonlib optimizer, scikit-learn solver arguments)
SOLVERS = [
    ("adam", lambda lr: Adam(lr), {"solver": "adam"}, 3e-3),
    ("sgd momentum", lambda lr: SGD(lr, momentum=0.9),
     {"solver": "sgd", "momentum": 0.9, "nesterovs_momentum": False, "learning_rate": "constant"}, 0.05),
]


def run_lessonlib(data, make_optimizer, lr, hidden, l2, epochs, batch_size, seed):
    mlp = MLP(data.X_train, data.y_train, hidden=hidden, l2=l2)
    start = time.perf_counter()
    history = train_epochs(mlp, make_optimizer(lr), mlp.init(seed), epochs, batch_size,
                           test=mlp.on(data.X_test, data.y_test), seed=seed)
    seconds = time.perf_counter() - start
    return history.test_accuracy[-1], seconds / epochs


def run_sklearn(data, solver_args, lr, hidden, l2, epochs, batch_size, seed):
    clf = MLPClassifier(hidden_layer_sizes=hidden, activation="relu", alpha=l2 * batch_size,
                        batch_size=batch_size, learning_rate_init=lr, max_iter=epochs, shuffle=True,
                        random_state=seed, tol=0.0, n_iter_no_change=epochs, early_stopping=False,
                        **solver_args)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)   # max_iter reached: on purpose
        clf.fit(data.X_train, data.y_train)
    seconds = time.perf_counter() - start
    assert clf.n_iter_ == epochs
    return clf.score(data.X_test, data.y_test), seconds / epochs


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per library and solver")
    parser.add_argument("--hidden", type=int, nargs="+", default=[64], help="hidden layer widths")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--l2", type=float, default=1e-3, help="lessonlib's l2 (alpha = l2 * batch size)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    data = load_digits(bias=False, seed=args.seed)
    hidden = tuple(args.hidden)
    common = (hidden, args.l2, args.epochs, args.batch_size, args.seed)
    print(f"digits: {len(data.y_train)} training / {len(data.y_test)} test images; layers "
          f"{(64,) + hidden + (10,)}, ReLU, batch {args.batch_size}, {args.epochs} epochs, l2 {args.l2:g} "
          f"(alpha {args.l2 * args.batch_size:g}), seed {args.seed}; 1 thread; numpy {np.__version__}, "
          f"scikit-learn {sklearn.__version__}")
    header = (f"{'solver':<14}{'lr':>7}{'test acc lessonlib':>20}{'sklearn':>9}"
              f"{'ms/epoch lessonlib':>20}{'sklearn':>9}{'time ratio':>12}{'ratio of minima':>17}")
    print(header)
    print("-" * len(header))
    for label, make_optimizer, solver_args, lr in SOLVERS:
        ours, theirs = [], []
        for _ in range(args.repeats):
            ours.append(run_lessonlib(data, make_optimizer, lr, *common))
            theirs.append(run_sklearn(data, solver_args, lr, *common))
        acc, ms = ours[0][0], 1e3 * np.median([r[1] for r in ours])
        acc_sk, ms_sk = theirs[0][0], 1e3 * np.median([r[1] for r in theirs])
        fastest = min(r[1] for r in ours) / min(r[1] for r in theirs)
        print(f"{label:<14}{lr:>7g}{acc:>20.4f}{acc_sk:>9.4f}{ms:>20.2f}{ms_sk:>9.2f}{ms / ms_sk:>12.2f}"
              f"{fastest:>17.2f}")
    print("ms/epoch = median over the runs; time ratio = lessonlib / scikit-learn (below 1: lessonlib\n"
          "is faster); the ratio of the fastest runs is less sensitive to other processes on the\n"
          "machine. lessonlib's time includes the train and test loss and accuracy after every epoch")


if __name__ == "__main__":
    main()
