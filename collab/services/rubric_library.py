"""The built-in rubric library — teacher competencies in the structure of the national teacher
performance assessment (PKG), a lesson-study observation rubric and lesson-plan quality —
in Indonesian and English, with the PKG conversion and the check of the rubric JSON format.

The rubrics are content, not interface strings, so both languages live here side by side
(as the plan templates do in plan_templates.py) rather than in the translation catalogue.
Each criterion is written once with its two languages next to each other, so scores, weights
and groups cannot drift apart between them. We wrote the texts ourselves from general
knowledge of the frameworks; they are not the ministry's instruments.

Export format (one language) — also the JSON import and export schema of rubrics:

    {"title": "...", "description": "...", "target": "observation" | "plan" | "reflection",
     "levels": [{"score": 1, "label": "..."}, ...],
     "criteria": [{"title": "...", "description": "...", "group": "...", "weight": 1.0,
                   "descriptors": ["...", ...]}, ...]}

- title: required text, at most 200 characters; description: optional, at most 2 000.
- target: optional (the importer chooses a default), one of TARGETS when given.
- levels: a list of at least 2, scores numbers strictly ascending, each with a label (text,
  at most 80 characters).
- criteria: a list of at least 1, in the order shown; each a title (as above), an optional
  description (as above) and group (text, at most 80; "" for no group), a weight (a positive
  number, 1 when left out) and one descriptor per level in the order of the levels (text, at
  most 1 000 characters, none empty).
- Keys not named here are ignored, so a newer export still imports.

validate_rubric() reports every problem with its place and a stable code (PROBLEM_CODES);
describe() says it in English, the app translates by code. Everything here is pure: no
Flask, no database.
"""

import copy
import math
import numbers
from dataclasses import dataclass
from typing import NamedTuple

LANGUAGES = ("id", "en")
FALLBACK_LANGUAGE = "id"
TARGETS = ("observation", "plan", "reflection")


@dataclass(frozen=True)
class LibraryRubric:
    """One built-in rubric. `content` maps a language ("id", "en") to the rubric in the
    export format; use library_rubric() for a copy that is safe to change."""

    key: str
    target: str  # "observation" (an observed lesson), "plan" (a lesson plan) or "reflection"
    pkg: bool  # True only for the PKG rubric: its results may show the PKG conversion
    content: dict


# ---------------------------------------------------------------- 1. PKG teacher competencies

