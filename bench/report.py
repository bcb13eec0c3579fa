#!/usr/bin/env python3
"""Writes bench/results/REPORT.md and its SVG charts from the run's own output: Google
Benchmark's JSON (benchmarks.json) and the asyncio baseline's (baseline.json). Every number
in the report comes from those files; the published figures are quoted with their source.

    report.py RESULTS_DIR
"""

import json
import math
import os
import platform
import sys

PUBLISHED_SOURCE = ("tutti issue #6, which quotes these figures as published results "
                    "without naming the publications")
SOURCE_COLUMN = "issue #6 (quoted)"

# Published figures, per case, exactly as issue #6 quotes them.
PUBLISHED = {
    "s1_parallel/agents:3": "3-5x (3-5 agents)",
    "s1_parallel/agents:5": "3-5x (3-5 agents)",
    "s1_parallel/agents:15": "10-15x (15 agents)",
    "s2_five_steps/cap:0": "10.0 s, speedup 1.0",
    "s2_five_steps/cap:2": "6.0 s, speedup 1.67",
    "s2_five_steps/cap:5": "2.5 s, speedup 4.0",
    "s2_five_steps/cap:10": "2.5 s, speedup 4.0",
    "s3_limiter/limit:10": "2.2-2.5 % overhead vs no limit",
    "s3_limiter_in_process/limit:10": "2.2-2.5 % overhead vs no limit",
    "s3_limiter/limit:50": "2.2-2.5 % overhead vs no limit",
    "s3_limiter_in_process/limit:50": "2.2-2.5 % overhead vs no limit",
    "s3_limiter/limit:100": "2.2-2.5 % overhead vs no limit",
    "s3_limiter_in_process/limit:100": "2.2-2.5 % overhead vs no limit",
    "s4_retrieval_then_generation/parallel:1": "ideal 9 units",
    "s4_three_models_then_compare/parallel:1": "ideal 8.5 units",
    "s5_local_server/limit:1/requests:20": "20 requests/min",
    "s5_local_server/limit:4/requests:20": "80 requests/min (4 workers, 3 s each)",
    "s6_mixed": "remote calls finish at their own latency",
}

SCENARIOS = [
    ("s1_", "1. Agents per phase: sequential, parallel, capped at 5 (over HTTP)"),
    ("s2_", "2. Five independent steps: sequential (cap:0), cap 2, 5, 10"),
    ("s3_", "3. Limiter overhead: 1000 steps of 20 ms through a backend limit (0: none), "
            "over HTTP (s3_limiter) and in process, the limiter without the transport "
            "(s3_limiter_in_process)"),
    ("s4_", "4. Graphs with dependencies and mixed latencies (1 unit = 50 ms)"),
    ("s5_", "5. A local server (3 s per request published, 150 ms here) with a limit and a "
            "queue"),
    ("s6_", "6. Local and remote at once: 6 local requests (limit 1) beside 6 remote ones"),
    ("s7_", "7. End to end over HTTP against `tutti mock-server`"),
    ("s8_", "8. Scale: one ensemble of mock agents, all at once: answering at once, in the "
            "engine (s8_scale), and of 1 s each, the whole `tutti run --json` process from "
            "parsing to exit (s8_process)"),
    ("s9_", "9. The run store: 1,000 mock agents not kept (store:0) and kept (store:1, wall "
            "time until the last commit), all at once (phases:1) or in ten phases of 100"),
]


def case_name(benchmark):
    """'s1_parallel/agents:5/iterations:3/real_time' -> 's1_parallel/agents:5'"""
    parts = [p for p in benchmark["name"].split("/")
             if not p.startswith("iterations:") and p not in ("real_time", "manual_time")]
    return "/".join(parts)


def fmt(value, digits=1):
    if value is None:
        return "-"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.{digits}f}"


def machine(context):
    memory_kb = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                memory_kb = int(line.split()[1])
    return (f"{context.get('num_cpus')} cores at {context.get('mhz_per_cpu')} MHz, "
            f"{memory_kb / 1024 / 1024:.1f} GiB memory, {platform.system()} "
            f"{platform.release()}; build type {context.get('tutti_build_type')}, "
            f"g++ {context.get('compiler')}; run on {context.get('date')}")


