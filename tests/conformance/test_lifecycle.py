"""Ctrl-C stops the stack cleanly, and a restart keeps the same service key (credentials stay valid)."""
import json
import signal

import requests

from tests.support.stack_process import StackProcess


def test_ctrl_c_stops_cleanly_and_restart_keeps_key(tmp_path):
    first = StackProcess(tmp_path / "home").start()
    key_before = json.loads((tmp_path / "home" / "service-keys" / "default.json").read_text())
    assert first.stop(signal.SIGINT) == 0
    assert "Stopped." in first.output()
    assert "Traceback" not in first.output()

    second = StackProcess(tmp_path / "home", port=first.port).start()
    try:
        assert second.exports["AICORE_CLIENT_SECRET"] == key_before["clientsecret"]
        token = requests.post(second.exports["AICORE_AUTH_URL"], timeout=10,
                              auth=(second.exports["AICORE_CLIENT_ID"], second.exports["AICORE_CLIENT_SECRET"]))
        assert token.status_code == 200
    finally:
        assert second.stop(signal.SIGTERM) == 0
