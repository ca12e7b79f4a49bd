"""The framework programs under frameworks/, run when PyTorch is installed (CI installs it)."""

import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_ddp_program_matches_single_process_sgd_with_the_larger_batch():
    pytest.importorskip("torch", reason="PyTorch is not installed: the DDP program needs it (CI installs it)")
    run = subprocess.run([sys.executable, str(ROOT / "frameworks" / "ddp_sgd.py"), "--workers", "2", "--steps", "20"],
                         capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "parameters agree to 1e-12: yes" in run.stdout
