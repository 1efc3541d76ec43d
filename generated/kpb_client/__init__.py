"""A client library for accessing KPB Web Services (Køreprøvebooking)"""

from .client import AuthenticatedClient, Client

__all__ = (
    "AuthenticatedClient",
    "Client",
)
