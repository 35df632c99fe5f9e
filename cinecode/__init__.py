"""cinecode: build a film from a Fountain screenplay the way one builds software.

```python
import cinecode
project = cinecode.load_project("myfilm")
result = cinecode.make("myfilm", reporter=cinecode.RichReporter())
```
Names are imported on first use, so `import cinecode` stays instant. They are listed floor by
floor, lowest first: errors, project, script, graph, pipeline (docs/architecture.md).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {  # floor by floor, lowest first (docs/architecture.md)
    "CinecodeError": "cinecode.errors",
    "ProjectError": "cinecode.errors",
    "ScriptError": "cinecode.errors",
    "BackendError": "cinecode.errors",
    "BudgetExceeded": "cinecode.errors",
    "StoreError": "cinecode.errors",
    "load_project": "cinecode.project.config",
    "Project": "cinecode.project.config",
    "FilmConfig": "cinecode.project.config",
    "read_script": "cinecode.script.fountain",
    "parse_fountain": "cinecode.script.fountain",
    "Film": "cinecode.script.model",
    "Scene": "cinecode.script.model",
    "Shot": "cinecode.script.model",
    "Line": "cinecode.script.model",
    "Character": "cinecode.script.model",
    "Story": "cinecode.script.branching",
    "story_of": "cinecode.script.branching",
    "Store": "cinecode.graph.store",
    "RichReporter": "cinecode.graph.reporter",
    "RecordingReporter": "cinecode.graph.reporter",
    "plan": "cinecode.pipeline.plan",
    "Plan": "cinecode.pipeline.plan",
    "State": "cinecode.pipeline.plan",
    "load": "cinecode.pipeline.session",
    "Session": "cinecode.pipeline.session",
    "make": "cinecode.pipeline.build",
}

__all__ = [
    "BackendError",
    "BudgetExceeded",
    "Character",
    "CinecodeError",
    "Film",
    "FilmConfig",
    "Line",
    "Plan",
    "Project",
    "ProjectError",
    "RecordingReporter",
    "RichReporter",
    "Scene",
    "ScriptError",
    "Session",
    "Shot",
    "State",
    "Store",
    "StoreError",
    "Story",
    "__version__",
    "load",
    "load_project",
    "make",
    "parse_fountain",
    "plan",
    "read_script",
    "story_of",
]

if TYPE_CHECKING:
    # floor by floor, as docs/architecture.md draws them
    # isort: off
    from cinecode.errors import (
        BackendError,
        BudgetExceeded,
        CinecodeError,
        ProjectError,
        ScriptError,
        StoreError,
    )
    from cinecode.project.config import FilmConfig, Project, load_project
    from cinecode.script.fountain import parse_fountain, read_script
    from cinecode.script.model import Character, Film, Line, Scene, Shot
    from cinecode.script.branching import Story, story_of
    from cinecode.graph.store import Store
    from cinecode.graph.reporter import RecordingReporter, RichReporter
    from cinecode.pipeline.plan import Plan, State, plan
    from cinecode.pipeline.session import Session, load
    from cinecode.pipeline.build import make
    # isort: on


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'cinecode' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
