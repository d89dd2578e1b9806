"""arenagrad against micrograd and PyTorch, workload by workload.

    python benchmarks/bench.py            # full run (a few minutes), writes docs/benchmarks.md
    python benchmarks/bench.py --quick    # short run, same tables
    python benchmarks/bench.py --no-write # print only

Each (workload, engine) pair runs in a fresh interpreter (so one engine's heap and
garbage cannot slow another), repeats its measurement several times and reports
the median. Ratios compare engines measured in the same run. Engines whose package
is missing (micrograd, torch) are reported as skipped.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import json
import os
import platform
import re
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"

STEP_ENGINES = [
    "floor", "micrograd", "micrograd-nogc", "plain", "fused", "compiled-mg", "compiled",
    "replay", "casadi", "casadi-jit", "torch", "jax",
]
PLAN = [
    ("step", STEP_ENGINES),
    ("forward", ["micrograd", "plain", "fused"]),
    ("backward", ["micrograd", "plain", "fused"]),
    ("chain", ["plain"]),
    ("ops", ["micrograd", "plain"]),
    ("memory", ["plain", "fused", "compiled"]),
]
LABELS = {
    "micrograd": "micrograd 0.1.0",
    "micrograd-nogc": "micrograd 0.1.0, gc disabled",
    "plain": "arenagrad, per-op (Python sum)",
    "fused": "arenagrad, fused dot/vsum",
    "compiled": "arenagrad, compiled replay (zero_grad on a pre-fetched parameter list)",
    "compiled-mg": "arenagrad, compiled replay, micrograd's loop (`model.zero_grad()`)",
    "replay": "arenagrad, compiled replay: forward + backward only",
    "torch": "PyTorch, batched float64 tensors",
    "floor": "hand-written C++ step, no graph (g++ -O2): the floor",
    "casadi": "CasADi SX graph + symbolic gradient, its virtual machine",
    "casadi-jit": "CasADi, the same Function generated as C (jit, gcc -O2)",
    "jax": "JAX jit (value_and_grad + SGD update, float64, one thread)",
}


PEERS = ("casadi", "casadi-jit", "jax", "torch")
OPTIONAL = {"micrograd", "micrograd-nogc", "torch", "casadi", "casadi-jit", "jax", "floor"}


# ---- worker side


def worker(workload: str, engine: str, quick: bool) -> None:
    sys.path.insert(0, str(HERE))
    import workloads

    if engine.endswith("-nogc"):
        import gc

        gc.disable()
        engine = engine[: -len("-nogc")]
    print(json.dumps(workloads.WORKLOADS[workload](engine, quick)))


# ---- driver side


def available(engine: str) -> bool:
    module = {"micrograd": "micrograd", "micrograd-nogc": "micrograd", "torch": "torch",
              "casadi": "casadi", "casadi-jit": "casadi", "jax": "jax"}
    if engine == "floor":
        return shutil.which("g++") is not None
    name = module.get(engine)
    return name is None or importlib.util.find_spec(name) is not None


def run(workload: str, engine: str, quick: bool) -> dict | None:
    if not available(engine):
        return None
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", workload, engine]
    if quick:
        cmd.append("--quick")
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        if engine in OPTIONAL:  # an optional peer that does not work here: skipped
            print(f"  {engine} failed, skipped:\n{proc.stderr[-2000:]}", file=sys.stderr)
            return None
        raise RuntimeError(f"{workload}/{engine} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def machine() -> dict:
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for name in ("micrograd", "torch", "numpy", "casadi", "jax"):
        try:
            from importlib.metadata import version

            versions[name] = version(name)
        except Exception:  # noqa: BLE001 - not installed
            versions[name] = "not installed"
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        **versions,
    }


def fmt_time(seconds: float) -> str:
    if seconds >= 1.0:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.1f} µs"


def ratio(a: float | None, b: float | None) -> str:
    return "–" if not a or not b else f"{a / b:,.1f}x"


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def report(results: dict, info: dict, quick: bool) -> str:
    get = lambda w, e: results.get((w, e))  # noqa: E731
    lines = []
    today = datetime.date.today().isoformat()
    lines += [
        f"Measured {today}{' (--quick run)' if quick else ''} on {info['cpu']}, "
        f"{info['cores']} cores, Python {info['python']} ({info['platform']}); "
        f"load average at the end {info['load']}. micrograd {info['micrograd']}, "
        f"torch {info['torch']} (one thread), CasADi {info['casadi']}, JAX {info['jax']}, "
        f"numpy {info['numpy']}.",
        "",
        "### Demo train step",
        "",
        "Forward over 100 moons points through MLP(2, [16, 16, 1]), hinge loss + 1e-4 L2,",
        "zero_grad, backward, SGD update; median time per step. *vs floor* is the time",
        "as a multiple of the hand-written C++ step's (lower is better; the floor's",
        "forward + backward alone for the replay-only row).",
        "",
        "| engine | time / step | vs floor | vs micrograd | vs PyTorch |",
        "|---|---:|---:|---:|---:|",
    ]
    mg = (get("step", "micrograd") or {}).get("seconds")
    torch = (get("step", "torch") or {}).get("seconds")
    floor = get("step", "floor") or {}
    floor_step, floor_fb = floor.get("seconds"), floor.get("forward_backward")
    for engine in STEP_ENGINES:
        r = get("step", engine)
        if r is None:
            lines.append(f"| {LABELS[engine]} | skipped (not installed) | | | |")
            continue
        s = r["seconds"]
        base = floor_fb if engine == "replay" else floor_step
        times_floor = "1.0x" if engine == "floor" else ratio(s, base)
        lines.append(
            f"| {LABELS[engine]} | {fmt_time(s)} | {times_floor} | {ratio(mg, s)} "
            f"| {ratio(torch, s)} |"
        )
    if floor:
        lines += [
            "",
            f"The floor's forward + backward alone: {fmt_time(floor_fb)}; its loss "
            f"{'equals' if floor.get('matches_arenagrad') else '**differs from**'} "
            "arenagrad's to the last bit.",
        ]
    for engine in ("casadi", "casadi-jit"):
        r = get("step", engine)
        if r is not None:
            lines.append(f"{LABELS[engine]}: building the Function took "
                         f"{r['build_seconds']:.1f} s.")

    lines += ["", "### Forward graph build and backward (the same loss, no update)", ""]
    lines += ["| engine | forward | backward | nodes | backward ns/node |", "|---|---:|---:|---:|---:|"]
    for engine in ("micrograd", "plain", "fused"):
        f, b = get("forward", engine), get("backward", engine)
        if f is None or b is None:
            lines.append(f"| {LABELS[engine]} | skipped | | | |")
            continue
        lines.append(
            f"| {LABELS[engine]} | {fmt_time(f['seconds'])} | {fmt_time(b['seconds'])} "
            f"| {b['nodes']:,} | {b['ns_per_node']:.1f} |"
        )
    chain = get("chain", "plain")
    lines += [
        "",
        f"Deep chain (`x = x + one`, {chain['nodes']:,} nodes): backward "
        f"{fmt_time(chain['seconds'])}, **{chain['ns_per_node']:.1f} ns/node** "
        "(topological sort + reverse sweep; micrograd's recursive sort cannot go this deep).",
        "",
        "### Per-op overhead (ns per loop iteration, result discarded)",
        "",
        "| expression | micrograd | arenagrad | arenagrad vs its a + b |",
        "|---|---:|---:|---:|",
    ]
    ops_ag, ops_mg = get("ops", "plain"), get("ops", "micrograd") or {}
    for name, ns in ops_ag.items():
        mg_ns = ops_mg.get(name)
        lines.append(
            f"| `{name}` | {f'{mg_ns:,.0f}' if mg_ns else '–'} | {ns:,.0f} "
            f"| {ns / ops_ag['a + b']:.2f} |"
        )
    lines += [
        "",
        "### Memory (RSS of an unchanged training loop)",
        "",
        "| engine | RSS after step 10 | RSS after last step | change | arena live / capacity |",
        "|---|---:|---:|---:|---:|",
    ]
    rss_ok = True
    for engine in ("plain", "fused", "compiled"):
        m = get("memory", engine)
        last = m["last_step"]
        a, b = m["rss_step_10"], m[f"rss_step_{last}"]
        rss_ok &= abs(b - a) <= max(1 << 20, a // 50)
        lines.append(
            f"| {LABELS[engine]} | {a / 2**20:.1f} MiB | {b / 2**20:.1f} MiB (step {last}) "
            f"| {(b - a) / 2**20:+.2f} MiB | {m['arena_live']:,} / {m['arena_capacity']:,} |"
        )
    node_bytes = get("memory", "plain")["arena_bytes_per_node"]

    # ---- targets
    s = {e: (get("step", e) or {}).get("seconds") for e in STEP_ENGINES}
    times = lambda e: (mg / s[e]) if mg and s[e] else None  # noqa: E731
    ab = ops_ag["a + b"]
    worst_form = max(
        (n for n in ops_ag if n not in ("a + b", "a*b + c")), key=lambda n: ops_ag[n]
    )
    backward_ns = get("backward", "plain")["ns_per_node"]
    over_floor = lambda e, base: (s[e] / base) if s.get(e) and base else None  # noqa: E731
    rows = [
        ("compiled step (micrograd's loop) <= 2x the floor", over_floor("compiled-mg", floor_step),
         lambda x: x <= 2.0, "{:.2f}x"),
        ("compiled step (pre-fetched parameters) <= 2x the floor",
         over_floor("compiled", floor_step), lambda x: x <= 2.0, "{:.2f}x"),
        ("replay forward + backward <= 1.5x the floor's", over_floor("replay", floor_fb),
         lambda x: x <= 1.5, "{:.2f}x"),
        ("plain >= 60x micrograd", times("plain"), lambda x: x >= 60, "{:.0f}x"),
        ("fused >= 150x micrograd", times("fused"), lambda x: x >= 150, "{:.0f}x"),
        ("compiled >= 3000x micrograd (stretch 6000x)", times("compiled"),
         lambda x: x >= 3000, "{:,.0f}x"),
        ("compiled no slower than PyTorch", (torch / s["compiled"]) if torch else None,
         lambda x: x >= 1.0, "{:.2f}x PyTorch's speed"),
        ("compiled (micrograd's loop) faster than every peer (CasADi, CasADi C, JAX, PyTorch)",
         (min(s[e] for e in PEERS if s.get(e)) / s["compiled-mg"])
         if any(s.get(e) for e in PEERS) and s.get("compiled-mg") else None,
         lambda x: x >= 1.0, "{:.2f}x the fastest peer's speed"),
        ("backward <= 10 ns/node (demo graph)", backward_ns, lambda x: x <= 10, "{:.1f} ns"),
        ("backward <= 10 ns/node (deep chain)", chain["ns_per_node"], lambda x: x <= 10,
         "{:.1f} ns"),
        ("a*b + c <= 500 ns/iteration", ops_ag["a*b + c"], lambda x: x <= 500, "{:.0f} ns"),
        ("node record <= 64 bytes", node_bytes, lambda x: x <= 64, "{} bytes"),
        ("RSS flat between step 10 and the last", None if not rss_ok else 1, None, None),
        (f"number forms within 1.5x of a + b (worst: `{worst_form}`)",
         ops_ag[worst_form] / ab, lambda x: x <= 1.5, "{:.2f}x"),
    ]
    lines += ["", "### Targets", "", "| target | measured | |", "|---|---:|---|"]
    for name, value, test, form in rows:
        if test is None:
            lines.append(f"| {name} | {'flat' if rss_ok else 'grew'} | {verdict(rss_ok)} |")
        elif value is None:
            lines.append(f"| {name} | not measured | – |")
        else:
            lines.append(f"| {name} | {form.format(value)} | {verdict(test(value))} |")
    return "\n".join(lines) + "\n"


def write_doc(section: str) -> None:
    text = DOC.read_text() if DOC.exists() else f"# Benchmarks\n\n{START}\n{END}\n"
    if START not in text or END not in text:
        text += f"\n{START}\n{END}\n"
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
    text = pattern.sub(lambda _: f"{START}\n{section}{END}", text)
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short run (fewer steps/repeats)")
    parser.add_argument("--no-write", action="store_true", help="do not update docs/benchmarks.md")
    parser.add_argument("--worker", nargs=2, metavar=("WORKLOAD", "ENGINE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(*args.worker, args.quick)
        return 0
    results = {}
    for workload, engines in PLAN:
        for engine in engines:
            print(f"running {workload:8s} {engine} ...", file=sys.stderr, flush=True)
            results[(workload, engine)] = run(workload, engine, args.quick)
    section = report(results, machine(), args.quick)
    print(section)
    if not args.no_write:
        write_doc(section)
        print(f"wrote {DOC.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
