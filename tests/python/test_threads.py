"""Python threads building graphs and calling backward() at the same time.

All threads share the default arena; the GIL serialises every call into the core,
but threads switch between those calls, so graphs from different threads interleave
in the arena (their nodes share slots freed by each other). The results must be
bit-for-bit those of the same work done serially, and nothing may crash or leak.
"""

from __future__ import annotations

import gc
import sys
import threading

import arenagrad
import pytest
from arenagrad import Value
from fuzz_dags import RandomChooser, generate, output

THREADS = 6
JOBS_PER_THREAD = 150


def job(seed: int) -> tuple:
    """One graph: build it, backward twice (leaves accumulate), drop half of it."""
    graph = generate(RandomChooser(seed))
    leaves = [Value(x) for x in graph.leaves]
    root = output(graph, leaves)
    root.backward()
    first = [leaf.grad for leaf in leaves]
    root.backward()
    return root.data, first, [leaf.grad for leaf in leaves]


def seeds_of(thread: int) -> range:
    return range(thread * 10_000, thread * 10_000 + JOBS_PER_THREAD)


@pytest.fixture(name="fast_switching")
def fixture_fast_switching():
    # Switch threads as often as possible, to interleave as many ops as we can.
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(previous)


def test_concurrent_graphs_match_serial_results(fast_switching: None) -> None:
    serial = {t: [job(s) for s in seeds_of(t)] for t in range(THREADS)}
    gc.collect()
    live_before = arenagrad.arena_stats()["live"]

    concurrent: dict[int, list] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def worker(t: int) -> None:
        try:
            start.wait()
            concurrent[t] = [job(s) for s in seeds_of(t)]
        except BaseException as error:  # reported below, not lost in the thread
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors, errors
    # Exact comparison: same floats, same order of accumulation, whatever slots.
    assert concurrent == serial
    gc.collect()
    assert arenagrad.arena_stats()["live"] == live_before


def test_threads_sharing_parameters_accumulate_every_contribution(
    fast_switching: None,
) -> None:
    """Threads differentiate their own losses over one shared leaf; the leaf's grad
    is the sum of all contributions (each an exact small integer, so any order of
    accumulation gives the same float)."""
    w = Value(3.0)
    passes = 200

    def worker(t: int) -> None:
        x = Value(float(t + 1))
        for _ in range(passes):
            (w * x).backward()  # d/dw = t + 1

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert w.grad == passes * sum(t + 1 for t in range(THREADS))
