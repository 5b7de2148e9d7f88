#!/usr/bin/python3
"""Training benchmark: Kiln's boosted trees (kilnctl train, whole process) against
scikit-learn's GradientBoostingClassifier (python3 + sklearn, whole process) on the identical
split of the same generated data, binary and multiclass. Prints accuracy, macro F1, ROC AUC
and fit time of both and the time ratio. Target: accuracy within one point of sklearn or
better, and at least 5x faster.

The split is Kiln's: its predictions.csv artifact names the test rows; sklearn trains on all
other rows (Kiln is run with --validation-fraction 0 so it trains on exactly those).
"""
import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

SKLEARN_SCRIPT = r"""
import csv, json, sys, time
t0 = time.perf_counter()
import numpy as np
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.metrics import accuracy_score, f1_score, roc_auc_score
path, test_rows_path = sys.argv[1], sys.argv[2]
with open(path) as f:
    reader = csv.reader(f)
    header = next(reader)
    rows = list(reader)
X = np.array([[float(v) for v in r[:-1]] for r in rows])
labels = sorted(set(r[-1] for r in rows))
y = np.array([labels.index(r[-1]) for r in rows])
test = set(json.load(open(test_rows_path)))
test_idx = np.array(sorted(test)); train_idx = np.array([i for i in range(len(rows)) if i not in test])
fit0 = time.perf_counter()
model = GradientBoostingClassifier(n_estimators=100, max_depth=6, learning_rate=0.3, random_state=42)
model.fit(X[train_idx], y[train_idx])
fit = time.perf_counter() - fit0
p = model.predict_proba(X[test_idx])
pred = p.argmax(axis=1)
auc = roc_auc_score(y[test_idx], p[:, 1]) if len(labels) == 2 else roc_auc_score(y[test_idx], p, multi_class="ovr")
print(json.dumps({"accuracy": accuracy_score(y[test_idx], pred), "f1_macro": f1_score(y[test_idx], pred, average="macro"),
                  "roc_auc": auc, "fit_seconds": fit}))
"""


def generate(path, rows, features, classes, seed):
    rng = random.Random(seed)
    centers = [[rng.gauss(0, 1) for _ in range(features)] for _ in range(classes)]
    with open(path, "w") as f:
        f.write(",".join(f"f{i}" for i in range(features)) + ",label\n")
        for _ in range(rows):
            c = rng.randrange(classes)
            values = [centers[c][j] * (1 if j < features // 3 else 0.2) + rng.gauss(0, 1.2) for j in range(features)]
            f.write(",".join(f"{v:.5f}" for v in values) + f",class{c}\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kilnctl", required=True)
    parser.add_argument("--work", default=tempfile.mkdtemp(prefix="kiln-bench-train-"))
    args = parser.parse_args()
    try:
        import sklearn  # noqa: F401
    except ImportError:
        print("SKIP: python3-sklearn is not installed (apt-get install python3-sklearn)")
        return 0
    os.makedirs(args.work, exist_ok=True)
    for name, classes in (("binary", 2), ("multiclass", 4)):
        csv = os.path.join(args.work, f"{name}.csv")
        generate(csv, 4601, 57, classes, seed=7)
        ws = os.path.join(args.work, f"ws-{name}")
        shutil.rmtree(ws, ignore_errors=True)
        subprocess.run([args.kilnctl, "--workspace", ws, "import", csv], check=True, stdout=subprocess.DEVNULL)
        t0 = time.perf_counter()
        out = subprocess.run([args.kilnctl, "--workspace", ws, "train", name, "--target", "label", "--json",
                              "--validation-fraction", "0", "--param", "n_estimators=100", "--param", "max_depth=6",
                              "--param", "learning_rate=0.3", "--param", "n_threads=2"],
                             check=True, capture_output=True, text=True).stdout
        kiln_wall = time.perf_counter() - t0
        run = json.loads(out)["runs"][0]
        results = run["results"]
        show = json.loads(subprocess.run([args.kilnctl, "--workspace", ws, "runs", "show", str(run["id"]), "--json"],
                                         check=True, capture_output=True, text=True).stdout)
        sha = next(a["sha256"] for a in show["artifacts"] if a["path"] == "predictions.csv")
        with open(os.path.join(ws, "blobs", sha[:2], sha[2:])) as f:
            next(f)
            test_rows = [int(line.split(",")[0]) - 1 for line in f]
        test_path = os.path.join(args.work, f"{name}-test-rows.json")
        json.dump(test_rows, open(test_path, "w"))
        t0 = time.perf_counter()
        sk = json.loads(subprocess.run([sys.executable, "-c", SKLEARN_SCRIPT, csv, test_path],
                                       check=True, capture_output=True, text=True).stdout)
        sk_wall = time.perf_counter() - t0
        print(f"{name}: 4,601 rows x 57 features, {len(test_rows)} test rows, 100 trees depth 6 eta 0.3")
        print(f"  kiln    accuracy {results['accuracy']:.4f}  f1_macro {results['f1_macro']:.4f}  roc_auc {results['roc_auc']:.4f}"
              f"  fit {results['fit_seconds']:.2f} s  whole process {kiln_wall:.2f} s")
        print(f"  sklearn accuracy {sk['accuracy']:.4f}  f1_macro {sk['f1_macro']:.4f}  roc_auc {sk['roc_auc']:.4f}"
              f"  fit {sk['fit_seconds']:.2f} s  whole process {sk_wall:.2f} s")
        print(f"  accuracy difference (kiln - sklearn): {100 * (results['accuracy'] - sk['accuracy']):+.2f} points;"
              f" speed-up whole process {sk_wall / kiln_wall:.1f}x, fit {sk['fit_seconds'] / results['fit_seconds']:.1f}x (target >= 5x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
