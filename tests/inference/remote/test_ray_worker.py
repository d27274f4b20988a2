"""The Ray side of a remote worker, without a cluster: what goes over the wire, and what a
lost call is said as. The actor on real nodes is tests/inference/remote/test_reconciler.py's."""

from ray.exceptions import RayActorError

from seefood.detection.memory import CropMemory
from seefood.inference.remote.ray_worker import LOST, _encode, _first_line
from seefood.inference.remote.wire import WorkRequest, decode_jpeg
from seefood.inference.requests import ArrayFrame
from tests.conftest import noise_image
from tests.inference.test_daemon import CorruptFrame


def test_frames_go_as_jpegs_with_their_memory_and_a_corrupt_one_fails_alone() -> None:
    memory = CropMemory()
    good = ArrayFrame(noise_image(64, 48), arrived=0.0, memory=memory)
    [request, failed] = _encode([good, CorruptFrame()])
    assert isinstance(request, WorkRequest) and request.memory is memory
    assert decode_jpeg(request.jpeg).shape == (48, 64, 3)
    assert isinstance(failed, ValueError)


def test_a_lost_worker_is_said_in_one_line_naming_the_kind() -> None:
    assert RayActorError in LOST
    said = _first_line(RuntimeError("the actor died\nTraceback (most recent call last): ..."))
    assert said == "RuntimeError: the actor died"
    assert _first_line(TimeoutError()) == "TimeoutError: "
