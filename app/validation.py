"""Checks shared by every form, built on well-kept libraries (email-validator,
phonenumbers, python-stdnum) rather than hand-written regexes."""

from __future__ import annotations

import re

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from stdnum import bic as std_bic
from stdnum import iban as std_iban
from stdnum.eu import vat as std_vat
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import siren as std_siren
from stdnum.fr import siret as std_siret

POSTCODE = re.compile(r"^\d{5}$")  # French postcodes: five digits, nothing a library adds


def normalize_email(value: str) -> str:
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from exc


def normalize_phone(value: str) -> str:
    """French numbers (and international ones with +), stored as E.164."""
    try:
        parsed = phonenumbers.parse(value, "FR")
    except phonenumbers.NumberParseException as exc:
        raise ValueError(str(exc)) from exc
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError("invalid phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str) -> str:
    """ "+33612345678" -> "06 12 34 56 78" for French numbers."""
    if not e164:
        return ""
    try:
        parsed = phonenumbers.parse(e164, "FR")
    except phonenumbers.NumberParseException:
        return e164
    fmt = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if parsed.country_code == 33
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(parsed, fmt)


def is_postcode(value: str) -> bool:
    return bool(POSTCODE.match(value.strip()))


def _std(module: object, value: str) -> str:
    try:
        return module.validate(value)  # type: ignore[attr-defined,no-any-return]
    except StdnumError as exc:
        raise ValueError(str(exc)) from exc


def normalize_siren(value: str) -> str:
    return _std(std_siren, value)


def normalize_siret(value: str) -> str:
    return _std(std_siret, value)


def normalize_vat(value: str) -> str:
    return _std(std_vat, value)


def normalize_iban(value: str) -> str:
    return _std(std_iban, value)


def normalize_bic(value: str) -> str:
    return _std(std_bic, value)