# The PKG structure: 14 competencies in four groups, each scored 1–4, weight 1 (total out of
# 56). In PKG a competency's score comes from the share of its indicators a teacher shows
# (up to a quarter → 1, half → 2, three quarters → 3, more → 4), so the labels say how fully
# the competency is evident rather than reusing "Kurang / Cukup / Baik", which are also the
# names of the PKG result bands and would read as the final verdict.
_PKG = {
    "title": {
        "id": "Kompetensi guru (struktur PKG)",
        "en": "Teacher competencies (PKG structure)",
    },
    "description": {
        "id": (
            "Empat belas kompetensi guru dalam empat kelompok, mengikuti struktur Penilaian "
            "Kinerja Guru (PKG). Disusun oleh Rembuk sebagai alat umpan balik antarrekan, bukan "
            "instrumen resmi PKG. Setiap kompetensi diberi skor 1–4; total maksimum 56."
        ),
        "en": (
            "Fourteen teacher competencies in four groups, following the structure of the national "
            "teacher performance assessment (Penilaian Kinerja Guru, PKG). Written by Rembuk as a "
            "peer-feedback tool; it is not the official PKG instrument. Each competency is scored "
            "1–4; the maximum total is 56."
        ),
    },
    "levels": (
        (1, {"id": "Belum tampak", "en": "Not yet evident"}),
        (2, {"id": "Sebagian tampak", "en": "Partly evident"}),
        (3, {"id": "Sebagian besar tampak", "en": "Mostly evident"}),
        (4, {"id": "Sepenuhnya tampak", "en": "Fully evident"}),
    ),
    "groups": {
        "pedagogical": {"id": "Pedagogik", "en": "Pedagogical"},
        "personal": {"id": "Kepribadian", "en": "Personal"},
        "social": {"id": "Sosial", "en": "Social"},
        "professional": {"id": "Profesional", "en": "Professional"},
    },
    "criteria": (
        {
            "group": "pedagogical",
            "weight": 1,
            "id": {
                "title": "Mengenal karakteristik peserta didik",
                "description": (
                    "Guru mengenali kemampuan awal, minat, cara dan kesulitan belajar, serta latar "
                    "belakang sosial-budaya peserta didik, dan memakainya agar semua peserta didik "
                    "mendapat kesempatan belajar yang sama."
                ),
                "descriptors": (
                    "Guru belum mengenali perbedaan kemampuan dan kebutuhan peserta didik; semua "
                    "peserta didik diperlakukan sama tanpa memperhatikan kesulitan belajar "
                    "mereka.",
                    "Guru mengenali sebagian peserta didik (misalnya yang paling menonjol atau "
                    "paling tertinggal), tetapi pengenalan ini belum memengaruhi cara ia "
                    "mengajar.",
                    "Guru mengenali kemampuan awal dan kesulitan belajar sebagian besar peserta "
                    "didik dan menyesuaikan bantuan, tempat duduk, atau tugas bagi yang "
                    "membutuhkan.",
                    "Guru mengenali karakteristik setiap peserta didik, termasuk yang "
                    "berkebutuhan khusus, mencatatnya, dan secara konsisten memakainya agar semua "
                    "peserta didik dapat berpartisipasi dan belajar.",
                ),
            },
            "en": {
                "title": "Knowing the students' characteristics",
                "description": (
                    "The teacher knows the students' prior knowledge, interests, ways of learning "
                    "and difficulties, and their social and cultural background, and uses this so "
                    "that every student has the same opportunity to learn."
                ),
                "descriptors": (
                    "The teacher does not yet recognise differences in students' abilities and "
                    "needs; all students are treated the same regardless of their learning "
                    "difficulties.",
                    "The teacher knows some students (for example the most visible ones or those "
                    "furthest behind), but this knowledge does not yet shape how they teach.",
                    "The teacher knows the prior knowledge and learning difficulties of most "
                    "students and adjusts support, seating or tasks for those who need it.",
                    "The teacher knows every student's characteristics, including those with "
                    "special needs, keeps a record of them and consistently uses them so that all "
                    "students can take part and learn.",
                ),
            },
        },
        {
            "group": "pedagogical",
            "weight": 1,
            "id": {
                "title": "Menguasai teori belajar dan prinsip-prinsip pembelajaran yang mendidik",
                "description": (
                    "Guru menerapkan beragam pendekatan, strategi, metode, dan teknik pembelajaran "
                    "yang mendidik secara kreatif, sesuai tujuan pembelajaran dan karakteristik "
                    "peserta didik."
                ),
                "descriptors": (
                    "Pembelajaran hanya berupa ceramah atau mencatat; peserta didik tidak diberi "
                    "kesempatan untuk mencoba, bertanya, atau menemukan sendiri.",
                    "Guru sesekali memakai metode selain ceramah, tetapi pilihan metode belum "
                    "terkait dengan tujuan pembelajaran atau kebutuhan peserta didik.",
                    "Guru memilih metode yang sesuai dengan tujuan pembelajaran, memastikan "
                    "peserta didik memahami suatu konsep sebelum melanjutkan, dan menyesuaikan "
                    "langkah bila banyak yang belum paham.",
                    "Guru memadukan beragam strategi secara kreatif berdasarkan cara peserta "
                    "didik belajar, dapat menjelaskan alasan pilihannya, dan mengubah rencana "
                    "sesuai respons peserta didik.",
                ),
            },
            "en": {
                "title": "Mastering learning theories and the principles of educative teaching",
                "description": (
                    "The teacher creatively applies a range of educative approaches, strategies, "
                    "methods and techniques suited to the learning objectives and to the students."
                ),
                "descriptors": (
                    "Teaching consists only of lecturing or note-taking; students get no "
                    "opportunity to try things out, ask questions or find things out for "
                    "themselves.",
                    "The teacher occasionally uses methods other than lecturing, but the choice "
                    "of method is not yet linked to the learning objectives or the students' "
                    "needs.",
                    "The teacher chooses methods that fit the learning objectives, checks that "
                    "students understand a concept before moving on and adjusts when many have "
                    "not yet understood.",
                    "The teacher creatively combines varied strategies based on how students "
                    "learn, can explain the reasons for these choices and changes the plan in "
                    "response to the students.",
                ),
            },
        },
        {
            "group": "pedagogical",
            "weight": 1,
            "id": {
                "title": "Pengembangan kurikulum",
                "description": (
                    "Guru menyusun rencana dan perangkat pembelajaran (tujuan, alur, materi, "
                    "asesmen) yang sesuai kurikulum dan kebutuhan peserta didik."
                ),
                "descriptors": (
                    "Guru tidak memiliki rencana pembelajaran, atau memakai rencana salinan yang "
                    "tidak sesuai dengan kelas yang diajar.",
                    "Rencana pembelajaran ada, tetapi tujuan, materi, dan asesmennya belum saling "
                    "terkait atau belum sesuai dengan alokasi waktu.",
                    "Rencana pembelajaran memuat tujuan yang jelas, materi yang runtut dan sesuai "
                    "tingkat perkembangan peserta didik, serta asesmen yang sejalan dengan "
                    "tujuan.",
                    "Guru menyesuaikan kurikulum dengan konteks sekolah dan peserta didik, "
                    "memperbarui rencana berdasarkan hasil asesmen dan refleksi, dan "
                    "membagikannya kepada rekan sejawat.",
                ),
            },
            "en": {
                "title": "Curriculum development",
                "description": (
                    "The teacher prepares lesson plans and materials (objectives, sequence, "
                    "content, assessment) that follow the curriculum and fit the students' needs."
                ),
                "descriptors": (
                    "The teacher has no lesson plan, or uses a copied plan that does not fit the "
                    "class being taught.",
                    "A lesson plan exists, but its objectives, content and assessment are not yet "
                    "connected to one another or do not fit the time available.",
                    "The lesson plan has clear objectives, content in a logical order suited to "
                    "the students' stage of development, and assessment that matches the "
                    "objectives.",
                    "The teacher adapts the curriculum to the school and the students, revises "
                    "plans based on assessment results and reflection, and shares them with "
                    "colleagues.",
                ),
            },
        },
        {
            "group": "pedagogical",
            "weight": 1,
            "id": {
                "title": "Kegiatan pembelajaran yang mendidik",
                "description": (
                    "Guru melaksanakan pembelajaran sesuai rencana, melibatkan peserta didik "
                    "secara aktif, memakai media dan sumber belajar (termasuk TIK) untuk "
                    "kepentingan belajar, dan mengelola kelas dengan baik."
                ),
                "descriptors": (
                    "Kegiatan di kelas tidak mengikuti rencana; sebagian besar waktu peserta "
                    "didik menunggu, mencatat, atau tidak mengerjakan hal yang terkait dengan "
                    "materi.",
                    "Pembelajaran mengikuti rencana tetapi didominasi guru; media atau TIK hanya "
                    "menjadi pelengkap tampilan, dan waktu sering habis sebelum kegiatan selesai.",
                    "Peserta didik aktif mengerjakan tugas yang bermakna; media dan sumber "
                    "belajar membantu pemahaman; kelas tertib dan waktu dikelola sesuai rencana.",
                    "Guru menyesuaikan kegiatan secara luwes dengan respons peserta didik, "
                    "memakai TIK dan media secara tepat guna (dengan alternatif bila perangkat "
                    "atau sinyal tidak tersedia), dan menciptakan suasana yang aman untuk mencoba "
                    "dan berbuat salah.",
                ),
            },
            "en": {
                "title": "Educative learning activities",
                "description": (
                    "The teacher carries out the lesson as planned, involves students actively, "
                    "uses media and learning resources (including ICT) for the sake of learning, "
                    "and manages the class well."
                ),
                "descriptors": (
                    "Classroom activity does not follow a plan; students spend most of the time "
                    "waiting, copying or doing nothing related to the lesson.",
                    "The lesson follows the plan but is dominated by the teacher; media or ICT "
                    "are there for show, and time often runs out before activities are finished.",
                    "Students are actively working on meaningful tasks; media and resources help "
                    "them understand; the class is orderly and time is managed as planned.",
                    "The teacher flexibly adapts activities to how students respond, uses ICT and "
                    "media where they serve learning (with an alternative when devices or signal "
                    "are unavailable), and makes the classroom a safe place to try and to make "
                    "mistakes.",
                ),
            },
        },
        {
            "group": "pedagogical",
            "weight": 1,
            "id": {
                "title": "Pengembangan potensi peserta didik",
                "description": (
                    "Guru membantu setiap peserta didik mengembangkan potensinya, termasuk "
                    "kreativitasnya, melalui kegiatan dan tugas yang beragam."
                ),
                "descriptors": (
                    "Semua peserta didik mengerjakan tugas yang sama dengan satu cara; potensi "
                    "dan minat peserta didik tidak dianalisis.",
                    "Guru mengenali peserta didik yang berprestasi atau tertinggal, tetapi baru "
                    "sesekali memberi tugas atau bimbingan yang berbeda.",
                    "Guru menganalisis hasil belajar untuk mengetahui potensi dan kesulitan "
                    "peserta didik, lalu memberi tugas, pengayaan, atau remedial yang sesuai.",
                    "Setiap peserta didik mendapat kesempatan mengembangkan potensinya melalui "
                    "pilihan tugas, proyek, atau kegiatan di luar jam pelajaran; guru memantau "
                    "perkembangannya secara berkala.",
                ),
            },
            "en": {
                "title": "Developing students' potential",
                "description": (
                    "The teacher helps every student develop their potential, including their "
                    "creativity, through varied activities and tasks."
                ),
                "descriptors": (
                    "All students do the same task in the same way; students' potential and "
                    "interests are not looked into.",
                    "The teacher notices students who excel or fall behind, but only occasionally "
                    "gives them different tasks or guidance.",
                    "The teacher analyses learning results to find students' strengths and "
                    "difficulties, then gives suitable tasks, enrichment or remedial work.",
                    "Every student has opportunities to develop their potential through a choice "
                    "of tasks, projects or activities beyond lessons; the teacher follows their "
                    "progress regularly.",
                ),
            },
        },
        {
            "group": "pedagogical",
            "weight": 1,
            "id": {
                "title": "Komunikasi dengan peserta didik",
                "description": (
                    "Guru berkomunikasi secara efektif, empatik, dan santun dengan peserta didik, "
                    "serta mendorong mereka bertanya dan menyampaikan pendapat."
                ),
                "descriptors": (
                    "Guru jarang mengajak peserta didik berbicara; pertanyaan peserta didik "
                    "diabaikan atau ditanggapi dengan nada merendahkan.",
                    "Guru mengajukan pertanyaan, tetapi sebagian besar hanya menuntut jawaban "
                    "singkat, dan tanggapan atas jawaban yang keliru belum membantu peserta didik "
                    "memahami.",
                    "Guru mengajukan pertanyaan yang mendorong peserta didik berpikir, memberi "
                    "waktu untuk menjawab, dan menanggapi setiap jawaban dengan santun dan "
                    "membangun.",
                    "Peserta didik terbiasa bertanya dan menanggapi pendapat teman; guru "
                    "mendengarkan dengan empati dan memakai jawaban peserta didik, termasuk yang "
                    "keliru, untuk memperdalam pemahaman seluruh kelas.",
                ),
            },
            "en": {
                "title": "Communicating with students",
                "description": (
                    "The teacher communicates effectively, empathetically and politely with "
                    "students and encourages them to ask questions and give their views."
                ),
                "descriptors": (
                    "The teacher seldom invites students to speak; students' questions are "
                    "ignored or answered dismissively.",
                    "The teacher asks questions, but most call only for short answers, and "
                    "responses to wrong answers do not yet help students understand.",
                    "The teacher asks questions that make students think, gives them time to "
                    "answer and responds to every answer politely and constructively.",
                    "Students are used to asking questions and responding to each other's ideas; "
                    "the teacher listens with empathy and uses students' answers, including wrong "
                    "ones, to deepen the whole class's understanding.",
                ),
            },
        },
        {
            "group": "pedagogical",
            "weight": 1,
            "id": {
                "title": "Penilaian dan evaluasi",
                "description": (
                    "Guru melakukan asesmen atas proses dan hasil belajar yang sejalan dengan "
                    "tujuan pembelajaran, dan memakai hasilnya untuk memperbaiki pembelajaran."
                ),
                "descriptors": (
                    "Asesmen tidak dilakukan atau tidak terkait dengan tujuan pembelajaran; "
                    "peserta didik tidak menerima umpan balik atas pekerjaannya.",
                    "Asesmen dilakukan, tetapi hanya berupa nilai akhir; hasilnya belum "
                    "dianalisis atau dipakai untuk memperbaiki pembelajaran.",
                    "Guru memakai beragam teknik asesmen yang sesuai tujuan, memberi umpan balik "
                    "kepada peserta didik, dan menganalisis hasilnya untuk menentukan remedial "
                    "atau pengayaan.",
                    "Asesmen formatif menjadi bagian dari setiap pembelajaran; peserta didik "
                    "memahami kriteria keberhasilan dan menilai diri sendiri; guru memakai hasil "
                    "asesmen untuk merancang pembelajaran berikutnya.",
                ),
            },
            "en": {
                "title": "Assessment and evaluation",
                "description": (
                    "The teacher assesses the process and results of learning in line with the "
                    "learning objectives and uses the results to improve teaching."
                ),
                "descriptors": (
                    "Assessment is not carried out or is unrelated to the learning objectives; "
                    "students receive no feedback on their work.",
                    "Assessment is carried out, but only as final marks; the results are not yet "
                    "analysed or used to improve teaching.",
                    "The teacher uses varied assessment techniques that fit the objectives, gives "
                    "students feedback and analyses the results to plan remedial or enrichment "
                    "work.",
                    "Formative assessment is part of every lesson; students understand the "
                    "success criteria and assess themselves; the teacher uses the results to "
                    "design the next lessons.",
                ),
            },
        },
        {
            "group": "personal",
            "weight": 1,
            "id": {
                "title": (
                    "Bertindak sesuai dengan norma agama, hukum, sosial, dan kebudayaan nasional"
                ),
                "description": (
                    "Guru menghargai peserta didik tanpa membedakan agama, suku, jenis kelamin, "
                    "atau latar belakang, dan bertindak sesuai norma agama, hukum, sosial, dan "
                    "kebudayaan nasional Indonesia."
                ),
                "descriptors": (
                    "Guru pernah bersikap atau berucap yang tidak menghargai keyakinan atau latar "
                    "belakang peserta didik, atau melanggar aturan sekolah.",
                    "Guru umumnya bersikap santun, tetapi belum konsisten menghargai perbedaan "
                    "dan sesekali mengabaikan aturan yang berlaku.",
                    "Guru secara konsisten menghargai perbedaan keyakinan dan budaya, menaati "
                    "aturan sekolah, dan bersikap jujur dalam menjalankan tugas.",
                    "Selain konsisten menghargai perbedaan dan menaati aturan, guru menumbuhkan "
                    "sikap saling menghormati di antara peserta didik dan menjadi contoh bagi "
                    "warga sekolah.",
                ),
            },
            "en": {
                "title": "Acting in line with religious, legal, social and national cultural norms",
                "description": (
                    "The teacher respects students regardless of religion, ethnicity, gender or "
                    "background, and acts in line with the religious, legal, social and cultural "
                    "norms of the nation."
                ),
                "descriptors": (
                    "The teacher has behaved or spoken in ways that disrespect students' beliefs "
                    "or backgrounds, or has broken school rules.",
                    "The teacher is generally courteous but does not yet consistently respect "
                    "differences, and sometimes disregards the rules.",
                    "The teacher consistently respects differences in belief and culture, follows "
                    "the school's rules and acts honestly in their work.",
                    "Besides consistently respecting differences and following the rules, the "
                    "teacher fosters mutual respect among students and is an example to the "
                    "school community.",
                ),
            },
        },
        {
            "group": "personal",
            "weight": 1,
            "id": {
                "title": "Menunjukkan pribadi yang dewasa dan teladan",
                "description": (
                    "Guru bersikap tenang, stabil, dan dapat diteladani dalam ucapan, tindakan, "
                    "dan penampilan."
                ),
                "descriptors": (
                    "Guru mudah marah atau bersikap tidak konsisten di depan peserta didik; "
                    "ucapan dan tindakannya belum dapat dijadikan contoh.",
                    "Guru umumnya bersikap tenang, tetapi dalam situasi sulit (misalnya kelas "
                    "gaduh) belum selalu mampu mengendalikan diri.",
                    "Guru tetap tenang dan adil dalam situasi sulit, menepati janji, dan "
                    "ucapannya sejalan dengan tindakannya.",
                    "Peserta didik dan rekan memandang guru sebagai teladan; ia menerima kritik "
                    "dengan terbuka, mengakui kesalahan, dan membantu orang lain menyelesaikan "
                    "masalah dengan kepala dingin.",
                ),
            },
            "en": {
                "title": "Showing a mature and exemplary personality",
                "description": (
                    "The teacher is calm, steady and a good example in speech, action and "
                    "appearance."
                ),
                "descriptors": (
                    "The teacher loses their temper easily or behaves inconsistently in front of "
                    "students; their words and actions are not yet an example to follow.",
                    "The teacher is generally calm but cannot always keep their composure in "
                    "difficult situations (for example a noisy class).",
                    "The teacher stays calm and fair in difficult situations, keeps promises, and "
                    "their actions match their words.",
                    "Students and colleagues see the teacher as a role model; they take criticism "
                    "openly, admit mistakes and help others resolve problems calmly.",
                ),
            },
        },
        {
            "group": "personal",
            "weight": 1,
            "id": {
                "title": "Etos kerja, tanggung jawab yang tinggi, dan rasa bangga menjadi guru",
                "description": (
                    "Guru hadir tepat waktu, menyelesaikan tugas dengan penuh tanggung jawab, dan "
                    "bangga akan profesinya."
                ),
                "descriptors": (
                    "Guru sering terlambat atau tidak hadir tanpa pemberitahuan, dan tugas "
                    "(rencana, penilaian, administrasi) sering tidak diselesaikan.",
                    "Guru umumnya hadir tepat waktu, tetapi tugas baru diselesaikan bila "
                    "diingatkan, dan pembelajaran kadang dimulai terlambat atau diakhiri lebih "
                    "awal.",
                    "Guru hadir dan memulai pembelajaran tepat waktu, menyelesaikan tugas sesuai "
                    "tenggat, dan memberi tahu lebih dahulu bila berhalangan.",
                    "Guru memanfaatkan waktu sepenuhnya untuk belajar peserta didik, berinisiatif "
                    "di luar tugas pokoknya, dan menunjukkan rasa bangga menjadi guru yang "
                    "menginspirasi rekan.",
                ),
            },
            "en": {
                "title": "Work ethic, a high sense of responsibility and pride in being a teacher",
                "description": (
                    "The teacher is on time, carries out duties with full responsibility and takes "
                    "pride in the profession."
                ),
                "descriptors": (
                    "The teacher is often late or absent without notice, and tasks (plans, "
                    "marking, records) are often left unfinished.",
                    "The teacher is usually on time, but tasks are finished only when reminded, "
                    "and lessons sometimes start late or end early.",
                    "The teacher arrives and starts lessons on time, completes tasks by their "
                    "deadlines and gives notice in advance when unable to attend.",
                    "The teacher uses all the time available for students' learning, takes "
                    "initiative beyond their core duties and shows a pride in teaching that "
                    "inspires colleagues.",
                ),
            },
        },
        {
            "group": "social",
            "weight": 1,
            "id": {
                "title": "Bersikap inklusif, bertindak objektif, serta tidak diskriminatif",
                "description": (
                    "Guru memperlakukan semua peserta didik, rekan, dan orang tua secara adil, "
                    "tanpa membedakan latar belakang, kemampuan, atau kondisi fisik."
                ),
                "descriptors": (
                    "Guru memberi perhatian atau nilai yang berbeda berdasarkan kedekatan, latar "
                    "belakang, atau kondisi peserta didik.",
                    "Guru berusaha adil, tetapi perhatiannya masih terpusat pada peserta didik "
                    "tertentu (misalnya yang duduk di depan atau yang pandai).",
                    "Guru memberi kesempatan dan perhatian yang sama kepada semua peserta didik "
                    "dan menilai berdasarkan kriteria yang jelas, bukan kedekatan.",
                    "Guru secara aktif menyesuaikan pembelajaran agar peserta didik berkebutuhan "
                    "khusus atau yang terpinggirkan dapat berpartisipasi penuh, dan menegur "
                    "perundungan atau diskriminasi di sekolah.",
                ),
            },
            "en": {
                "title": "Being inclusive, acting objectively and without discrimination",
                "description": (
                    "The teacher treats all students, colleagues and parents fairly, regardless of "
                    "background, ability or physical condition."
                ),
                "descriptors": (
                    "The teacher gives different attention or marks depending on personal ties, "
                    "background or a student's condition.",
                    "The teacher tries to be fair, but their attention still centres on certain "
                    "students (for example those at the front or the high achievers).",
                    "The teacher gives all students the same opportunities and attention and "
                    "marks against clear criteria rather than personal ties.",
                    "The teacher actively adapts teaching so that students with special needs or "
                    "who are marginalised can take full part, and speaks up against bullying or "
                    "discrimination at school.",
                ),
            },
        },
        {
            "group": "social",
            "weight": 1,
            "id": {
                "title": (
                    "Komunikasi dengan sesama guru, tenaga kependidikan, orang tua, dan masyarakat"
                ),
                "description": (
                    "Guru berkomunikasi dengan santun dan efektif dengan rekan sejawat, tenaga "
                    "kependidikan, orang tua, dan masyarakat, serta ikut serta dalam kegiatan "
                    "bersama."
                ),
                "descriptors": (
                    "Guru jarang berkomunikasi dengan rekan atau orang tua dan tidak ikut serta "
                    "dalam kegiatan sekolah atau kelompok kerja guru.",
                    "Guru berkomunikasi dengan rekan dan orang tua bila diminta, misalnya saat "
                    "pembagian rapor, tetapi belum rutin berbagi informasi tentang perkembangan "
                    "peserta didik.",
                    "Guru secara rutin berbagi informasi perkembangan peserta didik dengan orang "
                    "tua, aktif dalam KKG/MGMP atau kegiatan sekolah, dan bekerja sama dengan "
                    "rekan.",
                    "Guru memprakarsai kerja sama dengan rekan, orang tua, dan masyarakat "
                    "(misalnya kegiatan bersama atau lesson study) dan menjaga komunikasi yang "
                    "saling menghargai.",
                ),
            },
            "en": {
                "title": (
                    "Communicating with fellow teachers, education staff, parents and the "
                    "community"
                ),
                "description": (
                    "The teacher communicates courteously and effectively with colleagues, "
                    "education staff, parents and the community, and takes part in shared "
                    "activities."
                ),
                "descriptors": (
                    "The teacher rarely communicates with colleagues or parents and takes no part "
                    "in school activities or teacher working groups.",
                    "The teacher communicates with colleagues and parents when asked, for example "
                    "when reports are handed out, but does not yet share information on students' "
                    "progress regularly.",
                    "The teacher regularly shares students' progress with parents, is active in "
                    "the KKG/MGMP working groups or school activities and works well with "
                    "colleagues.",
                    "The teacher initiates collaboration with colleagues, parents and the "
                    "community (for example joint activities or lesson study) and keeps "
                    "communication respectful on all sides.",
                ),
            },
        },
        {
            "group": "professional",
            "weight": 1,
            "id": {
                "title": (
                    "Penguasaan materi, struktur, konsep, dan pola pikir keilmuan yang mendukung "
                    "mata pelajaran yang diampu"
                ),
                "description": (
                    "Guru menguasai materi, struktur, konsep, dan pola pikir keilmuan mata "
                    "pelajaran yang diampu, serta mampu menyajikannya secara benar dan runtut."
                ),
                "descriptors": (
                    "Guru menyampaikan materi yang keliru atau tidak mampu menjawab pertanyaan "
                    "dasar peserta didik tentang materi.",
                    "Materi yang disampaikan benar, tetapi terbatas pada buku teks; keterkaitan "
                    "antarkonsep dan penerapannya belum dijelaskan.",
                    "Guru menjelaskan materi dengan benar dan runtut, mengaitkan antarkonsep, dan "
                    "memberi contoh penerapannya dalam kehidupan sehari-hari.",
                    "Guru menguasai materi secara mendalam, mengenali miskonsepsi yang sering "
                    "muncul, dan mengembangkan materi dari berbagai sumber yang mutakhir.",
                ),
            },
            "en": {
                "title": (
                    "Mastery of the content, structure, concepts and ways of thinking of the "
                    "subject taught"
                ),
                "description": (
                    "The teacher masters the content, structure, concepts and ways of thinking of "
                    "the subject they teach, and presents them correctly and coherently."
                ),
                "descriptors": (
                    "The teacher presents incorrect content or cannot answer students' basic "
                    "questions about it.",
                    "The content presented is correct but limited to the textbook; links between "
                    "concepts and their applications are not yet explained.",
                    "The teacher explains the content correctly and coherently, connects concepts "
                    "and gives examples of how they apply in everyday life.",
                    "The teacher knows the content in depth, recognises common misconceptions and "
                    "develops material from a range of up-to-date sources.",
                ),
            },
        },
        {
            "group": "professional",
            "weight": 1,
            "id": {
                "title": "Mengembangkan keprofesionalan melalui tindakan yang reflektif",
                "description": (
                    "Guru merefleksikan pembelajarannya sendiri, memanfaatkan umpan balik, dan "
                    "terus belajar untuk meningkatkan keprofesionalannya."
                ),
                "descriptors": (
                    "Guru tidak merefleksikan pembelajarannya dan tidak mengikuti kegiatan "
                    "pengembangan diri.",
                    "Guru mengikuti kegiatan pengembangan diri bila ditugaskan, tetapi hasil "
                    "refleksi atau pelatihan belum tampak dalam pembelajarannya.",
                    "Guru merefleksikan pembelajarannya secara berkala, meminta dan memanfaatkan "
                    "umpan balik dari rekan atau peserta didik, dan menerapkan hasilnya di kelas.",
                    "Guru melakukan penelitian atau inovasi pembelajaran (misalnya penelitian "
                    "tindakan kelas atau lesson study), membagikan hasilnya kepada rekan, dan "
                    "memanfaatkan TIK untuk belajar dan berbagi.",
                ),
            },
            "en": {
                "title": "Developing professionally through reflective action",
                "description": (
                    "The teacher reflects on their own teaching, uses feedback and keeps learning "
                    "to grow professionally."
                ),
                "descriptors": (
                    "The teacher does not reflect on their teaching and takes part in no "
                    "professional development.",
                    "The teacher attends professional development when assigned, but reflection "
                    "or training does not yet show in their teaching.",
                    "The teacher reflects on their teaching regularly, asks for and uses feedback "
                    "from colleagues or students, and applies what they learn in class.",
                    "The teacher carries out research or innovation in their teaching (for "
                    "example classroom action research or lesson study), shares the results with "
                    "colleagues and uses ICT to learn and to share.",
                ),
            },
        },
    ),
}


