"""A directory holding a stand-in ``torch`` package, for the child processes of ``ember run``.

``ember run`` puts this directory on ``sys.path`` (right after the script's directory).
multiprocessing's *spawn* and *forkserver* start methods hand the parent's ``sys.path`` to the
child interpreters they start (for ``DataLoader`` workers, say), which then re-import the main
script; there, ``import torch`` finds the stand-in, which installs the alias and becomes Ember.
In the ``ember run`` process itself the alias finder answers first and this is never used.
"""
