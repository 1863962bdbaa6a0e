"""A bounded Schemathesis run against the generated OpenAPI spec finds no 5xx, on both backends."""

import re

import schemathesis
from hypothesis import HealthCheck, given, settings

EXAMPLES_PER_OPERATION = 10


def test_no_operation_answers_5xx(ctx, make_party):
    """Generated requests, authorised as a seller admin, never get a server error or a non-problem error."""
    headers = make_party("seller", roles=("admin", "dispatcher")).headers
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", ctx)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    failures = []
    for operation in operations:

        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def exercise(case):
            response = case.call(headers=headers)
            if response.status_code >= 500:
                failures.append((case.method, case.formatted_path, response.status_code, response.text[:200]))
            elif response.status_code >= 400:
                content_type = {k.lower(): v for k, v in response.headers.items()}.get("content-type", "")
                content_type = content_type[0] if isinstance(content_type, list) else content_type
                assert content_type.startswith("application/problem+json"), (case.path, response.status_code)

        exercise()
    assert failures == []


def _json_properties(spec: dict, operation: dict) -> list[str]:
    schema = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
    if "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return sorted(schema.get("properties", {}))


def _nul_cases(spec: dict):
    """(method, path template, where, name) for every string parameter and JSON body property of the spec."""
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            for param in operation.get("parameters", []) + item.get("parameters", []):
                if param["in"] in ("query", "path", "header") and param.get("schema", {}).get("type") == "string":
                    yield method.upper(), path, param["in"], param["name"]
            for name in _json_properties(spec, operation):
                yield method.upper(), path, "json", name


def test_a_nul_character_anywhere_is_a_422_naming_the_field(ctx, make_party):
    """Every string parameter and JSON property of every operation, given a NUL, answers 422 naming it."""
    client = ctx.test_client()
    headers = make_party("seller", roles=("admin", "dispatcher")).headers
    spec = client.get("/api/openapi.json").get_json()
    cases = list(_nul_cases(spec))
    assert len(cases) >= 150
    wrong = []
    value = "x\u0000y"
    for method, template, where, name in cases:
        nul_in = name if where == "path" else None
        url = re.sub(r"{(\w+)}", lambda m, nul_in=nul_in: value if m.group(1) == nul_in else "1", template)
        kwargs = {"headers": dict(headers)}
        if where == "query":
            kwargs["query_string"] = {name: value}
        elif where == "header":
            kwargs["headers"][name] = value
        elif where == "json":
            kwargs["json"] = {name: value}
        r = client.open(url, method=method, **kwargs)
        named = [e["path"] for e in (r.get_json(silent=True) or {}).get("errors", [])
                 if e["message"] == "contains a NUL character"]
        if r.status_code != 422 or named != [name]:
            wrong.append((method, template, where, name, r.status_code))
    assert wrong == []
