"""``./bin/serve`` keeps the database's addresses those of the server it starts."""

import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import devctl


def test_served_addresses_follow_the_port():
    assert devctl.served_addresses(8074) == {
        "web.base.url": "http://localhost:8074",
        "web.base.url.freeze": "True",
        "report.url": "http://127.0.0.1:8074",
    }


def _psql(db, sql):
    return subprocess.run(["psql", "-X", "-tAq", "-d", db, "-c", sql],
                          capture_output=True, text=True, check=True).stdout


@pytest.fixture
def database():
    """A scratch database with Odoo's system parameter table, dropped afterwards."""
    if not shutil.which("psql") or subprocess.run(["pg_isready", "-q"], check=False).returncode:
        pytest.skip("no PostgreSQL to write to")
    name = f"credit_serve_{uuid.uuid4().hex[:8]}"
    subprocess.run(["createdb", name], check=True)
    try:
        _psql(name, "CREATE TABLE ir_config_parameter (id serial PRIMARY KEY, key varchar NOT NULL UNIQUE, "
                    "value text NOT NULL, create_uid int, create_date timestamp, write_uid int, write_date timestamp)")
        _psql(name, "INSERT INTO ir_config_parameter (key, value) VALUES ('web.base.url', 'http://elsewhere:8069')")
        yield name
    finally:
        devctl.drop_db(name)


def test_serving_on_another_port_rewrites_the_addresses(database):
    devctl.set_served_addresses(database, 8074)
    devctl.set_served_addresses(database, 9001)
    rows = _psql(database, "SELECT key, value FROM ir_config_parameter").split()
    assert dict(row.split("|") for row in rows) == {
        "report.url": "http://127.0.0.1:9001",
        "web.base.url.freeze": "True",
        "web.base.url": "http://localhost:9001",
    }
