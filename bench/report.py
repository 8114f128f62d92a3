"""Budgets, the printed table and `bench/results/latest.json`.

A Check is one figure, optionally with a budget; a check without a budget is shown for
information and never fails the run.
"""

import json
import os
import platform
import sys
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

RESULTS_DIR = Path(__file__).resolve().parent / "results"
LATEST = RESULTS_DIR / "latest.json"

PAGE_WEIGHT_BUDGET_BYTES = 30_000  # login page first view, 30 KB
HOME_P95_BUDGET_MS = 30.0  # strictly under
# At most, per role: the home of issue 15 (today, what waits, teams, the latest notifications
# with the bell's count, getting started or what needs the principal), the same count however
# much there is (tests/integration/test_home.py holds the same figures).
HOME_QUERIES_BUDGET = {"teacher": 6, "principal": 7}


@dataclass
class Check:
    """One measured figure and, if it has one, its budget (`value <op> budget`)."""

    name: str
    value: float
    unit: str
    budget: float | None = None
    op: str = "<="

    @property
    def passed(self) -> bool | None:
        if self.budget is None:
            return None
        return {"<": self.value < self.budget, "<=": self.value <= self.budget,
                ">=": self.value >= self.budget}[self.op]

    def as_dict(self) -> dict:
        return {**asdict(self), "value": round(self.value, 3), "passed": self.passed}


def _format_value(value: float, unit: str) -> str:
    if unit == "bytes":
        return f"{value:,.0f} B ({value / 1000:.1f} KB)"
    if unit == "ms":
        return f"{value:.2f} ms"
    return f"{value:g} {unit}"


def _format_row(check: Check) -> tuple[str, str, str, str]:
    if check.budget is None:
        return check.name, _format_value(check.value, check.unit), "-", "info"
    budget = f"{check.op} {_format_value(check.budget, check.unit)}"
    result = "PASS" if check.passed else "FAIL"
    return check.name, _format_value(check.value, check.unit), budget, result


def table(checks: list[Check]) -> str:
    """A plain-text table of every check."""
    rows = [("Measure", "Value", "Budget", "Result"), *map(_format_row, checks)]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


def environment() -> dict:
    """Where and when the run happened."""
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "cores": os.cpu_count(),
        # Wall-clock figures depend on what else runs: keep the 1-minute load with them.
        "load_average_1min": round(os.getloadavg()[0], 2),
    }


def write_json(checks: list[Check], details: dict, path: Path = LATEST) -> None:
    """Write the results atomically (a .tmp file renamed into place)."""
    document = {
        **environment(),
        "passed": all(c.passed is not False for c in checks),
        "budgets": {
            "login_first_view_bytes": PAGE_WEIGHT_BUDGET_BYTES,
            "home_p95_ms_under": HOME_P95_BUDGET_MS,
            "home_queries_at_most": HOME_QUERIES_BUDGET,
        },
        "checks": [c.as_dict() for c in checks],
        "details": details,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)
