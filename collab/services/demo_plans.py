# ruff: noqa: E501  (Markdown tables in the plan bodies cannot be wrapped)
"""Demo lesson plans for SMP Negeri 1 Contoh: eight plans across subjects, each with a history
of revisions, comments and a reply, co-authors, a research lesson, one private draft, one
adaptation by a novice teacher, and one school template.

Idempotent: a plan is made only if its owner has no plan of that title yet, and its history
and comments come with it, so a second run adds nothing.
"""

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from collab.extensions import db
from collab.models import Plan, PlanRevision, PlanTemplate, School, Team, User
from collab.models.base import utcnow
from collab.services import demo, plan_comments, plan_templates, plans
from collab.services.rendering import headings

DOMAIN = "demo.sch.id"


@dataclass(frozen=True)
class DemoComment:
    author: str  # local part of the demo e-mail address
    body: str
    section: str = ""  # a heading's title in the plan, or "" for the whole plan
    replies: tuple[tuple[str, str], ...] = ()  # (author, body)
    resolved_by: str | None = None


@dataclass(frozen=True)
class Revision:
    """A later revision: the text it adds after `anchor`, by whom and why."""

    anchor: str
    added: str
    author: str
    message: str


@dataclass(frozen=True)
class DemoPlan:
    owner: str
    title: str
    subject: str
    grade: str
    topic: str
    minutes: int
    template: str
    visibility: str
    body: str
    tags: tuple[str, ...] = ()
    team: str | None = None
    research: bool = False
    coauthors: tuple[str, ...] = ()
    draft_until: str = "## Refleksi"  # the first draft stopped before this heading
    later: Revision | None = None
    comments: tuple[DemoComment, ...] = ()
    days_ago: int = 20


INTEGERS = DemoPlan(
    owner="guru01", title="Penjumlahan dan pengurangan bilangan bulat dengan garis bilangan",
    subject="Matematika", grade="7", topic="Bilangan bulat", minutes=80,
    template="modul_ajar", visibility="school", tags=("bilangan bulat", "garis bilangan"),
    coauthors=("guru02",), days_ago=24,
    body="""## Informasi umum
- Satuan pendidikan: SMP Negeri 1 Contoh
- Fase / kelas: D / VII
- Mata pelajaran: Matematika
- Alokasi waktu: 2 × 40 menit
- Profil Pelajar Pancasila: bernalar kritis, bergotong royong
- Sarana dan prasarana: garis bilangan di lantai (lakban), kartu soal, LKPD
- Model pembelajaran: pembelajaran berbasis masalah

## Tujuan pembelajaran
1. Peserta didik dapat menjelaskan arti bilangan negatif dalam konteks suhu dan utang.
2. Peserta didik dapat menjumlahkan dan mengurangkan bilangan bulat dengan garis bilangan.
3. Peserta didik dapat memeriksa hasil hitungannya dengan cara lain.

## Asesmen
- Asesmen diagnostik: tiga soal pendek tentang urutan bilangan (5 menit pertama).
- Asesmen formatif: pengamatan saat "berjalan di garis bilangan"; kartu keluar.
- Asesmen sumatif: kuis di akhir subbab.

## Pemahaman bermakna
Bilangan negatif menjelaskan keadaan di bawah nol: suhu di puncak gunung, kedalaman laut,
saldo tabungan yang kurang.

## Pertanyaan pemantik
1. Suhu di Dieng pagi ini −2 °C, siang naik 9 derajat. Berapa suhunya siang hari?
2. Mengapa mengurangi bilangan negatif sama dengan menambah?

## Kegiatan pembelajaran
### Pendahuluan (10 menit)
- Salam, doa, presensi.
- Guru menampilkan foto embun beku di Dieng dan bertanya tentang suhu di bawah nol.
- Asesmen diagnostik singkat.

### Kegiatan inti (60 menit)
1. Kelompok berempat; satu siswa "berjalan" di garis bilangan di lantai sesuai kartu soal.
2. Kelompok mencatat langkah dan hasilnya di LKPD.
3. Diskusi kelas: pola apa yang terlihat ketika menambah bilangan negatif?
4. Latihan bertingkat: soal dasar, soal cerita, soal tantangan.

### Penutup (10 menit)
- Siswa menuliskan satu aturan yang mereka temukan sendiri.
- Kartu keluar: dua soal.

## Refleksi
- Refleksi guru: apakah semua kelompok sempat berjalan di garis bilangan?
- Refleksi peserta didik: bagian mana yang paling membingungkan?

## Lampiran
- Lembar kerja peserta didik: LKPD "Berjalan di garis bilangan"
- Bahan bacaan: Buku Matematika Kelas VII, Bab 1
- Glosarium: bilangan bulat, lawan bilangan, garis bilangan
""",
    later=Revision(
        anchor="4. Latihan bertingkat: soal dasar, soal cerita, soal tantangan.\n",
        added="5. Diferensiasi: siswa yang sudah lancar membuat soal cerita untuk temannya.\n",
        author="guru02", message="Menambah diferensiasi untuk siswa yang sudah lancar"),
    comments=(
        DemoComment(
            author="guru09", section="Kegiatan pembelajaran",
            body="Bu Siti, apakah satu garis bilangan di lantai cukup untuk 32 siswa? "
                 "Kelas 7C saya cukup ramai.",
            replies=(("guru01", "Bisa dibuat dua garis: di lantai kelas dan di koridor. "
                                "Nanti saya bantu memasang lakbannya."),)),
        DemoComment(
            author="guru02",
            body="@Rizky Ramadhan kartu soalnya sudah saya taruh di lemari MGMP, "
                 "map biru.", resolved_by="guru01"),
    ),
)

