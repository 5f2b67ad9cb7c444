# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Results given again for the same question, not computed again.

The send pipeline renders a template for thousands of customers in one
environment and language: the helpers of the template's evaluation context
(``format_amount``) are then asked the same thing again and again
(``remembered``), and each batch of a cron call shows the variants the batch
before it showed (``call_scope`` and ``recall``).
"""

import contextlib
import functools
import threading


def remembered(function, size=4096):
    """``function`` remembering up to ``size`` results; an argument that
    cannot be a key (a list, a dict) calls ``function`` as it is."""
    cached = functools.lru_cache(maxsize=size)(function)

    def call(*args, **kwargs):
        try:
            return cached(*args, **kwargs)
        except TypeError:  # an argument that cannot be a key
            return function(*args, **kwargs)

    return call


# What a cron call (``service.care.batch.job._care_run_batches``) has
# remembered so far: per thread, as Odoo's cron threads run one call each.
_calls = threading.local()


@contextlib.contextmanager
def call_scope():
    """Remember ``recall``'s values until the end of the block (of the
    outermost block, when they are nested)."""
    if getattr(_calls, "memory", None) is not None:
        yield
        return
    _calls.memory = {}
    try:
        yield
    finally:
        _calls.memory = None


def recall(kind, keys, compute):
    """``{key: value}`` for ``keys``: those remembered in the ``call_scope``
    around, the others from ``compute(missing keys)`` (a dict), in one call;
    outside a scope, ``compute(keys)`` as it is.

    A batch of a cron shows the same variants as the batch before it (their
    names, prices, links); its commit clears Odoo's cache, not this. What
    changes while the call runs (a price, a name) shows from the next call
    on, as in a cron that runs in one transaction.
    """
    memory = getattr(_calls, "memory", None)
    if memory is None:
        return compute(list(keys))
    known = memory.setdefault(kind, {})
    missing = [key for key in dict.fromkeys(keys) if key not in known]
    if missing:
        known.update(compute(missing))
    return {key: known[key] for key in keys}