def scenario_table(cases):
    rows = ["| case | wall ms | ideal ms | speedup | efficiency | overhead µs/agent | "
            "CPU ms/run | peak MB | published | source |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---|---|"]
    for name, c in cases:
        rows.append(f"| {name} | {fmt(c['wall_ms'])} | {fmt(c['ideal_ms'])} | "
                    f"{fmt(c['speedup'], 2)}x | {c['efficiency'] * 100:.1f} % | "
                    f"{fmt(c['overhead_us_per_agent'])} | {fmt(c['cpu_ms'])} | "
                    f"{fmt(c['peak_mb'])} | {PUBLISHED.get(name, '')} | "
                    f"{SOURCE_COLUMN if name in PUBLISHED else ''} |")
    return rows


def extra_lines(prefix, cases):
    lines = []
    for name, c in cases:
        if prefix == "s3_":
            lines.append(f"- {name}: {100 * (c['wall_ms'] / c['ideal_ms'] - 1):.1f} % above the "
                         f"ideal under that limit")
        if prefix == "s5_":
            lines.append(f"- {name}: {c['requests_per_min']:.1f} requests/min at the published "
                         f"3 s per request")
        if prefix == "s6_":
            lines.append(f"- remote agents done at {c['remote_done_ms']:.1f} ms (their own "
                         f"latency: {c['remote_ideal_ms']:.0f} ms); the local queue drained at "
                         f"{c['local_done_ms']:.1f} ms")
        if name.startswith("s8_scale/"):
            lines.append(f"- {name}: {c['overhead_us_per_agent']:.1f} µs per agent in the "
                         f"engine, {c['kb_per_agent']:.2f} KiB of peak memory per agent")
        if name.startswith("s8_process/"):
            lines.append(f"- {name}: {c['wall_ms'] - c['ideal_ms']:,.0f} ms beyond the 1 s "
                         f"ideal, {c['kb_per_agent']:.2f} KiB of peak memory per agent for the "
                         f"whole process")
    if prefix == "s9_":
        by_name = dict(cases)
        for phases in (1, 10):
            bare = by_name.get(f"s9_store/phases:{phases}/store:0")
            kept = by_name.get(f"s9_store/phases:{phases}/store:1")
            if bare and kept:
                run_ms = kept['wall_ms'] - kept['store_wait_ms']
                lines.append(
                    f"- phases:{phases}: the store costs "
                    f"{100 * (kept['wall_ms'] / bare['wall_ms'] - 1):.1f} % of wall time until "
                    f"its last commit, {100 * (run_ms / bare['wall_ms'] - 1):.1f} % until the "
                    f"run's result (the last commit lands {kept['store_wait_ms']:.1f} ms after "
                    f"it), and {1000 * (kept['cpu_ms'] - bare['cpu_ms']) / kept['agents']:.1f}"
                    f" µs of CPU per agent")
    return lines


def server_lines(results):
    """Scenario 10, from server_benchmarks.json: the server beside the engine in-process."""
    path = os.path.join(results, "server_benchmarks.json")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        cases = {case_name(b): b for b in json.load(f)["benchmarks"]}
    lines = ["## 10. `tutti serve`: runs through the server beside the same runs in-process", "",
             "Runs of one 1 ms mock agent: in-process through the server's run service (the "
             "same engine, records and events, no HTTP), or as one "
             "`POST /v1/chat/completions` each over keep-alive HTTP to the server in the same "
             "process (its two I/O threads). Then 1,000 clients follow one run of ten "
             "streaming agents through `GET /v1/runs/ID/events`.", "",
             "| case | runs/s | latency ms/run | CPU µs/run |", "|---|---:|---:|---:|"]
    for name, c in cases.items():
        if name.startswith("server_runs/"):
            lines.append(f"| {name} | {fmt(c['runs_per_s'])} | {fmt(c['latency_ms'], 2)} | "
                         f"{fmt(c['cpu_us_per_run'])} |")
    lines.append("")
    for clients in (1, 8):
        local = cases.get(f"server_runs/server:0/clients:{clients}")
        served = cases.get(f"server_runs/server:1/clients:{clients}")
        if local and served:
            lines.append(f"- {clients} client(s): the server adds "
                         f"{served['latency_ms'] - local['latency_ms']:.2f} ms per run and "
                         f"{served['cpu_us_per_run'] - local['cpu_us_per_run']:.0f} µs of CPU; "
                         f"{served['runs_per_s'] / local['runs_per_s'] * 100:.0f} % of the "
                         f"in-process rate")
    sse = cases.get("server_sse")
    if sse:
        lines += [f"- {sse['clients']:.0f} SSE clients on one run: "
                      f"{sse['events_per_client']:.1f} events each, the last one "
                      f"{sse['last_event_after_end_ms']:.1f} ms after the run's end "
                      f"({sse['real_time']:.0f} ms per run of 200 ms agents in all)"]
    return lines + [""]


