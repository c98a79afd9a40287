"""A production-like site, for what a single test process would hide: throttles and lockouts kept
per process, long uploads holding a web worker, locks between workers.

It runs the way docs/operations.md says production runs: gunicorn with several worker processes,
``DEBUG=0``, HTTPS (a throwaway self-signed certificate, so secure cookies travel as they would),
collected static files, and, when a test asks for it, a real Celery worker. It has a database of its
own beside the test database: a SQLite file on the embedded default, a database of its own on the
PostgreSQL server under test; the test process never writes to it except through the site or
``Site.manage``. On Redis (``TEST_CELERY_BROKER_URL``) the site's broker and cache live there, in a
database of their own; on the embedded default, in files.

    def test_it_limits_sign_in_across_workers(production_site):
        site = production_site
        site.create_user("clerk", role="dept_admin", department="edu")
        client = site.client()
        ...
"""

import itertools
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import dj_database_url
import pytest
import requests
from requests.adapters import HTTPAdapter

BASE_DIR = Path(__file__).resolve().parent.parent
WEB_WORKERS = 3
PASSWORD = "Production-Site-42"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until(ready, *, timeout: float, what: str, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what} exited with status {process.returncode}")
        try:
            if ready():
                return
        except (OSError, requests.RequestException):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not come up within {timeout} s")


def _own_database(folder: Path) -> tuple[str, callable]:
    """A database URL for the site, and how to remove it afterwards."""
    tested = os.environ.get("DATABASE_URL", "")
    if not tested.startswith("postgres"):
        return f"sqlite:///{folder / 'site.sqlite3'}", lambda: None
    import psycopg2

    config = dj_database_url.parse(tested)
    name = f"registry_site_{uuid.uuid4().hex[:12]}"
    admin = psycopg2.connect(
        dbname="postgres",
        user=config["USER"],
        password=config["PASSWORD"] or None,
        host=config["HOST"],
        port=config["PORT"] or 5432,
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()

    netloc = tested.split("://", 1)[1].rsplit("/", 1)[0]
    return f"postgres://{netloc}/{name}", drop


class _FromAddress(HTTPAdapter):
    """Connects from the given local address, as a client elsewhere on the network would."""

    def __init__(self, address: str):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


# Every client of the site comes from an address of its own on the loopback network (Linux routes all
# of 127.0.0.0/8 there), as people at their own desks do: the site limits sign-ins per address, and
# the tests' clients must not spend one another's. 127.0.0.x is left to the tests that choose theirs.
_addresses = (f"127.0.{n // 250 + 1}.{n % 250 + 1}" for n in itertools.count())


def _self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    certificate, key = folder / "site.crt", folder / "site.key"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            "-keyout", str(key), "-out", str(certificate),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return certificate, key


@dataclass
class Site:
    url: str
    env: dict[str, str]
    folder: Path
    certificate: Path
    processes: list[subprocess.Popen] = field(default_factory=list)
    worker: subprocess.Popen | None = None

    def manage(self, *args: str, stdin: str | None = None) -> str:
        """Run a management command against the site's database and settings; its output."""
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if done.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def python(self, code: str) -> str:
        """Run Python in the site's Django (``manage.py shell``): for the set-up a test needs, through
        the services like any other write."""
        return self.manage("shell", "--no-imports", stdin=code)

    def create_user(self, username: str, *, role: str = "office_admin", department: str | None = None) -> str:
        """A user of the site (``department`` is a unit's code, created if missing); its password."""
        self.python(
            "from accounts import services\n"
            "from registry import services as registry\n"
            "from registry.models import Department\n"
            f"code = {department!r}\n"
            "unit = None\n"
            "if code:\n"
            "    unit = Department.objects.filter(code=code).first() or registry.department_create(\n"
            "        actor=None, name=code, code=code, kind='district_department')\n"
            f"services.user_create(actor=None, username={username!r}, password={PASSWORD!r},\n"
            f"    role={role!r}, department=unit)\n"
        )
        return PASSWORD

    def client(self, address: str | None = None) -> requests.Session:
        """A client of the site that trusts the site's own certificate (and no environment's CA
        bundle, which requests would prefer), and sends a Referer as a browser does, so CSRF checks
        pass as they do for one. It connects from ``address`` (127.x.y.z), else from one of its own."""
        session = requests.Session()
        session.trust_env = False
        session.verify = str(self.certificate)
        session.headers["Referer"] = self.url + "/"
        session.mount("https://", _FromAddress(address or next(_addresses)))
        return session

    def sign_in(self, username: str, password: str = PASSWORD) -> requests.Session:
        """A client signed in through the browser's sign-in form."""
        client = self.client()
        client.get(f"{self.url}/accounts/login/")
        token = client.cookies["csrftoken"]
        form = {"username": username, "password": password, "csrfmiddlewaretoken": token}
        response = client.post(f"{self.url}/accounts/login/", data=form, allow_redirects=False)
        if response.status_code != 302:
            raise AssertionError(f"signing in as {username} answered {response.status_code}")
        return client

    def start_worker(self) -> None:
        """A real Celery worker for the site (idempotent)."""
        if self.worker is not None and self.worker.poll() is None:
            return
        # A name of its own, so that where several sites' workers share a broker this one's answer
        # is the one waited for.
        name = f"worker-{self.url.rsplit(':', 1)[1]}@%h"
        self.worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "-l",
                "warning",
                "-n",
                name,
            ],
            cwd=BASE_DIR,
            env=self.env,
            start_new_session=True,
        )
        self.processes.append(self.worker)
        _wait_until(
            lambda: name.split("@")[0] in self.manage("shell", "--no-imports", stdin=_PING),
            timeout=60,
            what="the Celery worker",
            process=self.worker,
        )

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


