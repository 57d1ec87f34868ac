"""The one exception type for bad input: a message naming the key and what is allowed."""


class ConfigError(ValueError):
    """One piece of bad input: a config key, scenario entry or policy parameter.

    The message names the offending key and the values that are allowed, so that the
    command line can print it as it is and exit non-zero.
    """
