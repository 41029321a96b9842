#!/usr/bin/env python3
"""An independent client of stdfund.v1, in Python.

1. Generates the client with grpcio-tools from proto/ (never from the Rust
   code) into a temporary directory.
2. Starts the real `stdfund serve` binary on free loopback ports with a
   temporary SQLite database (or --database-url), waits until it reports
   SERVING.
3. Runs every `test_*` function of every `tests/python/test_*.py` module,
   each given a `Context` (stubs, generated modules, server addresses, paths).
4. Stops the server with SIGTERM (killing it if it does not exit) and prints
   `python client: N passed, M failed`. Exit status 1 if anything failed.

Adding a suite: drop a `test_<area>.py` module beside this file with
functions `test_<name>(ctx)` that raise (e.g. `assert`) on failure. The
registry tests are `test_registry.py` (tokens: a temporary tokens file with
one random token per role, `ctx.tokens`); the PostgreSQL leg runs this script
again with `--postgres` (a throwaway cluster, `pg_cluster.py`) or
`--database-url postgres://…`.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import importlib.resources
import importlib.util
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def generate(proto_root: Path, out: Path) -> None:
    """Runs grpcio-tools' protoc over every .proto under proto_root."""
    from grpc_tools import protoc

    well_known = str(importlib.resources.files("grpc_tools") / "_proto")
    files = sorted(str(p.relative_to(proto_root)) for p in proto_root.rglob("*.proto") if "node_modules" not in p.parts)
    if not files:
        raise SystemExit(f"no .proto files under {proto_root}")
    args = ["grpc_tools.protoc", f"-I{proto_root}", f"-I{well_known}", f"--python_out={out}", f"--grpc_python_out={out}", *files]
    if protoc.main(args) != 0:
        raise SystemExit("grpcio-tools failed to compile proto/")


@dataclass
class Context:
    """What a test gets."""

    root: Path
    binary: Path
    addr: str
    metrics_addr: str
    database_url: str
    channel: object
    pb: dict[str, ModuleType] = field(default_factory=dict)
    server_log: Path | None = None
    # Registry bearer tokens by role (portal, reviewer, finance, admin), from
    # the temporary tokens file the server was started with.
    tokens: dict[str, str] = field(default_factory=dict)

    def module(self, name: str) -> ModuleType:
        """A generated module, e.g. `estimate_service_pb2_grpc`."""
        return self.pb[name]


def load_generated(out: Path) -> dict[str, ModuleType]:
    sys.path.insert(0, str(out))
    mods = {}
    for p in sorted((out / "stdfund" / "v1").glob("*.py")):
        mods[p.stem] = importlib.import_module(f"stdfund.v1.{p.stem}")
    return mods


def write_tokens(path: Path) -> dict[str, str]:
    """A tokens file with one fresh random token per role; returns role → token."""
    tokens = {role: secrets.token_urlsafe(24) for role in ("portal", "reviewer", "finance", "admin")}
    path.write_text(
        "".join(
            f'[[tokens]]\nname = "py-{role}"\nrole = "{role}"\nsha256 = "{hashlib.sha256(tok.encode()).hexdigest()}"\n\n'
            for role, tok in tokens.items()
        )
    )
    # Owner-only whatever the umask: the server refuses a tokens file
    # writable by group or others.
    path.chmod(0o600)
    return tokens


