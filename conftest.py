"""Settings for every pytest run of the repository (unit tests and nbval alike).

A user's ``MPLBACKEND`` (e.g. ``Agg``) would reach the notebook kernels that nbval
starts: figures would then never be displayed and every plotting cell would miss its
stored output. Without the variable, the kernel uses the inline backend, as when the
notebooks were executed. Likewise a learner's own exercise progress must not reach a
stored output, so the kernels get an empty progress file.
"""

import os
import tempfile

os.environ.pop("MPLBACKEND", None)
os.environ["LESSONLIB_PROGRESS"] = os.path.join(tempfile.mkdtemp(prefix="lessonlib-test-"), "progress.json")