CLASSIFICATION = DemoPlan(
    owner="guru04",
    title="Pelajaran penelitian: mengelompokkan makhluk hidup di sekitar sekolah",
    subject="IPA", grade="7", topic="Klasifikasi makhluk hidup", minutes=80,
    template="research_lesson", visibility="team", team="MGMP IPA", research=True,
    tags=("lesson study", "klasifikasi"), coauthors=("guru05", "guru10"), days_ago=18,
    draft_until="## Fokus observasi",
    body="""## Tema penelitian
Bagaimana siswa belajar menyusun kriteria sendiri, bukan sekadar menghafal kelompok makhluk hidup?

## Tujuan
- Tujuan jangka panjang (untuk siswa): berani mengemukakan alasan dan mendengarkan alasan teman.
- Tujuan pelajaran ini: siswa dapat mengelompokkan makhluk hidup berdasarkan ciri yang dapat
  diamati dan menjelaskan kriterianya.

## Latar belakang unit
Pelajaran ke-2 dari 6 dalam bab Klasifikasi Makhluk Hidup. Siswa sudah mengenal ciri-ciri
makhluk hidup. Kesulitan yang biasa muncul: siswa mengelompokkan berdasarkan "berguna atau
tidak" atau berdasarkan ukuran saja.

## Alur pelajaran
| Kegiatan belajar dan pertanyaan kunci | Perkiraan respons siswa | Dukungan guru | Hal yang dievaluasi |
| --- | --- | --- | --- |
| Pendahuluan: "Mana yang hidup di halaman sekolah?" | Menyebut tanaman dan hewan; ragu tentang jamur | Tunjukkan foto jamur di batang pohon | Siswa memakai ciri makhluk hidup |
| Inti: kelompok mengelompokkan 12 kartu foto | Berdasarkan ukuran, warna, tempat hidup | "Ciri apa yang bisa dilihat semua orang?" | Kriteria ditulis dengan jelas |
| Inti: kelompok bertukar kartu dan menebak kriteria | Kriteria teman tidak jelas | Ajak menyempurnakan kriteria | Siswa memperbaiki kriteria |
| Penutup: kunci dikotom sederhana | Membuat 2–3 pertanyaan ya/tidak | Contoh satu langkah | Kunci dapat dipakai kelompok lain |

## Fokus observasi
Pengamat memperhatikan kelompok 2 dan 5: bagaimana mereka sepakat tentang kriteria, siapa yang
belum bersuara, dan kapan mereka berubah pikiran.
""",
    later=Revision(
        anchor="kapan mereka berubah pikiran.\n",
        added="\nSetiap pengamat mencatat kutipan siswa apa adanya, dengan jam, tanpa menilai guru.\n",
        author="guru05", message="Fokus observasi disepakati di MGMP IPA"),
    comments=(
        DemoComment(
            author="guru10", section="Fokus observasi",
            body="Saya ingin ikut mengamati kelompok 5. Boleh saya pakai lembar observasi "
                 "yang kita buat minggu lalu?",
            replies=(("guru04", "Boleh, Bu Nur. Tambahkan kolom untuk kutipan siswa, ya."),),
            resolved_by="guru04"),
        DemoComment(
            author="guru05", section="Alur pelajaran",
            body="Kartu fotonya sebaiknya memuat satu contoh yang sulit, misalnya jamur atau "
                 "lumut, supaya muncul perdebatan. @Nur Aini bisa menyiapkan fotonya?"),
    ),
)

