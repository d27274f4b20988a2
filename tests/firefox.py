"""Debian's Firefox ESR driven over WebDriver BiDi: just what the page tests need.

Firefox speaks BiDi itself (no geckodriver): started with --remote-debugging-port, it
takes commands as JSON over a WebSocket. Its fake camera plays a test pattern, not our
clips, so a preload script gives the page a camera whose frames are a given picture.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from websockets.sync.client import ClientConnection, connect

FIREFOX = shutil.which("firefox-esr") or shutil.which("firefox") or "/usr/bin/firefox-esr"

PREFS = {
    "media.navigator.permission.disabled": True,  # no camera prompt
    "media.navigator.streams.fake": True,
    "media.peerconnection.ice.loopback": True,  # the server offers 127.0.0.1 only
    "media.peerconnection.ice.obfuscate_host_addresses": False,  # no mDNS names
    "browser.shell.checkDefaultBrowser": False,
    "datareporting.policy.dataSubmissionEnabled": False,
    "toolkit.telemetry.reportingpolicy.firstRun": False,
    "browser.startup.homepage_override.mstone": "ignore",
    "app.update.disabledForTesting": True,
}

# A camera whose frames are `picture` (a data: URL) at 24 fps, drawn on a canvas.
PICTURE_CAMERA = """
() => {
  const picture = PICTURE;
  const open = async () => {
    const img = new Image();
    img.src = picture;
    await img.decode();
    const canvas = document.createElement("canvas");
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const ctx = canvas.getContext("2d");
    const draw = () => { ctx.drawImage(img, 0, 0); };
    draw();
    setInterval(draw, 40);
    return canvas.captureStream(24);
  };
  navigator.mediaDevices.getUserMedia = () => open();
}
"""


class BiDiError(RuntimeError):
    pass


class Firefox:
    """One headless Firefox with one tab; `close()` ends it and removes its profile."""

    def __init__(self, *, picture: bytes | None = None, width: int = 1000, height: int = 900):
        self.profile = Path(tempfile.mkdtemp(prefix="seefood-firefox-"))
        prefs = "".join(f'user_pref("{k}", {json.dumps(v)});\n' for k, v in PREFS.items())
        (self.profile / "user.js").write_text(prefs)
        args = ["--headless", "--no-remote", "--profile", str(self.profile)]
        args += ["--remote-debugging-port", "0", "--width", str(width), "--height", str(height)]
        self.proc = subprocess.Popen(
            [FIREFOX, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        self._ids = itertools.count(1)
        self.ws = self._connect()
        self._command("session.new", {"capabilities": {}})
        tree = self._command("browsingContext.getTree", {})
        self.context: str = tree["contexts"][0]["context"]
        self.console: list[str] = []
        if picture is not None:
            url = "data:image/jpeg;base64," + base64.b64encode(picture).decode()
            # Preload scripts take no plain arguments: the picture goes in as a literal.
            script = PICTURE_CAMERA.replace("PICTURE", json.dumps(url))
            self._command("script.addPreloadScript", {"functionDeclaration": script})

    def _connect(self) -> ClientConnection:
        assert self.proc.stderr is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = self.proc.stderr.readline()
            match = re.search(r"WebDriver BiDi listening on (ws://\S+)", line)
            if match:
                return connect(match.group(1) + "/session", max_size=None, legacy=True)
            if not line and self.proc.poll() is not None:
                break
        raise BiDiError("Firefox did not start its WebDriver BiDi server")

    def _command(self, method: str, params: dict[str, Any], timeout: float = 60) -> Any:
        command_id = next(self._ids)
        self.ws.send(json.dumps({"id": command_id, "method": method, "params": params}))
        deadline = time.monotonic() + timeout
        while True:
            message = json.loads(self.ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            if message.get("id") == command_id:
                if message.get("type") == "error":
                    raise BiDiError(f"{method}: {message.get('error')}: {message.get('message')}")
                return message.get("result")

    def goto(self, url: str) -> None:
        self._command(
            "browsingContext.navigate", {"context": self.context, "url": url, "wait": "complete"}
        )

    def evaluate(self, expression: str, timeout: float = 60) -> Any:
        """The value of a JavaScript expression (awaited if it is a promise), as JSON."""
        result = self._command(
            "script.evaluate",
            {
                "expression": f"(async () => JSON.stringify(await ({expression})))()",
                "target": {"context": self.context},
                "awaitPromise": True,
            },
            timeout,
        )
        if result["type"] == "exception":
            raise BiDiError(result["exceptionDetails"]["text"])
        value = result["result"].get("value")
        return None if value is None else json.loads(value)

    def wait_for(self, expression: str, timeout: float = 30) -> Any:
        """Poll until `expression` is truthy; its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(f"still falsy after {timeout} s: {expression}")
            time.sleep(0.1)

    def click(self, selector: str) -> None:
        self.evaluate(f"document.querySelector({json.dumps(selector)}).click()")

    def screenshot(self, path: Path) -> None:
        shot = self._command("browsingContext.captureScreenshot", {"context": self.context})
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(shot["data"]))

    def close(self) -> None:
        with contextlib.suppress(Exception):  # already gone: killed below
            self._command("browser.close", {}, timeout=10)
        try:
            self.ws.close()
        finally:
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
            shutil.rmtree(self.profile, ignore_errors=True)
