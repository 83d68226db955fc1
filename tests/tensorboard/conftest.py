"""Shared helpers for the TensorBoard tests: read event files back with TensorBoard itself."""
import glob
import os

import pytest

pytest.importorskip("tensorboard")


def _accumulate(path):
    """TensorBoard's own EventAccumulator over a run directory or one event file, loaded."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    keep_all = {"scalars": 0, "histograms": 0, "images": 0, "compressedHistograms": 0,
                "tensors": 0}
    accumulator = EventAccumulator(str(path), size_guidance=keep_all)
    accumulator.Reload()
    return accumulator


@pytest.fixture
def accumulate():
    return _accumulate


@pytest.fixture
def event_files():
    """The event files in a directory, sorted by name."""
    def find(logdir):
        return sorted(glob.glob(os.path.join(str(logdir), "events.out.tfevents.*")))
    return find
