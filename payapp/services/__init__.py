"""Business rules. No Reflex imports: pages, state and the REST API all call these."""