# ---------------------------------------------------------------- 2. Lesson-study observation

# Three levels worded like the ministry's behaviour rubrics. Each criterion asks whether it
# happened *among the students* in this lesson: the descriptors say what students did, said
# and produced, never how well the teacher performed, because in lesson study the observers
# study learning, not the colleague who taught. Ungrouped; weight 1 each.
_LESSON_STUDY_OBSERVATION = {
    "title": {
        "id": "Observasi lesson study: belajar siswa",
        "en": "Lesson study observation: student learning",
    },
    "description": {
        "id": (
            "Untuk pengamat dalam lesson study. Amati apa yang dilakukan, dikatakan, dan "
            "dihasilkan siswa, bukan kinerja guru. Setiap kriteria dinilai dengan tiga tingkat: "
            "belum dilakukan, sudah dilakukan tetapi belum efektif, serta sudah dilakukan dan "
            "efektif."
        ),
        "en": (
            "For observers in lesson study. Watch what students do, say and produce, not the "
            "teacher's performance. Each criterion has three levels: not yet done, done but not "
            "yet effective, and done and effective."
        ),
    },
    "levels": (
        (1, {"id": "Belum dilakukan", "en": "Not yet done"}),
        (2, {"id": "Sudah dilakukan tetapi belum efektif", "en": "Done but not yet effective"}),
        (3, {"id": "Sudah dilakukan dan efektif", "en": "Done and effective"}),
    ),
    "criteria": (
        {
            "group": None,
            "weight": 1,
            "id": {
                "title": "Keterlibatan siswa",
                "description": (
                    "Siswa terlibat aktif dalam tugas belajar: mencoba, berdiskusi, bertanya, dan "
                    "tetap berusaha ketika menemui kesulitan."
                ),
                "descriptors": (
                    "Sebagian besar siswa menunggu, menyalin, atau mengerjakan hal lain; hanya "
                    "sedikit siswa yang mengerjakan tugas belajar.",
                    "Sebagian besar siswa mengerjakan tugas, tetapi sebatas mengikuti langkah "
                    "atau menyalin jawaban teman; banyak yang berhenti ketika menemui kesulitan.",
                    "Hampir semua siswa mengerjakan tugas dengan sungguh-sungguh, mencoba cara "
                    "sendiri, membicarakannya dengan teman, dan tetap berusaha ketika menemui "
                    "kesulitan.",
                ),
            },
            "en": {
                "title": "Student engagement",
                "description": (
                    "Students are actively engaged in the learning task: trying things out, "
                    "discussing, asking and persevering when it gets hard."
                ),
                "descriptors": (
                    "Most students wait, copy or do something else; only a few work on the "
                    "learning task.",
                    "Most students work on the task, but only by following steps or copying a "
                    "classmate's answer; many give up when they get stuck.",
                    "Almost all students work seriously on the task, try their own approaches, "
                    "talk about it with classmates and keep going when they get stuck.",
                ),
            },
        },
        {
            "group": None,
            "weight": 1,
            "id": {
                "title": "Pemikiran siswa yang tampak",
                "description": (
                    "Cara berpikir siswa dapat dilihat dan didengar: di lembar kerja, di papan "
                    "tulis, dan dalam penjelasan mereka sendiri."
                ),
                "descriptors": (
                    "Siswa hanya menuliskan atau menyebutkan jawaban akhir; cara mereka sampai "
                    "pada jawaban itu tidak tampak.",
                    "Sebagian siswa menuliskan langkah atau menjelaskan caranya, tetapi singkat, "
                    "dan siswa lain tidak menanggapi atau membandingkannya dengan cara mereka "
                    "sendiri.",
                    "Siswa menjelaskan alasan di balik jawabannya dengan kata-kata sendiri, "
                    "menunjukkan strateginya di lembar kerja atau papan tulis, dan menanggapi "
                    "atau membandingkan cara berpikir teman.",
                ),
            },
            "en": {
                "title": "Visible student thinking",
                "description": (
                    "Students' thinking can be seen and heard: on worksheets, on the board and in "
                    "their own explanations."
                ),
                "descriptors": (
                    "Students only write or say final answers; how they reached them cannot be "
                    "seen.",
                    "Some students write down steps or explain their approach, but briefly, and "
                    "other students do not respond to it or compare it with their own.",
                    "Students explain the reasoning behind their answers in their own words, show "
                    "their strategies on worksheets or the board, and respond to or compare "
                    "classmates' thinking.",
                ),
            },
        },
        {
            "group": None,
            "weight": 1,
            "id": {
                "title": "Pemanfaatan perkiraan respons siswa",
                "description": (
                    "Respons siswa yang diperkirakan dalam rencana pelajaran, termasuk yang "
                    "keliru, benar-benar muncul, dan siswa belajar dengan membandingkannya."
                ),
                "descriptors": (
                    "Siswa tidak berkesempatan melihat jawaban yang berbeda dari jawabannya "
                    "sendiri; respons yang diperkirakan dalam rencana tidak muncul atau tidak "
                    "dibahas.",
                    "Beberapa respons yang diperkirakan muncul dan ditampilkan, tetapi siswa "
                    "hanya melihat atau mendengarkannya tanpa membandingkan atau menanggapi.",
                    "Siswa membandingkan beragam respons yang muncul (termasuk yang keliru), "
                    "menjelaskan persamaan dan perbedaannya, dan memperbaiki pemahamannya sendiri "
                    "dari diskusi itu.",
                ),
            },
            "en": {
                "title": "Use of anticipated student responses",
                "description": (
                    "The student responses anticipated in the lesson plan, including mistaken "
                    "ones, actually appear, and students learn by comparing them."
                ),
                "descriptors": (
                    "Students do not get to see answers different from their own; the responses "
                    "anticipated in the plan either do not appear or are not discussed.",
                    "Some of the anticipated responses appear and are shown, but students only "
                    "look at or listen to them without comparing or responding.",
                    "Students compare the range of responses that appear (including mistaken "
                    "ones), explain how they are alike and how they differ, and refine their own "
                    "understanding from that discussion.",
                ),
            },
        },
        {
            "group": None,
            "weight": 1,
            "id": {
                "title": "Pemerataan partisipasi",
                "description": (
                    "Semua siswa, bukan hanya yang paling cepat atau paling berani, mendapat "
                    "kesempatan untuk berpikir, berbicara, dan didengar."
                ),
                "descriptors": (
                    "Hanya segelintir siswa yang berbicara atau menjawab; siswa lain, misalnya "
                    "yang duduk di belakang atau yang pendiam, tidak berpartisipasi.",
                    "Lebih banyak siswa berpartisipasi, misalnya dalam kerja kelompok, tetapi di "
                    "dalam kelompok diskusi masih dikuasai satu atau dua siswa.",
                    "Hampir semua siswa, termasuk yang pendiam atau yang mengalami kesulitan, "
                    "menyampaikan gagasannya; siswa saling mendengarkan dan mengajak teman yang "
                    "belum berbicara.",
                ),
            },
            "en": {
                "title": "Equity of participation",
                "description": (
                    "All students, not only the quickest or boldest, get to think, speak and be "
                    "heard."
                ),
                "descriptors": (
                    "Only a handful of students speak or answer; the others, for example those at "
                    "the back or the quiet ones, do not take part.",
                    "More students take part, for example in group work, but within groups one or "
                    "two students still dominate the discussion.",
                    "Almost all students, including quiet ones and those who struggle, share "
                    "their ideas; students listen to one another and draw in classmates who have "
                    "not yet spoken.",
                ),
            },
        },
        {
            "group": None,
            "weight": 1,
            "id": {
                "title": "Bukti untuk tujuan penelitian",
                "description": (
                    "Apa yang dikatakan, dilakukan, dan dihasilkan siswa memberi bukti tentang "
                    "tema atau tujuan penelitian lesson study."
                ),
                "descriptors": (
                    "Kegiatan siswa tidak menghasilkan bukti yang berkaitan dengan tujuan "
                    "penelitian; pengamat tidak dapat menunjukkan contoh ucapan atau hasil kerja "
                    "siswa yang relevan.",
                    "Ada beberapa bukti dari siswa yang berkaitan dengan tujuan penelitian, "
                    "tetapi hanya dari sedikit siswa atau belum cukup jelas untuk ditarik "
                    "kesimpulan.",
                    "Ucapan, tindakan, dan hasil kerja banyak siswa memberi bukti yang jelas dan "
                    "tercatat tentang tujuan penelitian, cukup untuk dibahas dalam refleksi.",
                ),
            },
            "en": {
                "title": "Evidence for the research goal",
                "description": (
                    "What students say, do and produce gives evidence about the research theme or "
                    "goal of the lesson study."
                ),
                "descriptors": (
                    "Students' activity produces no evidence related to the research goal; "
                    "observers cannot point to relevant examples of what students said or "
                    "produced.",
                    "There is some evidence from students related to the research goal, but only "
                    "from a few students or not yet clear enough to draw conclusions from.",
                    "What many students say, do and produce gives clear, recorded evidence about "
                    "the research goal, enough to discuss in the reflection.",
                ),
            },
        },
    ),
}


