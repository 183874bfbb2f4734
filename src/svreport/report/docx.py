"""DOCX details pandoc does not do itself: an A4 reference document with a running header and a
"Page x of y" footer, and table header rows that repeat on every page."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

from svreport.core.tools import pandoc_path


def reference_docx(path: Path, header_text: str) -> Path:
    """Pandoc's default reference.docx made A4, with a running header and a 'Page x of y' footer."""
    raw = subprocess.run([pandoc_path(), "--print-default-data-file", "reference.docx"], capture_output=True,
                         check=True).stdout
    source = path.with_suffix(".default.docx")
    source.write_bytes(raw)
    ns = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
          'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"')
    escaped = header_text.replace("&", "&amp;").replace("<", "&lt;")
    header = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:hdr {ns}><w:p><w:pPr><w:jc w:val="right"/>'
              f'</w:pPr><w:r><w:rPr><w:sz w:val="17"/></w:rPr><w:t xml:space="preserve">{escaped}</w:t></w:r></w:p>'
              '</w:hdr>')

    def field_run(code: str) -> str:
        return (f'<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> {code} '
                f'</w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r>'
                f'<w:r><w:fldChar w:fldCharType="end"/></w:r>')

    footer = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:ftr {ns}><w:p><w:pPr><w:jc w:val="center"/>'
              f'</w:pPr><w:r><w:t xml:space="preserve">Page </w:t></w:r>{field_run("PAGE")}'
              f'<w:r><w:t xml:space="preserve"> of </w:t></w:r>{field_run("NUMPAGES")}</w:p></w:ftr>')
    section = ('<w:sectPr><w:headerReference w:type="default" r:id="rIdSvHeader"/>'
               '<w:footerReference w:type="default" r:id="rIdSvFooter"/>'
               '<w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1440" w:right="1247" w:bottom="1304" w:left="1247" '
               'w:header="709" w:footer="709" w:gutter="0"/></w:sectPr>')
    relations = ('<Relationship Id="rIdSvHeader" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                 'relationships/header" Target="header1.xml"/><Relationship Id="rIdSvFooter" '
                 'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" '
                 'Target="footer1.xml"/>')
    overrides = ('<Override PartName="/word/header1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                 'wordprocessingml.header+xml"/><Override PartName="/word/footer1.xml" ContentType="application/vnd.'
                 'openxmlformats-officedocument.wordprocessingml.footer+xml"/>')
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "word/document.xml":
                data = re.sub(rb"<w:sectPr\s*/>|<w:sectPr>.*?</w:sectPr>", section.encode(), data, flags=re.S)
                if b"rIdSvHeader" not in data:
                    data = data.replace(b"</w:body>", section.encode() + b"</w:body>")
            elif item.filename == "word/_rels/document.xml.rels":
                data = data.replace(b"</Relationships>", relations.encode() + b"</Relationships>")
            elif item.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", overrides.encode() + b"</Types>")
            elif item.filename == "word/styles.xml":
                data = re.sub(rb'w:asciiTheme="minorHAnsi"[^/]*', b'w:ascii="Arial" w:hAnsi="Arial" w:cs="Arial" ',
                              data)
            zout.writestr(zipfile.ZipInfo(item.filename, date_time=(2000, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
        for name, text in (("word/header1.xml", header), ("word/footer1.xml", footer)):
            zout.writestr(zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0)), text, zipfile.ZIP_DEFLATED)
    source.unlink()
    return path


def repeat_docx_header_rows(path: Path) -> None:
    """Mark each table's first row as a header row, so Word repeats it on every page."""
    with zipfile.ZipFile(path) as zin:
        items = [(item, zin.read(item.filename)) for item in zin.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for item, data in items:
            if item.filename == "word/document.xml":
                data = re.sub(rb"(<w:tbl>.*?<w:tr)(>)(?!<w:trPr><w:tblHeader)",
                              rb"\1\2<w:trPr><w:tblHeader/></w:trPr>", data, flags=re.S)
            zout.writestr(item, data)
