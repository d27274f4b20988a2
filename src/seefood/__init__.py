"""seefood: hotdog or not hotdog, from a hot-dog classifier beside a COCO object detector."""

from seefood.detection.detector import Detector
from seefood.detection.hotdog import HotdogEngine
from seefood.detection.result import Detection, DetectionResult
from seefood.detection.settings import EngineSettings, build_engine
from seefood.detection.verdict import VerdictSource
from seefood.stills.images import ImageError, decode_image, load_image

__all__ = [
    "Detection",
    "DetectionResult",
    "Detector",
    "EngineSettings",
    "HotdogEngine",
    "ImageError",
    "VerdictSource",
    "build_engine",
    "decode_image",
    "load_image",
]
__version__ = "0.3.0"
