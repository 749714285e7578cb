"""The command line of dtls_wasm3.py as dtls-client (host/cli.ts) and dtls-posix
(boards/posix/main.c) have it: the same options, checks in the same order, messages, usage
text and exit codes, read from host/messages.json; and the core's numbers in words
(boards/hal/dtls_codes.h), as host/names.ts and boards/runtime/dtls_names.c give them."""
import json
import os
import re

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


def load_codes():
    """The core's numbers from the generated C header (boards/hal/dtls_codes.h)."""
    codes = {}
    with open(os.path.join(ROOT, "boards", "hal", "dtls_codes.h")) as f:
        for m in re.finditer(r"#define DTLS_(\w+) \((-?\d+)\)", f.read()):
            codes[m.group(1)] = int(m.group(2))
    return codes


CODES = load_codes()
with open(os.path.join(ROOT, "host", "messages.json")) as _f:
    MESSAGES = json.load(_f)
MSG = MESSAGES["messages"]
EXIT = MESSAGES["exit"]
PROGRAM = MESSAGES["programs"]["wasm3"]
def _bound(b):
    """A bound is a number or the name of the core's constant (as host/messages.json says)."""
    return b if isinstance(b, int) else CODES[b]


NUMBERS = {option: (_bound(lo), _bound(hi), unit) for option, lo, hi, unit in MESSAGES["numbers"]}
SUMMARY_COUNTERS = [(key, CODES[info]) for key, info in MESSAGES["summary_counters"]]


def _names(prefix, skip=()):
    return {v: k[len(prefix):].lower() for k, v in CODES.items() if k.startswith(prefix) and k not in skip}


STATE_NAMES = _names("STATE_")
REASON_NAMES = _names("REASON_")
ALERT_NAMES = _names("ALERT_", ("ALERT_WARNING", "ALERT_FATAL"))
CIPHER_NAMES = {v: k for k, v in CODES.items() if k.startswith("TLS_")}


def state_name(state):
    return "trapped" if state < 0 and state not in STATE_NAMES else STATE_NAMES.get(state, f"state_{state}")


def reason_name(reason):
    return REASON_NAMES.get(reason, f"reason_{reason}")


def reason_text(reason):
    return MESSAGES["reasons"].get(reason_name(reason), reason_name(reason))


def cipher_name(suite):
    return CIPHER_NAMES.get(suite) or f"0x{suite & 0xffff:x}"


def describe_alert(packed):
    """dtls_last_alert's packed value in words, e.g. "fatal handshake_failure received"."""
    if packed < 0:
        return None
    level = "fatal" if (packed >> 8) & 0xFF == CODES["ALERT_FATAL"] else "warning"
    d = packed & 0xFF
    return f"{level} {ALERT_NAMES.get(d, f'alert_{d}')} {'sent' if (packed >> 16) & 1 else 'received'}"


def describe_failure(reason, packed_alert):
    """The reason's sentence, plus the alert when it explains it."""
    alert = describe_alert(packed_alert)
    if alert and (reason == CODES["REASON_PEER_ALERT"] or "sent" in alert):
        return f"{reason_text(reason)} ({alert})"
    return reason_text(reason)


def render_usage(program="wasm3"):
    """The usage text (scripts/gen-messages.mjs renderUsage writes it for the other two)."""
    u = MESSAGES["usage"]
    lines = [u["synopsis"].replace("%s", MESSAGES["programs"][program])]
    for who, flag, text in u["options"]:
        if who == "all" or program in who.split(" "):
            lines.append(f"  {flag:<19} {text}")
    lines.append(u["footer"])
    return "\n".join(lines) + "\n"


USAGE = render_usage()


class UsageError(Exception):
    """Bad usage: the message, then the usage text; exit code 2."""


class HelpRequested(Exception):
    pass


def usage(template, *values):
    return UsageError(template % values)


def whole_number(option, text):
    """A whole number (ASCII digits) within the option's range of host/messages.json."""
    lo, hi, unit = NUMBERS[option]
    if not re.fullmatch(r"[0-9]+", text) or not lo <= int(text) <= hi:
        raise usage(MSG["bad_number"], option, str(lo), str(hi), unit, text)
    return int(text)


def parse_target(target):
    """HOST:PORT or [IPV6]:PORT; a port from 1 to 65535 (host/cli.ts's expressions)."""
    m = re.fullmatch(r"\[([^\[\]]+)\]:([^:]*)", target, re.S) or re.fullmatch(r"([^:\[\]]+):([^:]*)", target, re.S)
    if not m:
        raise usage(MSG["bad_target"], target)
    port = m.group(2)
    if not re.fullmatch(r"[0-9]+", port) or not 1 <= int(port) <= 65535:
        raise usage(MSG["bad_port"], port)
    return ("127.0.0.1" if m.group(1) == "localhost" else m.group(1)), int(port)


