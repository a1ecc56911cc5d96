"""Automatic reconciliation: one runner across every process of a deployment (``runner``), and
``python -m payapp.reconcile`` for a pass by hand."""
