"""Peak resident memory of this process.

``getrusage().ru_maxrss`` survives ``exec`` on Linux, so a child started from a large parent reports the
parent's peak; ``VmHWM`` in /proc belongs to the new process image alone.
"""

from __future__ import annotations

import resource
from pathlib import Path


def peak_rss_mb() -> float:
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
