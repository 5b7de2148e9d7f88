#!/usr/bin/python3
"""Import benchmark: a full `kilnctl import` (parse, type inference, statistics, content
hashing, storing) of a generated 250k-row, ~10 MB mixed-type CSV, against pandas.read_csv
alone on the same file, in the same run.

Prints rows/s, MB/s and peak RSS for both, and the ratio Kiln/pandas (target: <= 1.0).
Kiln is timed as a whole process (start-up included); pandas as the read_csv call alone,
the way a user's notebook would pay for it, and also as a whole process for reference.
"""
import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROWS = 250_000
REPEATS = 5


def generate(path):
    """250k rows of eight mixed columns (integers, floats, text categories, booleans, dates),
    with missing values and some quoted fields: about 12 MB."""
    rng = random.Random(42)
    cities = ["London", "Paris", "Berlin", "Madrid", "Rome", "Oslo", "Vienna", "Prague", "Lisbon", "Dublin"]
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("id,age,income,score,city,active,signup,grade\n")
        for i in range(ROWS):
            age = "" if rng.random() < 0.02 else str(rng.randint(18, 90))
            income = "NA" if rng.random() < 0.01 else str(rng.randint(1000, 99999))
            score = f"{rng.gauss(0, 1):.3f}"
            city = rng.choice(cities)
            if rng.random() < 0.02:
                city = f'"{city}, Centre"'
            active = "true" if rng.random() < 0.5 else "false"
            signup = f"20{rng.randint(10, 24):02d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            grade = rng.choice("ABCDE")
            f.write(f"{i},{age},{income},{score},{city},{active},{signup},{grade}\n")


def run_measured(argv):
    """Runs argv; returns (wall seconds, peak RSS in MiB, exit status, stderr). posix_spawn
    rather than subprocess.Popen, whose Python-side set-up would be timed with the child."""
    err_path = os.path.join(tempfile.gettempdir(), f"kiln-bench-{os.getpid()}.err")
    err_fd = os.open(err_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    actions = [(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0), (os.POSIX_SPAWN_DUP2, err_fd, 2)]
    start = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=actions)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    os.close(err_fd)
    with open(err_path, errors="replace") as f:
        err = f.read()
    os.unlink(err_path)
    return wall, usage.ru_maxrss / 1024.0, os.waitstatus_to_exitcode(status), err


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kilnctl", required=True)
    parser.add_argument("--work", default=tempfile.mkdtemp(prefix="kiln-bench-"))
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    csv = os.path.join(args.work, "mixed-250k.csv")
    if not os.path.exists(csv):
        generate(csv)
    size_mb = os.path.getsize(csv) / 1e6
    print(f"input: {csv}: {ROWS:,} rows, {size_mb:.1f} MB")

    kiln_times, kiln_rss = [], []
    for i in range(REPEATS):
        ws = os.path.join(args.work, f"ws-{i}")
        shutil.rmtree(ws, ignore_errors=True)
        # The workspace exists before the import, as it does for a user: creating it is not timed.
        subprocess.run([args.kilnctl, "--workspace", ws, "workspace", "init"], check=True, stdout=subprocess.DEVNULL)
        wall, rss, code, err = run_measured([args.kilnctl, "--workspace", ws, "import", csv])
        if code != 0:
            print(f"kilnctl import failed ({code}): {err}", file=sys.stderr)
            return 1
        kiln_times.append(wall)
        kiln_rss.append(rss)
        shutil.rmtree(ws, ignore_errors=True)
    kiln = statistics.median(kiln_times)
    print(f"kiln   import (whole process): median {kiln*1000:7.1f} ms  "
          f"{ROWS/kiln:>10,.0f} rows/s  {size_mb/kiln:6.1f} MB/s  peak RSS {max(kiln_rss):.0f} MiB")

    try:
        import pandas
    except ImportError:
        print("SKIP pandas baseline: python3-pandas is not installed (apt-get install python3-pandas)")
        return 0
    pandas_times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        frame = pandas.read_csv(csv)
        pandas_times.append(time.perf_counter() - start)
        assert len(frame) == ROWS
    pd = statistics.median(pandas_times)
    code = "import pandas,sys; pandas.read_csv(sys.argv[1])"
    whole = [run_measured([sys.executable, "-c", code, csv]) for _ in range(3)]
    pd_whole = statistics.median(w[0] for w in whole)
    print(f"pandas read_csv (call alone):  median {pd*1000:7.1f} ms  "
          f"{ROWS/pd:>10,.0f} rows/s  {size_mb/pd:6.1f} MB/s  (pandas {pandas.__version__})")
    print(f"pandas read_csv (whole process): median {pd_whole*1000:7.1f} ms  peak RSS {max(w[1] for w in whole):.0f} MiB")
    print(f"ratio kiln/pandas (target <= 1.0): {kiln/pd:.2f}")
    print(f"ratio kiln/pandas whole process:   {kiln/pd_whole:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
