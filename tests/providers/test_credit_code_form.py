"""The unified social credit code on the registration form: GB 32100 check character,
codes that start with a letter, lower case and full-width input, and the note for
organizations outside civil affairs."""

import pytest
from django.utils import translation
from stdnum.cn import uscc

from providers.forms.registration import CreditCodeField
from providers.services.registration import credit_code_note
from tests.providers._registration_factories import (
    ENTERPRISE_FIRST17,
    LETTER_FIRST17,
    full_width,
    valid_code,
    wrong_check_character,
)


def clean(value):
    return CreditCodeField().clean(value)


def error_of(value) -> str:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        clean(value)
    return " ".join(error.value.messages)


def test_valid_code_is_accepted():
    assert clean(valid_code()) == valid_code()


def test_known_published_code_is_accepted():
    assert clean("91110000600037341L") == "91110000600037341L"


def test_wrong_check_character_is_refused_with_a_clear_message():
    message = error_of(wrong_check_character(valid_code()))
    assert "check character" in message


def test_wrong_check_character_message_is_in_chinese_for_chinese_readers():
    with translation.override("zh-hans"):
        message = error_of(wrong_check_character(valid_code()))
    assert "校验码" in message


def test_code_starting_with_a_letter_is_accepted_although_stdnum_refuses_it():
    code = valid_code(LETTER_FIRST17)
    assert not uscc.is_valid(code)
    assert clean(code) == code


@pytest.mark.parametrize("first17", ["A1310115MA1K30001", "Y1310115MA1K30001"])
def test_other_letters_in_first_position_are_accepted(first17):
    assert clean(valid_code(first17)) == valid_code(first17)


def test_lowercase_input_is_upper_cased():
    assert clean(valid_code(LETTER_FIRST17).lower()) == valid_code(LETTER_FIRST17)


def test_full_width_input_is_folded_to_ascii():
    code = valid_code(ENTERPRISE_FIRST17)
    typed = full_width(code.lower())
    assert typed != code
    assert clean(typed) == code


def test_spaces_including_full_width_spaces_are_ignored():
    code = valid_code()
    typed = f" {code[:6]} {code[6:12]}\u3000{code[12:]} "
    assert clean(typed) == code


def test_wrong_length_says_how_many_characters_there_are():
    assert "this one has 17" in error_of(valid_code()[:17])


def test_letters_outside_the_alphabet_are_named():
    assert "I" in error_of(valid_code()[:10] + "I" + valid_code()[11:])


def test_empty_code_is_required():
    assert "required" in error_of("")


def test_civil_affairs_codes_get_no_note():
    for prefix in ("51", "52", "53"):
        assert credit_code_note(prefix + valid_code()[2:]) == ""


def test_other_codes_get_a_note_not_an_error():
    code = valid_code(ENTERPRISE_FIRST17)
    assert clean(code) == code
    assert "51, 52 or 53" in credit_code_note(code)


def test_note_applies_to_full_width_input_too():
    assert credit_code_note(full_width(valid_code(ENTERPRISE_FIRST17))) != ""
    assert credit_code_note(full_width(valid_code())) == ""
