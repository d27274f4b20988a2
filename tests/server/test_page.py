"""The page in real headless Chromium (Debian's), driven by Playwright, with a fake camera.

Chromium's fake camera plays a .y4m made from the shared photos. The server offers
127.0.0.1 host candidates and Chromium is started with --allow-loopback-in-peer-connection,
so the whole call stays on loopback. Screenshots go to artifacts/screenshots/.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

from seefood import load_image
from seefood.config import Settings
from seefood.detection.hotdog import HotdogEngine
from seefood.server.app import create_app
from tests.conftest import DEV_SET, ROOT, LiveServer, iou
from tests.videos import (
    CODE_BITS,
    CODE_BLOCK,
    CODE_Y,
    HARD_OTHER_FOOD,
    HOTDOGS,
    OTHER_FOOD,
    letterboxed,
    pan_frame,
    pan_photo,
    panning_video,
    photo_video,
)

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"  # scripts/test.sh installs it
SHOTS = ROOT / "artifacts" / "screenshots"
BASE_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-quic",
    "--disable-sync",
    "--disable-background-networking",
    "--disable-component-update",
    "--allow-loopback-in-peer-connection",
]


@pytest.fixture(scope="module")
def server(engine: HotdogEngine) -> Iterator[LiveServer]:
    live = LiveServer(
        create_app(Settings(ice_host_addresses=["127.0.0.1"], session_idle_seconds=3), [engine])
    )
    yield live
    live.stop()


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("camera")
    return {
        "hotdog": photo_video(d / "hotdog.y4m", "hotdog", HOTDOGS[:1], frames_each=30),
        "other": photo_video(d / "other.y4m", "not_hotdog", OTHER_FOOD[:2], frames_each=30),
        "hard": photo_video(d / "hard.y4m", "not_hotdog", HARD_OTHER_FOOD, frames_each=30),
    }


# Records every verdict the banner shows, and when (page time), from the first script on.
RECORD_VERDICTS = """
window.__verdicts = [];
window.__live = null;
new MutationObserver(() => {
  const v = document.getElementById("verdict");
  const s = document.body.dataset.status;
  if (v && v.textContent) window.__verdicts.push([performance.now(), v.textContent]);
  if (s === "live" && window.__live === null) window.__live = performance.now();
}).observe(document, {subtree: true, childList: true, characterData: true, attributes: true});
"""


@pytest.fixture(scope="module")
def pw() -> Iterator[Any]:
    with sync_playwright() as p:
        yield p


def browser(pw: Any, clip: Path | None, *, grant: bool = True) -> Any:
    args = list(BASE_ARGS)
    if clip is not None:
        args += ["--use-fake-device-for-media-stream", f"--use-file-for-fake-video-capture={clip}"]
    if grant:
        args.append("--use-fake-ui-for-media-stream")
    return pw.chromium.launch(executable_path=CHROMIUM, args=args, headless=True)


@contextmanager
def live_page(
    pw: Any, server: LiveServer, clip: Path, verdict: str, init_script: str | None = None
) -> Iterator[Any]:
    """A page whose camera plays `clip`, started and showing `verdict`; closed afterwards."""
    b = browser(pw, clip)
    try:
        page = b.new_page(viewport={"width": 1000, "height": 900})
        if init_script:
            page.add_init_script(init_script)
        page.goto(server.url)
        page.click("#start")
        wait_for_verdict(page, verdict)
        yield page
    finally:
        b.close()


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def sessions(server: LiveServer) -> int:
    return int(httpx.get(f"{server.url}/healthz").json()["sessions"])


def wait_for_verdict(page: Any, text: str, timeout: float = 30.0) -> None:
    page.wait_for_function(
        "t => document.getElementById('verdict').textContent === t",
        arg=text,
        timeout=timeout * 1000,
    )


def on_screen_boxes(page: Any, cls: str) -> list[dict[str, float]]:
    """Screen rectangles of the overlay's boxes of one class, once they are laid out.

    Read in the same call that waits for them: the overlay is redrawn with every result.
    """
    handle = page.wait_for_function(
        """c => {
          const boxes = [...document.querySelectorAll(`#overlay rect.box[data-class='${c}']`)]
            .map(e => { const r = e.getBoundingClientRect();
              return {x: r.x, y: r.y, w: r.width, h: r.height, score: +e.dataset.score}; });
          return boxes.some(b => b.w > 0) ? boxes : null;
        }""",
        arg=cls,
        timeout=10_000,
    )
    boxes: list[dict[str, float]] = handle.json_value()
    return boxes


def expected_on_screen(page: Any, box: tuple[float, float, float, float]) -> dict[str, float]:
    """Where a box in the 640x480 frame lands on the <video>, shown with object-fit: contain."""
    v = page.eval_on_selector(
        "#video",
        "v => { const r = v.getBoundingClientRect();"
        " return {x: r.x, y: r.y, w: r.width, h: r.height,"
        " vw: v.videoWidth, vh: v.videoHeight}; }",
    )
    scale = min(v["w"] / v["vw"], v["h"] / v["vh"])
    ox = v["x"] + (v["w"] - v["vw"] * scale) / 2
    oy = v["y"] + (v["h"] - v["vh"] * scale) / 2
    k = scale * v["vw"] / 640  # the frame as the server saw it is 640 wide
    return {"x": ox + box[0] * k, "y": oy + box[1] * k, "w": box[2] * k, "h": box[3] * k}


def screen_iou(a: dict[str, float], b: dict[str, float]) -> float:
    return iou([a["x"], a["y"], a["w"], a["h"]], [b["x"], b["y"], b["w"], b["h"]])


def still_hotdog_box(engine: HotdogEngine) -> tuple[float, float, float, float]:
    """The hot dog the verdict confirms in the clip's frame, as a still image."""
    frame = letterboxed(load_image(DEV_SET / "hotdog" / HOTDOGS[0]))
    [result] = engine.detect_batch([frame])
    [hotdog] = [d for d in result.detections if d.hotdog]
    return hotdog.box


