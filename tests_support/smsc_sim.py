# Copyright 2026 service_care contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""SMPP 3.4 SMSC simulator: the operator's side of the SMS stack in tests.

    python3 -m tests_support.smsc_sim --port 2775 --control-port 2780 \\
        --system-id kannel --password secret

Kannel binds to it as to a real SMSC. Every ``submit_sm`` is decoded, its
concatenated parts are reassembled, it is answered with a numeric message id
and, when ``registered_delivery`` asks for it, a delivery receipt follows
shortly. An HTTP control interface lets tests look and steer:

``GET /messages``
    JSON list of the complete messages received, oldest first.
``POST /outcomes``
    ``{"<destination>": "DELIVRD" | "UNDELIV" | "REJECTD"}``, merged into the
    outcomes used for later receipts. Keys are destinations as received:
    Kannel sends ``+33612345678`` as ``33612345678`` with TON international,
    so a leading ``+`` in a key is dropped.
``POST /reset``
    Forget the messages and outcomes.
``POST /mo``
    ``{"source": ..., "destination": ..., "text": ...}``: deliver a
    mobile-originated message to the bound client (GSM 03.38 when the text
    allows it, UCS-2 otherwise). Answers ``{"delivered": false}`` and keeps it
    for the next bind when no client can receive.

