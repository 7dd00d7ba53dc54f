import asyncio
import random

from bot.sequencer import Sequencer


async def test_each_key_runs_in_order_and_keys_run_side_by_side() -> None:
    sequencer = Sequencer()
    done: dict[str, list[int]] = {}
    running: set[str] = set()
    overlap = {"same_key": False, "other_keys": 0}

    def job(key: str, number: int):  # type: ignore[no-untyped-def]
        async def run() -> None:
            if key in running:
                overlap["same_key"] = True
            running.add(key)
            overlap["other_keys"] = max(overlap["other_keys"], len(running))
            await asyncio.sleep(random.uniform(0, 0.003))
            running.discard(key)
            done.setdefault(key, []).append(number)

        return run

    for number in range(30):
        for key in ("an", "binh", "chi"):
            sequencer.submit(key, job(key, number))
    await sequencer.join()
    assert done == {key: list(range(30)) for key in ("an", "binh", "chi")}
    assert not overlap["same_key"]
    assert overlap["other_keys"] == 3
    assert sequencer.busy == 0


async def test_a_failing_job_does_not_stop_the_next_one() -> None:
    sequencer = Sequencer()
    results: list[str] = []

    async def broken() -> None:
        raise RuntimeError("boom")

    async def fine() -> None:
        results.append("ran")

    sequencer.submit("an", broken)
    sequencer.submit("an", fine)
    await sequencer.join()
    assert results == ["ran"]
