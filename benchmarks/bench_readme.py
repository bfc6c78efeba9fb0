"""The times the README states: its two quick-start commands, timed as a new user runs them.

Runs, each in a fresh subprocess from the repository root, after the installs (which it
does not time): the main example (``python examples/plot_anomaly_detection.py``) and the
test command (``python -m pytest``), and prints their wall-clock seconds with the machine
they ran on (CPU model, cores, the load average before each run: other work on the cores
slows both).

Run:  OMP_WAIT_POLICY=PASSIVE python benchmarks/bench_readme.py [--repeat 2] [--skip-tests]
(``--quick``: the main example once.)
"""

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = {
    "main example": [sys.executable, "examples/plot_anomaly_detection.py"],
    "test command": [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
}


def cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def timed(command):
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--skip-tests", action="store_true")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    names = ["main example"] if args.quick or args.skip_tests else list(COMMANDS)
    print(f"{cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', '(unset)')}")
    for name in names:
        for _ in range(1 if args.quick else args.repeat):
            load = os.getloadavg()[0]
            seconds = timed(COMMANDS[name])
            print(f"{name:13s} {seconds:6.1f} s   (load average before: {load:.1f})")


if __name__ == "__main__":
    main()
