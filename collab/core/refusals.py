"""The error a service raises when a change breaks one of its rules."""


class RuleError(ValueError):
    """A refused change: `code` names the rule broken, `field` the form field at fault, if one
    is. A subclass lists its sentences in MESSAGES (lazy strings, so each reads in the language
    of whoever sees it); `message` is the one for this code."""

    MESSAGES: dict = {}
    # The sentence for a code MESSAGES does not list; None shows the code itself.
    FALLBACK = None

    def __init__(self, code: str, field: str | None = None):
        super().__init__(code)
        self.code = code
        self.field = field

    @property
    def message(self):
        return self.MESSAGES.get(self.code, self.FALLBACK or self.code)
