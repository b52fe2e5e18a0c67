"""What a validation finds: one :class:`Issue` per failed check, each with its fix.

>>> Issue("stance", "train", 3, "label 9 is not a stance label", "re-run release").render()
'stance/train row 3: label 9 is not a stance label. Fix: re-run release'
"""

from __future__ import annotations

from dataclasses import dataclass

REGENERATE = "re-run `ceasefire-news release --version X.Y.Z` to a new version; never edit release files by hand"


@dataclass(frozen=True, slots=True)
class Issue:
    """One failed check: where (config, split or file, row), what, and the fix."""

    config: str
    split: str
    row: int | None
    problem: str
    fix: str

    def render(self) -> str:
        where = f"{self.config}/{self.split}" if self.split else self.config
        if self.row is not None:
            where += f" row {self.row}"
        return f"{where}: {self.problem}. Fix: {self.fix}"
