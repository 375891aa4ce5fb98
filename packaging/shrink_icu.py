"""Rebuild Qt's ICU data library (libicudata.so.NN) with only what a French Qt Widgets
application uses, for the Linux bundle.

Why hand-written: PySide6's Linux wheels ship ICU 73 with its full data (about 31 MB,
the largest file of the bundle) and neither PyInstaller nor any Python library offers to
trim it. ICU's data library is nothing but a shared object exporting one symbol,
``icudtNN_dat``, which holds a "common data" package (the ``.dat`` format ``icupkg``
reads and writes). So this script

1. copies that package out of the wheel's library (the symbol's bytes, found through
   the ELF dynamic symbol table),
2. removes with ICU's own ``icupkg`` (Debian package ``icu-devtools``) the items Qt
   never reads for this application (list below),
3. wraps the smaller package into a new shared object with the same SONAME and symbol
   (an ``.incbin`` assembled and linked by binutils' ``as`` and ``ld``),
4. checks the new library in a separate process by loading it under the wheel's
   libicuuc/libicui18n and exercising what Qt calls ICU for: French collation
   (QCollator, which QFileDialog's file lists also use), case mapping, time-zone display
   names and a single-byte code page.

What Qt 6 uses ICU for (the ``*_73`` symbols libQt6Core imports): ucol_* (QCollator),
u_strToUpper/u_strToLower (QLocale case mapping; the case tables are compiled into
libicuuc), ucal_* (time-zone canonical ids and display names) and ucnv_* (QStringConverter
for encodings Qt does not implement itself). It does not use ICU's break iterators
(Qt has its own), transliterators or spoof checks.

Removed:
* locale data (main, collation, currency, language, region, unit, zone, number-spelling
  and break-iterator trees) for every language but French and English;
* the transliterators (1 MB; Qt calls no utrans_* function);
  root, the shared pools, res_index and the supplemental tables stay, and ICU falls back
  to root for any other locale as it does for a locale it does not know;
* the break-iterator dictionaries (Chinese/Japanese, Thai, Lao, Khmer, Burmese words);
* the multi-byte converter tables (East Asian code pages, EBCDIC DBCS, LMBCS); the
  single-byte code pages (Windows-125x, ISO-8859-x, DOS, Mac...) all stay.

Anything going wrong (no icupkg, no binutils, an unexpected library layout, a failed
check) leaves the full library in place: the script exits non-zero with the reason and
the spec keeps the original file.

Usage: python shrink_icu.py SRC_LIBICUDATA OUT_DIR   (prints the reduced library's path)
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

KEPT_LANGUAGES = ("fr", "en")
# A locale item: "fr.res", "fr_CA.res", "zh_Hant_TW.res", "de__PHONEBOOK.res"...
_LOCALE_ITEM = re.compile(r"^([a-z]{2,3})(_[A-Za-z0-9]*)*\.res$")


class ShrinkError(RuntimeError):
    pass


def find_data_symbol(lib: bytes) -> tuple[str, int, int]:
    """(symbol name, file offset, size) of ``icudtNN_dat`` in a 64-bit little-endian ELF."""
    if lib[:4] != b"\x7fELF" or lib[4] != 2 or lib[5] != 1:
        raise ShrinkError("not a 64-bit little-endian ELF file")
    (shoff,) = struct.unpack_from("<Q", lib, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", lib, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", lib, shoff + i * shentsize) for i in range(shnum)]
    # (name, type, flags, addr, offset, size, link, info, addralign, entsize)
    for sh in sections:
        if sh[1] != 11:  # SHT_DYNSYM
            continue
        strtab = sections[sh[6]]
        for off in range(sh[4], sh[4] + sh[5], sh[9]):
            st_name, _info, _other, _shndx, st_value, st_size = struct.unpack_from(
                "<IBBHQQ", lib, off
            )
            start = strtab[4] + st_name
            name = lib[start : lib.index(b"\0", start)].decode()
            if re.fullmatch(r"icudt\d+_dat", name):
                for sec in sections:  # the section holding the symbol gives its file offset
                    if sec[1] != 8 and sec[3] <= st_value < sec[3] + sec[5]:
                        return name, st_value - sec[3] + sec[4], st_size
    raise ShrinkError("no icudtNN_dat symbol")


def items_to_remove(names: list[str], read_item: Callable[[str], bytes]) -> list[str]:
    removed = []
    for name in names:
        base = name.rsplit("/", 1)[-1]
        match = _LOCALE_ITEM.match(base)
        if (
            (match and match.group(1) not in KEPT_LANGUAGES)  # other languages' locale data
            or base.endswith(".dict")  # break-iterator word dictionaries (CJK, Thai...)
            or name.startswith("translit/")  # transliterators: Qt has no utrans_* call
        ):
            removed.append(name)
        elif base.endswith(".cnv"):
            data = read_item(name)
            (header_size,) = struct.unpack_from("<H", data, 0)
            # UConverterStaticData: structSize, name[60], codepage, platform,
            # conversionType, minBytesPerChar, maxBytesPerChar
            if data[header_size + 71] != 1:
                removed.append(name)
    return removed


CHECK = r"""
import ctypes, sys
data, uc, i18n, v = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
ctypes.CDLL(data, mode=ctypes.RTLD_GLOBAL)      # claims the SONAME before libicuuc asks
libuc = ctypes.CDLL(uc, mode=ctypes.RTLD_GLOBAL)
libi18n = ctypes.CDLL(i18n)
f = lambda lib, name: getattr(lib, name + "_" + v)
err = ctypes.c_int(0)
def ok(what):
    if err.value > 0:
        sys.exit(what + ": ICU error %d" % err.value)

