"""What the OpenAPI schema says that drf-spectacular cannot see in the views: the errors.

A view documents the answers of its own (a 409 for a state conflict, a 404 worth a description);
the errors DRF and our exception handler give any operation are added here, in the one error
shape of ``config.api``, so that no client meets a status code the schema does not name.
"""

# Bad page numbers answer 404 and a bad page size falls back to the default: neither is a 400.
PAGINATION = {"page", "page_size"}
ERROR_REF = {"$ref": "#/components/schemas/Error"}


def _errors(operation: dict) -> dict[str, str]:
    """The status codes ``operation`` can answer with besides its own, each with why."""
    query = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
    has_path_parameters = any(p["in"] == "path" for p in operation.get("parameters", []))
    has_body = "requestBody" in operation
    # An empty requirement means the operation also serves anonymous clients.
    signed_in = {} not in operation.get("security", [{}])
    errors = {}
    if has_body or query - PAGINATION:
        errors["400"] = "Bad input: the body or a query parameter, each problem named in `fields`."
    if signed_in:
        errors["401"] = "No credentials, or a token that is unknown, revoked or expired."
        errors["403"] = "The user's role does not allow this."
    if has_path_parameters or "page" in query:
        errors["404"] = "No such object within the user's scope, or no such page."
    if has_body:
        errors["415"] = "A body in a format the API does not read (send JSON)."
    return errors


def document_errors(result, generator, request, public):
    """drf-spectacular postprocessing hook: every operation names the errors it can answer with."""
    for operations in result["paths"].values():
        for operation in operations.values():
            for code, description in _errors(operation).items():
                operation["responses"].setdefault(
                    code, {"description": description, "content": {"application/json": {"schema": ERROR_REF}}}
                )
    return result