CIRCUITS = DemoPlan(
    owner="guru05", title="Rangkaian listrik seri dan paralel", subject="IPA", grade="9",
    topic="Listrik dinamis", minutes=120, template="modul_ajar", visibility="school",
    tags=("listrik", "praktikum"), days_ago=15,
    body="""## Informasi umum
- Satuan pendidikan: SMP Negeri 1 Contoh
- Fase / kelas: D / IX
- Mata pelajaran: IPA
- Alokasi waktu: 3 × 40 menit
- Profil Pelajar Pancasila: mandiri, bernalar kritis
- Sarana dan prasarana: baterai 1,5 V, lampu kecil, kabel, sakelar, multimeter
- Model pembelajaran: inkuiri terbimbing

## Tujuan pembelajaran
1. Peserta didik dapat merangkai rangkaian seri dan paralel sesuai diagram.
2. Peserta didik dapat membandingkan nyala lampu dan kuat arus pada kedua rangkaian.
3. Peserta didik dapat menjelaskan mengapa instalasi listrik rumah memakai rangkaian paralel.

## Asesmen
- Asesmen diagnostik: "Apa yang terjadi jika satu lampu hias di rumah putus?"
- Asesmen formatif: tabel pengamatan dan pertanyaan di LKPD.
- Asesmen sumatif: laporan praktikum kelompok.

## Pemahaman bermakna
Cara merangkai komponen menentukan arus yang mengalir dan apakah alat lain tetap menyala.

## Pertanyaan pemantik
1. Mengapa lampu di kamar tetap menyala ketika lampu dapur dimatikan?

## Kegiatan pembelajaran
### Pendahuluan (15 menit)
- Demonstrasi lampu hias: satu lampu dilepas, apa yang terjadi?
- Siswa menuliskan dugaan di papan.

### Kegiatan inti (90 menit)
1. Kelompok merangkai dua lampu secara seri, mengamati nyala, mengukur arus.
2. Kelompok merangkai dua lampu secara paralel, mengulang pengamatan.
3. Satu lampu dilepas pada tiap rangkaian; hasil dicatat di tabel.
4. Presentasi kelompok dan diskusi: mengapa hasilnya berbeda?

### Penutup (15 menit)
- Kesimpulan bersama dan kaitannya dengan instalasi rumah.
- Keselamatan: jangan bereksperimen dengan listrik PLN.

## Refleksi
- Refleksi guru: apakah alat cukup untuk semua kelompok?
- Refleksi peserta didik: apa yang berbeda dari dugaan awal saya?

## Lampiran
- Lembar kerja peserta didik: LKPD praktikum rangkaian listrik
- Bahan bacaan: Buku IPA Kelas IX, Bab 4
""",
    comments=(
        DemoComment(
            author="guru04",
            body="Multimeter di lab hanya 4 buah. Mungkin pengukuran arus bisa bergiliran "
                 "sementara kelompok lain menggambar diagram."),
    ),
)