_PING = "from config.celery import app\nprint(app.control.ping(timeout=2))\n"


def _redis_beside_the_tests(offset: int) -> str | None:
    """The Redis database ``offset`` from the tests' own (tests/workers.py keeps it free), flushed;
    ``None`` without Redis. Never database 0, the one other programs use when they name none."""
    redis_url = os.environ.get("TEST_CELERY_BROKER_URL", "")
    if not redis_url:
        return None
    base, _, number = redis_url.rpartition("/")
    number = int(number or 0) + offset
    if not 0 < number < 16:
        raise RuntimeError(f"TEST_CELERY_BROKER_URL={redis_url} leaves no Redis database {offset:+d} from it")
    import redis

    own = f"{base}/{number}"
    redis.Redis.from_url(own).flushdb()
    return own


def _broker_and_cache(folder: Path) -> dict[str, str]:
    # The tests' own Redis database is flushed by them; the site takes the one before it.
    own = _redis_beside_the_tests(-1)
    if own:
        return {"CELERY_BROKER_URL": own, "CACHE_URL": own}
    return {"CELERY_BROKER_URL": "filesystem://", "CACHE_URL": f"file://{folder / 'cache'}"}


def _site_env(folder: Path, database_url: str, **more: str) -> dict[str, str]:
    return {
        **{key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "PYTEST"))},
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "AUDIT_TRAIL_KEY": secrets.token_urlsafe(40),
        "AUDIT_ANCHOR_DIR": str(folder / "audit-anchors"),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "VAR_DIR": str(folder / "var"),
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "LOG_LEVEL": "WARNING",
        **more,
    }


def _start_web(site: "Site", key: Path, *, workers: int = WEB_WORKERS) -> None:
    """gunicorn for ``site``, as bin/run-web starts it, answering on the site's URL."""
    port = site.url.rsplit(":", 1)[1]
    web = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "config.wsgi",
            "-c", str(BASE_DIR / "config" / "gunicorn.py"),
            "--bind", f"127.0.0.1:{port}",
            "--workers", str(workers),
            "--certfile", str(site.certificate), "--keyfile", str(key),
            "--timeout", "30", "--log-level", "warning",
        ],
        cwd=BASE_DIR,
        env=site.env,
        start_new_session=True,
    )  # fmt: skip
    site.processes.append(web)
    _wait_until(
        lambda: site.client().get(f"{site.url}/healthz", timeout=2).status_code == 200,
        timeout=60,
        what="gunicorn",
        process=web,
    )


