"""Kiln run tracking for any Python training script: standard library only.

Kiln starts your command with KILN_RUN_ID set and this module on PYTHONPATH. Each call
prints one protocol line on stdout, which Kiln records while the run goes on; everything
else your script prints is kept as the run log. Outside Kiln the calls still print, so a
script behaves the same when run by hand.

    import kiln_tracking as kiln

    kiln.log_param("lr", 0.01)
    for epoch in range(10):
        kiln.log_metric("loss", loss, step=epoch)
    kiln.log_result("accuracy", 0.93)
    kiln.log_artifact("model.bin")

Parameters Kiln passes arrive as "--name value" arguments and as KILN_PARAM_<NAME>
environment variables; kiln.params() returns them as a dict of strings.
"""

import json
import math
import os
import sys
import time

__all__ = ["log_metric", "log_param", "log_tag", "log_result", "log_artifact", "params",
           "run_id", "output_dir"]

_out = sys.stdout


def _emit(message):
    _out.write(json.dumps(message, separators=(",", ":")) + "\n")
    _out.flush()


def log_metric(key, value, step=0):
    """A step metric (loss, accuracy per epoch...). `value` must be a finite number."""
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"metric {key!r} must be finite, got {value}")
    _emit({"kiln": "metric", "key": str(key), "value": value, "step": int(step),
           "time": int(time.time() * 1000)})


def log_param(key, value):
    """A parameter of the run (hyperparameter, setting)."""
    _emit({"kiln": "param", "key": str(key), "value": str(value)})


def log_tag(key, value):
    """A tag for grouping and filtering runs."""
    _emit({"kiln": "tag", "key": str(key), "value": str(value)})


def log_result(key, value):
    """A final summary metric of the run (test accuracy...)."""
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"result {key!r} must be finite, got {value}")
    _emit({"kiln": "result", "key": str(key), "value": value})


def log_artifact(path):
    """A file (relative to the working folder, or absolute) to keep with the run."""
    _emit({"kiln": "artifact", "path": os.fspath(path)})


def params():
    """Parameters Kiln passed to this run, from the KILN_PARAM_* environment."""
    prefix = "KILN_PARAM_"
    return {k[len(prefix):].lower(): v for k, v in os.environ.items() if k.startswith(prefix)}


def run_id():
    """This run's id in Kiln, or None outside Kiln."""
    return os.environ.get("KILN_RUN_ID")


def output_dir():
    """Folder whose files Kiln keeps as artifacts when the run ends."""
    return os.environ.get("KILN_OUTPUT_DIR", os.getcwd())