def test_hotdog_camera_shows_hotdog_with_the_box_on_the_hot_dog(
    pw: Any, server: LiveServer, clips: dict[str, Path], engine: HotdogEngine
) -> None:
    with live_page(pw, server, clips["hotdog"], "Hotdog!") as page:
        page.wait_for_selector('#overlay rect.box[data-class="hot dog"]')
        time.sleep(1.5)  # a few more results and a stats tick
        assert page.get_attribute("#overlay", "viewBox") == "0 0 640 480"
        assert page.inner_text("#status-text") == "live"
        boxes = on_screen_boxes(page, "hot dog")
        best = max((r for r in boxes if r["w"]), key=lambda r: r["score"])
        expected = expected_on_screen(page, still_hotdog_box(engine))
        assert screen_iou(best, expected) > 0.7, (best, expected)
        assert page.inner_text("#stat-ips") not in ("\u2013", "0.0/s")
        # The pair that connected, once the browser's stats name it (a loaded machine's
        # Chromium did not name it at "connected"; the page asks again).
        page.wait_for_function(
            "document.getElementById('stat-path').textContent.startsWith('direct (host')",
            timeout=10_000,
        )
        shot(page, "live-hotdog")
        assert sessions(server) == 1
        page.click("#stop")  # must really end the session and the camera
        deadline = time.monotonic() + 3
        while sessions(server) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert sessions(server) == 0
        assert page.evaluate("document.getElementById('video').srcObject") is None
        assert page.inner_text("#verdict") == ""
        assert page.inner_text("#stat-server") == "\u2013", "no stale figure after Stop"


def test_the_hot_dog_is_called_within_two_seconds_of_going_live_and_kept(
    pw: Any, server: LiveServer, clips: dict[str, Path]
) -> None:
    with live_page(pw, server, clips["hotdog"], "Hotdog!", RECORD_VERDICTS) as page:
        live = page.evaluate("window.__live")
        first = page.evaluate("window.__verdicts.find(([, v]) => v === 'Hotdog!')[0]")
        assert live is not None and first - live <= 2000, (live, first)
        box = page.locator('#overlay rect.box.hotdog[data-class="hot dog"]')
        assert box.count() == 1, "one box, in the hot-dog colour, is the hot dog"
        time.sleep(10.0)  # the same hot dog before the camera: the banner keeps its word
        after = [v for t, v in page.evaluate("window.__verdicts") if t >= first]
        assert len(after) > 1 and set(after) == {"Hotdog!"}, sorted(set(after))
        page.click("#stop")