DESCRIPTION = DemoPlan(
    owner="guru03", title="Teks deskripsi: menggambarkan sudut sekolah",
    subject="Bahasa Indonesia", grade="7", topic="Teks deskripsi", minutes=80,
    template="modul_ajar", visibility="school", tags=("teks deskripsi", "menulis"), days_ago=12,
    body="""## Informasi umum
- Satuan pendidikan: SMP Negeri 1 Contoh
- Fase / kelas: D / VII
- Mata pelajaran: Bahasa Indonesia
- Alokasi waktu: 2 × 40 menit
- Profil Pelajar Pancasila: kreatif, mandiri
- Sarana dan prasarana: lingkungan sekolah, buku catatan, contoh teks
- Model pembelajaran: genre-based approach

## Tujuan pembelajaran
1. Peserta didik dapat mengidentifikasi struktur teks deskripsi (identifikasi, deskripsi bagian).
2. Peserta didik dapat menulis teks deskripsi dengan kata-kata pancaindra.

## Asesmen
- Asesmen formatif: daftar periksa struktur dan penggunaan kata indra.
- Asesmen sumatif: teks deskripsi 150–200 kata.

## Pemahaman bermakna
Deskripsi yang baik membuat pembaca seolah-olah melihat, mendengar dan mencium sendiri.

## Pertanyaan pemantik
1. Bagaimana kalian menceritakan kantin sekolah kepada teman yang belum pernah ke sini?

## Kegiatan pembelajaran
### Pendahuluan (10 menit)
- Guru membacakan deskripsi sebuah tempat tanpa menyebut namanya; siswa menebak.

### Kegiatan inti (60 menit)
1. Menganalisis contoh teks: menandai bagian identifikasi dan deskripsi bagian.
2. Berkeliling sekolah 15 menit: mencatat apa yang dilihat, didengar, dicium.
3. Menulis draf; saling membaca berpasangan dengan daftar periksa.

### Penutup (10 menit)
- Dua siswa membacakan karyanya; kelas menebak tempatnya.

## Refleksi
- Refleksi guru: apakah kegiatan berkeliling tetap tertib?
- Refleksi peserta didik: kata indra mana yang paling sulit saya temukan?

## Lampiran
- Contoh teks: "Perpustakaan di Ujung Lorong"
""",
    comments=(
        DemoComment(
            author="guru12",
            body="Bu Dewi, boleh saya pakai contoh teks *Perpustakaan di Ujung Lorong* "
                 "untuk kelas 8 sebagai pengingat?",
            replies=(("guru03", "Silakan, Bu Intan. Nanti saya kirim juga versi yang "
                                "sudah diberi catatan struktur."),)),
    ),
)

DESCRIBING_PEOPLE = DemoPlan(
    owner="guru07", title="Describing people: my favourite person", subject="Bahasa Inggris",
    grade="7", topic="Descriptive text", minutes=80, template="modul_ajar", visibility="team",
    team="MGMP Bahasa", tags=("descriptive text", "speaking"), days_ago=10,
    body="""## Informasi umum
- Satuan pendidikan: SMP Negeri 1 Contoh
- Fase / kelas: D / VII
- Mata pelajaran: Bahasa Inggris
- Alokasi waktu: 2 × 40 menit
- Profil Pelajar Pancasila: berkebinekaan global, kreatif
- Sarana dan prasarana: foto tokoh dan keluarga, kartu kosakata
- Model pembelajaran: communicative language teaching

## Tujuan pembelajaran
1. Peserta didik dapat menggunakan kosakata ciri fisik dan sifat (tall, curly hair, kind, patient).
2. Peserta didik dapat mendeskripsikan orang yang mereka kagumi secara lisan dalam 5–6 kalimat.

## Asesmen
- Asesmen formatif: permainan "Guess who?" dan rubrik berbicara sederhana.
- Asesmen sumatif: rekaman deskripsi lisan (boleh dengan HP).

## Pertanyaan pemantik
1. Who is your favourite person? What does he or she look like?

## Kegiatan pembelajaran
### Pendahuluan (10 menit)
- Guru mendeskripsikan seorang guru di sekolah; siswa menebak siapa.

### Kegiatan inti (60 menit)
1. Kosakata: mencocokkan kartu kata dengan foto.
2. Pola kalimat: *She has long black hair. He is very patient.*
3. "Guess who?" berpasangan.
4. Siswa menyiapkan deskripsi tentang orang yang dikagumi dan berlatih berpasangan.

### Penutup (10 menit)
- Tiga siswa tampil; teman memberi satu pujian dan satu saran.

## Refleksi
- Refleksi guru: apakah siswa yang pendiam ikut berbicara?
- Refleksi peserta didik: kata baru apa yang saya pakai hari ini?
""",
    comments=(
        DemoComment(
            author="guru11",
            body="Miss Yuli, untuk kelas 9 saya mau coba versi tulisnya. Rubrik berbicaranya "
                 "boleh saya lihat?"),
    ),
)

