"""junit.xml after crashed cases were settled: each rerun's verdict replaces pytest's crash entry.

pytest writes junit.xml as the run goes, so a case whose worker died is an `error` there ("worker
'gw0' crashed ...") even when its rerun (gradgate/harness/rerun.py) passed it: the torch oracle, not
the implementation, had crashed.  Here such a test case gets the verdict of report.json.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from gradgate.harness.atomic import write_atomic


def _case_id(testcase: ET.Element) -> str | None:
    name = testcase.get("name", "")
    return name[name.index("[") + 1 : -1] if name.endswith("]") and "[" in name else None


def settle_crashed(path: Path, cases: list[dict[str, Any]]) -> None:
    """Rewrite the entries of cases that have `attempts` (their worker died) in junit.xml."""
    settled = {c["id"]: c for c in cases if c.get("attempts")}
    if not settled or not path.exists():
        return
    tree = ET.parse(path)
    for suite in tree.getroot().iter("testsuite"):
        for testcase in suite.iter("testcase"):
            case = settled.get(_case_id(testcase) or "")
            if case is None:
                continue
            for old in [e for e in testcase if e.tag in ("error", "failure")]:
                testcase.remove(old)
                suite.set(old.tag + "s", str(int(suite.get(old.tag + "s", "1")) - 1))
            if case["status"] in ("failed", "errored"):
                tag = "failure" if case["status"] == "failed" else "error"
                verdict = ET.SubElement(testcase, tag, message=case["message"][:500])
                verdict.text = "\n".join([case["message"], *case["attempts"]])
                suite.set(tag + "s", str(int(suite.get(tag + "s", "0")) + 1))
    write_atomic(path, ET.tostring(tree.getroot(), encoding="unicode", xml_declaration=True))
