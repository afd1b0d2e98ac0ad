#!/usr/bin/env python3
"""Prints, last in the test output, one line per test project and every failed test with its message.

CI keeps only the tail of a long log: with projects running in parallel, a failure printed minutes before the end
would otherwise be out of sight. Usage: test-summary.py RESULTS_DIR PROJECT_NAME...
"""
import pathlib
import sys
import xml.etree.ElementTree as ET

NS = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}


def first_lines(text, count):
    lines = [line.rstrip() for line in (text or "").strip().splitlines()]
    return lines[:count]


def main():
    results = pathlib.Path(sys.argv[1])
    expected = sys.argv[2:]
    reports = {}
    for trx in sorted(results.glob("*/*.trx")):
        root = ET.parse(trx).getroot()
        storage = root.find("t:TestDefinitions/t:UnitTest", NS)
        project = pathlib.Path(storage.get("storage")).stem if storage is not None else trx.stem
        reports[project.lower()] = root

    print("\n== test summary ==")
    failed_any = False
    for project in expected:
        root = reports.get(project.lower())
        if root is None:
            print(f"{project}: NO RESULTS (no test ran: all filtered out, or the test host crashed or hung; see above)")
            failed_any = True
            continue
        counters = root.find("t:ResultSummary/t:Counters", NS)
        outcome = root.find("t:ResultSummary", NS).get("outcome")
        print(f"{project}: {outcome}, {counters.get('passed')}/{counters.get('total')} passed, "
              f"{counters.get('failed')} failed")
        for result in root.iterfind("t:Results/t:UnitTestResult", NS):
            if result.get("outcome") == "Passed":
                continue
            failed_any = True
            print(f"  {result.get('outcome').upper()} {result.get('testName')} ({result.get('duration')})")
            message = result.find("t:Output/t:ErrorInfo/t:Message", NS)
            trace = result.find("t:Output/t:ErrorInfo/t:StackTrace", NS)
            for line in first_lines(message.text if message is not None else "", 12):
                print(f"    {line}")
            for line in first_lines(trace.text if trace is not None else "", 6):
                print(f"    {line}")
        for line in root.iterfind("t:ResultSummary/t:RunInfos/t:RunInfo/t:Text", NS):
            print(f"  run info: {' '.join(first_lines(line.text, 3))}")
    print("== all passed ==" if not failed_any else "== FAILURES above ==")


if __name__ == "__main__":
    main()
