"""The error a service raises when a change breaks one of its rules."""


class RuleError(ValueError):
    """A refused change: `code` names the rule broken (the page turns it into a sentence in
    the user's language), `field` the form field at fault, if one is."""

    def __init__(self, code: str, field: str | None = None):
        super().__init__(code)
        self.code = code
        self.field = field
