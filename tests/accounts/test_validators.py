import pytest

from accounts.validators import credit_code_check_character, is_valid_credit_code


@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y43",  # the example printed in GB 32100-2015 explanations
        "91110000600037341L",
        "91350100m000100y43",  # typed in lower case: the same code
        " 91350100M000100Y43 ",
    ],
)
def test_real_credit_codes_are_accepted(code):
    assert is_valid_credit_code(code)


@pytest.mark.parametrize(
    "code",
    [
        "",
        "123",
        "91350100M000100Y4",  # 17 characters
        "91350100M000100Y44",  # wrong check character
        "91350100M000100I43",  # I is not in the alphabet (looks like 1)
        "9135A100M000100Y43",  # the area code must be digits
        "91350100M000100Y43X",
    ],
)
def test_malformed_credit_codes_are_refused(code):
    assert not is_valid_credit_code(code)


def test_the_check_character_can_be_zero():
    # Find a prefix whose check value is 31 mod 31 = 0, the edge of the formula.
    for n in range(1000):
        first17 = f"9150010{n:010d}"
        if credit_code_check_character(first17) == "0":
            assert is_valid_credit_code(first17 + "0")
            return
    pytest.fail("no prefix with check character 0 in the range")
