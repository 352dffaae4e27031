"""Log-in lockout with one limit per lockout parameter (issue 15, item 5).

django-axes counts failures per parameter set (settings.AXES_LOCKOUT_PARAMETERS) but
compares them all with one AXES_FAILURE_LIMIT. We want two limits:
- per username, across addresses (AXES_FAILURE_LIMIT, 5): one account guessed from many
  addresses is locked;
- per address, across usernames (AXES_IP_FAILURE_LIMIT, higher): one password sprayed over
  many accounts from one address is limited, while a government office, whose staff share
  one outgoing address, is not locked by a few people's typos.
"""

from axes.conf import settings
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.db.models import Sum


def limit_of(parameters) -> int | None:
    """The failure limit of one lockout parameter set; None: AXES_FAILURE_LIMIT."""
    names = (parameters,) if isinstance(parameters, str) else tuple(parameters)
    return settings.AXES_IP_FAILURE_LIMIT if names == ("ip_address",) else None


class LockoutHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials: dict | None = None) -> int:
        """The failures of the worst parameter set, scaled to AXES_FAILURE_LIMIT.

        Axes compares this one number with AXES_FAILURE_LIMIT; a set with its own limit L has
        its count f scaled to f * limit // L, which reaches `limit` exactly when f reaches L.
        """
        limit = get_failure_limit(request, credentials)
        worst = 0
        for parameters, attempts in zip(settings.AXES_LOCKOUT_PARAMETERS, self.get_user_attempts(request, credentials)):
            failures = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            own = limit_of(parameters) or limit
            worst = max(worst, failures * limit // own)
        return worst

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        """On a successful log-in, forget only that person's own failures from that address.

        Axes' default deletes every attempt matching any parameter set, so an attacker holding
        one valid account could clear the address's count between rounds of spraying by
        logging in to it; failures on the account from other addresses stay too.
        """
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(username=username, ip_address=request.axes_ip_address).delete()
        return count
