"""Execute every notebook of the book, in parallel, into the build's execution cache.

    python tools/execute_for_build.py [--jobs N] [--cache _build/.jupyter_cache] NOTEBOOK ...

``make book`` runs this before ``jupyter-book build``. Each notebook runs top to bottom
in a fresh kernel, in its own directory, exactly as MyST-NB would run it (the same
``single_nb_execution`` of jupyter-cache, the same timeout), but ``--jobs`` of them at
a time (default: the number of CPUs, at most 4) instead of one after the other. The
executed notebooks go into a jupyter-cache emptied first, so nothing from an earlier
build (or an earlier lessonlib) survives; the build (``execute_notebooks: cache`` in
``_config.yml``) then takes their outputs from the cache. A notebook that fails is
not cached: the build executes it again itself and reports the traceback as a warning,
which ``-W`` turns into a failed build.

A cell that has not answered after two minutes (every cell of the book takes seconds)
is taken for a lost kernel reply, a rare race between kernels started together, and a
kernel that dies before it answers (another kernel took its port) is another: in both
cases the notebook is run again in a new kernel, up to three attempts in all. Prints
each notebook's execution time, their sum (what one core would need) and the wall time
of the whole run.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import multiprocessing
import os
import pathlib
import shutil
import sys
import time

# Seconds a cell may take. Every cell of the book takes a few seconds; a cell still
# waiting after this long is a kernel whose reply was lost (seen once in about ten
# runs with two kernels starting at the same moment), and is retried in a new kernel.
# A kernel that dies before it answers (two kernels picked the same free TCP port,
# "Address already in use") is retried too.
CELL_TIMEOUT = 120
ATTEMPTS = 3


def execute(task):
    """Run one notebook in a fresh kernel; return (path, executed notebook, seconds, error text, attempts)."""
    import nbformat
    from jupyter_cache.executors.utils import single_nb_execution

    index, path = task
    time.sleep(3.0 * (index == 1))          # the first two kernels do not start in the same instant
    for attempt in range(1, ATTEMPTS + 1):
        nb = nbformat.read(path, as_version=4)
        started = time.perf_counter()
        try:
            result = single_nb_execution(nb, cwd=str(pathlib.Path(path).resolve().parent), timeout=CELL_TIMEOUT,
                                         allow_errors=False, meta_override=True)
        except Exception as error:          # the kernel did not start: its port was taken meanwhile
            spent, error_text = time.perf_counter() - started, f"{type(error).__name__}: {error}"
            time.sleep(1.0)
            continue
        spent, error_text = result.time, (result.exc_string if result.err is not None else None)
        if result.err is None or type(result.err).__name__ == "CellExecutionError":
            break                           # done, or a cell raised: running it again would not help
    return path, nb, spent, error_text, attempt


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="+")
    parser.add_argument("--jobs", type=int, default=min(os.cpu_count() or 1, 4))
    parser.add_argument("--cache", default="_build/.jupyter_cache")
    args = parser.parse_args(argv)

    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    if args.jobs > 1:
        # Several kernels at once: one BLAS thread each, or their threads fight over the
        # cores (measured: chapter 9 three times slower with OpenBLAS's default threads).
        for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ.setdefault(var, "1")
    shutil.rmtree(args.cache, ignore_errors=True)
    cache = get_cache(args.cache)
    started = time.perf_counter()
    # Longest first, so that the last notebook to start is a short one; spawn, not
    # fork: each worker starts its own zmq context for its kernels.
    order = sorted(args.notebooks, key=lambda p: -os.path.getsize(p))
    failed, seconds = [], {}
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=args.jobs, mp_context=context) as pool:
        for path, nb, spent, error, attempts in pool.map(execute, enumerate(order)):
            seconds[path] = spent
            if attempts > 1:
                print(f"{path}: an earlier attempt failed (a lost kernel reply, or a kernel that did not start), attempt {attempts} "
                      f"{'failed too' if error else 'succeeded'}", flush=True)
            if error is not None:
                failed.append(path)
                print(f"FAILED {path} after {spent:.1f} s (the build will run it again and show why)", flush=True)
                continue
            cache.cache_notebook_bundle(CacheBundleIn(nb, str(pathlib.Path(path).resolve()),
                                                      data={"execution_seconds": spent}),
                                        check_validity=False, overwrite=True)
            print(f"executed {path} in {spent:.1f} s", flush=True)
    wall = time.perf_counter() - started
    print(f"==> {len(seconds)} notebooks executed in {wall:.0f} s with {args.jobs} jobs "
          f"({sum(seconds.values()):.0f} s of execution in all){'; failed: ' + ', '.join(failed) if failed else ''}")
    return 0   # failures are reported by the build, with their tracebacks


if __name__ == "__main__":
    sys.exit(main())
