"""The shared layer every stage stands on: errors, sources, citations, usage, the LLM-facing
extraction schema, grounded events and result models. Imports only ``summarizer.text``."""
