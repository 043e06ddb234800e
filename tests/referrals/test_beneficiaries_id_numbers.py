"""ID numbers (GB 11643): what is accepted, what is refused and with which message."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from referrals.validators import FEMALE, MALE, check_character, parse_id_number
from tests.factories.referrals import id_number

# A textbook number whose check character is X: 1949-12-31, sequence 002 (a woman).
WITH_X = "11010519491231002X"


def message_of(value) -> str:
    with pytest.raises(ValidationError) as caught:
        parse_id_number(value)
    return caught.value.messages[0]


@pytest.mark.parametrize(
    "typed",
    [
        WITH_X,
        "11010519491231002x",
        " 110105 19491231 002x ",
        "１１０１０５１９４９１２３１００２Ｘ",
        "110105\u300019491231002X",
    ],
)
def test_an_id_number_is_accepted_however_it_was_typed(typed):
    parsed = parse_id_number(typed)

    assert parsed.number == WITH_X


def test_birth_date_and_gender_come_from_the_number():
    parsed = parse_id_number(WITH_X)

    assert parsed.birth_date == datetime.date(1949, 12, 31)
    assert parsed.gender == FEMALE
    assert parse_id_number(id_number(male=True)).gender == MALE
    assert parse_id_number(id_number(male=False)).gender == FEMALE


def test_a_15_digit_legacy_number_is_refused_with_a_clear_message():
    assert message_of("110105491231002") == (
        "15-digit ID numbers were replaced in 2004–2013; "
        "enter the 18-digit number on the current card."
    )


def test_a_wrong_check_character_is_refused():
    assert "last character does not match" in message_of("110105194912310021")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1101051949123100", "has 18 characters; this one has 16"),
        ("11010519491231002XX", "has 18 characters; this one has 19"),
        ("11010519491231A02X", "17 digits followed by a digit or the letter X"),
        ("X10105194912310021", "17 digits followed by a digit or the letter X"),
        ("", "Enter the ID number."),
    ],
)
def test_malformed_numbers_are_refused_with_what_is_wrong(value, expected):
    assert expected in message_of(value)


@pytest.mark.parametrize("birth", ["19490231", "19491301", "18000101", "29990101"])
def test_an_impossible_birth_date_is_refused(birth):
    first_17 = f"110105{birth}002"
    # Give it a correct check character, so only the date is wrong.
    assert "is not a possible birth date" in message_of(first_17 + check_character(first_17))
