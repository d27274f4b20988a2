import logging
import socket

from seefood.server.logs import LogfmtFormatter


def test_logfmt_line_with_extra_fields() -> None:
    record = logging.LogRecord("seefood.x", logging.INFO, __file__, 1, "stream stop", None, None)
    record.stream = "cam 1"
    record.frames_in = 42
    line = LogfmtFormatter().format(record)
    assert line.startswith("ts=")
    assert 'level=info logger=seefood.x msg="stream stop" stream="cam 1" frames_in=42' in line


def test_uvicorn_access_lines_become_fields() -> None:
    args = ("127.0.0.1:5000", "POST", "/v1/detect", "1.1", 200)
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d', args, None
    )
    line = LogfmtFormatter().format(record)
    assert "msg=request method=POST path=/v1/detect status=200 client=127.0.0.1:5000" in line


def test_serve_logs_only_logfmt_lines(tmp_path: object) -> None:
    """`seefood serve` as a person runs it: uvicorn's own lines come out as logfmt too."""
    import signal
    import subprocess
    import sys
    import time

    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "seefood", "serve", "--port", str(port)],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz").is_success:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    lines = [line for line in err.splitlines() if line.strip()]
    log_lines = [line for line in lines if not line.startswith("seefood: ")]
    assert log_lines and all(line.startswith("ts=") for line in log_lines), err
    assert any("path=/healthz status=200" in line for line in log_lines), err
