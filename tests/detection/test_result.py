from seefood.detection.result import Detection, DetectionResult, Timings


def test_verdict_follows_the_threshold() -> None:
    assert DetectionResult(10, 10, [], hotdog_score=0.3, threshold=0.3).verdict == "hotdog"
    assert DetectionResult(10, 10, [], hotdog_score=0.3, threshold=0.31).verdict == "not_hotdog"


def test_json_form() -> None:
    det = Detection(52, "hot dog", 0.876543, (1.234, 2.0, 30.06, 40.0), hotdog=True)
    timings = Timings(decode=1.0, queued=2.0, preprocess=0.5, inference=12.3456, postprocess=0.25)
    result = DetectionResult(640, 480, [det], 0.876543, 0.25, timings)
    assert result.to_dict() == {
        "width": 640,
        "height": 480,
        "verdict": "hotdog",
        "hotdog_score": 0.8765,
        "detections": [
            {
                "class_id": 52,
                "class_name": "hot dog",
                "score": 0.8765,
                "box": [1.2, 2.0, 30.1, 40.0],
                "box_norm": [0.00193, 0.00417, 0.04697, 0.08333],
                "hotdog": True,
            }
        ],
        "scores": {},
        "timings_ms": {
            "decode": 1.0,
            "queued": 2.0,
            "preprocess": 0.5,
            "inference": 12.35,
            "postprocess": 0.25,
            "total": 16.1,
        },
    }


def test_rescaled_scales_boxes_and_size() -> None:
    det = Detection(52, "hot dog", 0.9, (10.0, 20.0, 30.0, 40.0), hotdog=True)
    small = DetectionResult(100, 50, [det], 0.9, 0.25, Timings(inference=1.0))
    big = small.rescaled(400, 100)
    assert (big.width, big.height) == (400, 100)
    assert big.detections[0].box == (40.0, 40.0, 120.0, 80.0) and big.detections[0].hotdog
    assert big.verdict == small.verdict and big.timings == small.timings
    assert small.rescaled(100, 50) is small
