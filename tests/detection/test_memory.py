"""A live stream's memory of the classifier's looks at its food boxes."""

import pytest

from seefood.detection.memory import MAX_AGE, MAX_SECONDS, CropMemory


def test_a_box_in_nearly_the_same_place_is_recalled_until_it_is_old() -> None:
    memory = CropMemory()
    memory.next_frame()
    memory.remember((10, 10, 50, 50), (0.8, 0.9))
    memory.next_frame()
    assert memory.recall((12, 11, 52, 50)) == (0.8, 0.9), "moved a little: the same thing"
    assert memory.recall((60, 60, 90, 90)) is None, "elsewhere: not seen"
    for _ in range(MAX_AGE):
        memory.next_frame()
    assert memory.recall((10, 10, 50, 50)) is None, "too old to trust"


def test_a_place_recalls_the_mean_of_its_recent_looks() -> None:
    """One odd look (a blocky frame) must not speak for the place alone."""
    memory = CropMemory()
    memory.next_frame()
    memory.remember((10, 10, 50, 50), (0.1, 0.9))
    memory.next_frame()
    memory.remember((11, 10, 51, 50), (0.7, 0.5))
    assert len(memory) == 1, "the same place, moved a little"
    recalled = memory.recall((10, 10, 50, 50))
    assert recalled is not None
    assert recalled == pytest.approx((0.4, 0.7))
    for _ in range(MAX_AGE):
        memory.next_frame()
    assert memory.recall((11, 10, 51, 50)) == (0.7, 0.5), "the first look grew too old"


def test_a_look_grows_old_with_the_streams_time_not_only_its_model_frames() -> None:
    """While unchanged frames are answered without the models, few model frames pass: a
    look a second old is not recalled, however few frames ago the models took it."""
    memory = CropMemory()
    memory.at = 10.0
    memory.next_frame()
    memory.remember((10, 10, 50, 50), (0.1, 0.9))  # a draft of the first frame after a cut
    memory.at = 10.0 + MAX_SECONDS / 2
    memory.next_frame()
    assert memory.recall((10, 10, 50, 50)) == (0.1, 0.9), "a moment later: recalled"
    memory.at = 10.0 + MAX_SECONDS + 0.1
    memory.next_frame()
    assert memory.recall((10, 10, 50, 50)) is None, "two model frames, but too long ago"


def test_a_copy_updated_elsewhere_is_adopted() -> None:
    """A remote worker gets a pickled copy of the stream's memory and sends it back."""
    import pickle

    memory = CropMemory()
    memory.next_frame()
    memory.remember((10, 10, 50, 50), (0.8, 0.9))
    copy = pickle.loads(pickle.dumps(memory))
    copy.next_frame()
    copy.remember((60, 60, 90, 90), (0.1, 0.2))
    memory.adopt(copy)
    assert len(memory) == 2 and memory.recall((60, 60, 90, 90)) == (0.1, 0.2)
    assert memory.age((10, 10, 50, 50)) == 1


def _settled_memory() -> CropMemory:
    memory = CropMemory()
    memory.next_frame()
    memory.remember_frame((0.6, 0.9))
    memory.remember((10, 10, 50, 50), (0.8, 0.9))
    memory.settled = True
    return memory


def test_a_settled_stream_glances_until_its_whole_frame_look_is_old() -> None:
    from seefood.detection.memory import GLANCE_FRAMES

    memory = _settled_memory()
    for _ in range(GLANCE_FRAMES):
        memory.next_frame()
        assert memory.glance([(10, 10, 50, 50)]) == ((0.6, 0.9), [(0.8, 0.9)])
    memory.next_frame()
    assert memory.glance([(10, 10, 50, 50)]) is None, "time for a look"
    memory.settled = False
    memory.remember_frame((0.6, 0.9))
    assert memory.glance([(10, 10, 50, 50)]) is None, "an undecided stream always looks"


def test_a_glance_follows_a_moving_box_and_names_a_new_one() -> None:
    memory = _settled_memory()
    for step in range(1, 4):  # 8 px a frame: overlap with the first box is 0.25 by the third
        memory.next_frame()
        box = (10 + 8 * step, 10, 50 + 8 * step, 50)
        assert memory.glance([box]) == ((0.6, 0.9), [(0.8, 0.9)])
    memory.next_frame()
    assert memory.glance([(34, 10, 74, 50), (100, 100, 140, 140)]) == (
        (0.6, 0.9),
        [(0.8, 0.9), None],
    ), "a box never seen is named, for the engine to decide"


def test_a_place_looked_at_lately_that_left_the_view_ends_the_glance() -> None:
    memory = _settled_memory()
    memory.next_frame()
    assert memory.glance([]) is None, "the box looked at last frame is gone"
    assert memory.glance([(200, 200, 240, 240)]) is None


def test_an_adopted_copy_keeps_the_whole_frame_look_and_the_glance() -> None:
    import pickle

    memory = _settled_memory()
    copy = pickle.loads(pickle.dumps(memory))
    copy.next_frame()
    copy.glanced = copy.glance([(10, 10, 50, 50)]) is not None
    memory.adopt(copy)
    assert memory.glanced
    memory.next_frame()
    assert memory.glance([(10, 10, 50, 50)]) is not None
