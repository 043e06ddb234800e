"""Form helpers every app's pages share: a service's errors shown next to the
fields they belong to, and field labels taken from the model.

Services raise ``ApplicationError`` with ``field_errors``; pages call
``attach_errors`` so the person sees each message beside the field to fix,
and whatever belongs to no field in the summary above the form.
"""

from django import forms
from django.utils.text import capfirst

from core.errors import ApplicationError


def model_label(model, field_name: str) -> str:
    """The model field's own label, so forms, the admin and the API say the same thing."""
    return capfirst(model._meta.get_field(field_name).verbose_name)


def attach_errors(form: forms.Form, error: ApplicationError, *, field_map=None) -> dict:
    """Show a service's field errors next to the form's fields; the rest above the form.

    ``field_map`` renames service field names to form field names. Returns the
    errors that belong to no field of ``form`` (e.g. ``criteria`` or ``lots``
    of a tender), by name, for pages that show them next to a formset; they
    are in the summary above the form too. An error with no field errors at
    all is shown above the form.
    """
    field_map = field_map or {}
    placed, elsewhere = False, {}
    for name, messages in error.field_errors.items():
        name = field_map.get(name, name)
        messages = [
            str(m) for m in (messages if isinstance(messages, list | tuple) else [messages])
        ]
        if name in form.fields:
            form.add_error(name, messages)
        else:
            elsewhere[name] = messages
            form.add_error(None, messages)
        placed = True
    if not placed:
        form.add_error(None, str(error.message))
    return elsewhere
