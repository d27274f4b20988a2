import logging

from seefood.server.logs import LogfmtFormatter


def test_logfmt_line_with_extra_fields() -> None:
    record = logging.LogRecord("seefood.x", logging.INFO, __file__, 1, "stream stop", None, None)
    record.stream = "cam 1"
    record.frames_in = 42
    line = LogfmtFormatter().format(record)
    assert line.startswith("ts=")
    assert 'level=info logger=seefood.x msg="stream stop" stream="cam 1" frames_in=42' in line
