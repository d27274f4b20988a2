"""seefood: hotdog or not hotdog, from a hot-dog classifier beside a COCO object detector."""

from seefood.detection.detector import Detector
from seefood.detection.hotdog import HotdogDetector
from seefood.detection.result import Detection, DetectionResult
from seefood.detection.settings import EngineSettings, build_engine
from seefood.detection.verdict import Source
from seefood.stills.images import ImageError, decode_image, load_image

__all__ = [
    "Detection",
    "DetectionResult",
    "Detector",
    "EngineSettings",
    "HotdogDetector",
    "ImageError",
    "Source",
    "build_engine",
    "decode_image",
    "load_image",
]
__version__ = "0.2.0"
