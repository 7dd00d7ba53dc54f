"""Group commit (bot/batches.py): what arrives while a batch is written goes in the next one,
together; results and errors reach each item's own caller."""

import asyncio

import pytest

from bot.batches import Batch


class Recorder:
    def __init__(self, fail: int = 0) -> None:
        self.batches: list[list[int]] = []
        self.gate = asyncio.Event()
        self.gate.set()
        self.fail = fail  # the next `fail` flushes raise

    async def flush(self, items: list[int]) -> list[int | BaseException]:
        self.batches.append(list(items))
        await self.gate.wait()
        if self.fail:
            self.fail -= 1
            raise ConnectionError("database away")
        return [item if item >= 0 else ValueError(f"bad {item}") for item in items]


async def test_items_arriving_during_a_write_form_the_next_batch() -> None:
    recorder = Recorder()
    batch: Batch[int, int] = Batch(recorder.flush, "write", retry=False)
    batch.start()
    recorder.gate.clear()
    first = batch.add(1)
    await asyncio.sleep(0)  # the first batch is being written
    rest = [batch.add(n) for n in (2, 3, 4)]
    recorder.gate.set()
    assert await asyncio.gather(first, *rest) == [1, 2, 3, 4]
    assert recorder.batches == [[1], [2, 3, 4]]
    await batch.stop(1.0)


async def test_each_caller_gets_its_own_result_or_error() -> None:
    recorder = Recorder()
    batch: Batch[int, int] = Batch(recorder.flush, "write", retry=False)
    batch.start()
    good, bad = batch.add(5), batch.add(-1)
    assert await good == 5
    with pytest.raises(ValueError, match="bad -1"):
        await bad
    await batch.stop(1.0)


async def test_without_retry_a_failed_batch_fails_every_caller() -> None:
    recorder = Recorder(fail=1)
    batch: Batch[int, int] = Batch(recorder.flush, "write", retry=False)
    batch.start()
    futures = [batch.add(1), batch.add(2)]
    results = await asyncio.gather(*futures, return_exceptions=True)
    assert all(isinstance(result, ConnectionError) for result in results)
    assert await batch.add(3) == 3  # the next batch is written as usual
    await batch.stop(1.0)


async def test_with_retry_a_failed_batch_is_written_later() -> None:
    recorder = Recorder(fail=2)
    batch: Batch[int, int] = Batch(recorder.flush, "write", retry=True)
    batch.start()
    assert await batch.add(7) == 7
    assert recorder.batches == [[7], [7], [7]]
    await batch.join()
    await batch.stop(1.0)
