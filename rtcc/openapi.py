"""The OpenAPI schema is the contract: every operation documents the error answers it can give.

DRF answers 401/403 for a missing key or role, 404 for an unknown id in the path and 400 for a
bad query parameter or body, on every operation; drf-spectacular documents none of these unless
each view says so. This schema class adds each one an operation does not declare itself.
"""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

ErrorDetail = inline_serializer("ErrorDetail", {"detail": serializers.CharField()})

NOT_SIGNED_IN = OpenApiResponse(ErrorDetail, description="No or unknown credentials (session, device or intake key).")
FORBIDDEN = OpenApiResponse(ErrorDetail, description="The caller's role or key may not use this operation.")
NOT_FOUND = OpenApiResponse(ErrorDetail, description="No such record, or none the caller may see.")
INVALID = OpenApiResponse(
    OpenApiTypes.OBJECT, description="Invalid input: each field or parameter in error with its reasons."
)


class ContractSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        errors = {"401": NOT_SIGNED_IN, "403": FORBIDDEN}
        if "{" in self.path:
            errors["404"] = NOT_FOUND
        if self.method in ("POST", "PUT", "PATCH") or self._get_pagination_parameters() or self._query_params():
            errors["400"] = INVALID
        for code, answer in errors.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(answer, code, direction=direction)
        return responses

    def _query_params(self):
        return [p for p in self.get_override_parameters() if getattr(p, "location", None) == "query"]
