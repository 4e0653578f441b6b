"""The Spark person-key UDF's function: the same HMAC as `hmac.new`, NULL in NULL out, and
picklable (Spark ships it to its Python workers) without its repr showing the secret."""

from __future__ import annotations

import hashlib
import hmac
import pickle

from orchestration.core.spark import _PersonKey

SECRET = b"closecredit-spark-test"


def test_the_udf_function_is_the_hmac_after_a_trip_to_a_worker():
    shipped = pickle.loads(pickle.dumps(_PersonKey(SECRET)))
    for identity in ("ada@example.com", "crm:0031x000004", "é@ü.example", ""):
        assert shipped(identity) == hmac.new(SECRET, identity.encode("utf-8"), hashlib.sha256).hexdigest()
    assert shipped(None) is None


def test_a_used_function_still_pickles_and_never_shows_the_secret():
    function = _PersonKey(SECRET)
    function("warm@example.com")  # derives the SHA-256 states, which do not pickle
    shipped = pickle.loads(pickle.dumps(function))
    assert shipped("warm@example.com") == function("warm@example.com")
    assert SECRET.decode() not in repr(function)
