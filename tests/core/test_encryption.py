"""Personal identifiers are encrypted at rest, bound to their column, and keys can be rotated."""

import base64
from io import StringIO

import pytest
from django.core.exceptions import FieldError, ImproperlyConfigured, ValidationError
from django.core.management import CommandError, call_command
from django.db import connection

from core import crypto
from core.fields import EncryptedTextField, stored_ciphertext
from core.models import AuditEvent
from tests.testapp.models import CaseNote, Person

pytestmark = pytest.mark.django_db

NEW_KEY = base64.b64encode(b"new-key-2-new-key-2-new-key-2-!!").decode()
NAME = "张三丰"
ID_NUMBER = "11010519491231002X"
HOUSEHOLD = [{"name": "李四", "relation": "配偶", "age": 71}, {"name": "王五", "age": 9}]


def raw_value(instance, field_name):
    """The text the database holds for one column, read past the ORM."""
    table = connection.ops.quote_name(instance._meta.db_table)
    column = connection.ops.quote_name(instance._meta.get_field(field_name).column)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [instance.pk])  # noqa: S608
        return cursor.fetchone()[0]


def write_raw(instance, field_name, value):
    table = connection.ops.quote_name(instance._meta.db_table)
    column = connection.ops.quote_name(instance._meta.get_field(field_name).column)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {column} = %s WHERE id = %s", [value, instance.pk])  # noqa: S608


def make_person(**kwargs):
    values = {"name": NAME, "id_number": ID_NUMBER, "notes": "独居，需上门", "household": HOUSEHOLD}
    return Person.objects.create(**{**values, **kwargs})


def put_new_key_first(settings):
    """Step 1 of a rotation: a new key deployed in front of the current one."""
    settings.FIELD_ENCRYPTION_KEYS = f"k2:{NEW_KEY},{settings.FIELD_ENCRYPTION_KEYS}"


# --- storage ------------------------------------------------------------------


def test_personal_data_round_trips_through_the_database():
    person = make_person()

    reloaded = Person.objects.get(pk=person.pk)

    assert reloaded.name == NAME
    assert reloaded.id_number == ID_NUMBER
    assert reloaded.notes == "独居，需上门"
    assert reloaded.household == HOUSEHOLD


def test_database_column_holds_ciphertext_not_the_plaintext():
    person = make_person()

    for field_name, secret in [("name", NAME), ("id_number", ID_NUMBER), ("household", "李四")]:
        stored = raw_value(person, field_name)
        assert secret not in stored
        assert stored.startswith("v1$t1$")


def test_equal_values_are_stored_as_different_ciphertexts():
    first, second = make_person(), make_person()

    assert raw_value(first, "name") != raw_value(second, "name")


def test_empty_and_missing_values_stay_empty_and_null():
    person = Person.objects.create(name="", notes=None, household=None)

    assert raw_value(person, "name") == ""
    assert raw_value(person, "notes") is None
    assert raw_value(person, "household") is None
    reloaded = Person.objects.get(pk=person.pk)
    assert (reloaded.name, reloaded.notes, reloaded.household) == ("", None, None)


def test_queryset_update_and_bulk_update_also_encrypt():
    person = make_person()

    Person.objects.filter(pk=person.pk).update(notes="已转介")
    assert raw_value(person, "notes").startswith("v1$t1$")
    person.refresh_from_db()
    person.name = "张三"
    Person.objects.bulk_update([person], ["name"])

    assert "张三" not in raw_value(person, "name")
    assert Person.objects.get(pk=person.pk).name == "张三"


def test_max_length_applies_to_the_plaintext():
    person = Person(name="张" * 101)

    with pytest.raises(ValidationError) as caught:
        person.full_clean()

    assert "name" in caught.value.message_dict


# --- binding to the column, and clear errors -------------------------------------


