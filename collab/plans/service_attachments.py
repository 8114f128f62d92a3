"""Worksheets and images attached to a lesson plan: kept on disk under random names, their type
decided by their content, never by the name or the browser's word.

The original name lives only in the database, cleaned; it is never part of a path. Files are
read in chunks and refused as soon as they pass the limit, so a large upload never sits whole
in memory.
"""

import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import func, select
from werkzeug.utils import secure_filename

from collab.core import activity
from collab.core.refusals import RuleError
from collab.extensions import db
from collab.plans.models import PlanAttachment

MAX_SIZE = 10 * 1024 * 1024
MAX_PER_PLAN = 20
CHUNK = 64 * 1024
# [Content_Types].xml of an Office file is a few KB; a larger one is not worth parsing.
MAX_CONTENT_TYPES_XML = 256 * 1024


@dataclass(frozen=True)
class Kind:
    """An accepted file type: its content type, its usual name endings, shown inline or not."""

    content_type: str
    extensions: tuple[str, ...]
    inline: bool = False


PDF = Kind("application/pdf", ("pdf",))
PNG = Kind("image/png", ("png",), inline=True)
JPEG = Kind("image/jpeg", ("jpg", "jpeg"), inline=True)
WEBP = Kind("image/webp", ("webp",), inline=True)
DOCX = Kind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ("docx",))
PPTX = Kind("application/vnd.openxmlformats-officedocument.presentationml.presentation",
            ("pptx",))
XLSX = Kind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ("xlsx",))
KINDS = {k.content_type: k for k in (PDF, PNG, JPEG, WEBP, DOCX, PPTX, XLSX)}

# Office files are ZIP packages: the main part's content type and its folder name the kind.
# Macro-enabled variants (docm, pptm, xlsm) have other content types and are refused.
_OFFICE = (
    (DOCX, "word/", b"application/vnd.openxmlformats-officedocument.wordprocessingml"
                    b".document.main+xml"),
    (PPTX, "ppt/", b"application/vnd.openxmlformats-officedocument.presentationml"
                   b".presentation.main+xml"),
    (XLSX, "xl/", b"application/vnd.openxmlformats-officedocument.spreadsheetml"
                  b".sheet.main+xml"),
)


class AttachmentError(RuleError):
    """An upload that breaks a rule: `code` is "type", "empty" or "too_many"; always the
    file field's fault."""

    MESSAGES = {
        "type": _l("This type of file cannot be attached. Use PDF, Word, PowerPoint, Excel, "
                   "PNG, JPEG or WebP."),
        "empty": _l("The file is empty."),
    }

    def __init__(self, code: str):
        super().__init__(code, "file")

    @property
    def message(self):
        if self.code == "too_many":  # a plural: chosen by the number, in the reader's language
            return ngettext("A plan can have at most %(num)d file.",
                            "A plan can have at most %(num)d files.", MAX_PER_PLAN)
        return super().message


class TooLarge(AttachmentError):
    """The file is larger than MAX_SIZE."""

    def __init__(self):
        super().__init__("too_large")


def kind_of(attachment: PlanAttachment) -> Kind:
    """The accepted type of a stored attachment (a download if ever unknown)."""
    return KINDS.get(attachment.content_type, Kind("application/octet-stream", ()))


def detect(path: Path) -> Kind | None:
    """The type of the file at `path` judged by its content, or None if it is not accepted."""
    with path.open("rb") as f:
        head = f.read(16)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"PK\x03\x04"):
        return _office_kind(path)
    return None


def _office_kind(path: Path) -> Kind | None:
    try:
        with zipfile.ZipFile(path) as package:
            names = package.namelist()
            info = package.getinfo("[Content_Types].xml")
            if info.file_size > MAX_CONTENT_TYPES_XML:
                return None
            content_types = package.read(info)
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, NotImplementedError,
            EOFError):
        return None
    for kind, folder, main_type in _OFFICE:
        if main_type in content_types and any(name.startswith(folder) for name in names):
            return kind
    return None


def clean_name(original: str | None, kind: Kind) -> str:
    """A display name safe to store and to offer as a download name, ending as its type."""
    # A Windows path is a path too: its folders must not glue onto the name.
    name = secure_filename((original or "").replace("\\", "/")) or "file"
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    if extension.lower() not in kind.extensions:
        stem = name  # keep what the teacher called it, add the real ending
        extension = kind.extensions[0] if kind.extensions else "bin"
    stem = (stem or "file")[: 190 - len(extension)]
    return f"{stem}.{extension}"


def _store(stream: BinaryIO, path: Path) -> int:
    """Copy `stream` to `path` in chunks; stop and remove it as soon as it passes MAX_SIZE."""
    size = 0
    try:
        with path.open("xb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > MAX_SIZE:
                    raise TooLarge()
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return size


def count(plan) -> int:
    """How many files are attached to `plan`."""
    return db.session.scalar(
        select(func.count()).select_from(PlanAttachment).where(PlanAttachment.plan_id == plan.id)
    ) or 0


def add(plan, user, stream: BinaryIO, original_name: str | None, directory: Path
        ) -> PlanAttachment:
    """Store an uploaded file for `plan` under a random name in `directory` and record it.

    Raises TooLarge past MAX_SIZE and AttachmentError for an empty file, a type that is not
    accepted or a plan that already has MAX_PER_PLAN files; nothing is kept then.
    """
    if count(plan) >= MAX_PER_PLAN:
        raise AttachmentError("too_many")
    directory.mkdir(parents=True, exist_ok=True)
    stored_name = secrets.token_hex(16)
    path = directory / stored_name
    size = _store(stream, path)
    kind = detect(path) if size else None
    if kind is None:
        path.unlink(missing_ok=True)
        raise AttachmentError("empty" if not size else "type")
    attachment = PlanAttachment(
        plan_id=plan.id, uploader_id=user.id, filename=clean_name(original_name, kind),
        stored_name=stored_name, content_type=kind.content_type, size=size,
    )
    try:
        db.session.add(attachment)
        db.session.flush()
        activity.record(plan.school_id, user, "plan.attachment_added", "plan", plan.id)
    except Exception:
        path.unlink(missing_ok=True)
        raise
    return attachment


def for_plan(plan) -> list[PlanAttachment]:
    """The plan's attachments, oldest first."""
    return list(db.session.scalars(
        select(PlanAttachment).where(PlanAttachment.plan_id == plan.id)
        .order_by(PlanAttachment.created_at, PlanAttachment.id)
    ))


def get(plan, attachment_id: int) -> PlanAttachment | None:
    """One attachment of `plan` (None if it belongs to another plan or does not exist)."""
    return db.session.scalar(
        select(PlanAttachment).where(PlanAttachment.id == attachment_id,
                                     PlanAttachment.plan_id == plan.id)
    )


def delete(plan, attachment: PlanAttachment, user, directory: Path) -> Path:
    """Remove an attachment's row; returns its file, to be removed once the change is committed
    (remove_file), so a failed commit never leaves a row without its file."""
    path = directory / attachment.stored_name
    db.session.delete(attachment)
    db.session.flush()
    activity.record(plan.school_id, user, "plan.attachment_removed", "plan", plan.id)
    return path


def remove_file(path: Path) -> None:
    """Delete a stored file whose row is gone."""
    path.unlink(missing_ok=True)