ucol_open = f(libi18n, "ucol_open"); ucol_open.restype = ctypes.c_void_p
strcoll = f(libi18n, "ucol_strcoll"); strcoll.argtypes = [ctypes.c_void_p, ctypes.c_wchar_p, ctypes.c_int, ctypes.c_wchar_p, ctypes.c_int]
coll = ucol_open(b"fr_FR", ctypes.byref(err)); ok("ucol_open fr_FR")
if err.value not in (0, -128):  # U_ZERO_ERROR or U_USING_FALLBACK_WARNING (fr_FR -> fr)
    sys.exit("ucol_open fr_FR: no French collation data (%d)" % err.value)
# ICU's UChar is UTF-16; c_wchar_p is UTF-32 on Linux, so compare encoded buffers.
def cmp(a, b):
    ua = ctypes.create_string_buffer(a.encode("utf-16-le")); ub = ctypes.create_string_buffer(b.encode("utf-16-le"))
    fn = f(libi18n, "ucol_strcoll"); fn.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
    return fn(coll, ua, len(a), ub, len(b))
words = ["zèbre", "Émile", "Brunet", "été", "Bénard", "eux", "cote", "côte", "Coté", "œuf", "oeuvre", "ça", "cabane"]
import functools
got = sorted(words, key=functools.cmp_to_key(cmp))
want = ["Bénard", "Brunet", "ça", "cabane", "cote", "Coté", "côte", "Émile", "été", "eux", "œuf", "oeuvre", "zèbre"]
if got != want:
    sys.exit("French collation: %r" % got)
err.value = 0
f(libi18n, "ucol_close")(ctypes.c_void_p(coll))

# A language whose data was removed still opens (root collation, a warning).
err.value = 0
coll = ucol_open(b"zh_CN", ctypes.byref(err)); ok("ucol_open zh_CN (root fallback)")
f(libi18n, "ucol_close")(ctypes.c_void_p(coll))

buf = ctypes.create_string_buffer(256)
src = "Élise Œuvre ﬁn straße"
err.value = 0
n = f(libuc, "u_strToUpper")(buf, 128, ctypes.create_string_buffer(src.encode("utf-16-le")), len(src), b"fr", ctypes.byref(err)); ok("u_strToUpper")
if buf.raw[: 2 * n].decode("utf-16-le") != "ÉLISE ŒUVRE FIN STRASSE":
    sys.exit("u_strToUpper: %r" % buf.raw[: 2 * n].decode("utf-16-le"))

ucal_open = f(libi18n, "ucal_open"); ucal_open.restype = ctypes.c_void_p
zone = "Europe/Paris"
cal = ucal_open(ctypes.create_string_buffer(zone.encode("utf-16-le")), len(zone), b"fr_FR", 0, ctypes.byref(err)); ok("ucal_open")
err.value = 0
n = f(libi18n, "ucal_getTimeZoneDisplayName")(ctypes.c_void_p(cal), 0, b"fr_FR", buf, 128, ctypes.byref(err)); ok("ucal_getTimeZoneDisplayName")
name = buf.raw[: 2 * n].decode("utf-16-le")
if "Europe centrale" not in name:
    sys.exit("time-zone display name: %r" % name)

err.value = 0
ucnv_open = f(libuc, "ucnv_open"); ucnv_open.restype = ctypes.c_void_p
cnv = ucnv_open(b"windows-1252", ctypes.byref(err)); ok("ucnv_open windows-1252")
err.value = 0
n = f(libuc, "ucnv_toUChars")(ctypes.c_void_p(cnv), buf, 128, b"\x80 \xe9t\xe9", 5, ctypes.byref(err)); ok("ucnv_toUChars")
if buf.raw[: 2 * n].decode("utf-16-le") != "€ été":
    sys.exit("windows-1252: %r" % buf.raw[: 2 * n].decode("utf-16-le"))
