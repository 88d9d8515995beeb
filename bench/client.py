"""A small HTTP/1.1 load client on raw asyncio streams: keep-alive connections, one request in flight each.

Lighter than any general client library, so that on a 2-core machine the load generator is not what limits the
server under test. Parses Content-Length and chunked bodies; for server-sent events it timestamps every `data:`
line as it arrives.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field


@dataclass
class Result:
    status: int
    started: float
    finished: float
    events: list[float] = field(default_factory=list)  # arrival times of SSE data lines (content chunks)
    body: bytes = b""

    @property
    def latency(self) -> float:
        return self.finished - self.started


def _is_token(line: bytes) -> bool:
    """An SSE data line that carries generated text (not the role chunk, the finish chunk or the usage chunk)."""
    return line.startswith(b"data: {") and b'"content":"' in line and b'"content":""' not in line


class Connection:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await self.writer.wait_closed()

    async def request(self, method: str, path: str, body: bytes, headers: dict[str, str], sse: bool = False) -> Result:
        if self.writer is None:
            await self.open()
        assert self.reader is not None and self.writer is not None
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nContent-Length: {len(body)}\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
        started = time.perf_counter()
        self.writer.write(head.encode() + body)
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("server closed the connection")
        status = int(status_line.split()[1])
        length, chunked = -1, False
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
        res = Result(status, started, 0.0)
        if chunked:
            pending = b""
            parts = []
            while True:
                size_line = await self.reader.readline()
                size = int(size_line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    await self.reader.readline()
                    break
                data = await self.reader.readexactly(size + 2)
                chunk = data[:-2]
                if sse:
                    now = time.perf_counter()
                    pending += chunk
                    *lines, pending = pending.split(b"\n")
                    res.events += [now for ln in lines if _is_token(ln)]
                else:
                    parts.append(chunk)
            res.body = b"".join(parts)
        elif length >= 0:
            res.body = await self.reader.readexactly(length)
        res.finished = time.perf_counter()
        return res


async def closed_loop(
    host: str,
    port: int,
    *,
    connections: int,
    duration: float,
    method: str,
    path: str,
    body: bytes,
    headers: dict[str, str],
    sse: bool = False,
    max_requests: int | None = None,
) -> list[Result]:
    """`connections` clients each sending requests back to back for `duration` seconds (or max_requests)."""
    results: list[Result] = []
    stop = time.perf_counter() + duration
    budget = [max_requests if max_requests is not None else 1 << 62]

    async def worker() -> None:
        conn = Connection(host, port)
        try:
            while time.perf_counter() < stop and budget[0] > 0:
                budget[0] -= 1
                try:
                    results.append(await conn.request(method, path, body, headers, sse))
                except (ConnectionError, asyncio.IncompleteReadError, OSError):
                    await conn.close()
                    conn = Connection(host, port)
        finally:
            await conn.close()

    await asyncio.gather(*(worker() for _ in range(connections)))
    return results


async def wait_ready(host: str, port: int, path: str = "/health", timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = Connection(host, port)
            r = await conn.request("GET", path, b"", {})
            await conn.close()
            if r.status < 500:
                return
        except (ConnectionError, OSError, asyncio.IncompleteReadError):
            pass
        await asyncio.sleep(0.1)
    raise TimeoutError(f"server on {host}:{port} did not become ready")
