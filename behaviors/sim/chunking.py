"""Cutting a document into overlapping chunks of at most N tokens (vector store ingestion).

Chunks are measured with fakeai's tokenizer and cut between words: the token stream is grouped into words (a
word is a token that starts with whitespace or punctuation plus the tokens that continue it), a chunk takes as
many whole words as fit in ``max_tokens``, and the next chunk starts far enough back to repeat about
``overlap_tokens`` tokens of the previous one. A word longer than a whole chunk is cut at token boundaries.
OpenAI's defaults ("auto") are 800-token chunks overlapping by 400 tokens.
"""

from __future__ import annotations

from fakeai.behaviors.sim.tokenizer import count_tokens, tokenize

__all__ = ["AUTO_MAX_TOKENS", "AUTO_OVERLAP_TOKENS", "chunk_text", "words"]

AUTO_MAX_TOKENS = 800
AUTO_OVERLAP_TOKENS = 400


def _starts_word(token: str) -> bool:
    return not token[:1].isalnum()


def words(text: str, max_tokens: int) -> list[tuple[str, int]]:
    """(text, token count) of each word of ``text``; words longer than ``max_tokens`` are split."""
    out: list[list[str]] = []
    prev = ""
    for tok in tokenize(text):
        if not out or _starts_word(tok) or not prev[-1:].isalnum():
            out.append([tok])
        else:
            out[-1].append(tok)
        prev = tok
    pieces: list[tuple[str, int]] = []
    for word in out:
        for i in range(0, len(word), max_tokens):
            part = word[i : i + max_tokens]
            pieces.append(("".join(part), len(part)))
    return pieces


def chunk_text(text: str, max_tokens: int = AUTO_MAX_TOKENS, overlap_tokens: int = AUTO_OVERLAP_TOKENS) -> list[str]:
    """Overlapping chunks of whole words, whitespace-trimmed, each at most ``max_tokens`` tokens when counted on
    its own (a single word longer than that is cut at token boundaries, whose recount may differ slightly)."""
    if max_tokens < 1:
        raise ValueError("max_tokens must be positive")
    units = words(text, max_tokens)
    chunks: list[str] = []
    start = 0
    while start < len(units):
        end, size = start, 0
        while end < len(units) and size + units[end][1] <= max_tokens:
            size += units[end][1]
            end += 1
        piece = "".join(u[0] for u in units[start:end]).strip()
        while end - start > 1 and count_tokens(piece) > max_tokens:  # trimming can re-tokenize the first word
            end -= 1
            piece = "".join(u[0] for u in units[start:end]).strip()
        if piece:
            chunks.append(piece)
        if end >= len(units):
            break
        back, kept = end, 0
        while back - 1 > start and kept + units[back - 1][1] <= overlap_tokens:
            back -= 1
            kept += units[back][1]
        start = back
    return chunks
