"""The report files of a run: report.json, junit.xml, summary.md and report.html."""
