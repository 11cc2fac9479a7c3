"""The outcome of an import or a preparation: records written and records skipped, with why."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass
class ImportSummary:
    """Records written (``n_ok``) and records skipped (name, one-line reason)."""

    n_ok: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def skip(self, name: str, reason: str) -> None:
        """Record that ``name`` was not written because of ``reason``."""
        self.skipped.append((name, reason))

    def report(self, max_lines: int = 20) -> str:
        """Human-readable summary: counts, then up to ``max_lines`` skipped records."""
        lines = [f"{self.n_ok} records written, {len(self.skipped)} skipped"]
        lines += [f"  skipped {name}: {reason}" for name, reason in self.skipped[:max_lines]]
        if len(self.skipped) > max_lines:
            lines.append(f"  ... and {len(self.skipped) - max_lines} more")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (``n_ok``, ``n_skipped``, ``skipped``)."""
        return {
            "n_ok": self.n_ok,
            "n_skipped": len(self.skipped),
            "skipped": [{"record": n, "reason": r} for n, r in self.skipped],
        }

    def reasons(self) -> Counter[str]:
        """Skip counts by reason text."""
        return Counter(reason for _, reason in self.skipped)