def start_server(binary: Path, port: int, metrics_port: int, database_url: str, log: Path, tokens_file: Path | None = None) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STDFUND_")}
    if tokens_file is not None:
        env["STDFUND_TOKENS_FILE"] = str(tokens_file)
    env.update(
        STDFUND_DATABASE_URL=database_url,
        STDFUND_LOG_FORMAT="json",
        STDFUND_LOG_LEVEL="info",
        STDFUND_DRAIN_SECONDS="5",
    )
    return subprocess.Popen(
        [str(binary), "serve", "--listen", f"127.0.0.1:{port}", "--metrics-listen", f"127.0.0.1:{metrics_port}"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
        cwd=str(log.parent),
    )


def wait_serving(channel, proc: subprocess.Popen, timeout: float = 30.0) -> None:
    from grpc_health.v1 import health_pb2, health_pb2_grpc  # type: ignore

    stub = health_pb2_grpc.HealthStub(channel)
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with status {proc.returncode}")
        try:
            r = stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=1)
            if r.status == health_pb2.HealthCheckResponse.SERVING:
                return
            last = r.status
        except Exception as e:  # noqa: BLE001 - not up yet
            last = e
        time.sleep(0.1)
    raise RuntimeError(f"the server did not become SERVING: {last}")


def stop_server(proc: subprocess.Popen) -> int:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode


def discover(selected: list[str]) -> list[tuple[str, object]]:
    tests = []
    for path in sorted(HERE.glob("test_*.py")):
        spec = importlib.util.spec_from_file_location(path.stem, path)
        if spec is None or spec.loader is None:
            continue
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        for name in dir(mod):
            fn = getattr(mod, name)
            if name.startswith("test_") and callable(fn):
                full = f"{path.stem}.{name}"
                if not selected or any(s in full for s in selected):
                    tests.append((full, fn))
    return tests


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", type=Path, default=ROOT / "target" / "debug" / "stdfund", help="the stdfund binary")
    ap.add_argument("--proto", type=Path, default=ROOT / "proto", help="the proto root")
    ap.add_argument("--database-url", default="", help="default: a temporary SQLite file")
    ap.add_argument("--postgres", action="store_true", help="run against a throwaway PostgreSQL cluster (tests/python/pg_cluster.py)")
    ap.add_argument("-k", dest="selected", action="append", default=[], help="run only tests whose name contains this")
    args = ap.parse_args()

    import grpc

    with tempfile.TemporaryDirectory(prefix="stdfund-py-") as tmp:
        tmp = Path(tmp)
        out = tmp / "generated"
        out.mkdir()
        generate(args.proto, out)
        pb = load_generated(out)
        cluster = None
        if args.postgres:
            from pg_cluster import PgCluster

            cluster = PgCluster.start()
        database_url = cluster.url() if cluster else args.database_url or f"sqlite://{tmp / 'stdfund.sqlite'}"
        tokens = write_tokens(tmp / "tokens.toml")
        port, metrics_port = free_port(), free_port()
        log = tmp / "server.log"
        proc = start_server(args.binary, port, metrics_port, database_url, log, tmp / "tokens.toml")
        addr = f"127.0.0.1:{port}"
        channel = grpc.insecure_channel(addr)
        passed, failed = 0, 0
        try:
            wait_serving(channel, proc)
            ctx = Context(
                root=ROOT,
                binary=args.binary,
                addr=addr,
                metrics_addr=f"127.0.0.1:{metrics_port}",
                database_url=database_url,
                channel=channel,
                pb=pb,
                server_log=log,
                tokens=tokens,
            )
            for name, fn in discover(args.selected):
                started = time.monotonic()
                try:
                    fn(ctx)
                    passed += 1
                    print(f"ok   {name} ({time.monotonic() - started:.2f}s)")
                except Exception:  # noqa: BLE001 - report and go on
                    failed += 1
                    print(f"FAIL {name}")
                    traceback.print_exc()
        except Exception:  # noqa: BLE001
            failed += 1
            print("FAIL harness")
            traceback.print_exc()
        finally:
            channel.close()
            status = stop_server(proc)
            if status != 0:
                failed += 1
                print(f"FAIL server exit status {status} after SIGTERM")
            if failed:
                print("--- server log ---")
                print(log.read_text(errors="replace")[-4000:])
            if cluster is not None:
                cluster.stop()
        print(f"python client: {passed} passed, {failed} failed")
        return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
