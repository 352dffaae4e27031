"""A plan whose rules cannot be read is said in Chinese on any page that needs them, never a 500."""

from django.shortcuts import render

from .kinds import RuleParameterError


class RuleParameterErrorMiddleware:
    """Answers a view that met a plan's unreadable rules (`kinds.RuleParameterError`) with the
    problems, each naming the plan, the rule and the field, and where HR corrects them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, RuleParameterError):
            return render(request, "incentives/rule_problems.html", {"problems": exception.messages}, status=409)
        return None
