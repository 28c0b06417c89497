"""A service's API under tracemalloc, for telling live Python objects from the allocator's
high-water mark: ``python -m bench.traced_api <service> <port> <out>``; each SIGUSR2 appends
one JSON line to ``out`` (traced memory now and its peak since the last signal, in bytes, and
the ten source lines holding the most), then resets the peak."""

from __future__ import annotations

import json
import signal
import sys
import tracemalloc

import uvicorn

FRAMES = 1


def main() -> None:
    service, port, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    tracemalloc.start(FRAMES)

    def dump(*_) -> None:
        current, peak = tracemalloc.get_traced_memory()
        top = tracemalloc.take_snapshot().statistics("lineno")[:10]
        with open(out, "a") as f:
            f.write(json.dumps({"current": current, "peak": peak,
                                "top": [[str(s.traceback[0]), s.size] for s in top]}) + "\n")
        tracemalloc.reset_peak()

    signal.signal(signal.SIGUSR2, dump)
    uvicorn.run(f"services.{service}.entrypoints.api:app", host="127.0.0.1", port=port, log_level="warning",
                access_log=False)


if __name__ == "__main__":
    main()