def test_food_the_detector_takes_for_hot_dogs_never_shows_hotdog(
    pw: Any, server: LiveServer, clips: dict[str, Path]
) -> None:
    """Six other dishes, a second each, for a minute (NanoDet-g alone calls two of them hot
    dogs; squeezed by a loaded machine's encoder, one reads 0.53 now and then: a CI run's
    page, which then voted on frames, showed "Hotdog!"; the server's live verdict weighs
    the evidence of many)."""
    with live_page(pw, server, clips["hard"], "Not hotdog!", RECORD_VERDICTS) as page:
        start = page.evaluate("performance.now()")
        page.wait_for_function("s => performance.now() - s > 60000", arg=start, timeout=90_000)
        shown = {v for _, v in page.evaluate("window.__verdicts")}
        assert shown == {"Not hotdog!"}, shown
        assert page.locator("#overlay rect.box.hotdog").count() == 0
        page.click("#stop")


def test_a_still_hot_dog_is_boxed_in_nearly_every_look(
    pw: Any, server: LiveServer, clips: dict[str, Path]
) -> None:
    """40 looks 150 ms apart at a hot dog that does not move: boxed, in the hot-dog colour,
    in at least 38 (its track holds the box through a missed result), always one track."""
    with live_page(pw, server, clips["hotdog"], "Hotdog!") as page:
        looks = page.evaluate(
            """async () => {
              const out = [];
              for (let i = 0; i < 40; i++) {
                const boxes = [...document.querySelectorAll('#overlay rect.box.hotdog')];
                out.push(boxes.map((b) => b.dataset.track));
                await new Promise((r) => setTimeout(r, 150));
              }
              return out;
            }"""
        )
        page.click("#stop")
    boxed = [tracks for tracks in looks if tracks]
    assert len(boxed) >= 38, looks
    assert len({t for tracks in boxed for t in tracks}) == 1, looks


# Keeps the page's peer connection, and measures how many frames it sends a second.
CAPTURE_PC = """
window.__pcs = [];
const createChannel = RTCPeerConnection.prototype.createDataChannel;
RTCPeerConnection.prototype.createDataChannel = function (...args) {
  window.__pcs.push(this);
  return createChannel.apply(this, args);
};
"""
SENT_PER_SECOND = """async (ms) => {
  const pc = window.__pcs[window.__pcs.length - 1];
  const sent = async () => {
    let n = 0;
    (await pc.getStats()).forEach((r) => {
      if (r.type === "outbound-rtp" && r.kind === "video") n = r.framesSent;
    });
    return n;
  };
  const before = await sent(), t = performance.now();
  await new Promise((done) => setTimeout(done, ms));
  return ((await sent()) - before) * 1000 / (performance.now() - t);
}"""


def test_chromium_sends_at_the_pace_the_server_sets(
    pw: Any, server: LiveServer, clips: dict[str, Path]
) -> None:
    """The server's pace message (here an operator's limit, set while the call runs, then
    lifted) sets the rate Chromium's encoder sends at (getStats: frames sent)."""
    service = server.app.state.service
    settings = service.settings
    try:
        with live_page(pw, server, clips["hotdog"], "Hotdog!", CAPTURE_PC) as page:
            page.wait_for_function("() => document.body.dataset.pace === 'camera'")
            free = page.evaluate(SENT_PER_SECOND, 3000)
            service.settings = settings.model_copy(update={"max_stream_fps": 5.0})
            page.wait_for_function("() => document.body.dataset.pace === '5'", timeout=10_000)
            time.sleep(1.0)
            slow = page.evaluate(SENT_PER_SECOND, 3000)
            service.settings = settings
            page.wait_for_function("() => document.body.dataset.pace === 'camera'")
            time.sleep(1.0)
            again = page.evaluate(SENT_PER_SECOND, 3000)
            page.click("#stop")
    finally:
        service.settings = settings
    assert slow <= 6.5, (free, slow, again)
    assert free > 2 * slow and again > 2 * slow, (free, slow, again)


def test_other_food_shows_not_hotdog(pw: Any, server: LiveServer, clips: dict[str, Path]) -> None:
    with live_page(pw, server, clips["other"], "Not hotdog!") as page:
        time.sleep(1.0)
        assert page.inner_text("#verdict") == "Not hotdog!"
        assert page.locator("#overlay rect.box").count() > 0
        shot(page, "live-not-hotdog")
        page.click("#stop")


