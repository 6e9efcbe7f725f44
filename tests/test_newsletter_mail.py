"""Mail settings: STARTTLS and implicit TLS against aiosmtpd with a certificate made for the test
(trusted through MAIL_TLS_CA, refused without it), and MAIL_* values from the environment given
their types at startup."""

import ssl

import pytest
import trustme
from aiosmtpd.smtp import AuthResult

from rsflask import create_app, mail
from tests.mail_server import MailServer

MESSAGE = ("reader@example.org", "Hello", ("Plain text.", "<p>HTML.</p>"), "https://x.example/u")


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    """A certificate authority of the test's own, and a certificate from it for 127.0.0.1."""
    return trustme.CA()


@pytest.fixture
def server_context(ca) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    return context


@pytest.fixture
def ca_file(ca, tmp_path) -> str:
    path = tmp_path / "mail-ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


def serving(app, server: MailServer) -> MailServer:
    app.config.update(MAIL_SERVER=server.host, MAIL_PORT=server.port)
    return server


def test_starttls_upgrades_the_connection_before_logging_in(app, server_context, ca_file):
    logins = []

    def authenticate(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=True)

    server = MailServer(
        tls_context=server_context,
        require_starttls=True,
        authenticator=authenticate,
        auth_required=True,
    )
    app.config.update(
        MAIL_USE_TLS=True, MAIL_TLS_CA=ca_file, MAIL_USERNAME="newsletter", MAIL_PASSWORD="s3cret"
    )
    with serving(app, server):
        mail.send(mail.make_message(*MESSAGE))
    assert server.recipients == ["reader@example.org"] and server.tls == [True]
    # aiosmtpd offers AUTH only over TLS: the login went through the upgraded connection.
    assert logins == [(b"newsletter", b"s3cret")]


def test_implicit_tls_connects_with_tls_from_the_start(app, server_context, ca_file):
    server = MailServer(ssl_context=server_context)
    app.config.update(MAIL_USE_SSL=True, MAIL_TLS_CA=ca_file)
    with serving(app, server):
        mail.send(mail.make_message(*MESSAGE))
    assert server.recipients == ["reader@example.org"] and server.tls == [True]


@pytest.mark.parametrize(
    ("setting", "options"),
    [("MAIL_USE_TLS", {"tls_context": None}), ("MAIL_USE_SSL", {"ssl_context": None})],
    ids=["starttls", "implicit"],
)
def test_a_certificate_from_an_untrusted_authority_is_refused(
    app, server_context, setting, options
):
    # Without MAIL_TLS_CA only the system's authorities are trusted, and the test's is not one.
    server = MailServer(**{name: server_context for name in options})
    app.config[setting] = True
    with serving(app, server), pytest.raises(ssl.SSLCertVerificationError):
        mail.send(mail.make_message(*MESSAGE))
    assert server.messages == []


def test_a_signup_reaches_the_reader_over_starttls(app, client, server_context, ca_file):
    server = MailServer(tls_context=server_context, require_starttls=True)
    app.config.update(MAIL_USE_TLS=True, MAIL_TLS_CA=ca_file, WTF_CSRF_ENABLED=False)
    with serving(app, server):
        answer = client.post("/newsletter", data={"email": "reader@example.org"})
    assert answer.status_code == 303 and server.tls == [True]


def app_from_environment(tmp_path, monkeypatch, **environment):
    """create_app itself, not the tests' make_app, whose test settings would hide the variables."""
    monkeypatch.setenv("RSFLASK_INSTANCE_PATH", str(tmp_path))
    for name, value in environment.items():
        monkeypatch.setenv(f"RSFLASK_{name}", value)
    return create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}"})


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("False", False),
        ("false", False),
        ("0", False),
        ("no", False),
        ("", False),
        ("True", True),
        ("true", True),
        ("1", True),
        ("YES", True),
    ],
)
def test_mail_switches_from_the_environment_are_booleans(tmp_path, monkeypatch, written, meant):
    app = app_from_environment(tmp_path, monkeypatch, MAIL_USE_SSL=written, MAIL_USE_TLS=written)
    assert app.config["MAIL_USE_SSL"] is meant and app.config["MAIL_USE_TLS"] is meant


def test_mail_text_and_numbers_from_the_environment_keep_their_types(tmp_path, monkeypatch):
    app = app_from_environment(
        tmp_path,
        monkeypatch,
        MAIL_PORT="587",
        MAIL_TIMEOUT="2.5",
        MAIL_USERNAME="12345",
        MAIL_PASSWORD="null",
        MAIL_SERVER="true",
    )
    config = app.config
    assert (config["MAIL_PORT"], config["MAIL_TIMEOUT"]) == (587, 2.5)
    # As written: JSON would have made 12345 a number, null no value at all, true a boolean.
    assert (config["MAIL_USERNAME"], config["MAIL_PASSWORD"]) == ("12345", "null")
    assert config["MAIL_SERVER"] == "true"


@pytest.mark.parametrize(
    ("name", "value", "error"),
    [
        ("MAIL_USE_TLS", "maybe", "MAIL_USE_TLS must be true or false, not 'maybe'"),
        ("MAIL_USE_SSL", "2", "MAIL_USE_SSL must be true or false, not 2"),
        ("MAIL_PORT", "smtp", "MAIL_PORT must be a number, not 'smtp'"),
    ],
)
def test_a_mail_setting_that_cannot_be_meant_stops_the_start(
    tmp_path, monkeypatch, name, value, error
):
    with pytest.raises(ValueError, match=error):
        app_from_environment(tmp_path, monkeypatch, **{name: value})


@pytest.mark.parametrize("written", ["123456", "true", "null", "[1, 2]", "plain"])
def test_text_mail_settings_stay_as_written(tmp_path, monkeypatch, written):
    app = app_from_environment(tmp_path, monkeypatch, MAIL_PASSWORD=written, MAIL_SERVER=written)
    assert app.config["MAIL_PASSWORD"] == written and app.config["MAIL_SERVER"] == written


def test_settings_given_to_create_app_win_over_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("RSFLASK_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("RSFLASK_MAIL_PASSWORD", "123456")
    uri = f"sqlite:///{tmp_path / 'x.sqlite3'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "MAIL_PASSWORD": 123456})
    # Given as a number here, it is still text for smtplib; not the environment's value.
    assert app.config["MAIL_PASSWORD"] == "123456"
    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "MAIL_PASSWORD": "from the settings"})
    assert app.config["MAIL_PASSWORD"] == "from the settings"


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_a_password_of_digits_logs_in(tmp_path, monkeypatch):
    """Read as JSON, it would reach smtplib as a number, and the login fail with a TypeError."""
    logins = []

    def authenticate(server, session, envelope, mechanism, auth_data):
        logins.append(auth_data.password)
        return AuthResult(success=True)

    server = MailServer(authenticator=authenticate, auth_required=True, auth_require_tls=False)
    app = app_from_environment(
        tmp_path,
        monkeypatch,
        MAIL_SERVER=server.host,
        MAIL_PORT=str(server.port),
        MAIL_USERNAME="newsletter",
        MAIL_PASSWORD="123456",
    )
    with app.app_context(), server:
        mail.send(mail.make_message(*MESSAGE))
    assert logins == [b"123456"] and server.recipients == ["reader@example.org"]
