"""The catalogue's login: the RDS secret's JSON, kept for a while, fetched again on demand; errors name no value."""

from __future__ import annotations

import json

import pytest

from thumbnailer.catalogue.credentials import Endpoint, EnvironmentLogin, SecretLogin, parse_secret
from thumbnailer.errors import CredentialsError

ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"


def test_the_rds_secret_shape_with_and_without_dbname():
    login = parse_secret(json.dumps({"host": "h", "port": 3307, "username": "u", "password": "p", "dbname": "d"}), ARN)
    assert (login.host, login.port, login.user, login.password, login.database) == ("h", 3307, "u", "p", "d")
    login = parse_secret(json.dumps({"host": "h", "username": "u", "password": "p", "engine": "mysql"}), ARN)
    assert (login.port, login.database) == (3306, None)
    assert "p" not in repr(login).replace("port", ""), "the password is not in the login's repr"


def test_a_secret_rds_manages_holds_only_the_user_and_the_configuration_says_where_the_database_is():
    managed = json.dumps({"username": "admin", "password": "p"})
    with pytest.raises(CredentialsError, match=r"has no host \(or give the module's database.host\)"):
        parse_secret(managed, ARN)
    login = parse_secret(managed, ARN, Endpoint("db.internal", 3307, "media"))
    assert (login.host, login.port, login.user, login.database) == ("db.internal", 3307, "admin", "media")
    full = json.dumps({"host": "old", "port": 3306, "username": "u", "password": "p", "dbname": "d"})
    assert parse_secret(full, ARN, Endpoint("proxy.internal")).host == "proxy.internal", "the configuration wins"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "is not JSON"),
        ("[1, 2]", "is not a JSON object"),
        (json.dumps({"host": "h", "password": "s3cret-x"}), "has no username"),
        (json.dumps({"host": "h", "username": "u", "password": "s3cret-x", "port": 70000}), "port must be"),
    ],
)
def test_a_bad_secret_names_the_arn_and_the_key_never_a_value(value, message):
    with pytest.raises(CredentialsError, match=message) as raised:
        parse_secret(value, ARN)
    assert ARN in str(raised.value) and "s3cret" not in str(raised.value)


class Client:
    def __init__(self):
        self.calls = 0
        self.password = "one"

    def get_secret_value(self, SecretId):
        assert SecretId == ARN
        self.calls += 1
        return {"SecretString": json.dumps({"host": "h", "username": "u", "password": self.password})}


def test_the_secret_is_fetched_once_then_again_after_its_time_to_live_or_on_refresh():
    """Kept 15 minutes by default (README: "kept 15 minutes")."""
    client, now = Client(), [0.0]
    login = SecretLogin(client, ARN, clock=lambda: now[0])
    assert [login.get().password for _ in range(3)] == ["one"] * 3 and client.calls == 1
    client.password = "two"
    now[0] = 899.0
    assert login.get().password == "one" and client.calls == 1
    assert login.refresh().password == "two" and client.calls == 2
    client.password = "three"
    now[0] = 899.0 + 900
    assert login.get().password == "three" and client.calls == 3


def test_the_environment_fallback_needs_a_user():
    with pytest.raises(CredentialsError, match="DB_USER must be set with DB_HOST"):
        EnvironmentLogin({"DB_HOST": "h"})
