"""payapp's REST API (FastAPI), mounted into the Reflex backend or served alone."""