Standard library only. The SMPP side runs on asyncio; the control server runs
in a thread and hands every state access over to the event loop, so the state
itself needs no lock.
"""

import argparse
import asyncio
import itertools
import json
import logging
import signal
import string
import struct
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import NamedTuple

_logger = logging.getLogger("smsc_sim")

# Command ids (SMPP 3.4, 5.1.2.1); a response id is its request id | RESPONSE.
RESPONSE = 0x80000000
GENERIC_NACK = 0x80000000
BIND_RECEIVER = 0x01
BIND_TRANSMITTER = 0x02
SUBMIT_SM = 0x04
DELIVER_SM = 0x05
UNBIND = 0x06
BIND_TRANSCEIVER = 0x09
ENQUIRE_LINK = 0x15

# What each bind allows the client: (submit messages, receive messages).
BIND_MODES = {
    BIND_TRANSMITTER: (True, False),
    BIND_RECEIVER: (False, True),
    BIND_TRANSCEIVER: (True, True),
}

# Command status values (5.1.3).
ESME_ROK = 0x00
ESME_RINVCMDLEN = 0x02
ESME_RINVCMDID = 0x03
ESME_RINVBNDSTS = 0x04
ESME_RALYBND = 0x05
ESME_RINVPASWD = 0x0E
ESME_RINVSYSID = 0x0F

TLV_RECEIPTED_MESSAGE_ID = 0x001E
TLV_MESSAGE_PAYLOAD = 0x0424
TLV_MESSAGE_STATE = 0x0427

ESM_CLASS_DELIVERY_RECEIPT = 0x04
ESM_CLASS_UDHI = 0x40
TON_UNKNOWN = 0x00
TON_INTERNATIONAL = 0x01
TON_ALPHANUMERIC = 0x05
NPI_UNKNOWN = 0x00
NPI_ISDN = 0x01

# Concatenation information elements of the UDH (3GPP TS 23.040, 9.2.3.24).
IEI_CONCAT_8BIT_REF = 0x00
IEI_CONCAT_16BIT_REF = 0x08

# Receipt "stat:" -> (message_state TLV value, "err:" value).
OUTCOMES = {"DELIVRD": (2, 0), "UNDELIV": (5, 1), "REJECTD": (8, 2)}

HEADER = struct.Struct(">IIII")  # command_length, command_id, status, sequence
MAX_PDU_LENGTH = 64 * 1024
# Longer mobile-originated texts travel in the message_payload TLV instead.
SHORT_MESSAGE_MAX_OCTETS = 254

# GSM 03.38 default alphabet, one character per septet value; 0x1B escapes
# into the extension table.
GSM_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_ESCAPE = 0x1B
GSM_EXTENSION = {
    0x0A: "\f",
    0x14: "^",
    0x28: "{",
    0x29: "}",
    0x2F: "\\",
    0x3C: "[",
    0x3D: "~",
    0x3E: "]",
    0x40: "|",
    0x65: "€",
}
_GSM_BASIC_CODES = {char: code for code, char in enumerate(GSM_BASIC)}
del _GSM_BASIC_CODES["\x1b"]
_GSM_EXTENSION_CODES = {char: code for code, char in GSM_EXTENSION.items()}
# SMPP data_coding values decoded with a Python codec; 0 is GSM 03.38.
CODECS = {1: "ascii", 3: "latin-1", 8: "utf-16-be"}
# Characters a receipt's "text:" may echo: the same octet in ASCII and GSM.
RECEIPT_TEXT_CHARS = frozenset(
    string.ascii_letters + string.digits + " !\"#%&'()*+,-./:;<=>?"
)


def gsm_decode(octets):
    """Decode unpacked GSM 03.38 septets (one per octet) into text."""
    chars = []
    escaped = False
    for octet in octets:
        septet = octet & 0x7F
        if escaped:
            # 03.38: an unknown extension code shows as the basic character.
            chars.append(GSM_EXTENSION.get(septet, GSM_BASIC[septet]))
            escaped = False
        elif septet == GSM_ESCAPE:
            escaped = True
        else:
            chars.append(GSM_BASIC[septet])
    return "".join(chars)


def gsm_encode(text):
    """Unpacked GSM 03.38 septets for ``text``, or None if it needs UCS-2."""
    octets = bytearray()
    for char in text:
        if char in _GSM_BASIC_CODES:
            octets.append(_GSM_BASIC_CODES[char])
        elif char in _GSM_EXTENSION_CODES:
            octets += bytes((GSM_ESCAPE, _GSM_EXTENSION_CODES[char]))
        else:
            return None
    return bytes(octets)


def decode_text(data_coding, octets):
    """Text of a message body, or None for binary and unknown data codings."""
    if data_coding == 0:
        return gsm_decode(octets)
    if data_coding in CODECS:
        return octets.decode(CODECS[data_coding], "replace")
    return None


def cstring(value):
    return value.encode("latin-1") + b"\0"


def tlv(tag, value):
    return struct.pack(">HH", tag, len(value)) + value


class PduReader:
    """Reads the fields of a PDU body in order; ValueError when it runs short."""

    def __init__(self, body):
        self.body = body
        self.offset = 0

    def octets(self, length):
        if self.offset + length > len(self.body):
            raise ValueError("PDU body too short")
        value = self.body[self.offset : self.offset + length]
        self.offset += length
        return value

    def int8(self):
        return self.octets(1)[0]

    def cstring(self):
        end = self.body.find(b"\0", self.offset)
        if end < 0:
            raise ValueError("unterminated C-Octet String")
        value = self.body[self.offset : end].decode("latin-1")
        self.offset = end + 1
        return value

    def tlvs(self):
        values = {}
        while self.offset < len(self.body):
            tag, length = struct.unpack(">HH", self.octets(4))
            values[tag] = self.octets(length)
        return values


@dataclass
class ShortMessage:
    """The fields of a submit_sm or deliver_sm (same layout) the SMSC uses."""

    source: str
    source_ton: int
    source_npi: int
    destination: str
    dest_ton: int
    dest_npi: int
    esm_class: int
    registered_delivery: int
    data_coding: int
    payload: bytes  # short_message, or the message_payload TLV

    @classmethod
    def parse(cls, body):
        reader = PduReader(body)
        reader.cstring()  # service_type
        source_ton, source_npi, source = reader.int8(), reader.int8(), reader.cstring()
        dest_ton, dest_npi, destination = reader.int8(), reader.int8(), reader.cstring()
        esm_class = reader.int8()
        reader.octets(2)  # protocol_id, priority_flag
        reader.cstring()  # schedule_delivery_time
        reader.cstring()  # validity_period
        registered_delivery = reader.int8()
        reader.int8()  # replace_if_present_flag
        data_coding = reader.int8()
        reader.int8()  # sm_default_msg_id
        short_message = reader.octets(reader.int8())
        payload = short_message or reader.tlvs().get(TLV_MESSAGE_PAYLOAD, b"")
        return cls(
            source,
            source_ton,
            source_npi,
            destination,
            dest_ton,
            dest_npi,
            esm_class,
            registered_delivery,
            data_coding,
            payload,
        )

    def encode(self, tlvs=b""):
        in_tlv = len(self.payload) > SHORT_MESSAGE_MAX_OCTETS
        short_message = b"" if in_tlv else self.payload
        if in_tlv:
            tlvs += tlv(TLV_MESSAGE_PAYLOAD, self.payload)
        return b"".join(
            (
                cstring(""),  # service_type
                bytes((self.source_ton, self.source_npi)),
                cstring(self.source),
                bytes((self.dest_ton, self.dest_npi)),
                cstring(self.destination),
                bytes((self.esm_class, 0, 0)),  # protocol_id, priority_flag
                cstring("") * 2,  # schedule_delivery_time, validity_period
                bytes((self.registered_delivery, 0, self.data_coding, 0)),
                bytes((len(short_message),)),
                short_message,
                tlvs,
            )
        )


class Concat(NamedTuple):
    """Concatenation header of one part; ``bits`` tells 8- from 16-bit refs."""

    bits: int
    ref: int
    total: int
    seq: int


def split_udh(message):
    """Return the part's concatenation header (or None) and its content."""
    payload = message.payload
    if not message.esm_class & ESM_CLASS_UDHI or not payload:
        return None, payload
    udh, content = payload[1 : 1 + payload[0]], payload[1 + payload[0] :]
    offset = 0
    while offset + 2 <= len(udh):
        iei, length = udh[offset], udh[offset + 1]
        value = udh[offset + 2 : offset + 2 + length]
        if iei == IEI_CONCAT_8BIT_REF and length == 3:
            return Concat(8, value[0], value[1], value[2]), content
        if iei == IEI_CONCAT_16BIT_REF and length == 4:
            ref = int.from_bytes(value[:2], "big")
            return Concat(16, ref, value[2], value[3]), content
        offset += 2 + length
    return None, content


