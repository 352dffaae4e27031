import logging

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.utils import translation
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

logger = logging.getLogger(__name__)


class PreferredLanguageMiddleware:
    """Traditional Chinese unless the person chose another language (set_language cookie).

    Browsers in government offices often send English Accept-Language headers; the
    portal's working language is zh-Hant, so the header is deliberately not consulted.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class SecurityHeadersMiddleware:
    """Content-Security-Policy and the permissions policy on every response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


class BadQueryInputMiddleware:
    """A query value the database or the admin cannot take answers 400 in Chinese, never 500.

    A NUL byte in any query value is refused before the view runs.

    Views read their own parameters with `portal.params`; this is the net under the parts
    we do not write ourselves: the admin's changelist filters and django-import-export's
    export page, where `?agency=` followed by 23 digits reaches the database as is (SQLite
    raises OverflowError, PostgreSQL NumericValueOutOfRange, a DataError), and where an
    unknown filter raises IncorrectLookupParameters (the changelist itself turns that into
    `?e=1`, the export page does not).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # PostgreSQL text cannot hold a NUL byte (psycopg raises before the query is sent),
        # and no search, slug or order number has one: refuse it in any query value up front.
        if any("\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()):
            from django.http import HttpResponseBadRequest
            from django.utils.translation import gettext as _

            logger.warning("query with a NUL byte refused: %s %s", request.method, request.path)
            return HttpResponseBadRequest(
                _("網址含有空字元（NUL），無法處理；請確認網址後重試。"), content_type="text/plain; charset=utf-8"
            )
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.contrib.admin.options import IncorrectLookupParameters
        from django.db import DataError
        from django.http import HttpResponseBadRequest
        from django.utils.translation import gettext as _

        if isinstance(exception, IncorrectLookupParameters):
            message = _("網址中的篩選條件無法辨識，請回到列表重新選擇。")
        elif isinstance(exception, OverflowError) or (
            isinstance(exception, DataError) and "out of range" in str(exception)
        ):
            message = _("網址或表單中的數值超出可接受的範圍，請確認後重試。")
        else:
            return None
        logger.warning("bad query input refused: %s %s (%s)", request.method, request.path, type(exception).__name__)
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


class ConflictMiddleware:
    """A deadlock or serialisation failure that outlived the services' retries
    (portal.statemachine.retry_on_conflict) is answered with a message and a way back, never a 500.

    A POST is redirected (303) to the page it came from with the message; any other request
    gets a 503 in Chinese that asks to try again. Nothing was written: the transaction was
    rolled back by PostgreSQL.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.contrib import messages
        from django.http import HttpResponse
        from django.utils.http import url_has_allowed_host_and_scheme
        from django.utils.translation import gettext as _

        from .statemachine import is_conflict

        if not is_conflict(exception):
            return None
        logger.warning("%s %s: database conflict after retries", request.method, request.path)
        text = _("同時有其他人處理相同資料，本次操作未完成，請重新整理頁面後再試一次。")
        if request.method == "POST":
            messages.error(request, text)
            back = request.META.get("HTTP_REFERER", "")
            if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
                back = request.path
            return _see_other(back)
        return HttpResponse(text, status=503, content_type="text/plain; charset=utf-8")


def _see_other(url):
    from django.http import HttpResponseRedirect

    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


class CachedAuthenticationMiddleware(AuthenticationMiddleware):
    """Django's AuthenticationMiddleware, with the signed-in user read from the never-stale page
    cache (portal.pagecache) when it is on: the user row is kept under the data generation, so
    any write to it (a role, a password, a closed account) is read afresh at once. The session's
    hash is checked against the cached user as Django checks it; anything else (no session,
    another secret, a mismatch) takes Django's own path. A cached page then reads no table at
    all (issue 20)."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _cached_user(request))


def _cached_user(request):
    from django.db import connection

    from . import pagecache

    if not hasattr(request, "_cached_user"):
        request._cached_user = _user_from_cache(request) if pagecache.may_use(connection) else None
        if request._cached_user is None:
            request._cached_user = auth.get_user(request)
    return request._cached_user


def _user_from_cache(request):
    """The session's user from the cache (storing it on a miss), or None for Django's path."""
    from . import pagecache

    try:
        user_id = request.session[auth.SESSION_KEY]
        backend_path = request.session[auth.BACKEND_SESSION_KEY]
        session_hash = request.session[auth.HASH_SESSION_KEY]
    except KeyError:
        return None
    generation, user = pagecache.lookup("user", user_id, backend_path)
    if user is None:
        user = auth.get_user(request)
        if user.is_authenticated:
            pagecache.store(generation, user, "user", user_id, backend_path)
        return user
    if not constant_time_compare(session_hash, user.get_session_auth_hash()):
        return None
    return user
