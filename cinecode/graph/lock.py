"""One build at a time per project: an advisory lock on `.cinecode/lock`."""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from cinecode.errors import BusyError, Cancelled


@contextmanager
def project_lock(
    store_dir: Path,
    *,
    wait: bool = True,
    timeout: float | None = None,
    on_wait: Callable[[str], None] | None = None,
    cancel: threading.Event | None = None,
) -> Iterator[None]:
    """Hold the project's lock; wait for another build to finish (until `cancel` is set:
    then `Cancelled`), or fail with BusyError."""
    store_dir.mkdir(parents=True, exist_ok=True)
    path = store_dir / "lock"
    handle = path.open("a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            message = f"another cinecode ({holder}) is building this project"
            if not wait:
                raise BusyError(
                    message, hint="wait for it to finish, or run again with --wait"
                ) from None
            if on_wait:
                on_wait(f"{message}; waiting for it to finish (Ctrl-C to stop)…")
            deadline = None if timeout is None else time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if deadline is not None and time.monotonic() > deadline:
                        raise BusyError(message, hint="try again when it has finished") from None
                    if cancel is None:
                        time.sleep(0.2)
                    elif cancel.wait(0.2):
                        raise Cancelled("cancelled while waiting for the other build") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            handle.flush()
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        handle.close()