def address(value):
    """SMPP (ton, npi, address) of a number as a test writes it."""
    if value.startswith("+"):
        return TON_INTERNATIONAL, NPI_ISDN, value[1:]
    if value.isdigit():
        return TON_UNKNOWN, NPI_ISDN, value
    return TON_ALPHANUMERIC, NPI_UNKNOWN, value


def receipt_body(message, message_id, text, stat):
    """deliver_sm body of the delivery receipt for one submitted part."""
    state, error = OUTCOMES[stat]
    now = datetime.now(UTC).strftime("%y%m%d%H%M")
    echo = "".join(c if c in RECEIPT_TEXT_CHARS else "?" for c in (text or "")[:20])
    delivered = 1 if stat == "DELIVRD" else 0
    receipt = ShortMessage(
        # The receipt travels back: from the handset to the original sender.
        source=message.destination,
        source_ton=message.dest_ton,
        source_npi=message.dest_npi,
        destination=message.source,
        dest_ton=message.source_ton,
        dest_npi=message.source_npi,
        esm_class=ESM_CLASS_DELIVERY_RECEIPT,
        registered_delivery=0,
        data_coding=0,
        payload=(
            f"id:{message_id} sub:001 dlvrd:{delivered:03d} submit date:{now} "
            f"done date:{now} stat:{stat} err:{error:03d} text:{echo}"
        ).encode("ascii"),
    )
    return receipt.encode(
        tlv(TLV_RECEIPTED_MESSAGE_ID, cstring(message_id))
        + tlv(TLV_MESSAGE_STATE, bytes((state,)))
    )


def wants_receipt(registered_delivery, stat):
    """Whether registered_delivery (bits 0-1) asks for a receipt of ``stat``."""
    requested = registered_delivery & 0x03
    return requested in (1, 3) or (requested == 2 and stat != "DELIVRD")


class Session:
    """One client connection and what its bind allows."""

    def __init__(self, writer):
        self.writer = writer
        self.peer = writer.get_extra_info("peername")
        self.bound = self.can_submit = self.can_receive = False
        self._sequence = itertools.count(1)

    def send(self, command_id, body=b"", sequence=None, status=ESME_ROK):
        if sequence is None:
            sequence = next(self._sequence)
        self.writer.write(
            HEADER.pack(HEADER.size + len(body), command_id, status, sequence)
        )
        self.writer.write(body)


