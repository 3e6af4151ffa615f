"""A command run as a user runs it, its output read while it runs: on a pipe, or on a
pseudo-terminal (so that it believes it is talking to a person: colours, a cleared screen).

Every wait has a deadline, so a command that hangs fails the test instead of the run.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Dict, List, Optional

#: Environment variables the tests set themselves when they mean to.
_COLOUR_VARIABLES = ("NO_COLOR", "FORCE_COLOR", "ORMLINT_OUTPUT_FILE")


class Session:
    def __init__(self, argv: List[str], cwd: Path, env: Optional[Dict[str, str]] = None, terminal: bool = False) -> None:
        environment = {k: v for k, v in os.environ.items() if k not in _COLOUR_VARIABLES}
        environment.update(env or {})
        self._chunks: List[str] = []
        self._lock = threading.Lock()
        # A test run started in the background may have SIGINT ignored, which a child
        # inherits; Ctrl-C must reach the command as it reaches one started from a shell.
        restore = lambda: signal.signal(signal.SIGINT, signal.SIG_DFL)  # noqa: E731
        if terminal:
            import pty

            controller, child = pty.openpty()
            self.process = subprocess.Popen(
                argv, cwd=cwd, env=environment, stdin=child, stdout=child, stderr=child, preexec_fn=restore
            )
            os.close(child)
            self._reader = threading.Thread(target=self._read_terminal, args=(controller,), daemon=True)
        else:
            self.process = subprocess.Popen(
                argv, cwd=cwd, env=environment, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT, preexec_fn=restore,
            )
            self._reader = threading.Thread(target=self._read_pipe, daemon=True)
        self._reader.start()

    def _read_terminal(self, controller: int) -> None:
        try:
            while True:
                try:
                    data = os.read(controller, 4096)
                except OSError:  # the command closed its side: it has ended
                    break
                if not data:
                    break
                self._append(data)
        finally:
            os.close(controller)

    def _read_pipe(self) -> None:
        assert self.process.stdout is not None
        for data in iter(lambda: self.process.stdout.read1(4096), b""):  # type: ignore[union-attr]
            self._append(data)

    def _append(self, data: bytes) -> None:
        with self._lock:
            self._chunks.append(data.decode("utf-8", "replace"))

    @property
    def output(self) -> str:
        with self._lock:
            return "".join(self._chunks)

    def wait_for(self, text: str, count: int = 1, timeout: float = 60) -> str:
        """The output once ``text`` appears in it ``count`` times; fails after ``timeout``."""
        deadline = time.monotonic() + timeout
        while self.output.count(text) < count:
            if time.monotonic() > deadline or self.process.poll() is not None and not self._reader.is_alive():
                raise AssertionError(f"{text!r} x{count} not seen; output so far:\n{self.output}")
            time.sleep(0.05)
        return self.output

    def interrupt(self, timeout: float = 30) -> int:
        """Press Ctrl-C and return the exit status."""
        self.process.send_signal(signal.SIGINT)
        return self.wait(timeout)

    def wait(self, timeout: float = 60) -> int:
        try:
            status = self.process.wait(timeout=timeout)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait(timeout=10)
        self._reader.join(timeout=10)
        return status

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


def run_in_terminal(argv: List[str], cwd: Path, env: Optional[Dict[str, str]] = None, timeout: float = 60) -> str:
    """Everything ``argv`` writes when its output is a terminal."""
    with Session(argv, cwd, env, terminal=True) as session:
        session.wait(timeout)
        return session.output
