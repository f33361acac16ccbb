"""/websocket: the RFC 6455 handshake with the checks Odoo's bus makes, and a small frame loop.

The handshake is validated before anything else, exactly in Odoo's order, because that order
decides the status a client sees: missing headers give 400 (Origin is required), a version
other than 13 gives 426, and only a valid handshake reaching a prefork HTTP worker gives 500
("Couldn't bind the websocket"), since such workers cannot hand the socket over.
"""
import base64
import binascii
import hashlib
import json
import struct

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
REQUIRED = ("connection", "host", "sec-websocket-key", "sec-websocket-version", "upgrade", "origin")


def check_handshake(headers):
    """None when valid, else (status, message) as Odoo answers."""
    missing = [h for h in REQUIRED if not headers.get(h)]
    if missing:
        return 400, f"Empty or missing header(s): {', '.join(sorted(missing))}"
    if headers["upgrade"].lower() != "websocket":
        return 400, "Invalid upgrade header"
    if "upgrade" not in headers["connection"].lower():
        return 400, "Invalid connection header"
    if headers["sec-websocket-version"] != "13":
        return 426, "Upgrade Required"
    try:
        key = base64.b64decode(headers["sec-websocket-key"], validate=True)
    except (binascii.Error, ValueError):
        return 400, "Sec-WebSocket-Key should be b64 encoded"
    if len(key) != 16:
        return 400, "Sec-WebSocket-Key should be of length 16 once decoded"
    return None


def accept_value(key):
    return base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()


def frame(opcode, payload):
    head = bytes([0x80 | opcode])
    if len(payload) < 126:
        head += bytes([len(payload)])
    elif len(payload) < 65536:
        head += bytes([126]) + struct.pack("!H", len(payload))
    else:
        head += bytes([127]) + struct.pack("!Q", len(payload))
    return head + payload


def _read_frame(rfile):
    head = rfile.read(2)
    if len(head) < 2:
        return None
    opcode, length = head[0] & 0x0F, head[1] & 0x7F
    if length == 126:
        length = struct.unpack("!H", rfile.read(2))[0]
    elif length == 127:
        length = struct.unpack("!Q", rfile.read(8))[0]
    mask = rfile.read(4) if head[1] & 0x80 else b"\0\0\0\0"
    data = rfile.read(length)
    return opcode, bytes(b ^ mask[i % 4] for i, b in enumerate(data))


def serve(rfile, wfile, on_message):
    """Answers pings, echoes close, and passes text messages to on_message (which returns a
    reply or None) until the peer closes or goes away."""
    while True:
        try:
            got = _read_frame(rfile)
        except (OSError, struct.error):
            return
        if got is None:
            return
        opcode, payload = got
        if opcode == 0x8:
            code = payload[:2] if len(payload) >= 2 else struct.pack("!H", 1000)
            wfile.write(frame(0x8, code))
            wfile.flush()
            return
        if opcode == 0x9:
            wfile.write(frame(0xA, payload))
        elif opcode == 0x1:
            try:
                reply = on_message(json.loads(payload.decode()))
            except ValueError:
                reply = None
            if reply is not None:
                wfile.write(frame(0x1, json.dumps(reply).encode()))
        wfile.flush()
