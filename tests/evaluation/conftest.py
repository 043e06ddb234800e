"""Pages of this app are asserted in English: the test client asks for English unless a
test sends its own Accept-Language (the platform's default language is Chinese)."""

import pytest


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client
