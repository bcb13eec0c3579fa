#!/usr/bin/env python3
"""The baseline a user would otherwise write: agents as coroutines, asyncio.gather for the
parallel runs, an asyncio.Semaphore as the limiter, and HTTP/1.1 over asyncio streams to the
same `tutti mock-server` (OpenAI protocol), using only the standard library.

Runs scenarios 1, 3 and 7 of bench/scenarios.cpp with the same agents and latencies and
prints one JSON document: for each case, the wall time, the CPU time of this process and its
peak memory.

    asyncio_agents.py --url http://127.0.0.1:PORT > baseline.json
"""

import argparse
import asyncio
import json
import resource
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
    parser.add_argument("--url", required=True, help="the mock server, http://HOST:PORT")
    args = parser.parse_args()
    url = urllib.parse.urlsplit(args.url)
    server = (url.hostname, url.port)

    results = []
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
    json.dump({"python": sys.version.split()[0], "results": results}, sys.stdout, indent=2)


if __name__ == "__main__":
    main()
