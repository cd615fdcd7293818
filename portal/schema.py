"""The OpenAPI schema (drf-spectacular): what every operation may answer, written once here.

Each view documents its own answers. The ones that come from the framework around it are added
here, so no operation forgets them: 401 wherever a token is read (a wrong or expired token is
refused even where signing in is optional), 429 wherever a rate limit counts, 400 wherever a
body is parsed (malformed or too deeply nested JSON, requestlimits/parsers.py). The citizen ID's
pattern goes on every request field that takes one.
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema

from registry.citizen_id import PROVINCE_CODES
from registry.typed_text import typed_text_pattern

ERROR_BODY = {
    "application/json": {
        "schema": {
            "type": "object",
            "properties": {"detail": {"type": "string"}},
            "required": ["detail"],
        }
    }
}
# The structure registry/citizen_id.py checks: a province code of birth registration, then nine
# digits (gender and century, year of birth, serial). Spaces are tolerated on input, not promised.
CITIZEN_ID_DIGITS = "(?:{})[0-9]{{9}}".format("|".join(sorted(PROVINCE_CODES)))
CITIZEN_ID = {
    "pattern": f"^{CITIZEN_ID_DIGITS}$",
    "description": "A citizen ID (số định danh cá nhân): 12 digits, the first three a province code "
    "(Decree 137/2015/NĐ-CP).",
}


class AutoSchema(SpectacularAutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses = operation["responses"]
        if "requestBody" in operation:
            responses.setdefault(
                "400",
                {
                    "description": "Invalid data, or a body that is not JSON or nests too deep.",
                    "content": ERROR_BODY,
                },
            )
        if self.view.get_authenticators():
            responses.setdefault(
                "401", {"description": "A token that is wrong, expired or revoked.", "content": ERROR_BODY}
            )
        if self.view.get_throttles():
            responses.setdefault(
                "429",
                {
                    "description": "Rate limit spent: try again after Retry-After seconds.",
                    "headers": {"Retry-After": {"schema": {"type": "integer"}}},
                    "content": ERROR_BODY,
                },
            )
        return operation


class TypedTextSchema(OpenApiSerializerFieldExtension):
    """A field under the typed-text rule (registry.typed_text) says it in the schema: no control or
    format character, so a client (and schemathesis) knows what is refused with 400."""

    target_class = "queueing.api.TypedTextField"

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if direction == "request":
            schema["pattern"] = typed_text_pattern()
        return schema


def citizen_id_pattern(result, generator, request, public):
    """Postprocessing hook: every request field named `citizen_id` or `*_citizen_id` is a
    12-digit citizen ID. Request components only: answers may show an ID masked."""
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if not name.endswith("Request"):
            continue
        for field, spec in component.get("properties", {}).items():
            if _is_citizen_id(field) and spec.get("type") == "string":
                # No minLength: the field may be left blank (e.g. "for myself"), and still is.
                may_be_blank = "minLength" not in spec
                spec.update(CITIZEN_ID)
                spec.pop("maxLength", None)
                spec.pop("minLength", None)
                if may_be_blank:
                    spec["pattern"] = f"^(?:{CITIZEN_ID_DIGITS})?$"
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            for parameter in operation.get("parameters", []):
                if (
                    _is_citizen_id(parameter.get("name", ""))
                    and parameter.get("schema", {}).get("type") == "string"
                ):
                    parameter["schema"].update(CITIZEN_ID)
    return result


def text_without_nul(result, generator, request, public):
    """Postprocessing hook: a free-text request field never takes a NUL (DRF and Django forms refuse
    it, and PostgreSQL could not store it): the schema says so, so clients (and schemathesis)
    know."""
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if not name.endswith("Request"):
            continue
        for spec in component.get("properties", {}).values():
            if spec.get("type") == "string" and not {"pattern", "enum", "format"} & spec.keys():
                spec["pattern"] = "^[^\\x00]*$"
    return result


def _is_citizen_id(name: str) -> bool:
    return name == "citizen_id" or name.endswith("_citizen_id")
