"""Check an API answer of a test against the OpenAPI schema the application serves.

``assert_matches_schema(response, "GET", "/api/v1/referrals/{uuid}/")`` validates the
answer's status, media type and body against that operation of the schema with
schemathesis, as `make api-fuzz` does for generated requests; a mismatch fails
the test with schemathesis's explanation (which field, which rule, which value).
"""

import json
from functools import cache

import requests
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer


@cache
def api_schema():
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return schemathesis.openapi.from_dict(json.loads(OpenApiJsonRenderer().render(generated)))


def assert_matches_schema(response, method: str, path: str) -> None:
    """``response``: a Django test client's answer to ``method`` on the path template ``path``."""
    __tracebackhide__ = True
    documented = api_schema().raw_schema["paths"][path][method.lower()]["responses"]
    assert str(response.status_code) in documented, (
        f"{method} {path} answered {response.status_code}, which its schema does not describe"
    )
    request = requests.Request(method, f"http://testserver{response.request['PATH_INFO']}")
    answer = schemathesis.Response(
        status_code=response.status_code,
        headers={name: [value] for name, value in response.headers.items()},
        content=response.content,
        request=request.prepare(),
        elapsed=0.0,
        verify=False,
    )
    api_schema()[path][method].validate_response(answer)
