from seefood.inference.metrics import Metrics


def test_metrics_live_in_their_own_registry() -> None:
    a, b = Metrics(), Metrics()  # two apps in one process must not clash
    a.drops.labels("codel").inc()
    assert a.registry.get_sample_value("seefood_drops_total", {"reason": "codel"}) == 1
    assert b.registry.get_sample_value("seefood_drops_total", {"reason": "codel"}) == 0


def test_queue_gauge_and_forgetting_a_stream() -> None:
    m = Metrics()
    m.watch_queue(lambda: 3)
    assert m.registry.get_sample_value("seefood_broker_queue_length") == 3
    m.frames_in.labels("1").inc()
    m.forget_stream(1)
    m.forget_stream(7)  # never seen
    assert m.registry.get_sample_value("seefood_stream_frames_in_total", {"slot": "1"}) is None


def test_outcomes_record_sojourn_and_drops() -> None:
    from seefood.inference.broker import Drop, Served

    m = Metrics()
    m.observe_outcome(Served("boxes", 0.004))
    m.observe_outcome(Drop(0.2))
    reg = m.registry
    assert reg.get_sample_value("seefood_broker_sojourn_seconds_count", {"outcome": "served"}) == 1
    assert reg.get_sample_value("seefood_broker_sojourn_seconds_count", {"outcome": "dropped"}) == 1
    assert reg.get_sample_value("seefood_drops_total", {"reason": "codel"}) == 1
