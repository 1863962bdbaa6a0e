"""The written-down step contract (gps_ingest.steps) is the one the standard pipeline keeps."""

import inspect

from gps_ingest import InMemoryPositionStore, InMemoryPublisher, build_pipeline
from gps_ingest.steps import BufferStep


def _pipeline(resolver, zone_index):
    return build_pipeline(resolver=resolver, store=InMemoryPositionStore(), publisher=InMemoryPublisher(),
                          zones=zone_index)


def test_the_standard_pipeline_is_decode_then_one_method_steps(resolver, zone_index):
    """After the decode step, each step is a one-fix callable or a buffer (hold/release), in the documented order."""
    steps = _pipeline(resolver, zone_index).steps
    names = [type(step).__name__ for step in steps]
    assert names == ["DecodeStep", "ValidateStep", "FilterStep", "OrderStep", "EnrichStep", "StoreStep",
                     "DetectStep", "PublishStep"]
    for step in steps[1:]:
        if isinstance(step, BufferStep):
            assert list(inspect.signature(step.release).parameters) == ["drain"]
        else:
            assert list(inspect.signature(step.__call__).parameters) == ["p"]


def test_exactly_one_buffer_commits_and_it_is_the_store(resolver, zone_index):
    """The store is the commit point of the acknowledgement contract; the order buffer is not."""
    steps = _pipeline(resolver, zone_index).steps
    buffers = [type(s).__name__ for s in steps if isinstance(s, BufferStep)]
    committing = [type(s).__name__ for s in steps if getattr(s, "commits", False)]
    assert buffers == ["OrderStep", "StoreStep"] and committing == ["StoreStep"]
