"""Demo rooms in the demo SMP: the MGMP Matematika team room (guru01, guru02, guru09) with a
conversation, a board and a finished lesson-study discussion; and the debrief room of the
completed demo observation (guru04 observed by guru01 and guru05) with evidence cards made
from the observers' notes.

Made through the room services, so messages, read markers, board versions and activity
events are as real ones would be. Idempotent: a room with messages is left as it is.
"""

from datetime import timedelta

from sqlalchemy import select

from collab.extensions import db
from collab.models import Observation, ObservationNote, RoomMessage, School, Team, User
from collab.models.base import utcnow
from collab.services import protocols, room_board, rooms

DOMAIN = "@demo.sch.id"
TEAM = "MGMP Matematika"

TEAM_MESSAGES = [
    ("guru01", "Selamat siang, Bapak/Ibu. Minggu depan kita rancang pembelajaran pecahan "
               "untuk kelas 7 bersama, ya?"),
    ("guru02", "Setuju, Bu Siti. Saya bawa catatan dari kelas 8 tahun lalu: banyak siswa "
               "mengira 1/3 lebih kecil dari 1/4 karena 3 < 4."),
    ("guru09", "Saya masih baru, boleh saya ikut mengamati? Saya ingin belajar cara "
               "memancing siswa menjelaskan alasannya."),
    ("guru01", "Tentu, Pak Rizky. Tugas pertama kita: **antisipasi jawaban siswa** untuk "
               "soal membandingkan 2/3 dan 3/5. Tulis di papan, kolom *Pertanyaan*."),
    ("guru02", "Sudah saya tambahkan dua. Diskusi tadi sudah kita tutup; langkah "
               "selanjutnya ada di kolom terakhir."),
]

TEAM_BOARD = [
    ("guru02", "evidence", "Tahun lalu 14 dari 32 siswa kelas 8 memilih 1/4 > 1/3."),
    ("guru01", "wonderings", "Apakah garis bilangan membantu siswa yang masih "
                             "membandingkan penyebut saja?"),
    ("guru09", "wonderings", "Bagaimana memancing siswa yang diam untuk menjelaskan?"),
    ("guru02", "suggestions", "Mulai dengan pita pecahan dari kertas sebelum garis "
                              "bilangan."),
    ("guru01", "next_steps", "Tambahkan satu soal cerita pembagian pizza di kegiatan inti."),
    ("guru09", "next_steps", "Siapkan lembar pengamatan dengan denah tempat duduk 7A."),
]

DEBRIEF_MESSAGES = [
    ("guru04", "Terima kasih sudah mengamati. Fokus saya: apakah siswa menggunakan data "
               "percobaan saat menjelaskan?"),
    ("guru01", "Saya pindahkan catatan saya ke papan sebagai bukti. Kelompok di baris "
               "kedua paling banyak berdebat tentang data."),
]


def _user(handle: str) -> User:
    return db.session.scalar(select(User).where(User.email == handle + DOMAIN))


def _has_messages(room) -> bool:
    return db.session.scalar(select(RoomMessage.id).where(RoomMessage.room_id == room.id)
                             .limit(1)) is not None


def _post(room, messages, start) -> None:
    for number, (handle, body) in enumerate(messages):
        message, _ = rooms.post_message(room, _user(handle), f"demo-{number}", body)
        message.created_at = start + timedelta(minutes=4 * number)
        room.last_activity_at = message.created_at


def seed(school: School) -> None:
    """The team room and the debrief room, if they have no messages yet; flushes."""
    team = db.session.scalar(select(Team).where(Team.school_id == school.id,
                                                Team.name == TEAM))
    if team is not None:
        _team_room(team)
    observation = db.session.scalar(
        select(Observation).where(Observation.school_id == school.id,
                                  Observation.state == "completed")
        .order_by(Observation.id))
    if observation is not None:
        _debrief_room(observation)
    db.session.flush()


def _team_room(team: Team) -> None:
    facilitator = _user("guru01")
    room = rooms.room_for_team(team, facilitator)
    if _has_messages(room):
        return
    _post(room, TEAM_MESSAGES, utcnow() - timedelta(days=1, hours=3))
    for number, (handle, column, text) in enumerate(TEAM_BOARD):
        room_board.add_note(room, _user(handle), f"demo-note-{number}", column, text)
    protocols.start(room, facilitator, "lesson_study")
    protocols.raise_hand(room, _user("guru09"))
    protocols.give_floor(room, facilitator, _user("guru09").id)
    protocols.set_phase(room, facilitator, 5)
    protocols.finish(room, facilitator)
    room.protocol_started_at = utcnow() - timedelta(days=1, hours=2)
    room.protocol_finished_at = room.protocol_started_at + timedelta(minutes=55)
    # guru01 has read everything; guru02 has not yet seen the last message of guru01's.
    rooms.mark_read(room, facilitator)


def _debrief_room(observation: Observation) -> None:
    teacher = observation.teacher
    room = rooms.room_for_observation(observation, teacher)
    if _has_messages(room):
        return
    _post(room, DEBRIEF_MESSAGES, utcnow() - timedelta(hours=5))
    observers = {i.user_id: i.user for i in observation.observers if i.status == "accepted"}
    notes = db.session.scalars(
        select(ObservationNote).where(ObservationNote.observation_id == observation.id,
                                      ObservationNote.kind == "note",
                                      ObservationNote.deleted.is_(False),
                                      ObservationNote.author_id.in_(observers))
        .order_by(ObservationNote.at_seconds).limit(3))
    for number, note in enumerate(notes):
        room_board.add_evidence(
            room, observers[note.author_id], f"demo-evidence-{number}", note.id,
            "Siswa memakai hasil percobaan sebagai alasan.",
            "Apa yang membuat kelompok lain tidak memakai datanya?")
