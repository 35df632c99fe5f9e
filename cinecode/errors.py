"""One exception tree for cinecode; every message says what to do next.

```
CinecodeError
  ProjectError (file:line)      film.toml, picks, project layout
    ProjectErrors               every problem of one file at once, each with its line
  ScriptError (file:line)       the screenplay
  BudgetExceeded
  StoreError                    .cinecode/ objects or catalog
    DamagedObject               a shared store's object or record that is not what it names
  BusyError                     another make holds the project
  Cancelled                     the build is being interrupted (Ctrl-C, a cancel button)
  EditorialError                a timeline that cannot be exported or conformed
  ReleaseError                  a release that is missing, exists already or is misnamed
  ProvenanceError               content credentials (C2PA) that cannot be made or read
  FarmError                     a Ray farm that cannot be reached or cannot run the jobs
  MediaError                    ffmpeg / PyAV could not read or write media
    MediaCancelled
  BackendError
    RateLimited, ProviderDown, MissingModel, MissingPackage
    Overloaded                  out of memory or capacity for this job: tried again
    BadOutput
      Rejected                  a whole result that failed its checks: asked for anew, billed
        TooLarge                a result over the download limit (never fetched again)
```
"""

from __future__ import annotations

from collections.abc import Sequence


class CinecodeError(Exception):
    """Base of every error cinecode raises on purpose."""

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n  → {self.hint}" if self.hint else self.message


class LocatedError(CinecodeError):
    """An error in a file the user wrote, with the place to look."""

    def __init__(self, message: str, *, file: str, line: int | None = None, hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.file = file
        self.line = line

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}"
        return f"{text}\n  → {self.hint}" if self.hint else text


class ProjectError(LocatedError):
    """film.toml or another project file is wrong."""


class ProjectErrors(ProjectError):
    """Several problems found in one file in one pass, each a ProjectError with its line.

    `message`, `line` and `hint` are the first problem's, so code that shows a single
    ProjectError still shows a real one; `problems` holds them all, in file order.
    """

    def __init__(self, problems: Sequence[ProjectError]) -> None:
        if not problems:
            raise ValueError("ProjectErrors needs at least one problem")
        first = problems[0]
        super().__init__(first.message, file=first.file, line=first.line, hint=first.hint)
        self.problems = tuple(problems)

    def __str__(self) -> str:
        return "\n".join(str(problem) for problem in self.problems)


class ScriptError(LocatedError):
    """The screenplay cannot be read or broken down."""


class BudgetExceeded(CinecodeError):
    """A job would pass the project's or the command's budget cap."""


class StoreError(CinecodeError):
    """The store (.cinecode/) is missing, damaged or could not be written."""


class DamagedObject(StoreError):
    """A shared store's object whose bytes are not what its name says (or a record that does
    not check out): refused, and its job is made again."""


class MediaError(CinecodeError):
    """ffmpeg or PyAV could not read, render or write a media file."""


class MediaCancelled(MediaError):
    """A render was stopped on purpose (its cancel event was set); nothing was written."""


class BusyError(CinecodeError):
    """Another cinecode process holds the project."""


class Cancelled(CinecodeError):
    """Raised inside a step when the build is being interrupted; the job records nothing."""

    def __init__(self, message: str = "the build was interrupted", *, hint: str = "") -> None:
        super().__init__(message, hint=hint or "run the command again: it resumes")


class EditorialError(CinecodeError):
    """A timeline that cannot be exported, or an edited one that cannot become the cut."""


class ReleaseError(CinecodeError):
    """A release (releases/<version>.toml) that is missing, exists already, or whose name is
    not a safe file name."""


class PublishError(CinecodeError):
    """A release cannot be published (nothing released, a lost object, a site in the way)."""


class ProvenanceError(CinecodeError):
    """Content credentials (C2PA) could not be signed or read: the identity, the package."""


class FarmError(CinecodeError):
    """The farm (`make --farm`): unreachable, a node of another cinecode version, or no node
    with the resources some jobs need."""


class BackendError(CinecodeError):
    """A backend failed; `backend` names it."""

    def __init__(self, message: str, *, backend: str = "", hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.backend = backend

    def __str__(self) -> str:
        text = f"[{self.backend}] {self.message}" if self.backend else self.message
        return f"{text}\n  → {self.hint}" if self.hint else text


class RateLimited(BackendError):
    """The provider asked us to slow down (HTTP 429)."""

    def __init__(
        self, message: str, *, backend: str = "", retry_after: float | None = None, hint: str = ""
    ) -> None:
        super().__init__(message, backend=backend, hint=hint)
        self.retry_after = retry_after


class ProviderDown(BackendError):
    """The provider or server is unreachable or failing (5xx, connection lost)."""


class Overloaded(BackendError):
    """The engine ran out of memory (or capacity) for this job; trying again may pass."""


class BadOutput(BackendError):
    """The backend returned something that is not the media we asked for."""


class Rejected(BadOutput):
    """A result that arrived whole and failed its checks (undecodable, no video stream, too
    large): fetching it again would not help; the job is asked for anew."""


class TooLarge(Rejected):
    """A result is larger than the download limit (`limit` bytes)."""

    def __init__(self, message: str, *, limit: int, backend: str = "", hint: str = "") -> None:
        super().__init__(message, backend=backend, hint=hint)
        self.limit = limit


class MissingModel(BackendError):
    """A model the backend needs is not on disk."""


class MissingPackage(BackendError):
    """An optional Python package for this backend is not installed."""


__all__ = [
    "BackendError",
    "BadOutput",
    "BudgetExceeded",
    "BusyError",
    "Cancelled",
    "CinecodeError",
    "DamagedObject",
    "EditorialError",
    "LocatedError",
    "MediaCancelled",
    "MediaError",
    "MissingModel",
    "MissingPackage",
    "Overloaded",
    "ProjectError",
    "ProjectErrors",
    "ProvenanceError",
    "ProviderDown",
    "RateLimited",
    "ReleaseError",
    "ScriptError",
    "StoreError",
    "TooLarge",
]
