"""seefood: hotdog or not hotdog, with a COCO object detector."""

from seefood.detector import Detector
from seefood.images import ImageError, decode_image, load_image
from seefood.result import Detection, DetectionResult

__all__ = ["Detection", "DetectionResult", "Detector", "ImageError", "decode_image", "load_image"]
__version__ = "0.1.0"