ROTATING_CAMERA = """
(() => {
  // Replace the camera with one that sends sideways pixels and says so in the frame's
  // rotation metadata (WebCodecs), as a phone held upright does; Chrome then sends CVO.
  const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = async (constraints) => {
    const camera = await original({ video: true });
    const processor = new MediaStreamTrackProcessor({ track: camera.getVideoTracks()[0] });
    const generator = new MediaStreamTrackGenerator({ kind: "video" });
    const reader = processor.readable.getReader();
    const writer = generator.writable.getWriter();
    (async () => {
      for (;;) {
        const { value: frame, done } = await reader.read();
        if (done) break;
        const w = frame.displayWidth, h = frame.displayHeight;
        const canvas = new OffscreenCanvas(h, w);
        const ctx = canvas.getContext("2d");
        ctx.translate(0, w);
        ctx.rotate(-Math.PI / 2);  // turned away: counter-clockwise
        ctx.drawImage(frame, 0, 0);
        const sideways = new VideoFrame(canvas, { timestamp: frame.timestamp, rotation: 90 });
        frame.close();
        await writer.write(sideways);
      }
    })();
    return new MediaStream([generator]);
  };
})();
"""


def test_rotated_source_still_gets_boxes_in_the_right_place(
    pw: Any, server: LiveServer, clips: dict[str, Path], engine: HotdogEngine
) -> None:
    with live_page(pw, server, clips["hotdog"], "Hotdog!", init_script=ROTATING_CAMERA) as page:
        page.wait_for_selector('#overlay rect.box[data-class="hot dog"]')
        time.sleep(1.0)
        assert page.get_attribute("#overlay", "data-rotation") == "90", "CVO reached the server"
        assert page.get_attribute("#overlay", "viewBox") == "0 0 640 480"
        best = max(
            (r for r in on_screen_boxes(page, "hot dog") if r["w"]), key=lambda r: r["score"]
        )
        expected = expected_on_screen(page, still_hotdog_box(engine))
        assert screen_iou(best, expected) > 0.7, (best, expected)
        shot(page, "live-rotated")
        page.click("#stop")


def test_camera_denied_says_so(pw: Any, server: LiveServer, clips: dict[str, Path]) -> None:
    b = browser(pw, clips["hotdog"], grant=False)
    try:
        context = b.new_context(viewport={"width": 1000, "height": 700})
        page = context.new_page()
        page.goto(server.url)
        page.click("#start")
        page.wait_for_selector("#message:not([hidden])")
        assert "denied" in page.inner_text("#message")
        assert page.inner_text("#status-text") == "no camera"
        shot(page, "camera-denied")
        assert sessions(server) == 0
    finally:
        b.close()


def test_photo_mode_on_a_phone(pw: Any, server: LiveServer) -> None:
    b = browser(pw, None)
    try:
        context = b.new_context(
            viewport={"width": 390, "height": 844},
            is_mobile=True,
            has_touch=True,
            device_scale_factor=2,
        )
        page = context.new_page()
        page.goto(server.url)
        page.click("#mode-photo")
        page.set_input_files("#file", str(DEV_SET / "hotdog" / HOTDOGS[1]))
        wait_for_verdict(page, "Hotdog!")
        assert page.locator('#overlay rect.box[data-class="hot dog"]').count() >= 1
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, "no sideways scrolling on a phone"
        shot(page, "photo-phone")
        page.set_input_files("#file", str(DEV_SET / "not_hotdog" / OTHER_FOOD[0]))
        wait_for_verdict(page, "Not hotdog!")
    finally:
        b.close()


def test_reconnects_when_the_server_ends_the_session(
    pw: Any, server: LiveServer, clips: dict[str, Path]
) -> None:
    with live_page(pw, server, clips["hotdog"], "Hotdog!") as page:
        first = page.get_attribute("body", "data-session")
        assert first
        server.run(server.app.state.sessions.sessions[first].close("ended by the server"))
        page.wait_for_function(
            "s => document.body.dataset.session && document.body.dataset.session !== s"
            " && document.body.dataset.status === 'live'",
            arg=first,
            timeout=20_000,
        )
        assert sessions(server) == 1
        page.click("#stop")


def test_no_camera_and_no_webrtc_are_explained(pw: Any, server: LiveServer) -> None:
    b = browser(pw, None)  # no fake device: this browser has no camera at all
    try:
        page = b.new_page()
        page.goto(server.url)
        page.click("#start")
        page.wait_for_selector("#message:not([hidden])")
        assert "No camera was found" in page.inner_text("#message")
        page = b.new_page()
        page.add_init_script("delete window.RTCPeerConnection;")
        page.goto(server.url)
        page.wait_for_selector("#message:not([hidden])")
        assert "no WebRTC" in page.inner_text("#message")
        shot(page, "no-webrtc")
    finally:
        b.close()


