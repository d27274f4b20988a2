"""The Python WebRTC client behind `seefood stream`: send video, print what comes back."""
