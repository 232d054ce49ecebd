class DomainError(Exception):
    """Raised by a service when a person asked for something that cannot be done.

    The message is shown to that person as it is, so it says what went wrong
    and, where it can, what to do instead.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        # A lazily translated message is made a plain string here, in the language
        # of the request that raised it, so str() and the pages can show it.
        message = str(message)
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message
