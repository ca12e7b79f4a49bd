"""Data-parallel SGD with PyTorch's DistributedDataParallel on CPU processes, checked.

    python frameworks/ddp_sgd.py [--workers 2] [--steps 30] [--shard 16]

K processes (gloo backend, on this machine) each hold a copy of a small network. At
every step each process takes its own shard of B samples of the mini-batch and
back-propagates the mean loss of its shard; DistributedDataParallel averages the K
gradients across processes (an all-reduce) during backward, and every process takes
the same SGD step. The average of K equal shard means is the mean over all K*B
samples, so the parameters must equal those of ONE process training on batches of
K*B. The program trains both ways, in float64, and exits with status 1 unless they
agree to 1e-12 (relative to the largest parameter).

PyTorch is not a dependency of the course; the test suite runs this program when it
is installed (tests/test_frameworks.py).
"""

import argparse
import os
import socket
import sys
import tempfile

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel

N_SAMPLES, N_FEATURES, N_CLASSES = 512, 8, 3
LR, MOMENTUM = 0.1, 0.9


def make_model():
    torch.manual_seed(0)                        # the same start in every process
    return torch.nn.Sequential(torch.nn.Linear(N_FEATURES, 16), torch.nn.Tanh(),
                               torch.nn.Linear(16, N_CLASSES)).double()


def make_data():
    g = torch.Generator().manual_seed(1)
    X = torch.randn(N_SAMPLES, N_FEATURES, generator=g, dtype=torch.float64)
    y = (X[:, 0] + X[:, 1] > 0).long() + (X[:, 2] > 1).long()
    return X, y


def batch_indices(step, batch_size):
    """The indices of the whole mini-batch of ``step`` (the same in every process)."""
    g = torch.Generator().manual_seed(100 + step)
    return torch.randperm(N_SAMPLES, generator=g)[:batch_size]


def train_worker(rank, workers, port, steps, shard, out_path):
    os.environ["MASTER_ADDR"], os.environ["MASTER_PORT"] = "127.0.0.1", str(port)
    torch.set_num_threads(1)
    dist.init_process_group("gloo", rank=rank, world_size=workers)
    model = DistributedDataParallel(make_model())
    optimizer = torch.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
    X, y = make_data()
    for step in range(steps):
        mine = batch_indices(step, workers * shard)[rank * shard:(rank + 1) * shard]
        optimizer.zero_grad()
        F.cross_entropy(model(X[mine]), y[mine]).backward()     # DDP all-reduces (averages) the gradients here
        optimizer.step()
    if rank == 0:
        torch.save([p.detach() for p in model.module.parameters()], out_path)
    dist.destroy_process_group()


def train_single(steps, batch_size):
    model = make_model()
    optimizer = torch.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
    X, y = make_data()
    for step in range(steps):
        idx = batch_indices(step, batch_size)
        optimizer.zero_grad()
        F.cross_entropy(model(X[idx]), y[idx]).backward()
        optimizer.step()
    return [p.detach() for p in model.parameters()]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--shard", type=int, default=16, help="samples per worker per step (B)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        out_path = os.path.join(tmp, "ddp.pt")
        mp.spawn(train_worker, args=(args.workers, free_port(), args.steps, args.shard, out_path),
                 nprocs=args.workers, join=True)
        ddp = torch.load(out_path)
    single = train_single(args.steps, args.workers * args.shard)
    scale = max(float(p.abs().max()) for p in single)
    gap = max(float((a - b).abs().max()) for a, b in zip(ddp, single))
    ok = gap <= 1e-12 * scale
    print(f"{args.workers} DDP workers x {args.shard} samples against one process x {args.workers * args.shard} "
          f"samples, {args.steps} SGD steps (momentum {MOMENTUM}): parameters agree to 1e-12: "
          f"{'yes' if ok else 'NO (largest difference %.1e)' % gap}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
