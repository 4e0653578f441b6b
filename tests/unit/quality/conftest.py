"""Fixtures of the data-quality tests: one GX context per session, a fresh in-memory warehouse per
test."""

from __future__ import annotations

import duckdb
import pytest


@pytest.fixture(scope="session")
def gx_engine():
    """Great Expectations imported and its ephemeral context made once (that takes seconds)."""
    from orchestration.quality.engine import engine

    return engine()


@pytest.fixture
def con(gx_engine):
    connection = duckdb.connect()
    connection.execute("set TimeZone = 'UTC'")
    yield connection
    connection.close()