# ---------------------------------------------------------------- 3. Lesson-plan quality

# Levels 1–4 named as feedback on a draft ("needs revision" … "excellent"). The objectives
# and the assessment aligned to them weigh 2, the rest 1 (maximum 4 × 7 = 28): every other
# part of a plan serves the objectives, and a plan whose assessment does not measure them
# cannot show whether the lesson worked. ICT is judged by fit, with an offline alternative,
# because many schools have few devices and a weak signal.
_PLAN_QUALITY = {
    "title": {
        "id": "Kualitas rencana pembelajaran",
        "en": "Lesson plan quality",
    },
    "description": {
        "id": (
            "Untuk memberi umpan balik atas rencana pembelajaran (Modul Ajar atau RPP) sebelum "
            "diajarkan. Tujuan pembelajaran dan kesesuaian asesmen berbobot 2, kriteria lainnya "
            "berbobot 1."
        ),
        "en": (
            "For feedback on a lesson plan (Modul Ajar or RPP) before it is taught. Learning "
            "objectives and aligned assessment weigh 2, the other criteria 1."
        ),
    },
    "levels": (
        (1, {"id": "Perlu perbaikan", "en": "Needs revision"}),
        (2, {"id": "Berkembang", "en": "Developing"}),
        (3, {"id": "Baik", "en": "Good"}),
        (4, {"id": "Sangat baik", "en": "Excellent"}),
    ),
    "criteria": (
        {
            "group": None,
            "weight": 2,
            "id": {
                "title": "Tujuan pembelajaran jelas dan terukur",
                "description": (
                    "Tujuan menyatakan apa yang akan dapat dilakukan peserta didik di akhir "
                    "pelajaran, dengan kata kerja yang dapat diamati dan sesuai dengan capaian "
                    "pembelajaran."
                ),
                "descriptors": (
                    "Tujuan tidak ada, atau hanya menyebut topik atau kegiatan guru (misalnya "
                    "\"menjelaskan pecahan\").",
                    "Tujuan menyebut apa yang dipelajari peserta didik, tetapi memakai kata kerja "
                    "yang sulit diamati (misalnya \"memahami\") atau terlalu luas untuk satu "
                    "pertemuan.",
                    "Tujuan memakai kata kerja yang dapat diamati, sesuai dengan capaian "
                    "pembelajaran, dan dapat dicapai dalam waktu yang tersedia.",
                    "Tujuan jelas dan terukur, memuat kriteria keberhasilan yang dapat dipahami "
                    "peserta didik, dan menunjukkan tingkat berpikir yang diharapkan.",
                ),
            },
            "en": {
                "title": "Clear, measurable learning objectives",
                "description": (
                    "The objectives state what students will be able to do by the end of the "
                    "lesson, with observable verbs, in line with the curriculum's learning "
                    "outcomes."
                ),
                "descriptors": (
                    "There are no objectives, or they only name a topic or the teacher's activity "
                    "(for example \"explain fractions\").",
                    "The objectives say what students will learn but use verbs that are hard to "
                    "observe (for example \"understand\") or are too broad for one lesson.",
                    "The objectives use observable verbs, fit the curriculum's learning outcomes "
                    "and can be achieved in the time available.",
                    "The objectives are clear and measurable, include success criteria that "
                    "students can understand, and show the level of thinking expected.",
                ),
            },
        },
        {
            "group": None,
            "weight": 2,
            "id": {
                "title": "Asesmen sesuai dengan tujuan",
                "description": (
                    "Asesmen (diagnostik, formatif, sumatif) mengukur apa yang dinyatakan dalam "
                    "tujuan, dan hasilnya dapat dipakai untuk menentukan langkah berikutnya."
                ),
                "descriptors": (
                    "Rencana tidak memuat asesmen, atau asesmennya tidak berkaitan dengan tujuan "
                    "pembelajaran.",
                    "Asesmen ada, tetapi hanya mengukur sebagian tujuan, atau hanya berupa tes "
                    "akhir tanpa kriteria penilaian.",
                    "Setiap tujuan diukur dengan teknik asesmen yang sesuai, dilengkapi kriteria "
                    "atau rubrik penilaian.",
                    "Asesmen selaras dengan setiap tujuan, mencakup asesmen formatif selama "
                    "pelajaran, dan rencana menjelaskan tindak lanjut bagi peserta didik yang "
                    "sudah maupun yang belum mencapai tujuan.",
                ),
            },
            "en": {
                "title": "Assessment aligned to the objectives",
                "description": (
                    "Assessment (diagnostic, formative, summative) measures what the objectives "
                    "state, and its results can inform the next steps."
                ),
                "descriptors": (
                    "The plan has no assessment, or its assessment is unrelated to the learning "
                    "objectives.",
                    "There is assessment, but it measures only some of the objectives, or it is "
                    "only a final test without marking criteria.",
                    "Every objective is measured with a suitable assessment technique, with "
                    "marking criteria or a rubric.",
                    "Assessment is aligned with every objective, includes formative checks during "
                    "the lesson, and the plan explains the follow-up for students who have and "
                    "who have not yet met the objectives.",
                ),
            },
        },
        {
            "group": None,
            "weight": 1,
            "id": {
                "title": "Kegiatan untuk peserta didik yang beragam",
                "description": (
                    "Kegiatan memperhitungkan perbedaan kesiapan, minat, dan kebutuhan belajar "
                    "peserta didik (pembelajaran berdiferensiasi)."
                ),
                "descriptors": (
                    "Semua peserta didik mengerjakan kegiatan yang sama dengan cara yang sama; "
                    "perbedaan kebutuhan tidak dipertimbangkan.",
                    "Rencana menyebut adanya perbedaan peserta didik, tetapi belum memuat "
                    "kegiatan, bantuan, atau tugas yang berbeda bagi mereka.",
                    "Rencana memuat dukungan bagi peserta didik yang kesulitan dan tantangan bagi "
                    "yang lebih cepat, berdasarkan informasi awal tentang peserta didik.",
                    "Rencana membedakan konten, proses, atau produk berdasarkan hasil asesmen "
                    "diagnostik, memberi pilihan kepada peserta didik, dan memperhitungkan "
                    "peserta didik berkebutuhan khusus.",
                ),
            },
            "en": {
                "title": "Activities for diverse learners",
                "description": (
                    "The activities take account of differences in students' readiness, interests "
                    "and learning needs (differentiated instruction)."
                ),
                "descriptors": (
                    "All students do the same activity in the same way; different needs are not "
                    "considered.",
                    "The plan mentions that students differ but does not yet include different "
                    "activities, support or tasks for them.",
                    "The plan includes support for students who struggle and challenges for "
                    "faster ones, based on prior information about the students.",
                    "The plan differentiates content, process or product based on diagnostic "
                    "assessment, gives students choices, and provides for students with special "
                    "needs.",
                ),
            },
        },
        {
            "group": None,
            "weight": 1,
            "id": {
                "title": "Integrasi TIK",
                "description": (
                    "Teknologi informasi dan komunikasi dipakai bila membantu belajar, sesuai "
                    "dengan perangkat dan jaringan yang benar-benar tersedia."
                ),
                "descriptors": (
                    "TIK tidak dipertimbangkan, atau dipakai tanpa kaitan dengan tujuan "
                    "pembelajaran.",
                    "TIK direncanakan, tetapi hanya untuk menampilkan materi (misalnya salindia), "
                    "dan rencana belum memperhitungkan ketersediaan perangkat atau sinyal.",
                    "Peserta didik memakai TIK untuk mencari, mengolah, atau menyajikan informasi "
                    "sesuai tujuan, dan rencana memperhitungkan perangkat yang tersedia.",
                    "TIK dipakai secara tepat guna untuk kegiatan yang sulit dilakukan tanpanya "
                    "(misalnya simulasi atau kolaborasi), dengan alternatif luring bila perangkat "
                    "atau sinyal tidak tersedia.",
                ),
            },
            "en": {
                "title": "ICT integration",
                "description": (
                    "Information and communication technology is used where it helps learning, "
                    "within the devices and connectivity actually available."
                ),
                "descriptors": (
                    "ICT is not considered, or is used with no link to the learning objectives.",
                    "ICT is planned but only to display content (for example slides), and the "
                    "plan does not yet consider whether devices or signal are available.",
                    "Students use ICT to find, work with or present information in line with the "
                    "objectives, and the plan takes the available devices into account.",
                    "ICT is used purposefully for activities that would be hard without it (for "
                    "example simulations or collaboration), with an offline alternative when "
                    "devices or signal are unavailable.",
                ),
            },
        },
        {
            "group": None,
            "weight": 1,
            "id": {
                "title": "Alokasi waktu yang realistis",
                "description": (
                    "Waktu untuk setiap bagian pelajaran sesuai dengan kegiatannya dan dengan jam "
                    "pelajaran yang tersedia."
                ),
                "descriptors": (
                    "Rencana tidak memuat alokasi waktu, atau kegiatannya jelas tidak mungkin "
                    "selesai dalam jam pelajaran yang tersedia.",
                    "Alokasi waktu ada, tetapi tidak seimbang: misalnya pendahuluan terlalu "
                    "panjang sehingga kegiatan inti dan penutup terpotong.",
                    "Setiap bagian (pendahuluan, kegiatan inti, penutup) memiliki alokasi waktu "
                    "yang masuk akal, dan jumlahnya sesuai dengan jam pelajaran.",
                    "Alokasi waktu realistis untuk setiap kegiatan, termasuk waktu peralihan dan "
                    "diskusi, dan rencana menyebut bagian yang dapat dipersingkat atau "
                    "diperpanjang bila perlu.",
                ),
            },
            "en": {
                "title": "Realistic timing",
                "description": (
                    "The time for each part of the lesson fits its activities and the teaching "
                    "periods available."
                ),
                "descriptors": (
                    "The plan gives no timing, or its activities clearly cannot fit into the "
                    "periods available.",
                    "Timing is given but unbalanced: for example a long opening that leaves the "
                    "core activities and the closing cut short.",
                    "Each part (opening, core activities, closing) has a sensible time "
                    "allocation, and together they fit the periods available.",
                    "Timing is realistic for each activity, including transitions and discussion, "
                    "and the plan names what can be shortened or extended if needed.",
                ),
            },
        },
    ),
}


