import pytest

from tests.cms.pages import ensure_home_pages


@pytest.fixture
def home_pages(db):
    return ensure_home_pages()


@pytest.fixture
def zh_home(home_pages):
    return home_pages[0]


@pytest.fixture
def en_home(home_pages):
    return home_pages[1]
