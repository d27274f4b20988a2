"""Live video over WebRTC: aiortc receives, frames are turned upright and sent to inference.

aiortc is patched (`aiortc_patch.apply()`) by what makes peer connections, the session
manager and the Python client, when they are made: importing this package changes nothing.
"""
