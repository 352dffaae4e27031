from django.core.exceptions import ValidationError

from . import nationalid


def validate_national_id(value: str) -> None:
    try:
        nationalid.validate(value)
    except nationalid.NationalIdError as exc:
        raise ValidationError(str(exc), code="national_id") from None
