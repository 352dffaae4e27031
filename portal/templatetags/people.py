from django import template

from portal.permissions import national_id_for

register = template.Library()


@register.filter
def national_id_for_user(national_id: str, user) -> str:
    """`{{ employee.national_id|national_id_for_user:request.user }}`: masked unless HR."""
    return national_id_for(user, national_id)