SLOW_CAMERA = """
const open = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
navigator.mediaDevices.getUserMedia = (c) =>
  new Promise((resolve, reject) => setTimeout(() => open(c).then(resolve, reject), 1500));
"""

SLOW_OFFER = """
const send = window.fetch.bind(window);
window.fetch = (url, init) => String(url).includes("/v1/webrtc/offer")
  ? new Promise((resolve, reject) => setTimeout(() => send(url, init).then(resolve, reject), 1500))
  : send(url, init);
"""


@pytest.mark.parametrize("slow", [SLOW_CAMERA, SLOW_OFFER], ids=["opening-camera", "offering"])
def test_stop_while_starting_leaves_nothing_running(
    pw: Any, server: LiveServer, clips: dict[str, Path], slow: str
) -> None:
    b = browser(pw, clips["hotdog"])
    try:
        page = b.new_page()
        page.add_init_script(slow)
        page.goto(server.url)
        page.click("#start")
        time.sleep(0.5)
        page.click("#stop")
        time.sleep(3.5)  # past the slow step and any answer
        assert sessions(server) == 0
        assert page.is_visible("#start") and not page.is_visible("#stop")
        assert page.inner_text("#verdict") == ""
        assert page.evaluate("document.getElementById('video').srcObject") is None
        assert page.get_attribute("body", "data-status") == "idle"
    finally:
        b.close()


def test_insecure_origin_is_explained(pw: Any, server: LiveServer) -> None:
    # Loopback origins are always secure, and tests may only use loopback, so the insecure
    # origin a phone would see over plain http is simulated here.
    b = browser(pw, None)
    try:
        page = b.new_page()
        page.add_init_script("Object.defineProperty(window, 'isSecureContext', {value: false});")
        page.goto(server.url)
        page.wait_for_selector("#message:not([hidden])")
        assert "seefood serve --https" in page.inner_text("#message")
    finally:
        b.close()


def test_phone_on_its_side_keeps_picture_and_stop_on_screen(
    pw: Any, server: LiveServer, clips: dict[str, Path]
) -> None:
    b = browser(pw, clips["hotdog"])
    try:
        page = b.new_page(
            viewport={"width": 844, "height": 390},
            is_mobile=True,
            has_touch=True,
            device_scale_factor=2,
        )
        page.goto(server.url)
        page.click("#start")
        wait_for_verdict(page, "Hotdog!")
        stop = page.locator("#stop").bounding_box()
        stage = page.locator("#stage").bounding_box()
        assert stop is not None and stage is not None
        assert stop["y"] + stop["height"] <= 390, "Stop is reachable without scrolling"
        assert stage["height"] >= 250
        shot(page, "live-phone-landscape")
        page.click("#stop")
    finally:
        b.close()


RECORD_PEER_CONNECTIONS = """
(() => {
  const Original = window.RTCPeerConnection;
  window.__pcs = [];
  window.RTCPeerConnection = class extends Original {
    constructor(config) { super(config); window.__pcs.push(this); }
  };
})();
"""


def test_on_a_network_the_link_token_opens_the_page_and_ice_servers_reach_it(
    pw: Any, engine: HotdogEngine, clips: dict[str, Path]
) -> None:
    settings = Settings(
        host="0.0.0.0",  # as if serving a network: the API needs the token
        token="link-token",
        ice_host_addresses=["127.0.0.1"],
        ice_servers=["stun:127.0.0.1:3478", "turn:127.0.0.1:3478"],
        ice_username="user",
        ice_credential="pass",
    )
    live = LiveServer(create_app(settings, [engine]))
    b = browser(pw, clips["hotdog"])
    try:
        page = b.new_page()
        page.add_init_script(RECORD_PEER_CONNECTIONS)
        page.goto(live.url)  # without the link's token
        page.click("#start")
        page.wait_for_selector("#message:not([hidden])")
        assert "access" in page.inner_text("#message")
        page.goto(f"{live.url}/#token=link-token")  # pasted into the open tab
        page.wait_for_function("!location.hash")  # the token leaves the address bar
        page.click("#start")
        wait_for_verdict(page, "Hotdog!")
        servers = page.evaluate("window.__pcs.at(-1).getConfiguration().iceServers")
        urls = [
            u for s in servers for u in ([s["urls"]] if isinstance(s["urls"], str) else s["urls"])
        ]
        assert urls == ["stun:127.0.0.1:3478", "turn:127.0.0.1:3478"]
        turn = next(s for s in servers if "turn:127.0.0.1:3478" in str(s["urls"]))
        assert (turn["username"], turn["credential"]) == ("user", "pass")
        page.click("#stop")
    finally:
        b.close()
        live.stop()


