"""The deployment files agree with the code: compose.yaml wires db, migrate, api and worker
to one PostgreSQL, and the Dockerfile builds a CPU-only, non-root image with a health check.
Static checks only: no Docker needed."""

import json
import shlex
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy.engine import URL, make_url
from typer.testing import CliRunner

from synth.cli import app

REPO = Path(__file__).resolve().parents[1]
SYNTH_SERVICES = ("migrate", "api", "worker")
TORCH_PIN = "torch==2.13.0"


def _compose() -> dict[str, Any]:
    loaded = yaml.safe_load((REPO / "compose.yaml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def _service(name: str) -> dict[str, Any]:
    services = _compose()["services"]
    assert name in services, f"compose.yaml has no {name} service"
    service = services[name]
    assert isinstance(service, dict)
    return service


def _command(service: dict[str, Any]) -> list[str]:
    command = service["command"]
    return shlex.split(command) if isinstance(command, str) else [str(a) for a in command]


def _environment(service: dict[str, Any]) -> dict[str, str | None]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        found: dict[str, str | None] = {}
        for item in env:
            key, sep, value = str(item).partition("=")
            found[key] = value if sep else None
        return found
    return {str(key): None if value is None else str(value) for key, value in env.items()}


def _depends_on(service: dict[str, Any], name: str) -> str:
    """The condition `service` waits for on `name` (short syntax means service_started)."""
    depends = service.get("depends_on") or {}
    if isinstance(depends, list):
        assert name in depends
        return "service_started"
    assert name in depends, f"does not depend on {name}"
    return str(depends[name].get("condition", "service_started"))


def _database_url(name: str) -> URL:
    url = _environment(_service(name)).get("SYNTH_DATABASE_URL")
    assert url, f"{name} has no SYNTH_DATABASE_URL"
    return make_url(url)


def _instructions() -> list[tuple[str, str]]:
    """The Dockerfile as (INSTRUCTION, arguments), continuation lines joined."""
    text = (REPO / "Dockerfile").read_text(encoding="utf-8")
    logical: list[str] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        logical.append(pending + line)
        pending = ""
    pairs = [tuple(line.split(None, 1)) for line in logical]
    return [(pair[0].upper(), pair[1] if len(pair) > 1 else "") for pair in pairs]


def _final_stage() -> list[tuple[str, str]]:
    instructions = _instructions()
    last_from = max(i for i, (op, _) in enumerate(instructions) if op == "FROM")
    return instructions[last_from:]


def _parses(args: list[str]) -> None:
    """`synth ARGS... --help` succeeds: the command exists and takes every option named (click
    rejects an unknown option while parsing, before the eager --help stops the run)."""
    assert args[0] == "synth"
    result = CliRunner().invoke(app, [*args[1:], "--help"])
    assert result.exit_code == 0, f"{shlex.join(args)}: {result.output}"


def test_compose_has_the_four_services() -> None:
    assert {"db", "migrate", "api", "worker"} <= set(_compose()["services"])


def test_db_is_pgvector_with_a_volume_and_pg_isready() -> None:
    db = _service("db")
    assert db["image"].startswith("pgvector/pgvector:pg17")
    volumes = [str(v).split(":") for v in db["volumes"]]
    assert any(
        v[1] == "/var/lib/postgresql/data" and v[0] in _compose()["volumes"] for v in volumes
    )
    assert "pg_isready" in db["healthcheck"]["test"]


@pytest.mark.parametrize("name", SYNTH_SERVICES)
def test_synth_services_use_the_db_service(name: str) -> None:
    url = _database_url(name)
    db_env = _environment(_service("db"))
    assert url.drivername == "postgresql+psycopg"  # what synth.db.engine connects with
    assert (url.host, url.port) == ("db", 5432)
    assert url.username == db_env["POSTGRES_USER"]
    assert url.database == db_env["POSTGRES_DB"]
    assert url.password is None, "the password belongs in deploy/.env (PGPASSWORD)"
    assert _depends_on(_service(name), "db") == "service_healthy"


def test_migrate_runs_db_upgrade_once() -> None:
    migrate = _service("migrate")
    assert _command(migrate) == ["synth", "db", "upgrade"]
    assert str(migrate.get("restart", "no")) == "no"


@pytest.mark.parametrize("name", ["api", "worker"])
def test_api_and_worker_start_after_migrations_succeed(name: str) -> None:
    service = _service(name)
    assert _depends_on(service, "migrate") == "service_completed_successfully"
    assert service["restart"] == "unless-stopped"
    assert service.get("stop_grace_period"), "in-flight work needs time to stop"


def test_worker_runs_synth_worker() -> None:
    worker = _service("worker")
    assert _command(worker)[:2] == ["synth", "worker"]
    assert worker["healthcheck"] == {"disable": True}  # the image's check is the API's


def test_api_serves_on_8000_and_checks_healthz() -> None:
    api = _service("api")
    command = _command(api)
    assert command[:2] == ["synth", "serve"]
    assert command[command.index("--host") + 1] == "0.0.0.0"
    assert any(str(port).endswith(":8000") for port in api["ports"])
    assert "/healthz" in " ".join(api["healthcheck"]["test"])


def test_secrets_come_from_the_env_file() -> None:
    example = (REPO / "deploy" / ".env.example").read_text(encoding="utf-8")
    for name in ("POSTGRES_PASSWORD", "PGPASSWORD", "SYNTH_MODEL", "SYNTH_ALLOWED_MODELS"):
        assert f"{name}=" in example
    for name in ("db", *SYNTH_SERVICES):
        paths = [e["path"] if isinstance(e, dict) else e for e in _service(name)["env_file"]]
        assert "deploy/.env" in paths
    assert ".env" in (REPO / "deploy" / ".gitignore").read_text(encoding="utf-8").split()


@pytest.mark.parametrize("name", SYNTH_SERVICES)
def test_compose_commands_parse_with_the_cli(name: str) -> None:
    _parses(_command(_service(name)))


def test_dockerfile_is_multi_stage_on_python_311_slim() -> None:
    bases = [args.split()[0] for op, args in _instructions() if op == "FROM"]
    assert len(bases) >= 2
    assert all(base == "python:3.11-slim" for base in bases)


def test_dockerfile_pins_cpu_torch_like_pyproject() -> None:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert TORCH_PIN in pyproject["project"]["dependencies"]
    torch_runs = [args for op, args in _instructions() if op == "RUN" and TORCH_PIN in args]
    assert any("download.pytorch.org/whl/cpu" in args for args in torch_runs)


def test_dockerfile_runs_as_a_non_root_user() -> None:
    users = [args.split(":")[0] for op, args in _final_stage() if op == "USER"]
    assert users, "the final stage sets no USER"
    assert users[-1] not in ("root", "0")


def test_dockerfile_checks_healthz_and_serves_offline() -> None:
    final = _final_stage()
    healthchecks = [args for op, args in final if op == "HEALTHCHECK"]
    assert healthchecks and "/healthz" in healthchecks[-1]
    env = " ".join(args for op, args in final if op == "ENV")
    assert "HF_HUB_OFFLINE=1" in env
    assert "LITELLM_LOCAL_MODEL_COST_MAP=True" in env
    cmd = json.loads(next(args for op, args in reversed(final) if op == "CMD"))
    assert cmd[:2] == ["synth", "serve"] and cmd[cmd.index("--host") + 1] == "0.0.0.0"
    _parses(cmd)


def test_dockerignore_lets_in_what_the_dockerfile_copies() -> None:
    lines = (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines()
    rules = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    assert rules[0] == "*", "deny by default: tests, data and deploy/.env stay out"
    allowed = {rule[1:].rstrip("/") for rule in rules if rule.startswith("!")}
    for op, args in _instructions():
        if op == "COPY" and "--from" not in args:
            for source in args.split()[:-1]:
                assert source.rstrip("/") in allowed, f"{source} is not in the build context"
