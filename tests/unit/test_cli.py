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
