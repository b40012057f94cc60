"""Stand-in ``torch`` for child processes of ``ember run``: installs the alias and becomes Ember.

See ``ember/_torch_shim/__init__.py``. Replacing ``sys.modules["torch"]`` during its own import
makes ``import torch`` return ``ember``, and the installed alias resolves ``torch.nn`` and the
rest from then on.
"""

import sys

from ember import _alias

_alias.install()

import ember  # noqa: E402 - after the alias, as the alias does

sys.modules["torch"] = ember
