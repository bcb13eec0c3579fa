#!/usr/bin/env python3
"""The baseline a user would otherwise write: agents as coroutines, asyncio.gather for the
parallel runs, an asyncio.Semaphore as the limiter, and HTTP/1.1 over asyncio streams to the
same `tutti mock-server` (OpenAI protocol), using only the standard library.

Runs scenarios 1, 3, 7 and 8 of bench/scenarios.cpp with the same agents and latencies and
prints one JSON document: for each case, the wall time, the CPU time of this process and its
peak memory. Scenario 8's mock agents are coroutines that sleep their latency and answer;
its whole-process cases run this script again as a process of its own (--process-agents).

    asyncio_agents.py --url http://127.0.0.1:PORT > baseline.json
"""

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import time
import urllib.parse

STEP_MS = 100  # a published 2 s step, scaled down 20 times as in the C++ suite


async def call_agent(host, port, model, prompt):
    """One chat completion; returns the reply text. A new connection per call, as a plain
    asyncio-streams client does."""
    body = json.dumps({"model": model, "messages": [{"role": "user", "content": prompt}],
                       "stream": False}).encode()
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(b"POST /v1/chat/completions HTTP/1.1\r\nHost: " + host.encode() +
                 b"\r\nContent-Type: application/json\r\nConnection: close\r\n"
                 b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
    await writer.drain()
    response = await reader.read()
    writer.close()
    await writer.wait_closed()
    head, _, payload = response.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    if status != 200:
        raise RuntimeError(f"HTTP {status}: {payload[:200]!r}")
    return json.loads(payload)["choices"][0]["message"]["content"]


async def run_sequential(server, count, latency_ms):
    for i in range(count):
        await call_agent(*server, f"sleep-{latency_ms}", f"agent {i}")


async def run_parallel(server, count, latency_ms, limit=None):
    semaphore = asyncio.Semaphore(limit) if limit else None

    async def agent(i):
        if semaphore is None:
            return await call_agent(*server, f"sleep-{latency_ms}", f"agent {i}")
        async with semaphore:
            return await call_agent(*server, f"sleep-{latency_ms}", f"agent {i}")

    await asyncio.gather(*(agent(i) for i in range(count)))


async def run_mock(count, latency_s):
    """count mock agents at once: each sleeps its latency and answers with its input."""
    async def agent(i):
        await asyncio.sleep(latency_s)
        return f"[a{i}] benchmark input"

    return await asyncio.gather(*(agent(i) for i in range(count)))


def process_agents(count):
    """The whole process a user would run: count agents of 1 s, the results printed as JSON."""
    responses = asyncio.run(run_mock(count, 1.0))
    agents = [{"name": f"a{i}", "status": "succeeded", "response": r}
              for i, r in enumerate(responses)]
    json.dump({"status": "completed", "agents": agents}, sys.stdout, indent=2)


def measure_process(name, count):
    """This script run again with --process-agents: its wall time from start to exit, and the
    CPU time and peak memory the kernel kept for it."""
    reset_peak_memory()  # a child starts from its parent's peak; keep that low
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, __file__, "--process-agents", str(count)],
                             stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    wall = (time.perf_counter() - start) * 1000
    if child.returncode != 0:
        sys.exit(f"{name}: the baseline process exited {child.returncode}")
    result = {"name": name, "wall_ms": wall,
              "cpu_ms": (usage.ru_utime + usage.ru_stime) * 1000,
              "peak_mb": usage.ru_maxrss / 1024, "iterations": 1}
    print(f"{name}: {wall:.1f} ms, {result['peak_mb']:.1f} MB", file=sys.stderr)
    return result


def cpu_ms():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return (usage.ru_utime + usage.ru_stime) * 1000


def reset_peak_memory():
    # Linux: writing 5 resets the peak resident size to the current one, as the C++ suite does.
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def peak_memory_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0


def measure(name, coroutine_factory, iterations):
    reset_peak_memory()
    wall = cpu = 0.0
    for _ in range(iterations):
        start_cpu, start = cpu_ms(), time.perf_counter()
        asyncio.run(coroutine_factory())
        wall += (time.perf_counter() - start) * 1000
        cpu += cpu_ms() - start_cpu
    result = {"name": name, "wall_ms": wall / iterations, "cpu_ms": cpu / iterations,
              "peak_mb": peak_memory_mb(), "iterations": iterations}
    print(f"{name}: {result['wall_ms']:.1f} ms", file=sys.stderr)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="the mock server, http://HOST:PORT")
    parser.add_argument("--process-agents", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.process_agents:
        process_agents(args.process_agents)
        return
    if not args.url:
        parser.error("--url is required")
    url = urllib.parse.urlsplit(args.url)
    server = (url.hostname, url.port)

    # The whole-process cases first, while this process is small (see measure_process).
    results = [measure_process(f"s8_process/agents:{n}", n) for n in (1000, 10000, 100000)]
    # The same case names as the C++ suite's, so that the report can pair them.
    for n in (1, 3, 5, 10, 15, 50, 100):
        results.append(measure(f"s1_sequential/agents:{n}",
                               lambda n=n: run_sequential(server, n, STEP_MS), 1))
        results.append(measure(f"s1_parallel/agents:{n}",
                               lambda n=n: run_parallel(server, n, STEP_MS), 3))
    for limit in (10, 50, 100, 0):
        results.append(measure(f"s3_limiter/limit:{limit}",
                               lambda limit=limit: run_parallel(server, 1000, 20, limit), 2))
    for n in (1, 100, 1000):
        results.append(measure(f"s7_http/agents:{n}",
                               lambda n=n: run_parallel(server, n, STEP_MS), 3))
    for n in (10000, 100000):
        results.append(measure(f"s8_scale/agents:{n}/latency_ms:0",
                               lambda n=n: run_mock(n, 0), 1))
    json.dump({"python": sys.version.split()[0], "results": results}, sys.stdout, indent=2)


if __name__ == "__main__":
    main()