MARKET = DemoPlan(
    owner="guru06", title="Interaksi sosial di pasar tradisional", subject="IPS", grade="8",
    topic="Interaksi sosial", minutes=120, template="modul_ajar", visibility="school",
    tags=("interaksi sosial", "proyek"), days_ago=8,
    body="""## Informasi umum
- Satuan pendidikan: SMP Negeri 1 Contoh
- Fase / kelas: D / VIII
- Mata pelajaran: IPS
- Alokasi waktu: 3 × 40 menit
- Profil Pelajar Pancasila: bergotong royong, berkebinekaan global
- Sarana dan prasarana: video pasar, lembar wawancara, peta kecamatan
- Model pembelajaran: project-based learning

## Tujuan pembelajaran
1. Peserta didik dapat menjelaskan bentuk interaksi sosial asosiatif dan disosiatif.
2. Peserta didik dapat mengamati dan melaporkan interaksi sosial di pasar dekat rumah.

## Asesmen
- Asesmen formatif: diskusi video dan lembar pengamatan.
- Asesmen sumatif: laporan kelompok hasil wawancara pedagang dan pembeli.

## Pertanyaan pemantik
1. Mengapa tawar-menawar di pasar tidak membuat penjual dan pembeli bermusuhan?

## Kegiatan pembelajaran
### Pendahuluan (15 menit)
- Menonton video dua menit suasana Pasar Beringharjo.

### Kegiatan inti (90 menit)
1. Kelompok mengelompokkan peristiwa di video: kerja sama, persaingan, akomodasi.
2. Menyusun lima pertanyaan wawancara untuk pedagang dan pembeli.
3. Tugas akhir pekan: wawancara di pasar terdekat (didampingi orang tua).

### Penutup (15 menit)
- Kelompok menyampaikan rencana wawancara dan pembagian tugas.

## Refleksi
- Refleksi guru: apakah semua siswa bisa ke pasar? Siapkan alternatif wawancara di kantin.
- Refleksi peserta didik: apa yang ingin saya ketahui dari pedagang?
""",
    comments=(
        DemoComment(
            author="guru03",
            body="Pak Hendra, hasil wawancaranya bisa sekaligus jadi bahan teks laporan "
                 "di Bahasa Indonesia kelas 8. Kita rencanakan bersama?"),
    ),
)

