"""``make run``: Tagline on one machine with no services to install.

Migrates the SQLite database under var/, loads the demo data (once; seed_demo is idempotent),
then supervises three processes — gunicorn (web), a Celery worker and Celery beat — all on the
embedded filesystem broker in var/broker. Prints the URL and demo logins once the site answers.
Ctrl-C (or SIGTERM) stops all three cleanly.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = os.environ.get("TAGLINE_HOST", "127.0.0.1")
PORT = os.environ.get("TAGLINE_PORT", "8000")
URL = f"http://{HOST}:{PORT}"

DEMO_LOGINS = [
    ("editor", "editor: review agreement, adjudicate, manage the taxonomy"),
    ("tagger1", "tagger: queue and tag page (also tagger2..tagger4)"),
    ("viewer1", "subscriber: personalised rows (also viewer2, viewer3)"),
    ("operator", "operator: rebuild queue and list freshness"),
]
DEMO_PASSWORD = "tagline-demo"  # noqa: S105 - the published demo password, created by seed_demo only


def manage(*args: str) -> None:
    subprocess.run([str(BIN / "python"), "manage.py", *args], cwd=ROOT, check=True)


def wait_until_up(processes: list[subprocess.Popen[bytes]], timeout: float = 90) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in processes):
            return False
        try:
            with urllib.request.urlopen(f"{URL}/healthz", timeout=2) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return True
        except OSError:
            time.sleep(0.5)
    return False


def main() -> int:
    for var in ("DATABASE_URL", "REDIS_URL"):
        if os.environ.get(var):
            print(f"note: {var} is set, so this run uses it instead of the embedded default")
    print("== preparing the database (migrate, demo data)", flush=True)
    manage("migrate", "--no-input", "-v", "0")
    manage("seed_demo")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    commands = {
        "web": [
            str(BIN / "gunicorn"),
            "-c",
            "python:config.gunicorn",
            "config.wsgi:application",
            "--bind",
            f"{HOST}:{PORT}",
            "--access-logfile",
            "-",
            "--access-logformat",
            '%(h)s "%(r)s" %(s)s %(M)sms',
        ],
        "worker": [
            str(BIN / "celery"),
            "-A",
            "config",
            "worker",
            "--loglevel",
            "INFO",
            "--concurrency",
            "2",
            "--hostname",
            "embedded@%h",
        ],
        "beat": [str(BIN / "celery"), "-A", "config", "beat", "--loglevel", "INFO"],
    }
    processes = {name: subprocess.Popen(cmd, cwd=ROOT, env=env) for name, cmd in commands.items()}
    stopping = False

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)

    if wait_until_up(list(processes.values())):
        width = max(len(name) for name, _ in DEMO_LOGINS)
        print("\n" + "=" * 72)
        print(f"  Tagline is running at {URL}   (Ctrl-C stops web, worker and beat)")
        print(f"  Worker and beat run on the embedded broker in {ROOT / 'var' / 'broker'}")
        print(f"  Demo logins (password for all: {DEMO_PASSWORD}):")
        for name, what in DEMO_LOGINS:
            print(f"    {name.ljust(width)}  {what}")
        print(f"  API docs: {URL}/api/docs/   Health: {URL}/healthz")
        print("=" * 72 + "\n", flush=True)
    else:
        print("Tagline did not come up; see the output above.", file=sys.stderr)
        stopping = True

    while not stopping:
        for name, process in processes.items():
            if process.poll() is not None:
                print(
                    f"{name} exited with {process.returncode}; stopping the others", file=sys.stderr
                )
                stopping = True
        time.sleep(0.5)

    for process in processes.values():
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 15
    for process in processes.values():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
    print("Tagline stopped.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
