"""The framework programs under frameworks/, run when PyTorch is installed (CI installs it)."""

import pathlib
import subprocess
import sys

import pytest

from lessonlib.optim import AdaGrad, Adam, RMSProp

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_ddp_program_matches_single_process_sgd_with_the_larger_batch():
    pytest.importorskip("torch", reason="PyTorch is not installed: the DDP program needs it (CI installs it)")
    run = subprocess.run([sys.executable, str(ROOT / "frameworks" / "ddp_sgd.py"), "--workers", "2", "--steps", "20"],
                         capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "parameters agree to 1e-12: yes" in run.stdout


def _snippets():
    pytest.importorskip("torch", reason="PyTorch is not installed: the corrected snippets need it (CI installs it)")
    import importlib.util
    spec = importlib.util.spec_from_file_location("corrected_snippets", ROOT / "frameworks" / "corrected_snippets.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name, make", [
    ("adagrad", lambda: AdaGrad(lr=0.5, lr_decay=0.01)),
    ("rmsprop", lambda: RMSProp(lr=0.01, beta=0.9, eps=1e-8)),
    ("adam", lambda: Adam(lr=0.01)),
])
def test_corrected_snippet_takes_lessonlibs_steps(name, make):
    import numpy as np
    snippets = _snippets()
    torch_trajectory = np.array(getattr(snippets, name)(steps=300))
    x, y = (t.numpy() for t in snippets.data())
    opt, theta = make(), np.zeros(1)
    state, ours = opt.init(theta), [0.0]
    for _ in range(300):
        grad = np.array([np.mean(2 * (theta[0] * x - y) * x)])      # d/dtheta of the mean squared error
        theta, state = opt.step(theta, grad, state)
        ours.append(theta[0])
    assert abs(torch_trajectory[-1] - torch_trajectory[0]) > 0.5       # it moved
    np.testing.assert_allclose(ours, torch_trajectory, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("broken, message", [
    ("optim.Adagrad(lr=0.01, lr_decay=0.01, weight_decay=0.0)", "missing 1 required positional argument: 'params'"),
    ("optim.RMSprop(theta.grad(), alpha=0.01, eps=1e-8)", "'NoneType' object is not callable"),
    ("optim.RMSprop([theta], alpha=0.01, eps=1e-8, beta=0.9)", "unexpected keyword argument 'beta'"),
    ("optim.Adam(theta.grad(), lr=0.01, betas=(0.9, 0.999), eps=1e-8)", "'NoneType' object is not callable"),
])
def test_the_notes_original_calls_fail_as_the_chapter_says(broken, message):
    torch = pytest.importorskip("torch", reason="PyTorch is not installed (CI installs it)")
    from torch import optim  # noqa: F401  (used by eval)
    theta = torch.randn(1, requires_grad=True)  # noqa: F841
    with pytest.raises(TypeError, match=message.replace("(", r"\(").replace(")", r"\)")):
        eval(broken)
