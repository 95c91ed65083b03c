"""Output heads: each owns its loss and exposes what search needs."""
from seqcore.heads.attention import AttentionHead
from seqcore.heads.ctc import CTCHead
from seqcore.heads.frames import FramesHead
from seqcore.heads.hybrid import HybridHead
from seqcore.heads.pointer_generator import PointerGeneratorHead
from seqcore.heads.transducer import TransducerHead

__all__ = ["AttentionHead", "CTCHead", "FramesHead", "HybridHead", "PointerGeneratorHead", "TransducerHead"]
