"""kernels.windows: padding (fresh and in reused buffers), window views, chunks, scratch buffers."""
import threading

import numpy as np

from passos.kernels import windows as win


def test_pad_spatial_matches_np_pad_fresh_and_in_a_reused_buffer():
    x = np.arange(24.0).reshape(2, 3, 2, 2)
    pads = ((1, 2), (0, 1))
    expected = np.pad(x, ((0, 0), *pads, (0, 0)), constant_values=-5)
    np.testing.assert_array_equal(win.pad_spatial(x, pads, -5), expected)
    for _ in range(2):  # the second call reuses the buffer, borders kept
        np.testing.assert_array_equal(win.pad_spatial(x, pads, -5, slot="t"), expected)
    small = win.pad_spatial(x[:1], pads, -5, slot="t")  # a shorter batch: a prefix of the buffer
    np.testing.assert_array_equal(small, expected[:1])
    assert win.pad_spatial(x, ((0, 0), (0, 0))) is x


def test_windows_view_every_window_with_strides_and_dilation():
    x = np.arange(7.0).reshape(1, 7, 1)
    view = win.windows(x, (2,), (2,), (3,), (2,))  # windows at 0 and 2, cells 3 apart
    np.testing.assert_array_equal(view[0, :, :, 0], [[0, 3], [2, 5]])
    assert not view.flags.writeable


def test_offsets_pick_one_cell_of_every_window():
    x = np.arange(16.0).reshape(1, 4, 4, 1)
    cells = list(win.offsets((2, 2), (2, 2), (1, 1), (2, 2)))
    assert [t for t, _ in cells] == [0, 1, 2, 3]
    np.testing.assert_array_equal(x[cells[3][1]][0, :, :, 0], [[5, 7], [13, 15]])


def test_batches_cover_the_batch_within_the_budget():
    assert win.batches(5, 3, budget=6) == [(0, 2), (2, 4), (4, 5)]
    assert win.batches(3, 100, budget=1) == [(0, 1), (1, 2), (2, 3)]  # one item at least
    assert win.batches(0, 8) == []


def test_scratch_reuses_one_buffer_per_slot_and_thread():
    a = win.scratch("test_slot", (4, 4), np.float32)
    b = win.scratch("test_slot", (2, 8), np.float32)
    assert np.shares_memory(a, b) and b.shape == (2, 8)
    other = []
    t = threading.Thread(target=lambda: other.append(win.scratch("test_slot", (4, 4), np.float32)))
    t.start()
    t.join()
    assert not np.shares_memory(a, other[0])  # each thread has its own
    big = win.scratch("test_slot", (2 * win.CHUNK_BYTES + 1,), np.uint8)  # too large to keep
    assert not np.shares_memory(big, win.scratch("test_slot", big.shape, np.uint8))


def test_channels_first_views_share_memory():
    x = np.zeros((2, 3, 4, 5))
    view = win.channels_last(x, "channels_first")
    assert view.shape == (2, 4, 5, 3) and np.shares_memory(view, x)
    assert win.from_channels_last(view, "channels_first").shape == x.shape
