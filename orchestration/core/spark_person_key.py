"""The function behind Spark's `closecredit_person_key`, shipped to Spark's Python workers whole.

Spark pickles a UDF and unpickles it in a Python worker, which need not have this package (a
cluster's workers never do; a local worker may start in another environment). So this module and
orchestration.core.privacy are pickled by value (`ship_by_value`): the worker receives the code of
this class and of `privacy.keyer`, which use only the standard library, never an import of
`orchestration`. The secret travels only inside the pickled function, never in SQL or a plan.
"""

from __future__ import annotations

import sys

from orchestration.core.privacy import keyer


class PersonKeyFunction:
    """value -> privacy.keyer's HMAC of its UTF-8 bytes, NULL in NULL out. Pickles as the secret
    alone (SHA-256 states do not pickle); each worker derives the keyer once, on its first value."""

    def __init__(self, secret: bytes):
        self._secret = secret
        self._key = None

    def __getstate__(self) -> dict:
        return {"_secret": self._secret, "_key": None}

    def __repr__(self) -> str:  # never the secret in a plan or a log line
        return "closecredit_person_key"

    def __call__(self, value: str | None) -> str | None:
        if value is None:
            return None
        if self._key is None:
            self._key = keyer(self._secret)
        return self._key(value.encode("utf-8"))


def ship_by_value() -> None:
    """Make pyspark's cloudpickle carry this module's and privacy's code to the workers."""
    from pyspark import cloudpickle

    from orchestration.core import privacy

    for module in (sys.modules[__name__], privacy):
        cloudpickle.register_pickle_by_value(module)
