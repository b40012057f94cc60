"""Ember's differentiable ops, one family per module. Importing a family attaches its Tensor
methods; ``ember/__init__.py`` re-exports each family's ``__all__``."""
