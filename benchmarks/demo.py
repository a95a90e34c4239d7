"""Time `risk-indicators demo` end to end against the 15-second target of issue 8.

Run: ``python benchmarks/demo.py``. Prints the wall-clock seconds of each of three runs (a
fresh ledger each time), the number of threads of the disclosure audit (set
``RISK_INDICATORS_THREADS=1`` to time one thread) and the ratio to the target; a ratio below
1 meets it.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 15.0


def main() -> None:
    times = []
    for _ in range(3):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "demo"
            t0 = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "risk_indicators.cli", "demo", "--out", str(out), "-q"],
                check=True,
            )
            times.append(time.perf_counter() - t0)
    best = min(times)
    ask = "from risk_indicators.disclosure.audit import AUDIT_THREADS; print(AUDIT_THREADS)"
    threads = subprocess.run(
        [sys.executable, "-c", ask], check=True, capture_output=True, text=True
    ).stdout.strip()
    print(f"disclosure audit threads: {threads}")
    print(f"demo runs: {', '.join(f'{t:.1f} s' for t in times)}")
    print(f"best {best:.1f} s; target {TARGET_SECONDS:.0f} s; ratio {best / TARGET_SECONDS:.2f}")


if __name__ == "__main__":
    main()
