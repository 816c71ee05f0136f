"""The API's one pagination: limit/offset with a ceiling, and a 400 for numbers no page could have."""

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination

MAX_LIMIT = 1000
# Far past any table's size, yet inside every database's integer range (a bigger OFFSET is a database error).
MAX_OFFSET = 2_147_483_647


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    """`limit` above MAX_LIMIT is lowered to it; a limit or offset that is not a whole number in range is a 400."""

    max_limit = MAX_LIMIT

    def get_limit(self, request):
        limit = _whole_number(request, self.limit_query_param, minimum=1, maximum=None)
        return self.default_limit if limit is None else min(limit, self.max_limit)

    def get_offset(self, request):
        return _whole_number(request, self.offset_query_param, minimum=0, maximum=MAX_OFFSET) or 0

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        bounds = {
            self.limit_query_param: {"minimum": 1, "maximum": MAX_LIMIT},
            self.offset_query_param: {"minimum": 0, "maximum": MAX_OFFSET},
        }
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        return parameters


def _whole_number(request, name, *, minimum, maximum):
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    # Checked as text first: int() of a thousand digits is slow, and a huge value would reach the database.
    digits = raw.strip()
    within = digits.isascii() and digits.isdigit() and len(digits) <= 18
    value = int(digits) if within else None
    if value is None or value < minimum or (maximum is not None and value > maximum):
        top = "" if maximum is None else f" to {maximum}"
        raise ValidationError({name: [f"{name} must be a whole number from {minimum}{top}."]})
    return value