# ---------------------------------------------------------------- building the library


def _language_version(source: dict, language: str, target: str) -> dict:
    """One language of a bilingual source, in the export format."""
    groups = source.get("groups", {})
    return {
        "title": source["title"][language],
        "description": source["description"][language],
        "target": target,
        "levels": [{"score": score, "label": label[language]}
                   for score, label in source["levels"]],
        "criteria": [
            {
                "title": criterion[language]["title"],
                "description": criterion[language]["description"],
                "group": groups[criterion["group"]][language] if criterion["group"] else "",
                "weight": float(criterion["weight"]),
                "descriptors": list(criterion[language]["descriptors"]),
            }
            for criterion in source["criteria"]
        ],
    }


def _library_rubric(key: str, target: str, source: dict, *, pkg: bool = False) -> LibraryRubric:
    content = {language: _language_version(source, language, target) for language in LANGUAGES}
    return LibraryRubric(key=key, target=target, pkg=pkg, content=content)


LIBRARY: dict[str, LibraryRubric] = {
    rubric.key: rubric
    for rubric in (
        _library_rubric("pkg", "observation", _PKG, pkg=True),
        _library_rubric("lesson_study_observation", "observation", _LESSON_STUDY_OBSERVATION),
        _library_rubric("plan_quality", "plan", _PLAN_QUALITY),
    )
}


