"""Run nbval on every notebook as if on other machines, in parallel.

    python tools/foreign_machines.py [NOTEBOOK_OR_DIR ...]      (default: book)
    make test-foreign                                           (make test runs it too)

The stored outputs were computed on one CPU. Another CPU, BLAS kernel, thread count or
SIMD level changes the last bits of floating-point results; a notebook whose printed
numbers depend on those bits passes on its author's machine and fails on a learner's.
This script re-runs nbval (strict, fresh kernels) under settings that change those bits
on this machine:

- ``openblas-prescott-1-thread``: OpenBLAS's generic x86-64 (Prescott) kernels, one
  thread (``OPENBLAS_CORETYPE=Prescott``, ``OMP_NUM_THREADS=1``, ``OPENBLAS_NUM_THREADS=1``);
- ``numpy-baseline-simd``: numpy's runtime-dispatched SIMD code paths disabled
  (``NPY_DISABLE_CPU_FEATURES`` set to every dispatched feature this CPU enables, the
  widest level included), so numpy runs its baseline kernels.

A variant this machine cannot express (a CPU without dispatched SIMD features) is
skipped with the reason. Both variants run at once, one process each. The script
ends with one line ``foreign_machines: N passed, M failed`` and exits non-zero if
any notebook cell failed under any variant; each variant's full pytest output is in
``_build/foreign/<variant>.txt``.
"""

from __future__ import annotations

import os
import pathlib
import re
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
OUT = ROOT / "_build" / "foreign"
NBVAL = ["--nbval", "--nbval-current-env", "--nbval-cell-timeout=600", "-p", "no:cacheprovider", "-q"]

ENABLED_DISPATCH = """
import numpy as np
try:
    from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__
except ImportError:  # numpy < 2
    from numpy.core._multiarray_umath import __cpu_dispatch__, __cpu_features__
print(" ".join(f for f in __cpu_dispatch__ if __cpu_features__.get(f)))
"""


def simd_features() -> str:
    """The dispatched SIMD features numpy uses on this CPU (space-separated, maybe empty)."""
    result = subprocess.run([sys.executable, "-c", ENABLED_DISPATCH], capture_output=True, text=True, check=True)
    return result.stdout.strip()


def variants() -> dict[str, dict[str, str] | str]:
    """Variant name -> environment overrides, or the reason it is skipped."""
    found = {
        "openblas-prescott-1-thread": {"OPENBLAS_CORETYPE": "Prescott", "OMP_NUM_THREADS": "1",
                                       "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"},
    }
    features = simd_features()
    found["numpy-baseline-simd"] = ({"NPY_DISABLE_CPU_FEATURES": features} if features else
                                    "numpy dispatches no SIMD feature on this CPU beyond its baseline")
    return found


def summary(text: str) -> tuple[int, int]:
    """(passed, failed + errors) from pytest's closing line."""
    counts = {key: int(n) for n, key in re.findall(r"(\d+) (passed|failed|error)", text.splitlines()[-1] if text else "")}
    return counts.get("passed", 0), counts.get("failed", 0) + counts.get("error", 0)


def main(targets: list[str]) -> int:
    targets = targets or ["book"]
    OUT.mkdir(parents=True, exist_ok=True)
    running = {}
    for name, env in variants().items():
        if isinstance(env, str):
            print(f"foreign machine {name}: skipped ({env})")
            continue
        log = open(OUT / f"{name}.txt", "w")
        settings = " ".join(f"{k}={v}" for k, v in env.items())
        print(f"foreign machine {name}: {settings}", flush=True)
        running[name] = (subprocess.Popen([sys.executable, "-m", "pytest", *NBVAL, *targets], cwd=ROOT,
                                          env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT), log)
    start = time.perf_counter()
    passed = failed = 0
    for name, (process, log) in running.items():
        process.wait()
        log.close()
        text = (OUT / f"{name}.txt").read_text(encoding="utf-8").rstrip()
        p, f = summary(text)
        if process.returncode not in (0, 1) and f == 0:
            f = 1  # pytest itself failed (usage error, crash): count it
        passed, failed = passed + p, failed + f
        print(f"  {name}: {p} passed, {f} failed")
        for line in text.splitlines():
            if line.startswith(("FAILED", "ERROR")):
                print(f"    {line}")
    print(f"  (all variants done after {time.perf_counter() - start:.0f} s; full output in {OUT.relative_to(ROOT)}/)")
    print(f"foreign_machines: {passed} passed, {failed} failed")
    return 1 if failed or not running else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