PYTHAGORAS = DemoPlan(
    owner="guru02", title="Teorema Pythagoras dengan potongan persegi", subject="Matematika",
    grade="8", topic="Teorema Pythagoras", minutes=80, template="modul_ajar",
    visibility="private", tags=("pythagoras",), days_ago=5, draft_until="## Kegiatan pembelajaran",
    body="""## Informasi umum
- Satuan pendidikan: SMP Negeri 1 Contoh
- Fase / kelas: D / VIII
- Mata pelajaran: Matematika
- Alokasi waktu: 2 × 40 menit
- Model pembelajaran: discovery learning

## Tujuan pembelajaran
1. Peserta didik dapat menemukan hubungan luas persegi pada sisi-sisi segitiga siku-siku.
2. Peserta didik dapat menggunakan teorema Pythagoras untuk menghitung panjang sisi.

## Asesmen
- Asesmen formatif: hasil potongan kertas dan penjelasan kelompok.

## Kegiatan pembelajaran
### Pendahuluan (10 menit)
- Tukang bangunan memakai tali 3-4-5 untuk membuat sudut siku. Mengapa bisa?

### Kegiatan inti (60 menit)
1. Menggambar segitiga siku-siku 3-4-5 di kertas berpetak, lalu persegi di tiap sisinya.
2. Memotong dua persegi kecil dan menyusunnya menutupi persegi terbesar.
3. Mencoba dengan segitiga lain; menuliskan dugaan hubungan a², b², c².

### Penutup (10 menit)
- Merumuskan teorema bersama; dua soal penerapan.

## Refleksi
- Masih draf: perlu dicoba dulu di kelas 8B.
""",
)

PLANS = (INTEGERS, CLASSIFICATION, CIRCUITS, DESCRIPTION, DESCRIBING_PEOPLE, MARKET, PYTHAGORAS)

# guru09, a first-year teacher, adapts Bu Siti's plan for the class 7C.
ADAPTATION_OWNER = "guru09"
ADAPTATION_TITLE = "Penjumlahan dan pengurangan bilangan bulat (adaptasi kelas 7C)"
ADAPTATION_CHANGES = (
    ("- Alokasi waktu: 2 × 40 menit", "- Alokasi waktu: 3 × 40 menit"),
    ("- Asesmen diagnostik singkat.\n",
     "- Asesmen diagnostik singkat.\n- Kelas 7C: banyak siswa belum lancar mengurutkan "
     "bilangan, jadi pendahuluan memakai permainan urutan kartu 10 menit lebih lama.\n"),
)

SCHOOL_TEMPLATE_NAME = "Modul Ajar ringkas SMPN 1 Contoh"
SCHOOL_TEMPLATE_BODY = """## Identitas
- Kelas / semester:
- Alokasi waktu:

## Tujuan pembelajaran
1.

## Langkah pembelajaran
| Waktu | Kegiatan guru | Kegiatan siswa |
| --- | --- | --- |
| Pendahuluan | | |
| Inti | | |
| Penutup | | |

## Asesmen dan tindak lanjut
- Formatif:
- Remedial / pengayaan:
"""


def seed() -> None:
    """Add the demo plans that are missing; flushes, the caller commits."""
    # demo.SMP read here, not imported by name: demo imports this module while loading.
    school = db.session.scalar(select(School).where(School.name == demo.SMP))
    if school is None:
        return
    people = _people()
    for spec in PLANS:
        if _plan_of(people[spec.owner], spec.title) is None:
            _make(spec, school, people)
    original = _plan_of(people[INTEGERS.owner], INTEGERS.title)
    if _plan_of(people[ADAPTATION_OWNER], ADAPTATION_TITLE) is None:
        _adapt(original, people[ADAPTATION_OWNER], school)
    _school_template(school, people["kepsek"])
    db.session.flush()


def _people() -> dict[str, User]:
    users = db.session.scalars(select(User).where(User.email.like(f"%@{DOMAIN}")))
    return {u.email.split("@")[0]: u for u in users}


def _plan_of(owner: User, title: str) -> Plan | None:
    return db.session.scalar(select(Plan).where(Plan.owner_id == owner.id, Plan.title == title))


def _team_id(school: School, name: str | None) -> int | None:
    if name is None:
        return None
    return db.session.scalar(select(Team.id).where(Team.school_id == school.id, Team.name == name))


def _fields(spec: DemoPlan, school: School, body: str) -> plans.PlanFields:
    return plans.PlanFields(
        title=spec.title, body=body, subject=spec.subject, grade=spec.grade, topic=spec.topic,
        duration_minutes=spec.minutes, tags=list(spec.tags), visibility=spec.visibility,
        team_id=_team_id(school, spec.team), is_research_lesson=spec.research)


