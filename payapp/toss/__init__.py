"""Toss Payments server API client."""

from .client import TossClient, TossError
from .models import TossPayment

__all__ = ["TossClient", "TossError", "TossPayment"]
