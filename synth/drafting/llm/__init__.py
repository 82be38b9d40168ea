"""The LLM drafter: `drafter` runs a pydantic-ai agent per draft kind on any litellm model
(`litellm_model` adapts litellm to pydantic-ai), with the versioned prompts of `prompts`.

Nothing is imported here, so reading a prompt does not load litellm.
"""
