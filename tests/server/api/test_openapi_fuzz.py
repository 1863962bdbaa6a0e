"""A bounded Schemathesis run against the generated OpenAPI spec finds no 5xx, on both backends."""

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