@pytest.fixture(scope="session")
def production_site():
    folder = Path(tempfile.mkdtemp(prefix="registry-site-"))
    database_url, drop_database = _own_database(folder)
    certificate, key = _self_signed_certificate(folder)
    env = _site_env(folder, database_url, **_broker_and_cache(folder))
    site = Site(url=f"https://127.0.0.1:{_free_port()}", env=env, folder=folder, certificate=certificate)
    try:
        site.manage("migrate", "--noinput", "-v0")
        site.manage("collectstatic", "--noinput", "-v0")
        _start_web(site, key)
        yield site
    finally:
        site.stop()
        drop_database()
        shutil.rmtree(folder, ignore_errors=True)


BUCKET = "registry-files"


@dataclass
class Machines:
    """Two machines serving one site, as docs/operations.md lays it out past one machine: on each a
    gunicorn and a Celery worker, with a disk of its own (``VAR_DIR``); between them one PostgreSQL
    database, one Redis (broker, cache, throttles) and one S3-compatible bucket (moto's server) for
    the files people upload and the files the site builds."""

    a: Site
    b: Site

    def __iter__(self):
        return iter((self.a, self.b))


@pytest.fixture(scope="session")
def two_machines():
    if not os.environ.get("DATABASE_URL", "").startswith("postgres") or not os.environ.get(
        "TEST_CELERY_BROKER_URL"
    ):
        pytest.skip(
            "several machines share PostgreSQL and Redis (set DATABASE_URL and TEST_CELERY_BROKER_URL)"
        )
    from moto.server import ThreadedMotoServer

    shared = Path(tempfile.mkdtemp(prefix="registry-machines-"))
    database_url, drop_database = _own_database(shared)
    certificate, key = _self_signed_certificate(shared)
    redis_url = _redis_beside_the_tests(+1)
    s3_port = _free_port()
    s3 = ThreadedMotoServer(ip_address="127.0.0.1", port=s3_port, verbose=False)
    s3.start()
    storage = {
        "S3_BUCKET": BUCKET,
        "S3_ENDPOINT_URL": f"http://127.0.0.1:{s3_port}",
        "S3_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "machines",
        "AWS_SECRET_ACCESS_KEY": "machines-secret",
    }
    secret_key, trail_key = secrets.token_urlsafe(50), secrets.token_urlsafe(40)
    machines = []
    try:
        for name in ("a", "b"):
            folder = shared / name  # the machine's own disk
            env = _site_env(
                folder,
                database_url,
                CELERY_BROKER_URL=redis_url,
                CACHE_URL=redis_url,
                SECRET_KEY=secret_key,  # one site: sessions and signed values travel between them
                AUDIT_TRAIL_KEY=trail_key,
                REGISTRY_EXPORT_XLSX_SYNC_MAX_ROWS="1",  # any longer .xlsx is built by a worker
                **storage,
            )
            machines.append(
                Site(url=f"https://127.0.0.1:{_free_port()}", env=env, folder=folder, certificate=certificate)
            )
        a, b = machines
        a.manage("migrate", "--noinput", "-v0")
        a.python(
            "import boto3\n"
            f"boto3.client('s3', endpoint_url={storage['S3_ENDPOINT_URL']!r}, region_name='us-east-1')"
            f".create_bucket(Bucket={BUCKET!r})\n"
        )
        for machine in machines:
            machine.manage("collectstatic", "--noinput", "-v0")
            _start_web(machine, key, workers=2)
            machine.start_worker()
        yield Machines(a, b)
    finally:
        for machine in machines:
            machine.stop()
        s3.stop()
        drop_database()
        shutil.rmtree(shared, ignore_errors=True)
