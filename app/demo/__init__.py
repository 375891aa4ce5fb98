"""Demo and scale data (filled by the generator module)."""

from __future__ import annotations

from pathlib import Path


def build_demo_profile(root: Path, size: str = "demo", seed: int = 1) -> None:
    from app.demo.generator import generate

    generate(root, size=size, seed=seed)
