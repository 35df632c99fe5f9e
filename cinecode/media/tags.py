"""An MP4's title, comment and description, written where the file lies (mutagen).

Tagging by re-muxing copies every packet through Python (4.6 s for a feature's master);
here only the `moov` box grows, the samples are moved as bytes and every chunk offset is
updated. FFmpeg reads the tags back as `title`, `comment` and `description`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from cinecode.media.ffmpeg import MediaError

#: FFmpeg's names for the iTunes-style atoms of an MP4's `ilst`
ATOMS = {"title": "\xa9nam", "comment": "\xa9cmt", "description": "desc"}


def tag_mp4(path: Path, tags: Mapping[str, str]) -> None:
    """Set `tags` (title, comment, description) in the MP4 `path`, in place."""
    from mutagen import MutagenError
    from mutagen.mp4 import MP4

    unknown = set(tags) - ATOMS.keys()
    if unknown:
        raise MediaError(f"cinecode cannot tag an MP4's {', '.join(sorted(unknown))}")
    try:
        opener: Callable[[str], Any] = MP4  # mutagen is untyped
        movie = opener(str(path))
        if movie.tags is None:
            movie.add_tags()
        for name, value in tags.items():
            movie.tags[ATOMS[name]] = [value]
        movie.save()
    except MutagenError as exc:
        raise MediaError(f"cannot tag {path.name}: {exc}") from exc