print("ok", name)
"""


def check(new_lib: Path, src_dir: Path, version: str) -> str:
    uc = src_dir / f"libicuuc.so.{version}"
    i18n = src_dir / f"libicui18n.so.{version}"
    result = subprocess.run(
        [sys.executable, "-c", CHECK, str(new_lib), str(uc), str(i18n), version],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if result.returncode != 0 or not result.stdout.startswith("ok"):
        raise ShrinkError(
            f"check of the reduced library failed: {(result.stderr or result.stdout).strip()[-500:]}"
        )
    return result.stdout.strip()


def shrink(src: Path, out_dir: Path) -> Path:
    for tool in ("icupkg", "as", "ld"):
        if shutil.which(tool) is None:
            raise ShrinkError(f"'{tool}' not found (apt-get install icu-devtools binutils)")
    lib = src.read_bytes()
    symbol, offset, size = find_data_symbol(lib)
    version = symbol[len("icudt") : -len("_dat")]
    soname = src.name  # libicudata.so.73
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out_dir) as tmp:
        work = Path(tmp)
        # icupkg wants a package's file name to match its item names' prefix ("icudt73l"):
        # each stage gets a folder of its own.
        package = f"icudt{version}l.dat"
        for stage in ("full", "middle", "small"):
            (work / stage).mkdir()
        full = work / "full" / package
        full.write_bytes(lib[offset : offset + size])
        listing = subprocess.run(
            ["icupkg", "-l", str(full)], capture_output=True, text=True, check=True
        )
        names = [line.strip() for line in listing.stdout.splitlines() if line.strip()]
        if len(names) < 100 or not any(n.endswith("ucadata.icu") for n in names):
            raise ShrinkError(f"icupkg read {len(names)} items only: unexpected package")
        items = work / "items"
        items.mkdir()
        listed = work / "all.lst"
        listed.write_text("\n".join(names) + "\n")
        subprocess.run(
            ["icupkg", "-x", str(listed), "-d", str(items), str(full)],
            check=True,
            capture_output=True,
        )
        removed = items_to_remove(names, lambda name: (items / name).read_bytes())
        # icupkg refuses to drop items another item still names, which is the safety net
        # for everything but the dictionaries: brkitr/root.res names them, and ICU's break
        # iterators simply go without a dictionary that is not there (ICU's own data
        # filters offer the same removal). So: everything else first, with the check;
        # then the dictionaries with --ignore-deps.
        dictionaries = [name for name in removed if name.endswith(".dict")]
        others = [name for name in removed if not name.endswith(".dict")]
        (work / "others.lst").write_text("\n".join(others) + "\n")
        (work / "dicts.lst").write_text("\n".join(dictionaries) + "\n")
        middle = work / "middle" / package
        small = work / "small" / package
        prefix = ["--toc_prefix", full.stem]  # and say so: item names must stay "icudt73l/..."
        subprocess.run(
            ["icupkg", *prefix, "-r", str(work / "others.lst"), str(full), str(middle)],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [
                "icupkg",
                *prefix,
                "--ignore-deps",
                "-r",
                str(work / "dicts.lst"),
                str(middle),
                str(small),
            ],
            check=True,
            capture_output=True,
        )
        kept = subprocess.run(
            ["icupkg", "--ignore-deps", "-l", str(small)],
            capture_output=True,
            text=True,
            check=True,
        )
        if len(kept.stdout.split()) != len(names) - len(removed):
            raise ShrinkError("icupkg did not write the expected items")
        asm = work / "icudata.s"
        asm.write_text(
            "\t.section .rodata\n"
            f"\t.globl {symbol}\n"
            f"\t.type {symbol}, @object\n"
            "\t.balign 16\n"
            f"{symbol}:\n"
            f'\t.incbin "{small}"\n'
            f"\t.size {symbol}, . - {symbol}\n"
            '\t.section .note.GNU-stack,"",@progbits\n'
        )
        obj = work / "icudata.o"
        built = work / soname
        subprocess.run(["as", "-o", str(obj), str(asm)], check=True, capture_output=True)
        subprocess.run(
            ["ld", "-shared", "-soname", soname, "-z", "noexecstack", "-o", str(built), str(obj)],
            check=True,
            capture_output=True,
        )
        verdict = check(built, src.parent, version)
        final = out_dir / soname
        shutil.move(str(built), final)
    print(
        f"ICU data: {len(removed)} of {len(names)} items removed, "
        f"{src.stat().st_size / 1e6:.1f} MB -> {final.stat().st_size / 1e6:.1f} MB ({verdict})",
        file=sys.stderr,
    )
    return final


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__.rsplit("Usage: ", 1)[1], file=sys.stderr)
        return 2
    try:
        final = shrink(Path(argv[1]), Path(argv[2]))
    except (
        ShrinkError,
        subprocess.CalledProcessError,
        OSError,
        ValueError,
        IndexError,
        struct.error,
    ) as exc:
        detail = getattr(exc, "stderr", None)
        print(
            f"ICU data left whole: {exc}{(' ' + detail.decode(errors='replace').strip()) if isinstance(detail, bytes) else ''}",
            file=sys.stderr,
        )
        return 1
    print(final)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
