"""Whether numpy asks the kernel for transparent huge pages for its large arrays.

NumPy marks every array of 4 MB and more for transparent huge pages (``madvise``) on
Linux. Where the kernel compacts memory for such regions when they are first touched
(``/sys/kernel/mm/transparent_hugepage/defrag`` = ``madvise``, a common default) and
memory is fragmented, each fresh candidates^2 block of a big catalogue stalls for that
compaction, and often gets no huge page in the end. Measured on this project's 2-core
machine (2026-11-30): twelve fresh 25 MB copies took 663 ms marked and 154 ms not; the
first plan under a new closure set at 5,000 facilities 400-600 ms marked, 300-350 ms not.
The service leaves them unmarked (``RELOS_NUMPY_HUGEPAGES=1`` marks them again); numpy's
own switch, read when numpy is imported, is ``NUMPY_MADVISE_HUGEPAGE``.
"""

from __future__ import annotations

import numpy as np


def set_numpy_hugepages(enabled: bool) -> bool | None:
    """Mark numpy's large arrays for huge pages, or not, from now on; the state before
    (``None`` where this numpy has no such switch, and nothing changes)."""
    core = getattr(np, "_core", None) or getattr(np, "core", None)
    setter = getattr(getattr(core, "multiarray", None), "_set_madvise_hugepage", None)
    if setter is None:  # pragma: no cover - every numpy since 1.20 has it
        return None
    return bool(setter(bool(enabled)))
