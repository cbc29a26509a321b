"""Shared fixtures: the programs (CK_BIN, default the source tree's bin/),
the public data sets, and a runner for the programs."""
import os
import subprocess
import sys

import pandas as pd
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, os.pardir, os.pardir))
sys.path.insert(0, os.path.join(ROOT, "python"))
BIN = os.environ.get("CK_BIN", os.path.join(ROOT, "bin"))
DATA = os.path.join(ROOT, "tests", "data", "public")


def read(name):
    """A CSV as the programs read it: numbers to the bit (round_trip), text
    kept ("NA" is not missing to pandas' defaults only)."""
    return pd.read_csv(os.path.join(DATA, name), float_precision="round_trip")


def run(prog, *args):
    """Runs a program; returns (exit code, stdout, stderr)."""
    p = subprocess.run([os.path.join(BIN, prog), *map(str, args)], capture_output=True,
                       text=True)
    return p.returncode, p.stdout, p.stderr


@pytest.fixture(scope="session")
def mlc_train():
    return read("mlc_churn.train.csv")


@pytest.fixture(scope="session")
def mlc_test():
    return read("mlc_churn.test.csv")


@pytest.fixture(scope="session")
def attrition():
    return read("attrition.train.csv")


def data_path(name):
    return os.path.join(DATA, name)