class Args:
    def __init__(self):
        self.target = self.identity = self.psk_hex = self.sni = self.send = None
        self.key = self.server_key = self.stop_before = self.seed = self.mfl = self.psk = None
        self.rto = self.timeout = self.pmtu = self.heartbeat = self.heartbeat_mode = None
        self.session_in = self.session_out = self.cid = None
        self.keylog = None
        self.wait = 5000
        self.rpk = self.json = self.verbose = self.require_ems = self.expect_reply = self.hal_p256 = False
        self.tickets = False
        self.false_start = False
        # X.509 (RFC 7925 s. 4.4): --ca (repeatable), --cert, --servername, --time, --accept-unknown-time
        self.ca = []
        self.cert = self.servername = self.time = None
        self.accept_unknown_time = False
        # RFC 7925 s. 4.4's extensions: --cached-info, --cert-url URL, --trusted-ca-keys
        self.cached_info = self.trusted_ca_keys = False
        self.cert_url = None
        self.wasm = os.path.join(ROOT, "build", "dtls.wasm")


TAKES_VALUE = {"--psk-identity": "identity", "--psk": "psk_hex", "--sni": "sni", "--mfl": "mfl", "--rto": "rto",
               "--timeout": "timeout", "--pmtu": "pmtu", "--send": "send", "--wait": "wait", "--seed": "seed",
               "--key": "key", "--server-key": "server_key", "--stop-before": "stop_before", "--wasm": "wasm",
               "--session-in": "session_in", "--session-out": "session_out",
               "--heartbeat": "heartbeat", "--heartbeat-mode": "heartbeat_mode", "--cid": "cid", "--keylog": "keylog",
               "--ca": "ca", "--cert": "cert", "--servername": "servername", "--time": "time", "--cert-url": "cert_url"}
FLAGS = {"--rpk": "rpk", "--json": "json", "--verbose": "verbose", "--require-ems": "require_ems", "--tickets": "tickets",
         "--expect-reply": "expect_reply", "--software-aes": None,  # this HAL has no AES engine anyway
         "--hal-p256": "hal_p256", "--false-start": "false_start", "--accept-unknown-time": "accept_unknown_time",
         "--cached-info": "cached_info", "--trusted-ca-keys": "trusted_ca_keys"}


def parse_args(argv):
    """The options, checked in host/cli.ts's order: Args, or UsageError / HelpRequested."""
    a = Args()
    i = 0
    while i < len(argv):
        o = argv[i]
        if o in TAKES_VALUE:
            if i + 1 >= len(argv):
                raise usage(MSG["needs_value"], o)
            i += 1
            v = argv[i]
            if o == "--sni" and v == "":
                raise usage(MSG["sni_empty"])
            if o == "--mfl" and v not in ("off", "512", "1024"):
                raise usage(MSG["bad_mfl"], v)
            if o == "--stop-before" and v not in ("init", "connect"):
                raise usage(MSG["bad_stop_before"], v)
            if o == "--heartbeat-mode" and v not in ("allow", "deny"):
                raise usage(MSG["bad_heartbeat_mode"], v)
            if o == "--ca":
                a.ca.append(v)
            else:
                setattr(a, TAKES_VALUE[o], whole_number(o, v) if o in NUMBERS else v)
        elif o in FLAGS:
            if FLAGS[o]:
                setattr(a, FLAGS[o], True)
        elif o in ("-h", "--help"):
            raise HelpRequested()
        elif o.startswith("-"):
            raise usage(MSG["unknown_option"], o)
        elif a.target is not None:
            raise usage(MSG["unexpected_argument"], o)
        else:
            a.target = o
        i += 1
    if a.target is None:
        raise usage(MSG["missing_target"])
    a.host, a.port = parse_target(a.target)
    if (a.identity is None) != (a.psk_hex is None):
        raise usage(MSG["psk_pair"])
    x509 = len(a.ca) > 0
    if not a.rpk and (a.server_key is not None or (a.key is not None and not x509)):
        raise usage(MSG["rpk_only"])
    if a.rpk and a.server_key is None:
        raise usage(MSG["rpk_needs_server_key"])
    if not a.rpk and not x509 and a.identity is None:
        raise usage(MSG["credentials_required"])
    if not x509 and (a.cert is not None or a.servername is not None or a.time is not None or a.accept_unknown_time or
                     a.cached_info or a.trusted_ca_keys or a.cert_url is not None):
        raise usage(MSG["x509_only"])
    if a.cert_url is not None and a.cert is None:
        raise usage(MSG["cert_url_needs_cert"])
    if x509 and a.rpk:
        raise usage(MSG["x509_with_rpk"])
    if a.cert is not None and a.key is None:
        raise usage(MSG["cert_needs_key"])
    if a.time is not None and not re.fullmatch(r"now|unknown|[0-9]+", a.time):
        raise usage(MSG["bad_time"], a.time)
    if a.expect_reply and a.send is None:
        raise usage(MSG["expect_reply_needs_send"])
    if a.identity is not None:
        # argv as the bytes the user typed (Python decoded them with surrogateescape)
        a.identity = os.fsencode(a.identity)
        if len(a.identity) == 0:
            raise usage(MSG["identity_empty"])
        if len(a.identity) > 128:
            raise usage(MSG["identity_too_long"], str(len(a.identity)))
        if not re.fullmatch(r"(?:[0-9a-fA-F]{2})+", a.psk_hex):
            raise usage(MSG["psk_not_hex"], a.psk_hex)
        a.psk = bytes.fromhex(a.psk_hex)
        if len(a.psk) > 64:
            raise usage(MSG["psk_too_long"], str(len(a.psk)))
    return a
