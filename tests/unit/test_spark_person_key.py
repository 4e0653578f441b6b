"""The Spark person-key UDF's function: the same HMAC as `hmac.new`, NULL in NULL out, shipped to
a Python worker that cannot import this package, and never showing the secret in its repr."""

from __future__ import annotations

import hashlib
import hmac
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from orchestration.core.spark_person_key import PersonKeyFunction, ship_by_value

SECRET = b"closecredit-spark-test"
IDENTITIES = ("ada@example.com", "crm:0031x000004", "é@ü.example", "")

# A worker without this package: no site processing (so no editable-install hook), only the folder
# pyspark is installed in on the path, run from an empty folder; it unpickles the UDF's function
# as Spark's worker does and keys the identities.
WORKER = """
import pickle, sys
sys.path[:] = [sys.argv[1]] + [p for p in sys.path if "site-packages" not in p and p not in ("", ".")]
try:
    import orchestration
except ImportError:
    pass
else:
    raise SystemExit("the worker can import orchestration: the test proves nothing")
function = pickle.loads(sys.stdin.buffer.read())
assert not [m for m in sys.modules if m.startswith("orchestration")], "the function imported the package"
print("\\n".join(function(v) for v in {identities!r}))
"""


def test_the_udf_function_is_the_hmac_after_a_trip_to_a_worker():
    shipped = pickle.loads(pickle.dumps(PersonKeyFunction(SECRET)))
    for identity in IDENTITIES:
        assert shipped(identity) == hmac.new(SECRET, identity.encode("utf-8"), hashlib.sha256).hexdigest()
    assert shipped(None) is None


def test_a_worker_without_the_package_runs_the_function(tmp_path):
    pyspark = pytest.importorskip("pyspark", reason="the spark extra is not installed")
    from pyspark import cloudpickle

    ship_by_value()
    function = PersonKeyFunction(SECRET)
    function("warm@example.com")  # derives the SHA-256 states, which do not pickle
    worker = subprocess.run(
        [
            sys.executable,
            "-S",
            "-c",
            WORKER.format(identities=IDENTITIES),
            str(Path(pyspark.__file__).parents[1]),
        ],
        input=cloudpickle.dumps(function),
        capture_output=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert worker.returncode == 0, worker.stderr.decode()
    expected = [hmac.new(SECRET, i.encode("utf-8"), hashlib.sha256).hexdigest() for i in IDENTITIES]
    assert worker.stdout.decode().splitlines() == expected


def test_the_function_never_shows_the_secret():
    function = PersonKeyFunction(SECRET)
    function("warm@example.com")
    assert SECRET.decode() not in repr(function)
    assert SECRET.decode() not in repr(pickle.loads(pickle.dumps(function)).__dict__.get("_key"))
