"""Shared set-up of the benchmarks: a fresh database, the sandbox and a worker as processes."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PARTNER_ID = 2001887
PARTNER_KEY = "bench-partner-key"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def configure(name: str, *, sandbox_url: str = "http://127.0.0.1:9", fresh: bool = True) -> dict:
    """Point this process at a SQLite file (or $BENCH_DATABASE_URL), emptied when `fresh`, and
    set Django up. Returns the environment that worker processes must share.
    """
    if "BENCH_DATABASE_URL" in os.environ:
        database_url = os.environ["BENCH_DATABASE_URL"]
    else:
        path = ROOT / "var" / "bench" / f"{name}.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm") if fresh else ():
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        database_url = f"sqlite:///{path}"
    env = {
        "DJANGO_SETTINGS_MODULE": "shopadmin.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_STATIC_MANIFEST": "false",
        "DJANGO_ALLOWED_HOSTS": "testserver,localhost",
        "DATABASE_URL": database_url,
        "SHOPEE_PARTNER_ID": str(PARTNER_ID),
        "SHOPEE_PARTNER_KEY": PARTNER_KEY,
        "SHOPEE_API_BASE_URL": sandbox_url,
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql" and fresh:
        call_command("flush", "--noinput", verbosity=0)
    call_command("migrate", verbosity=0)
    return env


def start_sandbox() -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and package
        [sys.executable, "-m", "sandbox", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    for line in process.stdout:
        if line.startswith("Sandbox listening"):
            break
    return process, f"http://127.0.0.1:{port}"


def start_worker(env: dict, log_path: Path) -> subprocess.Popen:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    # BENCH_PROFILE=<file>: run the worker under cProfile, its stats written to <file> when the
    # worker stops (read them with `python -m pstats <file>`).
    profile = (
        ["-m", "cProfile", "-o", os.environ["BENCH_PROFILE"]]
        if "BENCH_PROFILE" in os.environ
        else []
    )
    return subprocess.Popen(  # noqa: S603 - our own interpreter and manage.py
        [
            sys.executable,
            *profile,
            "manage.py",
            "db_worker",
            "--no-reload",
            "--interval",
            "0.1",
            "--no-startup-delay",
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=log_path.open("wb"),
        stderr=subprocess.STDOUT,
    )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


def process_cpu_s(pid: int | None = None) -> float:
    """CPU seconds (user + system, every thread) a process has used so far: this one when `pid`
    is None. Read from /proc, so a worker process can be measured from outside.
    """
    if pid is None:
        return time.process_time()
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load_average() -> str:
    """The machine's 1-minute load average and core count (the benches share the machine)."""
    return f"{os.getloadavg()[0]:.2f}/{os.cpu_count()}"


def emit(figures: dict) -> None:
    """The benchmark's figures, last, one name=value a line."""
    for name, value in figures.items():
        print(f"{name}={value:.3f}" if isinstance(value, float) else f"{name}={value}")


def wait_until(condition, timeout: float, poll: float = 0.05) -> float:
    started = time.perf_counter()
    while not condition():
        if time.perf_counter() - started > timeout:
            raise TimeoutError("the benchmark did not finish in time")
        time.sleep(poll)
    return time.perf_counter()
