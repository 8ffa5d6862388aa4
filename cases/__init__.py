"""What gradgate checks: cases, their stable ids, the named grids and the fuzzer's strategies."""

from __future__ import annotations

from cases.assembly import GRIDS
from cases.case import DTYPES, Case, parse_case_id
from cases.deconv2d.grid import grid_cases

__all__ = ["DTYPES", "GRIDS", "Case", "grid_cases", "parse_case_id"]