def cluster_lines(results):
    """Scenario 11, from cluster_benchmarks.json: groups held by another node."""
    path = os.path.join(results, "cluster_benchmarks.json")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        cases = {case_name(b): b for b in json.load(f)["benchmarks"]}
    lines = ["## 11. Cluster: a group held by another node", "",
             "Admission alone (acquire, grant, release; no call) through the group's own "
             "resource actor in-process, or through a node's proxy to the authority that holds "
             "it, over loopback with CAF's network layer: one request at a time (what a "
             "waiting agent adds; both rows include the benchmark's own blocking round trip "
             "from outside the actors) and 100 at once.", "",
             "| case | µs per request |", "|---|---:|"]
    names = {"cluster_admission/0/1": "in-process, 1 at a time",
             "cluster_admission/1/1": "remote authority, 1 at a time",
             "cluster_admission/0/100": "in-process, 100 at once",
             "cluster_admission/1/100": "remote authority, 100 at once"}
    for key, label in names.items():
        c = cases.get(key)
        if c:
            lines.append(f"| {label} | {fmt(c['us_per_request'], 1)} |")
    lines += ["", "1,000 agents of 10 ms in two runs of 500 that share one local server of "
              "limit 4 (a mock server in this process): ideal 2,500 ms. The three engines, their "
              "network threads and the server share this machine's cores, which separate "
              "machines would not.", "",
              "| case | wall ms | wall / ideal | server peak in flight |", "|---|---:|---:|---:|"]
    for key, label in {"cluster_two_runs/0": "both runs on the node holding the group",
                       "cluster_two_runs/1": "one run on each of two other nodes"}.items():
        c = next((v for k, v in cases.items() if k.startswith(key)), None)
        if c:
            lines.append(f"| {label} | {fmt(c['wall_ms'])} | {c['wall_over_ideal']:.3f} | "
                         f"{c['server_peak_in_flight']:.0f} |")
    return lines + [""]


def floor_lines(cases, baseline):
    """The floors under scenarios 7 and 8 (floor_bench.cpp) beside tutti and asyncio."""
    lines = ["## Floors: what the shape costs before tutti does anything", "",
             "Every agent is a CAF 0.17 actor, so no engine runs a zero-latency agent faster "
             "than CAF spawns an actor that asks another once and reports (floor_actors), nor "
             "holds one in less memory than an idle actor takes; no HTTP client spends less "
             "CPU than one thread of plain asio opening, writing, reading and closing a "
             "connection per call, as the asyncio baseline does (floor_http).", ""]
    asyncio = {b["name"]: b for b in baseline["results"]}
    for n in (10_000, 100_000):
        floor = cases.get(f"floor_actors/agents:{n}")
        engine = cases.get(f"s8_scale/agents:{n}/latency_ms:0")
        if floor and engine:
            lines.append(f"- {n:,} agents: the actor floor is {floor['us_per_agent']:.1f} µs "
                         f"per agent and {floor['kb_per_idle_actor']:.2f} KiB per idle actor; "
                         f"tutti's engine {engine['overhead_us_per_agent']:.1f} µs per agent")
    floor = cases.get("floor_http/agents:1000")
    engine = cases.get("s7_http/agents:1000")
    theirs = asyncio.get("s7_http/agents:1000")
    if floor and engine and theirs:
        lines.append(f"- 1,000 calls over HTTP: the asio floor spends {floor['cpu_ms']:.0f} ms "
                     f"of CPU ({floor['cpu_ms'] / theirs['cpu_ms']:.2f} x asyncio's "
                     f"{theirs['cpu_ms']:.0f} ms), tutti {engine['cpu_ms']:.0f} ms "
                     f"({engine['cpu_ms'] / theirs['cpu_ms']:.2f} x)")
    return lines + [""]


