"""tools/execute_for_build.py runs a notebook again when its kernel did not start or lost
a reply, but not when a cell raised (running it again would fail the same way)."""

import pathlib
import sys
import types

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import execute_for_build  # noqa: E402

NOTEBOOK = str(ROOT / "book" / "practice" / "12_from_lessonlib_to_the_frameworks.ipynb")


class CellExecutionError(Exception):
    pass


def _run_with(monkeypatch, outcomes):
    """Run execute() with single_nb_execution replaced by the given outcomes, in order: an
    exception to raise (the kernel did not start), or ("result", err), a returned result
    whose err is None (success) or the exception the execution recorded."""
    import jupyter_cache.executors.utils as utils

    calls = []

    def fake(nb, **kwargs):
        outcome = outcomes[len(calls)]
        calls.append(kwargs)
        if isinstance(outcome, BaseException):
            raise outcome
        err = outcome[1]
        return types.SimpleNamespace(err=err, time=1.5, exc_string=None if err is None else "traceback")

    monkeypatch.setattr(utils, "single_nb_execution", fake)
    path, nb, spent, error, attempts = execute_for_build.execute((0, NOTEBOOK))
    return error, attempts, calls


def test_a_kernel_that_did_not_start_is_retried(monkeypatch):
    error, attempts, calls = _run_with(monkeypatch, [RuntimeError("Kernel died before replying to kernel_info"), ("result", None)])
    assert (error, attempts) == (None, 2)
    assert calls[0]["timeout"] == execute_for_build.CELL_TIMEOUT


def test_a_lost_reply_is_retried_but_not_forever(monkeypatch):
    lost = [("result", TimeoutError("no reply"))] * (execute_for_build.ATTEMPTS - 1) + [RuntimeError("Kernel died")]
    error, attempts, calls = _run_with(monkeypatch, lost)
    assert attempts == len(calls) == execute_for_build.ATTEMPTS and error == "RuntimeError: Kernel died"


def test_a_cell_that_raises_is_not_run_again(monkeypatch):
    error, attempts, calls = _run_with(monkeypatch, [("result", CellExecutionError("boom")), ("result", None)])
    assert attempts == 1 and len(calls) == 1 and error == "traceback"
