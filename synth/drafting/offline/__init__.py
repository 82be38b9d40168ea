"""The offline drafter: rules, not a model; the default when no model is configured.

`drafter` holds `OfflineDrafter`; its three drafts are `synthesis` (with `evidence`),
`expectations` (planned by `plan`, worded through `topics`) and `checklist`; `text` holds the
wording and citation helpers they share.
"""

from synth.drafting.offline.drafter import OfflineDrafter

__all__ = ["OfflineDrafter"]
