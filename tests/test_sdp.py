from seefood.live.sdp import BitrateHints, add_bitrate_hints

ANSWER = "\r\n".join(
    [
        "v=0",
        "m=audio 9 UDP/TLS/RTP/SAVPF 111",
        "a=rtpmap:111 opus/48000/2",
        "a=fmtp:111 minptime=10",
        "m=video 9 UDP/TLS/RTP/SAVPF 102 103 96",
        "a=rtpmap:102 H264/90000",
        "a=fmtp:102 packetization-mode=1;profile-level-id=42e01f",
        "a=rtpmap:103 rtx/90000",
        "a=fmtp:103 apt=102",
        "a=rtpmap:96 VP8/90000",
        "a=rtcp-fb:96 nack",
        "",
    ]
)


def test_hints_go_on_every_video_codec_and_nowhere_else() -> None:
    out = add_bitrate_hints(ANSWER, BitrateHints(1000, 300, 2500)).split("\r\n")
    hint = "x-google-start-bitrate=1000;x-google-min-bitrate=300;x-google-max-bitrate=2500"
    assert f"a=fmtp:102 packetization-mode=1;profile-level-id=42e01f;{hint}" in out
    assert "a=fmtp:103 apt=102" in out  # RTX untouched
    assert "a=fmtp:111 minptime=10" in out  # audio untouched
    vp8 = out.index("a=rtpmap:96 VP8/90000")
    assert out[vp8 + 1] == f"a=fmtp:96 {hint}"  # added where there was none
    assert out[-1] == "" and len(out) == len(ANSWER.split("\r\n")) + 1


def test_no_hints_leaves_the_answer_alone() -> None:
    assert add_bitrate_hints(ANSWER, None) == ANSWER
