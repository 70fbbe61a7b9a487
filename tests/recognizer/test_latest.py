import threading
import time

from recognizer.latest import LatestWinsWorker


def test_at_most_one_pending_and_the_newest_wins():
    gate = threading.Event()
    ran, pending_seen = [], []

    def slow(job):
        gate.wait(5)
        return job

    worker = LatestWinsWorker(slow, ran.append)
    worker.submit(0)
    time.sleep(0.05)  # job 0 is running and blocked
    for job in range(1, 20):
        worker.submit(job)
        pending_seen.append(worker.pending)
    gate.set()
    assert worker.wait_idle(5)
    worker.stop()
    assert max(pending_seen) == 1
    assert ran == [0, 19], "the waiting jobs were replaced by the newest"
    assert worker.dropped == 18


def test_errors_are_reported_and_the_worker_goes_on():
    errors, results = [], []

    def flaky(job):
        if job == "bad":
            raise RuntimeError("boom")
        return job

    worker = LatestWinsWorker(flaky, results.append, errors.append)
    worker.submit("bad")
    worker.wait_idle(5)
    worker.submit("good")
    worker.wait_idle(5)
    worker.stop()
    assert [str(e) for e in errors] == ["boom"] and results == ["good"]
