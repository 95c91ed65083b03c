"""Output heads: each owns its loss and exposes what search needs."""
from seqcore.heads.attention import AttentionHead

__all__ = ["AttentionHead"]
