"""National identity numbers: US SSN/ITIN and the common European, Latin American and Asian ids.

Written in their usual format (`123-45-6789`, `756.1234.5678.97`, `12345678Z`) they are matched anywhere
and checked with python-stdnum. Bare digit runs are only tried in fields whose name says ssn, national
id, tax id ...: without that, nine or eleven random digits pass some country's checksum far too often.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from stdnum.be import nn as be_nn
from stdnum.br import cpf as br_cpf
from stdnum.ca import sin as ca_sin
from stdnum.ch import ssn as ch_ssn
from stdnum.cn import ric as cn_ric
from stdnum.de import idnr as de_idnr
from stdnum.dk import cpr as dk_cpr
from stdnum.es import dni as es_dni
from stdnum.es import nie as es_nie
from stdnum.fi import hetu as fi_hetu
from stdnum.fr import nir as fr_nir
from stdnum.in_ import aadhaar as in_aadhaar
from stdnum.it import codicefiscale as it_cf
from stdnum.kr import rrn as kr_rrn
from stdnum.mx import curp as mx_curp
from stdnum.nl import bsn as nl_bsn
from stdnum.no import fodselsnummer as no_fnr
from stdnum.pl import pesel as pl_pesel
from stdnum.se import personnummer as se_pnr
from stdnum.us import itin as us_itin
from stdnum.us import ssn as us_ssn
from stdnum.za import idnr as za_idnr

from headwater.discovery.hints import Hints
from headwater.discovery.types import FAILED, Hit
from headwater.discovery.validators import uk_nino

Check = Callable[[str], bool]

_B = r"(?<![\w.-])(?<!\d[ -])"  # not the tail of a longer grouped number (a card)
_E = r"(?![\w-]|\.\w|[ -]\d)"
# (format, validators, confidence): ids recognisable by their format alone. A confidence below
# WEAK_BELOW marks formats whose checks random digits pass too often (CPR has no checksum, SIN is Luhn).
_FORMATS: tuple[tuple[str, tuple[Check, ...], float], ...] = (
    (r"\d{3}-\d{2}-\d{4}", (us_ssn.is_valid, us_itin.is_valid), 0.8),
    (r"756\.\d{4}\.\d{4}\.\d{2}", (ch_ssn.is_valid,), 0.95),
    (r"\d{3}\.\d{3}\.\d{3}-\d{2}", (br_cpf.is_valid,), 0.9),
    (r"\d{2}\.\d{2}\.\d{2}-\d{3}\.\d{2}", (be_nn.is_valid,), 0.9),
    (r"\d{6}[-+A]\d{3}[0-9A-Y]", (fi_hetu.is_valid,), 0.9),
    (r"(?:\d{2})?\d{6}[-+]\d{4}", (se_pnr.is_valid, dk_cpr.is_valid), 0.65),
    (r"\d{6}-\d{7}", (kr_rrn.is_valid,), 0.9),
    (r"\d{8}-?[A-Z]", (es_dni.is_valid,), 0.85),
    (r"[XYZ]-?\d{7}-?[A-Z]", (es_nie.is_valid,), 0.9),
    (r"[A-Z]{6}\d{2}[A-Z]\d{2}[A-Z]\d{3}[A-Z]", (it_cf.is_valid,), 0.95),
    (r"[A-Z]{4}\d{6}[HM][A-Z]{5}[0-9A-Z]\d", (mx_curp.is_valid,), 0.95),
    (r"\d{17}[\dX]", (cn_ric.is_valid,), 0.9),
    (r"[12] ?\d{2} ?\d{2} ?(?:\d{2}|2[AB]) ?\d{3} ?\d{3} ?\d{2}", (fr_nir.is_valid,), 0.9),
    (r"[A-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]", (lambda v: uk_nino(v.replace(" ", "")),), 0.85),
    (r"[2-9]\d{3} \d{4} \d{4}", (in_aadhaar.is_valid,), 0.85),
    (r"\d{3}[ -]\d{3}[ -]\d{3}", (ca_sin.is_valid,), 0.6),
)
#: one pass over the text for every format, the shared boundaries outside the alternation so that most
#: positions fail at once; the group that matched says which format it was
_ANY_FORMAT = re.compile(
    _B + "(?:" + "|".join(f"(?P<f{i}>{fmt})" for i, (fmt, _, _) in enumerate(_FORMATS)) + ")" + _E
)
WEAK_BELOW = 0.7
_DIGIT_RUN = re.compile(r"(?<![\w.-])\d{9,13}(?![\w-]|\.\w)")
# bare digits, only in fields named like an id: every checksum that fits the length
_BARE: dict[int, tuple[Check, ...]] = {
    9: (us_ssn.is_valid, nl_bsn.is_valid, ca_sin.is_valid),
    10: (dk_cpr.is_valid, se_pnr.is_valid),
    11: (pl_pesel.is_valid, no_fnr.is_valid, de_idnr.is_valid, fr_nir.is_valid),
    12: (in_aadhaar.is_valid,),
    13: (za_idnr.is_valid, fr_nir.is_valid),
}


def detect(text: str, digits: int, hints: Hints) -> Hit | None:
    if digits < 6:
        return None
    bonus = 0.1 if hints.has("national_id") else 0.0
    result: Hit | None = None
    for match in _ANY_FORMAT.finditer(text):
        _, checks, confidence = _FORMATS[int(match.lastgroup[1:])]  # type: ignore[index]
        candidate = match.group(0)
        if any(_safe(check, candidate) for check in checks):
            return Hit(min(1.0, confidence + bonus), candidate, weak=confidence < WEAK_BELOW)
        result = FAILED
    if hints.has("national_id"):
        for match in _DIGIT_RUN.finditer(text):
            candidate = match.group(0)
            if any(_safe(check, candidate) for check in _BARE.get(len(candidate), ())):
                return Hit(0.85, candidate, weak=True)
            result = FAILED
    return result


def _safe(check: Check, candidate: str) -> bool:
    try:
        return bool(check(candidate))
    except Exception:  # a validator must never stop a scan
        return False
