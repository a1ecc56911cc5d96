"""payapp: Toss Payments card payments for a Python (Reflex) shop, with an offline Toss sandbox."""
