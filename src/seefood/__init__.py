"""seefood: hotdog or not hotdog, with a COCO object detector."""

from seefood.detection.detector import Detector
from seefood.detection.result import Detection, DetectionResult
from seefood.stills.images import ImageError, decode_image, load_image

__all__ = ["Detection", "DetectionResult", "Detector", "ImageError", "decode_image", "load_image"]
__version__ = "0.1.0"
