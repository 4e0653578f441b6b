"""Bad command-line input ends in one clear line and a non-zero exit, not a traceback."""

import pytest

from orchestration.cli import main


def test_demo_with_an_unknown_regime_names_the_choices(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path), "--regime", "nope"]) == 2
    err = capsys.readouterr().err
    assert "unknown regime 'nope'" in err and "sales_led" in err
    assert not (tmp_path / "extracts").exists()


def test_demo_refuses_a_dirty_rate_over_the_quarantine_limit(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path), "--dirty-rate", "0.5"]) == 2
    assert "closecredit demo:" in capsys.readouterr().err


def test_run_date_that_is_not_a_date_is_an_argument_error(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["run", "--date", "yesterday"])
    assert exited.value.code == 2
    assert "not a date (YYYY-MM-DD): 'yesterday'" in capsys.readouterr().err


def test_run_on_spark_without_pyspark_says_what_to_install(tmp_path, capsys, monkeypatch):
    import importlib.util

    from orchestration.core import spark

    real = importlib.util.find_spec
    monkeypatch.setattr(
        spark.importlib.util, "find_spec", lambda name: None if "spark" in name else real(name)
    )
    (tmp_path / "extracts").mkdir()
    args = ["run", "--target", "spark", "--extracts", str(tmp_path / "extracts")]
    assert main([*args, "--database", str(tmp_path / "w" / "closecredit.duckdb")]) == 2
    assert "pip install -e '.[spark]'" in capsys.readouterr().err


def test_run_on_spark_without_java_says_so(monkeypatch):
    from orchestration.core import spark

    monkeypatch.setattr(spark.importlib.util, "find_spec", lambda name: object())
    monkeypatch.setattr(spark.shutil, "which", lambda name: None)
    monkeypatch.delenv("JAVA_HOME", raising=False)
    assert "no Java runtime" in (spark.spark_missing() or "")
