"""Checking many files: on every core, in the order they were given.

Workers are separate processes, each with its own project index loaded from the on-disk
cache that the parent wrote; results come back as plain data (``FileResult``) in the
order the files were submitted, so output never depends on scheduling.

No worker outlives its run: an editor or a pre-commit setup that kills ormlint, even with
``kill -9``, would otherwise pile up orphaned workers. Each worker dies with its parent,
and an interrupted run (Ctrl-C) ends its workers before it exits.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import threading
import traceback
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Callable, Dict, Iterator, List, Optional, Sequence

from ormlint.config import Config
from ormlint.diagnostics import file_error, internal_error
from ormlint.project import Project
from ormlint.results import FileResult
from ormlint.source import SourceFile

#: Below this many files, starting processes costs more than it saves.
PARALLEL_THRESHOLD = 24

_project: Optional[Project] = None


#: Linux's ``prctl`` option that signals a process when its parent dies.
_PR_SET_PDEATHSIG = 1


class Workers:
    """The processes of a run, started when first needed: readers, which read the
    project's files for its index, and checkers, started once the index is built. Where
    processes fork, checkers inherit the parent's index and build none of their own;
    elsewhere each loads it from the cache the parent wrote."""

    def __init__(self, project: Project, jobs: int) -> None:
        self.project = project
        self.jobs = jobs
        self._readers: Optional[ProcessPoolExecutor] = None
        self._checkers: Optional[ProcessPoolExecutor] = None

    def read(self, function: Callable, *items):
        if self._readers is None:
            self._readers = self._start(inherit=False)
        return submitted(self._readers, function, *items, chunksize=32)

    def checkers(self) -> ProcessPoolExecutor:
        if self._checkers is None:
            if self._readers is not None:  # idle now that the index is built
                self._readers.shutdown()
                self._readers = None
            global _inherited
            _inherited = self.project
            self._checkers = self._start(inherit=True)
        return self._checkers

    def _start(self, inherit: bool) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=self.jobs, initializer=_start_worker, initargs=(self.project.arguments(), inherit))

    def pools(self) -> List[ProcessPoolExecutor]:
        return [pool for pool in (self._readers, self._checkers) if pool is not None]


@contextmanager
def worker_pool(count: int, project: Project) -> Iterator[Optional[Workers]]:
    """Worker processes for ``count`` files, or ``None`` when one process is as fast.

    On leaving, the workers finish their work; when leaving by an exception (Ctrl-C is a
    ``KeyboardInterrupt``), the work not started is dropped and the workers are ended at
    once, instead of checking every file still queued before exiting.
    """
    global _inherited
    jobs = os.cpu_count() or 1
    if jobs < 2 or count < PARALLEL_THRESHOLD:
        yield None
        return
    workers = Workers(project, jobs)
    project.mapper = workers.read
    try:
        yield workers
    except BaseException:
        # Each pool's manager thread, which ``shutdown`` forgets: it is joined once the
        # workers are ended, since at exit Python wakes it through a pipe that it may
        # be closing just then ("Exception ignored ... Bad file descriptor" after Ctrl-C).
        managers = [getattr(pool, "_executor_manager_thread", None) for pool in workers.pools()]
        for pool in workers.pools():
            pool.shutdown(wait=False, cancel_futures=True)
        for worker in multiprocessing.active_children():
            worker.terminate()
            worker.join(timeout=5)
        for manager in managers:
            if manager is not None:
                manager.join(timeout=5)
        raise
    finally:
        project.mapper = map
        _inherited = None
    for pool in workers.pools():
        pool.shutdown()


def submitted(pool: ProcessPoolExecutor, function: Callable, *items, chunksize: int):
    """``pool.map(...)``, with Ctrl-C held back while it submits the work and so starts the
    workers: a worker inherits the blocked signal and ignores it before it lets it in,
    so a Ctrl-C that comes while a worker is starting up cannot interrupt it there (its
    traceback would be printed among the run's output). The parent gets the signal as
    soon as the work is submitted."""
    if not hasattr(signal, "pthread_sigmask"):
        return pool.map(function, *items, chunksize=chunksize)
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        return pool.map(function, *items, chunksize=chunksize)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def check_files(
    sources: Sequence[SourceFile],
    config: Config,
    project: Project,
    fixing: bool,
    workers: Optional[Workers] = None,
    progress: Optional[Callable[[int], None]] = None,
) -> List[FileResult]:
    """Check or fix every source, by ``workers`` if given; results in the order of ``sources``."""
    if workers is None or len(sources) < PARALLEL_THRESHOLD:
        results = []
        for source in sources:
            results.append(process(source, config, project, fixing))
            if progress:
                progress(1)
        return results
    for source in sources:  # build and cache each project's index in the parent, once
        project.index_for(source.path)
    results = []
    chunk = max(1, min(16, len(sources) // ((os.cpu_count() or 1) * 8)))
    pool = workers.checkers()
    for result in submitted(pool, _work, sources, [config] * len(sources), [fixing] * len(sources), chunksize=chunk):
        results.append(result)
        if progress:
            progress(1)
    return results


_arguments: Dict[str, object] = {}
#: The parent's project while it starts checkers: a forked checker finds it here, with
#: every index the parent built.
_inherited: Optional[Project] = None


def _start_worker(arguments: Dict[str, object], inherit: bool = False) -> None:
    """Remember how to build the project; it is built at the first file, after the parent
    has written the index cache, so a worker loads the index instead of rebuilding it. A
    checker forked from the parent takes the parent's project, indexes included.

    Ctrl-C reaches every process of the terminal's group: the parent alone handles it (and
    ends the workers), so the workers ignore it rather than each print a traceback."""
    global _arguments, _project
    _arguments, _project = arguments, _inherited if inherit else None
    if _project is not None:
        _project.mapper = map  # the parent's pool is not this process's to use
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # held back by ``submitted``
    _die_with_parent()


def _die_with_parent() -> None:
    """End this worker when the run that started it dies, however it dies.

    On Linux the kernel sends the signal (``prctl(PR_SET_PDEATHSIG)``); the run may have
    died just before that was asked, hence the look after it. Elsewhere a daemon thread
    waits on the run's sentinel, which multiprocessing makes ready when the run is gone.
    (With the ``forkserver`` start method the kernel's parent is the fork server, which
    itself ends with the run.)"""
    run = multiprocessing.parent_process()
    if run is None:
        return
    if sys.platform.startswith("linux") and _kill_at_parent_death():
        if not run.is_alive():
            os._exit(1)
        return

    def watch() -> None:
        multiprocessing.connection.wait([run.sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="ormlint-parent-watch", daemon=True).start()


def _kill_at_parent_death() -> bool:
    """Ask Linux to kill this process when its parent dies; whether it agreed. The C
    library is the interpreter's own (``CDLL(None)``): looking it up by name would run
    ``ldconfig`` in every worker."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _work(source: SourceFile, config: Config, fixing: bool) -> FileResult:
    global _project
    if _project is None:
        _project = Project(**_arguments)  # type: ignore[arg-type]
    return process(source, config, _project, fixing)


def process(source: SourceFile, config: Config, project: Project, fixing: bool) -> FileResult:
    """Check or fix one file. A bug of ormlint's on one file is reported on that file and
    the run goes on: the file is left as it was."""
    from ormlint.engine import check_source, fix_source  # libcst only when a file needs it

    try:
        if fixing:
            return fix_source(source, config, project, unsafe=config.unsafe_fixes)
        return check_source(source, config, project)
    except RecursionError:
        return FileResult(source.path, [file_error(source.path, "too deeply nested to check")])
    except Exception as error:  # noqa: BLE001 - isolate one file's failure from the run
        detail = f"in ormlint, file not checked: {type(error).__name__}: {error}"
        return FileResult(source.path, [internal_error(source.path, detail)], internal_errors=[traceback.format_exc()])
