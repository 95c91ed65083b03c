"""Plain nn.Modules: frontends, encoders and decoders (with incremental state)."""
from seqcore.modules.audio_frontend import AudioFrontend
from seqcore.modules.char_cnn import CharCNNEncoder
from seqcore.modules.conformer import ConformerEncoder
from seqcore.modules.embedding import TokenEmbedding
from seqcore.modules.image_frontend import ImageFrontend
from seqcore.modules.lstm import LSTMDecoder, LSTMEncoder
from seqcore.modules.state import EncoderOutput, select_rows
from seqcore.modules.tacotron import FrameDecoder, LocationSensitiveAttention, Postnet, Prenet, TacotronEncoder
from seqcore.modules.transformer import TransformerDecoder, TransformerEncoder

__all__ = ["AudioFrontend", "CharCNNEncoder", "ConformerEncoder", "EncoderOutput", "ImageFrontend", "LSTMDecoder", "LSTMEncoder", "FrameDecoder", "LocationSensitiveAttention", "Postnet", "Prenet", "TacotronEncoder", "TokenEmbedding", "TransformerDecoder",
           "TransformerEncoder", "select_rows"]