def test_ciphertext_copied_to_another_field_does_not_decrypt():
    person = make_person()
    write_raw(person, "notes", raw_value(person, "name"))

    with pytest.raises(crypto.DecryptionError) as caught:
        Person.objects.get(pk=person.pk)

    assert "testapp.person.notes" in str(caught.value)
    assert NAME not in str(caught.value)


def test_ciphertext_copied_to_another_model_does_not_decrypt():
    person = make_person()
    note = CaseNote.objects.create(body="家访记录")
    write_raw(note, "body", raw_value(person, "notes"))

    with pytest.raises(crypto.DecryptionError):
        CaseNote.objects.get(pk=note.pk)


def test_value_under_an_unknown_key_gives_an_error_naming_the_key(settings):
    test_keys = settings.FIELD_ENCRYPTION_KEYS
    settings.FIELD_ENCRYPTION_KEYS = f"retired:{NEW_KEY}"
    person = make_person()
    settings.FIELD_ENCRYPTION_KEYS = test_keys

    with pytest.raises(crypto.UnknownKeyError) as caught:
        Person.objects.get(pk=person.pk)

    assert caught.value.key_id == "retired"
    assert "retired" in str(caught.value)
    assert "FIELD_ENCRYPTION_KEYS" in str(caught.value)
    assert NAME not in str(caught.value)


def test_plaintext_written_around_the_field_is_reported_without_quoting_it():
    person = make_person()
    write_raw(person, "name", NAME)

    with pytest.raises(crypto.MalformedCiphertextError) as caught:
        Person.objects.get(pk=person.pk)

    assert NAME not in str(caught.value)


def test_pinned_associated_data_keeps_values_readable_after_a_rename():
    # A field renamed from referrals.Beneficiary.name keeps its old binding.
    renamed = EncryptedTextField(associated_data="referrals.beneficiary.name")

    token = renamed.get_db_prep_value(NAME, connection)

    assert crypto.decrypt(token, context="referrals.beneficiary.name") == NAME
    assert renamed.deconstruct()[3]["associated_data"] == "referrals.beneficiary.name"


def test_system_check_reports_a_broken_keyring(settings):
    settings.FIELD_ENCRYPTION_KEYS = "k1:short"

    errors = crypto.check_encryption_keys()

    assert [error.id for error in errors] == ["core.E002"]


@pytest.mark.parametrize(
    "lookup",
    [
        {"name": NAME},
        {"name__icontains": "张"},
        {"id_number__in": [ID_NUMBER]},
        {"name__startswith": "张"},
        {"name__lower": "x"},
        {"household__contains": {"name": "李四"}},
    ],
)
def test_searching_an_encrypted_field_is_refused_with_a_pointer_to_the_blind_index(lookup):
    with pytest.raises(FieldError, match="blind index"):
        list(Person.objects.filter(**lookup))


def test_isnull_is_the_one_lookup_encrypted_fields_allow():
    with_notes, without_notes = make_person(), make_person(notes=None)

    assert list(Person.objects.filter(notes__isnull=True)) == [without_notes]
    assert list(Person.objects.filter(notes__isnull=False)) == [with_notes]


@pytest.mark.parametrize(
    "keys, problem",
    [
        ("", "empty"),
        ("no-separator", "key id"),
        ("k1:not base64!", "base64"),
        (f"k1:{base64.b64encode(b'16-bytes-is-aes1').decode()}", "32"),
        (f"k1:{NEW_KEY},k1:{NEW_KEY}", "twice"),
        (f"bad id:{NEW_KEY}", "letters"),
    ],
)
def test_bad_key_configuration_names_the_setting_and_hides_the_key(keys, problem):
    with pytest.raises(ImproperlyConfigured, match="FIELD_ENCRYPTION_KEYS") as caught:
        crypto.parse_keyring(keys)

    assert problem in str(caught.value)
    assert NEW_KEY not in str(caught.value)


