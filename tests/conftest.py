import importlib.util
import pathlib

import pytest

REFERENCE_DIR = pathlib.Path(__file__).parent / "reference"


@pytest.fixture(scope="module")
def torch_reference():
    """The PyTorch reference script as a module, to run its cases live (skipped without torch)."""
    pytest.importorskip("torch", reason="torch is not installed: live comparison skipped",
                        exc_type=ImportError)
    path = REFERENCE_DIR / "make_torch_reference.py"
    spec = importlib.util.spec_from_file_location("make_torch_reference", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def _private_progress_file(tmp_path, monkeypatch):
    """Exercise checks record passes: never in the progress file of the person running the tests."""
    monkeypatch.setenv("LESSONLIB_PROGRESS", str(tmp_path / "lessonlib-progress.json"))