def test_api_docs_render_offline_under_the_csp(pw: Any, server: LiveServer) -> None:
    b = browser(pw, None)
    try:
        page = b.new_page()
        violations: list[str] = []
        page.on(
            "console", lambda m: violations.append(m.text) if "Content Security" in m.text else None
        )
        page.goto(f"{server.url}/docs")
        page.wait_for_selector("[data-path='/v1/detect']", timeout=20_000)
        assert violations == []
        shot(page, "docs")
    finally:
        b.close()


def test_an_ice_failure_is_explained_by_what_was_gathered(pw: Any, server: LiveServer) -> None:
    b = browser(pw, None)
    try:
        page = b.new_page()
        page.goto(server.url)
        explain = """([types, servers]) => import('/static/connectivity.js')
            .then(m => m.explainIceFailure(new Set(types), servers))"""
        local_only = page.evaluate(explain, [["host"], []])
        assert "local addresses only" in local_only and "SEEFOOD_ICE_SERVERS" in local_only
        stun = page.evaluate(explain, [["host", "srflx"], [{"urls": "stun:s.example"}]])
        assert "even with STUN" in stun and "TURN relay" in stun
        turn = [{"urls": ["turn:t.example"], "username": "u", "credential": "p"}]
        assert "credentials" in page.evaluate(explain, [["host"], turn])
        assert "even through the TURN relay" in page.evaluate(explain, [["host", "relay"], turn])
    finally:
        b.close()


# Samples what the page shows: for each picture on screen, the clip frame it is (its index,
# read back from the bits in its corner) and the hot-dog box drawn over it then. Aligned
# view: each frame the page draws on its canvas (it marks the overlay as it does); live
# view: each frame the <video> presents.
SAMPLE_FRAMES = """
window.__samples = [];
window.__sampling = false;
document.addEventListener("DOMContentLoaded", () => {
  const probe = document.createElement("canvas");
  probe.width = 640;
  probe.height = 480;
  const ctx = probe.getContext("2d", { willReadFrequently: true });
  const overlay = document.getElementById("overlay");
  const index = (source) => {
    ctx.drawImage(source, 0, 0, 640, 480);
    let n = 0;
    for (let bit = 0; bit < %(bits)d; bit++) {
      const x = 8 + bit * %(pitch)d + 4, y = %(y)d + 4;
      const d = ctx.getImageData(x, y, 8, 8).data;
      let sum = 0;
      for (let i = 0; i < d.length; i += 4) sum += d[i + 1];
      if (sum / (d.length / 4) > 128) n |= 1 << bit;
    }
    return n;
  };
  const record = (source) => {
    const r = overlay.querySelector("rect.box.hotdog");
    window.__samples.push({
      view: document.body.dataset.view, age: overlay.dataset.age ?? null,
      shown: overlay.dataset.shown ?? null, frame: overlay.dataset.frame ?? null,
      index: index(source),
      box: r ? ["x", "y", "width", "height"].map((a) => +r.getAttribute(a)) : null,
    });
  };
  new MutationObserver(() => {
    if (window.__sampling && document.body.dataset.view === "aligned") {
      record(document.getElementById("aligned"));
    }
  }).observe(overlay, { attributes: true, attributeFilter: ["data-shown", "data-frame"] });
  const video = document.getElementById("video");
  const presented = () => {
    if (window.__sampling && document.body.dataset.view === "live") record(video);
    video.requestVideoFrameCallback(presented);
  };
  video.requestVideoFrameCallback(presented);
});
"""


def sample_view(page: Any, seconds: float) -> list[dict[str, Any]]:
    """What was on screen for `seconds`: one sample for each picture and box drawn."""
    page.evaluate("window.__samples = []; window.__sampling = true")
    time.sleep(seconds)
    samples: list[dict[str, Any]] = page.evaluate("window.__sampling = false; window.__samples")
    return [s for i, s in enumerate(samples) if i == 0 or s != samples[i - 1]]


