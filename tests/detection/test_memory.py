"""A live stream's memory of the classifier's looks at its food boxes."""

import pytest

from seefood.detection.memory import MAX_AGE, CropMemory


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