def test_test_and_development_keys_are_valid_aes_256_keys():
    from config.settings import dev, test

    for module in (dev, test):
        assert crypto.parse_keyring(module.FIELD_ENCRYPTION_KEYS).key_ids


# --- rotation -------------------------------------------------------------------


def stored_key_ids(field_name="name"):
    return {
        crypto.key_id_of(token)
        for token in Person.objects.annotate(raw=stored_ciphertext(field_name)).values_list(
            "raw", flat=True
        )
        if token
    }


def rotate(*args):
    """Run rotate_keys and return its report, in English for the assertions."""
    from django.utils import translation

    out = StringIO()
    with translation.override("en"):
        call_command("rotate_keys", *args, stdout=out)
    return out.getvalue()


def test_rows_stay_readable_when_a_new_key_is_put_first(settings):
    old = make_person()
    put_new_key_first(settings)
    new = make_person()

    assert Person.objects.get(pk=old.pk).name == NAME
    assert raw_value(new, "name").startswith("v1$k2$")


def test_rotation_moves_every_row_to_the_new_key_so_the_old_key_can_be_removed(settings):
    people = [make_person() for _ in range(5)]
    Person.objects.create(name="", notes=None, household=None)
    put_new_key_first(settings)

    rotate("--chunk-size", "2")

    for field_name in ("name", "id_number", "notes", "household"):
        assert stored_key_ids(field_name) == {"k2"}
    settings.FIELD_ENCRYPTION_KEYS = f"k2:{NEW_KEY}"
    for person in people:
        reloaded = Person.objects.get(pk=person.pk)
        assert (reloaded.name, reloaded.household) == (NAME, HOUSEHOLD)


def test_rotation_run_twice_changes_nothing_the_second_time(settings):
    person = make_person()
    put_new_key_first(settings)
    rotate()
    stored = raw_value(person, "name")

    output = rotate()

    assert raw_value(person, "name") == stored
    assert "testapp.Person: 0 re-encrypted, 1 already on key k2" in output
    second = AuditEvent.objects.filter(action="keys.rotated").first()
    assert second.details["models"]["testapp.person"] == {"rotated": 0, "already_current": 1}


def test_rotation_records_a_security_event_with_counts_and_no_values(settings):
    make_person()
    make_person()
    CaseNote.objects.create(body="家访记录")
    put_new_key_first(settings)

    rotate()

    event = AuditEvent.objects.get(action="keys.rotated")
    assert event.kind == AuditEvent.Kind.SECURITY
    assert event.details["key_id"] == "k2"
    assert event.details["models"]["testapp.person"] == {"rotated": 2, "already_current": 0}
    assert event.details["models"]["testapp.casenote"] == {"rotated": 1, "already_current": 0}
    assert NAME not in str(event.details) and "家访" not in str(event.details)


def test_rotation_dry_run_counts_and_writes_nothing(settings):
    person = make_person()
    put_new_key_first(settings)
    stored = raw_value(person, "name")

    output = rotate("--dry-run")

    assert "testapp.Person: 1 to re-encrypt" in output
    assert raw_value(person, "name") == stored
    assert not AuditEvent.objects.filter(action="keys.rotated").exists()


def test_rotation_stops_at_a_value_whose_key_is_missing(settings):
    test_keys = settings.FIELD_ENCRYPTION_KEYS
    settings.FIELD_ENCRYPTION_KEYS = f"lost:{NEW_KEY}"
    make_person()
    settings.FIELD_ENCRYPTION_KEYS = test_keys

    with pytest.raises(CommandError, match="lost"):
        rotate()


def test_uses_current_key_tells_values_that_still_need_rotation(settings):
    before = crypto.encrypt(NAME, context="testapp.person.name")
    put_new_key_first(settings)
    after = crypto.encrypt(NAME, context="testapp.person.name")

    assert not crypto.uses_current_key(before)
    assert crypto.uses_current_key(after)
    assert crypto.uses_current_key("") and crypto.uses_current_key(None)
