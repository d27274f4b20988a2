from seefood.detection.coco import COCO_CLASSES, HOTDOG_CLASS_ID


def test_eighty_distinct_classes_with_hot_dog_at_52() -> None:
    assert len(COCO_CLASSES) == len(set(COCO_CLASSES)) == 80
    assert HOTDOG_CLASS_ID == 52
    assert COCO_CLASSES[0] == "person" and COCO_CLASSES[-1] == "toothbrush"
