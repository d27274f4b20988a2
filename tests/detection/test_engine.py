"""What a daemon runs: the real engines and the suite's stand-ins keep one contract."""

from seefood.detection.detector import Detector
from seefood.detection.engine import Engine
from seefood.detection.hotdog import HotdogEngine
from tests.conftest import noise_image
from tests.engines import FixedTimeEngine


def _check(engine: Engine) -> None:
    """One result per image, each the size it was asked about, and what it runs, named."""
    images = [noise_image(640, 480), noise_image(640, 480, seed=1)]
    results = engine.detect_batch(images, [None, None])
    assert len(results) == 2
    assert all((r.width, r.height) == (640, 480) for r in results), [r.width for r in results]
    width, height = engine.input_size
    assert width > 0 and height > 0
    assert engine.describe()


def test_the_engine_the_detector_and_the_stand_in_keep_the_contract(
    engine: HotdogEngine, detector: Detector
) -> None:
    for each in (engine, detector, FixedTimeEngine(0.001)):
        _check(each)
