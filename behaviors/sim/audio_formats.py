"""Best-effort duration of uploaded audio files from their headers: WAV, MP3, FLAC, Ogg (Vorbis/Opus/FLAC), MP4/M4A
and raw AAC (ADTS). Pure byte parsing, no decoding.

* WAV: ``fmt `` and ``data`` chunks; a data size of 0 or 0xFFFFFFFF (streamed WAV) means "the rest of the file".
* MP3 (MPEG-1/2/2.5 Layer III): skips an ID3v2 tag, then uses a Xing/Info or VBRI frame count when present;
  otherwise walks frame headers. When the first 64 frames share one bitrate the stream is taken as CBR and the
  remaining bytes are divided by the bitrate instead of walking every frame.
* FLAC: total samples / sample rate from STREAMINFO (None if the encoder left the total at 0).
* Ogg: last page's granule position over the stream's rate (48 kHz for Opus, minus its pre-skip).
* MP4/M4A: ``moov/mvhd`` duration / timescale. ADTS AAC: 1024 samples per frame.
"""

from __future__ import annotations

import struct

_MP3_BITRATES = {  # kbit/s by bitrate index, Layer III
    3: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),  # MPEG-1
    2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),  # MPEG-2
    0: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),  # MPEG-2.5
}
_MP3_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}
_AAC_RATES = (96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350)
_CBR_PROBE_FRAMES = 64
_MP3_EXTENSIONS = ("mp3", "mpga", "mpeg")


