"""Behaviours: handwritten code that answers operations, attached by operationId with @serves.

Every module here is imported when the app is built (fakeai.app.load_behaviours). Pure simulation logic that
behaviours use (tokenizer, text, relevance, KV cache, media) lives in the `sim` subpackage and imports no web
framework.
"""
