"""A password change revokes every API token of the person.

Passwords change in several places this project does not own: the Django admin,
Wagtail's account page and password reset, ``manage.py changepassword``. All of
them end in ``user.set_password()`` then ``user.save()``, and Django then calls
``password_changed()`` on each entry of ``AUTH_PASSWORD_VALIDATORS``: that is
the one hook every path passes through, so the revocation lives here.

A signal comparing password hashes before a save would be wrong: Django rehashes
a password when its hasher's work factor rises (at sign-in after an upgrade),
and that is not a change. Django calls no ``password_changed`` then.
"""

from django.utils.translation import gettext as _

from accounts.services.tokens import revoke_api_tokens_after_password_change


class RevokeAPITokensOnPasswordChange:
    """Listed among the password validators only for the hook; it refuses no password."""

    def validate(self, password, user=None):
        return None

    def password_changed(self, password, user=None):
        if user is not None and user.pk is not None:
            revoke_api_tokens_after_password_change(user=user)

    def get_help_text(self):
        return _("Changing your password revokes all your API tokens.")
