"""monitoring/prometheus checked by Prometheus' own promtool (Debian's `prometheus` package; `make test` installs
it): the config and the alert rules parse, and the rules' unit tests (alerts_test.yml) make every alert fire on
the series meant to trigger it and stay silent on the ones beside them."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS = ROOT / "monitoring" / "prometheus"
UNIT_TESTS = Path(__file__).with_name("alerts_test.yml")


def promtool(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    tool = shutil.which("promtool")
    if tool is None:
        pytest.fail("no promtool: `make system-tools` (make test) installs Debian's prometheus package")
    return subprocess.run([tool, *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_alert_rules_parse():
    done = promtool("check", "rules", str(PROMETHEUS / "alerts.yml"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS: 7 rules found" in done.stdout


def test_scrape_config_reads_the_token_the_stack_writes(tmp_path):
    """The config as committed, in a checkout laid out like the repository: its credentials_file must resolve
    to the default AICORE_HOME's operator-token (promtool fails when that file does not exist)."""
    checkout = tmp_path / "checkout"
    shutil.copytree(PROMETHEUS, checkout / "monitoring" / "prometheus")
    config = checkout / "monitoring" / "prometheus" / "prometheus.yml"
    missing = promtool("check", "config", str(config))
    assert missing.returncode != 0 and "operator-token" in missing.stdout + missing.stderr
    (checkout / ".aicore").mkdir()
    (checkout / ".aicore" / "operator-token").write_text("a-token\n")
    done = promtool("check", "config", str(config))
    assert done.returncode == 0, done.stdout + done.stderr
    job = yaml.safe_load(config.read_text())["scrape_configs"][0]
    assert job["metrics_path"] == "/metrics" and job["authorization"]["type"] == "Bearer"
    assert job["static_configs"][0]["targets"] == ["127.0.0.1:8000"]  # `make run`'s default port


def test_every_alert_fires_and_stays_silent_where_it_should():
    rules = yaml.safe_load((PROMETHEUS / "alerts.yml").read_text())
    alerts = {r["alert"] for group in rules["groups"] for r in group["rules"]}
    tested = {case["alertname"] for test in yaml.safe_load(UNIT_TESTS.read_text())["tests"]
              for case in test["alert_rule_test"] if case["exp_alerts"]}
    assert alerts == tested, f"alerts without a firing unit test: {alerts - tested}"
    done = promtool("test", "rules", str(UNIT_TESTS))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS" in done.stdout


def test_a_broken_rule_fails_the_unit_tests(tmp_path):
    """The unit tests can fail: with the error-rate threshold lowered, the healthy deployment fires too."""
    (tmp_path / "monitoring" / "prometheus").mkdir(parents=True)
    (tmp_path / "tests" / "monitoring").mkdir(parents=True)
    text = (PROMETHEUS / "alerts.yml").read_text()
    assert ") > 0.05" in text
    (tmp_path / "monitoring" / "prometheus" / "alerts.yml").write_text(text.replace(") > 0.05", ") > 0.01"))
    shutil.copy(UNIT_TESTS, tmp_path / "tests" / "monitoring" / "alerts_test.yml")
    done = promtool("test", "rules", str(tmp_path / "tests" / "monitoring" / "alerts_test.yml"))
    assert done.returncode != 0 and 'deployment_id="good"' in done.stdout + done.stderr
