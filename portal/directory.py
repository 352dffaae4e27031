"""Directory sign-in (LDAP, Active Directory) beside local accounts, with django-auth-ldap.

Switched on by LDAP_SERVER_URI (settings.py). The directory checks the password; the portal
never creates an account from it: the directory user must match an active account made from
the roster, by its 帳號 (PORTAL_LDAP_MATCH=username, the default) or by e-mail
(PORTAL_LDAP_MATCH=email, read from the directory's LDAP_EMAIL_ATTR). Anyone else is refused
with a message saying why (`DirectoryAuthenticationForm`).
"""

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django_auth_ldap.backend import LDAPBackend

from .models import User

# Set on the request when the directory knew the person but the portal has no account for them.
REFUSED = "_directory_refused"


class DirectoryBackend(LDAPBackend):
    """LDAPBackend that only signs in existing employee accounts; it never builds one."""

    def get_or_build_user(self, username, ldap_user):
        """The active employee account the directory user matches; PermissionDenied otherwise."""
        if getattr(settings, "PORTAL_LDAP_MATCH", "username") == "email":
            values = (
                ldap_user.attrs.get(getattr(settings, "PORTAL_LDAP_EMAIL_ATTR", "mail"), []) if ldap_user.attrs else []
            )
            lookup = {"email__iexact": values[0]} if values else None
        else:
            lookup = {"username": username}
        user = User.objects.filter(employee__isnull=False, is_active=True, **lookup).first() if lookup else None
        if user is None:
            request = getattr(ldap_user, "_request", None) or getattr(self, "_request", None)
            if request is not None:
                setattr(request, REFUSED, True)
            raise PermissionDenied
        return user, False

    def authenticate(self, request, username=None, password=None, **kwargs):
        """Authenticate against the directory, remembering the request for the refusal message."""
        self._request = request
        return super().authenticate(request, username=username, password=password, **kwargs)

    def ldap_to_django_username(self, username):
        """Directory names arrive as typed; accounts are matched as the roster spells them."""
        return username.strip()


class DirectoryAuthenticationForm(AuthenticationForm):
    """The log-in form: says plainly when the directory knows someone the portal does not."""

    def clean(self):
        """As Django's, with a clear refusal for a directory user without an employee account."""
        try:
            return super().clean()
        except ValidationError:
            if self.request is not None and getattr(self.request, REFUSED, False):
                raise ValidationError(
                    _("目錄帳號驗證成功，但入口網站沒有對應的人員帳號，請洽所屬機關人事單位將您列入人員名冊。"),
                    code="no_employee",
                ) from None
            raise
