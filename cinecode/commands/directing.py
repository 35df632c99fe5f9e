"""What `cinecode breakdown` does around the chat model: load, ask, check, write."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cinecode.backends.protocols import Cost
from cinecode.pipeline.session import Loaded, Session
from cinecode.project.files import write_atomic
from cinecode.script.suggest import Change, apply, changes_for, check_same_scenes, propose


@dataclass
class Proposals:
    """The model's proposals for a project, as changes of its screenplay."""

    loaded: Loaded
    lines: list[str]
    changes: list[Change]
    rejected: list[str] = field(default_factory=list)
    model: str = ""
    cost: Cost = Cost()

    @property
    def name(self) -> str:
        return self.loaded.project.config.script


def propose_changes(project_path: Path) -> Proposals:
    """Ask the project's `[breakdown]` chat model for shot directives and visual prompts."""
    with Session.open(project_path) as session:
        loaded, project = session.loaded, session.project
        department = project.config.breakdown
        backend = session.backends("text", department.backend, department.params)
        model = str(department.params.get("model", ""))
        raw, cost = propose(backend, loaded.film, project, model=model, seed=project.config.seed)
    text = project.script_path.read_text(encoding="utf-8")
    lines = text.split("\n")
    changes, rejected = changes_for(lines, raw, loaded.film, file=str(project.script_path))
    return Proposals(loaded, lines, changes, rejected, model, cost)


def write_changes(proposals: Proposals, accepted: list[Change]) -> Path:
    """Write the accepted changes into the screenplay, after checking it still breaks down
    into the same scenes (else nothing is written)."""
    text = "\n".join(apply(proposals.lines, accepted))
    check_same_scenes(text, proposals.loaded.film, proposals.loaded.project)
    path = proposals.loaded.project.script_path
    write_atomic(path, text)
    return path


__all__ = ["Proposals", "propose_changes", "write_changes"]
