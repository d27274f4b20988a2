"""Live video over WebRTC: aiortc receives, frames are turned upright and sent to inference.

Importing this package patches aiortc once (see `aiortc_patch`), so that every peer
connection made afterwards, the server's and the Python client's, negotiates and reads the
video-orientation extension and uses the configured ICE host addresses.
"""

from seefood.live import aiortc_patch

aiortc_patch.apply()
