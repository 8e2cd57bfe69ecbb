"""A small client for the RetinaSynth REST API.

Every HTTP call goes through one method declared with :func:`operation`, so the unit test in
``tests/`` can check each against the committed ``openapi/openapi.json``.
"""

from .client import ApiError, Client, OPERATIONS

__all__ = ["ApiError", "Client", "OPERATIONS"]
__version__ = "0.1.0"