class Smsc:
    """The simulated SMSC. Only ever used from the event loop's thread."""

    system_id_sent = "smsc_sim"  # this SMSC's own id, in bind responses

    def __init__(self, system_id, password, receipt_delay):
        self.system_id = system_id
        self.password = password
        self.receipt_delay = receipt_delay
        self._message_ids = itertools.count(1)
        self._connections = {}  # handler task -> its StreamWriter
        self._sessions = []  # bound sessions, the latest last
        self._undelivered = []  # deliver_sm bodies waiting for a receiver
        self._partial = {}  # concatenation key -> {seq: (message_id, message, content)}
        self.messages = []
        self.outcomes = {}

    async def serve(self, reader, writer):
        session = Session(writer)
        self._connections[asyncio.current_task()] = writer
        _logger.info("connection from %s", session.peer)
        try:
            while True:
                length, command_id, status, sequence = HEADER.unpack(
                    await reader.readexactly(HEADER.size)
                )
                if not HEADER.size <= length <= MAX_PDU_LENGTH:
                    _logger.warning("dropping %s: bad PDU length", session.peer)
                    break
                body = await reader.readexactly(length - HEADER.size)
                try:
                    self._handle(session, command_id, status, sequence, body)
                except ValueError as error:
                    _logger.warning("malformed PDU %#x: %s", command_id, error)
                    session.send(
                        GENERIC_NACK, sequence=sequence, status=ESME_RINVCMDLEN
                    )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            del self._connections[asyncio.current_task()]
            if session in self._sessions:
                self._sessions.remove(session)
            writer.close()
            _logger.info("%s disconnected", session.peer)

    async def close(self):
        """Drop open connections and let their handlers end normally.

        Cancelling them instead (asyncio.run's way) makes Python 3.11 log
        spurious tracebacks.
        """
        for writer in self._connections.values():
            writer.close()
        await asyncio.gather(*self._connections)

    def _handle(self, session, command_id, status, sequence, body):
        if command_id in BIND_MODES:
            self._bind(session, command_id, sequence, body)
        elif command_id == ENQUIRE_LINK:
            session.send(ENQUIRE_LINK | RESPONSE, sequence=sequence)
        elif command_id == UNBIND:
            session.send(UNBIND | RESPONSE, sequence=sequence)
            # Closing flushes the response first; the read loop then ends.
            session.writer.close()
        elif command_id == SUBMIT_SM:
            self._submit(session, sequence, body)
        elif command_id & RESPONSE:
            # deliver_sm_resp, enquire_link_resp, ...: nothing waits for them.
            if status != ESME_ROK:
                _logger.warning("response %#x with status %#x", command_id, status)
        else:
            session.send(GENERIC_NACK, sequence=sequence, status=ESME_RINVCMDID)

    def _bind(self, session, command_id, sequence, body):
        reader = PduReader(body)
        system_id, password = reader.cstring(), reader.cstring()
        if session.bound:
            status = ESME_RALYBND
        elif system_id != self.system_id:
            status = ESME_RINVSYSID
        elif password != self.password:
            status = ESME_RINVPASWD
        else:
            status = ESME_ROK
        if status != ESME_ROK:
            _logger.warning("bind of %r refused: %#x", system_id, status)
            session.send(command_id | RESPONSE, sequence=sequence, status=status)
            return
        session.send(command_id | RESPONSE, cstring(self.system_id_sent), sequence)
        session.bound = True
        session.can_submit, session.can_receive = BIND_MODES[command_id]
        self._sessions.append(session)
        _logger.info("%s bound (%#x)", session.peer, command_id)
        if session.can_receive:
            waiting, self._undelivered = self._undelivered, []
            for deliver_body in waiting:
                self._deliver(deliver_body)

    def _submit(self, session, sequence, body):
        if not session.can_submit:
            session.send(
                SUBMIT_SM | RESPONSE, sequence=sequence, status=ESME_RINVBNDSTS
            )
            return
        message = ShortMessage.parse(body)
        message_id = str(next(self._message_ids))
        session.send(SUBMIT_SM | RESPONSE, cstring(message_id), sequence)
        concat, content = split_udh(message)
        _logger.info(
            "submit_sm %s: %s -> %s dcs=%s part=%s",
            message_id,
            message.source,
            message.destination,
            message.data_coding,
            concat,
        )
        self._collect(message, message_id, concat, content)
        stat = self.outcomes.get(message.destination, "DELIVRD")
        if wants_receipt(message.registered_delivery, stat):
            text = decode_text(message.data_coding, content)
            asyncio.get_running_loop().call_later(
                self.receipt_delay,
                self._deliver,
                receipt_body(message, message_id, text, stat),
            )

    def _collect(self, message, message_id, concat, content):
        """Record the message once all its parts are in."""
        if concat is None or concat.total <= 1:
            parts = [(message_id, message, content)]
        else:
            key = (message.source, message.destination, concat.bits, concat.ref)
            received = self._partial.setdefault(key, {})
            received[concat.seq] = (message_id, message, content)
            if len(received) < concat.total:
                return
            parts = [received[seq] for seq in sorted(self._partial.pop(key))]
        first = parts[0][1]
        self.messages.append(
            {
                "id": parts[0][0],
                "message_ids": [part[0] for part in parts],
                "source": first.source,
                "destination": first.destination,
                "dest_addr_ton": first.dest_ton,
                "data_coding": first.data_coding,
                # Joined before decoding: a character may straddle two parts.
                "text": decode_text(
                    first.data_coding, b"".join(part[2] for part in parts)
                ),
                "parts": len(parts),
                "registered_delivery": first.registered_delivery,
                "received_at": datetime.now(UTC).isoformat(),
            }
        )

    def _deliver(self, body):
        """Send a deliver_sm to the latest receiving session, or keep it."""
        receiver = next((s for s in reversed(self._sessions) if s.can_receive), None)
        if receiver is None:
            self._undelivered.append(body)
            return False
        receiver.send(DELIVER_SM, body)
        return True

    # Control interface operations, called on the loop by ControlServer.

    def list_messages(self):
        return list(self.messages)

    def set_outcomes(self, outcomes):
        if not isinstance(outcomes, dict):
            raise ValueError("expected a JSON object {destination: stat}")
        for destination, stat in outcomes.items():
            if stat not in OUTCOMES:
                raise ValueError(f"unknown stat {stat!r}, use one of {list(OUTCOMES)}")
            self.outcomes[destination.removeprefix("+")] = stat
        return dict(self.outcomes)

    def reset(self):
        self.messages.clear()
        self.outcomes.clear()
        self._partial.clear()
        return {}

    def mobile_originated(self, source, destination, text):
        octets, data_coding = gsm_encode(text), 0
        if octets is None:
            octets, data_coding = text.encode("utf-16-be"), 8
        source_ton, source_npi, source = address(source)
        dest_ton, dest_npi, destination = address(destination)
        message = ShortMessage(
            source,
            source_ton,
            source_npi,
            destination,
            dest_ton,
            dest_npi,
            esm_class=0,
            registered_delivery=0,
            data_coding=data_coding,
            payload=octets,
        )
        return {"delivered": self._deliver(message.encode())}


