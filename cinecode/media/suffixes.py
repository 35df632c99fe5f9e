"""Which files are stills and which are clips, by suffix (the one list; imports nothing)."""

from __future__ import annotations

#: stills Pillow reads
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff")
#: clips the segments decode with FFmpeg
VIDEO_SUFFIXES = (".mp4", ".mov", ".m4v", ".mkv", ".webm", ".avi", ".gif")
