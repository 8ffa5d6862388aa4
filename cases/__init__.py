"""What gradgate checks: cases, their stable ids, the named grids and the fuzzer's strategies.

The registry of layer kinds is `cases.kinds`; a case is `cases.case.Case`; each kind's grids are
`cases.<kind>.grid`.  Importing this package imports nothing else.
"""

from __future__ import annotations