def wav_info(data: bytes) -> tuple[int, int, int, float] | None:
    """(sample_rate, channels, bits_per_sample, duration_seconds) from a RIFF/WAVE header, or None."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return None
    pos, fmt = 12, None
    while pos + 8 <= len(data):
        tag, size = data[pos : pos + 4], int.from_bytes(data[pos + 4 : pos + 8], "little")
        body = pos + 8
        if tag == b"fmt " and body + 16 <= len(data):
            _, channels, rate, byte_rate, _, bits = struct.unpack("<HHIIHH", data[body : body + 16])
            fmt = (rate, channels, bits, byte_rate)
        elif tag == b"data":
            if fmt is None or fmt[3] == 0:
                return None
            if size in (0, 0xFFFFFFFF):
                size = len(data) - body
            return fmt[0], fmt[1], fmt[2], size / fmt[3]
        pos = body + size + (size & 1)
    return None


def _skip_id3(data: bytes) -> int:
    if len(data) >= 10 and data[:3] == b"ID3":
        size = (data[6] & 0x7F) << 21 | (data[7] & 0x7F) << 14 | (data[8] & 0x7F) << 7 | (data[9] & 0x7F)
        return 10 + size + (10 if data[5] & 0x10 else 0)
    return 0


def _mp3_header(data: bytes, pos: int) -> tuple[int, int, int, int] | None:
    """(frame_length, samples_per_frame, sample_rate, bitrate_kbps) of a Layer III frame header at ``pos``."""
    if pos + 4 > len(data) or data[pos] != 0xFF or (data[pos + 1] & 0xE0) != 0xE0:
        return None
    version, layer = (data[pos + 1] >> 3) & 3, (data[pos + 1] >> 1) & 3
    bitrate_idx, rate_idx, padding = data[pos + 2] >> 4, (data[pos + 2] >> 2) & 3, (data[pos + 2] >> 1) & 1
    if version == 1 or layer != 1 or bitrate_idx in (0, 15) or rate_idx == 3:
        return None
    kbps, rate = _MP3_BITRATES[version][bitrate_idx], _MP3_RATES[version][rate_idx]
    per_frame = 1152 if version == 3 else 576
    return (per_frame // 8) * kbps * 1000 // rate + padding, per_frame, rate, kbps


def _mp3_duration(data: bytes) -> float | None:
    start = _skip_id3(data)
    pos = data.find(b"\xff", start)
    while 0 <= pos < start + 65536 and _mp3_header(data, pos) is None:
        pos = data.find(b"\xff", pos + 1)
    first = _mp3_header(data, pos) if pos >= 0 else None
    if first is None:
        return None
    _, per_frame, rate, _ = first
    mono = (data[pos + 3] >> 6) == 3
    side = (17 if mono else 32) if per_frame == 1152 else (9 if mono else 17)
    tag_at = pos + 4 + side
    if data[tag_at : tag_at + 4] in (b"Xing", b"Info") and len(data) >= tag_at + 12 and data[tag_at + 7] & 1:
        return int.from_bytes(data[tag_at + 8 : tag_at + 12]) * per_frame / rate
    if data[pos + 36 : pos + 40] == b"VBRI":
        return int.from_bytes(data[pos + 50 : pos + 54]) * per_frame / rate
    end = len(data) - (128 if data[-128:-125] == b"TAG" else 0)
    samples, frames, bitrates = 0, 0, set()
    while (header := _mp3_header(data, pos)) is not None and pos + header[0] <= end:
        samples += header[1]
        frames += 1
        bitrates.add(header[3])
        pos += header[0]
        if frames == _CBR_PROBE_FRAMES and len(bitrates) == 1:
            return samples / rate + (end - pos) * 8 / (header[3] * 1000)
    return samples / rate if frames else None


def _flac_duration(data: bytes, pos: int) -> float | None:
    """Duration from a STREAMINFO block whose 34-byte body starts at ``pos``."""
    if pos + 18 > len(data):
        return None
    bits = int.from_bytes(data[pos + 10 : pos + 18])
    rate, total = bits >> 44, bits & ((1 << 36) - 1)
    return total / rate if rate and total else None


def _ogg_duration(data: bytes) -> float | None:
    if len(data) < 28:
        return None
    packet = 27 + data[26]
    head = data[packet : packet + 64]
    if head.startswith(b"\x01vorbis") and len(head) >= 16:
        rate, skip = int.from_bytes(head[12:16], "little"), 0
    elif head.startswith(b"OpusHead") and len(head) >= 12:
        rate, skip = 48000, int.from_bytes(head[10:12], "little")
    elif head.startswith(b"\x7fFLAC") and head[9:13] == b"fLaC":
        rate, skip = int.from_bytes(head[27:30]) >> 4, 0
    else:
        return None
    pos = len(data)
    while (pos := data.rfind(b"OggS", 0, pos)) >= 0:
        granule = int.from_bytes(data[pos + 6 : pos + 14], "little", signed=True)
        if data[pos + 4] == 0 and granule >= 0:
            return max(0, granule - skip) / rate if rate else None
    return None


def _mp4_duration(data: bytes, start: int = 0, end: int | None = None) -> float | None:
    pos, end = start, len(data) if end is None else end
    while pos + 8 <= end:
        size, kind = int.from_bytes(data[pos : pos + 4]), data[pos + 4 : pos + 8]
        header = 8
        if size == 1:
            size, header = int.from_bytes(data[pos + 8 : pos + 16]), 16
        elif size == 0:
            size = end - pos
        if size < header:
            return None
        if kind == b"moov":
            return _mp4_duration(data, pos + header, min(end, pos + size))
        if kind == b"mvhd":
            body = data[pos + header : pos + size]
            if body[:1] == b"\x01" and len(body) >= 32:
                scale, duration = int.from_bytes(body[20:24]), int.from_bytes(body[24:32])
            elif len(body) >= 20:
                scale, duration = int.from_bytes(body[12:16]), int.from_bytes(body[16:20])
            else:
                return None
            return duration / scale if scale else None
        pos += size
    return None


def _adts_duration(data: bytes, pos: int) -> float | None:
    frames, rate = 0, 0
    while pos + 7 <= len(data) and data[pos] == 0xFF and (data[pos + 1] & 0xF6) == 0xF0:
        rate_idx = (data[pos + 2] >> 2) & 0xF
        length = ((data[pos + 3] & 0x03) << 11) | (data[pos + 4] << 3) | (data[pos + 5] >> 5)
        if rate_idx >= len(_AAC_RATES) or length < 7:
            break
        rate, frames, pos = _AAC_RATES[rate_idx], frames + 1 + (data[pos + 6] & 0x03), pos + length
    return frames * 1024 / rate if frames else None


def audio_duration(data: bytes, filename: str = "") -> float | None:
    """Best-effort duration in seconds of an audio file (format from magic bytes, else the file extension)."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if data[:4] == b"RIFF":
        info = wav_info(data)
        return info[3] if info else None
    start = _skip_id3(data)  # ID3v2 tags also precede FLAC and ADTS streams now and then
    magic = data[start : start + 8]
    if magic[:4] == b"fLaC":
        return _flac_duration(data, start + 8) if len(magic) > 4 and magic[4] & 0x7F == 0 else None
    if magic[:4] == b"OggS":
        return _ogg_duration(data)
    if magic[4:8] == b"ftyp":
        return _mp4_duration(data)
    if len(magic) >= 2 and magic[0] == 0xFF and (magic[1] & 0xF6) == 0xF0:
        return _adts_duration(data, start)
    if start or _mp3_header(data, 0) is not None or ext in _MP3_EXTENSIONS:
        return _mp3_duration(data)
    return None
