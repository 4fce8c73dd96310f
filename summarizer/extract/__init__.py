"""The extract stage: one source → one grounded ``SourceEvent``, through a model
(``with_llm``) or without one (``builtin``, which never imports the LLM stack)."""