def library_rubric(key: str, language: str) -> dict:
    """The library rubric `key` in the export format, in `language` ("id" or "en"; any other
    language gets Indonesian). A fresh copy each time, so a caller that changes it (a teacher
    adapting the rubric, say) leaves the library as it is. An unknown key is a KeyError."""
    rubric = LIBRARY[key]
    return copy.deepcopy(rubric.content.get(language, rubric.content[FALLBACK_LANGUAGE]))


# ---------------------------------------------------------------- PKG conversion

PKG_MAX_TOTAL = 56  # 14 criteria × weight 1 × top score 4

# Each band starts at its stated lower edge and runs up to the next band's edge, so a score
# between two stated ranges (90.5, between "76–90" and "91–100") belongs to the lower band:
# a band is only reached by reaching its edge. Highest first.
PKG_BANDS = (("amat_baik", 91), ("baik", 76), ("cukup", 61), ("sedang", 51), ("kurang", 0))

PKG_BAND_LABELS = {
    "amat_baik": {"id": "Amat baik", "en": "Excellent"},
    "baik": {"id": "Baik", "en": "Good"},
    "cukup": {"id": "Cukup", "en": "Sufficient"},
    "sedang": {"id": "Sedang", "en": "Moderate"},
    "kurang": {"id": "Kurang", "en": "Poor"},
}


