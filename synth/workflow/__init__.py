"""Background work: the worker loop that embeds feedback and generates drafts."""
