"""Domain errors raised by services and turned into clear messages by views and the API."""


class ApplicationError(Exception):
    """A rule of the domain refused an action; ``message`` is shown to the person.

    ``field_errors`` maps form or API field names to messages when the error
    belongs to particular input fields.
    """

    def __init__(self, message, *, field_errors: dict | None = None, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}
        self.code = code


class InvalidTransition(ApplicationError):
    """A state change that the object's transition table does not allow."""

    def __init__(self, message, *, code: str = "invalid_transition"):
        super().__init__(message, code=code)
