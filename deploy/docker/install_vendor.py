"""Put the dashboards' third-party files (from ``npm ci`` of shared/dashboard) where the
installed services serve them.

    python install_vendor.py NODE_MODULES_DIR

Used by the Dockerfile's build stage and by the test that builds the wheel from the build
context: the wheel never ships node_modules, so an installation gets only the files
``shared.dashboard.vendor.FILES`` lists (ECharts, Tianjin's geometry, the SSE parser), at the
paths the vendor route itself reads — one copy, whichever service serves them.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 64
    from shared.dashboard.vendor import FILES, path_of

    for name in FILES:
        target = path_of(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path_of(name, Path(argv[0])), target)
        print(target)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
