"""The API's JSON parser (``REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]``).

A module of its own: DRF imports its parsers while ``rest_framework.views`` is
still loading, so this must not import views (``core.api`` does).
"""

from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, with errors a person can read in their language, and a body
    nested too deeply for the decoder (a recursion error) refused as bad input."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except exceptions.ParseError as error:
            raise exceptions.ParseError(
                _("The request body is not valid JSON: %(problem)s")
                % {"problem": str(error.detail).removeprefix("JSON parse error - ")}
            ) from error
        except RecursionError as error:
            raise exceptions.ParseError(
                _("The request body nests lists or objects too deeply to be read.")
            ) from error
