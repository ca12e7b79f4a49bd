"""The source notes' three PyTorch examples (AdaGrad, RMSProp, Adam), corrected.

    python frameworks/corrected_snippets.py

The notes' versions do not run: they build the optimizer without the parameters it
should update (``optim.Adagrad(lr=...)``: TypeError, missing 'params'), or pass
``theta.grad()`` for them (``theta.grad`` is None before the first backward pass, and
not callable: TypeError), and give torch's RMSprop a ``beta`` it does not have (its
decay rate is called ``alpha``; the notes' ``alpha=0.01`` was meant as the learning
rate). Their model also has nothing to learn: it multiplies the parameter by a fresh
random number at every step and asks for the output 1, so the best parameter is 0 and
the loss cannot fall below 1 on average.

Here each optimizer gets the list of parameters, its hyperparameters under torch's
names, and a real problem: fit y = 2 x + noise with the one-parameter model theta * x
on 64 fixed samples (mean squared error, full batch), in float64. Each function returns
the parameter after every step, so tests/test_frameworks.py can compare the updates
with lessonlib's optimizers (to 1e-10); run as a script, it prints where each one ends.
PyTorch is not a dependency of the course; the tests run this file when it is installed.
"""

import torch
import torch.optim as optim


def data():
    """64 fixed samples of y = 2 x + 0.1 * noise."""
    g = torch.Generator().manual_seed(0)
    x = torch.randn(64, generator=g, dtype=torch.float64)
    y = 2.0 * x + 0.1 * torch.randn(64, generator=g, dtype=torch.float64)
    return x, y


def train(optimizer, theta, steps):
    """Full-batch training of theta * x against y; the parameter after each step."""
    x, y = data()
    loss_fn = torch.nn.MSELoss()
    trajectory = [theta.item()]
    for _ in range(steps):
        optimizer.zero_grad()
        loss = loss_fn(theta * x, y)
        loss.backward()                 # fills theta.grad; the optimizer reads it
        optimizer.step()
        trajectory.append(theta.item())
    return trajectory


def adagrad(steps=1000):
    theta = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    # the parameters come first; AdaGrad's steps shrink like 1/sqrt(t) (chapter 6), so it
    # needs a larger rate than the notes' 0.01 to get anywhere in 1000 steps
    optimizer = optim.Adagrad([theta], lr=0.5, lr_decay=0.01, weight_decay=0.0)
    return train(optimizer, theta, steps)


def rmsprop(steps=1000):
    theta = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    # lr is the learning rate; alpha is RMSProp's decay rate beta (the book's beta); no "beta"
    optimizer = optim.RMSprop([theta], lr=0.01, alpha=0.9, eps=1e-8)
    return train(optimizer, theta, steps)


def adam(steps=1000):
    theta = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    optimizer = optim.Adam([theta], lr=0.01, betas=(0.9, 0.999), eps=1e-8)
    return train(optimizer, theta, steps)


if __name__ == "__main__":
    x, y = data()
    best = float((x @ y) / (x @ x))
    for run in (adagrad, rmsprop, adam):
        trajectory = run()
        print(f"{run.__name__:8s} theta after {len(trajectory) - 1} steps: {trajectory[-1]:.4f} "
              f"(least squares: {best:.4f})")
