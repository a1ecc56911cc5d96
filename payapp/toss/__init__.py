"""Toss Payments server API client."""

from .client import TossClient, TossError
from .models import TossPayment, TossTransaction

__all__ = ["TossClient", "TossError", "TossPayment", "TossTransaction"]
