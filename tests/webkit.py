"""Safari's engine for the page tests: Debian's WebKitGTK MiniBrowser, driven by
WebKitWebDriver over classic W3C WebDriver (JSON over HTTP), on its own Xvfb display.

Debian builds WebKitGTK without WebRTC, so what this can test is what Safari shares with
it: the page's modules, its camera (a mock device: `--enable-mock-capture-devices`), video
frame metadata, and Photo mode.
"""

from __future__ import annotations

import base64
import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

DRIVER = shutil.which("WebKitWebDriver") or "/usr/bin/WebKitWebDriver"
XVFB = shutil.which("Xvfb") or "/usr/bin/Xvfb"
MINIBROWSER = next(
    (str(p) for p in sorted(Path("/usr/lib").glob("*/webkit2gtk-4.*/MiniBrowser")) if p.is_file()),
    "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser",
)


def available() -> bool:
    return all(Path(p).exists() for p in (DRIVER, XVFB, MINIBROWSER))


class WebDriverError(RuntimeError):
    pass


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class WebKit:
    """One MiniBrowser window on a private X display; `close()` ends all three processes."""

    def __init__(self, width: int = 1000, height: int = 900) -> None:
        self._procs: list[subprocess.Popen[bytes]] = []
        self._home = Path(tempfile.mkdtemp(prefix="seefood-webkit-"))
        try:
            display = self._start_display(width, height)
            env = {**os.environ, "DISPLAY": display, "HOME": str(self._home)}
            port = _free_port()
            self._procs.append(
                subprocess.Popen(
                    [DRIVER, f"--port={port}"],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
            self.url = f"http://127.0.0.1:{port}"
            self.http = httpx.Client(timeout=120)
            self._wait_for_driver()
            args = ["--automation", "--enable-mock-capture-devices=true"]
            args += ["--enable-media-stream=true", f"--geometry={width}x{height}"]
            options = {"binary": MINIBROWSER, "args": args}
            caps = {"browserName": "MiniBrowser", "webkitgtk:browserOptions": options}
            session = self._call("POST", "/session", {"capabilities": {"alwaysMatch": caps}})
            self.session = f"/session/{session['sessionId']}"
        except BaseException:
            self.close()
            raise

    def _start_display(self, width: int, height: int) -> str:
        # -displayfd: Xvfb picks a free display number and writes it when it is ready.
        read, write = os.pipe()
        xvfb = subprocess.Popen(
            [
                XVFB,
                "-displayfd",
                str(write),
                "-screen",
                "0",
                f"{width}x{height}x24",
                "-nolisten",
                "tcp",
            ],
            pass_fds=(write,),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._procs.append(xvfb)
        os.close(write)
        with os.fdopen(read) as pipe:
            number = pipe.readline().strip()
        if not number:
            raise WebDriverError("Xvfb did not start")
        return f":{number}"

    def _wait_for_driver(self) -> None:
        deadline = time.monotonic() + 60
        while True:
            try:
                self.http.get(self.url + "/status")
                return
            except httpx.TransportError:
                if time.monotonic() > deadline or self._procs[-1].poll() is not None:
                    raise WebDriverError("WebKitWebDriver did not start") from None
                time.sleep(0.1)

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        response = self.http.request(method, self.url + path, json=body)
        value = response.json().get("value")
        if response.status_code >= 400:
            detail = value.get("message") if isinstance(value, dict) else value
            raise WebDriverError(f"{method} {path}: {detail}")
        return value

    def goto(self, url: str) -> None:
        self._call("POST", f"{self.session}/url", {"url": url})

    def evaluate(self, body: str, *args: Any) -> Any:
        """Runs `body` (a function body: `return ...`), with `arguments` as given."""
        return self._call(
            "POST", f"{self.session}/execute/sync", {"script": body, "args": list(args)}
        )

    def evaluate_async(self, expression: str, *args: Any) -> Any:
        """The value of a promise-returning expression (`arguments` as given)."""
        script = (
            "const done = arguments[arguments.length - 1];"
            f"Promise.resolve().then(() => ({expression}))"
            ".then(done, (e) => done({error: String(e)}));"
        )
        return self._call(
            "POST", f"{self.session}/execute/async", {"script": script, "args": list(args)}
        )

    def wait_for(self, expression: str, timeout: float = 30) -> Any:
        """Poll until `expression` is truthy; its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(f"return ({expression});")
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(f"still falsy after {timeout} s: {expression}")
            time.sleep(0.1)

    def click(self, selector: str) -> None:
        element = self._call(
            "POST", f"{self.session}/element", {"using": "css selector", "value": selector}
        )
        element_id = next(iter(element.values()))
        self._call("POST", f"{self.session}/element/{element_id}/click", {})

    def choose_file(self, selector: str, name: str, data: bytes, mime: str) -> None:
        """Puts a file in a file input, as a person choosing it would (a change event)."""
        self.evaluate(
            """
            const [selector, name, b64, mime] = arguments;
            const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
            const files = new DataTransfer();
            files.items.add(new File([bytes], name, { type: mime }));
            const input = document.querySelector(selector);
            input.files = files.files;
            input.dispatchEvent(new Event("change", { bubbles: true }));
            """,
            selector,
            name,
            base64.b64encode(data).decode(),
            mime,
        )

    def screenshot(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(self._call("GET", f"{self.session}/screenshot")))

    def close(self) -> None:
        if hasattr(self, "session"):
            # Gone already, perhaps: the processes are ended below either way.
            with contextlib.suppress(WebDriverError, httpx.HTTPError):
                self._call("DELETE", self.session)
        if hasattr(self, "http"):
            self.http.close()
        for proc in reversed(self._procs):
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        shutil.rmtree(self._home, ignore_errors=True)