def _is_number(value) -> bool:
    # bool is an int to Python, but True is no score.
    return (isinstance(value, numbers.Real) and not isinstance(value, bool)
            and math.isfinite(value))


def pkg_conversion(total: float, max_total: float = PKG_MAX_TOTAL) -> float:
    """The PKG score out of 100: total / max_total × 100, rounded to two decimals (51 of 56 →
    91.07). A total outside 0..max_total is a ValueError (with 14 criteria scored 1–4 the real
    range is 14..56)."""
    if not _is_number(max_total) or max_total <= 0:
        raise ValueError(f"the maximum total must be a positive number, not {max_total!r}")
    if not _is_number(total) or not 0 <= total <= max_total:
        raise ValueError(f"the total must be a number from 0 to {max_total}, not {total!r}")
    return round(total * 100 / max_total, 2)


def pkg_band(score: float) -> str:
    """The PKG band key of a converted score (0–100): 91 and above "amat_baik", from 76
    "baik", from 61 "cukup", from 51 "sedang", below 51 "kurang". A score between two stated
    ranges belongs to the lower band (90.5 → "baik"). Outside 0..100 is a ValueError."""
    if not _is_number(score) or not 0 <= score <= 100:
        raise ValueError(f"a PKG score is a number from 0 to 100, not {score!r}")
    return next(band for band, lower_edge in PKG_BANDS if score >= lower_edge)


