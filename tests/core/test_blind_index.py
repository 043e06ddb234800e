"""ID numbers are matched through a keyed hash of their normalized form, never an unkeyed one."""

import base64
import hashlib

import pytest
from django.core.exceptions import ImproperlyConfigured

from core.blind_index import blind_index, normalize_id_number
from tests.testapp.models import Person

ID_NUMBER = "11010519491231002X"
OTHER_KEY = base64.b64encode(b"another-blind-index-key-32-bytes").decode()


@pytest.mark.parametrize(
    "typed",
    [
        "11010519491231002X",
        "11010519491231002x",
        " 110105 19491231002x ",
        "１１０１０５１９４９１２３１００２Ｘ",
        "１１０１０５\u3000１９４９１２３１\t００２ｘ\n",
    ],
)
def test_every_way_of_typing_one_id_number_gives_the_same_index(typed):
    assert normalize_id_number(typed) == ID_NUMBER
    assert blind_index(typed) == blind_index(ID_NUMBER)


def test_different_id_numbers_give_different_indexes():
    assert blind_index("110105194912310021") != blind_index(ID_NUMBER)


def test_index_is_keyed_not_a_plain_hash():
    index = blind_index(ID_NUMBER)

    assert len(index) == 64 and int(index, 16) >= 0
    assert index != hashlib.sha256(ID_NUMBER.encode()).hexdigest()
    assert index != hashlib.sha256(f"id_number\x00{ID_NUMBER}".encode()).hexdigest()


def test_another_key_gives_another_index(settings):
    with_test_key = blind_index(ID_NUMBER)
    settings.BLIND_INDEX_KEY = OTHER_KEY

    assert blind_index(ID_NUMBER) != with_test_key


def test_another_purpose_gives_another_index():
    assert blind_index(ID_NUMBER, purpose="phone") != blind_index(ID_NUMBER)


def test_an_empty_value_is_refused_rather_than_matching_every_other_empty_value():
    with pytest.raises(ValueError, match="empty"):
        blind_index(" \u3000 ")


@pytest.mark.parametrize(
    "key, problem",
    [
        ("", "not set"),
        ("not base64!", "base64"),
        (base64.b64encode(b"too-short").decode(), "at least 32"),
    ],
)
def test_missing_or_weak_key_names_the_setting(settings, key, problem):
    settings.BLIND_INDEX_KEY = key

    with pytest.raises(ImproperlyConfigured, match="BLIND_INDEX_KEY") as caught:
        blind_index(ID_NUMBER)

    assert problem in str(caught.value)


@pytest.mark.django_db
def test_a_person_is_found_by_the_index_of_their_id_number_however_it_was_typed():
    known = Person.objects.create(id_number=ID_NUMBER, id_number_index=blind_index(ID_NUMBER))
    Person.objects.create(
        id_number="110105194912310021", id_number_index=blind_index("110105194912310021")
    )

    found = Person.objects.filter(id_number_index=blind_index(" 110105 19491231002x "))

    assert list(found) == [known]
