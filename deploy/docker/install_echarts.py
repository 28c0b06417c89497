"""Put ECharts (from the dashboard's ``npm ci``) where the installed publicity service serves it.

    python install_echarts.py NODE_MODULES_DIR

Used by the Dockerfile's build stage and by the test that builds the wheel from the build
context: the wheel never ships node_modules, so an installation gets the one file it serves
(``echarts/dist/echarts.min.js``) at the path the route itself names.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 64
    from services.publicity.entrypoints.routes.dashboard import ECHARTS

    source = Path(argv[0]) / "echarts" / "dist" / "echarts.min.js"
    ECHARTS.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, ECHARTS)
    print(ECHARTS)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
