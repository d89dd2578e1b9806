"""Run crash-prone test cases in child interpreters, many cases per child.

``run_cases(setup, cases)`` starts one Python child, runs ``setup`` once and then
each case's code in turn; a case that kills the interpreter (a segfault, an
abort, std::terminate) is reported as crashed and a fresh child resumes with the
next case. So a suite of fifty cases costs one interpreter start when nothing
crashes, and a crash still fails only its own case.

Each case is code run in a copy of setup's namespace. It may set ``result`` (any
value whose repr is meaningful); its outcome is ("ok", repr(result)),
("raised", "ExceptionTypeName: message") or ("crashed", "exit status N: stderr tail").
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

_DRIVER = textwrap.dedent(
    """
    import json, sys, traceback
    cases = json.loads(sys.stdin.read())
    start = int(sys.argv[1])
    base = {"__name__": "__case__"}
    exec(compile(cases["setup"], "<setup>", "exec"), base)
    for i in range(start, len(cases["codes"])):
        print("@@start", i, flush=True)
        ns = dict(base)
        try:
            exec(compile(cases["codes"][i], f"<case {i}>", "exec"), ns)
        except BaseException as error:  # noqa: BLE001 - reported to the parent
            detail = f"{type(error).__name__}: {error}"[:500]
            print("@@end", i, json.dumps(["raised", detail]), flush=True)
        else:
            print("@@end", i, json.dumps(["ok", repr(ns.get("result"))[:2000]]), flush=True)
    """
)


def run_cases(
    setup: str, cases: dict[str, str], timeout: float = 300.0
) -> dict[str, tuple[str, str]]:
    names = list(cases)
    payload = json.dumps({"setup": textwrap.dedent(setup),
                          "codes": [textwrap.dedent(cases[n]) for n in names]})
    outcomes: dict[str, tuple[str, str]] = {}
    # The helper modules beside this one (arg_kinds) importable in the child, so
    # that classes defined there pickle by reference.
    env = dict(os.environ)
    here = os.path.dirname(os.path.abspath(__file__))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [here, env.get("PYTHONPATH")]))
    start = 0
    while start < len(names):
        child = subprocess.run(
            [sys.executable, "-c", _DRIVER, str(start)],
            input=payload, capture_output=True, text=True, timeout=timeout, env=env,
        )
        running = None
        for line in child.stdout.splitlines():
            if line.startswith("@@start "):
                running = int(line.split()[1])
            elif line.startswith("@@end "):
                _, index, data = line.split(" ", 2)
                status, detail = json.loads(data)
                outcomes[names[int(index)]] = (status, detail)
                running = None
        if child.returncode == 0 and running is None:
            break
        if running is None:  # died in setup, or between cases
            raise RuntimeError(f"child failed outside a case: {child.stderr[-2000:]}")
        outcomes[names[running]] = (
            "crashed", f"exit status {child.returncode}: {child.stderr[-800:]}"
        )
        start = running + 1
    return outcomes
