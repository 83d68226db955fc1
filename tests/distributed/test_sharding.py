"""Sharding: every process takes its part of each global batch of one shared order."""
import numpy as np
import pytest

from passos.distributed import batches


@pytest.mark.parametrize("count, batch_size, size", [(53, 8, 2), (100, 7, 4), (9, 4, 3),
                                                     (17, 4, 4), (5, 1, 5)])
def test_an_epoch_is_the_whole_data_set_once_in_the_same_number_of_steps(count, batch_size, size):
    order = np.random.default_rng(0).permutation(count)
    shards = [batches(order, batch_size, rank=r, size=size) for r in range(size)]
    assert len({len(s) for s in shards}) == 1  # every process makes the same number of steps
    taken = np.concatenate([rows for shard in shards for rows, _ in shard])
    assert sorted(taken) == list(range(count))
    for step in zip(*shards):
        assert all(len(rows) > 0 for rows, _ in step)
        assert sum(share for _, share in step) == pytest.approx(size)  # weights average to 1


def test_the_global_batches_are_those_of_one_process_with_size_times_the_batch():
    order = np.random.default_rng(1).permutation(53)
    shards = [batches(order, 8, rank=r, size=2) for r in range(2)]
    joined = [np.concatenate([a, b]) for (a, _), (b, _) in zip(*shards)]
    expected = [order[i:i + 16] for i in range(0, 53, 16)]
    assert [list(j) for j in joined] == [list(e) for e in expected]


def test_a_tail_smaller_than_the_process_count_joins_the_batch_before():
    shards = [batches(np.arange(33), 4, rank=r, size=4) for r in range(4)]
    assert [len(rows) for rows, _ in shards[0]] == [4, 5]
    assert [len(rows) for rows, _ in shards[3]] == [4, 4]


def test_fewer_samples_than_processes_is_refused():
    with pytest.raises(ValueError, match=r"^passos.distributed: 3 samples cannot be shared by 4 "
                                         r"processes \(each needs at least one per step\)"):
        batches(np.arange(3), 2, rank=0, size=4)
