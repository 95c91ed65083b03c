"""Plain nn.Modules: frontends, encoders and decoders (with incremental state)."""
from seqcore.modules.char_cnn import CharCNNEncoder
from seqcore.modules.embedding import TokenEmbedding
from seqcore.modules.lstm import LSTMDecoder, LSTMEncoder
from seqcore.modules.state import EncoderOutput, select_rows
from seqcore.modules.transformer import TransformerDecoder, TransformerEncoder

__all__ = ["CharCNNEncoder", "EncoderOutput", "LSTMDecoder", "LSTMEncoder", "TokenEmbedding", "TransformerDecoder",
           "TransformerEncoder", "select_rows"]
