"""GB 32100 unified social credit codes, including those stdnum rejects."""

import pytest
from django.core.exceptions import ValidationError
from stdnum.cn import uscc

from accounts.validators import (
    credit_code_check_character,
    is_valid_credit_code,
    validate_credit_code,
)
from demo.accounts import credit_code


def test_known_valid_code():
    assert is_valid_credit_code("91110000600037341L")


def test_code_starting_with_a_letter_is_accepted_although_stdnum_refuses_it():
    first17 = "N1310115MA1K30001"
    code = first17 + credit_code_check_character(first17)
    assert not uscc.is_valid(code)
    assert is_valid_credit_code(code)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("9111000060003734", "length"),
        ("91110000600037341I", "alphabet"),
        ("91110000600037341X", "checksum"),
    ],
)
def test_bad_codes_name_the_problem(value, code):
    with pytest.raises(ValidationError) as error:
        validate_credit_code(value)
    assert error.value.code == code


def test_demo_codes_are_valid_for_both_checks():
    code = credit_code(authority="5", category="2", area_code="310115", seed="x")
    assert is_valid_credit_code(code)
    assert uscc.is_valid(code)