# ---------------------------------------------------------------- validating the export format

LIMITS = {"title": 200, "label": 80, "group": 80, "descriptor": 1000, "description": 2000}
MIN_LEVELS = 2
MIN_CRITERIA = 1

PROBLEM_CODES = frozenset({
    "required", "not_text", "too_long", "not_number", "not_ascending", "too_few",
    "wrong_count", "not_positive", "not_object", "not_list", "unknown_target",
})

_ENGLISH = {
    "required": "required",
    "not_text": "must be text",
    "too_long": "must be at most {limit} characters, found {length}",
    "not_number": "must be a number",
    "not_ascending": "must be greater than the score before it ({previous})",
    "too_few": "needs at least {minimum}, found {found}",
    "wrong_count": "needs {expected} descriptors, one per level, found {found}",
    "not_positive": "must be greater than 0",
    "not_object": "must be a JSON object",
    "not_list": "must be a list",
    "unknown_target": "must be one of: {allowed}",
}


class Problem(NamedTuple):
    """One thing wrong with a rubric: where (`criteria[2].descriptors`, "" for the whole
    document), a stable code from PROBLEM_CODES, and the figures the message needs."""

    place: str
    code: str
    detail: dict


def describe(problem: Problem) -> str:
    """The problem in plain English, without its place ("needs 4 descriptors, one per level,
    found 3"). The app translates by code; this is for logs, the CLI and tests."""
    values = {name: ", ".join(map(str, value)) if isinstance(value, list | tuple) else value
              for name, value in problem.detail.items()}
    return _ENGLISH.get(problem.code, problem.code).format(**values)


def validate_rubric(data) -> list[Problem]:
    """Every problem of a rubric in the export format, each with its place; [] when it is
    fine. Checks what a rubric needs to be used (see the module docstring for the rules);
    keys it does not know are left alone."""
    if not isinstance(data, dict):
        return [Problem("", "not_object", {})]
    problems = _text(data.get("title"), "title", LIMITS["title"], required=True)
    problems += _text(data.get("description"), "description", LIMITS["description"])
    if data.get("target") is not None and data["target"] not in TARGETS:
        problems.append(Problem("target", "unknown_target", {"allowed": list(TARGETS)}))
    levels, level_problems = _list(data.get("levels"), "levels", MIN_LEVELS)
    problems += level_problems
    for index, level in enumerate(levels or ()):
        problems += _level(level, f"levels[{index}]")
    problems += _ascending(levels or ())
    criteria, criterion_problems = _list(data.get("criteria"), "criteria", MIN_CRITERIA)
    problems += criterion_problems
    # Descriptors are counted against the levels only when those are a usable list: with
    # too few levels every criterion would be "wrong" too, which is noise, not news.
    level_count = len(levels) if levels is not None and not level_problems else None
    for index, criterion in enumerate(criteria or ()):
        problems += _criterion(criterion, f"criteria[{index}]", level_count)
    return problems


def _text(value, place: str, limit: int, *, required: bool = False) -> list[Problem]:
    if value is None or (isinstance(value, str) and not value.strip()):
        return [Problem(place, "required", {})] if required else []
    if not isinstance(value, str):
        return [Problem(place, "not_text", {})]
    if len(value) > limit:
        return [Problem(place, "too_long", {"limit": limit, "length": len(value)})]
    return []


def _list(value, place: str, minimum: int) -> tuple[list | None, list[Problem]]:
    """The list (None when there is none to look into) and its own problems."""
    if value is None:
        return None, [Problem(place, "required", {})]
    if not isinstance(value, list):
        return None, [Problem(place, "not_list", {})]
    if len(value) < minimum:
        return value, [Problem(place, "too_few", {"minimum": minimum, "found": len(value)})]
    return value, []


def _level(level, place: str) -> list[Problem]:
    if not isinstance(level, dict):
        return [Problem(place, "not_object", {})]
    problems = []
    if level.get("score") is None:
        problems.append(Problem(f"{place}.score", "required", {}))
    elif not _is_number(level["score"]):
        problems.append(Problem(f"{place}.score", "not_number", {}))
    return problems + _text(level.get("label"), f"{place}.label", LIMITS["label"],
                            required=True)


def _ascending(levels: list) -> list[Problem]:
    """Each score above the last valid one before it (invalid scores are reported already)."""
    problems, previous = [], None
    for index, level in enumerate(levels):
        score = level.get("score") if isinstance(level, dict) else None
        if not _is_number(score):
            continue
        if previous is not None and score <= previous:
            problems.append(Problem(f"levels[{index}].score", "not_ascending",
                                    {"previous": previous}))
        previous = score
    return problems


def _criterion(criterion, place: str, level_count: int | None) -> list[Problem]:
    if not isinstance(criterion, dict):
        return [Problem(place, "not_object", {})]
    problems = _text(criterion.get("title"), f"{place}.title", LIMITS["title"], required=True)
    problems += _text(criterion.get("description"), f"{place}.description",
                      LIMITS["description"])
    problems += _text(criterion.get("group"), f"{place}.group", LIMITS["group"])
    problems += _weight(criterion, f"{place}.weight")
    return problems + _descriptors(criterion, f"{place}.descriptors", level_count)


def _weight(criterion: dict, place: str) -> list[Problem]:
    if "weight" not in criterion:
        return []  # 1 by default
    if not _is_number(criterion["weight"]):
        return [Problem(place, "not_number", {})]
    if criterion["weight"] <= 0:
        return [Problem(place, "not_positive", {})]
    return []


def _descriptors(criterion: dict, place: str, level_count: int | None) -> list[Problem]:
    descriptors, problems = _list(criterion.get("descriptors"), place, 0)
    if descriptors is None:
        return problems
    if level_count is not None and len(descriptors) != level_count:
        problems.append(Problem(place, "wrong_count",
                                {"expected": level_count, "found": len(descriptors)}))
    for index, descriptor in enumerate(descriptors):
        problems += _text(descriptor, f"{place}[{index}]", LIMITS["descriptor"], required=True)
    return problems
