"""What a manifest records about how results were made: versions and file checksums."""

from __future__ import annotations

import hashlib
import platform
from importlib.metadata import version
from pathlib import Path

import numpy as np

import cocair_sim


def versions() -> dict[str, str]:
    """Versions of this package and of what decides its numbers."""
    return {
        "cocair_sim": cocair_sim.__version__,
        "mesa": version("mesa"),
        "numpy": np.__version__,
        "scikit-learn": version("scikit-learn"),
        "python": platform.python_version(),
    }


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes (hex): what a manifest records of each input and data file."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