def _drafts(spec: DemoPlan) -> list[tuple[str, str, str]]:
    """(body, author, message) of each revision, oldest first."""
    final = spec.body
    if spec.later is not None:
        final = spec.body.replace(spec.later.anchor, spec.later.anchor + spec.later.added, 1)
    drafts = [
        (spec.body[:spec.body.index(spec.draft_until)], spec.owner, "Draf awal"),
        (spec.body, spec.owner, "Melengkapi rencana setelah diskusi dengan rekan"),
    ]
    if spec.later is not None:
        drafts.append((final, spec.later.author, spec.later.message))
    return drafts


def _make(spec: DemoPlan, school: School, people: dict[str, User]) -> Plan:
    drafts = _drafts(spec)
    first_body, _author, first_message = drafts[0]
    plan = plans.create(people[spec.owner], _fields(spec, school, first_body), spec.template,
                        first_message)
    if spec.coauthors:
        plans.set_coauthors(plan, {people[c].id for c in spec.coauthors}, people[spec.owner])
    for body, author, message in drafts[1:]:
        plans.save(plan, people[author], _fields(spec, school, body), plan.revision_number,
                   message)
    start = utcnow() - timedelta(days=spec.days_ago)
    _backdate(plan, start)
    for number, comment in enumerate(spec.comments):
        _comment(plan, comment, people, start + timedelta(days=len(drafts), hours=number))
    return plan


def _backdate(plan: Plan, start) -> None:
    """Spread the revisions over the days before today, so the demo history reads naturally."""
    revisions = db.session.scalars(
        select(PlanRevision).where(PlanRevision.plan_id == plan.id)).all()
    for revision in revisions:
        revision.created_at = start + timedelta(days=revision.number - 1, hours=revision.number)
    plan.created_at = start
    plan.updated_at = max(r.created_at for r in revisions)
    db.session.flush()


def _plan_link(plan: Plan) -> str:
    # No request while seeding: build the path from the URL map alone.
    return current_app.url_map.bind("").build("plans.view", {"plan_id": plan.id})


def _comment(plan: Plan, spec: DemoComment, people: dict[str, User], when) -> None:
    anchors = {title: anchor for anchor, title in headings(plan.body)}
    link = _plan_link(plan)
    thread = plan_comments.add(plan, people[spec.author], spec.body, plan_link=link,
                               section=anchors.get(spec.section, ""))
    thread.created_at = when
    for number, (author, body) in enumerate(spec.replies, start=1):
        reply = plan_comments.add(plan, people[author], body, plan_link=link,
                                  parent_id=thread.id)
        reply.created_at = when + timedelta(hours=number)
    if spec.resolved_by is not None:
        plan_comments.resolve(thread, people[spec.resolved_by])
        thread.resolved_at = when + timedelta(hours=len(spec.replies) + 1)
    db.session.flush()


def _adapt(original: Plan, novice: User, school: School) -> Plan:
    copy = plans.fork(original, novice)
    body = copy.body
    for old, new in ADAPTATION_CHANGES:
        body = body.replace(old, new, 1)
    fields = plans.PlanFields(
        title=ADAPTATION_TITLE, body=body, subject=copy.subject, grade=copy.grade,
        topic=copy.topic, duration_minutes=120, tags=[*copy.tag_names, "kelas 7c"],
        visibility="team", team_id=_team_id(school, "MGMP Matematika"))
    plans.save(copy, novice, fields, copy.revision_number, "Menyesuaikan untuk kelas 7C")
    _backdate(copy, utcnow() - timedelta(days=3))
    return copy


def _school_template(school: School, principal: User) -> None:
    exists = db.session.scalar(select(PlanTemplate.id).where(
        PlanTemplate.school_id == school.id, PlanTemplate.name == SCHOOL_TEMPLATE_NAME))
    if exists is None:
        plan_templates.add_school_template(school.id, SCHOOL_TEMPLATE_NAME,
                                           SCHOOL_TEMPLATE_BODY, principal)
