#!/usr/bin/env python3
"""Logistic regression in plain Python (standard library only), tracked by Kiln.

    kilnctl run --param epochs=50 --param lr=0.5 -- python3 train_logistic.py DATA.csv TARGET

TARGET must be a column with two values; every other numeric column is a feature. Logs the
training loss and accuracy per epoch, the held-out accuracy as a result, and the weights as an
artifact.
"""
import csv
import json
import math
import os
import random
import sys

import kiln_tracking as kiln


def main():
    if len(sys.argv) < 3:
        print("usage: train_logistic.py DATA.csv TARGET [--epochs N] [--lr X]", file=sys.stderr)
        return 2
    path, target = sys.argv[1], sys.argv[2]
    params = kiln.params()
    epochs = int(params.get("epochs", 30))
    lr = float(params.get("lr", 0.5))
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    labels = sorted({r[target] for r in rows})
    if len(labels) != 2:
        print(f"{target} has {len(labels)} values, expected 2", file=sys.stderr)
        return 1
    features = [c for c in rows[0] if c != target and all(_is_number(r[c]) for r in rows)]
    kiln.log_param("features", ",".join(features))
    data = [([float(r[c]) for c in features], 1.0 if r[target] == labels[1] else 0.0) for r in rows]
    random.Random(42).shuffle(data)
    cut = int(len(data) * 0.8)
    train, test = data[:cut], data[cut:]
    weights = [0.0] * (len(features) + 1)
    print(f"training on {len(train)} rows, {len(features)} features, {epochs} epochs")
    for epoch in range(epochs):
        loss, right = 0.0, 0
        gradient = [0.0] * len(weights)
        for x, y in train:
            p = _predict(weights, x)
            loss -= y * math.log(max(p, 1e-12)) + (1 - y) * math.log(max(1 - p, 1e-12))
            right += (p >= 0.5) == (y == 1.0)
            for j, v in enumerate([1.0] + x):
                gradient[j] += (p - y) * v
        weights = [w - lr * g / len(train) for w, g in zip(weights, gradient)]
        kiln.log_metric("train/loss", loss / len(train), step=epoch)
        kiln.log_metric("train/accuracy", right / len(train), step=epoch)
    accuracy = sum((_predict(weights, x) >= 0.5) == (y == 1.0) for x, y in test) / len(test)
    kiln.log_result("accuracy", accuracy)
    out = os.path.join(kiln.output_dir(), "weights.json")
    with open(out, "w") as f:
        json.dump(dict(zip(["bias"] + features, weights)), f, indent=2)
    print(f"test accuracy {accuracy:.4f}")
    return 0


def _predict(weights, x):
    z = weights[0] + sum(w * v for w, v in zip(weights[1:], x))
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def _is_number(text):
    try:
        float(text)
        return True
    except ValueError:
        return False


if __name__ == "__main__":
    sys.exit(main())
