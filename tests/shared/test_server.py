"""The server's micro-batcher on its own: which requests share a model call, and who gets what."""

import asyncio

from shared.errors import DataError
from shared.server import Batching, MicroBatcher


def run_requests(requests: list[list[str]], batching: Batching) -> tuple[list, list[list[str]]]:
    """Each request's result (or error) and the texts of each model call, the requests sent at once."""
    calls = []

    def predict(texts):
        calls.append(list(texts))
        if "bad" in texts:
            raise DataError("a bad text")
        return [text.upper() for text in texts]

    async def send():
        batcher = MicroBatcher(predict, batching, observe=lambda size: None)
        batcher.start()
        try:
            return await asyncio.gather(*(batcher.predict(r) for r in requests), return_exceptions=True)
        finally:
            await batcher.stop()

    return asyncio.run(send()), calls


def test_waiting_requests_share_a_call_while_they_fit_and_each_gets_its_own_results():
    requests = [["a", "b"], ["c"], ["d", "e"], ["f", "g", "h", "i", "j"], ["k"]]
    results, calls = run_requests(requests, Batching(max_batch=4, max_wait_ms=20))
    assert results == [[text.upper() for text in request] for request in requests]
    # d, e would make five: held for the next call; a request over the batch is a call of its own
    assert calls == [["a", "b", "c"], ["d", "e"], ["f", "g", "h", "i", "j"], ["k"]]


def test_max_batch_one_is_a_call_per_request():
    _, calls = run_requests([["a"], ["b"], ["c"]], Batching(max_batch=1, max_wait_ms=20))
    assert calls == [["a"], ["b"], ["c"]]


def test_a_request_that_fails_its_call_fails_alone():
    results, calls = run_requests([["x"], ["bad"], ["y"]], Batching(max_batch=8))
    assert results[0] == ["X"] and results[2] == ["Y"]
    assert isinstance(results[1], DataError)
    assert calls == [["x", "bad", "y"], ["x"], ["bad"], ["y"]]
