"""Issue 18: directory sign-in against a real OpenLDAP server (Debian's slapd), started here
in a temporary directory on a loopback port and seeded with an LDIF of a few people.

Marked `ldap`. It never skips: without slapd it fails saying how to install it."""

import shutil
import socket
import subprocess
import time

import ldap
import pytest
from django.test import override_settings
from django_auth_ldap.config import LDAPSearch

from portal.models import Role
from tests.factories import EmployeeFactory, UserFactory

pytestmark = [pytest.mark.ldap, pytest.mark.django_db]

SUFFIX = "dc=example,dc=tw"
ADMIN, ADMIN_PASSWORD = f"cn=admin,{SUFFIX}", "directory-admin"
CONFIG = """include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile {tmp}/slapd.pid
database mdb
maxsize 10485760
suffix "{suffix}"
rootdn "{admin}"
rootpw {password}
directory {tmp}/db
"""
PEOPLE = """dn: {suffix}
objectClass: dcObject
objectClass: organization
dc: example
o: Example

dn: ou=people,{suffix}
objectClass: organizationalUnit
ou: people

dn: uid=ming,ou=people,{suffix}
objectClass: inetOrgPerson
uid: ming
cn: Wang Hsiao-ming
sn: Wang
mail: ming@example.tw
userPassword: ming-directory-pw

dn: uid=stranger,ou=people,{suffix}
objectClass: inetOrgPerson
uid: stranger
cn: Stranger
sn: Stranger
mail: stranger@example.tw
userPassword: stranger-directory-pw
"""


def _tool(name: str) -> str:
    path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin")
    if path is None:
        pytest.fail(
            f"{name} is missing: install Debian's slapd and ldap-utils (`make system-packages`, "
            "or apt-get install slapd ldap-utils)",
            pytrace=False,
        )
    return path


@pytest.fixture
def directory(tmp_path):
    """A running slapd seeded with PEOPLE; yields its URI."""
    slapd, ldapadd = _tool("slapd"), _tool("ldapadd")
    (tmp_path / "db").mkdir()
    config = tmp_path / "slapd.conf"
    config.write_text(CONFIG.format(tmp=tmp_path, suffix=SUFFIX, admin=ADMIN, password=ADMIN_PASSWORD))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    uri = f"ldap://127.0.0.1:{port}"
    server = subprocess.Popen(
        [slapd, "-d", "0", "-f", str(config), "-h", uri], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        for _ in range(100):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if server.poll() is not None:
                pytest.fail(
                    f"slapd did not start: {server.stdout.read().decode(errors='replace')[-2000:]}", pytrace=False
                )
            time.sleep(0.1)
        seed = tmp_path / "people.ldif"
        seed.write_text(PEOPLE.format(suffix=SUFFIX))
        subprocess.run(
            [ldapadd, "-x", "-H", uri, "-D", ADMIN, "-w", ADMIN_PASSWORD, "-f", str(seed)],
            check=True,
            capture_output=True,
        )
        with override_settings(
            AUTHENTICATION_BACKENDS=[
                "axes.backends.AxesStandaloneBackend",
                "django.contrib.auth.backends.ModelBackend",
                "portal.directory.DirectoryBackend",
            ],
            AUTH_LDAP_SERVER_URI=uri,
            AUTH_LDAP_BIND_DN=ADMIN,
            AUTH_LDAP_BIND_PASSWORD=ADMIN_PASSWORD,
            AUTH_LDAP_USER_SEARCH=LDAPSearch(f"ou=people,{SUFFIX}", ldap.SCOPE_SUBTREE, "(uid=%(user)s)"),
            PORTAL_LDAP_MATCH="username",
        ):
            yield uri
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def ming():
    """王小明's account, made from the roster: 帳號 ming, no usable local password."""
    return UserFactory(username="ming", role=Role.EMPLOYEE, employee=EmployeeFactory(name="王小明"))


def test_a_directory_user_signs_in_and_sees_their_own_standing(client, directory, ming):
    response = client.post("/accounts/login/", {"username": "ming", "password": "ming-directory-pw"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(ming.pk)
    standing = client.get("/incentives/me/")
    assert standing.status_code == 200
    page = standing.content.decode()
    # Their own standing page, signed in as the roster's account.
    assert "我的獎勵案" in page and "ming（公務人員）" in page


def test_a_wrong_directory_password_is_refused(client, directory, ming):
    response = client.post("/accounts/login/", {"username": "ming", "password": "not-the-password"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "帳號或密碼錯誤，請再試一次。" in response.content.decode()
    assert "目錄帳號驗證成功" not in response.content.decode()


def test_a_directory_user_without_an_employee_is_refused_with_a_clear_message(client, directory, ming):
    response = client.post("/accounts/login/", {"username": "stranger", "password": "stranger-directory-pw"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "目錄帳號驗證成功，但入口網站沒有對應的人員帳號" in response.content.decode()
    assert not type(ming).objects.filter(username="stranger").exists()


def test_local_accounts_keep_working_beside_the_directory(client, directory):
    local = UserFactory(username="local-hr", role=Role.HR)
    local.set_password("Local-password-2026")
    local.save()
    client.post("/accounts/login/", {"username": "local-hr", "password": "Local-password-2026"})
    assert client.session["_auth_user_id"] == str(local.pk)
