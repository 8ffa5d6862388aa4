"""What gradgate checks: cases, their stable ids, the named grids and the fuzzer's strategies.

The registry of layer kinds is `gradgate.cases.kinds`; a case is `gradgate.cases.case.Case`; each
kind's grids are `gradgate.cases.<kind>.grid`.  Importing this package imports nothing else.
"""

from __future__ import annotations