def mean(values: list[float]) -> float:
    return sum(values) / len(values)


def sample_aligned(page: Any) -> tuple[str, list[dict[str, Any]]]:
    """The aligned view's samples (at least 10 of boxes on their own frame where the machine
    allows), and how the view came to be aligned: by default, or chosen on a loaded machine
    where the page rightly stays live."""
    how = "by default"
    try:
        page.wait_for_function("() => document.body.dataset.view === 'aligned'", timeout=10_000)
    except PlaywrightTimeout:
        assert float(page.get_attribute("body", "data-round-trip") or 0) > 250
        how = "chosen"
    # Then chosen, which holds: on a busy machine the round trip may pass 300 ms in the
    # middle of the samples, and the page on its own (rightly) goes back to live. Aligned
    # by default is checked already: choosing it takes a change.
    if how == "by default":
        page.check("#view-live")
    page.check("#view-aligned")
    page.wait_for_function("() => document.body.dataset.view === 'aligned'")
    assert page.is_checked("#view-aligned")
    aligned = sample_view(page, 6.0)
    for _ in range(3):  # a loaded machine gives fewer results: look a little longer
        if sum(s["box"] is not None and s["age"] == "0" for s in aligned) >= 10:
            break
        aligned += sample_view(page, 4.0)
    return how, aligned


def test_aligned_view_draws_each_box_on_its_own_frame(
    pw: Any, server: LiveServer, engine: HotdogEngine, tmp_path: Path
) -> None:
    """A hot dog crossing the picture at 360 px/s. Aligned view (the default on loopback):
    the picture waits for its boxes, and each result is drawn on the very frame it came
    from, on the hot dog; live view: the boxes trail it by the round trip."""
    clip = panning_video(tmp_path / "panning.y4m")
    photo = pan_photo()
    still: dict[int, list[float]] = {}

    def iou_on_screen(sample: dict[str, Any]) -> float:
        """The drawn box against the still-image result for the clip frame on screen."""
        index = sample["index"]
        if index not in still:
            [result] = engine.detect_batch([pan_frame(photo, index)])
            [hotdog] = [d for d in result.detections if d.hotdog]
            still[index] = list(hotdog.box)
        return iou(sample["box"], still[index])

    sampler = SAMPLE_FRAMES % {"bits": CODE_BITS, "pitch": CODE_BLOCK + 8, "y": CODE_Y}
    with live_page(pw, server, clip, "Hotdog!", sampler) as page:
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.wait_for_function("() => document.body.dataset.roundTrip", timeout=20_000)
        how, aligned = sample_aligned(page)
        delay = page.inner_text("#stat-delay")
        round_trip = page.get_attribute("body", "data-round-trip")
        assert delay.endswith(" ms")
        assert float(page.get_attribute("#aligned", "data-kept-ms") or 0) <= 1000
        shot(page, "live-aligned")
        page.check("#view-live")
        page.wait_for_function("() => document.body.dataset.view === 'live'")
        assert page.is_hidden("#aligned")
        live = sample_view(page, 6.0)
        assert page.inner_text("#stat-delay") == "none (live)"
        page.click("#stop")
        assert errors == []
    own_frame = [s for s in aligned if s["box"] and s["age"] == "0"]
    assert all(s["shown"] == s["frame"] for s in own_frame), "the RTP timestamps agree"
    own = [iou_on_screen(s) for s in own_frame]
    held = [iou_on_screen(s) for s in aligned if s["box"] and s["age"] != "0"]
    trailing = [iou_on_screen(s) for s in live if s["box"]]
    print(
        f"\naligned ({how}; round trip {round_trip} ms, delay {delay}),"
        f" own frame: mean IoU {mean(own):.3f} over {len(own)} frames;"
        f" held from an earlier frame: {mean(held):.3f} over {len(held)};"
        f" live: {mean(trailing):.3f} over {len(trailing)}"
    )
    assert len(own) >= 10 and len(trailing) >= 10, (len(own), len(trailing))
    assert sum(v >= 0.8 for v in own) >= 0.9 * len(own), sorted(own)[:10]
    assert mean(trailing) < 0.85, "the live view's boxes trail a moving hot dog"
    assert mean(own) > mean(trailing) + 0.1
