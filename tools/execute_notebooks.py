"""Execute notebooks in place, top to bottom in a fresh kernel, as they are committed.

    python tools/execute_notebooks.py book/foundations/02_gradient_descent.ipynb [...]
    make execute                 # every notebook of the book
    make execute NB=book/…/x.ipynb

The same settings as the book build and nbval: kernel ``python3``, 600 s per cell,
working directory the notebook's folder, no MPLBACKEND from the caller (figures go
through the inline backend), an empty progress file (so a learner's own exercise
progress never reaches a stored output). Per-cell timing metadata is not recorded:
it would change every cell of the file on every run and hide the real change in a diff;
nor is widget state (the site shows static figures instead of widgets).
"""

import os
import pathlib
import sys
import tempfile
import time

import nbformat
from nbclient import NotebookClient


def execute(path: pathlib.Path) -> float:
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    client = NotebookClient(nb, timeout=600, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    nb.metadata.pop("widgets", None)     # the site never loads widget JavaScript
    nbformat.write(nb, path)
    return time.perf_counter() - start


def main(paths):
    os.environ.pop("MPLBACKEND", None)
    os.environ["LESSONLIB_PROGRESS"] = os.path.join(tempfile.mkdtemp(prefix="lessonlib-"), "progress.json")
    if not paths:
        sys.exit("usage: python tools/execute_notebooks.py NOTEBOOK.ipynb [...]")
    for name in paths:
        seconds = execute(pathlib.Path(name))
        print(f"executed {name} in {seconds:.1f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