def baseline_table(cases, baseline):
    rows = ["| case | tutti wall ms | asyncio wall ms | wall ratio | tutti CPU ms | "
            "asyncio CPU ms | CPU ratio | tutti peak MB | asyncio peak MB | memory ratio |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for b in baseline["results"]:
        c = cases.get(b["name"])
        if c is None:
            continue
        rows.append(f"| {b['name']} | {fmt(c['wall_ms'])} | {fmt(b['wall_ms'])} | "
                    f"{c['wall_ms'] / b['wall_ms']:.2f} | {fmt(c['cpu_ms'])} | "
                    f"{fmt(b['cpu_ms'])} | {c['cpu_ms'] / max(b['cpu_ms'], 1e-9):.2f} | "
                    f"{fmt(c['peak_mb'])} | {fmt(b['peak_mb'])} | "
                    f"{c['peak_mb'] / b['peak_mb']:.2f} |")
    return rows


def line_chart(title, x_label, y_label, series, log_y=False):
    """An SVG line chart over a logarithmic x axis. series: [(label, colour, [(x, y)])]."""
    width, height, left, right, top, bottom = 640, 360, 70, 170, 40, 50
    xs = [x for _, _, points in series for x, _ in points]
    ys = [y for _, _, points in series for _, y in points]
    x_min, x_max = math.log10(min(xs)), math.log10(max(xs))
    y_of = (lambda y: math.log10(max(y, 1e-9))) if log_y else (lambda y: y)
    y_min = min(0, min(y_of(y) for y in ys)) if not log_y else math.floor(min(map(y_of, ys)))
    y_max = max(y_of(y) for y in ys)
    y_max = math.ceil(y_max) if log_y else y_max * 1.1

    def px(x):
        return left + (math.log10(x) - x_min) / max(x_max - x_min, 1e-9) * (width - left - right)

    def py(y):
        return height - bottom - (y_of(y) - y_min) / max(y_max - y_min, 1e-9) * (
            height - top - bottom)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{width / 2}" y="20" text-anchor="middle" font-size="14">{title}</text>',
           f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" '
           f'y2="{height - bottom}" stroke="black"/>',
           f'<line x1="{left}" y1="{top}" x2="{left}" y2="{height - bottom}" stroke="black"/>',
           f'<text x="{(left + width - right) / 2}" y="{height - 12}" '
           f'text-anchor="middle">{x_label}</text>',
           f'<text x="16" y="{(top + height - bottom) / 2}" text-anchor="middle" '
           f'transform="rotate(-90 16 {(top + height - bottom) / 2})">{y_label}</text>']
    for x in sorted(set(xs)):
        out.append(f'<text x="{px(x):.1f}" y="{height - bottom + 16}" '
                   f'text-anchor="middle">{x:g}</text>')
    ticks = ([10 ** e for e in range(int(y_min), int(y_max) + 1)] if log_y else
             [y_min + (y_max - y_min) * i / 5 for i in range(6)])
    for y in ticks:
        out.append(f'<text x="{left - 6}" y="{py(y) + 4:.1f}" text-anchor="end">{y:.3g}</text>')
        out.append(f'<line x1="{left}" y1="{py(y):.1f}" x2="{width - right}" y2="{py(y):.1f}" '
                   f'stroke="#ddd"/>')
    for i, (label, colour, points) in enumerate(series):
        path = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in sorted(points))
        out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" '
                   f'stroke-width="2"/>')
        for x, y in points:
            out.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3" fill="{colour}"/>')
        out.append(f'<rect x="{width - right + 10}" y="{top + 18 * i}" width="12" height="12" '
                   f'fill="{colour}"/>')
        out.append(f'<text x="{width - right + 28}" y="{top + 18 * i + 10}">{label}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def series_of(cases, prefix, value):
    return [(c["agents"], value(c)) for name, c in cases.items() if name.startswith(prefix)]


def main():
    results = sys.argv[1] if len(sys.argv) > 1 else "bench/results"
    with open(os.path.join(results, "benchmarks.json")) as f:
        run = json.load(f)
    with open(os.path.join(results, "baseline.json")) as f:
        baseline = json.load(f)
    # Scenario 8's whole processes are measured from a benchmark process of their own.
    process_file = os.path.join(results, "process_benchmarks.json")
    if os.path.exists(process_file):
        with open(process_file) as f:
            run["benchmarks"] += json.load(f)["benchmarks"]
    cases = {}
    for b in run["benchmarks"]:
        if b.get("error_occurred"):
            sys.exit(f"report: {b['name']} failed: {b.get('error_message')}")
        cases[case_name(b)] = b

    with open(os.path.join(results, "speedup_vs_agents.svg"), "w") as f:
        f.write(line_chart(
            "Speedup over sequential (scenario 1, 100 ms agents over HTTP)", "agents",
            "speedup (x)",
            [("ideal", "#999", series_of(cases, "s1_parallel/", lambda c: c["agents"])),
             ("parallel", "#1f77b4", series_of(cases, "s1_parallel/", lambda c: c["speedup"])),
             ("capped at 5", "#ff7f0e", series_of(cases, "s1_capped/", lambda c: c["speedup"])),
             ("sequential", "#2ca02c",
              series_of(cases, "s1_sequential/", lambda c: c["speedup"]))],
            log_y=True))
    with open(os.path.join(results, "overhead_vs_agents.svg"), "w") as f:
        f.write(line_chart(
            "Engine overhead per agent beyond the ideal", "agents in one run", "µs per agent",
            [("mock agents (s8)", "#1f77b4",
              series_of(cases, "s8_scale/", lambda c: max(c["overhead_us_per_agent"], 1))),
             ("over HTTP (s7)", "#ff7f0e",
              series_of(cases, "s7_", lambda c: max(c["overhead_us_per_agent"], 1))),
             ("over HTTP, per phase (s1)", "#2ca02c",
              series_of(cases, "s1_parallel/", lambda c: max(c["overhead_us_per_agent"], 1)))],
            log_y=True))
    by_name = {b["name"]: b for b in baseline["results"]}
    with open(os.path.join(results, "memory_per_agent.svg"), "w") as f:
        f.write(line_chart(
            "Peak memory per agent, whole process (s8_process, 1 s agents)", "agents in one run",
            "KiB per agent",
            [("tutti run --json", "#1f77b4",
              series_of(cases, "s8_process/", lambda c: c["kb_per_agent"])),
             ("asyncio", "#ff7f0e",
              [(c["agents"], by_name[n]["peak_mb"] * 1024 / c["agents"])
               for n, c in cases.items() if n.startswith("s8_process/") and n in by_name])],
            log_y=True))

    lines = ["# tutti benchmark report", "",
             "Written by `make bench` (bench/report.py) from this run's "
             "`benchmarks.json` and `baseline.json`; nothing here is typed by hand.", "",
             f"Machine: {machine(run['context'])}.", "",
             "Latencies are the published ones scaled down 20 times (a 2 s step is 100 ms "
             "here, a 1 s unit 50 ms), so speedups and efficiencies compare directly while "
             "absolute times are 1/20 of the published ones. HTTP cases talk to "
             "`tutti mock-server` in a process of its own (its CPU time is not counted).", "",
             "Columns: *ideal* is the critical path under the run's caps and limits with no "
             "overhead; *speedup* is the sequential time (the sum of latencies) over the wall "
             "time; *efficiency* is ideal / wall; *overhead* is (wall - ideal) per agent; "
             "*CPU* is this process's user+system time per run; *peak* is the process's peak "
             "resident memory during the case.", "",
             f"Published figures come from {PUBLISHED_SOURCE}; the issue's latencies are "
             "the unscaled ones.", "",
             "![speedup](speedup_vs_agents.svg)", "",
             "![overhead](overhead_vs_agents.svg)", "",
             "![memory](memory_per_agent.svg)", ""]
    for prefix, title in SCENARIOS:
        chosen = [(n, c) for n, c in cases.items() if n.startswith(prefix)]
        lines += [f"## {title}", ""] + scenario_table(chosen) + [""]
        extra = extra_lines(prefix, chosen)
        lines += extra + ([""] if extra else [])
    lines += server_lines(results)
    lines += cluster_lines(results)
    lines += ["## tutti beside the asyncio baseline (scenarios 1, 3, 7, 8)", "",
              f"`bench/baseline/asyncio_agents.py` (Python {baseline['python']}, standard "
              "library only: `asyncio.gather`, `asyncio.Semaphore`, HTTP over asyncio "
              "streams) runs the same agents against the same server; its mock agents "
              "(scenario 8) are coroutines that sleep their latency, and its whole process "
              "prints their results as JSON. Ratios are tutti / asyncio: below 1 means tutti "
              "used less.", ""]
    lines += baseline_table(cases, baseline) + [""]
    lines += floor_lines(cases, baseline)
    with open(os.path.join(results, "REPORT.md"), "w") as f:
        f.write("\n".join(lines))
    print(f"report: wrote {results}/REPORT.md and three charts")


if __name__ == "__main__":
    main()