class ControlServer(ThreadingHTTPServer):
    """HTTP control interface, run in its own thread next to the loop."""

    daemon_threads = True

    def __init__(self, address, smsc, loop):
        super().__init__(address, ControlHandler)
        self.smsc = smsc
        self.loop = loop

    def call(self, method, *args):
        """Run ``method`` on the event loop and return its result here."""

        async def run():
            return method(*args)

        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(timeout=10)


class ControlHandler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path != "/messages":
            self._reply(HTTPStatus.NOT_FOUND, {"error": f"no route {self.path}"})
            return
        self._reply(HTTPStatus.OK, self.server.call(self.server.smsc.list_messages))

    def do_POST(self):
        smsc = self.server.smsc
        try:
            length = int(self.headers.get("Content-Length") or 0)
            data = json.loads(self.rfile.read(length) or b"{}")
            if self.path == "/outcomes":
                result = self.server.call(smsc.set_outcomes, data)
            elif self.path == "/reset":
                result = self.server.call(smsc.reset)
            elif self.path == "/mo":
                result = self.server.call(
                    smsc.mobile_originated,
                    str(data["source"]),
                    str(data["destination"]),
                    str(data["text"]),
                )
            else:
                self._reply(HTTPStatus.NOT_FOUND, {"error": f"no route {self.path}"})
                return
        except (ValueError, KeyError, TypeError) as error:
            self._reply(HTTPStatus.BAD_REQUEST, {"error": repr(error)})
            return
        self._reply(HTTPStatus.OK, result)

    def _reply(self, status, data):
        body = json.dumps(data, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        _logger.info("control: " + fmt, *args)


async def serve(args):
    loop = asyncio.get_running_loop()
    smsc = Smsc(args.system_id, args.password, args.receipt_delay)
    server = await asyncio.start_server(smsc.serve, args.host, args.port)
    control = ControlServer((args.host, args.control_port), smsc, loop)
    threading.Thread(target=control.serve_forever, name="control").start()
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    _logger.info(
        "SMPP on %s:%s, control on http://%s:%s",
        args.host,
        args.port,
        args.host,
        args.control_port,
    )
    await stop.wait()
    server.close()
    await smsc.close()
    # shutdown() blocks until serve_forever() returns: not on the loop's thread.
    await asyncio.to_thread(control.shutdown)
    control.server_close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True, help="SMPP port")
    parser.add_argument("--control-port", type=int, required=True, help="HTTP port")
    parser.add_argument("--system-id", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument(
        "--receipt-delay",
        type=float,
        default=0.3,
        help="seconds between a submit_sm and its delivery receipt",
    )
    args = parser.parse_args()
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
